"""Incremental builds for `sitegen serve`: the site `build` makes, redoing only what changed.

Takes a `Config`; `IncrementalSite.update()` brings the site in `config.out` up to date with
the archive and says which files changed. The first update is a whole build written through
`SiteWriter` (cleaning through `sitegen build`'s cache and, for a large site, cleaning and
rendering in worker processes); later ones write only the files whose bytes differ. The
result is always byte-identical to `sitegen build` of the same inputs (tests hold them
equal, and `verify=True` checks every reused page plan against `plan_pages`).

What is kept between updates, and what each change redoes:

- inputs: only the files a watcher saw change are looked at (all of them, and the archive
  walked again, when one came or went); a file is read again only when its (or its
  sidecar's) size, time or inode changed; an article is cleaned again only when its text
  or slug did (cleaned documents are kept by content);
- related documents: `RelatedIndex` keeps each document's terms and their postings, and
  rescores only the documents that share a changed term with an edited one (all of them,
  in worker processes, when documents come or go: the weights depend on how many there are);
- the page plan: when the edited documents keep their place in it (slug, dates, cities,
  source and script unchanged), the last plan is reused with the new documents put in place
  of the old ones (`_substitute`, guided by `_Holders`); otherwise `plan_pages` plans again;
- pages: what each template reads of its context is found in its syntax tree, following
  values into loops and macros (`_Reads`: a listing reads its documents' titles, not their
  bodies); a page is rendered again only when that, or one of its templates, changed;
- the 简/繁 tables: each page's share of them is counted, and a page's text is scanned again
  only when its runs of Han text changed;
- search: the search files are built whole (their scores depend on every document) by
  `build_search()`, which the server runs in the background after publishing the pages.

A configuration change (`sitegen.toml`) needs a new `IncrementalSite`: everything is redone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from jinja2 import TemplateError, TemplateSyntaxError, meta, nodes

from sitegen.build import (
    _SHARED,
    BuildReport,
    InputFile,
    InputReport,
    _ingest_key,
    _NoCache,
    _run,
    _slug,
    _unique,
    _with_removed,
    _write_search,
    _write_static,
    default_workers,
    described_for_search,
    ingest_files,
    read_sidecar,
    replaced_bytes,
    sidecar_ignored,
)
from sitegen.cache import Cache
from sitegen.chinese import S2T_RUN, switch_tables
from sitegen.config import Config
from sitegen.errors import BuildError, ConfigError, SitegenError
from sitegen.ingest.gazetteer import Gazetteer, load_gazetteer
from sitegen.ingest.meta import describe
from sitegen.ingest.read import (
    RESERVED_DIRS,
    UnreadableFile,
    find_sources,
    outside_links,
    read_source,
)
from sitegen.ingest.sidecar import SUFFIX as SIDECAR_SUFFIX
from sitegen.ingest.sidecar import (
    Sidecar,
    SidecarError,
    apply_sidecar,
    sidecar_path,
)
from sitegen.ingest.split import split_articles
from sitegen.model import Article, City, Document, Field, PartialDate, Removal, Source
from sitegen.render import related as related_module
from sitegen.render.env import (
    ONCE_PER_DOCUMENT,
    PageEnvironment,
    make_environment,
    markdown_to_html,
)
from sitegen.render.feeds import TABLES_PATH, site_files, tables_script
from sitegen.render.pages import Page, plan_pages
from sitegen.render.site import MarkdownPage, SiteInfo, read_pages, render_pages, site_info
from sitegen.resources import package_dir
from sitegen.search.tokenize import normalize
from sitegen.writer import SiteWriter, update_site

log = logging.getLogger(__name__)

REPORT = "build-report.json"
PREFETCH_FROM = 200  # input files: fewer are cleaned quicker in this process
RENDER_IN_WORKERS_FROM = 2000  # pages: fewer are rendered quicker in this process
RENDER_CHUNK = 48  # pages per task
WHOLE_FROM = 200  # related rows to rescore above which all of them are scored afresh
ARRAYS_KEPT = 200_000  # terms' postings kept as arrays for rescoring rows; then forgotten
SITEMAP = "sitemap.xml"

Publish = Callable[[], contextlib.AbstractContextManager[Any]]


@dataclass(frozen=True)
class Problem:
    """Why a build failed, for the terminal and the browser's overlay."""

    message: str
    file: str | None = None  # archive-relative when inside the archive, else absolute
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file and self.line else self.file
        return f"{where}: {self.message}" if where and where not in self.message else self.message


class BuildFailed(Exception):
    """The update could not finish; the site on disk is the last good one."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Update:
    """What one update changed in the site."""

    written: tuple[str, ...]  # site paths, '/'-separated
    removed: tuple[str, ...]
    rendered: int  # pages rendered
    pages: int  # pages in the site
    documents: int
    warnings: tuple[str, ...]
    seconds: float
    whole: bool = False  # written whole (first build), not changed in place
    replanned: bool = False  # every page planned again (documents came, went or moved)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


@dataclass(frozen=True)
class SearchJob:
    """The documents of one update, for building their search files anywhere."""

    generation: int
    documents: tuple[Document, ...]


@dataclass(frozen=True)
class SearchInputs:
    """What building the search files needs of a job's documents, small enough to send
    to a process that does not share this one's memory: (title, Markdown body, place)
    of each document, and what its results show."""

    items: tuple[tuple[str, str, str], ...]
    described: tuple[Any, ...]

    @classmethod
    def of(cls, job: SearchJob) -> SearchInputs:
        from sitegen.search.publish import place_of

        documents = job.documents
        items = tuple((d.title.value, d.body_markdown, place_of(d)) for d in documents)
        return cls(items, tuple(described_for_search(documents)))


def build_search_files(
    inputs: SearchInputs, folder: Path | None = None
) -> tuple[dict[str, bytes], dict[str, bytes] | None]:
    """Make every search file of the site for `inputs`, as `sitegen build` writes them;
    write them into `folder` if given, else keep them. Return (path -> digest, contents)."""
    from sitegen.search.publish import entries_from, search_files_of
    from sitegen.search.snippets import snippet_file

    bodies = [snippet_file(body) for _, body, _ in inputs.items]
    digests: dict[str, bytes] = {}
    files: dict[str, bytes] = {}
    for path, content in search_files_of(entries_from(inputs.items), inputs.described, bodies):
        assert not isinstance(content, Path)  # only with a spill folder, not given here
        data = _encode(content)
        digests[path] = _digest(data)
        if folder is None:
            files[path] = data
            continue
        target = folder.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return digests, None if folder is not None else files


@dataclass(frozen=True)
class SearchFiles:
    """The search files for one state of the documents, ready to publish."""

    generation: int
    documents: tuple[Document, ...]
    digests: dict[str, bytes]  # path -> digest of its content
    files: dict[str, bytes] | None = None  # the contents, or…
    folder: Path | None = None  # …the folder they were written to


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _encode(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


class _Collect:
    """Stands in for `SiteWriter` where build.py's helpers write: keeps the files in memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, path: str, content: str | bytes) -> None:
        if path in self.files:
            raise BuildError(f"two pages want the same file: {path!r}")
        self.files[path] = _encode(content)

    def copy(self, path: str, source: Path) -> None:
        self.write(path, source.read_bytes())


# --- inputs -------------------------------------------------------------------------------


def _stat(path: Path) -> tuple[int, ...]:
    try:
        s = path.stat()
    except OSError:
        return ()
    return (s.st_mtime_ns, s.st_ctime_ns, s.st_size, s.st_ino)


@dataclass
class _Input:
    """One input file as last read, and the documents last made from it."""

    key: tuple[int, ...]
    report: InputReport  # status, encoding; documents filled in per update
    warnings: tuple[str, ...]  # what reading it said, in `_gather`'s words and order
    source: Source | None = None
    sidecar: Sidecar | None = None
    sidecar_problem: Problem | None = None
    split: tuple[tuple[Article, ...], tuple[Removal, ...]] | None = None
    bases: tuple[str, ...] | None = None  # each article's slug before it is made unique
    made: tuple[tuple[str, ...], tuple[Document, ...], tuple[tuple[str, ...], ...]] | None = None


def _read_input(path: Path, relative: PurePosixPath, key: tuple[int, ...]) -> _Input:
    """Read one file and its sidecar as `build._gather` does."""
    name = str(relative)
    try:
        source, replaced = read_source(path, relative)
    except (UnreadableFile, OSError) as error:
        report = InputReport(name, "skipped", None, (), problem=str(error))
        return _Input(key, report, (f"{relative}: skipped, {error}",))
    if not source.text.strip():
        report = InputReport(name, "skipped", source.encoding, (), problem="empty")
        return _Input(key, report, (f"{relative}: skipped, the file is empty",))
    warnings = [replaced_bytes(relative, replaced, source.encoding)] if replaced else []
    record = _Input(key, InputReport(name, "read", source.encoding, ()), (), source)
    side = sidecar_path(path)

    def ignored(error: SidecarError, side_name: str) -> None:
        warnings.append(sidecar_ignored(error))
        record.sidecar_problem = sidecar_problem(str(error), side, side_name)

    record.sidecar = read_sidecar(side if side.is_file() else None, relative, ignored)
    record.warnings = tuple(warnings)
    return record


# --- related documents ----------------------------------------------------------------------


class RelatedIndex:
    """`render.related.related_documents`, kept up to date instead of computed afresh.

    Same terms, weights and float sums in the same order, so the same result; a document's
    row is rescored only when a term it holds gained or lost a document, or a city changed.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self.text: dict[str, tuple[str, str]] = {}  # slug -> (title, body) of its terms
        self.terms: dict[str, tuple[str, ...]] = {}  # slug -> its bigrams, sorted
        self.keys: dict[str, bytes] = {}  # slug -> the same as `related.bigram_keys`
        self.postings: dict[str, set[str]] = {}
        self.rows: dict[str, tuple[str, ...]] = {}
        self.count = -1
        self.limit = -1
        self.city_of: dict[str, str] = {}
        self.unpublished: set[str] = set()  # rows changed since `published()`
        # a number for each document (a slug keeps its own for good) and each term's
        # posting as an array of them, made when a row needs it, dropped when it changes
        self._number: dict[str, int] = {}
        self._slugs: list[str] = []
        self._arrays: dict[str, np.ndarray] = {}

    def __call__(
        self,
        documents: Sequence[Document],
        city_of: Mapping[str, str],
        limit: int = related_module.LIMIT,
    ) -> dict[str, tuple[Document, ...]]:
        by_slug = {d.slug: d for d in documents}
        self.update(by_slug, city_of, limit)
        return {d.slug: tuple(by_slug[s] for s in self.rows[d.slug]) for d in documents}

    def update(
        self, by_slug: Mapping[str, Document], city_of: Mapping[str, str], limit: int
    ) -> set[str]:
        """Bring the rows up to date; return the slugs whose row changed."""
        count = len(by_slug)
        most = related_module.most_postings(count)
        old_most = related_module.most_postings(self.count)
        touched: dict[str, int] = {}  # term -> its posting count before this update
        dirty: set[str] = set()
        for slug in [s for s in self.terms if s not in by_slug]:
            del self.keys[slug]
            for term in self.terms.pop(slug):
                touched.setdefault(term, len(self.postings[term]))
                self.postings[term].discard(slug)
            del self.text[slug]
            self.rows.pop(slug, None)
        for slug, document in by_slug.items():
            text = (document.title.value, document.body_markdown)
            if self.text.get(slug) == text:
                continue
            keys = related_module.bigram_keys(normalize(text[0] + "\n" + text[1]))
            terms = related_module.key_terms(keys)
            old = self.terms.get(slug, ())
            if slug not in self._number:
                self._number[slug] = len(self._slugs)
                self._slugs.append(slug)
            if terms != old:
                new_set, old_set = set(terms), set(old)
                for term in old_set - new_set:
                    touched.setdefault(term, len(self.postings[term]))
                    self.postings[term].discard(slug)
                for term in new_set - old_set:
                    posting = self.postings.setdefault(term, set())
                    touched.setdefault(term, len(posting))
                    posting.add(slug)
                dirty.add(slug)
            self.terms[slug], self.keys[slug], self.text[slug] = terms, keys, text
        whole = count != self.count or most != old_most or limit != self.limit
        if not whole:
            for term, before in touched.items():
                after = len(self.postings.get(term, ()))
                if 2 <= before <= most or 2 <= after <= most:
                    dirty.update(self.postings.get(term, ()))
            moved = {s for s in by_slug if city_of.get(s) != self.city_of.get(s)}
            for slug in moved:
                dirty.add(slug)
                dirty.update(self._candidates(slug, most))
        for term in [t for t in touched if not self.postings.get(t)]:
            self.postings.pop(term, None)
        if len(self._arrays) > ARRAYS_KEPT:
            self._arrays.clear()
        for term in touched:
            self._arrays.pop(term, None)
        self.count, self.limit, self.city_of = count, limit, dict(city_of)
        if not whole and len(dirty) > max(WHOLE_FROM, count // 10):
            whole = True  # most rows: quicker all at once, in worker processes
        changed = set()
        if whole:  # every weight changed: all rows, in worker processes when there are many
            found = related_module.related_documents(
                list(by_slug.values()), city_of, limit, keys_by_slug=self.keys
            )
            rows = {slug: tuple(d.slug for d in found[slug]) for slug in by_slug}
        else:
            slugs = dirty & by_slug.keys()
            cities = related_module.city_numbers(self._slugs, city_of)
            rows = {slug: self._row(slug, count, most, cities, limit) for slug in slugs}
        for slug, row in rows.items():
            if self.rows.get(slug) != row:
                changed.add(slug)
            self.rows[slug] = row
        self.unpublished |= changed
        if whole:
            self.unpublished |= by_slug.keys()
        return changed

    def published(self) -> None:
        """The rows as they are now are in the site."""
        self.unpublished = set()

    def _candidates(self, slug: str, most: int) -> set[str]:
        found: set[str] = set()
        for term in self.terms[slug]:
            posting = self.postings[term]
            if 2 <= len(posting) <= most:
                found.update(posting)
        found.discard(slug)
        return found

    def _row(
        self, slug: str, count: int, most: int, cities: np.ndarray, limit: int
    ) -> tuple[str, ...]:
        """`related_documents`' row of `slug`: one weighted `numpy.bincount` over the
        postings of its rare terms, in the terms' sorted order (the same float sums)."""
        postings, arrays, number = self.postings, self._arrays, self._number
        rare = [t for t in self.terms[slug] if 2 <= len(postings[t]) <= most]
        if not rare:
            return ()
        docs = []
        for term in rare:
            found = arrays.get(term)
            if found is None:
                found = arrays[term] = np.array([number[s] for s in postings[term]], np.int64)
            docs.append(found)
        sizes = np.array([len(d) for d in docs])
        table = related_module.term_weights(count)
        scores = np.bincount(
            np.concatenate(docs), weights=np.repeat(table[sizes], sizes), minlength=len(self._slugs)
        )
        best = related_module.best_others(scores, number[slug], cities, self._slugs, limit)
        return tuple(self._slugs[o] for o in best)


# --- templates ----------------------------------------------------------------------------

Path_ = tuple[Any, ...]  # a context name, then attribute names, constant keys and marks below
ITEM = "\0each"  # every element of what comes before (a `for` loop)
LEN = "\0len"  # how many elements (a loop's count, `| length`)
TRUTH = "\0truth"  # only whether it is true (`{% if neighbours.city %}`)


@dataclass(frozen=True)
class Closure:
    """A template with every template it uses: their digest and what they read."""

    digest: bytes
    reads: tuple[Path_, ...] | None  # None: cannot be known (a computed include)

    @functools.cached_property
    def trie(self) -> _Trie:
        """The paths as a tree: context name, then each step."""
        top = _Trie()
        for path in self.reads or ():
            node = top
            for part in path:
                node = node.children.setdefault(part, _Trie())
            node.whole = True
        return top


@dataclass
class _Trie:
    children: dict[Any, _Trie] = dataclasses.field(default_factory=dict)
    whole: bool = False  # the value here is read whole


class Templates:
    """The template files as they are now: which changed, what each one reads."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = list(folders)
        self.files: dict[str, tuple[Path, bytes]] = {}  # name -> (file, digest)
        self.env: PageEnvironment | None = None
        self._parsed: dict[tuple[str, bytes], tuple[frozenset[str] | None, nodes.Template]] = {}
        self._closures: dict[str, Closure] = {}

    def refresh(self) -> bool:
        """Look at the template files again; return whether any changed."""
        found: dict[str, tuple[Path, bytes]] = {}
        for folder in self.folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                name = path.relative_to(folder).as_posix()
                if path.is_file() and name not in found:
                    found[name] = (path, _digest(path.read_bytes()))
        if found == self.files and self.env is not None:
            return False
        self.files = found
        self.env = make_environment(self.folders)
        self._closures = {}
        return True

    def closure(self, name: str) -> Closure:
        """Return a digest of `name` and every template it uses, and what they read."""
        known = self._closures.get(name)
        if known is not None:
            return known
        trees: dict[str, nodes.Template] = {}
        todo, seen, knowable = [name], set(), True
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if current not in self.files:
                continue  # rendering will say it is missing
            references, trees[current] = self._parse(current)
            if references is None:
                knowable = False
                todo.extend(self.files)
            else:
                todo.extend(sorted(references))
        digest = _digest(
            "\n".join(f"{n}\t{self.files[n][1].hex()}" for n in sorted(trees)).encode()
        )
        reads = tuple(sorted(_Reads(trees).paths, key=repr)) if knowable else None
        result = self._closures[name] = Closure(digest, reads)
        return result

    def _parse(self, name: str) -> tuple[frozenset[str] | None, nodes.Template]:
        path, digest = self.files[name]
        cached = self._parsed.get((name, digest))
        if cached is not None:
            return cached
        assert self.env is not None
        text = path.read_text(encoding="utf-8")
        tree = self.env.parse(text, name, str(path))  # raises TemplateSyntaxError
        references = list(meta.find_referenced_templates(tree))
        names = None if None in references else frozenset(r for r in references if r)
        self._parsed[(name, digest)] = (names, tree)
        return names, tree


Binding = Path_ | None  # where a local name's value comes from; None: nothing to follow
_MACRO_DEPTH = 12


class _Reads:
    """Find what templates read from their context, following values into loops and macros.

    `{% for doc in page.documents %}{{ doc_card(doc) }}` with `doc_card` showing
    `doc.title.value` reads ('page', 'documents', ITEM, 'title', 'value'): a page that lists
    documents is rendered again when a title changes, not when a body does. Whatever this
    cannot follow (a filter, a function, an expression) is read whole.
    """

    def __init__(self, trees: Mapping[str, nodes.Template]) -> None:
        self.paths: set[Path_] = set()
        self.macros: dict[str, list[nodes.Macro]] = {}
        for tree in trees.values():
            for macro in tree.find_all(nodes.Macro):
                self.macros.setdefault(macro.name, []).append(macro)
        for tree in trees.values():  # `from "x" import a as b`
            for imported in tree.find_all(nodes.FromImport):
                for item in imported.names:
                    if isinstance(item, tuple) and item[0] in self.macros:
                        self.macros.setdefault(item[1], []).extend(self.macros[item[0]])
        self.active: list[nodes.Macro] = []
        for tree in trees.values():
            self.statements(tree.body, {})

    # statements

    def statements(self, body: Sequence[nodes.Node], env: dict[str, Binding]) -> None:
        for node in body:
            self.statement(node, env)

    def statement(self, node: nodes.Node, env: dict[str, Binding]) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.use(child, env)
        elif isinstance(node, nodes.If):
            self.use(node.test, env, truth=True)
            self.statements(node.body, env)
            self.statements(node.elif_, env)
            self.statements(node.else_, env)
        elif isinstance(node, nodes.For):
            inner = dict(env, loop=None)
            source = self.binding(node.iter, env) if not node.recursive else None
            if source is None:
                self.use(node.iter, env)
            else:
                self.read(*source, LEN)
            self.bind(node.target, None if source is None else (*source, ITEM), inner)
            if node.test is not None:
                self.use(node.test, inner, truth=True)
            self.statements(node.body, inner)
            self.statements(node.else_, env)
        elif isinstance(node, nodes.Assign):
            source = self.binding(node.node, env)
            if source is None:
                self.use(node.node, env)
            self.bind(node.target, source, env)
        elif isinstance(node, nodes.Macro):
            pass  # read where it is called
        elif isinstance(node, nodes.CallBlock):
            self.use(node.call, env)
            self.statements(node.body, dict(env, caller=None))
        elif isinstance(node, nodes.With):
            inner = dict(env)
            for target, value in zip(node.targets, node.values, strict=True):
                source = self.binding(value, env)
                if source is None:
                    self.use(value, env)
                self.bind(target, source, inner)
            self.statements(node.body, inner)
        elif isinstance(node, nodes.Block | nodes.Scope | nodes.FilterBlock | nodes.AssignBlock):
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.use(child, env)
                else:
                    self.statement(child, env)
        elif isinstance(node, nodes.Expr):
            self.use(node, env)
        else:  # Extends, Include, Import, FromImport and anything new: read every expression
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Expr):
                    self.use(child, env)
                else:
                    self.statement(child, env)

    def bind(self, target: nodes.Node, source: Binding, env: dict[str, Binding]) -> None:
        if isinstance(target, nodes.Name):
            env[target.name] = source
        elif isinstance(target, nodes.Tuple):
            for n, item in enumerate(target.items):
                self.bind(item, None if source is None else (*source, n), env)

    # expressions

    def binding(self, node: nodes.Node, env: Mapping[str, Binding]) -> Binding:
        """Where the value of `node` comes from, if it is a name followed by attributes."""
        if isinstance(node, nodes.Name):
            if node.name in env:
                return env[node.name]
            return (node.name,)
        if isinstance(node, nodes.Getattr):
            base = self.binding(node.node, env)
            return None if base is None else (*base, node.attr)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = self.binding(node.node, env)
            return None if base is None else (*base, node.arg.value)
        return None

    def read(self, *path: Any) -> None:
        self.paths.add(path)

    def use(self, node: nodes.Node, env: Mapping[str, Binding], truth: bool = False) -> None:
        """Note what evaluating `node` reads (only its truth, if `truth`)."""
        source = self.binding(node, env)
        if source is not None:
            self.read(*source, TRUTH) if truth else self.read(*source)
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem) and self._local(node, env):
            if isinstance(node, nodes.Getitem):
                self.use(node.arg, env)
            return  # a value made in the template (a loop counter, a macro's argument)
        if isinstance(node, nodes.And | nodes.Or):
            self.use(node.left, env, truth)
            self.use(node.right, env, truth)
        elif isinstance(node, nodes.Not):
            self.use(node.node, env, truth=True)
        elif isinstance(node, nodes.CondExpr):
            self.use(node.test, env, truth=True)
            self.use(node.expr1, env, truth)
            if node.expr2 is not None:
                self.use(node.expr2, env, truth)
        elif isinstance(node, nodes.Filter) and node.name in ("length", "count"):
            source = self.binding(node.node, env) if node.node is not None else None
            if source is not None:
                self.read(*source, LEN)
            elif node.node is not None:
                self.use(node.node, env)
        elif isinstance(node, nodes.Call):
            self.call(node, env)
        else:
            for child in node.iter_child_nodes():
                self.use(child, env)

    def _local(self, node: nodes.Node, env: Mapping[str, Binding]) -> bool:
        while isinstance(node, nodes.Getattr | nodes.Getitem):
            node = node.node
        return isinstance(node, nodes.Name) and node.name in env and env[node.name] is None

    def call(self, node: nodes.Call, env: Mapping[str, Binding]) -> None:
        if (
            isinstance(node.node, nodes.Name)
            and node.node.name == ONCE_PER_DOCUMENT
            and node.node.name not in env
            and node.args
            and isinstance(node.args[0], nodes.Name)
        ):  # `once_per_document(macro, doc, ...)` (render.env) reads what `macro(doc, ...)` reads
            first, *rest = node.args
            node = nodes.Call(first, rest, node.kwargs, node.dyn_args, node.dyn_kwargs)
        arguments = [*node.args, *(k.value for k in node.kwargs)]
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                arguments.append(extra)
        name = node.node.name if isinstance(node.node, nodes.Name) else None
        macros = self.macros.get(name, []) if name is not None and name not in env else []
        if not macros:
            function = self.binding(node.node, env)
            if function is not None and isinstance(node.node, nodes.Getattr):
                function = function[:-1]  # a method: what it belongs to
            if function is not None:
                self.read(*function)
            elif not self._local(node.node, env):
                self.use(node.node, env)
            for argument in arguments:
                self.use(argument, env)
            return
        sources = [self.binding(a, env) for a in node.args]
        for argument, source in zip(node.args, sources, strict=True):
            if source is None:
                self.use(argument, env)
        keywords = {}
        for keyword in node.kwargs:
            keywords[keyword.key] = self.binding(keyword.value, env)
            if keywords[keyword.key] is None:
                self.use(keyword.value, env)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.use(extra, env)
        for macro in macros:
            if macro in self.active or len(self.active) >= _MACRO_DEPTH:
                continue
            inner: dict[str, Binding] = {"caller": None, "varargs": None, "kwargs": None}
            names = [a.name for a in macro.args]
            defaults = dict(
                zip(names[len(names) - len(macro.defaults) :], macro.defaults, strict=True)
            )
            for n, parameter in enumerate(macro.args):
                if n < len(sources):
                    inner[parameter.name] = sources[n]
                elif parameter.name in keywords:
                    inner[parameter.name] = keywords[parameter.name]
                else:
                    inner[parameter.name] = None
                    if parameter.name in defaults:
                        self.use(defaults[parameter.name], {})
            self.active.append(macro)
            self.statements(macro.body, inner)
            self.active.pop()


_MISSING = object()


def _step(value: Any, part: Any) -> Any:
    """One `.name` or `[key]`, as Jinja looks it up (attribute first, then item)."""
    if isinstance(part, str):
        try:
            return getattr(value, part)
        except AttributeError:
            pass
    try:
        return value[part]
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    if not isinstance(part, str):
        try:
            return getattr(value, str(part))
        except (AttributeError, TypeError):
            pass
    return _MISSING


def same_reads(old: Page, new: Page, closure: Closure, keys: Iterable[str] | None = None) -> bool:
    """Whether rendering `new` with `closure` reads what rendering `old` read.

    Only the context names `keys` are compared when given (the others are the same objects).
    """
    if (old.path, old.template, old.lang, old.canonical, old.section, old.root) != (
        new.path, new.template, new.lang, new.canonical, new.section, new.root
    ):  # fmt: skip
        return False
    if closure.reads is None:
        return old.context == new.context
    trie = closure.trie
    for key in trie.children if keys is None else keys:
        child = trie.children.get(key)
        if child is not None and not _same(
            old.context.get(key, _MISSING), new.context.get(key, _MISSING), child
        ):
            return False
    return True


def _same(old: Any, new: Any, trie: _Trie) -> bool:
    """Whether `old` and `new` agree on every path of `trie`."""
    if old is new:
        return True
    if old is _MISSING or new is _MISSING:
        return False
    if trie.whole:
        return bool(old == new)
    for part, child in trie.children.items():
        if part == ITEM:
            try:
                olds, news = list(old), list(new)
            except TypeError:
                return False
            if len(olds) != len(news):
                return False
            if not all(a is b or _same(a, b, child) for a, b in zip(olds, news, strict=True)):
                return False
        elif part == LEN:
            try:
                if len(old) != len(new):
                    return False
            except TypeError:
                return False
        elif part == TRUTH:
            if bool(old) != bool(new):
                return False
        elif not _same(_step(old, part), _step(new, part), child):
            return False
    return True


# --- the page plan ------------------------------------------------------------------------

_LEAVES = (str, int, float, bool, bytes, type(None), types.FunctionType, types.BuiltinFunctionType)
_NO_DOCUMENTS = (City, Field, PartialDate, Source, Removal, SiteInfo, MarkdownPage)
_NOT_CONTAINERS = (*_LEAVES, *_NO_DOCUMENTS, Document)


def _container(value: Any) -> bool:
    return not isinstance(value, _NOT_CONTAINERS)


def _children(value: Any) -> list[Any]:
    if type(value) is tuple or type(value) is list:
        return list(value)
    if type(value) is dict:
        return list(value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    return []


class _Holders:
    """For each object of a page plan that holds documents, the containers holding it."""

    def __init__(self, roots: Iterable[Any]) -> None:
        self.up: dict[int, dict[int, Any]] = {}
        seen: dict[int, bool] = {}
        for root in roots:
            self._learn(root, None, seen)

    def above(self, objects: Iterable[Any]) -> set[int]:
        """The ids of every container holding one of `objects`, however deep."""
        found: set[int] = set()
        todo = [id(o) for o in objects]
        while todo:
            for parent in self.up.get(todo.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def replace(self, old: Iterable[Any], roots: Iterable[Any], fresh: set[int]) -> None:
        """Forget the objects `old`; learn the new objects (ids `fresh`) below `roots`."""
        old = list(old)
        for value in old:
            for child in _children(value):
                holders = self.up.get(id(child))
                if holders is not None:
                    holders.pop(id(value), None)
        for value in old:
            self.up.pop(id(value), None)
        seen: dict[int, bool] = {}
        for root in roots:
            self._learn(root, fresh, seen)

    def _learn(self, value: Any, fresh: set[int] | None, seen: dict[int, bool]) -> bool:
        """Note the holders below `value` (only new objects if `fresh`); say if it holds any."""
        if isinstance(value, Document):
            return True
        if not _container(value):
            return False
        key = id(value)
        if fresh is not None and key not in fresh:
            return key in self.up
        known = seen.get(key)
        if known is not None:
            return known
        seen[key] = False
        holds = False
        for child in _children(value):
            if self._learn(child, fresh, seen):
                self.up.setdefault(id(child), {})[key] = value
                holds = True
        seen[key] = holds
        return holds


def _substitute(
    value: Any, new: Mapping[int, Any], within: set[int], memo: dict[int, tuple[Any, Any]]
) -> Any:
    """Return `value` with the objects `new` names (by id) put in place of the old ones.

    Only the containers `within` can hold one; those are copied, the rest kept.
    """
    key = id(value)
    if key in new:
        return new[key]
    if key not in within:
        return value
    found = memo.get(key)
    if found is not None:
        return found[1]
    result = value
    if type(value) is tuple or type(value) is list:
        items = [_substitute(v, new, within, memo) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            result = type(value)(items)
    elif type(value) is dict:
        changed = {
            k: v2 for k, v in value.items() if (v2 := _substitute(v, new, within, memo)) is not v
        }
        if changed:
            result = {**value, **changed}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            v2 = _substitute(v, new, within, memo)
            if v2 is not v:
                fields[f.name] = v2
        if fields:
            result = dataclasses.replace(value, **fields)
    memo[key] = (value, result)
    return result


def _place(document: Document) -> tuple[Any, ...]:
    """What decides where a document appears in the plan (not what its pages say)."""
    publisher = document.publisher.value if document.publisher is not None else None
    return (document.slug, document.date, document.posted, document.city, document.cities,
            publisher, document.script)  # fmt: skip


def _document_of(context: Mapping[str, Any]) -> Document | None:
    """The document whose page this context is for (its body and related are its own)."""
    document = context.get("doc")
    if isinstance(document, Document) and "body" in context and "related" in context:
        return document
    return None


@dataclass
class _Plan:
    """Every page of the site, and where each document sits among them."""

    documents: tuple[Document, ...]
    site: SiteInfo
    extra: tuple[MarkdownPage, ...]
    pages: list[Page]
    by_slug: dict[str, Document]
    city_of: dict[str, str]  # what plan_pages gave related_documents
    holders: _Holders
    pages_of: dict[int, list[int]]  # id(context) -> the pages rendered from it
    contexts: dict[int, dict[str, Any]]  # id(context) -> context
    context_of: dict[str, dict[str, Any]]  # slug -> its document page's context
    dirty: dict[int, frozenset[str] | None]  # page -> context keys that changed (None: all)
    reused: bool = False  # the last plan with edited documents put in place
    pending: Callable[[], None] | None = None  # brings `holders` up to this plan (`tidy`)

    @classmethod
    def whole(
        cls,
        documents: tuple[Document, ...],
        site: SiteInfo,
        extra: tuple[MarkdownPage, ...],
        pages: list[Page],
        city_of: dict[str, str],
    ) -> _Plan:
        pages_of: dict[int, list[int]] = {}
        contexts: dict[int, dict[str, Any]] = {}
        context_of: dict[str, dict[str, Any]] = {}
        for n, page in enumerate(pages):
            pages_of.setdefault(id(page.context), []).append(n)
            contexts[id(page.context)] = page.context
            document = _document_of(page.context)
            if document is not None:
                context_of[document.slug] = page.context
        return cls(
            documents, site, extra, pages, {d.slug: d for d in documents}, city_of,
            _Holders(contexts.values()), pages_of, contexts, context_of,
            dict.fromkeys(range(len(pages))),
        )  # fmt: skip


# --- the site -----------------------------------------------------------------------------


class IncrementalSite:
    """The site of one configuration, kept up to date by `update()`.

    `curated_problems_fail`: a sidecar that cannot be used fails the update (the server
    shows it) instead of being ignored with a warning, as `sitegen build` does.
    `verify`: also plan every update from scratch and check the reused plan equals it.
    `publish`: a lock held while the site on disk changes. `workers`: processes for the
    first build's cleaning and for scoring every related document (default: one per
    processor). `cache`: the folder of `sitegen build`'s cache of cleaned files, shared
    (`sitegen.cache`), so that the first build cleans only what no build cleaned before.
    """

    def __init__(
        self,
        config: Config,
        *,
        curated_problems_fail: bool = False,
        verify: bool = False,
        publish: Publish = contextlib.nullcontext,
        workers: int | None = None,
        cache: Path | None = None,
    ) -> None:
        self.config = config
        self.workers = workers or default_workers()
        inside = cache is not None and cache.resolve().is_relative_to(config.source)
        self.cache = None if inside else cache  # never written inside the archive
        self.curated_problems_fail = curated_problems_fail
        self.verify = verify
        self.publish = publish
        self.gazetteer: Gazetteer = load_gazetteer(config.gazetteer)
        self.templates = Templates([config.source / "templates", package_dir("templates")])
        self.related = RelatedIndex(self.workers)
        self._inputs: dict[PurePosixPath, _Input] = {}
        self._walked: (
            tuple[
                list[PurePosixPath],
                list[tuple[Path, PurePosixPath]],
                dict[Path, PurePosixPath],
                dict[Path, PurePosixPath],
            ]
            | None
        ) = None
        self._described: dict[tuple[Article, str], Document] = {}
        self._bodies: dict[str, str] = {}
        self._plan: _Plan | None = None
        self._state = _State()  # what the site on disk was made from
        self._templates_published: dict[str, tuple[Path, bytes]] = {}
        self._scripts: dict[bytes, tuple[str, ...]] = {}
        self._tables_of: tuple[tuple[str, ...], str] | None = None
        self._report: tuple[Any, ...] | None = None
        self._search_files: dict[str, bytes] = {}  # search path -> digest
        self._search_of: tuple[Document, ...] | None = None  # documents the search shows
        self._lock = threading.RLock()
        self.generation = 0  # counts the updates that changed the documents
        self.built = False

    # -- the phases ------------------------------------------------------------------------

    def update(self, changed: Iterable[Path | str] | None = None) -> Update:
        """Bring the site on disk up to date with the archive (all but the search files).

        `changed`: the paths a watcher saw change since the last update, if it saw them
        all; only those files are looked at again (the archive is walked again if one of
        them is new or gone). None: look at every file.
        """
        started = time.perf_counter()
        with self._lock:
            try:
                return self._update(started, changed)
            except BuildFailed:
                raise
            except (SitegenError, TemplateError, SidecarError, OSError) as error:
                raise BuildFailed(problem_from(error, self.config)) from error

    def search_wanted(self) -> bool:
        """Whether the search files lag behind the documents."""
        with self._lock:
            return self._plan is not None and self._search_of != self._plan.documents

    def search_job(self) -> SearchJob:
        """What `prepare_search` needs, taken now (it may then run in another process)."""
        with self._lock:
            assert self._plan is not None
            return SearchJob(self.generation, self._plan.documents)

    def prepare_search(
        self, job: SearchJob | None = None, folder: Path | None = None
    ) -> SearchFiles:
        """Build the search files for the documents of `job` (default: the last update).

        Write them into `folder` if given, else keep them in memory; the site is not
        touched. Safe to run in another thread during an update.
        """
        job = job or self.search_job()
        try:
            digests, files = build_search_files(SearchInputs.of(job), folder)
        except (SitegenError, OSError) as error:
            raise BuildFailed(problem_from(error, self.config)) from error
        return SearchFiles(job.generation, job.documents, digests, files, folder)

    def publish_search(self, prepared: SearchFiles, started: float | None = None) -> Update | None:
        """Write the search files that changed; None if newer documents made them stale."""
        started = time.perf_counter() if started is None else started
        with self._lock:
            if prepared.generation != self.generation or self._plan is None:
                return None
            digests, old = prepared.digests, self._search_files
            written = [p for p, d in digests.items() if old.get(p) != d]
            removed = [p for p in old if p not in digests]
            contents: dict[str, bytes | Path] = {}
            for path in written:
                if prepared.files is not None:
                    contents[path] = prepared.files[path]
                else:
                    assert prepared.folder is not None
                    contents[path] = prepared.folder.joinpath(*PurePosixPath(path).parts)
            with self.publish():
                update_site(self.config.out, contents, removed)
            self._search_files = digests
            self._search_of = prepared.documents
            pages, documents = len(self._plan.pages), len(prepared.documents)
        return Update(
            tuple(written), tuple(removed), 0, pages, documents, (),
            time.perf_counter() - started,
        )  # fmt: skip

    def build_search(self) -> Update | None:
        """Build and publish the search files now."""
        started = time.perf_counter()
        return self.publish_search(self.prepare_search(), started)

    # -- one update ------------------------------------------------------------------------

    def _update(self, started: float, changed: Iterable[Path | str] | None) -> Update:
        config = self.config
        warnings: list[str] = []
        documents, inputs = self._documents(warnings, changed)
        self.templates.refresh()
        extra = tuple(read_pages(config.source / "pages"))
        site = site_info(config, extra)
        plan = self._replan(documents, site, extra)
        if self.verify and plan is not self._plan:
            self._check(plan)
        if not self.built:
            update = self._write_whole(plan, inputs, warnings, started)
        else:
            update = self._write_changes(plan, inputs, warnings, started)
            if plan is not self._plan and not plan.reused:
                update = dataclasses.replace(update, replanned=True)
        self._templates_published = self.templates.files
        self.related.published()
        if self._plan is None or plan.documents != self._plan.documents:
            self.generation += 1
        self._plan = plan
        return update

    def _scan(
        self, changed: Iterable[Path | str] | None
    ) -> tuple[list[PurePosixPath], list[tuple[Path, PurePosixPath]], set[PurePosixPath] | None]:
        """The archive's links leading out, its input files, and which of them to look at.

        With `changed`, the last walk of the archive serves again unless a changed path is
        an input file it did not see, or one it saw that is gone.
        """
        root = self.config.source
        if changed is not None and self._walked is not None:
            links, files, known, sidecars = self._walked
            look: set[PurePosixPath] | None = set()
            for name in changed:
                path = Path(name)
                if not path.is_relative_to(root) or path == root:
                    continue
                parts = path.relative_to(root).parts
                if parts[0] in RESERVED_DIRS or path == self.config.config_file:
                    continue  # templates, static files, pages: looked at by every update
                relative = known.get(path)
                if relative is None and path.name.endswith(SIDECAR_SUFFIX):
                    relative = sidecars.get(path)
                    if relative is None:
                        continue  # a sidecar of no input is not read
                elif relative is None or not path.exists():
                    look = None  # a file came or went: walk the archive again
                    break
                look.add(relative)
            if look is not None:
                return links, files, look
        links = list(outside_links(root))
        files = list(find_sources(root))
        known = {path: relative for path, relative in files}
        sidecars = {sidecar_path(path): relative for path, relative in files}
        self._walked = (links, files, known, sidecars)
        return links, files, None

    def _documents(
        self, warnings: list[str], changed: Iterable[Path | str] | None = None
    ) -> tuple[list[Document], list[InputReport]]:
        """Gather and describe as `build._gather` and `build._describe_all` do, reusing."""
        links, files, look = self._scan(changed)
        if not self._inputs and (
            self.cache is not None or (self.workers > 1 and len(files) >= PREFETCH_FROM)
        ):
            self._prefetch(files)
        inputs: list[InputReport] = []
        for link in links:
            message = f"{link}: a link pointing outside the archive; not followed"
            warnings.append(message)
            inputs.append(
                InputReport(str(link), "skipped", None, (), problem="link outside archive")
            )
        records: list[_Input] = []
        seen: dict[PurePosixPath, _Input] = {}
        for path, relative in files:
            record = self._inputs.get(relative)
            if record is None or look is None or relative in look:
                key = _stat(path) + (-1,) + _stat(sidecar_path(path))
                if record is None or record.key != key:
                    record = _read_input(path, relative, key)
            seen[relative] = record
            records.append(record)
            warnings.extend(record.warnings)
            if record.sidecar_problem is not None and self.curated_problems_fail:
                raise BuildFailed(record.sidecar_problem)
        self._inputs = seen
        documents: list[Document] = []
        used: set[str] = set()
        for record in records:
            if record.source is None:
                inputs.append(record.report)
                continue
            slugs, made = self._describe(record, used, warnings)
            documents.extend(made)
            between = len(record.split[1]) if record.split else 0
            report = record.report
            if report.documents != slugs or report.removed_outside_articles != between:
                report = record.report = dataclasses.replace(
                    report, documents=slugs, removed_outside_articles=between
                )
            inputs.append(report)
        return documents, inputs

    def _describe(
        self, record: _Input, used: set[str], warnings: list[str]
    ) -> tuple[tuple[str, ...], tuple[Document, ...]]:
        """Split, clean and describe one file's articles; curated sidecar fields win."""
        source, sidecar = record.source, record.sidecar
        assert source is not None
        if record.split is None:
            record.split = split_articles(source)
        articles, between = record.split
        if sidecar is not None:
            for problem in sidecar.check_articles(len(articles)):
                self._curated(problem, record)
                warnings.append(problem)
        if record.bases is None:
            record.bases = tuple(_slug(source, a.index, len(articles)) for a in articles)
        slugs: list[str] = []
        slug_warnings: list[tuple[str, ...]] = []
        for base in record.bases:
            if base not in used:  # what _unique does with a free slug, without a call
                used.add(base)
                slugs.append(base)
                slug_warnings.append(())
                continue
            said: list[str] = []
            slugs.append(_unique(base, used, source, said))
            slug_warnings.append(tuple(said))
        key = tuple(slugs)
        if record.made is not None and record.made[0] == key:
            _, made, entry_warnings = record.made
        else:
            documents, entry_warnings_list = [], []
            for article, slug in zip(articles, slugs, strict=True):
                document = self._described.get((article, slug))
                if document is None:
                    try:
                        document = describe(article, self.gazetteer, slug)
                    except Exception as error:  # name the file, then stop: a bug, not bad input
                        raise BuildError(f"{source.path}: cleaning failed: {error!r}") from error
                    if article.index == len(articles) - 1 and between:
                        document = _with_removed(document, between)
                    self._described[(article, slug)] = document
                said = []
                if sidecar is not None:
                    try:
                        entry = sidecar.entry(article.index, len(articles))
                        document = apply_sidecar(document, entry, self.gazetteer)
                    except SidecarError as error:
                        message = f"{sidecar.path}: {error}; that correction is ignored"
                        self._curated(message, record)
                        said.append(message)
                documents.append(document)
                entry_warnings_list.append(tuple(said))
            made, entry_warnings = tuple(documents), tuple(entry_warnings_list)
            record.made = (key, made, entry_warnings)
        for before, after in zip(slug_warnings, entry_warnings, strict=True):
            warnings.extend(before)
            warnings.extend(after)
        return key, made

    def _prefetch(self, files: list[tuple[Path, PurePosixPath]]) -> None:
        """Clean every file as `sitegen build` does (its cache, its workers), for `_describe`."""
        inputs = []
        for path, relative in files:
            try:
                inputs.append(InputFile(path, relative, path.read_bytes()))
            except OSError as error:
                inputs.append(InputFile(path, relative, None, str(error)))
        key = _ingest_key(self.config)
        with Cache(self.cache) if self.cache is not None else contextlib.nullcontext() as store:
            results, new = ingest_files(
                inputs, self.gazetteer, store or _NoCache(), self.workers, ingest_key=key
            )
            if store is not None:
                store.finish(new, (r.key for r in results if r.key))
        for result in results:
            if result.source is None or result.failure is not None or not result.documents:
                continue
            articles, _ = split_articles(result.source)
            for article, document in zip(articles, result.documents, strict=False):
                self._described[(article, document.slug)] = document

    def _curated(self, message: str, record: _Input) -> None:
        if self.curated_problems_fail and record.source is not None:
            side = sidecar_path(self.config.source / Path(str(record.source.path)))
            name = str(PurePosixPath(str(record.source.path)).with_name(side.name))
            raise BuildFailed(sidecar_problem(message, side, name))

    def _body(self, markdown: str) -> str:
        html = self._bodies.get(markdown)
        if html is None:
            html = self._bodies[markdown] = markdown_to_html(markdown)
        return html

    def _replan(
        self, documents: list[Document], site: SiteInfo, extra: tuple[MarkdownPage, ...]
    ) -> _Plan:
        """Return the page plan, reusing the last one when no document moved in it."""
        old = self._plan
        if old is not None and site == old.site and extra == old.extra:
            if tuple(documents) == old.documents:
                return old
            if [d.slug for d in documents] == [d.slug for d in old.documents] and all(
                d is old.by_slug[d.slug] or _place(d) == _place(old.by_slug[d.slug])
                for d in documents
            ):
                return self._replan_in_place(old, documents)
        pages = list(
            plan_pages(documents, self.gazetteer, site, extra, self._body, related_of=self.related)
        )
        return _Plan.whole(tuple(documents), site, extra, pages, dict(self.related.city_of))

    def tidy(self) -> None:
        """Work that can wait until the site is published (the server calls it then)."""
        with self._lock:
            plan = self._plan
            if plan is not None and plan.pending is not None:
                plan.pending()
                plan.pending = None
            if plan is not None:
                self._forget(plan)

    def _replan_in_place(self, old: _Plan, documents: list[Document]) -> _Plan:
        """The last plan with the edited documents in place of the old ones."""
        if old.pending is not None:
            old.pending()
            old.pending = None
        by_slug = {d.slug: d for d in documents}
        edited = [(old.by_slug[d.slug], d) for d in documents if d is not old.by_slug[d.slug]]
        self.related.update(by_slug, old.city_of, self.related.limit)
        within = old.holders.above(o for o, _ in edited)
        new_of = {id(o): n for o, n in edited}
        memo: dict[int, tuple[Any, Any]] = {}
        replaced: dict[int, dict[str, Any]] = {}  # id(old context) -> new context
        for key in within & old.contexts.keys():
            replaced[key] = _substitute(old.contexts[key], new_of, within, memo)
        # What plan_pages works out from the document itself, or from all of them.
        fresh_values: list[Any] = []
        for slug in {o.slug for o, _ in edited} | (self.related.unpublished & by_slug.keys()):
            context, document = old.context_of[slug], by_slug[slug]
            changes: dict[str, Any] = {}
            if id(old.by_slug[slug]) in new_of:
                changes["body"] = self._body(document.body_markdown)
            row = self.related.rows[slug]
            if tuple(d.slug for d in context["related"]) != row:
                changes["related"] = tuple(by_slug[s] for s in row)
                fresh_values.append(changes["related"])
            if changes:
                replaced[id(context)] = {**replaced.get(id(context), context), **changes}
        pages = list(old.pages)
        contexts, pages_of, context_of = (
            dict(old.contexts),
            dict(old.pages_of),
            dict(old.context_of),
        )
        dirty: dict[int, frozenset[str] | None] = {}
        for key, context in replaced.items():
            before = old.contexts[key]
            keys = frozenset(k for k in context if context[k] is not before.get(k))
            del contexts[key]
            contexts[id(context)] = context
            indexes = pages_of.pop(key)
            pages_of[id(context)] = indexes
            for n in indexes:
                pages[n] = dataclasses.replace(pages[n], context=context)
                dirty[n] = keys
            document = _document_of(context)
            if document is not None:
                context_of[document.slug] = context
        gone = {id(o): o for o, _ in edited}
        gone.update((id(v), v) for v, r in memo.values() if r is not v)
        for key, context in replaced.items():
            before = old.contexts[key]
            gone[key] = before
            if "related" in before and context.get("related") is not before["related"]:
                gone[id(before["related"])] = before["related"]
        fresh = {id(r) for v, r in memo.values() if r is not v}
        fresh |= {id(c) for c in replaced.values()} | {id(n) for _, n in edited}
        fresh |= {id(v) for v in fresh_values}

        def pending() -> None:
            old.holders.replace(gone.values(), list(replaced.values()), fresh)

        return _Plan(
            tuple(documents), old.site, old.extra, pages, by_slug, old.city_of, old.holders,
            pages_of, contexts, context_of, dirty, reused=True, pending=pending,
        )  # fmt: skip

    def _check(self, plan: _Plan) -> None:
        """Plan from scratch and insist on the same pages (tests run with `verify`)."""
        fresh = list(plan_pages(plan.documents, self.gazetteer, plan.site, plan.extra, self._body))
        if fresh != plan.pages:
            bad = next(
                (a.path for a, b in zip(fresh, plan.pages, strict=False) if a != b), "page count"
            )
            raise AssertionError(f"incremental page plan differs from plan_pages at {bad}")

    # -- writing -------------------------------------------------------------------------

    def _render(
        self, pages: Sequence[Page], state: _State, emit: Callable[[str, bytes], None]
    ) -> int:
        """Render `pages` and pass each to `emit`; note what each read and its 简/繁 keys."""
        env = self.templates.env
        assert env is not None
        n = 0
        for page, (path, html) in zip(pages, render_pages(env, pages), strict=True):
            state.closure_of[path] = self.templates.closure(page.template).digest
            data = html.encode("utf-8")
            if state.files.get(path) != _digest(data) or path not in state.switch:
                # The tables depend on the page's runs of Han text only: a template's new
                # markup changes no run, and scanning the runs is slow.
                runs = _runs_digest(html)
                if runs != state.runs.get(path) or path not in state.switch:
                    state.count_switch(path, _switch_keys(html))
                    state.runs[path] = runs
            emit(path, data)
            n += 1
        return n

    def _tables(self, keys: list[str]) -> str:
        """The 简/繁 tables script for the keys the site's pages and scripts need."""
        known = tuple(keys)
        if self._tables_of is None or self._tables_of[0] != known:
            self._tables_of = (known, tables_script(keys))
        return self._tables_of[1]

    def _switch_texts(self, state: _State, scripts: list[str]) -> list[str]:
        """Texts that give `switch_tables` the result the whole site's text gives it."""
        for n, script in enumerate(scripts):
            digest = _digest(script.encode("utf-8"))
            keys = self._scripts.get(digest)
            if keys is None:
                keys = self._scripts[digest] = _switch_keys(script)
            state.count_switch(f"\0script {n}", keys)
        for name in [n for n in state.switch if n.startswith("\0script ")]:
            if int(name.split()[-1]) >= len(scripts):
                state.count_switch(name, None)
        return sorted(k for k, n in state.counts.items() if n > 0)

    def _site_files(
        self, plan: _Plan, inputs: list[InputReport] | None, warnings: list[str], state: _State
    ) -> dict[str, bytes]:
        """Static files, feeds, sitemap, 简/繁 tables and the build report (unless no `inputs`)."""
        collect = _Collect()
        scripts = _write_static(collect, [self.config.source / "static", package_dir("static")])
        keys = self._switch_texts(state, scripts)
        # site_files makes the 简/繁 tables from `texts` and the sitemap from `pages`: both are
        # slow for a large site and seldom change, so they are made here only when needed.
        same = plan.reused or plan is self._plan
        for path, content in site_files(plan.documents, plan.site, [] if same else plan.pages, []):
            if path == SITEMAP and same:
                continue  # the same pages, dated the same: the same sitemap
            collect.write(path, self._tables(keys) if path == TABLES_PATH else content)
        if inputs is not None:
            report = BuildReport(
                tuple(inputs),
                len(plan.documents),
                len(plan.pages),
                tuple(warnings),
                self.config.out,
            )
            collect.write(REPORT, report.to_json())
        return collect.files

    def _render_in_workers(self, pages: Sequence[Page], state: _State, writer: SiteWriter) -> int:
        """Render and write every page in worker processes (the first build of a large site)."""
        env = self.templates.env
        assert env is not None
        for page in pages:
            writer.claim(page.path)
            state.closure_of[page.path] = self.templates.closure(page.template).digest
        chunks = [
            (start, min(start + RENDER_CHUNK, len(pages)))
            for start in range(0, len(pages), RENDER_CHUNK)
        ]
        done = _run(
            _render_chunk, chunks, self.workers, chunk=1, env=env, pages=pages, writer=writer
        )
        for rendered in done:
            for path, digest, keys, runs in rendered:
                state.files[path] = digest
                state.count_switch(path, tuple(_intern(k) for k in keys.split("\n") if k))
                state.runs[path] = runs
        return len(pages)

    def _render_changes_in_workers(
        self, pages: Sequence[Page], state: _State, files: dict[str, bytes]
    ) -> int:
        """Render many pages in worker processes; keep those whose bytes changed."""
        env = self.templates.env
        assert env is not None
        size = len(pages)
        chunks = [(at, min(at + RENDER_CHUNK, size)) for at in range(0, size, RENDER_CHUNK)]
        for page in pages:
            state.closure_of[page.path] = self.templates.closure(page.template).digest
        shared = {"env": env, "pages": pages, "digests": state.files, "runs": state.runs}
        for done in _run(_rerender_chunk, chunks, self.workers, chunk=1, **shared):
            for path, data, keys, runs in done:
                if data is not None:
                    files[path] = data
                if keys is not None:
                    state.count_switch(path, tuple(_intern(k) for k in keys.split("\n") if k))
                    state.runs[path] = runs
        return size

    def _write_whole(
        self, plan: _Plan, inputs: list[InputReport], warnings: list[str], started: float
    ) -> Update:
        """The first build: every file, through `SiteWriter`, swapped in at the end."""
        state = _State()
        search: dict[str, bytes] = {}
        with SiteWriter(self.config.out) as writer:

            def emit(path: str, data: bytes) -> None:
                writer.write(path, data)
                state.files[path] = _digest(data)

            if self.workers > 1 and len(plan.pages) >= RENDER_IN_WORKERS_FROM:
                rendered = self._render_in_workers(plan.pages, state, writer)
            else:
                rendered = self._render(plan.pages, state, emit)
            for path, data in self._site_files(plan, inputs, warnings, state).items():
                emit(path, data)
            collect = _Collect()
            documents = list(plan.documents)
            _write_search(collect, documents)
            for path, data in collect.files.items():
                writer.write(path, data)
                search[path] = _digest(data)
            with self.publish():
                writer.commit()
        self._state = state
        self._search_files = search
        self._search_of = plan.documents
        self._report = (tuple(inputs), tuple(warnings), len(plan.documents), len(plan.pages))
        self.built = True
        return Update(
            tuple(state.files) + tuple(search), (), rendered, len(plan.pages),
            len(plan.documents), tuple(warnings), time.perf_counter() - started, whole=True,
        )  # fmt: skip

    def _write_changes(
        self, plan: _Plan, inputs: list[InputReport], warnings: list[str], started: float
    ) -> Update:
        """Render the pages whose reads changed; write the files whose bytes changed."""
        state = self._state.copy()
        templates_changed = self.templates.files != self._templates_published
        old = self._plan
        assert old is not None
        dirty = {} if plan is old else plan.dirty
        if not plan.reused and plan is not old:  # planned afresh: match pages by path
            before = {p.path: p for p in old.pages}
        todo = []
        for n in range(len(plan.pages)) if templates_changed else sorted(dirty):
            page = plan.pages[n]
            keys = dirty.get(n, ())
            closure = self.templates.closure(page.template)
            if closure.digest != state.closure_of.get(page.path):
                todo.append(page)
            elif keys == ():
                continue
            elif not plan.reused:
                previous = before.get(page.path)
                if previous is None or not same_reads(previous, page, closure):
                    todo.append(page)
            elif not same_reads(old.pages[n], page, closure, keys):
                todo.append(page)
        paths = [p.path for p in plan.pages] if plan.pages is not old.pages else None
        if paths is not None and len(set(paths)) != len(paths):
            raise BuildError(f"two pages want the same file: {_first_twice(paths)!r}")
        files: dict[str, bytes] = {}
        if self.workers > 1 and len(todo) >= RENDER_IN_WORKERS_FROM:  # a template changed
            rendered = self._render_changes_in_workers(todo, state, files)
        else:
            rendered = self._render(todo, state, files.__setitem__)
        current = set(paths) if paths is not None else set(state.closure_of)
        for path in [p for p in state.closure_of if p not in current]:
            del state.closure_of[path]
            state.count_switch(path, None)
        report = (tuple(inputs), tuple(warnings), len(plan.documents), len(plan.pages))
        others = self._site_files(plan, inputs if report != self._report else None, warnings, state)
        current.update(others)
        current.update(p for p in (REPORT, SITEMAP) if p in state.files and p not in others)
        files.update(others)
        written = [p for p, data in files.items() if state.files.get(p) != _digest(data)]
        removed = [p for p in state.files if p not in current]
        with self.publish():
            update_site(self.config.out, {p: files[p] for p in written}, removed)
        for path in written:
            state.files[path] = _digest(files[path])
        for path in removed:
            del state.files[path]
        self._state = state
        self._report = report
        return Update(
            tuple(written), tuple(removed), rendered, len(plan.pages), len(plan.documents),
            tuple(warnings), time.perf_counter() - started,
        )  # fmt: skip

    def _forget(self, plan: _Plan) -> None:
        """Drop cached cleaning results no document uses any more."""
        if len(self._described) > 2 * len(plan.documents) + 64:
            live = {
                (a, s)
                for r in self._inputs.values()
                if r.split is not None and r.made is not None
                for a, s in zip(r.split[0], r.made[0], strict=False)
            }
            self._described = {k: v for k, v in self._described.items() if k in live}
        if len(self._bodies) > 2 * len(plan.documents) + 64:
            live_bodies = {d.body_markdown for d in plan.documents}
            self._bodies = {k: v for k, v in self._bodies.items() if k in live_bodies}


@dataclass
class _State:
    """What the site on disk was made from: the files' digests, each page's templates."""

    files: dict[str, bytes] = dataclasses.field(default_factory=dict)  # path -> digest
    closure_of: dict[str, bytes] = dataclasses.field(default_factory=dict)
    switch: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    counts: Counter[str] = dataclasses.field(default_factory=Counter)
    runs: dict[str, bytes] = dataclasses.field(default_factory=dict)  # page -> its Han runs

    def copy(self) -> _State:
        return _State(
            dict(self.files), dict(self.closure_of), dict(self.switch),
            Counter(self.counts), dict(self.runs),
        )  # fmt: skip

    def count_switch(self, name: str, keys: tuple[str, ...] | None) -> None:
        """Set the 简/繁 table keys page (or script) `name` needs; None: it is gone."""
        old = self.switch.get(name)
        if old == keys:
            return
        if old:
            self.counts.subtract(old)
        if keys is None:
            self.switch.pop(name, None)
            self.runs.pop(name, None)
            return
        self.counts.update(keys)
        self.switch[name] = keys


def _first_twice(paths: list[str]) -> str:
    seen: set[str] = set()
    for path in paths:
        if path in seen:
            return path
        seen.add(path)
    return ""


def _switch_keys(text: str) -> tuple[str, ...]:
    """The entries of the 简/繁 tables that `text` needs (see chinese.switch_tables)."""
    tables = switch_tables([text])
    keys = set()
    for table in tables.values():
        keys.update(table["phrases"])
        keys.update(table["chars"])
    return tuple(_intern(k) for k in sorted(keys))


_KEYS: dict[str, str] = {}


def _intern(key: str) -> str:
    """One string object per table key, however many pages need it."""
    return _KEYS.setdefault(key, key)


def _runs_digest(html: str) -> bytes:
    return _digest("\n".join(sorted(set(S2T_RUN.findall(html)))).encode())


def _render_chunk(bounds: tuple[int, int]) -> list[tuple[str, bytes, str, bytes]]:
    """In a worker: render and write pages; give each one's digest, 简/繁 keys and runs."""
    env, pages, writer = _SHARED["env"], _SHARED["pages"], _SHARED["writer"]
    done = []
    for path, html in render_pages(env, pages[bounds[0] : bounds[1]]):
        data = html.encode("utf-8")
        writer.write_claimed(path, data)
        done.append((path, _digest(data), "\n".join(_switch_keys(html)), _runs_digest(html)))
    return done


def _rerender_chunk(
    bounds: tuple[int, int],
) -> list[tuple[str, bytes | None, str | None, bytes]]:
    """In a worker: render pages; give the bytes of those that changed, and 简/繁 keys of
    those whose Han text changed."""
    env, pages, digests, known = (
        _SHARED["env"], _SHARED["pages"], _SHARED["digests"], _SHARED["runs"]
    )  # fmt: skip
    done: list[tuple[str, bytes | None, str | None, bytes]] = []
    for path, html in render_pages(env, pages[bounds[0] : bounds[1]]):
        data = html.encode("utf-8")
        if digests.get(path) == _digest(data):
            done.append((path, None, None, known.get(path, b"")))
            continue
        runs = _runs_digest(html)
        keys = "\n".join(_switch_keys(html)) if runs != known.get(path) else None
        done.append((path, data, keys, runs))
    return done


# --- problems -------------------------------------------------------------------------------

AT_LINE = re.compile(r"at line (\d+)")
KEY_IN_MESSAGE = re.compile(r"(?:unknown key|Config value) '([^']+)'|'([^']+)' must")


def sidecar_problem(message: str, path: Path, name: str) -> Problem:
    """A sidecar that cannot be used, with the line to look at."""
    return Problem(message, name, _line_of(path, message))


def _line_of(path: Path, message: str) -> int | None:
    """The line of `path` a message is about: TOML's own position, else the key's line."""
    found = AT_LINE.search(message)
    if found:
        return int(found.group(1))
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    index = re.search(r"index = (\d+)", message)
    if index:
        for n, line in enumerate(lines, 1):
            if re.fullmatch(rf"\s*index\s*=\s*{index.group(1)}\s*(#.*)?", line):
                return n
    number = re.search(r"\[\[article\]\] number (\d+)", message)
    if number:
        tables = [n for n, line in enumerate(lines, 1) if line.strip().startswith("[[article]]")]
        if int(number.group(1)) <= len(tables):
            return tables[int(number.group(1)) - 1]
    key = KEY_IN_MESSAGE.search(message)
    if key:
        name = key.group(1) or key.group(2)
        for n, line in enumerate(lines, 1):
            if re.match(rf"\s*\"?{re.escape(name)}\"?\s*=", line):
                return n
    if "[document]" in message:
        for n, line in enumerate(lines, 1):
            if line.strip().startswith("[document]"):
                return n
    return None


def problem_from(error: BaseException, config: Config) -> Problem:
    """Describe a failed update: the message, and the file and line to look at."""
    if isinstance(error, TemplateSyntaxError):
        return Problem(
            f"template syntax error: {error.message}",
            _shown(Path(error.filename), config) if error.filename else error.name,
            error.lineno,
        )
    if isinstance(error, ConfigError):
        path = config.config_file
        return Problem(error.message, _shown(path, config), _line_of(path, error.message))
    cause = error.__cause__ or error.__context__
    if isinstance(cause, TemplateSyntaxError):
        return problem_from(cause, config)
    if cause is not None:
        frame = _template_frame(cause)
        if frame is not None:
            file, line = frame
            return Problem(_message(error), _shown(Path(file), config), line)
    message = _message(error)
    first = message.split(":", 1)[0].strip()
    for candidate in (config.source / first, Path(first)):
        if first and candidate.is_file():
            line = _line_of(candidate, message) if candidate.suffix == ".toml" else None
            return Problem(message, _shown(candidate, config), line)
    return Problem(message)


def _message(error: BaseException) -> str:
    if isinstance(error, SitegenError):
        return error.message
    return str(error) or type(error).__name__


def _template_frame(error: BaseException) -> tuple[str, int] | None:
    """The innermost template line of a rendering error's traceback."""
    import traceback

    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")) and os.path.isfile(frame.filename):
            found = (frame.filename, frame.lineno or 0)
    return found


def _shown(path: Path, config: Config) -> str:
    try:
        return path.resolve().relative_to(config.source).as_posix()
    except ValueError:
        return str(path)


def problem_json(problem: Problem) -> str:
    return json.dumps(
        {"message": problem.message, "file": problem.file, "line": problem.line,
         "text": str(problem)},
        ensure_ascii=False,
    )  # fmt: skip
