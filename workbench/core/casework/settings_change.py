"""Changing the business settings: saved with the data and audited ('settings.change')."""

from __future__ import annotations

import json

from workbench.core import audit, roles
from workbench.core.casework import guard
from workbench.core.casework.changes import Changes, Op
from workbench.core.settings import BusinessSettings
from workbench.core.store.database import BUSINESS_KEY
from workbench.core.store.models import Setting


def change_settings(workbook, settings: BusinessSettings | dict, *, actor: str | None = None) -> Changes:
    """`settings`: a full BusinessSettings, or a dict of fields to change. Returns
    Changes(settings_changed=True); the caller re-runs reconcile if it wants the new diagnosis."""
    actor = actor or workbook.user
    with guard.transaction(workbook) as s:
        roles.require(s, actor, roles.WORK)
        row = s.get(Setting, BUSINESS_KEY)
        old = BusinessSettings.from_json(row.value if row else None)
        new = old.with_changes(**settings) if isinstance(settings, dict) else settings.validated()
        if new == old:
            return Changes()
        workbook.save_business_settings(new, session=s)
        ev = audit.record(s, actor, "settings.change", entity="settings",
                          before=json.loads(old.to_json()), after=json.loads(new.to_json()))
    return Changes((), {}, Op("change_settings", {"settings": old}, "restore settings"),
                   audit_seqs=(ev.seq,), settings_changed=True)
