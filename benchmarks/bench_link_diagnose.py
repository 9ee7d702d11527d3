"""Link + diagnose benchmark (issue 8): the in-memory half of `workbench reconcile`.

    python benchmarks/bench_link_diagnose.py                     # 100,000 returns
    python benchmarks/bench_link_diagnose.py --sizes 100000 1000000
    python benchmarks/bench_link_diagnose.py --sizes 100000 --repeat 2

For each size it generates a month once (demo generator, seed 1, CSV only) and imports it with
`workbench reconcile --db X.rwb FILES` once; both are cached under --cache (default
/tmp/ld_cache) and reused. Then, in a fresh subprocess per run (so peak memory is its own):

1. read the current records the way reconcile does (`reconcile.read_records`),
2. `link_records(records, settings)`,
3. `diagnose_cases(records, linked, settings)`,

printing per-step wall and CPU seconds, resident memory after each step, and the peak
resident memory (VmHWM) of link + diagnose alone: the peak is reset after the read
(`/proc/self/clear_refs`), so it is the process with the records frame held plus whatever
linking and diagnosis add. tracemalloc stays off. Budget at 1M returns: link + diagnose
<= 12 s wall, peak <= ~1.8 GB with the 3.23M-row frame held.

Two ways to get the frame (`--source`): `read` (default) reads it from the workbook as
reconcile does, so the numbers include whatever memory the read leaves behind (its own
business); `frame` loads the same frame from a pickle cached beside the workbook (written by a
`read` run), so RSS before linking is the frame plus the interpreter: the link + diagnose
budget measured on its own. `both` runs one of each.

Measured 2026-11-22 on the shared 2-core machine (load 4-6, so wall was about twice CPU; CPU
seconds are the steadier number), 1M returns = 3,233,267 records, 1,045,000 cases:
                      link cpu   diagnose cpu   peak RSS of link+diagnose (frame 0.86 GB held)
  before (session 1)   17.8 s        11.2 s       3.22 GB
  after                 7.4 s         6.4 s       1.93 GB
100k returns (323,420 records), frame mode: link 1.32 -> 0.77-0.97 s cpu, diagnose 1.01 -> 0.66-0.70 s,
peak 534 -> 340-344 MB. Links, candidates, keys, findings and case summaries are value for value
the same as before (checked on the 100k month); bench_accuracy stays at 1.000.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0). False if the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


# --- the measured child ----------------------------------------------------------------------

def child(db: str, source: str) -> dict:
    import pandas  # noqa: F401 - imported before the first measurement, as reconcile has them
    import pyarrow  # noqa: F401

    from workbench.core import reconcile as rc
    from workbench.core.diagnose import diagnose_cases
    from workbench.core.link import link_records
    from workbench.core.store import open_workbook

    out: dict = {"steps": {}}
    start_mb = _status_mb("VmRSS")

    def step(name, fn):
        t, c = time.perf_counter(), time.process_time()
        value = fn()
        out["steps"][name] = {"seconds": round(time.perf_counter() - t, 2),
                              "cpu": round(time.process_time() - c, 2),
                              "rss_mb": round(_status_mb("VmRSS")), "hwm_mb": round(_status_mb("VmHWM"))}
        return value

    wb = open_workbook(db)
    try:
        settings = wb.business_settings().validated()

        cached = Path(db + ".records.pkl")

        def read():
            if source == "frame":
                import pandas as pd

                return pd.read_pickle(cached)
            with wb.engine.connect() as conn:
                frame = rc.read_records(conn)
            if not cached.exists():
                frame.to_pickle(cached)
            return frame

        records = step("read", read)
        out["records"] = len(records)
        out["frame_mb"] = round(records.memory_usage(deep=True).sum() / 2**20)
        out["peak_reset"] = _reset_peak()
        base = _status_mb("VmRSS")
        linked = step("link", lambda: link_records(records, settings))
        diag = step("diagnose", lambda: diagnose_cases(records, linked, settings))
        out["cases"] = len(diag.cases)
        out["findings"] = len(diag.findings)
        out["links"] = len(linked.links)
        out["candidates"] = len(linked.candidates)
        out["rss_after_read_mb"] = round(base)
        out["peak_link_diagnose_mb"] = round(_status_mb("VmHWM"))
        out["start_mb"] = round(start_mb)
    finally:
        wb.close()
    return out


# --- the driver --------------------------------------------------------------------------------

def ensure_month(cache: Path, size: int) -> list[Path]:
    folder = cache / f"m{size}"
    done = folder / ".done"
    if not done.exists():
        from workbench.core.demo import generate_demo

        t = time.perf_counter()
        print(f"generating {size:,} returns into {folder} ...", flush=True)
        generate_demo(folder, returns=size, seed=1, csv_only=True)
        done.write_text("ok")
        print(f"  {time.perf_counter() - t:.1f} s", flush=True)
    return sorted(p for p in folder.iterdir() if p.suffix == ".csv" and p.name != "truth.csv")


def ensure_workbook(cache: Path, size: int, files: list[Path]) -> Path:
    db = cache / f"m{size}.rwb"
    done = cache / f"m{size}.rwb.done"
    if not done.exists():
        if db.exists():
            db.unlink()
        t = time.perf_counter()
        print(f"importing into {db} (workbench reconcile) ...", flush=True)
        subprocess.run([sys.executable, "-m", "workbench.cli.main", "reconcile", "--quiet", "--db", str(db),
                        *map(str, files)], check=True, stdout=subprocess.DEVNULL)
        done.write_text("ok")
        print(f"  {time.perf_counter() - t:.1f} s", flush=True)
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    ap.add_argument("--cache", default="/tmp/ld_cache")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size (each its own process)")
    ap.add_argument("--source", choices=("read", "frame", "both"), default="read",
                    help="read the records from the workbook (default) or load the cached frame")
    ap.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print the raw result per run as JSON too")
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.source)))
        return 0
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        files = ensure_month(cache, size)
        db = ensure_workbook(cache, size, files)
        sources = ("read", "frame") if args.source == "both" else (args.source,)
        if "frame" in sources and not Path(str(db) + ".records.pkl").exists() and "read" not in sources:
            sources = ("read",) + sources    # the first read caches the frame
        for run, source in ((r, src) for r in range(args.repeat) for src in sources):
            proc = subprocess.run([sys.executable, str(HERE), "--child", str(db), "--source", source],
                                  check=True, capture_output=True, text=True)
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            if args.json:
                print(json.dumps(res))
            s = res["steps"]
            ld = s["link"]["seconds"] + s["diagnose"]["seconds"]
            print(f"\n{size:,} returns, run {run + 1} (records by {source}): {res['records']:,} records -> {res['links']:,} links, "
                  f"{res['cases']:,} cases, {res['findings']:,} findings, {res['candidates']:,} candidates")
            print(f"  {'step':<10}{'wall s':>8}{'cpu s':>8}{'RSS MB':>9}")
            for name, v in s.items():
                print(f"  {name:<10}{v['seconds']:>8.2f}{v['cpu']:>8.2f}{v['rss_mb']:>9}")
            print(f"  records frame {res['frame_mb']} MB (deep); RSS after read {res['rss_after_read_mb']} MB; "
                  f"interpreter+imports {res['start_mb']} MB")
            reset = "" if res["peak_reset"] else " (VmHWM reset refused: includes the read)"
            print(f"  link+diagnose: {ld:.2f} s wall, peak RSS {res['peak_link_diagnose_mb']} MB{reset}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
