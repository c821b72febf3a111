"""Reminders by e-mail, against a real SMTP server on loopback (aiosmtpd, its own process,
storing what it receives in a Maildir): the right departments get the right tasks (7/3/1 days,
overdue, a recurring task's next occurrence), in Vietnamese, with their XLSX attached; a second
run the same day sends nothing; a department with no address is reported, not skipped."""
from __future__ import annotations

import datetime as dt
import io
import mailbox
import os
import socket
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.staff.staff_register import make_obligation, processed, write_pdf

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "app.cli"]
TODAY = dt.date(2025, 3, 10)           # a Monday


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd as a separate process; yields (port, Maildir)."""
    box = tmp_path / "maildir"
    port = _free_port()
    p = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                          "-c", "aiosmtpd.handlers.Mailbox", str(box)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert p.poll() is None, p.stdout.read().decode()
                time.sleep(0.2)
        yield port, box
    finally:
        p.terminate()
        p.wait(20)


def reminder_register(tmp: Path, url: str) -> dict:
    """Tasks placed around TODAY: due in 1, 3 (2 days), 7 (6 days) and 20 days, overdue, a
    monthly report whose next occurrence is in 5 days, one done."""
    from models.register import ingest_processed, open_session

    tmp.mkdir(parents=True, exist_ok=True)
    pdf = write_pdf(tmp / "kh-9.pdf", [["KẾ HOẠCH số 9/KH-UBND", "Nhắc việc"]])
    d = lambda n: TODAY + dt.timedelta(days=n)  # noqa: E731
    obligations = [
        make_obligation("Nộp báo cáo an ninh mạng", lead=["Công an tỉnh"], ref="1", due=d(1)),
        make_obligation("Rà soát dữ liệu dân cư", lead=["Công an tỉnh"], support=["Sở Tư pháp"], ref="2", due=d(2)),
        make_obligation("Tổ chức hội nghị sơ kết", lead=["Công an tỉnh"], ref="3", due=d(6)),
        make_obligation("Xây dựng đề án năm sau", lead=["Công an tỉnh"], ref="4", due=d(20)),
        make_obligation("Hoàn thành cấp căn cước", lead=["Công an tỉnh"], ref="5", due=d(-4)),
        make_obligation("Báo cáo tiến độ hằng tháng", lead=["Sở Tư pháp"], ref="6", recurrence="monthly", day=15),
        make_obligation("Chuẩn hóa hộ tịch", lead=["Sở Y tế"], ref="7", due=d(3)),
    ]
    with open_session(url) as s:
        ingest_processed(s, processed(pdf, number="9/KH-UBND", type_="Kế hoạch", title="Kế hoạch nhắc việc",
                                      issued_on=dt.date(2025, 1, 2), obligations=obligations))
    with open_session(url) as s:
        from models.queries import list_obligations

        return {o.ref: o.id for o in list_obligations(s)}


def remind_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def received_mails(box: Path) -> list:
    if not box.exists():
        return []
    md = mailbox.Maildir(str(box))
    return [BytesParser(policy=policy.default).parsebytes(md.get_bytes(k)) for k in md.keys()]  # the bytes as received


def test_reminders_go_to_the_right_departments_once(tmp_path, db_url, smtp_server):
    port, box = smtp_server
    ids = reminder_register(tmp_path / "files", db_url)
    env = {**os.environ, "CHIDAO_DB": db_url, "CHIDAO_SMTP_HOST": "127.0.0.1", "CHIDAO_SMTP_PORT": str(port),
           "CHIDAO_SMTP_SENDER": "nhacviec@example.gov.vn", "CHIDAO_WEB_URL": "https://chidao.example.gov.vn"}
    env.pop("PREFECT_API_URL", None)
    # The office's list: a CSV with a printed variant and an abbreviation; Sở Y tế has no address.
    csv = tmp_path / "dia-chi.csv"
    csv.write_text("unit,email\nCA tỉnh,congan@example.gov.vn\nGiám đốc Sở Tư pháp,stp@example.gov.vn\n", encoding="utf-8")
    out = remind_cli("unit", "email", "--import", str(csv), env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["Công an tỉnh: congan@example.gov.vn", "Sở Tư pháp: stp@example.gov.vn"]

    # --dry-run: what would be sent, nothing sent, nothing logged
    dry = remind_cli("remind", "--today", TODAY.isoformat(), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "Tiêu đề: [Nhắc việc] Công an tỉnh: 1 nhiệm vụ quá hạn, 3 nhiệm vụ sắp đến hạn (ngày 10/03/2025)" in dry.stdout
    assert "Sở Y tế" in dry.stderr and 'chidao unit email "Sở Y tế"' in dry.stderr
    assert received_mails(box) == []

    first = remind_cli("remind", "--today", TODAY.isoformat(), env=env)
    # Sở Y tế has a task due and no address: reported, exit 1, with the command that fixes it
    assert first.returncode == 1, first.stdout + first.stderr
    assert ('chưa có địa chỉ: Sở Y tế (1 nhắc việc chưa gửi); thêm địa chỉ rồi chạy lại: '
            'chidao unit email "Sở Y tế" DIA-CHI@example.gov.vn') in first.stderr
    mails = {m["To"]: m for m in received_mails(box)}
    assert set(mails) == {"congan@example.gov.vn", "stp@example.gov.vn"}
    ca, stp = mails["congan@example.gov.vn"], mails["stp@example.gov.vn"]
    assert ca["Subject"] == "[Nhắc việc] Công an tỉnh: 1 nhiệm vụ quá hạn, 3 nhiệm vụ sắp đến hạn (ngày 10/03/2025)"
    assert ca["From"] == "nhacviec@example.gov.vn"
    text = ca.get_body(("plain",)).get_content()
    sections = {title: text.split(title, 1)[1].split("\n\n", 1)[0] for title in (
        "NHIỆM VỤ QUÁ HẠN (1)", "ĐẾN HẠN TRONG 1 NGÀY (1)", "ĐẾN HẠN TRONG 3 NGÀY (1)", "ĐẾN HẠN TRONG 7 NGÀY (1)")}
    assert "Hoàn thành cấp căn cước" in sections["NHIỆM VỤ QUÁ HẠN (1)"]
    assert "quá hạn 4 ngày (hạn 06/03/2025)" in sections["NHIỆM VỤ QUÁ HẠN (1)"]
    assert "Nộp báo cáo an ninh mạng" in sections["ĐẾN HẠN TRONG 1 NGÀY (1)"]
    assert "Rà soát dữ liệu dân cư" in sections["ĐẾN HẠN TRONG 3 NGÀY (1)"]
    assert "Tổ chức hội nghị sơ kết" in sections["ĐẾN HẠN TRONG 7 NGÀY (1)"]
    assert "Xây dựng đề án năm sau" not in text            # 20 days away: not yet
    assert f"https://chidao.example.gov.vn/obligations/{ids['5']}" in text
    assert "https://chidao.example.gov.vn/units/view?name=C%C3%B4ng+an+t%E1%BB%89nh" in text
    [xlsx] = list(ca.iter_attachments())
    assert xlsx.get_filename() == "nhiem-vu-cong-an-tinh-2025-03-10.xlsx"
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.get_content())).worksheets[1]     # after the index sheet
    cells = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert all(t in cells for t in ("Hoàn thành cấp căn cước", "Nộp báo cáo an ninh mạng", "Tổ chức hội nghị sơ kết"))
    assert "Xây dựng đề án năm sau" not in cells
    # Sở Tư pháp: the task it supports (3 days) and its monthly report's next occurrence (the 15th: 5 days)
    st = stp.get_body(("plain",)).get_content()
    assert stp["Subject"] == "[Nhắc việc] Sở Tư pháp: 2 nhiệm vụ sắp đến hạn (ngày 10/03/2025)"
    assert "Rà soát dữ liệu dân cư" in st and "vai trò: phối hợp" in st
    assert "Báo cáo tiến độ hằng tháng" in st.split("ĐẾN HẠN TRONG 7 NGÀY (1)", 1)[1]
    assert "còn 5 ngày (hạn 15/03/2025)" in st

    # The same day again: nothing new to send
    again = remind_cli("remind", "--today", TODAY.isoformat(), env=env)
    assert len(received_mails(box)) == 2, again.stdout + again.stderr
    assert "Sở Y tế" in again.stderr          # still reported until it has an address
    # The next day: only what moved into a smaller window goes out (the task due on the 12th
    # moves from 3 days to 1, for both departments); the rest was said already.
    remind_cli("remind", "--today", (TODAY + dt.timedelta(days=1)).isoformat(), env=env)
    new = [m for m in received_mails(box) if m["Subject"].endswith("(ngày 11/03/2025)")]
    assert sorted(m["To"] for m in new) == ["congan@example.gov.vn", "stp@example.gov.vn"]
    ca2 = next(m for m in new if m["To"] == "congan@example.gov.vn").get_body(("plain",)).get_content()
    assert "Rà soát dữ liệu dân cư" in ca2.split("ĐẾN HẠN TRONG 1 NGÀY", 1)[1]
    assert "Hoàn thành cấp căn cước" not in ca2 and "Tổ chức hội nghị sơ kết" not in ca2


def test_remind_without_a_mail_server_says_what_to_set(tmp_path, db_url):
    reminder_register(tmp_path / "files", db_url)
    env = {**os.environ, "CHIDAO_DB": db_url}
    for k in ("CHIDAO_SMTP_HOST", "PREFECT_API_URL"):
        env.pop(k, None)
    assert remind_cli("unit", "email", "Công an tỉnh", "congan@example.gov.vn", env=env).returncode == 0
    out = remind_cli("remind", "--today", TODAY.isoformat(), env=env)
    assert out.returncode == 2
    assert "export CHIDAO_SMTP_HOST=" in out.stderr and "chidao remind --dry-run" in out.stderr
    bad = remind_cli("unit", "email", "Phòng không tồn tại", "x@example.gov.vn", env=env)
    assert bad.returncode == 2 and "không phải tên một cơ quan" in bad.stderr


def test_the_example_address_list_imports(tmp_path):
    env = {**os.environ, "CHIDAO_DB": f"sqlite:///{tmp_path / 'r.db'}"}
    out = remind_cli("unit", "email", "--import", str(ROOT / "docs" / "unit_emails.example.csv"), env=env)
    assert out.returncode == 0, out.stderr
    listed = remind_cli("unit", "email", env=env).stdout.splitlines()
    assert "Công an tỉnh: congan@example.gov.vn" in listed and len(listed) == 7
