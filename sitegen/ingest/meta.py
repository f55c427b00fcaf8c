"""Describe one article: takes an `Article`, gives a `Document`.

Each field records where it came from: `header` (a source/date block or front matter the
scrape carries), `text` (read from the article's own words), `inferred` (deduced from
context such as a breadcrumb or copyright notice), `derived` (made up for want of one,
e.g. a title from the first sentence) or `curated` (a sidecar; see `sidecar.py`).
"""

from __future__ import annotations

import re

from sitegen.chinese import detect_script
from sitegen.ingest.clean import (
    EDITION_LINE,
    EDITOR,
    MASTHEAD,
    ORIGINAL_TITLE,
    SENTENCE_END,
    Draft,
    Line,
    clean_lines,
    simplified,
    to_markdown,
)
from sitegen.ingest.gazetteer import Gazetteer, load_gazetteer
from sitegen.ingest.header import Header, read_header
from sitegen.ingest.names import split_names
from sitegen.ingest.split import DATE_LINE
from sitegen.model import Article, City, Document, Field, PartialDate, Removal

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
CN_NUM = "〇○零Ｏ一二三四五六七八九十"
FULL_DATE = re.compile(
    rf"(\d{{4}}|[{CN_NUM}]{{4}})\s*年\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*月\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*[日号]"
    r"(?:\s*(?:[（(]?(?:星期|周)[一二三四五六日天][）)]?)?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"
)
ISO_DATE = re.compile(
    r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?!\d)"
)
MONTH_DAY = re.compile(rf"(?<![\d{CN_NUM}年])(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*[日号]")
CATEGORY_PREFIX = re.compile(r"^\s*【([^】]{1,20})】\s*")
HEADER_SOURCE = re.compile(
    r"(?:发布机构|发布机关|发文机关|信息来源|来源|稿源|来自|出处)\s*[:：]\s*([^\s|｜]{2,30})"
)
# A government page's own date is when it was written; publishing comes after.
WRITTEN_ON = re.compile(r"(?:成文日期|发文日期)\s*[:：]\s*(\S{6,16})")
PUBLISHED_ON = re.compile(
    r"(?:发布日期|发布时间|时间|日期)\s*[:：]\s*(\S{6,16}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)"
)
NEWS_AGENCY_LEAD = re.compile(
    r"^\s*[□■◎●]?\s*([^\s\d（(【]{2,14}?(?:网|报|台|社|新闻))(?:[·・][^\s\d]{2,8})?"
    r"(?:[\u4e00-\u9fff]{0,6}\d{1,2}月\d{1,2}日)?\s*(?:讯|电)"
)
AGENCY_IN_BYLINE = re.compile(r"^\s*[（(]\s*(\S{2,6}社)记者")
# '新华社杭州1月10日电（记者 郑梦雨 段菁菁）', '本报讯（记者 孙军 通讯员 陈晨）'
LEAD_BYLINE = re.compile(
    r"^\s*\S{0,20}?(?:讯|电)\s*[（(]([^（()）]{2,40})[）)]|^\s*[（(](\S{0,8}记者[^（()）]{2,40})[）)]"
)
DATELINE_WINDOW = 300
TITLE_MAX = 80


def _raw_text(article: Article) -> str:
    """The article's lines as they were; the file's text itself when that is all of it, so
    that a document pickled (to the build, into the cache) holds the text once, not twice."""
    text = "\n".join(article.lines)
    return article.source.text if text == article.source.text else text


def describe(article: Article, gazetteer: Gazetteer, slug: str) -> Document:
    """Clean `article` and extract its metadata."""
    header = read_header(article.lines, article.first_line)
    first = article.first_line + header.body_offset
    lines = [Line(first + i, text) for i, text in enumerate(header.body)]
    removed: list[Removal] = list(header.removed)
    title = _header_text(header, "title")
    posted: Field[PartialDate] | None = None
    listing = article.count > 1
    if listing and title is None:
        lines, title, posted, framed = _listing_frame(lines)
        removed += framed
    draft = clean_lines(Draft(tuple(lines), tuple(removed)))
    if title is None:
        draft, title = _headline(draft)
    tags: tuple[str, ...] = _header_list(header, "tags")
    prefix = CATEGORY_PREFIX.match(title.value) if title else None
    if title and prefix:
        tags = tags + (prefix.group(1),)
        title = Field(title.value[prefix.end() :].strip(), title.provenance)
    original_title = _header_text(header, "original_title") or _removed_value(
        draft.removed, "original-title", ORIGINAL_TITLE
    )
    body_text = "\n".join(line.text for line in draft.lines)
    if title is None or not title.value:
        title = _derive_title(original_title, body_text)
    s_title, s_body = simplified(title.value), simplified(body_text)
    cities = _cities(gazetteer, s_title, s_body)
    city = _header_city(header, gazetteer)
    if city is not None:
        cities = (city.value,) + tuple(c for c in cities if c != city.value)
    elif cities:
        city = Field(cities[0], "inferred")
    reporters = _header_list(header, "reporters")
    editor = _header_text(header, "editor")
    date, published = _dates(draft.removed, s_body)
    lead = draft.lines[0].text if draft.lines else ""
    publisher = (
        _header_text(header, "publisher")
        or _publisher(draft.removed, lead)
        or _signatory(body_text)
    )
    if city is None:
        # '我市' or '区…' only: the city is the publisher's ('义乌市融媒体中心'), else the one
        # the listing page around the article names ('主办单位：南京市鼓楼区人民政府').
        for context in (publisher.value if publisher else "", "\n".join(article.around)):
            named = gazetteer.mentions(simplified(context)) if context else []
            if named:
                city = Field(named[0][0], "inferred")
                cities = (named[0][0],)
                break
    return Document(
        slug=slug,
        source=article.source,
        article_index=article.index,
        raw_text=_raw_text(article),
        title=title,
        original_title=original_title,
        date=_header_date(header) or date,
        posted=posted or published,
        publisher=publisher,
        reporters=Field(reporters, "header") if reporters else _reporters(draft.removed, lead),
        editor=editor or _editor(draft.removed),
        city=city,
        cities=cities,
        script=detect_script("\n".join(article.lines)),
        body_markdown=to_markdown(draft.lines),
        removed=draft.removed,
        tags=tags,
        photographers=_photographers(draft.removed),
        placeholders=draft.placeholders,
    )


def _header_text(header: Header, key: str) -> Field[str] | None:
    value = header.fields.get(key)
    if isinstance(value, tuple):
        value = "、".join(value)
    return Field(value.strip(), "header") if value and value.strip() else None


def _header_list(header: Header, key: str) -> tuple[str, ...]:
    value = header.fields.get(key, ())
    items = value if isinstance(value, tuple) else tuple(re.split(r"[,，、;；\s]+", value))
    return tuple(v.strip() for v in items if v.strip())


def _header_date(header: Header) -> Field[PartialDate] | None:
    value = _header_text(header, "date")
    found = _first_date(simplified(value.value), month_day=True) if value else None
    if value and found is None and re.fullmatch(r"\d{4}", value.value):
        found = PartialDate(int(value.value))
    return Field(found, "header") if found else None


def _header_city(header: Header, gazetteer: Gazetteer) -> Field[City] | None:
    value = _header_text(header, "city")
    city = gazetteer.lookup(simplified(value.value)) if value else None
    return Field(city, "header") if city else None


def _listing_frame(
    lines: list[Line],
) -> tuple[list[Line], Field[str] | None, Field[PartialDate] | None, list[Removal]]:
    """Take the title line and trailing date line off an article from a listing."""
    removed: list[Removal] = []
    body = [line for line in lines if line.text.strip()]
    title = None
    posted = None
    if body and len(body[0].text.strip()) <= TITLE_MAX:
        title = Field(body[0].text.strip(), "header")
        removed.append(Removal("headline", body[0].text, body[0].number))
        body = body[1:]
    if body and DATE_LINE.match(body[-1].text):
        posted_date = _first_date(body[-1].text)
        if posted_date:
            posted = Field(posted_date, "header")
        removed.append(Removal("posting-date", body[-1].text, body[-1].number))
        body = body[:-1]
    return body, title, posted, removed


def _headline(draft: Draft) -> tuple[Draft, Field[str] | None]:
    """Take the first line as the headline when it reads like one."""
    for i, line in enumerate(draft.lines):
        text = line.text.strip()
        if not text:
            continue
        if (
            len(text) <= TITLE_MAX
            and text[-1] not in SENTENCE_END + "，,：:"
            and i + 1 < len(draft.lines)
        ):
            rest = draft.lines[:i] + draft.lines[i + 1 :]
            return (
                draft.keep(list(rest), [Removal("headline", line.text, line.number)]),
                Field(text, "text"),
            )
        return draft, None
    return draft, None


def _derive_title(original: Field[str] | None, body: str) -> Field[str]:
    if original is not None:
        return Field(original.value, "inferred")
    first = re.split(f"[{SENTENCE_END}，,]", body.strip(), maxsplit=1)[0].strip()
    if len(first) > 30:
        first = first[:30] + "…"
    return Field(first or "(无标题)", "derived")


def _removed_value(
    removed: tuple[Removal, ...], category: str, pattern: re.Pattern[str]
) -> Field[str] | None:
    for r in removed:
        if r.category == category:
            m = pattern.match(simplified(r.text.strip()))
            if m:
                return Field(_slice(r.text.strip(), m), "text")
    return None


def _dates(
    removed: tuple[Removal, ...], body: str
) -> tuple[Field[PartialDate] | None, Field[PartialDate] | None]:
    """Return the document's own date and, when the header says so, its publishing date."""
    written = published = None
    for r in removed:
        if r.category not in ("header", "dateline", "edition"):
            continue
        s = _roc_to_western(simplified(r.text))
        m = WRITTEN_ON.search(s)
        written = written or (_first_date(m.group(1)) if m else None)
        m = PUBLISHED_ON.search(WRITTEN_ON.sub("", s))
        published = published or (_first_date(m.group(1)) if m else None)
        published = published or _first_date(s)
    published = _with_time(published, removed)
    if written:
        posted = Field(published, "header") if published and published != written else None
        return Field(written, "header"), posted
    if published:
        return Field(published, "header"), None
    signed = _signature_date(body)
    if signed:
        return Field(signed, "text"), None
    found = _first_date(body[:DATELINE_WINDOW], month_day=True)
    return (Field(found, "text") if found else None), None


TIME_ONLY = re.compile(r"(?:时间)?\s*(\d{1,2})\s*(?::|时)\s*(\d{2})\s*分?\s*$")


def _with_time(date: PartialDate | None, removed: tuple[Removal, ...]) -> PartialDate | None:
    """Give a day-precise date the time a separate dateline states ('香港時間 15:30')."""
    if date is None or date.precision != "day":
        return date
    for r in removed:
        if r.category == "dateline":
            m = TIME_ONLY.search(simplified(r.text))
            if m and not re.search(r"\d{4}", simplified(r.text)):
                return PartialDate(
                    date.year, date.month, date.day, int(m.group(1)), int(m.group(2))
                )
    return date


SIGNATURE = re.compile(
    rf"\n[^\n]{{2,30}}\n\s*((?:\d{{4}}|[{CN_NUM}]{{4}})\s*年[^\n]{{1,6}}月[^\n]{{1,6}}日)\s*$"
)


SIGNATORY = re.compile(
    r"\n([^\n]{2,30}(?:政府|委员会|办公室|办公厅|局|厅|委|院|部|中心|公司|指挥部|小组))\n[^\n]{6,16}\s*$"
)


def _signatory(body: str) -> Field[str] | None:
    """Return the issuer named in an official document's closing signature block."""
    m = SIGNATORY.search("\n" + body.rstrip())
    return Field(m.group(1).strip(), "text") if m and SIGNATURE.search(body.rstrip()) else None


def _signature_date(body: str) -> PartialDate | None:
    """Return the date of an official document's closing signature block, if it has one."""
    m = SIGNATURE.search(body.rstrip())
    return _first_date(m.group(1)) if m else None


ROC_DATE = re.compile(r"(?<![\d])(?:民国)?(\d{2,3})([-/.年])(\d{1,2})([-/.月])(\d{1,2})(?!\d)")


def _roc_to_western(text: str) -> str:
    """Write Taiwan's 民国 years (113-03-15) as Western ones (2024-03-15)."""
    return ROC_DATE.sub(
        lambda m: (
            f"{int(m.group(1)) + 1911}{m.group(2)}{m.group(3)}{m.group(4)}{m.group(5)}"
            if int(m.group(1)) >= 38
            else m.group()
        ),
        text,
    )


def _first_date(text: str, month_day: bool = False) -> PartialDate | None:
    """Return the earliest full date in `text`, or a month-day date if allowed."""
    candidates: list[tuple[int, PartialDate]] = []
    for m in ISO_DATE.finditer(text):
        date = _checked(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if date and m.group(4):
            date = PartialDate(
                date.year, date.month, date.day, int(m.group(4)), int(m.group(5)),
                int(m.group(6)) if m.group(6) else None,
            )  # fmt: skip
        if date:
            candidates.append((m.start(), date))
    for m in FULL_DATE.finditer(text):
        year, month, day = (_number(g) for g in m.groups()[:3])
        date = _checked(year, month, day)
        if date and m.group(4):
            second = int(m.group(6)) if m.group(6) else None
            date = PartialDate(
                date.year, date.month, date.day, int(m.group(4)), int(m.group(5)), second
            )
        if date:
            candidates.append((m.start(), date))
    if not candidates and month_day:
        for m in MONTH_DAY.finditer(text):
            month, day = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1 <= day <= 31:
                candidates.append((m.start(), PartialDate(None, month, day)))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def _number(text: str) -> int | None:
    """Read Arabic digits or Chinese numerals: '2021', '二○二一', '二十三'."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (
            CN_DIGITS.get(ones, 0) if ones else 0
        )
    digits = [CN_DIGITS.get(c) for c in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def _checked(year: int | None, month: int | None, day: int | None) -> PartialDate | None:
    if year is None or month is None or day is None:
        return None
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return PartialDate(year, month, day)


def _publisher(removed: tuple[Removal, ...], lead: str) -> Field[str] | None:
    """Find the newspaper or site: header, edition line, byline or lead, masthead, breadcrumb."""
    for r in removed:
        if r.category == "header":
            m = HEADER_SOURCE.search(simplified(r.text))
            if m:
                return Field(_clean_name(_slice(r.text, m)), "header")
    for r in removed:
        if r.category == "edition":
            m = EDITION_LINE.match(simplified(r.text.strip()))
            if m:
                return Field(_slice(r.text.strip(), m), "text")
    for text in [r.text for r in removed if r.category == "byline"] + [lead]:
        m = NEWS_AGENCY_LEAD.match(simplified(text.strip()))
        if m:
            return Field(_slice(text.strip(), m), "text")
    m = AGENCY_IN_BYLINE.match(simplified(lead.strip()))
    if m:
        return Field(_slice(lead.strip(), m), "text")
    for r in removed:
        if r.category == "masthead":
            m = MASTHEAD.match(simplified(r.text.strip()))
            if m:
                name = _slice(r.text.strip(), m)
                # '明報新聞網' is the website of the paper '明報'.
                paper = re.match(r"^(.+[报報])(?:新闻网|新聞網)$", name)
                return Field(paper.group(1) if paper else name, "inferred")
    for r in removed:
        if r.category == "navigation":
            parts = [p.strip() for p in re.split(r">>|»|>|＞|›", r.text) if p.strip()]
            named = [p for p in parts if re.search(r"(报|网|台|社)$", simplified(p))]
            if named:
                return Field(named[0], "inferred")
    for r in removed:
        if r.category == "copyright":
            m = re.search(r"来源\s*[:：]\s*([^”\"）)\s]{2,20})”", simplified(r.text))
            if m and "XX" not in m.group(1).upper():
                return Field(_slice(r.text, m), "inferred")
    return None


def _clean_name(name: str) -> str:
    """Drop a trailing site code or separator: '王晓_NF5619' -> '王晓'."""
    return re.sub(r"[_\-－]?[A-Za-z]*\d+$|[|｜]$", "", name).strip() or name


def _slice(text: str, m: re.Match[str], group: int = 1) -> str:
    """Return a group of a match made on the Simplified form, from the original text."""
    s = simplified(text)
    return text[m.start(group) : m.end(group)] if len(s) == len(text) else m.group(group)


def _reporters(removed: tuple[Removal, ...], lead: str) -> Field[tuple[str, ...]] | None:
    """Collect reporters from byline lines, header '作者' fields and the lead's dateline."""
    names: list[str] = []
    texts = [r.text for r in removed if r.category in ("byline", "header", "staff")]
    m = LEAD_BYLINE.search(simplified(lead[:120]))
    if m:
        texts.append(_slice(lead[:120], m, group=m.lastindex or 1))
    for text in texts:
        s = simplified(text)
        if not re.search(r"记者|通讯员|作者", s):
            continue
        for person in _people_after_roles(
            text, s, ("记者", "通讯员", "见习记者", "作者", "特约记者")
        ):
            if person not in names:
                names.append(person)
    return Field(tuple(names), "text") if names else None


PERSON_RUN = re.compile(r"[\u4e00-\u9fff·□]{2,12}")
NOT_NAMES = frozenset(
    "记者 通讯员 见习记者 特约记者 作者 编辑 报道 摄影 本报 本网 本台 实习生 综合 整理 来源 审核 "
    "责任编辑 校对 供稿".split()
)


def _people_after_roles(text: str, s: str, roles: tuple[str, ...]) -> list[str]:
    """Return the names that follow a role word, up to the next label or bracket."""
    people: list[str] = []
    pattern = "|".join(sorted(roles, key=len, reverse=True))
    for m in re.finditer(rf"(?:{pattern})\s*[:：]?\s*", s):
        rest = s[m.end() :]
        stop = re.search(
            r"[)）\]】|｜:：。，,]|\S{2,4}[:：]|(?:编辑|审核|校对|来源|时间|日期|报道|摄|责编|通讯员|记者)",
            rest,
        )
        chunk = rest[: stop.start()] if stop else rest
        start = m.end()
        original = text[start : start + len(chunk)] if len(s) == len(text) else chunk
        for run in re.split(r"[\s、?·/\d]+", original.strip()):
            run = run.lstrip("□")
            if len(run.rstrip("□")) >= 2:  # '李明□' ends on a lost space; '黄□' lost a character
                run = run.rstrip("□")
            if not PERSON_RUN.fullmatch(run) or simplified(run) in NOT_NAMES:
                continue
            for name in split_names(run):
                if _is_name(name) and name not in people:
                    people.append(name)
    return people


def _is_name(word: str) -> bool:
    """Tell a person's name from a role, a station or a place that follows it in a byline."""
    s = simplified(word)
    if s in NOT_NAMES or re.search(r"(台|站|社|网|报|中心|日电|日讯)$", s):
        return False
    return load_gazetteer().lookup(s) is None or len(s) > 3


def _photographers(removed: tuple[Removal, ...]) -> Field[tuple[str, ...]] | None:
    names: list[str] = []
    for r in removed:
        if r.category != "image-caption":
            continue
        s = simplified(r.text.strip())
        m = re.search(
            r"(?:记者)?\s*([\u4e00-\u9fff·]{2,8})\s*摄|摄影\s*[:：]\s*([\u4e00-\u9fff·]{2,8})", s
        )
        if not m:
            continue
        group = 1 if m.group(1) else 2
        run = (
            r.text.strip()[m.start(group) : m.end(group)]
            if len(s) == len(r.text.strip())
            else m.group(group)
        )
        prefix = re.match(r"^(?:新华社|中新社|本报|中央社)?记者", simplified(run))
        run = run[prefix.end() :] if prefix else run
        for name in split_names(run):
            if name not in names:
                names.append(name)
    return Field(tuple(names), "text") if names else None


def _editor(removed: tuple[Removal, ...]) -> Field[str] | None:
    for r in removed:
        if r.category not in ("editor", "header", "staff"):
            continue
        s = simplified(r.text)
        m = EDITOR.search(s)
        if m:
            name = _clean_name(_slice(r.text, m, group=2))
            if name:
                return Field(name, "text")
    return None


def _cities(gazetteer: Gazetteer, title: str, body: str) -> tuple[City, ...]:
    """Return the cities mentioned, the primary one (most weight; title counts most) first."""
    weight: dict[City, int] = {}
    first: dict[City, int] = {}
    for n, (city, count) in enumerate(gazetteer.mentions(title)):
        weight[city] = weight.get(city, 0) + 5 * count
        first.setdefault(city, -1000 + n)
    for n, (city, count) in enumerate(gazetteer.mentions(body)):
        weight[city] = weight.get(city, 0) + count
        first.setdefault(city, n)
    return tuple(sorted(weight, key=lambda c: (-weight[c], first[c], c.code)))
