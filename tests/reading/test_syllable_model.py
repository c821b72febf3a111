"""The OCR post-correction's syllable model (corpora/lm) is what scripts/build_syllable_lm.py
builds from underthesea's data and this project's corpora: a gazetteer edited without rebuilding
it leaves the committed model stale."""
from __future__ import annotations

from scripts.build_syllable_lm import OUT, main


def test_the_committed_syllable_model_is_what_the_script_builds(tmp_path):
    main(tmp_path)
    for name in ("syllables.csv", "syllable_bigrams.csv"):
        built = (tmp_path / name).read_bytes()
        assert built == (OUT / name).read_bytes(), (
            f"corpora/lm/{name} is stale: run `.venv/bin/python -m scripts.build_syllable_lm` and commit it")
