"""A small hand-built workbook for the case-detail tests (rows made through the models).

Case A ("portal:84213"): portal 99.99 refunded, processor refund 99.99 plus a duplicate of
it, ERP credit 84.99 (a 15 % restocking fee: partial_receipt on the ERP amount), ERP posted
in the next period (period_cutoff on the processor and ERP times), no support ticket.
Case B ("portal:84214"): portal and processor only - the ERP credit never came
(missing_handoff, boundary portal -> ERP middleware).
Case C ("portal:84215"): a support ticket still pending, last updated before the refund
(stale_ticket on the ticket's stage and last update).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from workbench.core import audit
from workbench.core.store.models import (
    Adjustment,
    Case,
    CaseLink,
    Finding,
    ImportBatch,
    Note,
    SourceRecord,
    Tag,
)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _record(session, batch, system, record_id, row, **values) -> SourceRecord:
    raw = values.pop("raw", None) or {"id": record_id, "amount": str(values.get("amount_minor"))}
    rec = SourceRecord(batch_id=batch.id, system=system, profile=batch.profile, source_row=row,
                       record_id=record_id, raw=json.dumps(raw), row_hash="x" * 64, **values)
    session.add(rec)
    session.flush()
    return rec


def build_sample(workbook) -> dict[str, int]:
    """Create the two cases; returns {'a': case id, 'b': case id}."""
    with workbook.session() as s:
        batches = {}
        for system, name, profile in (
            ("portal", "loop_returns_2026-10.csv", "loop_returns"),
            ("processor", "stripe_balance_transactions_2026-10.csv", "stripe_balance"),
            ("erp", "netsuite_credit_memos_2026-10.xlsx", "netsuite_credit_memos"),
        ):
            batch = ImportBatch(file_name=name, file_path=f"/tmp/{name}", sha256=system * 4,
                                size_bytes=100, system=system, profile=profile,
                                imported_by="analyst1")
            s.add(batch)
            s.flush()
            batches[system] = batch

        portal_a = _record(s, batches["portal"], "portal", "84213", 2, return_ref="84213",
                           order_ref="#1001", customer="ann@example.com", amount_minor=9999,
                           currency="USD", stage="refunded", status_raw="closed",
                           occurred_at=_t("2026-10-29T14:05:11"), approved_at=_t("2026-10-30T09:00:00"),
                           refunded_at=_t("2026-10-31T23:50:00"),
                           raw={"id": "84213", "state": "closed", "total": "99.99", "order_name": "#1001"})
        proc_a = _record(s, batches["processor"], "processor", "re_1AAA", 5, return_ref="84213",
                         order_ref="1001", refund_ref="re_1AAA", amount_minor=9999, currency="USD",
                         stage="refunded", status_raw="refund", occurred_at=_t("2026-10-31T23:55:00"),
                         raw={"id": "txn_1", "Type": "refund", "Source": "re_1AAA", "Amount": "-99.99"})
        proc_a_dup = _record(s, batches["processor"], "processor", "re_1AAB", 6, return_ref="84213",
                             order_ref="1001", refund_ref="re_1AAB", amount_minor=9999, currency="USD",
                             stage="refunded", status_raw="refund", occurred_at=_t("2026-11-01T00:01:00"))
        erp_a = _record(s, batches["erp"], "erp", "CM104233", 3, return_ref="LOOP-084213",
                        order_ref="1001", customer="ann@example.com", amount_minor=8499,
                        currency="USD", stage="credited", status_raw="Credit Memo:Fully Applied",
                        occurred_at=_t("2026-11-01T04:30:00"))
        case_a = Case(case_key="portal:84213", symptoms="duplicate_event;partial_receipt;period_cutoff",
                      symptom_count=3, boundary="WMS -> portal -> ERP", fix_type="confirm fee",
                      scope="ops", cause="process", order_ref="#1001", customer="ann@example.com",
                      currency="USD", portal_amount_minor=9999, processor_amount_minor=9999,
                      erp_amount_minor=8499, amount_minor=9999, systems_present="portal;processor;erp",
                      first_event_at=portal_a.occurred_at, last_event_at=erp_a.occurred_at,
                      period="2026-10")
        s.add(case_a)
        s.flush()
        for rec, rule, conf, dup, repaired in (
            (portal_a, "anchor", 1.0, False, None),
            (proc_a, "return_ref", 0.98, False, None),
            (proc_a_dup, "return_ref", 0.98, True, None),
            (erp_a, "return_ref", 0.9, False, "zero padding removed: LOOP-084213 -> LOOP-84213"),
        ):
            s.add(CaseLink(case_id=case_a.id, record_id=rec.id, system=rec.system, rule=rule,
                           confidence=conf, is_duplicate=dup, repaired=repaired))
        s.add_all([
            Finding(case_id=case_a.id, symptom="partial_receipt", boundary="WMS -> portal -> ERP",
                    fix_type="confirm restocking fee", scope="ops", cause="process",
                    evidence="ERP 84.99 = portal 99.99 - 15 % restocking fee (15.00)",
                    steps="Check the RMA receipt in the WMS\nConfirm the fee with the returns team",
                    systems="erp", fields="amount", amount_delta_minor=-1500),
            Finding(case_id=case_a.id, symptom="period_cutoff", boundary="processor -> ERP posting",
                    fix_type="accrue", scope="ops", cause="process",
                    evidence="processor 2026-10-31 19:55 (2026-10) vs ERP 2026-11-01 00:30 (2026-11)",
                    steps="Accrue the credit in 2026-10", systems="processor;erp", fields="occurred_at;period"),
            Finding(case_id=case_a.id, symptom="duplicate_event", boundary="processing queue",
                    fix_type="reverse duplicate refund", scope="it", cause="integration",
                    evidence="two refunds of 99.99 6 min apart: re_1AAA, re_1AAB",
                    steps="Check the processor's webhook retries", systems="processor", fields="record_id;amount"),
        ])
        s.add(Tag(case_id=case_a.id, tag="restocking", created_by="analyst1"))
        s.add(Note(case_id=case_a.id, author="analyst1", body="Fee confirmed by returns desk."))
        s.add(Adjustment(case_id=case_a.id, system="erp", field="amount", amount_from_minor=8499,
                         amount_to_minor=9999, currency="USD", reason_code="fee_waived",
                         journal_ref="JE-2026-10-77", created_by="analyst1"))
        audit.record(s, "analyst1", "case.tag", case_id=case_a.id, case_key=case_a.case_key,
                     entity="tag", after={"tag": "restocking"})

        portal_b = _record(s, batches["portal"], "portal", "84214", 3, return_ref="84214",
                           order_ref="#1002", customer="bob@example.com", amount_minor=4550,
                           currency="USD", stage="refunded", status_raw="closed",
                           occurred_at=_t("2026-10-03T14:05:11"), approved_at=_t("2026-10-03T15:00:00"))
        proc_b = _record(s, batches["processor"], "processor", "re_1BBB", 7, return_ref="84214",
                         refund_ref="re_1BBB", amount_minor=4550, currency="USD", stage="refunded",
                         status_raw="refund", occurred_at=_t("2026-10-03T16:00:00"))
        case_b = Case(case_key="portal:84214", symptoms="missing_handoff", symptom_count=1,
                      boundary="portal -> ERP middleware", fix_type="repost credit memo", scope="it",
                      cause="integration", currency="USD", amount_minor=4550,
                      systems_present="portal;processor", period="2026-10")
        s.add(case_b)
        s.flush()
        s.add_all([
            CaseLink(case_id=case_b.id, record_id=portal_b.id, system="portal", rule="anchor", confidence=1.0),
            CaseLink(case_id=case_b.id, record_id=proc_b.id, system="processor", rule="return_ref",
                     confidence=0.98),
            Finding(case_id=case_b.id, symptom="missing_handoff", boundary="portal -> ERP middleware",
                    fix_type="repost credit memo", scope="it", cause="integration",
                    evidence="portal approved 2026-10-03, processor refunded 45.50, no ERP credit after 72 h",
                    steps="Check the connector's error queue", systems="erp", fields="record_id"),
        ])

        batch_s = ImportBatch(file_name="zendesk_tickets_2026-10.csv", sha256="s" * 64, size_bytes=100,
                              system="support", profile="zendesk_tickets", imported_by="analyst1")
        s.add(batch_s)
        s.flush()
        portal_c = _record(s, batches["portal"], "portal", "84215", 4, return_ref="84215", amount_minor=2000,
                           currency="USD", stage="refunded", status_raw="closed",
                           occurred_at=_t("2026-10-05T10:00:00"))
        proc_c = _record(s, batches["processor"], "processor", "re_1CCC", 8, return_ref="84215",
                         amount_minor=2000, currency="USD", stage="refunded", status_raw="refund",
                         occurred_at=_t("2026-10-06T12:00:00"))
        ticket_c = _record(s, batch_s, "support", "40005", 2, order_ref="#1003", stage="pending",
                           status_raw="pending", occurred_at=_t("2026-10-05T09:00:00"),
                           updated_at=_t("2026-10-05T11:30:00"))
        case_c = Case(case_key="portal:84215", symptoms="stale_ticket", symptom_count=1,
                      boundary="support <- any", systems_present="portal;processor;support")
        s.add(case_c)
        s.flush()
        s.add_all([
            CaseLink(case_id=case_c.id, record_id=portal_c.id, system="portal", rule="anchor", confidence=1.0),
            CaseLink(case_id=case_c.id, record_id=proc_c.id, system="processor", rule="return_ref",
                     confidence=0.98),
            CaseLink(case_id=case_c.id, record_id=ticket_c.id, system="support", rule="order_ref",
                     confidence=0.8),
            Finding(case_id=case_c.id, symptom="stale_ticket", boundary="support <- any",
                    fix_type="close ticket", scope="ops", cause="process",
                    evidence="Ticket 40005 still pending, last updated before the refund",
                    systems="support", fields="stage;updated_at"),
        ])
        return {"a": case_a.id, "b": case_b.id, "c": case_c.id}
