"""OCR benchmark: quality, speed and memory of chidao's OCR beside plain `tesseract -l vie`.

    .venv/bin/python bench/bench_ocr.py            # everything (a few minutes on 2 busy cores)
    .venv/bin/python bench/bench_ocr.py --only quality,speed
    .venv/bin/python bench/bench_ocr.py --only tables
    .venv/bin/python bench/bench_ocr.py --only memory --pages 100

Reads ../shared/eval (not needed by the tests).  Every ratio is measured in the same run,
baseline and ours side by side, because the machine is shared and timings drift.

quality  CER (NFC, whitespace collapsed) and order-free syllable F1 against the truth text,
         for plain tesseract on the embedded page images (and on the two Đà Nẵng photos of
         corpus-real) and for chidao's OCR before (cleaned reading only), with the per-page
         choice, and with the choice and post-correction; wall time of each (process pool) /
         plain sequential tesseract, same pages, with the CPU time of the child processes.
memory   peak RSS of the whole process tree while OCR-ing an N-page scanned PDF made by
         repeating the scan pages.
pages    every OCR page of corpus-real: chidao's mean word confidence vs plain tesseract's (how
         many are lower; chidao's pages come from bench/snapshot.py's reading cache).
tables   seed-002-scan's appendix vs the digital seed-002.pdf's table: rows, cell similarity.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval"
if not EVAL.exists():
    EVAL = Path("/work/shared/eval")

from extractors.text import normalize_text  # noqa: E402

QUALITY_DOCS = ["seed-000", "seed-003"]
TARGETS = {"seed-000": 0.0030, "seed-003": 0.0030}


# ---------------------------------------------------------------- metrics

def norm(text: str) -> str:
    return re.sub(r"\s+", " ", normalize_text(unicodedata.normalize("NFC", text))).strip()


def levenshtein(a: str, b: str) -> int:
    """Edit distance, one numpy row at a time (insertions via a running minimum)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    idx = np.arange(len(b) + 1, dtype=np.int64)
    prev = idx.copy()
    for i, ch in enumerate(a, 1):
        cost = (bb != ord(ch)).astype(np.int64)
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        # insertion: cur[j] = min_k (cur[k] + j - k)
        cur = np.minimum.accumulate(cur - idx) + idx
        prev = cur
    return int(prev[-1])


def cer(hyp: str, ref: str) -> float:
    h, r = norm(hyp), norm(ref)
    return levenshtein(h, r) / max(1, len(r))


def syllables(text: str) -> Counter:
    return Counter(t for t in re.findall(r"[^\W_]+", norm(text).casefold()))


def syllable_f1(hyp: str, ref: str) -> float:
    h, r = syllables(hyp), syllables(ref)
    tp = sum((h & r).values())
    return 2 * tp / max(1, sum(h.values()) + sum(r.values()))


# ---------------------------------------------------------------- plain tesseract

def extract_images(pdf: Path, out: Path) -> list[Path]:
    """The scan's embedded page images, as the scanner made them (pdfimages)."""
    prefix = out / pdf.stem
    subprocess.run(["pdfimages", "-all", str(pdf), str(prefix)], check=True)
    return sorted(out.glob(pdf.stem + "-*"))


def plain_tesseract(images: list[Path]) -> tuple[str, float]:
    t0 = time.perf_counter()
    texts = []
    for img in images:
        out = subprocess.run(["tesseract", str(img), "stdout", "-l", "vie"], capture_output=True, text=True, check=True)
        texts.append(out.stdout)
    return "\n".join(texts), time.perf_counter() - t0


def page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


# Before: the cleaned reading alone, as the OCR was before per-page choice and post-correction.
VARIANTS = {
    "before": {"candidates": False, "correct": False},
    "chosen": {"candidates": True, "correct": False},
    "after": {"candidates": True, "correct": True},
}
PHOTOS = ["danang-sgddt-cv1906-2020-p1", "danang-sgddt-cv1906-2020-p2"]
REAL = EVAL.parent / "corpus-real"
PLAIN_CACHE = Path.home() / ".cache" / "chidao-snapshot" / "plain-tesseract"


def child_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def ours(pdf: Path, workers=None, tables=True, options=None) -> tuple[str, float, dict]:
    from extractors.reading.ocr import ocr_image_file, ocr_pdf_pages
    t0 = time.perf_counter()
    if pdf.suffix.lower() == ".pdf":
        res = ocr_pdf_pages(pdf, list(range(1, page_count(pdf) + 1)), workers=workers, tables=tables, options=options)
    else:
        res = {r.page.number: r for r in ocr_image_file(pdf, workers=workers, tables=tables, options=options)}
    dt = time.perf_counter() - t0
    return "\n".join(res[n].page.text() for n in sorted(res)), dt, res


# ---------------------------------------------------------------- runs

def run_quality_speed(docs: list[str], show_diff: bool, photos: bool = True) -> None:
    print(f"== quality and speed ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}); "
          "before = cleaned reading only, chosen = per-page choice, after = chosen + post-correction")
    print(f"{'doc':32} {'pages':>5} {'CER plain':>9} {'before':>7} {'chosen':>7} {'after':>7} "
          f"{'F1 plain':>8} {'before':>7} {'chosen':>7} {'after':>7}")
    times = {k: [0.0, 0.0] for k in ("plain", *VARIANTS)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        items = [(doc, EVAL / "pdf" / f"{doc}-scan.pdf", EVAL / "text" / f"{doc}.txt") for doc in docs]
        if photos:
            items += [(p, REAL / f"{p}.jpg", REAL / f"{p}_gt.txt") for p in PHOTOS]
        for doc, src, gt in items:
            truth = gt.read_text(encoding="utf-8")
            images = extract_images(src, Path(tmp)) if src.suffix == ".pdf" else [src]
            c0 = child_cpu()
            plain, tp = plain_tesseract(images)
            times["plain"][0] += tp
            times["plain"][1] += child_cpu() - c0
            texts = {}
            for name, opts in VARIANTS.items():
                c0 = child_cpu()
                texts[name], dt, _ = ours(src, options=opts)
                times[name][0] += dt
                times[name][1] += child_cpu() - c0
            cers = [cer(plain, truth)] + [cer(texts[k], truth) for k in VARIANTS]
            f1s = [syllable_f1(plain, truth)] + [syllable_f1(texts[k], truth) for k in VARIANTS]
            rows.append((doc, cers, f1s))
            print(f"{doc:32} {len(images):5d} " + " ".join(f"{c:>{w}.2%}" for c, w in zip(cers, (9, 7, 7, 7))) + " "
                  + " ".join(f"{f:>{w}.4f}" for f, w in zip(f1s, (8, 7, 7, 7))), flush=True)
            if show_diff:
                a, b = norm(truth).split(), norm(texts["after"]).split()
                for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                    if op[0] != "equal":
                        print("   ", op[0], " ".join(a[op[1]:op[2]]), "=>", " ".join(b[op[3]:op[4]]))
    for doc, cers, f1s in rows:
        if doc in TARGETS:
            print(f"  {doc}: CER after {cers[3]:.2%} (target <= {TARGETS[doc]:.2%})")
        else:
            print(f"  {doc}: F1 after - plain {f1s[3] - f1s[0]:+.4f} (target >= +0.02), "
                  f"CER after {cers[3]:.2%} vs plain {cers[0]:.2%}")
    wp, cp = times["plain"]
    print("  time (all documents; plain = sequential tesseract, ours = process pool):")
    for name, (wall, cpu) in times.items():
        print(f"    {name:7} wall {wall:6.1f}s ({wall / wp:4.2f}x plain)   CPU of children {cpu:6.1f}s ({cpu / max(cp, 1e-9):4.2f}x)")
    print(f"    target: after wall <= 0.60x plain; load now {os.getloadavg()[0]:.1f}")


def plain_page_confidence(src: Path, number: int) -> float | None:
    """Mean word confidence of plain `tesseract -l vie` on one page image (a PDF page rendered at
    its scan's own resolution, as the reader renders it), remembered per file digest and page."""
    import hashlib
    import json
    import pypdfium2 as pdfium
    from extractors.reading.ocr import render_dpi, scan_dpi
    from extractors.reading.tesseract import read_words
    from pytesseract.pytesseract import file_to_dict
    from PIL import Image
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:24]
    key = PLAIN_CACHE / f"{digest}-p{number}.json"
    if key.exists():
        return json.loads(key.read_text())["conf"]
    with tempfile.TemporaryDirectory() as tmp:
        if src.suffix.lower() == ".pdf":
            pdf = pdfium.PdfDocument(str(src))
            try:
                page = pdf[number - 1]
                dpi = render_dpi(scan_dpi(page))
                image = page.render(scale=dpi / 72.0).to_pil()
            finally:
                pdf.close()
            path = Path(tmp) / "page.png"
            image.convert("RGB").save(path, dpi=(dpi, dpi))
        else:
            path = src
        out = subprocess.run(["tesseract", str(path), "stdout", "-l", "vie", "tsv"], capture_output=True, text=True, check=True)
    confs = [c for _, _, c in read_words(file_to_dict(out.stdout, "\t", -1))]
    conf = sum(confs) / len(confs) if confs else None
    PLAIN_CACHE.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps({"conf": conf}))
    return conf


def run_pages(sets: list[str]) -> None:
    """Every OCR page of corpus-real: chidao's page confidence beside plain Tesseract's."""
    sys.path.insert(0, str(ROOT / "bench"))
    import snapshot
    print(f"== OCR pages of {'+'.join(sets)}: chidao's mean word confidence vs plain `tesseract -l vie` "
          f"(load {os.getloadavg()[0]:.1f})")
    n = lower = lower_tables = 0
    deltas = []
    for f in [p for s in sets for p in snapshot.files_of(s)]:
        doc = snapshot.read_cached(f)
        table_pages = {n for t in doc.tables if t.source == "ocr" for n in range(t.page_start, t.page_end + 1)}
        for page in doc.pages:
            if page.source != "ocr" or page.ocr_confidence is None:
                continue
            plain = plain_page_confidence(f, page.number)
            if plain is None:
                continue
            n += 1
            deltas.append(page.ocr_confidence - plain)
            if page.ocr_confidence < round(plain, 2):
                lower += 1
                tabled = page.number in table_pages
                lower_tables += tabled
                print(f"   lower: {f.name} p{page.number}: {page.ocr_confidence:.2f} < plain {plain:.2f}"
                      + ("  (ruled tables read cell by cell)" if tabled else ""))
    if n:
        print(f"pages {n}; lower than plain: {lower} (target 0), of which {lower_tables} pages with ruled tables; "
              f"mean difference {sum(deltas) / n:+.2f}, min {min(deltas):+.2f}, max {max(deltas):+.2f}")


def _tree_rss_kb(pid: int) -> int:
    """Sum of VmRSS over a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


def make_long_pdf(pages: int, out: Path) -> Path:
    import pypdfium2 as pdfium
    src = [pdfium.PdfDocument(str(EVAL / "pdf" / f"{d}-scan.pdf")) for d in ("seed-000", "seed-002", "seed-003")]
    dst = pdfium.PdfDocument.new()
    i = 0
    while len(dst) < pages:
        s = src[i % len(src)]
        take = list(range(min(len(s), pages - len(dst))))
        dst.import_pages(s, take)
        i += 1
    dst.save(str(out))
    return out


def run_memory(pages: int, max_seconds: float = 0) -> None:
    print(f"== memory: {pages}-page scanned PDF (peak RSS of the whole process tree)")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = make_long_pdf(pages, Path(tmp) / "long.pdf")
        code = ("import sys,time; sys.path.insert(0, %r)\n"
                "from pathlib import Path\nfrom extractors.reading.ocr import ocr_pdf_pages\n"
                "t=time.time(); r=ocr_pdf_pages(Path(%r), list(range(1, %d+1)))\n"
                "print(len(r), sum(1 for x in r.values() if x.errors), round(time.time()-t,1))\n") % (str(ROOT), str(pdf), pages)
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                                start_new_session=True)
        peak, t0, capped = 0, time.monotonic(), False
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kb(proc.pid))
            if max_seconds and time.monotonic() - t0 > max_seconds:
                capped = True
                os.killpg(proc.pid, 15)
                proc.wait()
                break
            time.sleep(0.2)
        if capped:
            print(f"stopped after {max_seconds:.0f}s (time cap; the machine is shared): "
                  f"peak RSS so far={peak / 1024:.0f} MB (target <= 1536 MB)")
            return
        out = proc.stdout.read().split()
        print(f"pages={out[0] if out else '?'} failed={out[1] if len(out) > 1 else '?'} wall={out[2] if len(out) > 2 else '?'}s "
              f"peak RSS={peak / 1024:.0f} MB (target <= 1536 MB)")


def run_tables() -> None:
    print("== scanned tables: seed-002-scan appendix vs the digital seed-002.pdf")
    digital = digital_table_rows(EVAL / "pdf" / "seed-002.pdf")
    _, dt, res = ours(EVAL / "pdf" / "seed-002-scan.pdf")
    tables = [t for n in sorted(res) for t in res[n].tables]
    merged = merge_tables(tables)
    rows = task_rows(merged)
    # Rows are matched by their STT number, so one lost row does not shift all the others.
    by_stt = {r[0].rstrip(".)"): r for r in rows}
    sims, pairs, missing = [], [], 0
    for d in digital:
        s = by_stt.get(d[0].rstrip(".)"))
        if s is None or len(s) != len(d):
            missing += 1
            sims.extend([0.0] * len(d))
            continue
        for a, b in zip(d, s):
            sims.append(similarity(a, b))
            pairs.append((similarity(a, b), a, b))
    mean = (sum(sims) / len(sims)) if sims else 0.0
    print(f"tables per page: {[len(res[n].tables) for n in sorted(res)]}")
    print(f"task rows: scanned {len(rows)}, digital {len(digital)} (target 41); "
          f"mean cell similarity {mean:.4f} over {len(sims)} cells, {missing} digital rows unmatched "
          f"(target >= 0.95); {dt:.1f}s")
    worst = sorted(pairs)[:8]
    for sc, a, b in worst:
        print(f"   {sc:.3f} | {a[:70]!r}\n         | {b[:70]!r}")


def similarity(a: str, b: str) -> float:
    a, b = norm(a), norm(b)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def is_task_row(cells: list[str]) -> bool:
    """A numbered row (STT is a number) or a continuation (STT empty, other cells filled)."""
    if len(cells) < 3:
        return False
    stt = cells[0].strip()
    return bool(re.fullmatch(r"\d{1,3}\.?", stt)) or (not stt and sum(1 for c in cells[1:] if c.strip()) >= 2)


def task_rows(tables) -> list[list[str]]:
    rows: list[list[str]] = []
    for t in tables:
        for r in t.rows:
            cells = [norm(c.text) for c in r.cells]
            if not is_task_row(cells):
                continue
            if rows and not cells[0] and len(cells) == len(rows[-1]):
                rows[-1] = [norm(a + " " + b) for a, b in zip(rows[-1], cells)]
            else:
                rows.append(cells)
    return rows


def merge_tables(tables):
    """A1's cross-page merge when it exists; else a plain concatenation of rows."""
    try:
        from extractors.reading.tables import merge_tables as merge  # type: ignore
        return merge(tables)
    except Exception:
        return tables


def digital_table_rows(pdf: Path) -> list[list[str]]:
    import pdfplumber
    rows = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            for table in page.extract_tables():
                for row in table:
                    cells = [norm(c or "") for c in row]
                    if is_task_row(cells):
                        rows.append(cells)
    # a row continued on the next page (empty STT) joins the one before
    out: list[list[str]] = []
    for r in rows:
        if out and not r[0].strip():
            out[-1] = [norm(a + " " + b) for a, b in zip(out[-1], r)]
        else:
            out.append(r)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="quality,pages,tables,memory")
    ap.add_argument("--docs", default=",".join(QUALITY_DOCS))
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--max-seconds", type=float, default=0, help="stop the memory run after this long")
    ap.add_argument("--diff", action="store_true", help="print the word differences against the truth")
    a = ap.parse_args()
    parts = set(a.only.split(","))
    if "quality" in parts or "speed" in parts:
        run_quality_speed(a.docs.split(","), a.diff)
    if "pages" in parts:
        run_pages(["real"])
    if "tables" in parts:
        run_tables()
    if "memory" in parts:
        run_memory(a.pages, a.max_seconds)


if __name__ == "__main__":
    main()
