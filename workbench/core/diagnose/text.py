"""Vectorised formatting for evidence text: money from minor units, times in the business zone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core.money import exponent


def exponents(currency: pd.Series) -> pd.Series:
    """Minor-unit exponent per row (2 for most currencies), via the few distinct codes."""
    codes, uniques = pd.factorize(currency.astype("string"))
    table = np.array([exponent(str(u)) for u in uniques] + [2], dtype="int64")   # -1 (missing) -> 2
    return pd.Series(table[codes], index=currency.index)


def money(minor: pd.Series, currency: pd.Series, exp: np.ndarray | None = None) -> pd.Series:
    """Integer minor units -> '84.99' (no float arithmetic; '' for missing). `exp`: the rows'
    exponents when the caller has them already (see `exponents`)."""
    m = minor.astype("Int64")
    exp = exponents(currency).to_numpy() if exp is None else np.asarray(exp)
    valid = m.notna().to_numpy(dtype=bool)
    values = m.to_numpy(dtype="int64", na_value=0)
    absv = np.abs(values)
    text = None
    for e in np.unique(exp):
        e = int(e)
        scale = 10 ** e
        whole = pc.cast(pa.array(absv // scale), pa.string())
        if e > 0:   # at least two decimals, as the 2-decimal currencies print
            frac = pc.utf8_lpad(pc.cast(pa.array(absv % scale), pa.string()), width=max(e, 2), padding="0")
            part = pc.binary_join_element_wise(whole, frac, ".")
        else:
            part = whole
        text = part if text is None else pc.if_else(pa.array(exp == e), part, text)
    if text is None:
        return pd.Series(pd.array([], dtype="string"), index=minor.index)
    text = pc.if_else(pa.array(values < 0), pc.binary_join_element_wise("-", text, ""), text)
    text = pc.if_else(pa.array(valid), text, "")
    return pd.Series(pd.array(text, dtype="string"), index=minor.index)


def when(times: pd.Series, tz: str) -> pd.Series:
    """UTC times -> 'YYYY-MM-DD HH:MM' in the business zone ('' for missing)."""
    local = times.dt.tz_convert(tz).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    missing = np.isnat(local)
    text = pa.array(np.datetime_as_string(local, unit="m"), type=pa.string())
    text = pc.if_else(pa.array(missing), "", pc.replace_substring(text, "T", " "))
    return pd.Series(pd.array(text, dtype="string"), index=times.index)


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
