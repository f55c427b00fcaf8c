"""The only code that writes the site: into a temporary folder, swapped in at the end.

A build that fails or is killed half-way leaves the previous site as it was; a stale
temporary folder from a killed build is removed by the next one.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType

from sitegen.cache import file_row, rows_digest
from sitegen.errors import BuildError

TEMP_PREFIX = ".sitegen-tmp-"
OLD_PREFIX = ".sitegen-old-"
SPILL = ".sitegen-spill"  # inside the new site, for files moved in (`spill_folder`)
MARKER = ".sitegen"  # in every site sitegen made


class SiteWriter:
    """Write files below a new folder; `commit` replaces the output folder with it.

    A file the site made last time already holds, byte for byte, is linked to (a hard
    link) rather than written again: after an edit most of the site is, and deleting the
    old site then frees only what changed (on a disk mounted with `discard`, freeing
    gigabytes takes longer than writing them).
    """

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.root: Path | None = None
        self.previous: Path | None = None  # the site being replaced, if sitegen made it
        self.written: set[str] = set()  # paths claimed, normalised
        self._folders: set[str] = set()  # folders known to exist, in this process
        self.seconds = 0.0  # spent writing, in this process
        # `cache.file_row` of each file written, in this process (see `take_rows`)
        self.rows: list[str] = []

    def __enter__(self) -> SiteWriter:
        parent = self.out.parent
        parent.mkdir(parents=True, exist_ok=True)
        for prefix in (TEMP_PREFIX, OLD_PREFIX):  # left by a build that was killed
            for stale in parent.glob(f"{prefix}{self.out.name}-*"):
                shutil.rmtree(stale, ignore_errors=True)
        self.root = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{self.out.name}-", dir=parent))
        if (self.out / MARKER).is_file():
            self.previous = self.out
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.root is not None and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def write(self, path: str, content: str | bytes | Path) -> None:
        """Write one file of the site; `path` is '/'-separated and relative to the site.

        `content` is the file's text or bytes, or a file (on the site's file system, e.g.
        in `spill_folder`) to move in.
        """
        self.claim(path)
        if isinstance(content, Path):
            started = time.perf_counter()
            relative, target = self._place(path)
            os.replace(content, target)
            self.rows.append(file_row(relative, os.stat(target)))
            self.seconds += time.perf_counter() - started
            return
        self.write_claimed(path, content)

    def spill_folder(self) -> Path:
        """A folder beside the new site's files for files made elsewhere and moved in by
        `write`; removed at `commit` (and with the rest if the build fails)."""
        assert self.root is not None, "use SiteWriter as a context manager"
        folder = self.root / SPILL
        folder.mkdir(exist_ok=True)
        return folder

    def claim(self, path: str) -> None:
        """Reserve `path` for a file written later by `write_claimed`, maybe in a worker.

        Refuses a path outside the site or one already claimed, as `write` does. Strings,
        not `PurePosixPath`s: a large site claims ~66,000 paths.
        """
        assert self.root is not None, "use SiteWriter as a context manager"
        if path.startswith("/") or ".." in path.split("/"):
            raise BuildError(f"refusing to write outside the site: {path!r}")
        relative = posixpath.normpath(path)  # 'a//b/./c/' as 'a/b/c', as `_place` does
        if relative == ".":
            raise BuildError(f"refusing to write outside the site: {path!r}")
        if relative in self.written:
            raise BuildError(f"two pages want the same file: {path!r}")
        self.written.add(relative)

    def write_claimed(self, path: str, content: str | bytes) -> int:
        """Write a file `claim` reserved; return its size. Safe in forked worker processes."""
        started = time.perf_counter()
        relative, target = self._place(path)
        data = content.encode("utf-8") if isinstance(content, str) else content
        info = self._linked(path, data, target)
        if info is None:
            with open(target, "wb") as file:
                file.write(data)
                file.flush()
                info = os.fstat(file.fileno())  # written: its size and time are final
        self.rows.append(file_row(relative, info))
        self.seconds += time.perf_counter() - started
        return len(data)

    def take_rows(self) -> list[str]:
        """The rows of the files this process wrote since the last call (a worker hands
        them to the build, which puts them back in `rows`)."""
        rows, self.rows = self.rows, []
        return rows

    def give_rows(self, rows: list[str]) -> None:
        """Put back rows `take_rows` gave (in this process or a worker)."""
        self.rows += rows

    def digest(self) -> str:
        """`cache.files_digest` of the site `commit` put in place, from what was written:
        no walk over tens of thousands of files. Every file is written in this process
        or in a worker whose `take_rows` came back to `rows`."""
        return rows_digest(list(self.rows))

    def _linked(self, path: str, data: bytes, target: str) -> os.stat_result | None:
        """Link `target` to the previous site's `path` if that holds `data`; its stat if so."""
        if self.previous is None:
            return None
        old = self.previous.joinpath(*PurePosixPath(path).parts)
        try:
            held = os.stat(old, follow_symlinks=False)
            if not stat.S_ISREG(held.st_mode) or held.st_size != len(data):
                return None
            with open(old, "rb") as file:
                if file.read() != data:
                    return None
            os.link(old, target, follow_symlinks=False)
        except OSError:  # gone meanwhile, or no hard links on this file system
            return None
        return held  # a link changes the file's ctime, not its size or mtime

    def _place(self, path: str) -> tuple[str, str]:
        """The claimed `path` (relative, no '..') as `claim` normalised it, and its file in
        the new site, whose folder is made if need be. Strings, not `Path`s: pathlib's
        parsing cost more than writing a page."""
        assert self.root is not None, "use SiteWriter as a context manager"
        relative = posixpath.normpath(path)
        target = os.path.join(self.root, *relative.split("/"))
        folder = os.path.dirname(target)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        return relative, target

    def copy(self, path: str, source: Path) -> None:
        """Copy a file into the site."""
        self.write(path, source.read_bytes())

    def commit(self) -> None:
        """Put the new site in place of the old one."""
        assert self.root is not None
        old = None
        if self.out.exists():
            if not (self.out / MARKER).exists() and any(self.out.iterdir()):
                raise BuildError(
                    f"{self.out} exists and was not made by sitegen; "
                    "choose another --out or empty it"
                )
            old = Path(
                tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{self.out.name}-", dir=self.out.parent)
            )
            os.rename(self.out, old / "site")
        shutil.rmtree(self.root / SPILL, ignore_errors=True)
        marker = self.root / MARKER
        marker.write_text("made by sitegen; replaced on every build\n")
        self.rows.append(file_row(MARKER, os.stat(marker)))
        os.chmod(self.root, 0o755)
        os.rename(self.root, self.out)
        self.root = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def update_site(out: Path, files: Mapping[str, bytes | Path], removed: Iterable[str]) -> None:
    """Change a site made by `SiteWriter` in place: write `files`, delete `removed`.

    Paths are '/'-separated and relative to the site; a file's content is bytes, or a file
    (on the same file system) to move in. Each file is written beside its target and
    renamed over it, so a reader sees the old file or the new one, never half of one.
    """
    root = out.resolve()
    if not (root / MARKER).exists():
        raise BuildError(f"{out} was not made by sitegen; refusing to change it")
    for path, content in files.items():
        target = _inside(root, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            os.replace(content, target)
            continue
        temp = target.with_name(f"{TEMP_PREFIX}{target.name}")
        temp.write_bytes(content)
        os.replace(temp, target)
    for path in removed:
        target = _inside(root, path)
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _inside(root: Path, path: str) -> Path:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise BuildError(f"refusing to write outside the site: {path!r}")
    return root.joinpath(*relative.parts)
