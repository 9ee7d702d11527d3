import csv
import json
import os
import shutil
import subprocess
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from workbench.core.export import export_log, verify_log
from workbench.core.export.cells import mask_emails, neutralise

INJECTION = '=HYPERLINK("http://x","y")'


def _csv_rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["case_id"]: r for r in csv.DictReader(fh)}


def test_neutralise_and_mask_units():
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(bad) == "'" + bad
    assert neutralise("Bob") == "Bob" and neutralise("") == ""
    assert mask_emails("Jane <jane.doe@example.com>, b@x.co.uk") == "Jane <j***@example.com>, b***@x.co.uk"


def test_csv_formula_injection_is_inert_and_negative_numbers_stay_numbers(workbook, worked, tmp_path):
    out = tmp_path / "log.csv"
    export_log(workbook, out)
    rows = _csv_rows(out)
    assert rows["C-000002"]["customer"] == "'" + INJECTION
    assert rows["C-000001"]["adjustment_total"] == "-15.00"          # a number, not neutralised
    assert Decimal(rows["C-000001"]["adjustment_total"]) == Decimal("-15.00")
    for row in rows.values():
        for col, value in row.items():
            if col not in ("adjustment_total", "portal_amount", "processor_amount", "erp_amount"):
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (col, value)
    assert verify_log(out).ok


def test_xlsx_text_is_explicit_string_and_layout_is_for_people(workbook, worked, tmp_path):
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "Insights", "Cases", "Adjustments", "Audit trail", "Manifest"]
    ws = book["Cases"]
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    cell = ws.cell(row=3, column=col["customer"])
    assert cell.value == INJECTION and cell.data_type == "s"          # stored as text, never a formula
    adj = book["Adjustments"]
    adj_header = [c.value for c in adj[1]]
    comment = adj.cell(row=2, column=adj_header.index("comment") + 1)
    assert comment.value.startswith("=cmd") and comment.data_type == "s"
    delta = adj.cell(row=2, column=adj_header.index("delta") + 1)
    assert delta.value == -15 and delta.data_type == "n" and delta.number_format == "#,##0.00"
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    amount = ws.cell(row=2, column=col["erp_amount"])
    assert amount.value == pytest.approx(84.99) and amount.number_format == "#,##0.00"
    assert amount.fill.fgColor.rgb.endswith("F8CBAD")                 # the divergent ERP amount
    assert ws.cell(row=2, column=col["portal_amount"]).fill.fgColor.rgb.endswith("F8CBAD")   # portal;erp
    assert ws.cell(row=2, column=col["processor_amount"]).fill.fill_type is None
    assert ws.cell(row=3, column=col["erp_amount"]).fill.fill_type is None                # a clean case
    when = ws.cell(row=2, column=col["erp_time"])
    assert when.is_date and when.value.strftime("%Y-%m-%d %H:%M") == "2026-10-04 05:30"   # New York time
    assert ws.column_dimensions["A"].width > 5
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Reporting period"] == "2026-10" and summary["Business time zone"] == "America/New_York"
    assert summary["partial_receipt"] == 1 and summary["investigating"] == 1
    assert "none reported" in summary                                  # structural flags hook (issue 7)


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_xlsx_reads_in_pandas_with_values_intact(workbook, worked, tmp_path, engine):
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)
    df = pd.read_excel(out, sheet_name="Cases", dtype={"portal_refs": str}, engine=engine)
    first = df.set_index("case_id").loc["C-000001"]
    assert first.portal_refs == "84213" and first.erp_refs == "CM104233"
    assert first.erp_amount == pytest.approx(84.99) and first.adjustment_total == pytest.approx(-15.0)
    assert df.set_index("case_id").loc["C-000002"].customer == INJECTION
    audit = pd.read_excel(out, sheet_name="Audit trail", engine=engine)
    assert list(audit.action[:3]) == ["tag.add", "tag.add", "adjustment.add"]


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_masking_hides_every_email(workbook, worked, tmp_path, ext):
    out = tmp_path / f"log.{ext}"
    result = export_log(workbook, out, mask_emails=True)
    assert result.manifest["mask_emails"] is True
    if ext == "xlsx":
        book = load_workbook(out)
        text = " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v)
    else:
        text = out.read_text(encoding="utf-8")
    assert "jane.doe@example.com" not in text
    assert "Jane Doe <j***@example.com>" in text
    assert verify_log(out).ok


def test_json_log_has_the_same_content(workbook, worked, tmp_path):
    out = tmp_path / "log.json"
    export_log(workbook, out)
    doc = json.loads(out.read_text())
    first = doc["tables"]["cases"][0]
    assert (first["case_id"], first["erp_amount"], first["adjustment_total"]) == ("C-000001", "84.99", "-15.00")
    assert doc["summary"]["counts"]["symptom"] == {"partial_receipt": 1}
    assert doc["summary"]["structural_flags"] == []
    assert doc["manifest"]["tables"]["audit_trail"]["rows"] == len(doc["tables"]["audit_trail"]) == 5


def test_unknown_extension_is_refused(workbook, worked, tmp_path):
    with pytest.raises(ValueError, match=r"\.csv, \.xlsx or \.json"):
        export_log(workbook, tmp_path / "log.txt")


@pytest.mark.libreoffice
def test_xlsx_opens_in_libreoffice_with_values_intact(workbook, worked, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is missing in CI; .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice not installed (apt-get install -y --no-install-recommends libreoffice-calc-nogui)")
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)
    profile = tmp_path / "lo-profile"
    # token 12 = -1: every sheet to its own CSV (LibreOffice >= 7.2); token 9 false: raw values
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(tmp_path / "lo"), str(out)],
                   check=True, capture_output=True, timeout=180)
    cases = _csv_rows(tmp_path / "lo" / "log-Cases.csv")
    assert set(cases) == {"C-000001", "C-000002", "C-000003", "C-000004"}
    first = cases["C-000001"]
    assert (first["portal_refs"], first["erp_refs"], first["processor_refs"]) == ("84213", "CM104233", "re_3P0000abc")
    assert Decimal(first["erp_amount"]) == Decimal("84.99") and Decimal(first["adjustment_total"]) == Decimal("-15")
    assert first["erp_time"].startswith("2026-10-04 05:30")
    assert cases["C-000002"]["customer"] == INJECTION                # shown as text, not evaluated to "y"
    with open(tmp_path / "lo" / "log-Summary.csv", newline="", encoding="utf-8") as fh:
        summary = {r[0]: r[1] for r in csv.reader(fh) if r and r[0]}
    assert summary["Reporting period"] == "2026-10" and summary["Cases"] == "4"


def test_overlong_text_is_cut_to_fit_a_cell_and_still_verifies(workbook, worked, tmp_path):
    from workbench.core import casework

    casework.add_note(workbook, worked[0], "x" * 40_000)
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)
    audit = pd.read_excel(out, sheet_name="Audit trail", engine="calamine")
    longest = audit["after"].str.len().max()
    assert 32_000 < longest <= 32_767
    assert verify_log(out).ok
