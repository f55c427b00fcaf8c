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
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from pathlib import Path

import ahocorasick
import numpy as np

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

    @cached_property
    def single_keys(self) -> frozenset[str]:
        return frozenset(key for key in self.entries if len(key) == 1)

    @cached_property
    def pair_keys(self) -> np.ndarray:
        """The keys of two characters as sorted numbers (`pair_codes`)."""
        pairs = "".join(key for key in self.entries if len(key) == 2)
        return np.unique(pair_codes(pairs)[0::2])

    @cached_property
    def longer_keys(self) -> ahocorasick.Automaton:
        """An Aho-Corasick automaton of the keys of three or more characters."""
        return _automaton(key for key in self.entries if len(key) >= 3)


def pair_codes(text: str) -> np.ndarray:
    """Each two adjacent characters of `text` as one number, `ord(a) << 21 | ord(b)`."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    codes = points[:-1].astype(np.uint64) << 21
    codes |= points[1:]
    return codes


def _pairs_found(text: str, keys: np.ndarray) -> list[str]:
    """The two-character keys (`Dictionary.pair_keys`) occurring in `text`."""
    pairs = np.unique(pair_codes(text))
    at = np.searchsorted(keys, pairs).clip(max=len(keys) - 1)
    found = pairs[keys[at] == pairs].tolist()
    return [chr(code >> 21) + chr(code & 0x1FFFFF) for code in found]


def _automaton(keys: Iterable[str]) -> ahocorasick.Automaton:
    """An automaton finding every occurrence of `keys` in a text in one pass, at C speed;
    each match is (index of its last character, the key)."""
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, key)
    automaton.make_automaton()
    return automaton


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
    return _t2s().convert(text)


class _Converter:
    """`_convert_phrases` on every run of a text at once, at C speed where it can be.

    A key made only of run characters can match only inside one run, and keys in
    different runs never overlap, so choosing phrases over the whole text (longest first,
    leftmost first among equals) chooses what run-by-run conversion chooses; the other
    characters of the runs go through the character table with `str.translate`. Characters
    outside the runs are never in the table, so they stay as they are.
    """

    def __init__(self, phrases: Dictionary, chars: dict[str, str], run: re.Pattern[str]) -> None:
        self.entries = {k: v for k, v in phrases.entries.items() if run.fullmatch(k)}
        self.table = {ord(k): v for k, v in chars.items() if len(k) == 1 and run.fullmatch(k)}
        self.keys = _automaton(self.entries) if self.entries else None
        # Characters a conversion can change: mapped to another, or in a phrase that is.
        # A text with none of them comes out as it went in.
        changing = {chr(k) for k, v in self.table.items() if chr(k) != v}
        for key, target in self.entries.items():
            if key != target:
                changing.update(key)
        self.changing = frozenset(changing)

    def convert(self, text: str) -> str:
        if self.changing.isdisjoint(text):
            return text
        found = []
        if self.keys is not None:  # every occurrence of every key, as (-length, start)
            found = [(-len(key), end + 1 - len(key)) for end, key in self.keys.iter(text)]
        return _replace_phrases(text, found, self.entries, lambda p: p.translate(self.table))


@lru_cache(maxsize=1)
def _t2s() -> _Converter:
    return _Converter(t2s_phrases(), t2s_characters().entries, re.compile(f"[{HAN_CLASS}]+"))


@lru_cache(maxsize=1)
def _s2t() -> _Converter:
    return _Converter(s2t_phrases(), s2t_characters().entries, S2T_RUN)


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
        if start + length <= n and run[start : start + length] in phrases.entries
    ]
    return _replace_phrases(run, found, phrases.entries, lambda p: _convert_characters(p, chars))


def _replace_phrases(
    text: str,
    found: list[tuple[int, int]],
    entries: dict[str, str],
    convert_rest: Callable[[str], str],
) -> str:
    """Replace the phrase occurrences `found` ((-length, start) pairs) that the longest
    first, leftmost first order keeps (none overlapping one kept before); convert the
    text between them with `convert_rest`."""
    if not found:
        return convert_rest(text)
    taken = bytearray(len(text))
    kept = []
    for negative, start in sorted(found):
        end = start - negative
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end))
    out, position = [], 0
    for start, end in sorted(kept):
        out.append(convert_rest(text[position:start]))
        out.append(entries[text[start:end]])
        position = end
    out.append(convert_rest(text[position:]))
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
    for ch, times in Counter(HAN_CHAR.findall(text)).items():  # each character once
        in_trad = ch in traditional
        in_simp = ch in simplified
        if in_trad and not in_simp:
            trad += times
        elif in_simp and not in_trad:
            simp += times
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
    return _s2t().convert(text)


def switch_tables(texts: Iterable[str]) -> dict[str, dict[str, dict[str, str]]]:
    """Return the t2s and s2t tables that convert exactly the Han text in `texts`.

    A phrase or character that occurs nowhere in `texts` cannot match while converting
    them, so leaving it out changes nothing; the browser converts the page's original text
    (never text it has already converted), so these tables give OpenCC's result there.
    """
    scan = SwitchScan()
    for text in texts:
        scan.add(text)
    return scan.tables()


class SwitchScan:
    """What `switch_tables` needs of some texts, gathered one text at a time.

    Keeps the characters and the phrases found, not the texts, so a build can scan each
    page as it is rendered, in several processes (`update` merges two scans); `tables()`
    gives what `switch_tables` gives for all the texts added.
    """

    MEMO = 200_000  # runs remembered as scanned already; then forgotten, to bound memory

    def __init__(self) -> None:
        self.chars: set[str] = set()
        self.found: dict[str, set[str]] = {"t2s": set(), "s2t": set()}
        self._seen: set[str] = set()

    def add(self, text: str) -> None:
        """Scan `text`: its Han characters and the phrases of either table it contains."""
        runs = set(S2T_RUN.findall(text))
        runs.difference_update(self._seen)
        if not runs:
            return
        if len(self._seen) > self.MEMO:
            self._seen.clear()
        self._seen.update(runs)
        joined = "\n".join(runs)  # a phrase is Han only: none spans the '\n'
        self.chars.update(joined)
        self.chars.discard("\n")
        for name, phrases in (("t2s", t2s_phrases()), ("s2t", s2t_phrases())):
            _find_phrases(joined, phrases, self.found[name])

    def update(self, other: SwitchScan) -> None:
        self.chars |= other.chars
        for name, found in other.found.items():
            self.found[name] |= found

    def packed(self) -> tuple[str, str, str]:
        """The scan as three strings (characters, t2s phrases, s2t phrases): small to keep
        and to cache, where sets of one-character strings would take a hundred times more."""
        return ("".join(sorted(self.chars)), "\n".join(sorted(self.found["t2s"])),
                "\n".join(sorted(self.found["s2t"])))  # fmt: skip

    def add_known(self, text: str, packed: tuple[str, str, str]) -> None:
        """Add `text`, whose scan is `packed` (made earlier): merge it and remember the
        runs of `text` as scanned, so that other texts repeating them skip them."""
        runs = set(S2T_RUN.findall(text))
        if len(self._seen) + len(runs) > self.MEMO:
            self._seen.clear()
        self._seen.update(runs)
        self.add_packed(packed)

    def add_packed(self, packed: tuple[str, str, str]) -> None:
        """Merge a scan given by `packed`."""
        chars, t2s, s2t = packed
        self.chars.update(chars)
        for name, phrases in (("t2s", t2s), ("s2t", s2t)):
            if phrases:
                self.found[name].update(phrases.split("\n"))

    def __getstate__(self) -> dict[str, object]:
        return {"chars": self.chars, "found": self.found}  # not the memo

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._seen = set()

    def tables(self) -> dict[str, dict[str, dict[str, str]]]:
        tables = {}
        for name, phrases, characters in (
            ("t2s", t2s_phrases(), t2s_characters()),
            ("s2t", s2t_phrases(), s2t_characters()),
        ):
            tables[name] = {
                "phrases": {p: phrases.entries[p] for p in sorted(self.found[name])},
                "chars": {
                    c: characters.entries[c]
                    for c in sorted(self.chars)
                    if c in characters.entries and characters.entries[c] != c
                },
            }
        return tables


def _find_phrases(text: str, phrases: Dictionary, found: set[str]) -> None:
    """Add to `found` every key of `phrases` that occurs in `text`: keys of one character
    by set, of two by numpy (most matches), longer ones by the automaton."""
    found.update(phrases.single_keys.intersection(text))
    if len(phrases.pair_keys):
        found.update(_pairs_found(text, phrases.pair_keys))
    found.update(map(itemgetter(1), phrases.longer_keys.iter(text)))
