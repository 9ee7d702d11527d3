"""Roles: who may do what to a workbook.

* analyst  - works cases: tags, status, assignee, notes, adjustments, link overrides, settings.
* reviewer - the ops manager: everything an analyst may do, plus approving or rejecting
             adjustments and resolutions (never their own: maker-checker), signing off and
             reopening accounting periods, and configuring roles.
* auditor  - read-only: every write is refused with PermissionDenied.

Identity is `workbook.user` (the OS user unless WORKBENCH_USER or a caller configures it).
Roles live in the `user_roles` table; a user without a row is an analyst.

Bootstrap rule (kept simple on purpose): while no reviewer is configured, any user may set
roles (so the first person to set up the workbook names the reviewer(s)); once a reviewer
exists, only reviewers may change roles, and the last reviewer cannot demote themselves.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.core.errors import PermissionDenied
from workbench.core.store.models import UserRole

ROLES = ("analyst", "reviewer", "auditor")
DEFAULT_ROLE = "analyst"

# capability -> roles that have it
WORK = "work"          # change cases, notes, adjustments, links, settings
REVIEW = "review"      # approve/reject adjustments and resolutions
SIGNOFF = "signoff"    # sign off / reopen a period
CONFIGURE = "configure"  # set roles

_CAPABILITIES = {
    WORK: ("analyst", "reviewer"),
    REVIEW: ("reviewer",),
    SIGNOFF: ("reviewer",),
    CONFIGURE: ("reviewer",),
}

_WHAT = {
    WORK: "change cases",
    REVIEW: "approve or reject",
    SIGNOFF: "sign off or reopen periods",
    CONFIGURE: "configure roles",
}


def role_of(session: Session, user: str) -> str:
    row = session.get(UserRole, user)
    return row.role if row else DEFAULT_ROLE


def can(session: Session, user: str, capability: str) -> bool:
    return role_of(session, user) in _CAPABILITIES[capability]


def require(session: Session, user: str, capability: str) -> str:
    """Return the user's role, or raise PermissionDenied naming user, role and what was refused."""
    role = role_of(session, user)
    if role not in _CAPABILITIES[capability]:
        allowed = " or ".join(_CAPABILITIES[capability])
        raise PermissionDenied(
            f"{user} is {'an' if role[0] in 'aeiou' else 'a'} {role} and may not {_WHAT[capability]} "
            f"(needs {allowed})")
    return role


def reviewer_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(UserRole).where(UserRole.role == "reviewer")).scalar_one()


def all_roles(session: Session) -> dict[str, str]:
    return dict(session.execute(select(UserRole.user, UserRole.role).order_by(UserRole.user)).all())


def check_can_set_role(session: Session, actor: str, user: str, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
    if reviewer_count(session) == 0:
        return  # bootstrap: nobody configured yet
    require(session, actor, CONFIGURE)
    if user == actor and role != "reviewer" and reviewer_count(session) == 1:
        raise PermissionDenied(f"{actor} is the last reviewer and may not give up the role "
                               f"(name another reviewer first)")
