"""Form tokens (issue 15): every state-changing POST carries its session's token, else 403 and
nothing changed; another session's token is refused the same; the right one works; a script with
the shared token in its header needs none.  Every POST form the site renders carries the token,
put in by the template layer; a browser that has not logged in gets a form-only session cookie
(HttpOnly, SameSite=Strict, Secure over HTTPS), which logs nobody in."""
from __future__ import annotations

import re

import pytest

import staff_register as sr
from tests.web.site_client import SiteClient, page_token

BASE = "http://127.0.0.1:8000"
PASSWORD = "mat-khau-rat-dai"
REFUSED = "thiếu mã xác nhận của phiên làm việc"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("csrf")
    url = f"sqlite:///{tmp}/r.db"
    sr.build(tmp / "files", url)
    return url, tmp


def _app(register, **kw):
    from app.web.main import create_app

    url, tmp = register
    kw.setdefault("intake", tmp / "intake")
    return create_app(db_url=url, today=sr.TODAY, read_uploads=False, **kw)


def _client(app, base=BASE) -> SiteClient:
    return SiteClient(app, base_url=base, headers={"Origin": base})


def _one(url, sql, **params):
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as c:
        return c.execute(text(sql), params).scalar_one()


def _fingerprint(url, intake) -> tuple:
    """Every row of every register table but the sessions', and every file under the intake."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    tables = sorted(t for t in inspect(engine).get_table_names() if t != "web_sessions" and not t.startswith("search"))
    with engine.connect() as c:
        rows = tuple(tuple(map(tuple, c.execute(text(f'SELECT * FROM "{t}"')).all())) for t in tables)
    files = tuple(sorted(str(p.relative_to(intake)) for p in intake.rglob("*"))) if intake.exists() else ()
    return rows, files


def _workbook(client) -> bytes:
    """Công an tỉnh's XLSX from the unit page, its first task marked done."""
    from io import BytesIO

    from openpyxl import load_workbook

    from app.reports import XLSX_COLUMNS

    wb = load_workbook(BytesIO(client.get("/units/export", params={"name": "Công an tỉnh", "format": "xlsx"}).content))
    ws = wb.worksheets[1]
    ws.cell(row=4, column=XLSX_COLUMNS.index("Tình trạng (đơn vị cập nhật)") + 1, value="Đã hoàn thành")
    ws.cell(row=4, column=XLSX_COLUMNS.index("Kết quả thực hiện") + 1, value="Đã xong, báo cáo 7/BC")
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _changes(register, client) -> dict:
    """Each state-changing route of the site -> (its path, the form a clerk's page posts to it)."""
    url, tmp = register
    oid = _one(url, "SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")
    flagged = _one(url, "SELECT id FROM obligations WHERE flags != '[]' ORDER BY id LIMIT 1")
    other = _one(url, "SELECT id FROM obligations WHERE text LIKE 'Tổ chức h_a giải%'")
    doc = _one(url, "SELECT id FROM documents ORDER BY id LIMIT 1")
    (tmp / "intake" / "failed").mkdir(parents=True, exist_ok=True)
    (tmp / "intake" / "failed" / "cu.pdf").write_bytes(b"%PDF-1.4 cut")
    return {
        "/obligations/{oid}/status": (f"/obligations/{oid}/status", {"status": "in_progress"}, None),
        "/review/{oid}/accept": (f"/review/{flagged}/accept", {"next": "/review"}, None),
        "/obligations/{oid}/edit": (f"/obligations/{other}/edit", {"text": "Tổ chức hòa giải ở cơ sở (đã sửa)"}, None),
        "/documents/{doc_id}/edit": (f"/documents/{doc}/edit", {"number": "99/KH-UBND"}, None),
        "/upload": ("/upload", {}, {"file": ("Kế hoạch mới.pdf", b"%PDF-1.4 new", "application/pdf")}),
        "/upload/report": ("/upload/report", {}, {"file": ("ca.xlsx", _workbook(client), "application/octet-stream")}),
        "/intake/retry": ("/intake/retry", {"name": "cu.pdf"}, None),
    }


def _post(c, path, data, files, token):
    form = dict(data) if token is None else {"csrf_token": token, **data}
    return c.post(path, data=form, files=files, csrf=False, follow_redirects=False)


def test_every_change_needs_its_sessions_form_token(register):
    """For each state-changing route: no token, a token from another browser's session, a token
    with no cookie -> 403, the reason in Vietnamese with a next step, the register and the intake
    as they were; the page's own token -> done.  Every POST route of the app is in the list."""
    url, tmp = register
    app = _app(register)
    c, other = _client(app), _client(app)
    changes = _changes(register, c)
    from app.web.main import ROUTERS

    posts = {r.path for router in ROUTERS for r in router.routes
             if "POST" in (getattr(r, "methods", None) or ()) and r.path not in ("/login", "/logout")}
    assert posts == set(changes)                      # a new route must be added here, with its check
    mine, theirs = c.form_token(), other.form_token()
    assert mine != theirs and re.fullmatch(r"[0-9a-f]{64}", mine)
    forged = mine[:-1] + ("1" if mine.endswith("0") else "0")     # one digit off, never the token itself
    for route, (path, data, files) in changes.items():
        before = _fingerprint(url, tmp / "intake")
        stranger = SiteClient(app, base_url=BASE, headers={"Origin": BASE})      # no cookie at all
        for client, token in ((c, None), (c, ""), (c, theirs), (c, forged), (stranger, mine)):
            r = _post(client, path, data, files, token)
            assert r.status_code == 403, (route, token, r.status_code)
            assert REFUSED in r.text and "tải lại trang" in r.text and "Traceback" not in r.text, route
            assert _fingerprint(url, tmp / "intake") == before, (route, token)
        r = _post(c, path, data, files, mine)
        assert r.status_code in (200, 303) and REFUSED not in r.text, (route, r.status_code, r.text[-400:])
        assert _fingerprint(url, tmp / "intake") != before, route
    assert (tmp / "intake" / "Kế hoạch mới.pdf").read_bytes() == b"%PDF-1.4 new"
    assert (tmp / "intake" / "cu.pdf").exists()


def test_every_post_form_carries_the_token_and_only_form_pages_make_a_session(register):
    url, tmp = register
    (tmp / "intake" / "failed").mkdir(parents=True, exist_ok=True)
    (tmp / "intake" / "failed" / "hong.pdf").write_bytes(b"%PDF-1.4 cut")     # the retry button's form
    c = _client(_app(register))
    r = c.get("/")                                      # a search page: no POST form, no session
    assert r.status_code == 200 and "set-cookie" not in r.headers and "csrf_token" not in r.text
    oid = _one(url, "SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")
    pages = ["/upload", "/review", f"/obligations/{oid}", "/intake", "/login"]
    token = None
    for path in pages:
        html = c.get(path).text
        forms = re.findall(r'<form[^>]*method="post"[^>]*>(.{0,200})', html, re.S)
        assert forms, path
        for after in forms:                             # the first field of each, so an upload checks it first
            assert after.startswith('<input type="hidden" name="csrf_token" value="'), (path, after[:80])
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        assert len(tokens) == 1 and (token is None or tokens == {token}), path     # one session, one token
        token = tokens.pop()


@pytest.mark.parametrize("base, secure", [(BASE, False), ("https://127.0.0.1:8443", True)])
def test_the_form_only_session_cookie(register, base, secure):
    c = _client(_app(register), base)
    r = c.get("/upload")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("chidao_session=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert ("Secure" in cookie) == secure
    assert "set-cookie" not in c.get("/review").headers          # the same session from then on
    assert page_token(c.get("/review").text) == page_token(r.text)


def test_a_form_only_session_logs_nobody_in(register):
    """Token mode: the login page gives a form-only session; its token with its cookie still
    cannot change anything (401), and the session is no login."""
    url, tmp = register
    c = _client(_app(register, token="s3cret"))
    oid = _one(url, "SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")
    before = _fingerprint(url, tmp / "intake")
    r = c.post(f"/obligations/{oid}/status", data={"status": "cancelled"}, follow_redirects=False)
    assert r.status_code == 401 and _fingerprint(url, tmp / "intake") == before
    assert "Đã đăng nhập" not in c.get("/login").text


def test_login_and_logout_need_the_token_too(register):
    """No login CSRF: a login form posted from elsewhere (no token) is refused and sets no
    session; the right token logs in, with a new session and a new token (the form-only one is
    ended); logout needs the token as well."""
    url, _ = register
    c = _client(_app(register, token="s3cret"))
    first = c.form_token()
    r = c.post("/login", data={"token": "s3cret", "next": "/"}, csrf=False, follow_redirects=False)
    assert r.status_code == 403 and REFUSED in r.text and "set-cookie" not in r.headers
    r = c.post("/login", data={"token": "s3cret", "next": "/", "csrf_token": "0" * 64}, follow_redirects=False)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    r = c.post("/login", data={"token": "s3cret", "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and "chidao_session=" in r.headers["set-cookie"]
    second = c.form_token()
    assert second != first
    oid = _one(url, "SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")
    stale = c.post(f"/obligations/{oid}/status", data={"status": "in_progress", "csrf_token": first},
                   follow_redirects=False)
    assert stale.status_code == 403                  # the token of the session before the login is dead
    assert c.post("/logout", csrf=False, follow_redirects=False).status_code == 403
    assert "Đã đăng nhập" in c.get("/upload").text
    assert c.post("/logout", follow_redirects=False).status_code == 303
    assert "Đã đăng nhập" not in c.get("/upload").text


def test_a_script_with_the_header_token_needs_no_form_token(register):
    url, tmp = register
    app = _app(register, token="s3cret")
    c = SiteClient(app, base_url=BASE, headers={"Origin": BASE, "X-Chidao-Token": "s3cret"})
    oid = _one(url, "SELECT id FROM obligations WHERE text LIKE 'Triển khai%'")
    r = c.post(f"/obligations/{oid}/status", data={"status": "in_progress", "note": "từ kịch bản"}, csrf=False,
               follow_redirects=False)
    assert r.status_code == 303
    assert _one(url, "SELECT status FROM obligations WHERE id = :o", o=oid) == "in_progress"
    r = c.post("/upload", files={"file": ("kich-ban.pdf", b"%PDF-1.4 script", "application/pdf")}, csrf=False,
               follow_redirects=False)
    assert r.status_code == 303 and (tmp / "intake" / "kich-ban.pdf").exists()
    # a wrong header token is no exemption: no login, so 401
    bad = SiteClient(app, base_url=BASE, headers={"Origin": BASE, "X-Chidao-Token": "wrong"})
    assert bad.post(f"/obligations/{oid}/status", data={"status": "done"}, csrf=False,
                    follow_redirects=False).status_code == 401
