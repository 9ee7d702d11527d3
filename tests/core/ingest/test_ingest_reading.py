"""Encodings, delimiters, quoting, summary and total lines, ragged rows, XLSX sheets/typed cells/formulas."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from workbench.core.ingest import detect_file, read_file

LOOP = ("id,state,return_type,created_at,updated_at,order_id,order_name,customer,currency,total,"
        "handling_fee,refund,outcome,channel,product_type\n")


def loop_row(i, refund="10.00", customer="ana@example.com"):
    return (f"{i},closed,refund,2026-10-03T14:05:11Z,2026-10-03T14:05:11Z,55{i},#{i},{customer},USD,"
            f"{refund},0.00,{refund},refund,online,Shoes\n")


def test_cp1252_file(tmp_path):
    p = tmp_path / "loop.csv"
    p.write_bytes((LOOP + loop_row(1, customer="José Müller")).encode("cp1252"))
    parsed = read_file(p)
    assert parsed.records.iloc[0]["customer"] == "José Müller"
    assert "encoding cp1252" in parsed.report["decisions"]


def test_utf16_tab_file_as_excel_saves_unicode_text(tmp_path):
    p = tmp_path / "loop.txt"
    text = (LOOP + loop_row(1, customer="Zoë")).replace(",", "\t")
    p.write_bytes(text.encode("utf-16"))
    parsed = read_file(p)
    assert parsed.records.iloc[0]["customer"] == "Zoë"
    assert parsed.records.iloc[0]["amount_minor"] == 1000
    assert "delimiter tab" in parsed.report["decisions"]


@pytest.mark.parametrize("delim, name", [(";", "semicolon"), ("|", "pipe")])
def test_other_delimiters_with_decimal_commas(tmp_path, delim, name):
    body = LOOP + loop_row(1, refund='"1.234,50"') + loop_row(2, refund='"7,25"')
    p = tmp_path / "loop.csv"
    p.write_text(body.replace(",", delim).replace('"1.234' + delim + '50"', "1.234,50")
                 .replace('"7' + delim + '25"', "7,25"), encoding="utf-8")
    parsed = read_file(p)
    assert list(parsed.records["amount_minor"]) == [123450, 725]
    assert f"delimiter {name}" in parsed.report["decisions"]


def test_quoted_fields_with_commas_and_newlines(tmp_path):
    p = tmp_path / "zd.csv"
    p.write_text(
        "Summation column,Id,Requester,Requester email,Subject,Tags,Status,Priority,Via,Ticket type,"
        "Created at,Updated at,Solved at,Order Number [txt],Return ID [txt]\n"
        '1,5001,"Doe, Ana",ana@example.com,"Line one\nline two, with comma",refund,open,normal,Email,'
        "question,2026-10-03 10:05:11,2026-10-03 10:05:11,,#1001,84213\n"
        "1,5002,Bo,bo@example.com,Hi,refund,closed,normal,Email,question,2026-10-04 10:05:11,"
        "2026-10-04 10:05:11,,#1002,\n", encoding="utf-8")
    parsed = read_file(p, business_tz="UTC")
    assert list(parsed.records["record_id"]) == ["5001", "5002"]
    assert list(parsed.records["stage"]) == ["open", "closed"]


def test_summary_lines_above_and_totals_below_are_counted_not_loaded(tmp_path):
    p = tmp_path / "loop.csv"
    p.write_text("Loop Returns export\nStore: acme.myshopify.com\n\n" + LOOP + loop_row(1) + loop_row(2)
                 + ",,,,,,,,,20.00,0.00,20.00,,,\nTotal,,,,,,,,,20.00,,,,,\n", encoding="utf-8")
    parsed = read_file(p)
    assert list(parsed.records["record_id"]) == ["1", "2"]
    assert parsed.records.iloc[0]["source_row"] == 5          # 3 lines above + header
    assert parsed.skipped_by_kind == {"row without id": 1, "total or summary row": 1}


def test_ragged_rows_are_padded_and_extra_fields_reported(tmp_path):
    p = tmp_path / "loop.csv"
    short = "3,open,refund,2026-10-03T14:05:11Z,,,#3,c@example.com,USD,5.00,0.00,5.00\n"
    longer = loop_row(4).rstrip("\n") + ",surprise\n"
    p.write_text(LOOP + loop_row(1) + short + longer, encoding="utf-8")
    parsed = read_file(p)
    assert list(parsed.records["record_id"]) == ["1", "3", "4"]
    assert parsed.records.iloc[1]["category"] is None or str(parsed.records.iloc[1]["category"]) == "<NA>"
    assert any("more fields than the header" in d for d in parsed.report["decisions"])


def _netsuite_workbook(path, *, formula_total=True):
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Criteria"
    notes.append(["Saved search: Credit memos this month"])
    ws = wb.create_sheet("Results")
    ws.append(["Internal ID", "Document Number", "Date", "Date Created", "Reference No.", "Memo", "Customer",
               "Email", "Amount", "Currency", "Status", "Created By", "Class", "Integration"])
    ws.append([901, "CM104233", date(2026, 10, 3), datetime(2026, 10, 3, 14, 5), "LOOP-84213", "re_1B",
               "Ana", "ana@example.com", 99.99, "USD", "Credit Memo:Fully Applied", "Integration User",
               "Online", "Loop NetSuite Connector 2.4.1"])
    ws.append([902, "CM104234", date(2026, 10, 13), datetime(2026, 10, 13, 9, 15), "84214", None,
               "Bo", "bo@example.com", 0.1 + 0.2, "USD", "Open", "Jane", "Store", "Manual"])
    ws.append([903, "CM104235", date(2026, 10, 14), datetime(2026, 10, 14, 9, 15), "84215", None,
               "Cy", "cy@example.com", "=I2*2", "USD", "Open", "Jane", "Store", "Manual"])
    wb.save(path)
    # openpyxl writes no cached formula values; put one in as Excel would
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(rb"<f>I2\*2</f><v\s*/?>(</v>)?", b"<f>I2*2</f><v>199.98</v>", data)
                assert b"199.98" in data
            zout.writestr(item, data)
    path.write_bytes(buf.getvalue())


def test_xlsx_picks_matching_sheet_typed_cells_and_formula_values(tmp_path):
    p = tmp_path / "netsuite_credit_memos_2026-10.xlsx"
    _netsuite_workbook(p)
    det = detect_file(p)
    assert det.profile.name == "netsuite_credit_memos" and det.sheet == "Results"
    parsed = read_file(p, business_tz="America/New_York")
    recs = parsed.records.set_index("record_id")
    assert recs.loc["CM104233", "amount_minor"] == 9999
    assert recs.loc["CM104234", "amount_minor"] == 30          # 0.30000000000000004 -> 0.30
    assert recs.loc["CM104235", "amount_minor"] == 19998       # formula -> its cached value
    assert recs.loc["CM104233", "occurred_at"].isoformat() == "2026-10-03T18:05:00+00:00"
    assert parsed.report["sheet"] == "Results"


def test_raw_arrays_escape_quotes_backslashes_and_control_characters():
    import hashlib
    import json

    import pandas as pd

    from workbench.core.ingest.rawrow import raw_arrays, row_hashes

    for dtype in ("str", object):
        frame = pd.DataFrame({"b é": ["1", "", "€", "x"], "a": ["x", 'y"z\\w', "line\nbreak\x01", "\u2028/"]},
                             dtype=dtype)
        raw = raw_arrays(frame).to_pylist()
        # exactly json.dumps of the cells in sorted-header order, one hash per row of that text
        assert raw == [json.dumps([a, b], ensure_ascii=False, separators=(",", ":"))
                       for a, b in zip(frame["a"], frame["b é"])]
        assert row_hashes(raw_arrays(frame)).to_pylist() == [hashlib.sha256(r.encode("utf-8")).hexdigest()
                                                             for r in raw]


def test_german_paypal_cp1252_semicolons_decimal_commas(tmp_path):
    p = tmp_path / "Download.CSV"
    p.write_bytes((
        '"Datum";"Uhrzeit";"Zeitzone";"Name";"Typ";"Status";"Währung";"Brutto";"Gebühr";"Netto";'
        '"Absender E-Mail-Adresse";"Empfänger E-Mail-Adresse";"Transaktionscode";"Zugehöriger Transaktionscode";'
        '"Rechnungsnummer"\n'
        '"02.10.2026";"10:00:00";"MESZ";"Jörg";"Handyzahlung";"Abgeschlossen";"EUR";"1.299,00";"-25,00";'
        '"1.274,00";"j@example.de";"shop@example.de";"1AA";"";"R-1"\n'
        '"13.10.2026";"18:30:00";"Europe/Berlin";"Jörg";"Rückzahlung";"Abgeschlossen";"EUR";"-1.299,00";"25,00";'
        '"-1.274,00";"shop@example.de";"j@example.de";"2BB";"1AA";"R-1"\n').encode("cp1252"))
    det = detect_file(p)
    assert det.profile.name == "paypal_activity"
    parsed = read_file(p, profile="paypal_activity")
    assert list(parsed.records["record_id"]) == ["2BB"]
    rec = parsed.records.iloc[0]
    assert rec["amount_minor"] == 129900 and rec["currency"] == "EUR" and rec["return_ref"] == "1AA"
    assert rec["occurred_at"].isoformat() == "2026-10-13T16:30:00+00:00"
    assert parsed.skipped_by_kind == {"Handyzahlung": 1}
    assert any("decimal comma" in d for d in parsed.report["decisions"])


def test_column_order_changes_between_batches(fixtures, tmp_path):
    import csv

    rows = list(csv.reader((fixtures / "adyen_settlement.csv").open(encoding="utf-8")))
    order = list(reversed(range(len(rows[0]))))
    shuffled = tmp_path / "adyen_batch_43.csv"
    with shuffled.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for r in rows:
            r = r + [""] * (len(rows[0]) - len(r))
            w.writerow([r[i] for i in order])
    a = read_file(fixtures / "adyen_settlement.csv").records
    b = read_file(shuffled).records
    cols = ["record_id", "amount_minor", "currency", "occurred_at", "return_ref", "order_ref"]
    assert a[cols].reset_index(drop=True).equals(b[cols].reset_index(drop=True))


def test_large_file_previews_its_head_and_reads_through_arrow(tmp_path):
    p = tmp_path / "loop_big.csv"
    rows = [loop_row(i, refund=f"{i % 997}.{i % 100:02d}", customer="Zoë Ünal") for i in range(1, 24001)]
    p.write_text(LOOP + "".join(rows), encoding="utf-8")
    assert p.stat().st_size > 2_000_000
    det = detect_file(p)
    assert det.profile.name == "loop_returns" and "encoding utf-8" in det.notes
    parsed = read_file(p)
    assert len(parsed.records) == 24000
    last = parsed.records.iloc[-1]
    assert (last["record_id"], last["amount_minor"], last["customer"], last["source_row"]) == (
        "24000", (24000 % 997) * 100 + 24000 % 100, "Zoë Ünal", 24001)


def test_longer_first_row_does_not_shift_columns(tmp_path):
    p = tmp_path / "loop.csv"
    p.write_text(LOOP + loop_row(1).rstrip("\n") + ",EXTRA\n" + loop_row(2, refund="11.00"), encoding="utf-8")
    parsed = read_file(p)
    assert list(parsed.records["order_ref"]) == ["#1", "#2"]
    assert list(parsed.records["amount_minor"]) == [1000, 1100]
    assert any("1 row(s) had more fields" in d for d in parsed.report["decisions"])


@pytest.mark.parametrize("values", [
    ["a", None, "b"], [1, 2, None], [datetime(2026, 10, 3, 14, 5), None],
    [datetime(2026, 10, 3, 14, 5, 0, 5)], [1.5, 2.0, None, 0.1 + 0.2], [date(2026, 10, 3), None],
    [1e-07, -2.5, 123456789012.25, 1e20, -0.0, 99.99],
    ["x", 1, 2.5, datetime(2026, 1, 1), True],
])
def test_typed_cells_column_fast_paths_match_cell_by_cell(values):
    import pandas as pd

    from workbench.core.ingest.reader import cell_text, column_text

    assert list(column_text(pd.Series(values, dtype=object))) == [cell_text(v) for v in values]


def test_xlsx_title_rows_above_header_and_total_row_below(tmp_path):
    p = tmp_path / "credit_memos.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Credit Memos"
    ws.append(["ACME Inc. - Credit Memos (saved search)"])
    ws.append(["Period: Oct 2026"])
    ws.append([])
    ws.append(["Internal ID", "Document Number", "Date", "Date Created", "Reference No.", "Memo", "Customer",
               "Email", "Amount", "Currency", "Status", "Created By", "Class", "Integration"])
    ws.append([901, "CM1", date(2026, 10, 3), "10/3/2026 2:05 pm", "LOOP-1", "", "Ana", "a@example.com",
               12.5, "USD", "Open", "Jane", "Store", "Manual"])
    ws.append(["Total", None, None, None, None, None, None, None, 12.5])
    wb.save(p)
    parsed = read_file(p, business_tz="UTC")
    assert list(parsed.records["record_id"]) == ["CM1"]
    assert parsed.records.iloc[0]["source_row"] == 5 and parsed.report["header_row"] == 4
    assert parsed.skipped_by_kind == {"total or summary row": 1}
