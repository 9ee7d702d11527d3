"""Saved profiles (TOML), the mapping API the GUI dialog uses, and the CLI commands."""

from __future__ import annotations

import tomllib

import pytest

from workbench.cli.main import main
from workbench.core.ingest import (
    ProfileError,
    all_profiles,
    detect_file,
    get_profile,
    make_profile,
    read_file,
    save_profile,
)
from workbench.paths import user_profiles_dir

MYSTERY = "Doc No,When,Value,Cur,State,Kind\nA1,03/10/2026,12.00,usd,done,credit\nA2,04/10/2026,-13.50,usd,open,credit\nA3,25/10/2026,1.00,usd,done,fee\n"


def test_gui_flow_detect_edit_save_and_reuse(tmp_path):
    src = tmp_path / "mystery.csv"
    src.write_text(MYSTERY, encoding="utf-8")
    det = detect_file(src)
    assert det.profile is None and det.generic
    assert det.mapping["record_id"] == "Doc No" and det.mapping["currency"] == "Cur"
    assert det.headers == ["Doc No", "When", "Value", "Cur", "State", "Kind"]
    mapping = dict(det.mapping, status="State", occurred_at="When", amount="Value", kind="Kind")
    prof = make_profile("my_erp", "erp", mapping, amount_sign="abs", dayfirst=True,
                        stages={"done": "credited", "open": "pending"})
    from dataclasses import replace

    from workbench.core.ingest import RowFilter
    prof = replace(prof, row_filter=RowFilter(role="kind", keep=("credit",)))
    path = save_profile(prof)
    assert path.parent == user_profiles_dir()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["columns"]["record_id"] == "Doc No" and data["filter"]["keep"] == ["credit"]
    # detection now recognises the layout by the saved profile
    again = detect_file(src)
    assert again.profile is not None and again.profile.name == "my_erp" and again.confidence >= 0.6
    parsed = read_file(src, business_tz="UTC")
    recs = parsed.records.set_index("record_id")
    assert list(recs.index) == ["A1", "A2"] and parsed.skipped_by_kind == {"fee": 1}
    assert recs.loc["A2", "amount_minor"] == 1350 and recs.loc["A2", "stage"] == "pending"
    assert recs.loc["A1", "occurred_at"].isoformat() == "2026-10-03T00:00:00+00:00"   # day-first
    assert "my_erp" in [p.name for p in all_profiles()]


def test_profile_by_toml_path_and_errors(tmp_path):
    prof = make_profile("by_path", "support", {"record_id": "Ticket", "status": "State"})
    path = save_profile(prof, directory=tmp_path)
    assert get_profile(str(path)).columns["record_id"] == ("Ticket",)
    with pytest.raises(ProfileError, match="built-in"):
        save_profile(make_profile("loop_returns", "portal", {"record_id": "id"}))
    with pytest.raises(ProfileError, match="unknown role"):
        make_profile("x", "erp", {"record_id": "a", "colour": "b"})
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nsystem = "erp"\n[columns]\nrecord_id = "a"\n[stages]\n"x" = "lost"\n')
    with pytest.raises(ProfileError, match="unknown stage 'lost'"):
        get_profile(str(bad))


def test_builtin_based_profile_keeps_stages_and_sign(fixtures, tmp_path):
    text = (fixtures / "stripe_balance_transactions.csv").read_text().replace("Source", "Refund Source")
    src = tmp_path / "stripe_renamed.csv"
    src.write_text(text)
    prof = make_profile("stripe_custom", "processor", {"record_id": "Refund Source", "kind": "Type",
                        "amount": "Amount", "currency": "Currency", "occurred_at": "Created (UTC)"},
                        base="stripe_balance_transactions")
    save_profile(prof)
    parsed = read_file(src, profile="stripe_custom")
    assert sorted(parsed.records["record_id"]) == ["re_1B", "re_1E"]
    assert set(parsed.records["amount_minor"]) == {9999, 4050}
    assert parsed.skipped_by_kind == {"charge": 1, "payout": 1, "stripe_fee": 1}


def test_cli_profiles_and_import(tmp_path, fixtures, capsys):
    src = tmp_path / "mystery.csv"
    src.write_text(MYSTERY, encoding="utf-8")
    db = str(tmp_path / "cli.rwb")
    assert main(["import", "--db", db, str(src)]) == 1
    assert "workbench profiles save NAME --from mystery.csv" in capsys.readouterr().err
    assert main(["profiles", "save", "mine", "--from", str(src), "--system", "erp", "--map", "status=State",
                 "--map", "kind=", "--sign", "abs", "--dayfirst"]) == 0
    assert "saved profile mine (erp)" in capsys.readouterr().out
    assert main(["profiles", "show", "mine"]) == 0
    assert 'record_id = "Doc No"' in capsys.readouterr().out
    assert main(["profiles", "detect", str(fixtures / "paypal_activity.csv")]) == 0
    out = capsys.readouterr().out
    assert "paypal_activity (processor" in out and "record_id        <- Transaction ID" in out
    assert main(["import", "--db", db, "--profile", f"{src}=mine", str(src),
                 str(fixtures / "stripe_balance_transactions.csv")]) == 0
    out = capsys.readouterr().out
    assert "mystery.csv: mine (erp" in out and "3 loaded" in out
    assert "skipped: charge 1, payout 1, stripe_fee 1" in out
    assert main(["import", "--db", db, str(fixtures / "stripe_balance_transactions.csv")]) == 0
    assert "unchanged (already imported)" in capsys.readouterr().out
    assert main(["profiles", "list"]) == 0
    listed = capsys.readouterr().out
    assert "zendesk_tickets" in listed and "mine" in listed
