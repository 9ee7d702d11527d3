#!/usr/bin/env bash
# Build the macOS app bundle and disk image of the Returns Reconciliation Workbench
# (on macOS 12 or newer, Xcode command line tools, Python 3.11 from python.org or Homebrew):
#
#     bash installer/macos/build.sh
#
# Output: installer/dist/Returns Workbench.app and installer/dist/returns-workbench-VER-macos-ARCH.dmg
# The bundle is built for the machine's own architecture (arm64 or x86_64): build once on each.
# NOT run on this project's Linux machines: see installer/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=installer/build/venv-mac
PY="${PYTHON:-python3.11}"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
# Pillow only lets PyInstaller turn the PNG icon into an .icns; it is not bundled.
"$VENV/bin/python" -m pip install -q --upgrade '.[postgres]' 'pyinstaller>=6.10,<7' pillow
if "$VENV/bin/python" -m pip show -q PySide6-Addons >/dev/null 2>&1; then
    echo "PySide6-Addons is installed in $VENV: recreate it (Essentials only)" >&2; exit 1
fi
QT_QPA_PLATFORM=offscreen "$VENV/bin/python" installer/tools/render_icons.py resources/icons/app.svg installer/build/icons
export WORKBENCH_ICON="$PWD/installer/build/icons/app-512.png"
"$VENV/bin/pyinstaller" --noconfirm --clean --distpath installer/dist --workpath installer/build/work \
    installer/workbench.spec

APP="installer/dist/Returns Workbench.app"
VERSION="$("$APP/Contents/MacOS/workbench" --version | awk '{print $NF}')"
# Ad-hoc signature so Apple silicon runs it; for distribution sign with a Developer ID and
# notarize instead (see installer/README.md).
codesign --force --deep --sign - "$APP"

STAGE=installer/build/dmg
rm -rf "$STAGE"; mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="installer/dist/returns-workbench-$VERSION-macos-$(uname -m).dmg"
hdiutil create -volname "Returns Workbench $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
du -sh "$APP" "$DMG"
