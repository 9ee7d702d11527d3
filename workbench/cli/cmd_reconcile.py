"""`workbench reconcile --db DB [--as-of ISO-TIME] [--tz ZONE] [--period YYYY-MM] [FILE...]`."""

from __future__ import annotations

import argparse

from workbench.cli.common import add_db, cli_job, open_db
from workbench.core.store.models import SYMPTOMS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reconcile", help="import files (if any), then link and diagnose every case",
                       description="Import the given exports (if any), save changed business settings "
                                   "to the workbook, then link every record into cases and diagnose them.")
    add_db(p)
    p.add_argument("files", nargs="*", metavar="FILE", help="exports to import first")
    p.add_argument("--as-of", metavar="ISO-TIME",
                   help="diagnose as of this time (default: the latest event in the data); 'latest' clears it")
    p.add_argument("--tz", metavar="ZONE", help="business time zone, e.g. America/New_York")
    p.add_argument("--period", metavar="YYYY-MM", help="accounting period the summary counts ('all' clears it)")
    p.add_argument("--full", action="store_true",
                   help="re-diagnose every case (the default re-diagnoses only the cases that imported "
                        "records touch when the workbook already holds cases and no setting changes)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(handler=run)


def settings_changes(args: argparse.Namespace) -> dict:
    from workbench.core.timeutil import parse_iso_utc, zone

    changes: dict = {}
    if args.as_of:
        changes["as_of"] = None if args.as_of.strip().lower() == "latest" else parse_iso_utc(args.as_of)
    if args.tz:
        zone(args.tz)
        changes["timezone"] = args.tz
    if args.period:
        changes["period"] = None if args.period.strip().lower() == "all" else args.period
    return changes


def run(args: argparse.Namespace) -> int:
    from workbench.core.store import build_workbook, is_new_sqlite_file

    changes = settings_changes(args)
    if args.files and is_new_sqlite_file(args.db):
        # a new workbook from a month's files: built beside its target, renamed into place whole
        with build_workbook(args.db) as wb:
            summary, settings, period_counts = _import_and_reconcile(args, wb, changes)
    else:
        wb = open_db(args)
        try:
            summary, settings, period_counts = _import_and_reconcile(args, wb, changes)
        finally:
            wb.close()
    print(format_summary(summary, settings, period_counts))
    return 0


def _import_and_reconcile(args: argparse.Namespace, wb, changes: dict):
    from workbench.core.casework.settings_change import change_settings
    from workbench.core.incremental import reconcile_after_import
    from workbench.core.reconcile import reconcile

    job = cli_job(args.quiet)
    imported = None
    if args.files:
        imported = _import(wb, args, job.sub(0.0, 0.4))
        for f in imported.files:
            state = "unchanged" if f.status == "unchanged" else f"{f.rows_loaded} records"
            print(f"{f.path.name}: {f.system} ({f.profile}), {state}")
    if changes:
        change_settings(wb, changes)
    settings = wb.business_settings()
    rest = job.sub(0.4 if args.files else 0.0, 1.0)
    if imported is not None:
        # the records the import wrote are handed over, not read back; into a workbook that
        # holds cases only what they touch is re-diagnosed (a settings change or --full: all)
        summary = reconcile_after_import(wb, imported, settings, job=rest, full=bool(changes) or args.full)
    else:
        summary = reconcile(wb, settings, job=rest)
    del imported
    period_counts = _period_counts(wb, settings.period) if settings.period else None
    return summary, settings, period_counts


def _import(wb, args: argparse.Namespace, job):
    """import_files keeping the written rows for the re-diagnosis (not read back)."""
    from workbench.core.ingest import import_files

    tz = args.tz or wb.business_settings().timezone
    return import_files(wb, args.files, job=job, business_tz=tz, keep_records=True)


def _period_counts(wb, period: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from workbench.core.store.models import Case, Finding

    with wb.session() as s:
        cases = s.scalar(select(func.count()).select_from(Case).where(Case.is_active, Case.period == period))
        rows = s.execute(select(Finding.symptom, func.count()).join(Case, Case.id == Finding.case_id)
                         .where(Case.is_active, Case.period == period).group_by(Finding.symptom)).all()
    return {"cases": int(cases or 0), **{k: int(v) for k, v in rows}}


def format_summary(summary, settings, period_counts: dict | None = None) -> str:
    lines = [f"Reconciled {summary.records} records into {summary.cases} cases "
             f"({summary.cases_with_findings} with findings, {summary.new_cases} new, "
             f"{summary.deactivated_cases} no longer linked, {summary.candidates} ambiguous links surfaced)",
             f"As of {summary.as_of.isoformat() if summary.as_of else '-'}; business zone {settings.timezone}"]
    if summary.incremental:
        lines.append(f"Incremental: {summary.rewritten_cases} case(s) touched by the imported records re-diagnosed; "
                     "the others keep their diagnosis (--full re-diagnoses every case)")
    if getattr(summary, "frozen_signed_off", 0):
        lines.append(f"{summary.frozen_signed_off} case(s) of signed-off periods kept as signed off")
    header = f"{'symptom':<22}{'cases':>8}"
    if period_counts is not None:
        header += f"{settings.period:>10}"
    lines += ["", header, "-" * len(header)]
    for code in SYMPTOMS:
        line = f"{code:<22}{summary.by_symptom.get(code, 0):>8}"
        if period_counts is not None:
            line += f"{period_counts.get(code, 0):>10}"
        lines.append(line)
    total = f"{'all cases':<22}{summary.cases:>8}"
    if period_counts is not None:
        total += f"{period_counts['cases']:>10}"
    lines += ["-" * len(header), total]
    return "\n".join(lines)
