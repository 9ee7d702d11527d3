"""The XLSX log's Insights sheet: the tables behind the dashboard's charts, with native
spreadsheet charts (openpyxl.chart: no Qt, opens in Excel and LibreOffice). Derived from the
sealed content; the structural flags themselves are on the sealed Summary sheet."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference

INSIGHTS_SHEET = "Insights"


def _table(ws, row: int, title: str, header, rows) -> tuple[int, int]:
    """Write a titled table at `row`; returns (header row, last row)."""
    ws.append([])
    ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    head = row + 3   # blank line, title, then the header
    return head, head + len(rows)


def insights_sheet(book, ins) -> None:
    ws = book.create_sheet(INSIGHTS_SHEET)
    ws.column_dimensions["A"].width = 60
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 16
    ws.append(["Patterns across cases (see the Summary sheet for the structural-problem flags)"])
    row = 1
    charts = []
    if ins.rate_rows:
        head, last = _table(ws, row, "Mismatch rate by symptom (% of returns, by week of the return)",
                            ins.rate_header, ins.rate_rows)
        chart = LineChart()
        chart.title, chart.y_axis.title, chart.x_axis.title = "Mismatch rate by symptom", "% of returns", "week"
        chart.add_data(Reference(ws, min_col=2, max_col=len(ins.rate_header), min_row=head, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        for series in chart.series:
            series.smooth = False
        charts.append(chart)
        row = last
    if ins.boundary_rows:
        head, last = _table(ws, row, "Cases by handoff boundary", ("Boundary", "Cases"), ins.boundary_rows)
        chart = BarChart()
        chart.type, chart.title = "bar", "Cases by handoff boundary"
        chart.add_data(Reference(ws, min_col=2, min_row=head, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        charts.append(chart)
        row = last
    if ins.lag_rows:
        head, last = _table(ws, row, f"Lag from portal approval, hours (6 h bins; latency window "
                                     f"{ins.latency_window_hours} h; last bin = that or more)",
                            ("Hours from", "Processor refunds", "ERP postings"), ins.lag_rows)
        chart = BarChart()
        chart.title, chart.x_axis.title, chart.y_axis.title = "Lag histogram", "hours after approval", "returns"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=head, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))
        charts.append(chart)
        row = last
    if ins.cluster_rows:
        _table(ws, row, "Pattern clusters and verdicts (five-question checklist)", ins.CLUSTER_HEADER,
               ins.cluster_rows)
    for i, chart in enumerate(charts):
        chart.width, chart.height = 22, 9
        ws.add_chart(chart, f"J{2 + i * 20}")
    ws.freeze_panes = "A2"
