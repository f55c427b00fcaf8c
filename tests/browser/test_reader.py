"""A reader in a real browser: Debian's Chromium, the sample site served under /REPO/."""

from __future__ import annotations

from pathlib import Path

import pytest
from opencc import OpenCC

pytestmark = pytest.mark.browser

TRADITIONAL_TITLE = "許昌:全力以赴拼經濟 鉚足幹勁開新局"
SIMPLIFIED_TITLE = "许昌:全力以赴拼经济 铆足干劲开新局"  # OpenCC t2s of the above
SIMPLIFIED_DOC = "doc/003-8f3753a4c6dcbcd8-06/"  # 许昌聚力项目引擎构筑产业新高地


@pytest.fixture
def base(seed_site: Path, serve, page) -> str:
    page.set_default_timeout(10000)
    return serve(seed_site, prefix="REPO")


def switch(page, script: str) -> None:
    label = {"": "原文", "Hans": "简", "Hant": "繁"}[script]
    button = page.locator(f'.script-switch button[data-script="{script}"]')
    assert button.inner_text() in (label, "原文")
    button.click()
    page.wait_for_function(
        "s => document.querySelector(`.script-switch button[data-script='${s}']`)"
        ".getAttribute('aria-pressed') === 'true'",
        arg=script,
    )


def test_home_to_city_to_document_to_original_and_back(page, base: str) -> None:
    page.goto(base)
    assert page.locator("h1").inner_text() == "地方新闻档案"
    page.locator("#cities-h + .province, #cities-h ~ .province").get_by_role(
        "link", name="许昌", exact=True
    ).click()
    assert page.url == base + "city/xuchang/"
    assert page.locator("h1").inner_text() == "许昌市"
    page.get_by_role("link", name=TRADITIONAL_TITLE).click()
    assert page.url == base + "doc/000-cd93c6f70429d5e1/"
    assert page.locator("h1").inner_text() == TRADITIONAL_TITLE
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    page.get_by_role("link", name="原始文本", exact=True).first.click()
    assert page.url == base + "doc/000-cd93c6f70429d5e1/original/"
    assert page.locator("h1").inner_text() == "原始文本"
    assert "鉚足幹勁開新局" in page.locator("pre.original").inner_text()
    page.go_back()
    assert page.locator("h1").inner_text() == TRADITIONAL_TITLE
    page.get_by_role("link", name="清理報告").first.click()  # a Traditional page's wording
    assert page.url == base + "doc/000-cd93c6f70429d5e1/report/"
    assert page.locator("h1").inner_text() == "清理報告"


def test_switch_converts_the_page_remembers_the_choice_and_restores_the_original(
    page, base: str
) -> None:
    page.goto(base + "doc/000-cd93c6f70429d5e1/")
    original = page.locator("body").inner_text()
    original_title = page.title()
    switch(page, "Hans")
    assert page.locator("h1").inner_text() == SIMPLIFIED_TITLE
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.title().startswith(SIMPLIFIED_TITLE)
    assert page.locator(".site-nav").get_by_role("link", name="首页").is_visible()
    assert page.locator("#header-q").get_attribute("placeholder") == "搜索全文（按 / 键）"

    page.reload()  # the choice is kept, and applied on load
    page.wait_for_function("document.querySelector('h1').textContent.includes('经济')")
    assert page.locator("h1").inner_text() == SIMPLIFIED_TITLE
    assert page.locator('[data-script="Hans"]').get_attribute("aria-pressed") == "true"

    page.goto(base + "city/xuchang/")  # and across pages
    page.wait_for_function("document.documentElement.lang === 'zh-Hans'")
    assert page.get_by_role("link", name=SIMPLIFIED_TITLE).is_visible()

    page.goto(base + "doc/000-cd93c6f70429d5e1/")
    page.wait_for_function("document.querySelector('h1').textContent.includes('经济')")
    switch(page, "")
    assert page.locator("body").inner_text() == original
    assert page.title() == original_title
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    page.reload()
    assert page.locator("h1").inner_text() == TRADITIONAL_TITLE


def test_traditional_conversion_matches_opencc(page, base: str) -> None:
    page.goto(base + SIMPLIFIED_DOC)
    before = page.locator(".body p").all_inner_texts()
    title = page.locator("h1").inner_text()
    switch(page, "Hant")
    after = page.locator(".body p").all_inner_texts()
    s2t = OpenCC("s2t")
    assert len(after) == len(before) > 3
    assert after == [s2t.convert(p) for p in before]
    assert page.locator("h1").inner_text() == s2t.convert(title) == "許昌聚力項目引擎構築產業新高地"
    # elements marked as Simplified now say Traditional, and go back on 原文
    assert page.locator('.site-nav a[href="../../"]').inner_text() == "首頁"
    switch(page, "")
    assert page.locator(".body p").all_inner_texts() == before


def test_slash_focuses_the_header_search_box(page, base: str) -> None:
    for path in ("", "city/xuchang/", "doc/000-cd93c6f70429d5e1/report/"):
        page.goto(base + path)
        page.locator("h1").click()
        page.keyboard.press("/")
        assert page.evaluate("document.activeElement.id") == "header-q"
        assert page.input_value("#header-q") == ""  # the slash is not typed into it
        page.keyboard.type("许昌")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=*")


@pytest.mark.parametrize(
    "path",
    ["", "city/xuchang/", "doc/000-cd93c6f70429d5e1/", "doc/003-8f3753a4c6dcbcd8-01/report/",
     "year/2025/", "page/about/"],
)  # fmt: skip
def test_pages_fit_a_390px_phone(browser, base: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(base + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 390


AXE_PAGES = ["", "city/xuchang/", "doc/000-cd93c6f70429d5e1/", "search/?q=许昌"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_serious_accessibility_violations(
    browser, base: str, axe_script: str, path: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=axe_script)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize(
    "path", ["", "doc/003-8f3753a4c6dcbcd8-01/", "doc/000-cd93c6f70429d5e1/original/"]
)
def test_every_text_node_converts_as_opencc_does(page, base: str, path: str) -> None:
    """static/site.js with the site's tables gives OpenCC's t2s and s2t, node by node."""
    page.goto(base + path)
    pairs = page.evaluate(
        """() => new Promise(done => sitegenZh.load(() => {
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          const out = [];
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (/[\\u4e00-\\u9fff]/.test(n.data)) {
              out.push([n.data, sitegenZh.convert(n.data, 'Hans'),
                        sitegenZh.convert(n.data, 'Hant')]);
            }
          }
          done(out);
        }))"""
    )
    t2s, s2t = OpenCC("t2s"), OpenCC("s2t")
    assert len(pairs) > 20
    assert sum(len(text) for text, _, _ in pairs) > (400 if path == "" else 2000)
    for text, simplified, traditional in pairs:
        assert simplified == t2s.convert(text)
        assert traditional == s2t.convert(text)
