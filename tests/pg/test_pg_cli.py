"""Every command works with `--db postgresql://...`, and gives the same results as on SQLite.

Commands that have not landed yet are skipped (each test names the module it needs)."""

import importlib.util

import pytest
from sqlalchemy import func, select

from workbench.cli.main import main
from workbench.core import audit
from workbench.core.store import open_workbook
from workbench.core.store.models import Case, Finding, SourceRecord, Tag

from workbook_fixture import populate

pytestmark = pytest.mark.postgres


def _needs(*modules: str) -> None:
    for name in modules:
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"{name} has not landed yet")


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """A small generated month (four files)."""
    generate_demo = getattr(pytest.importorskip("workbench.core.demo"), "generate_demo", None)
    if generate_demo is None:
        pytest.skip("workbench.core.demo.generate_demo has not landed yet")

    out = tmp_path_factory.mktemp("month")
    result = generate_demo(out, returns=150, seed=3)
    return [str(p) for p in result.files]


def _cases(url) -> list[tuple]:
    wb = open_workbook(url)
    try:
        with wb.sessions() as s:
            rows = s.execute(select(Case.case_key, Case.symptoms, Case.boundary, Case.amount_minor,
                                    Case.systems_present, Case.is_active).order_by(Case.case_key)).all()
            return [tuple(r) for r in rows]
    finally:
        wb.close()


def test_import_on_postgres(pg_url, month, capsys):
    _needs("workbench.cli.cmd_import")
    assert main(["import", "--db", pg_url, *month]) == 0, capsys.readouterr().err
    wb = open_workbook(pg_url)
    try:
        with wb.sessions() as s:
            counts = dict(s.execute(select(SourceRecord.system, func.count()).group_by(SourceRecord.system)).all())
        assert set(counts) == {"portal", "processor", "erp", "support"}
        assert all(n > 0 for n in counts.values())
        # re-importing the same files changes nothing
        assert main(["import", "--db", pg_url, *month]) == 0
        with wb.sessions() as s:
            assert s.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == sum(counts.values())
    finally:
        wb.close()


def test_reconcile_on_postgres_matches_sqlite(pg_url, month, tmp_path, capsys):
    _needs("workbench.cli.cmd_reconcile")
    lite = tmp_path / "same.rwb"
    assert main(["reconcile", "--db", str(lite), *month]) == 0, capsys.readouterr().err
    assert main(["reconcile", "--db", pg_url, *month]) == 0, capsys.readouterr().err
    on_pg, on_sqlite = _cases(pg_url), _cases(str(lite))
    assert len(on_pg) > 100
    assert any(r[1] for r in on_pg), "a demo month has broken returns"
    assert on_pg == on_sqlite
    wb = open_workbook(pg_url)
    try:
        with wb.sessions() as s:
            assert s.execute(select(func.count()).select_from(Finding)).scalar_one() > 0
    finally:
        wb.close()


def test_export_and_verify_from_postgres(pg_workbook, tmp_path, capsys):
    _needs("workbench.cli.cmd_export", "workbench.cli.cmd_verify")
    populate(pg_workbook)
    for ext in ("csv", "json", "xlsx"):
        log = tmp_path / f"log.{ext}"
        assert main(["export", "--db", pg_workbook.url, "--quiet", str(log)]) == 0, capsys.readouterr().err
        assert log.stat().st_size > 0
        capsys.readouterr()
        assert main(["verify", str(log)]) == 0, capsys.readouterr()


def test_case_commands_on_postgres(pg_workbook, capsys):
    _needs("workbench.cli.cmd_case")
    populate(pg_workbook)
    url = pg_workbook.url
    with pg_workbook.sessions() as s:
        case_id, version = s.execute(select(Case.id, Case.version).where(Case.symptoms != "")
                                     .order_by(Case.id).limit(1)).one()
        events_before = audit.chain_head(s)[0]

    def run(*argv):
        capsys.readouterr()
        rc = main(list(argv))
        return rc, capsys.readouterr()

    rc, out = run("case", "tag", "--db", url, "--add", "published-check", str(case_id))
    assert rc == 0, out.err
    rc, out = run("case", "note", "--db", url, "--text", "asked IT about the connector", str(case_id))
    assert rc == 0, out.err
    with pg_workbook.sessions() as s:
        assert "published-check" in s.execute(select(Tag.tag).where(Tag.case_id == case_id)).scalars().all()
        current = s.get(Case, case_id).version
    assert current > version
    # a save based on the version seen before those changes is refused, with the reason
    rc, out = run("case", "status", "--db", url, "--expect-version", str(version), "--set", "resolved", str(case_id))
    assert rc == 1 and "refresh and try again" in out.err and out.err.count("\n") == 1
    rc, out = run("case", "status", "--db", url, "--expect-version", str(current), "--set", "resolved", str(case_id))
    assert rc == 0, out.err
    rc, out = run("case", "audit", "--db", url)
    assert rc == 0, out.err
    with pg_workbook.sessions() as s:
        assert s.get(Case, case_id).status == "resolved"
        report = audit.verify_chain(s)
        assert report.ok and report.events == events_before + 3


def test_review_and_signoff_commands_on_postgres(pg_workbook, monkeypatch, capsys):
    """Maker-checker and period sign-off through the CLI on the team store, as two people."""
    _needs("workbench.cli.cmd_case")
    from workbench.core.casework import REASON_CODES
    from workbench.core.store.models import Adjustment

    populate(pg_workbook)          # rita is a reviewer; cases are in 2026-10
    url = pg_workbook.url
    with pg_workbook.sessions() as s:
        case_id, key = s.execute(select(Case.id, Case.case_key).where(Case.is_active).order_by(Case.id).limit(1)).one()

    def run(user, *argv):
        monkeypatch.setenv("WORKBENCH_USER", user)
        capsys.readouterr()
        rc = main(list(argv))
        return rc, capsys.readouterr()

    rc, out = run("analyst1", "case", "list", "--db", url, "--json")
    assert rc == 0 and key in out.out, out.err
    rc, out = run("analyst1", "case", "show", "--db", url, str(case_id))
    assert rc == 0 and key in out.out, out.err
    rc, out = run("analyst1", "case", "adjust", "--db", url, "--system", "erp", "--field", "amount",
                  "--from", "99.98", "--to", "99.99", "--currency", "USD", "--reason", REASON_CODES[0],
                  str(case_id))
    assert rc == 0, out.err
    with pg_workbook.sessions() as s:
        adj = s.execute(select(Adjustment).where(Adjustment.case_id == case_id)
                        .order_by(Adjustment.id.desc()).limit(1)).scalar_one()
        assert (adj.amount_from_minor, adj.amount_to_minor, adj.review_status) == (9998, 9999, "pending")
    rc, out = run("analyst1", "case", "review", "--db", url, "--approve", "--comment", "mine", f"adj:{adj.id}")
    assert rc == 1 and out.err.count("\n") == 1               # a maker does not approve
    rc, out = run("rita", "case", "review", "--db", url, "--approve", "--comment", "checked", f"adj:{adj.id}")
    assert rc == 0, out.err
    rc, out = run("rita", "case", "signoff", "--db", url, "--period", "2026-10")
    assert rc == 0, out.err
    rc, out = run("analyst1", "case", "tag", "--db", url, "--add", "late", str(case_id))
    assert rc == 1 and "signed off" in out.err
    rc, out = run("rita", "case", "reopen", "--db", url, "--period", "2026-10", "--reason", "late credit memo")
    assert rc == 0, out.err
    rc, out = run("analyst1", "case", "tag", "--db", url, "--add", "late", str(case_id))
    assert rc == 0, out.err
    rc, out = run("analyst1", "case", "audit", "--db", url)
    assert rc == 0, out.err
    with pg_workbook.sessions() as s:
        assert s.get(Adjustment, adj.id).review_status == "approved"
        assert audit.verify_chain(s).ok


def test_insights_on_postgres_matches_sqlite(pg_url, month, tmp_path, capsys):
    _needs("workbench.cli.cmd_reconcile", "workbench.cli.cmd_insights")
    import json

    lite = tmp_path / "same.rwb"
    outputs = []
    for db in (str(lite), pg_url):
        assert main(["reconcile", "--db", db, "--quiet", *month]) == 0, capsys.readouterr().err
        capsys.readouterr()
        assert main(["insights", "--db", db, "--json", "--all"]) == 0, capsys.readouterr().err
        outputs.append(json.loads(capsys.readouterr().out))
    on_sqlite, on_pg = outputs
    assert on_pg == on_sqlite
    assert on_pg, "insights found nothing in a demo month"


def test_assign_role_and_link_override_commands_on_postgres(pg_workbook, monkeypatch, capsys):
    _needs("workbench.cli.cmd_case")
    from workbench.core.store.models import CaseLink, UserRole

    populate(pg_workbook)
    url = pg_workbook.url
    with pg_workbook.sessions() as s:
        first, second = s.execute(select(Case.id).where(Case.is_active).order_by(Case.id).limit(2)).scalars().all()
        erp_record = s.execute(select(SourceRecord).join(CaseLink, CaseLink.record_id == SourceRecord.id)
                               .where(CaseLink.case_id == first, SourceRecord.system == "erp")).scalar_one()

    def run(user, *argv):
        monkeypatch.setenv("WORKBENCH_USER", user)
        capsys.readouterr()
        rc = main(list(argv))
        return rc, capsys.readouterr()

    rc, out = run("analyst1", "case", "assign", "--db", url, "--to", "bob", str(first))
    assert rc == 0, out.err
    rc, out = run("analyst1", "case", "role", "--db", url, "set", "carol", "auditor")
    assert rc == 1 and out.err.count("\n") == 1            # only a reviewer configures roles
    rc, out = run("rita", "case", "role", "--db", url, "set", "carol", "auditor")
    assert rc == 0, out.err
    rc, out = run("rita", "case", "role", "--db", url, "list")
    assert rc == 0 and "carol" in out.out and "rita" in out.out, out.err
    rc, out = run("carol", "case", "tag", "--db", url, "--add", "x", str(first))
    assert rc == 1, out.err                                  # an auditor reads only
    rc, out = run("analyst1", "case", "link", "--db", url, "--to", str(second), f"erp:{erp_record.record_id}")
    assert rc == 0, out.err
    with pg_workbook.sessions() as s:
        assert s.get(Case, first).assignee == "bob"
        assert s.get(UserRole, "carol").role == "auditor"
        link = s.execute(select(CaseLink).where(CaseLink.record_id == erp_record.id)).scalar_one()
        assert (link.case_id, link.is_override) == (second, True)
        assert audit.verify_chain(s).ok
