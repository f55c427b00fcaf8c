"""The index builder equals lunr's, and the sharded index answers as the unsharded one."""

from __future__ import annotations

import json
import random
import re
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunr.builder import Builder
from lunr.index import Index
from lunr.query import QueryPresence

from sitegen.search.index import (
    BOOSTS,
    FIELDS,
    IndexEntry,
    _offsets,
    build_index,
    build_shards,
    collect,
    shard_index,
    utf16_key,
)
from sitegen.search.query import by_ref, decode, merge, parse, ranked, run, shard_of
from sitegen.search.tokenize import normalize, tokenize_normalized

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TOLERANCE = 1e-9
HAN_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


def lunr_reference(entries: list[IndexEntry]) -> Index:
    """One unsharded index made by lunr's own Python builder."""
    builder = Builder()
    builder.ref("id")
    for field, boost in zip(FIELDS, BOOSTS, strict=True):
        builder.field(field, boost=boost)
    for e in entries:
        fields = {"title": e.title, "body": e.body, "place": e.place}
        builder.add({"id": e.ref, **{k: tokenize_normalized(v) for k, v in fields.items()}})
    return builder.build()


@lru_cache(maxsize=1)
def seed_entries() -> tuple[IndexEntry, ...]:
    """A small corpus: the seed files cut into pieces of a few hundred characters."""
    entries = []
    places = ["xuchang", "kaifeng changge", "", "dezhou"]
    for path in sorted(SEEDS.glob("*.txt")):
        text = normalize(path.read_text(encoding="utf-8"))
        for start in range(0, len(text), 900):
            piece = text[start : start + 900]
            n = len(entries)
            entries.append(IndexEntry(format(n, "x"), piece[:24], piece, places[n % 4]))
    return tuple(entries)


def test_builder_output_is_byte_identical_to_lunrs_builder() -> None:
    entries = list(seed_entries())
    ours = json.dumps(build_index(entries), ensure_ascii=False)
    theirs = json.dumps(lunr_reference(entries).serialize(), ensure_ascii=False)
    assert ours == theirs


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(st.sampled_from("许昌開封德州发展城乡融合abc 12。"), max_size=12),
            st.text(st.sampled_from("许昌開封德州发展城乡融合经济的abc 12，。"), max_size=80),
            st.sampled_from(["", "xuchang", "kaifeng xuchang"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_builder_equals_lunrs_on_any_small_corpus(docs: list[tuple[str, str, str]]) -> None:
    entries = [
        IndexEntry(str(i), normalize(t), normalize(b), p) for i, (t, b, p) in enumerate(docs)
    ]
    ours = json.dumps(build_index(entries), ensure_ascii=False)
    assert ours == json.dumps(lunr_reference(entries).serialize(), ensure_ascii=False)


@lru_cache(maxsize=4)
def sharded(budget: int) -> tuple[list[str], list[Index], list[dict]]:
    shards = list(shard_index(list(seed_entries()), budget))
    return (
        [s.first for s in shards],
        [Index.load(json.loads(s.index)) for s in shards],
        [json.loads(s.positions) for s in shards],
    )


def reference_scores(terms: list[str]) -> dict[str, float]:
    index = reference_index()
    query = index.create_query()
    for term in terms:
        query.term(term, use_pipeline=False, presence=QueryPresence.REQUIRED)
    return {r["ref"]: r["score"] for r in index.query(query)}


@lru_cache(maxsize=1)
def reference_index() -> Index:
    return lunr_reference(list(seed_entries()))


def sharded_scores(terms: list[str], budget: int) -> dict[str, float]:
    """Query each shard for its own terms and merge, as static/search.js does."""
    firsts, indexes, _ = sharded(budget)
    keys = [utf16_key(f) for f in firsts]
    by_shard: dict[int, list[str]] = {}
    for term in terms:
        by_shard.setdefault(shard_of(term, keys), []).append(term)
    answers = []
    for number, held in sorted(by_shard.items()):
        index = indexes[number]
        if any(t not in index.inverted_index for t in held):
            return {}
        query = index.create_query()
        for term in held:
            query.term(term, use_pipeline=False, presence=QueryPresence.REQUIRED)
        answers.append(({r["ref"]: r["score"] for r in index.query(query)}, len(held)))
    return merge(answers, len(terms))


def assert_same_answer(ours: dict[str, float], reference: dict[str, float]) -> None:
    assert set(ours) == set(reference)
    for ref, score in reference.items():
        assert abs(ours[ref] - score) <= TOLERANCE, ref
    order = [r for r, _ in ranked({k: round(v, 9) for k, v in ours.items()})]
    assert order == [r for r, _ in ranked({k: round(v, 9) for k, v in reference.items()})]


def vocabulary() -> list[str]:
    return sorted(reference_index().inverted_index)


@pytest.mark.parametrize("budget", [600, 48_000])
def test_shards_split_the_vocabulary_and_each_is_a_lunr_index(budget: int) -> None:
    firsts, indexes, _ = sharded(budget)
    assert firsts == sorted(firsts, key=utf16_key)
    terms = [t for index in indexes for t in index.inverted_index]
    assert sorted(terms) == vocabulary()  # every term in exactly one shard
    keys = [utf16_key(f) for f in firsts]
    for number, index in enumerate(indexes):
        for term in index.inverted_index:
            assert shard_of(term, keys) == number
    if budget == 600:
        assert len(indexes) > 100


@pytest.mark.parametrize("budget", [600, 5_000])
def test_sharded_scores_equal_the_unsharded_index_on_chosen_queries(budget: int) -> None:
    queries = ["许昌", "城乡融合", "许昌 发展", "xuchang", "xuchang 经济", "开封 德州",
               "2023年 许昌", "高质量发展", "城乡融合共同富裕先行试验区"]  # fmt: skip
    for query in queries:
        terms = list(parse(query).terms)
        reference = reference_scores(terms)
        assert_same_answer(sharded_scores(terms, budget), reference)
        assert reference or query == "开封 德州", query


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_sharded_scores_equal_the_unsharded_index_on_random_terms(data: st.DataObject) -> None:
    words = vocabulary()
    terms = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=5, unique=True))
    reference = reference_scores(terms)
    assert_same_answer(sharded_scores(terms, 600), reference)


def substring_truth(needle: str) -> set[str]:
    return {e.ref for e in seed_entries() if needle in e.title or needle in e.body}


def search(query: str, budget: int = 600) -> list[tuple[str, float]]:
    firsts, indexes, positions = sharded(budget)
    return run(parse(query), firsts, indexes.__getitem__, positions.__getitem__)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_han_queries_find_exactly_the_documents_containing_them(data: st.DataObject) -> None:
    entries = seed_entries()
    entry = data.draw(st.sampled_from(entries))
    runs = re.findall(r"[\u4e00-\u9fff]{2,}", entry.body)
    han_run = data.draw(st.sampled_from(runs))
    length = data.draw(st.integers(2, min(8, len(han_run))))
    start = data.draw(st.integers(0, len(han_run) - length))
    needle = han_run[start : start + length]
    found = {ref for ref, _ in search(needle)}
    assert found == substring_truth(needle)


def test_bigrams_in_the_wrong_order_or_apart_are_not_a_match() -> None:
    # every bigram of 城乡融合 occurs somewhere, in the right order only in some documents
    assert {r for r, _ in search("城乡融合")} == substring_truth("城乡融合")
    rng = random.Random(5)
    tried = 0
    for entry in seed_entries():
        tokens = tokenize_normalized(entry.body)
        for _ in range(20):
            a, b = rng.sample(tokens, 2)
            if HAN_PAIR.fullmatch(a) and HAN_PAIR.fullmatch(b) and a[1] != b[0]:
                needle = a + b
                assert {r for r, _ in search(needle)} == substring_truth(needle), needle
                tried += 1
    assert tried > 100


def test_whitespace_separated_parts_are_anded_and_pinyin_finds_cities() -> None:
    both = {r for r, _ in search("许昌 发展")}
    assert both == substring_truth("许昌") & substring_truth("发展")
    assert {r for r, _ in search("xuchang")} == {
        e.ref for e in seed_entries() if "xuchang" in e.place.split()
    }


def test_positions_are_delta_coded_offsets() -> None:
    assert decode("3,4,10") == [3, 7, 17]
    assert decode(None) == []
    _, _, positions = sharded(48_000)
    entry = seed_entries()[0]
    for shard in positions:
        if "许昌" in shard and entry.ref in by_ref(shard["许昌"][1]):
            offsets = decode(by_ref(shard["许昌"][1])[entry.ref])
            assert all(entry.body[o : o + 2] == "许昌" for o in offsets)
            assert len(offsets) == entry.body.count("许昌")
            return
    pytest.fail("许昌 not found in the first entry")


@pytest.mark.parametrize(
    ("query", "terms", "dropped"),
    [
        ("许昌", ("许昌",), ()),
        ("許昌市", ("许昌", "昌市"), ()),
        ("2023年 许昌", ("2023", "许昌"), ("年",)),
        ("德", (), ("德",)),
        ("开封，德州", ("开封", "德州"), ()),
        ("title:许昌~2 +*", ("title", "许昌", "2"), ()),
        ("\u3000\u3000", (), ()),
        ("😀" * 3, (), ()),
    ],
)
def test_parse(query: str, terms: tuple[str, ...], dropped: tuple[str, ...]) -> None:
    parsed = parse(query)
    assert parsed.terms == terms
    assert tuple(c for p in parsed.parts for c in p.dropped) == dropped
    assert parsed.too_short == (not terms and bool(dropped))


def test_punctuation_makes_separate_parts() -> None:
    assert [p.text for p in parse("开封，德州。郑州").parts] == ["开封", "德州", "郑州"]
    assert [p.text for p in parse("GDP增长 5%").parts] == ["gdp增长", "5"]


def test_each_shard_holds_exactly_the_unsharded_postings_and_vector_components() -> None:
    from sitegen.search.index import compact_json

    budget = 5_000
    whole = reference_index().serialize()
    postings = dict(whole["invertedIndex"])
    components = {}  # (field/ref, term) -> score
    number_of = {posting["_index"]: term for term, posting in postings.items()}
    for key, flat in whole["fieldVectors"]:
        for i in range(0, len(flat), 2):
            components[key, number_of[flat[i]]] = flat[i + 1]
    for shard in shard_index(list(seed_entries()), budget):
        assert shard.index == compact_json(json.loads(shard.index))  # canonical JSON
        data = json.loads(shard.index)
        assert data["version"] == "2.3.9" and data["fields"] == list(FIELDS)
        terms = [term for term, _ in data["invertedIndex"]]
        assert terms == sorted(terms, key=utf16_key)
        for local, (term, posting) in enumerate(data["invertedIndex"]):
            assert posting["_index"] == local
            assert {f: posting[f] for f in FIELDS} == {f: postings[term][f] for f in FIELDS}
        got = {}
        for key, flat in data["fieldVectors"]:
            assert flat[::2] == sorted(flat[::2])
            for i in range(0, len(flat), 2):
                got[key, terms[flat[i]]] = flat[i + 1]
        held = set(terms)
        assert got == {k: v for k, v in components.items() if k[1] in held}


def test_parallel_build_gives_the_same_shards(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sitegen.search.index as index

    entries = list(seed_entries())
    alone = list(index.shard_index(entries, 5_000))
    monkeypatch.setattr(index, "PARALLEL_FROM", 0)
    monkeypatch.setattr(index, "_BATCH", 3)  # several batches from each process
    assert list(index.shard_index(entries, 5_000)) == alone
    spilled = list(index.shard_index(entries, 5_000, spill=tmp_path))
    assert [(s.first, s.last) for s in spilled] == [(s.first, s.last) for s in alone]
    assert [Path(s.index).read_text("utf-8") for s in spilled] == [s.index for s in alone]
    assert [Path(s.positions).read_text("utf-8") for s in spilled] == [s.positions for s in alone]
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert len(files) == 2 * len(alone)  # nothing else, none overwritten
    # each part in a folder of its own (making files in one folder, they waited on each other)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["part-0", "part-1"]
    assert {path.parent.name for path in files} == {"part-0", "part-1"}
    firsts = [s.first for s in alone]
    assert firsts == sorted(firsts, key=utf16_key)
    assert sorted(t for s in alone for t, _ in json.loads(s.index)["invertedIndex"]) == vocabulary()


def test_spilled_parts_are_read_whichever_sends_and_come_out_in_part_order() -> None:
    """A later part that sends more than a pipe holds before the first part sends anything
    must not wait for the first part to be read: reading the parts in turn would hang here
    (the second part of the index at 10,000 documents waited so for half its time)."""
    import multiprocessing
    import pickle
    import threading

    import sitegen.search.index as index

    pipes = [multiprocessing.Pipe(duplex=False) for _ in range(2)]
    records = {n: [(f"{n}-{i:04d}", "last", "idx", "pos") for i in range(2_000)] for n in (0, 1)}

    def send() -> None:
        for number in (1, 0):  # the second part sends everything (~400 KB) first
            for record in records[number]:
                pipes[number][1].send_bytes(pickle.dumps([record]))
            pipes[number][1].send_bytes(pickle.dumps(None))

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    got: list[object] = []
    reader = threading.Thread(
        target=lambda: got.extend(index._in_order([r for r, _ in pipes])), daemon=True
    )
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "the parts' pipes were read in turn: the second part hung"
    assert got == records[0] + records[1]


@pytest.mark.parametrize(("budget", "batch"), [(600, 1), (600, 7), (600, None), (5_000, None),
                                             (48_000, None)])  # fmt: skip
def test_shard_index_gives_the_shards_of_the_collection(
    budget: int, batch: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path (each part tokenising every entry, keeping its own terms, making
    `batch` shards at a time) equals, part by part, the shards of `collect`, the builder
    held equal to lunr's; also with letters whose UTF-16 order is not their code points'
    (U+FFA1 < U+10400 < U+FFA1 in UTF-16)."""
    import sitegen.search.index as index
    import sitegen.search.shards as shards

    if batch is not None:
        monkeypatch.setattr(shards, "BATCH", batch)

    entries = list(seed_entries())
    entries += [
        IndexEntry("x1", "\uffa1\uffa1 许昌", "\U00010400 \uffa1 abc"),
        IndexEntry("x2", "", "\U00010400"),
    ]
    parts = [
        s for low, high in zip(index.PARTS[:-1], index.PARTS[1:], strict=True)
        for s in build_shards(collect(entries, low, high), budget)
    ]  # fmt: skip
    assert list(shard_index(entries, budget)) == parts


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.sampled_from("许昌開封德州发展快乐城乡融合abc 12。z"), max_size=40),
    st.sampled_from([None, "快", "a", "乐"]),
    st.sampled_from([None, "快", "z", "城"]),
)
def test_offsets_of_a_range_of_terms(text: str, low: str | None, high: str | None) -> None:
    text = normalize(text)
    every, count = _offsets(text)
    found, counted = _offsets(text, low, high)
    assert counted == count
    assert dict(found) == {
        t: o for t, o in every.items() if (low is None or t >= low) and (high is None or t < high)
    }


def test_a_failing_part_fails_the_build_and_no_process_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import multiprocessing

    import sitegen.search.index as index

    entries = list(seed_entries())
    monkeypatch.setattr(index, "PARALLEL_FROM", 0)
    monkeypatch.setattr(index, "_BATCH", 1)
    shards = index.shard_index(entries, 5_000)
    next(shards)
    shards.close()  # the caller stops early: the processes are stopped
    assert not multiprocessing.active_children()

    # A reference that JSON cannot hold fails inside the part's (spawned) process.
    broken = [*entries, IndexEntry(object(), "题", "正文")]  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="building the search index"):
        list(index.shard_index(broken, 5_000))
    assert not multiprocessing.active_children()
