"""Every entry's tokens at once, with numpy, grouped into the postings the index is made of.

Tokenising text by text costs Python objects per token (about 23 million at 10,000
documents). Here the texts of a field are joined into one array of code points; each
token becomes a number (a bigram `ab` is `ord(a) << 21 | ord(b)`, a lone Han character
its code point, a word `WORD` plus its number); one stable sort by that number then
groups the tokens by term, document and offset. The tokens are exactly
`tokenize_with_offsets`'s (a test holds them equal, and `index.shard_index` equal to the
shards of `index.collect`).

Terms are numbered (ranked) in the order the index lists them, UTF-16 order, so a part of
the index is a range of ranks and a shard a run of consecutive ranks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sitegen.chinese import HAN_CLASS, code_points

HAN, WORD_CHARACTER = 1, 2
WORD = 1 << 42  # a word's code: WORD + its number; above every bigram's (< 2**42)


UNCLASSED = 255
# Each code point's kind (HAN, WORD_CHARACTER or 0) once `kinds_of` has met it.
_KINDS = np.full(0x110000, UNCLASSED, np.uint8)


def kinds_of(points: np.ndarray) -> np.ndarray:
    """The kind of each code point in `points`, as the tokenizer's groups class it.

    Classing every code point takes ~0.3 s in each process that tokenises; the texts of a
    large archive hold a few thousand distinct ones, classed when first met.
    """
    kinds = _KINDS[points]
    unclassed = kinds == UNCLASSED
    if unclassed.any():
        present = np.zeros(len(_KINDS), bool)  # (sorting millions of points costs more)
        present[points[unclassed]] = True
        new = np.flatnonzero(present).astype(np.uint32)
        _KINDS[new] = _kinds(new.tobytes().decode("utf-32-le", "surrogatepass"))
        kinds = _KINDS[points]
    return kinds


def _kinds(characters: str) -> np.ndarray:
    """The kind of each of `characters`."""
    kinds = np.zeros(len(characters), np.uint8)
    for kind, pattern in ((HAN, f"[{HAN_CLASS}]+"), (WORD_CHARACTER, f"[^\\W_{HAN_CLASS}]+")):
        for match in re.finditer(pattern, characters):
            kinds[match.start() : match.end()] = kind
    return kinds


@dataclass(frozen=True)
class FieldPostings:
    """One field's postings, by term (in rank order), then document."""

    lengths: list[int]  # tokens of each text
    ranks: np.ndarray  # the ranks of the terms it holds, ascending
    term_starts: np.ndarray  # where each term's postings begin (one more: the end)
    docs: np.ndarray  # per posting: document number
    counts: np.ndarray  # per posting: occurrences
    token_starts: np.ndarray  # per posting: where its offsets begin in `deltas`
    deltas: np.ndarray  # offsets, by term code then document: each less the one before
    # in its posting (the first: as it is)


@dataclass(frozen=True)
class Tokens:
    """The vocabulary (UTF-16 order) and every field's postings."""

    terms: list[str]
    fields: tuple[FieldPostings, ...]


@dataclass(frozen=True)
class _Grouped:
    """A field's tokens grouped by term code (ascending), then document."""

    lengths: list[int]
    codes: np.ndarray  # the codes of its terms
    term_starts: np.ndarray  # where each code's postings begin
    docs: np.ndarray
    counts: np.ndarray
    token_starts: np.ndarray
    deltas: np.ndarray


def tokens_of(
    fields: Sequence[Sequence[str]], low: str | None = None, high: str | None = None
) -> Tokens:
    """Tokenise each field's texts (the same number of texts in each) and group them.

    With `low` and/or `high` (single characters), keep only the terms in [low, high):
    a term's first character decides, as it decides string order. Lengths count all.
    """
    bounds = (ord(low) if low else 0, ord(high) if high else 0x110000)
    numbers: dict[str, int] = {}
    grouped = [_grouped(texts, numbers, bounds) for texts in fields]
    codes = np.concatenate([g.codes for g in grouped])
    codes.sort()
    codes = codes[np.diff(codes, prepend=-1) != 0]
    terms = _texts(codes, list(numbers))
    order = utf16_order(terms, _beyond_d7ff(codes, terms))
    ranks = np.empty(len(order), np.int64)
    ranks[order] = np.arange(len(order))
    postings = tuple(_in_rank_order(g, ranks[np.searchsorted(codes, g.codes)]) for g in grouped)
    return Tokens([terms[n] for n in order], postings)


def _texts(codes: np.ndarray, words: list[str]) -> list[str]:
    """The term each code stands for."""
    words_from = int(np.searchsorted(codes, WORD))
    pairs_from = int(np.searchsorted(codes[:words_from], 1 << 21))
    points = np.zeros((words_from, 2), np.uint32)
    points[:pairs_from, 0] = codes[:pairs_from]
    points[pairs_from:, 0] = codes[pairs_from:words_from] >> 21
    points[pairs_from:, 1] = codes[pairs_from:words_from] & 0x1FFFFF
    spelled = points.tobytes().decode("utf-32-le", "surrogatepass")  # lone ones end in \0
    lone = [spelled[n : n + 1] for n in range(0, 2 * pairs_from, 2)]
    pairs = [spelled[n : n + 2] for n in range(2 * pairs_from, 2 * words_from, 2)]
    return lone + pairs + [words[n] for n in (codes[words_from:] - WORD).tolist()]


def _beyond_d7ff(codes: np.ndarray, terms: list[str]) -> np.ndarray:
    """The numbers of the terms with a character above U+D7FF."""
    han = codes[codes < WORD]
    beyond = np.flatnonzero(((han & 0x1FFFFF) > 0xD7FF) | ((han >> 21) > 0xD7FF))
    words = [n for n in range(len(han), len(terms)) if max(terms[n]) > "\ud7ff"]
    return np.concatenate([beyond, np.array(words, np.int64)]) if words else beyond


def utf16_order(terms: list[str], beyond: np.ndarray) -> list[int]:
    """The numbers of `terms` in UTF-16 order, JavaScript's, given the numbers of the terms
    with a character above U+D7FF (`beyond`). Terms hold no lone surrogate.

    Code-point order is UTF-16 order except between two such terms (the only characters
    whose UTF-16 units do not keep their order are those from U+D800 up), so the terms
    are sorted as strings, a quick C comparison, and then only those few are put in
    UTF-16 order among the places they took.
    """
    order = sorted(range(len(terms)), key=terms.__getitem__)
    if len(beyond):
        place = np.empty(len(order), np.int64)
        place[order] = np.arange(len(order))
        ordered = sorted(beyond.tolist(), key=lambda n: terms[n].encode("utf-16-be"))
        for at, n in zip(np.sort(place[beyond]).tolist(), ordered, strict=True):
            order[at] = n
    return order


CHUNK = 2_000_000  # characters tokenised at a time, to bound the arrays made for them


def _field_tokens(
    texts: Sequence[str], numbers: dict[str, int], bounds: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Every token of `texts` in order whose first character is in [bounds): its code,
    document and offset (in code points); and each text's count of tokens. Words are
    numbered in `numbers`."""
    found: list[list[np.ndarray | None]] = []
    lengths: list[int] = []
    first = 0
    while first < len(texts):
        last, size = first, 0
        while last < len(texts) and (last == first or size + len(texts[last]) <= CHUNK):
            size += len(texts[last]) + 1
            last += 1
        codes, docs, offsets, counted = _chunk_tokens(texts[first:last], numbers, bounds)
        found.append([codes, docs + first, offsets])
        lengths += counted
        first = last
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32), lengths
    columns = []
    for n in range(3):  # each column's pieces let go as soon as they are joined
        columns.append(np.concatenate([chunk[n] for chunk in found]))
        for chunk in found:
            chunk[n] = None
    codes, docs, offsets = columns
    return codes, docs, offsets, lengths


def _chunk_tokens(
    texts: Sequence[str], numbers: dict[str, int], bounds: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    sizes = np.fromiter(map(len, texts), np.int64, len(texts))
    starts = np.zeros(len(texts), np.int64)
    np.cumsum(sizes[:-1] + 1, out=starts[1:])
    joined = "\n".join(texts)  # '\n' is in no token: no token spans two texts
    points = code_points(joined)
    kinds = kinds_of(points)
    han = kinds == HAN
    before, after = _neighbours(han)
    pairs = np.flatnonzero(han & after)
    lone = np.flatnonzero(han & ~before & ~after)
    letters = kinds == WORD_CHARACTER
    del kinds, han
    before, after = _neighbours(letters)
    word_starts = np.flatnonzero(letters & ~before)
    word_ends = np.flatnonzero(letters & ~after) + 1
    del before, after, letters
    low, high = bounds
    firsts = points[word_starts]
    kept = (firsts >= low) & (firsts < high)
    numbered = [
        numbers.setdefault(joined[a:b], len(numbers))
        for a, b in zip(word_starts[kept].tolist(), word_ends[kept].tolist(), strict=True)
    ]
    del joined
    starting = np.zeros(len(points), np.uint8)  # where tokens start: 1 pair, 2 lone, 3 word
    starting[pairs], starting[lone], starting[word_starts] = 1, 2, 3
    where = np.flatnonzero(starting)
    lengths = np.diff(np.searchsorted(where, starts), append=len(where)).tolist()
    firsts = points[where]
    where = where[(firsts >= low) & (firsts < high)]  # the tokens kept, in order
    starting = starting[where]
    codes = points[where].astype(np.int64)  # a lone character's code
    pair = np.flatnonzero(starting == 1)
    codes[pair] <<= 21
    codes[pair] |= points[where[pair] + 1]
    codes[starting == 3] = np.array(numbered, np.int64) + WORD
    docs = np.searchsorted(starts, where, "right") - 1
    offsets = (where - starts[docs]).astype(np.int32)
    return codes, docs.astype(np.int32), offsets, lengths


def _neighbours(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each element's previous and next flag (False past either end)."""
    before = np.zeros_like(flags)
    before[1:] = flags[:-1]
    after = np.zeros_like(flags)
    after[:-1] = flags[1:]
    return before, after


def _grouped(texts: Sequence[str], numbers: dict[str, int], bounds: tuple[int, int]) -> _Grouped:
    """One field's tokens (`_field_tokens`) sorted by code, in document order within a code.

    Each array is let go as soon as its sorted copy is made: the largest field's arrays
    are hundreds of megabytes at 10,000 documents.
    """
    codes, docs, offsets, lengths = _field_tokens(texts, numbers, bounds)
    order = code_order(codes)
    codes = codes[order]
    docs = docs[order]
    offsets = offsets[order]
    del order
    size = len(codes)
    term_new = np.ones(size, bool)
    term_new[1:] = codes[1:] != codes[:-1]
    new = term_new.copy()
    new[1:] |= docs[1:] != docs[:-1]
    begins = np.flatnonzero(new)
    del new
    firsts = offsets[begins]
    offsets[1:] -= offsets[:-1].copy()  # now each offset less the one before
    offsets[begins] = firsts
    term_tokens = np.flatnonzero(term_new)
    return _Grouped(
        lengths=lengths,
        codes=codes[term_tokens],
        term_starts=np.searchsorted(begins, term_tokens),
        docs=docs[begins],
        counts=np.diff(begins, append=size).astype(np.int32),
        token_starts=begins,
        deltas=offsets,
    )


ORDER_PIECE = 1 << 20  # codes made into keys at a time: a few MB of temporaries, not GBs


def code_order(codes: np.ndarray) -> np.ndarray:
    """`numpy.argsort(codes, kind="stable")`, in half the time and less memory.

    Each code becomes a small number in the same order (a Han character's rank among the
    characters present; a word's number above every pair of them), with the code's place
    below it; numbers that differ sort quicker than equal codes sorted stably. The keys
    are made a piece at a time, in the array that is sorted and becomes the order.
    """
    size = len(codes)
    place_bits = max(1, (size - 1).bit_length())
    present = np.zeros(0x110000, bool)
    last_word = -1
    for start in range(0, size, ORDER_PIECE):
        piece = codes[start : start + ORDER_PIECE]
        pairs = piece[piece < WORD]
        present[pairs >> 21] = True  # a lone character's 0 too: it ranks below the rest
        present[pairs & 0x1FFFFF] = True
        last_word = max(last_word, int(piece.max()) - WORD)
    rank = np.cumsum(present, dtype=np.int64)
    character_bits = int(rank[-1]).bit_length()
    word_base = 1 << 2 * character_bits
    if (word_base + last_word + 1).bit_length() + place_bits > 63:
        return np.argsort(codes, kind="stable")
    keys = np.empty(size, np.int64)
    for start in range(0, size, ORDER_PIECE):
        piece = codes[start : start + ORDER_PIECE]
        out = keys[start : start + len(piece)]
        han = piece < WORD
        words = ~han
        pairs = piece[han]
        out[han] = rank[pairs >> 21] << character_bits | rank[pairs & 0x1FFFFF]
        out[words] = piece[words] + (word_base - WORD)
        out <<= place_bits
        out |= np.arange(start, start + len(piece), dtype=np.int64)
    keys.sort()
    keys &= (1 << place_bits) - 1
    return keys


def _in_rank_order(grouped: _Grouped, ranks: np.ndarray) -> FieldPostings:
    """The field's terms and postings reordered by `ranks` (each term code's rank)."""
    order = np.argsort(ranks)
    starts = grouped.term_starts
    ends = np.append(starts[1:], len(grouped.docs))
    sizes = (ends - starts)[order]
    postings = index_ranges(starts[order], sizes)
    return FieldPostings(
        lengths=grouped.lengths,
        ranks=ranks[order],
        term_starts=np.concatenate([[0], np.cumsum(sizes)]),
        docs=grouped.docs[postings],
        counts=grouped.counts[postings],
        token_starts=grouped.token_starts[postings],
        deltas=grouped.deltas,
    )


def index_ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The indexes starts[0] .. starts[0] + sizes[0] - 1, then those of the next range..."""
    total = int(sizes.sum())
    out = np.arange(total, dtype=np.int64)
    out += np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
    return out
