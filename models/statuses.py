"""A document's status in the register is its outcome (extractors/pipeline.py defines the three).

No imports: the ingest's first look at the register (models/lookup.py) runs without SQLAlchemy.
"""
from __future__ import annotations

from typing import Literal

# "ok" and "partial" are done (partial: the reader reported pages or steps to review); "failed"
# is bad input (the name predates the three outcomes; kept so older registers and
# register-export/1 read the same); "error" is a defect of ours, stored with its traceback and
# the code fingerprint, and retried when the code changes.
DocStatus = Literal["ok", "partial", "failed", "error"]
DONE_STATUSES: tuple[str, ...] = ("ok", "partial")
BAD_INPUT_STATUS = "failed"
ERROR_STATUS = "error"
OUTCOME_OF_STATUS: dict[str, str] = {"ok": "done", "partial": "done", BAD_INPUT_STATUS: "bad-input",
                                     ERROR_STATUS: "error"}
