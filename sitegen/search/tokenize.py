"""The one tokenizer, shared with the browser (static/search.js mirrors it exactly).

Text is normalised (NFKC folds full-width letters and digits, then lower case, then
OpenCC t2s), then cut into tokens: each run of Han characters gives its overlapping
bigrams (a lone Han character is a token by itself), each run of other letters and
digits is one word. Everything else (spaces, punctuation, symbols) separates tokens.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sitegen.chinese import HAN_CLASS, t2s_characters, t2s_phrases, to_simplified

TOKEN = re.compile(f"(?P<han>[{HAN_CLASS}]+)|(?P<word>[^\\W_{HAN_CLASS}]+)")


def normalize(text: str) -> str:
    """Fold width and case and convert Traditional to Simplified."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if _changing().isdisjoint(folded):
        return folded  # nothing OpenCC would convert: most Simplified text
    return to_simplified(folded)


@lru_cache(maxsize=1)
def _changing() -> frozenset[str]:
    """Characters t2s can change: a character mapped elsewhere, or in a phrase that is."""
    chars = {t for t, s in t2s_characters().entries.items() if t != s}
    for key, target in t2s_phrases().entries.items():
        if key != target:
            chars.update(key)
    return frozenset(chars)


def tokenize(text: str) -> list[str]:
    """Return the search tokens of `text`."""
    return tokenize_normalized(normalize(text))


def tokenize_normalized(text: str) -> list[str]:
    """Return the search tokens of text that `normalize` has already been applied to."""
    tokens: list[str] = []
    for match in TOKEN.finditer(text):
        run = match.group()
        if match.lastgroup == "word" or len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def tokenize_with_offsets(text: str) -> list[tuple[str, int]]:
    """Return `tokenize_normalized(text)` with each token's offset in code points.

    A bigram's offset is where its first character stands, so a run of Han characters
    occurs at offset p exactly when its bigrams stand at p, p+1, p+2, ...
    """
    tokens: list[tuple[str, int]] = []
    for match in TOKEN.finditer(text):
        run, start = match.group(), match.start()
        if match.lastgroup == "word" or len(run) == 1:
            tokens.append((run, start))
        else:
            tokens.extend((run[i : i + 2], start + i) for i in range(len(run) - 1))
    return tokens
