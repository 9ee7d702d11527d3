"""The canonical returns model, as SQLAlchemy 2.0 typed tables.

Money is integer minor units (`*_minor`, BigInteger) plus a currency code. Times are stored
as naive UTC and read back as aware UTC (`UTCDateTime`). Schema changes go through Alembic
migrations in `migrations/versions/`; `tests/core/test_migrations.py` checks that the
migrations build exactly this schema.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC in Python, naive UTC in the database (portable across SQLite/PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; the store takes aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _now() -> datetime:
    return datetime.now(UTC)


# --- imports ------------------------------------------------------------------------------

class ImportBatch(Base):
    """One imported file."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(512))
    file_path: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    system: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)      # data rows read
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)     # refund records kept
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)    # records that replaced an earlier version
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)    # non-refund rows (charges, payouts, fees, totals)
    report: Mapped[str | None] = mapped_column(Text)                 # JSON: skipped by kind, column mapping, parse decisions
    # JSON list of the file's headers, sorted: source_records.raw holds each row's cell texts in this order
    raw_columns: Mapped[str | None] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(128))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class SourceRecord(Base):
    """One refund-relevant record of one system, as imported (see core/canonical.py).

    A later export that carries the same (system, record_id) writes a new version; the old
    row stays with is_current = False, so history is kept.
    """

    __tablename__ = "source_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id"))   # no index: nothing looks up by batch
    system: Mapped[str] = mapped_column(String(16))
    profile: Mapped[str] = mapped_column(String(64))
    source_row: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str] = mapped_column(String(128))
    return_ref: Mapped[str | None] = mapped_column(String(128))
    order_ref: Mapped[str | None] = mapped_column(String(128))
    refund_ref: Mapped[str | None] = mapped_column(String(128))
    customer: Mapped[str | None] = mapped_column(String(256))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    stage: Mapped[str | None] = mapped_column(String(16))
    status_raw: Mapped[str | None] = mapped_column(String(128))
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(32))
    agent: Mapped[str | None] = mapped_column(String(128))
    category: Mapped[str | None] = mapped_column(String(64))
    source_version: Mapped[str | None] = mapped_column(String(64))
    # normalised keys, filled by linking (core/link)
    key_return: Mapped[str | None] = mapped_column(String(128))
    key_order: Mapped[str | None] = mapped_column(String(128))
    key_refund: Mapped[str | None] = mapped_column(String(128))
    raw: Mapped[str] = mapped_column(Text)            # the row's cell texts, JSON array in batch.raw_columns order
    row_hash: Mapped[str] = mapped_column(String(64))  # sha256 of raw (header order free), to see changed re-imports
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        Index("ix_source_records_system_record_id", "system", "record_id"),
        Index("ix_source_records_current_system", "is_current", "system"),
    )


# --- cases --------------------------------------------------------------------------------

CASE_STATUSES = ("open", "investigating", "waiting_on_it", "resolved", "wont_fix")


class Case(Base):
    """One return as seen across the systems. Identity is `case_key`, derived from the anchor
    record (portal record if any, else processor, ERP, support: 'system:record_id'), so
    re-linking and re-diagnosis keep the analyst's work attached to the same case."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_key: Mapped[str] = mapped_column(String(200), unique=True)
    # work state (set by people, core/casework)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    assignee: Mapped[str | None] = mapped_column(String(128), index=True)
    # denormalised diagnosis summary, for fast filtering/sorting in SQL (core/diagnose)
    symptoms: Mapped[str] = mapped_column(String(256), default="")   # ';'-joined codes, '' = clean
    symptom_count: Mapped[int] = mapped_column(Integer, default=0)
    boundary: Mapped[str | None] = mapped_column(String(64), index=True)
    fix_type: Mapped[str | None] = mapped_column(String(64))
    scope: Mapped[str | None] = mapped_column(String(16))             # ops | it
    cause: Mapped[str | None] = mapped_column(String(16))             # integration | process
    order_ref: Mapped[str | None] = mapped_column(String(128), index=True)
    customer: Mapped[str | None] = mapped_column(String(256), index=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    portal_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    processor_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    erp_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger, index=True)   # the case's reference amount
    systems_present: Mapped[str] = mapped_column(String(64), default="")      # e.g. 'portal;processor'
    first_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period: Mapped[str | None] = mapped_column(String(7), index=True)          # YYYY-MM, business tz
    search_text: Mapped[str] = mapped_column(Text, default="")                # refs + customer, lower case
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)            # False: no records link to it any more
    source_changed: Mapped[bool] = mapped_column(Boolean, default=False)      # records changed after case work
    diagnosed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)                  # optimistic locking

    __mapper_args__ = {"version_id_col": version}

    links: Mapped[list[CaseLink]] = relationship(back_populates="case", cascade="all, delete-orphan")
    findings: Mapped[list[Finding]] = relationship(back_populates="case", cascade="all, delete-orphan")

    __table_args__ = (
        # the case list (core/queries/case_list.py): active cases in the default order (first
        # event) and by amount come from these covering indexes, without visiting each row;
        # systems present/absent filters resolve to an IN list over the few combinations
        Index("ix_cases_active_first_event", "is_active", "first_event_at"),
        Index("ix_cases_active_amount", "is_active", "amount_minor"),
        Index("ix_cases_systems_present", "systems_present"),
    )


class CaseLink(Base):
    """A record belongs to a case: by which rule, how sure, and whether it is a duplicate."""

    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))   # unique: uq_case_links_record_id
    system: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(32))       # anchor, return_ref, refund_ref, order_ref, fallback, manual
    confidence: Mapped[float] = mapped_column(Float)
    is_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    repaired: Mapped[str | None] = mapped_column(String(128))  # how the reference was repaired, if it was
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)  # set by a person (link override)

    case: Mapped[Case] = relationship(back_populates="links")

    __table_args__ = (UniqueConstraint("record_id", name="uq_case_links_record_id"),)


class LinkCandidate(Base):
    """An ambiguous link: a record that could belong to several cases. Surfaced, not guessed."""

    __tablename__ = "link_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)


SYMPTOMS = (
    "missing_handoff", "timing_latency", "missing_disbursement", "id_linkage",
    "partial_receipt", "amount_mismatch", "rounding", "duplicate_event",
    "period_cutoff", "manual_bypass", "stale_ticket",
)


class Finding(Base):
    """One symptom on one case, with its evidence in words and numbers."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    symptom: Mapped[str] = mapped_column(String(32))   # indexed by ix_findings_symptom_case
    boundary: Mapped[str] = mapped_column(String(64))
    fix_type: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(16))      # ops | it
    cause: Mapped[str] = mapped_column(String(16))      # integration | process
    evidence: Mapped[str] = mapped_column(Text)
    steps: Mapped[str] = mapped_column(Text, default="")  # first diagnostic steps, newline-separated
    systems: Mapped[str] = mapped_column(String(64), default="")   # which systems' cells diverge, ';'
    fields: Mapped[str] = mapped_column(String(128), default="")   # which fields diverge, ';'
    window_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount_delta_minor: Mapped[int | None] = mapped_column(BigInteger)

    case: Mapped[Case] = relationship(back_populates="findings")

    # the case list's symptom filter reads case ids straight from this index (covering)
    __table_args__ = (Index("ix_findings_symptom_case", "symptom", "case_id"),)


# --- case work ----------------------------------------------------------------------------

class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(64), index=True)
    is_reason_code: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)

    __table_args__ = (UniqueConstraint("case_id", "tag"),)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Adjustment(Base):
    """A manual adjustment: which system and field, from and to, why, and the ERP journal ref."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    system: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(64))
    amount_from_minor: Mapped[int | None] = mapped_column(BigInteger)
    amount_to_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    reason_code: Mapped[str] = mapped_column(String(64))
    journal_ref: Mapped[str | None] = mapped_column(String(128))
    comment: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    review_status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)


class Review(Base):
    """A reviewer's decision on a case's resolution (maker-checker)."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(16))   # approved | rejected
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class PeriodSignoff(Base):
    __tablename__ = "period_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    signed_by: Mapped[str] = mapped_column(String(128))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    reopened_by: Mapped[str | None] = mapped_column(String(128))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_reason: Mapped[str | None] = mapped_column(Text)


class UserRole(Base):
    """Configured roles. A user with no row is an analyst."""

    __tablename__ = "user_roles"

    user: Mapped[str] = mapped_column(String(128), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))   # analyst | reviewer | auditor


# --- audit and settings -------------------------------------------------------------------

class AuditEvent(Base):
    """Append-only, hash-chained: hash = sha256(prev_hash + canonical JSON of the content)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(48), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)   # no FK: the trail outlives cases
    case_key: Mapped[str | None] = mapped_column(String(200))
    entity: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text)   # JSON
    after: Mapped[str | None] = mapped_column(Text)    # JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Setting(Base):
    """Key/value settings of the workbook. Key 'business' holds BusinessSettings JSON."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
