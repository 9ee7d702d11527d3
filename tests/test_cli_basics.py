import subprocess
import sys

import pytest

from workbench.cli.main import COMMANDS, build_parser, main


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_subcommand_has_help(capsys):
    names = _subcommands()
    assert {"gui", "import", "reconcile", "export", "verify", "demo"} <= set(names)
    for name in names:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0
        assert "usage: workbench " + name in capsys.readouterr().out


def test_version():
    out = subprocess.run([sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("workbench ")


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_command_modules_listed():
    assert len(COMMANDS) == len(set(COMMANDS))


def test_export_takes_out_option_as_the_issue_specifies(tmp_path, capsys):
    from workbench.paths import demo_dir

    db = str(tmp_path / "x.rwb")
    files = [str(p) for p in sorted(demo_dir().iterdir()) if p.suffix in (".csv", ".xlsx") and p.stem != "truth"]
    assert main(["reconcile", "--db", db, *files]) == 0
    assert main(["export", "--db", db, "--out", str(tmp_path / "log.csv")]) == 0
    assert (tmp_path / "log.csv").stat().st_size > 1000
    assert main(["verify", str(tmp_path / "log.csv")]) == 0
    capsys.readouterr()
    assert main(["export", "--db", db]) == 1
    assert "give --out FILE" in capsys.readouterr().err


def test_reconcile_into_a_new_workbook_is_all_or_nothing(tmp_path, capsys):
    from pathlib import Path

    demo = Path(__file__).resolve().parents[1] / "resources" / "demo"
    good = sorted(str(p) for p in demo.glob("*_2026-10.*"))
    bad = tmp_path / "stripe_broken.csv"
    bad.write_text("id,Type,Source,Amount,Currency,Created (UTC)\ntxn_1,refund,re_1,-abc,usd,2026-10-03 14:05\n")
    target = tmp_path / "new.rwb"
    assert main(["reconcile", "--quiet", "--db", str(target), *good, str(bad)]) != 0
    assert "stripe_broken.csv" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stripe_broken.csv"]   # no workbook, no partial
    assert main(["reconcile", "--quiet", "--db", str(target), *good]) == 0
    assert target.exists() and "Reconciled" in capsys.readouterr().out
