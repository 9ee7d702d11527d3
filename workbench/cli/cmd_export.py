"""`workbench export --db DB --out LOG.{csv,xlsx,json} [--mask-emails]`: the resolution log.
(`workbench export --db DB LOG` also works.)"""

from __future__ import annotations

import argparse

from workbench.cli.common import add_db, cli_job, open_db


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="export the resolution log (CSV, XLSX or JSON) with its manifest",
        description="Write the resolution log: one row per case (the CSV contract), adjustments and "
                    "the audit trail (XLSX/JSON), with a manifest inside (SHA-256 of the content, "
                    "per-row hashes, the audit chain head) that `workbench verify` checks.")
    add_db(p)
    p.add_argument("--out", dest="out_option", metavar="FILE",
                   help="the log file; its extension (.csv .xlsx .json) picks the format")
    p.add_argument("out", metavar="FILE", nargs="?", help=argparse.SUPPRESS)
    p.add_argument("--mask-emails", action="store_true",
                   help="mask customer e-mails (j***@example.com) for logs that leave finance")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.core.export import export_log

    if args.out_option and args.out and args.out_option != args.out:
        raise ValueError(f"two output files given ({args.out_option} and {args.out}); name one with --out")
    out = args.out_option or args.out
    if not out:
        raise ValueError("no output file: give --out FILE (.csv, .xlsx or .json)")
    result = export_log(open_db(args), out, mask_emails=args.mask_emails, job=cli_job(args.quiet))
    print(f"wrote {result.path}: {result.cases} cases, {result.adjustments} adjustments, "
          f"{result.audit_events} audit events; content SHA-256 {result.content_sha256}; "
          f"audit chain head {result.chain_head[0]} {result.chain_head[1][:16]}"
          + ("" if result.chain_ok else " (WARNING: the workbook's audit chain is broken)"))
    return 0
