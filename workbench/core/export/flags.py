"""Structural-problem flags for the log's Summary sheet.

HOOK for issue 7 (insights): `structural_flags(workbook)` must return a list of dicts
{"flag": short name, "detail": words with numbers}. It returns [] until issue 7 fills it in;
the Summary sheet then says "none reported" (and the JSON log carries an empty list).
"""

from __future__ import annotations


def structural_flags(workbook) -> list[dict]:
    return []
