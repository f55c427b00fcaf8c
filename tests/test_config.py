"""sitegen.toml: every key optional, unknown keys and bad values name the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.errors import ConfigError

XIONGAN = """
[[gazetteer]]
code = "139001"
name = "雄安"
full_name = "雄安新区"
level = "prefecture"
province = "河北省"
pinyin = "xiongan"
"""


def configured(tmp_path: Path, text: str):
    (tmp_path / "sitegen.toml").write_text(text, encoding="utf-8")
    return load_config(tmp_path, tmp_path / "site")


def test_every_key_is_optional(tmp_path: Path) -> None:
    config = load_config(tmp_path, tmp_path / "site")
    assert (config.title, config.language, config.items_per_page, config.gazetteer) == (
        "地方新闻档案", "zh-Hans", 20, ()
    )  # fmt: skip


def test_file_keys_are_read_and_the_command_line_wins(tmp_path: Path) -> None:
    (tmp_path / "sitegen.toml").write_text(
        'title = "许昌档案"\ndescription = "许昌的新闻"\nbase_url = "https://a.example/x"\n'
        'language = "zh-Hant"\nauthor = "档案馆"\nitems_per_page = 5\n' + XIONGAN,
        encoding="utf-8",
    )
    config = load_config(tmp_path, tmp_path / "site", base_url="https://b.example/y/")
    assert config.title == "许昌档案"
    assert config.description == "许昌的新闻"
    assert config.base_url == "https://b.example/y/"
    assert config.language == "zh-Hant"
    assert config.author == "档案馆"
    assert config.items_per_page == 5
    assert [(c.full_name, c.level, c.parent) for c in config.gazetteer] == [
        ("雄安新区", "prefecture", None)
    ]
    assert configured(tmp_path, 'base_url = "https://a.example/x"').base_url == (
        "https://a.example/x/"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('titel = "x"', "Config value 'titel' in .*sitegen.toml: unknown key"),
        ("title = 3", "Config value 'title' in .*sitegen.toml: expected str, got int"),
        ('title = "  "', "Config value 'title' in .*sitegen.toml: must not be empty"),
        ("items_per_page = true", "'items_per_page' in .*: expected int, got bool"),
        ("items_per_page = 0", "'items_per_page' in .*: must be between 1 and 1000, got 0"),
        ('language = "en"', "Config value 'language' in .*sitegen.toml: must be one of"),
        ('base_url = "example.org"', "must start with http:// or https://"),
        ("title = [", "sitegen.toml: not valid TOML"),
        ('gazetteer = "x"', "'gazetteer' in .*: expected list, got str"),
        ("gazetteer = [1]", "'gazetteer' in .*, entry 1: expected a table"),
        (XIONGAN.replace('pinyin = "xiongan"', ""), "entry 1: missing 'pinyin'"),
        (XIONGAN + 'colour = "red"\n', "entry 1: unknown key 'colour'"),
        (XIONGAN.replace('"prefecture"', '"town"'), "entry 1: 'level' must be"),
        (XIONGAN.replace('"prefecture"', '"county"'), "entry 1: a county-level city needs"),
        (XIONGAN.replace('"xiongan"', '"雄安"'), "entry 1: 'pinyin' must be lower-case ASCII"),
        (XIONGAN.replace('"139001"', '"411000"'), "'gazetteer' in .*: duplicate gazetteer code"),
    ],
)
def test_bad_values_name_the_key_and_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        configured(tmp_path, text)


def test_extra_gazetteer_cities_get_pages(tmp_path: Path) -> None:
    from sitegen.build import build

    (tmp_path / "sitegen.toml").write_text('title = "雄安档案"\n' + XIONGAN, encoding="utf-8")
    (tmp_path / "a.txt").write_text("雄安新区建设进展\n\n雄安新区今年建设了很多项目。\n", "utf-8")
    build(load_config(tmp_path, tmp_path / "site"))
    html = (tmp_path / "site" / "city" / "xiongan" / "index.html").read_text(encoding="utf-8")
    assert "<h1>雄安新区</h1>" in html
    assert "<title>雄安新区 · 雄安档案</title>" in html
    assert "雄安新区建设进展" in html


def test_archive_templates_and_static_files_win(archive: Path, tmp_path: Path) -> None:
    from sitegen.build import build

    (archive / "static").mkdir()
    (archive / "static" / "style.css").write_text("body { color: red; }\n", encoding="utf-8")
    (archive / "templates").mkdir()
    (archive / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>走错了</h1>{% endblock %}', "utf-8"
    )
    build(load_config(archive, tmp_path / "site"))
    site = tmp_path / "site"
    assert (site / "static" / "style.css").read_text() == "body { color: red; }\n"
    assert (site / "static" / "site.js").is_file()  # the package's other files stay
    assert "<h1>走错了</h1>" in (site / "404.html").read_text(encoding="utf-8")
    assert "<h1>地方新闻档案</h1>" in (site / "index.html").read_text(encoding="utf-8")
