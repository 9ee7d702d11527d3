"""SQLite bulk appends without a Python object per cell.

Python's sqlite3 `executemany` needs one Python object per cell: at a million returns that is
some 80 million objects for source_records alone, and most of the load time. Instead the
Arrow columns are written by the ADBC SQLite driver (C, straight from Arrow buffers) into a
private staging file, which the caller's connection ATTACHes and copies with one
`INSERT ... SELECT` - inside the caller's transaction, so all-or-nothing stays the caller's.
Measured on 323,420 source records (25 columns): 0.74 s CPU for the staging write against
2.81 s for to_pylist + executemany.

The staging database is a separate file that only the ADBC driver (with its own copy of
SQLite) ever writes and only the workbook's connection then reads: two SQLite libraries never
hold the same file at once. It stays attached until the connection goes back to the pool
(SQLite refuses DETACH while the transaction that read it is open); `detach_staged` runs then
(database.make_engine registers it) and deletes the file.

Two steps, so that a caller can overlap them: `stage` (Arrow -> staging file; touches only its
own file, so it may run on a worker thread) and `copy` (ATTACH + INSERT ... SELECT on the
caller's connection, on the thread of its transaction). `append` is both in a row. reconcile
stages links and findings on a worker while its main thread writes the cases.
"""

from __future__ import annotations

# pyarrow and the driver are imported on use: database.make_engine imports this module for its
# pool hooks, and the window must start without pyarrow

import itertools
import logging
import os
import shutil
import tempfile

MIN_ROWS = 20_000                 # below this executemany is as fast and needs no file
MAX_STAGED = 6                    # SQLite attaches at most 10 databases per connection
_counter = itertools.count(1)


def usable(dbapi_connection, rows: int) -> bool:
    """Worth it and possible: enough rows, the driver installed, an attachment slot free."""
    if rows < MIN_ROWS or free_slots(dbapi_connection) <= 0:
        return False
    return _driver_loads()


_driver_state: list = []      # [True] or [False] once probed


def _driver_loads() -> bool:
    """Import the driver once. A missing or broken one (e.g. a frozen build without its files)
    is said once on the log - large writes then take executemany: slower, never wrong."""
    if not _driver_state:
        try:
            import adbc_driver_sqlite.dbapi  # noqa: F401
            _driver_state.append(True)
        except Exception as exc:  # noqa: BLE001 - ImportError, or OSError from a broken install
            logging.getLogger(__name__).warning(
                "the ADBC SQLite driver cannot be loaded (%s); large writes use executemany instead", exc)
            _driver_state.append(False)
    return _driver_state[0]


def _plain(arr):
    """Types the staging table stores as the workbook would: dictionaries decoded, booleans
    as 0/1 integers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_boolean(arr.type):
        arr = pc.cast(arr, pa.int64())
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


class Staged:
    """A staging file written by `stage`, waiting for `copy`. Until a connection has attached
    it, `discard` deletes it; after that the connection's check-in hook does."""

    __slots__ = ("directory", "path", "names", "rows", "attached")

    def __init__(self, directory: str, path: str, names: list[str], rows: int) -> None:
        self.directory, self.path, self.names, self.rows = directory, path, list(names), rows
        self.attached = False


def stage(names: list[str], arrays: list) -> Staged:
    """Write the Arrow columns into a new private staging file with the ADBC driver. Touches no
    connection of the caller (only its own file, through the driver's own SQLite, which runs
    without the GIL): safe on a worker thread while the caller's thread holds its transaction.
    On any error the file is deleted before the error goes on."""
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    directory = tempfile.mkdtemp(prefix="workbench-bulk-")
    path = os.path.join(directory, "stage.db")
    try:
        data = pa.table([_plain(a) for a in arrays], names=[f"c{i}" for i in range(len(names))])
        rows = data.num_rows
        with adbc.connect(path, autocommit=True) as conn:
            cur = conn.cursor()
            try:
                cur.execute("PRAGMA journal_mode=OFF")
                cur.execute("PRAGMA synchronous=OFF")
                cur.execute("BEGIN")
                cur.adbc_ingest("stage", data, mode="create")
                cur.execute("COMMIT")
            finally:
                cur.close()
        del data
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return Staged(directory, path, names, rows)


def copy(dbapi_connection, table: str, staged: Staged) -> None:
    """ATTACH the staging file to `dbapi_connection` (a sqlite3.Connection in the middle of the
    caller's transaction, used on the caller's thread) and INSERT ... SELECT its rows into
    `table`. From the ATTACH on the file is the connection's (detach_staged deletes it once the
    transaction is over); if the ATTACH fails it is deleted here."""
    alias = f"wb_stage_{next(_counter)}"
    cur = dbapi_connection.cursor()
    try:
        try:
            cur.execute(f"ATTACH DATABASE ? AS {alias}", (staged.path,))
        except BaseException:
            discard(staged)
            raise
        staged.attached = True
        _staged(dbapi_connection).append((alias, staged.directory))
        columns = ", ".join(staged.names)
        picked = ", ".join(f"c{i}" for i in range(len(staged.names)))
        cur.execute(f"INSERT INTO main.{table} ({columns}) SELECT {picked} FROM {alias}.stage")
    finally:
        cur.close()


def discard(staged: Staged | None) -> None:
    """Delete a staging file no connection has attached (a no-op for one that was)."""
    if staged is not None and not staged.attached:
        shutil.rmtree(staged.directory, ignore_errors=True)


def free_slots(dbapi_connection) -> int:
    """How many more staging files `dbapi_connection` may attach in this transaction."""
    return MAX_STAGED - len(_PENDING.get(id(dbapi_connection), ()))


def append(dbapi_connection, table: str, names: list[str], arrays: list) -> None:
    """INSERT the Arrow columns into `table` on `dbapi_connection` (a sqlite3.Connection in
    the middle of the caller's transaction): `stage`, then `copy`."""
    copy(dbapi_connection, table, stage(names, arrays))


# staging files still attached, per sqlite3 connection (it takes neither attributes nor weak
# references): id(connection) -> [(alias, directory)], emptied by detach_staged
_PENDING: dict[int, list] = {}


def _staged(dbapi_connection) -> list:
    return _PENDING.setdefault(id(dbapi_connection), [])


def discard_staged(dbapi_connection, _record=None) -> None:
    """Pool close hook: the connection is going away with its attachments; delete the files."""
    for _alias, directory in _PENDING.pop(id(dbapi_connection), ()):
        shutil.rmtree(directory, ignore_errors=True)


def detach_staged(dbapi_connection, _record=None) -> None:
    """Pool check-in hook: DETACH and delete the staging files once the transaction is over."""
    staged = _PENDING.get(id(dbapi_connection))
    if not staged:
        _PENDING.pop(id(dbapi_connection), None)
        return
    while staged:
        alias, directory = staged.pop()
        try:
            dbapi_connection.execute(f"DETACH DATABASE {alias}")
        except Exception:  # noqa: BLE001 - still in a transaction (should not happen at check-in)
            staged.append((alias, directory))
            return
        shutil.rmtree(directory, ignore_errors=True)
    _PENDING.pop(id(dbapi_connection), None)
