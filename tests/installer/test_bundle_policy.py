"""The frozen bundle's contents policy (installer/bundle_policy.py) and the spec's assumptions.

These run without PyInstaller: they check that the bundle keeps every Qt module the code
imports and drops the ones it does not, that pruning keeps what Qt needs to open a window,
and that the data files the spec ships are where the code looks for them when frozen."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installer"))
import bundle_policy  # noqa: E402

SPEC = ROOT / "installer" / "workbench.spec"


def test_qt_modules_used_reads_every_import_form(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(
        "import PySide6.QtSvg\n"
        "from PySide6 import QtGui, QtWidgets\n"
        "from PySide6.QtCore import Qt, QTimer\n"
        "import pandas, os\n"
        "from pyqtgraph.Qt import QtOpenGL\n"
    )
    (tmp_path / "pkg" / "b.py").write_text("def f():\n    from PySide6.QtPrintSupport import QPrinter\n")
    assert bundle_policy.qt_modules_used(tmp_path) == {
        "QtSvg", "QtGui", "QtWidgets", "QtCore", "QtPrintSupport"}


def test_every_qt_module_the_workbench_imports_is_bundled_and_qml_quick_are_not():
    import PySide6

    available = bundle_policy.qt_modules_available(Path(PySide6.__file__).parent)
    used = bundle_policy.qt_modules_used(ROOT / "workbench")
    excludes = set(bundle_policy.qt_excludes(available, used))
    assert used, "the scanner found no PySide6 import in workbench/ (the UI imports Qt)"
    assert not {f"PySide6.{m}" for m in used} & excludes
    assert not {f"PySide6.{m}" for m in bundle_policy.QT_BASELINE} & excludes
    for heavy in ("QtQml", "QtQuick", "QtPdf", "QtWebEngineCore", "Qt3DCore", "QtQuick3D"):
        if heavy in available and heavy not in used:
            assert f"PySide6.{heavy}" in excludes


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libQt6Widgets.so.6",
    "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/Qt/lib/libQt6XcbQpa.so.6",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui",
    "pyarrow/libarrow.so.2600",
    "pyarrow/libarrow_python.so.2600",
    "pyarrow/lib.cpython-311-x86_64-linux-gnu.so",
    "pyarrow/_csv.cpython-311-x86_64-linux-gnu.so",
    "workbench/core/store/migrations/env.py",
])
def test_keeps_what_the_window_and_the_core_need(dest):
    assert bundle_policy.keep_entry(dest)


@pytest.mark.parametrize("dest", [
    "PySide6/Qt/plugins/qmltooling/libqmldbg_tcp.so",
    "PySide6/Qt/plugins/imageformats/libqpdf.so",
    "PySide6/plugins/imageformats/qpdf.dll",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so",
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "PySide6/Qt/lib/libQt6Qml.so.6",
    "PySide6/Qt/lib/libQt6Network.so.6",
    "Qt6Pdf.dll",
    "PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick",
    "PySide6/Qt/translations/qtwebengine_de.qm",
    "PySide6/Qt/translations/qt_help_de.qm",
    "pyarrow/libarrow_flight.so.2600",
    "pyarrow/libarrow_s3.so.2600",
    "pyarrow/libarrow_python.so",
    "pyarrow/libarrow_python.so.2600.1.0",
    "pyarrow/include/arrow/api.h",
])
def test_drops_what_no_part_of_the_app_loads(dest):
    assert not bundle_policy.keep_entry(dest)


def test_a_qt_library_stays_when_the_code_uses_its_module():
    toc = [("PySide6/Qt/lib/libQt6Network.so.6", "/x/libQt6Network.so.6", "BINARY")]
    assert bundle_policy.prune(toc) == []
    assert bundle_policy.prune(toc, qt_used={"QtNetwork"}) == toc


def test_symlinks_follow_their_targets():
    toc = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libarrow_flight.so.2600", "pyarrow/libarrow_flight.so.2600", "SYMLINK"),
    ]
    assert bundle_policy.prune(toc) == toc[:1]


def test_orphan_libraries_are_dropped_and_reached_ones_kept():
    needed = {
        "/s/ext.so": ["libA.so.1"],
        "/s/libA.so.1": ["libB.so.2", "libc.so.6"],
        "/s/libB.so.2": [],
        "/s/libC.so.3": ["libB.so.2"],           # only a dropped plugin linked it
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6"],
        "/s/libQt6XcbQpa.so.6": [],
    }
    binaries = [
        ("pkg/ext.cpython-311-x86_64-linux-gnu.so", "/s/ext.so", "EXTENSION"),
        ("libA.so.1", "/s/libA.so.1", "BINARY"),
        ("libB.so.2", "/s/libB.so.2", "BINARY"),
        ("libC.so.3", "/s/libC.so.3", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/s/libQt6XcbQpa.so.6", "BINARY"),
        ("libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6XcbQpa.so.6", "SYMLINK"),
        ("libC.so", "libC.so.3", "SYMLINK"),          # goes with its dropped target
        ("libE.so.5", "data/libE.so.5", "SYMLINK"),   # target not among the binaries: kept
    ]
    kept = bundle_policy.drop_orphan_libraries(binaries, lambda src: needed[src])
    assert {e[0] for e in kept} == {
        "pkg/ext.cpython-311-x86_64-linux-gnu.so", "libA.so.1", "libB.so.2",
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "libQt6XcbQpa.so.6", "libE.so.5"}


def test_every_cli_command_module_is_a_hidden_import():
    from workbench.cli.main import COMMANDS

    modules = set(bundle_policy.source_modules(ROOT, "workbench"))
    present = {n for n in COMMANDS if (ROOT / "workbench" / "cli" / f"{n}.py").exists()}
    assert present, "no CLI command module found"
    assert {f"workbench.cli.{n}" for n in present} <= modules
    assert "workbench.ui.app" in modules
    assert not any("migrations" in m for m in modules)
    assert "workbench.__main__" not in modules


def test_migrations_ship_where_the_frozen_code_looks_for_them():
    from workbench.core.store import migrate

    package_root = Path(importlib.util.find_spec("workbench").origin).parent.parent
    rel = migrate.MIGRATIONS.relative_to(package_root).as_posix()
    assert rel == "workbench/core/store/migrations"  # the spec's data destination
    spec_text = SPEC.read_text()
    assert '"workbench/core/store/migrations"' in spec_text
    assert (migrate.MIGRATIONS / "env.py").exists()
    assert list((migrate.MIGRATIONS / "versions").glob("*.py"))


def test_spec_hidden_imports_exist():
    tree = ast.parse(SPEC.read_text())
    literal = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "hiddenimports" for t in node.targets):
            literal = [elt.value for elt in node.value.elts
                       if isinstance(elt, ast.Constant) and isinstance(elt.value, str)]
    assert "sqlalchemy.dialects.postgresql.psycopg" in literal
    assert "python_calamine" in literal
    missing = [name for name in literal if importlib.util.find_spec(name) is None]
    assert not missing, f"hidden imports that do not exist: {missing}"


def test_qt_baseline_covers_what_pyqtgraph_imports_itself():
    """pyqtgraph names Qt modules through its shim (`from ..Qt import QtSvg`) and through
    importlib (`import_module(f"{QT_LIB}.QtOpenGL")`), which PyInstaller cannot see. Every one
    its plotting code reaches (not its examples, OpenGL 3D or Jupyter parts, which the bundle
    excludes) must be in the baseline the spec names as hidden imports."""
    import re

    import pyqtgraph

    root = Path(pyqtgraph.__file__).parent
    excluded = {"examples", "opengl", "jupyter", "multiprocess"}
    wanted = set()
    for path in root.rglob("*.py"):
        if excluded & set(path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8")
        wanted |= set(re.findall(r"QT_LIB\}\.(Qt\w+)", text))
        for names in re.findall(r"from \.+Qt import ([\w, ]+)", text):
            wanted |= {n.strip() for n in names.split(",") if n.strip().startswith("Qt")}
    wanted -= {"QtTest"}  # only pyqtgraph's test helpers import it, lazily
    assert {"QtOpenGL", "QtOpenGLWidgets"} <= wanted  # the scan sees the importlib form
    assert wanted <= bundle_policy.QT_BASELINE, wanted - bundle_policy.QT_BASELINE
