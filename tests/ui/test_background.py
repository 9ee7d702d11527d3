"""run_in_background: result, error, cancel and progress arrive on the UI thread."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QMainWindow

from workbench.core.errors import ImportCancelled, ImportFailure
from workbench.ui.background import run_in_background, worker_pool


def test_result_arrives_on_ui_thread_and_work_runs_elsewhere(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    seen = {}

    def work(a, b, job):
        seen["thread"] = threading.get_ident()
        job.step(0.5, "half")
        return a + b

    def done(result):
        seen["done_thread"] = threading.get_ident()
        seen["result"] = result

    task = run_in_background(window, work, 2, 3, on_done=done, progress_label="Adding")
    assert window.statusBar().findChild(object, "backgroundProgress") is not None
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [True]
    assert seen["result"] == 5 and task.result == 5
    assert seen["done_thread"] == threading.get_ident()
    assert seen["thread"] != threading.get_ident()
    qtbot.waitUntil(lambda: window.statusBar().findChild(object, "backgroundProgress") is None)


def test_error_is_delivered_with_its_message(qtbot):
    errors = []

    def work(job):
        raise ImportFailure("x.csv", "bad amount", row=4, column="Amount", value="abc", expected="a number")

    task = run_in_background(None, work, on_error=errors.append)
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        pass
    assert blocker.args == [False]
    assert isinstance(errors[0], ImportFailure)
    assert "row 4" in str(errors[0]) and "Amount" in str(errors[0])


def test_cancel_stops_at_the_next_check(qtbot):
    gate = threading.Event()
    errors = []

    def work(job):
        gate.wait(5)
        job.check()
        return "not reached"

    task = run_in_background(None, work, on_error=errors.append)
    task.cancel()
    gate.set()
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert task.cancelled and isinstance(errors[0], ImportCancelled)
    assert task.result is None


def test_one_worker_thread_serialises_work(qtbot):
    assert worker_pool().maxThreadCount() == 1
    order = []
    lock = threading.Lock()
    running = []

    def work(n, job):
        with lock:
            running.append(n)
            assert len(running) == 1
        order.append(n)
        with lock:
            running.remove(n)
        return n

    tasks = [run_in_background(None, work, n) for n in range(5)]
    qtbot.waitUntil(lambda: all(t.is_finished for t in tasks), timeout=5000)
    assert order == [0, 1, 2, 3, 4]
    assert all(t.error is None for t in tasks)
