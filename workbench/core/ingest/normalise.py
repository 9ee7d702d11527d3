"""Apply a profile to a raw table: filter rows, parse columns, build the canonical frame.

Vectorised: column operations and per-column decisions, no Python loop per row on the hot
path (the raw row and its hash: rawrow.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.core import canonical
from workbench.core.errors import ImportFailure
from workbench.core.ingest.profile import TIME_ROLES, Profile, resolve_columns
from workbench.core.ingest.rawrow import raw_columns, raw_rows
from workbench.core.ingest.reader import RawTable
from workbench.core.ingest.values import parse_amounts, parse_times

_TOTAL_LABEL = r"^\s*(?:grand\s*|sub)?totals?\b|^\s*(?:summe|gesamt|totaal|totale)\b"   # on lower case
_TEXT_ROLES = ("record_id", "return_ref", "order_ref", "refund_ref", "customer", "channel",
               "agent", "category", "source_version")


def _kind_label(row_text: pd.Series) -> pd.Series:
    return np.where(row_text.str.contains(r"(?i)\btotal", regex=True), "total or summary row", "row without id")


def apply_profile(profile: Profile, table: RawTable, *, business_tz: str,
                  consume: bool = False) -> tuple[pd.DataFrame, dict]:
    """-> (canonical frame, report). Raises ImportFailure on the first value that does not fit.
    consume=True: the table's cell text is released (table.frame = None) as soon as the rows
    kept are taken from it, so a large file's text is not held twice."""
    file = table.path.name
    cols = resolve_columns(profile, table.headers)
    missing = [r for r in profile.required if r not in cols]
    if missing:
        role = missing[0]
        raise ImportFailure(file, f"no column for {role.replace('_', ' ')} in profile {profile.name}",
                            column=None, expected="a header such as "
                            + " / ".join(repr(s) for s in profile.columns.get(role, (role,))[:4]))
    frame = table.frame.fillna("").astype(str)
    extra = int(table.frame.attrs.get("extra_fields_rows", 0))
    if consume:
        table.frame = None
    rows = pd.Series(table.rows, index=frame.index)
    report: dict = {"profile": profile.name, "system": profile.system, "mapping": cols,
                    "decisions": list(table.notes), "skipped_by_kind": {}}
    skipped: dict[str, int] = {}
    rows_total = len(frame)
    # one mask of the rows kept; the frame is filtered once at the end (a take per column)
    blank = (frame == "").all(axis=1) if len(frame.columns) else pd.Series(True, index=frame.index)
    alive = ~blank
    if extra:
        report["decisions"].append(f"{extra} row(s) had more fields than the header; extra fields ignored")
    if profile.aggregate:
        frame, rows, merged = _aggregate(frame[alive], rows[alive], cols["record_id"])
        alive = pd.Series(True, index=frame.index)
        if merged:
            report["decisions"].append(f"{merged} line-item row(s) merged into their order")
    rows_total = int(alive.sum())
    # row filter (non-refund rows are counted by kind)
    rf = profile.row_filter
    if rf is not None:
        if rf.keep_if is not None:
            keep = rf.keep_if(frame, cols).reindex(frame.index).fillna(False).astype(bool)
            dropped = alive & ~keep
            if dropped.any():
                skipped[rf.skipped_label or "filtered"] = int(dropped.sum())
            alive &= keep
        elif rf.role in cols:
            kinds = frame[cols[rf.role]].str.strip()
            low = kinds.str.lower()
            keep = low.str.startswith(tuple(rf.keep)) if rf.prefix else low.isin(rf.keep)
            dropped = alive & ~keep
            for kind, n in kinds[dropped].replace("", "(blank)").value_counts().items():
                skipped[str(kind)] = int(n)
            alive &= keep
    # record ids; rows without one, or labelled as totals, are totals/summaries
    rid = frame[cols["record_id"]].str.strip() if "record_id" in cols else pd.Series("", index=frame.index)
    if profile.record_id_from:
        parts = [frame[cols[r]].str.strip() for r in profile.record_id_from if r in cols]
        if parts:
            composed = parts[0]
            for p in parts[1:]:
                composed = composed + "|" + p
            rid = rid.where(rid != "", composed.where(parts[0] != "", ""))
    # the label regex needs Python's re (\\s, \\b): run it only on ids holding one of its words
    low_rid = rid.str.lower()
    maybe = low_rid.str.contains("total|summe|gesamt|totaal", regex=True)
    totals = alive & maybe
    if totals.any():
        totals[totals] = low_rid[totals].str.contains(_TOTAL_LABEL, regex=True)
    if totals.any():
        skipped["total or summary row"] = int(totals.sum())
        alive &= ~totals
    no_id = alive & (rid == "")
    if no_id.any():
        sub = frame[no_id]
        labels = pd.Series(_kind_label(sub.apply(" ".join, axis=1) if len(sub.columns) else
                                       pd.Series("", index=sub.index)), index=sub.index)
        for kind, n in labels.value_counts().items():
            skipped[str(kind)] = skipped.get(str(kind), 0) + int(n)
        alive &= ~no_id
    dup = rid[alive].duplicated(keep="last")
    if dup.any():
        report["decisions"].append(f"{int(dup.sum())} row(s) repeat a record id; the last one was kept")
        skipped["repeated record id"] = int(dup.sum())
        alive[dup[dup].index] = False
    if not alive.all():
        frame, rows, rid = frame[alive], rows[alive], rid[alive]
    row_numbers = rows.to_numpy()
    out = pd.DataFrame(index=frame.index)
    out["source_row"] = rows.astype("int64")
    out["record_id"] = rid
    for role in _TEXT_ROLES[1:]:
        if role in cols:
            out[role] = frame[cols[role]].str.strip()
            pattern = profile.extract.get(role)
            if pattern:
                # RE2 through Arrow: one vectorised pass (a pattern without look-arounds)
                cells = pa.array(out[role], from_pandas=True)          # Arrow-backed: no copy
                taken = pc.fill_null(pc.struct_field(pc.extract_regex(cells, f"(?P<v>{pattern})"), [0]), "")
                found = pd.Series(pd.array(taken, dtype=out[role].dtype), index=out.index)
                other = int((out[role].ne("") & found.eq("")).sum())
                out[role] = found
                if other:
                    report["decisions"].append(
                        f"{other} value(s) of {cols[role]} hold no {role.replace('_', ' ')} and were left "
                        f"empty; the others were reduced to the reference they contain")
    # currency
    currency = None
    if "currency" in cols:
        currency = frame[cols["currency"]].str.strip().str.upper()
        if profile.default_currency:
            currency = currency.replace("", profile.default_currency)
        bad = currency.ne("") & ~currency.str.fullmatch(r"[A-Z]{3}", na=False)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ImportFailure(file, "not a currency code", row=int(row_numbers[i]), column=cols["currency"],
                                value=str(frame[cols["currency"]].iloc[i]), expected="an ISO code such as USD or EUR")
    elif profile.default_currency:
        currency = pd.Series(profile.default_currency, index=frame.index)
    # amounts
    amount = None
    if "amount" in cols:
        amount, notes, implied = parse_amounts(frame[cols["amount"]], currency, file=file,
                                               column=cols["amount"], rows=row_numbers)
        report["decisions"] += notes
    elif "debit" in cols or "credit" in cols:
        total = pd.Series(0, index=frame.index, dtype="Int64")
        present = pd.Series(False, index=frame.index)
        implied = None
        for role, sign in (("debit", 1), ("credit", -1)):
            if role in cols:
                part, notes, implied = parse_amounts(frame[cols[role]], currency, file=file,
                                                     column=cols[role], rows=row_numbers)
                report["decisions"] += notes
                present |= part.notna()
                total = total + part.fillna(0) * sign
        amount = total.where(present, pd.NA)
        report["decisions"].append("amount = debit - credit")
    else:
        implied = None
    if amount is not None:
        if profile.amount_sign == "abs":
            negative = int((amount < 0).sum())
            amount = amount.abs()
            report["decisions"].append(f"refund amounts taken as positive ({negative} written negative)")
        elif profile.amount_sign == -1:
            amount = -amount
        out["amount_minor"] = amount
        if currency is None and implied:
            currency = pd.Series(implied, index=frame.index)
            report["decisions"].append(f"currency {implied} taken from the amount's symbol")
    if currency is not None:
        out["currency"] = currency
    # status -> stage
    if "status" in cols:
        raw_status = frame[cols["status"]].str.strip()
        out["status_raw"] = raw_status
        low = raw_status.str.lower()
        for prefix in profile.stage_prefixes:
            low = low.str.removeprefix(prefix).str.strip()
        stage = low.map(dict(profile.stages))
        if profile.default_stage:
            stage = stage.fillna(profile.default_stage)
        unknown = sorted(set(raw_status[stage.isna() & raw_status.ne("")]))
        if unknown:
            report["decisions"].append(f"statuses with no stage: {', '.join(unknown[:10])}")
        out["stage"] = stage
    elif profile.default_stage:
        out["stage"] = profile.default_stage
    if "kind" in cols and "status_raw" not in out:
        out["status_raw"] = frame[cols["kind"]].str.strip()
    # times
    zones = frame[cols["zone"]] if "zone" in cols else None
    for role in TIME_ROLES:
        text = None
        if role in cols:
            text = frame[cols[role]]
        elif role == "occurred_at" and "occurred_date" in cols:
            text = frame[cols["occurred_date"]]
            if "occurred_time" in cols:
                t = frame[cols["occurred_time"]].str.strip()
                text = (text.str.strip() + " " + t).str.strip()
        if text is None:
            continue
        label = cols.get(role) or cols.get("occurred_date")
        tzname = profile.time_zones.get(role, profile.timezone)
        default_zone = business_tz if tzname == "business" else tzname
        parsed, notes = parse_times(text, file=file, column=label, rows=row_numbers,
                                    default_zone=default_zone, zones=zones,
                                    zone_column=cols.get("zone"), dayfirst=profile.dayfirst)
        out[role] = parsed
        report["decisions"] += notes
    records = canonical.conform(out).reset_index(drop=True)   # (raw is added after: conform would strip 100s of MB)
    del out
    problems = canonical.validate(records)
    if problems:
        raise ImportFailure(file, "; ".join(problems))
    # cell texts in sorted-header order: a re-ordered later export has the same raw and hash
    columns = raw_columns(frame.columns)
    raw, hashes = raw_rows(frame, columns)
    del frame
    records["row_hash"] = pd.Series(pd.array(hashes, dtype="string"), index=records.index)
    del hashes
    records["raw"] = pd.Series(pd.array(raw, dtype="string"), index=records.index)
    report["raw_columns"] = columns
    report["rows_total"] = rows_total
    report["skipped_by_kind"] = skipped
    report["rows_kept"] = len(records)
    return records, report


def _aggregate(frame: pd.DataFrame, rows: pd.Series, key: str) -> tuple[pd.DataFrame, pd.Series, int]:
    """One row per line item -> one row per key: first non-blank value of every column.

    Line-item rows carry the key (Shopify repeats `Name`); a row with a blank key continues
    the one above it.
    """
    if frame.empty:
        return frame, rows, 0
    keys = frame[key].str.strip().replace("", pd.NA).ffill().fillna("")
    filled = frame.replace("", pd.NA)
    merged = filled.groupby(keys, sort=False).first().fillna("")
    first_rows = rows.groupby(keys.to_numpy(), sort=False).first()
    merged = merged.reset_index(drop=True)
    merged.index = range(len(merged))
    out_rows = pd.Series(first_rows.loc[keys.drop_duplicates().to_numpy()].to_numpy(), index=merged.index)
    merged[key] = keys.drop_duplicates().to_numpy()
    return merged.astype(str), out_rows, len(frame) - len(merged)
