"""Saved import profiles: readable TOML files in the user's profiles folder.

A saved profile maps roles to the exact headers of one layout, plus the options a user may
need (system, sign, currency, time zone, day-first, row filter, status -> stage). It is read
with tomllib and written here by hand (simple keys and strings only).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from workbench import paths
from workbench.core.canonical import STAGES, SYSTEMS
from workbench.core.errors import WorkbenchError
from workbench.core.ingest.profile import ROLES, Profile, RowFilter
from workbench.core.ingest.profiles import BUILTIN, BY_NAME

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ProfileError(WorkbenchError):
    """A saved profile cannot be read, or a profile name is unknown."""


def _q(value: str) -> str:
    out = str(value).replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def to_toml(profile: Profile) -> str:
    lines = [
        "# Returns Reconciliation Workbench - saved import profile",
        f"name = {_q(profile.name)}",
        f"system = {_q(profile.system)}",
        f"vendor = {_q(profile.vendor)}",
        f"label = {_q(profile.label)}",
        f"amount_sign = {_q(str(profile.amount_sign))}",
        f"timezone = {_q(profile.timezone)}",
    ]
    if profile.default_currency:
        lines.append(f"default_currency = {_q(profile.default_currency)}")
    if profile.default_stage:
        lines.append(f"default_stage = {_q(profile.default_stage)}")
    if profile.dayfirst is not None:
        lines.append(f"dayfirst = {'true' if profile.dayfirst else 'false'}")
    lines += ["", "# role = header in the file", "[columns]"]
    for role, syns in profile.columns.items():
        lines.append(f"{role} = {_q(syns[0])}")
    if profile.stages:
        lines += ["", "# raw status (lower case) = stage", "[stages]"]
        lines += [f"{_q(k)} = {_q(v)}" for k, v in profile.stages.items()]
    if profile.stage_prefixes:
        lines += ["", "[stage_prefixes]"] + [f"{_q(k)} = {_q(v)}" for k, v in profile.stage_prefixes.items()]
    rf = profile.row_filter
    if rf is not None and rf.keep_if is None and rf.keep:
        lines += ["", "# keep only rows whose <role> column is one of these (others are counted)",
                  "[filter]", f"role = {_q(rf.role)}",
                  "keep = [" + ", ".join(_q(k) for k in rf.keep) + "]",
                  f"prefix = {'true' if rf.prefix else 'false'}"]
    return "\n".join(lines) + "\n"


def from_toml(text: str, source: str | None = None) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source or 'profile'}: not valid TOML ({exc})") from None
    where = source or "profile"
    for key in ("name", "system", "columns"):
        if key not in data:
            raise ProfileError(f"{where}: missing {key!r}")
    if data["system"] not in SYSTEMS:
        raise ProfileError(f"{where}: system {data['system']!r} is not one of {', '.join(SYSTEMS)}")
    columns = {}
    for role, header in data["columns"].items():
        if role not in ROLES:
            raise ProfileError(f"{where}: unknown role {role!r} (expected one of {', '.join(ROLES)})")
        columns[role] = (str(header),)
    if "record_id" not in columns:
        raise ProfileError(f"{where}: [columns] must map record_id")
    stages = {str(k).lower(): str(v) for k, v in data.get("stages", {}).items()}
    bad = [v for v in stages.values() if v not in STAGES]
    if bad:
        raise ProfileError(f"{where}: unknown stage {bad[0]!r} (expected one of {', '.join(STAGES)})")
    sign = data.get("amount_sign", "1")
    sign = "abs" if str(sign) == "abs" else int(sign)
    filt = data.get("filter")
    row_filter = None
    if filt:
        row_filter = RowFilter(role=filt.get("role", "kind"), keep=tuple(str(k).lower() for k in filt.get("keep", [])),
                               prefix=bool(filt.get("prefix", False)))
    return Profile(
        name=data["name"], system=data["system"], vendor=data.get("vendor", "Custom"),
        label=data.get("label", data["name"]), columns=columns,
        required=tuple(r for r in ("record_id",) if r in columns),
        amount_sign=sign, default_currency=data.get("default_currency"), stages=stages,
        stage_prefixes={str(k).lower(): str(v) for k, v in data.get("stage_prefixes", {}).items()},
        default_stage=data.get("default_stage"), row_filter=row_filter,
        timezone=data.get("timezone", "business"), dayfirst=data.get("dayfirst"),
        builtin=False, source=source, exact=True,
    )


def profile_path(name: str) -> Path:
    if not _NAME.match(name):
        raise ProfileError(f"profile name {name!r} may use letters, digits, '_', '-', '.' (max 64)")
    return paths.user_profiles_dir() / f"{name}.toml"


def save_profile(profile: Profile, directory: Path | None = None) -> Path:
    """Write a profile as TOML (user profiles folder by default); returns the file."""
    if profile.name in BY_NAME:
        raise ProfileError(f"{profile.name!r} is a built-in profile; save under another name")
    path = (Path(directory) / f"{profile.name}.toml") if directory else profile_path(profile.name)
    text = to_toml(profile)
    from_toml(text, str(path))  # round-trip check before writing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def saved_profiles() -> list[Profile]:
    out = []
    for path in sorted(paths.user_profiles_dir().glob("*.toml")):
        try:
            out.append(from_toml(path.read_text(encoding="utf-8"), str(path)))
        except (ProfileError, UnicodeDecodeError, OSError):
            continue
    return out


def all_profiles() -> list[Profile]:
    """Built-in profiles then saved ones (a saved one never shadows a built-in name)."""
    return [*BUILTIN, *[p for p in saved_profiles() if p.name not in BY_NAME]]


def get_profile(name_or_path: str | Path | Profile) -> Profile:
    """A built-in name, a saved profile name, or a path to a TOML file."""
    if isinstance(name_or_path, Profile):
        return name_or_path
    text = str(name_or_path)
    if text in BY_NAME:
        return BY_NAME[text]
    path = Path(text)
    if path.suffix.lower() == ".toml" and path.exists():
        return from_toml(path.read_text(encoding="utf-8"), str(path))
    if _NAME.match(text):
        saved = paths.user_profiles_dir() / f"{text}.toml"
        if saved.exists():
            return from_toml(saved.read_text(encoding="utf-8"), str(saved))
    known = ", ".join(p.name for p in all_profiles())
    raise ProfileError(f"unknown profile {text!r} (known: {known}; or give a .toml file)")


def make_profile(name: str, system: str, mapping: dict[str, str], *, base: Profile | str | None = None,
                 **options) -> Profile:
    """A user profile from a confirmed mapping, starting from `base` (its stages, sign, zone)."""
    if system not in SYSTEMS:
        raise ProfileError(f"system {system!r} is not one of {', '.join(SYSTEMS)}")
    unknown = [r for r in mapping if r not in ROLES]
    if unknown:
        raise ProfileError(f"unknown role {unknown[0]!r} (expected one of {', '.join(ROLES)})")
    if "record_id" not in mapping or not mapping["record_id"]:
        raise ProfileError("the mapping must name the record id column (record_id=...)")
    start = get_profile(base) if base is not None else Profile(
        name=name, system=system, vendor="Custom", label=name, columns={})
    row_filter = start.row_filter if (start.row_filter and start.row_filter.keep_if is None) else None
    profile = start.with_mapping({}, name=name, system=system)
    profile = replace(profile, columns={}, row_filter=row_filter, exact=True, label=options.pop("label", name),
                      vendor=start.vendor if base is not None else "Custom", required=("record_id",),
                      aggregate=False)
    profile = profile.with_mapping(mapping)
    return replace(profile, **options) if options else profile
