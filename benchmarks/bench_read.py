"""Rows per second through ingest.read_file for a 200,000-row CSV and XLSX (and a load into
SQLite). The files are generated into a temp dir in the demo layouts (Stripe balance
transactions CSV, NetSuite credit memos XLSX).

    /work/venv/bin/python benchmarks/bench_read.py [--rows 200000] [--load]

`--month N` instead times import_files (the import half of `workbench reconcile`) on a
generated month of N returns (4 CSVs, demo generator, seed 1; cached in --cache) into a new
SQLite workbook: wall and CPU seconds and peak RSS per stage (read, normalise, load), from
the Job's progress messages, as benchmarks/bench_scale.py splits them. The workbook is built
with store.build_workbook, as `workbench reconcile --db NEW.rwb FILES` builds a new one.

    /work/venv/bin/python benchmarks/bench_read.py --month 100000 [--cache /tmp/ing_cache]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

STRIPE_HEADER = ("id,Type,Source,Amount,Fee,Net,Currency,Created (UTC),Available On (UTC),Description,"
                 "Customer Facing Amount,Customer Facing Currency,Transfer,Transfer Date (UTC),Transfer Group,"
                 "return_id (metadata),order_id (metadata)")
NETSUITE_HEADER = ["Internal ID", "Document Number", "Date", "Date Created", "Reference No.", "Memo", "Customer",
                   "Email", "Amount", "Currency", "Status", "Created By", "Class", "Integration"]


def write_csv(path: Path, n: int) -> None:
    rng = np.random.default_rng(1)
    cents = rng.integers(100, 50_000, n)
    kinds = np.where(rng.random(n) < 0.7, "refund", "charge")
    minutes = rng.integers(0, 31 * 24 * 60, n)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(STRIPE_HEADER + "\n")
        for i in range(n):
            amt = f"{cents[i] // 100}.{cents[i] % 100:02d}"
            sign = "-" if kinds[i] == "refund" else ""
            src = ("re_" if kinds[i] == "refund" else "ch_") + f"{i:012d}"
            m = int(minutes[i])
            created = f"2026-10-{1 + m // 1440:02d} {m % 1440 // 60:02d}:{m % 60:02d}"
            f.write(f"txn_{i:012d},{kinds[i]},{src},{sign}{amt},0.00,{sign}{amt},usd,{created},{created},"
                    f"Refund for order #{1000 + i},,,,,,{84000 + i},{5800000000000 + i}\n")


def write_xlsx(path: Path, n: int) -> None:
    from datetime import date, datetime, timedelta

    import openpyxl

    rng = np.random.default_rng(2)
    cents = rng.integers(100, 50_000, n)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Results")
    ws.append(NETSUITE_HEADER)
    base = datetime(2026, 10, 1)
    for i in range(n):
        t = base + timedelta(minutes=int(i * 31 * 24 * 60 // n))
        ws.append([100000 + i, f"CM{104000 + i}", date(t.year, t.month, t.day),
                   t.strftime("%-m/%-d/%Y %-I:%M %p").lower(), f"LOOP-{84000 + i}", "", "Ana A",
                   "ana@example.com", int(cents[i]) / 100, "USD", "Credit Memo:Fully Applied",
                   "Integration User", "Online", "Loop NetSuite Connector 2.4.1"])
    wb.save(path)


def month_files(returns: int, cache: Path) -> list[Path]:
    from workbench.core.demo import generate_demo

    folder = cache / f"m{returns}"
    files = sorted(folder.glob("*.csv"))
    files = [f for f in files if f.name != "truth.csv"]
    if len(files) != 4:
        t = time.perf_counter()
        files = generate_demo(folder, returns=returns, seed=1, csv_only=True).files
        print(f"generated {returns:,} returns in {time.perf_counter() - t:.1f} s")
    return [Path(f) for f in files]


def time_month(returns: int, cache: Path, keep_records: bool) -> None:
    """import_files on a month: per-stage wall/CPU seconds and peak RSS (fresh process)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scale import Recorder   # the same stage split and RSS sampler as the scale benchmark

    from workbench.core.ingest import import_files
    from workbench.core.jobs import Job
    from workbench.core.store import build_workbook

    files = month_files(returns, cache)
    size = sum(f.stat().st_size for f in files)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "bench.rwb"
        rec = Recorder()
        t = time.perf_counter()
        # a new workbook is built as `workbench reconcile --db NEW.rwb FILES` builds it
        with build_workbook(target) as wb:
            summary = import_files(wb, files, job=Job(rec.progress), keep_records=keep_records)
        wall = time.perf_counter() - t
        out = rec.finish()
        db_mb = target.stat().st_size / 1e6
    rows = sum(f.rows_loaded for f in summary.files)
    print(f"import_files: {returns:,} returns, 4 CSVs {size / 1e6:.0f} MB, {rows:,} records written "
          f"in {wall:.2f} s wall; peak RSS {out['peak_mb']:.0f} MB; workbook {db_mb:.0f} MB")
    print(f"{'stage':10} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}")
    for stage, v in out["stages"].items():
        print(f"{stage:10} {v['seconds']:8.2f} {v['cpu']:8.2f} {v['peak_mb']:8.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--month", type=int, help="time import_files on a generated month of N returns")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "ing_cache",
                    help="where generated months are kept between runs")
    ap.add_argument("--keep-records", action="store_true", help="--month: also hand the written rows back")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--load", action="store_true", help="also time import_files into a SQLite workbook")
    ap.add_argument("--csv-only", action="store_true", help="skip the XLSX (its generation is slow at 1M rows)")
    args = ap.parse_args()
    if args.month:
        time_month(args.month, args.cache, args.keep_records)
        return
    from workbench.core.ingest import read_file

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv_path, xlsx_path = tmp / "stripe_balance_transactions.csv", tmp / "netsuite_credit_memos.xlsx"
        t = time.perf_counter()
        write_csv(csv_path, args.rows)
        if not args.csv_only:
            write_xlsx(xlsx_path, args.rows)
        sizes = ", ".join(f"{p.suffix[1:].upper()} {p.stat().st_size / 1e6:.1f} MB"
                          for p in (csv_path, xlsx_path) if p.exists())
        print(f"generated {args.rows:,} rows per file in {time.perf_counter() - t:.1f} s ({sizes})")
        for path in (csv_path, xlsx_path) if not args.csv_only else (csv_path,):
            t = time.perf_counter()
            parsed = read_file(path, business_tz="America/New_York")
            dt = time.perf_counter() - t
            print(f"{path.suffix[1:].upper():5} read_file: {parsed.rows_total:,} rows in {dt:.2f} s = "
                  f"{parsed.rows_total / dt:,.0f} rows/s ({len(parsed.records):,} records, profile {parsed.profile})")
        if args.load:
            from workbench.core.ingest import import_files
            from workbench.core.store import open_workbook

            wb = open_workbook(tmp / "bench.rwb")
            t = time.perf_counter()
            summary = import_files(wb, [csv_path])
            dt = time.perf_counter() - t
            print(f"CSV   import_files (read + load SQLite): {args.rows:,} rows in {dt:.2f} s = "
                  f"{args.rows / dt:,.0f} rows/s ({summary.files[0].rows_loaded:,} records written)")
            wb.close()


if __name__ == "__main__":
    main()
