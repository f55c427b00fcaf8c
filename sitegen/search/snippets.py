"""A document's text as the search page shows it in results: `search/text/REF.json`.

Made while cleaning (in the worker processes, then cached with the cleaned document), so
the build's one process only writes it.
"""

from __future__ import annotations

import json

from sitegen.search.tokenize import normalize


def snippet_lines(markdown: str) -> list[str | list[str]]:
    """Return a body's lines for snippets, each as `line` or `[line, normalised line]`."""
    lines = [line.strip().lstrip("#>*- ").strip() for line in markdown.splitlines()]
    lines = [line for line in lines if line]
    # Normalising works within a line (case, width, OpenCC's runs of Han characters), so
    # the lines normalised at once are the lines normalised one by one, in one call each
    # to OpenCC instead of one a line; unless a line's normal form has a line break.
    normals = normalize("\n".join(lines)).split("\n")
    if len(normals) != len(lines):
        normals = [normalize(line) for line in lines]
    pairs = zip(lines, normals, strict=True)
    return [line if normal == line else [line, normal] for line, normal in pairs]


def snippet_file(markdown: str) -> str:
    """The text of a document's `search/text/REF.json`, from its Markdown body."""
    return json.dumps(snippet_lines(markdown), ensure_ascii=False, separators=(",", ":"))


def with_normal(text: str) -> str | list[str]:
    normal = normalize(text)
    return text if normal == text else [text, normal]
