"""`copy_workbook` between two SQLite files (no server needed): the same guarantees."""

import pytest
from sqlalchemy import select

from workbench.core import audit
from workbench.core.errors import WorkbenchError
from workbench.core.jobs import Job
from workbench.core.store import open_workbook
from workbench.core.store.copy import TargetNotEmpty, copy_workbook
from workbench.core.store.models import Case

from workbook_fixture import dump, populate


def test_sqlite_to_sqlite_copy_is_exact_and_reports_progress(tmp_path):
    src = open_workbook(tmp_path / "a.rwb")
    populate(src, cases=4)
    steps = []
    result = copy_workbook(tmp_path / "a.rwb", tmp_path / "b.rwb", job=Job(lambda f, m: steps.append((f, m))))
    dst = open_workbook(tmp_path / "b.rwb")
    try:
        assert dump(dst) == dump(src)
        assert result.total_rows == sum(len(r) for r in dump(src).values())
        with src.sessions() as s:
            assert (result.audit_events, result.audit_head) == audit.chain_head(s)
        assert steps[-1] == (1.0, "copy complete")
        assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    finally:
        src.close()
        dst.close()


def test_refusals(tmp_path):
    src = open_workbook(tmp_path / "a.rwb")
    populate(src, cases=2)
    src.close()
    with pytest.raises(WorkbenchError, match="same workbook"):
        copy_workbook(tmp_path / "a.rwb", tmp_path / "a.rwb")
    copy_workbook(tmp_path / "a.rwb", tmp_path / "b.rwb")
    with pytest.raises(TargetNotEmpty, match="use --force"):
        copy_workbook(tmp_path / "a.rwb", tmp_path / "b.rwb")
    other = open_workbook(tmp_path / "c.rwb")
    with other.session() as s:
        s.add(Case(case_key="portal:only-here"))
    other.close()
    copy_workbook(tmp_path / "a.rwb", tmp_path / "c.rwb", force=True)
    replaced = open_workbook(tmp_path / "c.rwb")
    try:
        with replaced.sessions() as s:
            keys = s.execute(select(Case.case_key)).scalars().all()
        assert "portal:only-here" not in keys and len(keys) == 2
    finally:
        replaced.close()


def test_cancel_writes_nothing(tmp_path):
    src = open_workbook(tmp_path / "a.rwb")
    populate(src, cases=3)
    src.close()
    job = Job()
    job.cancel()
    with pytest.raises(WorkbenchError, match="cancelled"):
        copy_workbook(tmp_path / "a.rwb", tmp_path / "b.rwb", job=job)
    target = open_workbook(tmp_path / "b.rwb")
    try:
        assert all(not rows for rows in dump(target).values())
    finally:
        target.close()


def test_copy_reads_one_snapshot_while_someone_keeps_writing(tmp_path):
    """A write to the source during the copy is not half-copied: the copy is the source as
    of the moment it started."""
    src = open_workbook(tmp_path / "a.rwb")
    populate(src, cases=3)
    before = dump(src)
    wrote = []

    def meanwhile(_fraction, message):
        if message.startswith("copying") and not wrote:
            with src.session() as s:
                s.add(Case(case_key="portal:written-during-copy"))
                audit.record(s, "zed", "case.create")
            wrote.append(True)

    copy_workbook(tmp_path / "a.rwb", tmp_path / "b.rwb", job=Job(meanwhile))
    dst = open_workbook(tmp_path / "b.rwb")
    try:
        assert wrote
        assert dump(dst) == before
        with src.sessions() as s:
            assert s.execute(select(Case).where(Case.case_key == "portal:written-during-copy")).first()
    finally:
        src.close()
        dst.close()
