"""GUI speed on a big workbook: first rows, filter, sort, case detail. Prints numbers.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py --returns 1000000

The workbook is SYNTHESISED in bulk (cases, findings, source records, case links written with
sqlite3 executemany), not built through demo generator + import + reconcile: at a million
returns that path takes far longer than the window being measured, and the window only reads
the case tables. The data has the demo month's shape: 3 records per case (portal, processor,
ERP; some cases lack one), about 45 % of cases with findings across the eleven symptoms. The
built workbook is cached in --cache-dir and reused.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py --workbook path/to/month.rwb

measures an existing workbook instead (e.g. one built by `workbench reconcile` of a generated
1M month, issue 8); the filters then use that workbook's own most frequent symptom, boundary,
status and customer, and it is opened read-only in spirit (nothing is written to it).

Targets (issue 5): first rows < 1 s, filter and sort < 0.3 s each, case detail < 0.05 s.

What is timed: "first rows, new process" = from starting a fresh Python process until its
window has painted the first rows (interpreter, imports, window, open; the table's
`rowsPainted` signal with the workbook's first row read). The workbench package is
byte-compiled first, as an installed app is (see compile_package); the child then checks that
the first case's detail is shown when open_workbook returns. "cold" = the same inside this
process (the window's modules imported, first window, until the rows are painted; the time
until open_workbook has returned with the first case's detail follows on its own line);
"filter"/"sort" = from the change until
the table has repainted its visible rows (the id query for the first chunk of ids, the model
reset, one page of row data).
The filter-panel counts run afterwards on the background worker and are timed separately;
the detail is timed as `CaseDetailWidget.show_case` + repaint (issue 5's other half).
A workbook cached from an older schema lacks later indexes: use --rebuild after schema changes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SYMPTOMS = ("missing_handoff", "timing_latency", "missing_disbursement", "id_linkage", "partial_receipt",
            "amount_mismatch", "rounding", "duplicate_event", "period_cutoff", "manual_bypass", "stale_ticket")
BOUNDARY = {
    "missing_handoff": "portal -> ERP middleware", "timing_latency": "portal -> ERP middleware",
    "missing_disbursement": "processor -> ERP posting", "id_linkage": "middleware -> ERP linkage",
    "partial_receipt": "WMS -> portal -> ERP", "amount_mismatch": "processor -> ERP posting",
    "rounding": "processor -> ERP posting", "duplicate_event": "processing queue",
    "period_cutoff": "processor -> ERP posting", "manual_bypass": "middleware -> ERP linkage",
    "stale_ticket": "support <- any",
}
STATUSES = ("open", "open", "open", "investigating", "waiting_on_it", "resolved")


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, returns: int, seed: int = 1) -> None:
    """Write `returns` cases with records and links into a fresh workbook at `path`."""
    from workbench.core.store import open_workbook

    if path.exists():
        path.unlink()
    wb = open_workbook(path)
    wb.close()
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    start = datetime(2026, 10, 1, tzinfo=UTC)
    now = _ts(datetime.now(UTC))
    con.execute("INSERT INTO import_batches (id, file_name, sha256, size_bytes, system, profile, confidence, "
                "rows_total, rows_loaded, rows_updated, rows_skipped, imported_by, imported_at) "
                "VALUES (1, 'synthetic.csv', 'x', 0, 'portal', 'synthetic', 1.0, 0, 0, 0, 0, 'bench', ?)", (now,))
    chunk = 50_000
    rec_id = 0
    for base in range(0, returns, chunk):
        cases, findings, records, links = [], [], [], []
        for i in range(base, min(base + chunk, returns)):
            cid = i + 1
            first = start + timedelta(seconds=rnd.randrange(31 * 86400))
            amount = rnd.randrange(500, 50_000)
            code = rnd.choice(SYMPTOMS) if rnd.random() < 0.45 else ""
            systems = ["portal", "processor", "erp"]
            if code == "missing_handoff":
                systems = ["portal", "processor"]
            elif code == "missing_disbursement":
                systems = ["portal", "erp"]
            erp_amount = amount - (rnd.choice((500, 750, 1000)) if code == "amount_mismatch" else
                                   rnd.choice((1, 2, 3)) if code == "rounding" else 0)
            ret, order, cust = f"{80000 + i}", f"#{100000 + i}", f"customer{i % 200_000}@example.com"
            cases.append((cid, f"portal:{ret}", rnd.choice(STATUSES), None, code, 1 if code else 0,
                          BOUNDARY.get(code), None, None, None, order, cust, "USD", amount,
                          amount if "processor" in systems else None, erp_amount if "erp" in systems else None,
                          amount, ";".join(systems), _ts(first), _ts(first + timedelta(hours=30)), "2026-10",
                          f"loop-{ret} {order} re_{ret} cm{ret} {cust}", 1, 0, now, 1))
            if code:
                findings.append((cid, code, BOUNDARY[code], "fix", "ops", "process",
                                 f"{code} between systems", "check the hand-off", ";".join(systems[1:]), "amount"))
            for system in systems:
                rec_id += 1
                rid = {"portal": ret, "processor": f"re_{ret}", "erp": f"CM{ret}"}[system]
                amt = {"portal": amount, "processor": amount, "erp": erp_amount}[system]
                records.append((rec_id, 1, system, "synthetic", i + 2, rid, f"LOOP-{ret}", order, f"re_{ret}", cust,
                                amt, "USD", "refunded", "closed", _ts(first), _ts(first + timedelta(hours=30)),
                                json.dumps({"id": rid}), "h", 1, 1))
                links.append((cid, rec_id, system, "anchor" if system == "portal" else "return_ref", 1.0, 0, 0))
        con.executemany(
            "INSERT INTO cases (id, case_key, status, assignee, symptoms, symptom_count, boundary, fix_type, scope,"
            " cause, order_ref, customer, currency, portal_amount_minor, processor_amount_minor, erp_amount_minor,"
            " amount_minor, systems_present, first_event_at, last_event_at, period, search_text, is_active,"
            " source_changed, diagnosed_at, version) VALUES (" + ",".join("?" * 26) + ")", cases)
        con.executemany(
            "INSERT INTO findings (case_id, symptom, boundary, fix_type, scope, cause, evidence, steps, systems,"
            " fields) VALUES (?,?,?,?,?,?,?,?,?,?)", findings)
        con.executemany(
            "INSERT INTO source_records (id, batch_id, system, profile, source_row, record_id, return_ref, order_ref,"
            " refund_ref, customer, amount_minor, currency, stage, status_raw, occurred_at, updated_at, raw,"
            " row_hash, version, is_current) VALUES (" + ",".join("?" * 20) + ")", records)
        con.executemany(
            "INSERT INTO case_links (case_id, record_id, system, rule, confidence, is_duplicate, is_override)"
            " VALUES (?,?,?,?,?,?,?)", links)
        con.commit()
        print(f"  built {min(base + chunk, returns):,} cases", file=sys.stderr)
    con.execute("ANALYZE")
    con.commit()
    con.close()


def _settle(app, window) -> None:
    """Let deferred work finish (detail load, counts and the other reads on the worker: the
    audit-chain check, the in-memory search text) outside the timings."""
    while True:
        app.processEvents()
        task = window._counts_task
        if (task is None or task.is_finished) and not window._read_tasks:
            app.processEvents()
            return
        time.sleep(0.005)


def _rows_shown_after_layout(app, window) -> None:
    """The workspace page gets its size (pending layouts) and the table paints its rows."""
    from PySide6.QtCore import QEvent

    app.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    window.table.viewport().repaint()


def _rows_shown(window) -> None:
    """Paint the table now: the visible rows are fetched and drawn (as the user sees them)."""
    window.table.viewport().repaint()


def _timed(fn, app, window, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        _settle(app, window)
        t0 = time.perf_counter()
        fn()
        _rows_shown(window)
        out.append(time.perf_counter() - t0)
        if window.model.rowCount():
            assert window.model.is_cached(window.model.case_id(window.table.rowAt(0) if window.table.rowAt(0) >= 0 else 0))
    _settle(app, window)
    return out


_CHILD = """
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from workbench.ui.main_window import MainWindow
app = QApplication([])
window = MainWindow(QSettings(sys.argv[2], QSettings.Format.IniFormat))
window.resize(1400, 860)
window.show()
app.processEvents()                       # the window appears (start page), then the workbook opens

def painted():                            # the table has just painted rows of the opened workbook
    if window.workbook is not None and window.model.is_cached(window.model.case_id(0)):
        window.table.rowsPainted.disconnect(painted)
        print("shown", flush=True)

window.table.rowsPainted.connect(painted)
window.open_workbook(sys.argv[1], create=False)   # paints the rows, then loads the first case's detail
assert window.model.rowCount() > 0 and window.detail.current_case_id() == window.model.case_id(0)
os._exit(0)
"""


def compile_package() -> None:
    """Byte-compile the workbench package as an installation does (pip compiles a wheel's
    modules; the PyInstaller build holds .pyc files). Without it an editable checkout run
    with PYTHONDONTWRITEBYTECODE=1 recompiles every workbench module in every new process
    (about 0.3 s), which an installed app never does. Writes only __pycache__ (git-ignored)."""
    import compileall

    import workbench

    compileall.compile_dir(Path(workbench.__file__).parent, quiet=1)


def first_rows_new_process(path: Path, settings_file: Path) -> float:
    """Seconds from starting a new Python process until its window shows the first rows."""
    import subprocess

    settings_file.unlink(missing_ok=True)
    compile_package()
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(settings_file)],
                             stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    elapsed = time.perf_counter() - t0
    child.wait(60)
    if line.strip() != "shown" or child.returncode != 0:
        raise RuntimeError(f"the child window did not show the rows and the first case's detail "
                           f"(exit code {child.returncode})")
    return elapsed


def filters_for(path: Path, synthetic: bool):
    """The filters measured: fixed ones for the synthetic workbook; for a real one, the same
    kinds built from its own most frequent values (so each filter matches something)."""
    from workbench.core.queries.case_list import CaseFilter

    if synthetic:
        return {
            "symptom = rounding": CaseFilter(symptoms=("rounding",)),
            "boundary + status": CaseFilter(boundaries=("processor -> ERP posting",), statuses=("open",)),
            "ERP record absent": CaseFilter(systems_absent=("erp",)),
            "text search 'customer1234@'": CaseFilter(text="customer1234@"),
            "amount 100.00-120.00": CaseFilter(amount_min_minor=10_000, amount_max_minor=12_000),
        }
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        def top(sql: str):
            row = con.execute(sql).fetchone()
            return row[0] if row else None
        symptom = top("SELECT symptom FROM findings GROUP BY symptom ORDER BY count(*) DESC LIMIT 1")
        boundary = top("SELECT boundary FROM cases WHERE boundary IS NOT NULL GROUP BY boundary "
                       "ORDER BY count(*) DESC LIMIT 1")
        customer = top("SELECT customer FROM cases WHERE customer IS NOT NULL AND id % 997 = 0 LIMIT 1")
        n = top("SELECT count(amount_minor) FROM cases WHERE is_active = 1") or 0
        at = "SELECT amount_minor FROM cases WHERE is_active = 1 AND amount_minor IS NOT NULL " \
             "ORDER BY amount_minor LIMIT 1 OFFSET {}"
        band = (top(at.format(n // 5)) or 0, top(at.format(n // 5 + n // 25)) or 0)   # about 4 % of the cases
    finally:
        con.close()
    word = (customer or "x").strip().lower()
    return {
        f"symptom = {symptom}": CaseFilter(symptoms=(symptom,)),
        "boundary + status open": CaseFilter(boundaries=(boundary,), statuses=("open",)),
        "ERP record absent": CaseFilter(systems_absent=("erp",)),
        f"text search {word[:24]!r}": CaseFilter(text=word),
        f"amount {band[0] / 100:.2f}-{band[1] / 100:.2f}": CaseFilter(amount_min_minor=band[0], amount_max_minor=band[1]),
    }


def measure(path: Path, synthetic: bool = True, settings_dir: Path | None = None) -> dict[str, float]:
    settings_dir = settings_dir or path.parent
    settings_file = settings_dir / (path.stem + ".bench.ini")
    results: dict[str, float] = {}
    from workbench.core.store.database import make_engine, schema_is_current

    engine = make_engine(f"sqlite:///{path}")
    current = schema_is_current(engine)
    engine.dispose()
    if not current:     # an older workbook is upgraded once, on its first open: not timed as start-up
        from workbench.core.store import open_workbook

        t0 = time.perf_counter()
        open_workbook(path, create=False).close()
        results["schema upgrade on the first open (once per workbook) (s)"] = time.perf_counter() - t0
    results["first rows shown, new process (start, imports, window, open) (s)"] = \
        first_rows_new_process(path, settings_dir / (path.stem + ".child.ini"))

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    t_import = time.perf_counter()
    from workbench.core.queries.case_list import CaseFilter
    from workbench.ui.main_window import MainWindow
    imports = time.perf_counter() - t_import

    app = QApplication.instance() or QApplication([])
    settings_file.unlink(missing_ok=True)

    def open_window():
        t0 = time.perf_counter()
        window = MainWindow(QSettings(str(settings_file), QSettings.Format.IniFormat))
        window.resize(1400, 860)
        window.show()
        app.processEvents()                   # the window appears (start page), then the workbook opens
        painted: list[float] = []

        def rows_painted() -> None:
            if not painted and window.workbook is not None and window.model.is_cached(window.model.case_id(0)):
                painted.append(time.perf_counter() - t0)

        window.table.rowsPainted.connect(rows_painted)
        window.open_workbook(path, create=False)
        _rows_shown_after_layout(app, window)
        window.table.rowsPainted.disconnect(rows_painted)
        assert window.model.rowCount() > 0 and window.model.is_cached(window.model.case_id(0)) and painted
        return window, painted[0], time.perf_counter() - t0

    window, cold, _ = open_window()
    results["first rows shown, cold (window modules imported, first window) (s)"] = imports + cold
    _settle(app, window)
    window.close()
    window, warm, returned = open_window()
    results["first rows shown after opening the window (s)"] = warm
    results["  of which the id query + model reset (s)"] = window.last_refresh_seconds
    results["open_workbook returned (first case's detail shown) (s)"] = returned
    t1 = time.perf_counter()
    _settle(app, window)
    results["then: counts, search text in memory (on the worker) (s)"] = time.perf_counter() - t1

    def apply(flt: CaseFilter):
        return lambda: window._filter_changed(flt)

    med = statistics.median
    filters = filters_for(path, synthetic)
    for name, flt in filters.items():
        results[f"filter: {name} (s)"] = med(_timed(apply(flt), app, window, 3))
    results["filter: none (all cases) (s)"] = med(_timed(apply(CaseFilter()), app, window, 3))
    t1 = time.perf_counter()
    window.refresh_counts()
    _settle(app, window)
    results["filter-panel counts, all cases (s)"] = time.perf_counter() - t1

    def sort(key: str, desc: bool):
        return lambda: window._sort_requested(key, desc)

    window._filter_changed(next(iter(filters.values())))     # the symptom filter
    results["sort filtered list by amount desc (s)"] = med(_timed(sort("amount_minor", True), app, window, 3))
    window._filter_changed(CaseFilter())
    results["sort all cases by amount desc (s)"] = med(_timed(sort("amount_minor", True), app, window, 3))
    results["sort all cases by first event (s)"] = med(_timed(sort("first_event_at", False), app, window, 3))
    results["sort all cases by customer (s)"] = med(_timed(sort("customer", False), app, window, 3))
    _settle(app, window)

    rows = window.model.rowCount()
    picks = [rows // 7, rows // 3, rows // 2, rows - 5, 10]
    detail_times = _timed_details(window, app, picks)
    results["case detail shown, median of 5 (s)"] = statistics.median(detail_times)
    results["case detail shown, max of 5 (s)"] = max(detail_times)
    window.close()
    return results


def _timed_details(window, app, rows: list[int]) -> list[float]:
    out = []
    for row in rows:
        case_id = window.model.case_id(row)
        t0 = time.perf_counter()
        window.detail.show_case(case_id)      # what a selection change triggers
        window.detail.repaint()
        out.append(time.perf_counter() - t0)
        assert window.detail.current_case_id() == case_id
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=1_000_000)
    parser.add_argument("--cache-dir", default=os.environ.get("TMPDIR", "/tmp"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--workbook", type=Path, help="measure this existing workbook instead of the synthetic one")
    args = parser.parse_args(argv)
    Path(args.cache_dir).mkdir(parents=True, exist_ok=True)
    if args.workbook is not None:
        path = args.workbook.expanduser().resolve()
        if not path.exists():
            parser.error(f"no workbook at {path}")
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        cases = con.execute("SELECT count(*) FROM cases WHERE is_active = 1").fetchone()[0]
        con.close()
        label = f"{cases:,} active cases in {path.name}"
    else:
        path = Path(args.cache_dir) / f"bench_gui_{args.returns}.rwb"
        if args.rebuild or not path.exists():
            t0 = time.perf_counter()
            build(path, args.returns)
            print(f"built synthetic workbook {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        label = f"{args.returns:,} returns (synthetic workbook)"
    results = measure(path, synthetic=args.workbook is None, settings_dir=Path(args.cache_dir))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_gui: {label}, SQLite, on {os.cpu_count()} cores (load average {load:.1f} at the end)")
    for name, value in results.items():
        print(f"  {name:<58} {value:8.3f}")
    print("  targets: first rows < 1 s; filter, sort < 0.3 s; detail < 0.05 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
