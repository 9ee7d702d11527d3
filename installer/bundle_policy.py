"""What goes into the frozen workbench and what is kept out: one place, read by the
PyInstaller spec (installer/workbench.spec) and checked by tests/installer/.

Plain Python (no PyInstaller import) so the tests can run it without a build.

* Qt modules: the bundle carries only the PySide6 modules the workbench's own code imports
  (found by scanning its source), plus what pyqtgraph needs; every other PySide6 module is
  excluded, so nothing pulls QtQml/QtQuick/QtPdf/QtWebEngine/Qt3D/... in behind our back.
* Qt plugins and libraries: the PySide6 hooks collect whole plugin folders; the ones a
  desktop workbench never loads (and that drag in Qml, Quick, Pdf, VirtualKeyboard,
  networking) are dropped from the table of contents before it is written.
* Python packages: test, notebook and other-binding packages that optional imports reach.
"""

from __future__ import annotations

import ast
import posixpath
import re
from pathlib import Path
from typing import Iterable

# pyqtgraph imports these at module level: Qt/__init__.py, exporters/SVGExporter.py, and
# (through importlib, invisible to PyInstaller) Qt/OpenGLHelpers.py, which PlotCurveItem
# imports: QtOpenGL and QtOpenGLWidgets. The spec lists them all as hidden imports.
QT_BASELINE = frozenset({"QtCore", "QtGui", "QtWidgets", "QtSvg", "QtOpenGL", "QtOpenGLWidgets"})

# Python packages optional imports reach that a finance desktop app never needs.
PYTHON_EXCLUDES = (
    "tkinter", "_tkinter", "matplotlib", "IPython", "ipykernel", "jupyter_client", "notebook",
    "pytest", "_pytest", "pytestqt", "hypothesis", "scipy", "numba", "PyQt5", "PyQt6",
    "PySide2", "pandas.tests", "numpy.tests", "numpy.f2py", "pyarrow.tests",
    "pyarrow.flight", "pyarrow._flight", "pyarrow.substrait", "pyarrow._substrait",
    "pyarrow.cuda", "pyarrow._cuda", "pyarrow.gandiva", "pyarrow._s3fs", "pyarrow._gcsfs",
    "pyarrow._azurefs", "pyarrow._hdfs", "pyqtgraph.examples", "pyqtgraph.opengl",
    "pyqtgraph.jupyter", "sqlalchemy.testing", "alembic.testing", "psycopg_pool",
    "setuptools", "pkg_resources", "distutils", "lib2to3", "pydoc_data", "xmlrpc",
)

# Plugin folders (under PySide6/Qt/plugins/) dropped entirely.
DROP_PLUGIN_DIRS = frozenset({
    "designer", "qmltooling", "sqldrivers", "tls", "networkinformation", "generic",
    "egldeviceintegrations", "vectorimageformats", "wayland-graphics-integration-server",
    "multimedia", "position", "sensors", "texttospeech", "webview", "renderers",
    "sceneparsers", "geometryloaders", "renderplugins", "canbus", "qmllint", "scxmldatamodel",
})

# Individual plugins dropped (file stem without the lib prefix / platform suffix).
DROP_PLUGINS = frozenset({
    # platforms: keep xcb, wayland, offscreen, minimal (and cocoa/windows elsewhere)
    "qeglfs", "qlinuxfb", "qminimalegl", "qvkkhrdisplay", "qvnc",
    # image formats nobody imports into a returns workbook; qpdf would pull QtPdf in
    "qpdf", "qtiff", "qtga", "qwbmp", "qwebp",
    # the virtual keyboard input context is a QtQuick application
    "qtvirtualkeyboardplugin",
    # the GTK3 theme links GTK, cairo, pango and glib: bundling the build machine's copies
    # next to the user's own GTK is a classic crash; the xdg-desktop-portal theme stays
    "qgtk3",
})

# pyarrow parts a returns workbench never touches: Arrow Flight (network RPC), S3, headers.
_DROP_PYARROW = re.compile(r"pyarrow[/\\](?:include[/\\]|libarrow(?:_python)?_flight|libarrow_s3|_flight|_s3fs"
                           r"|_gcsfs|_azurefs|_hdfs|_substrait|gandiva|_cuda)")
# the wheel stores libX.so, libX.so.N and libX.so.N.M.P as three copies: keep the soname.
_UNVERSIONED_OR_FULL = re.compile(r"pyarrow[/\\](lib[\w]+)\.so(?:\.\d+\.\d+\.\d+)?$")

# Qt libraries (Linux libQt6X.so.6, Windows Qt6X.dll, macOS QtX.framework) of modules the
# workbench does not use; one is kept if the code imports PySide6.QtX (see prune()).
QT_LIBS_UNUSED = (
    "Qml", "Quick", "Pdf", "VirtualKeyboard", "WebEngine", "WebChannel", "WebSockets", "WebView",
    "3D", "Multimedia", "SpatialAudio", "Charts", "DataVisualization", "Graphs", "Designer",
    "Help", "Location", "Positioning", "Sensors", "SerialPort", "SerialBus", "Bluetooth", "Nfc",
    "RemoteObjects", "Scxml", "TextToSpeech", "Test", "Sql", "ShaderTools", "Lottie",
    "HttpServer", "NetworkAuth", "Concurrent", "StateMachine", "UiTools", "Labs",
    "WaylandCompositor", "Network", "EglFS", "EglFsKms",
)

_PLUGIN_PATH = re.compile(r"PySide6[/\\](?:Qt[/\\])?plugins[/\\]([^/\\]+)[/\\]([^/\\]+)$")
_TRANSLATION = re.compile(r"PySide6[/\\](?:Qt[/\\])?translations[/\\]([^/\\]+)\.qm$")
# Qt's catalogues for the modules we ship: qt_de.qm (the meta catalogue) and qtbase_de.qm.
_KEPT_TRANSLATION = re.compile(r"qt(?:base)?_[a-z]{2,3}(?:_[A-Za-z]{2,4})?$")


def qt_modules_used(source_dir: Path | str) -> set[str]:
    """Names such as 'QtWidgets' of every PySide6 module imported under source_dir."""
    used: set[str] = set()
    for path in Path(source_dir).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                if node.module == "PySide6":
                    names += [f"PySide6.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "PySide6" and len(parts) > 1 and parts[1].startswith("Qt"):
                    used.add(parts[1])
    return used


def source_modules(root: Path | str, package: str) -> list[str]:
    """Dotted names of every module of `package` under root, from its .py files (migration
    scripts excepted: Alembic loads them from the files shipped as data)."""
    root = Path(root)
    names = []
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if "migrations" in parts or "__pycache__" in parts or parts[-1] == "__main__":
            continue
        names.append(".".join(parts))
    return names


def qt_modules_available(pyside6_dir: Path | str) -> set[str]:
    """The PySide6 binding modules installed (QtCore.abi3.so, QtCore.pyd, ...)."""
    found = set()
    for path in Path(pyside6_dir).iterdir():
        name = path.name.split(".", 1)[0]
        if name.startswith("Qt") and path.suffix in {".so", ".pyd"}:
            found.add(name)
    return found


def qt_excludes(available: Iterable[str], used: Iterable[str]) -> list[str]:
    """PySide6 modules to exclude: everything installed that neither we nor pyqtgraph use."""
    keep = set(used) | QT_BASELINE
    return sorted(f"PySide6.{name}" for name in set(available) - keep)


def qt_lib_pattern(qt_used: Iterable[str] = ()) -> re.Pattern:
    """Matches a path component naming a Qt library of a module not in qt_used."""
    used = set(qt_used)
    names = [n for n in QT_LIBS_UNUSED if f"Qt{n}" not in used]
    return re.compile(r"^(?:lib)?Qt6?(?:%s)\w*(?:\.framework$|\.so|\.dll$|\.dylib$)" % "|".join(names)
                      + r"|^libpyside6qml")


_DEFAULT_QT_LIBS = qt_lib_pattern()


def keep_entry(dest: str, drop_qt_libs: re.Pattern = _DEFAULT_QT_LIBS) -> bool:
    """False for a bundled file (its destination path in the bundle) the app never loads."""
    plugin = _PLUGIN_PATH.search(dest)
    if plugin:
        folder, filename = plugin.groups()
        if folder in DROP_PLUGIN_DIRS:
            return False
        stem = filename.split(".", 1)[0]
        stem = stem[3:] if stem.startswith("lib") else stem
        return stem not in DROP_PLUGINS
    translation = _TRANSLATION.search(dest)
    if translation:
        return bool(_KEPT_TRANSLATION.match(translation.group(1)))
    if _DROP_PYARROW.search(dest) or _UNVERSIONED_OR_FULL.search(dest):
        return False
    return not any(drop_qt_libs.match(part) for part in re.split(r"[/\\]", dest))


def prune(toc: Iterable[tuple], qt_used: Iterable[str] = ()) -> list[tuple]:
    """A PyInstaller TOC (dest, source, kind) without the entries keep_entry() refuses; Qt
    libraries of the modules in qt_used stay. A SYMLINK entry (source = its target, relative
    to the link) goes with its target."""
    pattern = qt_lib_pattern(qt_used)
    return [entry for entry in toc if keep_entry(entry[0], pattern)
            and (entry[2] != "SYMLINK" or keep_entry(_link_target(entry), pattern))]


def _link_target(entry: tuple) -> str:
    parent = re.split(r"[/\\]", entry[0])[:-1]
    return posixpath.normpath("/".join([*parent, str(entry[1]).replace("\\", "/")]))


def _is_plain_library(dest: str) -> bool:
    """A shared library only the dynamic linker loads (not a Python extension, not a plugin):
    one PyInstaller put at the top of the bundle or among the Qt libraries."""
    parts = re.split(r"[/\\]", dest)
    name = parts[-1]
    if not re.match(r"lib.+\.so(\.\d+)*$", name) or name.startswith("libpython"):
        return False
    return len(parts) == 1 or parts[:3] == ["PySide6", "Qt", "lib"]


def drop_orphan_libraries(binaries: list[tuple], needed) -> list[tuple]:
    """Drop plain libraries nothing left in the bundle links to (ELF platforms).

    After plugins are pruned, the libraries they alone pulled in (GTK's cairo and pango, Qt's
    EGLFS support) are still listed; this follows the link-time dependencies, `needed(src)`
    giving the library names a binary links to, from every extension module, plugin and
    program, and keeps only the plain libraries reached."""
    files = [e for e in binaries if e[2] != "SYMLINK"]
    by_name = {_basename(e[0]): e for e in files if _is_plain_library(e[0])}
    reached: set[str] = set()
    queue = [e for e in files if not _is_plain_library(e[0])]
    while queue:
        entry = queue.pop()
        for name in needed(entry[1]):
            if name in by_name and name not in reached:
                reached.add(name)
                queue.append(by_name[name])
    kept = [e for e in files if not _is_plain_library(e[0]) or _basename(e[0]) in reached]
    all_dests = {e[0].replace("\\", "/") for e in files}
    kept_dests = {e[0].replace("\\", "/") for e in kept}
    # a link goes with its target; a link to something outside this list is not ours to judge
    links = [e for e in binaries if e[2] == "SYMLINK"
             and (_link_target(e) in kept_dests or _link_target(e) not in all_dests)]
    return kept + links


def _basename(dest: str) -> str:
    return re.split(r"[/\\]", dest)[-1]
