"""The build's fast paths give exactly what the plain code gives (issue 7)."""

from __future__ import annotations

import random

import opencc

from sitegen.chinese import (
    S2T_RUN,
    SwitchScan,
    _convert_phrases,
    s2t_characters,
    s2t_phrases,
    switch_tables,
    t2s_characters,
    t2s_phrases,
    to_simplified,
    to_traditional,
)


def texts(count: int = 400, seed: int = 7) -> list[str]:
    """Strings made of phrase keys, characters, punctuation, 〇 and Latin letters."""
    rng = random.Random(seed)
    pieces = [*t2s_phrases().entries, *list(s2t_phrases().entries)[:2000]]
    pieces += [*list(t2s_characters().entries)[:500], *list(s2t_characters().entries)[:500]]
    pieces += ["，", "。", "〇", " ", "a", "\n", "許昌", "许昌"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(count)]


def test_conversion_equals_opencc_and_the_run_by_run_algorithm() -> None:
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    phrases, chars = s2t_phrases(), s2t_characters().entries
    for text in texts():
        assert to_simplified(text) == t2s.convert(text), text
        assert to_traditional(text) == s2t.convert(text), text
        by_runs = S2T_RUN.sub(lambda m: _convert_phrases(m.group(), phrases, chars), text)
        assert to_traditional(text) == by_runs, text


def test_a_phrase_cut_off_by_the_end_of_a_run_does_not_match() -> None:
    # '冲击' starts '冲击力' too; at the end of the run only the two characters are there,
    # so '大冲' (leftmost among the phrases of two) wins, as in OpenCC.
    text = "带来了巨大冲击。重点"
    assert to_traditional(text) == opencc.OpenCC("s2t").convert(text) == "帶來了巨大沖擊。重點"


def test_scanning_in_pieces_gives_the_tables_of_all_texts() -> None:
    sample = texts(300, seed=11)
    one, two = SwitchScan(), SwitchScan()
    for n, text in enumerate(sample):
        (one if n % 2 else two).add(text)
    one.update(two)
    assert one.tables() == switch_tables(sample)
