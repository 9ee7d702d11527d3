"""`workbench profiles list | show NAME | detect FILE | save NAME --from FILE --map role=Column ...`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profiles", help="list, show, detect and save import profiles",
                       description="Import profiles: built-in vendor layouts and saved mappings (TOML).")
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ps.add_parser("list", help="all profiles").set_defaults(handler=run_list)
    show = ps.add_parser("show", help="a profile as TOML")
    show.add_argument("name", metavar="NAME")
    show.set_defaults(handler=run_show)
    det = ps.add_parser("detect", help="which profile a file matches, and its column mapping")
    det.add_argument("file", metavar="FILE")
    det.set_defaults(handler=run_detect)
    save = ps.add_parser("save", help="save a confirmed/corrected mapping as a named profile")
    save.add_argument("name", metavar="NAME")
    save.add_argument("--from", dest="source", required=True, metavar="FILE",
                      help="an example file of the layout (detected to fill in the rest)")
    save.add_argument("--map", action="append", default=[], metavar="ROLE=COLUMN",
                      help="role to header, e.g. record_id='Doc No' (repeatable; ROLE= removes a role)")
    save.add_argument("--system", choices=("portal", "processor", "erp", "support"))
    save.add_argument("--base", metavar="PROFILE", help="start from this profile (default: the detected one)")
    save.add_argument("--sign", choices=("1", "-1", "abs"), help="amount sign convention")
    save.add_argument("--currency", metavar="CODE", help="currency when the file has none")
    save.add_argument("--timezone", metavar="ZONE", help="'business', 'UTC' or an IANA zone for naive times")
    save.add_argument("--dayfirst", action="store_true", help="ambiguous dates are day-first")
    save.set_defaults(handler=run_save)


def run_list(args: argparse.Namespace) -> int:
    from workbench.core.ingest import all_profiles

    for p in all_profiles():
        origin = "built-in" if p.builtin else f"saved {p.source}"
        print(f"{p.name:34} {p.system:10} {p.label}  [{origin}]")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from workbench.core.ingest import get_profile, to_toml

    print(to_toml(get_profile(args.name)), end="")
    return 0


def run_detect(args: argparse.Namespace) -> int:
    from workbench.core.ingest import detect_file

    det = detect_file(args.file)
    print(f"{det.path.name}: {det.describe()}")
    where = f"sheet {det.sheet!r}, " if det.sheet else ""
    print(f"  header: {where}row {det.header_row}")
    for role, header in det.mapping.items():
        print(f"  {role:16} <- {header}")
    if det.alternatives:
        print("  alternatives: " + ", ".join(f"{n} {c:.2f}" for n, c in det.alternatives))
    for note in det.notes:
        print(f"  note: {note}")
    return 0


def run_save(args: argparse.Namespace) -> int:
    from workbench.core.ingest import detect_file, make_profile, save_profile

    det = detect_file(args.source)
    mapping = dict(det.mapping)
    for item in args.map:
        if "=" not in item:
            raise ValueError(f"--map {item!r}: expected ROLE=COLUMN")
        role, column = item.split("=", 1)
        column = column.strip().strip("'\"")
        if column and column not in det.headers:
            raise ValueError(f"--map {item!r}: {args.source} has no column {column!r} "
                             f"(columns: {', '.join(det.headers)})")
        mapping[role.strip()] = column
    mapping = {r: c for r, c in mapping.items() if c}
    system = args.system or det.system
    if system is None:
        raise ValueError("cannot tell the system; give --system portal|processor|erp|support")
    base = args.base or (det.profile.name if det.profile is not None else None)
    options = {}
    if args.sign:
        options["amount_sign"] = "abs" if args.sign == "abs" else int(args.sign)
    if args.currency:
        options["default_currency"] = args.currency.upper()
    if args.timezone:
        options["timezone"] = args.timezone
    if args.dayfirst:
        options["dayfirst"] = True
    profile = make_profile(args.name, system, mapping, base=base, **options)
    path = save_profile(profile)
    print(f"saved profile {profile.name} ({system}) to {path}")
    for role, cols in profile.columns.items():
        print(f"  {role:16} <- {cols[0]}")
    return 0
