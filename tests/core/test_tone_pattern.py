"""Tone placement (extractors/text.py normalize_tone) rewrites exactly the old-style pairs, as
lower case, upper case and capitalised, and nothing else, in every two-letter combination."""
import itertools
import re

from extractors.text import normalize_tone

OLD_STYLE = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
             "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
             "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
PAIRS = {**OLD_STYLE, **{k.upper(): v.upper() for k, v in OLD_STYLE.items()},
         **{k[0].upper() + k[1]: v[0].upper() + v[1] for k, v in OLD_STYLE.items()}}
# the rule as first written: the pairs as one alternation, not after q, ending the syllable
REFERENCE = re.compile(r"(?<![qQ])(" + "|".join(PAIRS) + r")(?![^\W\d_])")


def test_every_two_letter_combination_as_the_reference_rule():
    letters = sorted({c for pair in PAIRS for c in pair} | set("aAeEiIoOuUyYqQ"))
    for a, b, c in itertools.product(letters, letters, ["", "n", " ", "q"]):
        for text in (a + b + c, "q" + a + b + c, "h" + a + b + c):
            assert normalize_tone(text) == REFERENCE.sub(lambda m: PAIRS[m.group(1)], text), text


def test_old_style_marks_move_new_style_stays():
    assert normalize_tone("Hoà thuỷ Uỷ ban quý hoàn") == "Hòa thủy Ủy ban quý hoàn"
