"""generate_demo: write a demo month (or months) and its ground truth."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from workbench.core.demo.layouts import FREE_TEXT, HEADERS, file_name
from workbench.core.demo.patterns import write_patterns
from workbench.core.demo.model import Plan
from workbench.core.demo.plan import build_plan
from workbench.core.demo.tables import loop_table, netsuite_table, stripe_table, zendesk_table
from workbench.core.demo.text import write_csv
from workbench.core.demo.timeline import period_index
from workbench.core.demo.truth import TRUTH_HEADER, truth_columns
from workbench.core.demo.xlsx import write_xlsx
from workbench.core.jobs import Job, ensure_job
from workbench.core.timeutil import zone

CSV_ONLY_ABOVE = 50_000


@dataclass
class DemoResult:
    files: list[Path]                    # the vendor files, month by month
    truth: Path                          # truth.csv
    patterns: Path | None = None         # patterns.json
    as_of: datetime | None = None        # the latest event = the diagnosis as-of time
    periods: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)   # rows per file name
    seconds: dict = field(default_factory=dict)  # wall time per phase (plan, loop, ..., truth)


def generate_demo(out_dir, returns: int = 500, seed: int = 1, months: int = 1, start: str = "2026-10",
                  csv_only: bool | None = None, business_tz: str = "America/New_York",
                  job: Job | None = None) -> DemoResult:
    """Write `months` months of a fictional retailer's returns (`returns` per month) in the four
    vendor layouts, plus truth.csv and patterns.json. Deterministic for a seed.
    csv_only (default: returns > 50,000) writes the NetSuite file as CSV instead of XLSX."""
    zone(business_tz)
    if returns < 20:
        raise ValueError(f"returns must be at least 20 (got {returns})")
    job = ensure_job(job)
    csv_only = returns > CSV_ONLY_ABOVE if csv_only is None else bool(csv_only)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file (expected a folder to write the demo files into)")
    out.mkdir(parents=True, exist_ok=True)
    job.step(0.0, "planning returns")
    clock = time.perf_counter()
    plan = build_plan(returns, months, start, seed, business_tz)
    rng = np.random.default_rng([seed, 7])
    result = DemoResult(files=[], truth=out / "truth.csv", periods=list(plan.periods),
                        as_of=datetime.fromtimestamp(plan.as_of, UTC))
    clock = _lap(result.seconds, "plan", clock)
    builders = (("loop", loop_table), ("stripe", stripe_table), ("netsuite", netsuite_table),
                ("zendesk", zendesk_table))
    per_month: dict[str, list[Path]] = {p: [] for p in plan.periods}
    for i, (system, build) in enumerate(builders):
        job.check()
        job.step(0.1 + 0.2 * i, f"writing {system}")
        cols, times = build(plan, rng)
        _write_months(plan, system, cols, times, out, csv_only, per_month, result.counts)
        del cols
        clock = _lap(result.seconds, system, clock)
    job.check()
    cols, _ = truth_columns(plan)
    write_csv(result.truth, TRUTH_HEADER, cols, free_text=())
    result.counts["truth.csv"] = len(cols["truth_id"])
    result.patterns = write_patterns(plan, out / "patterns.json")
    _lap(result.seconds, "truth", clock)
    result.files = [f for p in plan.periods for f in per_month[p]]
    job.step(1.0, "demo written")
    return result


def _lap(seconds: dict, name: str, since: float) -> float:
    now = time.perf_counter()
    seconds[name] = round(now - since, 2)
    return now


def _write_months(plan: Plan, system: str, cols: dict, times: np.ndarray, out: Path, csv_only: bool,
                  per_month: dict, counts: dict) -> None:
    month = np.clip(period_index(times, plan.bounds), 0, len(plan.periods) - 1)
    header = HEADERS[system]
    for m, period in enumerate(plan.periods):
        rows = pa.array(np.flatnonzero(month == m))
        part = {k: v.take(rows) for k, v in cols.items()} if len(plan.periods) > 1 else cols
        path = out / file_name(system, period, csv_only)
        if path.suffix == ".xlsx":
            write_xlsx(path, header, part, numeric={"Internal ID": "int", "Amount": "money"})
        else:
            write_csv(path, header, part, free_text=FREE_TEXT)
        per_month[period].append(path)
        counts[path.name] = len(rows)
