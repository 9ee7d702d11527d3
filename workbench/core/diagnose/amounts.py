"""Amount comparison between two systems' records: scheduled fee, rounding or mismatch.

All integer arithmetic on minor units. A percentage fee is `percent` % of the approved
(portal) amount rounded half up to the minor unit; flat fees are converted per currency."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from workbench.core.diagnose.text import exponents, money
from workbench.core.settings import BusinessSettings


def percent_fee(base: pd.Series, percent: Decimal) -> pd.Series:
    """`percent` % of `base` (minor units, >= 0) rounded half up, exactly."""
    frac = Fraction(percent) / 100
    num, den = frac.numerator, frac.denominator
    b = base.astype("Int64")
    return (2 * b * num + den) // (2 * den)


def minor_for(value: Decimal, currency: pd.Series, exp: np.ndarray | None = None) -> pd.Series:
    """A decimal amount (a flat fee, the tolerance) in minor units of each row's currency.
    `exp`: the rows' exponents when the caller has them (text.exponents)."""
    exp = exponents(currency).to_numpy() if exp is None else np.asarray(exp)
    if len(exp) == 0:
        return pd.Series(0, index=currency.index, dtype="int64")
    table = np.array([int((Decimal(value) * (Decimal(10) ** e)).to_integral_value())
                      for e in range(int(exp.max()) + 1)], dtype=np.int64)
    return pd.Series(table[exp], index=currency.index, dtype="int64")


def fee_options(settings: BusinessSettings) -> list[tuple[str, Decimal]]:
    return ([("percent", p) for p in settings.fee_percents] + [("flat", f) for f in settings.fee_flats])


def fee_matches(higher: pd.Series, lower: pd.Series, approved: pd.Series, currency: pd.Series,
                settings: BusinessSettings, exp: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Does `higher - lower` equal a scheduled fee? Numeric only (text comes later, for hits).

    Returns (matched mask, index into fee_options(settings) or -1, the fee in minor units)."""
    diff = (higher.astype("Int64") - lower.astype("Int64"))
    base = approved.astype("Int64").fillna(higher.astype("Int64"))
    matched = np.zeros(len(higher), dtype=bool)
    which = np.full(len(higher), -1, dtype=np.int16)
    fee_of = pd.Series(pd.NA, index=higher.index, dtype="Int64")
    for i, (kind, value) in enumerate(fee_options(settings)):
        fee = percent_fee(base, value) if kind == "percent" else minor_for(value, currency, exp).astype("Int64")
        hit = ((diff == fee) & (diff > 0)).fillna(False).to_numpy(dtype=bool) & ~matched
        if hit.any():
            matched |= hit
            which[hit] = i
            fee_of[hit] = fee[hit]
    return matched, which, fee_of


def fee_label(which: np.ndarray, fee: pd.Series, currency: pd.Series, settings: BusinessSettings,
              exp: np.ndarray | None = None) -> pd.Series:
    """'15 % restocking fee (15.00)' / 'flat restocking fee 7.50' for matched rows."""
    label = pd.Series("", index=fee.index, dtype="string")
    amount = money(fee, currency, exp)
    for i, (kind, value) in enumerate(fee_options(settings)):
        sel = which == i
        if not sel.any():
            continue
        if kind == "percent":
            label[sel] = f"{_num(value)} % restocking fee (" + amount[sel] + ")"
        else:
            label[sel] = "flat restocking fee " + amount[sel]
    return label


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def tolerance_minor(currency: pd.Series, settings: BusinessSettings, exp: np.ndarray | None = None) -> pd.Series:
    return minor_for(settings.rounding_tolerance, currency, exp)
