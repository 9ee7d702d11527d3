"""The analysis frame: one row per active case with the attributes that separate integration
faults from process faults, and one row per finding with its case's attributes.

Read set-based straight from the store (driver cursor + Arrow, as reconcile does), never per-row
ORM objects, so it stays fast on a million returns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.core.money import to_minor
from workbench.core.settings import BusinessSettings
from workbench.core.store.database import Workbook
from workbench.core.store.frames import fetch_frame

_LINKED_SQL = (
    "SELECT l.case_id, r.system, r.profile, r.occurred_at, r.approved_at, r.channel, r.agent, "
    "r.category, r.source_version, r.amount_minor "
    "FROM case_links l JOIN source_records r ON r.id = l.record_id "
    "JOIN cases c ON c.id = l.case_id "
    "WHERE l.is_duplicate = {ph} AND c.is_active = {ph}"
)
_LINKED_SCHEMA = {"case_id": "int", "system": "str", "profile": "str", "occurred_at": "time",
                  "approved_at": "time", "channel": "str", "agent": "str", "category": "str",
                  "source_version": "str", "amount_minor": "int"}
_CASES_SQL = ("SELECT id, first_event_at, period, amount_minor, currency, systems_present "
              "FROM cases WHERE is_active = {ph}")
_CASES_SCHEMA = {"case_id": "int", "first_event_at": "time", "period": "str", "amount_minor": "int",
                 "currency": "str", "systems_present": "str"}
_FINDINGS_SQL = ("SELECT f.case_id, f.symptom, f.boundary, f.systems, f.amount_delta_minor "
                 "FROM findings f JOIN cases c ON c.id = f.case_id WHERE c.is_active = {ph}")
_FINDINGS_SCHEMA = {"case_id": "int", "symptom": "str", "boundary": "str", "systems": "str",
                    "amount_delta_minor": "int"}
_ADJUSTMENTS_SQL = ("SELECT a.case_id, a.created_at, a.review_status FROM adjustments a "
                    "WHERE a.review_status <> {ph}")
_ADJUSTMENTS_SCHEMA = {"case_id": "int", "created_at": "time", "review_status": "str"}

SYSTEM_ORDER = ("portal", "processor", "erp", "support")
PLACEHOLDER = "(none)"   # no record carries the attribute; never a focus value
CHANNEL_NAMES = {"pos": "store", "store": "store", "online": "online", "web": "online"}


@dataclass
class AnalysisFrame:
    cases: pd.DataFrame        # one row per active case (index case_id) with attributes
    findings: pd.DataFrame     # one row per finding, with its case's attributes and fault time
    adjustments: pd.DataFrame  # case_id, created_at (not rejected)
    settings: BusinessSettings


def load_frame(workbook: Workbook, settings: BusinessSettings | None = None) -> AnalysisFrame:
    settings = (settings or workbook.business_settings()).validated()
    with workbook.engine.connect() as conn:
        linked = fetch_frame(conn, _LINKED_SQL, (False, True), _LINKED_SCHEMA)
        cases = fetch_frame(conn, _CASES_SQL, (True,), _CASES_SCHEMA)
        findings = fetch_frame(conn, _FINDINGS_SQL, (True,), _FINDINGS_SCHEMA)
        adjustments = fetch_frame(conn, _ADJUSTMENTS_SQL, ("rejected",), _ADJUSTMENTS_SCHEMA)
    cases = _case_attributes(cases, linked, settings)
    findings = _finding_rows(findings, cases, settings)
    return AnalysisFrame(cases=cases, findings=findings, adjustments=adjustments, settings=settings)


def _per_system(linked: pd.DataFrame, column: str) -> pd.DataFrame:
    """case_id x system table of one column (first live record per system)."""
    sub = linked[["case_id", "system", column]].drop_duplicates(["case_id", "system"])
    return sub.pivot(index="case_id", columns="system", values=column)


def _pick(table: pd.DataFrame, systems: tuple[str, ...], index: pd.Index) -> pd.Series:
    """The first non-null value over `systems` in that order, aligned on `index`."""
    out = pd.Series(pd.NA, index=index, dtype="object")
    for system in reversed(systems):
        if system in table:
            values = table[system].reindex(index)
            out = values.where(values.notna(), out)
    return out


def _case_attributes(cases: pd.DataFrame, linked: pd.DataFrame, settings: BusinessSettings) -> pd.DataFrame:
    cases = cases.set_index("case_id")
    idx = cases.index
    linked = linked.copy()
    linked["case_id"] = linked["case_id"].astype("int64")
    time = linked["approved_at"].where(linked["approved_at"].notna(), linked["occurred_at"])
    linked["event_at"] = time
    times = _per_system(linked, "event_at")
    for system in SYSTEM_ORDER:
        cases[f"{system}_at"] = (times[system].reindex(idx) if system in times
                                 else pd.Series(pd.NaT, index=idx, dtype="datetime64[us, UTC]"))
        cases[f"{system}_at"] = pd.to_datetime(cases[f"{system}_at"], utc=True)
    amounts = _per_system(linked, "amount_minor")
    for system in ("portal", "processor", "erp"):
        cases[f"{system}_amount"] = (pd.to_numeric(amounts[system].reindex(idx), errors="coerce")
                                     if system in amounts else np.nan)
    channel = _pick(_per_system(linked, "channel"), ("portal", "erp", "processor"), idx)
    cases["channel"] = channel.astype("string").str.lower().map(
        lambda v: CHANNEL_NAMES.get(v, v) if isinstance(v, str) else PLACEHOLDER).fillna(PLACEHOLDER)
    cases["category"] = _pick(_per_system(linked, "category"), ("portal",), idx).fillna(PLACEHOLDER)
    cases["agent"] = _pick(_per_system(linked, "agent"), ("erp", "processor", "portal"), idx).fillna(PLACEHOLDER)
    versions = _per_system(linked, "source_version")
    cases["source_version"] = _pick(versions, ("erp", "processor", "portal"), idx).fillna(PLACEHOLDER)
    erp_version = (versions["erp"].reindex(idx) if "erp" in versions else pd.Series(pd.NA, index=idx))
    present = cases["systems_present"].fillna("")
    has = {s: present.str.contains(s, regex=False) for s in SYSTEM_ORDER}
    cases["manual"] = (erp_version.astype("string").str.contains("manual", case=False).fillna(False).astype(bool)
                       | ((has["erp"] | has["processor"]) & ~has["portal"]))
    threshold = to_minor(settings.approval_threshold, None)
    amount = pd.to_numeric(cases["amount_minor"], errors="coerce")
    cases["amount_band"] = np.where(amount.isna(), "(no amount)",
                                    np.where(amount < threshold, f"below {settings.approval_threshold}",
                                             f"{settings.approval_threshold} and above"))
    cases["first_event_at"] = pd.to_datetime(cases["first_event_at"], utc=True)
    local = cases["first_event_at"].dt.tz_convert(settings.timezone)
    cases["day"] = local.dt.tz_localize(None).dt.normalize()
    cases["hour"] = local.dt.hour
    return cases


def _finding_rows(findings: pd.DataFrame, cases: pd.DataFrame, settings: BusinessSettings) -> pd.DataFrame:
    findings = findings.copy()
    findings["case_id"] = findings["case_id"].astype("int64")
    findings = findings.merge(cases, left_on="case_id", right_index=True, how="left",
                              suffixes=("", "_case"))
    # the fault time: the first diverging system's record time, else the case's first event
    fault = pd.Series(pd.NaT, index=findings.index, dtype="datetime64[us, UTC]")
    # the downstream record is the faulty one: skip 'portal' when another system diverges too
    systems = findings["systems"].fillna("").str.replace(r"^portal;", "", regex=True)
    first_system = systems.str.split(";").str[0]
    for system in SYSTEM_ORDER:
        mask = (first_system == system) & fault.isna()
        fault = fault.where(~mask, findings[f"{system}_at"].astype("datetime64[us, UTC]"))
    fault = fault.where(fault.notna(), findings["first_event_at"].astype("datetime64[us, UTC]"))
    findings["fault_at"] = fault
    local = fault.dt.tz_convert(settings.timezone)
    findings["fault_day"] = local.dt.tz_localize(None).dt.normalize()
    findings["weekday"] = local.dt.day_name()
    findings["hour"] = local.dt.hour.astype("Int64")
    findings["last_day_of_month"] = (local.dt.day == local.dt.days_in_month) | (local.dt.day == 1)
    portal_at = findings["portal_at"].astype("datetime64[us, UTC]")
    findings["lag_hours"] = (fault - portal_at).dt.total_seconds() / 3600.0
    amount = pd.to_numeric(findings["amount_minor"], errors="coerce")
    delta = pd.to_numeric(findings["amount_delta_minor"], errors="coerce")
    findings["relative_delta"] = (delta / amount).where(amount > 0)
    return findings
