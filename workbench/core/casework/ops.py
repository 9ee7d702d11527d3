"""Case work on one or many cases: tags, status, assignee, notes.

Each function is one transaction: role, period and version checks (guard), the change, one
audit event per case, the case versions bumped. Bulk = pass many case refs.
"""

from __future__ import annotations

from sqlalchemy import select

from workbench.core import audit
from workbench.core.casework import guard
from workbench.core.casework.changes import Changes, Op
from workbench.core.casework.refs import resolve_case
from workbench.core.casework.vocabulary import check_reason_code, check_status, check_tag
from workbench.core.errors import PermissionDenied
from workbench.core.store.models import Case, Note, Tag


def _tags(session, case_id: int) -> list[str]:
    return sorted(session.execute(select(Tag.tag).where(Tag.case_id == case_id)).scalars())


def add_tag(workbook, cases, tag: str, *, reason_code: bool = False, expected=None,
            actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    tag = check_tag(tag)
    with guard.transaction(workbook) as s:
        if reason_code:
            check_reason_code(s, tag)
        targets = guard.prepare(s, actor, cases, expected=expected)
        added, seqs = [], []
        for case in targets:
            before = _tags(s, case.id)
            if tag in before:
                continue
            s.add(Tag(case_id=case.id, tag=tag, is_reason_code=reason_code, created_by=actor))
            ev = audit.record(s, actor, "tag.add", case_id=case.id, case_key=case.case_key, entity="tag",
                              before={"tags": before}, after={"tags": sorted([*before, tag]),
                                                              "reason_code": reason_code})
            added.append(case)
            seqs.append(ev.seq)
        versions = guard.bump(s, added)
    inverse = Op("remove_tag", {"cases": [c.id for c in added], "tag": tag}, f"remove tag {tag}") if added else None
    return Changes(tuple(c.id for c in added), versions, inverse, audit_seqs=tuple(seqs))


def remove_tag(workbook, cases, tag: str, *, expected=None, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    tag = check_tag(tag)
    with guard.transaction(workbook) as s:
        targets = guard.prepare(s, actor, cases, expected=expected)
        removed, seqs, was_reason = [], [], False
        for case in targets:
            row = s.execute(select(Tag).where(Tag.case_id == case.id, Tag.tag == tag)).scalar_one_or_none()
            if row is None:
                continue
            was_reason = was_reason or row.is_reason_code
            before = _tags(s, case.id)
            s.delete(row)
            ev = audit.record(s, actor, "tag.remove", case_id=case.id, case_key=case.case_key, entity="tag",
                              before={"tags": before}, after={"tags": [t for t in before if t != tag]})
            removed.append(case)
            seqs.append(ev.seq)
        versions = guard.bump(s, removed)
    inverse = (Op("add_tag", {"cases": [c.id for c in removed], "tag": tag, "reason_code": was_reason},
                  f"add tag {tag}") if removed else None)
    return Changes(tuple(c.id for c in removed), versions, inverse, audit_seqs=tuple(seqs))


def _set_field(workbook, field: str, values: dict, *, expected, actor: str | None, action: str) -> Changes:
    """Set `field` per case ({case ref: value}); cases already holding the value are skipped."""
    actor = actor or workbook.user
    with guard.transaction(workbook) as s:
        targets = guard.prepare(s, actor, list(values.keys()), expected=expected)
        by_ref = {resolve_case(s, ref).id: value for ref, value in values.items()}
        changed, seqs, old = [], [], {}
        for case in targets:
            new = by_ref[case.id]
            prev = getattr(case, field)
            if prev == new:
                continue
            old[case.id] = prev
            setattr(case, field, new)
            ev = audit.record(s, actor, action, case_id=case.id, case_key=case.case_key, entity="case",
                              before={field: prev}, after={field: new})
            changed.append(case)
            seqs.append(ev.seq)
        versions = guard.bump(s, changed)
    name = "set_statuses" if field == "status" else "set_assignees"
    inverse = Op(name, {"values": old}, f"restore {field}") if changed else None
    return Changes(tuple(c.id for c in changed), versions, inverse, audit_seqs=tuple(seqs))


def _as_list(cases) -> list:
    return [cases] if isinstance(cases, (str, int, Case)) else list(cases)


def set_status(workbook, cases, status: str, *, expected=None, actor: str | None = None) -> Changes:
    status = check_status(status)
    return set_statuses(workbook, {ref: status for ref in _as_list(cases)}, expected=expected, actor=actor)


def set_statuses(workbook, values: dict, *, expected=None, actor: str | None = None) -> Changes:
    values = {ref: check_status(v) for ref, v in values.items()}
    return _set_field(workbook, "status", values, expected=expected, actor=actor, action="status.change")


def assign(workbook, cases, assignee: str | None, *, expected=None, actor: str | None = None) -> Changes:
    assignee = (assignee or "").strip() or None
    return set_assignees(workbook, {ref: assignee for ref in _as_list(cases)}, expected=expected, actor=actor)


def set_assignees(workbook, values: dict, *, expected=None, actor: str | None = None) -> Changes:
    return _set_field(workbook, "assignee", values, expected=expected, actor=actor, action="case.assign")


def add_note(workbook, cases, body: str, *, expected=None, actor: str | None = None) -> Changes:
    actor = actor or workbook.user
    body = (body or "").strip()
    if not body:
        raise ValueError("a note needs some text")
    with guard.transaction(workbook) as s:
        targets = guard.prepare(s, actor, cases, expected=expected)
        notes, seqs = [], []
        for case in targets:
            note = Note(case_id=case.id, author=actor, body=body)
            s.add(note)
            s.flush()
            ev = audit.record(s, actor, "note.add", case_id=case.id, case_key=case.case_key,
                              entity=f"note:{note.id}", after={"note_id": note.id, "body": body})
            notes.append(note.id)
            seqs.append(ev.seq)
        versions = guard.bump(s, targets)
    inverse = Op("remove_notes", {"note_ids": notes}, "remove note")
    return Changes(tuple(c.id for c in targets), versions, inverse,
                   created_id=notes[0] if len(notes) == 1 else None, audit_seqs=tuple(seqs))


def remove_notes(workbook, note_ids, *, expected=None, actor: str | None = None) -> Changes:
    """Withdraw notes (their author only; the trail keeps what they said)."""
    actor = actor or workbook.user
    with guard.transaction(workbook) as s:
        notes = [s.get(Note, int(i)) for i in note_ids]
        if any(n is None for n in notes):
            raise ValueError(f"no note with id {[i for i, n in zip(note_ids, notes) if n is None][0]}")
        for n in notes:
            if n.author != actor:
                raise PermissionDenied(f"note {n.id} was written by {n.author}; only its author may withdraw it")
        targets = guard.prepare(s, actor, [n.case_id for n in notes], expected=expected)
        seqs, restore = [], []
        by_id = {c.id: c for c in targets}
        for n in notes:
            case = by_id[n.case_id]
            ev = audit.record(s, actor, "note.remove", case_id=case.id, case_key=case.case_key,
                              entity=f"note:{n.id}", before={"note_id": n.id, "body": n.body})
            restore.append((n.case_id, n.body))
            s.delete(n)
            seqs.append(ev.seq)
        versions = guard.bump(s, targets)
    bodies = {b for _, b in restore}
    inverse = (Op("add_note", {"cases": [c for c, _ in restore], "body": restore[0][1]}, "add note")
               if len(bodies) == 1 else None)
    return Changes(tuple(c.id for c in targets), versions, inverse, audit_seqs=tuple(seqs))
