"""underthesea's POS tagger with its features computed in one pass over the sentence.

underthesea.pos_tag (the 2017 CRF model, the one `pos_tag(text)` uses) builds each word's 22
features by re-parsing every template string and rebuilding every column of the sentence for
each word and each template: quadratic in the sentence's length and 80 % of the obligations
stage's time.  `pos_tag` here feeds the same model the same features (the same strings, in the
same order: tests/extractors/test_postag.py compares them with underthesea's own on the
evaluation texts), computed once per word.
"""
from __future__ import annotations

import re
from functools import lru_cache
from operator import add

# The model's templates (underthesea/pipeline/pos_tag/model_crf.py), in its order.
TEMPLATE = (
    "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower",
    "T[0].istitle", "T[-1].istitle", "T[1].istitle",
    "T[-2]", "T[-1]", "T[0]", "T[1]", "T[2]",
    "T[-2,-1]", "T[-1,0]", "T[0,1]", "T[1,2]",
    "T[-3][1]", "T[-2][1]", "T[-1][1]",
    "T[-3,-2][1]", "T[-2,-1][1]",
)


def _istitle(word: str) -> bool:
    """underthesea's text_istitle: every space-separated part starts with a title-case letter."""
    if not word:
        return False
    try:
        return all(s[0].istitle() for s in word.split(" "))
    except IndexError:      # an empty part (two spaces): underthesea answers False
        return False


def _plan() -> list[tuple[str, int, int, str]]:
    """(prefix, first offset, last offset, attribute) of each template, in its order."""
    out = []
    for t in TEMPLATE:
        m = re.fullmatch(r"T\[(-?\d+)(?:,(-?\d+))?\](?:\.(\w+)|(\[1\]))?", t)
        a = int(m[1])
        b = int(m[2]) if m[2] is not None else a
        out.append((t + "=", a, b, m[3] or m[4] or ""))
    return out


_PLAN = _plan()
_PREFIXES = [prefix for prefix, _, _, _ in _PLAN]


def features(words: list[str]) -> list[list[str]]:
    """The model's features of each word, as underthesea's TaggedTransformer writes them for
    the tokens (word, "X"): built column by column (one template over every word), each word's
    and word pair's value computed once."""
    n = len(words)
    if not n:
        return []
    values = {
        (1, ""): words,
        (1, "lower"): [w.lower() for w in words],
        (1, "istitle"): [str(_istitle(w)) for w in words],
        (2, ""): [words[j] + " " + words[j + 1] for j in range(n - 1)],
    }
    columns = []
    for _prefix, a, b, attr in _PLAN:
        nb = min(n, max(0, -a))                   # i + a < 0: BOS
        end = max(nb, min(n, n - b))              # i + b < n, else EOS
        if attr == "[1]":                         # the tag column of (word, "X") tokens
            middle = ["X" if a == b else "X X"] * (end - nb)
        else:
            middle = values[(b - a + 1, attr)][nb + a:end + a]
        columns.append(["BOS"] * nb + middle + ["EOS"] * (n - end))
    # the strings made row by row: the tagger reads them so (faster than scattered in memory)
    return [list(map(add, _PREFIXES, row)) for row in zip(*columns)]


@lru_cache(maxsize=1)
def _model():
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    return CRFPOSTagPredictor.Instance().model


def pos_tag(text: str) -> list[tuple[str, str]]:
    """underthesea.pos_tag(text): (word, tag) pairs, the same answer, faster (its word
    segmentation too: wordseg.py)."""
    from extractors.obligations.wordseg import word_tokenize

    words = word_tokenize(text)
    if not words:
        return []
    tags = _model().tag(features(words))
    return list(zip(words, tags))
