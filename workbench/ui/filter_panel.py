"""The filter panel: builds a CaseFilter from the user's choices and shows counts per choice.

It knows nothing about the database: the window gives it counts (`set_counts`) and the
systems that exist (`set_systems`), and listens to `filterChanged(CaseFilter)`. Text and amount
edits are debounced (250 ms) so typing does not run a query per key.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from workbench.core.canonical import SYSTEM_LABELS, SYSTEMS
from workbench.core.money import to_minor
from workbench.core.queries.case_list import CLEAN, UNASSIGNED, CaseFilter
from workbench.core.store.models import CASE_STATUSES, SYMPTOMS
from workbench.core.timeutil import zone

_VALUE = Qt.ItemDataRole.UserRole
_COUNT = Qt.ItemDataRole.UserRole + 1


class CheckList(QListWidget):
    """A list of checkable values, each shown as 'label (count)'. Emits `changed`."""

    changed = Signal()

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.itemChanged.connect(lambda _item: self.changed.emit())

    def set_values(self, values: list[tuple[str, str, int | None]]) -> None:
        """(value, label, count) rows; keeps the checked state of values still present."""
        checked = set(self.checked())
        was_blocked = self.blockSignals(True)
        self.clear()
        for value, label, count in values:
            text = label if count is None else f"{label} ({count:,})"
            item = QListWidgetItem(text, self)
            item.setData(_VALUE, value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in checked else Qt.CheckState.Unchecked)
            item.setData(_COUNT, count)
            item.setToolTip(text)
        self._grey_empty()
        self.blockSignals(was_blocked)
        rows = max(1, min(self.count(), 12))
        self.setFixedHeight(rows * max(self.sizeHintForRow(0), 18) + 2 * self.frameWidth() + 2)

    def _grey_empty(self) -> None:
        """Choices with no case are shown muted (re-done when the palette changes)."""
        was_blocked = self.blockSignals(True)
        muted = self.palette().placeholderText()
        for i in range(self.count()):
            item = self.item(i)
            item.setData(Qt.ItemDataRole.ForegroundRole, muted if item.data(_COUNT) == 0 else None)
        self.blockSignals(was_blocked)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._grey_empty()

    def checked(self) -> tuple[str, ...]:
        return tuple(
            self.item(i).data(_VALUE) for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        )

    def set_checked(self, values: tuple[str, ...] | list[str]) -> None:
        wanted = set(values)
        was_blocked = self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(_VALUE) in wanted else Qt.CheckState.Unchecked)
        self.blockSignals(was_blocked)
        if not was_blocked:
            self.changed.emit()

    def item_for(self, value: str) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(_VALUE) == value:
                return self.item(i)
        return None


def _pretty(code: str) -> str:
    return code.replace("_", " ")


class FilterPanel(QWidget):
    filterChanged = Signal(object)   # CaseFilter

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("filterPanel")
        self._timezone = "UTC"
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._emit)

        self.search = QLineEdit(self)
        self.search.setObjectName("searchEdit")
        self.search.setPlaceholderText("Search references, order, customer (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._emit_now)

        self.symptoms = CheckList("symptomList", self)
        self.boundaries = CheckList("boundaryList", self)
        self.statuses = CheckList("statusList", self)
        self.tags = CheckList("tagList", self)
        self.assignees = CheckList("assigneeList", self)
        for lst in (self.symptoms, self.boundaries, self.statuses, self.tags, self.assignees):
            lst.changed.connect(self._emit)
        self.statuses.set_values([(s, _pretty(s), None) for s in CASE_STATUSES])

        self.system_boxes: dict[str, QComboBox] = {}
        systems_box = QWidget(self)
        systems_form = QFormLayout(systems_box)
        systems_form.setContentsMargins(0, 0, 0, 0)
        self._systems_form = systems_form
        self.set_systems(list(SYSTEMS))

        self.amount_min = QLineEdit(self)
        self.amount_min.setObjectName("amountMin")
        self.amount_min.setPlaceholderText("min")
        self.amount_max = QLineEdit(self)
        self.amount_max.setObjectName("amountMax")
        self.amount_max.setPlaceholderText("max")
        for edit in (self.amount_min, self.amount_max):
            edit.textChanged.connect(lambda _t: self._debounce.start())
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount_min)
        amount_row.addWidget(QLabel("to"))
        amount_row.addWidget(self.amount_max)

        self.date_from_on = QCheckBox("From", self)
        self.date_from = QDateEdit(self)
        self.date_to_on = QCheckBox("To", self)
        self.date_to = QDateEdit(self)
        for check, edit in ((self.date_from_on, self.date_from), (self.date_to_on, self.date_to)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda _on: self._emit())
            edit.dateChanged.connect(lambda _d: self._emit())
        date_grid = QFormLayout()
        date_grid.addRow(self.date_from_on, self.date_from)
        date_grid.addRow(self.date_to_on, self.date_to)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("filterError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        reset = QPushButton("Clear filters", self)
        reset.setObjectName("clearFilters")
        reset.clicked.connect(self.clear)

        inner = QWidget(self)
        col = QVBoxLayout(inner)
        col.addWidget(self.search)
        for title, widget in (
            ("Symptom", self.symptoms), ("Boundary", self.boundaries), ("Status", self.statuses),
            ("Tag", self.tags), ("Assignee", self.assignees), ("Systems", systems_box),
        ):
            col.addWidget(self._group(title, widget))
        amount_group = QGroupBox("Amount", inner)
        amount_group.setLayout(amount_row)
        col.addWidget(amount_group)
        date_group = QGroupBox("First event (business time zone)", inner)
        date_group.setLayout(date_grid)
        col.addWidget(date_group)
        col.addWidget(self.error_label)
        col.addWidget(reset)
        col.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.setMinimumWidth(230)

    def _group(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title, self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(widget)
        return box

    # --- what the window feeds in -----------------------------------------------------------
    def set_timezone(self, timezone: str) -> None:
        self._timezone = timezone

    def set_systems(self, systems: list[str]) -> None:
        for name in systems:
            if name in self.system_boxes:
                continue
            box = QComboBox(self)
            box.setObjectName(f"system_{name}")
            box.addItem("any", None)
            box.addItem("has a record", "present")
            box.addItem("no record", "absent")
            box.currentIndexChanged.connect(lambda _i: self._emit())
            self.system_boxes[name] = box
            self._systems_form.addRow(SYSTEM_LABELS.get(name, name), box)

    def set_counts(self, symptoms: dict[str, int], facets: dict[str, dict[str, int]]) -> None:
        """Counts from SQL GROUP BY (case_list.symptom_counts / facet_counts)."""
        every = {code: 0 for code in SYMPTOMS} | symptoms     # all codes listed, absent ones as 0
        rows = [(code, _pretty(code), n) for code, n in sorted(every.items(), key=lambda kv: (-kv[1], kv[0]))
                if code != CLEAN]
        rows.append((CLEAN, "clean (no findings)", symptoms.get(CLEAN, 0)))
        self.symptoms.set_values(self._keep_checked(self.symptoms, rows))
        for name, lst in (("boundaries", self.boundaries), ("tags", self.tags), ("assignees", self.assignees)):
            counts = facets.get(name, {})
            values = [(v, v or "(unassigned)", n) for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
            lst.set_values(self._keep_checked(lst, values))
        if "statuses" in facets:
            counts = facets["statuses"]
            self.statuses.set_values([(s, _pretty(s), counts.get(s, 0)) for s in CASE_STATUSES])

    @staticmethod
    def _keep_checked(lst: CheckList, rows: list[tuple[str, str, int | None]]):
        present = {v for v, _l, _n in rows}
        return rows + [(v, _pretty(v) or "(unassigned)", 0) for v in lst.checked() if v not in present]

    # --- the filter -------------------------------------------------------------------------
    def _amount(self, edit: QLineEdit) -> int | None:
        text = edit.text().strip().replace(",", "")
        if not text:
            return None
        try:
            return to_minor(Decimal(text))
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(f"amount {edit.text()!r} is not a number (expected e.g. 25.00)") from exc

    def _day(self, edit: QDateEdit, *, next_day: bool = False) -> datetime:
        d = edit.date().toPython()
        if next_day:
            from datetime import timedelta

            d = d + timedelta(days=1)
        return datetime.combine(d, time(0, 0), tzinfo=zone(self._timezone))

    def current_filter(self) -> CaseFilter:
        """The filter the panel shows. Raises ValueError for an amount that is not a number."""
        present = tuple(s for s, b in self.system_boxes.items() if b.currentData() == "present")
        absent = tuple(s for s, b in self.system_boxes.items() if b.currentData() == "absent")
        assignees = tuple(UNASSIGNED if v == "" else v for v in self.assignees.checked())
        return CaseFilter(
            symptoms=self.symptoms.checked(),
            boundaries=self.boundaries.checked(),
            statuses=self.statuses.checked(),
            tags=self.tags.checked(),
            assignees=assignees,
            systems_present=present,
            systems_absent=absent,
            amount_min_minor=self._amount(self.amount_min),
            amount_max_minor=self._amount(self.amount_max),
            date_from=self._day(self.date_from) if self.date_from_on.isChecked() else None,
            date_to=self._day(self.date_to, next_day=True) if self.date_to_on.isChecked() else None,
            text=self.search.text(),
        )

    def _emit_now(self) -> None:
        self._debounce.stop()
        self._emit()

    def _emit(self) -> None:
        try:
            flt = self.current_filter()
        except ValueError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.error_label.hide()
        self.filterChanged.emit(flt)

    def clear(self) -> None:
        for w in (self.search, self.amount_min, self.amount_max, self.symptoms, self.boundaries,
                  self.statuses, self.tags, self.assignees, *self.system_boxes.values(),
                  self.date_from_on, self.date_to_on):
            w.blockSignals(True)
        self.search.clear()
        self.amount_min.clear()
        self.amount_max.clear()
        for lst in (self.symptoms, self.boundaries, self.statuses, self.tags, self.assignees):
            lst.set_checked(())
        for box in self.system_boxes.values():
            box.setCurrentIndex(0)
        self.date_from_on.setChecked(False)
        self.date_to_on.setChecked(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        for w in (self.search, self.amount_min, self.amount_max, self.symptoms, self.boundaries,
                  self.statuses, self.tags, self.assignees, *self.system_boxes.values(),
                  self.date_from_on, self.date_to_on):
            w.blockSignals(False)
        self._debounce.stop()
        self._emit()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
