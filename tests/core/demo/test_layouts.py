"""The files follow docs/ARCHITECTURE.md "Demo month files" to the letter."""

import re
from pathlib import Path

from openpyxl import load_workbook

from tests.core.demo.demo_files import (load, money, netsuite_created, read_csv, spec_headers,
                                        stripe_time, utc_iso, zendesk_time)
from workbench.core.demo import HEADERS, generate_demo
from workbench.paths import demo_dir

ARCH = Path(__file__).resolve().parents[3] / "docs" / "ARCHITECTURE.md"


def test_headers_are_exactly_the_spec(demo_months):
    spec = spec_headers(ARCH)
    assert HEADERS == spec
    demo = load(demo_months[1].truth.parent)
    assert demo.headers == spec


def test_file_names_and_one_xlsx(demo_months):
    names = sorted(p.name for p in demo_months[1].files)
    assert names == ["loop_returns_2026-10.csv", "netsuite_credit_memos_2026-10.xlsx",
                     "stripe_balance_transactions_2026-10.csv", "zendesk_tickets_2026-10.csv"]


def test_value_shapes_and_quirks(demo_months):
    demo = load(demo_months[1].truth.parent)
    for r in demo.loop.values():
        assert re.fullmatch(r"\d+", r["id"]) and r["order_name"].startswith("#")
        assert r["state"] in ("open", "closed", "cancelled", "expired", "review")
        assert r["outcome"] in ("refund", "exchange", "credit")
        utc_iso(r["created_at"]), utc_iso(r["updated_at"])
        assert money(r["total"]) == money(r["refund"]) + money(r["handling_fee"]) or r["outcome"] != "refund"
    kinds = {r["Type"] for r in demo.stripe_all}
    assert kinds == {"refund", "charge", "payout", "stripe_fee"}
    for r in demo.stripe.values():
        assert r["Source"].startswith("re_") and r["Currency"] == "usd"
        assert money(r["Amount"]) < 0 and money(r["Net"]) == money(r["Amount"]) - money(r["Fee"])
        stripe_time(r["Created (UTC)"])
    for r in demo.netsuite.values():
        assert re.fullmatch(r"CM\d+", r["Document Number"])
        assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", r["Date"])
        created = netsuite_created(r["Date Created"])
        assert r["Date Created"].startswith(r["Date"] + " ")
        assert r["Status"] in ("Credit Memo:Fully Applied", "Credit Memo:Open")
        assert r["Class"] in ("Online", "Store")
        assert r["Integration"] == "Manual" or r["Integration"].startswith("Loop NetSuite Connector ")
        assert created <= demo.as_of
    refs = [r["Reference No."] for r in demo.netsuite.values()]
    assert sum(ref.startswith("LOOP-") for ref in refs) > 0.8 * len(refs)      # the convention
    assert any(ref.startswith("loop-") for ref in refs) and "" in refs         # and its drift
    for r in demo.zendesk.values():
        assert r["Status"] in ("new", "open", "pending", "hold", "solved", "closed")
        zendesk_time(r["Created at"]), zendesk_time(r["Updated at"]), zendesk_time(r["Solved at"])
    names = [r["Requester"] for r in demo.zendesk.values()]
    assert any(not n.isascii() for n in names)                                 # accents
    raw = (demo.folder / "zendesk_tickets_2026-10.csv").read_text(encoding="utf-8")
    assert '"Refund not received, order #' in raw                               # quoted commas


def test_netsuite_xlsx_has_typed_numbers(demo_months):
    path = next(p for p in demo_months[1].files if p.suffix == ".xlsx")
    ws = load_workbook(path, read_only=True).worksheets[0]
    rows = ws.iter_rows(min_row=2, max_row=3, values_only=True)
    for row in rows:
        assert isinstance(row[0], int)          # Internal ID
        assert isinstance(row[8], (int, float))  # Amount
        assert isinstance(row[2], str)          # Date as NetSuite writes it, M/D/YYYY


def test_csv_only_writes_netsuite_as_csv(tmp_path):
    result = generate_demo(tmp_path, returns=200, seed=5, csv_only=True)
    assert {p.suffix for p in result.files} == {".csv"}
    header, rows = read_csv(tmp_path / "netsuite_credit_memos_2026-10.csv")
    assert header == HEADERS["netsuite"] and rows
    assert all(re.fullmatch(r"\d+\.\d{2}", r["Amount"]) for r in rows)


def test_bundled_month_is_the_seed_1_month(tmp_path):
    bundled = demo_dir()
    assert (bundled / "truth.csv").exists()
    generate_demo(tmp_path, returns=500, seed=1)
    for name in ("loop_returns_2026-10.csv", "stripe_balance_transactions_2026-10.csv",
                 "zendesk_tickets_2026-10.csv", "truth.csv"):
        assert (bundled / name).read_bytes() == (tmp_path / name).read_bytes(), name
