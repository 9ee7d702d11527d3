"""Detection: score every profile against a file's header and sample values.

Reads only the first rows (CSV: the csv module; XLSX: openpyxl read-only, every sheet). The
best profile, its system and confidence are reported with the alternatives. For a layout no
profile knows, `guess_mapping` guesses the system and each column's role from header words
and value shapes; such a guess is reported, never imported silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.core.errors import ImportFailure
from workbench.core.ingest import reader, xlsx
from workbench.core.ingest.profile import ROLES, Profile, norm_header, resolve_columns

MIN_CONFIDENCE = 0.6


@dataclass
class Detection:
    path: Path
    profile: Profile | None                  # None: nothing matched well enough (see .generic)
    system: str | None
    confidence: float
    alternatives: list[tuple[str, float]]    # (profile name, confidence), best first
    mapping: dict[str, str]                  # role -> header in the file
    generic: bool = False                    # True: mapping is the generic detector's guess
    notes: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    preview: pd.DataFrame | None = None      # the first rows as text (for a mapping dialog)

    def describe(self) -> str:
        if self.profile is None:
            return f"unrecognised (generic guess: {self.system or 'unknown'} system, {self.confidence:.2f})"
        return f"{self.profile.name} ({self.profile.system}, confidence {self.confidence:.2f})"


def _matches(vals: pd.Series, pattern: str) -> pd.Series:
    return vals.str.contains(re.sub(r"(?<![\\\[])\((?!\?)", "(?:", pattern), regex=True)


def _values(frame: pd.DataFrame, header: str | None) -> pd.Series:
    if header is None or header not in frame:
        return pd.Series([], dtype=str)
    s = frame[header].astype(str).str.strip()
    return s[s != ""]


def score(profile: Profile, headers: list[str], sample: pd.DataFrame) -> tuple[float, dict[str, str]]:
    """Confidence 0..1 that the table is this profile's layout, and the role mapping."""
    mapping = resolve_columns(profile, headers)
    if profile.exact:
        missing = [r for r in profile.columns if r not in mapping]
        if missing:
            return 0.0, mapping
    normed = {norm_header(h) for h in headers}
    req = sum(r in mapping for r in profile.required) / max(1, len(profile.required))
    sig_names = {norm_header(s) for s in profile.signature}
    sig = len(sig_names & normed) / len(sig_names) if sig_names else 0.5
    cover = len(mapping) / max(1, len(profile.columns))
    checks = []
    for role, pattern in profile.value_checks.items():
        vals = _values(sample, mapping.get(role))
        if len(vals):
            checks.append(_matches(vals, pattern).mean())
        else:
            checks.append(0.0)
    if profile.status_words:
        words = {w.lower() for w in profile.status_words}
        for role in ("kind", "status"):
            vals = _values(sample, mapping.get(role))
            if len(vals):
                distinct = set(vals.str.lower())
                checks.append(len(distinct & words) / len(distinct))
    values = sum(checks) / len(checks) if checks else 0.5
    conf = 0.45 * req + 0.25 * sig + 0.1 * cover + 0.2 * values
    if req < 1:
        conf *= 0.5
    return round(float(conf), 3), mapping


def _known_words(profiles) -> set[str]:
    words = set()
    for p in profiles:
        for syns in p.columns.values():
            words.update(norm_header(s) for s in syns)
        words.update(norm_header(s) for s in p.signature)
    return words


def _header_scorer(profiles):
    words = _known_words(profiles)

    def scorer(cells: list[str]) -> float:
        filled = [norm_header(c) for c in cells if c and c.strip()]
        if not filled:
            return 0.0
        return sum(c in words for c in filled) / len(filled) * min(1.0, len(filled) / 3)

    return scorer


def candidate_tables(path: Path, profiles) -> list[reader.RawTable]:
    """The preview table(s) of a file: one per sheet for spreadsheets."""
    scorer = _header_scorer(profiles)
    if not path.exists():
        raise ImportFailure(path.name, "file not found", expected="an existing export file")
    if xlsx.is_spreadsheet(path):
        tables = []
        for sheet, rows in xlsx.xlsx_previews(path):
            if not any(any(c.strip() for c in r) for r in rows):
                continue
            h = reader.find_header(rows, scorer)
            tables.append(xlsx.read_xlsx_table(path, sheet, h, preview_rows=rows))
        if not tables:
            raise ImportFailure(path.name, "the workbook has no data", expected="a sheet with a header row")
        return tables
    return [reader.read_csv_table(path, preview=True, scorer=scorer)]


def detect_tables(path: Path, tables: list[reader.RawTable], profiles) -> Detection:
    results = []
    for t_index, table in enumerate(tables):
        sample = table.frame.head(reader.PREVIEW_ROWS)
        for p in profiles:
            conf, mapping = score(p, table.headers, sample)
            results.append((conf, t_index, p, mapping))
    results.sort(key=lambda r: (-r[0], r[1]))
    best_conf, t_index, best, mapping = results[0] if results else (0.0, 0, None, {})
    table = tables[t_index]
    seen, alternatives = set(), []
    for conf, _, p, _ in results:
        if p.name not in seen and conf > 0:
            seen.add(p.name)
            alternatives.append((p.name, conf))
    notes = list(table.notes)
    if best is not None and best_conf >= MIN_CONFIDENCE:
        return Detection(path=path, profile=best, system=best.system, confidence=best_conf,
                         alternatives=alternatives[1:6], mapping=mapping, notes=notes,
                         headers=table.headers, sheet=table.sheet, header_row=table.header_row,
                         preview=table.frame.head(20))
    system, guess, gconf, gnotes = guess_mapping(table.headers, table.frame.head(reader.PREVIEW_ROWS))
    return Detection(path=path, profile=None, system=system, confidence=gconf,
                     alternatives=alternatives[:5], mapping=guess, generic=True, notes=notes + gnotes,
                     headers=table.headers, sheet=table.sheet, header_row=table.header_row,
                     preview=table.frame.head(20))


# --- the generic detector -----------------------------------------------------------------

_ROLE_WORDS: list[tuple[str, str]] = [
    ("return_ref", r"\b(rma|return|express code|authori[sz]ation)\b"),
    ("order_ref", r"\border\b|\bpo\b|\binvoice\b"),
    ("refund_ref", r"\b(refund id|transaction id|psp|charge|payment id|payment intent)\b"),
    ("customer", r"e-?mail|customer|requester|client|contact"),
    ("currency", r"currency|curr\b|ccy"),
    ("status", r"status|state\b"),
    ("kind", r"^type$|transaction type|category"),
    ("updated_at", r"updated|modified"),
    ("occurred_at", r"created|date|time|posted|posting"),
    ("amount", r"amount|total|gross|refund|value|sum"),
    ("record_id", r"^(id|no|number|#)$|\bid\b|number|\bno\b|document|ticket"),
]
_SYSTEM_WORDS = {
    "portal": r"\b(rma|return|outcome|exchange|restock|express code|order name)\b",
    "processor": r"\b(fee|net|payout|charge|psp|card|settlement|gross|balance|transaction)\b",
    "erp": r"\b(memo|document|credit|invoice|posting|posted|gl|account|vat|class|subsidiary)\b",
    "support": r"\b(ticket|requester|subject|priority|assignee|agent|via|channel|tags)\b",
}
_SHAPES = {
    "customer": r"^[^@\s]+@[^@\s]+\.\w+$",
    "currency": r"^[A-Za-z]{3}$",
    "amount": r"^[-+(]?[$€£¥]?\s?-?\d{1,3}([,.]?\d{3})*([.,]\d{1,3})?\)?(\s?(CR|DR|-))?$",
    "occurred_at": r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}",
}


def guess_mapping(headers: list[str], sample: pd.DataFrame) -> tuple[str | None, dict[str, str], float, list[str]]:
    """(system, role -> header, confidence, notes) from header words and value shapes."""
    mapping: dict[str, str] = {}
    notes: list[str] = []
    for h in headers:
        n = norm_header(h)
        vals = _values(sample, h)
        shape_role = None
        for role, pat in _SHAPES.items():
            if len(vals) and _matches(vals, pat).mean() > 0.9:
                shape_role = role
                break
        role = None
        for r, pat in _ROLE_WORDS:
            if r not in mapping and re.search(pat, n):
                role = r
                break
        if role in ("amount", "occurred_at", "currency", "customer") and shape_role not in (None, role):
            role = None
        if role is None and shape_role and shape_role not in mapping:
            role = shape_role
        if role and role not in mapping:
            mapping[role] = h
    if "record_id" not in mapping:
        for h in headers:
            vals = _values(sample, h)
            if h not in mapping.values() and len(vals) and vals.is_unique and len(vals) == len(sample):
                mapping["record_id"] = h
                notes.append(f"record_id guessed as {h!r}: its values are unique")
                break
    text = " ".join(norm_header(h) for h in headers)
    votes = {s: len(re.findall(p, text)) for s, p in _SYSTEM_WORDS.items()}
    system = max(votes, key=votes.get) if any(votes.values()) else None
    key = ("record_id", "amount", "status", "occurred_at")
    conf = round(0.5 * sum(k in mapping for k in key) / len(key), 3)
    notes.append("generic guess: " + ", ".join(f"{r}={c!r}" for r, c in mapping.items()))
    return system, {r: mapping[r] for r in ROLES if r in mapping}, conf, notes
