"""End-to-end: build the sample archive into a temporary folder and check the site."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError

SEED_DOCUMENTS = 12  # 000, 001, 002, 004 hold one article each; 003 is a listing of eight


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


def resolve(page: Path, link: str, site: Path) -> Path | None:
    """Return the file a relative link points to, or None for an external link."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if target.is_dir():
        target = target / "index.html"
    return target


def test_page_count(seed_site: Path) -> None:
    report = json.loads((seed_site / "build-report.json").read_text(encoding="utf-8"))
    assert report["documents"] == SEED_DOCUMENTS
    docs = sorted(p.parent.name for p in (seed_site / "doc").glob("*/index.html"))
    assert len(docs) == SEED_DOCUMENTS
    cities = sorted(p.parent.name for p in (seed_site / "city").glob("*/index.html"))
    # (render) A page for every prefecture a document is about (dezhou, kaifeng, xuchang) or
    # only mentions (hefei, jinhua for 义乌, shanghai, zhengzhou). '以城兴城' is a slogan, not
    # a mention of 兴城 (a county-level city of 葫芦岛).
    assert cities == ["dezhou", "hefei", "jinhua", "kaifeng", "shanghai", "xuchang", "zhengzhou"]
    # home, search, 404, the About page; the city index and 7 cities; the year index and
    # 2025, 2024, 2021, 2020 and undated; the source index, 3 sources and 来源不详; and per
    # document its page, original text and cleaning report
    assert report["pages"] == 4 + (1 + 7) + (1 + 5) + (1 + 4) + 3 * SEED_DOCUMENTS


def test_every_internal_link_resolves(seed_site: Path) -> None:
    checked = 0
    for page in sorted(seed_site.rglob("*.html")):
        for link in links_of(page.read_text(encoding="utf-8")):
            assert not link.startswith("/"), f"{page}: absolute link {link}"
            target = resolve(page, link, seed_site)
            if target is None:
                continue
            assert target.is_file(), f"{page.relative_to(seed_site)}: broken link {link}"
            assert seed_site.resolve() in target.parents, f"{page}: link leaves the site: {link}"
            checked += 1
    assert checked > 200


def city_titles(site: Path, slug: str) -> list[str]:
    html = (site / "city" / slug / "index.html").read_text(encoding="utf-8")
    return re.findall(r'<li class="doc-card"[^>]*>\s*<a href="[^"]+">([^<]+)</a>', html)


def test_city_pages_list_their_documents_newest_first(seed_site: Path) -> None:
    assert city_titles(seed_site, "kaifeng") == [
        "勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)"
    ]
    assert len(city_titles(seed_site, "dezhou")) == 1
    # Own date, else the listing's posting date; a date without a year sorts last.
    assert city_titles(seed_site, "xuchang") == [
        "许昌出台25项纾困举措强化招商引资助中小企业",  # posted 2025-07-07
        "许昌数字贸易云展会助推跨境企业合作",  # posted 2025-07-07
        "许昌聚力项目引擎构筑产业新高地",  # posted 2025-07-02
        "许昌硅碳新材料产业集群入选河南省战略性新兴产业集群",  # posted 2025-07-02
        "许昌深度融入郑州都市圈奋力开启发展新征程",  # posted 2025-07-02
        "許昌:全力以赴拼經濟 鉚足幹勁開新局",  # 2024-01-18 09:13:07
        "许昌市政府工作报告",  # 二○二一年三月二十三日
        "2020年许昌市政府工作报告",  # 2020-05-13
        "“推进中国式现代化建设河南实践”系列主题许昌专场新闻发布会举行 "
        "高质量建设城乡融合共同富裕先行试验区",  # 10月23日, year unknown
        # (render) 长葛, a county-level city of 许昌, has its own section after 许昌's own.
        "2020年长葛市政府工作报告",  # 2020-05-28
    ]


def test_home_lists_every_document_and_city(seed_site: Path) -> None:
    html = (seed_site / "index.html").read_text(encoding="utf-8")
    assert html.count('<li class="doc-card"') == SEED_DOCUMENTS
    for slug in ("xuchang", "kaifeng", "dezhou"):
        assert f'href="city/{slug}/"' in html


def test_document_pages_declare_their_script(seed_site: Path) -> None:
    traditional = (seed_site / "doc" / "000-cd93c6f70429d5e1" / "index.html").read_text("utf-8")
    simplified = (seed_site / "doc" / "001-b62935e84e39fb72" / "index.html").read_text("utf-8")
    assert '<html lang="zh-Hant">' in traditional
    assert '<html lang="zh-Hans">' in simplified


def test_kaifeng_page_has_no_pinyin_left(seed_site: Path) -> None:
    html = (seed_site / "doc" / "002-0601481f48312a86" / "index.html").read_text("utf-8")
    body = html.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert "開封" in body
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)", body)


def test_search_files_load_as_lunr_index(seed_site: Path) -> None:
    from lunr.index import Index

    from sitegen.search.publish import read_boundaries
    from sitegen.search.query import parse, run

    search = seed_site / "search"
    manifest = json.loads((search / "manifest.json").read_text("utf-8"))
    assert manifest["documents"] == SEED_DOCUMENTS
    shards = [json.loads(p.read_text("utf-8")) for p in sorted((search / "idx").iterdir())]
    assert len(shards) == len(read_boundaries(search))
    indexes = [Index.load(shard) for shard in shards]  # each shard is a lunr index
    positions = [json.loads(p.read_text("utf-8")) for p in sorted((search / "pos").iterdir())]
    hits = run(parse("德州"), read_boundaries(search), indexes.__getitem__, positions.__getitem__)
    chunk = manifest["metaChunk"]
    urls = []
    for ref, _ in hits:
        n = int(ref, 36)
        meta = json.loads((search / "meta" / f"{n // chunk:03d}.json").read_text("utf-8"))
        urls.append(meta[n % chunk]["url"])
    assert urls == ["doc/004-d050f3d09898762a/"]


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    from sitegen.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope", tmp_path / "site")


def test_unreadable_file_is_skipped_and_reported(archive: Path, tmp_path: Path) -> None:
    (archive / "broken.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    report = build(load_config(archive, tmp_path / "site"))
    assert report.documents == SEED_DOCUMENTS
    skipped = [i for i in report.inputs if i.status == "skipped"]
    assert [(i.path, i.problem) for i in skipped] == [
        ("broken.txt", "binary data (NUL bytes), not text")
    ]
    assert any("broken.txt" in w for w in report.warnings)


def test_strict_build_fails_on_warnings_and_keeps_the_old_site(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build(load_config(archive, out))
    before = (out / "index.html").read_bytes()
    (archive / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(BuildError, match="--strict"):
        build(load_config(archive, out, strict=True))
    assert (out / "index.html").read_bytes() == before


def test_builds_are_byte_identical(archive: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    build(load_config(archive, first))
    build(load_config(archive, second))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative


def test_cleaning_report_names_each_category_in_the_page_script(seed_site: Path) -> None:
    html = (seed_site / "doc" / "002-0601481f48312a86" / "report" / "index.html").read_text("utf-8")
    assert "<td>拼音注音 (pinyin)</td><td>(yè)</td>" in html
    assert "<td>導航 (navigation)</td>" in html  # a Traditional page says 導航
    assert "<td>缺字 (lost-character)</td><td>?zhēng) (reading zhēng)</td>" in html


def test_every_city_and_province_has_its_own_address() -> None:
    from sitegen.ingest.gazetteer import load_gazetteer
    from sitegen.render.pages import city_slugs

    slugs = city_slugs(load_gazetteer())
    assert len(set(slugs.values())) == len(slugs)
    assert slugs["220000"] != slugs["220200"]  # 吉林省 and 吉林市
    assert slugs["411000"] == "xuchang"


def test_a_document_about_a_province_and_one_about_its_namesake_city(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.md").write_text(
        "---\ntitle: 省里\ncity: 吉林省\n---\n吉林省召开会议。\n", "utf-8"
    )
    (archive / "b.md").write_text(
        "---\ntitle: 市里\ncity: 吉林市\n---\n吉林市召开会议。\n", "utf-8"
    )
    report = build(load_config(archive, tmp_path / "site"))
    assert report.documents == 2
    pages = sorted(p.parent.name for p in (tmp_path / "site" / "city").glob("*/index.html"))
    assert len([p for p in pages if p.startswith("jilin")]) == 2
