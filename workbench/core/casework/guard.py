"""The checks every change passes, in order: role, period sign-off, case version.

`prepare()` loads the cases; `bump()` advances their versions (SQLAlchemy's version_id_col on
Case turns the UPDATE into `... WHERE version = :old`, so a writer racing us between read and
write fails with ConcurrentEditError too).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from workbench.core import roles
from workbench.core.casework.refs import display_id, resolve_cases
from workbench.core.errors import ConcurrentEditError, PeriodLocked
from workbench.core.settings import BusinessSettings
from workbench.core.store.database import BUSINESS_KEY
from workbench.core.store.models import AuditEvent, Case, PeriodSignoff, Setting
from workbench.core.timeutil import format_business

Expected = int | Mapping | None


def locked_periods(session: Session) -> set[str]:
    rows = session.execute(
        select(PeriodSignoff.period).where(PeriodSignoff.reopened_at.is_(None))).scalars()
    return set(rows)


def check_period(case: Case, locked: set[str]) -> None:
    if case.period and case.period in locked:
        raise PeriodLocked(f"case {display_id(case.id)} is in period {case.period}, which is signed off; "
                           f"a reviewer must reopen the period first")


def _business_tz(session: Session) -> str:
    row = session.get(Setting, BUSINESS_KEY)
    try:
        return BusinessSettings.from_json(row.value if row else None).timezone
    except Exception:  # noqa: BLE001 - a broken setting must not hide the conflict message
        return "UTC"


def conflict(session: Session, case: Case) -> ConcurrentEditError:
    last = session.execute(
        select(AuditEvent.actor, AuditEvent.at).where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.seq.desc()).limit(1)).first()
    tz = _business_tz(session)
    if last is None or (case.diagnosed_at is not None and case.diagnosed_at > last.at):
        when = f" at {format_business(case.diagnosed_at, tz)} ({tz})" if case.diagnosed_at else ""
        return ConcurrentEditError(f"case {display_id(case.id)} was changed by a re-import or re-diagnosis{when}; "
                                   f"refresh and try again")
    when = f"{format_business(last.at, tz)} ({tz})"
    return ConcurrentEditError(f"case {display_id(case.id)} was changed by {last.actor} at {when}; "
                               f"refresh and try again")


def _expected_for(expected: Expected, case: Case, single: bool) -> int | None:
    if expected is None:
        return None
    if isinstance(expected, Mapping):
        value = expected.get(case.id, expected.get(str(case.id)))
        return None if value is None else int(value)
    if not single:
        raise ValueError("give expected versions as {case_id: version} for several cases")
    return int(expected)


def prepare(session: Session, actor: str, refs, *, capability: str = roles.WORK,
            expected: Expected = None) -> list[Case]:
    roles.require(session, actor, capability)
    cases = resolve_cases(session, refs)
    locked = locked_periods(session)
    start = session.info.setdefault("casework_start_versions", {})
    for case in cases:
        start.setdefault(case.id, case.version)
        check_period(case, locked)
        want = _expected_for(expected, case, len(cases) == 1)
        if want is not None and want != case.version:
            raise conflict(session, case)
    return cases


def bump(session: Session, cases: list[Case]) -> dict[int, int]:
    """Advance each case's version once per transaction (an autoflush may have done it)."""
    start = session.info.get("casework_start_versions", {})
    try:
        session.flush()
        for case in cases:
            if case.version == start.get(case.id, case.version):
                flag_modified(case, "status")
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError("a case was changed by someone else while saving; refresh and try again") from exc
    return {case.id: case.version for case in cases}


@contextmanager
def transaction(workbook) -> Iterator[Session]:
    try:
        with workbook.session() as session:
            session.info.pop("casework_start_versions", None)
            yield session
    except StaleDataError as exc:
        raise ConcurrentEditError("a case was changed by someone else while saving; refresh and try again") from exc
