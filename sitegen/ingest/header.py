"""Metadata the scrape already carries: takes an article's first lines, gives named fields.

Two forms are read, both as crawlers write them:
- YAML front matter at the top of a file (`---`, `key: value` lines, `---`); flat keys,
  strings and simple lists only (no YAML library needed for what crawlers emit);
- TRS-style record markup (`<REC>`, then `<标题>=…`, `<日期>=…`, `<正文>=…`).
Keys in either script or in English map to one field name each (`HEADER_KEYS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitegen.model import Removal

HEADER_KEYS = {
    "title": "title", "标题": "title", "题名": "title", "标 题": "title",
    "subtitle": "subtitle", "副标题": "subtitle",
    "original_title": "original_title", "原标题": "original_title",
    "date": "date", "日期": "date", "时间": "date", "发布日期": "date", "发布时间": "date",
    "发文日期": "date", "成文日期": "date", "published": "date", "pubdate": "date",
    "publish_date": "date", "created": "date",
    "source": "publisher", "来源": "publisher", "publisher": "publisher", "媒体": "publisher",
    "信息来源": "publisher", "发文机关": "publisher", "发布机构": "publisher", "site": "publisher",
    "author": "reporters", "authors": "reporters", "作者": "reporters", "记者": "reporters",
    "reporter": "reporters", "reporters": "reporters",
    "editor": "editor", "编辑": "editor", "责任编辑": "editor",
    "city": "city", "城市": "city", "地区": "city",
    "tags": "tags", "tag": "tags", "标签": "tags", "栏目": "tags", "category": "tags",
    "categories": "tags", "keywords": "tags", "关键词": "tags",
    "url": "url", "link": "url", "网址": "url", "链接": "url",
    "content": "body", "正文": "body", "body": "body", "内容": "body",
}  # fmt: skip
RECORD_START = re.compile(r"^\s*<REC>\s*$", re.IGNORECASE)
RECORD_FIELD = re.compile(r"^\s*<([^<>=]{1,20})>\s*=\s*(.*)$")
YAML_FIELD = re.compile(r"^([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff -]{0,30}?)\s*:\s*(.*)$")
YAML_ITEM = re.compile(r"^\s+-\s+(.*)$")


@dataclass(frozen=True)
class Header:
    fields: dict[str, str | tuple[str, ...]]
    body: tuple[str, ...]  # the lines left for the article's text
    body_offset: int  # how many lines were taken off the top
    removed: tuple[Removal, ...]


def read_header(lines: tuple[str, ...], first_line: int) -> Header:
    """Take front matter or record fields off the top of an article."""
    if lines and lines[0].strip() == "---":
        return _front_matter(lines, first_line)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and (
        RECORD_START.match(lines[start]) or RECORD_FIELD.match(lines[start])
    ):
        return _record(lines, first_line)
    return Header({}, lines, 0, ())


def _front_matter(lines: tuple[str, ...], first_line: int) -> Header:
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        return Header({}, lines, 0, ())
    fields: dict[str, str | tuple[str, ...]] = {}
    key = None
    for line in lines[1:end]:
        item = YAML_ITEM.match(line)
        if item and key:
            previous = fields.get(key, ())
            listed = previous if isinstance(previous, tuple) else ((previous,) if previous else ())
            fields[key] = listed + (_scalar(item.group(1)),)
            continue
        m = YAML_FIELD.match(line)
        if not m:
            continue
        key = HEADER_KEYS.get(m.group(1).strip().lower())
        if key:
            fields[key] = _value(m.group(2))
    removed = tuple(
        Removal("front-matter", line, first_line + i) for i, line in enumerate(lines[: end + 1])
    )
    return Header(fields, lines[end + 1 :], end + 1, removed)


def _record(lines: tuple[str, ...], first_line: int) -> Header:
    fields: dict[str, str | tuple[str, ...]] = {}
    removed = []
    body: list[str] = []
    in_body = False
    for i, line in enumerate(lines):
        m = RECORD_FIELD.match(line)
        key = HEADER_KEYS.get(m.group(1).strip().lower()) if m else None
        if RECORD_START.match(line):
            removed.append(Removal("record-markup", line, first_line + i))
        elif m and key == "body":
            in_body = True
            removed.append(Removal("record-markup", f"<{m.group(1)}>=", first_line + i))
            body.append(m.group(2))
        elif m and not in_body:
            if key:
                fields[key] = _value(m.group(2))
            removed.append(Removal("record-markup", line, first_line + i))
        elif m and key and key != "body":
            in_body = False
            fields[key] = _value(m.group(2))
            removed.append(Removal("record-markup", line, first_line + i))
        else:
            body.append(line)
    # The body's lines keep their numbers only approximately; the report shows the markup.
    return Header(fields, tuple(body), 0, tuple(removed))


def _value(text: str) -> str | tuple[str, ...]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return tuple(_scalar(v) for v in text[1:-1].split(",") if v.strip())
    return _scalar(text)


def _scalar(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text
