"""`workbench` entry point. Each subcommand lives in its own module under workbench/cli/ and
exposes `register(subparsers)`; its handler returns an exit code. A WorkbenchError (or a
ValueError from bad arguments) becomes one line on stderr and exit code 1."""

from __future__ import annotations

import argparse
import importlib
import sys

from workbench import __version__
from workbench.core.errors import WorkbenchError

# module names under workbench.cli, in the order `--help` lists them
COMMANDS = (
    "cmd_gui", "cmd_import", "cmd_reconcile", "cmd_export", "cmd_verify", "cmd_demo",
    "cmd_case", "cmd_insights", "cmd_profiles", "cmd_copy",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Returns Reconciliation Workbench: link returns across portal, processor, "
                    "ERP and helpdesk exports, diagnose every mismatch, resolve and audit it.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"workbench.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"workbench.cli.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui", *(argv or [])])
    try:
        return int(args.handler(args) or 0)
    except WorkbenchError as exc:
        print(f"workbench {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except (ValueError, FileNotFoundError, PermissionError) as exc:
        print(f"workbench {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"workbench {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
