"""Settings dialog: the business settings of the diagnosis.

Collects and validates the values, saves them through the audited core change
(`casework.change_settings`: settings and a 'settings.change' audit event with before/after in
one transaction), then re-diagnoses (`reconcile`) on the background worker. The caller
refreshes when `rediagnosed(summary)` arrives (or watches `task`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Callable
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import WorkbenchError
from workbench.core.settings import BusinessSettings
from workbench.core.timeutil import as_utc, format_business, to_business, zone
from workbench.ui.background import run_in_background

_AS_OF_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _all_zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def parse_decimals(text: str, what: str) -> tuple[Decimal, ...]:
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().rstrip("%").strip()
        if not part:
            continue
        try:
            value = Decimal(part)
        except InvalidOperation:
            raise ValueError(f"{what}: {part!r} is not a number (expected e.g. 10, 15, 20)") from None
        if not value.is_finite() or value < 0:
            raise ValueError(f"{what}: {part!r} must be zero or more")
        values.append(value)
    return tuple(values)


def parse_as_of(text: str, tz: str) -> datetime | None:
    """Blank -> None (latest event); 'YYYY-MM-DD HH:MM' in the business zone, or ISO with offset."""
    text = text.strip()
    if not text:
        return None
    for fmt in _AS_OF_FORMATS:
        try:
            return as_utc(datetime.strptime(text, fmt).replace(tzinfo=zone(tz)))
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"as-of {text!r} is not a time (expected YYYY-MM-DD HH:MM in {tz}, or blank)") from None
    return as_utc(value) if value.tzinfo else as_utc(value.replace(tzinfo=zone(tz)))


def format_as_of(value: datetime | None, tz: str) -> str:
    """The as-of time in the business zone, exact enough to read back to the same instant."""
    if value is None:
        return ""
    local = to_business(value, tz)
    if local.microsecond:
        return local.isoformat()
    return format_business(value, tz, "%Y-%m-%d %H:%M:%S" if local.second else "%Y-%m-%d %H:%M")


def _default_save(workbook, settings: BusinessSettings) -> None:
    from workbench.core.casework import change_settings

    change_settings(workbook, settings)


def _default_reconcile(workbook, settings: BusinessSettings, job=None):
    from workbench.core.reconcile import reconcile

    return reconcile(workbook, settings=settings, job=job)


class SettingsDialog(QDialog):
    """Emits `saved(BusinessSettings)` after the audited save, then `rediagnosed(summary)`
    (or `rediagnosis_failed(exception)`) when the background re-diagnosis ends."""

    saved = Signal(object)
    rediagnosed = Signal(object)
    rediagnosis_failed = Signal(object)

    def __init__(self, workbook, parent: QWidget | None = None, *,
                 save_fn: Callable | None = None, reconcile_fn: Callable | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Business settings")
        self._workbook = workbook
        self._save = save_fn or _default_save
        self._reconcile = reconcile_fn or _default_reconcile
        self.original = workbook.business_settings()
        self.task = None          # the re-diagnosis (BackgroundTask), once saved
        self.save_task = None
        s = self.original

        self.timezone = QComboBox(self)
        self.timezone.setEditable(True)
        self.timezone.addItems(_all_zones())
        self.timezone.setCurrentText(s.timezone)
        completer = QCompleter(self.timezone.model(), self.timezone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.timezone.setCompleter(completer)
        self.as_of = QLineEdit(format_as_of(s.as_of, s.timezone), self)
        self.as_of.setPlaceholderText("blank = latest event in the data")
        self.period = QLineEdit(s.period or "", self)
        self.period.setPlaceholderText("YYYY-MM, blank = all")
        self.latency = QSpinBox(self)
        self.latency.setRange(0, 24 * 365)
        self.latency.setSuffix(" h")
        self.latency.setValue(s.latency_window_hours)
        self.tolerance = QLineEdit(str(s.rounding_tolerance), self)
        self.fee_percents = QLineEdit(", ".join(str(v) for v in s.fee_percents), self)
        self.fee_flats = QLineEdit(", ".join(str(v) for v in s.fee_flats), self)
        self.stale = QSpinBox(self)
        self.stale.setRange(0, 24 * 365)
        self.stale.setSuffix(" h")
        self.stale.setValue(s.stale_ticket_hours)

        form = QFormLayout()
        form.addRow("Business time zone", self.timezone)
        form.addRow("As-of time", self.as_of)
        form.addRow("Period", self.period)
        form.addRow("Latency window", self.latency)
        form.addRow("Rounding tolerance", self.tolerance)
        form.addRow("Restocking fees (% of approved)", self.fee_percents)
        form.addRow("Restocking fees (flat)", self.fee_flats)
        form.addRow("Stale-ticket age", self.stale)

        self.message = QLabel(self)
        self.message.setObjectName("validationMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save and re-diagnose")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        for edit in (self.as_of, self.period, self.tolerance, self.fee_percents, self.fee_flats):
            edit.textChanged.connect(self._validate)
        self.timezone.currentTextChanged.connect(self._validate)
        self.latency.valueChanged.connect(self._validate)
        self.stale.valueChanged.connect(self._validate)
        self._validate()

    # --- values -------------------------------------------------------------------------
    def settings(self) -> BusinessSettings:
        """The settings the form describes; ValueError with one clear line if invalid."""
        tz = self.timezone.currentText().strip()
        zone(tz)
        try:
            tolerance = Decimal(self.tolerance.text().strip())
        except InvalidOperation:
            raise ValueError(f"rounding tolerance {self.tolerance.text()!r} is not a number "
                             "(expected e.g. 0.05)") from None
        return self.original.with_changes(
            timezone=tz,
            as_of=parse_as_of(self.as_of.text(), tz),
            period=self.period.text().strip() or None,
            latency_window_hours=self.latency.value(),
            rounding_tolerance=tolerance,
            fee_percents=parse_decimals(self.fee_percents.text(), "restocking fee percents"),
            fee_flats=parse_decimals(self.fee_flats.text(), "flat restocking fees"),
            stale_ticket_hours=self.stale.value(),
        )

    def _validate(self) -> bool:
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            self.settings()
        except ValueError as exc:
            self._say(str(exc), error=True)
            ok_button.setEnabled(False)
            return False
        self._say("")
        ok_button.setEnabled(True)
        return True

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(("\u26a0 " + text) if error and text else text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("font-weight: bold;" if error else "")

    # --- accept: save (audited) then re-diagnose, both on the background worker ------------
    def accept(self) -> None:
        """Save on the single worker (so SQLite sees one writer); the dialog stays open until
        the save is done, to show a refusal (role, sign-off) in place; then re-diagnose."""
        if self.save_task is not None and not self.save_task.is_finished:
            return
        if not self._validate():
            return
        new = self.settings()
        if new == self.original:
            super().accept()
            return
        self._set_busy(True)
        self._say("Saving...")
        self.save_task = run_in_background(
            self, _save_on_worker, self._save, self._workbook, new,
            on_done=lambda _result: self._saved(new), on_error=self._save_failed,
            progress_label="Saving settings...", cancellable=False, show_progress=False)

    def _saved(self, new: BusinessSettings) -> None:
        self._set_busy(False)
        self._say("")
        self.saved.emit(new)
        self.task = run_in_background(self.parentWidget(), self._reconcile, self._workbook, new,
                                      on_done=self.rediagnosed.emit,
                                      on_error=self.rediagnosis_failed.emit,
                                      progress_label="Re-diagnosing with the new settings...")
        super().accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, (WorkbenchError, ValueError)):
            self._say(str(exc), error=True)
        else:
            self._say(f"Could not save the settings: {exc}", error=True)

    def _set_busy(self, busy: bool) -> None:
        for button in self.buttons.buttons():
            button.setEnabled(not busy)


def _save_on_worker(save_fn, workbook, settings, job=None) -> None:
    save_fn(workbook, settings)
