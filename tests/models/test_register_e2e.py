"""End to end through the real extractors: a sample PDF from corpora/samples into the register
(SQLite and PostgreSQL): idempotent, staff status kept across re-extraction, export shape, and
the graph reaches every obligation from the programme the document implements."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models import graph as G
from models.export import export_register
from models.queries import get_obligation, list_obligations, set_status
from models.register import ingest_processed, reextract

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "samples" / "pdf" / "ct-12-tu-quang-ngai.pdf"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("register-e2e")]


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    from extractors.pipeline import process_file

    copy = tmp_path_factory.mktemp("e2e") / SAMPLE.name
    shutil.copyfile(SAMPLE, copy)
    return process_file(copy)


def test_real_pdf_into_the_register(db_session, processed):
    from test_register_export import check_shape

    path = processed.document.path
    first = ingest_processed(db_session, processed, source_path=path)
    assert (first.status, first.obligations) == ("new", 14), first.message
    ids = [o.id for o in list_obligations(db_session)]
    assert len(ids) == first.obligations == len(set(ids))

    again = ingest_processed(db_session, processed, source_path=path)
    assert again.status == "duplicate" and again.document_id == first.document_id
    assert [o.id for o in list_obligations(db_session)] == ids

    set_status(db_session, obligation_id=ids[0], status="done", note="đã xong")
    r = reextract(db_session, document_id=first.document_id, processed=processed)
    assert r.added == 0 and r.removed == 0, r.message
    assert get_obligation(db_session, id=ids[0]).status == "done"

    data = export_register(db_session)
    check_shape(data)
    [doc] = data["documents"]
    # the sample implements Đề án 06, approved by Quyết định 06/QĐ-TTg
    assert processed.directive.programme == "06/QĐ-TTg"
    assert [c["number"] for c in doc["citations"] if c["relation"] == "implements"] == ["06/QĐ-TTg"]
    res = G.descendants(db_session, root="06/QĐ-TTg")
    assert set(res.obligations) == set(ids)
