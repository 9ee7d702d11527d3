from sqlalchemy import text, update

from workbench.core import audit
from workbench.core.store.models import AuditEvent


def test_chain_appends_and_verifies(workbook):
    with workbook.session() as s:
        audit.record(s, "ann", "tag.add", case_id=1, case_key="portal:R1", after={"tag": "x"})
        audit.record(s, "ann", "note.add", case_id=1, after={"body": "called IT"})
    with workbook.session() as s:
        audit.record(s, "bob", "settings.change", before={"a": 1}, after={"a": 2})
    with workbook.sessions() as s:
        rep = audit.verify_chain(s)
        assert rep.ok and rep.events == 3
        assert audit.chain_head(s) == (3, rep.head)


def test_edit_delete_reorder_are_caught(workbook):
    with workbook.session() as s:
        for i in range(4):
            audit.record(s, "ann", "tag.add", case_id=i, after={"i": i})
    with workbook.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="mallory"))
    with workbook.sessions() as s:
        rep = audit.verify_chain(s)
        assert not rep.ok and rep.broken_at_seq == 2 and "altered" in rep.problem
    with workbook.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="ann"))
        s.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    with workbook.sessions() as s:
        rep = audit.verify_chain(s)
        assert not rep.ok and rep.broken_at_seq == 3 and "missing" in rep.problem
