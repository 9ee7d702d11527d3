"""Property tests: random bytes, encodings and malformed rows never crash the parsers with
anything but the project's ImportFailure; a clean parse yields a valid canonical frame."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.core import canonical
from workbench.core.errors import ImportFailure
from workbench.core.ingest import read_file
from workbench.core.ingest.values import parse_amounts, parse_times

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exports"
CSV_FIXTURES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".csv", ".tsv"))
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _attempt(path: Path, profile=None) -> None:
    try:
        parsed = read_file(path, profile=profile, business_tz="UTC")
    except ImportFailure as exc:
        assert str(exc).startswith(path.name)
        return
    assert canonical.validate(parsed.records.drop(columns=["row_hash"])) == []
    assert parsed.records["amount_minor"].dtype == "Int64"


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path, data):
    p = tmp_path / "random.csv"
    p.write_bytes(data)
    _attempt(p)
    _attempt(p, profile="loop_returns")


@SETTINGS
@given(name=st.sampled_from(CSV_FIXTURES), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
       cut=st.integers(min_value=0, max_value=4000))
def test_reencoded_and_truncated_fixtures(tmp_path, name, encoding, cut):
    text = (FIXTURES / name).read_text(encoding="utf-8-sig")
    p = tmp_path / name
    p.write_bytes(text[: max(cut, 0)].encode(encoding, errors="replace"))
    _attempt(p)


@SETTINGS
@given(name=st.sampled_from(CSV_FIXTURES), data=st.data())
def test_malformed_rows(tmp_path, name, data):
    lines = (FIXTURES / name).read_text(encoding="utf-8-sig").splitlines()
    junk = st.text(alphabet=st.sampled_from(list(',;\t|"\'()-.$€0123456789 abcCRZ:/+\n')), max_size=40)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines)))
        action = data.draw(st.sampled_from(["insert", "replace", "drop", "splice"]))
        if action == "insert" or not lines:
            lines.insert(i, data.draw(junk))
        elif action == "replace":
            lines[min(i, len(lines) - 1)] = data.draw(junk)
        elif action == "drop":
            lines.pop(min(i, len(lines) - 1))
        else:
            j = min(i, len(lines) - 1)
            k = data.draw(st.integers(0, len(lines[j])))
            lines[j] = lines[j][:k] + data.draw(junk) + lines[j][k:]
    p = tmp_path / name
    p.write_text("\n".join(lines), encoding="utf-8")
    _attempt(p)
    profile = name.rsplit(".", 1)[0]
    _attempt(p, profile=profile if profile != "sap_billing_documents" else None)


@SETTINGS
@given(values=st.lists(st.text(max_size=14), min_size=1, max_size=12),
       currency=st.sampled_from([None, "USD", "JPY", "KWD", "", "xx"]))
def test_amount_parser_only_raises_import_failure(values, currency):
    cur = None if currency is None else pd.Series([currency] * len(values))
    rows = list(range(2, 2 + len(values)))
    try:
        out, _, _ = parse_amounts(pd.Series(values), cur, file="f", column="c", rows=rows)
    except ImportFailure:
        return
    assert len(out) == len(values)


@SETTINGS
@given(values=st.lists(st.one_of(st.text(max_size=25), st.datetimes().map(str),
                                 st.datetimes().map(lambda d: d.strftime("%d/%m/%Y %H:%M"))),
                       min_size=1, max_size=10),
       zone=st.sampled_from(["UTC", "America/New_York", "Europe/Berlin"]))
def test_time_parser_only_raises_import_failure(values, zone):
    rows = list(range(2, 2 + len(values)))
    try:
        out, _ = parse_times(pd.Series(values), file="f", column="c", rows=rows, default_zone=zone)
    except ImportFailure:
        return
    assert len(out) == len(values)


@SETTINGS
@given(data=st.binary(max_size=3000), keep=st.integers(min_value=0, max_value=6000))
def test_random_and_truncated_workbooks(tmp_path, data, keep):
    import openpyxl

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(data)
    _attempt(junk)
    wb = openpyxl.Workbook()
    wb.active.append(["Internal ID", "Document Number", "Amount", "Status"])
    wb.active.append([1, "CM1", 9.99, "Open"])
    good = tmp_path / "cut.xlsx"
    wb.save(good)
    good.write_bytes(good.read_bytes()[:keep])
    _attempt(good)
