"""Split a source file into articles: takes a `Source`, gives `Article`s and what lay between.

A listing scrape repeats, for each article, a rule line (`-`), a title line, the body and
usually a date line; after the last article come the site's footer links. Anything else is
one article.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from sitegen.ingest.clean import CONTRIBUTION, simplified
from sitegen.ingest.header import RECORD_START
from sitegen.model import Article, Removal, Source

RULE_LINE = re.compile(r"^\s*(?:-{1,3}|—{1,2}|={3,}|\*{3})\s*$")
DATE_LINE = re.compile(
    r"^\s*\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)
MAX_TITLE = 80


def split_articles(source: Source) -> tuple[tuple[Article, ...], tuple[Removal, ...]]:
    """Return the articles of `source` and the lines that belong to no article."""
    lines = source.text.split("\n")
    records = [i for i, line in enumerate(lines) if RECORD_START.match(line)]
    if len(records) >= 2:
        return _records(source, lines, records)
    starts = [i for i, line in enumerate(lines) if RULE_LINE.match(line) and _heads(lines, i)]
    if len(starts) < 2:
        return (Article(source, 0, 1, tuple(lines), 1),), ()
    removed = [Removal("listing-preamble", lines[i], i + 1) for i in range(starts[0]) if lines[i]]
    bounds = starts + [len(lines)]
    articles = []
    for n, (start, end) in enumerate(itertools.pairwise(bounds)):
        removed.append(Removal("article-separator", lines[start], start + 1))
        body_end = end
        if n == len(starts) - 1:
            body_end = _end_of_last(lines, start + 1, end)
            removed += [
                Removal(_footer_category(lines[i]), lines[i], i + 1)
                for i in range(body_end, end)
                if lines[i].strip()
            ]
        articles.append(
            Article(source, n, len(starts), tuple(lines[start + 1 : body_end]), start + 2)
        )
    around = tuple(r.text for r in removed if r.category in ("listing-preamble", "footer-links"))
    return tuple(replace(a, around=around) for a in articles), tuple(removed)


def _records(
    source: Source, lines: list[str], starts: list[int]
) -> tuple[tuple[Article, ...], tuple[Removal, ...]]:
    """Split a file of `<REC>` records; each record keeps its markup for `header` to read."""
    removed = tuple(
        Removal("listing-preamble", lines[i], i + 1) for i in range(starts[0]) if lines[i]
    )
    bounds = [*starts, len(lines)]
    articles = tuple(
        Article(source, n, len(starts), tuple(lines[start:end]), start + 1)
        for n, (start, end) in enumerate(itertools.pairwise(bounds))
    )
    return articles, removed


def _footer_category(line: str) -> str:
    return "contribution-prompt" if CONTRIBUTION.search(simplified(line)) else "footer-links"


def _heads(lines: list[str], i: int) -> bool:
    """Tell whether the rule line at `i` is followed by a title and a body."""
    following = [line for line in lines[i + 1 : i + 6] if line.strip()]
    return (
        len(following) >= 2
        and len(following[0].strip()) <= MAX_TITLE
        and not RULE_LINE.match(following[0])
        and not RULE_LINE.match(following[1])
    )


def _end_of_last(lines: list[str], start: int, end: int) -> int:
    """Return where the last article ends: after its date line, if it has one."""
    for i in range(start + 2, end):
        if DATE_LINE.match(lines[i]):
            return i + 1
    return end
