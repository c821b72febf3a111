"""The register's tables (SQLModel), one class per table.

No XPublic / XUpdate companions: the web page is rendered on the server and has no JSON API,
the exports have their own format (register-export/1, models/export.py), and a staff edit is
validated field by field by models.queries.edit_obligation, with one clear line per mistake.

Schema changes go through Alembic (models/migrations); tests check that the migrated schema
equals this metadata.  Lists and objects (units as listed, targets, flags, errors) are JSON
columns; units are also linked through `obligation_units` so they can be queried.
Text that comes from documents is unbounded (PostgreSQL enforces VARCHAR lengths, SQLite does
not: a long ref or unit name must not fail on one backend only); short codes are bounded.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.statuses import BAD_INPUT_STATUS, DONE_STATUSES, ERROR_STATUS, OUTCOME_OF_STATUS, DocStatus  # noqa: F401

ObligationStatus = Literal["open", "in_progress", "done", "cancelled"]
STATUSES: tuple[str, ...] = ("open", "in_progress", "done", "cancelled")
RELATIONS: tuple[str, ...] = ("basis", "implements", "cites")
ROLES: tuple[str, ...] = ("lead", "support")
RECURRENCES: tuple[str, ...] = ("ongoing", "weekly", "monthly", "quarterly", "halfyearly", "yearly")
# Document header fields staff may correct (the same rule: re-extraction keeps the staff's value).
DOCUMENT_EDITABLE_FIELDS: tuple[str, ...] = ("number", "issued_on", "issuer")
# Obligation fields staff may correct; a corrected one is never overwritten by re-extraction.
EDITABLE_FIELDS: tuple[str, ...] = (
    "text", "lead_units", "support_units", "deadline_raw", "deadline_due", "deadline_recurrence",
    "deadline_day", "output", "targets",
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _fk(target: str, ondelete: str, index: bool = True, nullable: bool = False) -> Any:
    return Field(default=None, sa_column_args=[ForeignKey(target, ondelete=ondelete)], index=index,
                 nullable=nullable)


# ---------------------------------------------------------------- documents

class Document(SQLModel, table=True):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("sha256", name="uq_documents_sha256"),
        Index("ix_documents_number_key", "number_key"),
        Index("ix_documents_issued_on", "issued_on"),
        Index("ix_documents_type", "type"),      # the type filter's list of types (0015)
        Index("ix_documents_source_file", "source_file"),   # a document filter by file name (0016)
    )
    source_file: str
    source_path: Optional[str] = None  # for `chidao reextract`
    sha256: str = Field(max_length=64)
    size: int = 0
    pages: int = 0
    kind: str = Field(default="unknown", max_length=16)
    type: Optional[str] = None
    number: Optional[str] = None
    issuer: Optional[str] = None
    issued_on: Optional[dt.date] = None
    place: Optional[str] = None
    title: Optional[str] = None
    signer: Optional[str] = None
    status: str = Field(default="ok", max_length=16)   # DocStatus (models/statuses.py)
    errors: list[dict] = Field(default_factory=list, sa_type=JSON)
    programme: Optional[str] = None  # symbol of the programme implemented
    meta: dict = Field(default_factory=dict, sa_type=JSON)  # header extras, reader metadata
    traceback: Optional[str] = None  # status error: where our code failed
    # extractors/pipeline.py's fingerprint of the code that produced this row (null before 0004)
    code_fingerprint: Optional[str] = Field(default=None, max_length=64)
    id: str = Field(primary_key=True, max_length=32)
    number_key: Optional[str] = None
    # Another copy of the same directive (models/copies.py): the document whose row gives the
    # obligations (the best copy); null on that row itself.  Always the family's head, never a copy.
    version_of: Optional[str] = Field(
        default=None, sa_column_args=[ForeignKey("documents.id", ondelete="SET NULL")], index=True, max_length=32)
    copy_kind: Optional[str] = Field(default=None, max_length=16)   # digital | docx | scan (null before 0006)
    text_sketch: Optional[str] = None   # models.copies.Sketch.encode(): compares texts without reading them
    # Header fields staff corrected (DOCUMENT_EDITABLE_FIELDS) and what the reader last said of them.
    corrected_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    extracted_values: dict = Field(default_factory=dict, sa_type=JSON)
    ingested_at: dt.datetime = Field(default_factory=utcnow)
    extracted_at: dt.datetime = Field(default_factory=utcnow)


class CopyBand(SQLModel, table=True):
    """The band keys of each document's text sketch (models/copies.py), indexed: the documents
    a new file may be a copy of, without reading every stored sketch."""
    __tablename__ = "copy_bands"
    band: int = Field(sa_type=BigInteger, primary_key=True)
    document_id: str = Field(
        sa_column_args=[ForeignKey("documents.id", ondelete="CASCADE")], primary_key=True, index=True, max_length=32)


# ---------------------------------------------------------------- units

class Unit(SQLModel, table=True):
    """A unit as printed (one row per extractors.keys.unit_key), and what it resolves to
    (models/departments.py): `kind` body | group | position | unknown; `department_id` the
    row of the department that owes its tasks (itself for a department; NULL for unknown);
    `current` the department's name after the 2025 reorganisation (NULL: it ended)."""
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("key", name="uq_units_key"),)
    name: str
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str
    parent_id: Optional[int] = Field(
        default=None, sa_column_args=[ForeignKey("units.id", ondelete="SET NULL")], index=True)
    kind: str = Field(default="unknown", max_length=16)
    # no ON DELETE: units rows are never deleted (SQLite cannot reflect it on an added column)
    department_id: Optional[int] = Field(default=None, sa_column_args=[ForeignKey("units.id")], index=True)
    current: Optional[str] = None


# ---------------------------------------------------------------- obligations

class Obligation(SQLModel, table=True):
    __tablename__ = "obligations"
    __table_args__ = (Index("ix_obligations_document_ordinal", "document_id", "ordinal"),)
    ref: Optional[str] = None
    page: Optional[int] = None
    text: str
    lead_units: list[str] = Field(default_factory=list, sa_type=JSON)     # in the order printed
    support_units: list[str] = Field(default_factory=list, sa_type=JSON)
    deadline_raw: Optional[str] = None
    deadline_due: Optional[dt.date] = Field(default=None, index=True)
    deadline_recurrence: Optional[str] = Field(default=None, max_length=16)
    deadline_day: Optional[int] = None
    deadline_start: Optional[dt.date] = None
    targets: list[dict] = Field(default_factory=list, sa_type=JSON)
    output: Optional[str] = None
    flags: list[str] = Field(default_factory=list, sa_type=JSON)
    section_role: Optional[str] = None
    bbox: Optional[list[float]] = Field(default=None, sa_type=JSON)       # provenance on `page`
    # How sure the extraction is, 0..1 (extractors/obligations/confidence.py), and what lowered it
    # ([{code, text}]); null for rows stored before 0007 until `chidao reextract`.
    confidence: Optional[float] = Field(default=None, index=True)
    confidence_reasons: list[dict] = Field(default_factory=list, sa_type=JSON)
    # staff fields: never written by (re-)extraction
    status: str = Field(default="open", max_length=16, index=True)
    note: Optional[str] = None
    corrected_fields: list[str] = Field(default_factory=list, sa_type=JSON)
    id: str = Field(primary_key=True, max_length=32)
    document_id: str = Field(sa_column_args=[ForeignKey("documents.id", ondelete="CASCADE")], max_length=32)
    ordinal: int = 0                       # position in the document
    # What the extractor last said for fields staff corrected: {field: value}.
    extracted_values: dict = Field(default_factory=dict, sa_type=JSON)
    last_done_on: Optional[dt.date] = None  # closes the current period of a recurring task
    # A reviewer found the extraction right (the review queue's "Đúng"); null: not reviewed, or
    # re-extraction changed it since.
    accepted_at: Optional[dt.datetime] = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class ObligationUnit(SQLModel, table=True):
    __tablename__ = "obligation_units"
    # covering: a unit's obligation ids come from the index alone (search and owes start there)
    __table_args__ = (Index("ix_obligation_units_unit_role_obligation", "unit_id", "role", "obligation_id"),)
    obligation_id: str = Field(
        sa_column_args=[ForeignKey("obligations.id", ondelete="CASCADE")], primary_key=True, max_length=32)
    unit_id: int = Field(sa_column_args=[ForeignKey("units.id", ondelete="CASCADE")], primary_key=True)
    role: str = Field(primary_key=True, max_length=8)   # lead | support
    position: int = 0


class UnitCount(SQLModel, table=True):
    """How many tasks each department owes, per group of status and deadline (models/unit_counts.py
    keeps it current on every write; `chidao summary` reads it instead of the register)."""
    __tablename__ = "unit_counts"
    # the summary reads the n/m/x groups whole and the d groups of a few weeks (0014_unit_count_days)
    # and a department's groups of one bucket by date: its overdue list (0016_unit_overdue_keys)
    __table_args__ = (Index("ix_unit_counts_bucket_due", "bucket", "due"),
                      Index("ix_unit_counts_dep_bucket_due", "dep", "bucket", "due"))
    k: str = Field(primary_key=True)                 # the group's columns joined: one row per group
    dep: Optional[int] = None                        # units.id of the department; NULL: no department
    roles: str = Field(max_length=10)
    status: str = Field(max_length=16)
    bucket: str = Field(max_length=1)                # n: not open; m: by due month; d: by due day; x: every field; v: via
    recurrence: Optional[str] = Field(default=None, max_length=16)
    due: Optional[dt.date] = None
    day: Optional[int] = None
    start: Optional[dt.date] = None
    last_done: Optional[dt.date] = None
    via: Optional[str] = None                        # bucket v: the task's groups / merged bodies (0015)
    n: int = 0


class UnitCountKey(SQLModel, table=True):
    """The unit_counts groups each task is counted in (no foreign key: a deleted task's groups
    are taken back by models.unit_counts.refresh after the delete)."""
    __tablename__ = "unit_count_keys"
    # the tasks of a group: a unit's overdue list read from its groups (0016_unit_overdue_keys)
    __table_args__ = (Index("ix_unit_count_keys_k", "k", "obligation_id"),)
    obligation_id: str = Field(primary_key=True, max_length=32)
    k: str = Field(primary_key=True)


# ---------------------------------------------------------------- citations, targets

class Citation(SQLModel, table=True):
    __tablename__ = "citations"
    number: str
    type: Optional[str] = None
    issued_on: Optional[dt.date] = None
    issuer: Optional[str] = None
    relation: str = Field(default="cites", max_length=16)
    title: Optional[str] = None
    alias: Optional[str] = None
    raw: Optional[str] = None
    page: Optional[int] = None
    printed: bool = True
    id: Optional[int] = Field(default=None, primary_key=True)
    from_document: str = Field(
        sa_column_args=[ForeignKey("documents.id", ondelete="CASCADE")], index=True, max_length=32)
    ordinal: int = 0
    number_key: str = Field(index=True)
    # The cited document once it is in the register; null = known only by citation.
    to_document: Optional[str] = Field(
        default=None, sa_column_args=[ForeignKey("documents.id", ondelete="SET NULL")], index=True, max_length=32)


class DocumentTarget(SQLModel, table=True):
    """Figures that belong to no single task (a plan's Mục tiêu list, a report's figures)."""
    __tablename__ = "document_targets"
    raw: str
    value: float
    unit: str
    kind: str = Field(default="target", max_length=16)
    subject: Optional[str] = None
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: str = Field(
        sa_column_args=[ForeignKey("documents.id", ondelete="CASCADE")], index=True, max_length=32)
    ordinal: int = 0


# ---------------------------------------------------------------- history

class StatusHistory(SQLModel, table=True):
    __tablename__ = "status_history"
    kind: str = Field(default="status", max_length=16)   # status | edit | reextract
    status: Optional[str] = Field(default=None, max_length=16)
    previous_status: Optional[str] = Field(default=None, max_length=16)
    who: Optional[str] = None
    note: Optional[str] = None
    changes: dict = Field(default_factory=dict, sa_type=JSON)  # {field: [old, new]}
    id: Optional[int] = Field(default=None, primary_key=True)
    obligation_id: str = Field(
        sa_column_args=[ForeignKey("obligations.id", ondelete="CASCADE")], index=True, max_length=32)
    at: dt.datetime = Field(default_factory=utcnow)


class DocumentHistory(SQLModel, table=True):
    """Staff corrections of a document's header (number, date, issuer): {field: [old, new]}."""
    __tablename__ = "document_history"
    who: Optional[str] = None
    note: Optional[str] = None
    changes: dict = Field(default_factory=dict, sa_type=JSON)
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: str = Field(
        sa_column_args=[ForeignKey("documents.id", ondelete="CASCADE")], index=True, max_length=32)
    at: dt.datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- accounts (the web page)

class User(SQLModel, table=True):
    """A person who logs in to the web page (models/accounts.py)."""
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("name_key", name="uq_users_name_key"),)
    name: str
    name_key: str                      # the name folded: logins ignore case and spacing
    role: str = Field(default="viewer", max_length=16)     # viewer | editor | admin
    units: list[str] = Field(default_factory=list, sa_type=JSON)   # an editor's units, as given
    password_hash: str                 # argon2id (argon2-cffi), never the password
    active: bool = True
    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow)


class WebSession(SQLModel, table=True):
    """A browser's session on the web page, kept on the server: the cookie holds a random value
    whose sha256 is `id`, so a copy of this table logs nobody in."""
    __tablename__ = "web_sessions"
    id: str = Field(primary_key=True, max_length=64)
    user_id: Optional[int] = Field(
        default=None, sa_column_args=[ForeignKey("users.id", ondelete="CASCADE")], index=True)   # null: not logged in
    csrf: str = Field(max_length=64)      # the form token every POST of this browser must carry
    logged_in: bool = True                # False: a browser not logged in; the session only carries `csrf`
    created_at: float = 0.0            # epoch seconds: compared the same on both backends
    expires_at: float = Field(default=0.0, index=True)


__all__ = [
    "Citation", "CopyBand", "Document", "DocumentHistory", "DocumentTarget", "Obligation", "ObligationUnit", "StatusHistory", "Unit",
    "UnitCount", "UnitCountKey", "User", "WebSession",
    "DONE_STATUSES", "BAD_INPUT_STATUS", "ERROR_STATUS", "OUTCOME_OF_STATUS",
    "STATUSES", "RELATIONS", "ROLES", "RECURRENCES", "EDITABLE_FIELDS", "DOCUMENT_EDITABLE_FIELDS", "utcnow",
]


# The reminders' tables (addresses, sent-log) live with their queries; imported here so that
# SQLModel.metadata, which the migrations are checked against, holds them.
from models.reminder_tables import ReminderSent, UnitEmail  # noqa: E402,F401
