"""The web app's shape: the same URLs as before the split into routers, each served from the
router of its concern, and no function in app/ longer than 120 lines."""
from __future__ import annotations

import ast
from pathlib import Path

from fastapi.routing import APIRoute

ROOT = Path(__file__).resolve().parents[2]
URLS = {
    ("GET", "/"): "search",
    ("GET", "/dashboard"): "dashboard", ("GET", "/tree"): "tree",
    ("GET", "/obligations/{oid}"): "obligations", ("POST", "/obligations/{oid}/status"): "obligations",
    ("GET", "/obligations/{oid}/page.png"): "obligations",
    ("GET", "/documents"): "documents", ("GET", "/documents/{doc_id}"): "documents",
    ("GET", "/documents/{doc_id}/file"): "documents",
    ("GET", "/units"): "units", ("GET", "/units/view"): "units", ("GET", "/units/export"): "units",
    ("GET", "/upload"): "upload", ("POST", "/upload"): "upload", ("POST", "/upload/report"): "upload",
    ("GET", "/intake"): "intake", ("POST", "/intake/retry"): "intake",
    ("GET", "/review"): "review", ("POST", "/review/{oid}/accept"): "review",
    ("POST", "/obligations/{oid}/edit"): "corrections", ("POST", "/documents/{doc_id}/edit"): "corrections",
    ("GET", "/login"): "auth", ("POST", "/login"): "auth", ("POST", "/logout"): "auth",
}


def test_every_url_is_served_by_its_router(tmp_path):
    from fastapi.testclient import TestClient

    from app.web.main import ROUTERS, create_app

    served = {}
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in route.methods - {"HEAD"}:
                served[(method, route.path)] = route.endpoint.__module__.rsplit(".", 1)[-1]
    assert served == URLS
    client = TestClient(create_app(db_url=f"sqlite:///{tmp_path}/r.db", intake=tmp_path / "intake"), base_url="http://127.0.0.1:8000")
    for method, path in URLS:          # each answers from the app (a missing route would be 404/405)
        r = client.request(method, path.format(oid="nope", doc_id="nope"), follow_redirects=False)
        assert r.status_code not in (405, 500), (method, path, r.status_code)
        assert r.status_code != 404 or "Không tìm thấy" in r.text, (method, path)


def test_no_function_in_app_is_over_120_lines():
    long = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 120:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})")
    assert not long, long
