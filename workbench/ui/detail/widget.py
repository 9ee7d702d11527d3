"""CaseDetailWidget: the side-by-side table above, tabs below (timeline, diagnosis, raw rows,
history). `show_case(id)` reads the case with `load_case_detail` (a handful of indexed
queries, well under 50 ms) and shows it; `show_detail(detail)` shows an already loaded one."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QFont, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.money import format_money
from workbench.core.queries.case_detail import CaseDetail, load_case_detail
from workbench.ui.detail.diagnosis_panel import DiagnosisPanel
from workbench.ui.detail.divergence import FIELDS
from workbench.ui.detail.history import HistoryView
from workbench.ui.detail.raw_rows import RawRowsView
from workbench.ui.detail.side_by_side_model import SideBySideModel
from workbench.ui.detail.timeline import TimelineView


class CaseDetailWidget(QWidget):
    """Shows one case. Emits `case_shown(case_id or None)` after each change."""

    case_shown = Signal(object)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._workbook = None
        self._detail: CaseDetail | None = None

        self.header = QLabel(self)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = SideBySideModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("sideBySide")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # one line per field: a fixed row height (ResizeToContents would size every cell on each case)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)

        copy = QAction("Copy", self.table)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.table.addAction(copy)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self.timeline = TimelineView(self)
        self.diagnosis = DiagnosisPanel(self)
        self.raw_rows = RawRowsView(self)
        self.history = HistoryView(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.diagnosis, "Diagnosis")
        self.tabs.addTab(self.timeline, "Timeline")
        self.tabs.addTab(self.raw_rows, "Raw rows")
        self.tabs.addTab(self.history, "History")

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(splitter, 1)
        self._show(None)

    # --- public API ---------------------------------------------------------------------
    def set_workbook(self, workbook) -> None:
        self._workbook = workbook
        self.show_case(None)

    def show_case(self, case_id: int | None) -> None:
        if case_id is None or self._workbook is None:
            self._show(None)
            return
        try:
            detail = load_case_detail(self._workbook, int(case_id))
        except WorkbenchError as exc:
            self._show(None, message=str(exc))
            return
        self._show(detail, message=None if detail else f"Case {case_id} no longer exists.")

    def show_detail(self, detail: CaseDetail | None) -> None:
        self._show(detail)

    def refresh(self) -> None:
        """Re-read the shown case (after a change that touched it)."""
        self.show_case(self._detail.case.id if self._detail else None)

    def detail(self) -> CaseDetail | None:
        return self._detail

    def current_case_id(self) -> int | None:
        return self._detail.case.id if self._detail else None

    def copy_selection(self) -> str:
        """Copy the selected side-by-side cells as tab-separated text (field label first)."""
        indexes = self.table.selectionModel().selectedIndexes() if self.table.selectionModel() else []
        if not indexes:
            return ""
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes})
        chosen = {(i.row(), i.column()) for i in indexes}
        lines = ["\t".join([""] + [str(self.model.headerData(c, Qt.Orientation.Horizontal)) for c in cols])]
        for r in rows:
            cells = [str(self.model.index(r, c).data() or "") if (r, c) in chosen else "" for c in cols]
            lines.append("\t".join([FIELDS[r][1]] + cells))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def divergent_cells(self) -> set[tuple[str, str]]:
        """(field, column key) of the highlighted cells; see side_by_side_model for the keys."""
        return self.model.divergent_cells()

    # --- rendering ----------------------------------------------------------------------
    def _show(self, detail: CaseDetail | None, message: str | None = None) -> None:
        self._detail = detail
        self.model.set_palette(self.palette())
        self.model.set_detail(detail)
        self.header.setText(self._header_html(detail, message))
        self.timeline.set_detail(detail)
        self.diagnosis.set_detail(detail)
        self.raw_rows.set_detail(detail)
        self.history.set_detail(detail)
        if detail is not None:
            self._fit_columns()
        self.case_shown.emit(detail.case.id if detail else None)

    def _fit_columns(self, cap: int = 230) -> None:
        """Column widths from the texts (cheaper than resizeColumnsToContents, which asks the
        model for every role of every cell)."""
        metrics = self.table.fontMetrics()
        bold = QFont(self.table.font())
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)
        divergent = self.model.divergent_cells()
        keys = self.model.column_keys()
        for col, key in enumerate(keys):
            header = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            width = metrics.horizontalAdvance(header) + 40
            for row, (field, _label) in enumerate(FIELDS):
                if field in ("source", "repaired"):     # long; elided, full text in the tooltip
                    continue
                text = str(self.model.index(row, col).data() or "")
                fm = bold_metrics if (field, key) in divergent else metrics
                width = max(width, fm.horizontalAdvance(text) + (36 if (field, key) in divergent else 14))
            self.table.setColumnWidth(col, min(width, cap))

    @staticmethod
    def _header_html(detail: CaseDetail | None, message: str | None) -> str:
        if detail is None:
            return f"<i>{escape(message or 'Select a case to see its records side by side.')}</i>"
        c = detail.case
        symptoms = ", ".join(c.symptoms) if c.symptoms else "clean"
        bits = [f"<b>Case {c.id}</b> &nbsp;{escape(c.case_key)}",
                f"status <b>{escape(c.status)}</b>"]
        if c.assignee:
            bits.append(f"assigned to {escape(c.assignee)}")
        if c.amount_minor is not None:
            bits.append(escape(format_money(c.amount_minor, c.currency)))
        if c.period:
            bits.append(f"period {escape(c.period)}")
        bits.append(f"times in {escape(detail.timezone)}")
        line2 = f"Symptoms: <b>{escape(symptoms)}</b>"
        if c.boundary:
            line2 += f" &nbsp;|&nbsp; boundary: {escape(c.boundary)}"
        if c.scope:
            line2 += f" &nbsp;|&nbsp; scope: {escape(c.scope)}"
        if c.source_changed:
            line2 += " &nbsp;|&nbsp; <b>source data changed after case work</b>"
        if not c.is_active:
            line2 += " &nbsp;|&nbsp; <i>inactive: no record links to this case any more</i>"
        return " &nbsp;&middot;&nbsp; ".join(bits) + "<br>" + line2

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_palette(self.palette())
        super().changeEvent(event)
