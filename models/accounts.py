"""Accounts for the web page: users with a role, hashed passwords, server-side sessions.

    add_user(session, name="lan", role="editor", units=["Sở Tư pháp"], password="…")
    user = authenticate(session, name="Lan", password="…")       # None when wrong
    token = start_session(session, user)                          # the cookie's random value
    user = session_user(session, token)                           # None when unknown or expired
    end_session(session, token)
    may_change(user.role, user.units, ["Công an tỉnh"])           # editor: only the units given

- Passwords: argon2id through argon2-cffi; only the hash is stored.
- Roles: viewer (reads), editor (changes the tasks of the units given with --unit: a task whose
  lead or support unit resolves to one of them), admin (changes anything).
- Sessions: the cookie holds a random 32-byte value; the table keeps only its sha256, so a copy
  of the table logs nobody in.  A session ends at logout or SESSION_SECONDS after login.
- Form tokens: every session carries a random `csrf` value that each form of the web page sends
  back (app/web/deps.py).  A browser that has not logged in gets a session too, one that only
  carries the form token (`start_session(s, None, logged_in=False)`; session_row ignores it).

    cookie = start_session(session, None, logged_in=False)
    form_token(session, cookie)                                   # its csrf, or None
"""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Iterable, Optional

from sqlalchemy import delete, select
from sqlmodel import Session

from models.db import RegisterError
from models.tables import User, WebSession

ROLES = ("viewer", "editor", "admin")
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD = 8


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def name_key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def _department(unit: str) -> str:
    """The department a unit name means (extractors/units.py), else the name itself, folded."""
    from extractors.keys import unit_key
    from extractors.units import resolve_unit

    r = resolve_unit(unit)
    return unit_key(r.body if r.is_unit and r.body else unit)


def add_user(session: Session, *, name: str, role: str, password: str, units: Iterable[str] = ()) -> User:
    """A new user; RegisterError (Vietnamese) for a bad role, a short password, a taken name,
    an editor without units."""
    name = " ".join((name or "").split())
    units = [" ".join(u.split()) for u in units if u and u.strip()]
    if not name:
        raise RegisterError("tên người dùng không được để trống")
    if role not in ROLES:
        raise RegisterError(f"vai trò «{role}» không có: dùng viewer, editor hoặc admin")
    if role == "editor" and not units:
        raise RegisterError("người sửa (editor) cần ít nhất một đơn vị: thêm --unit \"Tên đơn vị\"")
    if len(password or "") < MIN_PASSWORD:
        raise RegisterError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    if session.execute(select(User).where(User.name_key == name_key(name))).first() is not None:
        raise RegisterError(f"đã có người dùng «{name}»")
    user = User(name=name, name_key=name_key(name), role=role, units=units, password_hash=_hasher().hash(password))
    session.add(user)
    session.commit()
    session.refresh(user)
    return user


def authenticate(session: Session, *, name: str, password: str) -> Optional[User]:
    """The active user NAME when PASSWORD is theirs, else None (the same work either way)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    row = session.execute(select(User).where(User.name_key == name_key(name))).scalar_one_or_none()
    hasher = _hasher()
    stored = row.password_hash if row is not None and row.active else hasher.hash("not-a-user-" + secrets.token_hex(4))
    try:
        hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return row if row is not None and row.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: Optional[User], *, seconds: float = SESSION_SECONDS,
                  logged_in: bool = True) -> str:
    """A new session for USER (None: logged in with the shared token; or, with logged_in=False,
    a browser that has not logged in, whose session only carries a form token); returns the
    cookie's value (never stored as is)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.add(WebSession(id=_digest(token), user_id=user.id if user and logged_in else None,
                           csrf=secrets.token_hex(32), logged_in=logged_in, created_at=now, expires_at=now + seconds))
    session.commit()
    return token


def form_token(session: Session, token: Optional[str]) -> Optional[str]:
    """The form (CSRF) token of the live session whose cookie is TOKEN, logged in or not; None
    when there is no such session (unknown or expired)."""
    if not token:
        return None
    row = session.get(WebSession, _digest(token))
    if row is None or row.expires_at < time.time():
        return None
    return row.csrf


def session_row(session: Session, token: Optional[str]) -> Optional[tuple[WebSession, Optional[User]]]:
    """(the live session, its user: None for a shared-token login), or None when the session is
    unknown, expired, not a login (a form-only session), or its user is gone or disabled."""
    if not token:
        return None
    row = session.get(WebSession, _digest(token))
    if row is None or row.expires_at < time.time() or not row.logged_in:
        return None
    if row.user_id is None:
        return row, None
    user = session.get(User, row.user_id)
    return (row, user) if user is not None and user.active else None


def session_user(session: Session, token: Optional[str]) -> Optional[User]:
    found = session_row(session, token)
    return found[1] if found else None


def end_session(session: Session, token: Optional[str]) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.id == _digest(token)))
        session.commit()


def may_change(role: str, mine: Iterable[str], units: Iterable[str]) -> bool:
    """Whether someone of ROLE whose units are MINE may change a task whose lead and support
    units are UNITS: an admin anything, an editor a task one of whose units is (or resolves to
    the department of) one of theirs, a viewer nothing."""
    if role == "admin":
        return True
    if role != "editor":
        return False
    own = {_department(u) for u in mine}
    return any(_department(u) in own for u in units)
