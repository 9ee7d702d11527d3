"""`workbench import --db DB FILE... [--profile NAME|FILE | --profile FILE=NAME ...]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.common import add_db, cli_job, open_db


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import vendor exports (detected, or with --profile)",
                       description="Import exports into a workbook. Every file is parsed first; "
                                   "any error and nothing is written. Identical files are skipped.")
    add_db(p)
    p.add_argument("files", nargs="+", metavar="FILE", help="CSV/TSV/XLSX exports")
    p.add_argument("--profile", action="append", default=[], metavar="NAME|FILE=NAME",
                   help="profile for all files (NAME, or a .toml file), or per file as FILE=NAME; "
                        "repeatable")
    p.add_argument("--tz", metavar="ZONE", help="zone of naive times (default: the workbook's business zone)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(handler=run)


def parse_profile_args(values: list[str], files: list[str]) -> dict[str, str] | str | None:
    if not values:
        return None
    per_file = {}
    single = None
    for v in values:
        if "=" in v:
            f, name = v.split("=", 1)
            per_file[f] = name
            per_file[Path(f).name] = name
        else:
            if single is not None:
                raise ValueError("give one --profile NAME for all files, or FILE=NAME pairs")
            single = v
    if single is not None and not per_file:
        return single
    if single is not None:
        for f in files:
            per_file.setdefault(f, single)
            per_file.setdefault(Path(f).name, single)
    return per_file


def run(args: argparse.Namespace) -> int:
    from workbench.core.ingest import import_files

    profiles = parse_profile_args(args.profile, args.files)
    wb = open_db(args)
    try:
        summary = import_files(wb, args.files, profiles=profiles, job=cli_job(args.quiet), business_tz=args.tz)
    finally:
        wb.close()
    for f in summary.files:
        if f.status == "unchanged":
            print(f"{f.path.name}: unchanged (already imported)")
            continue
        skipped = ", ".join(f"{k} {v}" for k, v in sorted(f.skipped_by_kind.items())) or "none"
        print(f"{f.path.name}: {f.profile} ({f.system}, confidence {f.confidence:.2f}) - "
              f"{f.rows_loaded} loaded ({f.rows_updated} new versions), {f.rows_unchanged} unchanged, "
              f"{f.rows_skipped} skipped: {skipped}")
    if summary.flagged_case_ids:
        print(f"{len(summary.flagged_case_ids)} worked case(s) flagged: their source records changed")
    return 0
