"""No cross-site changes, no DNS rebinding (app/web/guard.py): the Host header is checked against
an allow-list on every request, and a POST must name this host in its Origin (or Referer)."""
from __future__ import annotations

import pytest
from tests.web.site_client import SiteClient

import staff_register as sr

BASE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("guard")
    url = f"sqlite:///{tmp}/r.db"
    sr.build(tmp / "files", url)
    return url, tmp


def _app(register, **kw):
    from app.web.main import create_app

    url, tmp = register
    return create_app(db_url=url, intake=tmp / "intake", today=sr.TODAY, **kw)


def _oid(url) -> str:
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as c:
        return c.execute(text("SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")).scalar_one()


def _history(url, oid) -> int:
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as c:
        return c.execute(text("SELECT count(*) FROM status_history WHERE obligation_id = :o"), {"o": oid}).scalar_one()


# headers sent with a status change -> the answer
POSTS = [
    ({"Origin": BASE}, 303),
    ({"Referer": BASE + "/obligations/x"}, 303),                      # a browser that sends no Origin
    ({}, 403),                                                         # neither: a script or an old client
    ({"Origin": "null"}, 403),                                         # a sandboxed iframe, a file:// page
    ({"Origin": "null", "Referer": BASE + "/"}, 403),                  # Origin wins over Referer
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "http://127.0.0.1:8001"}, 403),                        # another port is another site
    ({"Origin": "http://127.0.0.1.evil.example:8000"}, 403),
    ({"Referer": "http://evil.example/?u=http://127.0.0.1:8000/"}, 403),
    ({"Origin": "javascript://127.0.0.1:8000"}, 403),
    ({"Origin": BASE, "Host": "evil.example"}, 400),                   # DNS rebinding: foreign Host
    ({"Origin": "http://evil.example", "Host": "evil.example"}, 400),
]


@pytest.mark.parametrize("headers, status", POSTS)
def test_a_change_needs_this_sites_origin(register, headers, status):
    url, _ = register
    oid = _oid(url)
    before = _history(url, oid)
    r = SiteClient(_app(register), base_url=BASE).post(f"/obligations/{oid}/status", data={"status": "in_progress"},
                                                        headers=headers, follow_redirects=False)
    assert r.status_code == status
    assert _history(url, oid) == before + (status == 303)
    if status != 303:
        assert "chidao" in r.text and "Content-Security-Policy" in r.headers and "Traceback" not in r.text
        assert ("không đến từ chính trang chidao" if status == 403 else "không được phép truy cập") in r.text


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_changing_methods_need_it_too(register, method):
    r = getattr(SiteClient(_app(register), base_url=BASE), method)("/obligations/x/status")
    assert r.status_code == 403


def test_an_upload_without_origin_writes_nothing(register):
    _, tmp = register
    c = SiteClient(_app(register), base_url=BASE)
    for headers in ({}, {"Origin": "null"}, {"Origin": "http://evil.example"}):
        r = c.post("/upload", files={"file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")}, headers=headers)
        assert r.status_code == 403
    assert not (tmp / "intake").exists() or not list((tmp / "intake").iterdir())


# (bound to, CHIDAO_HOSTS, Host header) -> answered
HOSTS = [
    ("127.0.0.1", None, "127.0.0.1:8000", True),
    ("127.0.0.1", None, "localhost:8000", True),
    ("127.0.0.1", None, "[::1]:8000", True),
    ("127.0.0.1", None, "127.0.0.2", True),
    ("127.0.0.1", None, "evil.example", False),
    ("127.0.0.1", None, "evil.example:8000", False),
    ("127.0.0.1", None, "", False),
    ("127.0.0.1", None, "localhost.evil.example", False),
    ("10.0.0.5", None, "10.0.0.5:8000", True),                         # the address it is bound to
    ("0.0.0.0", None, "10.0.0.5:8000", False),                         # a wildcard names no host
    ("0.0.0.0", "chidao.so-noi-vu.gov.vn, 10.0.0.5", "CHIDAO.so-noi-vu.gov.vn", True),
    ("0.0.0.0", "chidao.so-noi-vu.gov.vn, 10.0.0.5", "10.0.0.5:8443", True),
    ("0.0.0.0", "chidao.so-noi-vu.gov.vn", "so-noi-vu.gov.vn", False),
]


@pytest.mark.parametrize("bind, configured, host, answered", HOSTS)
def test_host_allow_list(register, bind, configured, host, answered):
    from flows.settings import load_settings

    app = _app(register, host=bind, token="s3cret", settings=load_settings(hosts=configured))
    for path in ("/", "/units/export?name=C%C3%B4ng+an+t%E1%BB%89nh&format=xlsx"):
        r = SiteClient(app, base_url=BASE).get(path, headers={"Host": host})
        assert (r.status_code == 200) == answered, (path, r.status_code)
        if not answered:
            assert r.status_code == 400 and "CHIDAO_HOSTS" in r.text and "Content-Security-Policy" in r.headers
