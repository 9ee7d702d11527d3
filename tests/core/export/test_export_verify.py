import importlib.util
import json
import pathlib

import pandas as pd
import pytest

from workbench.core.export import export_log, verify_log



def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tamper = _load("export_tamper", pathlib.Path(__file__).with_name("tamper.py"))
seed = _load("export_seed", pathlib.Path(__file__).parents[1] / "casework" / "seed.py")

CONTRACT = ["case_id", "status", "symptoms", "boundary", "fix_type", "scope", "portal_refs", "processor_refs",
            "erp_refs", "support_refs", "order_ref", "customer", "portal_amount", "processor_amount",
            "erp_amount", "currency", "tags", "adjustment_total", "evidence"]


def test_csv_follows_the_contract_and_reads_in_pandas(workbook, worked, tmp_path):
    out = tmp_path / "log.csv"
    result = export_log(workbook, out)
    assert result.cases == 4
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(df.columns[:len(CONTRACT)]) == CONTRACT
    assert df.iloc[-1]["case_id"] == "#manifest"
    cases = df[df.case_id != "#manifest"].set_index("case_id")
    first = cases.loc["C-000001"]
    assert (first.portal_refs, first.processor_refs, first.erp_refs, first.support_refs) == (
        "84213", "re_3P0000abc", "CM104233", "5521")
    assert (first.portal_amount, first.erp_amount, first.adjustment_total) == ("99.99", "84.99", "-15.00")
    assert first.symptoms == "partial_receipt" and first.tags == "restocking_fee"
    assert first.evidence == "ERP 84.99 = portal 99.99 - 15 % restocking fee (15.00)"
    assert cases.loc["C-000003"].status == "investigating" and cases.loc["C-000003"].adjustment_total == ""
    manifest = json.loads(df.iloc[-1]["evidence"])
    assert manifest["tables"]["cases"]["rows"] == 4 and manifest["chain_head"]["seq"] == result.chain_head[0]
    assert manifest["exported_by"] == "analyst1" and manifest["settings"]["timezone"] == "America/New_York"


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_untouched_log_verifies(workbook, worked, tmp_path, ext):
    out = tmp_path / f"log.{ext}"
    export_log(workbook, out)
    result = verify_log(out, workbook=workbook)
    assert result.ok, result.problems
    assert "INTACT" in result.summary()


def test_xlsx_resaved_by_openpyxl_without_edits_still_verifies(workbook, worked, tmp_path):
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)
    tamper.edit(out, lambda header, rows: rows)
    assert verify_log(out).ok


def _col(header, name):
    return header.index(name)


def _edit_customer(header, rows):
    rows[1][_col(header, "customer")] = "Mallory"
    return rows


def _edit_amount(header, rows):
    col = _col(header, "erp_amount")
    rows[2][col] = "1.00" if isinstance(rows[2][col], str) else 1.0
    return rows


def _delete(header, rows):
    del rows[2]
    return rows


def _insert_copy(header, rows):
    return rows[:1] + [list(rows[3])] + rows[1:]


def _insert_new(header, rows):
    new = list(rows[0])
    new[_col(header, "case_id")] = "C-009999"
    new[_col(header, "row_no")] = None
    return rows + [new]


def _swap(header, rows):
    rows[1], rows[2] = rows[2], rows[1]
    return rows


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("mutate,kind,named", [
    (_edit_customer, "edited", "C-000002"),
    (_edit_amount, "edited", "C-000003"),
    (_delete, "removed", "after C-000002"),
    (_insert_copy, "added", "C-000004"),
    (_insert_new, "added", "C-009999"),
    (_swap, "reordered", None),
])
def test_any_row_tampering_fails_and_names_the_row(workbook, worked, tmp_path, ext, mutate, kind, named):
    out = tmp_path / f"log.{ext}"
    export_log(workbook, out)
    tamper.edit(out, mutate)
    result = verify_log(out)
    assert not result.ok
    issues = {"edited": result.rows_edited, "removed": result.rows_removed, "added": result.rows_added,
              "reordered": result.rows_reordered}[kind]
    assert len(issues) == 1, result.problems
    others = [i for k, v in (("edited", result.rows_edited), ("removed", result.rows_removed),
                             ("added", result.rows_added), ("reordered", result.rows_reordered))
              if k != kind for i in v]
    assert others == []
    issue = issues[0]
    assert issue.table == "cases"
    if named:
        assert issue.key == named and named in " ".join(result.problems)
    else:   # swapping C-000002 and C-000003: one of the two is named as moved
        assert issue.key in ("C-000002", "C-000003") and issue.file_row in (3, 4)
    if kind == "removed":
        assert issue.row_no == 3


def test_edited_adjustments_and_audit_sheets_are_caught_in_xlsx(workbook, worked, tmp_path):
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)

    def forge_actor(header, rows):
        rows[0][header.index("actor")] = "someone_else"
        return rows

    tamper.edit(out, forge_actor, sheet="Audit trail")
    result = verify_log(out)
    assert not result.ok
    assert [(i.table, i.key) for i in result.rows_edited] == [("audit_trail", "1")]


def test_json_row_edit_is_named(workbook, worked, tmp_path):
    out = tmp_path / "log.json"
    export_log(workbook, out)
    doc = json.loads(out.read_text())
    doc["tables"]["adjustments"][0]["amount_to"] = "99.99"
    out.write_text(json.dumps(doc))
    result = verify_log(out)
    assert [(i.table, i.key) for i in result.rows_edited] == [("adjustments", "1")]


def test_edited_or_missing_manifest_fails(workbook, worked, tmp_path):
    out = tmp_path / "log.csv"
    export_log(workbook, out)
    text = out.read_text()
    out.write_text(text.replace('""rows"":4', '""rows"":3'))
    result = verify_log(out)
    assert not result.ok and any("manifest was edited" in p for p in result.problems)
    out.write_text("\n".join(line for line in text.splitlines() if not line.startswith("#manifest")) + "\n")
    result = verify_log(out)
    assert not result.ok and any("manifest was removed" in p for p in result.problems)


def test_log_from_another_workbook_is_flagged_with_db(workbook, worked, tmp_path):
    from workbench.core import casework
    from workbench.core.store import open_workbook

    out = tmp_path / "log.csv"
    export_log(workbook, out)
    other = open_workbook(tmp_path / "other.rwb")
    for i in range(6):
        with other.session() as s:
            from workbench.core import audit
            audit.record(s, "x", "import", after={"i": i})
    result = verify_log(out, workbook=other)
    assert not result.ok and any("not in workbook other.rwb" in p for p in result.problems)
    assert verify_log(out).ok       # on its own the file is intact
    other.close()
    assert casework.check_integrity(workbook).ok


@pytest.mark.parametrize("ext", ["csv", "xlsx", "json"])
def test_empty_tables_verify(workbook, tmp_path, ext):
    out = tmp_path / f"empty.{ext}"
    result = export_log(workbook, out)
    assert result.cases == 0 and result.audit_events == 0
    assert verify_log(out).ok, verify_log(out).problems


@pytest.mark.parametrize("ext", ["xlsx", "json"])
def test_edited_summary_is_caught(workbook, worked, tmp_path, ext):
    out = tmp_path / f"log.{ext}"
    export_log(workbook, out)
    if ext == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(out)
        ws = book["Summary"]
        for row in ws.iter_rows(min_col=1, max_col=2):
            if row[0].value == "Latency window":
                row[1].value = "24 h"
        book.save(out)
    else:
        doc = json.loads(out.read_text())
        doc["summary"]["counts"]["status"]["open"] = 0
        out.write_text(json.dumps(doc))
    result = verify_log(out)
    assert not result.ok and result.problems == ["the summary (period, settings, counts) was edited"]


def test_random_row_surgery_is_always_caught_and_accounted_for(workbook, tmp_path):
    """40 random mixes of deletions, duplications, swaps and cell edits on a 12-case CSV log:
    verify fails exactly when the rows differ from the export, and every original row is
    either kept or reported removed/edited."""
    import random

    seed.seed_cases(workbook, n=12)
    out = tmp_path / "log.csv"
    export_log(workbook, out)
    header, original, trailer = tamper.read_rows(out)
    rng = random.Random(6)
    for trial in range(40):
        rows = [list(r) for r in original]
        for _ in range(rng.randint(1, 3)):
            op = rng.choice(["delete", "duplicate", "swap", "edit"])
            i, j = rng.randrange(len(rows)), rng.randrange(len(rows))
            if op == "delete" and len(rows) > 2:
                del rows[i]
            elif op == "duplicate":
                rows.insert(j, list(rows[i]))
            elif op == "swap":
                rows[i], rows[j] = rows[j], rows[i]
            elif op == "edit":
                rows[i][header.index("tags")] += "x"
        path = tmp_path / f"t{trial}.csv"
        tamper.write_rows(path, header, rows, trailer)
        result = verify_log(path)
        assert result.ok == (rows == original), (trial, result.problems)
        if not result.ok:
            kept = {int(r[header.index("row_no")]) for r in rows if r in original}
            reported = {i.row_no for i in result.rows_removed + result.rows_edited}
            assert {n for n in range(1, 13) if n not in kept} <= reported, (trial, result.problems)


def test_log_of_a_broken_workbook_verifies_but_says_so(workbook, worked, tmp_path):
    from workbench.core.store.models import AuditEvent

    with workbook.session() as s:
        s.get(AuditEvent, 1).actor = "mallory"
    out = tmp_path / "log.json"
    result = export_log(workbook, out, mask_emails=True)
    assert result.chain_ok is False
    checked = verify_log(out)
    assert checked.ok and any("already broken" in w for w in checked.warnings)
    assert any("masked" in w for w in checked.warnings)


def test_midnight_times_verify_in_xlsx(workbook, worked, tmp_path):
    """calamine hands back a midnight datetime as a date: it must hash the same."""
    from datetime import UTC, datetime

    from workbench.core.store.models import SourceRecord

    with workbook.session() as s:
        rec = s.query(SourceRecord).filter_by(record_id="CM104233").one()
        rec.occurred_at = datetime(2026, 10, 31, 4, 0, tzinfo=UTC)   # 00:00 in New York
    out = tmp_path / "log.xlsx"
    export_log(workbook, out)
    assert verify_log(out).ok, verify_log(out).problems


def test_chunked_reading_gives_the_same_log(workbook, worked, tmp_path, monkeypatch):
    from workbench.core.export import content

    whole = export_log(workbook, tmp_path / "whole.csv")
    monkeypatch.setattr(content, "CHUNK", 3)       # 4 cases -> chunks of 3 and 1
    chunked = export_log(workbook, tmp_path / "chunked.csv")
    assert chunked.content_sha256 == whole.content_sha256 and chunked.cases == 4
    xlsx = export_log(workbook, tmp_path / "chunked.xlsx")
    assert xlsx.cases == 4 and verify_log(tmp_path / "chunked.xlsx").ok
