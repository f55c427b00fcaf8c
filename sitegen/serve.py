"""`sitegen serve`: build, serve the site on 127.0.0.1, rebuild what changed, reload pages.

Takes a `Config` (whose output folder is a temporary one) and an address; gives a running
`Preview`. The shape is MkDocs' and Lektor's:

- a watchdog handler only notes that something changed (never the output folder, never an
  editor's temporary files);
- one build loop waits until the changes settle (a burst of saves, an editor's
  write-and-rename, a folder copied in: one rebuild), brings the site up to date
  (`IncrementalSite.update`) and tells every open page (`livereload.Hub`);
- requests wait while that build runs and while files are replaced, so a half-built site
  is never served; a failed build leaves the last good site served and shows the problem
  in an overlay until a build succeeds;
- the search index, built from every document at once, is rebuilt in the background after
  the pages are published (in a process group of its own, at a lower priority), then the
  search page reloads; a save ends it (see `_end_search`), and it starts again after.

The server answers only for files inside the output folder (no `..`, no links leading out,
no listings) and adds the reload script only to the HTML it sends.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import mimetypes
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sitegen.build import die_with_parent
from sitegen.config import CONFIG_NAME, Config, load_config
from sitegen.errors import BuildError, ConfigError, SitegenError
from sitegen.incremental import (
    BuildFailed,
    IncrementalSite,
    Problem,
    SearchFiles,
    SearchInputs,
    SearchJob,
    Update,
    build_search_files,
    problem_from,
)
from sitegen.ingest.read import RESERVED_DIRS, TEXT_SUFFIXES
from sitegen.ingest.sidecar import SUFFIX as SIDECAR_SUFFIX
from sitegen.livereload import (
    EVENTS_PATH,
    PREFIX,
    SCRIPT,
    SCRIPT_PATH,
    STATUS_PATH,
    Hub,
    inject,
    problem_event,
)
from sitegen.resources import package_dir

log = logging.getLogger(__name__)

QUIET = 0.1  # seconds without a change before rebuilding
BULK = 20  # changes that make a batch a bulk operation (a folder copied in, a checkout)…
BULK_QUIET = 0.5  # …which must be quiet this long: copying has pauses
LONGEST_WAIT = 3.0  # rebuild anyway after this long, however busy the folder
REQUEST_WAIT = 60.0  # a request waits this long for a build, then gets 503
PING = 15.0  # seconds between keep-alive comments on an event stream
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
SEARCH_AFTER = 0.5  # seconds after a build before the search index is rebuilt
SEARCH_PAGES = frozenset({"search/"})  # what a new search index makes stale

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json",
}
EDITOR_LEFTOVERS = ("~", ".swp", ".swx", ".swo", ".tmp", ".temp", ".part", ".crdownload", ".bak")


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed = mimetypes.guess_type(name)[0]
    return guessed or "application/octet-stream"


# --- the site, guarded ----------------------------------------------------------------------


class SiteLock:
    """Requests read the site; a build and its writes keep them waiting."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writers = 0  # writing or waiting to write
        self._writing = False
        self._building = 0

    @contextlib.contextmanager
    def building(self) -> Iterator[None]:
        """While the pages are rebuilt, requests wait (they would get the old site)."""
        with self._cond:
            self._building += 1
        try:
            yield
        finally:
            with self._cond:
                self._building -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """While files of the site are replaced, nobody reads them."""
        with self._cond:
            self._writers += 1
            self._cond.wait_for(lambda: not self._writing and self._readers == 0)
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._writers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def reading(self, timeout: float = REQUEST_WAIT) -> Iterator[bool]:
        """Wait for builds and writes; yield whether the wait ended in time."""
        with self._cond:
            ready = self._cond.wait_for(lambda: not self._building and not self._writers, timeout)
            if ready:
                self._readers += 1
        try:
            yield ready
        finally:
            if ready:
                with self._cond:
                    self._readers -= 1
                    self._cond.notify_all()


# --- HTTP ---------------------------------------------------------------------------------


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    preview: Preview


def _bind(host: str, port: int) -> _Server:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class Server(_Server):
        address_family = family

    return Server((host, port), _Handler, bind_and_activate=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers GET and HEAD for files of the site and the live-reload endpoints."""

    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle kept-alive connection is closed, and its thread ends
    server_version = "sitegen-serve"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        preview = self.server.preview
        url = urlsplit(self.path)
        if url.path == EVENTS_PATH and not head:
            self._events(preview, parse_qs(url.query))
            return
        if url.path == SCRIPT_PATH:
            self._send(200, content_type("script.js"), SCRIPT.encode("utf-8"), head)
            return
        if url.path == STATUS_PATH:
            self._send(200, content_type("status.json"), preview.status().encode("utf-8"), head)
            return
        if url.path.startswith(PREFIX):
            self._missing(preview, head)
            return
        status, target, where = preview.locate(url.path)
        if status == 301:
            location = where + ("?" + url.query if url.query else "")
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if status == 403:
            self._send(403, "text/plain; charset=utf-8", b"403 Forbidden\n", head)
            return
        if status != 200 or target is None:
            self._missing(preview, head)
            return
        with preview.lock.reading() as ready:
            if not ready:
                self._send(503, "text/plain; charset=utf-8", b"the site is being rebuilt\n", head)
                return
            try:
                data = target.read_bytes()
            except OSError:
                data = None
        if data is None:
            self._missing(preview, head)
            return
        kind = content_type(target.name)
        if kind.startswith("text/html"):
            data = inject(data, preview.hub.token())
        self._send(200, kind, data, head)

    def _missing(self, preview: Preview, head: bool) -> None:
        """404, with the site's own 404 page (or the build's error page)."""
        page = preview.not_found_page()
        self._send(404, content_type("page.html"), inject(page, preview.hub.token()), head)

    def _send(self, status: int, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self, preview: Preview, query: dict[str, list[str]]) -> None:
        """A Server-Sent Events stream: `reload`, `problem` and `ok` for one open page."""
        hub = preview.hub
        token = self.headers.get("Last-Event-ID") or query.get("token", [""])[0]
        path = query.get("path", ["/"])[0]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.close_connection = True
        epoch, problems, problem = hub.state()
        try:
            self._event("retry", "500")
            if hub.stale(token, path):
                self._event("reload", "", event_id=hub.token())
                return
            token = hub.token()
            event = problem_event(problem)
            self._event(event.name, event.data, event_id=token)
            while True:
                now, now_problems, problem, stopping = hub.wait(epoch, problems, PING)
                if stopping:
                    return
                changed = now != epoch
                if changed:
                    if hub.stale(token, path):
                        self._event("reload", "", event_id=hub.token())
                        return
                    token, epoch = hub.token(), now  # nothing this page shows changed
                    self._event("version", "", event_id=token)
                if now_problems != problems:
                    problems = now_problems
                    event = problem_event(problem)
                    self._event(event.name, event.data, event_id=token)
                elif not changed:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return

    def _event(self, name: str, data: str, event_id: str | None = None) -> None:
        if name == "retry":
            chunk = f"retry: {data}\n\n"
        else:
            lines = "".join(f"data: {line}\n" for line in (data.splitlines() or [""]))
            chunk = (f"id: {event_id}\n" if event_id else "") + f"event: {name}\n{lines}\n"
        self.wfile.write(chunk.encode("utf-8"))
        self.wfile.flush()


# --- watching -----------------------------------------------------------------------------


class Changes:
    """What the watcher saw since the last build, and when."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paths: set[str] = set()
        self._count = 0
        self._first = 0.0
        self._last = 0.0
        self.config = False
        self.stopping = False

    def saw(self, path: str, config: bool = False) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._paths:
                self._first = now
                self._count = 0
            self._paths.add(path)
            self._count += 1
            self._last = now
            self.config = self.config or config
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.stopping = True
            self._cond.notify_all()

    def settled(
        self, quiet: float = QUIET, longest: float = LONGEST_WAIT
    ) -> tuple[set[str], bool] | None:
        """Wait for changes, then until none came for `quiet` seconds; take them.

        None when stopping.
        """
        with self._cond:
            self._cond.wait_for(lambda: self.stopping or self._paths)
            while not self.stopping:
                now = time.monotonic()
                wait = quiet if self._count < BULK else max(quiet, BULK_QUIET)
                left = min(self._last + wait, self._first + longest) - now
                if left <= 0:
                    break
                self._cond.wait(left)
            if self.stopping:
                return None
            paths, config = self._paths, self.config
            self._paths, self.config = set(), False
            return paths, config


def _watch_handler(preview: Preview) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    path = path.decode() if isinstance(path, bytes) else path
                    kind = preview.kind_of(Path(path), event.is_directory, event.event_type)
                    if kind is not None:
                        preview.changes.saw(path, config=kind == "config")

    return Handler()


# --- the preview --------------------------------------------------------------------------


class Preview:
    """A built site, served and kept up to date while the archive changes."""

    def __init__(
        self,
        source: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        out: Path | None = None,
        verify: bool = False,
        quiet: float = QUIET,
        cache: Path | None = None,
    ) -> None:
        self.source = source.resolve()
        self.cache = cache
        self.host = host
        self.lock = SiteLock()
        self.hub = Hub()
        self.changes = Changes()
        self.quiet = quiet
        self.verify = verify
        self.builds = 0  # page builds run after the first, successful or not
        self._temporary = out is None
        self.out = (out or Path(tempfile.mkdtemp(prefix="sitegen-serve-")) / "site").resolve()
        self.server = _bind(host, port)
        self.server.preview = self
        self.port = self.server.server_address[1]
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        shown = f"[{shown}]" if ":" in shown else shown
        self.url = f"http://{shown}:{self.port}/"
        try:
            self.config = self._load_config()  # ConfigError: nothing to serve, say so
            self.site = self._new_site(self.config)
        except BaseException:
            self.server.server_close()
            if self._temporary:
                shutil.rmtree(self.out.parent, ignore_errors=True)
            raise
        self.problem: Problem | None = None
        self.searching = False  # the search index is being rebuilt in the background
        self._child: Any = None  # the process building it
        self._ended: Any = None  # the last such process ended for a build (`_end_search`)
        self._search_delay = 0.0  # seconds the search process waits before working (tests)
        self._site_lock = threading.Lock()  # replacing `site` against publishing search
        self._search_wanted = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._observer: Any = None
        self._complete = True  # the watcher has seen every change (no events lost)
        self._folders = self._watched_folders()

    # -- life ------------------------------------------------------------------------------

    def start(self) -> Update | None:
        """Watch, build, then serve; return the first build (None if it failed)."""
        self._watch()
        first = None
        try:
            first = self.site.update()
        except BuildFailed as failed:
            self._failed(failed.problem)
        self._spawn(self.server.serve_forever, "http")
        self._spawn(self._build_loop, "build")
        self._spawn(self._search_loop, "search")
        return first

    def stop(self) -> None:
        """Stop serving, watching and building; remove the temporary output folder."""
        self._stopping.set()
        self.changes.stop()
        self.hub.stop()
        self._search_wanted.set()
        child = self._child
        if child is not None:
            _end_group(child)  # a half-built search index is not waited for
        if self._observer is not None:
            self._observer.stop()
        self.server.shutdown()
        self.server.server_close()
        if self._observer is not None:
            self._observer.join(timeout=5)
        for thread in self._threads:
            if thread.name != "sitegen-search":  # it may be inside a long computation
                thread.join(timeout=10)
        if self._temporary:
            shutil.rmtree(self.out.parent, ignore_errors=True)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"sitegen-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    # -- watching --------------------------------------------------------------------------

    def _watched_folders(self) -> list[Path]:
        folders = [self.source]
        for name in ("templates", "static"):
            try:
                shipped = package_dir(name).resolve()
            except FileNotFoundError:
                continue
            if not shipped.is_relative_to(self.source):
                folders.append(shipped)
        return folders

    def _watch(self) -> None:
        from watchdog.observers import Observer

        self._observer = Observer()
        handler = _watch_handler(self)
        for folder in self._folders:
            self._observer.schedule(handler, str(folder), recursive=True)
        self._observer.daemon = True
        self._observer.start()

    def kind_of(self, path: Path, directory: bool, event: str) -> str | None:
        """What a change at `path` means: 'config', 'input', or None (nothing to rebuild)."""
        try:
            path = Path(path).absolute()
        except OSError:
            return None
        if path == self.out or self.out in path.parents:
            return None  # the output, never watched
        for folder in self._folders:
            if path == folder or folder in path.parents:
                relative = path.relative_to(folder)
                break
        else:
            return None
        parts = relative.parts
        if any(p.startswith((".", "#")) or p.endswith(EDITOR_LEFTOVERS) for p in parts):
            return None  # hidden files, editors' swap and backup files
        if parts and parts[-1].isdigit():
            return None  # vim's write test (4913)
        if folder != self.source:
            return "input"  # the shipped templates and static files
        if parts == (CONFIG_NAME,):
            return "config"
        if directory:
            return "input" if event in ("created", "deleted", "moved") else None
        if parts and parts[0] in RESERVED_DIRS:
            return "input"
        name = parts[-1].lower() if parts else ""
        if name.endswith(TEXT_SUFFIXES) or name.endswith(SIDECAR_SUFFIX):
            return "input"
        return None

    # -- building --------------------------------------------------------------------------

    def _load_config(self) -> Config:
        return load_config(self.source, self.out, base_url=self.url)

    def _new_site(self, config: Config) -> IncrementalSite:
        return IncrementalSite(
            config,
            curated_problems_fail=True,
            verify=self.verify,
            publish=self.lock.writing,
            cache=self.cache,
        )

    def _build_loop(self) -> None:
        while not self._stopping.is_set():
            taken = self.changes.settled(self.quiet)
            if taken is None:
                return
            paths, config = taken
            try:
                self.rebuild(config_changed=config, paths=paths)
            except Exception as error:  # keep serving: say what broke, wait for the next save
                log.exception("sitegen serve: the build crashed")
                self._failed(problem_from(error, self.config))

    def rebuild(
        self, config_changed: bool = False, paths: Iterable[str] | None = None
    ) -> Update | None:
        """Bring the site up to date now (`paths`: what changed, if known); None if it failed."""
        started = time.perf_counter()
        if config_changed or not self.site.built:
            return self._rebuild_whole(started)
        self.builds += 1
        self._end_search()
        try:
            with self.lock.building():
                update = self.site.update(paths if self._complete else None)
        except BuildFailed as failed:
            self._failed(failed.problem)
            return None
        self._published(update, None)
        return update

    def _end_search(self) -> None:
        """End the search index being rebuilt in the background, so that the build has
        both processors; the search loop starts it again after. Most saves change the
        documents, which makes it stale anyway."""
        child = self._child
        if child is not None:
            self._ended = child
            _end_group(child)
            child.join(timeout=30)

    def _rebuild_whole(self, started: float) -> Update | None:
        """The configuration changed (or nothing was built yet): build everything again."""
        self.builds += 1
        try:
            config = self._load_config()
        except ConfigError as error:
            self._failed(problem_from(error, self.config))
            return None
        site = self._new_site(config)
        with self._site_lock:  # the old site is served until the new one is swapped in
            try:
                update = site.update()
            except BuildFailed as failed:
                self._failed(failed.problem)
                return None
            self.site, self.config = site, config
        self._published(update, None)
        return update

    def _published(self, update: Update, pages: frozenset[str] | None) -> None:
        if update.changed:
            self.hub.published(pages)
        if self.problem is not None:
            log.info("sitegen serve: the build works again")
        self.problem = None
        self.hub.succeeded()
        log.info(
            "Rebuilt in %.2f s: %d page(s) rendered, %d file(s) changed.",
            update.seconds, update.rendered, len(update.written) + len(update.removed),
        )  # fmt: skip
        for warning in update.warnings:
            log.debug("warning: %s", warning)
        if self.site.search_wanted():
            self._search_wanted.set()
        self.site.tidy()

    def _failed(self, problem: Problem) -> None:
        self.problem = problem
        self.hub.failed(problem)
        log.error("Build failed: %s", problem)

    def _search_loop(self) -> None:
        """Rebuild the search index in the background whenever the documents changed.

        The index is built in another process (it would hold this one's interpreter lock
        for long stretches and slow the next page build), into a folder beside the site;
        the files that changed are then moved in. A build made stale by newer documents is
        stopped; Ctrl-C stops it too.
        """
        while True:
            self._search_wanted.wait()
            if self._stopping.wait(SEARCH_AFTER):  # let the reloaded pages be served first
                return
            self._search_wanted.clear()
            site = self.site
            if not site.search_wanted():
                continue
            self.searching = True
            folder = Path(tempfile.mkdtemp(prefix=".sitegen-search-", dir=self.out.parent))
            try:
                started = time.perf_counter()
                job = site.search_job()
                prepared = self._search_in_child(site, job, folder)
                if prepared is None:
                    continue  # stale or stopped
                with self._site_lock:
                    update = site.publish_search(prepared, started) if site is self.site else None
            except BuildFailed as failed:
                self._failed(failed.problem)
                continue
            except Exception as error:  # the pages stay served; say what broke
                log.exception("sitegen serve: the search index could not be built")
                self._failed(problem_from(error, self.config))
                continue
            finally:
                shutil.rmtree(folder, ignore_errors=True)
                self.searching = False
            if update is not None:
                if update.changed:
                    self.hub.published(SEARCH_PAGES)
                log.info("Search index rebuilt in %.1f s.", update.seconds)

    def _search_in_child(
        self, site: IncrementalSite, job: SearchJob, folder: Path
    ) -> SearchFiles | None:
        """Build the search files of `job` into `folder` in a new process; None if given up.

        Spawned, not forked: a forked process shares this one's memory, and every page a
        build then writes to is copied first (measured at 10,000 documents: a save's build
        took 1.0-1.3 s beside a forked process, idle or stopped, against 0.5 s alone). It
        gets only what it needs of the documents (`SearchInputs`).
        """
        inputs = SearchInputs.of(job)
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(
            target=_search_child,
            args=(send, inputs, folder, os.getpid(), self._search_delay),
            name="sitegen-search",
        )
        child.start()
        with contextlib.suppress(OSError, AttributeError):  # its own process group (see
            os.setpgid(child.pid, child.pid)  # _end_group); the child does it too: no race
        send.close()
        self._child = child
        try:
            while not receive.poll(0.2):
                if site.generation != job.generation or self._ended is child:
                    self._search_wanted.set()  # again, for the documents as they are now
                    return None
                if self._stopping.is_set():
                    return None
                if not child.is_alive() and not receive.poll():
                    raise BuildError("the search index process ended without a result")
            kind, value = receive.recv()
        finally:
            _end_group(child)
            child.join(timeout=30)
            self._child = None
            receive.close()
        if kind != "ok":
            raise BuildError(f"the search index could not be built: {value}")
        return SearchFiles(job.generation, job.documents, value, folder=folder)

    # -- serving ---------------------------------------------------------------------------

    def locate(self, url_path: str) -> tuple[int, Path | None, str]:
        """Map a URL path to a file of the site: (status, file, redirect address)."""
        path = unquote(url_path, errors="replace")
        if "\0" in path or "\\" in path:
            return 404, None, ""
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return 404, None, ""  # no climbing out, no hidden files
        root = self.out
        candidate = root.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return 404, None, ""
        if resolved != root and not resolved.is_relative_to(root):
            return 403, None, ""  # a link leading out of the site
        if resolved.is_dir():
            if not url_path.endswith("/"):
                return 301, None, url_path + "/"
            index = resolved / "index.html"
            return (200, index, "") if index.is_file() else (404, None, "")
        if resolved.is_file():
            return 200, resolved, ""
        return 404, None, ""

    def not_found_page(self) -> bytes:
        page = self.out / "404.html"
        with self.lock.reading(timeout=5):
            try:
                return page.read_bytes()
            except OSError:
                pass
        problem = self.problem
        text = (
            "The site could not be built; the problem shows above. Save a fix and this page "
            "reloads by itself."
            if problem is not None
            else "Not found."
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>sitegen serve</title></head>\n"
            f"<body><h1>sitegen serve</h1><p>{text}</p></body></html>\n"
        ).encode()

    def status(self) -> str:
        import json

        epoch, _, problem = self.hub.state()
        return json.dumps(
            {"token": self.hub.token(), "epoch": epoch, "builds": self.builds,
             "problem": None if problem is None else str(problem),
             "searching": self.searching},
            ensure_ascii=False,
        )  # fmt: skip


def _end_group(child: Any) -> None:
    """End a search process and its workers (its process group)."""
    with contextlib.suppress(OSError, AttributeError):
        os.killpg(child.pid, signal.SIGKILL)
    if child.is_alive():  # not in its own group (not POSIX)
        child.terminate()


def _search_child(
    send: Any, inputs: SearchInputs, folder: Path, parent: int, delay: float = 0.0
) -> None:
    """In a new process: build the search files of `inputs` into `folder`; send digests.

    At a lower priority (nice 10, inherited by its worker processes), in a process group
    of its own, which `_end_group` ends at once. `delay`: wait first (for tests).
    """
    try:
        os.nice(10)
        os.setpgid(0, 0)
    except (AttributeError, OSError):  # not POSIX: same priority, ended alone
        pass
    die_with_parent(parent)  # out of the server's process group: Ctrl-C does not reach it
    try:
        time.sleep(delay)
        digests, _ = build_search_files(inputs, folder)
        send.send(("ok", digests))
    except BaseException as error:  # reported by the parent, not lost
        send.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        send.close()


def serve(
    source: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    ready: Callable[[Preview, Update | None], None] | None = None,
    cache: Path | None = None,
) -> None:
    """Serve the archive at `source` until interrupted (Ctrl-C).

    `cache`: `sitegen build`'s cache folder, to clean only files no build cleaned before.
    """
    try:
        preview = Preview(source, host, port, cache=cache)
    except OSError as error:
        raise SitegenError(
            f"cannot listen on {host}:{port} ({error.strerror or error}); "
            "choose another --port, or --port 0 for any free one"
        ) from error
    try:
        first = preview.start()
        if ready is not None:
            ready(preview, first)
        if open_browser:
            import webbrowser

            webbrowser.open(preview.url)
        while not preview._stopping.wait(0.5):
            pass
    finally:
        preview.stop()
