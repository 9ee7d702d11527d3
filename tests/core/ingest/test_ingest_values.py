"""Per-column value parsing: amounts and times decided from the whole column."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from workbench.core.errors import ImportFailure
from workbench.core.ingest.values import parse_amounts, parse_times

ROWS = np.arange(2, 102)


def amounts(values, currencies=None):
    cur = None if currencies is None else pd.Series(currencies)
    out, notes, implied = parse_amounts(pd.Series(values), cur, file="f.csv", column="Amount", rows=ROWS)
    return [None if pd.isna(v) else int(v) for v in out], notes, implied


@pytest.mark.parametrize("text, minor", [
    ("12.34", 1234), ("-12.34", -1234), ("(12.34)", -1234), ("12.34-", -1234), ("12.34 CR", -1234),
    ("12.34 DR", 1234), ("$1,234.50", 123450), ("-$5.00", -500), ("$-5.00", -500), ("USD 7.10", 710),
    ("7.10 EUR", 710), ("€ 3", 300), ("1 234.50", 123450), ("1'234.50", 123450), ("0.005", 1),
    ("\u22122.00", -200), ("", None),
])
def test_amount_forms(text, minor):
    got, _, _ = amounts([text, "1.00"])
    assert got[0] == minor


def test_decimal_comma_decided_for_the_column():
    got, notes, _ = amounts(["1.234,56", "12,5", "3"])
    assert got == [123456, 1250, 300]
    assert notes == ["Amount: decimal comma"]


def test_thousands_only_column_reads_commas_as_grouping():
    got, notes, _ = amounts(["1,234", "12,345,678"])
    assert got == [123400, 1234567800]
    assert "thousands" in notes[0]


def test_currency_exponent_per_row():
    got, _, _ = amounts(["1234", "1.5", "2.0005"], ["JPY", "USD", "KWD"])
    assert got == [1234, 150, 2001]


def test_symbol_implies_currency():
    _, _, implied = amounts(["£5.00", "£6.00"])
    assert implied == "GBP"


def test_mixed_decimal_marks_fail_naming_column():
    with pytest.raises(ImportFailure, match=r"f.csv, column 'Amount': amounts mixes decimal commas"):
        amounts(["1,50", "2.75"])


def test_bad_amount_names_row_value_expected():
    with pytest.raises(ImportFailure) as exc:
        amounts(["1.00", "2.00", "twelve"])
    err = exc.value
    assert (err.row, err.column, err.value) == (4, "Amount", "twelve")
    assert "expected a number" in str(err)


def times(values, zone="UTC", zones=None, dayfirst=None):
    z = None if zones is None else pd.Series(zones)
    out, notes = parse_times(pd.Series(values), file="f.csv", column="Date", rows=ROWS, default_zone=zone,
                             zones=z, zone_column="TimeZone", dayfirst=dayfirst)
    return [None if pd.isna(v) else v.to_pydatetime() for v in out], notes


def u(*p):
    return datetime(*p, tzinfo=UTC)


def test_day_first_decided_from_any_value_above_12():
    got, notes = times(["01/02/2026", "25/02/2026"])
    assert got == [u(2026, 2, 1), u(2026, 2, 25)]
    assert "day-first" in notes[0]


def test_month_first_decided_from_any_value_above_12():
    got, notes = times(["01/02/2026", "02/25/2026"])
    assert got == [u(2026, 1, 2), u(2026, 2, 25)]
    assert "month-first" in notes[0]


def test_ambiguous_column_uses_profile_default_and_says_so():
    got, notes = times(["01/02/2026", "03/04/2026"], dayfirst=True)
    assert got[0] == u(2026, 2, 1)
    assert "cannot be told" in notes[0] and "day-first" in notes[0]


def test_mixed_day_orders_fail():
    with pytest.raises(ImportFailure, match="not a date/time"):
        times(["25/02/2026", "02/25/2026"])


def test_zones_offsets_abbreviations_iana_and_naive():
    got, _ = times(["2026-07-01 07:33:09 +0200", "2026-07-01 10:00 PDT", "2026-07-01 10:00 Europe/Berlin",
                    "2026-07-01 10:00"], zone="America/New_York")
    assert got == [u(2026, 7, 1, 5, 33, 9), u(2026, 7, 1, 17), u(2026, 7, 1, 8), u(2026, 7, 1, 14)]


def test_zone_column_per_row():
    got, _ = times(["2026-01-10 10:00:00", "2026-07-10 10:00:00"], zones=["CET", "America/Los_Angeles"])
    assert got == [u(2026, 1, 10, 9), u(2026, 7, 10, 17)]


def test_unknown_zone_fails_naming_zone_column():
    with pytest.raises(ImportFailure) as exc:
        times(["2026-01-10 10:00:00"], zones=["XYZT"])
    assert exc.value.column == "TimeZone" and exc.value.value == "XYZT"


def test_dst_gap_and_fold_in_business_zone_do_not_fail():
    got, _ = times(["2026-03-08 02:30", "2026-11-01 01:30"], zone="America/New_York")
    assert got[0] == u(2026, 3, 8, 7, 0)          # 02:30 does not exist: shifted to 03:00 EDT
    assert got[1] == u(2026, 11, 1, 6, 30)        # ambiguous 01:30: standard time (EST)


def test_twelve_hour_clock_and_blank_cells():
    got, _ = times(["10/3/2026 2:05 pm", "", "10/13/2026 12:00 am"], zone="UTC")
    assert got == [u(2026, 10, 3, 14, 5), None, u(2026, 10, 13, 0, 0)]


@pytest.mark.parametrize("text", ["£", "-", "()", "CR", "$-", "USD"])
def test_symbol_or_sign_alone_is_not_an_amount(text):
    with pytest.raises(ImportFailure, match="not an amount"):
        amounts(["1.00", text])


def test_bad_date_names_the_value_that_breaks_the_column_format():
    with pytest.raises(ImportFailure) as exc:
        times(["10/3/2026 2:05 pm", "10/4/2026 3:00 pm", "10/5/2026 25:61 pm", "10/6/2026 1:00 am"])
    assert (exc.value.row, exc.value.value) == (4, "10/5/2026 25:61 pm")
