"""The page plan and what the built sample site shows: exact titles, counts and links."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from sitegen.model import Field, PartialDate
from sitegen.render.pages import by_month, by_year, source_pages, year_of

TRADITIONAL_DOC = "doc/000-cd93c6f70429d5e1/"
CHANGGE_DOC = "doc/003-8f3753a4c6dcbcd8-02/"


def read(site: Path, path: str) -> str:
    return (site / path / "index.html" if not path.endswith(".html") else site / path).read_text(
        encoding="utf-8"
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def titles(html: str, cls: str = "doc-card") -> list[str]:
    return re.findall(rf'<li class="{cls}"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', html)


def section(html: str, start: str, end: str = "</section>") -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_home_counts_newest_and_cities_by_province(seed_site: Path) -> None:
    html = read(seed_site, "index.html")
    stats = text_of(section(html, '<ul class="stats">', "</ul>"))
    assert stats == "12 篇文档 3 个城市 4 个年份 3 个来源"
    assert len(titles(html)) == 12
    assert titles(html)[0] == "许昌出台25项纾困举措强化招商引资助中小企业"
    cities = text_of(section(html, '<section aria-labelledby="cities-h">', '<p><a href="city/">'))
    # provinces in the order of their administrative codes (山东 37, 河南 41)
    assert cities == "城市 山东省 德州 1篇 河南省 开封 1篇 许昌 10篇"
    assert 'role="search" action="search/"' in html


def test_items_per_page_limits_the_home_page(archive: Path, tmp_path: Path) -> None:
    from sitegen.build import build
    from sitegen.config import load_config

    (archive / "sitegen.toml").write_text("items_per_page = 4\n", encoding="utf-8")
    build(load_config(archive, tmp_path / "site"))
    html = read(tmp_path / "site", "index.html")
    assert len(titles(html)) == 4
    assert '<a href="year/">按年份浏览全部文档</a>' in html


def test_city_page_groups_by_year_with_county_sections(seed_site: Path) -> None:
    html = read(seed_site, "city/xuchang/")
    headings = re.findall(r"<h3 id=\"([^\"]+)\">([^<]+)<", html)
    assert [(i, h.strip()) for i, h in headings] == [
        ("c-y2025", "2025年"), ("c-y2024", "2024年"), ("c-y2021", "2021年"),
        ("c-y2020", "2020年"), ("c-undated", "年份不详"), ("changge-y2020", "2020年"),
    ]  # fmt: skip
    assert '<section class="place" id="changge"' in html
    assert "许昌市" in text_of(section(html, "<h1>", "</h1>"))
    assert text_of(section(html, '<p class="meta">', "</p>")) == "河南省 · 10 篇文档"
    # 禹州 is only mentioned: its section lists the mentions and nothing by year.
    yuzhou = section(html, '<section class="place" id="yuzhou"')
    assert titles(yuzhou, "doc-card mention") == ["许昌市政府工作报告", "2020年许昌市政府工作报告"]


def test_city_index_lists_mentioned_cities_too(seed_site: Path) -> None:
    html = read(seed_site, "city/")
    assert '<a href="../city/xuchang/">许昌</a> <span class="count">10篇</span></li>' in html
    assert (
        '<a href="../city/jinhua/">金华</a> <span class="count">0篇</span> '
        '<span class="count">另有 1 篇提及</span>'
    ) in html
    assert "huludao" not in html  # '以城兴城' is a slogan, not 兴城
    assert '<a href="../city/zhengzhou/">郑州</a> <span class="count">0篇</span>' in html


def test_year_pages_by_month_and_undated_listed_honestly(seed_site: Path) -> None:
    years = read(seed_site, "year/")
    assert text_of(section(years, '<ul class="year-list">', "</ul>")) == (
        "2025年 5篇 2024年 1篇 2021年 1篇 2020年 2篇 年份不详 3篇"
    )
    y2020 = read(seed_site, "year/2020/")
    assert titles(y2020) == ["2020年长葛市政府工作报告", "2020年许昌市政府工作报告"]
    assert '<h2 id="m05">5月' in y2020
    undated = read(seed_site, "year/undated/")
    assert sorted(titles(undated)) == sorted(
        [
            "“推进中国式现代化建设河南实践”系列主题许昌专场新闻发布会举行 "
            "高质量建设城乡融合共同富裕先行试验区",
            "勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)",
            "著力把握好“穩”“進”“立”“統”的要求",
        ]
    )
    assert "10月23日（年份不详）" in undated and "日期不详" in undated


def test_source_pages(seed_site: Path) -> None:
    html = read(seed_site, "source/")
    assert text_of(section(html, '<ul class="source-list">', "</ul>")) == (
        "德州新聞網 1篇 国际在线 1篇 河南日報 2篇 来源不详 8篇"
    )
    assert '<li lang="zh-Hant"><a href="../source/dezhouxinwenwang/">' in html
    # 河南日報 and 河南日报 are one source, named as most of its documents write it
    assert titles(read(seed_site, "source/henanribao/")) == [
        "許昌:全力以赴拼經濟 鉚足幹勁開新局",
        "勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)",
    ]
    assert len(titles(read(seed_site, "source/unknown/"))) == 8


def test_document_page_shows_metadata_with_precision_and_provenance(seed_site: Path) -> None:
    html = read(seed_site, TRADITIONAL_DOC)
    assert '<html lang="zh-Hant">' in html
    assert "<title>許昌:全力以赴拼經濟 鉚足幹勁開新局 · 地方新聞檔案</title>" in html
    meta = text_of(section(html, '<dl class="doc-meta">', "</dl>"))
    assert "日期 2024年1月18日 09:13 精確到秒 文件頭" in meta
    assert "來源 河南日報 文件頭" in meta
    assert "記者 王平 正文" in meta
    assert '<time datetime="2024-01-18T09:13:07" data-precision="second"' in html
    assert 'href="../../city/xuchang/" class="primary">許昌</a>' in html
    assert 'href="../../city/zhengzhou/">鄭州</a>' in html
    assert 'href="../../source/henanribao/"' in html
    # the site's own wording follows the page's script: 首页 is 首頁 on a Traditional page
    assert '<a href="../../">首頁</a>' in html
    assert '<a href="original/">原始文本</a> · <a href="report/">清理報告</a>' in html


def test_document_page_neighbours_in_the_same_city_and_related(seed_site: Path) -> None:
    html = read(seed_site, CHANGGE_DOC)
    pager = section(html, '<nav class="pager"', "</nav>")
    assert re.findall(r'rel="(prev|next)" href="([^"]+)"', pager) == [
        ("prev", "../../doc/003-8f3753a4c6dcbcd8-01/"),
        ("next", "../../doc/003-8f3753a4c6dcbcd8-03/"),
    ]
    related = titles(section(html, '<section class="related"'))
    assert related[:2] == ["2020年许昌市政府工作报告", "许昌市政府工作报告"]
    assert 'href="../../city/xuchang/#changge" class="primary">长葛</a>' in html
    # The only document of 开封 has no neighbours.
    assert '<nav class="pager"' not in read(seed_site, "doc/002-0601481f48312a86/")


def test_every_page_declares_its_script_and_marks_other_scripts(seed_site: Path) -> None:
    home = read(seed_site, "index.html")
    assert '<html lang="zh-Hans">' in home
    cards = re.findall(r'<li class="doc-card"( lang="[^"]+")?>\s*<a href="[^"]+">([^<]+)<', home)
    marked = {title for lang, title in cards if lang == ' lang="zh-Hant"'}
    assert marked == {
        "許昌:全力以赴拼經濟 鉚足幹勁開新局",
        "勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)",
        "著力把握好“穩”“進”“立”“統”的要求",
    }
    assert not any(lang == ' lang="zh-Hans"' for lang, _ in cards)


def test_about_page_is_in_the_navigation_of_every_page(seed_site: Path) -> None:
    about = read(seed_site, "page/about/")
    assert "<h1>关于本档案</h1>" in about
    assert '<a href="../../page/about/" aria-current="page">关于本档案</a>' in about
    for path in ("index.html", "city/xuchang/", TRADITIONAL_DOC + "original/"):
        assert "page/about/" in read(seed_site, path)
    assert 'href="page/about/">關於本檔案' not in read(seed_site, "index.html")


def test_everything_a_document_supplies_is_escaped(tmp_path: Path) -> None:
    from sitegen.build import build
    from sitegen.config import load_config

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "x.txt").write_text(
        "<script>alert(1)</script>许昌新闻\n\n许昌市<img src=x onerror=alert(2)>今天"
        "[链接](javascript:alert(3)) &lt;b&gt;\n",
        encoding="utf-8",
    )
    build(load_config(archive, tmp_path / "site"))
    site = tmp_path / "site"
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path


def test_a_date_without_a_year_is_not_a_year(seed_site: Path) -> None:
    from sitegen.model import Document, Source

    base = Document(
        slug="x", source=Source(Path("x.txt"), "", "utf-8"), article_index=0, raw_text="",
        title=Field("标题", "text"), original_title=None, date=None, posted=None,
        publisher=None, reporters=None, editor=None, city=None, cities=(), script="Hans",
        body_markdown="",
    )  # fmt: skip
    month_day = replace(base, slug="a", date=Field(PartialDate(None, 10, 23), "text"))
    posted = replace(month_day, slug="b", posted=Field(PartialDate(2025, 7, 2), "header"))
    year_only = replace(base, slug="c", date=Field(PartialDate(2019), "text"))
    assert [year_of(d) for d in (base, month_day, posted, year_only)] == [None, None, 2025, 2019]
    groups = by_year([base, month_day, posted, year_only])
    assert [(g.label, [d.slug for d in g.documents]) for g in groups] == [
        ("2025年", ["b"]), ("2019年", ["c"]), ("年份不详", ["a", "x"]),
    ]  # fmt: skip
    assert [g.label for g in by_month([posted, year_only])] == ["7月", "月份不详"]


def test_one_source_in_both_scripts_is_one_page() -> None:
    from sitegen.model import Document, Source

    def doc(slug: str, publisher: str) -> Document:
        return Document(
            slug=slug, source=Source(Path("x.txt"), "", "utf-8"), article_index=0, raw_text="",
            title=Field(slug, "text"), original_title=None, date=None, posted=None,
            publisher=Field(publisher, "header"), reporters=None, editor=None, city=None,
            cities=(), script="Hans", body_markdown="",
        )  # fmt: skip

    pages = source_pages([doc("a", "河南日报"), doc("b", "河南日報"), doc("c", "河南日報")])
    assert [(p.name, p.slug, p.lang, [d.slug for d in p.documents]) for p in pages] == [
        ("河南日報", "henanribao", "zh-Hant", ["a", "b", "c"])
    ]


def test_city_page_slugs_are_the_pages_the_plan_puts_documents_on() -> None:
    """The rule the plan and the build place documents by (`city_page_slugs`) is where the
    city pages list them: a county-level city's document on its prefecture's page, a
    province's on its own, one that only mentions a city or has none on no city's page."""
    from sitegen.ingest.gazetteer import load_gazetteer
    from sitegen.model import Document, Source
    from sitegen.render.pages import city_page_slugs, city_pages

    gazetteer = load_gazetteer()
    xuchang, changge = gazetteer.lookup("许昌"), gazetteer.lookup("长葛")
    kaifeng, henan = gazetteer.lookup("开封"), gazetteer.by_full_name("河南省")
    assert xuchang and changge and kaifeng and henan and changge.parent == "许昌市"

    def doc(slug: str, city: object, *mentions: object) -> Document:
        return Document(
            slug=slug, source=Source(Path("x.txt"), "", "utf-8"), article_index=0, raw_text="",
            title=Field(slug, "text"), original_title=None, date=None, posted=None,
            publisher=None, reporters=None, editor=None,
            city=Field(city, "text") if city else None, cities=tuple(mentions),  # type: ignore[arg-type]
            script="Hans", body_markdown="",
        )  # fmt: skip

    documents = [
        doc("a", changge, changge, kaifeng), doc("b", xuchang), doc("c", None, kaifeng),
        doc("d", henan, henan), doc("e", kaifeng, xuchang, kaifeng), doc("f", None),
    ]  # fmt: skip
    planned = {
        d.slug: page.slug
        for page in city_pages(documents, gazetteer)
        for place in page.places
        for group in place.years
        for d in group.documents
    }
    assert city_page_slugs(documents, gazetteer) == planned
    assert planned == {"a": "xuchang", "b": "xuchang", "d": "henan", "e": "kaifeng"}
