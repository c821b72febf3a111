"""What the ingest asks the register before it reads a file: is it known (`find_known`), and
which programmes did earlier decisions approve (`learned_programmes`).

SQL text that runs on a SQLAlchemy session and on a LightSession alike (models.db.execute), and
no SQLAlchemy import here: on a SQLite register a duplicate costs one hash and one query, not
the ~1 s import of the register's ORM.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from models.db import execute
from models.statuses import DONE_STATUSES, OUTCOME_OF_STATUS


@dataclass(frozen=True)
class Known:
    """What the register holds for some bytes: enough to decide whether to process them again."""
    id: str
    status: str
    code_fingerprint: Optional[str]
    errors: list[dict]
    source_file: str
    version_of: Optional[str] = None   # a copy of this document (models/copies.py)

    @property
    def outcome(self) -> str:
        """done | bad-input | error"""
        return OUTCOME_OF_STATUS.get(self.status, "done")


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def find_known(session, *, sha256: str) -> Optional[Known]:
    """The stored row for these bytes, or None."""
    row = execute(session, "SELECT id, status, code_fingerprint, errors, source_file, version_of FROM documents "
                           "WHERE sha256 = :sha LIMIT 1", {"sha": sha256.lower()}).first()
    if row is None:
        return None
    return Known(str(row[0]), str(row[1]), row[2], _json(row[3]) or [], str(row[4] or ""), row[5])


def learned_programmes(session) -> list[dict]:
    """Programmes the register learned from decisions that approve them ("Phê duyệt Đề án …"),
    shaped like corpora/programmes.jsonl, for the structure stage (Options.programmes): a later
    plan that carries out "Đề án …" by name is linked to the decision that approved it."""
    done = ", ".join(f"'{s}'" for s in DONE_STATUSES)
    rows = execute(session, "SELECT number, type, issuer, issued_on, meta FROM documents "
                            "WHERE type IN ('Quyết định', 'Nghị quyết') AND number IS NOT NULL "
                            f"AND status IN ({done}) AND version_of IS NULL ORDER BY ingested_at").all()
    out = []
    for number, type_, issuer, issued_on, meta in rows:
        meta = _json(meta) or {}
        if meta.get("approves"):
            out.append({"symbol": number, "title": meta["approves"], "type": type_, "issuer": issuer,
                        "issued_on": str(issued_on) if issued_on else None, "aliases": []})
    return out
