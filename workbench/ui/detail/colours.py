"""Palette-aware highlight colours: readable on light and dark palettes alike.

Colours are mixed from the widget's own palette (Base and Text) with a warning hue, so a dark
palette gets a dark amber and a light one a pale amber. Never the only signal: the cells that
use them also carry an icon and a tooltip.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

_WARN = QColor(255, 170, 0)     # amber
_MISSING = QColor(128, 128, 128)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() * (1 - t) + b.red() * t),
                  round(a.green() * (1 - t) + b.green() * t),
                  round(a.blue() * (1 - t) + b.blue() * t))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def divergent_background(palette: QPalette) -> QColor:
    base = palette.color(QPalette.ColorRole.Base)
    return _mix(base, _WARN, 0.45 if is_dark(palette) else 0.35)


def missing_background(palette: QPalette) -> QColor:
    base = palette.color(QPalette.ColorRole.Base)
    return _mix(base, _MISSING, 0.25)


def muted_text(palette: QPalette) -> QColor:
    return _mix(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text), 0.6)
