#!/usr/bin/env bash
# Build the Linux installers of the Returns Reconciliation Workbench from a clean clone:
#
#     bash installer/linux/build.sh            (Debian 12 / Ubuntu 22.04 or newer, as root or with sudo)
#
# 1. installs the few system packages the build needs (binutils for PyInstaller; the X11/xcb
#    libraries Qt's xcb plugin links, so the bundle carries them), if missing;
# 2. creates its own build environment installer/build/venv (never the developer's venv):
#    the project with its PostgreSQL extra, PyInstaller, and PySide6-Essentials only;
# 3. renders the icon, freezes with installer/workbench.spec (--onedir);
# 4. packages installer/dist/returns-workbench-VER-linux-ARCH.tar.gz and
#    installer/dist/returns-workbench_VER_ARCH.deb (installer/linux/package.sh);
# 5. prints the build time and the sizes (also written to installer/dist/build-report.txt).
#
# Options: --fresh   recreate the build environment from scratch.
# Env:     PYTHON=python3.11 (the interpreter the build venv is made from; 3.11 or newer).
set -euo pipefail
START=$(date +%s)
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"
BUILD="$ROOT/installer/build"
DIST="$ROOT/installer/dist"
VENV="$BUILD/venv"
PY="${PYTHON:-python3}"

step() { printf '\n== build: %s (%ss)\n' "$1" "$(( $(date +%s) - START ))"; }

step "system packages"
NEED=(binutils libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
      libxcb-image0 libxcb-render-util0 libxcb-randr0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1
      libwayland-client0 libwayland-cursor0 libwayland-egl1
      libgl1 libegl1 libglib2.0-0 libxkbcommon0 libfreetype6 libfontconfig1 libdbus-1-3)
MISSING=()
for pkg in "${NEED[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || MISSING+=("$pkg")
done
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then MISSING+=(python3-venv); fi
if [ ${#MISSING[@]} -gt 0 ]; then
    SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "installing: ${MISSING[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${MISSING[@]}" >/dev/null
fi
"$PY" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' 2>/dev/null \
    || { echo "build: Python 3.11 or newer needed (set PYTHON=...)" >&2; exit 1; }

step "build environment $VENV"
if [ "${1:-}" = "--fresh" ]; then rm -rf "$VENV"; fi
mkdir -p "$BUILD"
if [ ! -x "$VENV/bin/python" ]; then "$PY" -m venv "$VENV"; fi
pip_quiet() {  # pip's warnings go to a log, shown only if it fails
    "$VENV/bin/python" -m pip install -q "$@" >"$BUILD/pip.log" 2>&1 || { cat "$BUILD/pip.log" >&2; exit 1; }
}
pip_quiet --upgrade pip
# The project as a user gets it (not editable), with the team-store driver, and the freezer.
pip_quiet --upgrade '.[postgres]' 'pyinstaller>=6.10,<7'
if "$VENV/bin/python" -m pip show -q PySide6-Addons >/dev/null 2>&1; then
    echo "build: PySide6-Addons is installed in $VENV; it would drag QtQml/QtQuick/QtPdf plugins" \
         "into the bundle. Run with --fresh." >&2
    exit 1
fi

step "icons"
ICON_SVG="$ROOT/resources/icons/app.svg"
[ -f "$ICON_SVG" ] || { echo "build: $ICON_SVG missing" >&2; exit 1; }
QT_QPA_PLATFORM=offscreen "$VENV/bin/python" installer/tools/render_icons.py "$ICON_SVG" "$BUILD/icons" >/dev/null

step "freeze (PyInstaller --onedir)"
FREEZE_START=$(date +%s)
rm -rf "$DIST"
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$BUILD/work" installer/workbench.spec 2>&1 \
    | grep -v -e 'Hidden import .* not found' -e 'required via ctypes not found' -e 'libqgtk3.so' || true
[ -x "$DIST/returns-workbench/workbench" ] || { echo "build: freezing failed" >&2; exit 1; }
FREEZE_SECONDS=$(( $(date +%s) - FREEZE_START ))
# The interpreter's own library keeps its symbol table (23 MB -> 6 MB stripped). Only it: the
# wheels' libraries were rewritten by auditwheel/patchelf, which strip can corrupt.
strip --strip-unneeded "$DIST"/returns-workbench/_internal/libpython3*.so.* 2>/dev/null || true

step "package (.tar.gz, .deb)"
bash installer/linux/package.sh "$DIST/returns-workbench" "$BUILD/icons" "$DIST"

TOTAL_SECONDS=$(( $(date +%s) - START ))
size_mb() { du -sm "$1" | cut -f1; }
TARBALL="$(ls "$DIST"/returns-workbench-*-linux-*.tar.gz)"
DEB="$(ls "$DIST"/returns-workbench_*.deb)"
{
    echo "build time:    ${TOTAL_SECONDS} s (freeze ${FREEZE_SECONDS} s)"
    echo "onedir:        $(size_mb "$DIST/returns-workbench") MB  $DIST/returns-workbench"
    echo "tar.gz:        $(size_mb "$TARBALL") MB  $TARBALL"
    echo "deb:           $(size_mb "$DEB") MB  $DEB"
    echo "largest parts: $(cd "$DIST/returns-workbench/_internal" && du -sm -- * | sort -rn | head -5 \
                             | awk '{printf "%s %s MB; ", $2, $1}')"
} | tee "$DIST/build-report.txt"
