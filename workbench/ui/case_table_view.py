"""The case table view: row selection, column chooser (header context menu), copy as TSV."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from workbench.ui.case_table_model import CaseIdRole, CaseTableModel


# default widths (px at 100 %) so the useful columns fit beside the detail
_WIDTHS = {"case_key": 120, "status": 70, "symptoms": 150, "boundary": 150, "order_ref": 70,
           "customer": 190, "systems_present": 150, "assignee": 90, "tags": 90}


class CaseTableView(QTableView):
    currentCaseChanged = Signal(object)   # case id or None
    rowsPainted = Signal()                # the visible rows were just painted (there are rows)

    def __init__(self, model: CaseTableModel, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("caseTable")
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSortingEnabled(False)   # the header click is handled below: SQL sort, no proxy
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)   # uniform rows: no per-row sizing
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        vh.hide()
        hh = self.horizontalHeader()
        hh.setSectionsMovable(True)
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setHighlightSections(False)
        hh.setStretchLastSection(True)
        hh.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        hh.customContextMenuRequested.connect(self._column_menu)
        hh.sectionClicked.connect(self._header_clicked)
        for i, col in enumerate(model.columns):
            self.setColumnHidden(i, not col.visible)
            hh.resizeSection(i, _WIDTHS.get(col.key, {"money": 110, "time": 125, "int": 60}.get(col.kind, 120)))
        self._model = model
        self._sort_key, self._descending = "first_event_at", False
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if self._model.rowCount():
            self.rowsPainted.emit()

    # --- sort -------------------------------------------------------------------------------
    def show_sort(self, key: str, descending: bool) -> None:
        self._sort_key, self._descending = key, descending
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        hh = self.horizontalHeader()
        hh.blockSignals(True)
        hh.setSortIndicator(self._model.column_of(key), order)
        hh.blockSignals(False)

    def _header_clicked(self, section: int) -> None:
        col = self._model.columns[section]
        if not col.sortable:
            self.show_sort(self._sort_key, self._descending)
            return
        descending = (not self._descending) if col.key == self._sort_key else False
        self.show_sort(col.key, descending)
        self._model.sort(section, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)

    # --- column chooser ---------------------------------------------------------------------
    def column_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("columnChooser")
        for i, col in enumerate(self._model.columns):
            action = QAction(col.title, menu)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(i))
            action.setData(col.key)
            action.toggled.connect(lambda on, i=i: self.set_column_visible(i, on))
            menu.addAction(action)
        return menu

    def _column_menu(self, pos) -> None:
        self.column_menu().exec(self.horizontalHeader().mapToGlobal(pos))

    def set_column_visible(self, section: int, visible: bool) -> None:
        if not visible and sum(not self.isColumnHidden(i) for i in range(self._model.columnCount())) <= 1:
            return   # keep at least one column
        self.setColumnHidden(section, not visible)

    # --- current case -----------------------------------------------------------------------
    def _current_changed(self, current, _previous) -> None:
        self.currentCaseChanged.emit(current.data(CaseIdRole) if current.isValid() else None)

    def current_case_id(self) -> int | None:
        index = self.currentIndex()
        return index.data(CaseIdRole) if index.isValid() else None

    def select_row(self, row: int) -> None:
        if not (0 <= row < self._model.rowCount()):
            return
        column = next((i for i in range(self._model.columnCount()) if not self.isColumnHidden(i)), 0)
        index = self._model.index(row, column)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(index)

    def select_case(self, case_id: int) -> bool:
        row = self._model.row_of(case_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def move(self, step: int) -> None:
        """Next (+1) / previous (-1) case."""
        row = self.currentIndex().row() if self.currentIndex().isValid() else -1
        target = 0 if row < 0 else row + step
        if target >= self._model.rowCount() and self._model.canFetchMore():
            self._model.fetchMore()
        self.select_row(max(0, min(target, self._model.rowCount() - 1)))

    def selected_case_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        return [self._model.case_id(r) for r in rows if self._model.case_id(r) is not None]

    # --- copy -------------------------------------------------------------------------------
    def selection_as_tsv(self) -> str:
        """Selected cells as tab-separated text, in view column order; whole rows get a header."""
        indexes = [i for i in self.selectionModel().selectedIndexes() if not self.isColumnHidden(i.column())]
        if not indexes:
            return ""
        hh = self.horizontalHeader()
        rows = sorted({i.row() for i in indexes})
        cols = sorted({i.column() for i in indexes}, key=hh.visualIndex)
        chosen = {(i.row(), i.column()) for i in indexes}

        def clean(text) -> str:
            return "" if text is None else str(text).replace("\t", " ").replace("\n", " ")

        lines = []
        visible = [c for c in range(self._model.columnCount()) if not self.isColumnHidden(c)]
        if self.selectionModel().selectedRows() and len(cols) == len(visible):
            lines.append("\t".join(clean(self._model.headerData(c, Qt.Orientation.Horizontal)) for c in cols))
        for r in rows:
            lines.append("\t".join(
                clean(self._model.index(r, c).data()) if (r, c) in chosen else "" for c in cols))
        return "\n".join(lines)

    def copy_selection(self) -> str:
        text = self.selection_as_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)
        return text
