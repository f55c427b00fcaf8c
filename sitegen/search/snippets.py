"""A document's text as the search page shows it in results: `search/text/REF.json`.

Made while cleaning (in the worker processes, then cached with the cleaned document), so
the build's one process only writes it.
"""

from __future__ import annotations

import json

from sitegen.search.tokenize import normalize


def snippet_lines(markdown: str) -> list[str | list[str]]:
    """Return a body's lines for snippets, each as `line` or `[line, normalised line]`."""
    lines: list[str | list[str]] = []
    for line in markdown.splitlines():
        line = line.strip().lstrip("#>*- ").strip()
        if line:
            lines.append(with_normal(line))
    return lines


def snippet_file(markdown: str) -> str:
    """The text of a document's `search/text/REF.json`, from its Markdown body."""
    return json.dumps(snippet_lines(markdown), ensure_ascii=False, separators=(",", ":"))


def with_normal(text: str) -> str | list[str]:
    normal = normalize(text)
    return text if normal == text else [text, normal]
