#!/bin/sh
# Per-user install of the unpacked .tar.gz (no root): a menu entry, the icon, the .rwb file
# type, and ~/.local/bin/returns-workbench. The program stays where it was unpacked.
#   ./install-user.sh            install        ./install-user.sh --remove    undo
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$data/applications/returns-workbench.desktop" "$data/mime/packages/returns-workbench.xml" \
          "$bin/returns-workbench"
    find "$data/icons/hicolor" -name 'returns-workbench.*' -delete 2>/dev/null || true
    echo "removed the menu entry; the program folder $here is yours to delete"
    exit 0
fi
mkdir -p "$data/applications" "$data/mime/packages" "$bin"
sed "s|^Exec=returns-workbench|Exec=\"$here/returns-workbench\"|" \
    "$here/share/applications/returns-workbench.desktop" > "$data/applications/returns-workbench.desktop"
cp "$here/share/mime/packages/returns-workbench.xml" "$data/mime/packages/"
cp -r "$here/share/icons" "$data/"
ln -sf "$here/returns-workbench" "$bin/returns-workbench"
command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
echo "installed: menu entry 'Returns Reconciliation Workbench', $bin/returns-workbench"
