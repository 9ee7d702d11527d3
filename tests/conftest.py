"""Shared fixtures. Qt runs offscreen; user data and settings go to a temp dir."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("WORKBENCH_USER", "analyst1")


@pytest.fixture
def workbook(tmp_path):
    from workbench.core.store import open_workbook

    wb = open_workbook(tmp_path / "test.rwb")
    yield wb
    wb.close()
