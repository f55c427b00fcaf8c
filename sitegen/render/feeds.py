"""The site's machine-readable files: sitemap.xml, feed.xml (Atom), robots.txt, .nojekyll,
and the 简/繁 switch's conversion table.

Takes the documents, the planned pages and the rendered text; gives (path, content) pairs.
Every date comes from the documents themselves, never from the clock, so builds are
byte-identical. Sitemap and feed need absolute addresses, so they are written only when
the site's base URL is known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from xml.etree import ElementTree as ET

from sitegen import __version__
from sitegen.chinese import switch_tables
from sitegen.model import Document, PartialDate
from sitegen.render.pages import Page, doc_url, effective_date, newest_first
from sitegen.render.site import SiteInfo

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
TIMEZONE = "+08:00"  # the documents' dates are China Standard Time
SUMMARY_CHARS = 160
TABLES_PATH = "static/zh-tables.js"
MARKUP = re.compile(r"[#>*_`\[\]]+|\s+")


def site_files(
    documents: Sequence[Document],
    site: SiteInfo,
    pages: Sequence[Page],
    texts: Iterable[str],
    tables: dict[str, dict[str, dict[str, str]]] | None = None,
) -> list[tuple[str, str]]:
    """Return the non-HTML files of the site as (path, content).

    The 简/繁 tables are made from `texts`, or given whole as `tables` by a build that
    scanned its pages while writing them (`sitegen.chinese.SwitchScan`).
    """
    files = [(".nojekyll", ""), ("robots.txt", robots(site))]
    if site.base_url:
        files.append(("sitemap.xml", sitemap(pages, site)))
        files.append(("feed.xml", feed(documents, site)))
    if tables is None:
        tables = switch_tables(texts)
    files.append((TABLES_PATH, tables_script_of(tables)))
    return files


def robots(site: SiteInfo) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.base_url:
        lines.append(f"Sitemap: {site.base_url}sitemap.xml")
    return "\n".join(lines) + "\n"


def timestamp(date: PartialDate) -> str:
    """An RFC 3339 time for a date known to any precision: unknown parts are their start."""
    return (
        f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}"
        f"T{date.hour or 0:02d}:{date.minute or 0:02d}:{date.second or 0:02d}{TIMEZONE}"
    )


def sitemap(pages: Sequence[Page], site: SiteInfo) -> str:
    """List every page that has a canonical address; documents with the day they are dated."""
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for page in pages:
        if page.canonical is None:
            continue
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = site.base_url + page.canonical
        document = page.context.get("doc") if page.template == "document.html" else None
        date = effective_date(document) if document is not None else None
        if date is not None and date.year is not None and date.day is not None:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = date.iso()[:10]
    return _xml(root)


def feed(documents: Sequence[Document], site: SiteInfo) -> str:
    """An Atom feed of the newest dated documents (a document without a year has no place)."""
    ET.register_namespace("", ATOM)
    dated = [d for d in newest_first(documents) if (effective_date(d) or _NO_YEAR).year]
    entries = dated[: site.items_per_page]
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": site.lang})
    _text(root, "title", site.title)
    _text(root, "subtitle", site.description)
    _text(root, "id", site.base_url)
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "self", "href": site.base_url + "feed.xml"})
    ET.SubElement(root, f"{{{ATOM}}}link", {"rel": "alternate", "href": site.base_url})
    updated = max((timestamp(effective_date(d)) for d in entries), default="1970-01-01T00:00:00Z")
    _text(root, "updated", updated)  # type: ignore[arg-type]
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", site.author or site.title)
    _text(root, "generator", "sitegen").set("version", __version__)
    for document in entries:
        date = effective_date(document)
        assert date is not None
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        url = site.base_url + doc_url(document)
        title = _text(entry, "title", document.title.value)
        title.set("{http://www.w3.org/XML/1998/namespace}lang", document.lang)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": url})
        _text(entry, "id", url)
        _text(entry, "updated", timestamp(date))
        if document.publisher is not None:
            source = ET.SubElement(entry, f"{{{ATOM}}}author")
            _text(source, "name", document.publisher.value)
        if document.city is not None:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": document.city.value.full_name})
        _text(entry, "summary", summary(document.body_markdown))
    return _xml(root)


_NO_YEAR = PartialDate(None, 1, 1)


def summary(markdown: str) -> str:
    """The first characters of a body, without Markdown marks."""
    text = MARKUP.sub(" ", markdown).strip()
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS] + "…"


def tables_script(texts: Iterable[str]) -> str:
    """The 简/繁 switch's tables for exactly the text of this site, as a script."""
    return tables_script_of(switch_tables(texts))


def tables_script_of(tables: dict[str, dict[str, dict[str, str]]]) -> str:
    data = json.dumps(tables, ensure_ascii=False, separators=(",", ":"))
    return f"window.sitegenZhTables={data};\n"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = text
    return element


def _xml(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
