"""Live reload for `sitegen serve`: the script put into served pages, and what it listens to.

The server adds `<script src="/__sitegen__/livereload.js" data-token="…">` to every HTML
page it sends (never to the files on disk). The script opens a Server-Sent Events stream
(`/__sitegen__/events`) and
- reloads the page when the site changed since the page was served, keeping its scroll
  position;
- shows an overlay naming the file and line when a build fails, and removes it when the
  next build succeeds;
- reconnects by itself when the server stops and comes back (and then reloads, since the
  new server may have built a different site).

`Hub` holds what the streams tell: the site's version (`epoch`), which pages each version
changed, and the current build problem.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass

from sitegen.incremental import Problem, problem_json

PREFIX = "/__sitegen__/"
SCRIPT_PATH = PREFIX + "livereload.js"
EVENTS_PATH = PREFIX + "events"
STATUS_PATH = PREFIX + "status"
HISTORY = 256  # versions remembered, to tell a reconnecting page whether it is stale
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

SCRIPT = r"""// sitegen serve: reload this page when the site changes; show build errors.
(function () {
  "use strict";
  var me = document.currentScript;
  var token = me ? me.getAttribute("data-token") : "";
  var key = "sitegen-scroll:" + location.pathname + location.search;

  try {
    var saved = sessionStorage.getItem(key);
    if (saved) {
      sessionStorage.removeItem(key);
      var xy = JSON.parse(saved);
      var restore = function () { window.scrollTo(xy[0], xy[1]); };
      restore();
      document.addEventListener("DOMContentLoaded", restore);
      window.addEventListener("load", restore);
    }
  } catch (e) { /* storage may be off */ }

  function reload() {
    try {
      sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY]));
    } catch (e) { /* storage may be off */ }
    location.reload();
  }

  var overlay = null;
  function clear() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function show(problem) {
    clear();
    overlay = document.createElement("div");
    overlay.id = "sitegen-error";
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("data-zh-keep", "");
    overlay.style.cssText = "position:fixed;left:0;right:0;top:0;max-height:80vh;" +
      "overflow:auto;z-index:2147483647;margin:0;padding:1em 1.5em;background:#2b0b0b;" +
      "color:#fff;border-bottom:4px solid #e5484d;font:15px/1.5 ui-monospace,monospace;" +
      "white-space:pre-wrap;box-shadow:0 4px 24px rgba(0,0,0,.5)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Hide");
    close.style.cssText = "float:right;font:inherit;font-size:1.4em;line-height:1;" +
      "background:none;color:inherit;border:0;cursor:pointer";
    close.onclick = clear;
    var title = document.createElement("strong");
    title.textContent = "sitegen: the build failed. The last good site is shown; " +
      "save a fix and this goes away.";
    var where = document.createElement("div");
    where.className = "sitegen-error-where";
    where.style.cssText = "margin-top:.5em;color:#ffb4b4;font-weight:bold";
    where.textContent = problem.file ? problem.file + (problem.line ? ":" + problem.line : "") : "";
    var message = document.createElement("div");
    message.className = "sitegen-error-message";
    message.textContent = problem.message;
    overlay.append(close, title, where, message);
    (document.body || document.documentElement).appendChild(overlay);
  }

  var source = null;
  function connect() {
    source = new EventSource("/__sitegen__/events?token=" + encodeURIComponent(token) +
      "&path=" + encodeURIComponent(location.pathname));
    source.addEventListener("reload", reload);
    source.addEventListener("problem", function (e) { show(JSON.parse(e.data)); });
    source.addEventListener("ok", clear);
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 1000);
      }
    };
  }
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  connect();
})();
"""


def inject(html: bytes, token: str) -> bytes:
    """Put the reload script at the end of a page's body (or of the page)."""
    tag = f'<script src="{SCRIPT_PATH}" data-token="{token}"></script>\n'.encode()
    ends = list(BODY_END.finditer(html))
    if not ends:
        return html + tag
    at = ends[-1].start()
    return html[:at] + tag + html[at:]


def page_key(path: str) -> str:
    """A page's address relative to the site, without `index.html`: 'search/'."""
    path = path.lstrip("/")
    return path[: -len("index.html")] if path.endswith("index.html") else path


@dataclass(frozen=True)
class Event:
    name: str  # "reload", "problem", "ok"
    data: str = ""


class Hub:
    """The site's version and the current build problem, for every open page's stream."""

    def __init__(self) -> None:
        self.server = uuid.uuid4().hex[:12]
        self.epoch = 0
        self.problem: Problem | None = None
        self.problems = 0  # counts changes of `problem`
        self.stopping = False
        self._history: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=HISTORY)
        self._changed = threading.Condition()

    def token(self) -> str:
        with self._changed:
            return f"{self.server}.{self.epoch}"

    def published(self, pages: frozenset[str] | None = None) -> None:
        """The site on disk changed: pages at these addresses (None: any page) are stale."""
        with self._changed:
            self.epoch += 1
            self._history.append((self.epoch, pages))
            self._changed.notify_all()

    def failed(self, problem: Problem) -> None:
        with self._changed:
            if problem != self.problem:
                self.problem = problem
                self.problems += 1
                self._changed.notify_all()

    def succeeded(self) -> None:
        with self._changed:
            if self.problem is not None:
                self.problem = None
                self.problems += 1
                self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()

    def stale(self, token: str, path: str) -> bool:
        """Whether a page served at `token` shows something that changed since."""
        with self._changed:
            server, _, epoch = token.partition(".")
            if server != self.server or not epoch.isdigit():
                return True
            seen = int(epoch)
            if seen >= self.epoch:
                return False
            newer = [pages for n, pages in self._history if n > seen]
            if len(newer) < self.epoch - seen:
                return True  # older than the history
            here = page_key(path)
            return any(pages is None or here in pages for pages in newer)

    def wait(
        self, epoch: int, problems: int, timeout: float
    ) -> tuple[int, int, Problem | None, bool]:
        """Wait until the version or the problem changes (or `timeout`); return them."""
        with self._changed:
            self._changed.wait_for(
                lambda: self.stopping or self.epoch != epoch or self.problems != problems,
                timeout,
            )
            return self.epoch, self.problems, self.problem, self.stopping

    def state(self) -> tuple[int, int, Problem | None]:
        with self._changed:
            return self.epoch, self.problems, self.problem


def problem_event(problem: Problem | None) -> Event:
    return Event("ok") if problem is None else Event("problem", problem_json(problem))
