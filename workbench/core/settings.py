"""Business settings of the diagnosis. They live in the workbook with the data they shaped,
so every export can state the settings its diagnosis used. Versioned for migrations."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from workbench.core.timeutil import parse_iso_utc, zone

SETTINGS_VERSION = 1


@dataclass(frozen=True)
class BusinessSettings:
    timezone: str = "America/New_York"
    as_of: datetime | None = None          # None: the latest event in the imported data
    period: str | None = None              # 'YYYY-MM' the reconciliation is for (None: all)
    latency_window_hours: int = 72
    rounding_tolerance: Decimal = Decimal("0.05")
    fee_percents: tuple[Decimal, ...] = (Decimal("10"), Decimal("15"), Decimal("20"), Decimal("25"))
    fee_flats: tuple[Decimal, ...] = (Decimal("5.00"), Decimal("7.50"), Decimal("10.00"))
    stale_ticket_hours: int = 48
    duplicate_window_hours: int = 24       # same ref + amount within this -> duplicate event
    structural_threshold_pct: Decimal = Decimal("2")
    approval_threshold: Decimal = Decimal("50.00")  # manager-approval amount band for patterns
    extra: dict = field(default_factory=dict)

    def validated(self) -> "BusinessSettings":
        zone(self.timezone)
        if self.latency_window_hours < 0 or self.stale_ticket_hours < 0:
            raise ValueError("latency window and stale-ticket age must not be negative")
        if self.rounding_tolerance < 0:
            raise ValueError("rounding tolerance must not be negative")
        if self.period is not None:
            try:
                datetime.strptime(self.period, "%Y-%m")
            except ValueError as exc:
                raise ValueError(f"period {self.period!r} is not YYYY-MM") from exc
        return self

    def with_changes(self, **changes) -> "BusinessSettings":
        return replace(self, **changes).validated()

    # --- serialisation (stored as one JSON document per workbook) -------------------------
    def to_json(self) -> str:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        for key in ("rounding_tolerance", "structural_threshold_pct", "approval_threshold"):
            data[key] = str(data[key])
        data["fee_percents"] = [str(v) for v in self.fee_percents]
        data["fee_flats"] = [str(v) for v in self.fee_flats]
        data["version"] = SETTINGS_VERSION
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> "BusinessSettings":
        if not text:
            return cls()
        data = json.loads(text)
        data.pop("version", None)
        known = {f for f in cls.__dataclass_fields__}
        data = {k: v for k, v in data.items() if k in known}
        if data.get("as_of"):
            data["as_of"] = parse_iso_utc(data["as_of"])
        for key in ("rounding_tolerance", "structural_threshold_pct", "approval_threshold"):
            if key in data:
                data[key] = Decimal(data[key])
        for key in ("fee_percents", "fee_flats"):
            if key in data:
                data[key] = tuple(Decimal(v) for v in data[key])
        return cls(**data).validated()

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) pairs, as stated in exports and shown in the UI."""
        return [
            ("Business time zone", self.timezone),
            ("As-of time (UTC)", self.as_of.isoformat() if self.as_of else "latest event in the data"),
            ("Period", self.period or "all"),
            ("Latency window", f"{self.latency_window_hours} h"),
            ("Rounding tolerance", str(self.rounding_tolerance)),
            ("Restocking fees (% of approved)", ", ".join(f"{p} %" for p in self.fee_percents)),
            ("Restocking fees (flat)", ", ".join(str(v) for v in self.fee_flats)),
            ("Stale-ticket age", f"{self.stale_ticket_hours} h"),
            ("Duplicate window", f"{self.duplicate_window_hours} h"),
            ("Structural threshold", f"{self.structural_threshold_pct} % of returns in 30 days"),
        ]
