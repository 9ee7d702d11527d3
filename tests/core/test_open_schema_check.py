"""Opening an up-to-date workbook checks the schema with one SELECT and never imports Alembic;
anything else still goes through Alembic (upgrade, newer schema refused, driver errors)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from workbench.core.errors import SchemaError
from workbench.core.store import open_workbook
from workbench.core.store.database import head_revision_from_files, make_engine, schema_is_current
from workbench.core.store.migrate import head_revision


def test_the_head_read_from_the_files_is_alembics_head():
    assert head_revision_from_files() == head_revision()


def test_current_schema_is_recognised_and_others_are_not(tmp_path):
    path = tmp_path / "w.rwb"
    open_workbook(path).close()
    engine = make_engine(f"sqlite:///{path}")
    assert schema_is_current(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not schema_is_current(engine)
    engine.dispose()
    assert not schema_is_current(make_engine(f"sqlite:///{tmp_path / 'new.rwb'}"))   # no table yet


def test_an_older_workbook_is_still_upgraded(tmp_path):
    path = tmp_path / "old.rwb"
    open_workbook(path).close()
    eng = create_engine(f"sqlite:///{path}")
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaError, match="newer"):
        open_workbook(path)


def test_opening_a_current_workbook_does_not_import_alembic(tmp_path):
    path = tmp_path / "w.rwb"
    open_workbook(path).close()
    code = ("import sys; from workbench.core.store import open_workbook; "
            f"wb = open_workbook({str(path)!r}, create=False); wb.business_settings(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path):
    path = tmp_path / "junk.rwb"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(SchemaError, match="cannot open workbook"):
        open_workbook(path)
