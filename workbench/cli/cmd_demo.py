"""`workbench demo --out DIR [--returns N] [--seed S] [--months M] [--start YYYY-MM] [--csv-only]`:
write demo month(s) in the vendors' layouts with planted failures and truth.csv beside them."""

from __future__ import annotations

import argparse
import time

from workbench.cli.common import cli_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="write a demo month of returns across the four systems",
        description="Write a fictional retailer's returns in the Loop Returns, Stripe, NetSuite "
                    "and Zendesk export layouts, with every diagnosis symptom planted, plus "
                    "truth.csv (the expected diagnosis) and patterns.json (planted cross-month "
                    "patterns). The same seed writes the same files.")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the files into")
    p.add_argument("--returns", type=int, default=500, metavar="N",
                   help="returns per month (default 500; 1000000 for the scale benchmark)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.add_argument("--months", type=int, default=1, metavar="M",
                   help="consecutive months; more than one plants the cross-month patterns")
    p.add_argument("--start", default="2026-10", metavar="YYYY-MM", help="first month (default 2026-10)")
    p.add_argument("--tz", default="America/New_York", metavar="ZONE",
                   help="business time zone of the retailer (default America/New_York)")
    p.add_argument("--csv-only", action="store_true", default=None,
                   help="write the NetSuite file as CSV instead of XLSX (default above 50,000 returns)")
    p.add_argument("--quiet", action="store_true", help="no progress or summary")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.core.demo import generate_demo

    if args.months < 1:
        raise ValueError(f"--months must be at least 1 (got {args.months})")
    started = time.perf_counter()
    result = generate_demo(args.out, returns=args.returns, seed=args.seed, months=args.months,
                           start=args.start, csv_only=args.csv_only, business_tz=args.tz,
                           job=cli_job(args.quiet))
    if not args.quiet:
        for path in [*result.files, result.truth]:
            print(f"{path}  ({result.counts.get(path.name, 0):,} rows)")
        phases = ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items())
        print(f"as-of {result.as_of.isoformat()}  written in {time.perf_counter() - started:.1f} s ({phases})")
    return 0
