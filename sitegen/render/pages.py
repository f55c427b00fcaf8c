"""The site's page plan: takes every `Document`, gives every page to write, in a fixed order.

All cross-page data (city lists, years, sources, previous/next, related documents) is
worked out here, once, before anything is rendered; templates only loop and test. Every
internal link is relative (`root` is the way back to the site's top), so the site works
under any base path.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen.chinese import detect_script, to_simplified
from sitegen.ingest.gazetteer import Gazetteer
from sitegen.model import City, Document, Field, PartialDate
from sitegen.render.related import related_documents
from sitegen.render.site import MarkdownPage, SiteInfo

PROVENANCE = {
    "header": ("文件头", "取自原始文件的头部信息"),
    "text": ("正文", "从正文中识别"),
    "inferred": ("推断", "由其他信息推断，可能有误"),
    "derived": ("推导", "由其他字段推导"),
    "curated": ("人工", "人工核定"),
}
PRECISION = {
    "year": "精确到年",
    "month": "精确到月",
    "day": "精确到日",
    "minute": "精确到分钟",
    "second": "精确到秒",
    "month-day": "只知月日，年份不详",
}
NEIGHBOURS_LIMIT = 5


@dataclass(frozen=True)
class Page:
    path: str  # where it goes in the site, '/'-separated
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    lang: str = "zh-Hans"  # the script the page is written in
    canonical: str | None = None  # the page's address relative to the site's top
    section: str = ""  # which navigation entry the page belongs to
    absolute_root: str | None = None  # for 404.html, which is served at any depth

    @property
    def root(self) -> str:
        """The relative way from this page back to the top of the site."""
        if self.absolute_root is not None:
            return self.absolute_root
        return "../" * self.path.count("/")


@dataclass(frozen=True)
class CityGroup:
    city: City  # a prefecture-level city (or a county-level one directly under a province)
    slug: str
    documents: tuple[Document, ...]  # newest first


@dataclass(frozen=True)
class DatedGroup:
    """Documents under one heading of a listing: a year, a month, '年份不详'."""

    label: str
    anchor: str
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class Place:
    """One city on its prefecture's page: the prefecture itself or a county-level city."""

    city: City
    anchor: str
    years: tuple[DatedGroup, ...]  # documents whose primary city this is, by year
    mentions: tuple[Document, ...]  # documents that only mention it
    count: int


@dataclass(frozen=True)
class CityPage:
    city: City
    slug: str
    places: tuple[Place, ...]  # the prefecture first, then its county-level cities
    count: int  # documents whose primary city is here
    mentions: int  # documents that only mention it

    @property
    def url(self) -> str:
        return f"city/{self.slug}/"


@dataclass(frozen=True)
class Province:
    name: str
    cities: tuple[CityPage, ...]


@dataclass(frozen=True)
class YearPage:
    year: int | None  # None: the page of documents without a known year
    slug: str
    months: tuple[DatedGroup, ...]
    count: int

    @property
    def url(self) -> str:
        return f"year/{self.slug}/"

    @property
    def label(self) -> str:
        return f"{self.year}年" if self.year else "年份不详"


@dataclass(frozen=True)
class SourcePage:
    name: str  # as the documents write it (the commonest spelling)
    lang: str
    slug: str
    documents: tuple[Document, ...]  # newest first

    @property
    def url(self) -> str:
        return f"source/{self.slug}/"


@dataclass(frozen=True)
class CityLink:
    city: City
    url: str  # relative to the site's top, with an anchor for county-level cities
    primary: bool


@dataclass(frozen=True)
class Neighbours:
    newer: Document | None
    older: Document | None
    city: CityPage | None


def doc_url(document: Document) -> str:
    return f"doc/{document.slug}/"


def newest_first(documents: Iterable[Document]) -> list[Document]:
    """Order by the document's own date, else its posting date; undated ones last."""

    def key(d: Document) -> tuple[int, tuple[int, ...], str]:
        date = effective_date(d)
        if date is None:
            return (1, (), d.slug)
        year, month, day, hour, minute, second = date.sort_key()  # (sorted ~16 times a build)
        return (0, (-year, -month, -day, -hour, -minute, -second), d.slug)

    return sorted(documents, key=key)


def effective_date(document: Document) -> PartialDate | None:
    if document.date is not None and document.date.value.year is not None:
        return document.date.value
    if document.posted is not None:
        return document.posted.value
    return document.date.value if document.date is not None else None


def year_of(document: Document) -> int | None:
    """The year a document belongs to; a date without a year is not a year."""
    date = effective_date(document)
    return date.year if date is not None else None


def city_slugs(gazetteer: Gazetteer) -> dict[str, str]:
    """Map each city code to a readable slug: its pinyin, with the code where pinyin clashes.

    A city keeps the bare pinyin over a province of the same name (上海, 吉林): provinces
    seldom have a page, but when a document names one it must get an address of its own.
    """
    cities: dict[str, int] = defaultdict(int)
    provinces: dict[str, int] = defaultdict(int)
    for city in gazetteer.cities:
        (provinces if city.level == "province" else cities)[city.pinyin] += 1

    def slug(c: City) -> str:
        if c.level == "province":
            clash = cities[c.pinyin] > 0 or provinces[c.pinyin] > 1  # 陕西 and 山西: shanxi
        else:
            clash = cities[c.pinyin] > 1
        return f"{c.pinyin}-{c.code.lower()}" if clash else c.pinyin

    return {c.code: slug(c) for c in gazetteer.cities}


def group_by_city(documents: Sequence[Document], gazetteer: Gazetteer) -> list[CityGroup]:
    """Group documents under the prefecture of their primary city, cities by name order."""
    slugs = city_slugs(gazetteer)
    groups: dict[str, list[Document]] = defaultdict(list)
    cities: dict[str, City] = {}
    for document in documents:
        if document.city is None:
            continue
        prefecture = gazetteer.prefecture_of(document.city.value)
        cities[prefecture.code] = prefecture
        groups[prefecture.code].append(document)
    return [
        CityGroup(cities[code], slugs[code], tuple(newest_first(groups[code])))
        for code in sorted(groups, key=lambda c: (cities[c].pinyin, c))
    ]


def by_year(documents: Iterable[Document]) -> tuple[DatedGroup, ...]:
    """Group documents (newest first) under their year; those without a year come last."""
    groups: dict[int | None, list[Document]] = defaultdict(list)
    for document in newest_first(documents):
        groups[year_of(document)].append(document)
    return tuple(
        DatedGroup(f"{y}年" if y else "年份不详", f"y{y}" if y else "undated", tuple(groups[y]))
        for y in sorted(groups, key=lambda y: (y is None, -(y or 0)))
    )


def by_month(documents: Iterable[Document]) -> tuple[DatedGroup, ...]:
    """Group one year's documents under their month, newest first; unknown months last."""
    groups: dict[int | None, list[Document]] = defaultdict(list)
    for document in newest_first(documents):
        date = effective_date(document)
        groups[date.month if date is not None else None].append(document)
    return tuple(
        DatedGroup(f"{m}月" if m else "月份不详", f"m{m:02d}" if m else "unknown", tuple(groups[m]))
        for m in sorted(groups, key=lambda m: (m is None, -(m or 0)))
    )


def city_page_slugs(documents: Iterable[Document], gazetteer: Gazetteer) -> dict[str, str]:
    """Each document's city page (its slug), by document slug, as `plan_pages` places them
    (the page of its own city's prefecture), without making the pages."""
    slugs = city_slugs(gazetteer)
    return {
        d.slug: slugs[gazetteer.prefecture_of(d.city.value).code]
        for d in documents
        if d.city is not None
    }


def city_pages(documents: Sequence[Document], gazetteer: Gazetteer) -> list[CityPage]:
    """One page per prefecture any document is about or mentions; county-level cities inside."""
    slugs = city_slugs(gazetteer)
    primary: dict[str, list[Document]] = defaultdict(list)
    mentioned: dict[str, list[Document]] = defaultdict(list)
    places: dict[str, set[str]] = defaultdict(set)
    cities: dict[str, City] = {}
    for document in documents:
        for city in document.cities:
            prefecture = gazetteer.prefecture_of(city)
            cities[city.code] = city
            cities[prefecture.code] = prefecture
            places[prefecture.code].add(city.code)
            is_primary = document.city is not None and document.city.value.code == city.code
            (primary if is_primary else mentioned)[city.code].append(document)
        if document.city is not None and document.city.value not in document.cities:
            city = document.city.value
            prefecture = gazetteer.prefecture_of(city)
            cities[city.code], cities[prefecture.code] = city, prefecture
            places[prefecture.code].add(city.code)
            primary[city.code].append(document)
    pages = []
    for code in sorted(places, key=lambda c: (cities[c].pinyin, c)):
        inside = sorted(places[code] - {code}, key=lambda c: (cities[c].pinyin, c))
        rows = tuple(
            Place(
                cities[c],
                "" if c == code else slugs[c],
                by_year(primary[c]),
                tuple(newest_first(mentioned[c])),
                len(primary[c]),
            )
            for c in [code, *inside]
        )
        count = sum(p.count for p in rows)
        about = {d.slug for p in rows for g in p.years for d in g.documents}
        mentions = {d.slug for p in rows for d in p.mentions} - about
        pages.append(CityPage(cities[code], slugs[code], rows, count, len(mentions)))
    return pages


def provinces(pages: Iterable[CityPage]) -> tuple[Province, ...]:
    """Group city pages by province, provinces in pinyin-free code order of their cities."""
    grouped: dict[str, list[CityPage]] = defaultdict(list)
    for page in pages:
        grouped[page.city.province].append(page)
    return tuple(
        Province(name, tuple(grouped[name]))
        for name in sorted(grouped, key=lambda n: min(p.city.code for p in grouped[n]))
    )


def year_pages(documents: Sequence[Document]) -> list[YearPage]:
    """One page per year, newest first, and one for documents without a known year."""
    years: dict[int | None, list[Document]] = defaultdict(list)
    for document in documents:
        years[year_of(document)].append(document)
    pages = []
    for year in sorted(years, key=lambda y: (y is None, -(y or 0))):
        months = by_month(years[year]) if year else (
            DatedGroup("年份不详", "undated", tuple(newest_first(years[year]))),
        )  # fmt: skip
        pages.append(YearPage(year, str(year) if year else "undated", months, len(years[year])))
    return pages


def source_pages(documents: Sequence[Document]) -> list[SourcePage]:
    """One page per newspaper or site; spellings in either script are one source."""
    from pypinyin import lazy_pinyin

    groups: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        if document.publisher is not None:
            groups[to_simplified(document.publisher.value)].append(document)
    pages, used = [], set()
    for key in sorted(groups, key=lambda k: ("".join(lazy_pinyin(k)), k)):
        spellings = Counter(d.publisher.value for d in groups[key] if d.publisher)
        name = min(spellings, key=lambda s: (-spellings[s], s))
        slug = "".join(c for c in "".join(lazy_pinyin(key)).lower() if c.isascii() and (
            c.isalnum() or c == "-")).strip("-") or "source"  # fmt: skip
        while slug in used or slug == "unknown":
            slug += "-2"
        used.add(slug)
        lang = "zh-Hant" if detect_script(name) == "Hant" else "zh-Hans"
        pages.append(SourcePage(name, lang, slug, tuple(newest_first(groups[key]))))
    unknown = [d for d in documents if d.publisher is None]
    if unknown:
        pages.append(SourcePage("来源不详", "zh-Hans", "unknown", tuple(newest_first(unknown))))
    return pages


def provenance(value: Field[Any] | None) -> tuple[str, str] | None:
    """Return the short label and the explanation of where a field came from."""
    return PROVENANCE.get(value.provenance) if value is not None else None


def precision(value: Field[PartialDate] | None) -> str:
    return PRECISION[value.value.precision] if value is not None else ""


def plan_pages(
    documents: Sequence[Document],
    gazetteer: Gazetteer,
    site: SiteInfo,
    extra: Sequence[MarkdownPage],
    body_html: Callable[[str], Any],
    related_of: Callable[..., dict[str, tuple[Document, ...]]] | None = None,
) -> Iterator[Page]:
    """Yield every HTML page of the site.

    `related_of(documents, city_of)` finds related documents (`related_documents` unless
    given, e.g. one that uses several processes).
    """
    ordered = newest_first(documents)
    cities = city_pages(documents, gazetteer)
    city_url: dict[str, str] = {}
    for page in cities:
        for place in page.places:
            city_url[place.city.code] = page.url + (f"#{place.anchor}" if place.anchor else "")
    page_slugs = city_page_slugs(documents, gazetteer)  # as the build asks related ones with
    by_slug = {page.slug: page for page in cities}
    city_of = {slug: by_slug[page_slug] for slug, page_slug in page_slugs.items()}
    # Asked first, so that a `related_of` working elsewhere can go on beside the rest.
    related = (related_of or related_documents)(ordered, page_slugs)
    years = year_pages(documents)
    sources = source_pages(documents)
    lang = site.lang
    common = {"site": site}

    newest = ordered[: site.items_per_page]
    counts = {
        "documents": len(documents),
        "cities": sum(1 for c in cities if c.count),
        "years": sum(1 for y in years if y.year),
        "sources": sum(1 for s in sources if s.slug != "unknown"),
    }
    home_cities = provinces(c for c in cities if c.count)
    yield Page("index.html", "index.html",
               {**common, "newest": newest, "provinces": home_cities, "counts": counts,
                "years": years},
               lang, "", "home")  # fmt: skip
    yield Page("search/index.html", "search.html", common, lang, "search/", "search")
    yield Page("city/index.html", "cities.html",
               {**common, "provinces": provinces(cities), "unplaced": tuple(
                   newest_first(d for d in documents if d.city is None))},
               lang, "city/", "city")  # fmt: skip
    for page in cities:
        yield Page(f"{page.url}index.html", "city.html", {**common, "page": page},
                   lang, page.url, "city")  # fmt: skip
    yield Page("year/index.html", "years.html", {**common, "years": years}, lang, "year/", "year")
    for page in years:
        yield Page(f"{page.url}index.html", "year.html", {**common, "page": page},
                   lang, page.url, "year")  # fmt: skip
    yield Page("source/index.html", "sources.html", {**common, "sources": sources},
               lang, "source/", "source")  # fmt: skip
    for page in sources:
        yield Page(f"{page.url}index.html", "source.html", {**common, "page": page},
                   page.lang if page.slug != "unknown" else lang, page.url, "source")  # fmt: skip
    for page in extra:
        yield Page(f"{page.url}index.html", "page.html", {**common, "page": page},
                   page.lang, page.url, page.url)  # fmt: skip
    yield Page("404.html", "404.html", common, lang, None, "",
               absolute_root=site.base_url)  # fmt: skip

    source_of = {d.slug: s for s in sources for d in s.documents}
    year_url = {d.slug: f"{y.url}#{m.anchor}" for y in years for m in y.months for d in m.documents}
    siblings = {
        page.slug: newest_first(d for p in page.places for g in p.years for d in g.documents)
        for page in cities
    }
    position = {d.slug: n for docs in siblings.values() for n, d in enumerate(docs)}
    for document in ordered:
        page = city_of.get(document.slug)
        neighbours = Neighbours(None, None, page)
        if page is not None:
            docs, at = siblings[page.slug], position[document.slug]
            neighbours = Neighbours(
                docs[at - 1] if at > 0 else None,
                docs[at + 1] if at + 1 < len(docs) else None,
                page,
            )
        primary = document.city.value.code if document.city else None
        links = tuple(
            CityLink(c, city_url[c.code], c.code == primary)
            for c in (document.cities or ([document.city.value] if document.city else []))
        )
        context = {
            **common,
            "doc": document,
            "body": body_html(document.body_markdown),
            "cities": links,
            "neighbours": neighbours,
            "related": related.get(document.slug, ()),
            "source": source_of.get(document.slug),
            "year_url": year_url[document.slug],
            "provenance": provenance,
            "precision": precision,
        }
        url = doc_url(document)
        yield Page(f"{url}index.html", "document.html", context, document.lang, url, "doc")
        yield Page(f"{url}original/index.html", "original.html", context, document.lang,
                   f"{url}original/", "doc")  # fmt: skip
        yield Page(f"{url}report/index.html", "report.html", context, document.lang,
                   f"{url}report/", "doc")  # fmt: skip
