"""Vectorised text building for the demo writers: numbers, money, ids and CSV lines.

Everything works on whole columns (numpy / pyarrow), never a Python loop per row, so a
million-return month is written in seconds. Money is formatted from integer minor units.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)


def s(values) -> pa.Array:
    """Any numpy/list/Arrow column -> a pyarrow string array."""
    if isinstance(values, pa.Array):
        return values if values.type == pa.string() else values.cast(pa.string())
    arr = np.asarray(values)
    if arr.dtype.kind == "S":
        return pa.array(arr, type=pa.binary()).cast(pa.string())
    return pa.array(arr).cast(pa.string())


def join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation; plain str parts are broadcast."""
    cols = [p if isinstance(p, str) else s(p) for p in parts]
    return pc.binary_join_element_wise(*cols, sep)


def blank_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar("", pa.string()), s(values))


def pick(options: list[str], index: np.ndarray) -> pa.Array:
    """options[index] as a string column."""
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32)),
                                          pa.array(options, type=pa.string())).cast(pa.string())


def choose(index: np.ndarray, variants: list[pa.Array]) -> pa.Array:
    """Row i takes variants[index[i]][i] (all variants have the same length)."""
    index = np.asarray(index)
    out = variants[0]
    for k, col in enumerate(variants[1:], start=1):
        out = pc.if_else(pa.array(index == k), col, out)
    return out


def money(minor: np.ndarray) -> pa.Array:
    """Integer minor units (2-decimal currency) -> '99.99', '-0.05', '1000.00'."""
    minor = np.asarray(minor, dtype=np.int64)
    sign = np.where(minor < 0, "-", "")
    absval = np.abs(minor)
    units = s(absval // 100)
    cents = pc.utf8_lpad(s(absval % 100), 2, "0")
    return join(s(sign), units, ".", cents)


def random_ids(rng: np.random.Generator, n: int, prefix: str, length: int = 24) -> pa.Array:
    """`prefix` + `length` random base62 characters (Stripe style: re_..., txn_..., po_...)."""
    chars = _BASE62[rng.integers(0, 62, size=(n, length))]
    body = np.ascontiguousarray(chars).view(f"S{length}").ravel()
    return join(prefix, s(body))


def _csv_cell(col: pa.Array) -> pa.Array:
    col = pc.fill_null(s(col), "")
    needs = pc.or_(pc.match_substring(col, ","), pc.match_substring(col, '"'))
    needs = pc.or_(needs, pc.match_substring(col, "\n"))
    quoted = join('"', pc.replace_substring(col, '"', '""'), '"')
    return pc.if_else(needs, quoted, col)


def write_csv(path: Path, header: list[str], columns: dict[str, pa.Array], bom: bool = False,
              free_text: tuple[str, ...] | None = None) -> None:
    """RFC 4180 CSV with minimal quoting (only cells with commas, quotes or newlines).

    `free_text` names the columns that may need quoting (None: check every column); the
    others hold ids, numbers, codes and times the generator made, which never do."""
    missing = [h for h in header if h not in columns]
    if missing:
        raise ValueError(f"{path.name}: no data for columns {missing}")
    n = len(columns[header[0]]) if header else 0
    head = ",".join(f'"{h}"' if any(c in h for c in ',"\n') else h for h in header) + "\n"
    with open(path, "wb") as out:
        if bom:
            out.write(b"\xef\xbb\xbf")
        out.write(head.encode("utf-8"))
        step = 250_000
        for start in range(0, n, step):
            cells = [_csv_cell(columns[h].slice(start, step)) if free_text is None or h in free_text
                     else pc.fill_null(s(columns[h].slice(start, step)), "") for h in header]
            lines = pc.binary_join_element_wise(*cells, ",")
            lines = pc.binary_join_element_wise(lines, "\n", "")
            out.write(_concat_bytes(lines))


def _concat_bytes(arr: pa.Array) -> memoryview:
    """The UTF-8 bytes of all strings back to back (a view on the array's data buffer)."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    data = arr.buffers()[2]
    return memoryview(data)[offsets[0]:offsets[-1]] if data is not None else memoryview(b"")
