"""`workbench case ...`: case work from the command line (the same core calls as the GUI).

Cases are addressed by display id (C-000123), number (123) or case key (portal:84213).
Identity is the OS user unless WORKBENCH_USER is set; roles come from `case role set`.
"""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli.common import add_db, open_db


def _cases_arg(p):
    p.add_argument("cases", nargs="+", metavar="CASE", help="C-000123, 123 or a case key such as portal:84213")
    p.add_argument("--expect-version", type=int, metavar="N",
                   help="refuse if the case is no longer at version N (optimistic locking; one case)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("case", help="work cases: tags, status, notes, adjustments, review, sign-off, roles",
                       description="Work and review cases. Every change is checked (role, period "
                                   "sign-off, case version) and recorded in the hash-chained audit trail.")
    cs = p.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    q = cs.add_parser("list", help="list cases")
    add_db(q)
    q.add_argument("--symptom"), q.add_argument("--status"), q.add_argument("--assignee")
    q.add_argument("--tag"), q.add_argument("--period", metavar="YYYY-MM")
    q.add_argument("--limit", type=int)
    q.add_argument("--json", action="store_true", help="print JSON instead of a table")
    q.set_defaults(handler=run_list)

    q = cs.add_parser("show", help="show one case: records, findings, tags, notes, adjustments, history")
    add_db(q)
    q.add_argument("case", metavar="CASE")
    q.set_defaults(handler=run_show)

    q = cs.add_parser("tag", help="add or remove a tag on one or many cases")
    add_db(q)
    _cases_arg(q)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--add", metavar="TAG")
    g.add_argument("--remove", metavar="TAG")
    q.add_argument("--reason-code", action="store_true", help="the tag is a reason code from the list")
    q.set_defaults(handler=run_tag)

    q = cs.add_parser("status", help="set the status of one or many cases")
    add_db(q)
    _cases_arg(q)
    q.add_argument("--set", required=True, dest="status", metavar="STATUS",
                   help="open, investigating, waiting_on_it, resolved or wont_fix")
    q.set_defaults(handler=run_status)

    q = cs.add_parser("assign", help="assign one or many cases (--to '' clears)")
    add_db(q)
    _cases_arg(q)
    q.add_argument("--to", required=True, metavar="USER")
    q.set_defaults(handler=run_assign)

    q = cs.add_parser("note", help="add a note to one or many cases")
    add_db(q)
    _cases_arg(q)
    q.add_argument("--text", required=True)
    q.set_defaults(handler=run_note)

    q = cs.add_parser("adjust", help="record a manual adjustment (pending review)")
    add_db(q)
    q.add_argument("case", metavar="CASE")
    q.add_argument("--expect-version", type=int, metavar="N")
    q.add_argument("--system", required=True, choices=("portal", "processor", "erp", "support"))
    q.add_argument("--field", required=True, help="the field adjusted, e.g. amount")
    q.add_argument("--from", dest="amount_from", metavar="AMOUNT", help="e.g. 99.99")
    q.add_argument("--to", dest="amount_to", metavar="AMOUNT", help="e.g. 84.99")
    q.add_argument("--currency", help="default: the case's currency")
    q.add_argument("--reason", required=True, metavar="CODE", help="a reason code")
    q.add_argument("--journal", metavar="REF", help="the ERP journal entry or reference that records it")
    q.add_argument("--comment")
    q.set_defaults(handler=run_adjust)

    q = cs.add_parser("review", help="approve or reject an adjustment (adj:ID) or a case's resolution")
    add_db(q)
    q.add_argument("target", metavar="adj:ID|CASE")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--approve", action="store_true")
    g.add_argument("--reject", action="store_true")
    q.add_argument("--comment", required=True)
    q.set_defaults(handler=run_review)

    q = cs.add_parser("link", help="move a source record to another case (link override)")
    add_db(q)
    q.add_argument("record", metavar="RECORD", help="system:record_id (e.g. erp:CM104233) or the row id")
    q.add_argument("--to", required=True, dest="to_case", metavar="CASE")
    q.add_argument("--expect-version", type=int, metavar="N", help="version of the target case")
    q.set_defaults(handler=run_link)

    q = cs.add_parser("signoff", help="sign off a period: its cases are locked until reopened")
    add_db(q)
    q.add_argument("--period", required=True, metavar="YYYY-MM")
    q.set_defaults(handler=run_signoff)

    q = cs.add_parser("reopen", help="reopen a signed-off period, with a reason")
    add_db(q)
    q.add_argument("--period", required=True, metavar="YYYY-MM")
    q.add_argument("--reason", required=True)
    q.set_defaults(handler=run_reopen)

    q = cs.add_parser("role", help="configure roles: `role set USER ROLE`, `role list`")
    add_db(q)
    q.add_argument("role_action", choices=("set", "list"))
    q.add_argument("user", nargs="?")
    q.add_argument("role", nargs="?", choices=("analyst", "reviewer", "auditor"))
    q.set_defaults(handler=run_role)

    q = cs.add_parser("audit", help="verify the audit chain and print its head (exit 1 if broken)")
    add_db(q)
    q.add_argument("--tail", type=int, default=0, metavar="N", help="also print the last N events")
    q.set_defaults(handler=run_audit)


def _print_changes(verb: str, changes) -> int:
    from workbench.core.casework import display_id

    if not changes:
        print("nothing to do: no case changed")
        return 0
    ids = ", ".join(f"{display_id(c)} (v{changes.versions[c]})" if c in changes.versions else display_id(c)
                    for c in changes.case_ids)
    print(f"{verb}: {ids or 'done'}" + (f" [id {changes.created_id}]" if changes.created_id else ""))
    return 0


def run_list(args) -> int:
    from workbench.core.casework import list_cases

    wb = open_db(args)
    rows = list_cases(wb, symptom=args.symptom, status=args.status, assignee=args.assignee, tag=args.tag,
                      period=args.period, limit=args.limit)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    cols = ("case_id", "status", "assignee", "period", "amount", "currency", "symptoms", "case_key")
    print("\t".join(cols))
    for r in rows:
        print("\t".join(str(r[c]) for c in cols))
    print(f"{len(rows)} case(s)", file=sys.stderr)
    return 0


def run_show(args) -> int:
    from workbench.core.casework import case_detail

    print(json.dumps(case_detail(open_db(args), args.case), indent=1, default=str))
    return 0


def _expected(args):
    return getattr(args, "expect_version", None)


def run_tag(args) -> int:
    from workbench.core import casework

    wb = open_db(args)
    if args.add:
        return _print_changes(f"tagged {args.add!r}", casework.add_tag(
            wb, args.cases, args.add, reason_code=args.reason_code, expected=_expected(args)))
    return _print_changes(f"untagged {args.remove!r}", casework.remove_tag(
        wb, args.cases, args.remove, expected=_expected(args)))


def run_status(args) -> int:
    from workbench.core import casework

    return _print_changes(f"status {args.status}", casework.set_status(
        open_db(args), args.cases, args.status, expected=_expected(args)))


def run_assign(args) -> int:
    from workbench.core import casework

    return _print_changes(f"assigned to {args.to or 'nobody'}", casework.assign(
        open_db(args), args.cases, args.to, expected=_expected(args)))


def run_note(args) -> int:
    from workbench.core import casework

    return _print_changes("noted", casework.add_note(open_db(args), args.cases, args.text, expected=_expected(args)))


def run_adjust(args) -> int:
    from workbench.core import casework

    changes = casework.add_adjustment(
        open_db(args), args.case, system=args.system, field=args.field, amount_from=args.amount_from,
        amount_to=args.amount_to, currency=args.currency, reason_code=args.reason, journal_ref=args.journal,
        comment=args.comment, expected=_expected(args))
    return _print_changes("adjustment recorded (pending review)", changes)


def _adjustment_id(target: str) -> int | None:
    text = target.strip().lower()
    for prefix in ("adj:", "adj-", "a-"):
        if text.startswith(prefix) and text[len(prefix):].isdigit():
            return int(text[len(prefix):])
    return None


def run_review(args) -> int:
    from workbench.core import casework

    wb = open_db(args)
    adj = _adjustment_id(args.target)
    verdict = "approved" if args.approve else "rejected"
    if adj is not None:
        changes = casework.review_adjustment(wb, adj, approve=args.approve, comment=args.comment)
        return _print_changes(f"adjustment {adj} {verdict}", changes)
    changes = casework.review_resolution(wb, args.target, approve=args.approve, comment=args.comment)
    return _print_changes(f"resolution {verdict}", changes)


def run_link(args) -> int:
    from workbench.core import casework

    return _print_changes(f"moved {args.record}", casework.override_link(
        open_db(args), args.record, args.to_case, expected=_expected(args)))


def run_signoff(args) -> int:
    from workbench.core import casework

    changes = casework.signoff_period(open_db(args), args.period)
    print(f"period {args.period} signed off: {len(changes.case_ids)} case(s) locked until reopened")
    return 0


def run_reopen(args) -> int:
    from workbench.core import casework

    changes = casework.reopen_period(open_db(args), args.period, reason=args.reason)
    print(f"period {args.period} reopened: {len(changes.case_ids)} case(s) editable again")
    return 0


def run_role(args) -> int:
    from workbench.core import casework, roles

    wb = open_db(args)
    if args.role_action == "list":
        with wb.sessions() as s:
            configured = roles.all_roles(s)
        for user, role in configured.items():
            print(f"{user}\t{role}")
        print(f"(anyone else is an {roles.DEFAULT_ROLE}; you are {wb.user})", file=sys.stderr)
        return 0
    if not args.user or not args.role:
        raise ValueError("usage: workbench case role set USER ROLE")
    changes = casework.set_role(wb, args.user, args.role)
    print(f"{args.user} is now {args.role}" if changes else f"{args.user} already is {args.role}")
    return 0


def run_audit(args) -> int:
    from sqlalchemy import select

    from workbench.core.casework import check_integrity
    from workbench.core.store.models import AuditEvent

    wb = open_db(args, check_chain=False)
    report = check_integrity(wb)
    if args.tail:
        with wb.sessions() as s:
            events = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(args.tail)).scalars().all()
        for e in reversed(events):
            print(f"{e.seq}\t{e.at.isoformat()}\t{e.actor}\t{e.action}\t{e.case_key or ''}\t{e.entity or ''}")
    if report.ok:
        print(f"audit chain OK: {report.events} events, head {report.head}")
        return 0
    print(f"audit chain BROKEN at event {report.broken_at_seq}: {report.problem} "
          f"({report.events} events read)")
    return 1
