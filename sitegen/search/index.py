"""Build the search index: takes `Document`s, gives lunr.js-loadable JSON and result metadata.

The index is made by lunr's own Python builder from our tokens (see `tokenize`), with an
empty pipeline: no stemmer, stop-word filter or trimmer, which would only damage Chinese.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lunr.builder import Builder

from sitegen.search.tokenize import tokenize_normalized

TITLE_BOOST = 10


@dataclass(frozen=True)
class IndexEntry:
    ref: str
    title: str  # normalised (see tokenize.normalize)
    body: str  # normalised


def build_index(entries: Sequence[IndexEntry]) -> dict[str, Any]:
    """Return the serialised lunr index of `entries`, in their order."""
    builder = Builder()
    builder.ref("id")
    builder.field("title", boost=TITLE_BOOST)
    builder.field("body")
    for entry in entries:
        builder.add(
            {
                "id": entry.ref,
                "title": tokenize_normalized(entry.title),
                "body": tokenize_normalized(entry.body),
            }
        )
    return builder.build().serialize()
