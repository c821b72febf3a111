"""Fuzz campaigns (issue 15): the readers on mutated bytes of the sample files, the deadline,
header and search-query parsers on arbitrary text.  Each target's check asserts a typed outcome.

    PYTHONPATH=$PWD python scripts/fuzz.py [N] [--targets pdf,docx,png,deadline,header,query]

prints per target the inputs tried and the crashes found (one line per distinct crash).
tests/core/test_fuzz.py runs the same checks briefly in the suite.

Readers run in a killable child (flows.isolate.Worker) with a time limit, as the pipeline runs
its read stage: an outcome is a Document (ok/partial) or a failed Document whose error code is
one the pipeline knows as bad input.  An exception, a dead child or a timeout is a crash.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpora" / "samples" / "pdf"
READ_TIMEOUT = 60.0        # seconds for one mutated file (the read stage's own limit is larger)

# What a reader may say of a bad file: the pipeline's bad-input codes and the reader's
# page-level codes (a failed Document whose pages all failed carries these).
PAGE_CODES = frozenset({"needs-ocr", "bad-page", "too-many-pages", "render-failed", "ocr-failed",
                        "ocr-timeout", "ocr-unavailable", "ocr-language-missing", "image-page",
                        "no-text-layer", "junk-layer", "cid-garbage", "unmapped-glyphs",
                        "invalid-syllables", "no-diacritics", "spaced-letters"})


def known_codes() -> frozenset[str]:
    from extractors.pipeline import BAD_INPUT_REASONS
    return frozenset(BAD_INPUT_REASONS) | PAGE_CODES


# ---------------------------------------------------------------- seeds and mutations

def seed_png() -> bytes:
    """A small scan-like PNG: black Vietnamese-ish text on white."""
    from PIL import Image, ImageDraw
    img = Image.new("L", (240, 60), 255)
    ImageDraw.Draw(img).text((8, 20), "UBND TINH - So: 12/QD", fill=0)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def seeds() -> dict[str, bytes]:
    """The bytes each reader campaign mutates: the smallest sample PDF, the sample DOCX, a PNG."""
    pdf = min(SAMPLES.glob("*.pdf"), key=lambda p: p.stat().st_size)
    docx = next(SAMPLES.glob("*.docx"))
    return {"pdf": pdf.read_bytes(), "docx": docx.read_bytes(), "png": seed_png()}


OPS = ("flip", "set", "insert", "delete", "truncate", "repeat")
mutations = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 1 << 30),
                               st.binary(min_size=1, max_size=24)), min_size=1, max_size=6)


def mutate(data: bytes, ops) -> bytes:
    """DATA with each (op, position, bytes) applied in turn; positions wrap to the length."""
    buf = bytearray(data)
    for op, pos, chunk in ops:
        at = pos % (len(buf) + 1)
        if op == "flip" and buf:
            at %= len(buf)
            buf[at] ^= chunk[0] or 0xFF
        elif op == "set":
            buf[at:at + len(chunk)] = chunk
        elif op == "insert":
            buf[at:at] = chunk
        elif op == "delete":
            del buf[at:at + len(chunk) * 64]
        elif op == "truncate":
            del buf[at:]
        elif op == "repeat":
            buf[at:at] = bytes(buf[at:at + 256]) * (1 + chunk[0] % 4)
    return bytes(buf)


# ---------------------------------------------------------------- checks (raise on a defect)

def read_for_fuzz(path: str):
    """The read stage as the fuzz runs it: no OCR for PDFs (the text layer is what is fuzzed),
    one OCR process for images."""
    from extractors.reading import read_document
    return read_document(path, ocr="never", workers=1, timeout=20)


def check_reader(worker, name: str, data: bytes, timeout: float = READ_TIMEOUT) -> str:
    """Read DATA (as a file named like the seed) in WORKER's child: the outcome, 'ok'/'partial'
    or the bad-input code.  Raises AssertionError on anything else (the child's exception, a
    crash or a timeout come up as flows.isolate's StepError / StepCrashed / StepTimeout)."""
    from extractors.pipeline import reading_verdict
    from extractors.types import Document
    suffix = {"pdf": ".pdf", "docx": ".docx", "png": ".png"}[name]
    with tempfile.TemporaryDirectory(prefix="chidao-fuzz-") as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        doc = worker.call(read_for_fuzz, str(path), timeout=timeout)
    assert isinstance(doc, Document), type(doc)
    assert doc.status in ("ok", "partial", "failed"), doc.status
    codes = {e.code for e in doc.errors}
    assert codes <= known_codes(), f"unknown reader codes {codes - known_codes()}"
    if doc.status == "failed":
        verdict = reading_verdict(doc)
        assert verdict is not None and verdict.code in known_codes(), verdict
        return verdict.code
    assert doc.pages, "a document read without failing has pages"
    return doc.status


def check_deadline(text: str, document_date) -> None:
    from extractors.obligations.deadlines import find_deadline, find_deadlines, parse_deadline
    from extractors.types import Deadline
    for found in (parse_deadline(text, document_date=document_date),
                  find_deadline(text, document_date=document_date)):
        assert found is None or isinstance(found, Deadline), type(found)
        if found is not None:
            assert found.raw.strip(), "a deadline names its words"
            assert found.due is None or isinstance(found.due, dt.date)
    for at, found in find_deadlines(text, document_date=document_date):
        assert 0 <= at <= len(text) and isinstance(found, Deadline)


def check_header(text: str) -> None:
    from extractors.structure.header import HeaderResult, parse_date_line, parse_header
    from extractors.structure.lines import Line
    lines = [Line(text=t, page=1, idx=i) for i, t in enumerate(text.split("\n"))]
    result = parse_header(lines)
    assert isinstance(result, HeaderResult)
    assert 0 <= result.body_start <= len(lines), result.body_start
    assert all(0 <= i < len(lines) for i in result.title_lines)
    place, date = parse_date_line(text)
    assert place is None or isinstance(place, str)
    assert date is None or isinstance(date, dt.date)


def check_query(text: str) -> None:
    from models.search_query import MAX_TERMS, SearchQuery, fold_key, parse_query
    q = parse_query(text)
    assert isinstance(q, SearchQuery) and q.raw == text
    assert len(q.terms) <= MAX_TERMS and len(q.exact) <= MAX_TERMS
    for t in q.terms:
        assert t and not any(c.isspace() or c == '"' for c in t), repr(t)
        assert fold_key(t) == t, (t, fold_key(t))      # folded terms are what the index holds
    q.fts5(), q.fts5_phrase(), q.fts5_exact(), q.tsquery()


# ---------------------------------------------------------------- text strategies

WORDS = ["ngày", "tháng", "năm", "trước", "trong", "hàng", "quý", "định kỳ", "thường xuyên", "từ",
         "đến", "hằng năm", "6 tháng", "đầu năm", "cuối năm", "tuần", "31/12/2024", "29/02/2023",
         "15", "0", "99", "9999", "00/13/2024", "/", "-", ".", ",", ":", "Số:", "QĐ-UBND", "UBND TỈNH",
         "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Kính gửi:", "V/v",
         "QUYẾT ĐỊNH", "CHỈ THỊ", "Quảng Ngãi,", "\"", "“", "”", "Quý IV", "kế hoạch", "\n", "\t", "đ"]
texts = st.one_of(st.text(max_size=200),
                  st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=40).map(" ".join))
doc_dates = st.one_of(st.none(), st.dates(), st.sampled_from([dt.date.min, dt.date.max]))


# ---------------------------------------------------------------- the campaign

class Tally:
    def __init__(self) -> None:
        self.tried = 0
        self.crashes: dict[str, str] = {}      # signature -> an example's traceback

    def run(self, check, *args) -> None:
        self.tried += 1
        try:
            check(*args)
        except Exception as exc:  # noqa: BLE001 - a campaign counts crashes, it does not stop
            detail = getattr(exc, "detail", "") or traceback.format_exc()
            last = [ln for ln in detail.strip().splitlines() if ln.startswith("  File ")][-1:]
            sig = f"{type(exc).__name__}: {str(exc)[:80]} @ {last[0].strip() if last else '?'}"
            saved = ""
            if sig not in self.crashes and len(args) > 2 and isinstance(args[2], bytes):
                keep = Path(tempfile.gettempdir()) / f"chidao-fuzz-crash-{args[1]}-{len(self.crashes)}"
                keep.write_bytes(args[2])
                saved = f"input saved to {keep}\n"
            self.crashes.setdefault(sig, f"{saved}args={args!r:.300}\n{detail}")


def campaign(target: str, n: int, worker=None, seed_bytes: dict | None = None) -> Tally:
    tally = Tally()
    conf = settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))
    if target in ("pdf", "docx", "png"):
        base = (seed_bytes or seeds())[target]

        @conf
        @given(mutations)
        def body(ops):
            tally.run(check_reader, worker, target, mutate(base, ops))
    elif target == "deadline":
        body = conf(given(texts, doc_dates)(lambda text, d: tally.run(check_deadline, text, d)))
    elif target == "header":
        body = conf(given(texts)(lambda text: tally.run(check_header, text)))
    else:
        body = conf(given(texts)(lambda text: tally.run(check_query, text)))
    body()
    return tally


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=200, help="inputs per target")
    ap.add_argument("--targets", default="pdf,docx,png,deadline,header,query")
    args = ap.parse_args(argv)
    from flows.isolate import Worker
    worker = Worker(max_calls=100)
    found = 0
    try:
        base = seeds()
        for target in args.targets.split(","):
            start = time.monotonic()
            tally = campaign(target, args.n, worker, base)
            found += len(tally.crashes)
            print(f"{target:9s} inputs tried {tally.tried:6d}  crashes {len(tally.crashes)}"
                  f"  ({time.monotonic() - start:.0f} s)", flush=True)
            for sig, example in tally.crashes.items():
                print(f"  CRASH {sig}\n    " + example.replace("\n", "\n    ")[:3000], flush=True)
    finally:
        worker.close()
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
