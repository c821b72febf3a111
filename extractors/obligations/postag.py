"""underthesea's POS tagger with its features computed in one pass over the sentence.

underthesea.pos_tag (the 2017 CRF model, the one `pos_tag(text)` uses) builds each word's 22
features by re-parsing every template string and rebuilding every column of the sentence for
each word and each template: quadratic in the sentence's length and 80 % of the obligations
stage's time.  `pos_tag` here feeds the same model the same features (the same strings, in the
same order: tests/extractors/test_postag.py compares them with underthesea's own on the
evaluation texts), computed once per word.
"""
from __future__ import annotations

from functools import lru_cache

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


def features(words: list[str]) -> list[list[str]]:
    """The model's features of each word, as underthesea's TaggedTransformer writes them for
    the tokens (word, "X")."""
    n = len(words)
    lower = [w.lower() for w in words]
    title = [str(_istitle(w)) for w in words]
    out = []
    for i in range(n):
        f = []
        for k in (-2, -1, 0, 1, 2):
            j = i + k
            f.append(f"T[{k}].lower=" + ("BOS" if j < 0 else "EOS" if j >= n else lower[j]))
        for k in (0, -1, 1):
            j = i + k
            f.append(f"T[{k}].istitle=" + ("BOS" if j < 0 else "EOS" if j >= n else title[j]))
        for k in (-2, -1, 0, 1, 2):
            j = i + k
            f.append(f"T[{k}]=" + ("BOS" if j < 0 else "EOS" if j >= n else words[j]))
        for a, b in ((-2, -1), (-1, 0), (0, 1), (1, 2)):
            ja, jb = i + a, i + b
            f.append(f"T[{a},{b}]=" + ("BOS" if ja < 0 else "EOS" if ja >= n or jb >= n
                                        else " ".join(words[ja:jb + 1])))
        for k in (-3, -2, -1):
            f.append(f"T[{k}][1]=" + ("BOS" if i + k < 0 else "X"))
        for a, b in ((-3, -2), (-2, -1)):
            f.append(f"T[{a},{b}][1]=" + ("BOS" if i + a < 0 else "X X"))
        out.append(f)
    return out


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
