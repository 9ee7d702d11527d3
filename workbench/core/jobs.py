"""Progress and cancellation for long core operations (import, reconcile, export).

Core functions take `job: Job | None`. They call `job.step(fraction, message)` now and then
(cheap: it only forwards when the change is meaningful) and `job.check()` at safe points,
which raises ImportCancelled when the user asked to stop. Nothing is written after a cancel:
callers cancel before their single commit, so the store stays as it was.
"""

from __future__ import annotations

import threading
from typing import Callable

from workbench.core.errors import ImportCancelled

ProgressCallback = Callable[[float, str], None]


class Job:
    def __init__(self, on_progress: ProgressCallback | None = None) -> None:
        self._on_progress = on_progress
        self._cancel = threading.Event()
        self._last = (-1.0, "")

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise ImportCancelled("cancelled; nothing was written")

    def step(self, fraction: float, message: str = "") -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        last_fraction, last_message = self._last
        if message == last_message and fraction - last_fraction < 0.01 and fraction < 1.0:
            return
        self._last = (fraction, message)
        if self._on_progress is not None:
            self._on_progress(fraction, message)

    def sub(self, start: float, end: float) -> "SubJob":
        """A view of this job that maps 0..1 onto start..end of the parent."""
        return SubJob(self, start, end)


class SubJob(Job):
    def __init__(self, parent: Job, start: float, end: float) -> None:
        super().__init__(None)
        self._parent, self._start, self._end = parent, start, end

    def cancel(self) -> None:
        self._parent.cancel()

    @property
    def cancelled(self) -> bool:
        return self._parent.cancelled

    def check(self) -> None:
        self._parent.check()

    def step(self, fraction: float, message: str = "") -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        self._parent.step(self._start + (self._end - self._start) * fraction, message)


def ensure_job(job: Job | None) -> Job:
    return job if job is not None else Job()
