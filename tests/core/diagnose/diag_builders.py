"""Tiny builders for diagnosis tests: records as dicts, one call to link + diagnose."""

from datetime import datetime

from workbench.core.diagnose import diagnose_cases
from workbench.core.link import link_records
from workbench.core.link.frame import records_frame
from workbench.core.settings import BusinessSettings
from workbench.core.timeutil import parse_iso_utc


def portal(rid, rec, amount, at, order=None, stage="refunded", customer="ann@x.com"):
    return dict(rid=rid, system="portal", profile="loop", record_id=rec, order_ref=order or f"#{rid}",
                amount_minor=amount, customer=customer, stage=stage, occurred_at=at, currency="USD")


def proc(rid, rec, ret, amount, at, stage="refunded"):
    return dict(rid=rid, system="processor", profile="stripe", record_id=rec, return_ref=ret,
                amount_minor=amount, occurred_at=at, stage=stage, currency="usd")


def erp(rid, rec, ref, amount, at, stage="credited", memo=None):
    return dict(rid=rid, system="erp", profile="netsuite", record_id=rec, return_ref=ref, refund_ref=memo,
                amount_minor=amount, occurred_at=at, stage=stage, currency="USD")


def ticket(rid, rec, ret, created, updated, status="open"):
    stage = {"new": "open", "hold": "pending"}.get(status, status)
    return dict(rid=rid, system="support", profile="zendesk", record_id=rec, return_ref=ret, stage=stage,
                status_raw=status, occurred_at=created, updated_at=updated)


def run(rows, as_of=None, **settings):
    s = BusinessSettings(as_of=parse_iso_utc(as_of) if as_of else None, **settings)
    records = records_frame(rows)
    return diagnose_cases(records, link_records(records, s), s)


def symptoms(diag, anchor_rid) -> set[str]:
    f = diag.findings
    return set(f.loc[f["anchor"] == anchor_rid, "symptom"])


def finding(diag, anchor_rid, code):
    f = diag.findings
    rows = f[(f["anchor"] == anchor_rid) & (f["symptom"] == code)]
    assert len(rows) == 1, f"expected one {code} finding on case {anchor_rid}, got {len(rows)}"
    return rows.iloc[0]


def at(text: str) -> datetime:
    return parse_iso_utc(text)
