"""The search files of the built sample site, and the pieces that make them."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.chinese import to_simplified
from sitegen.search.index import _offsets, utf16_key
from sitegen.search.publish import T2S_BUCKETS, base36, boundary, read_boundaries
from sitegen.search.query import shard_of
from sitegen.search.snippets import snippet_lines
from sitegen.search.tokenize import normalize, tokenize_normalized, tokenize_with_offsets

SEED_DOCUMENTS = 12


def load(site: Path, relative: str):
    return json.loads((site / "search" / relative).read_text("utf-8"))


def test_manifest_and_every_file_it_implies(seed_site: Path) -> None:
    manifest = load(seed_site, "manifest.json")
    search = seed_site / "search"
    assert manifest["documents"] == SEED_DOCUMENTS
    assert manifest["shards"] == len(read_boundaries(search))
    assert manifest["groups"] == read_boundaries(search)[:: manifest["groupSize"]]
    assert manifest["fields"] == ["title", "body", "place"]
    shards = sorted(p.name for p in (seed_site / "search" / "idx").iterdir())
    assert shards == [f"{n:04d}.json" for n in range(len(read_boundaries(search)))]
    assert shards == sorted(p.name for p in (seed_site / "search" / "pos").iterdir())
    keys = [utf16_key(b) for b in read_boundaries(search)]
    for n, first in enumerate(read_boundaries(search)):
        terms = [t for t, _ in load(seed_site, f"idx/{n:04d}.json")["invertedIndex"]]
        assert terms[0].startswith(first)  # the shortest prefix that tells the shards apart
        assert all(shard_of(t, keys) == n for t in terms)
        assert sorted(load(seed_site, f"pos/{n:04d}.json")) == sorted(terms)
    chunk = manifest["metaChunk"]
    metas = [
        m
        for n in range(0, SEED_DOCUMENTS, chunk)
        for m in load(seed_site, f"meta/{n // chunk:03d}.json")
    ]
    assert len(metas) == SEED_DOCUMENTS
    for n, meta in enumerate(metas):
        assert (seed_site / meta["url"] / "index.html").is_file()
        assert meta["lang"] in ("zh-Hans", "zh-Hant")
        assert (seed_site / "search" / "text" / f"{base36(n)}.json").is_file()
    facets = load(seed_site, "facets.json")
    assert len(facets["city"]) == len(facets["year"]) == SEED_DOCUMENTS
    assert facets["cities"] == ["德州", "开封", "许昌"]
    assert facets["years"] == sorted(facets["years"], reverse=True)
    buckets = sorted(p.name for p in (seed_site / "search" / "t2s").iterdir())
    assert buckets == [f"{n:02d}.json" for n in range(T2S_BUCKETS)]


def test_every_search_file_is_small(seed_site: Path) -> None:
    sizes = [p.stat().st_size for p in (seed_site / "search").rglob("*") if p.is_file()]
    assert max(sizes) < 200_000


def test_t2s_buckets_hold_the_archives_characters_by_code_point(seed_site: Path) -> None:
    seen = {}
    for n in range(T2S_BUCKETS):
        for source, target in load(seed_site, f"t2s/{n:02d}.json").items():
            assert ord(source) % T2S_BUCKETS == n
            seen[source] = target
    assert seen["許"] == "许" and seen["開"] == "开" and seen["德"] if "德" in seen else True
    assert "长" not in seen  # Simplified characters need no entry


def test_snippet_text_keeps_the_documents_script_and_pairs_what_normalising_changes() -> None:
    lines = snippet_lines("## 許昌城鄉融合\n\n許昌ＧＤＰ增長\n\n许昌发展\n> 引文")
    assert lines == [
        ["許昌城鄉融合", "许昌城乡融合"],
        ["許昌ＧＤＰ增長", "许昌gdp增长"],
        "许昌发展",
        "引文",
    ]


def test_refs_are_base36() -> None:
    assert [base36(n) for n in (0, 9, 10, 35, 36, 46655)] == ["0", "9", "a", "z", "10", "zzz"]


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
mixed = st.text(st.one_of(han, st.sampled_from("許昌乾隆頭髮著於後ＧＤＰ 。，a1"), st.characters()))


@settings(max_examples=300, deadline=None)
@given(mixed)
def test_normalize_fast_path_gives_what_opencc_gives(text: str) -> None:
    assert normalize(text) == to_simplified(unicodedata.normalize("NFKC", text).lower())


@settings(max_examples=300, deadline=None)
@given(mixed)
def test_offsets_agree_with_the_tokenizer(text: str) -> None:
    text = normalize(text)
    pairs = tokenize_with_offsets(text)
    assert [t for t, _ in pairs] == tokenize_normalized(text)
    for token, offset in pairs:
        assert text[offset : offset + len(token)] == token
    found, count = _offsets(text)
    assert count == len(pairs)
    assert {t: o for t, o in found.items()} == {
        t: [o for tt, o in pairs if tt == t] for t in dict.fromkeys(t for t, _ in pairs)
    }


def test_boundaries_are_the_shortest_prefix_after_the_previous_shard() -> None:
    assert boundary(None, "许昌") == "许"
    assert boundary("许多", "许昌") == "许昌"
    assert boundary("记者", "许昌") == "许"
    assert boundary("2023", "2024") == "2024"
    assert boundary("20", "2024") == "202"
