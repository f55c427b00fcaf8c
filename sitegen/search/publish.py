"""The search files of a site: takes every `Document`, gives (path, content) pairs to write.

Nothing here is fetched when the search page opens; static/search.js asks for each file
only when a query needs it:

    search/manifest.json      first keystroke: OpenCC phrases, counts, the first term of each
                              group of 64 shards
    search/shards/NNN.json    the first term of each shard of a group (shortest prefixes)
    search/t2s/NN.json        the query's characters: OpenCC's t2s table for the archive's
                              characters, split by code point
    search/idx/NNNN.json      the shards holding the query's terms (each a lunr.js index)
    search/pos/NNNN.json      their term positions, for queries of two or more tokens
    search/meta/NNN.json      titles, links, dates, cities and sources of 8 documents
    search/facets.json        each document's city and year, for the filters
    search/text/REF.json      a document's text in its own script, line by line, each line
                              that normalising changes paired with its normalised form, so
                              the browser finds and highlights a hit without OpenCC's table

Documents are numbered in build order; a document's ref is its number in base 36.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.chinese import CharacterFlags, query_table
from sitegen.model import Document
from sitegen.search.index import (
    FIELDS,
    SHARD_BUDGET,
    IndexEntry,
    compact_json,
    started_shards,
    utf16_key,
)
from sitegen.search.snippets import with_normal
from sitegen.search.tokenize import normalize

META_CHUNK = 8
GROUP = 64  # shards per boundaries file
T2S_BUCKETS = 32
FORMAT = 1


@dataclass(frozen=True)
class Described:
    """What search shows of one document, besides its text."""

    title: str
    url: str
    date: str
    year: int | None
    city: str
    source: str
    lang: str


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def entries_of(
    documents: Sequence[Document], normal_bodies: Mapping[str, str] | None = None
) -> list[IndexEntry]:
    """Return the index entries of `documents`, numbered in their order.

    `normal_bodies` maps a body to its normalised text when the caller has it already.
    """
    known = normal_bodies or {}
    return [
        _entry(n, document.title.value, known.get(document.body_markdown), document.body_markdown,
               place_of(document))
        for n, document in enumerate(documents)
    ]  # fmt: skip


def place_of(document: Document) -> str:
    """The romanised names of a document's cities, as the search's place field holds them."""
    return " ".join(dict.fromkeys(c.pinyin for c in document.cities if c.pinyin))


def entries_from(items: Sequence[tuple[str, str, str]]) -> list[IndexEntry]:
    """`entries_of` from each document's (title, Markdown body, `place_of`)."""
    return [_entry(n, title, None, body, place) for n, (title, body, place) in enumerate(items)]


def _entry(n: int, title: str, normal_body: str | None, body: str, place: str) -> IndexEntry:
    normal = normalize(body) if normal_body is None else normal_body
    return IndexEntry(base36(n), normalize(title), normal, normalize(place))


def search_files_of(
    entries: list[IndexEntry],
    described: Sequence[Described],
    snippets: Sequence[str],
    budget: int = SHARD_BUDGET,
    spill: Path | None = None,
    release: bool = False,
) -> Iterator[tuple[str, str | Path]]:
    """Yield every search file of the site as (path, text), from what it needs of the
    documents: their index entries (`entries_of`), what results show (`describe_for_search`)
    and their text files (`snippets.snippet_file`), so that a build can let go of the
    documents first. With `spill` (a folder) the shards' texts may come as files written
    there (see `index.shard_index`), to be moved into place. The index is built in other
    processes while the files that do not need it are made. `release`: see
    `index.started_shards`."""
    with started_shards(entries, budget, spill, release) as shards:
        # while the index's processes work: the files made here
        table = query_table(_characters(entry.title + entry.body for entry in entries))
        buckets: list[dict[str, str]] = [{} for _ in range(T2S_BUCKETS)]
        for source, target in table["chars"].items():
            buckets[ord(source) % T2S_BUCKETS][source] = target
        for number, bucket in enumerate(buckets):
            yield f"search/t2s/{number:02d}.json", compact_json(bucket)
        for start in range(0, len(described), META_CHUNK):
            chunk = [_meta(d) for d in described[start : start + META_CHUNK]]
            yield f"search/meta/{start // META_CHUNK:03d}.json", compact_json(chunk)
        yield "search/facets.json", compact_json(_facets(described))
        for entry, snippet in zip(entries, snippets, strict=True):
            yield f"search/text/{entry.ref}.json", snippet
        firsts, previous = [], None
        for number, shard in enumerate(shards):
            firsts.append(boundary(previous, shard.first))
            previous = shard.last
            yield f"search/idx/{number:04d}.json", shard.index
            yield f"search/pos/{number:04d}.json", shard.positions
    groups = [firsts[n : n + GROUP] for n in range(0, len(firsts), GROUP)]
    for number, group in enumerate(groups):
        yield f"search/shards/{number:03d}.json", compact_json(group)
    manifest = _manifest(len(entries), [g[0] for g in groups], len(firsts), table)
    yield "search/manifest.json", compact_json(manifest)


def _characters(texts: Iterable[str]) -> str:
    """The distinct characters of `texts`, in code point order (31 million characters at
    10,000 documents: a set of one-character strings took 2.3 s)."""
    present = CharacterFlags()
    for text in texts:
        present.add(text)
    return present.chars


def boundary(previous: str | None, first: str) -> str:
    """Return the shortest prefix of `first` that sorts after `previous` (the last term of
    the shard before): enough for the browser to tell the shards apart, in fewer bytes."""
    if previous is None:
        return first[:1]
    for end in range(1, len(first)):
        if utf16_key(first[:end]) > utf16_key(previous):
            return first[:end]
    return first


def read_boundaries(search: Path) -> list[str]:
    """Return the first term (prefix) of every shard, from a site's search folder."""
    manifest = json.loads((search / "manifest.json").read_text("utf-8"))
    out: list[str] = []
    for number in range(len(manifest["groups"])):
        out += json.loads((search / "shards" / f"{number:03d}.json").read_text("utf-8"))
    return out


def _manifest(count: int, groups: list[str], shards: int, table: dict[str, dict[str, str]]) -> dict:
    return {
        "format": FORMAT,
        "documents": count,
        "fields": list(FIELDS),
        "shards": shards,
        "groups": groups,
        "groupSize": GROUP,
        "metaChunk": META_CHUNK,
        "t2sBuckets": T2S_BUCKETS,
        "phrases": table["phrases"],
    }


def _meta(d: Described) -> dict[str, object]:
    return {"title": with_normal(d.title), "url": d.url, "date": d.date, "city": d.city,
            "source": d.source, "lang": d.lang}  # fmt: skip


def _facets(described: Sequence[Described]) -> dict[str, object]:
    """Each document's city and year as small numbers, and the names they stand for."""
    cities = sorted({d.city for d in described if d.city}, key=_collation)
    years = sorted({d.year for d in described if d.year is not None}, reverse=True)
    city_no = {c: i for i, c in enumerate(cities)}
    year_no = {y: i for i, y in enumerate(years)}
    return {
        "cities": cities,
        "years": years,
        "city": [city_no.get(d.city, -1) for d in described],
        "year": [year_no.get(d.year, -1) if d.year is not None else -1 for d in described],
    }


def _collation(name: str) -> tuple[str, str]:
    from pypinyin import lazy_pinyin

    return ("".join(lazy_pinyin(name)), unicodedata.normalize("NFC", name))


def describe_for_search(document: Document, url: str, date: str) -> Described:
    """Return what a result shows of `document`; its city is the prefecture it belongs to."""
    from sitegen.ingest.gazetteer import load_gazetteer

    city = ""
    if document.city is not None:
        city = load_gazetteer().prefecture_of(document.city.value).name
    year = None
    if document.date is not None and document.date.value.year is not None:
        year = document.date.value.year
    elif document.posted is not None:
        year = document.posted.value.year
    source = document.publisher.value if document.publisher is not None else ""
    return Described(document.title.value, url, date, year, city, source, document.lang)
