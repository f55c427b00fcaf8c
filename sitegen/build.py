"""build(config) -> BuildReport: the table of contents of a build.

Gather every input, split and describe every article, plan every page, and only then
write, so that cross-page data (city lists, the search index) is consistent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from sitegen import __version__
from sitegen.chinese import HAN_RUN
from sitegen.config import Config
from sitegen.errors import BuildError
from sitegen.ingest.gazetteer import Gazetteer, load_gazetteer
from sitegen.ingest.meta import describe
from sitegen.ingest.read import UnreadableFile, find_sources, outside_links, read_source
from sitegen.ingest.sidecar import (
    Sidecar,
    SidecarError,
    apply_sidecar,
    load_sidecar,
    sidecar_path,
)
from sitegen.ingest.split import split_articles
from sitegen.model import Document, Removal, Source
from sitegen.render.env import make_environment, markdown_to_html
from sitegen.render.feeds import site_files
from sitegen.render.pages import doc_url, group_by_city, plan_pages
from sitegen.render.site import read_pages, render_pages, site_info
from sitegen.resources import package_dir
from sitegen.writer import SiteWriter

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass(frozen=True)
class InputReport:
    path: str
    status: Literal["read", "skipped"]
    encoding: str | None
    documents: tuple[str, ...]  # slugs
    removed_outside_articles: int = 0
    problem: str | None = None


@dataclass(frozen=True)
class BuildReport:
    inputs: tuple[InputReport, ...]
    documents: int
    pages: int
    warnings: tuple[str, ...]
    out: Path

    def to_json(self) -> str:
        data = {
            "generator": f"sitegen {__version__}",
            "documents": self.documents,
            "pages": self.pages,
            "warnings": list(self.warnings),
            "inputs": [asdict(i) for i in self.inputs],
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def build(config: Config, progress: Progress | None = None) -> BuildReport:
    """Build the site for `config`; the previous site stays in place if anything fails."""
    gazetteer = load_gazetteer(config.gazetteer)
    warnings: list[str] = []
    sources, inputs = _gather(config.source, warnings)
    documents, inputs = _describe_all(sources, inputs, gazetteer, warnings, progress)
    groups = group_by_city(documents, gazetteer)
    extra_pages = read_pages(config.source / "pages")
    site = site_info(config, extra_pages)
    pages = list(plan_pages(documents, gazetteer, site, extra_pages, markdown_to_html))
    env = make_environment([config.source / "templates", package_dir("templates")])
    report = BuildReport(tuple(inputs), len(documents), 0, tuple(warnings), config.out)
    if config.strict and warnings:
        raise BuildError(
            f"{len(warnings)} warning(s) and --strict is on; the site was not written. "
            f"First: {warnings[0]}"
        )
    with SiteWriter(config.out) as writer:
        texts = []
        for n, (path, html) in enumerate(render_pages(env, pages), 1):
            writer.write(path, html)
            texts.append(html)
            if progress:
                progress("render", n, len(pages))
        scripts = _write_static(writer, [config.source / "static", package_dir("static")])
        _write_search(writer, documents, groups)
        for path, content in site_files(documents, site, pages, texts + scripts):
            writer.write(path, content)
        report = BuildReport(tuple(inputs), len(documents), len(pages), tuple(warnings), config.out)
        writer.write("build-report.json", report.to_json())
        writer.commit()
    return report


def _gather(
    root: Path, warnings: list[str]
) -> tuple[list[tuple[Source, Sidecar | None]], list[InputReport]]:
    """Read every input file and its sidecar; report what cannot be read and go on."""
    sources, inputs = [], []

    def warn(message: str) -> None:
        warnings.append(message)
        log.warning(message)

    for link in outside_links(root):
        warn(f"{link}: a link pointing outside the archive; not followed")
        inputs.append(InputReport(str(link), "skipped", None, (), problem="link outside archive"))
    for path, relative in find_sources(root):
        try:
            source, replaced = read_source(path, relative)
        except (UnreadableFile, OSError) as error:
            warn(f"{relative}: skipped, {error}")
            inputs.append(InputReport(str(relative), "skipped", None, (), problem=str(error)))
            continue
        if not source.text.strip():
            warn(f"{relative}: skipped, the file is empty")
            inputs.append(
                InputReport(str(relative), "skipped", source.encoding, (), problem="empty")
            )
            continue
        if replaced:
            warn(
                f"{relative}: {replaced} byte(s) are not valid {source.encoding}; "
                "they show as □ and are counted as lost characters"
            )
        sidecar = None
        if sidecar_path(path).is_file():
            sidecar_name = str(relative.with_name(sidecar_path(path).name))
            try:
                sidecar = load_sidecar(sidecar_path(path), sidecar_name)
            except SidecarError as error:
                warn(f"{error}; the sidecar is ignored")
        sources.append((source, sidecar))
        inputs.append(InputReport(str(relative), "read", source.encoding, ()))
    return sources, inputs


def _describe_all(
    sources: list[tuple[Source, Sidecar | None]],
    inputs: list[InputReport],
    gazetteer: Gazetteer,
    warnings: list[str],
    progress: Progress | None,
) -> tuple[list[Document], list[InputReport]]:
    """Split, clean and describe every article; curated sidecar fields win."""
    documents: list[Document] = []
    used: set[str] = set()
    by_path: dict[str, tuple[tuple[str, ...], int]] = {}
    for n, (source, sidecar) in enumerate(sources, 1):
        articles, between = split_articles(source)
        if sidecar is not None:
            for problem in sidecar.check_articles(len(articles)):
                warnings.append(problem)
                log.warning(problem)
        slugs = []
        for article in articles:
            slug = _unique(_slug(source, article.index, len(articles)), used, source, warnings)
            try:
                document = describe(article, gazetteer, slug)
            except Exception as error:  # name the file, then stop: a bug, not bad input
                raise BuildError(f"{source.path}: cleaning failed: {error!r}") from error
            if article.index == len(articles) - 1 and between:
                document = _with_removed(document, between)
            if sidecar is not None:
                try:
                    entry = sidecar.entry(article.index, len(articles))
                    document = apply_sidecar(document, entry, gazetteer)
                except SidecarError as error:
                    message = f"{sidecar.path}: {error}; that correction is ignored"
                    warnings.append(message)
                    log.warning(message)
            documents.append(document)
            slugs.append(slug)
        by_path[str(source.path)] = (tuple(slugs), len(between))
        if progress:
            progress("clean", n, len(sources))
    inputs = [
        InputReport(i.path, i.status, i.encoding, *by_path[i.path]) if i.path in by_path else i
        for i in inputs
    ]
    return documents, inputs


def _with_removed(document: Document, removed: Iterable[Removal]) -> Document:
    from dataclasses import replace

    return replace(document, removed=tuple(removed) + document.removed)


def _slug(source: Source, index: int, count: int) -> str:
    """Make a URL-safe slug from the file's path: stable when other documents come and go."""
    from pypinyin import lazy_pinyin

    stem = str(source.path.with_suffix(""))
    ascii_stem = HAN_RUN.sub(lambda m: "-" + "-".join(lazy_pinyin(m.group())) + "-", stem)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-") or "document"
    return f"{slug}-{index + 1:02d}" if count > 1 else slug


def _unique(slug: str, used: set[str], source: Source, warnings: list[str]) -> str:
    if slug not in used:
        used.add(slug)
        return slug
    n = 2
    while f"{slug}-{n}" in used:
        n += 1
    message = f"{source.path}: slug {slug!r} is taken; this document is {slug}-{n}"
    warnings.append(message)
    log.warning(message)
    used.add(f"{slug}-{n}")
    return f"{slug}-{n}"


def _write_static(writer: SiteWriter, folders: list[Path]) -> list[str]:
    """Copy static files; a file in the archive's static/ wins over the package's.

    Return the text of the scripts, whose wording the 简/繁 switch must convert too.
    """
    chosen: dict[str, Path] = {}
    for folder in reversed(folders):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                chosen[path.relative_to(folder).as_posix()] = path
    for relative in sorted(chosen):
        writer.copy(f"static/{relative}", chosen[relative])
    return [chosen[r].read_text(encoding="utf-8") for r in sorted(chosen) if r.endswith(".js")]


def _write_search(writer: SiteWriter, documents: list[Document], groups: list[Any]) -> None:
    """Write the sharded search index and what results show (see sitegen/search/publish.py)."""
    from sitegen.search.publish import describe_for_search, search_files

    described = [describe_for_search(d, doc_url(d), _date_label(d)) for d in documents]
    for path, content in search_files(documents, described):
        writer.write(path, content)


def _date_label(document: Document) -> str:
    from sitegen.render.env import date_text

    if document.date is None and document.posted is not None:
        return "发布于 " + date_text(document.posted)
    return date_text(document.date) if document.date else ""


def _compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
