"""Is the workbook's audit trail intact? Called by every CLI command that opens a workbook
(workbench/cli/common.py open_db warns on stderr) and by the GUI when a workbook opens."""

from __future__ import annotations

from workbench.core import audit
from workbench.core.audit import ChainReport
from workbench.core.errors import AuditChainBroken


def check_integrity(workbook) -> ChainReport:
    """Recompute the whole hash chain (O(events)); report, never raise."""
    with workbook.sessions() as session:
        return audit.verify_chain(session)


def warning_text(report: ChainReport, name: str = "workbook") -> str | None:
    """One loud line for a broken chain, None when intact."""
    if report.ok:
        return None
    return (f"WARNING: the audit trail of {name} is BROKEN: {report.problem} "
            f"(events before {report.broken_at_seq} verify). Do not trust its history or exports.")


def require_integrity(workbook) -> ChainReport:
    report = check_integrity(workbook)
    if not report.ok:
        raise AuditChainBroken(warning_text(report, workbook.display_name))
    return report
