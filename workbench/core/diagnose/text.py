"""Vectorised formatting for evidence text: money from minor units, times in the business zone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.money import exponent


def exponents(currency: pd.Series) -> pd.Series:
    """Minor-unit exponent per row (2 for most currencies), via the few distinct codes."""
    codes, uniques = pd.factorize(currency.astype("string"))
    table = np.array([exponent(str(u)) for u in uniques] + [2], dtype="int64")   # -1 (missing) -> 2
    return pd.Series(table[codes], index=currency.index)


def money(minor: pd.Series, currency: pd.Series) -> pd.Series:
    """Integer minor units -> '84.99' (no float arithmetic; '' for missing)."""
    m = minor.astype("Int64")
    exp = exponents(currency).to_numpy()
    values = m.fillna(0).to_numpy(dtype="int64")
    neg = values < 0
    absv = np.abs(values)
    scale = np.power(10, exp).astype("int64")
    whole = pd.Series(absv // scale, index=minor.index).astype("string")
    frac = pd.Series(absv % scale, index=minor.index).astype("string")
    width = pd.Series(exp, index=minor.index)
    frac = frac.str.zfill(2)
    for w in np.unique(exp):
        sel = width == w
        if w == 0:
            frac[sel] = ""
        elif w != 2:
            frac[sel] = frac[sel].str.zfill(int(w))
    text = whole.where(width == 0, whole + "." + frac)
    text = text.where(~neg, "-" + text)
    return text.where(m.notna(), "").astype("string")


def when(times: pd.Series, tz: str) -> pd.Series:
    """UTC times -> 'YYYY-MM-DD HH:MM' in the business zone ('' for missing)."""
    local = times.dt.tz_convert(tz)
    return local.dt.strftime("%Y-%m-%d %H:%M").astype("string").fillna("")


def hours(delta: pd.Series) -> pd.Series:
    """A timedelta series -> whole hours as text ('' for missing)."""
    h = (delta.dt.total_seconds() // 3600).astype("Int64")
    return h.astype("string").fillna("")


def period_code(times: pd.Series, tz: str) -> pd.Series:
    """UTC times -> year*100+month in the business zone (Int64), fast for comparisons."""
    local = times.dt.tz_convert(tz)
    return (local.dt.year * 100 + local.dt.month).astype("Int64")


def period_text(code: pd.Series) -> pd.Series:
    c = code.astype("Int64")
    text = (c // 100).astype("string") + "-" + (c % 100).astype("string").str.zfill(2)
    return text.astype("string")
