"""Link override: a person moves a source record to another case (audit 'link.override').

The link is marked `is_override` with rule 'manual' so re-linking keeps the person's decision
(core/link must honour `case_links.is_override`).
"""

from __future__ import annotations

from sqlalchemy import select

from workbench.core import audit
from workbench.core.casework import guard
from workbench.core.casework.changes import Changes, Op
from workbench.core.casework.refs import resolve_record
from workbench.core.store.models import CaseLink


def override_link(workbook, record, to_case, *, rule: str = "manual", confidence: float = 1.0,
                  is_override: bool = True, expected=None, actor: str | None = None) -> Changes:
    """Move `record` (source_records.id or 'system:record_id') to `to_case`."""
    actor = actor or workbook.user
    with guard.transaction(workbook) as s:
        rec = resolve_record(s, record)
        link = s.execute(select(CaseLink).where(CaseLink.record_id == rec.id)).scalar_one_or_none()
        (target,) = guard.prepare(s, actor, [to_case], expected=expected)
        touched = [target]
        if link is not None and link.case_id == target.id:
            return Changes()
        before = None
        if link is not None:
            (source,) = guard.prepare(s, actor, [link.case_id])
            touched.append(source)
            before = {"case_id": source.id, "case_key": source.case_key, "rule": link.rule,
                      "confidence": link.confidence, "is_override": link.is_override}
            link.case_id, link.rule, link.confidence, link.is_override = target.id, rule, confidence, is_override
        else:
            link = CaseLink(case_id=target.id, record_id=rec.id, system=rec.system, rule=rule,
                            confidence=confidence, is_override=is_override)
            s.add(link)
        ev = audit.record(s, actor, "link.override", case_id=target.id, case_key=target.case_key,
                          entity=f"record:{rec.system}:{rec.record_id}", before=before,
                          after={"case_id": target.id, "case_key": target.case_key, "rule": rule})
        versions = guard.bump(s, touched)
    inverse = None
    if before is not None:
        inverse = Op("override_link", {"record": rec.id, "to_case": before["case_id"], "rule": before["rule"],
                                       "confidence": before["confidence"], "is_override": before["is_override"]},
                     "move record back")
    return Changes(tuple(c.id for c in touched), versions, inverse, audit_seqs=(ev.seq,))
