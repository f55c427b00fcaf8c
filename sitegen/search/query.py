"""Run a query over the sharded index: the reference for what static/search.js does.

A query is cut into parts at every separator (space, punctuation, symbol); a part is a run
of Han characters, letters and digits, such as `许昌`, `2023年` or `gdp增长`, and a document
matches when it matches every part. A part's tokens are those of the one tokenizer; a lone
Han character next to letters or digits (`年` in `2023年`) narrows nothing a bigram index
can check cheaply and is left out, and a part that is only one Han character is not
searched at all (the page says so).

1. Every remaining token is a REQUIRED term of one lunr query. Each shard answers for its
   own terms; a document must be in every shard's answer (AND), and its score is
   `sum(score_s * sqrt(n_s / n))`, where shard s holds n_s of the query's n terms: lunr's
   score is a dot product divided by the query vector's length sqrt(n_s), so this is the
   score of the one unsharded index.
2. A part of two or more tokens is then checked against the positions: it matches when
   its tokens stand in the title or in the body at the offsets they have in the part.
   For a run of Han characters that is exactly "the normalised text contains the run".
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen.chinese import HAN_CLASS
from sitegen.search.index import utf16_key
from sitegen.search.tokenize import normalize, tokenize_with_offsets

PART = re.compile(f"(?:[{HAN_CLASS}]|[^\\W_])+")
ONE_HAN = re.compile(f"[{HAN_CLASS}]")
MAX_QUERY = 200  # characters of a query that are read


@dataclass(frozen=True)
class Part:
    text: str  # normalised
    tokens: tuple[tuple[str, int], ...]  # the tokens searched, with offsets in the part
    dropped: tuple[str, ...]  # lone Han characters left out


@dataclass(frozen=True)
class ParsedQuery:
    parts: tuple[Part, ...]
    terms: tuple[str, ...]  # unique, in order of appearance

    @property
    def too_short(self) -> bool:
        """True when the query has text but nothing that can be searched."""
        return not self.terms and any(p.dropped for p in self.parts)


def parse(query: str, normalized: bool = False) -> ParsedQuery:
    """Cut a query into parts and the terms to look up."""
    text = query[:MAX_QUERY] if normalized else normalize(query[:MAX_QUERY])
    parts: list[Part] = []
    terms: list[str] = []
    for match in PART.finditer(text):
        kept, dropped = [], []
        for token, offset in tokenize_with_offsets(match.group()):
            if len(token) == 1 and ONE_HAN.fullmatch(token):
                dropped.append(token)
            else:
                kept.append((token, offset))
                if token not in terms:
                    terms.append(token)
        parts.append(Part(match.group(), tuple(kept), tuple(dropped)))
    return ParsedQuery(tuple(parts), tuple(terms))


def shard_of(term: str, firsts: Sequence[bytes]) -> int:
    """Return the number of the shard holding `term`, given each shard's first term's key."""
    return max(bisect_right(firsts, utf16_key(term)) - 1, 0)


Scores = dict[str, float]


def merge(answers: Sequence[tuple[Scores, int]], total: int) -> Scores:
    """Combine per-shard (scores, number of query terms the shard holds) into one answer."""
    if not answers or total == 0:
        return {}
    common = set(answers[0][0])
    for scores, _ in answers[1:]:
        common &= set(scores)
    return {
        ref: sum(scores[ref] * math.sqrt(held / total) for scores, held in answers)
        for ref in common
    }


def ranked(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    """Order by score, best first; equal scores by document number."""
    return sorted(scores.items(), key=lambda item: (-item[1], int(item[0], 36)))


def run(
    parsed: ParsedQuery,
    firsts: Sequence[str],
    load_index: Callable[[int], Any],
    load_positions: Callable[[int], Mapping[str, Any]],
) -> list[tuple[str, float]]:
    """Return the ranked matches of `parsed`; `load_index(n)` gives shard n as a lunr Index."""
    from lunr.query import QueryPresence

    keys = [utf16_key(f) for f in firsts]
    by_shard: dict[int, list[str]] = {}
    for term in parsed.terms:
        by_shard.setdefault(shard_of(term, keys), []).append(term)
    answers = []
    for number, terms in sorted(by_shard.items()):
        index = load_index(number)
        if any(t not in index.inverted_index for t in terms):
            return []
        query = index.create_query()
        for term in terms:
            query.term(term, use_pipeline=False, presence=QueryPresence.REQUIRED)
        answers.append(({r["ref"]: r["score"] for r in index.query(query)}, len(terms)))
    scores = merge(answers, len(parsed.terms))
    for part in parsed.parts:
        if len(part.tokens) < 2 or not scores:
            continue
        positions = {t: load_positions(shard_of(t, keys))[t] for t, _ in part.tokens}
        scores = {ref: s for ref, s in scores.items() if part_matches(part, positions, ref)}
    return ranked(scores)


def part_matches(part: Part, positions: Mapping[str, Any], ref: str) -> bool:
    """Whether the part's tokens stand in one field of document `ref` at their offsets."""
    for field in range(2):
        found = [decode(by_ref(positions[t][field]).get(ref)) for t, _ in part.tokens]
        if not all(found):
            continue
        first = part.tokens[0][1]
        others = [(set(f), o - first) for f, (_, o) in zip(found[1:], part.tokens[1:], strict=True)]
        for start in found[0]:
            if all(start + shift in where for where, shift in others):
                return True
    return False


def by_ref(postings: str) -> dict[str, str]:
    """Read one term's positions in one field: 'ref:deltas;ref:deltas' -> {ref: deltas}."""
    return dict(item.split(":", 1) for item in postings.split(";") if item)


def decode(deltas: str | None) -> list[int]:
    """Turn delta-coded offsets ('3,4,10') into offsets ([3, 7, 17])."""
    out: list[int] = []
    total = 0
    for delta in deltas.split(",") if deltas else ():
        total += int(delta)
        out.append(total)
    return out
