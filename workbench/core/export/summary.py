"""The summary a log states: period, as-of, settings, counts, structural flags."""

from __future__ import annotations

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
        "cases": len(content.cases),
        "structural_flags": content.flags,
        "audit_chain_ok": content.chain_ok,
    }
