"""Build the search index: takes `IndexEntry`s, gives lunr.js indexes, whole or split by term.

The scores are lunr's own (BM25 per field, k1 = 1.2, b = 0.75, title boosted), computed
here term by term with the collection's global statistics, because lunr's Python builder
needs minutes and gigabytes for 10,000 documents. `build_index` serialises exactly what
lunr's builder gives (tests hold them equal); `build_shards` splits the same index by
term into small lunr.js indexes:

- terms are sorted in UTF-16 code-unit order (the order lunr.js needs to load a token
  set, and the order in which JavaScript compares strings) and cut into consecutive runs
  of about `budget` bytes; the browser finds a term's shard by binary search over the
  first term of each shard;
- each shard holds, for its terms only, the postings and the components of every field
  vector they touch, with term indexes renumbered inside the shard. A score is a dot
  product over the query's terms divided by the query vector's length, so a query's score
  is recovered exactly from its shards' scores (see `sitegen.search.query.merge`);
- each shard has a companion file of term positions (code-point offsets of each token in
  the normalised title and body), which make multi-token queries exact.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen.search.tokenize import tokenize_with_offsets

FIELDS = ("title", "body", "place")
BOOSTS = (10, 1, 1)
TITLE_BOOST = BOOSTS[0]
POSITION_FIELDS = 2  # title and body: the fields a query's text is matched against
K1 = 1.2
B = 0.75
LUNR_VERSION = "2.3.9"
SHARD_BUDGET = 48_000  # bytes of JSON, about 12 KB gzipped


@dataclass(frozen=True)
class IndexEntry:
    ref: str
    title: str  # normalised (see tokenize.normalize)
    body: str  # normalised
    place: str = ""  # romanised names of the document's cities, space-separated


@dataclass
class Term:
    """One term of the index with its postings per field, in document order."""

    text: str
    index: int  # lunr's term index: order of first appearance
    docs: tuple[list[int], list[int], list[int]]  # per field: document numbers
    offsets: tuple[list[list[int]], list[list[int]], list[list[int]]]  # per field, per doc
    scores: tuple[list[float], list[float], list[float]] | None = None


@dataclass(frozen=True)
class Collection:
    refs: tuple[str, ...]
    terms: dict[str, Term]  # in order of first appearance


def collect(entries: Sequence[IndexEntry]) -> Collection:
    """Tokenise every entry and score every posting as lunr's builder does."""
    terms: dict[str, Term] = {}
    lengths: list[list[int]] = [[0] * len(entries) for _ in FIELDS]
    for d, entry in enumerate(entries):
        for f, text in enumerate((entry.title, entry.body, entry.place)):
            tokens = tokenize_with_offsets(text)
            lengths[f][d] = len(tokens)
            seen: dict[str, list[int]] = {}
            for token, offset in tokens:
                found = seen.get(token)
                if found is None:
                    seen[token] = [offset]
                else:
                    found.append(offset)
            for token, offsets in seen.items():
                term = terms.get(token)
                if term is None:
                    term = terms[token] = Term(token, len(terms), ([], [], []), ([], [], []))
                term.docs[f].append(d)
                term.offsets[f].append(offsets)
    count = len(entries)
    averages = [sum(field) / count if count else 0.0 for field in lengths]
    for term in terms.values():
        with_term = sum(len(docs) for docs in term.docs)
        x = (count - with_term + 0.5) / (with_term + 0.5)
        idf = math.log(1 + abs(x))
        scores: tuple[list[float], list[float], list[float]] = ([], [], [])
        for f in range(len(FIELDS)):
            for d, offsets in zip(term.docs[f], term.offsets[f], strict=True):
                tf = len(offsets)
                # The very expression (and order of operations) of lunr's builder.
                score = (
                    idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (lengths[f][d] / averages[f])) + tf)
                )
                score *= BOOSTS[f]
                scores[f].append(round(score, 3))
        term.scores = scores
    return Collection(tuple(e.ref for e in entries), terms)


def build_index(entries: Sequence[IndexEntry]) -> dict[str, Any]:
    """Return the one unsharded lunr index of `entries`, as lunr's Python builder gives it."""
    return serialize_whole(collect(entries))


def serialize_whole(collection: Collection) -> dict[str, Any]:
    refs = collection.refs
    vectors: dict[tuple[int, int], list[tuple[int, float]]] = {
        (d, f): [] for d in range(len(refs)) for f in range(len(FIELDS))
    }
    for term in collection.terms.values():
        assert term.scores is not None
        for f in range(len(FIELDS)):
            for d, score in zip(term.docs[f], term.scores[f], strict=True):
                vectors[d, f].append((term.index, score))
    field_vectors = []
    for (d, f), components in vectors.items():
        flat: list[float] = []
        for index, score in sorted(components):
            flat += [index, score]
        field_vectors.append([f"{FIELDS[f]}/{refs[d]}", flat])
    inverted = []
    for text in sorted(collection.terms):  # lunr.py sorts by code point
        term = collection.terms[text]
        posting: dict[str, Any] = {
            name: {refs[d]: {} for d in term.docs[f]} for f, name in enumerate(FIELDS)
        }
        posting["_index"] = term.index
        inverted.append([text, posting])
    return _lunr(field_vectors, inverted)


def _lunr(field_vectors: list[Any], inverted: list[Any]) -> dict[str, Any]:
    return {
        "version": LUNR_VERSION,
        "fields": list(FIELDS),
        "fieldVectors": field_vectors,
        "invertedIndex": inverted,
        "pipeline": [],
    }


def utf16_key(text: str) -> bytes:
    """Sort key giving JavaScript's string order (UTF-16 code units)."""
    return text.encode("utf-16-be")


@dataclass(frozen=True)
class Shard:
    first: str  # its first term
    index: dict[str, Any]  # a lunr.js index
    positions: dict[str, Any]  # term -> [title, body], each {ref: delta-coded offsets}


def build_shards(collection: Collection, budget: int = SHARD_BUDGET) -> Iterator[Shard]:
    """Split the index by term into consecutive runs of about `budget` bytes each."""
    group: list[Term] = []
    size = 0
    for text in sorted(collection.terms, key=utf16_key):
        term = collection.terms[text]
        cost = _cost(term, collection.refs)
        if group and size + cost > budget:
            yield _shard(group, collection.refs)
            group, size = [], 0
        group.append(term)
        size += cost
    if group:
        yield _shard(group, collection.refs)


def _cost(term: Term, refs: tuple[str, ...]) -> int:
    """Estimate the bytes a term adds to a shard and its positions file."""
    cost = 40 + 3 * len(term.text)
    for f in range(len(FIELDS)):
        for d in term.docs[f]:
            cost += 2 * len(refs[d]) + 16
    return cost


def _shard(terms: list[Term], refs: tuple[str, ...]) -> Shard:
    vectors: dict[tuple[int, int], list[float]] = {}
    inverted = []
    positions: dict[str, Any] = {}
    for local, term in enumerate(terms):
        assert term.scores is not None
        posting: dict[str, Any] = {}
        for f, name in enumerate(FIELDS):
            posting[name] = {refs[d]: {} for d in term.docs[f]}
            for d, score in zip(term.docs[f], term.scores[f], strict=True):
                vectors.setdefault((d, f), []).extend((local, score))
        posting["_index"] = local
        inverted.append([term.text, posting])
        positions[term.text] = [
            {refs[d]: _deltas(o) for d, o in zip(term.docs[f], term.offsets[f], strict=True)}
            for f in range(POSITION_FIELDS)
        ]
    field_vectors = [[f"{FIELDS[f]}/{refs[d]}", vectors[d, f]] for d, f in sorted(vectors)]
    return Shard(terms[0].text, _lunr(field_vectors, inverted), positions)


def _deltas(offsets: list[int]) -> list[int]:
    return [offsets[0]] + [b - a for a, b in zip(offsets, offsets[1:], strict=False)]


def compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
