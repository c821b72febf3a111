"""Odd values on the web page (issue 15): dates out of range, bad parameters, an unexpected
error, a banner asked for in the URL: a clear Vietnamese page with the safety headers, never
a 500 with a traceback, never attacker-written text in the banner."""
from __future__ import annotations

import pytest
from tests.web.site_client import SiteClient

import staff_register as sr

BASE = "http://127.0.0.1:8000"
UNIT = "name=C%C3%B4ng+an+t%E1%BB%89nh"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from app.web.main import create_app

    tmp = tmp_path_factory.mktemp("odd")
    url = f"sqlite:///{tmp}/r.db"
    sr.build(tmp / "files", url)
    app = create_app(db_url=url, intake=tmp / "intake", today=sr.TODAY)

    @app.get("/boom")
    def boom():                                      # a defect of ours, on purpose
        raise RuntimeError("secret internals /etc/passwd")

    return SiteClient(app, base_url=BASE, headers={"Origin": BASE}, raise_server_exceptions=False)


def _oid(client) -> str:
    from sqlalchemy import text

    with client.app.state.site.engine.connect() as c:
        return c.execute(text("SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")).scalar_one()


# path -> status, words the page must show
ODD = [
    ("/?from=9999-12-31", 400, "nằm ngoài khoảng ngày dùng được"),
    ("/?to=9999-12-31", 400, "nằm ngoài khoảng ngày dùng được"),
    ("/?from=31/12/9999", 400, "nằm ngoài khoảng ngày dùng được"),
    ("/?from=0001-01-01", 400, "nằm ngoài khoảng ngày dùng được"),
    ("/?from=31/02/2024", 400, "không phải một ngày"),
    ("/?from=abc", 400, "không phải một ngày"),
    (f"/units/view?{UNIT}&from=9999-12-31", 400, "nằm ngoài khoảng ngày dùng được"),
    (f"/units/view?{UNIT}&to=9999-12-31", 400, "nằm ngoài khoảng ngày dùng được"),
    (f"/units/export?{UNIT}&format=xlsx&to=9999-12-31", 400, "nằm ngoài khoảng ngày dùng được"),
    (f"/units/export?{UNIT}&format=ics&from=9999-12-31", 400, "nằm ngoài khoảng ngày dùng được"),
    (f"/units/export?{UNIT}&format=pdf&from=x", 400, "không phải một ngày"),
    ("/obligations/{oid}/page.png?crop=abc", 400, "«crop» phải là một số nguyên"),
    # a unit the register does not have: said, with the close names, never an empty list or file
    ("/units/view?name=Nonexistent", 400, "Không tìm thấy đơn vị «Nonexistent» trong sổ. Hãy chọn đơn vị"),
    ("/units/view?name=C%C3%B4ng+an+t%E1%BB%89nhh", 400,
     'Không tìm thấy đơn vị «Công an tỉnhh». Có phải: <a href="/units/view?name=C%C3%B4ng%20an%20t%E1%BB%89nh">'),
    ("/units/export?name=Nonexistent&format=xlsx", 400, "Không tìm thấy đơn vị «Nonexistent» trong sổ, nên không"),
    ("/units/export?name=C%C3%B4ng+an+t%E1%BB%89nhh&format=ics", 400, "Có phải: «Công an tỉnh»"),
    ("/boom", 500, "Đã có lỗi ở phía chidao"),
]


@pytest.mark.parametrize("path, status, says", ODD)
def test_an_odd_value_gets_a_clear_page(client, path, status, says):
    r = client.get(path.format(oid=_oid(client)))
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert says in r.text
    assert "Traceback" not in r.text and "secret internals" not in r.text and '"detail"' not in r.text
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert header in r.headers


def test_a_bad_form_field_gets_a_clear_page(client):
    r = client.post(f"/obligations/{_oid(client)}/status", data={"note": "x"})       # no status
    assert r.status_code == 400 and "«status» còn thiếu" in r.text


@pytest.mark.parametrize("query", [
    "msg=T%C3%A0i+kho%E1%BA%A3n+b%E1%BB%8B+kh%C3%B3a&kind=err",          # "Tài khoản bị khóa", in red
    "msg=%3Cb%3EG%E1%BB%8Di+s%E1%BB%91+n%C3%A0y%3C%2Fb%3E",
    "msg=Đã lưu tình trạng. Hãy gọi 0900 000 000",
])
def test_a_banner_cannot_be_written_in_the_url(client, query):
    r = client.get("/?" + query)
    assert r.status_code == 200 and 'class="flash' not in r.text


def test_allowed_banners_and_a_forged_flash_cookie(client):
    assert '<div class="flash ok" role="status">Đã lưu tình trạng.</div>' in client.get("/?msg=saved").text
    client.cookies.set("chidao_flash", "WyJIYWNrZWQiLCAiZXJyIl0.0000")       # ["Hacked", "err"], unsigned
    r = client.get("/")
    client.cookies.clear()
    assert "Hacked" not in r.text and 'class="flash' not in r.text
