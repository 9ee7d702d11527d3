"""Plain results of the pattern analysis, shared by the CLI, the dashboard and the export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

INTEGRATION, PROCESS = "integration", "process"


@dataclass(frozen=True)
class Answer:
    """One question of the five-question checklist, answered from the data."""

    question: str
    answer: str               # in words, with the numbers
    points_to: str | None     # integration | process | None (not answerable from the data)


@dataclass
class Recurrence:
    pattern: str              # e.g. "monthly, same magnitude, processor agrees with ERP"
    failure_layer: str        # e.g. "ERP posting rules"
    evidence: str


@dataclass
class Cluster:
    symptom: str
    boundary: str
    attribute: str | None     # None: the whole symptom/boundary group
    value: str | None
    count: int                # findings in this cluster
    group_count: int          # findings in its symptom/boundary group
    lift: float | None        # share in the cluster's group / share among all returns
    verdict: str              # integration | process | undetermined
    answers: list[Answer]
    recurrence: Recurrence | None = None
    case_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        base = f"{self.symptom} @ {self.boundary}"
        return base if self.attribute is None else f"{base} | {self.attribute} = {self.value}"

    @property
    def votes(self) -> tuple[int, int]:
        pts = [a.points_to for a in self.answers]
        return pts.count(INTEGRATION), pts.count(PROCESS)


@dataclass(frozen=True)
class StructuralFlag:
    symptom: str
    boundary: str
    window_start: date
    window_end: date
    cases: int
    returns: int
    rate_pct: float
    threshold_pct: float

    @property
    def text(self) -> str:
        return (f"STRUCTURAL INTEGRATION DEBT: {self.symptom} at {self.boundary} affected "
                f"{self.cases} of {self.returns} returns ({self.rate_pct:.1f} %) between "
                f"{self.window_start:%Y-%m-%d} and {self.window_end:%Y-%m-%d}, above the "
                f"{self.threshold_pct:g} % threshold: fix the integration, not the cases")


@dataclass(frozen=True)
class RecurrenceAfterAdjustment:
    symptom: str
    boundary: str
    adjusted_cases: int
    last_adjusted_occurrence: date
    reappeared: int
    first_reappearance: date
    days_after: int

    @property
    def text(self) -> str:
        return (f"{self.symptom} at {self.boundary} came back {self.reappeared} time(s) within 60 days "
                f"after {self.adjusted_cases} manually adjusted case(s) (first again on "
                f"{self.first_reappearance:%Y-%m-%d}, {self.days_after} days later): the pipeline "
                f"still produces it; fix the cause, not the symptom")


@dataclass(frozen=True)
class LagStats:
    transaction_type: str     # order channel (online, store, ...) or "all"
    leg: str                  # "approval -> processor refund" | "approval -> ERP posting"
    count: int
    p10_hours: float
    p50_hours: float
    p90_hours: float
    max_hours: float
    beyond_window_pct: float
    consistency: str          # consistent | erratic
    histogram: tuple[tuple[float, int], ...]   # (bin start hours, count)


@dataclass
class Insights:
    returns: int
    findings: int
    clusters: list[Cluster]
    structural: list[StructuralFlag]
    recurrence_after_adjustment: list[RecurrenceAfterAdjustment]
    lag: list[LagStats]
    rate_by_period: pd.DataFrame      # index: week start (business zone), columns: symptom, values: % of returns
    by_boundary: dict[str, int]
    latency_window_hours: int
    threshold_pct: float
