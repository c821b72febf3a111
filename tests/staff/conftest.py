"""The small real register the staff tests search and list (built through the ingest API)."""
from __future__ import annotations

import pytest

import staff_register as sr


@pytest.fixture
def register(db_url, tmp_path):
    ids = sr.build(tmp_path / "files", db_url)
    from sqlalchemy.orm import Session
    from models.db import init_db

    with Session(init_db(db_url)) as session:
        yield session, ids
