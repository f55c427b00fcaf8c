"""Related documents: the same city, or rare terms in common (the search tokenizer's bigrams).

A term counts when few documents share it (at most a fifth of the archive, at most 50),
weighted by how rare it is (idf). Documents about the same city get a bonus, but only on
top of something in common, so a big city's page does not make every document related.

A document's score with another is the sum of the weights of their common terms, added
in the terms' sorted order (so the floating-point sums, and the ranking, never depend on
how the work is split). Each document's row is worked out on its own, in `workers`
forked processes when there are many documents.
"""

from __future__ import annotations

import math
import multiprocessing
import operator
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from sitegen.model import Document
from sitegen.search.tokenize import TOKEN, normalize, tokenize  # noqa: F401 (tokenize: API)

LIMIT = 5
MIN_SCORE = 6.0  # about three rare terms in common
SAME_CITY = 4.0
MAX_SHARE = 0.2
MAX_POSTINGS = 50
PARALLEL_FROM = 2000  # documents; fewer are quicker in one process


def bigrams(text: str) -> set[str]:
    """Return the tokens of two characters of `text` (as `tokenize` gives them)."""
    found: set[str] = set()
    for match in TOKEN.finditer(normalize(text)):
        run = match.group()
        if match.lastgroup == "word":
            if len(run) == 2:
                found.add(run)
        elif len(run) >= 2:
            found.update(map(operator.add, run, run[1:]))
    return found


def related_documents(
    documents: Sequence[Document],
    city_of: Mapping[str, str],
    limit: int = LIMIT,
    workers: int = 1,
) -> dict[str, tuple[Document, ...]]:
    """Map each document's slug to its most related documents, best first."""
    count = len(documents)
    vocabulary: dict[str, int] = {}
    terms: list[array[int]] = []
    frequency: list[int] = []
    for document in documents:
        ids = array("I")
        for term in bigrams(document.title.value + "\n" + document.body_markdown):
            number = vocabulary.setdefault(term, len(vocabulary))
            if number == len(frequency):
                frequency.append(0)
            frequency[number] += 1
            ids.append(number)
        terms.append(ids)
    most = min(MAX_POSTINGS, max(2, int(count * MAX_SHARE)))
    counted = sorted((t for t, n in vocabulary.items() if 2 <= frequency[n] <= most))
    rank = {vocabulary[t]: r for r, t in enumerate(counted)}  # term id -> sorted position
    del vocabulary
    weights = [math.log(count / frequency[t]) for t in sorted(rank, key=rank.__getitem__)]
    postings: list[list[int]] = [[] for _ in counted]
    rows: list[array[int]] = []
    for d, ids in enumerate(terms):
        row = array("I", sorted(rank[t] for t in ids if t in rank))
        for r in row:
            postings[r].append(d)
        rows.append(row)
    del terms, rank
    slugs = [d.slug for d in documents]
    cities = [city_of.get(s) for s in slugs]
    shared = (rows, postings, weights, slugs, cities, limit)
    if workers <= 1 or count < PARALLEL_FROM:
        _SHARED["related"] = shared
        try:
            best = _rows((0, count))
        finally:
            _SHARED.clear()
    else:
        best = _in_workers(shared, count, workers)
    return {slugs[d]: tuple(documents[o] for o in others) for d, others in enumerate(best)}


_SHARED: dict[str, Any] = {}  # what forked workers read (inherited, never pickled)
CHUNK = 250


def _in_workers(shared: tuple[Any, ...], count: int, workers: int) -> list[tuple[int, ...]]:
    import gc

    _SHARED["related"] = shared
    gc.freeze()
    try:
        chunks = [(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [row for rows in pool.imap(_rows, chunks) for row in rows]
    finally:
        gc.unfreeze()
        _SHARED.clear()


def _rows(bounds: tuple[int, int]) -> list[tuple[int, ...]]:
    """The related documents of documents `bounds[0]` to `bounds[1]`, as numbers."""
    rows, postings, weights, slugs, cities, limit = _SHARED["related"]
    out = []
    for d in range(*bounds):
        scores: dict[int, float] = {}
        get = scores.get
        for r in rows[d]:
            weight = weights[r]
            for other in postings[r]:
                scores[other] = get(other, 0.0) + weight
        scores.pop(d, None)
        city = cities[d]
        ranked = []
        for other, score in scores.items():
            if city is not None and cities[other] == city:
                score += SAME_CITY
            if score >= MIN_SCORE:
                ranked.append((-round(score, 9), slugs[other], other))
        ranked.sort()
        out.append(tuple(other for _, _, other in ranked[:limit]))
    return out
