"""The word segmentation with features computed in Python (extractors/obligations/wordseg.py)
gives underthesea_core's own features and underthesea's own words, on the evaluation and
real-gold texts and on edge cases."""
from pathlib import Path

import pytest

from extractors.obligations.wordseg import features, word_tokenize

ROOT = Path(__file__).resolve().parents[2]
EDGES = ["", " ", "a  b", "X", "Sở Tư pháp", "UBND tỉnh, Sở Y tế; các sở, ban, ngành (nếu có) - 100%",
         "-1 +2 3000000000 2147483647 2147483648 -2147483648 1.5 1,5 ² Ǆ ǅ ß İ ΑΣ ﬀ",
         "Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với Công an tỉnh hoàn thành trước ngày 31/12/2024."]


def _paragraphs() -> list[str]:
    out = []
    for f in sorted((ROOT / "corpora").rglob("*.txt")):
        out += [p for p in f.read_text(encoding="utf-8").split("\n") if p.strip()]
    return out + EDGES


@pytest.mark.parametrize("chunk", range(4))
def test_features_and_words_equal_underthesea_s(chunk):
    import underthesea.pipeline.word_tokenize as wt
    from underthesea import word_tokenize as reference
    from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

    reference("x")       # loads underthesea's model and its Rust featurizer
    rust = wt.word_tokenize_model.featurizer
    for text in _paragraphs()[chunk::4]:
        tokens = tokenize(text)
        # every suffix at a syllable: the rules read unit phrases from any position
        for k in (0, 1, 2, len(tokens) // 2):
            part = tokens[k:]
            if part:
                assert features(part) == rust.process([[[w] for w in part]])[0], (text, k)
        assert word_tokenize(text) == reference(text), text


def test_whitespace_inside_a_syllable_goes_to_underthesea_s_featurizer():
    assert features(["a b", "c"])[0][2] == "T[0]=a b"
