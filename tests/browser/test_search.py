"""Search in a real browser: Debian's Chromium, the built sample site served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sitegen.search.tokenize import normalize

pytestmark = pytest.mark.browser
VECTORS = Path(__file__).parent.parent / "data" / "tokenizer_vectors.json"
KAIFENG_TITLE = "勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)"


def documents(site: Path) -> dict[str, dict]:
    """Every document's title, city, year and text as the site's search files give them."""
    manifest = json.loads((site / "search" / "manifest.json").read_text("utf-8"))
    facets = json.loads((site / "search" / "facets.json").read_text("utf-8"))
    docs = {}
    for n in range(manifest["documents"]):
        ref = _base36(n)
        chunk = json.loads(
            (site / "search" / "meta" / f"{n // manifest['metaChunk']:03d}.json").read_text()
        )
        meta = chunk[n % manifest["metaChunk"]]
        title = meta["title"] if isinstance(meta["title"], str) else meta["title"][0]
        lines = json.loads((site / "search" / "text" / f"{ref}.json").read_text("utf-8"))
        text = "\n".join(line if isinstance(line, str) else line[0] for line in lines)
        city = facets["cities"][facets["city"][n]] if facets["city"][n] >= 0 else ""
        year = facets["years"][facets["year"][n]] if facets["year"][n] >= 0 else None
        docs[ref] = {"title": title, "text": text, "city": city, "year": year}
    return docs


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, rest = divmod(n, 36)
        out = digits[rest] + out
        if not n:
            return out


def containing(site: Path, query: str) -> list[str]:
    """Ground truth: titles of documents whose normalised title or text contains the query."""
    needle = normalize(query)
    return sorted(
        d["title"]
        for d in documents(site).values()
        if needle in normalize(d["title"]) or needle in normalize(d["text"])
    )


def wait_for(page, query: str) -> None:
    page.wait_for_function(
        "q => document.getElementById('results').getAttribute('data-for') === q",
        arg=query,
        timeout=10000,
    )


def type_query(page, query: str) -> list[str]:
    """Type into the search box key by key; return the titles shown, in order."""
    page.fill("#q", "")
    page.locator("#q").press_sequentially(query)
    wait_for(page, query)
    return page.locator("#results li a.result-title").all_inner_texts()


def all_titles(page) -> list[str]:
    """Press "显示更多" until every result is listed; return their titles."""
    more = page.locator("#search-more")
    while more.is_visible():
        count = page.locator("#results li").count()
        more.click()
        page.wait_for_function(
            "n => document.querySelectorAll('#results li').length > n", arg=count
        )
    page.wait_for_function(
        "[...document.querySelectorAll('#results li')].every(li => li.querySelector('a'))"
    )
    return page.locator("#results li a.result-title").all_inner_texts()


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_nothing_is_fetched_before_the_first_keystroke(page, seed_site: Path, serve) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(serve(seed_site) + "search/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in fetched if "/search/" in u and u.endswith(".json")]
    page.locator("#q").press_sequentially("许昌")
    wait_for(page, "许昌")
    shards = [u for u in fetched if "/search/idx/" in u]
    total = len(list((seed_site / "search" / "idx").iterdir()))
    assert 1 <= len(shards) < total


def test_the_typed_queries_of_the_issue(page, seed_site: Path, serve) -> None:
    page.goto(serve(seed_site) + "search/")
    xuchang = type_query(page, "许昌")
    assert sorted(xuchang) == containing(seed_site, "许昌")
    assert len(xuchang) == 10
    assert page.inner_text("#search-status") == "找到 10 篇文档"
    assert query_of(page)["q"] == ["许昌"]

    assert type_query(page, "許昌") == xuchang  # the same ranking in either script
    assert query_of(page)["q"] == ["許昌"]

    assert type_query(page, "开封") == [KAIFENG_TITLE]
    assert sorted(type_query(page, "德州")) == containing(seed_site, "德州")

    fusion = type_query(page, "城乡融合")
    assert sorted(fusion) == containing(seed_site, "城乡融合")
    assert 1 < len(fusion) < 10

    pinyin = type_query(page, "xuchang")
    assert sorted(pinyin) == sorted(d["title"] for d in documents(seed_site).values()
                                    if d["city"] == "许昌")  # fmt: skip

    assert type_query(page, "锟斤拷烫烫烫") == []
    assert page.inner_text("#search-status") == "没有找到匹配的文档"
    assert page.locator("#results li").count() == 0


def test_snippets_highlight_the_hit_in_the_documents_own_script(
    page, seed_site: Path, serve
) -> None:
    page.goto(serve(seed_site) + "search/")
    type_query(page, "城乡融合")
    page.wait_for_function(
        "[...document.querySelectorAll('#results .snippet')].every(p => p.textContent)"
    )
    items = page.locator("#results li")
    scripts = set()
    for i in range(items.count()):
        item = items.nth(i)
        marks = item.locator(".snippet mark").all_inner_texts()
        assert marks, item.inner_text()
        assert all(normalize(m) == "城乡融合" for m in marks)
        scripts.update(marks)
        assert item.get_attribute("lang") in ("zh-Hans", "zh-Hant")
        meta = item.locator(".meta").inner_text()
        assert "许昌" in meta  # the city
    assert scripts == {"城乡融合", "城鄉融合"}  # Simplified and Traditional documents
    traditional = page.locator("#results li[lang=zh-Hant]").first
    assert "城鄉融合" in traditional.locator(".snippet").inner_text()
    assert "河南日報" in traditional.locator(".meta").inner_text()  # the source
    title_marks = page.locator("#results li a mark").all_inner_texts()
    assert "城乡融合" in title_marks


def test_filters_narrow_results_and_live_in_the_url(page, seed_site: Path, serve) -> None:
    base = serve(seed_site)
    page.goto(base + "search/")
    type_query(page, "发展")
    everything = all_titles(page)
    assert len(everything) > 10  # more than one page of results
    page.wait_for_selector("#search-filters:not([hidden])")
    cities = page.locator("#filter-city option").all_inner_texts()
    assert cities[0] == "全部城市"
    assert any(c.startswith("许昌（") for c in cities)
    page.select_option("#filter-city", "许昌")
    wait_for(page, "发展")
    assert query_of(page) == {"q": ["发展"], "city": ["许昌"]}
    in_xuchang = all_titles(page)
    docs = documents(seed_site).values()
    want = sorted(
        d["title"] for d in docs if d["city"] == "许昌" and "发展" in normalize(d["text"])
    )
    assert sorted(in_xuchang) == want
    assert len(in_xuchang) < len(everything)
    assert "筛选后" in page.inner_text("#search-status")

    page.select_option("#filter-year", "2020")
    page.wait_for_function("new URL(location.href).searchParams.get('year') === '2020'")
    wait_for(page, "发展")
    titles = all_titles(page)
    assert titles and all("2020" in t for t in titles)

    page.go_back()  # the year filter goes, the city stays
    page.wait_for_function("!new URL(location.href).searchParams.get('year')")
    wait_for(page, "发展")
    assert page.input_value("#filter-year") == ""
    assert sorted(all_titles(page)) == want

    shared = page.url  # a shared link opens the same search
    other = page.context.new_page()
    other.goto(shared)
    wait_for(other, "发展")
    assert sorted(all_titles(other)) == want
    assert other.input_value("#q") == "发展"
    other.close()


def test_back_button_returns_to_the_previous_query(page, seed_site: Path, serve) -> None:
    page.goto(serve(seed_site) + "search/?q=%E5%BE%B7%E5%B7%9E")
    wait_for(page, "德州")
    assert page.input_value("#q") == "德州"
    type_query(page, "开封")
    page.locator("#q").press("Enter")
    page.go_back()
    wait_for(page, "德州")
    assert page.input_value("#q") == "德州"
    assert sorted(page.locator("#results li a.result-title").all_inner_texts()) == containing(
        seed_site, "德州"
    )


def test_keyboard_slash_arrows_and_enter(page, seed_site: Path, serve) -> None:
    page.goto(serve(seed_site) + "search/")
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("许昌")
    wait_for(page, "许昌")
    page.keyboard.press("ArrowDown")
    first = page.locator("#results li a.result-title").nth(0)
    assert page.evaluate("document.activeElement.className") == "result-title"
    page.keyboard.press("ArrowDown")
    second = page.locator("#results li a.result-title").nth(1)
    assert page.evaluate("document.activeElement.textContent") == second.inner_text()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == first.inner_text()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.press("ArrowDown")
    title = first.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/doc/**")
    assert page.locator("h1").first.inner_text() == title


def test_no_search_while_an_input_method_composes(page, seed_site: Path, serve) -> None:
    page.goto(serve(seed_site) + "search/")
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.focus("#q")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.imeSetComposition", {"text": "xu", "selectionStart": 2, "selectionEnd": 2})
    cdp.send("Input.imeSetComposition", {"text": "xuc", "selectionStart": 3, "selectionEnd": 3})
    page.wait_for_timeout(200)
    assert page.input_value("#q") == "xuc"
    assert fetched == []  # nothing searched while composing
    assert page.get_attribute("#results", "data-for") is None
    cdp.send("Input.insertText", {"text": "许昌"})  # the input method commits
    wait_for(page, "许昌")
    assert page.locator("#results li").count() == 10


def test_html_in_a_query_or_document_stays_text(page, seed_site: Path, serve) -> None:
    page.goto(serve(seed_site) + "search/")
    query = '<img src=x onerror="window.owned=1">许昌'
    page.fill("#q", query)
    wait_for(page, query)
    assert page.locator("#results img").count() == 0
    assert page.evaluate("window.owned") is None


HOSTILE = [
    ":", "*", "~", "^", "+", "-", '"', "'", "\\", "许*", "title:许昌", "许昌~2", "许昌^10",
    "x" * 500, "许" * 500, "许昌" * 250, "😀", "😀许昌😀", "\u3000", "许昌\u3000开封", "。，、",
    "「許昌」", "开封，德州", "<img src=x onerror=alert(1)>", "   ", "德", "2023年 许昌",
    "\ufeff", "\u0000", "𠮷野家", "ＧＤＰ", "许昌" + "\u0301" * 50, "a" * 5000,
]  # fmt: skip


def test_no_input_makes_the_page_throw_or_hang(page, seed_site: Path, serve) -> None:
    page.goto(serve(seed_site) + "search/")
    for query in HOSTILE:
        page.fill("#q", query)
        wait_for(page, query)
        status = page.inner_text("#search-status")
        assert "无法" not in status, query
        if any(ch.isalnum() for ch in query):
            assert status, query
    assert page.get_attribute("#results", "aria-busy") == "false"


def test_browser_scores_equal_the_python_reference(page, seed_site: Path, serve) -> None:
    """The JavaScript engine ranks and scores as sitegen.search.query.run does."""
    from lunr.index import Index

    from sitegen.search.publish import read_boundaries
    from sitegen.search.query import parse, run

    site = search = seed_site / "search"

    def load(kind: str, n: int):
        data = json.loads((site / kind / f"{n:04d}.json").read_text("utf-8"))
        return Index.load(data) if kind == "idx" else data

    page.goto(serve(seed_site) + "search/")
    queries = ["许昌", "許昌 发展", "城乡融合", "高质量发展", "xuchang 经济", "2023年 许昌"]
    answers = page.evaluate(
        """async (queries) => {
          const engine = new sitegenSearch.Engine('../search/');
          const out = [];
          for (const q of queries) out.push((await engine.search(q)).results);
          return out;
        }""",
        queries,
    )
    for query, answer in zip(queries, answers, strict=True):
        expected = run(
            parse(query),
            read_boundaries(search),
            lambda n: load("idx", n),
            lambda n: load("pos", n),
        )
        assert [r["ref"] for r in answer] == [ref for ref, _ in expected], query
        for got, (_, score) in zip(answer, expected, strict=True):
            assert abs(got["score"] - score) <= 1e-9
        assert answer, query


def test_tokenizer_vectors_agree_in_the_browser(page, seed_site: Path, serve, tmp_path) -> None:
    """The browser tokenizer gives the shared vectors' tokens (no Node: Chromium runs it)."""
    from sitegen.chinese import query_table, t2s_characters

    table = query_table(set(t2s_characters().entries.values()))
    folder = tmp_path / "vectors"
    folder.mkdir()
    (folder / "search.js").write_bytes((seed_site / "static" / "search.js").read_bytes())
    (folder / "t2s.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    (folder / "vectors.json").write_bytes(VECTORS.read_bytes())
    (folder / "index.html").write_text(
        '<!DOCTYPE html><meta charset="utf-8"><script src="search.js"></script>', encoding="utf-8"
    )
    page.goto(serve(folder))
    results = page.evaluate(
        """async () => {
          const table = sitegenSearch.prepareTable(await (await fetch('t2s.json')).json());
          const vectors = (await (await fetch('vectors.json')).json()).vectors;
          return vectors.map(v => ({text: v.text, want: v.tokens,
                                    got: sitegenSearch.tokenize(v.text, table),
                                    offsets: sitegenSearch.tokenizeWithOffsets(
                                      sitegenSearch.normalize(v.text, table)),
                                    parts: sitegenSearch.parse(
                                      sitegenSearch.normalize(v.text, table)).parts
                                      .map(p => p.text)}));
        }"""
    )
    from sitegen.search.query import parse
    from sitegen.search.tokenize import tokenize_with_offsets

    numbers = [0, 7, 42, 999, 1000, 10112, 123456]
    padded = page.evaluate(
        "ns => ns.map(n => [sitegenSearch.pad(n, 2), sitegenSearch.pad(n, 4)])", numbers
    )
    assert padded == [[f"{n:02d}", f"{n:04d}"] for n in numbers]  # file names as Python writes them
    mismatches = [r for r in results if r["got"] != r["want"]]
    assert len(results) >= 30
    assert mismatches == []
    for r in results:
        assert [list(t) for t in tokenize_with_offsets(normalize(r["text"]))] == r["offsets"]
        assert [p.text for p in parse(r["text"]).parts] == r["parts"]
