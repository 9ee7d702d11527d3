"""Case work controls for one case or a bulk selection (issue 6).

    panel = CaseworkPanel()
    panel.set_workbook(workbook); panel.set_undo_stack(stack); panel.set_cases([12, 13])
    panel.casesChanged.connect(window.refresh_rows)

Status, assignee, tags (free or reason code), notes and adjustments go through the core
(`workbench.core.casework`), each a single small transaction with the case versions this panel
loaded as `expected` (optimistic locking), and are pushed on the CaseworkUndoStack. Reviewers
approve or reject adjustments and resolutions with a comment (not undoable: a review is a
decision on the record). The current role (core/roles) decides what is enabled; an auditor
sees everything read-only. Core errors are shown in the message line; a ConcurrentEditError
also offers Refresh (reloads the versions so the user can try again).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
    QPushButton, QVBoxLayout, QWidget,
)
from sqlalchemy import select

from workbench.core import casework, roles
from workbench.core.canonical import SYSTEMS
from workbench.core.casework.refs import display_id
from workbench.core.casework.vocabulary import CLOSED_STATUSES, reason_codes
from workbench.core.errors import ConcurrentEditError, WorkbenchError
from workbench.core.money import to_decimal
from workbench.core.store.models import Adjustment, Case
from workbench.ui.background import run_in_background
from workbench.ui.undo import CaseworkUndoStack

STATUS_LABELS = {
    "open": "Open", "investigating": "Investigating", "waiting_on_it": "Waiting on IT",
    "resolved": "Resolved", "wont_fix": "Won't fix",
}
BULK_IN_BACKGROUND = 1000   # more cases than this: run the change on the worker thread
_CHUNK = 900                # SQLite bound-parameter batches


def _amount(minor, currency) -> str:
    return "-" if minor is None else f"{to_decimal(minor, currency)} {currency or ''}".strip()


def _call(fn, workbook, kwargs, job=None):
    """Worker-thread adapter for run_in_background (the core ops take no job)."""
    return fn(workbook, **kwargs)


class CaseworkPanel(QWidget):
    casesChanged = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workbook = None
        self._case_ids: list[int] = []
        self._versions: dict[int, int] = {}
        self._statuses: dict[int, str] = {}
        self._assignees: dict[int, str | None] = {}
        self._pending: list[dict] = []
        self._stack: CaseworkUndoStack | None = None
        self.role = roles.DEFAULT_ROLE
        self.last_error: str = ""
        self._build()
        self.set_undo_stack(CaseworkUndoStack(self))
        self._update_enabled()

    # ---- building -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.role_label = QLabel()
        self.role_label.setObjectName("caseworkRole")
        self.selection_label = QLabel("No case selected")
        self.selection_label.setWordWrap(True)
        layout.addWidget(self.role_label)
        layout.addWidget(self.selection_label)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.hide()
        self.refresh_button.clicked.connect(self.refresh)
        msg_row = QHBoxLayout()
        msg_row.addWidget(self.message, 1)
        msg_row.addWidget(self.refresh_button)
        layout.addLayout(msg_row)

        work = QGroupBox("Case work")
        form = QFormLayout(work)
        self.status_combo = QComboBox()
        for code, label in STATUS_LABELS.items():
            self.status_combo.addItem(label, code)
        self.status_button = QPushButton("Set status")
        self.status_button.clicked.connect(self.apply_status)
        form.addRow("Status", self._row(self.status_combo, self.status_button))

        self.assignee_edit = QLineEdit()
        self.assignee_edit.setPlaceholderText("user name (empty = unassigned)")
        self.assign_button = QPushButton("Assign")
        self.assign_button.clicked.connect(self.apply_assignee)
        form.addRow("Assignee", self._row(self.assignee_edit, self.assign_button))

        self.tag_combo = QComboBox()
        self.tag_combo.setEditable(True)
        self.tag_combo.lineEdit().setPlaceholderText("tag or reason code")
        self.reason_check = QCheckBox("reason code")
        self.tag_button = QPushButton("Add tag")
        self.tag_button.clicked.connect(self.apply_tag)
        self.untag_button = QPushButton("Remove tag")
        self.untag_button.clicked.connect(self.remove_tag)
        form.addRow("Tag", self._row(self.tag_combo, self.reason_check, self.tag_button, self.untag_button))

        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("note")
        self.note_edit.setFixedHeight(56)
        self.note_button = QPushButton("Add note")
        self.note_button.clicked.connect(self.apply_note)
        form.addRow("Note", self._row(self.note_edit, self.note_button))
        layout.addWidget(work)

        adj = QGroupBox("Manual adjustment (one case)")
        aform = QFormLayout(adj)
        self.adj_system = QComboBox()
        self.adj_system.addItems(list(SYSTEMS))
        self.adj_field = QLineEdit("amount")
        self.adj_from = QLineEdit()
        self.adj_from.setPlaceholderText("from, e.g. 15.00")
        self.adj_to = QLineEdit()
        self.adj_to.setPlaceholderText("to, e.g. 14.99")
        self.adj_reason = QComboBox()
        self.adj_journal = QLineEdit()
        self.adj_journal.setPlaceholderText("ERP journal entry / reference")
        self.adj_comment = QLineEdit()
        self.adj_button = QPushButton("Add adjustment")
        self.adj_button.clicked.connect(self.apply_adjustment)
        aform.addRow("System / field", self._row(self.adj_system, self.adj_field))
        aform.addRow("Amount", self._row(self.adj_from, QLabel("\u2192"), self.adj_to))
        aform.addRow("Reason code", self.adj_reason)
        aform.addRow("Journal ref", self.adj_journal)
        aform.addRow("Comment", self._row(self.adj_comment, self.adj_button))
        layout.addWidget(adj)
        self.adjustment_box = adj

        review = QGroupBox("Review (reviewer)")
        rform = QFormLayout(review)
        self.review_adjustment_combo = QComboBox()
        self.review_comment = QLineEdit()
        self.review_comment.setPlaceholderText("comment (required)")
        self.approve_adj_button = QPushButton("Approve adjustment")
        self.reject_adj_button = QPushButton("Reject adjustment")
        self.approve_adj_button.clicked.connect(lambda: self.review_adjustment(True))
        self.reject_adj_button.clicked.connect(lambda: self.review_adjustment(False))
        self.approve_res_button = QPushButton("Approve resolution")
        self.reject_res_button = QPushButton("Reject resolution")
        self.approve_res_button.clicked.connect(lambda: self.review_resolution(True))
        self.reject_res_button.clicked.connect(lambda: self.review_resolution(False))
        rform.addRow("Pending", self.review_adjustment_combo)
        rform.addRow("Comment", self.review_comment)
        rform.addRow("", self._row(self.approve_adj_button, self.reject_adj_button))
        rform.addRow("", self._row(self.approve_res_button, self.reject_res_button))
        layout.addWidget(review)
        self.review_box = review
        layout.addStretch(1)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for i, w in enumerate(widgets):
            row.addWidget(w, 1 if i == 0 else 0)
        return box

    # ---- public API -----------------------------------------------------------------------
    def set_workbook(self, workbook) -> None:
        self._workbook = workbook
        self._case_ids = []
        self.refresh()

    def set_undo_stack(self, stack: CaseworkUndoStack) -> None:
        if self._stack is not None:
            self._stack.casesChanged.disconnect(self._undone)
            self._stack.failed.disconnect(self._show_error)
        self._stack = stack
        stack.casesChanged.connect(self._undone)
        stack.failed.connect(self._show_error)

    def undo_stack(self) -> CaseworkUndoStack | None:
        return self._stack

    def set_cases(self, case_ids: list[int]) -> None:
        self._case_ids = [int(c) for c in dict.fromkeys(case_ids)]
        self._clear_message()
        self._load()

    def refresh(self) -> None:
        """Reload role, versions and review state (the Refresh after a concurrent edit)."""
        self._clear_message()
        self._load()

    @property
    def case_ids(self) -> list[int]:
        return list(self._case_ids)

    @property
    def versions(self) -> dict[int, int]:
        return dict(self._versions)

    # ---- loading --------------------------------------------------------------------------
    def _load(self) -> None:
        self._versions, self._statuses, self._assignees, self._pending = {}, {}, {}, []
        wb = self._workbook
        if wb is None:
            self.role_label.setText("No workbook open")
            self._update_enabled()
            return
        with wb.sessions() as s:
            self.role = roles.role_of(s, wb.user)
            codes = reason_codes(s)
            for i in range(0, len(self._case_ids), _CHUNK):
                chunk = self._case_ids[i:i + _CHUNK]
                for cid, version, status, assignee in s.execute(
                        select(Case.id, Case.version, Case.status, Case.assignee).where(Case.id.in_(chunk))):
                    self._versions[cid], self._statuses[cid], self._assignees[cid] = version, status, assignee
            if len(self._case_ids) == 1:
                self._pending = [
                    {"id": a.id, "text": f"#{a.id} {a.system}.{a.field} {_amount(a.amount_from_minor, a.currency)}"
                                         f"\u2192{_amount(a.amount_to_minor, a.currency)} "
                                         f"{a.reason_code} (by {a.created_by})", "maker": a.created_by}
                    for a in s.execute(select(Adjustment).where(Adjustment.case_id == self._case_ids[0],
                                                                Adjustment.review_status == "pending")
                                       .order_by(Adjustment.id)).scalars()]
        self._case_ids = [c for c in self._case_ids if c in self._versions]
        self._fill_reason_codes(codes)
        self.role_label.setText(f"Signed in as <b>{wb.user}</b> \u2014 role: <b>{self.role}</b>"
                                + (" (read-only)" if self.role == "auditor" else ""))
        self._show_selection()
        self._update_enabled()

    def _fill_reason_codes(self, codes) -> None:
        current = self.adj_reason.currentText()
        self.adj_reason.clear()
        self.adj_reason.addItems(list(codes))
        if current:
            self.adj_reason.setCurrentText(current)
        tag_text = self.tag_combo.currentText()
        self.tag_combo.clear()
        self.tag_combo.addItems(list(codes))
        self.tag_combo.setCurrentText(tag_text)

    def _show_selection(self) -> None:
        ids = self._case_ids
        if not ids:
            self.selection_label.setText("No case selected")
            return
        if len(ids) == 1:
            cid = ids[0]
            status = STATUS_LABELS.get(self._statuses[cid], self._statuses[cid])
            self.selection_label.setText(f"<b>{display_id(cid)}</b> \u2014 {status}, "
                                         f"assigned to {self._assignees[cid] or 'nobody'}")
            idx = self.status_combo.findData(self._statuses[cid])
            if idx >= 0:
                self.status_combo.setCurrentIndex(idx)
            self.assignee_edit.setText(self._assignees[cid] or "")
        else:
            shown = ", ".join(display_id(c) for c in ids[:4]) + (", ..." if len(ids) > 4 else "")
            self.selection_label.setText(f"<b>{len(ids)} cases</b> selected ({shown}): changes apply to all")
        self.review_adjustment_combo.clear()
        for p in self._pending:
            self.review_adjustment_combo.addItem(p["text"], p["id"])

    def _update_enabled(self) -> None:
        has = bool(self._case_ids) and self._workbook is not None
        single = has and len(self._case_ids) == 1
        can_work = self.role in ("analyst", "reviewer")
        can_review = self.role == "reviewer"
        for w in (self.status_combo, self.status_button, self.assignee_edit, self.assign_button,
                  self.tag_combo, self.reason_check, self.tag_button, self.untag_button,
                  self.note_edit, self.note_button):
            w.setEnabled(has and can_work)
        self.adjustment_box.setEnabled(single and can_work)
        self.review_box.setEnabled(single and can_review)
        has_pending = bool(self._pending)
        self.approve_adj_button.setEnabled(has_pending)
        self.reject_adj_button.setEnabled(has_pending)
        closed = single and self._statuses.get(self._case_ids[0]) in CLOSED_STATUSES
        self.approve_res_button.setEnabled(bool(closed))
        self.reject_res_button.setEnabled(bool(closed))

    # ---- messages -------------------------------------------------------------------------
    def _clear_message(self) -> None:
        self.last_error = ""
        self.message.hide()
        self.refresh_button.hide()

    def _show_error(self, text: str, concurrent: bool = False) -> None:
        self.last_error = text
        self.message.setText(text)
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.message.show()
        self.refresh_button.setVisible(concurrent or "refresh" in text.lower())

    def _show_info(self, text: str) -> None:
        self.last_error = ""
        self.message.setText(text)
        self.message.setStyleSheet("color: #1b5e20;")
        self.message.show()
        self.refresh_button.hide()

    # ---- running changes ------------------------------------------------------------------
    def _expected(self) -> dict[int, int]:
        return {c: self._versions[c] for c in self._case_ids}

    def _run(self, description: str, fn, kwargs: dict, *, undoable: bool = True) -> None:
        if self._workbook is None or not self._case_ids:
            return
        kwargs = {**kwargs, "expected": self._expected()}
        wb = self._workbook
        if len(self._case_ids) > BULK_IN_BACKGROUND:
            run_in_background(self, _call, fn, wb, kwargs, progress_label=f"{description}...",
                              cancellable=False,
                              on_done=lambda ch: self._done(description, ch, undoable),
                              on_error=self._failed)
            return
        try:
            changes = fn(wb, **kwargs)
        except (WorkbenchError, ValueError) as exc:
            self._failed(exc)
            return
        self._done(description, changes, undoable)

    def _done(self, description: str, changes, undoable: bool) -> None:
        self._versions.update(changes.versions)
        if self._stack is not None:
            if undoable:
                self._stack.push_change(self._workbook, description, changes)
            else:
                self._stack.note_versions(changes.versions)
        self._load()
        n = len(changes.case_ids)
        self._show_info(f"{description}: {n} case{'s' if n != 1 else ''} changed" if n
                        else f"{description}: nothing to change")
        if changes.case_ids:
            self.casesChanged.emit(list(changes.case_ids))

    def _failed(self, exc: BaseException) -> None:
        self._show_error(str(exc), concurrent=isinstance(exc, ConcurrentEditError))

    def _undone(self, case_ids: list) -> None:
        self._load()
        self.casesChanged.emit(list(case_ids))

    # ---- the controls' actions ------------------------------------------------------------
    def apply_status(self) -> None:
        status = self.status_combo.currentData()
        self._run(f"set status {STATUS_LABELS[status]}", casework.set_status,
                  {"cases": list(self._case_ids), "status": status})

    def apply_assignee(self) -> None:
        user = self.assignee_edit.text().strip() or None
        self._run(f"assign to {user or 'nobody'}", casework.assign, {"cases": list(self._case_ids), "assignee": user})

    def apply_tag(self) -> None:
        tag = self.tag_combo.currentText().strip()
        self._run(f"add tag {tag}", casework.add_tag, {"cases": list(self._case_ids), "tag": tag,
                                                        "reason_code": self.reason_check.isChecked()})

    def remove_tag(self) -> None:
        tag = self.tag_combo.currentText().strip()
        self._run(f"remove tag {tag}", casework.remove_tag, {"cases": list(self._case_ids), "tag": tag})

    def apply_note(self) -> None:
        body = self.note_edit.toPlainText()
        self._run("add note", casework.add_note, {"cases": list(self._case_ids), "body": body})
        if not self.last_error:
            self.note_edit.clear()

    def apply_adjustment(self) -> None:
        if len(self._case_ids) != 1:
            return
        self._run("add adjustment", casework.add_adjustment, {
            "case": self._case_ids[0], "system": self.adj_system.currentText(), "field": self.adj_field.text(),
            "amount_from": self.adj_from.text(), "amount_to": self.adj_to.text(),
            "reason_code": self.adj_reason.currentText(), "journal_ref": self.adj_journal.text(),
            "comment": self.adj_comment.text()})

    def review_adjustment(self, approve: bool) -> None:
        adj_id = self.review_adjustment_combo.currentData()
        if adj_id is None:
            return
        self._run(f"{'approve' if approve else 'reject'} adjustment #{adj_id}", casework.review_adjustment,
                  {"adjustment_id": adj_id, "approve": approve, "comment": self.review_comment.text()},
                  undoable=False)

    def review_resolution(self, approve: bool) -> None:
        if len(self._case_ids) != 1:
            return
        self._run(f"{'approve' if approve else 'reject'} resolution", casework.review_resolution,
                  {"case": self._case_ids[0], "approve": approve, "comment": self.review_comment.text()},
                  undoable=False)
