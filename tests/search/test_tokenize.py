from __future__ import annotations

import json
import random
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.chinese import t2s_phrases, to_simplified
from sitegen.search.tokenize import tokenize

VECTORS = json.loads(
    (Path(__file__).parent.parent / "data" / "tokenizer_vectors.json").read_text(encoding="utf-8")
)["vectors"]
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize("vector", VECTORS, ids=[v["why"] for v in VECTORS])
def test_shared_vectors(vector: dict[str, object]) -> None:
    assert tokenize(vector["text"]) == vector["tokens"]


def test_both_scripts_give_the_same_tokens() -> None:
    assert tokenize("許昌") == tokenize("许昌") == ["许昌"]


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_conversion_equals_opencc_on_seeds(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert to_simplified(text) == opencc.OpenCC("t2s").convert(text)


def test_conversion_equals_opencc_on_phrase_soup() -> None:
    rng = random.Random(7)
    keys = sorted(t2s_phrases().entries)
    converter = opencc.OpenCC("t2s")
    for _ in range(300):
        text = "".join(
            rng.choice(keys) + rng.choice(["", "的", "乾", "髮", "。", " "]) for _ in range(6)
        )
        assert to_simplified(text) == converter.convert(text), text


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
text_strategy = st.text(st.one_of(han, st.characters()), max_size=60)


@settings(max_examples=300, deadline=None)
@given(text_strategy)
def test_tokens_are_never_empty_and_hold_no_separator(text: str) -> None:
    for token in tokenize(text):
        assert token
        assert not any(ch.isspace() for ch in token)
        assert token == token.lower()


@settings(max_examples=300, deadline=None)
@given(st.text(han, min_size=2, max_size=30))
def test_han_text_gives_one_bigram_per_adjacent_pair(text: str) -> None:
    tokens = tokenize(text)
    assert len(tokens) == len(text) - 1
    assert all(len(t) == 2 for t in tokens)
