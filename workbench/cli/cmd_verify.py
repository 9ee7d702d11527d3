"""`workbench verify LOG [--db DB]`: is an exported resolution log intact? Exit 0 intact, 1 not."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify", help="verify an exported resolution log (CSV, XLSX or JSON)",
        description="Recompute the log's row hashes and content SHA-256 against the manifest inside "
                    "it and say whether it is intact, or which rows were edited, removed, added or "
                    "reordered. Exit code 0 = intact, 1 = tampered or unreadable.")
    p.add_argument("log", metavar="LOG", help="the exported .csv, .xlsx or .json log")
    p.add_argument("--db", metavar="DB",
                   help="also check the log's audit chain head against this workbook's trail")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.cli.common import open_db
    from workbench.core.export import verify_log

    workbook = open_db(args) if args.db else None
    result = verify_log(args.log, workbook=workbook)
    print(result.summary())
    for problem in result.problems:
        print(f"  - {problem}")
    for warning in result.warnings:
        print(f"  note: {warning}")
    return 0 if result.ok else 1
