"""The registry of built-in profiles: every vendor layout, registered in this one place.

Each system has one module (portal, processor, erp, support) holding its vendors'
profiles as plain data. `BUILTIN` is the ordered tuple detection scores against; saved user
profiles (TOML) are added by `ingest.user_profiles`.
"""

from __future__ import annotations

from workbench.core.ingest.profile import Profile
from workbench.core.ingest.profiles import erp, portal, processor, support

BUILTIN: tuple[Profile, ...] = (*portal.PROFILES, *processor.PROFILES, *erp.PROFILES, *support.PROFILES)
BY_NAME: dict[str, Profile] = {p.name: p for p in BUILTIN}

assert len(BY_NAME) == len(BUILTIN), "duplicate built-in profile names"
