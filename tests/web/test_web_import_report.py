"""The web's round trip: a filled-in unit XLSX uploaded on /upload lands in the history."""
from __future__ import annotations

import pytest
from tests.web.site_client import SiteClient

import staff_register as sr

BASE = "http://127.0.0.1"


@pytest.fixture
def site(tmp_path):
    url = f"sqlite:///{tmp_path}/r.db"
    sr.build(tmp_path / "files", url)
    return url, tmp_path


def client_for(url, tmp_path) -> SiteClient:
    from app.web.main import create_app

    app = create_app(db_url=url, intake=tmp_path / "intake", today=sr.TODAY)
    return SiteClient(app, base_url=BASE, headers={"Origin": BASE})


def filled_workbook(client, tmp_path, status="Đã hoàn thành", report="Đã xong", every=False) -> tuple[bytes, list[str]]:
    """Công an tỉnh's XLSX from the unit page, its first task filled in, one row with an unknown id."""
    from io import BytesIO

    from openpyxl import load_workbook

    from app.reports import XLSX_COLUMNS

    r = client.get("/units/export", params={"name": "Công an tỉnh", "format": "xlsx"})
    assert r.status_code == 200, r.text
    wb = load_workbook(BytesIO(r.content))
    ws = wb.worksheets[1]
    col = {t: XLSX_COLUMNS.index(t) + 1 for t in XLSX_COLUMNS}
    ids = [ws.cell(row=row, column=col["Mã nhiệm vụ"]).value for row in range(4, ws.max_row + 1)]
    for row in range(4, 4 + (len(ids) if every else 1)):
        ws.cell(row=row, column=col["Tình trạng (đơn vị cập nhật)"], value=status)
        ws.cell(row=row, column=col["Kết quả thực hiện"], value=report)
    ws.cell(row=4 + len(ids), column=col["Mã nhiệm vụ"], value="khongcoma0000000")
    ws.cell(row=4 + len(ids), column=col["Kết quả thực hiện"], value="?")
    out = BytesIO()
    wb.save(out)
    return out.getvalue(), ids


def test_upload_a_filled_workbook(site):
    from models.queries import history
    from models.register import open_session
    from models.tables import Obligation

    url, tmp = site
    client = client_for(url, tmp)
    assert 'href="/upload#report"' in client.get("/units/view", params={"name": "Công an tỉnh"}).text
    assert 'action="/upload/report"' in client.get("/upload").text
    data, ids = filled_workbook(client, tmp)
    r = client.post("/upload/report", files={"file": ("ca.xlsx", data, "application/octet-stream")})
    assert r.status_code == 200, r.text
    assert "Đã cập nhật 1 nhiệm vụ" in r.text and "khongcoma0000000" in r.text
    assert "Mã nhiệm vụ không có trong sổ theo dõi" in r.text
    with open_session(url) as s:
        assert s.get(Obligation, ids[0]).status == "done"
        assert history(s, obligation_id=ids[0])[-1].note == "Đã xong"
    r = client.post("/upload/report", files={"file": ("x.xlsx", b"not a workbook", "application/octet-stream")})
    assert r.status_code == 400 and "không đọc được" in r.text
    assert client.post("/upload/report", files={"file": ("x.xlsx", data)}, headers={"Origin": "http://evil.example"}).status_code == 403


def test_an_editor_updates_only_their_units_tasks(site):
    from models.accounts import add_user
    from models.register import open_session
    from models.tables import Obligation

    url, tmp = site
    client = client_for(url, tmp)
    data, ids = filled_workbook(client, tmp, status="Đang thực hiện", every=True)
    with open_session(url) as s:
        add_user(s, name="lan", role="editor", password="mat-khau-dai-1234", units=["Sở Tư pháp"])
        theirs = {i for i in ids if "Sở Tư pháp" in [*s.get(Obligation, i).lead_units, *s.get(Obligation, i).support_units]}
    assert theirs and theirs != set(ids)
    r = client.post("/login", data={"name": "lan", "password": "mat-khau-dai-1234", "next": "/"}, follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    r = client.post("/upload/report", files={"file": ("ca.xlsx", data)})
    assert r.status_code == 200 and f"Đã cập nhật {len(theirs)} nhiệm vụ" in r.text, r.text
    assert r.text.count("tài khoản này không được cập nhật") == len(ids) - len(theirs)
    with open_session(url) as s:
        assert {i for i in ids if s.get(Obligation, i).status == "in_progress"} == theirs
