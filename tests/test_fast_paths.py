"""The build's fast paths give exactly what the plain code gives (issue 7)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import opencc
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.chinese import (
    S2T_RUN,
    Dictionary,
    PhraseIndex,
    SwitchScan,
    _convert_phrases,
    code_points,
    run_characters,
    s2t_characters,
    s2t_phrases,
    switch_tables,
    t2s_characters,
    t2s_phrases,
    to_simplified,
    to_traditional,
)


def texts(count: int = 400, seed: int = 7) -> list[str]:
    """Strings made of phrase keys, characters, punctuation, 〇 and Latin letters."""
    rng = random.Random(seed)
    pieces = [*t2s_phrases().entries, *list(s2t_phrases().entries)[:2000]]
    pieces += [*list(t2s_characters().entries)[:500], *list(s2t_characters().entries)[:500]]
    pieces += ["，", "。", "〇", " ", "a", "\n", "許昌", "许昌"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(count)]


def test_conversion_equals_opencc_and_the_run_by_run_algorithm() -> None:
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    phrases, chars = s2t_phrases(), s2t_characters().entries
    for text in texts():
        assert to_simplified(text) == t2s.convert(text), text
        assert to_traditional(text) == s2t.convert(text), text
        by_runs = S2T_RUN.sub(lambda m: _convert_phrases(m.group(), phrases, chars), text)
        assert to_traditional(text) == by_runs, text


def test_long_texts_convert_as_opencc_does() -> None:
    # Past _Converter.SHORT characters go through a table by code point, not translate():
    # astral Han characters, a lone surrogate and text no table knows must come out right.
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    pieces = texts(200, seed=11)
    extra = "\U00020000\U0002a6a5\ud800𠀀Ω🙂"
    for start in range(0, len(pieces), 10):
        text = extra.join(pieces[start : start + 10])
        assert len(text) > 64
        assert to_simplified(text) == t2s.convert(text), text
        assert to_traditional(text) == s2t.convert(text), text


@pytest.mark.parametrize(("remembered", "characters"), [(3, 10**6), (5_000, 50), (5_000, 10**6)])
def test_lines_remembered_convert_as_opencc_does(
    monkeypatch: pytest.MonkeyPatch, remembered: int, characters: int
) -> None:
    # Texts sharing lines, in any order, some converted twice: each line comes from the
    # memo or from a call converting several at once; the memo also empties as it fills.
    from sitegen.chinese import _Converter

    monkeypatch.setattr(_Converter, "LINES_REMEMBERED", remembered)
    monkeypatch.setattr(_Converter, "CHARACTERS_REMEMBERED", characters)
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    lines = [text.replace("\n", "") for text in texts(60, seed=13)]
    rng = random.Random(3)
    for _ in range(150):
        text = "\n".join(rng.choice(lines) for _ in range(rng.randint(1, 8)))
        assert to_simplified(text) == t2s.convert(text), text
        assert to_traditional(text) == s2t.convert(text), text


@pytest.mark.parametrize("flags_after", [0, 40, 1 << 18])
def test_character_flags_hold_the_characters_added(
    monkeypatch: pytest.MonkeyPatch, flags_after: int
) -> None:
    # Kept as the points added, as flags, or first one then the other; merged either way.
    from sitegen.chinese import CharacterFlags

    monkeypatch.setattr(CharacterFlags, "FLAGS_AFTER", flags_after)
    pieces = texts(40, seed=17) + ["\U00020000𠀀\ud800", ""]
    one, other, merged = CharacterFlags(), CharacterFlags(), CharacterFlags()
    for n, text in enumerate(pieces):
        (one if n % 2 else other).add(text)
    merged.update(one)
    merged.update(other)
    assert one.chars == "".join(sorted(set("".join(pieces[1::2]))))
    assert merged.chars == "".join(sorted(set("".join(pieces))))
    assert CharacterFlags().chars == ""


def test_a_phrase_cut_off_by_the_end_of_a_run_does_not_match() -> None:
    # '冲击' starts '冲击力' too; at the end of the run only the two characters are there,
    # so '大冲' (leftmost among the phrases of two) wins, as in OpenCC.
    text = "带来了巨大冲击。重点"
    assert to_traditional(text) == opencc.OpenCC("s2t").convert(text) == "帶來了巨大沖擊。重點"


def occurring(text: str, phrases: Dictionary) -> set[str]:
    """Every key of `phrases` in `text`, by trying every piece of it."""
    return {
        text[i:j]
        for i in range(len(text))
        for j in range(i + 1, min(len(text), i + phrases.max_len) + 1)
        if text[i:j] in phrases.entries
    }


@pytest.mark.parametrize("long_lines", [False, True])
def test_the_phrase_scan_finds_exactly_the_keys_occurring_in_a_text(long_lines: bool) -> None:
    """Both tables' phrases are found in one pass (`switch_phrases`), each kept for its own
    table, a key of both tables for each; within the runs conversion goes by (a key with
    '．' is in no run: never found, never used). A document's scan (`long_lines`) reads
    whole lines, the rendering's scan their runs: the same keys and characters."""
    both = t2s_phrases().entries.keys() & s2t_phrases().entries.keys()
    dotted = [key for key in s2t_phrases().entries if "．" in key]
    assert both and dotted  # there are such keys to tell apart
    tables = [(name, phrases, PhraseIndex(phrases.entries))
              for name, phrases in (("t2s", t2s_phrases()), ("s2t", s2t_phrases()))]  # fmt: skip
    for text in texts(200, seed=5) + ["".join(sorted(both)), f"报道{dotted[0]}访问"]:
        scan = SwitchScan(long_lines=long_lines)
        scan.add(text)
        runs = S2T_RUN.findall(text)
        assert scan.chars == "".join(sorted(set("".join(runs)))), text
        for name, phrases, alone in tables:
            assert alone.present(text) == occurring(text, phrases), text
            assert scan.found[name] == set().union(*(occurring(r, phrases) for r in runs)), text
    assert dotted[0] not in scan.found["s2t"]


def test_a_documents_scan_of_two_texts_equals_the_scan_of_their_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As `_prepare` scans a document (its raw text, then its body, with lines in common),
    with astral characters, lone surrogates and the memo forgotten between the two: the
    same as scanning all their runs, by the rendering's path."""
    monkeypatch.setattr(SwitchScan, "MEMO", 3)
    sample = texts(80, seed=17)
    extra = ["\U00020000\U0002a6a5许昌", "\ud800许昌\udfff", "報(bào)道"]
    for n in range(0, len(sample), 4):
        raw = "\n".join(sample[n : n + 4] + extra)
        body = "\n".join(sample[n + 2 : n + 6] + extra[1:])
        scan = SwitchScan(long_lines=True)
        scan.add(raw)
        scan.add(body)
        expected = SwitchScan()
        expected.add(raw + "\n" + body)
        assert scan.packed() == expected.packed(), (raw, body)
        assert "\U00020000" in scan.chars and "\ud800" not in scan.chars


EDGES = (
    "许昌〇〆\u33ff\u3400\u4dbf\u4dc0\u4dff\u4e00\u9fff\ua000\uf8ff\uf900\ufaff\ufb00\U0001ffff"
    "\U00020000\U0002fa1f\U0002fa20\U0002ffff\U00030000\U000323af\U000323b0\ud800a，\n"
)


@given(st.text(alphabet=st.sampled_from(EDGES)))
@example("\u3006\u3007\u3008")
def test_run_characters_are_the_characters_of_the_runs(text: str) -> None:
    """The numpy bounds take exactly the characters `S2T_RUN` does, at every range's edges."""
    taken = run_characters(code_points(text)).tobytes().decode("utf-32-le", "surrogatepass")
    assert taken == "".join(S2T_RUN.findall(text))


def test_scanning_in_pieces_gives_the_tables_of_all_texts() -> None:
    sample = texts(300, seed=11)
    one, two = SwitchScan(), SwitchScan()
    for n, text in enumerate(sample):
        (one if n % 2 else two).add(text)
    one.update(two)
    assert one.tables() == switch_tables(sample)


@pytest.mark.parametrize("memo, line", [(SwitchScan.MEMO, SwitchScan.LINE_REMEMBERED), (40, 12)])
def test_scans_sharing_what_they_saw_skip_lines_and_runs_yet_find_everything(
    memo: int, line: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the rendering scans pages: lines repeated from page to page, runs repeated from
    line to line; with the memo forgotten often and long lines not remembered too."""
    monkeypatch.setattr(SwitchScan, "MEMO", memo)
    monkeypatch.setattr(SwitchScan, "LINE_REMEMBERED", line)
    rng = random.Random(3)
    lines = texts(120, seed=13)
    pages = ["\n".join(rng.choices(lines, k=rng.randint(1, 12))) for _ in range(200)]
    *_, first, second = s2t_phrases().entries  # phrases the lines above cannot hold
    assert not any(first in page or second in page for page in pages)
    pages[50:50] = [first, f"x\n{second}", f"{second}\n{first}"]  # lines that are runs
    seen: set[str] = set()
    one, two = SwitchScan(seen), SwitchScan(seen)
    for n, page in enumerate(pages):
        (one if n % 3 else two).add(page)
    one.update(two)
    expected, joined = SwitchScan(), "\n".join(pages)  # scanned whole, by no memo
    expected._chars.add("".join(S2T_RUN.findall(joined)))
    for name, phrases in (("t2s", t2s_phrases()), ("s2t", s2t_phrases())):
        expected.found[name] = PhraseIndex(phrases.entries).present(joined)
    assert one.tables() == expected.tables()
    assert {first, second} <= set(expected.tables()["s2t"]["phrases"])
    if memo > 10_000:  # never forgotten here: every short line was remembered
        assert {x for page in pages for x in page.split("\n") if len(x) <= line} <= seen


def related_reference(documents, city_of, limit=5):  # type: ignore[no-untyped-def]
    """related_documents as it was first written: every pair, term by term in sorted order."""
    import math
    from collections import defaultdict

    from sitegen.render.related import MAX_POSTINGS, MAX_SHARE, MIN_SCORE, SAME_CITY
    from sitegen.search.tokenize import tokenize

    terms = {
        d.slug: {t for t in tokenize(d.title.value + "\n" + d.body_markdown) if len(t) == 2}
        for d in documents
    }
    postings = defaultdict(list)
    for document in documents:
        for term in terms[document.slug]:
            postings[term].append(document.slug)
    count = len(documents)
    most = min(MAX_POSTINGS, max(2, int(count * MAX_SHARE)))
    scores = defaultdict(lambda: defaultdict(float))
    for term in sorted(postings):
        slugs = postings[term]
        if not 2 <= len(slugs) <= most:
            continue
        weight = math.log(count / len(slugs))
        for a in slugs:
            for b in slugs:
                if a != b:
                    scores[a][b] += weight
    related = {}
    for document in documents:
        ranked = []
        for other, score in scores[document.slug].items():
            city = city_of.get(document.slug)
            if city is not None and city_of.get(other) == city:
                score += SAME_CITY
            if score >= MIN_SCORE:
                ranked.append((-round(score, 9), other))
        related[document.slug] = tuple(s for _, s in sorted(ranked)[:limit])
    return related


def seed_documents(folder):  # type: ignore[no-untyped-def]
    """The documents of three copies of the seed archive (36: many terms in common)."""
    import shutil
    from pathlib import Path

    from sitegen.build import _assemble, _find_inputs, _ingest_key, _NoCache, ingest_files
    from sitegen.config import load_config
    from sitegen.ingest.gazetteer import load_gazetteer

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    for copy in ("a", "b", "c"):
        shutil.copytree(seeds, folder / copy)
    config = load_config(folder, folder / "site")
    gazetteer, warnings = load_gazetteer(), []
    files = _find_inputs(folder, warnings)
    results, _ = ingest_files(files, gazetteer, _NoCache(), 1, ingest_key=_ingest_key(config))
    documents, _ = _assemble(files, results, gazetteer, warnings)
    return documents


def test_related_documents_equal_the_pairwise_reference(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sitegen.render.related as related
    from sitegen.search.tokenize import normalize

    documents = seed_documents(tmp_path)
    city_of = {d.slug: d.city.value.code for d in documents[::2] if d.city is not None}
    expected = related_reference(documents, city_of)
    assert any(expected.values())
    # keys as the build makes them while cleaning (from the body's), for some documents
    by_slug = {
        d.slug: related.title_and_body_keys(
            d.title.value, related.bigram_keys(normalize(d.body_markdown))
        )
        for d in documents[1::2]
    }
    # all documents scored at once, in batches of 5 (the last smaller), one at a time
    for cells in (related.BATCH_CELLS, 5 * len(documents), 1):
        monkeypatch.setattr(related, "BATCH_CELLS", cells)
        for keys in (None, by_slug):
            found = related.related_documents(documents, city_of, keys_by_slug=keys)
            assert {k: tuple(d.slug for d in v) for k, v in found.items()} == expected


@pytest.mark.parametrize("bits", [24, 3])
def test_rare_numbers_equal_a_search_of_every_key(bits: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The hashed flags only let keys through to the search: with 3 bits nearly every key
    gets through (hashes collide), with 24 few; the places found are the same."""
    import sitegen.render.related as related

    monkeypatch.setattr(related, "HASH_BITS", bits)
    rng = np.random.default_rng(5)
    pool = np.unique(rng.integers(0, 1 << 42, 5_000, dtype=np.uint64))
    rare = np.sort(rng.choice(pool, 1_500, replace=False))
    keys = [np.unique(rng.choice(pool, int(rng.integers(0, 400)))) for _ in range(60)]
    keys += [np.array([], np.uint64), rare[:1], np.array([pool.max() + 1], np.uint64)]
    for ids, found in zip(keys, related.rare_numbers(keys, rare), strict=True):
        expected = [n for n, key in enumerate(rare.tolist()) if key in set(ids.tolist())]
        assert found.tolist() == expected
    assert related.rare_numbers(keys[:2], rare[:0])[0].tolist() == []


def test_related_rows_kept_up_to_date_equal_rows_computed_afresh(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`sitegen serve`'s RelatedIndex rescores only the rows an edit touches: after edits,
    removals, additions and city changes its rows are still those of related_documents."""
    import dataclasses

    import sitegen.render.related as related
    from sitegen.incremental import RelatedIndex

    documents = seed_documents(tmp_path)
    city_of = {d.slug: d.city.value.code for d in documents[::2] if d.city is not None}
    index, rng = RelatedIndex(), random.Random(3)
    sentences = [line for d in documents for line in d.body_markdown.split("\n") if len(line) > 20]

    def check(documents, city_of):  # type: ignore[no-untyped-def]
        found = index(documents, city_of)
        expected = related.related_documents(documents, city_of)
        assert {k: [d.slug for d in v] for k, v in found.items()} == {
            k: [d.slug for d in v] for k, v in expected.items()
        }
        return found

    first = check(documents, city_of)
    assert sum(len(row) for row in first.values()) > 20
    partial = 0
    for step in range(12):
        documents = list(documents)
        if step % 4 == 3:  # a document goes, or comes back
            documents.pop(rng.randrange(len(documents)))
        elif step % 4 == 2:  # a city changes
            slug = rng.choice(documents).slug
            city_of = {**city_of, slug: rng.choice(sorted(set(city_of.values())))}
        for _ in range(2):  # bodies gain sentences of others: new terms in common
            at = rng.randrange(len(documents))
            body = documents[at].body_markdown + "\n\n" + "\n\n".join(rng.sample(sentences, 3))
            documents[at] = dataclasses.replace(documents[at], body_markdown=body)
        count = index.count
        changed_rows = len(index.rows)
        check(documents, city_of)
        partial += count == len(documents) and changed_rows > 0
    assert partial >= 6  # most steps took the row-by-row path


@pytest.mark.parametrize("chunk", [48, 2])
def test_the_switch_tables_cover_exactly_the_pages_written(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Bodies are scanned while cleaning, the rest of each page while rendering (a run a
    worker scanned for an earlier task not again): the tables are still those of every
    page and script as written."""
    import sitegen.build
    from sitegen.build import build
    from sitegen.config import load_config
    from sitegen.render.feeds import TABLES_PATH, tables_script

    # Cleaning joins 头 and 发 (the reading between them goes): the phrase 头发 is in the
    # document's body only, not in its original text.
    # The navigation line goes too: 面条 is in the original text only.
    (archive / "pinyin.txt").write_text(
        "许昌市理发店\n\n首页 > 面条频道 > 正文\n\n"
        "她的头(tóu)发很长，每月都去许昌市区的理发店修剪。\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    monkeypatch.setattr(sitegen.build, "RENDER_CHUNK", chunk)  # 2: dozens of tasks a worker
    build(load_config(archive, out), workers=2, cache=False)
    page = (out / "doc" / "pinyin" / "index.html").read_text(encoding="utf-8")
    assert "头发很长" in page and "面条" not in page
    assert "面条" in (out / "doc" / "pinyin" / "original" / "index.html").read_text(
        encoding="utf-8"
    )
    texts = [p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))]
    texts += [
        p.read_text(encoding="utf-8")
        for p in sorted((out / "static").rglob("*.js"))
        if p.relative_to(out).as_posix() != TABLES_PATH
    ]
    written = (out / TABLES_PATH).read_text(encoding="utf-8")
    assert written == tables_script(texts)
    tables = json.loads(written.removeprefix("window.sitegenZhTables=").rstrip(";\n"))
    assert tables["s2t"]["phrases"]["头发"] == "頭髮"
    assert tables["s2t"]["phrases"]["面条"] == "麪條"


def test_bigram_keys_stand_for_the_tokenizers_two_character_tokens() -> None:
    from sitegen.render.related import bigram_keys, key_terms
    from sitegen.search.tokenize import normalize, tokenize

    for text in [*texts(200, seed=5), "ab 12 abc 許昌市 x", "", "𠀀𠀁许"]:
        expected = sorted({t for t in tokenize(text) if len(t) == 2})
        assert list(key_terms(bigram_keys(normalize(text)))) == expected, text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("甲乙丙丁\U00020000\U0002a6d6"), min_size=1, max_size=6)),
    st.text(st.sampled_from("甲乙丙丁\U00020000\U0002a6d6 。\ud800"), max_size=40),
)
@example(["甲乙丙丁", "甲乙丙"], "甲乙丙")  # a longer key cut off by the end of the text
@example(["甲乙"], "\ud800甲乙")  # a lone surrogate, which UTF-8 cannot hold
def test_a_phrase_index_finds_every_occurrence_of_its_keys(keys: list[str], text: str) -> None:
    """Keys of every length from one to six, astral characters among them, overlapping;
    texts with lone surrogates too."""
    index = PhraseIndex(keys)
    every = [
        (i, j - i)
        for i in range(len(text))
        for j in range(i + 1, min(len(text), i + 6) + 1)
        if text[i:j] in set(keys)
    ]
    assert sorted(index.occurrences(text)) == every
    assert index.present(text) == {text[i : i + n] for i, n in every}


def _script_by_counting(text: str) -> str:
    """`detect_script` as first written: count each Han character, compare the tables."""
    from collections import Counter

    from sitegen.chinese import HAN_CHAR

    traditional, simplified = t2s_characters().entries, s2t_characters().entries
    trad = simp = 0
    for ch, times in Counter(HAN_CHAR.findall(text)).items():
        if ch in traditional and ch not in simplified:
            trad += times
        elif ch in simplified and ch not in traditional:
            simp += times
    return "Hant" if trad > simp else "Hans"


SCRIPT_PIECES = [*texts(60, seed=11), "这", "這", "为", "為", "𠀀", "了"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SCRIPT_PIECES), max_size=8))
@example(["這這", "这这"])  # a tie is Simplified
@example(["這", "这这"])
def test_script_detection_counts_as_the_plain_code_does(pieces: list[str]) -> None:
    from sitegen.chinese import detect_script

    text = "".join(pieces)
    assert detect_script(text) == _script_by_counting(text), text


MARKDOWN_PIECES = ["许昌", "發展", "a", "1", "2024.", " ", "\u3000", "\xa0", "\t", "\n", "\n\n",
                   "## ", "#", "-", "+", "*", "_", ">", "=", "!", "[", "]", "(", ")", "<", "&",
                   "`", "\\", "\x02", "  ", "。", "“", "1. ", "---"]  # fmt: skip


_BLOCKS = st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=6).map("".join)


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=14).map("".join),
        st.lists(_BLOCKS, min_size=1, max_size=4).map(lambda blocks: "\n\n".join(blocks) + "\n"),
    )
)
@example("许昌\n\n## 發展\n")
@example("2024.许昌\n")  # a list item? Markdown decides
@example("- 许昌\n")
@example("1. 许昌\n")
@example("---\n")
@example("许昌!\n\n\u3000a\n")
def test_plain_markdown_is_rendered_as_markdown_renders_it(text: str) -> None:
    from sitegen.render.env import markdown_html, plain_html

    fast = plain_html(text)
    assert fast is None or fast == markdown_html(text), text


def test_the_cleaners_markdown_takes_the_plain_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sitegen.render.env import plain_html

    documents = seed_documents(tmp_path)
    cleaned = [d.body_markdown for d in documents if d.source.path.suffix == ".txt"]
    assert len(cleaned) == 36
    assert all(plain_html(body) is not None for body in cleaned)
    written = [d.body_markdown for d in documents if d.source.path.suffix == ".md"]
    assert len(written) == 3 and all(plain_html(body) is None for body in written)


def _repaired_line_by_line(draft):  # type: ignore[no-untyped-def]
    """`repair_encoding_damage` as first written: every line through `_repair_line`."""
    from sitegen.ingest.clean import (
        PLACEHOLDER,
        READING_MARK,
        Line,
        _repair_line,
        _restore,
        _shows_damage,
    )

    damaged = _shows_damage(draft.lines)
    repaired, removed = [], []
    for line in draft.lines:
        text, found = _repair_line(line, damaged)
        repaired.append(Line(line.number, text))
        removed += found
    context = READING_MARK.sub(PLACEHOLDER, "\n".join(line.text for line in repaired))
    lines, lost = [], []
    for before, line in zip(draft.lines, repaired, strict=True):
        text = READING_MARK.sub(
            lambda m, n=line.number: _restore(m, context, n, removed), line.text
        )
        count = text.count(PLACEHOLDER) - before.text.count(PLACEHOLDER)
        if count:
            lost.append((line.number, count))
        lines.append(Line(line.number, text))
    return draft.keep(lines, removed, tuple(lost))


DAMAGE_PIECES = ["許昌", "发展", "报", "(bào)", "(chǎn)", "(", ")", "?", "??", "\ue1d6", "\ufffd",
                 "锟斤拷", "烫烫", "\u3000", " ", "\t", "a", "bao)", "□", "，", "。", "吗",
                 "\ufff9", "\ufffb", "\xa0"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(DAMAGE_PIECES), max_size=8).map("".join), max_size=6))
@example(["规?;\ue1d6a(chǎn)业发展", "许昌报(bào)道"])
@example(["\u3000\u3000许昌发展", "??许昌"])
def test_repairing_only_lines_with_signs_of_damage_changes_nothing(texts: list[str]) -> None:
    from sitegen.ingest.clean import Draft, Line, repair_encoding_damage

    draft = Draft(tuple(Line(n, text) for n, text in enumerate(texts, 1)))
    assert repair_encoding_damage(draft) == _repaired_line_by_line(draft)


SNIPPET_PIECES = ["許昌", "发展", "乾隆", "頭髮", "ＧＤＰ", "ﬁ", "İ", "\u0301", "e", "Ａ", "㍻",
                  "\n", "\n\n", "## ", "> ", "- ", " ", "\u3000", "\u2028", "\x85", "。",
                  "①", "\r", "\x0b", "\x0c", "\x1c", "\u2029"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SNIPPET_PIECES), max_size=16).map("".join))
@example("許昌\n\n## 頭髮\n")
@example("e\n\u0301")  # a combining mark starting a line does not join the line before
def test_snippet_lines_normalised_at_once_equal_line_by_line(markdown: str) -> None:
    from sitegen.search.snippets import snippet_lines
    from sitegen.search.tokenize import normalize

    lines = [line.strip().lstrip("#>*- ").strip() for line in markdown.splitlines()]
    expected = [line if normalize(line) == line else [line, normalize(line)] for line in lines]
    expected = [line for line in expected if line]
    assert snippet_lines(markdown) == expected
    # with the body's normal form given, its lines' normal forms are taken from it
    assert snippet_lines(markdown, normalize(markdown)) == expected


def _mentions_position_by_position(gazetteer, text):  # type: ignore[no-untyped-def]
    """`Gazetteer.mentions` as first written: at each position where a spelling may
    start, its longest spelling there, else the next position."""
    from sitegen.ingest.gazetteer import _NOT_THE_CITY_AFTER

    forms = gazetteer._forms
    lengths: dict[str, set[int]] = {}
    for form in forms:
        lengths.setdefault(form[0], set()).add(len(form))
    counts: dict = {}
    pos = 0
    while pos < len(text):
        start = pos
        for size in sorted(lengths.get(text[start], ()), reverse=True):
            form = text[start : start + size]
            if form in forms:
                break
        else:
            pos = start + 1
            continue
        pos = end = start + len(form)
        city = forms[form]
        if city is None:
            continue
        if form == city.name and form != city.full_name and _NOT_THE_CITY_AFTER.match(text, end):
            continue
        if form.endswith("市") and text.startswith("场", end) and forms.get(form[:-1]) is not city:
            continue
        counts.setdefault(city, [0, start])[0] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1][0], item[1][1]))
    return [(city, n) for city, (n, _) in ranked]


CITY_PIECES = ["许昌", "许昌市", "长葛", "长葛市", "中山", "中山路", "朝阳区", "孙中山", "河南",
               "河南省", "合作", "合作市", "场", "市场", "北京", "北京市", "东路", "区域", "延边",
               "延边州", "州", "市", "，", "的", "我市", "南京市鼓楼区", "开封", "郑州", "县",
               "抚顺县", "沙河镇", "香港特区", "a", "吉林", "吉林市", "黔西", "黔西南州", "南",
               "海南", "海南州", "恩施市"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(CITY_PIECES), max_size=14).map("".join))
@example("许昌市场许昌中山路中山孙中山合作市场长葛市长葛")
@example("吉林市黔西南州海南州")  # a shorter spelling names another city, or none
def test_city_mentions_equal_the_position_by_position_scan(text: str) -> None:
    from sitegen.ingest.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    assert gazetteer.mentions(text) == _mentions_position_by_position(gazetteer, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=5))
def test_the_characters_of_texts_are_every_character_once(texts: list[str]) -> None:
    from sitegen.search.publish import _characters

    found = _characters(texts)
    assert found == "".join(sorted(set("".join(texts))))  # lone surrogates, astral ones too


def test_document_cards_are_made_once_per_document_root_and_script(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`once_per_document` calls the macro once per document, page root and script; an
    equal but new document (an edit in `sitegen serve`) or a new environment calls it again;
    and city pages come out as when every card was made afresh."""
    import dataclasses

    from markupsafe import Markup

    from sitegen.render.env import make_environment
    from sitegen.resources import package_dir

    calls: list[tuple[object, ...]] = []

    class Card:
        name = "card"

        def __call__(self, doc: object, *args: object) -> str:
            calls.append((doc, *args))
            return Markup(f"<li>{len(calls)}</li>")

    env = make_environment([package_dir("templates")])
    page = env.from_string("{{ once_per_document(card, doc, True, '') }}")
    doc = seed_documents(tmp_path)[0]
    card = Card()

    def render(document: object, root: str = "../../", lang: str = "zh-Hans") -> str:
        return page.render(card=card, doc=document, root=root, lang=lang)

    assert [render(doc), render(doc)] == ["<li>1</li>", "<li>1</li>"]
    assert render(doc, root="../") == "<li>2</li>"
    assert render(doc, lang="zh-Hant") == "<li>3</li>"
    assert render(dataclasses.replace(doc)) == "<li>4</li>"
    assert render(doc) == "<li>1</li>"
    fresh = make_environment([package_dir("templates")])
    assert (
        fresh.from_string("{{ once_per_document(card, doc) }}").render(
            card=card, doc=doc, root="", lang="zh-Hans"
        )
        == "<li>5</li>"
    )
    assert len(calls) == 5


def test_the_site_wording_in_a_template_is_text_once_compiled_for_each_script(
    tmp_path: Path,
) -> None:
    """`ui` of a constant is applied when a template compiles (`PageEnvironment`): once
    compiled, its page needs no `ui` for it; a value is converted on the page, in the
    page's script, in a macro imported without context too."""
    from sitegen.render.env import make_environment

    (tmp_path / "m.html").write_text('{% macro label() %}{{ "首页" | ui }}{% endmacro %}')
    env = make_environment([tmp_path])
    constant = '<dt>{{ "标题出处" | ui }}</dt>{% from "m.html" import label %}{{ label() }}'
    for lang, label, date, name in (
        ("zh-Hans", "标题出处", "首页", "许昌"),
        ("zh-Hant", "標題出處", "首頁", "許昌"),
    ):
        chosen = env.for_lang(lang)
        assert chosen.for_lang(lang) is chosen and env.scripts == chosen.scripts
        value = chosen.from_string("<dd>{{ name | ui }}</dd>")
        assert value.render(name="许昌", lang=lang) == f"<dd>{name}</dd>"
        compiled = chosen.from_string(constant)
        chosen.get_template("m.html")
        wording = chosen.filters["ui"]
        chosen.filters["ui"] = None  # compiled templates no longer look it up
        try:
            assert compiled.render(lang=lang) == f"<dt>{label}</dt>{date}"
        finally:
            chosen.filters["ui"] = wording
    label = env.for_lang("zh-Hant").from_string('{{ "来源" | ui }}').render(lang="zh-Hans")
    assert label == "來源"  # the environment's script, not the context's


def test_document_lists_equal_cards_made_one_by_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sitegen.render.env import make_environment
    from sitegen.resources import package_dir

    env = make_environment([package_dir("templates")])
    documents = seed_documents(tmp_path)
    listed = env.from_string(
        '{% from "macros.html" import doc_list with context %}'
        "{{ doc_list(docs) }}{{ doc_list(docs, false, 'mention') }}{{ doc_list(docs) }}"
    )
    one_by_one = env.from_string(
        '{% from "macros.html" import doc_card with context %}'
        "{% for args in [(true, ''), (false, 'mention'), (true, '')] %}"
        '<ul class="doc-list">\n{% for doc in docs %}  {{ doc_card(doc, *args) }}\n'
        "{% endfor %}</ul>{% endfor %}"
    )
    for lang in ("zh-Hans", "zh-Hant"):
        got = listed.render(docs=documents, root="../../", lang=lang)
        assert got == one_by_one.render(docs=documents, root="../../", lang=lang)
        assert got.count('<li class="doc-card') == 3 * len(documents) > 9


def test_a_one_article_file_is_pickled_with_its_text_once() -> None:
    import pickle
    from pathlib import PurePosixPath

    from sitegen.build import ingest_bytes
    from sitegen.ingest.gazetteer import load_gazetteer

    text = "许昌市召开经济工作会议\n\n" + "会议指出，今年全市经济运行稳中有进。" * 200
    result = ingest_bytes(PurePosixPath("one.txt"), text.encode("utf-8"), load_gazetteer())
    (document,) = result.documents
    assert document.raw_text == text and document.raw_text is result.source.text
    again = pickle.loads(pickle.dumps(result))
    assert again.documents[0].raw_text is again.source.text  # one copy in the pickle


BIGRAM_PIECES = ["许", "昌", "發", "〇", "𠀀", "a", "B", "é", "\u0301", "1", "２", "_", " ", "\n",
                 "，", "-", "\ud800", "\x00", "ab", "许昌市"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(BIGRAM_PIECES), max_size=24).map("".join))
@example("ab许昌cd")
@example("_ab_ a_b")
def test_bigram_keys_by_table_equal_the_tokenizers_two_character_tokens(text: str) -> None:
    """Related documents' keys: the characters classed by the index's table (`kinds_of`)
    give the tokenizer's own tokens of two characters, beyond 0xFFFF too."""
    from sitegen.render.related import KEY, bigram_keys
    from sitegen.search.tokenize import tokenize_normalized

    expected = sorted(
        {ord(t[0]) << 21 | ord(t[1]) for t in tokenize_normalized(text) if len(t) == 2}
    )
    assert bigram_keys(text) == np.array(expected, dtype=KEY).tobytes()


def test_an_articles_lines_are_converted_for_the_rules_in_one_pass(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The cleaning rules look at each short line in Simplified: the article's lines are
    converted together first (one pass of OpenCC's phrases), not one call a line."""
    from sitegen.chinese import _t2s
    from sitegen.ingest.clean import Draft, Line, clean_lines, ruled

    converter = _t2s()
    passes = []
    real = converter._convert

    def counted(text: str) -> str:
        passes.append(text)
        return real(text)

    monkeypatch.setattr(converter, "_convert", counted)
    monkeypatch.setattr(converter, "lines", {})  # nothing remembered from other tests
    lines = [f"第{n}條：許昌市發展報告，乾隆年間頭髮與幹部。" for n in range(30)]
    lines += ["首頁 > 新聞中心 > 正文", "（責任編輯：王小明）"]
    draft = clean_lines(Draft(tuple(Line(n + 1, text) for n, text in enumerate(lines))))
    assert len(passes) <= 2, len(passes)
    assert [line.text for line in draft.lines][:2] == lines[:2]
    assert ruled(lines[0]) == "第0条:许昌市发展报告,乾隆年间头发与干部。"  # NFKC, then t2s


def test_a_documents_scan_is_that_of_its_raw_text_and_html() -> None:
    """Cleaning scans a plain document's body lines that its raw text lacks rather than its
    HTML (the same runs of Han characters): the same 简/繁 scan as raw text and HTML."""
    from pathlib import PurePosixPath

    from sitegen.build import _prepare, ingest_bytes
    from sitegen.chinese import SwitchScan
    from sitegen.ingest.gazetteer import load_gazetteer
    from sitegen.render.env import markdown_to_html, plain_html

    seeds = Path(__file__).resolve().parents[1] / "seeds"
    inputs = [(p.name, p.read_bytes()) for p in sorted(seeds.glob("*.txt"))]
    made = [  # phrases that only cleaning makes: '乾(qián)隆' becomes '乾隆', '干(gàn)部' '干部'
        "許昌市召開會議\n來源：許昌日報 2024-01-18\n\n　　會議指出，乾(qián)隆年間頭髮發展。\n"
        "報告稱，里程碑工作\n\n後來的發展，幹部說了算。",
        "许昌市召开会议\n\n报告称，*重点* 工作\n\n## 小标题\n\n后来的发展，干(gàn)部说了算。",
    ]  # fmt: skip
    inputs += [(f"made-{n}.txt", text.encode()) for n, text in enumerate(made)]
    kinds = {}
    for name, data in inputs:
        result = ingest_bytes(PurePosixPath(name), data, load_gazetteer())
        for document in result.documents:
            expected = SwitchScan()
            expected.add(document.raw_text)
            raw_only = expected.packed()
            expected.add(markdown_to_html(document.body_markdown))
            assert _prepare(document).scan == expected.packed(), name
            plain = plain_html(document.body_markdown) is not None
            kinds[name] = (plain, expected.packed() != raw_only)
    # both ways, each with phrases the raw text lacks
    assert kinds["made-0.txt"] == (True, True) and kinds["made-1.txt"] == (False, True)


def test_documents_pickle_as_their_fields_and_cities_come_back_shared() -> None:
    """What the cleaning processes send the build: equal after a round trip, each object
    pickled as its constructor's arguments, and a city two documents name is one object."""
    import pickle
    from dataclasses import fields
    from pathlib import PurePosixPath

    from sitegen.build import ingest_bytes
    from sitegen.ingest.gazetteer import load_gazetteer
    from sitegen.model import City, Document, Field, PartialDate, Removal, Source

    text = (
        "许昌市召开经济工作会议\n来源：许昌日报  2024-01-18 09:13\n\n"
        "许昌市、郑州市、长葛市代表参加会议。会议指出，经济稳中有进。"
    )
    made = [
        ingest_bytes(PurePosixPath(f"{n}.txt"), text.encode(), load_gazetteer()) for n in range(2)
    ]
    sent = [pickle.dumps(result) for result in made]
    first, second = (pickle.loads(data).documents[0] for data in sent)
    assert pickle.loads(sent[0]) == made[0]
    assert [c.name for c in first.cities] == ["许昌", "郑州", "长葛"]
    assert all(a is b for a, b in zip(first.cities, second.cities, strict=True))
    assert first.city is not None and first.city.value is first.cities[0]
    assert first.date is not None and first.removed and first.source.path == PurePosixPath("0.txt")
    for value in (first, first.source, first.title, first.date.value, first.removed[0]):
        cls = type(value)
        assert cls in (Document, Source, Field, PartialDate, Removal)
        assert value.__reduce__() == (cls, tuple(getattr(value, f.name) for f in fields(cls)))
        assert not hasattr(value, "__dict__")  # slots
    city = first.cities[0]
    assert city.__reduce__()[1] == tuple(getattr(city, f.name) for f in fields(City))


@pytest.mark.parametrize("in_child", [True, False])
def test_related_documents_scored_beside_the_plan_fill_the_pages(
    tmp_path: Path, in_child: bool
) -> None:
    """The build plans the pages while a forked process scores related documents, then
    fills them in: every document's pages get what the plan computing them itself gives."""
    from sitegen.build import _RelatedLater
    from sitegen.config import load_config
    from sitegen.ingest.gazetteer import load_gazetteer
    from sitegen.render.pages import plan_pages
    from sitegen.render.site import site_info

    documents = seed_documents(tmp_path)
    site = site_info(load_config(tmp_path, tmp_path / "site"), [])

    def plan(related_of):  # type: ignore[no-untyped-def]
        pages = list(plan_pages(documents, load_gazetteer(), site, [], str, related_of))
        return [p for p in pages if "related" in p.context]

    expected = {p.path: p.context["related"] for p in plan(None)}
    assert sum(map(bool, expected.values())) > 20
    later = _RelatedLater({}, in_child=in_child)
    pages = plan(later)
    if in_child:
        assert not any(p.context["related"] for p in pages)  # the plan went on without them
    later.fill(pages)
    assert {p.path: p.context["related"] for p in pages} == expected
    assert all(r in documents for p in pages for r in p.context["related"])


def test_related_documents_failing_in_their_process_stop_the_build_with_the_cause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sitegen.build
    from sitegen.errors import BuildError

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("no terms")

    monkeypatch.setattr(sitegen.build, "related_documents", broken)
    later = sitegen.build._RelatedLater({}, in_child=True)
    assert later([], {}) == {}
    with pytest.raises(BuildError, match="scoring related documents failed: ValueError"):
        later.fill([])


@pytest.mark.parametrize(
    ("path", "index", "count", "slug"),
    [
        ("2019/開封 工作报告.txt", 0, 1, "2019-kai-feng-gong-zuo-bao-gao"),
        ("News/A_b.txt", 1, 3, "news-a-b-02"),  # no Han: pinyin is not even loaded
        ("报告.txt", 0, 1, "bao-gao"),
    ],
)
def test_slugs_from_paths(
    monkeypatch: pytest.MonkeyPatch, path: str, index: int, count: int, slug: str
) -> None:
    import sys
    from pathlib import PurePosixPath

    from sitegen.build import _slug
    from sitegen.model import Source

    if path.isascii():
        monkeypatch.setitem(sys.modules, "pypinyin", None)  # importing it would fail
    source = Source(path=PurePosixPath(path), text="x", encoding="utf-8")
    assert _slug(source, index, count) == slug


def test_keys_made_while_cleaning_are_those_of_the_final_title_and_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Related documents get each document's keys as made while cleaning, unless a sidecar
    gave it another title: then none, and they are made afresh from the final document.
    (In one process: with two the scoring runs in a forked one, given the same keys.)"""
    import shutil

    import sitegen.build
    from sitegen.config import load_config
    from sitegen.render.related import bigram_keys, related_documents
    from sitegen.search.tokenize import normalize

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    shutil.copytree(seeds, tmp_path / "archive")
    sidecar = tmp_path / "archive" / "000_cd93c6f70429d5e1.meta.toml"
    sidecar.write_text('[document]\ntitle = "开封市政府工作报告全文"\n', encoding="utf-8")
    seen = []

    def scoring(documents, city_of, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((documents, kwargs["keys_by_slug"]))
        return related_documents(documents, city_of, **kwargs)

    monkeypatch.setattr(sitegen.build, "related_documents", scoring)
    config = load_config(tmp_path / "archive", tmp_path / "site")
    sitegen.build.build(config, workers=1, cache=False)
    [(documents, keys)] = seen
    retitled = [d for d in documents if d.title.value == "开封市政府工作报告全文"]
    assert len(retitled) == 1 and retitled[0].slug not in keys
    assert len(keys) == len(documents) - 1
    for document in documents:
        if document.slug in keys:
            text = normalize(document.title.value + "\n" + document.body_markdown)
            assert keys[document.slug] == bigram_keys(text)
