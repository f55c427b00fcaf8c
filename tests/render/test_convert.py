"""The 简/繁 switch's tables: generated from OpenCC's dictionaries, giving OpenCC's result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from opencc import OpenCC

from sitegen.chinese import Dictionary, _convert_phrases, switch_tables, to_traditional

SAMPLES = [
    "许昌市人民政府发布了关于发展的报告",
    "頭髮和發展都是发",
    "余〇年",  # an STPhrases entry with 〇
    "干部在后台干活，干燥的天气",
    "著名的著作，他着急了",
    "2020年长葛市政府工作报告",
    "乔修亚．吉尔菲艾斯",  # ． separates for OpenCC: its phrase never matches
]


@pytest.mark.parametrize("text", SAMPLES)
def test_to_traditional_is_opencc_s2t(text: str) -> None:
    assert to_traditional(text) == OpenCC("s2t").convert(text)


def site_text(site: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))]


def limited(table: dict[str, dict[str, str]]) -> tuple[Dictionary, dict[str, str]]:
    phrases = table["phrases"]
    lengths = [len(k) for k in phrases] or [1]
    return Dictionary(phrases, max(lengths), min(lengths)), table["chars"]


def test_the_site_tables_convert_every_page_as_opencc_does(seed_site: Path) -> None:
    """The browser's algorithm with the site's small tables equals OpenCC on the site's text."""
    shipped = (seed_site / "static" / "zh-tables.js").read_text(encoding="utf-8")
    tables = json.loads(shipped.removeprefix("window.sitegenZhTables=").rstrip().rstrip(";"))
    run = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+")
    for name in ("t2s", "s2t"):
        phrases, chars = limited(tables[name])
        opencc = OpenCC(name)

        def browser(m: re.Match[str], phrases=phrases, chars=chars) -> str:
            return _convert_phrases(m.group(), phrases, chars)

        for html in site_text(seed_site):
            for line in html.splitlines():
                assert run.sub(browser, line) == opencc.convert(line), (name, line)


def test_tables_hold_only_what_the_text_needs() -> None:
    tables = switch_tables(["头发很长", "後來"])
    assert tables["s2t"]["phrases"] == {"头发": "頭髮"}
    assert tables["s2t"]["chars"] == {"发": "發", "头": "頭", "长": "長"}
    assert tables["t2s"] == {"phrases": {}, "chars": {"來": "来", "後": "后"}}
