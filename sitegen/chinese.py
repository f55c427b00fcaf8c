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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from ahocorasick_rs import AhoCorasick

from sitegen.model import Script

# The Han script: CJK Unified Ideographs, Extension A, compatibility ideographs and the
# supplementary planes' extensions. static/search.js declares the same ranges.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af"
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
HAN_CHAR = re.compile(f"[{HAN_CLASS}]")
_LONE = re.compile("[\ud800-\udfff]")  # surrogates, alone in a str


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


class PhraseIndex:
    """Finds every occurrence of a set of keys in a text, overlapping ones included.

    An Aho-Corasick automaton (ahocorasick_rs, in Rust) reads the text once: 2-6 times
    quicker than numpy over the text's character pairs and triples, which paid fifty-odd
    calls a text whatever its length (measured on news text with STPhrases' 49,000 keys
    and TSPhrases' few hundred).
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = frozenset(key for key in keys if key)
        if any("\0" in key for key in self.keys):  # NUL stands in for lone surrogates
            raise ValueError("a phrase or name to find holds a NUL character")
        self._automaton = AhoCorasick(sorted(self.keys), store_patterns=True) if self.keys else None

    def __reduce__(self) -> tuple[type[PhraseIndex], tuple[list[str]]]:
        return PhraseIndex, (sorted(self.keys),)  # the automaton does not pickle

    def occurrences(self, text: str) -> list[tuple[int, int]]:
        """Every (start, length) of a key in `text`."""
        if self._automaton is None:
            return []
        found = _matches(self._automaton.find_matches_as_indexes, text)
        return [(start, end - start) for _, start, end in found]

    def present(self, text: str) -> set[str]:
        """The keys occurring in `text`."""
        if self._automaton is None:
            return set()
        return set(_matches(self._automaton.find_matches_as_strings, text))


def _matches(find: Callable[..., list[Any]], text: str) -> list[Any]:
    """`find(text)`'s overlapping matches; a lone surrogate, which the automaton's UTF-8
    cannot hold, read as NUL (no key holds one), so that places stay as they are."""
    try:
        return find(text, overlapping=True)
    except UnicodeEncodeError:
        return find(_LONE.sub("\0", text), overlapping=True)


def distinct_sorted(codes: np.ndarray) -> np.ndarray:
    """`numpy.unique` of integers: sorting first is several times quicker than its hashing."""
    ordered = np.sort(codes)
    if len(ordered):
        ordered = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return ordered


def code_points(text: str) -> np.ndarray:
    """The code points of `text` (lone surrogates too), as a numpy array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


class CharacterFlags:
    """A set of characters kept as code points: adding a text's thousand characters is one
    numpy call, not a thousand strings made and hashed. The points added are kept as they
    come and sorted out when asked for, until there are many: then a flag per code point
    (1 MB, and a pass over it to list them, which a document's few hundred need not pay).
    """

    FLAGS_AFTER = 1 << 18  # points kept before switching to flags

    def __init__(self) -> None:
        self._flags: np.ndarray | None = None
        self._added: list[np.ndarray] = []
        self._count = 0

    def add(self, text: str) -> None:
        self._add(code_points(text))

    def add_points(self, points: np.ndarray) -> None:
        """Add characters given as code points (`code_points`)."""
        self._add(points)

    def _add(self, points: np.ndarray) -> None:
        if self._flags is not None:
            self._flags[points] = True
            return
        self._added.append(points)
        self._count += len(points)
        if self._count > self.FLAGS_AFTER:
            self._flags = np.zeros(0x110000, bool)
            for added in self._added:
                self._flags[added] = True
            self._added, self._count = [], 0

    def update(self, other: CharacterFlags) -> None:
        if other._flags is not None:
            self._add(np.flatnonzero(other._flags).astype(np.uint32))
        for points in other._added:
            self._add(points)

    @property
    def chars(self) -> str:
        """The characters, in code point order."""
        if self._flags is not None:
            points = np.flatnonzero(self._flags).astype(np.uint32)
        elif self._added:
            points = distinct_sorted(np.concatenate(self._added))
        else:
            return ""
        return points.tobytes().decode("utf-32-le", "surrogatepass")


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
    characters of the runs go through the character table (`str.translate`, or a table by
    code point in numpy for longer pieces). Characters
    outside the runs are never in the table, so they stay as they are.
    """

    def __init__(self, phrases: Dictionary, chars: dict[str, str], run: re.Pattern[str]) -> None:
        self.entries = {k: v for k, v in phrases.entries.items() if run.fullmatch(k)}
        self.table = {ord(k): v for k, v in chars.items() if len(k) == 1 and run.fullmatch(k)}
        self.keys = PhraseIndex(self.entries)
        # Characters a conversion can change: mapped to another, or in a phrase that is.
        # A text with none of them comes out as it went in.
        changing = {chr(k) for k, v in self.table.items() if chr(k) != v}
        self.mapped = frozenset(changing)  # translate() looks each character up: skip it
        # str.translate costs ~140 ns a character (a dict lookup each); a table by code
        # point does a long text in numpy's few calls, when every target is one character.
        self.points: np.ndarray | None = None
        if all(len(target) == 1 for target in self.table.values()):
            self.points = np.arange(0x110000, dtype=np.uint32)
            self.points[list(self.table)] = [ord(target) for target in self.table.values()]
        for key, target in self.entries.items():
            if key != target:
                changing.update(key)
        self.changing = frozenset(changing)
        self.lines: dict[str, str] = {}  # lines converted lately: see `convert`
        self.held = 0  # their characters

    LINES_REMEMBERED = 5_000
    CHARACTERS_REMEMBERED = 2_000_000  # a few flattened documents' worth, ~16 MB at most

    def convert(self, text: str) -> str:
        """Convert `text`, line by line through a memo of lines converted lately.

        Cleaning converts much the same lines several times (the body for its metadata,
        then for search, then its lines for snippets): ~70% of the characters. A run of Han
        characters never spans a line break, so each line converts on its own, and the
        lines not remembered convert together in one call.
        """
        lines = text.split("\n")
        memo = self.lines
        if len(memo) > self.LINES_REMEMBERED or self.held > self.CHARACTERS_REMEMBERED:
            memo = self.lines = {}  # a new one: another thread may be reading the old
            self.held = 0
        missing = [line for line in dict.fromkeys(lines) if line not in memo]
        if missing:
            converted = self._convert("\n".join(missing)).split("\n")
            memo.update(zip(missing, converted, strict=True))
            self.held += sum(map(len, missing))
        if len(lines) == 1:
            return memo[text]
        return "\n".join([memo[line] for line in lines])

    def _convert(self, text: str) -> str:
        if self.changing.isdisjoint(text):
            return text
        # every occurrence of every key, as (-length, start)
        found = [(-length, start) for start, length in self.keys.occurrences(text)]
        return _replace_phrases(text, found, self.entries, self._characters)

    def _characters(self, text: str) -> str:
        if self.points is not None and len(text) >= self.SHORT:
            # no isdisjoint() first: it too looks each character up (~40 ns each)
            converted = self.points[code_points(text)].tobytes()
            return converted.decode("utf-32-le", "surrogatepass")
        return text if self.mapped.isdisjoint(text) else text.translate(self.table)

    SHORT = 64  # below this, translate() is quicker than numpy's calls (measured)


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
    return "Hant" if int(_script_signs()[code_points(text)].sum(dtype=np.int64)) > 0 else "Hans"


@lru_cache(maxsize=1)
def _script_signs() -> np.ndarray:
    """By code point: +1 for a Han character only OpenCC's t2s table has (Traditional
    only), -1 for one only its s2t table has, else 0; a text's sum is their difference."""
    traditional, simplified = t2s_characters().entries, s2t_characters().entries
    signs = np.zeros(0x110000, np.int8)
    for table, other, sign in ((traditional, simplified, 1), (simplified, traditional, -1)):
        for ch in table:
            if ch not in other and HAN_CHAR.fullmatch(ch):
                signs[ord(ch)] = sign
    return signs


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
# The same characters as bounds for numpy: a code point is in a run where it sorts after an
# odd number of them (each range's first point, then the point after its last).
_RUN_BOUNDS = np.array(
    sorted(bound for first, last in re.findall(r"(.)-(.)", HAN_CLASS) + [("\u3007", "\u3007")]
           for bound in (ord(first), ord(last) + 1)),
    np.uint32,
)  # fmt: skip


def run_characters(points: np.ndarray) -> np.ndarray:
    """The code points among `points` that `S2T_RUN` takes, in their order."""
    return points[np.searchsorted(_RUN_BOUNDS, points, "right") % 2 == 1]


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

    MEMO = 200_000  # lines and runs remembered as scanned already; then forgotten
    # Characters: a line longer is a document's, seldom repeated. With MEMO, lines hold
    # 40 million characters at worst (pages' lines are mostly under 100).
    LINE_REMEMBERED = 200

    def __init__(self, seen: set[str] | None = None, *, long_lines: bool = False) -> None:
        """`seen`: lines and runs scanned already by scans whose results are merged with
        this one's (shared, and added to), so that they need not be scanned again.
        `long_lines`: a scan of one document's texts, whose memo goes with it: it remembers
        lines of any length (its cleaned body repeats most lines of its raw text) and no
        runs, and reads its new lines whole (`_add_lines`)."""
        self._chars = CharacterFlags()
        self.found: dict[str, set[str]] = {"t2s": set(), "s2t": set()}
        self._seen: set[str] = set() if seen is None else seen
        self.long_lines = long_lines

    @property
    def chars(self) -> str:
        """The characters found, in code point order."""
        return self._chars.chars

    def add(self, text: str) -> None:
        """Scan `text`: its Han characters and the phrases of either table it contains.

        Lines scanned before are skipped (a Han run never spans a line break), then, but
        in a `long_lines` scan, runs scanned before: a rendered page repeats most of its
        lines from other pages, and finding the runs of a line costs forty times more than
        looking it up.
        """
        lines = set(text.split("\n"))
        lines.difference_update(self._seen)
        if not lines:
            return
        if self.long_lines:
            self._add_lines(lines)
            return
        runs = set(S2T_RUN.findall("\n".join(lines)))
        runs.difference_update(self._seen)  # before the lines join it: one may be a run
        if len(self._seen) > self.MEMO:
            self._seen.clear()
        self._seen.update(line for line in lines if len(line) <= self.LINE_REMEMBERED)
        if not runs:
            return
        self._seen.update(runs)
        self._chars.add("".join(runs))
        # Phrases are found within runs, as conversion uses them (five STPhrases keys hold
        # '．', which no run does: never used), so none spans the '\n'.
        self._add_found(switch_phrases().present("\n".join(runs)))

    def _add_lines(self, lines: set[str]) -> None:
        """`add` for one document's texts: the new lines read whole, not run by run. Their
        runs seldom repeat, and finding them first cost as much as the automaton (every key
        it holds is all run characters, so a key in a line is in one of its runs)."""
        if len(self._seen) > self.MEMO:
            self._seen.clear()
        self._seen.update(lines)
        joined = "\n".join(lines)
        self._chars.add_points(run_characters(code_points(joined)))
        self._add_found(switch_phrases().present(joined))

    def _add_found(self, found: set[str]) -> None:
        for name, phrases in (("t2s", t2s_phrases()), ("s2t", s2t_phrases())):
            self.found[name].update(p for p in found if p in phrases.entries)

    def update(self, other: SwitchScan) -> None:
        self._chars.update(other._chars)
        for name, found in other.found.items():
            self.found[name] |= found

    def packed(self) -> tuple[str, str, str]:
        """The scan as three strings (characters, t2s phrases, s2t phrases): small to keep
        and to cache, where sets of one-character strings would take a hundred times more."""
        return (self.chars, "\n".join(sorted(self.found["t2s"])),
                "\n".join(sorted(self.found["s2t"])))  # fmt: skip

    def add_packed(self, packed: tuple[str, str, str]) -> None:
        """Merge a scan given by `packed`."""
        chars, t2s, s2t = packed
        self._chars.add(chars)
        for name, phrases in (("t2s", t2s), ("s2t", s2t)):
            if phrases:
                self.found[name].update(phrases.split("\n"))

    def __getstate__(self) -> dict[str, object]:
        return {"chars": self.chars, "found": self.found}  # not the memo, nor the flags

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._chars = CharacterFlags()
        self._chars.add(state["chars"])
        self.found = state["found"]
        self._seen = set()
        self.long_lines = False

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
                    for c in self.chars
                    if c in characters.entries and characters.entries[c] != c
                },
            }
        return tables


@lru_cache(maxsize=1)
def switch_phrases() -> PhraseIndex:
    """The phrases of both tables in one index: a scan reads each text once, not twice
    (finding them ~20% quicker than with an automaton each, 0.34 -> 0.28 ms a document's
    text: the smaller table's automaton too read every byte)."""
    keys = t2s_phrases().entries.keys() | s2t_phrases().entries.keys()
    # Only keys a run can hold: five STPhrases keys hold '．' (never used in conversion).
    return PhraseIndex(key for key in keys if S2T_RUN.fullmatch(key))
