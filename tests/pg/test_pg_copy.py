"""`workbench copy` between SQLite and a real PostgreSQL server, both directions."""

import pytest
from sqlalchemy import select, text, update

from workbench.cli.main import main
from workbench.core import audit
from workbench.core.errors import AuditChainBroken
from workbench.core.store import open_workbook
from workbench.core.store.copy import TargetNotEmpty, copy_workbook
from workbench.core.store.models import AuditEvent, Case, Note

from workbook_fixture import dump, populate

pytestmark = pytest.mark.postgres


@pytest.fixture
def sqlite_source(tmp_path):
    wb = open_workbook(tmp_path / "month.rwb")
    populate(wb)
    yield wb
    wb.close()


def _head(wb):
    with wb.sessions() as s:
        return audit.chain_head(s)


def test_sqlite_to_postgres_keeps_every_row_id_and_the_chain(sqlite_source, pg_url):
    result = copy_workbook(sqlite_source.url.removeprefix("sqlite:///"), pg_url)
    target = open_workbook(pg_url)
    try:
        src, dst = dump(sqlite_source), dump(target)
        for table in ("cases", "case_links", "findings", "tags", "notes", "adjustments", "audit_events"):
            assert src[table], f"fixture has no {table}"
        assert dst == src
        assert result.rows == {name: len(rows) for name, rows in src.items()}
        assert (result.audit_events, result.audit_head) == _head(sqlite_source)
        with target.sessions() as s:
            assert audit.verify_chain(s).ok
        assert target.business_settings().timezone == "Europe/Berlin"
        # sequences continue after the copied ids; the chain continues after the copied head
        max_case = max(r[0] for r in src["cases"])
        with target.session() as s:
            case = Case(case_key="portal:new")
            s.add(case)
            s.flush()
            assert case.id == max_case + 1
            s.add(Note(case_id=case.id, author="bob", body="after publish"))
            ev = audit.record(s, "bob", "note.add", case_id=case.id)
            assert ev.seq == result.audit_events + 1 and ev.prev_hash == result.audit_head
        with target.sessions() as s:
            assert audit.verify_chain(s).ok
    finally:
        target.close()


def test_postgres_to_sqlite_round_trip(pg_workbook, tmp_path):
    populate(pg_workbook)
    out = tmp_path / "offline.rwb"
    result = copy_workbook(pg_workbook.url, out)
    back = open_workbook(out)
    try:
        assert dump(back) == dump(pg_workbook)
        assert result.audit_head == _head(pg_workbook)[1]
        with back.sessions() as s:
            assert audit.verify_chain(s).ok
        with back.session() as s:   # SQLite continues ids after the copied ones as well
            case = Case(case_key="portal:offline")
            s.add(case)
            s.flush()
            assert case.id == max(r[0] for r in dump(pg_workbook)["cases"]) + 1
    finally:
        back.close()


def test_non_empty_target_is_refused_unless_forced(sqlite_source, pg_workbook, tmp_path):
    with pg_workbook.session() as s:
        s.add(Case(case_key="portal:someone-elses"))
        audit.record(s, "zed", "case.create")
    src = sqlite_source.url.removeprefix("sqlite:///")
    with pytest.raises(TargetNotEmpty, match=r"postgresql://wb@.* already holds data \(1 audit_events, 1 cases\); use --force"):
        copy_workbook(src, pg_workbook.url)
    with pg_workbook.sessions() as s:   # untouched
        assert s.execute(select(Case.case_key)).scalars().all() == ["portal:someone-elses"]
    copy_workbook(src, pg_workbook.url, force=True)
    assert dump(pg_workbook) == dump(sqlite_source)


def test_broken_source_chain_is_not_copied(sqlite_source, pg_workbook):
    with sqlite_source.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="mallory"))
    with pytest.raises(AuditChainBroken, match="event 3 was altered.*nothing was copied"):
        copy_workbook(sqlite_source.url.removeprefix("sqlite:///"), pg_workbook.url)
    with pg_workbook.sessions() as s:
        assert s.execute(select(AuditEvent)).first() is None


def test_cli_copy_both_ways(sqlite_source, pg_url, tmp_path, capsys):
    src = sqlite_source.url.removeprefix("sqlite:///")
    assert main(["copy", "--from", src, "--to", pg_url, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "copied" in out and "audit chain verified on the target" in out
    assert main(["copy", "--from", src, "--to", pg_url, "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("workbench copy: error:") and "use --force" in err and "\n" not in err
    back = tmp_path / "back.rwb"
    assert main(["copy", "--from", pg_url, "--to", str(back), "--quiet"]) == 0
    copied = open_workbook(back)
    try:
        assert dump(copied) == dump(sqlite_source)
    finally:
        copied.close()


def test_copy_refuses_a_database_that_is_not_a_workbook(pg_url, tmp_path):
    from workbench.core.errors import SchemaError

    with pytest.raises(SchemaError, match="not a workbook"):
        copy_workbook(pg_url, tmp_path / "x.rwb")
    with pytest.raises(SchemaError, match="no workbook at"):
        copy_workbook(tmp_path / "missing.rwb", tmp_path / "y.rwb")


def test_publish_a_reconciled_month_and_keep_working_on_the_team_store(pg_url, tmp_path, capsys):
    """Offline: reconcile a month and tag a case. Publish. On the team store: tag another
    case and re-run reconcile - the cases are the same as offline and the chain verifies."""
    demo = pytest.importorskip("workbench.core.demo")
    pytest.importorskip("workbench.cli.cmd_reconcile")
    files = [str(p) for p in demo.generate_demo(tmp_path / "month", returns=120, seed=5).files]
    offline = tmp_path / "offline.rwb"
    assert main(["reconcile", "--db", str(offline), "--quiet", *files]) == 0, capsys.readouterr().err
    wb = open_workbook(offline)
    with wb.sessions() as s:
        first, second = s.execute(select(Case.id).order_by(Case.id).limit(2)).scalars().all()
        cases_offline = s.execute(select(Case.case_key, Case.symptoms).order_by(Case.case_key)).all()
    wb.close()
    assert main(["case", "tag", "--db", str(offline), "--add", "offline-work", str(first)]) == 0
    assert main(["copy", "--from", str(offline), "--to", pg_url, "--quiet"]) == 0, capsys.readouterr().err
    assert main(["case", "tag", "--db", pg_url, "--add", "team-work", str(second)]) == 0, capsys.readouterr().err
    assert main(["reconcile", "--db", pg_url, "--quiet"]) == 0, capsys.readouterr().err
    team = open_workbook(pg_url)
    try:
        with team.sessions() as s:
            assert s.execute(select(Case.case_key, Case.symptoms).order_by(Case.case_key)).all() == cases_offline
            from workbench.core.store.models import Tag

            tags = dict(s.execute(select(Tag.tag, Tag.case_id).where(Tag.tag.in_(["offline-work", "team-work"]))).all())
            assert tags == {"offline-work": first, "team-work": second}
            assert audit.verify_chain(s).ok
    finally:
        team.close()


def test_copy_from_postgres_reads_one_snapshot_while_the_team_keeps_working(pg_workbook, tmp_path):
    from workbench.core.jobs import Job

    populate(pg_workbook, cases=3)
    before = dump(pg_workbook)
    wrote = []

    def meanwhile(_fraction, message):
        if message.startswith("copying") and not wrote:
            with pg_workbook.session() as s:
                s.add(Case(case_key="portal:written-during-copy"))
                audit.record(s, "zed", "case.create")
            wrote.append(True)

    copy_workbook(pg_workbook.url, tmp_path / "snap.rwb", job=Job(meanwhile))
    snap = open_workbook(tmp_path / "snap.rwb")
    try:
        assert wrote and dump(snap) == before
    finally:
        snap.close()
