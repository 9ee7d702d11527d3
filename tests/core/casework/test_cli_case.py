"""`workbench case`, `export` and `verify` driven through the real CLI entry point."""

import csv
import sqlite3

from workbench.cli.main import main


def _run(capsys, monkeypatch, user, *argv):
    monkeypatch.setenv("WORKBENCH_USER", user)
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_case_commands_export_and_verify(workbook, cases, tmp_path, capsys, monkeypatch):
    db = workbook.url.removeprefix("sqlite:///")
    workbook.close()
    run = lambda user, *a: _run(capsys, monkeypatch, user, *a)  # noqa: E731

    code, out, _ = run("ann", "case", "list", "--db", db, "--symptom", "partial_receipt")
    assert code == 0 and out.splitlines()[1].startswith("C-000001\topen")
    assert len(out.splitlines()) == 2
    assert run("ann", "case", "tag", "--db", db, "C-000001", "2", "portal:84215", "--add", "checked")[0] == 0
    code, out, _ = run("ann", "case", "status", "--db", db, "1", "--set", "resolved", "--expect-version", "2")
    assert code == 0 and "C-000001 (v3)" in out
    code, _, err = run("bob", "case", "assign", "--db", db, "1", "--to", "bob", "--expect-version", "2")
    assert code == 1 and "case C-000001 was changed by ann" in err
    code, out, _ = run("ann", "case", "adjust", "--db", db, "1", "--system", "erp", "--field", "amount",
                       "--from", "99.99", "--to", "84.99", "--reason", "restocking_fee", "--journal", "JE-1")
    assert code == 0 and "[id 1]" in out
    assert run("ann", "case", "role", "--db", db, "set", "boss", "reviewer")[0] == 0
    code, _, err = run("ann", "case", "review", "--db", db, "adj:1", "--approve", "--comment", "ok")
    assert code == 1 and "may not approve" in err
    assert run("boss", "case", "review", "--db", db, "adj:1", "--approve", "--comment", "JE-1 seen")[0] == 0
    assert run("boss", "case", "review", "--db", db, "C-000001", "--approve", "--comment", "done")[0] == 0
    assert run("boss", "case", "signoff", "--db", db, "--period", "2026-10")[0] == 0
    code, _, err = run("ann", "case", "note", "--db", db, "2", "--text", "late")
    assert code == 1 and "signed off" in err
    assert run("boss", "case", "reopen", "--db", db, "--period", "2026-10", "--reason", "late memo")[0] == 0
    assert run("ann", "case", "note", "--db", db, "2", "--text", "late")[0] == 0
    code, out, _ = run("ann", "case", "audit", "--db", db)
    assert code == 0 and out.startswith("audit chain OK: 11 events")

    log = tmp_path / "log.csv"
    assert run("ann", "export", "--db", db, str(log), "--quiet")[0] == 0
    code, out, _ = run("ann", "verify", str(log), "--db", db)
    assert code == 0 and out.startswith("INTACT")
    with open(log, newline="") as fh:
        rows = list(csv.reader(fh))
    rows[2][rows[0].index("erp_amount")] = "0.01"
    with open(log, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, out, _ = run("ann", "verify", str(log))
    assert code == 1 and "TAMPERED" in out and "row 3 (C-000002) was edited" in out

    con = sqlite3.connect(db)
    con.execute("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4")
    con.commit()
    con.close()
    code, _, err = run("ann", "case", "list", "--db", db)
    assert code == 0 and "audit trail of" in err and "BROKEN" in err
    code, out, _ = run("ann", "case", "audit", "--db", db)
    assert code == 1 and "BROKEN at event 4" in out


def test_auditor_cli_is_read_only(workbook, cases, capsys, monkeypatch):
    db = workbook.url.removeprefix("sqlite:///")
    workbook.close()
    assert _run(capsys, monkeypatch, "boss", "case", "role", "--db", db, "set", "boss", "reviewer")[0] == 0
    assert _run(capsys, monkeypatch, "boss", "case", "role", "--db", db, "set", "audrey", "auditor")[0] == 0
    code, _, err = _run(capsys, monkeypatch, "audrey", "case", "tag", "--db", db, "1", "--add", "x")
    assert code == 1 and "audrey is an auditor" in err
    code, out, _ = _run(capsys, monkeypatch, "audrey", "case", "show", "--db", db, "C-000001")
    assert code == 0 and '"case_key": "portal:84213"' in out
