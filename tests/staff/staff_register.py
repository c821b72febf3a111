"""A small register for the staff-facing tests (search, owes, reports, web), built through the
register's own ingest API from typed objects (no OCR: the extractors have their own tests).

TODAY is fixed so overdue and next occurrences do not depend on the day the suite runs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from extractors.pipeline import Processed
from extractors.types import (
    Block, Citation, Deadline, Directive, Document, Extraction, Header, Obligation, Page,
)

TODAY = dt.date(2025, 1, 15)
SCRIPT_TEXT = 'Kiểm tra <script>alert("x")</script> <b>đậm</b> & bảo mật'


def write_pdf(path: Path, lines_per_page: list[list[str]]) -> Path:
    """A small digital PDF with Vietnamese text (DejaVu), one list of lines per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in lines_per_page:
        c.setFont("DejaVuSans", 12)
        y = A4[1] - 72
        for line in lines:
            c.drawString(72, y, line)
            y -= 20
        c.showPage()
    c.save()
    return path


def make_obligation(text, lead=(), support=(), ref=None, page=1, due=None, recurrence=None, day=None, raw=None, flags=(),
        bbox=None):
    deadline = None
    if due or recurrence or raw:
        deadline = Deadline(raw=raw or (due.strftime("%d/%m/%Y") if due else recurrence), due=due,
                            recurrence=recurrence, day=day)
    return Obligation(text=text, lead_units=list(lead), support_units=list(support), ref=ref, page=page,
                      deadline=deadline, flags=list(flags), bbox=bbox)


def processed(path: Path, *, number, type_, title, issuer="Ủy ban nhân dân tỉnh Bình Định", issued_on=None,
              obligations=(), citations=(), programme=None, pages=1) -> Processed:
    data = path.read_bytes()
    doc = Document(path=str(path), source_file=path.name, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                   kind="pdf", pages=[Page(number=i + 1, width=595.3, height=841.9,
                                           blocks=[Block(text=title, page=i + 1)]) for i in range(pages)])
    header = Header(number=number, type=type_, title=title, issuer=issuer, issued_on=issued_on)
    directive = Directive(document=doc, header=header, citations=list(citations), programme=programme)
    return Processed(doc, directive, Extraction(obligations=list(obligations)))


def build(tmp: Path, url: str) -> dict:
    """Ingest three documents into the register at `url`; returns {name: document id}."""
    from models.register import ingest_processed, open_session

    tmp.mkdir(parents=True, exist_ok=True)
    kh = write_pdf(tmp / "kh-45-ubnd.pdf", [
        ["KẾ HOẠCH số 45/KH-UBND", "Triển khai định danh và xác thực điện tử cho người dân"],
        ["Trang hai", "Báo cáo kết quả định kỳ ngày 22 hằng tháng"],
    ])
    cv = write_pdf(tmp / "cv-12-ubnd-vx.pdf", [["CÔNG VĂN số 12/UBND-VX", "Về dinh danh dien tu"]])
    ct = write_pdf(tmp / "ct-08-tu.pdf", [["CHỈ THỊ số 08-CT/TU", "Về công tác y tế"]])
    docs = [
        processed(kh, number="45/KH-UBND", type_="Kế hoạch", title="Kế hoạch thực hiện Đề án 06 năm 2024",
                  issued_on=dt.date(2024, 2, 20), programme="06/QĐ-TTg", pages=2,
                  citations=[Citation(number="06/QĐ-TTg", type="Quyết định", relation="implements")],
                  obligations=[
                      make_obligation("Triển khai định danh và xác thực điện tử cho người dân trên địa bàn tỉnh",
                          lead=["Công an tỉnh"], support=["Sở Tư pháp"], ref="PL.1", page=1,
                          due=dt.date(2024, 3, 31), bbox=(72.0, 90.0, 400.0, 110.0)),
                      make_obligation("Báo cáo kết quả thực hiện Đề án 06 về Công an tỉnh",
                          lead=["Ủy ban nhân dân các huyện, thị xã, thành phố"], ref="PL.2", page=2,
                          recurrence="monthly", day=22, raw="Ngày 22 hằng tháng"),
                      make_obligation("Tổ chức hoà giải ở cơ sở gắn với định danh điện tử", lead=["Sở Tư pháp"],
                          support=["Công an tỉnh"], ref="PL.3", page=2, due=dt.date(2030, 12, 31)),
                      make_obligation("Phát triển hòa nhập cộng đồng, thường xuyên tuyên truyền", lead=["Sở Văn hóa và Thể thao"],
                          ref="PL.4", page=2, recurrence="ongoing", raw="Thường xuyên"),
                      make_obligation(SCRIPT_TEXT, lead=["Văn phòng Ủy ban nhân dân tỉnh"], ref="PL.5", page=2,
                          due=dt.date(2025, 2, 10)),
                  ]),
        processed(cv, number="12/UBND-VX", type_="Công văn", title="Về việc đẩy nhanh định danh điện tử",
                  issued_on=dt.date(2024, 6, 1),
                  citations=[Citation(number="45/KH-UBND", type="Kế hoạch", relation="basis")],
                  obligations=[
                      make_obligation("Cấp tài khoản định danh điện tử mức độ 2 cho cán bộ, công chức",
                          lead=["Công an tỉnh"], ref="1", page=1, due=dt.date(2025, 1, 31)),
                      make_obligation("Hướng dẫn người dân cài đặt ứng dụng VNeID", lead=["Ủy ban nhân dân huyện Tuy Phước"],
                          ref="2", page=1, due=dt.date(2025, 1, 10)),
                  ]),
        processed(ct, number="08-CT/TU", type_="Chỉ thị", title="Về tăng cường công tác y tế cơ sở",
                  issuer="Tỉnh ủy Bình Định", issued_on=dt.date(2024, 9, 9),
                  obligations=[
                      make_obligation("Nâng cao chất lượng khám chữa bệnh tuyến xã", lead=["Sở Y tế"], ref="3", page=1,
                          due=dt.date(2024, 12, 31), flags=["deadline-before-document"]),
                      make_obligation("Kiểm tra an toàn thực phẩm", lead=["Sở Y tế"], ref="4", page=1,
                          due=dt.date(2024, 11, 30)),
                  ]),
    ]
    ids = {}
    with open_session(url) as session:
        for name, p in zip(("kh", "cv", "ct"), docs):
            out = ingest_processed(session, p, source_path=p.document.path)
            assert out.status == "new", out.message
            ids[name] = out.document_id
        # One finished task, through the register's own status API when it has one.
        from sqlalchemy import text
        oid = session.execute(text("SELECT id FROM obligations WHERE text LIKE 'Kiểm tra an toàn%'")).scalar_one()
        _set_status(session, oid, "done", "Đã kiểm tra xong")
    return ids


def _set_status(session, oid, status, note):
    from models import register

    fn = getattr(register, "set_status", None)
    if fn is None:
        from sqlalchemy import text
        session.execute(text("UPDATE obligations SET status = :s WHERE id = :i"), {"s": status, "i": oid})
        session.commit()
        return
    fn(session, obligation_id=oid, status=status, note=note, who="test")
