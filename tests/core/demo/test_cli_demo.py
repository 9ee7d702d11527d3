from workbench.cli.main import main


def test_demo_command_writes_files(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--returns", "100", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    assert "truth.csv" in out and "as-of" in out
    assert (tmp_path / "loop_returns_2026-10.csv").exists()
    assert (tmp_path / "netsuite_credit_memos_2026-10.xlsx").exists()


def test_demo_command_csv_only_and_months(tmp_path):
    assert main(["demo", "--out", str(tmp_path), "--returns", "100", "--months", "2",
                 "--start", "2025-12", "--csv-only", "--quiet"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "netsuite_credit_memos_2025-12.csv" in names and "netsuite_credit_memos_2026-01.csv" in names
    assert not any(n.endswith(".xlsx") for n in names)


def test_demo_command_errors_are_one_line(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--start", "2026-13"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "workbench demo: error: start '2026-13' is not YYYY-MM"
    assert main(["demo", "--out", str(tmp_path), "--tz", "Mars/Olympus"]) == 1
    assert "unknown time zone" in capsys.readouterr().err
    assert main(["demo", "--out", str(tmp_path), "--returns", "3"]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    (tmp_path / "file").write_text("x")
    assert main(["demo", "--out", str(tmp_path / "file")]) == 1
    assert "is a file" in capsys.readouterr().err
