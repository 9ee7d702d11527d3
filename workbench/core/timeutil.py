"""Times are stored in UTC and shown in the business time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (expected an IANA name such as Europe/Berlin)") from exc


def as_utc(value: datetime) -> datetime:
    """An aware datetime -> the same instant in UTC. Naive input is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_business(value: datetime | None, tz: str) -> datetime | None:
    if value is None:
        return None
    return as_utc(value).astimezone(zone(tz))


def format_business(value: datetime | None, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_business(value, tz)
    return "" if local is None else local.strftime(fmt)


def accounting_period(value: datetime | None, tz: str) -> str | None:
    """The calendar month ('YYYY-MM') an instant falls in, read in the business time zone."""
    local = to_business(value, tz)
    return None if local is None else f"{local.year:04d}-{local.month:02d}"


def parse_iso_utc(text: str) -> datetime:
    """ISO 8601 -> aware UTC. A naive string is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r} (expected e.g. 2026-10-31T23:59:00+00:00)") from exc
    return as_utc(value)


def utcnow() -> datetime:
    return datetime.now(UTC)
