"""The source row as stored: its cell texts as one JSON array, and the row hash.

`source_records.raw` = json.dumps([cell text of each header in `raw_columns` order],
ensure_ascii=False, separators=(",", ":")) with `raw_columns` = the file's headers sorted
(stored once per batch in import_batches.raw_columns), and `row_hash` = sha256 of that text:
the same row in a later export with its columns in another order has the same hash (store
revision 0002 converted older workbooks to exactly this form).

Both are built column-wise with Arrow (no Python object per cell); the only per-row Python
work is one hashlib call, and the hex digits are written by numpy.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_CONTROL = r"[\x00-\x1f]"
_HASH_CHUNK = 100_000
_HEX = np.array([ord(a) | (ord(b) << 8) for a in "0123456789abcdef" for b in "0123456789abcdef"],
                dtype="<u2")   # byte -> its two hex digits, little-endian uint16


def raw_columns(headers) -> list[str]:
    """The order a batch's raw arrays are written in: the headers, sorted."""
    return sorted(str(h) for h in headers)


def _as_arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    arr = values.array
    if hasattr(arr, "_pa_array"):          # Arrow-backed already: no copy (chunked is fine for the kernels)
        arr = arr._pa_array
        if arr.type not in (pa.string(), pa.large_string()):
            arr = arr.cast(pa.string())
        return arr.fill_null("") if arr.null_count else arr
    return pa.array(values.fillna(""), type=pa.string(), from_pandas=True)


def _escaped(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Cell text with '\\' and '"' escaped for a JSON string (Arrow, only when present)."""
    arr = _as_arrow(values)
    if pc.any(pc.match_substring(arr, "\\")).as_py():
        arr = pc.replace_substring(arr, "\\", "\\\\")
    if pc.any(pc.match_substring(arr, '"')).as_py():
        arr = pc.replace_substring(arr, '"', '\\"')
    return arr


def raw_arrays(frame: pd.DataFrame, columns: list[str] | None = None) -> pa.Array:
    """Each row of `frame` (all text) as a JSON array of its cells in `columns` order (default:
    raw_columns(frame.columns)), exactly as json.dumps(..., ensure_ascii=False,
    separators=(",", ":")) writes it. The rare rows holding control characters go through
    json.dumps."""
    cols = raw_columns(frame.columns) if columns is None else list(columns)
    n = len(frame)
    if not cols:
        return pa.array(["[]"] * n, type=pa.string())
    if n == 0:
        return pa.array([], type=pa.string())
    pieces: list = []
    for i, col in enumerate(cols):
        pieces.append(pa.scalar('["' if i == 0 else '","'))
        pieces.append(_escaped(frame[col]))
    pieces.append(pa.scalar('"]'))
    typ = pa.large_string() if any(p.type == pa.large_string() for p in pieces) else pa.string()
    pieces = [p if p.type == typ else p.cast(typ) for p in pieces]
    joined = pc.binary_join_element_wise(*pieces, pa.scalar("", typ))
    del pieces
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    # control characters: a fast ASCII-printable pass, the regex only on the other rows
    plain = pc.ascii_is_printable(joined)
    if pc.all(plain).as_py():
        return joined
    other = np.flatnonzero(~plain.to_numpy(zero_copy_only=False))
    hits = pc.match_substring_regex(joined.take(pa.array(other)), _CONTROL).to_numpy(zero_copy_only=False)
    bad = other[hits]
    if not len(bad):
        return joined
    sub = frame.iloc[bad][cols].fillna("").astype(str)
    fixed = [json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
             for row in sub.itertuples(index=False, name=None)]
    mask = np.zeros(n, dtype=bool)
    mask[bad] = True
    return pc.replace_with_mask(joined, pa.array(mask), pa.array(fixed, type=joined.type))


def raw_rows(frame: pd.DataFrame, columns: list[str], batch: int = 200_000) -> tuple[pa.ChunkedArray, pa.Array]:
    """(raw texts, their sha256 hex) for every row of `frame`, built `batch` rows at a time so
    the escaped copies of the cells never exist for the whole file at once."""
    texts, hashes = [], []
    for start in range(0, max(len(frame), 1), batch):
        part = raw_arrays(frame.iloc[start:start + batch], columns)
        texts.append(part)
        hashes.append(row_hashes(part))
    typ = pa.large_string() if any(t.type == pa.large_string() for t in texts) else pa.string()
    return (pa.chunked_array([t if t.type == typ else t.cast(typ) for t in texts], type=typ),
            pa.concat_arrays([h.cast(pa.large_string()) for h in hashes]) if len(hashes) > 1 else hashes[0])


def _digests(arr: pa.Array, sha) -> bytes:
    """The 32-byte sha256 digests of every text of `arr`, concatenated: hashed straight from
    the Arrow data buffer through a memoryview (no Python bytes object per row)."""
    n = len(arr)
    if arr.null_count:
        arr = arr.fill_null("")
    _, offsets_buf, data_buf = arr.buffers()
    width = np.int64 if arr.type == pa.large_string() else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[arr.offset:arr.offset + n + 1].tolist()
    data = memoryview(data_buf) if data_buf is not None else memoryview(b"")
    return b"".join([sha(data[a:b]).digest() for a, b in zip(offsets, offsets[1:])])


def row_hashes(raw: pa.Array | pa.ChunkedArray) -> pa.Array:
    """sha256 hex of each raw text's UTF-8 bytes (one hashlib call per row)."""
    n = len(raw)
    if n == 0:
        return pa.array([], type=pa.string())
    sha = hashlib.sha256
    parts = []
    chunks = raw.chunks if isinstance(raw, pa.ChunkedArray) else [raw]
    for chunk in chunks:
        for start in range(0, len(chunk), _HASH_CHUNK):
            parts.append(_digests(chunk.slice(start, _HASH_CHUNK), sha))
    digests = b"".join(parts)
    del parts
    hexed = _HEX[np.frombuffer(digests, dtype=np.uint8)]          # n * 32 uint16 = n * 64 hex bytes
    offsets = np.arange(0, 64 * (n + 1), 64, dtype=np.int64 if 64 * n >= 2**31 else np.int32)
    typ = pa.large_string() if offsets.dtype == np.int64 else pa.string()
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(offsets), pa.py_buffer(hexed.tobytes())])
