"""Import dialog: choose or drop files, see what each is, correct the mapping, import.

Each file is detected (`ingest.detect_file`: reads only the first rows) and listed with its
system, profile and confidence. The selected file's mapping (role -> column) can be corrected
and saved as a named profile; the preview shows its first rows read through the mapping as
the import would store them. Import runs `import_files` + `reconcile` on the background worker
with a progress bar and Cancel in the dialog; an ImportFailure is shown with its file, row,
column, value and expected value, and nothing is written (ingest is all-or-nothing).

Accepted means the files were imported and reconciled; `imported(list)` carries the changed
case ids. The core functions can be injected (tests, or another front end).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.core.errors import ImportCancelled, WorkbenchError
from workbench.ui.background import run_in_background
from workbench.ui.import_mapping import MappingEditor
from workbench.ui.import_model import FileEntry, ImportFilesModel, PreviewModel
from workbench.ui.import_preview import mapped_preview, parsed_preview, profile_for
from workbench.ui.import_work import (
    default_detect,
    default_import,
    default_reconcile,
    default_save_profile,
    detect_all,
    failure_detail,
    failure_text,
    import_and_reconcile,
    profile_and_columns,
    profile_choices,
)

FILE_FILTER = "Exports (*.csv *.txt *.tsv *.xlsx *.xlsm *.xls *.ods);;All files (*)"


class ImportDialog(QDialog):
    """Emits `detected()` after each batch of files is detected, `imported(list)` on success."""

    imported = Signal(list)
    detected = Signal()

    def __init__(self, workbook, paths: Iterable[str | Path] | None = None, parent: QWidget | None = None,
                 *, detect_fn: Callable | None = None, import_fn: Callable | None = None,
                 reconcile_fn: Callable | None = None, save_profile_fn: Callable | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import exports")
        self.setAcceptDrops(True)
        self.resize(1100, 720)
        self._workbook = workbook
        self._detect = detect_fn or default_detect
        self._import = import_fn or default_import
        self._reconcile = reconcile_fn or default_reconcile
        self._save_profile = save_profile_fn or default_save_profile
        self._tz = workbook.business_settings().timezone
        self.task = None
        self.result_summary = None
        self.pending_detections = 0
        self._detect_tasks: list = []

        # files
        self.files = ImportFilesModel(self)
        self.file_view = QTableView(self)
        self.file_view.setModel(self.files)
        self.file_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.file_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.file_view.verticalHeader().setVisible(False)
        header = self.file_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.file_view.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._select(cur.row()))
        self.add_button = QPushButton("Add files...", self)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self._remove_selected)
        drop_hint = QLabel("Drop export files here, or add them.", self)
        file_buttons = QHBoxLayout()
        file_buttons.addWidget(drop_hint, 1)
        file_buttons.addWidget(self.add_button)
        file_buttons.addWidget(self.remove_button)

        # mapping + preview of the selected file
        self.mapping = MappingEditor(self)
        self.mapping.changed.connect(self._mapping_edited)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.mapping)
        self.profile_name = QLineEdit(self)
        self.profile_name.setPlaceholderText("profile name, e.g. netsuite_credit_memos_ours")
        self.save_button = QPushButton("Save mapping as profile", self)
        self.save_button.clicked.connect(self.save_profile)
        save_row = QHBoxLayout()
        save_row.addWidget(self.profile_name, 1)
        save_row.addWidget(self.save_button)
        mapping_box = QGroupBox("Column mapping", self)
        mapping_box.setMinimumWidth(500)
        mbox = QVBoxLayout(mapping_box)
        self.read_as = QComboBox(self)
        self.read_as.setObjectName("readAsProfile")
        self.read_as.activated.connect(self._profile_chosen)
        read_as_row = QHBoxLayout()
        read_as_row.addWidget(QLabel("Read as profile", self))
        read_as_row.addWidget(self.read_as, 1)
        mbox.addLayout(read_as_row)
        mbox.addWidget(scroll, 1)
        mbox.addLayout(save_row)

        self.preview = PreviewModel(self)
        self.preview_view = QTableView(self)
        self.preview_view.setModel(self.preview)
        self.preview_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.preview_note = QLabel(self)
        self.preview_note.setWordWrap(True)
        preview_box = QGroupBox("Preview (first rows, as they will be imported)", self)
        pbox = QVBoxLayout(preview_box)
        pbox.addWidget(self.preview_note)
        pbox.addWidget(self.preview_view, 1)

        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(mapping_box)
        lower.addWidget(preview_box)
        lower.setSizes([460, 640])

        # errors, progress, buttons
        self.error_label = QLabel(self)
        self.error_label.setObjectName("importError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress_label = QLabel(self)
        self.cancel_button = QPushButton("Cancel import", self)
        self.cancel_button.clicked.connect(self.cancel_import)
        for w in (self.progress, self.progress_label, self.cancel_button):
            w.hide()
        self.import_button = QPushButton("Import and diagnose", self)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress_label)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addStretch(0)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(file_buttons)
        layout.addWidget(self.file_view, 1)
        layout.addWidget(lower, 3)
        layout.addWidget(self.error_label)
        layout.addLayout(bottom)

        self._current = -1
        self.add_paths(paths or [])
        self._update_buttons()

    # --- files ------------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Choose export files", "", FILE_FILTER)
        self.add_paths(paths)

    def add_paths(self, paths: Iterable[str | Path]) -> None:
        """List the files at once; detect them on the background worker (XLSX previews take
        a moment), filling each row when its detection arrives."""
        new = []
        for p in paths:
            path = Path(p)
            row = self.files.add(FileEntry(path=path, status="detecting..."))
            new.append(path)
        if not new:
            return
        self.pending_detections += len(new)
        self._update_buttons()
        task = run_in_background(self, detect_all, new, detect_fn=self._detect,
                                 on_done=self._detected, on_error=lambda exc: self._detect_failed(new, exc),
                                 progress_label="Detecting files...", show_progress=False)
        self._detect_tasks.append(task)
        if self._current < 0:
            self.file_view.selectRow(row)

    def _detected(self, results) -> None:
        last = -1
        for path, detection, error in results:
            row = self.files.row_of(path)
            if row < 0:                      # removed while detecting
                continue
            entry = self.files.entry(row)
            entry.detection = detection
            if detection is not None:
                entry.mapping = dict(getattr(detection, "mapping", {}) or {})
                entry.status, entry.error = self._detection_status(detection), None
            else:
                entry.error, entry.error_detail, entry.status = str(error), failure_detail(error), ""
            self.files.entry_changed(row)
            last = row
        self.pending_detections = max(0, self.pending_detections - len(results))
        if last >= 0:
            self.file_view.selectRow(last)
            self._select(last)
        self._update_buttons()
        self.detected.emit()

    def _detect_failed(self, paths, exc: BaseException) -> None:
        self._detected([(p, None, exc) for p in paths])

    @staticmethod
    def _detection_status(detection) -> str:
        if getattr(detection, "generic", False) or getattr(detection, "profile", None) is None:
            return "not recognised: check the guessed mapping, then save it as a profile"
        return "ready"

    def _remove_selected(self) -> None:
        row = self.file_view.currentIndex().row()
        if row >= 0:
            self.files.remove(row)
            self._current = -1
            self._select(self.file_view.currentIndex().row())
        self._update_buttons()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.add_paths(paths)
            event.acceptProposedAction()

    # --- mapping and preview ------------------------------------------------------------------
    def current_entry(self) -> FileEntry | None:
        return self.files.entry(self._current)

    def _select(self, row: int) -> None:
        self._current = row
        entry = self.files.entry(row)
        enabled = entry is not None and entry.detection is not None
        self.mapping.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self.read_as.setEnabled(enabled)
        if not enabled:
            self.read_as.clear()
            self.mapping.set_mapping([], {}, None)
            self.preview.set_table([], [])
            self.preview_note.setText(entry.error if entry and entry.error else "")
            return
        headers = list(getattr(entry.detection, "headers", []) or [])
        self.mapping.set_mapping(headers, entry.mapping, entry.system)
        self._fill_read_as(entry)
        if not self.profile_name.text() or entry.profile_name is None:
            base = entry.detected_profile or f"custom_{entry.path.stem}"
            self.profile_name.setText(entry.profile_name or f"{base}_mine")
        self._refresh_preview()

    def _fill_read_as(self, entry: FileEntry) -> None:
        """Detected profile first, then the alternatives with their scores, then the rest."""
        self.read_as.blockSignals(True)
        self.read_as.clear()
        detected = entry.detected_profile
        self.read_as.addItem(f"{detected} (detected)" if detected else "generic guess (detected)", None)
        scores = dict(getattr(entry.detection, "alternatives", None) or [])
        try:
            choices = profile_choices()
        except WorkbenchError:
            choices = []
        ordered = sorted((c for c in choices if c[0] != detected), key=lambda c: -scores.get(c[0], -1))
        for name, label in ordered:
            shown = f"{label} - {scores[name]:.0%}" if name in scores else label
            self.read_as.addItem(shown, name)
        chosen = getattr(entry.chosen_profile, "name", None)
        self.read_as.setCurrentIndex(max(0, self.read_as.findData(chosen)) if chosen else 0)
        self.read_as.blockSignals(False)

    def _profile_chosen(self, index: int) -> None:
        """Read the file as another profile: its mapping on this file's headers."""
        entry = self.current_entry()
        if entry is None or entry.detection is None:
            return
        name = self.read_as.itemData(index)
        headers = list(getattr(entry.detection, "headers", []) or [])
        if name is None:
            entry.chosen_profile, entry.chosen_system = None, None
            entry.mapping = dict(getattr(entry.detection, "mapping", {}) or {})
        else:
            try:
                profile, mapping = profile_and_columns(name, headers)
            except WorkbenchError as exc:
                self._show_error(str(exc))
                return
            entry.chosen_profile, entry.chosen_system, entry.mapping = profile, profile.system, mapping
        entry.edited, entry.profile_name = False, None
        entry.status = self._detection_status(entry.detection) if name is None else f"read as {name}"
        self.mapping.set_mapping(headers, entry.mapping, entry.system)
        self.files.entry_changed(self._current)
        self._refresh_preview()

    def _mapping_edited(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.detection is None:
            return
        entry.mapping = self.mapping.mapping()
        entry.chosen_system = self.mapping.current_system()
        entry.edited = True
        entry.profile_name = None
        entry.status = "mapping edited: save it as a profile or import with it"
        self.files.entry_changed(self._current)
        self._refresh_preview()

    def _entry_profile(self, entry: FileEntry, name: str | None = None):
        mapping = {role: entry.mapping.get(role) for role in self.mapping.full_mapping()}
        return profile_for(entry.detection, mapping, name=name, system=entry.system,
                           base=entry.chosen_profile)

    def _refresh_preview(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.detection is None:
            return
        try:
            if entry.edited or (entry.detection.profile is None and entry.chosen_profile is None):
                profile = self._entry_profile(entry)
            else:
                profile = entry.chosen_profile or entry.detection.profile
            headers, rows = parsed_preview(entry.detection, profile, self._tz)
            self.preview.set_table(headers, rows)
            self.preview_note.setText(f"{len(rows)} record(s) read from the first rows through "
                                      f"{profile.name}; times in {self._tz}.")
        except (WorkbenchError, ValueError, KeyError, AttributeError, TypeError) as exc:
            headers, rows = mapped_preview(entry.detection, entry.mapping)
            self.preview.set_table(headers, rows)
            self.preview_note.setText(f"\u26a0 The mapping does not read yet: {exc}. "
                                      "Showing the mapped columns as written in the file.")

    def save_profile(self) -> str | None:
        """Save the selected file's mapping as a named profile; that file then imports with it."""
        entry = self.current_entry()
        name = self.profile_name.text().strip()
        if entry is None or entry.detection is None:
            return None
        if not name or not name.replace("_", "").replace("-", "").isalnum():
            self._show_error(f"Profile name {name!r} is not usable (letters, digits, - and _ only).")
            return None
        try:
            saved = self._save_profile(self._entry_profile(entry, name=name))
        except (WorkbenchError, ValueError, OSError) as exc:
            self._show_error(f"Could not save profile {name!r}: {exc}")
            return None
        entry.profile_name = str(saved)
        entry.edited = False
        entry.status = f"saved as profile {name}"
        self.files.entry_changed(self._current)
        self._show_error(None)
        return entry.profile_name

    # --- import -------------------------------------------------------------------------------
    def profiles_for_import(self) -> dict[str, object]:
        """{path: saved profile path, or the corrected (unsaved) Profile}. A file that only a
        generic guess recognised must be confirmed (edited or saved) first: never imported
        on a guess nobody looked at."""
        out: dict[str, object] = {}
        for entry in self.files.entries():
            if entry.profile_name:
                out[str(entry.path)] = entry.profile_name
            elif entry.edited:
                out[str(entry.path)] = self._entry_profile(entry)
            elif entry.chosen_profile is not None:
                out[str(entry.path)] = entry.chosen_profile
            elif getattr(entry.detection, "profile", None) is None:
                raise ValueError(f"{entry.path.name} was not recognised: check its guessed mapping "
                                 "and save it as a profile first")
        return out

    def start_import(self) -> None:
        entries = self.files.entries()
        if self.pending_detections:
            self._show_error("Wait until every file is detected.")
            return
        bad = [e for e in entries if e.detection is None]
        if not entries:
            self._show_error("Add at least one file to import.")
            return
        if bad:
            self._show_error(f"{bad[0].path.name} cannot be imported: {bad[0].error}. Remove it or fix it.")
            return
        try:
            profiles = self.profiles_for_import()
        except (ValueError, WorkbenchError) as exc:
            self._show_error(str(exc))
            return
        self._show_error(None)
        for row, entry in enumerate(self.files.entries()):
            entry.error, entry.error_detail, entry.status = None, {}, "importing"
            self.files.entry_changed(row)
        self._set_running(True)
        self.task = run_in_background(
            self, import_and_reconcile, self._workbook, [e.path for e in entries], profiles,
            import_fn=self._import, reconcile_fn=self._reconcile,
            on_done=self._import_done, on_error=self._import_failed,
            progress_label="Importing...", show_progress=False)
        self.task.progress.connect(self._on_progress)

    def cancel_import(self) -> None:
        if self.task is not None and not self.task.is_finished:
            self.task.cancel()
            self.progress_label.setText("Cancelling...")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.progress_label.setText(message)

    def _import_done(self, result) -> None:
        summary, reconciled = result
        self.result_summary = summary
        self._set_running(False)
        for row, entry in enumerate(self.files.entries()):
            entry.status = self._file_status(summary, entry)
            self.files.entry_changed(row)
        changed = list(getattr(reconciled, "changed_case_ids", None) or [])
        self.imported.emit(changed)
        self.accept()

    @staticmethod
    def _file_status(summary, entry: FileEntry) -> str:
        for f in getattr(summary, "files", []) or []:
            if Path(getattr(f, "path", "")).name == entry.path.name:
                return f"{f.status}: {f.rows_loaded} loaded, {f.rows_skipped} skipped"
        return "imported"

    def _import_failed(self, exc: BaseException) -> None:
        self._set_running(False)
        if isinstance(exc, ImportCancelled):
            self._show_error("Import cancelled; nothing was written.")
            for row, entry in enumerate(self.files.entries()):
                entry.status = "cancelled"
                self.files.entry_changed(row)
            return
        detail = failure_detail(exc)
        self._show_error(failure_text(exc))
        for row, entry in enumerate(self.files.entries()):
            if detail and entry.path.name == Path(str(detail.get("file"))).name:
                entry.error, entry.error_detail = str(exc), detail
                self.file_view.selectRow(row)
            else:
                entry.status = "not imported"
            self.files.entry_changed(row)

    def _set_running(self, running: bool) -> None:
        for w in (self.progress, self.progress_label, self.cancel_button):
            w.setVisible(running)
        if running:
            self.progress.setValue(0)
            self.progress_label.setText("Importing...")
        for w in (self.import_button, self.add_button, self.remove_button, self.save_button, self.mapping):
            w.setEnabled(not running)
        self.close_button.setEnabled(not running)
        self._update_buttons(running)

    def _update_buttons(self, running: bool = False) -> None:
        self.import_button.setEnabled(not running and self.files.rowCount() > 0
                                      and self.pending_detections == 0)

    def _show_error(self, text: str | None) -> None:
        self.error_label.setVisible(bool(text))
        self.error_label.setText(f"\u26a0 {text}" if text else "")

    def error_text(self) -> str:
        return self.error_label.text()

    def reject(self) -> None:
        if self.task is not None and not self.task.is_finished:
            self.cancel_import()
            return
        super().reject()
