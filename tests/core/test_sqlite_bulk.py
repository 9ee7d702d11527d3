"""store/sqlite_bulk: Arrow columns appended through an ADBC-written staging file, inside the
caller's transaction (commit keeps them, rollback drops them, the staging file goes away)."""

import tempfile

import pyarrow as pa
import pytest
from sqlalchemy import text

from workbench.core.store import sqlite_bulk
from workbench.core.store.database import database_url, make_engine

pytest.importorskip("adbc_driver_sqlite")

N = sqlite_bulk.MIN_ROWS + 5


def _columns():
    ids = pa.array(range(1, N + 1), pa.int64())
    names = pa.array([None if i % 7 == 0 else f"name é \"{i}\"" for i in range(N)], pa.string())
    amounts = pa.array([None if i % 11 == 0 else i * 100 for i in range(N)], pa.int64())
    flags = pa.array([i % 2 == 0 for i in range(N)])
    when = pa.array(["2026-10-03 14:05:11.000000"] * N).dictionary_encode()
    return ["id", "name", "amount", "flag", "at"], [ids, names, amounts, flags, when]


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    eng = make_engine(database_url(tmp_path / "b.db"))
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount BIGINT, flag BOOLEAN, "
                             "at DATETIME)")
    yield eng
    eng.dispose()


def _append(conn):
    names, arrays = _columns()
    dbapi = conn.connection.driver_connection
    assert sqlite_bulk.usable(dbapi, N)
    sqlite_bulk.append(dbapi, "t", names, arrays)


def test_append_commits_with_the_transaction_and_cleans_up(engine, tmp_path):
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (id, name) VALUES (0, 'before')")
        _append(conn)
        assert list((tmp_path / "tmp").iterdir())          # staged while the transaction is open
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name, amount, flag, at FROM t WHERE id > 0 ORDER BY id")).all()
        types = conn.execute(text("SELECT typeof(id), typeof(name), typeof(amount), typeof(flag), typeof(at) "
                                  "FROM t WHERE id = 2")).one()
    names, arrays = _columns()
    expected = list(zip(*(a.to_pylist() if not pa.types.is_dictionary(a.type) else a.cast(pa.string()).to_pylist()
                          for a in arrays)))
    assert [tuple(r) for r in rows] == [(i, n, a, int(f), t) for i, n, a, f, t in expected]
    assert rows[0][1] is None and rows[0][2] is None and rows[1][1] == 'name é "1"'
    assert tuple(types) == ("integer", "text", "integer", "integer", "text")
    assert list((tmp_path / "tmp").iterdir()) == []      # detached and deleted at check-in


def test_rollback_drops_the_rows_and_the_file(engine, tmp_path):
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            _append(conn)
            raise RuntimeError("cancel")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
    assert list((tmp_path / "tmp").iterdir()) == []


def test_same_rows_as_executemany(engine):
    names, arrays = _columns()
    with engine.begin() as conn:
        _append(conn)
        conn.exec_driver_sql("CREATE TABLE u AS SELECT * FROM t WHERE 0")
        conn.connection.driver_connection.executemany(
            "INSERT INTO u VALUES (?, ?, ?, ?, ?)",
            zip(*(a.to_pylist() if not pa.types.is_dictionary(a.type) else a.cast(pa.string()).to_pylist()
                  for a in arrays)))
    with engine.connect() as conn:
        diff = conn.execute(text("SELECT count(*) FROM (SELECT * FROM t EXCEPT SELECT * FROM u)")).scalar()
        assert diff == 0
        assert conn.execute(text("SELECT count(*) FROM u")).scalar() == N


def test_small_appends_are_left_to_executemany(engine):
    with engine.connect() as conn:
        assert not sqlite_bulk.usable(conn.connection.driver_connection, sqlite_bulk.MIN_ROWS - 1)


def test_a_driver_that_cannot_load_is_said_once_and_writes_fall_back(engine, monkeypatch, caplog):
    import sys

    monkeypatch.setattr(sqlite_bulk, "_driver_state", [])
    monkeypatch.setitem(sys.modules, "adbc_driver_sqlite.dbapi", None)     # import raises ImportError
    with engine.connect() as conn:
        dbapi = conn.connection.driver_connection
        with caplog.at_level("WARNING"):
            assert not sqlite_bulk.usable(dbapi, N)
            assert not sqlite_bulk.usable(dbapi, N)
    said = [r for r in caplog.records if "ADBC SQLite driver cannot be loaded" in r.getMessage()]
    assert len(said) == 1
