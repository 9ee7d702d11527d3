"""Light and dark palettes: follow the system, or an explicit choice (View > Theme).

Always Fusion, so a palette looks the same on every platform. "system" reads
QStyleHints.colorScheme() and follows its changes; where the scheme is Unknown (offscreen,
plain X11) it falls back to light. "dark" is an explicit Fusion + dark QPalette.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")

# Divergence / banner colours per effective theme (used by the window, available to the detail)
ACCENTS = {
    "light": {"warning_bg": "#fde2e1", "warning_fg": "#8a1c17", "muted": "#6b7280"},
    "dark": {"warning_bg": "#5c1d1a", "warning_fg": "#ffd7d4", "muted": "#9ca3af"},
}


def dark_palette() -> QPalette:
    p = QPalette()
    window, base, alt, text = QColor(37, 37, 38), QColor(30, 30, 30), QColor(45, 45, 48), QColor(230, 230, 230)
    disabled = QColor(127, 127, 127)
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, alt)
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor(50, 50, 52))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150))
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, alt)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor(255, 90, 90))
    p.setColor(QPalette.ColorRole.Link, QColor(90, 160, 255))
    p.setColor(QPalette.ColorRole.Highlight, QColor(38, 110, 200))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.Light, QColor(70, 70, 72))
    p.setColor(QPalette.ColorRole.Midlight, QColor(60, 60, 62))
    p.setColor(QPalette.ColorRole.Mid, QColor(50, 50, 52))
    p.setColor(QPalette.ColorRole.Dark, QColor(20, 20, 20))
    p.setColor(QPalette.ColorRole.Shadow, QColor(0, 0, 0))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def dark_indicator_css() -> str:
    """Fusion draws check-box frames darker than the window: invisible on a dark base. Give
    the indicators of check boxes and checkable list items a visible frame and tick."""
    from workbench.paths import resource

    tick = resource("icons", "check.svg").as_posix()
    return (
        "QCheckBox::indicator, QAbstractItemView::indicator {"
        " width: 13px; height: 13px; border: 1px solid #a0a0a0; border-radius: 2px; background: #1e1e1e; }"
        "QCheckBox::indicator:checked, QAbstractItemView::indicator:checked {"
        f" background: #2f7bd9; border-color: #6aa6f0; image: url({tick}); }}"
        "QCheckBox::indicator:disabled, QAbstractItemView::indicator:disabled { border-color: #5a5a5a; }"
    )


def light_palette() -> QPalette:
    from PySide6.QtWidgets import QStyleFactory

    style = QStyleFactory.create("Fusion")
    return style.standardPalette()


def system_scheme() -> str:
    """'dark' or 'light' as the platform reports it ('light' when it does not know)."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def effective(mode: str) -> str:
    if mode not in THEMES:
        raise ValueError(f"unknown theme {mode!r} (expected one of {', '.join(THEMES)})")
    return system_scheme() if mode == "system" else mode


class ThemeManager:
    """Applies a theme to the application and re-applies it when the system scheme changes."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.mode = "system"
        app.setStyle("Fusion")
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._system_changed)

    @property
    def effective(self) -> str:
        return effective(self.mode)

    def apply(self, mode: str) -> str:
        name = effective(mode)
        self.mode = mode
        self.app.setPalette(dark_palette() if name == "dark" else light_palette())
        self.app.setStyleSheet(dark_indicator_css() if name == "dark" else "")
        return name

    def _system_changed(self, *_args) -> None:
        if self.mode == "system":
            self.apply("system")

    def accent(self, key: str) -> str:
        return ACCENTS[self.effective][key]
