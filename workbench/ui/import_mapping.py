"""The mapping editor: system, and for each column role the file column that plays it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from workbench.core.canonical import SYSTEM_LABELS, SYSTEMS

NONE = "(not in this file)"


def _roles() -> dict[str, str]:
    from workbench.core.ingest.profile import ROLES

    return ROLES


class MappingEditor(QWidget):
    """`changed` is emitted when the user edits the system or a role (not on set_mapping)."""

    changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._loading = False
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.system = QComboBox(self)
        for s in SYSTEMS:
            self.system.addItem(SYSTEM_LABELS[s], s)
        self.system.currentIndexChanged.connect(self._edited)
        layout.addRow("System", self.system)
        self.combos: dict[str, QComboBox] = {}
        for role, label in _roles().items():
            combo = QComboBox(self)
            combo.setObjectName(f"role_{role}")
            combo.setMinimumContentsLength(12)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.addItem(NONE)
            combo.currentIndexChanged.connect(self._edited)
            combo.setToolTip(f"{label} [{role}]")
            self.combos[role] = combo
            layout.addRow(label.split(" (")[0], combo)       # the full wording is the tooltip

    def set_mapping(self, headers: list[str], mapping: dict[str, str], system: str | None) -> None:
        self._loading = True
        try:
            index = self.system.findData(system) if system else -1
            self.system.setCurrentIndex(max(index, 0))
            for role, combo in self.combos.items():
                combo.clear()
                combo.addItem(NONE)
                combo.addItems(headers)
                header = mapping.get(role)
                combo.setCurrentIndex(combo.findText(header) if header and combo.findText(header) > 0 else 0)
        finally:
            self._loading = False

    def mapping(self) -> dict[str, str]:
        return {role: combo.currentText() for role, combo in self.combos.items()
                if combo.currentIndex() > 0}

    def full_mapping(self) -> dict[str, str | None]:
        """Every role: its header, or None (for Profile.with_mapping, which drops None roles)."""
        return {role: (combo.currentText() if combo.currentIndex() > 0 else None)
                for role, combo in self.combos.items()}

    def set_role(self, role: str, header: str | None) -> None:
        """Choose a column for a role as the user would (emits `changed`)."""
        combo = self.combos[role]
        combo.setCurrentIndex(combo.findText(header) if header else 0)

    def current_system(self) -> str:
        return self.system.currentData()

    def _edited(self, *_args) -> None:
        if not self._loading:
            self.changed.emit()
