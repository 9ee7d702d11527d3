"""PostgreSQL fixtures: one real server per test session, one fresh database per test.

* `pg_server` (session): the running PgServer (tests/pg/pgserver.py).
* `pg_url` (function): `postgresql://wb@127.0.0.1:PORT/t_xxxx`, an empty database, dropped after.
* `pg_workbook` (function): open_workbook(pg_url) (schema migrated), closed after.

Without the PostgreSQL binaries the tests are skipped locally, but FAIL when $CI is set:
CI installs the Debian package (.ci/run) and must run them. Mark tests @pytest.mark.postgres.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pgserver import PgServer, find_bin_dir  # noqa: E402


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    bin_dir = find_bin_dir()
    if bin_dir is None:
        _unavailable("PostgreSQL binaries not found (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    server = PgServer(bin_dir)
    try:
        server.start()
    except (RuntimeError, KeyError, OSError) as exc:
        server.stop()
        _unavailable(f"could not start PostgreSQL from {bin_dir}: {exc}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server):
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def pg_workbook(pg_url):
    from workbench.core.store import open_workbook

    wb = open_workbook(pg_url)
    yield wb
    wb.close()
