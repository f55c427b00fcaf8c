"""build(config) -> BuildReport: the table of contents of a build.

Gather every input, split and describe every article, plan every page, and only then
write, so that cross-page data (city lists, the search index) is consistent:

    _find_inputs      walk the archive, read every file's bytes          (ingest)
    ingest_files      decode, split, clean and describe each file, in     (ingest, clean,
                      worker processes, or take it from the cache          metadata)
    _assemble         sidecars, unique slugs, warnings in file order      (metadata)
    plan_pages        every page and its cross-page data                  (metadata)
    _render_all       render and write the pages, in worker processes     (render, write)
    site_files, …     static files, feeds, 简/繁 tables, the report        (write)
    _write_search     the search index, last: the page plan is let go     (index, write)

The output is the same bytes whatever the number of workers, and whether documents come
from the cache or not.

The cache (`sitegen/cache.py`, in `.sitegen-cache/` beside the output folder) keeps what
`ingest_bytes` gave for each file, keyed on the code version, the extra cities of
`sitegen.toml`, the file's path and its bytes. Sidecars are applied after the cache, so a
curator's correction costs no cleaning. Other code that needs documents (`sitegen serve`)
can use the same cache:

    with Cache(cache_dir(config.out)) as cache:
        files = _find_inputs(config.source, warnings)
        results, new = ingest_files(files, gazetteer, cache, ingest_key=_ingest_key(config))
        documents, inputs = _assemble(files, results, gazetteer, warnings)
        cache.finish(new, (r.key for r in results))   # store the new entries

or, for one file: `ingest_bytes(relative, data, gazetteer)` (what the cache stores, not
cached by itself) and `cached_ingest(relative, data, gazetteer, cache, _ingest_key(config))`
(through the cache). The key covers the code that cleans (`sitegen.cache.INGEST_CODE`):
a change there starts the cache afresh; the whole package decides whether a site is
up to date. A build whose inputs (sources, sidecars,
configuration, templates, static files, pages, code) are those the site in `config.out`
was built from, and whose files nobody changed since, returns that site's report without
writing anything.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import pickle
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from markupsafe import escape

from sitegen import __version__
from sitegen.cache import Cache, cache_dir, code_version, digest, files_digest, ingest_version
from sitegen.chinese import (
    HAN_RUN,
    S2T_RUN,
    SwitchScan,
    switch_phrases,
    to_simplified,
    to_traditional,
)
from sitegen.config import Config
from sitegen.errors import BuildError
from sitegen.ingest.gazetteer import Gazetteer, load_gazetteer
from sitegen.ingest.meta import describe
from sitegen.ingest.read import (
    UnreadableFile,
    decode,
    find_sources_and_sidecars,
    outside_links,
    read_source,
)
from sitegen.ingest.sidecar import (
    Sidecar,
    SidecarError,
    apply_sidecar,
    load_sidecar,
)
from sitegen.ingest.split import split_articles
from sitegen.model import Document, Removal, Source
from sitegen.progress import Timings
from sitegen.render.env import make_environment, markdown_html, plain_html
from sitegen.render.feeds import site_files
from sitegen.render.pages import (
    Page,
    city_page_slugs,
    doc_url,
    group_by_city,
    newest_first,
    plan_pages,
)
from sitegen.render.related import bigram_keys, related_documents, title_and_body_keys
from sitegen.render.site import read_pages, render_pages, site_info
from sitegen.resources import package_dir
from sitegen.search.publish import search_files_of
from sitegen.search.snippets import snippet_file
from sitegen.search.tokenize import normalize
from sitegen.writer import SiteWriter

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # stage, done, total
REPORT_NAME = "build-report.json"


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
    # Seconds per stage (see sitegen.progress.STAGES), added up over every process, and
    # "wall" for the whole build. Not part of the site: builds differ only in these.
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    up_to_date: bool = False  # nothing was written: the site was built from these inputs

    def to_json(self) -> str:
        data = {
            "generator": f"sitegen {__version__}",
            "documents": self.documents,
            "pages": self.pages,
            "warnings": list(self.warnings),
            "inputs": [asdict(i) for i in self.inputs],
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, out: Path) -> BuildReport:
        data = json.loads(text)
        inputs = tuple(
            InputReport(**{**i, "documents": tuple(i["documents"])}) for i in data["inputs"]
        )
        return cls(inputs, data["documents"], data["pages"], tuple(data["warnings"]), out)


def default_workers() -> int:
    """The number of processors this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def build(
    config: Config,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    cache: bool = True,
) -> BuildReport:
    """Build the site for `config`; the previous site stays in place if anything fails.

    `workers`: processes for the per-document stages and rendering (default: one per
    processor; 1 does everything in this process). `cache`: use and fill the build cache
    beside the output folder (`.sitegen-cache/`).
    """
    started = time.perf_counter()
    timings = Timings()
    workers = workers or default_workers()
    warnings: list[str] = []
    with timings.stage("ingest"):
        gazetteer = load_gazetteer(config.gazetteer)
        files = _find_inputs(config.source, warnings)
    use_cache = cache and not _inside(cache_dir(config.out), config.source)
    with Cache(cache_dir(config.out)) if use_cache else _no_cache() as store, ExitStack() as later:
        ingest_key = _ingest_key(config)
        keys = file_keys(files, ingest_key)
        fingerprint = _fingerprint(config, files, ingest_key, keys)
        current = _current_report(config, store, fingerprint)
        if current is not None:
            for warning in current.warnings:
                log.warning(warning)
            _check_strict(config, list(current.warnings))
            timings.add("wall", time.perf_counter() - started)
            return replace(current, timings=timings.seconds, up_to_date=True)
        frozen = later.enter_context(ExitStack())  # until the index: see frozen_objects
        frozen.enter_context(frozen_objects())
        results, new = ingest_files(
            files, gazetteer, store, workers, progress, timings, ingest_key=ingest_key, keys=keys
        )
        del keys
        used = [r.key for r in results]
        # From here on memory is what limits a large build: each step lets go of what
        # the steps after it do not need (the files' bytes, their texts, the page plan).
        files = [replace(f, data=None) for f in files]
        with timings.stage("metadata"):
            documents, inputs = _assemble(files, results, gazetteer, warnings)
            groups = group_by_city(documents, gazetteer)
            extra_pages = read_pages(config.source / "pages")
            site = site_info(config, extra_pages)
            normal_bodies, keyed, bodies, snippets = {}, {}, {}, {}
            for result in results:
                for document, body in zip(result.documents, result.texts, strict=True):
                    normal_bodies[document.body_markdown] = body.normal
                    snippets[document.body_markdown] = body.snippets
                    keyed[body.keyed_title, document.body_markdown] = body.keys
                    bodies[document.body_markdown] = BodyHtml(body.html, body.scan)
            del results
            keys = {
                d.slug: k
                for d in documents
                if (k := keyed.get((d.title.value, d.body_markdown))) is not None
            }  # none for a document a sidecar gave another title
            del keyed
            related = _RelatedLater(keys, in_child=workers > 1)
            later.callback(related.stop)  # if the build fails before `fill`
            # scored beside the rest of the plan, from as early as can be
            related.start(newest_first(documents), city_page_slugs(documents, gazetteer))
            pages = list(
                plan_pages(documents, gazetteer, site, extra_pages, bodies.__getitem__, related)
            )
            del keys, bodies
            env = make_environment([config.source / "templates", package_dir("templates")])
        with timings.stage("write"):  # while related documents are scored
            store.finish(new, used)
            del new, used
        _check_strict(config, warnings)
        with SiteWriter(config.out) as writer:
            for page in pages:
                writer.claim(page.path)
            # The scoring process has one core; until it is done, this process renders (on
            # the other) pages that show no related documents.
            scan, done = _render_while(related.scoring, env, pages, writer, progress, timings)
            with timings.stage("metadata"):
                related.fill(pages)
                del related
            rest = [page for n, page in enumerate(pages) if n not in done]
            scan.update(_render_all(env, rest, writer, workers, progress, timings, len(done)))
            del rest
            with timings.stage("write"):
                scripts = _write_static(writer, [config.source / "static", package_dir("static")])
                for script in scripts:
                    scan.add(script)
                tables = scan.tables()
                for path, content in site_files(documents, site, pages, (), tables=tables):
                    writer.write(path, content)
                report = BuildReport(
                    tuple(inputs), len(documents), len(pages), tuple(warnings), config.out
                )
                writer.write(REPORT_NAME, report.to_json())
                del pages, env, scan, tables, groups
            if progress:
                progress("index", 0, 1)
            # What the build let go of since the freeze, cycles too (the templates' environment),
            # can be collected again: memory is at its peak from here on.
            frozen.close()
            written = writer.seconds
            with timings.stage("index"):
                search = _search_inputs(documents, normal_bodies, snippets)
                del documents, normal_bodies, snippets  # the largest thing left: let it go
                spill = writer.spill_folder()  # (handed back once the index's processes start)
                for path, content in search_files_of(*search, spill=spill, release=True):
                    writer.write(path, content)
            timings.add("index", written - writer.seconds)
            timings.add("write", writer.seconds - written)
            if progress:
                progress("index", 1, 1)
            with timings.stage("write"):
                store.remember_site(config.out, None, None)  # in case the swap fails
                writer.commit()
                written_digest = writer.digest()
        with timings.stage("write"):
            store.remember_site(config.out, fingerprint, written_digest)
    timings.add("wall", time.perf_counter() - started)
    return replace(report, timings=timings.seconds)


class _RelatedLater:
    """`related_of` for `plan_pages` that lets the plan go on while related documents are
    scored in a forked process: it gives the plan an empty mapping (every document page's
    `related` is () for now) and `fill` puts the real ones into the pages' contexts.

    Scoring takes ~6-9 s at 10,000 documents, when the cleaning workers are done and the
    other core would sit idle; the rest of the plan, the cache's bookkeeping and the
    rendering of pages that show no related documents (`scoring` says until when) go on
    beside it. With `in_child` false it scores there and then (one process does
    everything) and `fill` has nothing to do.
    """

    def __init__(self, keys_by_slug: Mapping[str, bytes], *, in_child: bool) -> None:
        self.keys_by_slug = keys_by_slug
        self.in_child = in_child
        self._scoring: tuple[Any, Any, Sequence[Document]] | None = None  # pool, result, docs
        self._started: tuple[list[str], Mapping[str, str]] | None = None  # slugs, city_of

    def start(self, documents: Sequence[Document], city_of: Mapping[str, str]) -> None:
        """Start scoring before the plan asks, for the `documents` (in order) and city pages
        it will ask with (`pages.city_page_slugs`): before the ~1.5 s the plan takes to get
        there. If it asks with others, they are scored afresh."""
        if self.in_child:
            self(documents, city_of)
            self._started = ([d.slug for d in documents], city_of)

    def __call__(
        self, documents: Sequence[Document], city_of: Mapping[str, str]
    ) -> Mapping[str, tuple[Document, ...]]:
        if not self.in_child:
            return related_documents(documents, city_of, keys_by_slug=self.keys_by_slug)
        if self._started is not None:
            started, self._started = self._started, None
            if started == ([d.slug for d in documents], city_of):
                return {}
            self.stop()
        _SHARED["related"] = (documents, city_of, self.keys_by_slug)  # inherited, not pickled
        try:
            with frozen_objects():  # the child's collections leave this process's memory shared
                pool = _fork_pool(1)
        finally:
            del _SHARED["related"]
        self._scoring = (pool, pool.apply_async(_related_slugs), documents)
        return {}

    def scoring(self) -> bool:
        """Whether related documents are still being scored elsewhere."""
        return self._scoring is not None and not self._scoring[1].ready()

    def fill(self, pages: Sequence[Page]) -> None:
        """Put each document's related documents into its pages' contexts."""
        if self._scoring is None:
            return
        pool, result, documents = self._scoring
        try:
            found = result.get()
        except Exception as error:
            raise BuildError(f"scoring related documents failed: {error!r}") from error
        finally:
            self.stop()
        by_slug = {d.slug: d for d in documents}
        for page in pages:
            if "related" in page.context:  # a document's pages share one context
                slugs = found.get(page.context["doc"].slug, ())
                page.context["related"] = tuple(by_slug[slug] for slug in slugs)

    def stop(self) -> None:
        """Stop the scoring process, if there is one."""
        if self._scoring is not None:
            pool = self._scoring[0]
            self._scoring = None
            pool.terminate()
            pool.join()


def _related_slugs() -> dict[str, tuple[str, ...]]:
    """`related_documents` of what `_RelatedLater` left in `_SHARED`, as slugs (small to send
    back, where the documents would be pickled whole)."""
    documents, city_of, keys_by_slug = _SHARED["related"]
    found = related_documents(documents, city_of, keys_by_slug=keys_by_slug)
    return {slug: tuple(d.slug for d in docs) for slug, docs in found.items()}


def _check_strict(config: Config, warnings: list[str]) -> None:
    if config.strict and warnings:
        raise BuildError(
            f"{len(warnings)} warning(s) and --strict is on; the site was not written. "
            f"First: {warnings[0]}"
        )


class _NoCache:
    """Stands in for `Cache` when the build does not use one."""

    usable = False

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return {}

    def store(self, new: dict[str, bytes]) -> bool:
        return False

    def finish(self, new: dict[str, bytes], used: Iterable[str]) -> None:
        pass

    def site(self, out: Path) -> None:
        return None

    def remember_site(self, out: Path, inputs: str | None, files: str | None) -> None:
        pass


@contextmanager
def _no_cache() -> Iterator[Any]:
    yield _NoCache()


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or below it (then the cache would write into the archive)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


# --- ingest: find, read, decode, split, clean, describe ---------------------------------


@dataclass(frozen=True)
class InputFile:
    """One input file of the archive, its bytes read; `problem` when they cannot be."""

    path: Path
    relative: PurePosixPath
    data: bytes | None
    problem: str | None = None
    outside: bool = False  # a link pointing outside the archive: reported, never read
    sidecar: Path | None = None  # its sidecar file, if it has one


@dataclass(frozen=True)
class Ingested:
    """What one input file gives on its own: what the cache keeps (see `ingest_bytes`)."""

    key: str  # the cache key: code version, extra cities, path and bytes
    source: Source | None  # None: not text
    replaced: int = 0  # bytes not valid in the detected encoding (shown as □)
    problem: str | None = None  # why the file is skipped
    documents: tuple[Document, ...] = ()  # slugs made from the path; not yet unique
    between: int = 0  # lines that belong to no article (listing preamble, footer)
    failure: str | None = None  # cleaning raised: a bug, which stops the build
    # Per document, what later stages need of its text, made here (in the worker processes,
    # then cached) rather than in the build's one process (see `_prepare`).
    texts: tuple[PreparedBody, ...] = ()


@dataclass(frozen=True)
class PreparedBody:
    """What search, related documents and the document's pages need of its text."""

    normal: str  # `search.tokenize.normalize` of it
    keys: bytes  # `render.related.bigram_keys` of the document's title and `normal`
    keyed_title: str  # that title (a sidecar may give the document another)
    html: str  # `render.env.markdown_to_html` of it
    scan: tuple[str, str, str]  # `SwitchScan.packed()` after scanning the raw text and `html`
    snippets: str  # its `search/text/REF.json` (`search.snippets.snippet_file`)


def _prepare(document: Document) -> PreparedBody:
    body = document.body_markdown
    normal = normalize(body)
    plain = plain_html(body)
    html = plain if plain is not None else markdown_html(body)
    scan = SwitchScan(long_lines=True)
    scan.add(document.raw_text)  # as the original page shows it (escaping changes no Han)
    # Plain HTML has the body's runs of Han characters, and the body ~93% of its characters
    # on lines of the raw text, which the scan skips.
    scan.add(html if plain is None else body)
    snippets = snippet_file(body, normal)
    title = document.title.value
    keys = title_and_body_keys(title, bigram_keys(normal))
    return PreparedBody(normal, keys, title, html, scan.packed(), snippets)


def _find_inputs(root: Path, warnings: list[str]) -> list[InputFile]:
    """Find every input file, sorted, and read its bytes; warn about links leading out."""
    files = []
    for link in outside_links(root):
        message = f"{link}: a link pointing outside the archive; not followed"
        warnings.append(message)
        log.warning(message)
        files.append(InputFile(root / link, link, None, "link outside archive", outside=True))
    for path, relative, sidecar in find_sources_and_sidecars(root):
        try:
            with open(path, "rb") as file:
                data = file.read()
            files.append(InputFile(path, relative, data, sidecar=sidecar))
        except OSError as error:
            files.append(InputFile(path, relative, None, str(error), sidecar=sidecar))
    return files


def _ingest_key(config: Config) -> str:
    """What, besides a file's path and bytes, decides what ingesting it gives."""
    return digest(ingest_version(), repr(config.gazetteer))


def file_key(ingest_key: str, relative: PurePosixPath, data: bytes) -> str:
    return digest(ingest_key, str(relative), data)


def file_keys(files: Sequence[InputFile], ingest_key: str) -> list[str]:
    """Each file's cache key ('' for a file that could not be read)."""
    return [file_key(ingest_key, f.relative, f.data) if f.data is not None else "" for f in files]


def ingest_bytes(
    relative: PurePosixPath,
    data: bytes,
    gazetteer: Gazetteer,
    key: str = "",
    timings: Timings | None = None,
) -> Ingested:
    """Decode, split, clean and describe one file's bytes (no sidecar, no cache)."""
    timings = timings or Timings()
    with timings.stage("ingest"):
        try:
            decoded = decode(data)
        except UnreadableFile as error:
            return Ingested(key, None, problem=str(error))
        source = Source(path=relative, text=decoded.text, encoding=decoded.encoding)
    if not source.text.strip():
        return Ingested(key, source, decoded.replaced, problem="empty")
    with timings.stage("clean"):
        articles, between = split_articles(source)
        documents = []
        for article in articles:
            slug = _slug(source, article.index, len(articles))
            try:
                document = describe(article, gazetteer, slug)
            except Exception as error:  # name the file, then stop: a bug, not bad input
                log.debug("%s", traceback.format_exc())
                failure = f"{source.path}: cleaning failed: {error!r}"
                return Ingested(key, source, decoded.replaced, failure=failure)
            if article.index == len(articles) - 1 and between:
                document = _with_removed(document, between)
            documents.append(document)
        texts = [_prepare(document) for document in documents]
    return Ingested(
        key, source, decoded.replaced, None, tuple(documents), len(between), texts=tuple(texts)
    )


def cached_ingest(
    relative: PurePosixPath, data: bytes, gazetteer: Gazetteer, cache: Cache, ingest_key: str
) -> Ingested:
    """`ingest_bytes` through the cache (stores what it had to compute)."""
    key = file_key(ingest_key, relative, data)
    found = cache.get_many([key]).get(key)
    if found is not None:
        return pickle.loads(found)
    result = ingest_bytes(relative, data, gazetteer, key)
    if result.failure is None:
        cache.finish({key: pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)}, [key])
    return result


# What forked worker processes share with the build that started them.
_SHARED: dict[str, Any] = {}


def _ingest_task(task: tuple[str, PurePosixPath, bytes]) -> tuple[bytes, dict[str, float]]:
    key, relative, data = task
    timings = Timings()
    result = ingest_bytes(relative, data, _SHARED["gazetteer"], key, timings)
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), timings.take()


def ingest_files(
    files: Sequence[InputFile],
    gazetteer: Gazetteer,
    cache: Any,
    workers: int = 1,
    progress: Progress | None = None,
    timings: Timings | None = None,
    *,
    ingest_key: str,
    keys: Sequence[str] | None = None,
) -> tuple[list[Ingested], dict[str, bytes]]:
    """Ingest every file, in file order, from the cache or in `workers` processes.

    Return one result per file (a file that could not be read has only its `problem`) and
    the cache entries made for the files the cache did not have that it could not store
    (those it could are stored as they come, a few hundred at a time, so that a large
    build never holds them all).
    """
    timings = timings or Timings()
    with timings.stage("ingest"):
        keys = file_keys(files, ingest_key) if keys is None else keys
        results: list[Ingested | None] = [None] * len(files)
        where = {key: n for n, key in enumerate(keys) if key}
        wanted = list(where)
        for start in range(0, len(wanted), CACHE_BATCH):
            for key, data in cache.get_many(wanted[start : start + CACHE_BATCH]).items():
                results[where[key]] = pickle.loads(data)
        todo = []
        for n, (file, result) in enumerate(zip(files, results, strict=True)):
            if file.data is None:
                results[n] = Ingested("", None, problem=file.problem)
            elif result is None:
                todo.append((n, (keys[n], file.relative, file.data)))
    new: dict[str, bytes] = {}
    total = len(files)
    done = total - len(todo)
    if progress:
        progress("clean", done, total)
    tasks = [task for _, task in todo]
    made = _run(_ingest_task, tasks, workers, meanwhile=_prepare_later_stages, gazetteer=gazetteer)
    with closing(made), frozen_objects():  # on an error too: the workers end here
        for (n, _), (data, seconds) in zip(todo, made, strict=True):
            result = pickle.loads(data)
            results[n] = result
            timings.merge(seconds)
            if result.failure is None:
                new[result.key] = data
            if len(new) >= CACHE_BATCH and cache.store(new):
                new = {}
            done += 1
            if done % CACHE_BATCH == 0:
                gc.freeze()  # the results so far: they live as long as the build
            if progress:
                progress("clean", done, total)
    if new and cache.store(new):
        new = {}
    return [r for r in results if r is not None], new


CACHE_BATCH = 200  # cache entries read or stored at a time


def _run(
    function: Callable[[Any], Any],
    tasks: Sequence[Any],
    workers: int,
    chunk: int = 0,
    meanwhile: Callable[[], None] | None = None,
    **shared: Any,
) -> Generator[Any, None, None]:
    """Yield `function(task)` for every task, in order, in up to `workers` forked processes.

    `shared` is what the workers read from `_SHARED` (inherited, never pickled).
    `meanwhile` runs in a thread of this process while the workers work, started once they
    are forked and joined when the results are all taken or the iterator is closed (so no
    thread is running when the build forks again).
    """
    _SHARED.clear()
    _SHARED.update(shared)
    try:
        if workers <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield function(task)
            return
        processes = min(workers, len(tasks))
        chunk = chunk or max(1, min(16, len(tasks) // (processes * 8)))
        with _fork_pool(processes) as pool, _thread(meanwhile):
            yield from pool.imap(function, tasks, chunksize=chunk)
    finally:
        _SHARED.clear()


@contextmanager
def _thread(function: Callable[[], None] | None) -> Iterator[None]:
    """Run `function` in a thread while the block runs; wait for it at the end."""
    if function is None:
        yield
        return
    thread = threading.Thread(target=function, name="sitegen-meanwhile", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


_frozen_depth = 0


@contextmanager
def frozen_objects() -> Iterator[None]:
    """`gc.freeze()` for the block: the objects alive now, and those a `gc.freeze()` inside
    adds, are left out of the collector's passes. Blocks nest; the outermost unfreezes.

    A large build's documents are a few million objects that live until its end, and each
    full collection walked them all (at 10,000 documents: 11 passes, 4.2 s of the build's
    process); a forked process that walked them would also copy every page of them.
    """
    global _frozen_depth
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if not _frozen_depth:
            gc.unfreeze()


def _prepare_later_stages() -> None:
    """Load what the page plan and the rendering will need, while cleaning workers leave
    this process nearly idle: pinyin's dictionaries (~1 s), the 简/繁 scan's phrase index
    and the converters (~1 s each), which the rendering workers then inherit instead of
    each making their own."""
    try:
        from pypinyin import lazy_pinyin

        lazy_pinyin("中文")
        switch_phrases().present("中文")
        to_simplified("中文")
        to_traditional("中文")
    except Exception:  # only a head start: whatever failed fails again where it is used
        log.debug("preparing later stages: %s", traceback.format_exc())


def _fork_pool(processes: int) -> Any:
    """A pool of `processes` forked workers that end with the build (`die_with_parent`)."""
    return multiprocessing.get_context("fork").Pool(processes, die_with_parent, (os.getpid(),))


def die_with_parent(parent: int) -> None:
    """Have the kernel end this worker process when the build that started it ends.

    A build killed outright (SIGKILL) cannot stop its workers; without this they would go
    on writing a page or two into the half-built site that the next build clears.
    Linux only (prctl PR_SET_PDEATHSIG); elsewhere workers end when their pipe closes.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # it died before prctl: go now
            os._exit(1)


def _assemble(
    files: Sequence[InputFile],
    results: Sequence[Ingested],
    gazetteer: Gazetteer,
    warnings: list[str],
) -> tuple[list[Document], list[InputReport]]:
    """Apply sidecars and make slugs unique; report every file, warnings in file order.

    Gives what `_gather` then `_describe_all` give for the same files: first what reading
    found in each file, then what describing found.
    """

    def warn(message: str) -> None:
        warnings.append(message)
        log.warning(message)

    ignored = _ignoring(warn)  # a sidecar that cannot be used
    inputs: list[InputReport] = []
    read: list[tuple[InputFile, Ingested, Sidecar | None, int]] = []
    for file, result in zip(files, results, strict=True):
        relative = file.relative
        if file.outside:  # warned about when found
            inputs.append(InputReport(str(relative), "skipped", None, (), problem=file.problem))
            continue
        if result.source is None:
            warn(f"{relative}: skipped, {result.problem}")
            inputs.append(InputReport(str(relative), "skipped", None, (), problem=result.problem))
            continue
        if result.problem == "empty":
            warn(f"{relative}: skipped, the file is empty")
            inputs.append(
                InputReport(str(relative), "skipped", result.source.encoding, (), problem="empty")
            )
            continue
        if result.replaced:
            warn(replaced_bytes(relative, result.replaced, result.source.encoding))
        sidecar = read_sidecar(file.sidecar, relative, ignored)
        read.append((file, result, sidecar, len(inputs)))
        inputs.append(InputReport(str(relative), "read", result.source.encoding, ()))
    documents: list[Document] = []
    used: set[str] = set()
    for _file, result, sidecar, at in read:
        if result.failure is not None:
            raise BuildError(result.failure)
        source = result.source
        assert source is not None
        count = len(result.documents)
        if sidecar is not None:
            for problem in sidecar.check_articles(count):
                warn(problem)
        slugs = []
        for document in result.documents:
            slug = _unique(document.slug, used, source, warnings)
            if slug != document.slug:
                document = replace(document, slug=slug)
            if sidecar is not None:
                try:
                    entry = sidecar.entry(document.article_index, count)
                    document = apply_sidecar(document, entry, gazetteer)
                except SidecarError as error:
                    warn(f"{sidecar.path}: {error}; that correction is ignored")
            documents.append(document)
            slugs.append(slug)
        report = inputs[at]
        inputs[at] = InputReport(
            report.path, report.status, report.encoding, tuple(slugs), result.between
        )
    return documents, inputs


def _fingerprint(
    config: Config, files: Sequence[InputFile], ingest_key: str, keys: Sequence[str]
) -> str:
    """A digest of everything a build reads: if it is unchanged, so is the site.

    A file's bytes count through its cache key (`file_keys`), a digest of them: hashing
    the archive once, not twice."""
    parts: list[bytes | str] = ["site", code_version(), ingest_key]
    parts.append(repr(replace(config, strict=False)))
    for folder in (
        config.source / "templates",
        package_dir("templates"),
        config.source / "static",
        package_dir("static"),
        config.source / "pages",
    ):
        parts.append(str(folder))
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    for file, key in zip(files, keys, strict=True):
        parts += [str(file.relative), file.problem or "", key]
        parts.append(file.sidecar.read_bytes() if file.sidecar is not None else "-")
    return digest(*parts)


def _current_report(config: Config, store: Any, fingerprint: str) -> BuildReport | None:
    """The report of the site in `config.out` if it was built from these very inputs."""
    recorded = store.site(config.out)
    if recorded is None or recorded[0] != fingerprint:
        return None
    try:
        if files_digest(config.out) != recorded[1]:
            return None
        text = (config.out / REPORT_NAME).read_text(encoding="utf-8")
        return BuildReport.from_json(text, config.out)
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- render and write --------------------------------------------------------------------


class BodyHtml:
    """A document's body as HTML, converted while cleaning; `scan` is the 简/繁 scan of the
    body and the raw text, made then too."""

    __slots__ = ("html", "scan")

    def __init__(self, html: str, scan: tuple[str, str, str]) -> None:
        self.html, self.scan = html, scan

    def __str__(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html


RENDER_CHUNK = 48  # pages per task: a document's three pages go together


def _render_while(
    busy: Callable[[], bool],
    env: Any,
    pages: Sequence[Page],
    writer: SiteWriter,
    progress: Progress | None,
    timings: Timings,
) -> tuple[SwitchScan, set[int]]:
    """Render, in this process, pages that show no related documents while `busy()`; return
    their scan and their numbers in `pages`."""
    scan, done = SwitchScan(), set()
    waiting = [n for n, page in enumerate(pages) if page.template != RELATED_TEMPLATE]
    for start in range(0, len(waiting), RENDER_CHUNK):
        if not busy():
            break
        some = waiting[start : start + RENDER_CHUNK]
        _render_pages(env, [pages[n] for n in some], writer, timings, scan)
        done.update(some)
        if progress:
            progress("render", len(done), len(pages))
    return scan, done


RELATED_TEMPLATE = "document.html"  # the one page of a document that lists related ones


def _render_all(
    env: Any,
    pages: Sequence[Page],
    writer: SiteWriter,
    workers: int,
    progress: Progress | None,
    timings: Timings,
    done: int = 0,
) -> SwitchScan:
    """Render and write every page (claimed), in `workers` processes; scan their text for
    简/繁. `done`: pages rendered before, for the progress shown.

    A document's body and raw text were scanned while cleaning (cached): a page showing
    either (its page, its original page) is scanned without it and that scan merged, the
    same result in less time.
    """
    size = len(pages)
    total = done + size
    chunks = [(start, min(start + RENDER_CHUNK, size)) for start in range(0, size, RENDER_CHUNK)]
    scan = SwitchScan()
    # This process's rows, taken before the workers fork (or a worker would hand them back
    # again); each task's rows come back with its pages (`_render_task`).
    mine = writer.take_rows()
    with frozen_objects():  # forked workers then leave the plan's memory shared
        for count, part, seconds, rows in _run(
            _render_task,
            chunks,
            workers,
            chunk=1,
            env=env,
            pages=pages,
            writer=writer,
        ):
            scan.update(part)
            timings.merge(seconds)
            mine += rows
            done += count
            if progress:
                progress("render", done, total)
    writer.give_rows(mine)
    return scan


def _render_task(
    bounds: tuple[int, int],
) -> tuple[int, SwitchScan, dict[str, float], list[str]]:
    start, end = bounds
    env, pages, writer = _SHARED["env"], _SHARED["pages"], _SHARED["writer"]
    timings = Timings()
    # Lines and runs this process scanned for an earlier task are in that task's scan, which
    # the build merges with this one: a title on a dozen listing pages is scanned once or so.
    scan = SwitchScan(_SHARED.setdefault("scanned", set()))
    _render_pages(env, pages[start:end], writer, timings, scan)
    return end - start, scan, timings.take(), writer.take_rows()


def _render_pages(
    env: Any, pages: Sequence[Page], writer: SiteWriter, timings: Timings, scan: SwitchScan
) -> SwitchScan:
    """Render and write `pages` (claimed); add their 简/繁 scan to `scan`, and return it."""
    contexts = {page.path: page.context for page in pages}
    raw_html: dict[str, str] = {}  # a document's raw text escaped, for its three pages
    added: set[str] = set()  # documents whose scan is added: once, not for each page
    rendered = render_pages(env, pages)
    while True:
        with timings.stage("render"):
            page = next(rendered, None)
        if page is None:
            break
        path, html = page
        with timings.stage("write"):
            writer.write_claimed(path, html)
        with timings.stage("render"):
            body = contexts[path].get("body")
            if isinstance(body, BodyHtml):
                doc = contexts[path]["doc"]
                if doc.slug not in raw_html:
                    raw_html[doc.slug] = str(escape(doc.raw_text))
                known = False
                for piece in (body.html, raw_html[doc.slug]):
                    rest = _without(html, piece)
                    if rest is not None:
                        known, html = True, rest
                if known and doc.slug not in added:
                    scan.add_packed(body.scan)
                    added.add(doc.slug)
            scan.add(html)
    return scan


def _without(html: str, piece: str) -> str | None:
    """`html` with `piece` cut out (a line break in its place), if it is there and no run of
    Han characters goes across its edges; else None (then the page is scanned whole)."""
    parts = html.split(piece) if piece else [html]
    if len(parts) < 2:
        return None
    first, last = S2T_RUN.match(piece[0]), S2T_RUN.match(piece[-1])
    for left, right in zip(parts, parts[1:], strict=False):
        if (first and S2T_RUN.match(left[-1:])) or (last and S2T_RUN.match(right[:1])):
            return None
    return "\n".join(parts)


def _gather(
    root: Path, warnings: list[str]
) -> tuple[list[tuple[Source, Sidecar | None]], list[InputReport]]:
    """Read every input file and its sidecar; report what cannot be read and go on."""
    sources, inputs = [], []

    def warn(message: str) -> None:
        warnings.append(message)
        log.warning(message)

    ignored = _ignoring(warn)  # a sidecar that cannot be used
    for link in outside_links(root):
        warn(f"{link}: a link pointing outside the archive; not followed")
        inputs.append(InputReport(str(link), "skipped", None, (), problem="link outside archive"))
    for path, relative, sidecar_file in find_sources_and_sidecars(root):
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
            warn(replaced_bytes(relative, replaced, source.encoding))
        sources.append((source, read_sidecar(sidecar_file, relative, ignored)))
        inputs.append(InputReport(str(relative), "read", source.encoding, ()))
    return sources, inputs


def replaced_bytes(relative: PurePosixPath, count: int, encoding: str) -> str:
    """The warning for a file with `count` bytes its encoding could not read."""
    return (
        f"{relative}: {count} byte(s) are not valid {encoding}; "
        "they show as □ and are counted as lost characters"
    )


def read_sidecar(
    path: Path | None,
    relative: PurePosixPath,
    ignored: Callable[[SidecarError, str], None],
) -> Sidecar | None:
    """The sidecar at `path` of the file at `relative` (None if it has none). One that
    cannot be used is ignored: `ignored` gets the error and the sidecar's name."""
    if path is None:
        return None
    name = str(relative.with_name(path.name))
    try:
        return load_sidecar(path, name)
    except SidecarError as error:
        ignored(error, name)
        return None


def sidecar_ignored(error: SidecarError) -> str:
    """The warning for a sidecar `read_sidecar` ignores."""
    return f"{error}; the sidecar is ignored"


def _ignoring(warn: Callable[[str], None]) -> Callable[[SidecarError, str], None]:
    """`read_sidecar`'s `ignored` that warns."""
    return lambda error, _name: warn(sidecar_ignored(error))


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
    stem = str(source.path.with_suffix(""))
    ascii_stem = HAN_RUN.sub(_spelled_out, stem) if HAN_RUN.search(stem) else stem
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-") or "document"
    return f"{slug}-{index + 1:02d}" if count > 1 else slug


def _spelled_out(han: re.Match[str]) -> str:
    from pypinyin import lazy_pinyin  # ~0.6 s to load: only for a name that needs it

    return "-" + "-".join(lazy_pinyin(han.group())) + "-"


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


def _write_search(
    writer: SiteWriter, documents: list[Document], normal_bodies: Mapping[str, str] | None = None
) -> None:
    """Write the sharded search index and what results show (see sitegen/search/publish.py)."""
    for path, content in search_files_of(*_search_inputs(documents, normal_bodies)):
        writer.write(path, content)


def _search_inputs(
    documents: list[Document],
    normal_bodies: Mapping[str, str] | None = None,
    snippets: Mapping[str, str] | None = None,
) -> tuple[list[Any], list[Any], list[str]]:
    """What `search_files_of` needs of the documents: entries, what results show, text
    files; `normal_bodies` and `snippets` (by body) when the caller has them already."""
    from sitegen.search.publish import entries_of

    entries = entries_of(documents, normal_bodies)
    known = snippets or {}
    texts = [known.get(d.body_markdown) or snippet_file(d.body_markdown) for d in documents]
    return entries, described_for_search(documents), texts


def described_for_search(documents: Sequence[Document]) -> list[Any]:
    """What search results show of each document (`publish.describe_for_search`)."""
    from sitegen.search.publish import describe_for_search

    return [describe_for_search(d, doc_url(d), _date_label(d)) for d in documents]


def _date_label(document: Document) -> str:
    from sitegen.render.env import date_text

    if document.date is None and document.posted is not None:
        return "发布于 " + date_text(document.posted)
    return date_text(document.date) if document.date else ""


def _compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
