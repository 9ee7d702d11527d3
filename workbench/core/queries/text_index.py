"""The search text of the active cases held in memory, to find the few cases a rare word names.

A free-text filter is a substring test (`search_text LIKE '%word%'`): no B-tree index helps,
so SQLite tests every case (about 0.25 s per million on a busy 2-core machine), and an FTS5
trigram index took 25 s to build at a million cases (measured), too slow for a month that is
re-reconciled. Frequent words are found quickly by the walk of the sort index
(index_walk.py); this index serves the rare ones: the search text of every active case, read
in ONE aggregate query as one byte string (rows separated by \\x01), where `bytes.find` finds a
word's occurrences in a few tens of milliseconds; the row of each occurrence comes from the
separator offsets (numpy.searchsorted).

It only proposes candidate ids. The caller keeps the LIKE terms in its query, so the result is
exactly what the plain LIKE scan gives, as long as the index is current: it remembers SQLite's
`PRAGMA data_version` on its own connection (it changes when any other connection commits) and
refuses to answer once anything was written; the window then builds it again in the background.
SQLite file workbooks only (a team store on PostgreSQL uses its own planner).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

SEPARATOR = b"\x01"
MAX_CANDIDATES = 5_000      # more than this: the word is not rare, let SQL find the rows


@dataclass
class TextIndex:
    path: Path
    blob: bytes                     # lower(search_text) of the active cases by id, \x01-separated
    ids: "object"                   # numpy int64 array: the case id of each row
    ends: "object"                  # numpy int64 array: offset of each row's separator (last = len)
    data_version: int
    _conn: sqlite3.Connection = field(repr=False)

    @classmethod
    def build(cls, workbook, job=None) -> "TextIndex | None":
        """Read the search text of the active cases (one query). None for a non-SQLite store."""
        import numpy as np

        if not workbook.is_sqlite or not workbook.engine.url.database:
            return None
        path = Path(workbook.engine.url.database)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            # lower(): SQLite folds ASCII only, exactly as LIKE does, so a byte search of the
            # lower-cased word finds what LIKE finds
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            conn.execute("BEGIN")        # ids and text from one snapshot
            ids_text, blob = conn.execute(
                "SELECT group_concat(id, ','), CAST(group_concat(lower(search_text), char(1)) AS BLOB) "
                "FROM (SELECT id, search_text FROM cases WHERE is_active = 1 ORDER BY id)").fetchone()
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        ids = np.array(ids_text.split(","), dtype=np.int64) if ids_text else np.zeros(0, dtype=np.int64)
        blob = blob or b""
        ends = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == SEPARATOR[0]).astype(np.int64)
        ends = np.append(ends, len(blob))
        if len(ends) != len(ids) or (len(ids) == 0 and blob):
            conn.close()
            return None                 # a separator inside some search text: do not guess
        return cls(path=path, blob=blob, ids=ids, ends=ends, data_version=version, _conn=conn)

    def is_current(self) -> bool:
        """Nothing was committed to the workbook since the index was read."""
        try:
            return self._conn.execute("PRAGMA data_version").fetchone()[0] == self.data_version
        except sqlite3.Error:
            return False

    def candidates(self, words: list[str]) -> list[int] | None:
        """Ids of the active cases whose search text holds every word (a superset of the LIKE
        result: the caller keeps its LIKE terms), or None when the index cannot answer: it is
        out of date, or a word is too frequent (> MAX_CANDIDATES occurrences)."""
        import numpy as np

        if not words or not self.is_current():
            return None
        found: set[int] | None = None
        for word in words:
            needle = word.encode("utf-8")
            if not needle or SEPARATOR in needle:
                return None
            hits: list[int] = []
            pos = self.blob.find(needle)
            while pos >= 0:
                hits.append(pos)
                if len(hits) > MAX_CANDIDATES:
                    return None
                pos = self.blob.find(needle, pos + 1)
            rows = np.searchsorted(self.ends, np.array(hits, dtype=np.int64), side="left")
            ids = set(self.ids[rows].tolist())
            found = ids if found is None else found & ids
            if not found:
                return []
        return sorted(found or ())

    def close(self) -> None:
        self._conn.close()


__all__ = ["TextIndex", "MAX_CANDIDATES"]
