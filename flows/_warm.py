"""Imported by the forkserver of flows/isolate.py (its preload): imports the extractors AND
runs them once on a tiny synthetic directive, so that what they load lazily on first use
(spaCy's pipeline, underthesea's models, gazetteers, compiled patterns) is loaded once in the forkserver and
inherited by every forked child, instead of being loaded again for every document (that first
call costs seconds; measured 20 s on a loaded machine against 0.2 s for the next ones).

Then everything loaded is frozen out of the garbage collector's reach (gc.freeze): the children
inherit it as permanent, so their collections do not walk spaCy's and underthesea's objects again
and again (nor write to those pages, copying them): 5-8 % of a document's CPU."""
from __future__ import annotations


def _warm() -> None:
    from extractors.pipeline import PIPELINE, Options
    from extractors.types import Block, Document, Page

    lines = [
        "ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "Số: 01/CT-UBND", "CHỈ THỊ",
        "Về việc tăng cường công tác chuyển đổi số",
        "1. Sở Thông tin và Truyền thông chủ trì, phối hợp với Sở Tư pháp triển khai thực hiện, "
        "hoàn thành trước ngày 31/12/2025.",
        "2. Ủy ban nhân dân các huyện báo cáo kết quả hằng quý.",
    ]
    page = Page(number=1, blocks=[Block(text=t, page=1) for t in lines])
    value = Document(path="warm-up", source_file="warm-up", pages=[page])
    for stage in PIPELINE.stages[1:]:   # every stage after reading, as a document goes through them
        value = stage.run(value, Options())


try:
    import extractors.reading  # noqa: F401
    # what the born-digital reader imports on its first file (pdfium, pdfplumber's table finder):
    # once here rather than in every worker
    import extractors.reading.pdf  # noqa: F401
    import pdfplumber.table  # noqa: F401
    _warm()
except Exception:  # noqa: BLE001 - only an optimisation; the real call reports real errors
    pass
finally:
    import gc

    gc.collect()
    gc.freeze()
