"""A document's text as the search page shows it in results: `search/text/REF.json`.

Made while cleaning (in the worker processes, then cached with the cleaned document), so
the build's one process only writes it.
"""

from __future__ import annotations

import json

from sitegen.search.tokenize import normalize


def snippet_lines(markdown: str, normal: str | None = None) -> list[str | list[str]]:
    """Return a body's lines for snippets, each as `line` or `[line, normalised line]`.

    `normal`: `normalize(markdown)`, when made already; a line that stripping leaves as it
    is takes its normal form from there instead of being normalised again.
    """
    raw = markdown.splitlines()
    lines = [line.strip().lstrip("#>*- ").strip() for line in raw]
    normals: list[str | None] = [None] * len(lines)
    if normal is not None:
        known = normal.splitlines()  # the lines' normal forms, unless one has a line break
        if len(known) == len(raw):
            pairs = zip(lines, raw, known, strict=True)
            normals = [n if line == r else None for line, r, n in pairs]
    missing = [line for line, n in zip(lines, normals, strict=True) if line and n is None]
    # Normalising works within a line (case, width, OpenCC's runs of Han characters), so
    # the lines normalised at once are the lines normalised one by one, in one call each
    # to OpenCC instead of one a line; unless a line's normal form has a line break.
    made = normalize("\n".join(missing)).split("\n") if missing else []
    if len(made) != len(missing):
        made = [normalize(line) for line in missing]
    rest = iter(made)
    out: list[str | list[str]] = []
    for line, found in zip(lines, normals, strict=True):
        if line:
            form = next(rest) if found is None else found
            out.append(line if form == line else [line, form])
    return out


def snippet_file(markdown: str, normal: str | None = None) -> str:
    """The text of a document's `search/text/REF.json`, from its Markdown body (and its
    normal form, if made already: see `snippet_lines`)."""
    return json.dumps(snippet_lines(markdown, normal), ensure_ascii=False, separators=(",", ":"))


def with_normal(text: str) -> str | list[str]:
    normal = normalize(text)
    return text if normal == text else [text, normal]
