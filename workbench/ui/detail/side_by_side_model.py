"""The side-by-side table: one column per system record, one row per field.

Columns: Portal | Processor | ERP | Support (then any further source); each system's
duplicates follow it as "Processor (duplicate)" columns; an absent system is an explicit
"no record" column naming the handoff that should have delivered it.

Column keys (used by `divergent_cells`): the system name for its live record (or its no-record
column) and `"<system>#dup<n>"` (n from 1) for its duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from workbench.core.queries.case_detail import CaseDetail, RecordView, system_label
from workbench.ui.detail import colours
from workbench.ui.detail.divergence import (
    FIELDS,
    amount_text,
    amount_value,
    explain_cell,
    missing_parts,
    missing_text,
    normalise_field,
)

RawValueRole = Qt.ItemDataRole.UserRole            # the raw value (int minor units, UTC datetime, str)
DivergentRole = Qt.ItemDataRole.UserRole + 1       # bool: a finding names this cell
ColumnKeyRole = Qt.ItemDataRole.UserRole + 2       # the column key (header, horizontal)

_TIME_FIELDS = ("occurred_at", "approved_at", "refunded_at", "updated_at")


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    system: str
    label: str
    record: RecordView | None        # None: no record of this system
    missing: str = ""                # the "no record" sentence


def build_columns(detail: CaseDetail | None) -> list[ColumnSpec]:
    if detail is None:
        return []
    columns: list[ColumnSpec] = []
    for entry in detail.systems:
        if entry.live is None:
            columns.append(ColumnSpec(entry.system, entry.system, f"{entry.label} (no record)", None,
                                      missing_text(detail, entry.system)))
            continue
        columns.append(ColumnSpec(entry.system, entry.system, entry.label, entry.live))
        for n, dup in enumerate(entry.duplicates, start=1):
            suffix = "" if len(entry.duplicates) == 1 else f" {n}"
            columns.append(ColumnSpec(f"{entry.system}#dup{n}", entry.system,
                                      f"{entry.label} (duplicate{suffix})", dup))
    return columns


def cell_text(rec: RecordView, field: str) -> str:
    if field == "amount":
        return amount_text(rec)
    if field == "stage":
        if rec.stage and rec.status_raw and rec.status_raw.lower() != rec.stage:
            return f"{rec.stage} ({rec.status_raw})"
        return rec.stage or rec.status_raw or ""
    if field in _TIME_FIELDS:
        return rec.times_local.get(field, "")
    if field == "link":
        override = ", set by a person" if rec.is_override else ""
        return f"{rec.link_rule} ({rec.link_confidence:.0%}{override})"
    if field == "repaired":
        return rec.repaired or ""
    if field == "source":
        return f"{rec.file_name}, row {rec.source_row}"
    value = getattr(rec, field, None)
    return "" if value is None else str(value)


def cell_value(rec: RecordView, field: str):
    if field == "amount":
        return rec.amount_minor
    if field in _TIME_FIELDS:
        return rec.times_utc.get(field)
    if field == "link":
        return rec.link_confidence
    if field == "source":
        return (rec.file_name, rec.source_row)
    return getattr(rec, field, None)


def _missing_cell(detail: CaseDetail, system: str, field: str) -> str:
    """The no-record column names the handoff in its first three cells."""
    if field == "record_id":
        return f"No {system_label(system)} record"
    boundary, should = missing_parts(detail, system)
    if field == "return_ref":
        return f"Handoff: {boundary}"
    if field == "order_ref":
        return f"should have {should.split(' (')[0]}"
    return "-"


class SideBySideModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._detail: CaseDetail | None = None
        self._columns: list[ColumnSpec] = []
        self._divergent: set[tuple[str, str]] = set()
        self._icons: dict[str, object] = {}
        self._set_colours(QGuiApplication.palette())

    # --- content --------------------------------------------------------------------------
    def set_detail(self, detail: CaseDetail | None) -> None:
        self.beginResetModel()
        self._detail = detail
        self._columns = build_columns(detail)
        self._divergent = self._compute_divergent(detail)
        self.endResetModel()

    def detail(self) -> CaseDetail | None:
        return self._detail

    def columns(self) -> list[ColumnSpec]:
        return list(self._columns)

    def _set_colours(self, palette: QPalette) -> None:
        self._palette = QPalette(palette)
        self._divergent_bg = colours.divergent_background(palette)
        self._missing_bg = colours.missing_background(palette)
        self._muted = colours.muted_text(palette)

    def set_palette(self, palette: QPalette) -> None:
        self._set_colours(palette)
        if self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(FIELDS) - 1, len(self._columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole])

    def _compute_divergent(self, detail: CaseDetail | None) -> set[tuple[str, str]]:
        """Live (and no-record) columns: every cell a finding names. Duplicate columns: the
        cells a duplicate_event finding names (the duplicate itself is the divergence)."""
        if detail is None:
            return set()
        keys = {key for key, _ in FIELDS}
        cells: set[tuple[str, str]] = set()
        for column in self._columns:
            is_dup = column.key != column.system
            for finding in detail.findings:
                if column.system not in finding.systems:
                    continue
                if is_dup and finding.symptom != "duplicate_event":
                    continue
                for name in finding.fields:
                    field = normalise_field(name)
                    if field in keys:
                        cells.add((field, column.key))
        return cells

    def divergent_cells(self) -> set[tuple[str, str]]:
        """(field, column key) of every highlighted cell."""
        return set(self._divergent)

    def column_keys(self) -> list[str]:
        return [c.key for c in self._columns]

    # --- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() or not self._columns else len(FIELDS)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            column = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return column.missing or f"{system_label(column.system)} record {column.record.record_id}"
            if role == Qt.ItemDataRole.DecorationRole and column.record is None:
                return self._icon("missing")
            if role == ColumnKeyRole:
                return column.key
            return None
        if not 0 <= section < len(FIELDS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return FIELDS[section][1]
        if role == RawValueRole:
            return FIELDS[section][0]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row, col = index.row(), index.column()
        if not (0 <= row < len(FIELDS) and 0 <= col < len(self._columns)) or index.model() is not self:
            return None
        field = FIELDS[row][0]
        column = self._columns[col]
        rec = column.record
        divergent = (field, column.key) in self._divergent
        if role == Qt.ItemDataRole.DisplayRole:
            if rec is None:
                return _missing_cell(self._detail, column.system, field)
            return cell_text(rec, field)
        if role == RawValueRole:
            return None if rec is None else cell_value(rec, field)
        if role == DivergentRole:
            return divergent
        if role == Qt.ItemDataRole.ToolTipRole:
            if divergent:
                return explain_cell(self._detail, field, rec, column.system)
            if rec is None:
                return column.missing
            if field == "amount" and rec.amount_minor is not None:
                return f"{amount_value(rec)} {rec.currency or ''} ({rec.amount_minor} minor units)"
            if field == "source":
                return f"{rec.file_name}, row {rec.source_row} (profile {rec.profile})"
            return cell_text(rec, field) or None
        if role == Qt.ItemDataRole.DecorationRole:
            if divergent:
                return self._icon("divergent")
            if rec is None and field == "record_id":
                return self._icon("missing")
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if divergent:
                return self._divergent_bg
            if rec is None:
                return self._missing_bg
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if rec is None and not divergent:
                return self._muted
            return None
        if role == Qt.ItemDataRole.FontRole:
            if divergent or (rec is None and field == "record_id"):
                font = QFont()
                font.setBold(divergent)
                font.setItalic(rec is None)
                return font
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self.data(index, Qt.ItemDataRole.DisplayRole)
            return f"{text} (divergent)" if divergent else text
        return None

    def _icon(self, kind: str):
        icon = self._icons.get(kind)
        if icon is None:
            app = QApplication.instance()
            if not isinstance(app, QApplication):
                return None
            pixmap = (QStyle.StandardPixmap.SP_MessageBoxWarning if kind == "divergent"
                      else QStyle.StandardPixmap.SP_MessageBoxQuestion)
            icon = app.style().standardIcon(pixmap)
            self._icons[kind] = icon
        return icon
