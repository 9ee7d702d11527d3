"""Long work off the UI thread, one way (STYLE.md section 5).

    task = run_in_background(self, reconcile, workbook, settings,
                             on_done=self._reconciled, on_error=self._failed,
                             progress_label="Diagnosing...")

`fn(*args, job=job, **kwargs)` runs on ONE shared worker thread (a QThreadPool with a single
thread), so every database write goes through one worker and SQLite sees one writer. Core
functions open their own sessions from the Workbook, so nothing bound to a session crosses
threads: only the plain result object (or the exception) comes back, delivered on the UI thread
through queued signals. Progress is shown in the parent window's status bar (label, progress
bar, Cancel button); when the parent is not in a QMainWindow (e.g. a dialog) a window-modal
QProgressDialog is used instead. Cancel calls `job.cancel()`; the core raises ImportCancelled
at its next safe point and nothing is written.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from workbench.core.errors import ImportCancelled
from workbench.core.jobs import Job

_POOL: QThreadPool | None = None
_ACTIVE: set["BackgroundTask"] = set()


def worker_pool() -> QThreadPool:
    """The single-thread pool every background task runs on."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(1)
        _POOL.setExpiryTimeout(-1)
    return _POOL


def active_tasks() -> list["BackgroundTask"]:
    """Tasks queued or running on the worker (a task whose work has ended counts as done even
    if its result has not been delivered to the UI thread yet)."""
    return [t for t in list(_ACTIVE) if not (t._runner is not None and t._runner.ended)]


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until queued work is done (used on application exit). True if it finished."""
    for task in list(_ACTIVE):
        task.cancel()
    return worker_pool().waitForDone(timeout_ms)


class _Signals(QObject):
    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(object, str)


class _Runner(QRunnable):
    def __init__(self, signals: _Signals, job: Job, fn: Callable, args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.ended = False
        self._signals, self._job, self._fn, self._args, self._kwargs = signals, job, fn, args, kwargs

    def run(self) -> None:  # worker thread
        try:
            self._job.check()
            result = self._fn(*self._args, job=self._job, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported to the UI thread
            self.ended = True
            self._signals.failed.emit(exc, traceback.format_exc())
            return
        self.ended = True
        self._signals.done.emit(result)


class BackgroundTask(QObject):
    """A handle on one background call. Signals arrive on the UI thread.

    finished(ok: bool) is emitted last, after on_done/on_error ran.
    """

    progress = Signal(float, str)
    succeeded = Signal(object)
    errored = Signal(object)
    finished = Signal(bool)

    def __init__(self, parent: QObject | None, label: str) -> None:
        super().__init__(parent)
        self.label = label
        self.result: Any = None
        self.error: BaseException | None = None
        self.traceback = ""
        self.is_finished = False
        self._signals = _Signals()
        self.job = Job(on_progress=self._signals.progress.emit)
        self._runner: _Runner | None = None
        self._indicator: Any = None
        self._on_done: Callable[[Any], None] | None = None
        self._on_error: Callable[[BaseException], None] | None = None

    @property
    def cancelled(self) -> bool:
        return isinstance(self.error, ImportCancelled)

    @Slot()
    def cancel(self) -> None:
        self.job.cancel()

    # --- delivery: slots of this UI-thread object, so queued from the worker -----------------
    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self.result = result
        try:
            if self._on_done is not None:
                self._on_done(result)
            self.succeeded.emit(result)
        finally:
            self._finish(True)

    @Slot(object, str)
    def _deliver_error(self, exc: BaseException, tb: str) -> None:
        self.error, self.traceback = exc, tb
        try:
            if self._on_error is not None:
                self._on_error(exc)
            self.errored.emit(exc)
        finally:
            self._finish(False)

    def _finish(self, ok: bool) -> None:
        if self.is_finished:
            return
        self.is_finished = True
        indicator = self._indicator
        if isinstance(indicator, _StatusBarProgress):
            indicator.close_down()
        elif isinstance(indicator, QProgressDialog):
            indicator.reset()
            indicator.hide()
            indicator.deleteLater()
        self._indicator = None
        _ACTIVE.discard(self)
        self.finished.emit(ok)


class _StatusBarProgress(QWidget):
    """Label + progress bar + Cancel, shown in a main window's status bar while a task runs."""

    def __init__(self, window: QMainWindow, task: BackgroundTask, cancellable: bool) -> None:
        super().__init__(window)
        self.setObjectName("backgroundProgress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(task.label, self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(task.cancel)
        self.cancel_button.clicked.connect(lambda: self.label.setText(f"{task.label} (cancelling)"))
        for w in (self.label, self.bar, self.cancel_button):
            layout.addWidget(w)
        task.progress.connect(self._on_progress)
        window.statusBar().addPermanentWidget(self)
        self._window = window
        self._task_label = task.label

    @Slot(float, str)
    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message:
            self.label.setText(f"{self._task_label} {message}")

    def close_down(self) -> None:
        self._window.statusBar().removeWidget(self)
        self.deleteLater()


def _dialog_progress(parent: QWidget | None, task: BackgroundTask, cancellable: bool) -> QProgressDialog:
    dialog = QProgressDialog(task.label, "Cancel" if cancellable else "", 0, 1000, parent)
    dialog.setObjectName("backgroundProgressDialog")
    dialog.setWindowTitle(task.label)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.canceled.connect(task.cancel)

    def on_progress(fraction: float, message: str) -> None:
        dialog.setValue(int(fraction * 1000))
        if message:
            dialog.setLabelText(f"{task.label}\n{message}")

    task.progress.connect(on_progress)
    return dialog


def run_in_background(
    parent: QWidget | None,
    fn: Callable[..., Any],
    *args: Any,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    progress_label: str = "Working...",
    cancellable: bool = True,
    show_progress: bool = True,
    **kwargs: Any,
) -> BackgroundTask:
    """Run `fn(*args, job=job, **kwargs)` on the single worker thread.

    on_done(result) / on_error(exception) are called on the UI thread. A cancelled run is an
    error of type ImportCancelled (check `isinstance(exc, ImportCancelled)`). Without
    on_error the error is only reported through the task's `errored` signal and `.error`.
    Returns the BackgroundTask (wait on `task.finished` in tests).
    """
    task = BackgroundTask(parent, progress_label)
    _ACTIVE.add(task)
    indicator: _StatusBarProgress | QProgressDialog | None = None
    if show_progress and parent is not None:
        window = parent.window() if isinstance(parent, QWidget) else None
        if isinstance(window, QMainWindow) and not _in_dialog(parent):
            indicator = _StatusBarProgress(window, task, cancellable)
        else:
            indicator = _dialog_progress(parent, task, cancellable)

    task._indicator = indicator
    task._on_done, task._on_error = on_done, on_error
    task._signals.progress.connect(task.progress)
    task._signals.done.connect(task._deliver_result)
    task._signals.failed.connect(task._deliver_error)
    task._runner = _Runner(task._signals, task.job, fn, args, kwargs)
    worker_pool().start(task._runner)
    return task


def _in_dialog(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QDialog

    w: QWidget | None = widget
    while w is not None:
        if isinstance(w, QDialog):
            return True
        w = w.parentWidget()
    return False
