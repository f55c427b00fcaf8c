"""The build's configuration: command-line options over the archive's `sitegen.toml`.

Every key is declared with its type; an unknown key or a bad value is an error naming the
key and the file, never a silent default. Every key of the file is optional:

    title = "许昌新闻档案"            # the site's name, in the header and the feed
    description = "…"               # one line under the title on the home page
    base_url = "https://USER.github.io/REPO/"   # canonical links, sitemap and feed
    language = "zh-Hans"            # script of pages that belong to no one document
    author = "…"                    # the feed's author
    items_per_page = 20             # newest documents on the home page and in the feed

    [[gazetteer]]                   # extra cities, as many as needed
    code = "139001"                 # unique; not a code the shipped gazetteer uses
    name = "雄安"                    # short Simplified name
    full_name = "雄安新区"
    level = "prefecture"            # or "county", which then needs `parent`
    province = "河北省"
    pinyin = "xiongan"              # for the city page's address
    parent = "保定市"                # county-level only: full name of its prefecture
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from sitegen.errors import ConfigError
from sitegen.model import City

CONFIG_NAME = "sitegen.toml"
LANGUAGES = ("zh-Hans", "zh-Hant")


@dataclass(frozen=True)
class Config:
    source: Path
    out: Path
    base_url: str = ""  # absolute URL of the published site, for canonical links and feeds
    title: str = "地方新闻档案"
    description: str = "中文地方新闻与政府文件的可检索档案"
    language: str = "zh-Hans"
    author: str = ""
    items_per_page: int = 20
    gazetteer: tuple[City, ...] = ()  # extra cities from sitegen.toml
    strict: bool = False

    @property
    def config_file(self) -> Path:
        return self.source / CONFIG_NAME


FILE_KEYS: dict[str, type] = {
    "title": str,
    "description": str,
    "base_url": str,
    "language": str,
    "author": str,
    "items_per_page": int,
    "gazetteer": list,
}
CITY_KEYS = ("code", "name", "full_name", "level", "province", "pinyin", "parent")
CITY_REQUIRED = ("code", "name", "full_name", "level", "province", "pinyin")
PINYIN = re.compile(r"[a-z][a-z0-9-]*")


def load_config(source: Path, out: Path, **overrides: Any) -> Config:
    """Return the configuration for the archive at `source`; command-line `overrides` win."""
    if not source.is_dir():
        raise ConfigError(
            f"source folder {source} does not exist: "
            "run sitegen in the archive's folder or pass --source DIR"
        )
    values: dict[str, Any] = {}
    path = source / CONFIG_NAME
    if path.is_file():
        values.update(_read_file(path))
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"unknown option {unknown[0]!r}")
    config = Config(source=source.resolve(), out=out.resolve(), **values)
    if config.language not in LANGUAGES:
        raise ConfigError(f"Config value 'language' in {path}: must be one of {LANGUAGES}")
    if config.base_url and not config.base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"base URL {config.base_url!r} must start with http:// or https://, "
            "e.g. https://USER.github.io/REPO/"
        )
    if config.base_url and not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    return config


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    for key, value in data.items():
        if key not in FILE_KEYS:
            raise ConfigError(
                f"Config value {key!r} in {path}: unknown key; "
                f"known keys are {', '.join(sorted(FILE_KEYS))}"
            )
        expected = FILE_KEYS[key]
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(
                f"Config value {key!r} in {path}: expected {expected.__name__}, "
                f"got {type(value).__name__}"
            )
    for key in ("title", "language"):
        if key in data and not data[key].strip():
            raise ConfigError(f"Config value {key!r} in {path}: must not be empty")
    if "items_per_page" in data and not 1 <= data["items_per_page"] <= 1000:
        raise ConfigError(
            f"Config value 'items_per_page' in {path}: must be between 1 and 1000, "
            f"got {data['items_per_page']}"
        )
    if "gazetteer" in data:
        data["gazetteer"] = _cities(data["gazetteer"], path)
    return data


def _cities(rows: list[Any], path: Path) -> tuple[City, ...]:
    """Check the extra gazetteer entries and make them cities."""
    cities = []
    for n, row in enumerate(rows, 1):
        where = f"Config value 'gazetteer' in {path}, entry {n}"
        if not isinstance(row, dict):
            raise ConfigError(f"{where}: expected a table ([[gazetteer]]), got {row!r}")
        for key, value in row.items():
            if key not in CITY_KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}; known keys: {CITY_KEYS}")
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: {key!r} must be a non-empty string")
        missing = [k for k in CITY_REQUIRED if k not in row]
        if missing:
            raise ConfigError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
        if row["level"] not in ("prefecture", "county"):
            raise ConfigError(f"{where}: 'level' must be 'prefecture' or 'county'")
        if row["level"] == "county" and "parent" not in row:
            raise ConfigError(f"{where}: a county-level city needs 'parent'")
        if not PINYIN.fullmatch(row["pinyin"]):
            raise ConfigError(f"{where}: 'pinyin' must be lower-case ASCII, like 'xuchang'")
        cities.append(City(**{"parent": None, **row}))
    from sitegen.ingest.gazetteer import load_gazetteer

    try:
        load_gazetteer(tuple(cities))
    except ValueError as error:
        raise ConfigError(f"Config value 'gazetteer' in {path}: {error}") from error
    return tuple(cities)
