"""Reading a file into a table of cell text: encodings, delimiters, header row (CSV here,
spreadsheets in xlsx.py).

Everything downstream works on text so amounts and dates are decided per column from all
values (never floats): CSV cells are read as strings; typed XLSX cells are turned into text
here (numbers via their shortest repr, dates as ISO text). Previews (detection) read only
the first rows: CSV via the csv module, XLSX via openpyxl read-only. Full XLSX reads go
through python-calamine (formula cells give their cached values).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from workbench.core.errors import ImportFailure

PREVIEW_ROWS = 200
_PREVIEW_BYTES = 2_000_000          # detection reads at most this much of a large CSV
HEADER_SCAN = 30
_DELIMITERS = (",", ";", "\t", "|")
_NUMERIC = re.compile(r"^[\s$€£¥()+\-.,0-9%]*\d[\s$€£¥()+\-.,0-9%]*$")


@dataclass
class RawTable:
    """Cell text of one sheet/file below its header row. Blank cells are ''."""

    path: Path
    headers: list[str]
    frame: pd.DataFrame                 # columns = headers (deduplicated), all text
    rows: np.ndarray                    # spreadsheet row number of each frame row
    header_row: int                     # 1-based row of the header
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    above_header: list[list[str]] = field(default_factory=list)   # summary lines skipped


# --- typed cells -> text ------------------------------------------------------------------

def cell_text(value: object) -> str:
    """A typed spreadsheet cell as text: exact for numbers (no float noise added), ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def column_text(values: pd.Series) -> pd.Series:
    """Vectorised `cell_text` over a column: whole-column paths for text, whole numbers and
    datetimes; otherwise each distinct value is converted once."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        return values.where(values.notna(), "").astype("str")
    if kind == "integer":
        return values.astype("Int64").astype("str").fillna("").astype("str")
    if kind == "floating":
        nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        text = pd.Series(nums.astype(str), index=values.index, dtype="str")   # shortest repr
        whole = np.isfinite(nums) & (np.mod(nums, 1) == 0) & (np.abs(nums) < 1e15)
        ints = np.where(whole, nums, 0).astype(np.int64).astype(str)
        text = text.where(~whole, pd.Series(ints, index=values.index, dtype="str"))
        odd = text.str.contains("e", regex=False) | ~np.isfinite(nums)
        if odd.any():   # exponent notation, nan/inf: the cell-by-cell rules
            text = text.where(~odd, pd.Series([cell_text(v) for v in values[odd]], index=values[odd].index))
        return text.astype("str")
    if kind == "datetime":
        stamps = pd.to_datetime(values, errors="coerce")
        if stamps.notna().sum() == values.notna().sum() and stamps.dt.tz is None:
            fmt = "%Y-%m-%d %H:%M:%S.%f" if (stamps.dt.microsecond.fillna(0) != 0).any() else "%Y-%m-%d %H:%M:%S"
            return stamps.dt.strftime(fmt).fillna("").astype("str")
    if kind not in ("floating", "integer-na", "mixed-integer-float", "date", "datetime", "time"):
        # mixed types: factorize would merge True with 1; convert cell by cell
        return pd.Series([cell_text(v) for v in values], index=values.index, dtype="str")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(texts[codes], index=values.index, dtype="str")


# --- CSV text -----------------------------------------------------------------------------

def decode(data: bytes, file: str, final: bool = True) -> tuple[str, str]:
    """Bytes -> text. UTF-8 (+/- BOM), UTF-16 as Excel saves it, else cp1252.
    final=False: `data` is only the start of the file (a character may be cut at the end)."""
    if not final:
        return _decode_head(data, file)
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00" and data[0:1] != b"\x00":
        enc = "utf-16-le"
    elif len(data) >= 4 and data[0:1] == b"\x00" and data[2:3] == b"\x00" and data[1:2] != b"\x00":
        enc = "utf-16-be"
    else:
        try:
            text = data.decode("utf-8")
            enc = "utf-8"
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                enc = "cp1252"
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                enc = "latin-1"
        return _check_text(text, file), enc
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise ImportFailure(file, f"the file says it is {enc} but byte {exc.start} is not",
                            expected="a CSV saved as UTF-8, UTF-16 or Windows-1252") from None
    return _check_text(text, file), enc


def _decode_head(data: bytes, file: str) -> tuple[str, str]:
    """Decode the first bytes of a large file; a UTF-8 character cut at the end is dropped
    (so the cut does not look like a cp1252 file)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and "end of data" in exc.reason:
            data = data[: exc.start]
    try:
        return decode(data, file)
    except ImportFailure:
        return decode(data[:-2], file)   # a UTF-16 surrogate pair cut in half


def _check_text(text: str, file: str) -> str:
    bad = text.find("\x00")
    if bad >= 0:
        line = text.count("\n", 0, bad) + 1
        raise ImportFailure(file, "the file holds binary data, not text", row=line,
                            expected="a CSV/TSV text export or an XLSX workbook")
    return text


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the most consistent multi-field rows over the first lines."""
    best, best_score = ",", -1.0
    sample = [ln for ln in lines if ln.strip()][:60]
    if not sample:
        return ","
    for delim in _DELIMITERS:
        counts = [len(r) for r in csv.reader(sample, delimiter=delim)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = counts.count(mode) / len(counts) * 100 + mode
        if score > best_score:
            best, best_score = delim, score
    return best


def _looks_like_header(cells: list[str]) -> float:
    filled = [c.strip() for c in cells if c and c.strip()]
    if not filled:
        return 0.0
    texty = [c for c in filled if not _NUMERIC.match(c) and not re.match(r"^\d{1,4}[-/.]\d", c)]
    distinct = len(set(texty))
    return distinct + 0.01 * len(filled)


def find_header(rows: list[list[str]], scorer: Callable[[list[str]], float] | None = None) -> int:
    """Index of the header among the first rows (summary lines above it are skipped)."""
    scan = rows[:HEADER_SCAN]
    if not scan:
        return 0
    widths = [sum(1 for c in r if c.strip()) for r in rows[: PREVIEW_ROWS]]
    mode = max(set(widths), key=widths.count) if widths else 0
    scores = []
    for r in scan:
        filled = sum(1 for c in r if c.strip())
        ok = filled >= max(2, mode * 0.5) or (mode <= 1 and filled >= 1)
        s = _looks_like_header(r) if ok else 0.0
        if scorer is not None and ok:
            s += scorer(r) * 100
        scores.append(s)
    top = max(scores)
    if top <= 0:
        return 0
    if scorer is not None:
        return scores.index(top)
    return next(i for i, s in enumerate(scores) if s >= 0.8 * top)


def _dedupe(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = (h or "").replace("\ufeff", "").strip() or f"column {i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out


def _csv_rows(text: str, delim: str, limit: int | None, file: str) -> tuple[list[list[str]], list[int]]:
    """Rows and the physical line each row ends on."""
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows, ends = [], []
    try:
        for row in itertools.islice(reader, limit):
            rows.append(row)
            ends.append(reader.line_num)
    except csv.Error as exc:
        raise ImportFailure(file, f"unreadable CSV ({exc})", row=reader.line_num + 1,
                            expected="a CSV/TSV export with balanced quotes") from None
    return rows, ends


def read_csv_table(path: Path, *, preview: bool, scorer=None, data: bytes | None = None) -> RawTable:
    file = path.name
    if data is None and preview and path.stat().st_size > _PREVIEW_BYTES:
        with open(path, "rb") as fh:
            head = fh.read(_PREVIEW_BYTES)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) > 3 and b"\x00" in head[:4]):
            head = head[: len(head) - len(head) % 2]
        text, enc = decode(head, file, final=False)
    else:
        raw = data if data is not None else path.read_bytes()
        if not preview and len(raw) >= _ARROW_MIN_BYTES:
            table = _utf8_table(path, raw, scorer)
            if table is not None:
                return table
        text, enc = decode(raw, file)
        del raw
    delim, rows, ends, h, headers, notes = _header(text, enc, file, scorer)
    if preview:
        body = rows[h + 1:]
        first_row = h + 2
        frame = _frame_from_rows(body, headers)
    else:
        start = _prefix_len(text, ends[h]) if ends else 0
        frame = _pandas_csv(text[start:], delim, headers, file)
        first_row = h + 2
    numbers = np.arange(first_row, first_row + len(frame), dtype=np.int64)
    return RawTable(path=path, headers=headers, frame=frame, rows=numbers, header_row=h + 1,
                    encoding=enc, delimiter=delim, notes=notes, above_header=rows[:h])


def _header(text: str, enc: str, file: str, scorer) -> tuple[str, list[list[str]], list[int], int, list[str], list[str]]:
    """Delimiter, first rows, their end lines, header index, headers and notes, from the start
    of the text."""
    head_lines = text[:200_000].splitlines()[: PREVIEW_ROWS + HEADER_SCAN]
    delim = sniff_delimiter(head_lines)
    rows, ends = _csv_rows(text[: _prefix_len(text, PREVIEW_ROWS + HEADER_SCAN + 50)], delim,
                           PREVIEW_ROWS + HEADER_SCAN, file)
    rows = [[c.strip("\ufeff") if j == 0 else c for j, c in enumerate(r)] for r in rows]
    if not any(any(c.strip() for c in r) for r in rows):
        raise ImportFailure(file, "the file is empty", expected="a header row and data rows")
    h = find_header(rows, scorer)
    headers = _dedupe(rows[h])
    notes = [f"encoding {enc}", f"delimiter {_delim_name(delim)}"]
    if h:
        notes.append(f"{h} line(s) above the header skipped")
    return delim, rows, ends, h, headers, notes


def _utf8_table(path: Path, raw: bytes, scorer) -> RawTable | None:
    """A large UTF-8 CSV straight from its bytes into Arrow (the file is never decoded into one
    Python string); the header is found in the first bytes as for any file. None when the
    file needs the general path (another encoding, NUL bytes, ragged rows)."""
    file = path.name
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw:
        return None
    text, enc = decode(raw[:_PREVIEW_BYTES], file, final=False)
    if enc not in ("utf-8", "utf-8-sig"):
        return None
    delim, rows, ends, h, headers, notes = _header(text, enc, file, scorer)
    if not ends or ends[h] >= text.count("\n"):
        return None
    start = 0
    for _ in range(ends[h]):
        start = raw.index(b"\n", start) + 1
    frame = _arrow_csv(memoryview(raw)[start:], delim, headers, quoted=b'"' in raw)
    if frame is None:
        return None
    numbers = np.arange(h + 2, h + 2 + len(frame), dtype=np.int64)
    return RawTable(path=path, headers=headers, frame=frame, rows=numbers, header_row=h + 1,
                    encoding=enc, delimiter=delim, notes=notes, above_header=rows[:h])


def _delim_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}[d]


def _prefix_len(text: str, lines: int) -> int:
    """Offset just after the `lines`-th newline (or the whole text)."""
    pos = 0
    for _ in range(lines):
        nxt = text.find("\n", pos)
        if nxt < 0:
            return len(text)
        pos = nxt + 1
    return pos


def _frame_from_rows(body: list[list], headers: list[str]) -> pd.DataFrame:
    """Ragged rows are padded with blanks; extra non-blank fields are counted in attrs."""
    n = len(headers)
    fixed, extra = [], 0
    for r in body:
        r = ["" if c is None else str(c) for c in r]
        if len(r) < n:
            r = r + [""] * (n - len(r))
        elif len(r) > n:
            extra += any(c.strip() for c in r[n:])
            r = r[:n]
        fixed.append(r)
    frame = pd.DataFrame(fixed, columns=headers, dtype="str") if fixed else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in headers})
    frame.attrs["extra_fields_rows"] = extra
    return frame


_ARROW_MIN_BYTES = 1_000_000


def _arrow_csv(body, delim: str, headers: list[str], quoted: bool) -> pd.DataFrame | None:
    """Large, regular files: Arrow's multi-threaded reader on the UTF-8 bytes of the body, all
    columns as strings. None when the file is irregular (ragged rows, blank lines, bytes that
    are not UTF-8): the caller falls back to pandas' C engine."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(len(headers))]
    try:
        table = pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pcsv.ReadOptions(column_names=names, block_size=8 << 20),
            # quoted newlines need the slower serial scan; without any quote there can be none
            parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=quoted,
                                            ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return pd.DataFrame({h: pd.array(table.column(c), dtype="str") for h, c in zip(headers, names)})


_OVERFLOW = 8   # spare columns that catch ragged rows with more fields than the header


def _pandas_csv(body: str, delim: str, headers: list[str], file: str) -> pd.DataFrame:
    n = len(headers)
    if len(body) >= _ARROW_MIN_BYTES:
        frame = _arrow_csv(body.encode("utf-8"), delim, headers, quoted='"' in body)
        if frame is not None:
            return frame
    try:
        # more names than fields: pandas never guesses an index column from a longer first row
        frame = pd.read_csv(io.StringIO(body), sep=delim, header=None, names=list(range(n + _OVERFLOW)),
                            index_col=False, dtype=str, keep_default_na=False, na_filter=False,
                            skip_blank_lines=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError, csv.Error):
        rows, _ = _csv_rows(body, delim, None, file)
        return _frame_from_rows(rows, headers)
    frame = frame.fillna("")
    extra = frame.iloc[:, n:]
    extra_rows = int(extra.astype(str).apply(lambda c: c.str.strip() != "").any(axis=1).sum()) if len(extra.columns) else 0
    frame = frame.iloc[:, :n]
    frame.columns = headers
    frame.attrs["extra_fields_rows"] = extra_rows
    return frame
