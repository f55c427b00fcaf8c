"""Related documents: the same city, or rare terms in common (the search tokenizer's bigrams).

A term counts when few documents share it (at most a fifth of the archive, at most 50),
weighted by how rare it is (idf). Documents about the same city get a bonus, but only on
top of something in common, so a big city's page does not make every document related.

A document's score with another is the sum of the weights of their common terms, added
in the terms' sorted order (so the floating-point sums, and the ranking, never depend on
how the work is split). Terms are numbers here (`bigram_keys`), and each document's scores
with all the others are one weighted `numpy.bincount` over the postings of its rare terms:
the same additions in the same order as a loop in Python, a hundred times quicker.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from sitegen.chinese import code_points, distinct_sorted
from sitegen.model import Document
from sitegen.search.postings import HAN, WORD_CHARACTER, kinds_of
from sitegen.search.tokenize import normalize

LIMIT = 5
MIN_SCORE = 6.0  # about three rare terms in common
SAME_CITY = 4.0
MAX_SHARE = 0.2
MAX_POSTINGS = 50
KEY = np.dtype("<u8")
BATCH_CELLS = 1 << 21  # documents scored at once x documents: 16 MiB of scores


def bigram_keys(normalized: str) -> bytes:
    """The distinct two-character tokens of normalised text, sorted, as 64-bit numbers.

    A token `ab` is `ord(a) << 21 | ord(b)`: exact (code points have 21 bits), ordered as
    the strings are, and counted and compared by numpy at C speed. Each character is
    classed by the search index's table of the tokenizer's own classes (`kinds_of`: about
    twice as quick as its pattern).
    """
    points = code_points(normalized)
    kinds = kinds_of(points)
    codes = points.astype(KEY)
    han = kinds == HAN
    word = np.concatenate(([False], kinds == WORD_CHARACTER, [False]))
    # each pair of Han characters (one run: runs are maximal), and each word of just two
    wanted = (han[:-1] & han[1:]) | (word[1:-2] & word[2:-1] & ~word[:-3] & ~word[3:])
    return distinct_sorted(((codes[:-1] << 21) | codes[1:])[wanted]).tobytes()


def key_terms(keys: bytes) -> tuple[str, ...]:
    """The tokens `bigram_keys` stands for, in the same (sorted) order."""
    return tuple(chr(k >> 21) + chr(k & 0x1FFFFF) for k in np.frombuffer(keys, dtype=KEY).tolist())


def document_keys(document: Document) -> np.ndarray:
    """`bigram_keys` of a document's title and body."""
    text = normalize(document.title.value + "\n" + document.body_markdown)
    return np.frombuffer(bigram_keys(text), dtype=KEY)


def title_and_body_keys(title: str, body: bytes) -> bytes:
    """`document_keys` of a document with this title, given its body's `bigram_keys`."""
    keys = np.frombuffer(bigram_keys(normalize(title)), dtype=KEY)
    return distinct_sorted(np.concatenate([keys, np.frombuffer(body, dtype=KEY)])).tobytes()


def related_documents(
    documents: Sequence[Document],
    city_of: Mapping[str, str],
    limit: int = LIMIT,
    keys_by_slug: Mapping[str, bytes] | None = None,
) -> dict[str, tuple[Document, ...]]:
    """Map each document's slug to its most related documents, best first.

    `keys_by_slug` maps a slug to its document's `document_keys` (as bytes) where the
    caller has them already (the build makes them while cleaning); the others are made here.
    """
    count = len(documents)
    if count == 0:
        return {}
    known = keys_by_slug or {}
    keys = [
        np.frombuffer(known[d.slug], dtype=KEY) if d.slug in known else document_keys(d)
        for d in documents
    ]
    every = np.concatenate(keys)
    terms, frequency = np.unique(every, return_counts=True)
    del every
    most = most_postings(count)
    rare = terms[(frequency >= 2) & (frequency <= most)]
    rare_frequency = frequency[(frequency >= 2) & (frequency <= most)]
    del terms, frequency
    weights = term_weights(count)[rare_frequency]
    rows = rare_numbers(keys, rare)  # per document: its rare terms, ascending (= terms' order)
    del keys
    lengths = np.array([len(r) for r in rows])
    post_terms = np.concatenate(rows)
    post_docs = np.repeat(np.arange(count), lengths)
    order = np.argsort(post_terms, kind="stable")  # by term, documents ascending within
    term_docs = post_docs[order]
    term_start = np.zeros(len(rare) + 1, dtype=np.int64)
    np.cumsum(np.bincount(post_terms, minlength=len(rare)), out=term_start[1:])
    del post_terms, post_docs, order
    slugs = [d.slug for d in documents]
    cities = city_numbers(slugs, city_of)
    related = {}
    batch = max(1, BATCH_CELLS // count)
    for first in range(0, count, batch):
        # The scores of `batch` documents at once: one bincount over all their postings,
        # each document's in a row of its own (the same additions in the same order).
        group = rows[first : first + batch]
        mine = np.concatenate(group)
        row = np.repeat(np.arange(len(group)), [len(r) for r in group])  # each term's row
        starts = term_start[mine]
        sizes = term_start[mine + 1] - starts
        ends = np.cumsum(sizes)
        at = np.repeat(starts - ends + sizes, sizes) + np.arange(ends[-1] if len(ends) else 0)
        cells = term_docs[at] + np.repeat(row * count, sizes)
        scores = np.bincount(
            cells, weights=np.repeat(weights[mine], sizes), minlength=len(group) * count
        )
        for n in range(len(group)):
            d = first + n
            best = best_others(scores[n * count : (n + 1) * count], d, cities, slugs, limit)
            related[slugs[d]] = tuple(documents[o] for o in best)
    return related


HASH_BITS = 24  # flags for `rare_numbers`: 16 MB; at 400,000 rare terms 2% are set


def rare_numbers(keys: Sequence[np.ndarray], rare: np.ndarray) -> list[np.ndarray]:
    """For each document's sorted keys, the places in `rare` (sorted) of those it holds.

    A flag for each hash of a rare key lets through every rare key and few others, and only
    those are looked up: a binary search for every key took two thirds of the scoring, where
    most keys are in one document or in many.
    """
    flags = np.zeros(1 << HASH_BITS, bool)
    flags[_hashed(rare)] = True
    rows = []
    for ids in keys:
        ids = ids[flags[_hashed(ids)]]
        at = np.searchsorted(rare, ids)
        at[at == len(rare)] = 0
        rows.append(at[rare[at] == ids] if len(rare) else at[:0])
    return rows


def _hashed(keys: np.ndarray) -> np.ndarray:
    """Fibonacci hashing: the top bits of the key times 2**64 over the golden ratio."""
    return (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - HASH_BITS)


def most_postings(count: int) -> int:
    """The most documents a term may be in and still count, among `count`."""
    return min(MAX_POSTINGS, max(2, int(count * MAX_SHARE)))


@lru_cache(maxsize=4)
def term_weights(count: int) -> np.ndarray:
    """The weight of a term in `f` of `count` documents, for each `f` up to
    `most_postings(count)`: as Python computes it (math.log, not numpy's)."""
    return np.array([math.log(count / f) if f else 0.0 for f in range(most_postings(count) + 1)])


def city_numbers(slugs: Sequence[str], city_of: Mapping[str, str]) -> np.ndarray:
    """A number for each slug's city (-1: none), for `best_others`."""
    names = {c: n for n, c in enumerate(sorted({c for c in city_of.values() if c is not None}))}
    return np.array([names.get(city_of.get(s), -1) for s in slugs])  # type: ignore[arg-type]


def best_others(
    scores: np.ndarray, own: int, cities: np.ndarray, slugs: Sequence[str], limit: int
) -> list[int]:
    """The numbers of the best `limit` documents for document `own`, given `scores` (the
    sums of the weights of the rare terms each shares with it): the same-city bonus added,
    at least `MIN_SCORE`, best first, ties by slug. Changes `scores`."""
    scores[own] = 0.0
    others = np.flatnonzero(scores)  # weights are positive: these share a rare term
    found = scores[others]
    if cities[own] >= 0:
        found = np.where(cities[others] == cities[own], found + SAME_CITY, found)
    keep = found >= MIN_SCORE
    if np.count_nonzero(keep) > limit:  # only those that can be among the best `limit`
        best = np.partition(found[keep], -limit)[-limit]
        keep &= found >= best - 1e-6  # rounding to 9 places cannot lift any other
    ranked = sorted(
        (-round(score, 9), slugs[o], o)
        for score, o in zip(found[keep].tolist(), others[keep].tolist(), strict=True)
    )
    return [o for _, _, o in ranked[:limit]]
