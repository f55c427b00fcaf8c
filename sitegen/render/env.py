"""The Jinja environment and the Markdown renderer, both safe for scraped text."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import cast

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context, Macro
from markdown.treeprocessors import Treeprocessor

from sitegen.chinese import to_simplified, to_traditional
from sitegen.model import Field, PartialDate

# Inline and block patterns that would let a document's text become HTML or a link.
UNSAFE_INLINE = (
    "html", "entity", "autolink", "automail", "link", "image_link",
    "image_reference", "reference", "short_reference", "short_image_ref",
)  # fmt: skip


CARDS_REMEMBERED = 100_000  # then forgotten, to bound memory
ONCE_PER_DOCUMENT = "once_per_document"  # its name in templates (serve's analysis reads it)


class PageEnvironment(Environment):
    """The Jinja environment of pages in Simplified, with a twin for pages in Traditional
    (`for_lang`): the same templates, compiled with the other script's `ui`. A filter that
    reads no context is applied when a template compiles, so the site's own wording in a
    template (`"日期" | ui`, dozens on a document's page) is text in the compiled template,
    not a call and an escape on every page. The wording follows the page's `lang`
    everywhere on it, in a macro imported without context too (which had given Simplified).
    """

    scripts: tuple[PageEnvironment, PageEnvironment]  # Simplified, Traditional; in both

    def for_lang(self, lang: str) -> PageEnvironment:
        """The environment to render a page whose `lang` is `lang` with."""
        return self.scripts[lang == "zh-Hant"]


def make_environment(template_dirs: Sequence[Path]) -> PageEnvironment:
    """Return a Jinja environment that looks in `template_dirs` in order, escaping always."""
    env = PageEnvironment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # No stat() of each template file at each page: a build uses the templates it
        # found first, and `sitegen serve` makes a new environment when they change.
        auto_reload=False,
    )
    env.filters["date_text"] = date_text
    env.filters["ui"] = ui_simplified
    env.filters["removal_label"] = removal_label
    env.globals[ONCE_PER_DOCUMENT] = once_per_document()
    traditional = cast(PageEnvironment, env.overlay())  # its own compiled templates
    traditional.filters = {**env.filters, "ui": ui_traditional}  # the rest shared
    env.scripts = traditional.scripts = (env, traditional)
    return env


def once_per_document() -> Callable[..., str]:
    """A new `once_per_document(macro, doc, *args)`: `macro(doc, *args)`, called once per
    document, page root and script, then remembered (a document's card is on a dozen pages:
    its city's, its year's, its source's, those of other cities it mentions).

    Only for a macro that reads nothing of the page but `root` and `lang`. A document is
    known by identity, and each `make_environment` has its own memo (a new one when
    templates change; its two scripts' environments share it, told apart in the key), so
    an edited document or template never comes from it.
    """
    known: dict[tuple[object, ...], tuple[object, str]] = {}

    @pass_context
    def call(context: Context, macro: Macro, doc: object, *args: object) -> str:
        # The memo holds the document, so no other object can take its id meanwhile.
        key = (macro.name, id(doc), context.environment, context.get("root"),
               context.get("lang"), *args)  # fmt: skip
        found = known.get(key)
        if found is not None:
            return found[1]
        if len(known) >= CARDS_REMEMBERED:
            known.clear()
        html = macro(doc, *args)
        known[key] = (doc, html)
        return html

    return call


@lru_cache(maxsize=4096)
def ui_simplified(text: str) -> str:
    """Write the site's own wording (authored in Simplified) on a page in Simplified."""
    return to_simplified(text)


@lru_cache(maxsize=4096)
def ui_traditional(text: str) -> str:
    """Write the site's own wording on a page in Traditional."""
    return to_traditional(text)


_local = threading.local()


def markdown_to_html(text: str) -> str:
    """Render a cleaned body; raw HTML, entities and links in it stay literal text."""
    plain = plain_html(text)
    return plain if plain is not None else markdown_html(text)


def markdown_html(text: str) -> str:
    """`markdown_to_html` by Markdown itself."""
    md = getattr(_local, "markdown", None)
    if md is None:  # one converter per thread, reset before each use
        md = _local.markdown = markdown.Markdown(extensions=[], output_format="html")
        md.preprocessors.deregister("html_block")
        for name in UNSAFE_INLINE:
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
    md.reset()
    return md.convert(text)


# Text Markdown reads as itself: no escape, code, emphasis, bracket (so no image either),
# HTML, entity, heading mark, tab or control character (which its preprocessors change).
_PLAIN_TEXT = re.compile(r"[^\\`*_<>&\[\]#\x00-\x1f\x7f]+")
# What makes a paragraph a list, quote, rule or heading at its start.
_BLOCK_MARK = re.compile(r"[-+*>#=]|\d+\.")


def plain_html(text: str) -> str | None:
    """What Markdown makes of `text` if it is only paragraphs and `## ` headings of plain
    text, one line each, as the cleaner writes them (tens of times quicker), else None."""
    if not text:
        return ""
    if not text.endswith("\n") or text.endswith("\n\n"):
        return None
    html = []
    for block in text[:-1].split("\n\n"):
        tag = "p"
        if block.startswith("## "):
            tag, block = "h2", block[3:]
        elif _BLOCK_MARK.match(block):
            return None
        if not _PLAIN_TEXT.fullmatch(block) or block != block.strip():
            return None
        html.append(f"<{tag}>{block}</{tag}>")
    return "\n".join(html)


def date_text(date: Field[PartialDate] | PartialDate | None) -> str:
    """Write a date in Chinese at the precision it is known to: '2024年1月18日 09:13'."""
    if date is None:
        return "日期不详"
    d = date.value if isinstance(date, Field) else date
    if d.year is None:
        return f"{d.month}月{d.day}日（年份不详）"
    text = f"{d.year}年"
    if d.month is not None:
        text += f"{d.month}月"
    if d.day is not None:
        text += f"{d.day}日"
    if d.hour is not None and d.minute is not None:
        text += f" {d.hour:02d}:{d.minute:02d}"
    return text


SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
SAFE_SCHEMES = ("http", "https", "mailto")


def safe_link(url: str) -> bool:
    """Return whether a link in an archive's page may stay: web, mail or relative only."""
    squeezed = "".join(ch for ch in url if ch > " ")  # browsers ignore these: java\tscript:
    scheme = SCHEME.match(squeezed)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class _SafeLinks(Treeprocessor):
    """Drop any link or image address with another scheme (javascript:, data:)."""

    def run(self, root):  # type: ignore[no-untyped-def]
        for tag, attribute in (("a", "href"), ("img", "src")):
            for element in root.iter(tag):
                if not safe_link(element.get(attribute, "")):
                    element.attrib.pop(attribute, None)
        return None


def page_markdown_to_html(text: str) -> str:
    """Render an archive's own page: Markdown with links, but no raw HTML."""
    md = markdown.Markdown(extensions=["tables"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return md.convert(text)


# What the cleaning report calls each kind of removed text (see sitegen/ingest/clean.py).
REMOVAL_LABELS = {
    "account-profile": "公众号介绍", "article-separator": "分隔线", "byline": "署名",
    "contribution-prompt": "投稿提示", "copyright": "版权声明", "damaged-indentation": "乱码缩进",
    "dateline": "日期行", "edition": "版面信息", "editor": "编辑", "end-mark": "结束标记",
    "footer-links": "页脚链接", "front-matter": "文件头", "header": "来源与日期",
    "headline": "标题（移入元数据）", "image": "图片占位", "image-caption": "图片说明",
    "link-list": "推荐链接", "listing-preamble": "列表页头", "lost-character": "缺字",
    "masthead": "网站名", "navigation": "导航", "original-title": "原标题",
    "page-tools": "页面工具", "pinyin": "拼音注音", "posting-date": "发布日期",
    "record-markup": "记录标记", "restored": "已恢复的字", "section": "栏目",
    "share": "分享按钮", "staff": "工作人员", "trailer": "文末附注",
}  # fmt: skip


def removal_label(category: str) -> str:
    """Name a kind of removed text in Chinese, keeping the machine name beside it."""
    label = REMOVAL_LABELS.get(category)
    return f"{label} ({category})" if label else category
