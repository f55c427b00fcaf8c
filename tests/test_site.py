"""The whole built site as GitHub Pages serves it: links, sitemap, feed, well-formed HTML.

The sample archive is built with --base-url https://user.github.io/REPO/ and served on
127.0.0.1 under /REPO/; links to the base URL (canonical links, the 404 page's) are
followed on the local server instead.
"""

from __future__ import annotations

import re
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urljoin, urlsplit
from xml.etree import ElementTree as ET

import html5lib
import pytest
from conftest import BASE_URL, SEEDS

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SEED_DOCUMENTS = 12
TRADITIONAL_DOC = "doc/000-cd93c6f70429d5e1/"


class Page(HTMLParser):
    """The links and ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src") or (tag == "form" and name == "action"):
                self.links.append(value)
            if name == "id":
                self.ids.append(value)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read()
            return response.status, response.headers.get_content_type(), body.decode("utf-8")
    except HTTPError as error:
        return error.code, "", ""


def crawl(base: str, starts: list[str]) -> tuple[dict[str, str], list[str], int]:
    """Follow every internal link from `starts`; return pages seen, problems, links checked."""
    pages: dict[str, str] = {}
    problems: list[str] = []
    queue = list(starts)
    checked = 0
    wanted: list[tuple[str, str, str]] = []  # (page, link, fragment)
    seen: set[str] = set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        status, kind, body = fetch(url)
        if status != 200:
            problems.append(f"{url}: HTTP {status}")
            continue
        if kind != "text/html":
            continue
        pages[url] = body
        for link in parse(body).links:
            if link.startswith("data:"):
                continue
            if link.startswith(BASE_URL):
                link = urljoin(base, link[len(BASE_URL) :])
            elif urlsplit(link).scheme or link.startswith("//"):
                problems.append(f"{url}: links outside the site: {link}")
                continue
            elif link.startswith("/"):
                problems.append(f"{url}: a root-relative link breaks under /REPO/: {link}")
                continue
            target, fragment = urldefrag(urljoin(url, link))
            if not target.startswith(base):
                problems.append(f"{url}: {link} leaves /REPO/")
                continue
            checked += 1
            if fragment:
                wanted.append((url, target, fragment))
            queue.append(target)
    for url, target, fragment in wanted:
        if target in pages and fragment not in parse(pages[target]).ids:
            problems.append(f"{url}: no id {fragment!r} in {target}")
    return pages, problems, checked


@pytest.fixture(scope="module")
def crawled(pages_site: Path, serve) -> tuple[str, dict[str, str], list[str], int]:
    base = serve(pages_site, prefix="REPO")
    pages, problems, checked = crawl(base, [base, base + "404.html"])
    return base, pages, problems, checked


def test_every_internal_link_and_asset_resolves_under_a_sub_path(crawled) -> None:
    _, pages, problems, checked = crawled
    assert problems == []
    assert checked > 1000


def test_every_page_is_reachable_by_links(crawled, pages_site: Path) -> None:
    base, pages, _, _ = crawled
    files = sorted(p.relative_to(pages_site).as_posix() for p in pages_site.rglob("*.html"))
    paths = [url[len(base) :] for url in pages]
    reached = sorted(p if p.endswith(".html") else p + "index.html" for p in paths)
    assert reached == files
    assert len(files) == 59


def test_every_page_is_well_formed_html(pages_site: Path) -> None:
    """html5lib runs the WHATWG parsing algorithm; strict mode fails on any parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    for path in sorted(pages_site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        try:
            tree = parser.parse(html)
        except html5lib.html5parser.ParseError as error:
            pytest.fail(f"{path.relative_to(pages_site)}: {error}")
        assert tree.get("lang") in ("zh-Hans", "zh-Hant"), path
        ids = Counter(parse(html).ids)
        assert [i for i, n in ids.items() if n > 1] == [], f"{path}: repeated ids"
        assert len(tree.findall(".//h1")) == 1, f"{path}: one h1 per page"


def test_sitemap_lists_every_page_with_its_canonical_address(pages_site: Path) -> None:
    root = ET.parse(pages_site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.findtext(f"{SITEMAP}loc") for u in root]
    pages = sorted(p.relative_to(pages_site).as_posix() for p in pages_site.rglob("index.html"))
    assert sorted(locs) == sorted(BASE_URL + p.removesuffix("index.html") for p in pages)
    assert BASE_URL + "404.html" not in locs
    lastmod = {
        u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod")
        for u in root
        if u.find(f"{SITEMAP}lastmod") is not None
    }
    # Only document pages dated to the day (own date, else posting date) have one.
    assert lastmod[BASE_URL + TRADITIONAL_DOC] == "2024-01-18"
    assert lastmod[BASE_URL + "doc/003-8f3753a4c6dcbcd8-01/"] == "2021-03-23"
    assert BASE_URL + "doc/001-b62935e84e39fb72/" not in lastmod  # 10月23日, no year
    assert len(lastmod) == 9
    for path in pages:  # the canonical link of each page is its sitemap address
        html = (pages_site / path).read_text(encoding="utf-8")
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html)
        assert canonical and canonical.group(1) == BASE_URL + path.removesuffix("index.html")


def test_feed_is_atom_with_the_newest_dated_documents(pages_site: Path) -> None:
    root = ET.parse(pages_site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == BASE_URL
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE_URL + "feed.xml"
    assert root.findtext(f"{ATOM}updated") == "2025-07-07T00:00:00+08:00"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "许昌出台25项纾困举措强化招商引资助中小企业",
        "许昌数字贸易云展会助推跨境企业合作",
        "许昌聚力项目引擎构筑产业新高地",
        "许昌硅碳新材料产业集群入选河南省战略性新兴产业集群",
        "许昌深度融入郑州都市圈奋力开启发展新征程",
        "許昌:全力以赴拼經濟 鉚足幹勁開新局",
        "许昌市政府工作报告",
        "2020年长葛市政府工作报告",
        "2020年许昌市政府工作报告",
    ]  # the three documents without a year have no place in a feed
    first = entries[5]
    assert first.findtext(f"{ATOM}id") == BASE_URL + TRADITIONAL_DOC
    assert first.find(f"{ATOM}link").get("href") == BASE_URL + TRADITIONAL_DOC
    assert first.findtext(f"{ATOM}updated") == "2024-01-18T09:13:07+08:00"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "河南日報"
    assert first.find(f"{ATOM}title").get("{http://www.w3.org/XML/1998/namespace}lang") == (
        "zh-Hant"
    )
    assert len(first.findtext(f"{ATOM}summary")) <= 161


def test_robots_nojekyll_and_404(pages_site: Path) -> None:
    assert (pages_site / ".nojekyll").read_bytes() == b""
    assert (pages_site / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\nSitemap: {BASE_URL}sitemap.xml\n"
    )
    # GitHub Pages serves 404.html at any depth, so its links are absolute there.
    links = parse((pages_site / "404.html").read_text(encoding="utf-8")).links
    assert f"{BASE_URL}static/style.css" in links
    assert f"{BASE_URL}search/" in links


def test_without_a_base_url_there_is_no_sitemap_or_feed_and_404_links_relative(
    seed_site: Path,
) -> None:
    assert not (seed_site / "sitemap.xml").exists()
    assert not (seed_site / "feed.xml").exists()
    assert (seed_site / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
    assert 'href="static/style.css"' in (seed_site / "404.html").read_text(encoding="utf-8")
    assert "canonical" not in (seed_site / "index.html").read_text(encoding="utf-8")


def test_builds_with_a_base_url_are_byte_identical(pages_site: Path, tmp_path: Path) -> None:
    from sitegen.build import build
    from sitegen.config import load_config

    again = tmp_path / "site"
    build(load_config(SEEDS, again, base_url=BASE_URL))
    files = sorted(p.relative_to(pages_site) for p in pages_site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for relative in files:
        assert (pages_site / relative).read_bytes() == (again / relative).read_bytes(), relative
