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
  the normalised title and body, delta-coded), which make multi-token queries exact.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen.search.tokenize import TOKEN

FIELDS = ("title", "body", "place")
BOOSTS = (10, 1, 1)
TITLE_BOOST = BOOSTS[0]
POSITION_FIELDS = 2  # title and body: the fields a query's text is matched against
K1 = 1.2
B = 0.75
LUNR_VERSION = "2.3.9"
SHARD_BUDGET = 48_000  # estimated bytes (30 a posting): a shard and its positions ~60 KB


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
    counts: tuple[list[int], list[int], list[int]]  # per field, per doc: occurrences
    positions: tuple[list[str], list[str]]  # title and body, per doc: delta-coded offsets
    scores: tuple[list[float], list[float], list[float]] | None = None


@dataclass(frozen=True)
class Collection:
    refs: tuple[str, ...]
    terms: dict[str, Term]  # in order of first appearance


def _offsets(text: str) -> tuple[dict[str, list[int]], int]:
    """Return each token of `text` with its offsets (as tokenize_with_offsets), and the count."""
    found: dict[str, list[int]] = defaultdict(list)
    count = 0
    for match in TOKEN.finditer(text):
        run, start = match.group(), match.start()
        if match.lastgroup == "word" or len(run) == 1:
            found[run].append(start)
            count += 1
        else:
            for i in range(len(run) - 1):
                found[run[i : i + 2]].append(start + i)
            count += len(run) - 1
    return found, count


def collect(
    entries: Sequence[IndexEntry], low: str | None = None, high: str | None = None
) -> Collection:
    """Tokenise every entry and score every posting as lunr's builder does.

    With `low` and/or `high` (single characters below U+D800, where code-point and UTF-16
    order agree), keep only the terms in [low, high): statistics stay global.
    """
    terms: dict[str, Term] = {}
    lengths: list[list[int]] = [[0] * len(entries) for _ in FIELDS]
    for d, entry in enumerate(entries):
        for f, text in enumerate((entry.title, entry.body, entry.place)):
            found, lengths[f][d] = _offsets(text)
            for token, offsets in found.items():
                if (low is not None and token < low) or (high is not None and token >= high):
                    continue
                term = terms.get(token)
                if term is None:
                    term = terms[token] = Term(
                        token, len(terms), ([], [], []), ([], [], []), ([], [])
                    )
                term.docs[f].append(d)
                term.counts[f].append(len(offsets))
                if f >= POSITION_FIELDS:
                    continue
                if len(offsets) == 1:
                    term.positions[f].append(str(offsets[0]))
                else:
                    deltas = [b - a for a, b in zip([0, *offsets], offsets, strict=False)]
                    term.positions[f].append(",".join(map(str, deltas)))
    count = len(entries)
    averages = [sum(field) / count if count else 0.0 for field in lengths]
    for term in terms.values():
        with_term = sum(len(docs) for docs in term.docs)
        x = (count - with_term + 0.5) / (with_term + 0.5)
        idf = math.log(1 + abs(x))
        scores: tuple[list[float], list[float], list[float]] = ([], [], [])
        for f in range(len(FIELDS)):
            boost, average, length = BOOSTS[f], averages[f], lengths[f]
            for d, tf in zip(term.docs[f], term.counts[f], strict=True):
                # The very expression (and order of operations) of lunr's builder.
                score = idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length[d] / average)) + tf)
                score *= boost
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
    last: str  # its last term
    index: str  # a lunr.js index, as JSON
    positions: str  # JSON: {term: [title, body]}, each "ref:d,d,d;ref:d" (delta-coded offsets)


def build_shards(collection: Collection, budget: int = SHARD_BUDGET) -> Iterator[Shard]:
    """Split the index by term into consecutive runs of about `budget` bytes each."""
    refs = [json.dumps(r) for r in collection.refs]
    group: list[Term] = []
    size = 0
    for text in sorted(collection.terms, key=utf16_key):
        term = collection.terms[text]
        cost = 40 + 3 * len(text) + sum(len(docs) for docs in term.docs) * 30
        if group and size + cost > budget:
            yield _shard(group, refs, collection.refs)
            group, size = [], 0
        group.append(term)
        size += cost
    if group:
        yield _shard(group, refs, collection.refs)


# Where the vocabulary is cut for building in parallel: fixed, so that the output does not
# depend on the machine. About half of the postings of Chinese news fall on either side.
PARTS = (None, "\u5feb", None)
PARALLEL_FROM = 2_000_000  # characters of text; below this one process is quicker


def shard_index(entries: Sequence[IndexEntry], budget: int = SHARD_BUDGET) -> list[Shard]:
    """Return the shards of `entries`, building the vocabulary's parts in parallel."""
    ranges = list(zip(PARTS[:-1], PARTS[1:], strict=True))
    jobs = [(entries, low, high, budget) for low, high in ranges]
    if sum(len(e.body) for e in entries) < PARALLEL_FROM:
        return [s for job in jobs for s in _part(job)]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
        return [s for shards in pool.map(_part, jobs) for s in shards]


def _part(job: tuple[Sequence[IndexEntry], str | None, str | None, int]) -> list[Shard]:
    entries, low, high, budget = job
    return list(build_shards(collect(entries, low, high), budget))


def _shard(terms: list[Term], quoted: list[str], refs: Sequence[str]) -> Shard:
    """Write one shard's JSON directly (json.dumps of the same structure is 5 times slower).

    Terms, refs and field names hold only letters and digits, so nothing needs escaping;
    a test holds the text equal to json.dumps of `serialize_whole`'s structure.
    """
    vectors: dict[tuple[int, int], list[str]] = defaultdict(list)
    inverted = []
    positions = []
    for local, term in enumerate(terms):
        assert term.scores is not None
        fields = []
        for f, name in enumerate(FIELDS):
            docs = term.docs[f]
            fields.append(f'"{name}":{{' + ",".join(f"{quoted[d]}:{{}}" for d in docs) + "}")
            for d, score in zip(docs, term.scores[f], strict=True):
                vectors[d, f].append(f"{local},{score!r}")
        inverted.append(f'["{term.text}",{{' + ",".join(fields) + f',"_index":{local}}}]')
        places = [
            ";".join(f"{refs[d]}:{p}" for d, p in zip(term.docs[f], term.positions[f], strict=True))
            for f in range(POSITION_FIELDS)
        ]
        positions.append(f'"{term.text}":["' + '","'.join(places) + '"]')
    field_vectors = [
        f'["{FIELDS[f]}/{refs[d]}",[' + ",".join(vectors[d, f]) + "]]" for d, f in sorted(vectors)
    ]
    index = (
        f'{{"version":"{LUNR_VERSION}","fields":{json.dumps(list(FIELDS))},'.replace(" ", "")
        + '"fieldVectors":['
        + ",".join(field_vectors)
        + '],"invertedIndex":['
        + ",".join(inverted)
        + '],"pipeline":[]}'
    )
    return Shard(terms[0].text, terms[-1].text, index, "{" + ",".join(positions) + "}")


def compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
