"""The summary a log states: period, as-of, settings, counts, structural flags."""

from __future__ import annotations

import hashlib
import json

from workbench.core.export.content import LogContent
from workbench.core.timeutil import format_business


def as_of_text(content: LogContent) -> str:
    if content.as_of is None:
        return "no events in the data"
    return f"{format_business(content.as_of, content.settings.timezone)} ({content.settings.timezone})"


def summary_dict(content: LogContent) -> dict:
    return {
        "period": content.period,
        "as_of": as_of_text(content),
        "settings": [[label, value] for label, value in content.settings.describe()],
        "counts": {k: dict(sorted(v.items())) for k, v in content.counts.items()},
        "cases": content.case_count,
        "structural_flags": content.flags,
        "audit_chain_ok": content.chain_ok,
    }


def summary_lines(content: LogContent, meta: dict) -> list[tuple[str, object, bool]]:
    """(label, value, is_heading) lines of the XLSX Summary sheet; '' label = blank line."""
    head = meta["chain_head"]
    lines: list[tuple[str, object, bool]] = [
        ("Returns resolution log", None, True),
        ("Reporting period", content.period, False),
        ("As of", as_of_text(content), False),
        ("Exported at (UTC)", meta["exported_at"], False),
        ("Exported by", meta["exported_by"], False),
        ("Workbook", meta["workbook"], False),
        ("Audit chain head", f"event {head[0]}, {head[1]}", False),
        ("Audit chain verifies", "yes" if content.chain_ok else "NO - the workbook's trail is broken", False),
        ("Cases", content.case_count, False),
        ("", None, False),
        ("Settings used", None, True),
        *[(label, value, False) for label, value in content.settings.describe()],
    ]
    for key, title in (("symptom", "Cases by symptom"), ("boundary", "Cases by boundary"),
                       ("status", "Cases by status")):
        lines += [("", None, False), (title, None, True)]
        lines += [(name, count, False) for name, count in sorted(content.counts.get(key, {}).items())]
    lines += [("", None, False), ("Structural-problem flags", None, True)]
    if not content.flags:
        lines.append(("none reported", None, False))
    lines += [(str(f.get("flag", "")), str(f.get("detail", "")), False) for f in content.flags]
    return lines


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lines_hash(pairs) -> str:
    """SHA-256 of the Summary sheet's (label, value) pairs as text, blank lines left out."""
    data = [[_text(label), _text(value)] for label, value in pairs if _text(label) or _text(value)]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def dict_hash(summary: dict) -> str:
    return hashlib.sha256(json.dumps(summary, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()
