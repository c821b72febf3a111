"""A TestClient that posts forms as a browser does: with the form token of its session
(app/web/deps.py), read from a page the site renders, as a clerk's browser gets it.

    c = SiteClient(app, base_url=BASE, headers={"Origin": BASE})
    c.post("/obligations/1/status", data={"status": "done"})            # the token added
    c.post(..., data={"csrf_token": "forged", ...})                    # the test's own token
    c.post(..., csrf=False)                                            # none at all
"""
from __future__ import annotations

import re

from fastapi.testclient import TestClient

TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]*)">')
SESSION_COOKIE = "chidao_session"


def page_token(html: str) -> str:
    """The form token of the first POST form on a page."""
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class SiteClient(TestClient):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._token: tuple = (None, None)       # (the session cookie it belongs to, the token)

    def form_token(self, page: str = "/login") -> str:
        """The token of this client's session, from PAGE's form (a page every site renders,
        also to someone not logged in); fetched again when the session cookie changed."""
        cookie = self.cookies.get(SESSION_COOKIE)
        if cookie is None or self._token[0] != cookie:
            r = self.get(page)
            assert r.status_code == 200, (page, r.status_code)
            self._token = (self.cookies.get(SESSION_COOKIE), page_token(r.text))
        return self._token[1]

    def post(self, url, *, data=None, files=None, csrf: bool = True, **kw):
        if csrf and kw.get("content") is None and not (isinstance(data, dict) and "csrf_token" in data):
            data = {"csrf_token": self.form_token(), **(data or {})}
        return super().post(url, data=data, files=files, **kw)
