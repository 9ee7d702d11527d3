"""The audit trail: append-only, hash-chained events.

Each event's hash = sha256(prev_hash || canonical JSON of its content), where content is
(seq, at, actor, action, case_id, case_key, entity, before, after). The first event chains
from GENESIS. `verify_chain` recomputes every hash; any edit, deletion, insertion or
reordering breaks the chain at a named sequence number.

Writers are serialised so the chain stays linear: `seq` is unique (a racing writer fails and
its transaction rolls back), and on PostgreSQL an advisory transaction lock is taken first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from workbench.core.store.models import AuditEvent

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5257424E  # 'RWBN'


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


def event_hash(prev_hash: str, *, seq: int, at: datetime, actor: str, action: str,
               case_id: int | None, case_key: str | None, entity: str | None,
               before: str | None, after: str | None) -> str:
    content = json.dumps(
        [seq, at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), actor, action, case_id,
         case_key, entity, before, after],
        separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def record(session: Session, actor: str, action: str, *, case_id: int | None = None,
           case_key: str | None = None, entity: str | None = None,
           before: Any = None, after: Any = None, at: datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the change)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq = (last.seq + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = (at or datetime.now(UTC)).astimezone(UTC)
    # the store keeps microseconds; hash what will be read back
    before_s, after_s = _dump(before), _dump(after)
    digest = event_hash(prev, seq=seq, at=at, actor=actor, action=action, case_id=case_id,
                        case_key=case_key, entity=entity, before=before_s, after=after_s)
    event = AuditEvent(seq=seq, at=at, actor=actor, action=action, case_id=case_id,
                       case_key=case_key, entity=entity, before=before_s, after=after_s,
                       prev_hash=prev, hash=digest)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head: str
    problem: str | None = None
    broken_at_seq: int | None = None


def verify_chain(session: Session) -> ChainReport:
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for ev in rows:
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(False, count, prev, f"event {expected_seq} is missing (next is {ev.seq})", expected_seq)
        if ev.prev_hash != prev:
            return ChainReport(False, count, prev, f"event {ev.seq} does not follow event {ev.seq - 1}", ev.seq)
        digest = event_hash(prev, seq=ev.seq, at=ev.at, actor=ev.actor, action=ev.action,
                            case_id=ev.case_id, case_key=ev.case_key, entity=ev.entity,
                            before=ev.before, after=ev.after)
        if digest != ev.hash:
            return ChainReport(False, count, prev, f"event {ev.seq} was altered after it was written", ev.seq)
        prev = ev.hash
        expected_seq += 1
    return ChainReport(True, count, prev)


def chain_head(session: Session) -> tuple[int, str]:
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (last.seq, last.hash) if last else (0, GENESIS)
