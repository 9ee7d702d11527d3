"""Opening a workbook: engine, pragmas, schema upgrade, sessions, business settings.

A workbook is a database. A plain path means a SQLite file (WAL, foreign keys on,
synchronous=NORMAL); anything with `://` is taken as an SQLAlchemy URL (PostgreSQL for a
team store). The schema is created and upgraded by Alembic on open.
"""

from __future__ import annotations

import getpass
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.exc import DatabaseError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from workbench.core.errors import SchemaError
from workbench.core.settings import BusinessSettings
from workbench.core.store.models import Setting

BUSINESS_KEY = "business"


def database_url(target: str | os.PathLike) -> str:
    """A path -> sqlite URL; a URL is passed through. `postgresql://` uses psycopg 3."""
    text = str(target)
    if "://" in text:
        if text.startswith("postgresql://") or text.startswith("postgres://"):
            text = "postgresql+psycopg://" + text.split("://", 1)[1]
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


# page cache per connection (negative = KiB). SQLite's default (2 MB) makes a bulk load of a
# large month spill WAL pages and read them back: 64 MB cut a 100k-return reconcile's CPU by a
# quarter (measured, benchmarks/bench_scale.py).
_CACHE_KIB = 65_536
# helper threads SQLite's sorter may use (CREATE INDEX after a bulk load, big ORDER BYs):
# rebuilding a 3.2M-row index took 4.3 s instead of 5.5 s wall with 2 on 2 cores (measured)
_SORT_THREADS = max(1, min(4, os.cpu_count() or 1))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
    cur.execute(f"PRAGMA threads={_SORT_THREADS}")
    cur.close()


def _build_pragmas(dbapi_connection, _record) -> None:
    """A workbook being built at a private path (build_workbook): no WAL (every page would
    be written twice), the rollback journal in memory, no fsync until the end."""
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=MEMORY")
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
    cur.execute(f"PRAGMA threads={_SORT_THREADS}")
    cur.close()


def make_engine(url: str, *, building: bool = False) -> Engine:
    if url.startswith("sqlite"):
        from workbench.core.store import sqlite_bulk

        engine = create_engine(url)
        event.listen(engine, "connect", _build_pragmas if building else _sqlite_pragmas)
        event.listen(engine, "checkin", sqlite_bulk.detach_staged)   # bulk staging files, once a transaction is over
        event.listen(engine, "close", sqlite_bulk.discard_staged)
        return engine
    return create_engine(url, pool_pre_ping=True)


_VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


@lru_cache(maxsize=1)
def head_revision_from_files() -> str | None:
    """The head revision read from the migration files themselves (their `revision = '...'`
    and `down_revision = '...'` lines), without importing Alembic (about 0.3 s at start-up).
    None when the files do not describe one simple chain: then Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in _VERSIONS.glob("*.py"):
        found = dict(m.groups() for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        rev = _QUOTED.fullmatch(found.get("revision", ""))
        if rev is None:
            return None
        revisions.add(rev.group(1))
        down = found.get("down_revision", "None")
        if down != "None":
            parent = _QUOTED.fullmatch(down)
            if parent is None:          # a merge (tuple) or something unexpected
                return None
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at the head revision: one SELECT on alembic_version, so
    opening an up-to-date workbook never imports Alembic. Anything else (a new file, an older
    or newer schema, an unreadable database) -> False, and `migrate.upgrade` takes over (it
    upgrades, refuses a newer schema, or raises the driver's error)."""
    head = head_revision_from_files()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            versions = [row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    except DBAPIError:
        return False
    return versions == [head]


def current_user() -> str:
    """Identity from the operating-system user unless WORKBENCH_USER configures it."""
    configured = os.environ.get("WORKBENCH_USER")
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some containers
        return "unknown"


@dataclass
class Workbook:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    user: str

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_name(self) -> str:
        if self.is_sqlite:
            return Path(self.engine.url.database or "").name
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits on success, rolls back on any error."""
        with self.sessions() as session:
            with session.begin():
                yield session

    def business_settings(self) -> BusinessSettings:
        # a Core read of the table: opening a workbook does not configure the ORM mappers
        # (about 0.08 s in a new process) before the window has shown the first rows
        table = Setting.__table__
        with self.engine.connect() as conn:
            value = conn.execute(select(table.c.value).where(table.c.key == BUSINESS_KEY)).scalar_one_or_none()
        return BusinessSettings.from_json(value)

    def save_business_settings(self, settings: BusinessSettings, session: Session | None = None) -> None:
        """Store settings (no audit here: core/audit records the change via casework)."""
        settings.validated()

        def write(s: Session) -> None:
            row = s.get(Setting, BUSINESS_KEY)
            if row is None:
                s.add(Setting(key=BUSINESS_KEY, value=settings.to_json()))
            else:
                row.value = settings.to_json()

        if session is not None:
            write(session)
        else:
            with self.session() as s:
                write(s)

    def get_value(self, key: str) -> str | None:
        with self.sessions() as session:
            row = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
            return row

    def close(self) -> None:
        self.engine.dispose()


def is_new_sqlite_file(target: str | os.PathLike) -> bool:
    """True if `target` names a SQLite workbook file that does not exist yet."""
    url = database_url(target)
    return url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists()


@contextmanager
def build_workbook(target: str | os.PathLike, *, user: str | None = None) -> Iterator[Workbook]:
    """Create a NEW SQLite workbook all-or-nothing, fast: it is built at `<name>.partial`
    beside the target with the journal in memory and no fsync; when the block ends without
    an error it is switched to WAL, synced and renamed into place. On any error (a bad file,
    a cancel) the partial file is deleted and no workbook appears. For a month imported
    into a fresh workbook this writes every page once instead of twice (WAL + checkpoint)."""
    url = database_url(target)
    if not url.startswith("sqlite:///"):
        raise ValueError("build_workbook makes SQLite files; open a store URL with open_workbook")
    final = Path(url.removeprefix("sqlite:///"))
    if final.exists():
        raise SchemaError(f"{final} already exists")
    partial = final.with_name(final.name + ".partial")
    _remove(partial)
    wb = _open(database_url(partial), user=user, building=True)
    try:
        yield wb
        with wb.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")   # persistent: the file opens in WAL from now on
    except BaseException:
        wb.close()
        _remove(partial)
        raise
    wb.close()
    with open(partial, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(partial, final)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              path.with_name(path.name + "-journal")):
        p.unlink(missing_ok=True)


def open_workbook(target: str | os.PathLike, *, user: str | None = None, create: bool = True) -> Workbook:
    """Open (and create or upgrade) a workbook. Raises SchemaError if it cannot be used."""
    url = database_url(target)
    if url.startswith("sqlite:///") and not create:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            raise SchemaError(f"no workbook at {path}")
    return _open(url, user=user)


def _open(url: str, *, user: str | None, building: bool = False) -> Workbook:
    engine = make_engine(url, building=building)
    try:
        if not schema_is_current(engine):
            from workbench.core.store.migrate import upgrade  # local: alembic import is not free

            upgrade(engine)
    except DatabaseError as exc:   # OperationalError, or "file is not a database"
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
        raise SchemaError(f"cannot open workbook {shown}: {reason}") from exc
    sessions = sessionmaker(engine, expire_on_commit=False)
    return Workbook(url=url, engine=engine, sessions=sessions, user=user or current_user())
