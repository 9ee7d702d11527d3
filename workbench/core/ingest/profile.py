"""What an import profile is: a declarative description of one vendor export layout.

A profile names the columns that play each *role* (record id, amount, status, times ...) by
a list of header synonyms. Headers are matched case-, whitespace- and punctuation-
insensitively and in any order, so a file whose columns were re-ordered or re-labelled
slightly still matches. Everything else (sign convention, currency, stages, the row filter
that keeps charges/payouts/fees out, time zone rules) is plain data on the profile.

Built-in profiles live in `ingest/profiles/` (one module per system); saved user profiles
are TOML files (`ingest/user_profiles.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping

import pandas as pd

# Column roles a profile can map. Canonical columns plus helper roles.
ROLES: dict[str, str] = {
    "record_id": "Record id (the row's own id)",
    "return_ref": "Return / RMA reference",
    "order_ref": "Order reference",
    "refund_ref": "Processor refund / payment id",
    "customer": "Customer (email or name)",
    "amount": "Amount",
    "debit": "Debit amount (Debit/Credit pair)",
    "credit": "Credit amount (Debit/Credit pair)",
    "currency": "Currency",
    "status": "Status",
    "kind": "Row type (e.g. refund, charge, payout)",
    "occurred_at": "Main event time",
    "occurred_date": "Main event date (when the time is in another column)",
    "occurred_time": "Main event time of day (separate column)",
    "approved_at": "Approved at",
    "refunded_at": "Refunded at",
    "updated_at": "Updated at",
    "zone": "Time zone of the row (column)",
    "channel": "Channel",
    "agent": "Agent / user",
    "category": "Category",
    "source_version": "Connector / source version",
}
TIME_ROLES = ("occurred_at", "approved_at", "refunded_at", "updated_at")
REQUIRED_DEFAULT = ("record_id",)


def norm_header(text: object) -> str:
    """'  Created (UTC) ' -> 'created utc'; 'Order #' -> 'order #'; case/space/punct-insensitive."""
    s = str(text if text is not None else "").replace("\ufeff", "").strip().lower()
    s = re.sub(r"[_\-\.:/\(\)\[\]]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class RowFilter:
    """Keep rows whose `role` column (normalised lower-case) is in `keep`; count the rest by value.

    `keep_if` is an alternative: a function (frame of raw text, column map) -> boolean Series,
    used when the rule is not a simple value list (e.g. Shopify: a refunded amount > 0).
    """

    role: str = "kind"
    keep: tuple[str, ...] = ()
    prefix: bool = False              # keep values that start with one of `keep`
    keep_if: Callable[[pd.DataFrame, Mapping[str, str]], pd.Series] | None = None
    skipped_label: str = ""          # label for rows keep_if drops (e.g. 'not refunded')


@dataclass(frozen=True)
class Profile:
    name: str                                   # stable id, e.g. 'stripe_balance_transactions'
    system: str                                 # portal | processor | erp | support
    vendor: str                                 # 'Stripe'
    label: str                                  # 'Stripe balance transactions (legacy export)'
    columns: Mapping[str, tuple[str, ...]]      # role -> header synonyms
    required: tuple[str, ...] = REQUIRED_DEFAULT
    signature: tuple[str, ...] = ()             # extra headers typical of the layout (scoring)
    amount_sign: int | str = 1                  # 1, -1 (refunds written negative) or 'abs'
    default_currency: str | None = None         # when there is no currency column / blank cell
    stages: Mapping[str, str] = field(default_factory=dict)   # raw status (lower) -> stage
    stage_prefixes: Mapping[str, str] = field(default_factory=dict)  # 'credit memo:' style
    default_stage: str | None = None
    row_filter: RowFilter | None = None
    timezone: str = "business"                  # 'UTC', 'business' or an IANA name: naive times
    time_zones: Mapping[str, str] = field(default_factory=dict)  # per time role override
    dayfirst: bool | None = None                # tie-break for ambiguous dates (None: month-first)
    aggregate: bool = False                     # one row per line item -> one record per record_id
    record_id_from: tuple[str, ...] = ()        # roles joined with '|' when the file has no row id
    value_checks: Mapping[str, str] = field(default_factory=dict)  # role -> regex most values match
    # role -> regex: the value taken is the first match within the cell (empty when there is
    # none, counted in the report): NetSuite's free-text Memo holds a refund id only sometimes
    extract: Mapping[str, str] = field(default_factory=dict)
    status_words: tuple[str, ...] = ()          # typical status/kind values (scoring)
    builtin: bool = True
    source: str | None = None                   # TOML path of a saved profile
    exact: bool = False                         # user profile: synonyms are exact headers

    def with_mapping(self, mapping: Mapping[str, str | None], *, name: str | None = None,
                     system: str | None = None, **options) -> "Profile":
        """A copy whose roles map to exactly these headers (the GUI's confirmed mapping)."""
        columns = dict(self.columns)
        for role, header in mapping.items():
            if role not in ROLES:
                raise ValueError(f"unknown column role {role!r} (expected one of {', '.join(ROLES)})")
            if header in (None, ""):
                columns.pop(role, None)
            else:
                columns[role] = (str(header),)
        return replace(self, name=name or self.name, system=system or self.system,
                       columns=columns, builtin=False, source=None, **options)


def resolve_columns(profile: Profile, headers: list[str]) -> dict[str, str]:
    """role -> the actual header in the file, for every role whose synonyms match a header."""
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(norm_header(h), h)
    out: dict[str, str] = {}
    for role, synonyms in profile.columns.items():
        for syn in synonyms:
            hit = by_norm.get(norm_header(syn))
            if hit is not None:
                out[role] = hit
                break
    return out
