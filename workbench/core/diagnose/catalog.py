"""What each symptom means for the people fixing it: handoff boundary, fix type, scope
(ops team or IT), cause (integration or process) and the first diagnostic steps."""

from __future__ import annotations

from dataclasses import dataclass

BOUNDARIES = (
    "portal -> ERP middleware", "middleware -> ERP linkage", "WMS -> portal -> ERP",
    "processing queue", "processor -> ERP posting", "support <- any",
)


@dataclass(frozen=True)
class SymptomInfo:
    code: str
    boundary: str
    fix_type: str
    scope: str   # ops | it
    cause: str   # integration | process
    steps: tuple[str, ...]


CATALOG: dict[str, SymptomInfo] = {s.code: s for s in (
    SymptomInfo("missing_handoff", "portal -> ERP middleware", "replay ERP sync", "it", "integration", (
        "Check the connector's error queue for this return id",
        "Confirm the portal webhook fired for the approval",
        "Replay the sync or post the credit memo by hand with the return id as reference")),
    SymptomInfo("timing_latency", "processing queue", "wait for window", "ops", "integration", (
        "No action before the window closes",
        "Re-import after the window closes; escalate if the record is still missing or pending")),
    SymptomInfo("missing_disbursement", "processing queue", "issue refund", "ops", "integration", (
        "Search the processor for a refund on the order's charge",
        "If none exists, issue the refund (the customer has not been paid)",
        "Check why the refund job did not run")),
    SymptomInfo("id_linkage", "middleware -> ERP linkage", "correct reference mapping", "it", "integration", (
        "Compare the reference with the source's convention shown in the evidence",
        "Correct the reference on the record",
        "Fix the connector's field mapping if the drift repeats")),
    SymptomInfo("partial_receipt", "WMS -> portal -> ERP", "confirm restocking fee", "ops", "process", (
        "Confirm the restocking fee applies to this return (condition, policy)",
        "Align the portal and processor amounts with the ERP, or reverse the fee")),
    SymptomInfo("amount_mismatch", "WMS -> portal -> ERP", "adjust amount", "ops", "process", (
        "Compare the items received (WMS) with the items approved in the portal",
        "Find which system holds the right amount",
        "Post an adjustment in the system that is wrong")),
    SymptomInfo("rounding", "processor -> ERP posting", "write off rounding", "ops", "integration", (
        "Confirm the difference is a currency or tax rounding",
        "Write the difference off to the rounding account")),
    SymptomInfo("duplicate_event", "processing queue", "reverse duplicate", "it", "integration", (
        "Confirm both records describe the same refund (same reference, amount, minutes apart)",
        "Reverse or void the duplicate; recover a double refund from the customer if paid twice",
        "Check the webhook retry and idempotency settings")),
    SymptomInfo("period_cutoff", "processor -> ERP posting", "accrue across periods", "ops", "process", (
        "Confirm the posting dates in the business time zone",
        "Book an accrual or move the posting to the refund's period")),
    SymptomInfo("manual_bypass", "WMS -> portal -> ERP", "create portal return", "ops", "process", (
        "Find who processed the refund or credit (agent, terminal)",
        "Create or link the portal return, or document the exception",
        "Remind the team that refunds go through the portal")),
    SymptomInfo("stale_ticket", "support <- any", "update ticket", "ops", "process", (
        "Tell the customer the refund or credit was issued",
        "Solve or close the ticket")),
)}

# the finding that names the case's boundary and fix: the most consequential first
PRIORITY = (
    "manual_bypass", "missing_disbursement", "missing_handoff", "duplicate_event",
    "amount_mismatch", "id_linkage", "partial_receipt", "period_cutoff", "rounding",
    "timing_latency", "stale_ticket",
)
