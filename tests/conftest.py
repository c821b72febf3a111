"""Shared fixtures.

`db_url`: an empty, migrated register, once on SQLite (a file in tmp_path) and once on
PostgreSQL (one uniquely named database per test process / xdist worker, migrated once,
emptied before each test, dropped at the end).  It also sets $CHIDAO_DB, so CLI commands run in the test
use it.  PostgreSQL comes from $CHIDAO_TEST_PG_URL (scripts/test.sh starts a private server
and sets it); without it the PostgreSQL half fails in CI (CI=true) and is skipped locally
(tests/tools.py, like every outside tool).

`make_processed`: builds extractor output (Processed) directly from the seam types, so
register tests need no PDF.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from typing import Iterator

import pytest

from tests.tools import admin_exec, require_postgres, require_tesseract_vie, with_database

# Property tests assert what a function does, not how fast: the suite runs on a shared machine
# under load, where hypothesis's default 200 ms deadline per example fails at random.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("chidao", deadline=None)
_hypothesis_settings.load_profile("chidao")

# A `chidao warm` service left running on a developer's machine must not do the tests' extractor
# calls (tests/flows/test_service.py turns it on for itself, in a directory of its own).
os.environ["CHIDAO_SERVICE"] = "off"


@pytest.fixture(scope="session")
def pg_worker_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test process (xdist worker), dropped at the end.
    Tests get it emptied (TRUNCATE), which is ~10x faster than a database per test."""
    admin = require_postgres()
    from models.db import dispose_engine, init_db

    name = f"chidao_w_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_exec(admin, f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    try:
        init_db(url)
        yield url
    finally:
        dispose_engine(url)
        admin_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all(url: str) -> None:
    """Empty every table of the register (later revisions' tables too), keep the schema."""
    from sqlalchemy import text

    from models.db import get_engine

    with get_engine(url).begin() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        # DELETE with FK triggers off beats TRUNCATE (new files per table) on tiny tables.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for n in names:
            conn.execute(text(f'DELETE FROM "{n}"'))


@pytest.fixture
def pg_empty_url() -> Iterator[str]:
    """An empty PostgreSQL database (no schema), dropped after the test."""
    admin = require_postgres()
    from models.db import dispose_engine

    name = f"chidao_t_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin_exec(admin, f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    try:
        yield url
    finally:
        dispose_engine(url)
        admin_exec(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, monkeypatch) -> Iterator[str]:
    """An empty, migrated register on SQLite and on PostgreSQL; $CHIDAO_DB points at it."""
    from models.db import dispose_engine, init_db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'register.db'}"
        init_db(url)
        monkeypatch.setenv("CHIDAO_DB", url)
        try:
            yield url
        finally:
            dispose_engine(url)
        return
    url = request.getfixturevalue("pg_worker_url")
    from models.db import init_db as _init

    _init(url)
    _truncate_all(url)
    monkeypatch.setenv("CHIDAO_DB", url)
    yield url


@pytest.fixture
def db_session(db_url):
    from models.register import open_session

    with open_session(db_url) as session:
        yield session


# ---------------------------------------------------------------- synthetic extractor output

def build_processed(
    *,
    name: str = "ct-08-tu.pdf",
    content: bytes | str | None = None,
    number: str | None = "08-CT/TU",
    issuer: str | None = "Tỉnh ủy Tiền Giang",
    issued_on: dt.date | None = dt.date(2024, 3, 1),
    type: str | None = "Chỉ thị",
    title: str | None = "Về tăng cường thực hiện Đề án 06",
    signer: str | None = "Nguyễn Văn A",
    programme: str | None = None,
    citations: list[tuple] | None = None,      # (number, relation[, type, issued_on])
    obligations: list[dict] | None = None,     # Obligation fields
    targets: list[dict] | None = None,         # document-level Target fields
    status: str = "ok",
    errors: list[tuple[str, str]] | None = None,
    path: str | None = None,
):
    """A Processed as the extractors would return it.  `content` decides the sha256 (default:
    derived from the name), so two calls with the same content are "the same bytes"."""
    from extractors.pipeline import Processed
    from extractors.types import (
        Citation, Deadline, Directive, Document, Extraction, Header, Obligation, Page, ReadError, Target,
    )

    if content is None:
        content = f"bytes of {name}"
    raw = content.encode() if isinstance(content, str) else content
    doc = Document(path=path or f"/nonexistent/{name}", source_file=name, sha256=hashlib.sha256(raw).hexdigest(),
                   size=len(raw), kind="pdf", status=status,
                   errors=[ReadError(code=c, message=m) for c, m in (errors or [])],
                   pages=[] if status == "failed" else [Page(number=1), Page(number=2)])
    header = Header(number=number, issuer=issuer, issued_on=issued_on, type=type, title=title, signer=signer)
    cites = []
    for c in citations or []:
        cites.append(Citation(number=c[0], relation=c[1], type=c[2] if len(c) > 2 else None,
                              issued_on=c[3] if len(c) > 3 else None))
    directive = Directive(document=doc, header=header, citations=cites, programme=programme)
    obls = []
    for i, o in enumerate(obligations if obligations is not None else default_obligations()):
        o = dict(o)
        if isinstance(o.get("deadline"), dict):
            o["deadline"] = Deadline(**o["deadline"])
        o["targets"] = [Target(**t) for t in o.get("targets", [])]
        o.setdefault("ref", str(i + 1))
        o.setdefault("page", 1)
        obls.append(Obligation(**o))
    ext = Extraction(obligations=obls, targets=[Target(**t) for t in (targets or [])])
    return Processed(doc, directive, ext)


def default_obligations() -> list[dict]:
    return [
        {"text": "Công an tỉnh chủ trì, phối hợp với Sở Tư pháp triển khai cấp tài khoản định danh điện tử",
         "lead_units": ["Công an tỉnh"], "support_units": ["Sở Tư pháp"],
         "deadline": {"raw": "Tháng 02/2024", "due": dt.date(2024, 2, 29)},
         "targets": [{"raw": "100% công dân đủ điều kiện", "value": 100, "unit": "%"}]},
        {"text": "Báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh",
         "lead_units": ["Công an tỉnh"], "support_units": [],
         "deadline": {"raw": "Ngày 22 hàng tháng", "recurrence": "monthly", "day": 22}},
        {"text": "Tuyên truyền về lợi ích của Đề án 06", "lead_units": ["Sở Thông tin và Truyền thông"],
         "support_units": ["Ủy ban nhân dân các huyện, thị xã, thành phố"],
         "deadline": {"raw": "Thường xuyên", "recurrence": "ongoing"}, "output": "Tin bài"},
        # two identical table rows stay two obligations
        {"text": "Cập nhật thông tin người lao động", "ref": "PL.26", "lead_units": ["Sở Lao động - Thương binh và Xã hội"]},
        {"text": "Cập nhật thông tin người lao động", "ref": "PL.26", "lead_units": ["Sở Lao động - Thương binh và Xã hội"]},
    ]


@pytest.fixture
def make_processed():
    return build_processed


@pytest.fixture(scope="session")
def tesseract() -> str:
    """Tesseract with its Vietnamese data, for tests that OCR (tests/tools.py: a failure in CI
    when missing, a skip elsewhere)."""
    return require_tesseract_vie()
