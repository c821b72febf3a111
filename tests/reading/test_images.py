"""PNG/JPEG/TIFF scans go to the OCR, one page per image or TIFF frame (real Tesseract)."""
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractors.reading import read_document

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def _page(text: str) -> Image.Image:
    img = Image.new("L", (1240, 400), 255)
    ImageDraw.Draw(img).text((80, 150), text, font=ImageFont.truetype(FONT, 40), fill=0)
    return img


@pytest.mark.slow
def test_multipage_tiff_is_one_page_per_frame(tesseract, tmp_path):
    p = tmp_path / "scan.tif"
    first, second = _page("Ủy ban nhân dân tỉnh Lâm Đồng"), _page("Giao Sở Tư pháp chủ trì thực hiện")
    first.save(p, save_all=True, append_images=[second], dpi=(300, 300))
    doc = read_document(p, workers=1)
    assert doc.kind == "image" and doc.status == "ok", doc.errors
    assert [pg.number for pg in doc.pages] == [1, 2]
    assert [pg.source for pg in doc.pages] == ["ocr", "ocr"]
    assert doc.text() == "Ủy ban nhân dân tỉnh Lâm Đồng\fGiao Sở Tư pháp chủ trì thực hiện"


@pytest.mark.slow
def test_png_named_jpg_is_still_read(tesseract, tmp_path):
    p = tmp_path / "photo.jpg"
    _page("Thông báo kết luận của Chủ tịch").save(p, format="PNG", dpi=(300, 300))
    doc = read_document(p, workers=1)
    assert doc.kind == "image" and doc.text() == "Thông báo kết luận của Chủ tịch"
