"""`workbench copy --from DB --to DB [--force]`: copy a whole workbook between stores."""

from __future__ import annotations

import argparse

from workbench.cli.common import cli_job


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "copy", help="copy a workbook between SQLite and PostgreSQL (publish a month to the team store)",
        description="Copy every table of a workbook, ids and audit trail intact, e.g. from a "
                    "SQLite file worked offline to the team's PostgreSQL store or back. The "
                    "target is created if needed and must be empty unless --force is given.")
    p.add_argument("--from", dest="source", required=True, metavar="DB",
                   help="workbook to copy: a SQLite file path or a database URL")
    p.add_argument("--to", dest="target", required=True, metavar="DB",
                   help="where to copy it: a SQLite file path or a database URL such as "
                        "postgresql://user@host/db")
    p.add_argument("--force", action="store_true",
                   help="replace whatever the target already holds")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.core.store.copy import copy_workbook

    result = copy_workbook(args.source, args.target, force=args.force, job=cli_job(args.quiet))
    busiest = ", ".join(f"{name} {n}" for name, n in result.rows.items() if n)
    print(f"copied {result.total_rows} rows from {result.source} to {result.target}"
          + (f" ({busiest})" if busiest else ""))
    print(f"audit chain verified on the target: {result.audit_events} events, head {result.audit_head[:16]}")
    return 0
