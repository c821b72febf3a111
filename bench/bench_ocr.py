"""OCR benchmark: quality, speed and memory of chidao's OCR beside plain `tesseract -l vie`.

    .venv/bin/python bench/bench_ocr.py            # everything (a few minutes on 2 busy cores)
    .venv/bin/python bench/bench_ocr.py --only quality,speed
    .venv/bin/python bench/bench_ocr.py --only tables
    .venv/bin/python bench/bench_ocr.py --only memory --pages 100

Reads ../shared/eval (not needed by the tests).  Every ratio is measured in the same run,
baseline and ours side by side, because the machine is shared and timings drift.

quality  CER (NFC, whitespace collapsed) and order-free syllable F1 against the truth text,
         for plain tesseract on the embedded page images and for ocr_pdf_pages.
speed    wall time of ocr_pdf_pages (process pool) / plain sequential tesseract, same pages.
memory   peak RSS of the whole process tree while OCR-ing an N-page scanned PDF made by
         repeating the scan pages.
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
TARGETS = {"seed-000": 0.010, "seed-003": 0.009}


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


def ours(pdf: Path, workers=None, tables=True) -> tuple[str, float, dict]:
    from extractors.reading.ocr import ocr_pdf_pages
    t0 = time.perf_counter()
    res = ocr_pdf_pages(pdf, list(range(1, page_count(pdf) + 1)), workers=workers, tables=tables)
    dt = time.perf_counter() - t0
    return "\n".join(res[n].page.text() for n in sorted(res)), dt, res


# ---------------------------------------------------------------- runs

def run_quality_speed(docs: list[str], show_diff: bool) -> None:
    print(f"== quality and speed ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print(f"{'doc':10} {'pages':>5} {'CER plain':>10} {'CER ours':>9} {'target':>7} {'F1 plain':>9} {'F1 ours':>8}"
          f" {'t plain':>8} {'t ours':>7} {'ratio':>6}")
    tp_sum = to_sum = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            pdf = EVAL / "pdf" / f"{doc}-scan.pdf"
            truth = (EVAL / "text" / f"{doc}.txt").read_text(encoding="utf-8")
            images = extract_images(pdf, Path(tmp))
            plain, tp = plain_tesseract(images)
            mine, to, _ = ours(pdf)
            tp_sum += tp
            to_sum += to
            target = TARGETS.get(doc)
            print(f"{doc:10} {len(images):5d} {cer(plain, truth):10.2%} {cer(mine, truth):9.2%} "
                  f"{(f'{target:.1%}' if target else '-'):>7} {syllable_f1(plain, truth):9.4f} {syllable_f1(mine, truth):8.4f}"
                  f" {tp:7.1f}s {to:6.1f}s {to / tp:6.2f}", flush=True)
            if show_diff:
                a, b = norm(truth).split(), norm(mine).split()
                for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                    if op[0] != "equal":
                        print("   ", op[0], " ".join(a[op[1]:op[2]]), "=>", " ".join(b[op[3]:op[4]]))
    print(f"{'all':10} {'':5} {'':10} {'':9} {'':7} {'':9} {'':8} {tp_sum:7.1f}s {to_sum:6.1f}s {to_sum / tp_sum:6.2f}"
          f"   (target ratio <= 0.60)")


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
    ap.add_argument("--only", default="quality,tables,memory")
    ap.add_argument("--docs", default=",".join(QUALITY_DOCS))
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--max-seconds", type=float, default=0, help="stop the memory run after this long")
    ap.add_argument("--diff", action="store_true", help="print the word differences against the truth")
    a = ap.parse_args()
    parts = set(a.only.split(","))
    if "quality" in parts or "speed" in parts:
        run_quality_speed(a.docs.split(","), a.diff)
    if "tables" in parts:
        run_tables()
    if "memory" in parts:
        run_memory(a.pages, a.max_seconds)


if __name__ == "__main__":
    main()
