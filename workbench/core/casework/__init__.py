"""Case work (issue 6): tags, status, assignee, notes, adjustments, link overrides, settings,
review (maker-checker), period sign-off, roles.

Every change is one transaction that checks the actor's role (core/roles.py), the case
period's sign-off, and the case version the caller saw (`expected`: an int for one case, or
{case_id: version}); writes one audit event per case changed; and returns `Changes` (affected
case ids, new versions, and `inverse`, an Op that undoes it). `apply(workbook, op)` runs an Op:
that is how the GUI's undo stack undoes and redoes without the core knowing about Qt.
"""

from __future__ import annotations

from workbench.core.casework.adjustments import add_adjustment, withdraw_adjustment
from workbench.core.casework.changes import Changes, Op
from workbench.core.casework.integrity import check_integrity, require_integrity, warning_text
from workbench.core.casework.links import override_link
from workbench.core.casework.ops import (
    add_note, add_tag, assign, remove_notes, remove_tag, set_assignees, set_status, set_statuses,
)
from workbench.core.casework.queries import case_detail, list_cases
from workbench.core.casework.refs import CaseNotFound, display_id, parse_case_id
from workbench.core.casework.review import (
    reopen_period, review_adjustment, review_resolution, set_role, signoff_period,
)
from workbench.core.casework.settings_change import change_settings
from workbench.core.casework.vocabulary import REASON_CODES, STATUSES

# Ops the undo stack may replay (name -> function taking the workbook and keyword args)
OPS = {
    "add_tag": add_tag, "remove_tag": remove_tag, "set_status": set_status,
    "set_statuses": set_statuses, "assign": assign, "set_assignees": set_assignees,
    "add_note": add_note, "remove_notes": remove_notes, "add_adjustment": add_adjustment,
    "withdraw_adjustment": withdraw_adjustment, "override_link": override_link,
    "change_settings": change_settings, "set_role": set_role,
}


def apply(workbook, op: Op, *, expected=None, actor: str | None = None) -> Changes:
    """Run a replayable Op (an undo or a redo). Its own inverse is in the returned Changes."""
    try:
        fn = OPS[op.name]
    except KeyError:
        raise ValueError(f"unknown case operation {op.name!r}") from None
    kwargs = dict(op.args)
    if expected is not None and op.name not in ("change_settings", "set_role"):
        kwargs["expected"] = expected
    if actor is not None:
        kwargs["actor"] = actor
    return fn(workbook, **kwargs)


__all__ = [
    "Changes", "Op", "OPS", "apply", "CaseNotFound", "REASON_CODES", "STATUSES",
    "add_tag", "remove_tag", "set_status", "set_statuses", "assign", "set_assignees",
    "add_note", "remove_notes", "add_adjustment", "withdraw_adjustment", "override_link",
    "change_settings", "review_adjustment", "review_resolution", "signoff_period",
    "reopen_period", "set_role", "check_integrity", "require_integrity", "warning_text",
    "list_cases", "case_detail", "display_id", "parse_case_id",
]
