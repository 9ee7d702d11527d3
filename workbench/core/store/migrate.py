"""Alembic, driven from code: the migrations ship inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from workbench.core.errors import SchemaError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises ResolutionError/CommandError for unknown ids
        return False


_PG_MIGRATION_LOCK = 0x5257424D  # 'RWBM'


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema. A workbook written by a newer program is refused.

    On PostgreSQL several people may open a fresh team store at once: a session advisory
    lock lets one of them migrate while the others wait, then find the schema current."""
    if engine.dialect.name != "postgresql":
        _upgrade(engine, revision)
        return
    with engine.connect() as lock:
        lock.exec_driver_sql(f"SELECT pg_advisory_lock({_PG_MIGRATION_LOCK})")
        try:
            _upgrade(engine, revision)
        finally:
            lock.exec_driver_sql(f"SELECT pg_advisory_unlock({_PG_MIGRATION_LOCK})")


def _upgrade(engine: Engine, revision: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and not _known(script, current):
        raise SchemaError(
            f"this workbook's schema ({current}) is newer than this program understands; "
            "install a newer Returns Workbench")
    if current == script.get_current_head() and revision == "head":
        return
    cfg = alembic_config(engine)
    command.upgrade(cfg, revision)
