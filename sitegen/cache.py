"""The build cache: what each input file gave when it was cleaned, and what each site holds.

Kept in one SQLite file in `.sitegen-cache/` beside the output folder, never in the archive
(which a build only reads). Two tables:

- `files`: content-addressed entries, each the pickled result of reading, splitting and
  cleaning one input file. The key is a digest of the code that does it (`INGEST_CODE`
  and the versions of the libraries it uses), the extra cities of
  `sitegen.toml`, the file's path in the archive and its bytes: an entry is never stale,
  only unused. Entries that none of the last `KEEP_BUILDS` builds used are dropped.
- `sites`: for each output folder, the fingerprint of all the inputs of the build that made
  it and a digest of its files (path, size, modification time), so a build whose inputs
  did not change and whose site nobody touched has nothing to do.

The cache is an optimisation only: if its folder cannot be written or its file is damaged,
the build goes on without it (and a damaged file is replaced).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_DIR = ".sitegen-cache"
DATABASE = "cache.sqlite3"
KEEP_BUILDS = 10
FORMAT = 1  # bump when what an entry holds changes shape
# Libraries whose behaviour the cleaned documents or the site depend on.
LIBRARIES = ("opencc-python-reimplemented", "pypinyin", "charset-normalizer", "markdown",
             "jinja2", "markupsafe", "lunr", "numpy")  # fmt: skip
BATCH = 500  # keys per SQL statement (SQLite allows 999 parameters)


def cache_dir(out: Path) -> Path:
    """Return the cache folder of a site written to `out`: beside it, never inside it."""
    return out.resolve().parent / CACHE_DIR


def digest(*parts: bytes | str) -> str:
    """Return a hex digest of `parts`, each length-prefixed so that no two lists collide."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


# What reading, splitting and cleaning a file runs (sitegen/build.py holds `ingest_bytes`).
INGEST_CODE = ("ingest", "data", "model.py", "chinese.py", "resources.py", "build.py",
               "search/tokenize.py", "search/snippets.py", "search/postings.py",
               "render/related.py", "render/env.py")  # fmt: skip


@lru_cache(maxsize=1)
def code_version() -> str:
    """Return a digest of the code a build runs: sitegen's own files and its libraries."""
    return _version(None)


@lru_cache(maxsize=1)
def ingest_version() -> str:
    """Return a digest of the code that cleans a file (the cache's entries depend on it)."""
    return _version(INGEST_CODE)


def _version(only: tuple[str, ...] | None) -> str:
    package = Path(__file__).resolve().parent
    parts: list[bytes | str] = [str(FORMAT), sys.version]
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if only is not None and not {relative.parts[0], relative.as_posix()} & set(only):
            continue
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            parts += [relative.as_posix(), path.read_bytes()]
    for name in LIBRARIES:
        try:
            parts += [name, metadata.version(name)]
        except metadata.PackageNotFoundError:
            parts += [name, "-"]
    return digest(*parts)


class Cache:
    """The cache of one output folder's parent; use as a context manager."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db: sqlite3.Connection | None = None
        self.generation = 0

    def __enter__(self) -> Cache:
        try:
            self._open()
        except (OSError, sqlite3.Error) as error:
            log.info("build cache in %s not usable (%s); building without it", self.folder, error)
            self.db = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @property
    def usable(self) -> bool:
        return self.db is not None

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# made by sitegen: a cache, safe to delete\n*\n", encoding="utf-8")
        path = self.folder / DATABASE
        try:
            self.db = self._connect(path)
        except sqlite3.DatabaseError:
            log.info("build cache %s is damaged; starting a new one", path)
            path.unlink(missing_ok=True)
            self.db = self._connect(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=60, isolation_level=None)
        # Entries are tens of KB: in 64 KB pages rather than chains of 4 KB ones, storing
        # takes half the time (10,000 entries: ~4 s less) for ~5% more disk. Takes effect
        # only in a new database (a cache made before keeps its pages).
        db.execute("PRAGMA page_size=65536")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, used INTEGER, data BLOB)"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS sites (out TEXT PRIMARY KEY, inputs TEXT, files TEXT)"
        )
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")
        return db

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the entries found for `keys`."""
        if self.db is None:
            return {}
        found: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(keys))
        try:
            for start in range(0, len(wanted), BATCH):
                batch = wanted[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                rows = self.db.execute(f"SELECT key, data FROM files WHERE key IN ({marks})", batch)
                found.update(rows)
        except sqlite3.Error as error:
            log.info("build cache not readable (%s); cleaning every file", error)
            return {}
        return found

    def store(self, new: dict[str, bytes]) -> bool:
        """Store `new` entries now (as used by the coming `finish`); False if it cannot."""
        if self.db is None:
            return False
        try:
            self.db.execute("BEGIN IMMEDIATE")
            (generation,) = self.db.execute(
                "SELECT value FROM meta WHERE name = 'generation'"
            ).fetchone()
            self._insert(new, generation + 1)
            self.db.execute("COMMIT")
        except sqlite3.Error as error:
            log.info("build cache not writable (%s); going on without storing", error)
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            return False
        return True

    def finish(self, new: dict[str, bytes], used: Iterable[str]) -> None:
        """Store `new` entries, mark every key `used` by this build, drop long-unused ones."""
        if self.db is None:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            (generation,) = self.db.execute(
                "SELECT value FROM meta WHERE name = 'generation'"
            ).fetchone()
            generation += 1
            self.db.execute("UPDATE meta SET value = ? WHERE name = 'generation'", (generation,))
            self._insert(new, generation)
            keys = [k for k in dict.fromkeys(used) if k not in new]
            for start in range(0, len(keys), BATCH):
                batch = keys[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                self.db.execute(
                    f"UPDATE files SET used = ? WHERE key IN ({marks})", [generation, *batch]
                )
            self.db.execute("DELETE FROM files WHERE used <= ?", (generation - KEEP_BUILDS,))
            self.db.execute("COMMIT")
        except sqlite3.Error as error:
            log.info("build cache not writable (%s); going on without storing", error)
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")

    def _insert(self, new: dict[str, bytes], generation: int) -> None:
        assert self.db is not None
        self.db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
            ((key, generation, data) for key, data in new.items()),
        )

    def site(self, out: Path) -> tuple[str, str] | None:
        """Return (inputs fingerprint, files digest) recorded for the site at `out`."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT inputs, files FROM sites WHERE out = ?", (str(out.resolve()),)
            ).fetchone()
        except sqlite3.Error:
            return None
        return (row[0], row[1]) if row else None

    def remember_site(self, out: Path, inputs: str | None, files: str | None) -> None:
        """Record what the site at `out` was built from (None: forget it)."""
        if self.db is None:
            return
        try:
            if inputs is None or files is None:
                self.db.execute("DELETE FROM sites WHERE out = ?", (str(out.resolve()),))
            else:
                self.db.execute(
                    "INSERT OR REPLACE INTO sites VALUES (?, ?, ?)",
                    (str(out.resolve()), inputs, files),
                )
        except sqlite3.Error as error:
            log.info("build cache not writable (%s)", error)


def files_digest(site: Path) -> str | None:
    """Return a digest of every file below `site`: path, size and modification time.

    None when there is no site there.
    """
    if not site.is_dir():
        return None
    rows: list[str] = []
    stack = [(str(site), "")]  # strings, not Paths: a site has tens of thousands of folders
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    info = entry.stat(follow_symlinks=False)
                    rows.append(file_row(f"{prefix}{entry.name}", info))
    return rows_digest(rows)


def file_row(path: str, info: os.stat_result) -> str:
    """What `files_digest` reads of one file: its '/'-separated path, size and mtime."""
    return f"{path}\t{info.st_size}\t{info.st_mtime_ns}"


def rows_digest(rows: list[str]) -> str:
    """`files_digest` of a site whose files give `rows` (`file_row`), in any order."""
    rows.sort()
    return digest("\n".join(rows))
