"""Cell safety and canonical cell text.

* `neutralise`: a text cell a spreadsheet would execute (first character = + - @, tab or CR)
  gets a leading single quote, so it shows as text and never runs. Only text columns pass
  through it: numbers (also negative ones) stay numbers.
* `mask_emails`: `jane.doe@example.com` -> `j***@example.com`, for logs that leave finance.
* `canonical`: the text a cell's value hashes as, the same whether it was read from CSV
  (text), XLSX (typed: float, datetime, int) or JSON, so verification is format-independent.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal, InvalidOperation

TEXT, MONEY, TIME, INT = "text", "money", "time", "int"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")


def neutralise(text: str) -> str:
    return "'" + text if text and text.startswith(_DANGEROUS) else text


def is_dangerous(text: str) -> bool:
    return bool(text) and text.startswith(_DANGEROUS)


def mask_emails(text: str) -> str:
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def _money_text(value) -> str:
    try:
        dec = value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return str(value)   # not a number any more: hashes as typed, so the edit shows
    if not dec.is_finite():
        return str(value)
    text = format(dec.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _time_text(value) -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, dtime())   # calamine reads a midnight time as a date
    if isinstance(value, datetime):
        return (value.replace(tzinfo=None) + timedelta(microseconds=500_000)).strftime(TIME_FORMAT)
    return str(value).strip()


def canonical(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and value == "":
        return ""
    if kind == MONEY:
        return _money_text(value)
    if kind == TIME:
        return _time_text(value)
    if kind == INT:
        try:
            return str(int(value)) if not isinstance(value, str) else str(int(value.strip()))
        except (TypeError, ValueError):
            return str(value)
    return str(value)
