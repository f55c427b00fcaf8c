"""The gazetteer of Chinese cities shipped in sitegen/data, and a fast mention scanner."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from importlib.resources import files
from typing import Literal, cast

from sitegen.chinese import PhraseIndex
from sitegen.model import City

Level = Literal["province", "prefecture", "county"]
_LEVELS: tuple[Level, ...] = ("province", "prefecture", "county")
# Which row wins when one spelling names several: cities before provinces.
_LEVEL_RANK = {"prefecture": 0, "county": 1, "province": 2}
_COLUMNS = ("code", "name", "full_name", "level", "province", "parent", "pinyin")

# A bare short name followed by one of these is a road, district, county or town named
# after the city (中山路, 北京东路, 朝阳区, 抚顺县, 沙河镇), not the city itself; 区域, 县域
# and 乡村 are ordinary words, so 许昌区域 and 许昌乡村 still count.
_NOT_THE_CITY_AFTER = re.compile(r"[东西南北中]?路|大道|大街|街道|区(?!域)|县(?!域)|镇|乡(?!村)")


class Gazetteer:
    """Provinces and cities, with lookups and longest-match mention counting."""

    __slots__ = (
        "_cities",
        "_by_code",
        "_by_full",
        "_lookup",
        "_parent",
        "_forms",
        "_spellings",
    )

    def __init__(
        self,
        cities: Iterable[City],
        needs_suffix: Iterable[str] = (),
        not_in: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """Index cities; needs_suffix and not_in are keyed by city code."""
        self._cities = tuple(cities)
        strict = frozenset(needs_suffix)
        self._by_code: dict[str, City] = {}
        for city in self._cities:
            if city.level not in _LEVEL_RANK:
                raise ValueError(f"{city.code}: unknown level {city.level!r}")
            if city.code in self._by_code:
                raise ValueError(f"duplicate gazetteer code {city.code}")
            self._by_code[city.code] = city

        def rank(city: City) -> tuple[bool, int, str]:
            """Order candidates for one spelling: bare-name cities, then by level and code."""
            return (city.code in strict, _LEVEL_RANK[city.level], city.code)

        self._by_full = _best(((c.full_name, c) for c in self._cities), rank)
        prefectures = {
            (c.province, c.full_name): c for c in self._cities if c.level == "prefecture"
        }
        self._parent = {
            c.code: prefectures[(c.province, c.parent)]
            for c in self._cities
            if c.level == "county" and c.parent and (c.province, c.parent) in prefectures
        }

        # Spellings the scanner knows: city -> counted; None -> consumed, never counted.
        cities = [c for c in self._cities if c.level != "province"]
        spellings: list[tuple[str, City]] = []
        for c in cities:
            spellings += [(form, c) for form in _suffixed(c)]
            if c.code not in strict:
                spellings.append((c.name, c))
        forms: dict[str, City | None] = dict(_best(spellings, rank))
        self._lookup = dict(forms)
        for c in self._cities:
            if c.level == "province":
                forms.setdefault(c.full_name, None)
                forms.setdefault(c.name, None)
        for words in (not_in or {}).values():
            for word in words:
                forms.setdefault(word, None)
        forms.pop("", None)
        self._forms = forms
        # Every occurrence of every spelling in one pass (see PhraseIndex).
        self._spellings = PhraseIndex(forms)
        # lookup() also answers names that need a suffix in running text (合作 -> 合作市).
        for name, city in _best(((c.name, c) for c in self._cities), rank).items():
            self._lookup.setdefault(name, city)
        for full, city in self._by_full.items():
            self._lookup.setdefault(full, city)

    @property
    def cities(self) -> tuple[City, ...]:
        """Every row (provinces, prefecture-level and county-level cities) in load order."""
        return self._cities

    def by_code(self, code: str) -> City:
        """Return the row with this code; KeyError if there is none."""
        return self._by_code[code]

    def by_full_name(self, full: str) -> City | None:
        """Return the row with this official name, a city rather than a province (北京市)."""
        return self._by_full.get(full)

    def lookup(self, name: str) -> City | None:
        """Return the row a short or full Simplified name stands for (长葛, 长葛市, 延边州)."""
        return self._lookup.get(name)

    def parent_of(self, city: City) -> City | None:
        """Return the prefecture of a county-level city, else None."""
        return self._parent.get(city.code)

    def prefecture_of(self, city: City) -> City:
        """Return the prefecture a city belongs to: itself unless a county-level city has one."""
        return self._parent.get(city.code, city)

    def mentions(self, text: str) -> list[tuple[City, int]]:
        """Count the cities named in Simplified text, most mentioned first, then by first place."""
        counts: dict[City, list[int]] = {}
        forms = self._forms
        after = _NOT_THE_CITY_AFTER.match
        longest: dict[int, int] = {}  # start -> length of the longest spelling there
        for start, size in self._spellings.occurrences(text):
            if size > longest.get(start, 0):
                longest[start] = size
        pos = 0
        for start in sorted(longest):  # leftmost, longest first; a mention consumes its text
            if start < pos:
                continue
            pos = end = start + longest[start]
            form = text[start:end]
            city = forms[form]
            if city is None:
                continue  # a province, or a word that contains a name (孙中山)
            if form == city.name and form != city.full_name and after(text, end):
                continue  # 中山路, 朝阳区
            if (
                form.endswith("市")
                and text.startswith("场", end)
                and forms.get(form[:-1]) is not city
            ):
                continue  # 合作市场: the 市 belongs to 市场, and 合作 alone is no mention
            entry = counts.get(city)
            if entry is None:
                counts[city] = [1, start]
            else:
                entry[0] += 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1][0], item[1][1]))
        return [(city, n) for city, (n, _) in ranked]


def _suffixed(city: City) -> tuple[str, ...]:
    """Return a city's spellings that carry an administrative suffix."""
    forms = [city.full_name]
    if city.full_name.endswith("自治州"):
        forms += [city.name + "州", city.name + "自治州"]
    elif city.full_name.endswith("特别行政区"):
        forms.append(city.name + "特区")
    return tuple(dict.fromkeys(forms))


def _best(
    pairs: Iterable[tuple[str, City]], rank: Callable[[City], tuple[bool, int, str]]
) -> dict[str, City]:
    """Map each key to its lowest-ranked city."""
    best: dict[str, City] = {}
    for name, city in pairs:
        held = best.get(name)
        if held is None or rank(city) < rank(held):
            best[name] = city
    return best


def parse_tsv(text: str) -> tuple[list[City], set[str], dict[str, list[str]]]:
    """Parse gazetteer TSV text into cities, codes needing a suffix, and not_in words."""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    if not lines:
        raise ValueError("gazetteer TSV has no header row")
    header = lines[0].split("\t")
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise ValueError(f"gazetteer TSV lacks columns {missing}")
    cities: list[City] = []
    strict: set[str] = set()
    not_in: dict[str, list[str]] = {}
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"gazetteer TSV row {number}: {len(cells)} cells, not {len(header)}")
        row = dict(zip(header, cells, strict=True))
        level = row["level"]
        if level not in _LEVELS:
            raise ValueError(f"gazetteer TSV row {number}: unknown level {level!r}")
        city = City(
            name=row["name"],
            full_name=row["full_name"],
            level=cast(Level, level),
            province=row["province"],
            parent=row["parent"] or None,
            code=row["code"],
            pinyin=row["pinyin"],
        )
        cities.append(city)
        if row.get("needs_suffix") == "1":
            strict.add(city.code)
        if row.get("not_in"):
            not_in[city.code] = row["not_in"].split("|")
    return cities, strict, not_in


@functools.lru_cache(maxsize=1)
def _shipped_rows() -> tuple[tuple[City, ...], frozenset[str], Mapping[str, tuple[str, ...]]]:
    """Parse the TSV shipped with the package (once)."""
    text = (files("sitegen") / "data" / "gazetteer.tsv").read_text(encoding="utf-8")
    cities, strict, not_in = parse_tsv(text)
    return tuple(cities), frozenset(strict), {k: tuple(v) for k, v in not_in.items()}


@functools.lru_cache(maxsize=1)
def _shipped() -> Gazetteer:
    """Build the gazetteer of the shipped rows (once)."""
    return Gazetteer(*_shipped_rows())


def load_gazetteer(extra: Iterable[City] = ()) -> Gazetteer:
    """Return the shipped gazetteer, plus extra rows (which must not reuse a code)."""
    extra = tuple(extra)
    if not extra:
        return _shipped()
    cities, strict, not_in = _shipped_rows()
    return Gazetteer((*cities, *extra), strict, not_in)
