"""The web page through FastAPI's TestClient: pages, escaping, status changes, uploads, token."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.web.site_client import SiteClient
from markupsafe import escape

import staff_register as sr


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path}/r.db"
    ids = sr.build(tmp_path / "files", url)
    return url, ids, tmp_path


def _client(url, tmp_path, **kw):
    from app.web.main import create_app

    app = create_app(db_url=url, intake=tmp_path / "intake", today=sr.TODAY, **kw)
    return SiteClient(app, base_url=BASE, headers={"Origin": BASE})     # as a page of the site sends it


BASE = "http://127.0.0.1:8000"


def _query(url) -> dict:
    return dict(parse_qsl(urlsplit(str(url)).query))


def _oid(url, like):
    from sqlalchemy import create_engine, text

    e = create_engine(url)
    with e.connect() as c:
        return c.execute(text("SELECT id FROM obligations WHERE text LIKE :l"), {"l": like}).scalar_one()


def test_pages_render(site):
    url, ids, tmp = site
    c = _client(url, tmp)
    r = c.get("/", params={"q": "dinh danh"})
    assert r.status_code == 200 and "3 nhiệm vụ" in r.text and "Content-Security-Policy" in r.headers
    assert c.get("/units").status_code == 200 and "<svg" in c.get("/units").text
    unit = c.get("/units/view", params={"name": "Công an tỉnh"}).text
    owes_table = re.search(r'id="owes".*?</table>', unit, re.S).group(0)
    assert owes_table.count("<tr") == 1 + 3          # the header row and Công an tỉnh's three open tasks
    d = c.get(f"/documents/{ids['cv']}")
    assert d.status_code == 200 and "45/KH-UBND" in d.text          # up the graph
    assert "12/UBND-VX" in c.get(f"/documents/{ids['kh']}").text     # down the graph
    oid = _oid(url, "Triển khai%")
    o = c.get(f"/obligations/{oid}")
    assert o.status_code == 200 and f"/documents/{ids['kh']}/file#page=1" in o.text
    png = c.get(f"/obligations/{oid}/page.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    f = c.get(f"/documents/{ids['kh']}/file")
    assert f.status_code == 200 and f.content[:5] == b"%PDF-"
    assert c.get("/obligations/nope").status_code == 404
    assert c.get("/documents/nope").status_code == 404


def test_document_text_is_escaped(site):
    url, ids, tmp = site
    c = _client(url, tmp)
    oid = _oid(url, "Kiểm tra <script>%")
    for page in (c.get(f"/obligations/{oid}"), c.get("/", params={"q": "kiem tra bao mat"}),
                 c.get(f"/documents/{ids['kh']}")):
        assert "<script>" not in page.text
        assert "&lt;script&gt;" in page.text
    x = c.get("/units/export", params={"name": "Văn phòng Ủy ban nhân dân tỉnh", "format": "html"})
    assert "<script>alert" not in x.text


def test_status_change_recorded(site):
    url, ids, tmp = site
    c = _client(url, tmp)
    oid = _oid(url, "Triển khai%")
    r = c.post(f"/obligations/{oid}/status", data={"status": "done", "note": "Đã xong <b>đợt 1</b>", "who": "Chị Lan"},
               follow_redirects=True)
    assert r.status_code == 200 and _query(r.url) == {"msg": "saved"} and "Đã lưu tình trạng." in r.text
    assert "Chị Lan" in r.text and "&lt;b&gt;đợt 1&lt;/b&gt;" in r.text
    from models.queries import history
    from sqlalchemy.orm import Session
    from models.db import init_db
    with Session(init_db(url)) as s:
        h = history(s, obligation_id=oid)
    assert (h[-1].status, h[-1].note, h[-1].who) == ("done", "Đã xong <b>đợt 1</b>", "Chị Lan")
    bad = c.post(f"/obligations/{oid}/status", data={"status": "finished"}, follow_redirects=True)
    message = "invalid status 'finished': use one of open, in_progress, done, cancelled"
    assert bad.status_code == 200 and _query(bad.url) == {}           # the message came in the flash cookie
    assert f'<div class="flash err" role="status">{escape(message)}</div>' in bad.text     # shown once, escaped
    assert message not in c.get(f"/obligations/{oid}").text
    with Session(init_db(url)) as s:
        assert len(history(s, obligation_id=oid)) == len(h)           # nothing written
    # a POST from another site is refused
    assert c.post(f"/obligations/{oid}/status", data={"status": "open"},
                  headers={"Origin": "http://evil.example"}).status_code == 403


def test_upload_limits_and_traversal(site):
    url, _, tmp = site
    c = _client(url, tmp, max_upload_mb=0.01, read_uploads=False)   # files stay where the upload put them
    intake = tmp / "intake"
    ok = c.post("/upload", files={"file": ("../../etc/Kế hoạch 45.pdf", b"%PDF-1.4 small", "application/pdf")},
                follow_redirects=False)
    assert ok.status_code == 303
    files = [p.name for p in intake.iterdir()]
    assert files == ["Kế hoạch 45.pdf"]
    again = c.post("/upload", files={"file": ("Kế hoạch 45.pdf", b"%PDF-1.4 other", "application/pdf")})
    assert again.status_code == 200 and len(list(intake.iterdir())) == 2
    big = c.post("/upload", files={"file": ("big.pdf", b"x" * 20000, "application/pdf")})
    assert big.status_code == 413 and "quá lớn" in big.text
    assert c.post("/upload", files={"file": ("run.sh", b"echo", "text/plain")}).status_code == 400
    assert c.post("/upload", files={"file": ("empty.pdf", b"", "application/pdf")}).status_code == 400
    assert sorted(p.name for p in intake.iterdir()) == ["Kế hoạch 45-1.pdf", "Kế hoạch 45.pdf"]
    assert not list(tmp.glob("etc*")) and not (tmp.parent / "etc").exists()


@pytest.mark.parametrize("name, safe", [
    ("../../x.pdf", "x.pdf"), ("..\\..\\win.PDF", "win.pdf"), (".hidden.pdf", "hidden.pdf"),
    ("a\x00b.pdf", "ab.pdf"), ("", "van-ban"), ("Quyết định 06/QĐ-TTg.pdf", "QĐ-TTg.pdf"),
])
def test_safe_filename(name, safe):
    from app.web.main import safe_filename

    assert safe_filename(name) == safe


def test_token_required_off_loopback(site):
    from app.web.main import create_app

    url, _, tmp = site
    with pytest.raises(ValueError, match="CHIDAO_TOKEN"):
        create_app(host="0.0.0.0", db_url=url, intake=tmp / "intake", token="")
    c = _client(url, tmp, host="0.0.0.0", token="s3cret")
    oid = _oid(url, "Triển khai%")
    assert c.get("/").status_code == 200                               # reading is open
    r = c.post(f"/obligations/{oid}/status", data={"status": "done"}, follow_redirects=False)
    assert r.status_code == 401
    assert c.post("/upload", files={"file": ("a.pdf", b"%PDF", "application/pdf")}).status_code == 401
    assert c.post("/login", data={"token": "wrong", "next": "/"}).status_code == 401
    r = c.post("/login", data={"token": "s3cret", "next": "//evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = c.post(f"/obligations/{oid}/status", data={"status": "done"}, follow_redirects=False)
    assert r.status_code == 303


def test_exports(site):
    url, _, tmp = site
    c = _client(url, tmp)
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("ics", b"BEGIN:VCALENDAR")):
        r = c.get("/units/export", params={"name": "Công an tỉnh", "format": fmt})
        assert r.status_code == 200 and r.content.startswith(magic)
        assert re.fullmatch(rf'attachment; filename="nhiem-vu-cong-an-tinh-\d{{4}}-\d\d-\d\d\.{fmt}"',
                            r.headers["content-disposition"])
    assert c.get("/units/export", params={"format": "exe"}).status_code == 400


def test_oversize_upload_refused_before_reading(site):
    url, _, tmp = site
    c = _client(url, tmp, max_upload_mb=0.01)
    r = c.post("/upload", files={"file": ("big.pdf", b"x" * (2 * 1024 * 1024), "application/pdf")})
    assert r.status_code == 413
    assert not (tmp / "intake").exists()            # not even the folder was made


def test_serve_refuses_open_address_without_token(monkeypatch, tmp_path):
    from typer.testing import CliRunner
    from app.cli import app

    monkeypatch.delenv("CHIDAO_TOKEN", raising=False)
    monkeypatch.setenv("CHIDAO_DB", f"sqlite:///{tmp_path}/r.db")
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert (r.exit_code, r.output) == (
        2, "error: serving on 0.0.0.0 needs a shared token: set CHIDAO_TOKEN (staff log in with it)\n")


def test_documents_page_marks_failed_and_error_files(tmp_path):
    """A file that could not be read and one that met a defect of ours are listed first, marked,
    and counted; an error document's page says what happens next."""
    from fastapi.testclient import TestClient

    from app.web.main import create_app
    from models.db import init_db
    from models.register import open_session, record_failure
    from models.tables import Document

    url = f"sqlite:///{tmp_path / 'r.db'}"
    init_db(url)
    with open_session(url) as session:
        record_failure(session, source_path=str(tmp_path / "hong.pdf"), code="corrupt", message="tệp hỏng", sha256="a" * 64)
        session.add(Document(id="e" * 16, source_file="loi.pdf", sha256="b" * 64, status="error",
                             traceback="Traceback (most recent call last):\n  ValueError: boom"))
        session.commit()
    client = SiteClient(create_app(db_url=url, intake=str(tmp_path / "intake")), base_url=BASE)
    page = client.get("/documents").text
    assert "1 tệp không đọc được" in page and "1 tệp gặp lỗi chương trình" in page
    assert page.count('class="failed"') == 2
    doc = client.get("/documents/" + "e" * 16).text
    assert "chidao reextract " + "e" * 16 in doc and "ValueError: boom" in doc


def test_a_document_page_lists_its_copies_and_a_copy_leads_to_it(tmp_path, make_processed):
    """Two files of one directive: the list shows the document once ("2 bản"), its page lists
    both files with a link to each, says which one the tasks come from, and a copy's own address
    leads to the document; the document search finds it once, by either file's name."""
    from fastapi.testclient import TestClient

    from app.web.main import create_app
    from models.register import ingest_processed, open_session
    from models.search import search_documents
    from tests.models.test_register_copies import sample_text, copy_of, ocr_noise

    url = f"sqlite:///{tmp_path / 'r.db'}"
    files = []
    for name in ("qd-415.pdf", "qd-415-scan.pdf"):
        f = tmp_path / name
        f.write_bytes(b"%PDF-1.4 " + name.encode())
        files.append(f)
    with open_session(url) as s:
        digital = ingest_processed(s, copy_of(make_processed, name="qd-415.pdf", text=sample_text(), number="415/QĐ-UBND"),
                                   source_path=files[0])
        scan = ingest_processed(s, copy_of(make_processed, name="qd-415-scan.pdf", text=ocr_noise(sample_text()),
                                           source="ocr", number="415/QĐ-UBND"), source_path=files[1])
        assert scan.version_of == digital.document_id
        hits = search_documents(s, query="qd 415 scan")
        assert [h.id for h in hits] == [digital.document_id]
        assert [h.id for h in search_documents(s, query="415")] == [digital.document_id]
    client = SiteClient(create_app(db_url=url, intake=str(tmp_path / "intake")), base_url=BASE)
    listing = client.get("/documents").text
    assert "Văn bản trong sổ (1)" in listing and "2 bản" in listing
    page = client.get(f"/documents/{digital.document_id}").text
    assert 'id="copies"' in page and "bản quét/ảnh" in page and "bản điện tử (PDF)" in page
    assert f'/documents/{digital.document_id}/file' in page and f'/documents/{scan.document_id}/file' in page
    assert page.count("nhiệm vụ lấy từ bản này") == 1
    r = client.get(f"/documents/{scan.document_id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"/documents/{digital.document_id}")
    f = client.get(f"/documents/{scan.document_id}/file")
    assert f.status_code == 200 and f.content.endswith(b"qd-415-scan.pdf")


@pytest.mark.parametrize("content_type, body, says", [
    ("application/x-www-form-urlencoded", b"file=a.pdf", "Không thấy tệp trong yêu cầu"),
    ("multipart/form-data", b"--x\r\n", "Không thấy tệp trong yêu cầu"),              # no boundary
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--x--\r\n",
     "Không thấy tệp trong yêu cầu"),
    ("multipart/form-data; boundary=x", b"garbage\r\n\x00\x01", "Dữ liệu tải lên không đọc được"),
])
def test_a_malformed_upload_gets_one_clear_line(site, content_type, body, says):
    url, _, tmp = site
    r = _client(url, tmp).post("/upload", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 400 and says in r.text and "Traceback" not in r.text
    assert not (tmp / "intake").exists() or not list((tmp / "intake").iterdir())
