"""Build the search index: takes `IndexEntry`s, gives lunr.js indexes, whole or split by term.

The scores are lunr's own (BM25 per field, k1 = 1.2, b = 0.75, title boosted), computed
here term by term with the collection's global statistics, because lunr's Python builder
needs minutes and gigabytes for 10,000 documents. `build_index` serialises exactly what
lunr's builder gives (tests hold them equal); `shard_index` splits the same index by
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

`shard_index` cuts the vocabulary into `PARTS` built in parallel (spawned processes). Each
part tokenises every entry with numpy and keeps only its own terms' postings, as arrays
(`sitegen.search.postings`), and writes its shards from them, a shard's scores and
strings made in bulk (`sitegen.search.shards`); shards stream out to the caller as they
are made. `collect` and `_Writer` (term by term in Python, much slower and larger) stay
for `build_index` and as the tests' reference: `build_shards` of a `Collection` gives the
same shards, byte for byte.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, and_, ge, lt
from pathlib import Path
from typing import Any

from sitegen.memory import large_blocks_mapped, release_memory
from sitegen.search.postings import tokens_of
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
    lengths: list[list[int]]  # per field, per document: tokens


def _tokens(text: str) -> tuple[list[str], list[int]]:
    """Return the tokens of `text` (as tokenize_normalized) and their offsets."""
    tokens: list[str] = []
    offsets: list[int] = []
    for match in TOKEN.finditer(text):
        start, end = match.span()
        if end - start == 1 or match.lastgroup == "word":
            tokens.append(match.group())
            offsets.append(start)
        else:
            run = match.group()
            tokens += map(add, run, run[1:])  # its bigrams
            offsets += range(start, end - 1)
    return tokens, offsets


def _offsets(
    text: str, low: str | None = None, high: str | None = None
) -> tuple[dict[str, list[int]], int]:
    """Return each token of `text` with its offsets (as tokenize_with_offsets), and the count.

    With `low` and/or `high` (single characters), only the tokens in [low, high); the count
    is of all tokens.
    """
    tokens, offsets = _tokens(text)
    pairs: Iterable[tuple[str, int]] = zip(tokens, offsets, strict=True)
    if low is not None or high is not None:
        pairs = compress(pairs, _in_range(tokens, low, high))
    found: dict[str, list[int]] = defaultdict(list)
    for token, offset in pairs:
        found[token].append(offset)
    return found, len(tokens)


def _in_range(tokens: list[str], low: str | None, high: str | None) -> Iterator[bool]:
    """Whether each token is in [low, high), at C speed."""
    if low is not None and high is not None:
        return map(and_, map(ge, tokens, repeat(low)), map(lt, tokens, repeat(high)))
    if low is not None:
        return map(ge, tokens, repeat(low))
    assert high is not None
    return map(lt, tokens, repeat(high))


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
    return Collection(tuple(e.ref for e in entries), terms, lengths)


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


@dataclass(frozen=True)
class Shard:
    first: str  # its first term
    last: str  # its last term
    # Each is the file's text, or (`shard_index` with `spill`) a file holding it.
    index: str | Path  # a lunr.js index, as JSON
    # JSON: {term: [title, body]}, each "ref:d,d,d;ref:d" (delta-coded offsets)
    positions: str | Path


def utf16_key(text: str) -> bytes:
    """Sort key giving JavaScript's string order (UTF-16 code units)."""
    return text.encode("utf-16-be")


# Where the vocabulary is cut into parts, built in parallel: fixed, so that the output does
# not depend on the machine (a shard never spans two parts). About half of the postings of
# Chinese news fall on either side.
PARTS = (None, "\u5feb", None)
PARALLEL_FROM = 2_000_000  # characters of text; below this one process is quicker
_BATCH = 64  # shards a worker sends at a time


def shard_index(
    entries: Sequence[IndexEntry], budget: int = SHARD_BUDGET, spill: Path | None = None
) -> Iterator[Shard]:
    """Yield the shards of `entries` in term order, building the parts in parallel.

    The vocabulary is split into runs of about `budget` estimated bytes: terms sorted in
    UTF-16 order, a shard closed before a term that would overflow it (and at each cut of
    `PARTS`). Each part tokenises every entry and keeps only its own terms
    (`postings.tokens_of`). With `spill` (a folder), parts built in parallel write their
    shards' texts into files there and the shards name those files: the caller moves them
    into place instead of receiving, holding and writing hundreds of megabytes.
    """
    with started_shards(entries, budget, spill) as shards:
        yield from shards


@contextmanager
def started_shards(
    entries: Sequence[IndexEntry],
    budget: int = SHARD_BUDGET,
    spill: Path | None = None,
    release: bool = False,
) -> Iterator[Iterator[Shard]]:
    """`shard_index`'s shards, with the processes building them started on entering: the
    caller may do other work before it takes them. Leaving stops the processes.

    `release`: hand the memory this process let go of back to the system (a build does,
    having let go of its documents), once the processes have the entries.
    """
    ranges = list(zip(PARTS[:-1], PARTS[1:], strict=True))
    fields = [[getattr(e, name) for e in entries] for name in FIELDS]
    refs = [e.ref for e in entries]
    if len(ranges) == 1 or sum(map(len, fields[1])) < PARALLEL_FROM:
        if release:
            release_memory()
        yield (shard for low, high in ranges for shard in _part(fields, refs, low, high, budget))
        return
    workers: list[tuple[Any, Any]] = []
    try:
        _start_parts(workers, fields, refs, ranges, budget, spill)
        del fields
        if release:
            release_memory()
        yield _from_parts(workers, spill)
    finally:
        for process, receive in workers:
            receive.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _start_parts(
    workers: list[tuple[Any, Any]],
    fields: list[list[str]],
    refs: list[str],
    ranges: list[tuple[str | None, str | None]],
    budget: int,
    spill: Path | None,
) -> None:
    """Start one process a part, added to `workers` with this end of its connection; then
    send them all the entries, pickled once (~90 MB at 10,000 documents: given as the
    processes' arguments they were pickled for each, and the second process started only
    once the first had read them).

    The processes are spawned and sent the entries, not forked: a forked process's
    allocations land in the free space of this process's fragmented heap and copy its
    pages one by one (at 10,000 documents that cost 400 MB in each), where a fresh one
    holds only the entries and its own part.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for number, (low, high) in enumerate(ranges):
        here, there = context.Pipe()
        process = context.Process(
            target=_worker,
            args=(there, low, high, budget, number == 0, _BATCH, number, spill),
            name=f"sitegen-search-index-{number}",
        )
        process.start()
        there.close()
        workers.append((process, here))
    data = pickle.dumps((fields, refs), pickle.HIGHEST_PROTOCOL)
    for _, here in workers:
        try:
            here.send_bytes(data)
        except OSError as error:
            with suppress(OSError):
                _received(here)  # raises with what the process said before it ended, if it did
            raise RuntimeError("a search index process ended before it read the entries") from error


def _from_parts(workers: list[tuple[Any, Any]], spill: Path | None) -> Iterator[Shard]:
    """The shards the parts' processes send, in part order: the first part's as made, the
    others' when done (unless they are written to `spill`: then every part goes at its own
    pace)."""
    if spill is None:  # a later part sends only when done: read the parts in turn
        for _, receive in workers:
            while (batch := _received(receive)) is not None:
                yield from (Shard(*shard) for shard in batch)
        return
    yield from (Shard(*shard) for shard in _in_order([r for _, r in workers]))


ShardRecord = tuple[str, str, str | Path, str | Path]  # a Shard's fields, as sent


def _in_order(receivers: list[Any]) -> Iterator[ShardRecord]:
    """The shards the parts send on `receivers`, part after part, reading whichever part has
    sent: a later part's are held until the parts before it are done, so that no part waits
    on a full pipe while an earlier one is read (the second part of the index spent half its
    time waiting so at 10,000 documents). For parts sending file names, which are small."""
    from multiprocessing import connection

    parts = {receive: number for number, receive in enumerate(receivers)}
    held: list[deque[ShardRecord]] = [deque() for _ in receivers]
    finished = [False] * len(receivers)
    current = 0
    while current < len(receivers):
        for receive in connection.wait([r for r, n in parts.items() if not finished[n]]):
            number = parts[receive]
            batch = _received(receive)
            if batch is None:
                finished[number] = True
            else:
                held[number].extend(batch)
        while current < len(receivers):
            while held[current]:
                yield held[current].popleft()
            if not finished[current]:
                break
            current += 1


def _received(receive: Any) -> list[ShardRecord] | None:
    """The next batch of shards a part process sent, or None when it has sent them all."""
    try:
        batch = pickle.loads(receive.recv_bytes())
    except EOFError:
        raise RuntimeError("a search index process ended without its shards") from None
    if isinstance(batch, str):
        raise RuntimeError(f"building the search index: {batch}")
    return batch


def _worker(
    send: Any,
    low: str | None,
    high: str | None,
    budget: int,
    stream: bool,
    size: int,
    part: int = 0,
    spill: Path | None = None,
) -> None:
    """Build one part of the entries' fields and references, received first on `send`,
    and send its shards in batches of `size`: as they are made if `stream` or `spill`,
    else (kept compressed meanwhile) when all are made. With `spill` the shards' texts go
    into files in a folder there named by `part`, and the shards sent name them. Stops if
    its parent is gone."""
    large_blocks_mapped()  # tokenising's arrays
    parent = os.getppid()
    try:
        if spill is not None:
            # A folder of its own: making a file locks its folder, and after many deletions
            # (ext4 without a journal) two parts making theirs in one folder waited on each
            # other: the index ~20% slower.
            spill = spill / f"part-{part}"
            spill.mkdir(exist_ok=True)
        fields, refs = pickle.loads(send.recv_bytes())
        held: list[bytes] = []
        batch: list[tuple[str, str, str | Path, str | Path]] = []
        for number, shard in enumerate(_part(fields, refs, low, high, budget)):
            if spill is not None:
                shard = _spilled(shard, spill, f"{part}-{number:05d}")
            batch.append((shard.first, shard.last, shard.index, shard.positions))
            if len(batch) == size:
                if os.getppid() != parent:
                    return
                data = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)
                if stream or spill is not None:
                    send.send_bytes(data)
                else:
                    held.append(zlib.compress(data, 1))
                batch = []
        for data in held:
            send.send_bytes(zlib.decompress(data))
        del held
        send.send_bytes(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps(None))
    except BaseException as error:
        try:
            send.send_bytes(pickle.dumps(f"{type(error).__name__}: {error}"))
        except OSError:
            pass  # the parent is gone
    finally:
        send.close()


def _spilled(shard: Shard, folder: Path, name: str) -> Shard:
    """`shard` with its texts written into files in `folder` (UTF-8), named after `name`."""
    index, positions = folder / f"{name}.idx.json", folder / f"{name}.pos.json"
    index.write_bytes(str(shard.index).encode("utf-8"))
    positions.write_bytes(str(shard.positions).encode("utf-8"))
    return Shard(shard.first, shard.last, index, positions)


def _part(
    fields: list[list[str]], refs: list[str], low: str | None, high: str | None, budget: int
) -> Iterator[Shard]:
    """The shards of the terms in [low, high) of the entries' `fields` (as `FIELDS`)."""
    from sitegen.search.shards import write_shards  # which builds on this module

    tokens = tokens_of(fields, low, high)
    release_memory()  # what tokenising needed for a while
    yield from write_shards(tokens, refs, budget)


# A term and its postings, as `_shards` takes them: per field [doc, count, doc, count, ...]
# (None where the field lacks the term), then for title and body the delta-coded offsets
# "ref:d,d;ref:d" (None likewise).
TermPostings = tuple[str, tuple[Any, ...]]


def _shards(
    refs: Sequence[str], lengths: list[list[int]], terms: Iterable[TermPostings], budget: int
) -> Iterator[Shard]:
    """Cut terms (in UTF-16 order, with their postings) into runs of about `budget` bytes;
    write each."""
    writer = _Writer(len(refs), norms(lengths, len(refs)), quoted(refs), labels(refs))
    group: list[tuple[str, int, tuple[Any, ...]]] = []
    size = 0
    for text, flats in terms:
        held = sum(len(flat) for flat in flats[:3] if flat) // 2
        cost = term_cost(text, held)
        if group and size + cost > budget:
            yield writer.shard(group)
            group, size = [], 0
        group.append((text, held, flats))
        size += cost
    if group:
        yield writer.shard(group)


def term_cost(text: str, postings: int) -> int:
    """A term's estimated bytes in a shard, which `budget` bounds."""
    return 40 + 3 * len(text) + postings * 30


def norms(lengths: list[list[int]], count: int) -> list[list[float]]:
    """Per field and document, lunr's K1 * (1 - B + B * (length / average)): the same floats."""
    found = []
    for field in lengths:
        average = sum(field) / count if count else 0.0
        found.append([K1 * (1 - B + B * (length / average)) for length in field] if average else [])
    return found


def quoted(refs: Sequence[str]) -> list[str]:
    """Each document's posting in an inverted index: `"ref":{}`."""
    return [f"{json.dumps(r)}:{{}}" for r in refs]


def labels(refs: Sequence[str]) -> list[str]:
    """The start of each field vector, by document * 3 + field: `["title/ref",[`."""
    return [f'["{name}/{r}",[' for r in refs for name in FIELDS]


_HEADER = (
    f'{{"version":"{LUNR_VERSION}","fields":{json.dumps(list(FIELDS))},'.replace(" ", "")
    + '"fieldVectors":['
)


class _Reprs(dict[float, str]):
    """repr of each score, made once: a score has 3 decimals, so few values recur."""

    def __missing__(self, score: float) -> str:
        text = self[score] = repr(score)
        return text


class _Idfs(dict[int, float]):
    """lunr's idf of a term in `held` fields of documents, made once for each `held`."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def __missing__(self, held: int) -> float:
        x = (self.count - held + 0.5) / (held + 0.5)
        idf = self[held] = math.log(1 + abs(x))
        return idf


class _Writer:
    """Writes shards' JSON directly (json.dumps of the same structure is 5 times slower).

    Terms, refs and field names hold only letters and digits, so nothing needs escaping;
    a test holds the text equal to json.dumps of the parsed JSON.
    """

    def __init__(
        self,
        count: int,
        norms: list[list[float]],
        quoted: list[str],
        labels: list[str],
    ) -> None:
        self.count = count
        self.norms = norms
        self.quoted = quoted
        self.labels = labels
        self.slots = [range(f, 3 * count, 3) for f in range(len(FIELDS))]
        self.reprs = _Reprs()
        self.idfs = _Idfs(count)

    def shard(self, group: list[tuple[str, int, tuple[Any, ...]]]) -> Shard:
        quoted, reprs, idfs, norms = self.quoted, self.reprs, self.idfs, self.norms
        vectors: defaultdict[int, list[str]] = defaultdict(list)  # by document * 3 + field
        inverted = []
        positions = []
        k1_plus_1 = K1 + 1
        for local, (text, held, flats) in enumerate(group):
            idf = idfs[held]
            prefix = f"{local},"
            fields = ["", "", ""]
            places = ["", ""]
            for f in range(3):
                flat = flats[f]
                if not flat:
                    continue
                norm, boost, slot = norms[f], BOOSTS[f], self.slots[f]
                if len(flat) == 2:  # one document: most terms
                    d, tf = flat
                    # The very expression (and order of operations) of lunr's builder.
                    score = round(idf * (k1_plus_1 * tf) / (norm[d] + tf) * boost, 3)
                    vectors[slot[d]].append(prefix + reprs[score])
                    fields[f] = quoted[d]
                    if f < POSITION_FIELDS:
                        places[f] = flats[3 + f]
                    continue
                docs = flat[0::2]
                fields[f] = ",".join(map(quoted.__getitem__, docs))
                if f < POSITION_FIELDS:
                    places[f] = flats[3 + f]
                scores = [
                    round(idf * (k1_plus_1 * tf) / (norm[d] + tf) * boost, 3)
                    for d, tf in zip(docs, flat[1::2], strict=True)
                ]
                components = map(prefix.__add__, map(reprs.__getitem__, scores))
                for key, component in zip(map(slot.__getitem__, docs), components, strict=True):
                    vectors[key].append(component)
            inverted.append(
                f'["{text}",{{"title":{{{fields[0]}}},"body":{{{fields[1]}}},'
                f'"place":{{{fields[2]}}},"_index":{local}}}]'
            )
            positions.append(f'"{text}":["{places[0]}","{places[1]}"]')
        labels = self.labels
        field_vectors = ",".join(
            [labels[key] + ",".join(vectors[key]) + "]]" for key in sorted(vectors)]
        )
        index = (
            _HEADER
            + field_vectors
            + '],"invertedIndex":['
            + ",".join(inverted)
            + '],"pipeline":[]}'
        )
        return Shard(group[0][0], group[-1][0], index, "{" + ",".join(positions) + "}")


def build_shards(collection: Collection, budget: int = SHARD_BUDGET) -> Iterator[Shard]:
    """The shards of a `Collection` (one part, as `shard_index` of its entries gives)."""
    refs = collection.refs

    def postings(term: Term) -> tuple[Any, ...]:
        flats = [
            [n for pair in zip(docs, counts, strict=True) for n in pair] or None
            for docs, counts in zip(term.docs, term.counts, strict=True)
        ]
        places = [
            ";".join(f"{refs[d]}:{p}" for d, p in zip(docs, coded, strict=True)) or None
            for docs, coded in zip(term.docs, term.positions, strict=False)
        ]
        return (*flats, *places)

    ordered = sorted(collection.terms, key=utf16_key)
    terms = ((text, postings(collection.terms[text])) for text in ordered)
    yield from _shards(refs, collection.lengths, terms, budget)


def compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
