"""Scale benchmark (issue 8): the workbench end to end against the bare pandas floor.

    python benchmarks/bench_scale.py                 # 10,000 and 100,000 returns
    python benchmarks/bench_scale.py --sizes 10000   # one size
    python benchmarks/bench_scale.py --million       # adds 1,000,000 (minutes on 2 cores)

For each size it generates a month with the demo generator (CSV only, seed 1) and then, each
in a fresh subprocess so peak memory is its own:

* workbench: what `workbench reconcile --db NEW.rwb FILES` does (import every file, link,
  diagnose, persist) with a Job that records every progress message; per-stage wall times
  come from those messages (read, normalise, load, link, diagnose, ...), per-stage peak
  resident memory from a thread sampling /proc/self/status every 20 ms.
* floor: what a user would do by hand - read the same four files with pandas
  (engine="pyarrow", dtype=str) and do the exact-key merges portal <-> processor, ERP,
  helpdesk.

It prints both times, the ratio workbench/floor (goal: <= 1.0), peak memory (VmHWM) of each,
the per-stage table, and the growth between sizes (time per 1,000 returns; near-linear means
that stays flat). Targets at 1M: end to end < 60 s, peak < 2.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve()


# --- memory sampling -----------------------------------------------------------------------

def _status_kb(field: str) -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


class Recorder:
    """Stage timeline from progress messages, plus a 20 ms RSS sampler."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.stage = "open"        # before the first progress message: open/migrate, hashing
        self.stage_started = self.t0
        self.cpu_started = time.process_time()
        self.stages: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._peak_in_stage = 0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            rss = _status_kb("VmRSS")
            with self._lock:
                self._peak_in_stage = max(self._peak_in_stage, rss)

    # progress message (lower case) -> stage; first match wins; else the message's first word
    STAGES = (
        (r"^reading records", "fetch"),        # reconcile reads the current records back
        (r"^reading ", "read"),                # ingest: detect, hash, read the file
        (r"^pars", "normalise"),               # ingest: apply the profile -> canonical frame
        (r"^loading |^import done", "load"),   # ingest: write to the store
        (r"^link", "link"),
        (r"^diagnos", "diagnose"),
        (r"^saving|^reconciled", "save"),      # reconcile: persist cases, links, findings
    )

    @classmethod
    def stage_of(cls, message: str) -> str:
        text = message.strip().lower()
        for pattern, stage in cls.STAGES:
            if re.search(pattern, text):
                return stage
        words = re.findall(r"[a-z_]+", text)
        return words[0] if words else "other"

    def switch(self, stage: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        with self._lock:
            rss = max(self._peak_in_stage, _status_kb("VmRSS"))
            entry = self.stages.setdefault(self.stage, {"seconds": 0.0, "cpu": 0.0, "peak_mb": 0.0})
            entry["seconds"] += now - self.stage_started
            entry["cpu"] += cpu - self.cpu_started
            entry["peak_mb"] = max(entry["peak_mb"], rss / 1024)
            self.stage, self.stage_started, self.cpu_started, self._peak_in_stage = stage, now, cpu, 0

    def progress(self, _fraction: float, message: str) -> None:
        stage = self.stage_of(message)
        if stage != self.stage:
            self.switch(stage)

    def finish(self) -> dict:
        self.switch("done")
        self._stop.set()
        return {"stages": {k: v for k, v in self.stages.items() if k != "open" or v["seconds"] > 0.05},
                "peak_mb": _status_kb("VmHWM") / 1024,
                "cpu": sum(v["cpu"] for v in self.stages.values())}


# --- the two measured workers (each runs in its own process) ---------------------------------

def worker_workbench(files: list[str], db: str) -> dict:
    import pandas  # noqa: F401 - both workers start with pandas/pyarrow imported
    import pyarrow  # noqa: F401

    from workbench.core.jobs import Job

    rec = Recorder()
    job = Job(rec.progress)
    t0 = time.perf_counter()
    via = _run_reconcile_cli(files, db, job)
    total = time.perf_counter() - t0
    out = rec.finish()
    out.update(seconds=total, via=via)
    return out


def _run_reconcile_cli(files: list[str], db: str, job) -> str:
    """`workbench reconcile --db DB FILES` in-process, its Job replaced by ours. Falls back to
    the core calls it makes (import_files + reconcile) if the command is not there."""
    try:
        from workbench.cli import cmd_reconcile
    except ImportError:
        cmd_reconcile = None
    if cmd_reconcile is not None and hasattr(cmd_reconcile, "cli_job"):
        from workbench.cli.main import main

        cmd_reconcile.cli_job = lambda *a, **k: job
        rc = main(["reconcile", "--db", db, *files])
        if rc != 0:
            raise SystemExit(f"workbench reconcile failed with exit code {rc}")
        return "cli"
    from workbench.core.ingest import import_files
    from workbench.core.reconcile import reconcile
    from workbench.core.store import open_workbook

    wb = open_workbook(db)
    try:
        job.step(0.0, "import")
        import_files(wb, [Path(f) for f in files], job=job)
        job.step(0.0, "reconcile")
        reconcile(wb, job=job)
    finally:
        wb.close()
    return "core"


def _system_of(path: str) -> str:
    name = Path(path).name.lower()
    for key, system in (("loop", "portal"), ("stripe", "processor"), ("netsuite", "erp"),
                        ("zendesk", "support")):
        if key in name:
            return system
    raise SystemExit(f"cannot tell which system {name} is from")


def worker_floor(files: list[str]) -> dict:
    """Read the four files with pandas/pyarrow as text, merge on the exact keys."""
    import pandas as pd
    import pyarrow  # noqa: F401

    rec = Recorder()
    t0 = time.perf_counter()
    rec.switch("read")
    frames = {_system_of(f): pd.read_csv(f, engine="pyarrow", dtype=str) for f in files}
    rec.switch("merge")
    portal = frames["portal"]
    processor = frames["processor"]
    refunds = processor[processor["Type"] == "refund"]
    erp = frames["erp"].copy()
    support = frames["support"]
    # the exact keys a person would join on: return id in the processor's metadata, the
    # connector's conventional ERP reference, and the helpdesk's Return ID field
    erp["_return"] = erp["Reference No."].str.removeprefix("LOOP-")
    merged = portal.merge(refunds, how="left", left_on="id", right_on="return_id (metadata)",
                          suffixes=("", "_processor"))
    merged = merged.merge(erp, how="left", left_on="id", right_on="_return", suffixes=("", "_erp"))
    merged = merged.merge(support, how="left", left_on="id", right_on="Return ID [txt]",
                          suffixes=("", "_support"))
    rows = len(merged)
    total = time.perf_counter() - t0
    out = rec.finish()
    out.update(seconds=total, rows=rows)
    return out


# --- orchestration -------------------------------------------------------------------------

def _subprocess(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, str(HERE), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"worker {args[:2]} failed ({proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _generate(n: int, out: Path) -> list[str]:
    """The month's files; a month generated earlier in the same --workdir is reused."""
    from workbench.core.demo import generate_demo

    done = out / "files.json"
    if done.exists():
        files = json.loads(done.read_text())
        if all(Path(f).exists() for f in files):
            size = sum(Path(f).stat().st_size for f in files) / 1e6
            print(f"  reusing {len(files)} files, {size:.0f} MB generated earlier in {out}")
            return files
    t0 = time.perf_counter()
    result = generate_demo(out, returns=n, seed=1, csv_only=True)
    files = [str(p) for p in result.files]
    done.write_text(json.dumps(files))
    size = sum(Path(f).stat().st_size for f in files) / 1e6
    print(f"  generated {len(files)} files, {size:.0f} MB in {time.perf_counter() - t0:.1f} s")
    return files


def run_size(n: int, workdir: Path) -> dict:
    print(f"\n=== {n:,} returns ===", flush=True)
    month = workdir / f"month_{n}"
    files = _generate(n, month)
    db = workdir / f"bench_{n}.rwb"
    for suffix in ("", "-wal", "-shm", ".partial"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    floor = _subprocess(["--worker", "floor", "--files", *files])
    wb = _subprocess(["--worker", "workbench", "--db", str(db), "--files", *files])
    ratio = wb["seconds"] / floor["seconds"] if floor["seconds"] else float("nan")
    print(f"  floor (pandas pyarrow read + exact-key merges): {floor['seconds']:7.2f} s "
          f"(cpu {floor['cpu']:6.2f} s)  peak {floor['peak_mb']:7.0f} MB  ({floor['rows']:,} merged rows)")
    print(f"  workbench reconcile end to end ({wb['via']}):       {wb['seconds']:7.2f} s "
          f"(cpu {wb['cpu']:6.2f} s)  peak {wb['peak_mb']:7.0f} MB")
    cpu_ratio = wb["cpu"] / floor["cpu"] if floor["cpu"] else float("nan")
    print(f"  ratio workbench / floor: {ratio:.2f} wall, {cpu_ratio:.2f} cpu  (goal <= 1.0)")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(other work on the machine inflates wall times; cpu times are less affected)")
    print("  workbench stages:")
    for stage, v in wb["stages"].items():
        print(f"    {stage:<10} {v['seconds']:7.2f} s  cpu {v['cpu']:7.2f} s  peak RSS {v['peak_mb']:7.0f} MB")
    print("  floor stages:")
    for stage, v in floor["stages"].items():
        print(f"    {stage:<10} {v['seconds']:7.2f} s  cpu {v['cpu']:7.2f} s  peak RSS {v['peak_mb']:7.0f} MB")
    print(f"  workbook size: {db.stat().st_size / 1e6:.0f} MB", flush=True)
    return {"n": n, "workbench": wb, "floor": floor, "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    p.add_argument("--million", action="store_true", help="also run 1,000,000 returns")
    p.add_argument("--workdir", type=Path, help="keep generated months and the built workbooks here, and reuse "
                   "a month generated there before (default: a temp dir)")
    p.add_argument("--worker", choices=["workbench", "floor"], help=argparse.SUPPRESS)
    p.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker == "floor":
        print(json.dumps(worker_floor(args.files)))
        return 0
    if args.worker == "workbench":
        print(json.dumps(worker_workbench(args.files, args.db)))
        return 0

    sizes = list(args.sizes) + ([1_000_000] if args.million else [])
    print(f"bench_scale: sizes {sizes}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = [run_size(n, workdir) for n in sizes]
    print("\n=== summary ===")
    print(f"{'returns':>10} {'workbench s':>12} {'wb cpu s':>9} {'floor s':>8} {'fl cpu s':>9} {'ratio':>6} "
          f"{'wb peak MB':>11} {'floor peak MB':>14} {'wb s/1k':>8}")
    for r in results:
        wb, fl = r["workbench"], r["floor"]
        print(f"{r['n']:>10,} {wb['seconds']:>12.2f} {wb['cpu']:>9.2f} {fl['seconds']:>8.2f} {fl['cpu']:>9.2f} "
              f"{r['ratio']:>6.2f} {wb['peak_mb']:>11.0f} {fl['peak_mb']:>14.0f} "
              f"{wb['seconds'] / r['n'] * 1000:>8.3f}")
    big = [r for r in results if r["n"] >= 1_000_000]
    for r in big:
        ok_time = r["workbench"]["seconds"] < 60
        ok_mem = r["workbench"]["peak_mb"] < 2.5 * 1024
        print(f"1M targets: end to end < 60 s: {'met' if ok_time else 'NOT met'}; "
              f"peak < 2.5 GB: {'met' if ok_mem else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
