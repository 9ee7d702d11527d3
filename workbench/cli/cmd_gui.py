"""`workbench gui [--db DB] [--demo]`: open the window."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the workbench window (the default command)",
                       description="Open the workbench window, optionally on a workbook.")
    p.add_argument("--db", metavar="DB", help="workbook to open (SQLite path or database URL)")
    p.add_argument("--demo", action="store_true",
                   help="open the bundled demo month (imported into a demo workbook on first use)")
    p.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from workbench.ui.app import run_app  # Qt is imported only for the window

    return run_app(db=args.db, demo=args.demo, quit_after=args.quit_after)
