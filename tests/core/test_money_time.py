from datetime import UTC, datetime
from decimal import Decimal

import pytest

from workbench.core.money import format_money, percent_of, to_decimal, to_minor
from workbench.core.timeutil import accounting_period, format_business, parse_iso_utc


@pytest.mark.parametrize("text,cur,minor", [
    ("99.99", "USD", 9999), ("0.005", "USD", 1), ("1234", "JPY", 1234), ("1.2345", "KWD", 1235),
    (Decimal("-15.00"), "EUR", -1500),
])
def test_to_minor(text, cur, minor):
    assert to_minor(text, cur) == minor


def test_to_minor_rejects_garbage():
    with pytest.raises(ValueError):
        to_minor("12,50", "USD")
    with pytest.raises(ValueError):
        to_minor("NaN", "USD")


def test_format_and_percent():
    assert format_money(123456, "usd") == "1,234.56 USD"
    assert format_money(None) == ""
    assert to_decimal(8499, "USD") == Decimal("84.99")
    assert percent_of(9999, 15) == 1500          # 14.9985 -> 15.00
    assert percent_of(4999, Decimal("12.5")) == 625


def test_period_across_midnight_in_business_zone():
    instant = parse_iso_utc("2026-11-01T03:30:00Z")        # 23:30 on Oct 31 in New York
    assert accounting_period(instant, "America/New_York") == "2026-10"
    assert accounting_period(instant, "UTC") == "2026-11"
    assert format_business(instant, "America/New_York") == "2026-10-31 23:30"
    assert parse_iso_utc("2026-11-01T00:00:00") == datetime(2026, 11, 1, tzinfo=UTC)
