"""underthesea's word segmentation (`word_tokenize`) with the CRF's features computed in Python,
column by column, from values computed once per word and per word pair or triple.

underthesea 9.5 builds the segmenter's 43 features per syllable in underthesea_core's Rust
CRFFeaturizer, which takes ~18 us per syllable (it re-reads every template for every syllable):
the largest part of the NLP's time in the obligations stage.  `word_tokenize` here feeds the same
model (the same CRFTagger, model file, templates and dictionary) the same feature strings in the
same order (tests/obligations/test_wordseg.py compares them with the Rust featurizer's on the
evaluation and real-gold texts and on edge cases), in about a quarter of the time.

What the Rust featurizer computes, as checked against it:
  T[a] / T[a,b]        the syllables i+a..i+b joined by spaces
  .lower               str.lower of that
  .istitle             every syllable's first character is its own upper case ("1", "," are title)
  .isdigit             the text parses as a 32-bit signed integer ("-1" yes, "1.5" no)
  .is_in_dict          the lower-cased text is in the model's dictionary
  BOS / EOS            when i+a < 0 (BOS first), or when i+b is past the end
Syllables holding whitespace (the tokenizer never makes them) go to the Rust featurizer.
"""
from __future__ import annotations

import re
from functools import lru_cache
from operator import add
from pathlib import Path

_TEMPLATE_RE = re.compile(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(\w+))?")
_INT_RE = re.compile(r"[+-]?[0-9]+")
_SPACE_RE = re.compile(r"\s")


@lru_cache(maxsize=1)
def _model():
    """(CRFTagger, plan, dictionary, templates) of underthesea's word segmentation model."""
    import joblib
    import underthesea.pipeline.word_tokenize as wt
    from underthesea_core import CRFTagger

    base = Path(wt.__file__).parent / "models" / "ws_crf_vlsp2013_20230727"
    tagger = CRFTagger()
    tagger.load(str(base / "models.bin"))
    templates = joblib.load(base / "features.bin")
    dictionary = joblib.load(base / "dictionary.bin")
    return tagger, _plan(templates), dictionary, templates


@lru_cache(maxsize=1)
def _rust_featurizer():
    from underthesea_core import CRFFeaturizer

    _, _, dictionary, templates = _model()
    return CRFFeaturizer(templates, dictionary)


def _plan(templates: list[str]) -> list[tuple[str, int, int, str]]:
    out = []
    for t in templates:
        m = _TEMPLATE_RE.fullmatch(t)
        if m is None:
            raise ValueError(f"unknown feature template {t!r}")
        a = int(m[1])
        b = int(m[2]) if m[2] is not None else a
        out.append((t + "=", a, b, m[3] or ""))
    return out


def _isdigit(text: str) -> bool:
    return bool(_INT_RE.fullmatch(text)) and -2 ** 31 <= int(text) < 2 ** 31


def _values(words: list[str], size: int, attr: str, dictionary) -> list[str]:
    """The attribute of every run of SIZE syllables, by its first syllable's index."""
    n = len(words) - size + 1
    if n <= 0:
        return []
    runs = words[:n] if size == 1 else [" ".join(words[j:j + size]) for j in range(n)]
    if attr == "":
        return runs
    if attr == "lower":
        return [r.lower() for r in runs]
    if attr == "istitle":
        title = [w[0].upper() == w[0] for w in words]
        return [str(all(title[j:j + size])) for j in range(n)]
    if attr == "isdigit":
        return [str(_isdigit(r)) for r in runs]
    if attr == "is_in_dict":
        return [str(r.lower() in dictionary) for r in runs]
    raise ValueError(f"unknown feature attribute {attr!r}")


def features(words: list[str]) -> list[list[str]]:
    """The model's features of each syllable, as underthesea_core's CRFFeaturizer writes them."""
    n = len(words)
    if not n:
        return []
    if not all(words) or _SPACE_RE.search("".join(words)):
        return _rust_featurizer().process([[[w] for w in words]])[0]
    _, plan, dictionary, _ = _model()
    cache: dict[tuple[int, str], list[str]] = {}
    columns = []
    for _prefix, a, b, attr in plan:
        key = (b - a + 1, attr)
        vals = cache.get(key)
        if vals is None:
            vals = cache[key] = _values(words, key[0], attr, dictionary)
        nb = min(n, max(0, -a))                   # i + a < 0
        end = max(nb, min(n, n - b))              # i + b < n
        columns.append(["BOS"] * nb + vals[nb + a:end + a] + ["EOS"] * (n - end))
    # the strings made row by row: the tagger reads them so, twice as fast as scattered in memory
    prefixes = [prefix for prefix, _, _, _ in plan]
    return [list(map(add, prefixes, row)) for row in zip(*columns)]


def word_tokenize(text: str) -> list[str]:
    """underthesea.word_tokenize(text): the same words, faster."""
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

    tokens = tokenize(text, use_token_normalize=True, fixed_words=[])
    if not tokens:
        return []
    tagger = _model()[0]
    tags = tagger.tag(features(tokens))
    output: list[str] = []
    for k, (tag, token) in enumerate(zip(tags, tokens)):
        if tag == "I-W" and k > 0:
            output[-1] = output[-1] + " " + token
        else:
            output.append(token)
    return output
