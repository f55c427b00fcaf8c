"""Curated corrections: takes a `NAME.meta.toml` beside a source file, gives field overrides.

A curator fixes what the scrape gets wrong without touching the scrape. The sidecar of
`2024/report.txt` is `2024/report.meta.toml`:

    why = "The breadcrumb naming the paper is damaged ('河南日□□')."
    [document]                 # a file holding one article
    publisher = "河南日报"

    [[article]]                # a listing file: one table per article to correct
    index = 2                  # 1-based position in the file
    title = "…"

Every value set here wins over what cleaning found and is marked `curated`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sitegen.ingest.gazetteer import Gazetteer
from sitegen.model import Document, Field, PartialDate

SUFFIX = ".meta.toml"
FIELDS = {
    "title": str,
    "original_title": str,
    "date": str,
    "posted": str,
    "publisher": str,
    "city": str,
    "reporters": list,
    "editor": str,
    "photographers": list,
    "tags": list,
    "why": str,
}
DATE = re.compile(r"^(?:(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|--(\d{2})-(\d{2}))$")


class SidecarError(ValueError):
    """The sidecar cannot be used; the message names the key."""


@dataclass(frozen=True)
class Sidecar:
    path: str  # archive-relative, for messages
    document: dict[str, Any]  # for single-article files
    articles: dict[int, dict[str, Any]]  # 1-based index -> fields

    def entry(self, index: int, count: int) -> dict[str, Any]:
        """Return the overrides for article `index` (0-based) of a file of `count`."""
        if count == 1:
            return {**self.articles.get(1, {}), **self.document}
        return self.articles.get(index + 1, {})

    def check_articles(self, count: int) -> list[str]:
        """Return a problem for every article the sidecar names that the file lacks."""
        return [
            f"{self.path}: [[article]] index = {i} names no article (the file holds {count})"
            for i in sorted(self.articles)
            if i > count
        ] + (
            [f"{self.path}: [document] is for one-article files; this one holds {count}"]
            if self.document and count > 1
            else []
        )


def sidecar_path(source: Path) -> Path:
    return source.with_name(sidecar_name(source.name))


def sidecar_name(source: str) -> str:
    """The name of the sidecar of a file named `source`."""
    return source.rsplit(".", 1)[0] + SUFFIX


def load_sidecar(path: Path, relative: str) -> Sidecar:
    """Read and check a sidecar; raise SidecarError naming the file and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SidecarError(f"{relative}: not valid TOML ({error})") from error
    unknown = sorted(set(data) - {"why", "document", "article"})
    if unknown:
        raise SidecarError(f"{relative}: unknown key {unknown[0]!r}")
    document = _checked(data.get("document", {}), relative, "[document]")
    articles: dict[int, dict[str, Any]] = {}
    for n, table in enumerate(data.get("article", []), 1):
        index = table.get("index") if isinstance(table, dict) else None
        if not isinstance(index, int) or index < 1:
            raise SidecarError(f"{relative}: [[article]] number {n} needs index = 1, 2, …")
        fields = {k: v for k, v in table.items() if k != "index"}
        articles[index] = _checked(fields, relative, f"[[article]] index = {index}")
    return Sidecar(relative, document, articles)


def _checked(table: Any, relative: str, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise SidecarError(f"{relative}: {where} must be a table")
    for key, value in table.items():
        if key not in FIELDS:
            raise SidecarError(f"{relative}: {where}: unknown key {key!r}")
        if not isinstance(value, FIELDS[key]):
            raise SidecarError(
                f"{relative}: {where}: {key!r} must be {FIELDS[key].__name__}, "
                f"not {type(value).__name__}"
            )
        if key in ("date", "posted"):
            parse_date(value, f"{relative}: {where}: {key!r}")
    return table


def parse_date(text: str, where: str = "date") -> PartialDate:
    """Read '2024', '2024-01', '2024-01-18' or '--10-23' (a month and day, year unknown)."""
    m = DATE.match(text.strip())
    if not m:
        raise SidecarError(f"{where}: {text!r} is not a date like 2024-01-18, 2024-01 or --10-23")
    if m.group(4):
        return PartialDate(None, int(m.group(4)), int(m.group(5)))
    parts = [int(g) if g else None for g in m.groups()[:3]]
    return PartialDate(*parts)


def apply_sidecar(document: Document, entry: dict[str, Any], gazetteer: Gazetteer) -> Document:
    """Return `document` with the curated fields of `entry` in place."""
    if not entry:
        return document
    changes: dict[str, Any] = {}
    for key in ("title", "original_title", "publisher", "editor"):
        if key in entry:
            changes[key] = Field(entry[key], "curated")
    for key in ("reporters", "photographers"):
        if key in entry:
            changes[key] = Field(tuple(str(v) for v in entry[key]), "curated")
    for key in ("date", "posted"):
        if key in entry:
            changes[key] = Field(parse_date(entry[key]), "curated")
    if "tags" in entry:
        changes["tags"] = tuple(str(v) for v in entry["tags"])
    if "city" in entry:
        city = gazetteer.lookup(entry["city"])
        if city is None:
            raise SidecarError(f"city {entry['city']!r} is not in the gazetteer")
        changes["city"] = Field(city, "curated")
        changes["cities"] = (city,) + tuple(c for c in document.cities if c != city)
    return replace(document, **changes)
