"""Accounts and roles on the web page (issue 15): `chidao user add`, server-side sessions,
logout and expiry, login back-off, an editor limited to their units, the history naming the
user, the shared token for scripts (header only), reading behind a login off loopback."""
from __future__ import annotations

import pytest
from tests.web.site_client import SiteClient
from typer.testing import CliRunner

import staff_register as sr

BASE = "http://127.0.0.1:8000"
PASSWORD = "mat-khau-rat-dai"
CAT_ONLY = "Cấp tài khoản định danh%"          # lead: Công an tỉnh only
STP_OWN = "Tổ chức h_a giải%"                  # lead: Sở Tư pháp


@pytest.fixture
def register(tmp_path):
    from app.cli import app

    url = f"sqlite:///{tmp_path}/r.db"
    sr.build(tmp_path / "files", url)
    for name, role, units in (("lan", "editor", ["Sở Tư pháp"]), ("minh", "viewer", []), ("an", "admin", [])):
        args = ["--db", url, "user", "add", name, "--role", role, "--password-stdin"]
        for u in units:
            args += ["--unit", u]
        r = CliRunner().invoke(app, args, input=PASSWORD + "\n")
        assert r.exit_code == 0 and r.output.startswith(f"Đã thêm người dùng «{name}» ({role}"), r.output
    return url, tmp_path


def _client(register, **kw) -> SiteClient:
    from app.web.main import create_app

    url, tmp = register
    base = kw.pop("base", BASE)
    return SiteClient(create_app(db_url=url, intake=tmp / "intake", today=sr.TODAY, **kw), base_url=base,
                      headers={"Origin": base})


def _oid(url, like) -> str:
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as c:
        return c.execute(text("SELECT id FROM obligations WHERE text LIKE :l"), {"l": like}).scalar_one()


def _login(c, name, password=PASSWORD):
    return c.post("/login", data={"name": name, "password": password, "next": "/"}, follow_redirects=False)


@pytest.mark.parametrize("args, line", [
    (["user", "add", "x", "--role", "boss"], "error: vai trò «boss» không có: dùng viewer, editor hoặc admin"),
    (["user", "add", "x", "--role", "editor"], 'error: người sửa (editor) cần ít nhất một đơn vị'),
    (["user", "add", "lan", "--role", "viewer"], "error: đã có người dùng «lan»"),
])
def test_user_add_refuses_clearly(register, args, line):
    from app.cli import app

    r = CliRunner().invoke(app, ["--db", register[0], *args, "--password-stdin"], input=PASSWORD + "\n")
    assert r.exit_code == 2 and r.output.startswith(line), r.output


def test_short_password_refused(register):
    from app.cli import app

    r = CliRunner().invoke(app, ["--db", register[0], "user", "add", "x", "--role", "viewer", "--password-stdin"],
                           input="ngan\n")
    assert r.exit_code == 2 and "mật khẩu cần ít nhất 8 ký tự" in r.output


def test_passwords_are_hashed(register):
    from sqlalchemy import create_engine, text

    with create_engine(register[0]).connect() as c:
        hashes = [h for (h,) in c.execute(text("SELECT password_hash FROM users"))]
    assert len(hashes) == 3 and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


# who -> (task, answer)
ROLES = [
    (None, STP_OWN, 401),
    ("minh", STP_OWN, 403),             # a viewer changes nothing
    ("lan", CAT_ONLY, 403),             # an editor of Sở Tư pháp: not a Công an tỉnh task
    ("lan", STP_OWN, 303),
    ("an", CAT_ONLY, 303),              # an admin: anything
]


@pytest.mark.parametrize("who, task, status", ROLES)
def test_roles(register, who, task, status):
    from sqlalchemy import create_engine, text

    url, _ = register
    c = _client(register)
    if who:
        assert _login(c, who).status_code == 303
    oid = _oid(url, task)
    r = c.post(f"/obligations/{oid}/status", data={"status": "done", "who": "Ai đó khác"}, follow_redirects=False)
    assert r.status_code == status
    with create_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT who, status FROM status_history WHERE obligation_id = :o"), {"o": oid}).all()
    assert rows == ([(who, "done")] if status == 303 else [])        # the history names the account


def test_session_cookie_logout_and_expiry(register):
    from sqlmodel import Session

    from models.accounts import add_user, session_user, start_session
    from models.db import init_db

    c = _client(register, base="https://127.0.0.1:8443")
    r = _login(c, "lan")
    cookie = r.headers["set-cookie"]
    assert "chidao_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" in cookie
    sid = r.cookies["chidao_session"]
    assert PASSWORD not in cookie and len(sid) >= 40
    oid = _oid(register[0], STP_OWN)
    assert c.post(f"/obligations/{oid}/status", data={"status": "in_progress"}, follow_redirects=False).status_code == 303
    assert c.post("/logout", follow_redirects=False).status_code == 303
    c.cookies.set("chidao_session", sid)                 # the old cookie, kept by an attacker: dead
    assert c.post(f"/obligations/{oid}/status", data={"status": "done"}, follow_redirects=False).status_code == 401
    with Session(init_db(register[0])) as s:
        user = add_user(s, name="tam", role="admin", password=PASSWORD)
        assert session_user(s, start_session(s, user, seconds=-1)) is None          # expired


def test_wrong_passwords_are_slowed_down(register):
    c = _client(register)
    answers = [_login(c, "lan", "sai-mat-khau").status_code for _ in range(20)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    r = _login(c, "lan")                                  # even the right one must wait now
    assert r.status_code == 429 and "hãy chờ" in r.text
    assert _login(c, "an").status_code == 303             # another name is not held up


def test_off_loopback_reading_needs_a_login_and_the_token_is_header_only(register):
    c = _client(register, host="0.0.0.0", token="s3cret-token")
    for path in ("/", "/units/export?name=C%C3%B4ng+an+t%E1%BB%89nh&format=xlsx", f"/obligations/{_oid(register[0], STP_OWN)}"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        assert c.get(path, headers={"X-Chidao-Token": "s3cret-token"}).status_code == 200
    assert c.get("/login").status_code == 200
    r = c.post("/login", data={"token": "s3cret-token", "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and "s3cret-token" not in r.headers["set-cookie"]     # a session id, not the token
    assert c.get("/", follow_redirects=False).status_code == 200
