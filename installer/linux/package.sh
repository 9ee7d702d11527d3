#!/usr/bin/env bash
# Package a frozen onedir build as a .tar.gz and a .deb (called by build.sh).
#   bash installer/linux/package.sh DIST_DIR ICONS_DIR OUT_DIR
# DIST_DIR is PyInstaller's output folder (holding `workbench` and `_internal/`), ICONS_DIR
# holds app-N.png from tools/render_icons.py. Writes OUT_DIR/returns-workbench-VER-linux-ARCH.tar.gz
# and OUT_DIR/returns-workbench_VER_ARCH.deb.
set -euo pipefail
DIST="$(readlink -f "$1")"; ICONS="$(readlink -f "$2")"; OUT="$(readlink -f "$3")"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STAGE="$ROOT/installer/build/stage"
NAME=returns-workbench

VERSION="$("$DIST/workbench" --version | awk '{print $NF}')"
DEB_ARCH="$(dpkg --print-architecture)"
ARCH="$(uname -m)"
rm -rf "$STAGE"; mkdir -p "$STAGE" "$OUT"

# --- the desktop integration files, laid out as under /usr/share ---------------------------
share_tree() {  # $1 = destination "share" folder
    install -Dm644 "$HERE/$NAME.desktop" "$1/applications/$NAME.desktop"
    install -Dm644 "$HERE/$NAME-mime.xml" "$1/mime/packages/$NAME.xml"
    install -Dm644 "$ROOT/resources/icons/app.svg" "$1/icons/hicolor/scalable/apps/$NAME.svg"
    for png in "$ICONS"/app-*.png; do
        size="$(basename "$png" .png)"; size="${size#app-}"
        install -Dm644 "$png" "$1/icons/hicolor/${size}x${size}/apps/$NAME.png"
    done
}

# --- .tar.gz: unpack anywhere, run ./returns-workbench, optionally ./install-user.sh ----------
TARDIR="$STAGE/$NAME-$VERSION"
mkdir -p "$TARDIR"
cp -al "$DIST" "$TARDIR/app"
install -m755 "$HERE/$NAME" "$TARDIR/$NAME"
install -m755 "$HERE/install-user.sh" "$TARDIR/install-user.sh"
share_tree "$TARDIR/share"
cat > "$TARDIR/README.txt" <<EOF
Returns Reconciliation Workbench $VERSION for Linux ($ARCH, glibc 2.34 or newer)

  ./returns-workbench               open the window
  ./returns-workbench BOOK.rwb      open a workbook
  ./returns-workbench --help        the command line (reconcile, export, verify, ...)
  ./install-user.sh                 add it to your applications menu (no admin rights needed)

Workbooks and settings are kept in ~/.local/share/returns-workbench and
~/.config/returns-workbench, never in this folder. The program makes no network connection
(a team workbook on PostgreSQL is reached only when you give its address).
EOF
TARBALL="$OUT/$NAME-$VERSION-linux-$ARCH.tar.gz"
GZIP_CMD=gzip; command -v pigz >/dev/null && GZIP_CMD=pigz
tar -C "$STAGE" --owner=0 --group=0 -cf - "$NAME-$VERSION" | "$GZIP_CMD" -6 > "$TARBALL"

# --- .deb: /opt/returns-workbench, /usr/bin/returns-workbench, menu entry, icon, file type -------
DEBROOT="$STAGE/deb"
mkdir -p "$DEBROOT/opt/$NAME" "$DEBROOT/usr/bin" "$DEBROOT/DEBIAN"
cp -al "$DIST" "$DEBROOT/opt/$NAME/app"
install -m755 "$HERE/$NAME" "$DEBROOT/opt/$NAME/$NAME"
ln -s "../../opt/$NAME/$NAME" "$DEBROOT/usr/bin/$NAME"
share_tree "$DEBROOT/usr/share"
install -Dm644 /dev/stdin "$DEBROOT/usr/share/doc/$NAME/copyright" <<EOF
Returns Reconciliation Workbench $VERSION. Proprietary.
Bundles Python, Qt 6 (LGPLv3, via PySide6), pandas, NumPy, Apache Arrow, openpyxl,
python-calamine, SQLAlchemy, Alembic, psycopg, platformdirs, tzdata and pyqtgraph under their
own licences, as shipped in the bundle's _internal folder.
EOF

# System libraries the bundle links to but does not carry -> Depends (like dpkg-shlibdeps).
system_depends() {
    local libdirs pkgs=""
    libdirs="$(find "$DIST" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)"
    while read -r lib; do
        pkg="$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null \
               || dpkg -S "/usr$lib" 2>/dev/null || true)"
        pkg="${pkg%%:*}"
        [ -n "$pkg" ] && pkgs="$pkgs $pkg"
    done < <(find "$DIST" -type f \( -name '*.so*' -o -name workbench \) -print0 \
               | LD_LIBRARY_PATH="$libdirs" xargs -0 ldd 2>/dev/null \
               | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v "^$DIST" | sort -u)
    echo "$pkgs" | tr ' ' '\n' | grep -v '^$' | grep -vx 'libc6' | sort -u | paste -sd, | sed 's/,/, /g'
}
DEPENDS="libc6 (>= 2.34)"
EXTRA="$(system_depends)"
[ -n "$EXTRA" ] && DEPENDS="$DEPENDS, $EXTRA"
INSTALLED_KB="$(du -sk --exclude=DEBIAN "$DEBROOT" | cut -f1)"
cat > "$DEBROOT/DEBIAN/control" <<EOF
Package: $NAME
Version: $VERSION
Section: misc
Priority: optional
Architecture: $DEB_ARCH
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Maintainer: Returns Workbench team <workbench@localhost>
Description: Returns Reconciliation Workbench
 Reconcile returns across the returns portal, payment processor, ERP and support
 helpdesk exports; diagnose each broken return, resolve and audit it. A
 self-contained desktop application (Python and Qt bundled), working offline.
EOF
DEB="$OUT/${NAME}_${VERSION}_${DEB_ARCH}.deb"
# zstd: 5 s where xz took over 7 minutes on a busy 2-core machine (122 MB against ~110 MB);
# every dpkg that can run this bundle (glibc 2.34+: Debian 12, Ubuntu 22.04) reads it.
dpkg-deb --root-owner-group -Zzstd --build "$DEBROOT" "$DEB" >/dev/null
echo "package: Depends: $DEPENDS"
echo "package: $TARBALL"
echo "package: $DEB"
