"""Find the archive's text files and decode them: takes a folder, gives `Source`s.

Encodings are detected, not assumed: a byte-order mark wins; otherwise strict UTF-8;
otherwise the candidate (GB18030, Big5, UTF-16 without BOM) whose decoded text reads most
like Chinese, judged by the share of common Han characters in either script.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from sitegen.ingest.sidecar import sidecar_name
from sitegen.model import Source

TEXT_SUFFIXES = (".txt", ".md")
# Folders of an archive that hold site configuration, not documents.
RESERVED_DIRS = frozenset({"pages", "templates", "static"})

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
FALLBACKS = ("gb18030", "big5", "utf-16-le", "utf-16-be")
MIN_CHINESE_SCORE = 0.6


class UnreadableFile(ValueError):
    """The file is not text in any encoding we recognise."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int  # bytes that could not be decoded and became U+FFFD


def find_sources(root: Path) -> Iterator[tuple[Path, PurePosixPath]]:
    """Yield (absolute path, archive-relative path) of every text file, in sorted order: a
    folder's files, then its folders' (as `os.walk` goes).

    Links are followed only while they stay inside the archive; a linked folder is not
    entered.
    """
    for path, relative, _ in find_sources_and_sidecars(root):
        yield path, relative


def find_sources_and_sidecars(root: Path) -> Iterator[tuple[Path, PurePosixPath, Path | None]]:
    """`find_sources`, each file with its sidecar (None if it has none), found in the
    listing of its folder the walk made: no `stat` per file."""
    root = root.resolve()
    for folder, prefix, files, folders in _walk(root):
        here, relative = Path(folder), PurePosixPath(prefix)  # `/ name` then parses only name
        listed = {entry.name: entry for entry in files}
        for entry in files:
            name = entry.name
            if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
                continue
            path = here / name
            if entry.is_symlink() and not _inside(path, root):
                continue  # reported by outside_links, never read
            yield path, relative / name, _sidecar(here, listed.get(sidecar_name(name)))
        folders[:] = [
            entry
            for entry in folders
            if not entry.name.startswith(".")
            and not (folder == str(root) and entry.name in RESERVED_DIRS)
        ]


def outside_links(root: Path) -> Iterator[PurePosixPath]:
    """Yield files and folders (anywhere, hidden ones too) that are links pointing outside
    the archive."""
    root = root.resolve()
    for _, prefix, files, folders in _walk(root):
        for entry in sorted(files + folders, key=_name):
            if entry.is_symlink() and not _inside(Path(entry.path), root):
                yield PurePosixPath(prefix + entry.name)


def _walk(root: Path) -> Iterator[tuple[str, str, list[os.DirEntry[str]], list[os.DirEntry[str]]]]:
    """`os.walk(root)` in sorted order, giving each folder's path, its path relative to `root`
    ('' or ending in '/'), its files and its folders (`os.DirEntry`s, whose kind and
    whether they are links come with the listing: no `stat` per file). Folders that are
    links are listed but not entered; remove folders from the list to skip them."""
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_name)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is skipped
        files, folders = [], []
        for entry in entries:
            try:
                is_folder = entry.is_dir()  # a link to a folder counts as one, as in os.walk
            except OSError:
                is_folder = False
            (folders if is_folder else files).append(entry)
        yield folder, prefix, files, folders
        for entry in reversed(folders):
            if not entry.is_symlink():
                stack.append((entry.path, f"{prefix}{entry.name}/"))


def _sidecar(folder: Path, entry: os.DirEntry[str] | None) -> Path | None:
    """`folder / entry.name` if `entry` is a file or a link to one (as `Path.is_file`: a
    broken or looping link is none)."""
    try:
        return folder / entry.name if entry is not None and entry.is_file() else None
    except OSError:
        return None


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def read_source(path: Path, relative: PurePosixPath) -> tuple[Source, int]:
    """Read and decode one file; return it with the count of bytes that could not be decoded.

    Raise UnreadableFile with the reason when it is not text.
    """
    decoded = decode(path.read_bytes())
    return Source(path=relative, text=decoded.text, encoding=decoded.encoding), decoded.replaced


def decode(data: bytes) -> Decoded:
    """Detect the encoding of `data` and return its text with newlines normalised."""
    decoded = _detect(data)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise UnreadableFile("binary data (NUL bytes), not text")
    if text and _control_share(text) > 0.05:
        raise UnreadableFile("binary data (control characters), not text")
    return Decoded(text, decoded.encoding, decoded.replaced)


def _detect(data: bytes) -> Decoded:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _lenient(data[len(bom) :], encoding)
    if b"\x00" not in data:
        try:
            return Decoded(data.decode("utf-8"), "utf-8", 0)
        except UnicodeDecodeError:
            pass
    candidates = [_strict(data, enc) for enc in FALLBACKS]
    scored = [(chinese_score(c.text), -i, c) for i, c in enumerate(candidates) if c is not None]
    if scored:
        score, _, best = max(scored, key=lambda s: (s[0], s[1]))
        if score >= MIN_CHINESE_SCORE:
            return best
    # Mostly UTF-8 with a few broken bytes: keep the text, count what was lost.
    utf8 = _lenient(data, "utf-8")
    if b"\x00" not in data and utf8.replaced <= max(8, len(data) // 200):
        return utf8
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        return guess
    if b"\x00" in data:
        raise UnreadableFile("binary data (NUL bytes), not text")
    raise UnreadableFile("not text in UTF-8, UTF-16, GB18030 or Big5")


def _strict(data: bytes, encoding: str) -> Decoded | None:
    if encoding.startswith("utf-16") and len(data) % 2:
        return None
    try:
        return Decoded(data.decode(encoding), encoding, 0)
    except UnicodeDecodeError:
        return None


def _lenient(data: bytes, encoding: str) -> Decoded:
    text = data.decode(encoding, errors="replace")
    return Decoded(text, encoding, text.count("\ufffd"))


def _charset_normalizer_guess(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or b"\x00" in data:
        return None
    return Decoded(str(best), best.encoding, 0)


# Control characters other than "\t\n\v\f" (counted by a regex: a loop in Python is slow).
CONTROL = re.compile("[\x00-\x08\x0d-\x1f]")


def _control_share(text: str) -> float:
    sample = text[:20000]
    controls = len(CONTROL.findall(sample))
    return controls / len(sample)


def chinese_score(text: str) -> float:
    """Return the share of characters that are common Han characters, ASCII or punctuation.

    Text decoded with the wrong Chinese encoding is full of rare characters, so the right
    encoding scores near 1 and a wrong one far lower.
    """
    sample = text[:20000]
    if not sample:
        return 0.0
    common = _common_characters()
    good = 0
    for ch in sample:
        if ch in common or (" " <= ch <= "~") or ch in "\n\t" or "\u3000" <= ch <= "\u303f":
            good += 1
        elif "\uff01" <= ch <= "\uff5e" or ch in "“”‘’…—·":
            good += 1
    return good / len(sample)


def gb2312_level1() -> str:
    """Return GB2312's 3,755 level-1 Han characters: the most frequent, in code order."""
    chars = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@lru_cache(maxsize=1)
def _common_characters() -> frozenset[str]:
    """The most frequent Han characters in either script."""
    from sitegen.chinese import traditional_forms

    chars = set(gb2312_level1())
    return frozenset(chars | traditional_forms(chars))
