"""The Dashboard tab: patterns across cases (issue 7)."""

from workbench.ui.dashboard.widget import DashboardWidget

__all__ = ["DashboardWidget"]
