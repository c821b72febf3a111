"""The tone-placement pattern (extractors/text.py) matches exactly the pairs it rewrites."""
import itertools

from extractors.text import _TONE_PAIRS, _TONE_RE, normalize_tone


def test_the_pattern_matches_exactly_the_pairs():
    letters = {c for pair in _TONE_PAIRS for c in pair} | set("aAeEiIoOuUyYàÀ")
    for a, b in itertools.product(sorted(letters), repeat=2):
        m = _TONE_RE.fullmatch(a + b)
        assert bool(m) == (a + b in _TONE_PAIRS), a + b


def test_old_style_marks_move_new_style_stays():
    assert normalize_tone("Hoà thuỷ Uỷ ban quý hoàn") == "Hòa thủy Ủy ban quý hoàn"
