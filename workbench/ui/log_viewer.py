"""An exported resolution log, opened read-only for an auditor, with its verification.

    viewer = LogViewer(path)        # CSV, XLSX or JSON

The verdict comes first and loud: INTACT (green) with the manifest's facts (the cases table's
SHA-256, rows checked, the audit chain head, who exported it and when), or TAMPERED (red) with
every problem `verify_log` found - which rows were edited, removed, added or reordered, naming
the case / adjustment / audit event. Below: one tab per table in the file (Cases, Adjustments,
Audit trail) as a read-only table; rows verify names as edited, added or reordered are tinted.
Nothing here writes to the file or to any workbook.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHeaderView, QLabel, QListWidget, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.export import verify_log
from workbench.core.export.readers import read_log

TABLE_TITLES = {"cases": "Cases", "adjustments": "Adjustments", "audit_trail": "Audit trail"}
INTACT_STYLE = "background:#1b5e20; color:white; padding:10px; border-radius:4px;"
TAMPERED_STYLE = "background:#b00020; color:white; padding:10px; border-radius:4px;"
FLAG_COLOURS = {"edited": "#ffcdd2", "added": "#ffe0b2", "reordered": "#fff9c4"}

Index = QModelIndex | QPersistentModelIndex


class LogTableModel(QAbstractTableModel):
    """Rows of one table of a log as read by export.readers.read_log:
    header [column], rows [(file_row, {column: value})]. Read-only. `flags` maps a file_row to
    what verify said about it (edited / added / reordered)."""

    def __init__(self, header: list[str], rows: list[tuple[int, dict]], flags: dict[int, str] | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self._header = list(header)
        self._rows = list(rows)
        self._flags = dict(flags or {})

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._header)

    def file_row(self, row: int) -> int:
        return self._rows[row][0]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._header):
            return None
        file_row, values = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = values.get(self._header[index.column()])
            text = "" if value is None else str(value)
            if role == Qt.ItemDataRole.ToolTipRole:
                what = self._flags.get(file_row)
                return f"file row {file_row}" + (f": {what}" if what else "")
            return text
        if role == Qt.ItemDataRole.BackgroundRole:
            what = self._flags.get(file_row)
            return QBrush(QColor(FLAG_COLOURS[what])) if what in FLAG_COLOURS else None
        if role == Qt.ItemDataRole.ForegroundRole and self._flags.get(file_row) in FLAG_COLOURS:
            return QBrush(QColor("#000000"))   # readable on the tint in a dark theme too
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._header[section] if 0 <= section < len(self._header) else None
        return str(self._rows[section][0]) if 0 <= section < len(self._rows) else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class LogViewer(QWidget):
    def __init__(self, path, parent: QWidget | None = None, *, workbook=None) -> None:
        """`workbook`: also check the manifest's audit chain head against that workbook's
        chain (`workbench verify --db`), which catches a log forged with recomputed hashes."""
        super().__init__(parent)
        self.path = Path(path)
        self._workbook = workbook
        self.setWindowTitle(f"Resolution log (read-only) - {self.path.name}")
        self.result = None
        self.log = None
        self.error: str = ""
        self.models: dict[str, LogTableModel] = {}
        layout = QVBoxLayout(self)
        self.verdict = QLabel()
        font = QFont(self.verdict.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.verdict.setFont(font)
        self.verdict.setObjectName("logVerdict")
        self.facts = QLabel()
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("logProblems")
        self.tabs = QTabWidget()
        layout.addWidget(self.verdict)
        layout.addWidget(self.facts)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.problems)
        split.addWidget(self.tabs)
        split.setStretchFactor(1, 4)
        split.setSizes([110, 440])
        layout.addWidget(split, 1)
        self._load()

    @property
    def verdict_text(self) -> str:
        return self.verdict.text()

    def _load(self) -> None:
        try:
            self.result = verify_log(self.path, self._workbook)
            self.log = read_log(self.path)
        except (WorkbenchError, OSError, ValueError) as exc:
            self.error = str(exc)
            self.verdict.setText("UNREADABLE")
            self.verdict.setStyleSheet(TAMPERED_STYLE)
            self.facts.setText(self.error)
            self.problems.hide()
            return
        r, m = self.result, self.result.manifest or {}
        if r.ok:
            self.verdict.setText("INTACT")
            self.verdict.setStyleSheet(INTACT_STYLE)
            head = r.chain_head
            cases = (m.get("tables") or {}).get("cases") or {}
            lines = [
                f"<b>File</b>: {self.path.name} ({r.file_type.upper()})",
                f"<b>Content SHA-256</b> (cases): <code>{cases.get('sha256', '')}</code>",
                f"<b>Rows checked</b> (all tables): {r.rows_checked} &nbsp; <b>cases</b>: {cases.get('rows', '')}",
                f"<b>Audit chain head</b>: event {head[0]} <code>{head[1]}</code>" if head else "",
                f"<b>Exported</b> {m.get('exported_at', '')} by {m.get('exported_by', '')} "
                f"with {m.get('program', '')}",
            ]
            lines += [f"<i>Note: {w}</i>" for w in r.warnings]
            self.facts.setText("<br>".join(x for x in lines if x))
            self.problems.hide()
        else:
            self.verdict.setText(f"TAMPERED \u2014 {len(r.problems)} problem(s)")
            self.verdict.setStyleSheet(TAMPERED_STYLE)
            self.facts.setText(f"<b>File</b>: {self.path.name} ({r.file_type.upper()}). "
                               "This log does not match the manifest inside it; the rows below were changed "
                               "after export.")
            self.problems.addItems(r.problems)
        flags: dict[str, dict[int, str]] = {}
        for issue in (*r.rows_edited, *r.rows_added, *r.rows_reordered):
            if issue.file_row is not None:
                flags.setdefault(issue.table, {})[issue.file_row] = issue.what
        for table, (header, rows) in self.log.tables.items():
            model = LogTableModel(header, rows, flags.get(table), self)
            self.models[table] = model
            view = QTableView()
            view.setModel(model)
            view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
            view.setAlternatingRowColors(True)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setDefaultSectionSize(120)
            title = TABLE_TITLES.get(table, table)
            self.tabs.addTab(view, f"{title} ({len(rows)})")
        summary = self._summary_rows(self.log.summary)
        if summary:
            model = LogTableModel(["item", "value"], summary, None, self)
            self.models["summary"] = model
            view = QTableView()
            view.setModel(model)
            view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
            view.horizontalHeader().setStretchLastSection(True)
            view.setColumnWidth(0, 260)
            self.tabs.insertTab(0, view, "Summary")
            self.tabs.setCurrentIndex(1)

    @staticmethod
    def _summary_rows(summary) -> list[tuple[int, dict]]:
        """XLSX: [(label, value)] lines; JSON: an object (nested values shown as JSON)."""
        if isinstance(summary, dict):
            pairs = [(k, v if isinstance(v, (str, int, float)) or v is None
                      else json.dumps(v, ensure_ascii=False, default=str)) for k, v in summary.items()]
        elif isinstance(summary, list):
            pairs = [tuple(x)[:2] for x in summary if isinstance(x, (list, tuple)) and x]
        else:
            return []
        def text(v):   # calamine reads the Summary's counts as floats: 523.0 -> 523
            return int(v) if isinstance(v, float) and v.is_integer() else v

        return [(i, {"item": k, "value": text(v)}) for i, (k, v) in enumerate(pairs, start=1)]
