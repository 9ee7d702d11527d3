"""Hand-made cases for the window tests (the demo month path is tested separately)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from workbench.core.store.models import Case, Finding

SYMPTOM_CYCLE = ["missing_handoff", "rounding", "", "amount_mismatch", "duplicate_event", ""]
BOUNDARY = {"missing_handoff": "portal -> ERP middleware", "rounding": "processor -> ERP posting",
            "amount_mismatch": "processor -> ERP posting", "duplicate_event": "processing queue"}


def add_cases(workbook, n: int) -> list[int]:
    """n cases: case i has amount (i+1)*100 + 5 cents, first event i hours after Oct 1 UTC."""
    start = datetime(2026, 10, 1, tzinfo=UTC)
    ids = []
    with workbook.session() as s:
        for i in range(n):
            code = SYMPTOM_CYCLE[i % len(SYMPTOM_CYCLE)]
            systems = "portal;processor" if code == "missing_handoff" else "portal;processor;erp"
            case = Case(case_key=f"portal:{1000 + i}", status="open", symptoms=code,
                        symptom_count=1 if code else 0, boundary=BOUNDARY.get(code), currency="USD",
                        amount_minor=(i + 1) * 100 + 5, order_ref=f"#{5000 + i}", customer=f"cust{i}@example.com",
                        systems_present=systems, first_event_at=start + timedelta(hours=i),
                        search_text=f"loop-{1000 + i} #{5000 + i} cust{i}@example.com", period="2026-10")
            s.add(case)
            s.flush()
            if code:
                s.add(Finding(case_id=case.id, symptom=code, boundary=BOUNDARY[code], fix_type="fix",
                              scope="ops", cause="process", evidence="evidence"))
            ids.append(case.id)
    return ids
