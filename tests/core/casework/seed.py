"""Test data made directly through the models (linking/diagnosis are another part's work)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from workbench.core.store.models import Case, CaseLink, Finding, ImportBatch, SourceRecord

CUSTOMERS = ["Jane Doe <jane.doe@example.com>", '=HYPERLINK("http://x","y")', "Bob Stone"]


def _batch(s, system: str) -> ImportBatch:
    b = ImportBatch(file_name=f"{system}.csv", sha256="0" * 64, size_bytes=1, system=system,
                    profile=f"{system}_test", imported_by="loader")
    s.add(b)
    s.flush()
    return b


def _record(s, batch, system, record_id, amount, *, customer=None, stage="refunded", at=None):
    rec = SourceRecord(batch_id=batch.id, system=system, profile=batch.profile, source_row=2,
                       record_id=record_id, customer=customer, amount_minor=amount, currency="USD",
                       stage=stage, occurred_at=at or datetime(2026, 10, 3, 14, 5, tzinfo=UTC),
                       raw=json.dumps({"id": record_id}), row_hash="0" * 64)
    s.add(rec)
    s.flush()
    return rec


def seed_cases(workbook, n: int = 3, period: str = "2026-10") -> list[int]:
    """n cases: portal + processor + ERP (+ support on the first), case 1 with a partial
    receipt finding (ERP 84.99 vs 99.99), customers cycling through CUSTOMERS."""
    ids = []
    with workbook.session() as s:
        batches = {sys_: _batch(s, sys_) for sys_ in ("portal", "processor", "erp", "support")}
        for i in range(n):
            customer = CUSTOMERS[i % len(CUSTOMERS)]
            rid = str(84213 + i)
            erp_amount = 8499 if i == 0 else 9999
            recs = [
                _record(s, batches["portal"], "portal", rid, 9999, customer=customer),
                _record(s, batches["processor"], "processor", f"re_3P{i:04d}abc", 9999, customer=customer),
                _record(s, batches["erp"], "erp", f"CM10{4233 + i}", erp_amount, customer=customer,
                        stage="credited", at=datetime(2026, 10, 4, 9, 30, tzinfo=UTC)),
            ]
            if i == 0:
                recs.append(_record(s, batches["support"], "support", "5521", None, stage="open"))
            case = Case(case_key=f"portal:{rid}", customer=customer, currency="USD", order_ref=f"#{1001 + i}",
                        portal_amount_minor=9999, processor_amount_minor=9999, erp_amount_minor=erp_amount,
                        amount_minor=9999, period=period, systems_present="portal;processor;erp",
                        first_event_at=datetime(2026, 10, 3, 14, 5, tzinfo=UTC),
                        symptoms="partial_receipt" if i == 0 else "",
                        symptom_count=1 if i == 0 else 0,
                        boundary="WMS -> portal -> ERP" if i == 0 else None,
                        fix_type="post restocking fee" if i == 0 else None, scope="ops" if i == 0 else None)
            s.add(case)
            s.flush()
            for rec in recs:
                s.add(CaseLink(case_id=case.id, record_id=rec.id, system=rec.system,
                               rule="anchor" if rec.system == "portal" else "return_ref", confidence=1.0))
            if i == 0:
                s.add(Finding(case_id=case.id, symptom="partial_receipt", boundary="WMS -> portal -> ERP",
                              fix_type="post restocking fee", scope="ops", cause="process",
                              evidence="ERP 84.99 = portal 99.99 - 15 % restocking fee (15.00)",
                              systems="portal;erp", fields="amount_minor", amount_delta_minor=-1500))
            ids.append(case.id)
    return ids
