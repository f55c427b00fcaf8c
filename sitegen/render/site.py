"""What every page shares: the site's name and navigation, the archive's own Markdown pages.

Takes the configuration and the archive's `pages/*.md`; gives `SiteInfo` (passed to every
template as `site`) and `MarkdownPage`s. Renders planned pages to HTML strings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.chinese import detect_script
from sitegen.config import Config
from sitegen.errors import BuildError

if TYPE_CHECKING:
    from sitegen.render.env import PageEnvironment
    from sitegen.render.pages import Page

log = logging.getLogger(__name__)

HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str  # relative to the site's top
    section: str  # pages of this section mark the entry as current


@dataclass(frozen=True)
class MarkdownPage:
    """A page the archive writes itself: `pages/about.md` becomes `page/about/`."""

    slug: str
    title: str
    lang: str
    html: str

    @property
    def url(self) -> str:
        return f"page/{self.slug}/"


@dataclass(frozen=True)
class SiteInfo:
    title: str
    description: str
    lang: str
    base_url: str
    author: str
    items_per_page: int
    nav: tuple[NavItem, ...]


def site_info(config: Config, extra: Sequence[MarkdownPage]) -> SiteInfo:
    nav = (
        NavItem("首页", "", "home"),
        NavItem("城市", "city/", "city"),
        NavItem("年份", "year/", "year"),
        NavItem("来源", "source/", "source"),
        *(NavItem(p.title, p.url, p.url) for p in extra),
        NavItem("搜索", "search/", "search"),
    )
    return SiteInfo(
        config.title,
        config.description,
        config.language,
        config.base_url,
        config.author,
        config.items_per_page,
        nav,
    )


def read_pages(folder: Path) -> list[MarkdownPage]:
    """Read the archive's `pages/*.md` (sorted by file name); the first `# heading` is the title."""
    from sitegen.render.env import page_markdown_to_html

    pages = []
    if not folder.is_dir():
        return pages
    for path in sorted(folder.glob("*.md")):
        if path.name.startswith("."):
            continue
        try:
            text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        except UnicodeDecodeError as error:
            raise BuildError(f"{path}: a page must be UTF-8 text ({error})") from error
        slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
        if not slug:
            raise BuildError(f"{path}: name the page file with ASCII letters, e.g. about.md")
        heading = HEADING.search(text)
        title = heading.group(1) if heading else path.stem
        lang = "zh-Hant" if detect_script(text) == "Hant" else "zh-Hans"
        pages.append(MarkdownPage(slug, title, lang, page_markdown_to_html(text)))
    return pages


def render_pages(env: PageEnvironment, pages: Sequence[Page]) -> Iterator[tuple[str, str]]:
    """Render each page, in the environment of its script; yield (path, HTML)."""
    for page in pages:
        template = env.for_lang(page.lang).get_template(page.template)
        context = {
            **page.context,
            "root": page.root,
            "home": page.root or "./",
            "lang": page.lang,
            "canonical": page.canonical,
            "section": page.section,
        }
        try:
            html = template.render(context)
        except Exception as error:  # name the page, then stop: a bug in a template
            raise BuildError(f"{page.path} ({page.template}): rendering failed: {error}") from error
        yield page.path, html
