"""Shared CLI helpers: the --db option, opening the workbook, progress on stderr."""

from __future__ import annotations

import argparse
import sys

from workbench.core.jobs import Job
from workbench.core.store import Workbook, open_workbook


def add_db(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--db", required=required, metavar="DB",
                        help="workbook: a SQLite file path, or a database URL such as "
                             "postgresql://user@host/db")


def open_db(args: argparse.Namespace, check_chain: bool = True) -> Workbook:
    """Open the workbook; if its audit chain does not verify, say so loudly on stderr."""
    workbook = open_workbook(args.db)
    if check_chain:
        from workbench.core.casework.integrity import check_integrity, warning_text

        warning = warning_text(check_integrity(workbook), workbook.display_name)
        if warning:
            sys.stderr.write(warning + "\n")
    return workbook


def cli_job(quiet: bool = False) -> Job:
    """Progress as a single updating line on stderr when it is a terminal."""
    if quiet or not sys.stderr.isatty():
        return Job()

    def show(fraction: float, message: str) -> None:
        sys.stderr.write(f"\r{fraction * 100:5.1f}%  {message[:70]:<70}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return Job(show)
