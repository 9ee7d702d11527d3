"""Case detail speed on a big workbook: `load_case_detail` alone and the detail widget's
`show_case` (query + models + tabs), for random cases. Prints numbers.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_case_detail.py --returns 1000000

Uses the synthetic workbook of benchmarks/bench_gui.py (same builder, same cache file, so a
workbook built by either script is reused). Target (issue 5): a case's detail < 0.05 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _stats(name: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {name:<40} median {statistics.median(times) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"
          f"   max {times[-1] * 1000:7.2f} ms   (n={len(times)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=1_000_000)
    parser.add_argument("--cache-dir", default=os.environ.get("TMPDIR", "/tmp"))
    parser.add_argument("--db", help="an existing workbook to measure instead")
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args(argv)

    from sqlalchemy import func, select

    from workbench.core.queries.case_detail import load_case_detail
    from workbench.core.store import open_workbook
    from workbench.core.store.models import Case

    if args.db:
        path = Path(args.db)
    else:
        import bench_gui

        path = Path(args.cache_dir) / f"bench_gui_{args.returns}.rwb"
        if not path.exists():
            t0 = time.perf_counter()
            bench_gui.build(path, args.returns)
            print(f"built synthetic workbook {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    wb = open_workbook(path)
    with wb.sessions() as s:
        max_id = s.execute(select(func.max(Case.id))).scalar_one()
        total = s.execute(select(func.count()).select_from(Case)).scalar_one()
    rnd = random.Random(5)
    ids = [rnd.randint(1, max_id) for _ in range(args.cases)]
    settings = wb.business_settings()

    t0 = time.perf_counter()
    first = load_case_detail(wb, ids[0], settings)
    cold = time.perf_counter() - t0
    query_times, sizes = [], []
    for cid in ids:
        t0 = time.perf_counter()
        detail = load_case_detail(wb, cid, settings)
        query_times.append(time.perf_counter() - t0)
        if detail is not None:
            sizes.append(sum(1 + len(e.duplicates) for e in detail.systems if e.live))

    from PySide6.QtWidgets import QApplication

    from workbench.ui.detail import CaseDetailWidget

    app = QApplication.instance() or QApplication([])
    widget = CaseDetailWidget()
    widget.resize(1200, 800)
    widget.set_workbook(wb)
    widget.show()
    app.processEvents()
    widget_times = []
    for cid in ids[: min(len(ids), 100)]:
        t0 = time.perf_counter()
        widget.show_case(cid)
        app.processEvents()
        widget_times.append(time.perf_counter() - t0)

    print(f"bench_case_detail: {total:,} cases in {path.name} on {os.cpu_count()} cores")
    print(f"  first load_case_detail (cold)          {cold * 1000:7.2f} ms  (case {ids[0]}: "
          f"{'found' if first else 'missing'})")
    _stats("load_case_detail", query_times)
    _stats("CaseDetailWidget.show_case + paint", widget_times)
    if sizes:
        print(f"  records per case shown: mean {statistics.mean(sizes):.2f}")
    print("  target: case detail < 50 ms")
    wb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
