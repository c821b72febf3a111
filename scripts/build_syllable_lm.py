"""Build corpora/lm/syllables.csv and corpora/lm/syllable_bigrams.csv: syllable unigram and
bigram counts for the OCR post-correction (extractors/reading/postcorrect.py).  Two files: the
choice between OCR readings needs only the first (which syllables exist), and loads faster.

    .venv/bin/python -m scripts.build_syllable_lm

Born-digital Vietnamese text only, none of it from the evaluation sets or the real
development set: underthesea's word list (Viet74K: every word counts once, its syllables and
its inner bigrams), the running text underthesea ships (the VLSP 2013 sentences beside its
POS model), its administrative-unit names, and this project's own corpora (the samples'
source texts and the gazetteers).  Syllables are lower case, NFC, new-style tone marks.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import underthesea

from extractors.text import normalize_text

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "corpora" / "lm"
UTS = Path(underthesea.__file__).resolve().parent
SYL = re.compile(r"[^\W\d_]+|\d+")
NUM = "<num>"   # any number: "ngày <num>", "năm <num>" tell ngày from ngay
# Bigrams seen once in the running text are mostly noise; the word list's are kept (a
# dictionary word is evidence in itself).
MIN_TEXT_BIGRAM = 2


def syllables(text: str) -> list[list[str]]:
    """Runs of syllables and numbers not broken by punctuation (a bigram never crosses it)."""
    runs = []
    for chunk in re.split(r"[^\w\s]|\n", normalize_text(text).lower()):
        toks = [NUM if t.isdigit() else t for t in SYL.findall(chunk)]
        if toks:
            runs.append(toks)
    return runs


def vlsp_sentences() -> list[str]:
    path = UTS / "pipeline" / "pos_tag" / "models" / "pos_crf_vlsp2013_20230303" / "test_output.txt"
    out, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                out.append(" ".join(cur))
            cur = []
        else:
            cur.append(line.split("\t")[0])
    if cur:
        out.append(" ".join(cur))
    return out


def strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    return []


def main(out: Path = OUT) -> None:
    uni_dict, uni_text = Counter(), Counter()
    bi_dict, bi_text = Counter(), Counter()

    for word in (UTS / "corpus" / "data" / "Viet74K.txt").read_text(encoding="utf-8").splitlines():
        for run in syllables(word):
            uni_dict.update(run)
            bi_dict.update(zip(run, run[1:]))

    texts = vlsp_sentences()
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora" / "samples" / "src").glob("*.md"))]
    for p in sorted((ROOT / "corpora").glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("//"):
                texts.extend(strings_of(json.loads(line)))
    texts.extend(strings_of(json.loads((UTS / "address" / "data" / "mapping.json").read_text(encoding="utf-8"))))
    for text in texts:
        for run in syllables(text):
            uni_text.update(run)
            bi_text.update(zip(run, run[1:]))

    out.mkdir(parents=True, exist_ok=True)
    bigrams = Counter({b: c for b, c in bi_text.items() if c >= MIN_TEXT_BIGRAM})
    for b in bi_dict:
        bigrams[b] += bi_dict[b]
    with (out / "syllables.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["syllable", "count", "in_dictionary"])
        for s in sorted(set(uni_dict) | set(uni_text)):
            w.writerow((s, uni_dict[s] + uni_text[s], 1 if s in uni_dict else 0))
    with (out / "syllable_bigrams.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["first", "second", "count"])
        for (a, b), c in sorted(bigrams.items()):
            w.writerow((a, b, c))
    print(f"{out}: {len(uni_dict | uni_text)} syllables, {len(bigrams)} bigrams")


if __name__ == "__main__":
    main()
