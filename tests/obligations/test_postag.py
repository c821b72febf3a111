"""The POS tagger with one-pass features (extractors/obligations/postag.py) gives underthesea's
own features and tags, on the evaluation and real-gold texts and on edge cases."""
from pathlib import Path

import pytest

from extractors.obligations.postag import TEMPLATE, features, pos_tag

ROOT = Path(__file__).resolve().parents[2]
EDGES = ["", " ", "a  b", "X", "Sở Tư pháp", "UBND tỉnh, Sở Y tế; các sở, ban, ngành (nếu có) - 100%",
         "Giao Sở Thông tin và Truyền thông chủ trì, phối hợp với Công an tỉnh hoàn thành trước ngày 31/12/2024."]


def _paragraphs(limit: int = 400) -> list[str]:
    out = []
    for f in sorted((ROOT / "corpora" / "real-gold" / "text").glob("*.txt")):
        out += [p for p in f.read_text(encoding="utf-8").split("\n") if p.strip()]
    return out[:limit] + EDGES


def test_the_template_is_underthesea_s():
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    assert list(TEMPLATE) == CRFPOSTagPredictor.Instance().transformer.template


@pytest.mark.parametrize("chunk", range(4))
def test_features_and_tags_equal_underthesea_s(chunk):
    from underthesea import pos_tag as reference, word_tokenize
    from underthesea.pipeline.pos_tag.model_crf import CRFPOSTagPredictor

    template = CRFPOSTagPredictor.Instance().transformer.template
    from underthesea.pipeline.pos_tag.tagged_feature import word2features

    texts = _paragraphs()[chunk::4]
    for text in texts:
        words = word_tokenize(text)
        tokens = [(w, "X") for w in words]
        assert features(words) == [word2features(tokens, i, template) for i in range(len(words))], text
        assert pos_tag(text) == reference(text), text
