"""Times for the demo generator: integer UTC epoch seconds, read in the business zone.

All event times are int64 seconds since the epoch (UTC); -1 means "no such event".
Local (business-zone) wall times are computed column-wise with pandas.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import numpy as np
import pandas as pd

from workbench.core.timeutil import zone

NONE = -1
HOUR = 3600
DAY = 86400


def month_bounds(start: str, months: int, tz: str) -> tuple[list[str], np.ndarray]:
    """Periods 'YYYY-MM' and the UTC instants of their local midnights (months + 1 bounds)."""
    try:
        first = datetime.strptime(start, "%Y-%m")
    except ValueError as exc:
        raise ValueError(f"start {start!r} is not YYYY-MM") from exc
    if months < 1:
        raise ValueError("months must be at least 1")
    periods, bounds = [], []
    year, month = first.year, first.month
    for _ in range(months + 1):
        periods.append(f"{year:04d}-{month:02d}")
        local = datetime(year, month, 1, tzinfo=zone(tz))
        bounds.append(int(local.timestamp()))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods[:-1], np.array(bounds, dtype=np.int64)


def local_naive(utc_seconds: np.ndarray, tz: str) -> np.ndarray:
    """UTC epoch seconds -> business-zone wall time as numpy datetime64[s] (naive)."""
    idx = pd.to_datetime(np.asarray(utc_seconds, dtype=np.int64), unit="s", utc=True)
    return idx.tz_convert(tz).tz_localize(None).to_numpy().astype("datetime64[s]")


def utc_naive(utc_seconds: np.ndarray) -> np.ndarray:
    return np.asarray(utc_seconds, dtype=np.int64).astype("datetime64[s]")


def period_index(utc_seconds: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Index of the month (by `bounds`) each instant falls in; -1 before, len-1.. after."""
    return np.searchsorted(bounds, np.asarray(utc_seconds, dtype=np.int64), side="right") - 1


@lru_cache(maxsize=32)
def _folds(tz: str, first: int, last: int) -> list[tuple[int, int]]:
    """UTC intervals whose business-zone wall time is repeated (clocks turned back)."""
    start = first - first % HOUR - 2 * DAY
    grid = np.arange(start, last + 2 * DAY, HOUR // 4, dtype=np.int64)
    idx = pd.to_datetime(grid, unit="s", utc=True).tz_convert(tz)
    offset = np.asarray((idx.tz_localize(None) - idx.tz_convert(None)).total_seconds(), dtype=np.int64)
    folds = []
    for i in np.flatnonzero(np.diff(offset) < 0):
        back = int(offset[i] - offset[i + 1])
        lo, hi = grid[i], grid[i + 1]
        for probe in range(int(lo), int(hi) + 1, 60):      # the exact minute of the change
            if (pd.Timestamp(probe, unit="s", tz="UTC").tz_convert(tz).utcoffset().total_seconds()
                    == offset[i + 1]):
                folds.append((probe - back, probe + back))
                break
    return folds


def ambiguous_local(utc_seconds: np.ndarray, tz: str) -> np.ndarray:
    """True where the instant's business-zone wall time is ambiguous (the repeated DST hour),
    so a file writing wall times without an offset could not say which instant it was."""
    t = np.asarray(utc_seconds, dtype=np.int64)
    out = np.zeros(len(t), bool)
    real = t[t > 0]
    if len(real) == 0:
        return out
    # whole months around the data, so the cached fold list is shared between calls
    for lo, hi in _folds(tz, int(real.min()) // (32 * DAY) * (32 * DAY), (int(real.max()) // (32 * DAY) + 1) * (32 * DAY)):
        out |= (t >= lo) & (t < hi)
    return out


def avoid_ambiguous(utc_seconds: np.ndarray, tz: str) -> np.ndarray:
    """Move instants out of the repeated DST hour (by whole hours, later), keep -1 as is."""
    t = np.asarray(utc_seconds, dtype=np.int64).copy()
    for _ in range(3):
        bad = (t != NONE) & ambiguous_local(t, tz)
        if not bad.any():
            break
        t[bad] += HOUR
    return t


def floor_minute(t: np.ndarray) -> np.ndarray:
    t = np.asarray(t, dtype=np.int64)
    return np.where(t == NONE, NONE, t - t % 60)


def local_to_utc(local: np.ndarray, tz: str) -> np.ndarray:
    """Business-zone wall times (datetime64[s], naive) -> UTC epoch seconds. A wall time in the
    repeated DST hour is read as its first occurrence; one in the skipped hour moves forward."""
    idx = pd.DatetimeIndex(np.asarray(local, dtype="datetime64[s]"))
    aware = idx.tz_localize(tz, ambiguous=np.ones(len(idx), bool), nonexistent="shift_forward")
    return aware.tz_convert("UTC").as_unit("s").asi8.astype(np.int64)


def business_hours(rng: np.random.Generator, n: int, busy: float = 0.8, open_h: float = 8.0,
                   close_h: float = 21.0) -> np.ndarray:
    """Seconds after local midnight: `busy` of them during opening hours (peaking early
    afternoon), the rest at any time of day."""
    peak = rng.normal((open_h + close_h) / 2, (close_h - open_h) / 4, n)
    outside = (peak < open_h) | (peak >= close_h)
    peak[outside] = open_h + rng.random(int(outside.sum())) * (close_h - open_h)
    anytime = rng.random(n) * 24
    hours = np.where(rng.random(n) < busy, peak, anytime)
    return (hours * HOUR).astype(np.int64)


def times_in_months(rng: np.random.Generator, month: np.ndarray, bounds: np.ndarray, tz: str,
                    busy: float = 0.8, open_h: float = 8.0, close_h: float = 21.0) -> np.ndarray:
    """One UTC instant per row in its month (index into `bounds`): a uniform day, a
    business-hours time of day, read in the business zone."""
    month = np.asarray(month)
    starts = local_naive(bounds, tz).astype("datetime64[D]")          # local first days
    days = (starts[1:] - starts[:-1]).astype(np.int64)
    day = (rng.random(len(month)) * days[month]).astype(np.int64)
    sod = business_hours(rng, len(month), busy, open_h, close_h)
    local = (starts[month] + day).astype("datetime64[s]") + sod
    return local_to_utc(local, tz)
