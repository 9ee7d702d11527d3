"""Diagnosis tab: each finding's symptom, boundary, fix type, scope, cause, evidence and first
diagnostic steps; then the case work (tags, notes, adjustments). Rendered as escaped HTML."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser

from workbench.core.money import format_money
from workbench.core.queries.case_detail import CaseDetail, system_label
from workbench.ui.detail.divergence import FIELDS, normalise_field

SCOPE_LABELS = {"ops": "ops team can fix", "it": "needs IT"}


def diagnosis_html(detail: CaseDetail | None) -> str:
    if detail is None:
        return "<p><i>No case selected.</i></p>"
    parts: list[str] = []
    if not detail.findings:
        parts.append("<p><b>Clean</b>: the systems agree on this return.</p>")
    for f in detail.findings:
        scope = SCOPE_LABELS.get(f.scope, f.scope)
        parts.append(f"<h3>{escape(f.symptom)}</h3>")
        rows = [("Boundary", f.boundary), ("Fix type", f.fix_type), ("Scope", scope), ("Cause", f.cause)]
        if f.systems:
            cells = ", ".join(system_label(s) for s in f.systems)
            if f.fields:
                labels = dict(FIELDS)
                cells += " - " + ", ".join(labels.get(normalise_field(x), x) for x in f.fields)
            rows.append(("Cells", cells))
        if f.window_closes_local:
            rows.append(("Window closes", f"{f.window_closes_local} ({detail.timezone})"))
        parts.append("<table cellspacing='2'>" + "".join(
            f"<tr><td><b>{escape(k)}</b></td><td>{escape(v or '-')}</td></tr>" for k, v in rows) + "</table>")
        parts.append(f"<p><b>Evidence:</b> {escape(f.evidence)}</p>")
        if f.steps:
            parts.append("<p><b>First steps:</b></p><ol>" +
                         "".join(f"<li>{escape(step)}</li>" for step in f.steps) + "</ol>")
    work: list[str] = []
    if detail.tags:
        work.append("<p><b>Tags:</b> " + ", ".join(
            escape(t.tag) + (" (reason code)" if t.is_reason_code else "") for t in detail.tags) + "</p>")
    for note in detail.notes:
        work.append(f"<p><b>Note</b> by {escape(note.author)}, {escape(note.created_local)}: "
                    f"{escape(note.body)}</p>")
    for adj in detail.adjustments:
        work.append(
            f"<p><b>Adjustment</b> {escape(system_label(adj.system))} {escape(adj.field)}: "
            f"{escape(format_money(adj.amount_from_minor, adj.currency) or '-')} -> "
            f"{escape(format_money(adj.amount_to_minor, adj.currency) or '-')} "
            f"({escape(adj.reason_code)}; journal {escape(adj.journal_ref or '-')}; "
            f"{escape(adj.review_status)}) by {escape(adj.created_by)}, {escape(adj.created_local)}</p>")
    if work:
        parts.append("<hr><h3>Case work</h3>" + "".join(work))
    return "".join(parts)


class DiagnosisPanel(QTextBrowser):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.set_detail(None)

    def set_detail(self, detail: CaseDetail | None) -> None:
        self.setHtml(diagnosis_html(detail))
