"""The case table model: holds only the ordered case ids; fetches rows lazily, a page at a time.

Filtering and sorting happen in SQL (workbench.core.queries.case_list). The model is reset with
the new id list; `data()` fetches the page (PAGE_SIZE ids, one `SELECT ... WHERE id IN (...)`)
that holds a row the first time the row is shown, and caches it. After a change the window
calls `mark_stale(case_ids)`: those rows are dropped from the cache and re-read when shown.
`flags()` never reads rows, so select-all does not load the table. No QSortFilterProxyModel:
a header click asks the window (signal `sortRequested`) to re-run the SQL.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from workbench.core.canonical import SYSTEM_LABELS
from workbench.core.money import format_money
from workbench.core.queries.case_list import COLUMNS, PAGE_SIZE, Column, fetch_rows
from workbench.core.timeutil import format_business

RawRole = Qt.ItemDataRole.UserRole            # the raw value: int minor units, aware UTC datetime, str
CaseIdRole = Qt.ItemDataRole.UserRole + 1     # the case id of the row (never fetches)
ColumnKeyRole = Qt.ItemDataRole.UserRole + 2  # header: the column key

_Index = QModelIndex | QPersistentModelIndex
ID_CHUNK = 10_000   # ids loaded per step of a long list (a LIMIT/OFFSET query)
FIRST_CHUNK = 200   # ids of the first step: a few screenfuls, cheap to find (core/queries/index_walk.py)
_CURRENCY_FIELD = "currency"


def _symptom_text(codes: str) -> str:
    return ", ".join(c.replace("_", " ") for c in codes.split(";") if c)


def _systems_text(value: str) -> str:
    return ", ".join(SYSTEM_LABELS.get(s, s) for s in value.split(";") if s)


class CaseTableModel(QAbstractTableModel):
    sortRequested = Signal(str, bool)   # column key, descending

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._workbook = None
        self._timezone = "UTC"
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._cache: dict[int, dict[str, Any]] = {}
        self._columns: tuple[Column, ...] = COLUMNS
        self._more: Callable[[int, int], list[int]] | None = None
        self.chunk = ID_CHUNK
        self.first_chunk_size = FIRST_CHUNK
        self.fetches = 0   # number of page reads (tests and benchmarks look at it)

    # --- setup ------------------------------------------------------------------------------
    def set_workbook(self, workbook, timezone: str = "UTC") -> None:
        self.beginResetModel()
        self._workbook = workbook
        self._timezone = timezone
        self._ids = []
        self._row_of = None
        self._more = None
        self._cache.clear()
        self.endResetModel()

    def set_timezone(self, timezone: str) -> None:
        self._timezone = timezone
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(self._columns) - 1))

    @property
    def first_chunk(self) -> int:
        """How many ids the first query of a list asks for (at most one chunk)."""
        return min(self.first_chunk_size, self.chunk)

    def set_ids(self, ids: list[int], more: Callable[[int, int], list[int]] | None = None,
                requested: int | None = None) -> None:
        """Show these cases in this order (the result of a filter/sort query).

        `more(offset, n)`, if given, returns the next ids of the same query: the list is then
        loaded a chunk at a time (canFetchMore/fetchMore, as the view scrolls), so a million
        matching cases cost one chunk up front. Without it, `ids` is the whole list.
        `requested`: how many ids the query asked for (default one chunk); fewer means the
        list is complete."""
        self.beginResetModel()
        self._ids = list(ids)
        self._row_of = None
        self._cache.clear()
        wanted = self.chunk if requested is None else requested
        self._more = more if (more is not None and len(self._ids) >= wanted) else None
        self.endResetModel()

    @property
    def complete(self) -> bool:
        """True once every id of the query is loaded (rowCount is then the total)."""
        return self._more is None

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self._more is not None

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: N802 - Qt API
        if parent.isValid() or self._more is None:
            return
        new = self._more(len(self._ids), self.chunk)
        if len(new) < self.chunk:
            self._more = None
        if new:
            first = len(self._ids)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._ids.extend(new)
            if self._row_of is not None:
                self._row_of.update((cid, first + i) for i, cid in enumerate(new))
            self.endInsertRows()

    @property
    def ids(self) -> list[int]:
        return self._ids

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def column_of(self, key: str) -> int:
        for i, col in enumerate(self._columns):
            if col.key == key:
                return i
        raise KeyError(key)

    def row_of(self, case_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {cid: r for r, cid in enumerate(self._ids)}
        return self._row_of.get(case_id)

    def case_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def mark_stale(self, case_ids: Iterable[int]) -> None:
        """These cases changed: drop them from the cache and tell the views."""
        last = len(self._columns) - 1
        for case_id in case_ids:
            self._cache.pop(case_id, None)
            row = self.row_of(case_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def is_cached(self, case_id: int) -> bool:
        return case_id in self._cache

    # --- lazy rows --------------------------------------------------------------------------
    def row_data(self, row: int) -> dict[str, Any] | None:
        case_id = self.case_id(row)
        if case_id is None or self._workbook is None:
            return None
        data = self._cache.get(case_id)
        if data is None:
            self._fetch_page(row)
            data = self._cache.get(case_id)
        return data

    def _fetch_page(self, row: int) -> None:
        start = (row // PAGE_SIZE) * PAGE_SIZE
        page = [cid for cid in self._ids[start:start + PAGE_SIZE] if cid not in self._cache]
        if not page:
            return
        rows = fetch_rows(self._workbook, page)
        self.fetches += 1
        self._cache.update(rows)
        for cid in page:          # a case deleted meanwhile: show an empty row, do not refetch
            self._cache.setdefault(cid, {})

    # --- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            col = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.title
            if role == ColumnKeyRole:
                return col.key
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{col.title} (click to sort)" if col.sortable else f"{col.title} (not sortable)"
            return None
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._ids):
            return str(section + 1)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        if not (0 <= index.column() < len(self._columns)):
            return None
        if role == CaseIdRole:
            return self._ids[index.row()]
        col = self._columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.kind in ("money", "int"):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, RawRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_data(index.row())
        if not row:
            return None
        value = row.get(col.key)
        if role == RawRole:
            return value
        text = self._display(col, value, row)
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        return self._tooltip(col, text, row)

    def _display(self, col: Column, value: Any, row: dict[str, Any]) -> str:
        if value is None:
            return ""
        if col.kind == "money":
            return format_money(value, row.get(_CURRENCY_FIELD))
        if col.kind == "time":
            return format_business(value, self._timezone)
        if col.key == "symptoms":
            return _symptom_text(value) or "clean"
        if col.key == "systems_present":
            return _systems_text(value)
        if col.key == "tags":
            return ", ".join(value)
        if col.key == "status":
            return str(value).replace("_", " ")
        return str(value)

    def _tooltip(self, col: Column, text: str, row: dict[str, Any]) -> str:
        if col.key == "symptoms":
            codes = [c for c in (row.get("symptoms") or "").split(";") if c]
            if not codes:
                return "No findings: the systems agree"
            where = row.get("boundary") or "unknown boundary"
            return f"{len(codes)} finding(s) at {where}: " + ", ".join(codes)
        if col.kind == "time":
            return f"{text} ({self._timezone}); stored as UTC {row[col.key].isoformat()}" if text else ""
        if col.key == "systems_present":
            present = set((row.get("systems_present") or "").split(";"))
            missing = [SYSTEM_LABELS[s] for s in SYSTEM_LABELS if s not in present]
            return f"Records from: {text}" + (f"; no record in: {', '.join(missing)}" if missing else "")
        return text

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header click: ask the owner to re-run the query in SQL with this order."""
        if 0 <= column < len(self._columns) and self._columns[column].sortable:
            self.sortRequested.emit(self._columns[column].key, order == Qt.SortOrder.DescendingOrder)
