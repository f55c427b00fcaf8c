"""Traditional-to-Simplified conversion and script detection from OpenCC's own data.

`to_simplified` gives exactly what opencc-python-reimplemented's `t2s` gives (a test
holds them equal) but works Han run by Han run, which lets the browser run the very same
algorithm on a query with a small table made from the archive (`query_table`).

OpenCC's algorithm, which static/search.js mirrors: in each run, find the longest phrase
of TSPhrases (the leftmost of the longest), convert it, and repeat on the pieces to its
left and right; the characters of what no phrase matched go through TSCharacters one by
one. Where a dictionary lists several targets, the first is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from sitegen.model import Script

# The Han script: CJK Unified Ideographs, Extension A, compatibility ideographs and the
# supplementary planes' extensions. static/search.js declares the same ranges.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af"
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
HAN_CHAR = re.compile(f"[{HAN_CLASS}]")


@dataclass(frozen=True)
class Dictionary:
    entries: dict[str, str]
    max_len: int
    min_len: int

    @cached_property
    def lengths_by_first(self) -> dict[str, tuple[int, ...]]:
        """For each first character, the lengths of the keys that start with it."""
        lengths: dict[str, set[int]] = {}
        for key in self.entries:
            lengths.setdefault(key[0], set()).add(len(key))
        return {ch: tuple(sorted(ls)) for ch, ls in lengths.items()}


def _opencc_dictionary_dir() -> Path:
    import opencc

    return Path(opencc.__file__).resolve().parent / "dictionary"


def _load(name: str) -> Dictionary:
    entries: dict[str, str] = {}
    with open(_opencc_dictionary_dir() / name, encoding="utf-8") as lines:
        for line in lines:
            key, value = line.rstrip("\n").split("\t")
            entries[key] = value.split(" ")[0]
    lengths = [len(k) for k in entries]
    return Dictionary(entries, max(lengths), min(lengths))


@lru_cache(maxsize=1)
def t2s_phrases() -> Dictionary:
    return _load("TSPhrases.txt")


@lru_cache(maxsize=1)
def t2s_characters() -> Dictionary:
    return _load("TSCharacters.txt")


@lru_cache(maxsize=1)
def s2t_characters() -> Dictionary:
    return _load("STCharacters.txt")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese in `text` to Simplified, as OpenCC's t2s does."""
    return HAN_RUN.sub(lambda m: convert_run(m.group()), text)


def convert_run(run: str) -> str:
    """Convert one run of Han characters."""
    return _convert_phrases(run, t2s_phrases(), t2s_characters().entries)


def _convert_phrases(run: str, phrases: Dictionary, chars: dict[str, str]) -> str:
    """OpenCC's recursive longest-leftmost matching, done without recursion.

    Taking every phrase occurrence longest first (leftmost first among equals) and keeping
    those that overlap none already kept picks exactly the phrases the recursion picks: in
    each piece it splits off, the first occurrence left in this order is that piece's
    longest-leftmost one. Linear in the run, so a 20 MB run without punctuation is fine.
    """
    n = len(run)
    firsts = phrases.lengths_by_first
    found = [
        (-length, start)
        for start, ch in enumerate(run)
        if ch in firsts
        for length in firsts[ch]
        if run[start : start + length] in phrases.entries
    ]
    if not found:
        return _convert_characters(run, chars)
    taken = bytearray(n)
    kept = []
    for negative, start in sorted(found):
        end = start - negative
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end))
    out, position = [], 0
    for start, end in sorted(kept):
        out.append(_convert_characters(run[position:start], chars))
        out.append(phrases.entries[run[start:end]])
        position = end
    out.append(_convert_characters(run[position:], chars))
    return "".join(out)


def _convert_characters(text: str, chars: dict[str, str]) -> str:
    if not any(ch in chars for ch in text):
        return text
    return "".join(chars.get(ch, ch) for ch in text)


def detect_script(text: str) -> Script:
    """Return 'Hant' when Traditional-only characters outnumber Simplified-only ones."""
    traditional = t2s_characters().entries
    simplified = s2t_characters().entries
    trad = simp = 0
    for ch in HAN_CHAR.findall(text):
        in_trad = ch in traditional
        in_simp = ch in simplified
        if in_trad and not in_simp:
            trad += 1
        elif in_simp and not in_trad:
            simp += 1
    return "Hant" if trad > simp else "Hans"


def traditional_forms(chars: Iterable[str]) -> set[str]:
    """Return the Traditional characters whose Simplified form is one of `chars`."""
    wanted = set(chars)
    return {t for t, s in t2s_characters().entries.items() if s in wanted}


def query_table(archive_chars: Iterable[str]) -> dict[str, dict[str, str]]:
    """Return the t2s table the browser needs to normalise queries for this archive.

    A character mapping matters only when its source or target occurs in the archive's
    (Simplified) text: any other query character can match nothing either way. The phrase
    table is OpenCC's whole TSPhrases (a few hundred entries), so the browser segments a
    query exactly as Python segments a document.
    """
    present = set(archive_chars)
    chars = {
        t: s
        for t, s in sorted(t2s_characters().entries.items())
        if t != s and (s in present or t in present)
    }
    phrases = dict(sorted(t2s_phrases().entries.items()))
    return {"phrases": phrases, "chars": chars}


# --- The page's 简/繁 switch (static/site.js mirrors this) --------------------------------
# Simplified-to-Traditional runs also take 〇, which STPhrases uses in a few entries (余〇).
S2T_RUN = re.compile(f"[{HAN_CLASS}\u3007]+")


@lru_cache(maxsize=1)
def s2t_phrases() -> Dictionary:
    return _load("STPhrases.txt")


def to_traditional(text: str) -> str:
    """Convert Simplified Chinese in `text` to Traditional, as OpenCC's s2t does."""
    phrases, chars = s2t_phrases(), s2t_characters().entries
    return S2T_RUN.sub(lambda m: _convert_phrases(m.group(), phrases, chars), text)


def switch_tables(texts: Iterable[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Return the t2s and s2t tables that convert exactly the Han text in `texts`.

    A phrase or character that occurs nowhere in `texts` cannot match while converting
    them, so leaving it out changes nothing; the browser converts the page's original text
    (never text it has already converted), so these tables give OpenCC's result there.
    """
    runs = {m.group() for text in texts for m in S2T_RUN.finditer(text)}
    chars = {ch for run in runs for ch in run}
    tables = {}
    for name, phrases, characters in (
        ("t2s", t2s_phrases(), t2s_characters()),
        ("s2t", s2t_phrases(), s2t_characters()),
    ):
        found: set[str] = set()
        firsts = phrases.lengths_by_first
        for run in runs:
            for start, ch in enumerate(run):
                for size in firsts.get(ch, ()):
                    if run[start : start + size] in phrases.entries:
                        found.add(run[start : start + size])
        tables[name] = {
            "phrases": {p: phrases.entries[p] for p in sorted(found)},
            "chars": {
                c: characters.entries[c]
                for c in sorted(chars)
                if c in characters.entries and characters.entries[c] != c
            },
        }
    return tables
