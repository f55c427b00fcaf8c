"""Search in a real browser: Debian's Chromium, the built sample site served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitegen.search.tokenize import normalize

pytestmark = pytest.mark.browser
VECTORS = Path(__file__).parent.parent / "data" / "tokenizer_vectors.json"


def titles_shown(page) -> list[str]:
    page.wait_for_function(
        "document.getElementById('search-status').textContent.length > 0", timeout=10000
    )
    return page.locator("#results li a").all_inner_texts()


def search(page, base: str, query: str) -> list[str]:
    page.goto(base + "search/")
    page.fill("#q", "")
    page.locator("#q").type(query)
    page.wait_for_function(
        "q => new URL(location.href).searchParams.get('q') === q", arg=query, timeout=5000
    )
    page.wait_for_function(
        "document.getElementById('search-status').textContent.length > 0", timeout=10000
    )
    return sorted(page.locator("#results li a").all_inner_texts())


def containing(site: Path, query: str) -> list[str]:
    """Ground truth: titles of documents whose title or text contains the query."""
    docs = json.loads((site / "search" / "docs.json").read_text(encoding="utf-8"))
    needle = normalize(query)
    found = []
    for slug, meta in docs.items():
        html = (site / "doc" / slug / "index.html").read_text(encoding="utf-8")
        body = html.split('<div class="body">', 1)[1].split("</div>", 1)[0]
        if needle in normalize(meta["title"]) or needle in normalize(body):
            found.append(meta["title"])
    return sorted(found)


def test_both_scripts_find_the_same_documents(page, seed_site: Path, serve) -> None:
    base = serve(seed_site)
    simplified = search(page, base, "许昌")
    traditional = search(page, base, "許昌")
    assert simplified == traditional == containing(seed_site, "许昌")
    assert len(simplified) == 10


def test_dezhou_finds_the_dezhou_document(page, seed_site: Path, serve) -> None:
    base = serve(seed_site)
    assert search(page, base, "德州") == containing(seed_site, "德州")
    assert any("穩" in t or "德州" in t for t in search(page, base, "德州"))


def test_kaifeng_finds_the_document_once_full_of_pinyin(page, seed_site: Path, serve) -> None:
    base = serve(seed_site)
    assert search(page, base, "开封") == ["勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)"]


def test_query_in_the_url_runs_on_load_and_results_link_to_documents(
    page, seed_site: Path, serve
) -> None:
    base = serve(seed_site)
    page.goto(base + "search/?q=%E5%BE%B7%E5%B7%9E")
    assert page.input_value("#q") == "德州"
    titles_shown(page)
    link = page.locator("#results li a").first
    link.click()
    page.wait_for_load_state()
    assert "/doc/" in page.url
    assert page.locator("h1").inner_text() == link_title(page)


def link_title(page) -> str:
    return page.locator("article.document h1").inner_text()


@pytest.mark.parametrize(
    "query",
    [
        ":",
        "*",
        "~",
        "^",
        "+",
        "-",
        '"',
        "'",
        "许*",
        "title:许昌",
        "许昌~2",
        "x" * 500,
        "许" * 500,
        "😀",
        "\u3000",
        "<img src=x onerror=alert(1)>",
        "   ",
    ],
)
def test_no_input_makes_the_page_throw(page, seed_site: Path, serve, query: str) -> None:
    base = serve(seed_site)
    page.goto(base + "search/")
    page.fill("#q", query)
    page.wait_for_timeout(50)
    status = page.locator("#search-status")
    page.wait_for_function(
        "document.getElementById('search-status').textContent.length > 0 || "
        "!document.getElementById('q').value.trim()",
        timeout=10000,
    )
    assert "无法" not in status.inner_text()


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
                                    got: sitegenSearch.tokenize(v.text, table)}));
        }"""
    )
    mismatches = [r for r in results if r["got"] != r["want"]]
    assert len(results) >= 20
    assert mismatches == []
