"""Tell personal names apart in a byline that runs them together: '王志强张志宁邓静'."""

from __future__ import annotations

from functools import lru_cache

from sitegen.chinese import to_simplified
from sitegen.resources import data_file


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    lines = data_file("surnames.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def split_names(run: str) -> list[str]:
    """Split a run of Han characters into names of 2–4 characters that each open on a surname.

    Prefers three-character names (the commonest form); a run that cannot be split so is
    returned whole.
    """
    if len(run) <= 3:
        return [run] if run else []
    simple = to_simplified(run)
    known = surnames()
    best: dict[int, tuple[int, list[int]]] = {len(run): (0, [])}
    for start in range(len(run) - 1, -1, -1):
        options = []
        for size in (3, 2, 4):
            end = start + size
            if end not in best:
                continue
            opens = simple[start] in known or simple[start : start + 2] in known
            if not opens or (size == 4 and simple[start : start + 2] not in known):
                continue
            score, cuts = best[end]
            options.append((score + (2 if size == 3 else 1), [end] + cuts))
        if options:
            best[start] = max(options, key=lambda o: o[0])
    if 0 not in best:
        return [run]
    names, start = [], 0
    for end in best[0][1]:
        names.append(run[start:end])
        start = end
    return names
