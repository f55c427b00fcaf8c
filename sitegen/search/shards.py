"""Shards written from a part's `Tokens` with numpy: scores, order and strings in bulk.

Gives, byte for byte, what `index._Writer` gives for the same terms (a test holds
`shard_index` equal to `build_shards(collect(...))`), but computes the scores of
`BATCH` shards at a time as arrays and orders their field vectors with one sort, where
`_Writer` takes a Python step for every posting. Scores are the same floats: the same
operations in the same order, and rounded to 3 decimals as Python's `round` does (see
`_rounded`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise

import numpy as np

from sitegen.search.index import (
    _HEADER,
    BOOSTS,
    FIELDS,
    K1,
    POSITION_FIELDS,
    Shard,
    _Idfs,
    labels,
    norms,
    quoted,
    term_cost,
)
from sitegen.search.postings import FieldPostings, Tokens, index_ranges


def write_shards(tokens: Tokens, refs: Sequence[str], budget: int) -> Iterator[Shard]:
    """The shards of all of `tokens`' terms, cut as `index._shards` cuts them."""
    terms = tokens.terms
    held = np.zeros(len(terms), np.int64)
    for field in tokens.fields:
        held[field.ranks] += np.diff(field.term_starts)
    costs = list(map(term_cost, terms, held.tolist()))
    cuts = [0]  # the rank each shard starts at
    size = 0
    for rank, cost in enumerate(costs):
        if rank > cuts[-1] and size + cost > budget:
            cuts.append(rank)
            size = 0
        size += cost
    if not terms:
        return
    cuts.append(len(terms))
    writer = _ShardWriter(tokens, refs, held)
    for first in range(0, len(cuts) - 1, BATCH):
        yield from writer.shards(cuts[first : first + BATCH + 1])


BATCH = 128  # shards made together: a shard's ~50 numpy calls cost as much as its postings


class _ShardWriter:
    def __init__(self, tokens: Tokens, refs: Sequence[str], held: np.ndarray) -> None:
        count = len(refs)
        self.tokens = tokens
        self.vectors = 3 * count  # field vectors: a document's title, body and place
        lengths = [field.lengths for field in tokens.fields]
        self.norms = [np.array(norm, np.float64) for norm in norms(lengths, count)]
        self.quoted = np.array(quoted(refs), object)
        # what comes before a posting's offsets: ";ref:", or "\0ref:" for a term's first
        self.prefixes = np.array([f";{ref}:" for ref in refs], object)
        self.prefixes_marked = np.array([f"\0{ref}:" for ref in refs], object)
        idfs = _Idfs(count)
        distinct = np.unique(held)
        table = np.array([idfs[n] for n in distinct.tolist()], np.float64)
        self.idf = table[np.searchsorted(distinct, held)]
        self.thousandths = _Texts(lambda q: repr(q / 1000))  # a score's text, by score * 1000
        self.locals = _Texts("{},".format)  # "n," for a term's index n in its shard
        self.numbers = _Texts(str)
        self.quoted_marked = np.array(["\0" + q for q in self.quoted.tolist()], object)
        # a field vector's start: after the one before (in its shard, or the shard before)
        starts = labels(refs)
        self.labels_after = np.array(["]]," + label for label in starts], object)
        self.labels_first = np.array(["]]\0" + label for label in starts], object)

    def shards(self, cuts: Sequence[int]) -> list[Shard]:
        """The shards of the terms ranked in [cuts[0], cuts[1]), [cuts[1], cuts[2]), ...,
        made together."""
        low, high = cuts[0], cuts[-1]
        size = high - low
        fields = [[""] * size for _ in FIELDS]
        places = [[""] * size for _ in range(POSITION_FIELDS)]
        keys, ranks, scores = [], [], []
        for f, field in enumerate(self.tokens.fields):
            first, last = np.searchsorted(field.ranks, [low, high]).tolist()
            if first == last:
                continue
            bounds = field.term_starts[first : last + 1]
            p0, p1 = int(bounds[0]), int(bounds[-1])
            docs, counts = field.docs[p0:p1], field.counts[p0:p1]
            where = (field.ranks[first:last] - low).tolist()
            rank = np.repeat(field.ranks[first:last], np.diff(bounds))
            tf = counts.astype(np.float64)
            # The very expression (and order of operations) of lunr's builder.
            score = self.idf[rank] * ((K1 + 1) * tf) / (self.norms[f][docs] + tf)
            score *= BOOSTS[f]
            thousandths = np.rint(_rounded(score) * 1000).astype(np.int64)
            keys.append(docs.astype(np.int64) * 3 + f)
            ranks.append(rank)
            scores.append(thousandths)
            # each term's documents: joined with "," within a term, "\0" before each term
            starts = bounds[:-1] - p0
            quoted = self.quoted[docs]
            quoted[starts] = self.quoted_marked[docs[starts]]
            joined = ",".join(quoted.tolist()).replace(",\0", "\0").split("\0")[1:]
            for at, text in zip(where, joined, strict=True):
                fields[f][at] = text
            if f < POSITION_FIELDS:
                for at, text in zip(
                    where,
                    self._offsets(field, p0, p1, starts),
                    strict=True,
                ):
                    places[f][at] = text
        bounds = np.array(cuts, np.int64)
        rank = np.concatenate(ranks)
        shard = np.searchsorted(bounds, rank, "right") - 1
        # each shard's field vectors in document, field order; a vector's terms in order
        vector = np.concatenate(keys)
        key = shard * self.vectors + vector
        order = np.lexsort((rank, key))
        key = key[order]
        rank = rank[order]
        shard = shard[order]
        vector = vector[order]
        begins = np.flatnonzero(np.diff(key, prepend=-1))
        firsts = np.flatnonzero(np.diff(shard, prepend=-1))  # among the begins
        # each posting: separator, "n," (its term's index in its shard), score; joined at
        # once, with "\0" where a shard begins
        pieces = np.full(3 * len(key), ",", object)
        pieces[begins * 3] = self.labels_after[vector[begins]]
        pieces[firsts * 3] = self.labels_first[vector[firsts]]
        pieces[1::3] = self.locals[rank - bounds[shard]]
        pieces[2::3] = self.thousandths[np.concatenate(scores)[order]]
        vectors = ("".join(pieces.tolist()) + "]]").split("\0")[1:]
        terms = self.tokens.terms[low:high]
        title, body, place = fields
        made = []
        for number, (start, end) in enumerate(pairwise(cuts)):
            a, b = start - low, end - low
            inverted = [
                f'["{text}",{{"title":{{{t}}},"body":{{{d}}},"place":{{{p}}},"_index":{n}}}]'
                for n, (text, t, d, p) in enumerate(
                    zip(terms[a:b], title[a:b], body[a:b], place[a:b], strict=True)
                )
            ]
            positions = [
                f'"{text}":["{t}","{d}"]'
                for text, t, d in zip(terms[a:b], places[0][a:b], places[1][a:b], strict=True)
            ]
            index = (
                _HEADER
                + vectors[number]
                + '],"invertedIndex":['
                + ",".join(inverted)
                + '],"pipeline":[]}'
            )
            made.append(Shard(terms[a], terms[b - 1], index, "{" + ",".join(positions) + "}"))
        return made

    def _offsets(
        self,
        field: FieldPostings,
        p0: int,
        p1: int,
        starts: np.ndarray,
    ) -> list[str]:
        """Each term's "ref:d,d;ref:d" (delta-coded offsets) for the postings [p0, p1), whose
        terms begin at `starts` (relative)."""
        counts = field.counts[p0:p1]
        deltas = field.deltas[index_ranges(field.token_starts[p0:p1], counts)]
        docs = field.docs[p0:p1]
        pieces = np.full(2 * len(deltas), ",", object)  # separator, offset, separator, ...
        begins = 2 * (np.cumsum(counts) - counts)  # each posting's first offset
        pieces[begins] = self.prefixes[docs]
        pieces[begins[starts]] = self.prefixes_marked[docs[starts]]
        pieces[1::2] = self.numbers[deltas]
        text = "".join(pieces.tolist())
        return text.split("\0")[1:]


class _Texts:
    """Strings made by `make` for 0, 1, 2, ..., indexed by arrays; those below `LIMIT` are
    made once and kept (the table grows as needed), larger ones made each time."""

    LIMIT = 1 << 16

    def __init__(self, make: Callable[[int], str]) -> None:
        self.make = make
        self.table = np.array([], object)

    def __getitem__(self, numbers: np.ndarray) -> np.ndarray:
        wanted = int(numbers.max()) + 1 if len(numbers) else 0
        if wanted > self.LIMIT:
            large = numbers >= self.LIMIT
            out = np.empty(len(numbers), object)
            out[~large] = self[numbers[~large]]
            out[large] = list(map(self.make, numbers[large].tolist()))
            return out
        if wanted > len(self.table):
            size = min(max(wanted, 2 * len(self.table)), self.LIMIT)
            more = [self.make(n) for n in range(len(self.table), size)]
            self.table = np.concatenate([self.table, np.array(more, object)])
        return self.table[numbers]


def _rounded(values: np.ndarray) -> np.ndarray:
    """`round(v, 3)` of each value, exactly.

    Python rounds the exact value times 1000 half to even, then gives the float nearest
    that many thousandths; `rint(v * 1000) / 1000` does the same unless the product was
    rounded across a half, so values within a hair of a half go through `round`.
    """
    scaled = values * 1000
    out = np.rint(scaled) / 1000
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near.any():
        out[near] = [round(v, 3) for v in values[near].tolist()]
    return out
