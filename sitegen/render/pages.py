"""The site's page plan: takes every `Document`, gives every page to write, in a fixed order.

All cross-page data (city lists, newest first) is worked out here, once, before anything is
rendered. Every internal link is relative (`root` is the way back to the site's top), so
the site works under any base path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen.ingest.gazetteer import Gazetteer
from sitegen.model import City, Document, PartialDate


@dataclass(frozen=True)
class Page:
    path: str  # where it goes in the site, '/'-separated
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The relative way from this page back to the top of the site."""
        return "../" * self.path.count("/")


@dataclass(frozen=True)
class CityGroup:
    city: City  # a prefecture-level city (or a county-level one directly under a province)
    slug: str
    documents: tuple[Document, ...]  # newest first


def doc_url(document: Document) -> str:
    return f"doc/{document.slug}/"


def newest_first(documents: Sequence[Document]) -> list[Document]:
    """Order by the document's own date, else its posting date; undated ones last."""

    def key(d: Document) -> tuple[int, tuple[int, ...], str]:
        date = effective_date(d)
        if date is None:
            return (1, (), d.slug)
        return (0, tuple(-x for x in date.sort_key()), d.slug)

    return sorted(documents, key=key)


def effective_date(document: Document) -> PartialDate | None:
    if document.date is not None and document.date.value.year is not None:
        return document.date.value
    if document.posted is not None:
        return document.posted.value
    return document.date.value if document.date is not None else None


def city_slugs(gazetteer: Gazetteer) -> dict[str, str]:
    """Map each city code to a readable slug: its pinyin, with the code where pinyin clashes."""
    seen: dict[str, int] = defaultdict(int)
    for city in gazetteer.cities:
        seen[city.pinyin] += 1
    return {
        c.code: c.pinyin if seen[c.pinyin] == 1 else f"{c.pinyin}-{c.code.lower()}"
        for c in gazetteer.cities
    }


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


def plan_pages(
    documents: Sequence[Document], groups: Sequence[CityGroup], site: dict[str, Any]
) -> Iterator[Page]:
    """Yield every HTML page of the site."""
    ordered = newest_first(documents)
    city_of = {d.slug: g for g in groups for d in g.documents}
    yield Page("index.html", "index.html", {"site": site, "documents": ordered, "groups": groups})
    yield Page("search/index.html", "search.html", {"site": site})
    for group in groups:
        yield Page(f"city/{group.slug}/index.html", "city.html", {"site": site, "group": group})
    for document in ordered:
        context = {"site": site, "doc": document, "group": city_of.get(document.slug)}
        yield Page(f"doc/{document.slug}/index.html", "document.html", context)
        yield Page(f"doc/{document.slug}/original/index.html", "original.html", context)
        yield Page(f"doc/{document.slug}/report/index.html", "report.html", context)
