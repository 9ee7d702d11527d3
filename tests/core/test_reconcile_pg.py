"""The reconcile scenarios again on a real PostgreSQL server: COPY inserts, executemany updates
with text times, version bumps, frozen signed-off periods, incremental deletes, cancel.

Uses the server of tests/pg (pgserver.py). Without the PostgreSQL binaries the tests skip
locally and fail in CI, as tests/pg does."""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pg"))

from pgserver import PgServer, find_bin_dir  # noqa: E402

from tests.core import test_reconcile as base  # noqa: E402
from tests.core import test_reconcile_versions as versions  # noqa: E402

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server():
    bin_dir = find_bin_dir()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        bin_dir = None
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL tests must run in CI", pytrace=False)
        pytest.skip("PostgreSQL binaries or psycopg not found")
    pg = PgServer(bin_dir)
    pg.start()
    yield pg
    pg.stop()


@pytest.fixture
def workbook(server):
    from workbench.core.store import open_workbook

    url = server.create_database()
    wb = open_workbook(url)
    yield wb
    wb.close()
    server.drop_database(url)


test_pg_persists = base.test_reconcile_persists_cases_links_findings_and_audit
test_pg_case_work_survives = base.test_case_work_survives_and_unlinked_case_becomes_inactive
test_pg_idempotent = base.test_re_reconcile_is_idempotent
test_pg_cancel = base.test_cancel_before_commit_leaves_the_store_unchanged
test_pg_override = base.test_link_override_is_kept
test_pg_incremental = base.test_incremental_rewrites_only_touched_cases
test_pg_source_changed = base.test_changed_diagnosis_of_a_worked_case_sets_source_changed
test_pg_version_bump = versions.test_a_changed_diagnosis_bumps_the_version_and_a_stale_edit_is_refused
test_pg_frozen = versions.test_signed_off_period_is_frozen_until_reopened


def test_pg_incremental_big_scope(workbook, monkeypatch):
    import workbench.core.reconcile as rc

    monkeypatch.setattr(rc, "_BULK_SCOPE", 0)      # through temporary id tables (COPY-filled)
    base.test_incremental_rewrites_only_touched_cases(workbook)
