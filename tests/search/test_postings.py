"""numpy's tokens and postings (`sitegen.search.postings`) are the tokenizer's, text by text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.search import postings
from sitegen.search.index import _offsets, utf16_key
from sitegen.search.postings import WORD, FieldPostings, code_order, tokens_of, utf16_order
from sitegen.search.shards import _rounded
from sitegen.search.tokenize import tokenize_normalized

# Han of both planes and compatibility ideographs, letters whose UTF-16 order is not their
# code points' (U+FFA1, U+10400), digits, the underscore (no word character), separators.
ALPHABET = "许昌開封发展快乐\U00020000\U0002a6d6\uf900abcZ_12²\uffa1\U00010400 。\n"


def expected_postings(texts: list[str]) -> dict[str, list[tuple[int, list[int]]]]:
    found: dict[str, list[tuple[int, list[int]]]] = {}
    for d, text in enumerate(texts):
        for token, offsets in _offsets(text)[0].items():
            found.setdefault(token, []).append((d, offsets))
    return found


def decoded(field: FieldPostings, terms: list[str]) -> dict[str, list[tuple[int, list[int]]]]:
    """A field's postings back to {term: [(doc, offsets)]}."""
    found = {}
    starts = field.term_starts.tolist()
    for t, rank in enumerate(field.ranks.tolist()):
        postings = []
        for p in range(starts[t], starts[t + 1]):
            first, count = int(field.token_starts[p]), int(field.counts[p])
            offsets = np.cumsum(field.deltas[first : first + count]).tolist()
            postings.append((int(field.docs[p]), offsets))
        found[terms[rank]] = postings
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from(ALPHABET), max_size=30), min_size=1, max_size=5),
    st.lists(st.text(st.sampled_from(ALPHABET), max_size=8), min_size=1, max_size=5),
)
def test_tokens_of_gives_each_texts_tokens_and_offsets(
    bodies: list[str], titles: list[str]
) -> None:
    titles = (titles * len(bodies))[: len(bodies)]
    by_field = [expected_postings(titles), expected_postings(bodies)]
    vocabulary = sorted(set(by_field[0]) | set(by_field[1]), key=utf16_key)
    for low, high in [(None, None), (None, "快"), ("快", None), ("a", "\uffa1")]:
        tokens = tokens_of([titles, bodies], low, high)
        inside = [t for t in vocabulary if (not low or t >= low) and (not high or t < high)]
        assert tokens.terms == inside
        for field, texts, expected in zip(tokens.fields, (titles, bodies), by_field, strict=True):
            assert field.lengths == [len(tokenize_normalized(t)) for t in texts]
            assert decoded(field, tokens.terms) == {t: expected[t] for t in inside if t in expected}
            assert field.ranks.tolist() == sorted(field.ranks.tolist())


CODES = st.one_of(
    st.integers(0, 0x10FFFF),  # a lone character
    st.tuples(st.integers(1, 0x10FFFF), st.integers(0, 0x10FFFF)).map(lambda p: p[0] << 21 | p[1]),
    st.integers(0, 50).map(lambda n: WORD + n),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CODES, max_size=60), st.integers(0, 2))
def test_code_order_is_a_stable_argsort(codes: list[int], repeats: int) -> None:
    """Codes of every kind, with repeats (whose order must be kept)."""
    import sitegen.search.postings as postings

    array = np.array(codes * (1 + repeats), np.int64)
    expected = np.argsort(array, kind="stable").tolist()
    assert code_order(array).tolist() == expected
    whole, postings.ORDER_PIECE = postings.ORDER_PIECE, 7  # keys made 7 codes at a time
    try:
        assert code_order(array).tolist() == expected
    finally:
        postings.ORDER_PIECE = whole


def test_code_order_of_codes_too_wide_to_pack_is_still_stable() -> None:
    """A word numbered 2**61 leaves no room for the places (as would hundreds of thousands
    of distinct characters): numpy's stable sort is used."""
    array = np.array([WORD + (1 << 61), 5, WORD + 3, 5, 7 << 21 | 9, WORD + 3], np.int64)
    assert code_order(array).tolist() == [1, 3, 4, 2, 5, 0]


def test_no_text_and_empty_texts_give_no_terms() -> None:
    tokens = tokens_of([["", "。"], ["", ""]])
    assert tokens.terms == []
    assert [f.lengths for f in tokens.fields] == [[0, 0], [0, 0]]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.floats(0, 300), max_size=20), st.sampled_from([0.0005, 1.0015, 2.675, 0.1235]))
def test_scores_are_rounded_as_python_rounds_them(values: list[float], tie: float) -> None:
    """Also values a hair off a half-thousandth, where `rint(v * 1000)` alone may differ."""
    values = [*values, tie, float(np.nextafter(tie, 0)), float(np.nextafter(tie, 1))]
    assert _rounded(np.array(values)).tolist() == [round(v, 3) for v in values]


def test_number_texts_beyond_the_kept_table_are_made_each_time() -> None:
    from sitegen.search.shards import _Texts

    texts = _Texts(str)
    numbers = np.array([3, _Texts.LIMIT + 5, 0, _Texts.LIMIT, 70_000_000, 3])
    assert texts[numbers].tolist() == [str(n) for n in numbers.tolist()]
    assert len(texts.table) <= _Texts.LIMIT  # a 70-million offset keeps no 70-million table
    assert texts[np.array([], np.int64)].tolist() == []


def test_characters_are_classed_when_first_met_as_the_whole_table_classes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`kinds_of` classes the code points a text holds when it first meets them (lone
    surrogates and the supplementary planes too), in pieces, as classing all at once does."""
    everything = "".join(map(chr, range(0x110000)))
    expected = postings._kinds(everything)
    monkeypatch.setattr(postings, "_KINDS", np.full(0x110000, postings.UNCLASSED, np.uint8))
    points = np.random.default_rng(5).permutation(0x110000).astype(np.uint32)
    for piece in np.array_split(points[: 0x110000 // 2], 7) + [points, points[:10]]:
        assert (postings.kinds_of(piece) == expected[piece]).all()
    assert (postings._KINDS == expected).all()
    assert set(np.unique(expected).tolist()) == {0, postings.HAN, postings.WORD_CHARACTER}


def test_terms_are_put_in_utf16_order_by_reordering_only_those_beyond_d7ff() -> None:
    """Code-point order differs from UTF-16 order only between two terms with characters
    above U+D7FF: a pair's first or second character, a lone one, a word's."""
    terms = ["许\uf900", "许\U00020000", "许昌", "\uffa1", "\U00010400", "\ue000a", "a\U00010400",
             "ab", "\ud7ff", "\U0002a6d6\uf900", "\U0002a6d6许", "许", "\U00020000"]  # fmt: skip
    beyond = np.array([n for n, t in enumerate(terms) if max(t) > "\ud7ff"])
    order = utf16_order(terms, beyond)
    assert [terms[n] for n in order] == sorted(terms, key=utf16_key)
    assert [terms[n] for n in order] != sorted(terms)  # the two orders differ here
