"""One test per bad-input class: the message names file/row/column/value/expected, and the
workbook is unchanged."""

from __future__ import annotations

import pytest
from ingest_helpers import table_counts

from workbench.core.errors import ImportFailure, UnrecognisedFile
from workbench.core.ingest import import_files

LOOP = ("id,state,return_type,created_at,updated_at,order_id,order_name,customer,currency,total,"
        "handling_fee,refund,outcome,channel,product_type\n")
GOOD = "1,closed,refund,2026-10-03T14:05:11Z,,55,#1,a@example.com,USD,10.00,0.00,10.00,refund,online,Shoes\n"


def rejected(workbook, path, exc_type=ImportFailure, **kw) -> str:
    before = table_counts(workbook)
    with pytest.raises(exc_type) as info:
        import_files(workbook, [path], **kw)
    assert table_counts(workbook) == before
    return str(info.value)


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


def test_bad_amount(workbook, tmp_path):
    p = write(tmp_path, "loop.csv", LOOP + GOOD + GOOD.replace("1,closed", "2,closed").replace(",10.00,refund", ",ten,refund"))
    msg = rejected(workbook, p)
    assert msg.startswith("loop.csv, row 3, column 'refund': not an amount (got 'ten', expected a number")


def test_mixed_decimal_marks(workbook, tmp_path):
    p = write(tmp_path, "loop.csv", LOOP + GOOD + GOOD.replace("1,closed", "2,closed").replace(",10.00,refund", ',"1,5",refund'))
    assert "column 'refund': amounts mixes decimal commas ('1,5') and decimal points ('10.00')" in rejected(workbook, p)


def test_bad_date(workbook, tmp_path):
    p = write(tmp_path, "loop.csv", LOOP + GOOD + GOOD.replace("1,closed", "2,closed").replace("2026-10-03T14:05:11Z", "yesterday"))
    msg = rejected(workbook, p)
    assert "loop.csv, row 3, column 'created_at': not a date/time in the column's format (got 'yesterday'" in msg


def test_unknown_time_zone(workbook, fixtures, tmp_path):
    text = (fixtures / "adyen_settlement.csv").read_text().replace(",CET,Refunded", ",Mars/Olympus,Refunded", 1)
    msg = rejected(workbook, write(tmp_path, "adyen.csv", text))
    assert "adyen.csv, row 3, column 'TimeZone': unknown time zone (got 'Mars/Olympus'" in msg


def test_bad_currency_code(workbook, tmp_path):
    p = write(tmp_path, "loop.csv", LOOP + GOOD.replace(",USD,", ",US Dollar,"))
    assert "loop.csv, row 2, column 'currency': not a currency code (got 'US Dollar', expected an ISO code" in rejected(workbook, p)


def test_missing_required_column_with_explicit_profile(workbook, tmp_path):
    p = write(tmp_path, "loop.csv", LOOP.replace("order_name", "something") + GOOD)
    msg = rejected(workbook, p, profiles="loop_returns")
    assert "loop.csv: no column for order ref in profile loop_returns (expected a header such as 'order_name'" in msg


def test_unrecognised_layout_says_how_to_map(workbook, tmp_path):
    p = write(tmp_path, "mystery.csv", "Doc No,When,Value,Cur\nA1,2026-10-01,12.00,USD\n")
    msg = rejected(workbook, p, UnrecognisedFile)
    assert "mystery.csv: no import profile recognises this layout" in msg
    assert "workbench profiles save NAME --from mystery.csv" in msg and "--map record_id='Doc No'" in msg


def test_binary_file(workbook, tmp_path):
    p = write(tmp_path, "blob.csv", b"PK\x03\x04\x00\x00\x00garbage\x00\x01")
    assert "blob.csv, row 1: the file holds binary data, not text" in rejected(workbook, p)


def test_empty_file(workbook, tmp_path):
    p = write(tmp_path, "empty.csv", "\n\n")
    assert "empty.csv: the file is empty" in rejected(workbook, p)


def test_corrupt_xlsx(workbook, tmp_path):
    p = write(tmp_path, "broken.xlsx", b"this is not a zip file at all")
    assert "broken.xlsx: not a readable XLSX workbook" in rejected(workbook, p)


def test_missing_file(workbook, tmp_path):
    assert "nope.csv: file not found" in rejected(workbook, tmp_path / "nope.csv")


def test_wrong_utf16_bytes(workbook, tmp_path):
    p = write(tmp_path, "loop.csv", b"\xff\xfe" + (LOOP + GOOD).encode("utf-16-le") + b"\x00")
    assert "loop.csv: the file says it is utf-16" in rejected(workbook, p)


def test_unknown_profile_name(workbook, fixtures):
    from workbench.core.ingest import ProfileError

    with pytest.raises(ProfileError, match="unknown profile 'stripey'"):
        import_files(workbook, [fixtures / "loop_returns.csv"], profiles="stripey")
