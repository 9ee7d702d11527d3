"""The case detail: side-by-side records, timeline, diagnosis, raw rows, history."""

from workbench.ui.detail.widget import CaseDetailWidget

__all__ = ["CaseDetailWidget"]
