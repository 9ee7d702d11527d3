"""Per-column value parsing: amounts and times, decided from ALL of a column's values.

Each parser factorises the column (every distinct text is looked at once), makes one decision
for the whole column (decimal comma or point; day-first or month-first; the date format),
converts the distinct values, and maps them back to the rows with numpy indexing. A value
that does not fit the column's decision raises ImportFailure naming file, row, column, value
and what was expected. Money goes text -> Decimal -> integer minor units, never floats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

from workbench.core.errors import ImportFailure
from workbench.core.money import exponent

# --- amounts ------------------------------------------------------------------------------

_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CODE = re.compile(r"^([A-Za-z]{3})\s*(?=[-+(\d.,$€£¥])|(?<=[\d.)])\s*([A-Za-z]{3})$")
_NUM = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)$")
_GROUPED = re.compile(r"^\d{1,3}([.,])\d{3}(?:\1\d{3})*$")
AMOUNT_EXPECTED = "a number such as 1234.56, 1.234,56, -12.00, (12.00), 12.00- or 12.00 CR"


@dataclass
class _Clean:
    digits: str      # digits and separators only
    negative: bool
    symbol: str | None


def _clean_amount(text: str) -> _Clean | None:
    s = text.strip().replace("\u00a0", " ").replace("\u2212", "-")
    neg = False
    symbol = None
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1].strip()
    up = s.upper()
    if up.endswith("CR"):
        neg, s = not neg, s[:-2].strip()
    elif up.endswith("DR"):
        s = s[:-2].strip()
    if s.endswith("-"):
        neg, s = not neg, s[:-1].strip()
    m = _CODE.search(s)
    if m:
        s = (s[: m.start()] + s[m.end():]).strip()
    for _ in range(2):
        if s[:1] and s[0] in "+-":
            neg, s = (not neg) if s[0] == "-" else neg, s[1:].strip()
        if s[:1] in _SYMBOLS:
            symbol, s = s[0], s[1:].strip()
        if s[-1:] in _SYMBOLS:
            symbol, s = s[-1], s[:-1].strip()
        if s.startswith("(") and s.endswith(")"):
            neg, s = not neg, s[1:-1].strip()
    s = s.replace(" ", "").replace("'", "")
    if not s or not re.fullmatch(r"[\d.,]+", s) or not re.search(r"\d", s):
        return None
    return _Clean(s, neg, symbol)


def _decimal_separator(cleaned: list[_Clean]) -> tuple[str, str]:
    """Decide ',' or '.' as the decimal mark for the column; returns (mark, note)."""
    comma = point = 0
    ambiguous = 0
    first_comma = first_point = None
    for c in cleaned:
        d = c.digits
        if "," in d and "." in d:
            if d.rfind(",") > d.rfind("."):
                comma += 1
                first_comma = first_comma or d
            else:
                point += 1
                first_point = first_point or d
        elif "," in d or "." in d:
            mark = "," if "," in d else "."
            if _GROUPED.match(d):
                ambiguous += 1
            elif d.count(mark) == 1:
                if mark == ",":
                    comma += 1
                    first_comma = first_comma or d
                else:
                    point += 1
                    first_point = first_point or d
    if comma and point:
        raise ValueError(f"mixes decimal commas ({first_comma!r}) and decimal points ({first_point!r})")
    if comma:
        return ",", "decimal comma"
    if ambiguous and not point:
        return ".", "1,234-style values read with ',' as thousands separator"
    return ".", "decimal point"


def parse_amounts(values: pd.Series, currencies: pd.Series | None, *, file: str, column: str,
                  rows: np.ndarray) -> tuple[pd.Series, list[str], str | None]:
    """Text amounts -> Int64 minor units at each row's currency exponent.

    Returns (minor units, decisions, currency implied by symbols or None). Blank -> <NA>.
    """
    text = values.fillna("").astype(str).str.strip()
    codes, uniques = pd.factorize(text)
    plain = pd.Series(uniques, dtype="str").str.fullmatch(r"-?\d+(?:\.\d+)?").to_numpy(dtype=bool) \
        if len(uniques) else np.zeros(0, dtype=bool)
    cleaned: list[_Clean | None] = []
    for u, simple in zip(uniques, plain):
        if simple:   # fast path for the common '-12.34'
            cleaned.append(_Clean(u[1:], True, None) if u[0] == "-" else _Clean(u, False, None))
        else:
            cleaned.append(None if u == "" else _clean_amount(u))
    bad = [i for i, (u, c) in enumerate(zip(uniques, cleaned)) if u != "" and c is None]
    if bad:
        _fail_at(file, column, rows, codes, uniques, bad[0], "not an amount", AMOUNT_EXPECTED)
    present = [c for c in cleaned if c is not None]
    try:
        mark, note = _decimal_separator(present)
    except ValueError as exc:
        raise ImportFailure(file, f"amounts {exc}", column=column,
                            expected="one decimal mark per column") from None
    decs: list[Decimal | None] = []
    for i, c in enumerate(cleaned):
        if c is None:
            decs.append(None)
            continue
        d = c.digits
        if mark == ",":
            d = d.replace(".", "").replace(",", ".")
        else:
            d = d.replace(",", "")
        if not _NUM.match(d):
            _fail_at(file, column, rows, codes, uniques, i, "not an amount", AMOUNT_EXPECTED)
        try:
            dec = Decimal(d)
        except InvalidOperation:
            _fail_at(file, column, rows, codes, uniques, i, "not an amount", AMOUNT_EXPECTED)
        decs.append(-dec if c.negative else dec)
    symbols = {c.symbol for c in present if c.symbol}
    implied = _SYMBOLS[symbols.pop()] if len(symbols) == 1 else None
    if currencies is None:
        exps = np.full(len(text), exponent(implied), dtype=np.int64)
    else:
        ccodes, cuniq = pd.factorize(currencies.fillna("").astype(str))
        exps = np.array([exponent(c) for c in cuniq] + [2], dtype=np.int64)[ccodes]
    out = np.zeros(len(text), dtype=np.int64)
    mask = codes < 0
    blank_unique = np.array([d is None for d in decs] + [True])
    mask |= blank_unique[codes]
    for e in np.unique(exps):
        scale = Decimal(10) ** int(e)
        minor = np.array([0 if d is None else int((d * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))
                          for d in decs] + [0], dtype=np.int64)
        sel = exps == e
        out[sel] = minor[codes[sel]]
    result = pd.array(out, dtype="Int64")
    result[mask] = pd.NA
    return pd.Series(result, index=values.index), [f"{column}: {note}"], implied


def _fail_at(file, column, rows, codes, uniques, unique_index, message, expected):
    where = np.flatnonzero(codes == unique_index)
    row = int(rows[where[0]]) if len(where) else None
    raise ImportFailure(file, message, row=row, column=column, value=str(uniques[unique_index]),
                        expected=expected)


# --- times --------------------------------------------------------------------------------

# Offsets (hours) of zone abbreviations seen in exports. Ambiguous ones (IST, CST as China)
# are taken in their North American / European meaning, as in the vendors' documentation.
ZONE_ABBREVIATIONS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1,
    "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13, "JST": 9,
    "SGT": 8, "HKT": 8, "IST": 5.5, "MEZ": 1, "MESZ": 2,
}
_TRAIL_ZONE = re.compile(r"^(.*?\d)\s*\(?\s*([A-Za-z]{1,5}|[A-Za-z]+/[A-Za-z_\-]+(?:/[A-Za-z_\-]+)?|"
                         r"(?:UTC|GMT)[+-]\d{1,2}(?::?\d{2})?)\s*\)?$")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y",
          "%d.%m.%y", "%d-%m-%Y", "%m-%d-%Y", "%Y%m%d", "%d %b %Y", "%d-%b-%Y", "%d-%b-%y",
          "%b %d, %Y", "%b %d %Y", "%d %B %Y", "%B %d, %Y")
_TIMES = ("", " %H:%M", " %H:%M:%S", "T%H:%M", "T%H:%M:%S", " %H:%M:%S.%f", "T%H:%M:%S.%f",
          " %I:%M %p", " %I:%M:%S %p", " %I:%M%p", ", %H:%M", ", %H:%M:%S", ", %I:%M %p")
TIME_EXPECTED = "a date/time in one format for the whole column, e.g. 2026-10-03 14:05, 10/3/2026 2:05 pm"
_DAYFIRST = {"%d/%m/%Y": "%m/%d/%Y", "%d/%m/%y": "%m/%d/%y", "%d-%m-%Y": "%m-%d-%Y"}


def zone_offset_or_name(token: str) -> float | str:
    """'CET' -> 1.0 (hours); 'Europe/Berlin' -> 'Europe/Berlin'; 'UTC+2' -> 2.0. ValueError if unknown."""
    t = token.strip()
    up = t.upper()
    if up in ZONE_ABBREVIATIONS:
        return float(ZONE_ABBREVIATIONS[up])
    m = re.fullmatch(r"(?:UTC|GMT)([+-])(\d{1,2})(?::?(\d{2}))?", up)
    if m:
        hours = int(m.group(2)) + int(m.group(3) or 0) / 60
        return hours if m.group(1) == "+" else -hours
    if "/" in t:
        from workbench.core.timeutil import zone

        zone(t)
        return t
    raise ValueError(t)


def _formats(with_offset: bool) -> list[str]:
    out = []
    for d in _DATES:
        for t in _TIMES:
            if with_offset and not t:
                continue
            out.append(d + t + (" %z" if with_offset else ""))
            if with_offset:
                out.append(d + t + "%z")
    return out


def _try(values: pd.Series, fmt: str, utc: bool) -> pd.Series:
    return pd.to_datetime(values, format=fmt, errors="coerce", utc=utc)


def _choose_format(uniques: pd.Series, with_offset: bool, dayfirst: bool | None,
                   column: str) -> tuple[str | None, pd.Series, list[str]]:
    """Pick the one format that reads every value; decide day-/month-first from all values."""
    notes: list[str] = []
    iso = pd.Series(pd.NaT, index=uniques.index)
    if uniques.iloc[:50].str.match(r"^\d{4}-\d{2}-\d{2}").all():   # only ISO-looking columns
        iso = pd.to_datetime(uniques, format="ISO8601", errors="coerce", utc=with_offset)
        if iso.notna().all() and uniques.str.match(r"^\d{4}-\d{2}-\d{2}").all():
            return "ISO 8601", iso, notes
    candidates = _formats(with_offset)
    best: tuple[int, pd.Series] = (-1, iso)
    for size in (12, 300):   # prune on small samples before trying all values
        sample = uniques.iloc[:size]
        tried = [(f, _try(sample, f, with_offset)) for f in candidates]
        for _, p in tried:   # remember the closest format, to name the value that breaks it
            if int(p.notna().sum()) > best[0]:
                best = (int(p.notna().sum()), p.reindex(uniques.index))
        candidates = [f for f, p in tried if p.notna().all()]
    full = [(f, _try(uniques, f, with_offset)) for f in candidates]
    if not any(p.notna().all() for _, p in full):
        closest = max(full, key=lambda fp: int(fp[1].notna().sum()))[1] if full else best[1]
        return None, closest, notes
    full = [(f, p) for f, p in full if p.notna().all()]
    fmts = [f for f, _ in full]
    chosen = fmts[0]
    day_month = [f for f in fmts if any(f.startswith(k) for k in _DAYFIRST)]
    month_day = [f for f in fmts if any(f.startswith(v) for v in _DAYFIRST.values())]
    if day_month and month_day:
        prefer_day = bool(dayfirst)
        chosen = (day_month if prefer_day else month_day)[0]
        notes.append(f"{column}: every day is 12 or less, so day/month order cannot be told from "
                     f"the data; read {'day-first' if prefer_day else 'month-first'} (profile default)")
    elif day_month:
        chosen = day_month[0]
        notes.append(f"{column}: dates read day-first (a day above 12 appears)")
    elif month_day:
        chosen = month_day[0]
        notes.append(f"{column}: dates read month-first (a day above 12 appears in the second position)"
                     if _has_big_second(uniques) else f"{column}: dates read month-first")
    parsed = dict(full)[chosen]
    return chosen, parsed, notes


def _has_big_second(values: pd.Series) -> bool:
    m = values.str.extract(r"^\d{1,2}[/-](\d{1,2})[/-]")[0].dropna()
    return bool(len(m)) and (m.astype(int) > 12).any()


def parse_times(values: pd.Series, *, file: str, column: str, rows: np.ndarray,
                default_zone: str, zones: pd.Series | None = None, zone_column: str | None = None,
                dayfirst: bool | None = None) -> tuple[pd.Series, list[str]]:
    """Text times -> aware UTC. Offsets in the text win; then a zone abbreviation or IANA name
    after the time; then the row's zone column; then `default_zone` ('UTC' or IANA)."""
    text = values.fillna("").astype(str).str.strip()
    codes, uniques = pd.factorize(text)
    notes: list[str] = []
    uniq = pd.Series(uniques, dtype=object).astype(str)
    nonblank = uniq != ""
    # split a trailing zone token (CET, PST, Europe/Berlin, UTC+2) off the time text
    main = uniq.copy()
    token = pd.Series([""] * len(uniq), dtype=object)
    cand = nonblank & ~uniq.str.contains(_OFFSET.pattern, regex=True)
    # only values that can end in a zone token go through the (per-value) extract: a letter or ')'
    # at the end that is not am/pm, or a UTC+N / GMT-N
    # (patterns without \\s or \\d, which would send pandas to Python's re value by value)
    cand &= uniq.str.contains(r"[A-Za-z)] *$|(?:UTC|GMT)[+-][0-9]", regex=True) & \
        ~uniq.str.contains(r"[0-9] *(?:[AaPp][Mm]?)$", regex=True)
    if cand.any():
        m = uniq[cand].str.extract(_TRAIL_ZONE)
        ok = m[1].notna() & ~m[1].fillna("").str.upper().isin(["AM", "PM", "A", "P"])
        idx = m.index[ok]
        main.loc[idx] = m.loc[idx, 0]
        token.loc[idx] = m.loc[idx, 1]
    has_off = nonblank & uniq.str.contains(_OFFSET.pattern, regex=True)
    parsed_utc = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[us, UTC]")
    naive = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[us]")
    for with_off, sel in ((True, has_off), (False, nonblank & ~has_off)):
        if not sel.any():
            continue
        vals = main[sel]
        if vals.str.contains(r"  |[\t\r\n\f\v]|[^\x00-\x7f]", regex=True).any():   # else nothing to fold
            vals = vals.str.replace(r"\s+", " ", regex=True)
        fmt, parsed, fnotes = _choose_format(vals.reset_index(drop=True), with_off, dayfirst, column)
        if fmt is None:
            bad_pos = int(np.flatnonzero(parsed.isna().to_numpy())[0]) if parsed.isna().any() else 0
            _fail_at(file, column, rows, codes, uniques, int(vals.index[bad_pos]),
                     "not a date/time in the column's format", TIME_EXPECTED)
        notes += fnotes
        parsed.index = vals.index
        if with_off or getattr(parsed.dt, "tz", None) is not None:
            # (a zone designator the offset pattern did not see, e.g. a cut '-0': pandas read it)
            parsed_utc.loc[sel] = parsed.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
            has_off = has_off | sel
        else:
            naive.loc[sel] = parsed.astype("datetime64[us]")
    used_tokens: list[str] = []
    if zones is None:
        out = _to_utc_by_value(naive, parsed_utc, token, has_off, codes, values.index, default_zone,
                               used_tokens, file=file, column=column, rows=rows)
    else:
        out = _to_utc_by_row(naive, parsed_utc, token, has_off, codes, values.index, default_zone, zones,
                             used_tokens, file=file, column=column, zone_column=zone_column, rows=rows)
    if used_tokens:
        notes.append(f"{column}: local times read in {', '.join(sorted(map(str, used_tokens)))}")
    return out, notes


def _zone_or_fail(tok: str, first_row: int, *, file: str, column: str | None, rows: np.ndarray):
    try:
        return zone_offset_or_name(tok)
    except ValueError:
        raise ImportFailure(file, "unknown time zone", row=int(rows[first_row]), column=column, value=tok,
                            expected="a zone abbreviation such as CET or PST, an offset, or an "
                                     "IANA name such as Europe/Berlin") from None


def _localize(naive: pd.Series, zone: float | str) -> pd.Series:
    if isinstance(zone, float):
        return (naive - pd.Timedelta(hours=zone)).dt.tz_localize("UTC")
    ambiguous = np.zeros(len(naive), dtype=bool)
    return naive.dt.tz_localize(zone, ambiguous=ambiguous, nonexistent="shift_forward").dt.tz_convert("UTC")


def _rows_of(per_value: pd.Series, codes: np.ndarray, index) -> pd.Series:
    """Per-distinct-value UTC times -> per row (codes < 0: blank -> NaT), via datetime64 take."""
    naive = per_value.dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    if not len(naive):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    row = naive[np.where(codes < 0, 0, codes)]
    row[codes < 0] = np.datetime64("NaT")
    return pd.Series(row, index=index, dtype="datetime64[us]").dt.tz_localize("UTC")


def _to_utc_by_value(naive, parsed_utc, token, has_off, codes, index, default_zone, used_tokens, *,
                     file, column, rows) -> pd.Series:
    """No zone column: a row's zone follows from its text, so each distinct value is converted once."""
    zone_of = token.where(token != "", default_zone)
    utc = pd.Series(pd.NaT, index=naive.index, dtype="datetime64[us, UTC]")
    present = naive.notna()
    for tok in pd.unique(zone_of[present]):
        sel = present & (zone_of == tok)
        first = int(np.flatnonzero(np.isin(codes, np.flatnonzero(sel.to_numpy())))[0])
        zone = _zone_or_fail(tok, first, file=file, column=column, rows=rows)
        utc[sel] = _localize(naive[sel], zone).astype("datetime64[us, UTC]")
        used_tokens.append(tok)
    off = has_off.to_numpy(dtype=bool)
    if off.any():
        utc[off] = parsed_utc[off]
    return _rows_of(utc, codes, index)


def _to_utc_by_row(naive, parsed_utc, token, has_off, codes, index, default_zone, zones, used_tokens, *,
                   file, column, zone_column, rows) -> pd.Series:
    """With a zone column: token (per value) else the row's zone column else the default."""
    safe = np.where(codes < 0, 0, codes)
    row_naive = _rows_of(naive.dt.tz_localize("UTC"), codes, index).dt.tz_localize(None)
    row_token = pd.Series(np.array(list(token) + [""], dtype=object)[codes], index=index)
    zt = zones.fillna("").astype(str).str.strip()
    row_token = row_token.where(row_token != "", zt)
    row_token = row_token.where(row_token != "", default_zone)
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    for tok in pd.unique(row_token[row_naive.notna()]):
        sel = (row_token == tok) & row_naive.notna()
        first = int(np.flatnonzero(sel.to_numpy())[0])
        col = zone_column if tok == str(zones.iloc[first]).strip() else column
        zone = _zone_or_fail(tok, first, file=file, column=col, rows=rows)
        out[sel] = _localize(row_naive[sel], zone).astype("datetime64[us, UTC]")
        used_tokens.append(tok)
    if len(naive):
        take = has_off.to_numpy(dtype=bool)[safe] & (codes >= 0)
        if take.any():
            out[take] = _rows_of(parsed_utc, codes, index)[take]
    return out
