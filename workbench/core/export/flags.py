"""Structural-problem flags and chart data for the log, from the pattern analysis (issue 7).

`structural_flags(workbook)` returns [{"flag": short name, "detail": words with numbers}] for the
Summary sheet (sealed by the manifest); `log_insights(workbook)` returns the flags together with
the tables behind the XLSX Insights sheet's charts, from one analysis.
"""

from __future__ import annotations


def log_insights(workbook):
    from workbench.core.insights.export import export_summary

    return export_summary(workbook)


def structural_flags(workbook) -> list[dict]:
    return log_insights(workbook).flags
