"""Read a demo folder back with nothing but csv, openpyxl and Decimal (independent of the
generator's code), so the tests check what the files really say."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

TZ = ZoneInfo("America/New_York")


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    return header, rows


def read_xlsx(path: Path) -> tuple[list[str], list[dict]]:
    book = load_workbook(path, read_only=True)
    ws = book.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header = list(next(it))
    rows = []
    for r in it:
        rows.append({h: ("" if v is None else v) for h, v in zip(header, r, strict=True)})
    book.close()
    return header, rows


def read_table(path: Path) -> tuple[list[str], list[dict]]:
    return read_xlsx(path) if path.suffix == ".xlsx" else read_csv(path)


def money(text) -> Decimal:
    """Exact amount from a cell: text must have two decimals; numbers (XLSX) via str()."""
    if isinstance(text, str):
        assert re.fullmatch(r"-?\d+\.\d{2}", text), f"not a 2-decimal amount: {text!r}"
    return Decimal(str(text))


def utc_iso(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text), text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def stripe_time(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text), text
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def local_time(text: str, fmt: str, tz: ZoneInfo = TZ) -> datetime:
    local = datetime.strptime(text, fmt).replace(tzinfo=tz)
    # a wall time written without an offset must name one instant (not the repeated DST hour)
    assert local.astimezone(UTC) == local.replace(fold=1).astimezone(UTC), f"ambiguous: {text}"
    return local.astimezone(UTC)


def netsuite_created(text: str, tz: ZoneInfo = TZ) -> datetime:
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2} (am|pm)", text), text
    return local_time(text.upper(), "%m/%d/%Y %I:%M %p", tz)


def zendesk_time(text: str, tz: ZoneInfo = TZ) -> datetime | None:
    if not text:
        return None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", text), text
    return local_time(text, "%Y-%m-%d %H:%M:%S", tz)


def period(t: datetime, tz: ZoneInfo = TZ) -> str:
    return t.astimezone(tz).strftime("%Y-%m")


@dataclass
class Demo:
    folder: Path
    loop: dict          # return id -> row
    stripe: dict        # re_ id -> row (refunds only)
    stripe_all: list
    netsuite: dict      # document number -> row
    zendesk: dict       # ticket id -> row
    truth: list
    headers: dict
    as_of: datetime
    tz: ZoneInfo


def load(folder: Path) -> Demo:
    folder = Path(folder)
    tz = ZoneInfo(json.loads((folder / "patterns.json").read_text(encoding="utf-8"))["business_timezone"])
    headers, loop, stripe_all, netsuite, zendesk = {}, {}, [], {}, {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("loop_returns_"):
            headers["loop"], rows = read_csv(path)
            loop.update({r["id"]: r for r in rows})
        elif path.name.startswith("stripe_balance_transactions_"):
            headers["stripe"], rows = read_csv(path)
            stripe_all += rows
        elif path.name.startswith("netsuite_credit_memos_"):
            headers["netsuite"], rows = read_table(path)
            netsuite.update({r["Document Number"]: r for r in rows})
        elif path.name.startswith("zendesk_tickets_"):
            headers["zendesk"], rows = read_csv(path)
            zendesk.update({str(r["Id"]): r for r in rows})
    _, truth = read_csv(folder / "truth.csv")
    stripe = {r["Source"]: r for r in stripe_all if r["Type"] == "refund"}
    events = [utc_iso(r["created_at"]) for r in loop.values()]
    events += [utc_iso(r["updated_at"]) for r in loop.values()]
    events += [stripe_time(r["Created (UTC)"]) for r in stripe.values()]
    events += [netsuite_created(r["Date Created"], tz) for r in netsuite.values()]
    for r in zendesk.values():
        events += [t for t in (zendesk_time(r["Created at"], tz), zendesk_time(r["Updated at"], tz),
                               zendesk_time(r["Solved at"], tz)) if t]
    return Demo(folder, loop, stripe, stripe_all, netsuite, zendesk, truth, headers, max(events), tz)


def spec_headers(architecture_md: Path) -> dict[str, list[str]]:
    """The four headers as docs/ARCHITECTURE.md "Demo month files" states them."""
    text = architecture_md.read_text(encoding="utf-8")
    section = text[text.index("## Demo month files"):]
    section = section[:section.index("\n## ", 5)]
    out = {}
    for key, marker in (("loop", "`loop_returns_"), ("stripe", "`stripe_balance_transactions_"),
                        ("netsuite", "`netsuite_credit_memos_"), ("zendesk", "`zendesk_tickets_")):
        block = section[section.index(marker):]
        line = re.search(r"`([^`\n]+,[^`\n]+)`", block).group(1)
        out[key] = line.split(",")
    return out
