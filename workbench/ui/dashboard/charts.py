"""The dashboard's charts (pyqtgraph: pure Python + numpy, works with PySide6-Essentials and
draws 200k points offscreen in about 0.1 s). Each chart can save itself as a PNG."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

# colour-blind-safe palette (Okabe-Ito + greys), one per symptom in a fixed order
SERIES_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                  "#000000", "#999999", "#882255", "#44AA99")
LINE_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DotLine, Qt.PenStyle.DashDotLine)


class Chart(QWidget):
    """A titled pyqtgraph plot that follows the application palette."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setTitle(title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.setMinimumHeight(220)
        self.apply_palette()

    def apply_palette(self) -> None:
        pal = QApplication.instance().palette()
        bg, fg = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self.plot.setBackground(bg)
        self.plot.setTitle(self.title, color=fg.name())
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(fg)
            axis.setTextPen(fg)

    def save_png(self, path: str) -> bool:
        return self.grab().save(path, "PNG")

    def clear(self) -> None:
        self.plot.clear()
        if self.plot.plotItem.legend is not None:
            self.plot.plotItem.legend.clear()


class RateChart(Chart):
    """Mismatch rate by symptom over time (% of returns, per week)."""

    def __init__(self, parent=None) -> None:
        super().__init__("Mismatch rate by symptom (% of returns, by week)", parent)
        self.plot.setLabel("left", "% of returns")
        self.plot.addLegend(offset=(10, 5), labelTextSize="8pt")
        self.series: dict[str, pg.PlotDataItem] = {}

    def set_data(self, rates) -> None:
        self.clear()
        self.series = {}
        if rates is None or rates.empty:
            return
        x = np.arange(len(rates.index))
        ticks = [(i, ts.strftime("%m-%d")) for i, ts in enumerate(rates.index)]
        step = max(1, len(ticks) // 10)
        self.plot.getAxis("bottom").setTicks([ticks[::step]])
        for i, symptom in enumerate(rates.columns):
            pen = pg.mkPen(SERIES_COLOURS[i % len(SERIES_COLOURS)], width=2, style=LINE_STYLES[i % len(LINE_STYLES)])
            self.series[symptom] = self.plot.plot(x, rates[symptom].to_numpy(dtype=float), pen=pen,
                                                  name=symptom, symbol="o", symbolSize=4)


class BoundaryChart(Chart):
    """Cases per handoff boundary (horizontal bars, labelled with the numbers)."""

    def __init__(self, parent=None) -> None:
        super().__init__("Cases by handoff boundary", parent)
        self.plot.setLabel("bottom", "cases")
        self.bars: pg.BarGraphItem | None = None

    def set_data(self, by_boundary: dict[str, int]) -> None:
        self.clear()
        items = sorted(by_boundary.items(), key=lambda kv: kv[1])
        if not items:
            return
        y = np.arange(len(items))
        widths = np.array([n for _, n in items], dtype=float)
        self.bars = pg.BarGraphItem(x0=0, y=y, height=0.6, width=widths, brush=SERIES_COLOURS[4])
        self.plot.addItem(self.bars)
        axis = self.plot.getAxis("left")
        axis.setTicks([[(i, name) for i, (name, _) in enumerate(items)]])
        longest = max(len(name) for name, _ in items)
        axis.setWidth(min(260, 12 + 7 * longest))
        fg = QApplication.instance().palette().color(QPalette.ColorRole.Text)
        for i, (_, n) in enumerate(items):
            label = pg.TextItem(str(n), color=fg, anchor=(0, 0.5))
            label.setPos(float(n), float(i))
            self.plot.addItem(label)


class LagChart(Chart):
    """Histogram of hours from portal approval to one downstream leg, latency window marked."""

    def __init__(self, leg: str, parent=None) -> None:
        super().__init__(f"Lag: {leg} (hours)", parent)
        self.leg = leg
        self.plot.setLabel("left", "returns")
        self.plot.setLabel("bottom", "hours after approval")
        self.window_line: pg.InfiniteLine | None = None

    def set_data(self, stats, window_hours: int) -> None:
        self.clear()
        if stats is None:
            return
        starts = np.array([b for b, _ in stats.histogram], dtype=float)
        counts = np.array([c for _, c in stats.histogram], dtype=float)
        width = (starts[1] - starts[0]) if len(starts) > 1 else 6.0
        self.plot.addItem(pg.BarGraphItem(x0=starts, height=counts, width=width * 0.9, brush=SERIES_COLOURS[1]))
        self.window_line = pg.InfiniteLine(pos=window_hours, angle=90,
                                           pen=pg.mkPen(QColor("#D55E00"), width=2, style=Qt.PenStyle.DashLine),
                                           label=f"latency window {window_hours} h", labelOpts={"position": 0.9})
        self.plot.addItem(self.window_line)
        self.plot.setTitle(f"Lag: {self.leg} - median {stats.p50_hours:.0f} h, p90 {stats.p90_hours:.0f} h, "
                           f"{stats.consistency}",
                           color=QApplication.instance().palette().color(QPalette.ColorRole.Text).name())
