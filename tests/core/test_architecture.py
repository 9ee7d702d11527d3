"""The core never imports Qt: checked in a fresh interpreter that imports every core module."""

import pkgutil
import subprocess
import sys

import workbench.core


def test_core_imports_no_qt():
    modules = [m.name for m in pkgutil.walk_packages(workbench.core.__path__, "workbench.core.")
               if ".migrations" not in m.name]
    assert len(modules) >= 6
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core pulled in Qt: {out.stdout.strip()}"


def test_ui_is_not_imported_by_core_sources():
    import pathlib

    root = pathlib.Path(workbench.core.__file__).parent
    offenders = [str(p) for p in root.rglob("*.py")
                 if "PySide6" in p.read_text(encoding="utf-8") or "workbench.ui" in p.read_text(encoding="utf-8")]
    assert offenders == []
