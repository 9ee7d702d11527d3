"""Addressing cases: by integer id, display id (`C-000123`) or case_key (`portal:84213`)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.core.errors import WorkbenchError
from workbench.core.store.models import Case, SourceRecord

_DISPLAY = re.compile(r"[Cc]-?(\d+)")


class CaseNotFound(WorkbenchError):
    """No case matches the given id or case key."""


def display_id(case_id: int) -> str:
    return f"C-{int(case_id):06d}"


def parse_case_id(ref: object) -> int | None:
    """The integer id a reference names, or None if it is not an id form (then: a case_key)."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return ref
    text = str(ref).strip()
    if text.isdigit():
        return int(text)
    m = _DISPLAY.fullmatch(text)
    return int(m.group(1)) if m else None


def resolve_case(session: Session, ref: object) -> Case:
    if isinstance(ref, Case):
        return ref
    case_id = parse_case_id(ref)
    case = session.get(Case, case_id) if case_id is not None else session.execute(
        select(Case).where(Case.case_key == str(ref).strip())).scalar_one_or_none()
    if case is None:
        raise CaseNotFound(f"no case {ref!r} (give C-000123, the number, or a case key such as portal:84213)")
    return case


def resolve_cases(session: Session, refs) -> list[Case]:
    """One or many references -> cases, de-duplicated, in the order given."""
    if isinstance(refs, (str, int, Case)):
        refs = [refs]
    seen: dict[int, Case] = {}
    for ref in refs:
        case = resolve_case(session, ref)
        seen.setdefault(case.id, case)
    if not seen:
        raise ValueError("no cases given")
    return list(seen.values())


def resolve_record(session: Session, ref: object) -> SourceRecord:
    """A source record by its row id (int) or as `system:record_id` (the current version)."""
    if isinstance(ref, int) or str(ref).strip().isdigit():
        rec = session.get(SourceRecord, int(ref))
    else:
        system, _, record_id = str(ref).strip().partition(":")
        rec = session.execute(
            select(SourceRecord).where(SourceRecord.system == system, SourceRecord.record_id == record_id,
                                       SourceRecord.is_current.is_(True))).scalars().first()
    if rec is None:
        raise CaseNotFound(f"no source record {ref!r} (give the row id or system:record_id, e.g. erp:CM104233)")
    return rec
