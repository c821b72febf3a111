"""Small input files for the reading tests, generated on the fly (reportlab, python-docx,
Pillow) so the tests need nothing from outside the repository."""
from __future__ import annotations

from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"

BODY = (
    "Thời gian qua, việc triển khai thực hiện Đề án phát triển ứng dụng dữ liệu về dân cư "
    "đã đạt được những kết quả tích cực; nhận thức của cán bộ, công chức được nâng lên."
)


def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "DejaVuSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSerif", FONT))
        pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", FONT_BOLD))


def header_pdf(path: Path) -> Path:
    """A directive's first page: issuer left, motto right, title, body, a stamp at an angle."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    c.setFont("DejaVuSerif-Bold", 12)
    c.drawCentredString(140, h - 60, "ỦY BAN NHÂN DÂN")
    c.drawCentredString(400, h - 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    c.drawCentredString(140, h - 76, "TỈNH BÌNH ĐỊNH")
    c.drawCentredString(400, h - 76, "Độc lập - Tự do - Hạnh phúc")
    c.setFont("DejaVuSerif", 12)
    c.drawCentredString(140, h - 100, "Số: 15/CT-UBND")
    c.drawCentredString(400, h - 100, "Bình Định, ngày 05 tháng 01 năm 2024")
    c.setFont("DejaVuSerif-Bold", 14)
    c.drawCentredString(w / 2, h - 140, "CHỈ THỊ")
    c.setFont("DejaVuSerif", 12)
    c.drawCentredString(w / 2, h - 158, "Về việc tăng cường công tác chuyển đổi số")
    y = h - 200
    for k in range(6):
        c.drawString(70, y, "Các sở, ban, ngành tỉnh tập trung triển khai thực hiện tốt nhiệm vụ được giao;")
        y -= 18
    # An incoming-mail stamp drawn at an angle over the page: not the document's text.
    c.saveState()
    c.translate(420, h - 250)
    c.rotate(8)
    c.setFillColorRGB(0.1, 0.1, 0.6)
    c.setFont("DejaVuSerif-Bold", 10)
    c.drawString(0, 0, "ĐẾN Số: 1529 Ngày: 10/5/23")
    c.restoreState()
    c.showPage()
    c.save()
    return path


TABLE_HEADER = ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"]
COLS = [35, 190, 100, 100, 115]


def _draw_row(c, x0: float, top: float, height: float, texts: list[list[str]], *, bold=False, span=False) -> None:
    widths = COLS if not span else [sum(COLS)]
    x = x0
    c.setFont("DejaVuSerif-Bold" if bold else "DejaVuSerif", 9)
    for wdt, lines in zip(widths, texts):
        c.rect(x, top - height, wdt, height, stroke=1, fill=0)
        yy = top - 12
        for ln in lines:
            c.drawString(x + 3, yy, ln)
            yy -= 11
        x += wdt


def table_pdf(path: Path) -> Path:
    """A plan's appendix over two pages: header repeated on page 2, a section row, and
    task 3 continuing onto page 2 with an empty STT cell."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    x0 = 30
    c.setFont("DejaVuSerif-Bold", 12)
    c.drawCentredString(w / 2, h - 50, "PHỤ LỤC")
    top = h - 80
    _draw_row(c, x0, top, 24, [[t] for t in TABLE_HEADER], bold=True)
    top -= 24
    _draw_row(c, x0, top, 20, [["I. VỀ CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH (03 NHIỆM VỤ)"]], bold=True, span=True)
    top -= 20
    tasks = [
        ("1", ["Xây dựng kế hoạch kiểm tra,", "giám sát việc triển khai"], "Công an tỉnh", "Các sở, ngành", "Tháng 02/2024"),
        ("2", ["Rà soát, đánh giá kết quả", "thực hiện các nhiệm vụ"], "Sở Nội vụ", "Công an tỉnh", "Quý I/2024"),
    ]
    for stt, lines, lead, sup, due in tasks:
        _draw_row(c, x0, top, 36, [[stt], lines, [lead], [sup], [due]])
        top -= 36
    # Task 3 starts here, at the bottom of page 1 ...
    _draw_row(c, x0, top, 24, [["3"], ["Tổ chức tập huấn, hướng dẫn"], ["Sở Tư pháp"], ["UBND các huyện"], ["Trong năm"]])
    c.showPage()
    # ... and continues on page 2 under a repeated header.
    top = h - 50
    _draw_row(c, x0, top, 24, [[t] for t in TABLE_HEADER], bold=True)
    top -= 24
    _draw_row(c, x0, top, 24, [[""], ["cho cán bộ, công chức cấp xã"], [""], [""], ["2024"]])
    top -= 24
    _draw_row(c, x0, top, 20, [["II. VỀ CÔNG TÁC TUYÊN TRUYỀN"]], bold=True, span=True)
    top -= 20
    _draw_row(c, x0, top, 24, [["4"], ["Tuyên truyền về Đề án 06"], ["Sở Văn hóa"], ["Báo Bình Định"], ["Thường xuyên"]])
    top -= 24
    c.setFont("DejaVuSerif", 12)
    c.drawString(70, top - 40, "Trên đây là Kế hoạch thực hiện nhiệm vụ năm 2024 của tỉnh.")
    c.showPage()
    c.save()
    return path


def text_pdf(path: Path, pages: int = 1, lines_per_page: int = 30, text: str = BODY[:80]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    _, h = A4
    for p in range(pages):
        c.setFont("DejaVuSerif", 11)
        y = h - 60
        for k in range(lines_per_page):
            c.drawString(60, y, text)
            y -= 15
        c.drawString(290, 30, str(p + 1))
        c.showPage()
    c.save()
    return path


def spaced_pdf(path: Path) -> Path:
    """A layer of letters separated by spaces ("C h ỉ  t h ị ...")."""
    spaced = "  ".join(" ".join(word) for word in "Chỉ thị về việc tăng cường công tác".split())
    return text_pdf(path, lines_per_page=12, text=spaced)


def image_only_pdf(path: Path, stamp: str | None = "Ký bởi: Ủy ban nhân dân tỉnh Thời gian ký: 18.03.2024 09:41:42") -> Path:
    """A 'scanned' page: a picture of text, and at most a digital-signature stamp as text."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _fonts()
    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 36)
    for k in range(10):
        d.text((120, 150 + 60 * k), "Các sở, ban, ngành tỉnh thực hiện", font=f, fill=0)
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    c.drawImage(ImageReader(img), 0, 0, w, h)
    if stamp:
        c.setFont("DejaVuSerif", 7)
        c.drawString(380, h - 30, stamp)
    c.showPage()
    c.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption("secret-user", "secret-owner", canPrint=0)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.drawString(100, 700, "secret")
    c.showPage()
    c.save()
    return path


def no_pages_pdf(path: Path) -> Path:
    """A syntactically valid PDF whose page tree is empty."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def sample_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    hdr = d.add_table(rows=2, cols=2)
    hdr.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG"
    hdr.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    hdr.cell(1, 0).text = "Số: /KH-UBND"
    hdr.cell(1, 1).text = "Lâm Đồng, ngày tháng 12 năm 2025"
    p = d.add_paragraph()
    r = p.add_run("KẾ HOẠCH")
    r.bold = True
    d.add_paragraph("Cải cách hành chính nhà nước năm 2026")
    p = d.add_paragraph()
    r = p.add_run("Ban hành kèm theo Quyết định")
    r.italic = True
    t = d.add_table(rows=4, cols=4)
    for j, txt in enumerate(["STT", "Nhiệm vụ", "Chủ trì", "Thời gian hoàn thành"]):
        t.cell(0, j).text = txt
    merged = t.cell(1, 0).merge(t.cell(1, 3))
    merged.text = "I. VỀ CẢI CÁCH THỂ CHẾ"
    for j, txt in enumerate(["1", "Rà soát văn bản quy phạm pháp luật", "Sở Tư pháp", "Quý I/2026"]):
        t.cell(2, j).text = txt
    for j, txt in enumerate(["2", "Công bố thủ tục hành chính", "Văn phòng UBND tỉnh", "Thường xuyên"]):
        t.cell(3, j).text = txt
    d.add_paragraph("Tổ chức thực hiện: các sở, ngành báo cáo kết quả trước ngày 15/12/2026.")
    d.save(str(path))
    return path


def mixed_pdf(path: Path) -> Path:
    """Page 1 born-digital, page 2 an image-only scan (no text layer)."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4
    c.setFont("DejaVuSerif", 12)
    y = h - 80
    for k in range(8):
        c.drawString(70, y, "Các sở, ban, ngành tỉnh tập trung triển khai thực hiện tốt nhiệm vụ được giao;")
        y -= 18
    c.showPage()
    img = Image.new("L", (1240, 1754), 255)
    d = ImageDraw.Draw(img)
    f = ImageFont.truetype(FONT, 34)
    lines = ["Giao Sở Tư pháp chủ trì, phối hợp với các cơ quan",
             "liên quan hoàn thành trước ngày 15 tháng 11 năm 2025.",
             "Ủy ban nhân dân tỉnh yêu cầu các đơn vị nghiêm túc thực hiện."]
    for k, ln in enumerate(lines):
        d.text((150, 200 + 70 * k), ln, font=f, fill=0)
    c.drawImage(ImageReader(img), 0, 0, w, h)
    c.showPage()
    c.save()
    return path


def signed_pdf(path: Path) -> Path:
    """A digitally signed e-document as signing services make them: the page has `Số:      /TB-UBND`
    and `ngày      tháng 01 năm 2025` with blanks; the number and the day are form widgets drawn over
    the blanks (a few points off the printed baseline), the signature a widget box in the top right
    corner, and a reader's free-text note an annotation of its own."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFObjectReference, PDFString
    from reportlab.pdfgen import canvas

    _fonts()
    c = canvas.Canvas(str(path), pagesize=A4)
    w, h = A4

    def annotation(name: str, subtype: str, rect: tuple[float, float, float, float], lines: list[str]) -> None:
        # The appearance stream is what signing services draw; the field has no /V value.
        c.beginForm(name, lowerx=0, lowery=0, upperx=rect[2] - rect[0], uppery=rect[3] - rect[1])
        c.setFont("DejaVuSerif", 10 if len(lines) > 1 else 12)
        y = rect[3] - rect[1] - 12
        for ln in lines:
            c.drawString(1, y, ln)
            y -= 12
        c.endForm()
        fields = {"Type": PDFName("Annot"), "Subtype": PDFName(subtype), "Rect": PDFArray(list(rect)), "F": 4,
                  "AP": PDFDictionary({"N": PDFObjectReference(c._doc.getXObjectName(name))})}
        if subtype == "Widget":
            fields.update(FT=PDFName("Sig"), T=PDFString(name))
        c._addAnnotation(PDFDictionary(fields))

    c.setFont("DejaVuSerif-Bold", 12)
    c.drawCentredString(140, h - 60, "ỦY BAN NHÂN DÂN")
    c.drawCentredString(400, h - 60, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    c.drawCentredString(140, h - 76, "TỈNH QUẢNG NGÃI")
    c.drawCentredString(400, h - 76, "Độc lập - Tự do - Hạnh phúc")
    c.setFont("DejaVuSerif", 12)
    c.drawString(90, h - 100, "Số:            /TB-UBND")
    c.drawString(300, h - 100, "Quảng Ngãi, ngày        tháng 01 năm 2025")
    annotation("Signature2", "Widget", (118, h - 103, 150, h - 87), ["11"])
    annotation("Signature3", "Widget", (404, h - 104, 428, h - 90), ["08"])
    annotation("Signature4", "Widget", (360, h - 40, 592, h - 2),
               ["Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "Cơ quan: Tỉnh Quảng Ngãi", "Thời gian ký: 08/01/2025 17:10:17"])
    annotation("Note1", "FreeText", (300, h - 330, 560, h - 300), ["Chuyển phòng Tổng hợp xử lý gấp."])
    c.setFont("DejaVuSerif-Bold", 14)
    c.drawCentredString(w / 2, h - 140, "THÔNG BÁO")
    c.setFont("DejaVuSerif", 12)
    c.drawCentredString(w / 2, h - 158, "Kết luận của Phó Chủ tịch UBND tỉnh tại cuộc họp")
    y = h - 200
    for k in range(6):
        c.drawString(70, y, "Các sở, ban, ngành tỉnh tập trung triển khai thực hiện tốt nhiệm vụ được giao;")
        y -= 18
    c.showPage()
    c.save()
    return path
