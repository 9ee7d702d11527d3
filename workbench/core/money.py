"""Exact money: integer minor units (cents) plus an ISO currency code. Never floats.

`Decimal` is used only at the edges (parsing, formatting, percentages); sums and differences
are integer arithmetic on minor units.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 exponents that differ from 2. Everything else has two decimals.
_EXPONENTS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}


def exponent(currency: str | None) -> int:
    return _EXPONENTS.get((currency or "").upper(), 2)


def to_minor(amount: Decimal | str | int, currency: str | None = None) -> int:
    """Decimal amount -> integer minor units, rounding half up at the currency's exponent."""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {amount!r}")
    scale = Decimal(10) ** exponent(currency)
    return int((value * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_decimal(minor: int, currency: str | None = None) -> Decimal:
    exp = exponent(currency)
    return (Decimal(int(minor)) / (Decimal(10) ** exp)).quantize(Decimal(1).scaleb(-exp))


def format_money(minor: int | None, currency: str | None = None, *, with_code: bool = True) -> str:
    """12345, 'USD' -> '123.45 USD'; None -> ''. Thousands separated with commas."""
    if minor is None:
        return ""
    exp = exponent(currency)
    text = f"{to_decimal(minor, currency):,.{exp}f}"
    return f"{text} {currency.upper()}" if with_code and currency else text


def percent_of(minor: int, percent: Decimal | int | str, currency: str | None = None) -> int:
    """`percent` % of an amount in minor units, rounded half up to the minor unit."""
    value = Decimal(int(minor)) * Decimal(str(percent)) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
