"""Row positions of ids: a vectorised id -> position lookup without a hash table.

Record ids (`rid`) are database ids: usually sorted, often contiguous. A contiguous run is a
subtraction, a sorted array a binary search, anything else a binary search in a sorted copy."""

from __future__ import annotations

import numpy as np


class Positions:
    """Positions of ids in `ids` (unique int64); `of(wanted)` gives -1 for ids not present."""

    def __init__(self, ids) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        self.n = len(ids)
        self.start = None
        self.order = None
        if self.n and int(ids[-1]) - int(ids[0]) == self.n - 1 and (np.diff(ids) == 1).all():
            self.start = int(ids[0])            # contiguous: position = id - first id
        elif self.n < 2 or (np.diff(ids) > 0).all():
            self.sorted = ids
        else:
            self.order = np.argsort(ids, kind="stable")
            self.sorted = ids[self.order]

    def of(self, wanted) -> np.ndarray:
        wanted = np.asarray(wanted, dtype=np.int64)
        if self.start is not None:
            pos = wanted - self.start
            return np.where((pos >= 0) & (pos < self.n), pos, -1)
        if self.n == 0:
            return np.full(len(wanted), -1, dtype=np.int64)
        idx = np.searchsorted(self.sorted, wanted)
        idx = np.minimum(idx, self.n - 1)
        found = self.sorted[idx] == wanted
        if self.order is not None:
            idx = self.order[idx]
        return np.where(found, idx, -1).astype(np.int64, copy=False)


def take(series, pos: np.ndarray, combined: dict | None = None):
    """series' values at positions `pos` (-1 = missing) as an array, without copying the column.

    Arrow-backed text is taken from its single Arrow chunk directly (pandas' own take on a
    chunked column is several times slower); a column of several chunks (a frame put together
    from parts) is combined once and kept in `combined` (keyed by the series' name) for the
    caller's next takes. Other dtypes use the array's own take."""
    import pandas as pd
    import pyarrow as pa

    pos = np.asarray(pos, dtype=np.int64)
    values = series.array
    if isinstance(values, pd.arrays.ArrowStringArray):
        arr = pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            if arr.num_chunks == 1:
                arr = arr.chunk(0)
            elif combined is not None and series.name in combined:
                arr = combined[series.name]
            else:
                arr = arr.combine_chunks()
                if combined is not None:
                    combined[series.name] = arr
        taken = arr.take(pa.array(pos, mask=pos < 0))
        return pd.array(taken, dtype=series.dtype)
    return values.take(pos, allow_fill=True)
