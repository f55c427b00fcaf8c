"""Related documents: the same city, or rare terms in common (the search tokenizer's bigrams).

A term counts when few documents share it (at most a fifth of the archive, at most 50),
weighted by how rare it is (idf). Documents about the same city get a bonus, but only on
top of something in common, so a big city's page does not make every document related.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sitegen.model import Document
from sitegen.search.tokenize import tokenize

LIMIT = 5
MIN_SCORE = 6.0  # about three rare terms in common
SAME_CITY = 4.0
MAX_SHARE = 0.2
MAX_POSTINGS = 50


def related_documents(
    documents: Sequence[Document], city_of: Mapping[str, str], limit: int = LIMIT
) -> dict[str, tuple[Document, ...]]:
    """Map each document's slug to its most related documents, best first."""
    terms = {
        d.slug: {t for t in tokenize(d.title.value + "\n" + d.body_markdown) if len(t) == 2}
        for d in documents
    }
    postings: dict[str, list[str]] = defaultdict(list)
    for document in documents:
        for term in terms[document.slug]:
            postings[term].append(document.slug)
    count = len(documents)
    most = min(MAX_POSTINGS, max(2, int(count * MAX_SHARE)))
    scores: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for term in sorted(postings):
        slugs = postings[term]
        if not 2 <= len(slugs) <= most:
            continue
        weight = math.log(count / len(slugs))
        for a in slugs:
            for b in slugs:
                if a != b:
                    scores[a][b] += weight
    by_slug = {d.slug: d for d in documents}
    related = {}
    for document in documents:
        ranked = []
        for other, score in scores[document.slug].items():
            city = city_of.get(document.slug)
            if city is not None and city_of.get(other) == city:
                score += SAME_CITY
            if score >= MIN_SCORE:
                ranked.append((-round(score, 9), other))
        related[document.slug] = tuple(by_slug[s] for _, s in sorted(ranked)[:limit])
    return related
