"""`workbench reconcile FILES` into a workbook that already holds cases re-diagnoses only the
cases the new records touch (issue 8: incremental work); an unchanged file costs a hash."""

import re

from sqlalchemy import text

from workbench.cli.main import main
from workbench.core.demo import generate_demo
from workbench.core.store import open_workbook


def _stamps(db):
    wb = open_workbook(db)
    try:
        with wb.engine.connect() as conn:
            return dict(conn.execute(text("SELECT id, diagnosed_at FROM cases")).all())
    finally:
        wb.close()


def test_second_month_rediagnoses_only_what_it_touches(tmp_path, capsys):
    demo = generate_demo(tmp_path / "months", returns=300, seed=4, months=2, csv_only=True)
    first = sorted(str(p) for p in demo.files if "2026-10" in p.name)
    second = sorted(str(p) for p in demo.files if "2026-11" in p.name)
    assert len(first) == 4 and len(second) == 4
    db = str(tmp_path / "w.rwb")
    assert main(["reconcile", "--quiet", "--db", db, *first]) == 0
    assert "Incremental" not in capsys.readouterr().out          # a new workbook: everything
    before = _stamps(db)

    assert main(["reconcile", "--quiet", "--db", db, *second]) == 0
    out = capsys.readouterr().out
    rewritten = int(re.search(r"Incremental: (\d+) case", out).group(1))
    after = _stamps(db)
    kept = [cid for cid, at in before.items() if after.get(cid) == at]
    assert 0 < rewritten < len(after)
    assert len(kept) >= len(before) - rewritten                  # untouched cases keep their diagnosis
    assert len(kept) > 0

    assert main(["reconcile", "--quiet", "--db", db, *second]) == 0   # the same files again
    out = capsys.readouterr().out
    assert "unchanged" in out and "Incremental: 0 case(s)" in out
    assert _stamps(db) == after

    assert main(["reconcile", "--quiet", "--full", "--db", db, *second]) == 0
    assert "Incremental" not in capsys.readouterr().out
    assert all(_stamps(db)[cid] != at for cid, at in after.items() if at is not None)
