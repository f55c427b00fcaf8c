"""The build's configuration: command-line options over the archive's `sitegen.toml`.

Every key is declared with its type; an unknown key or a bad value is an error naming the
key and the file, never a silent default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sitegen.errors import ConfigError

CONFIG_NAME = "sitegen.toml"


@dataclass(frozen=True)
class Config:
    source: Path
    out: Path
    base_url: str = ""  # absolute URL of the published site, for canonical links and feeds
    title: str = "地方新闻档案"
    description: str = "A searchable archive of Chinese local news and government documents."
    language: str = "zh-Hans"
    author: str = ""
    strict: bool = False

    @property
    def config_file(self) -> Path:
        return self.source / CONFIG_NAME


FILE_KEYS = {"title": str, "description": str, "base_url": str, "language": str, "author": str}
LANGUAGES = ("zh-Hans", "zh-Hant")


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
        config = Config(**{**config.__dict__, "base_url": config.base_url + "/"})
    return config


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    for key, value in data.items():
        if key not in FILE_KEYS:
            raise ConfigError(f"Config value {key!r} in {path}: unknown key")
        if not isinstance(value, FILE_KEYS[key]):
            raise ConfigError(
                f"Config value {key!r} in {path}: expected {FILE_KEYS[key].__name__}, "
                f"got {type(value).__name__}"
            )
    return data
