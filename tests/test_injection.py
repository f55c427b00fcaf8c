"""Script injection: everything a document supplies is shown as text, never run (issue 8)."""

from __future__ import annotations

import re
from pathlib import Path

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")


def test_no_markup_from_the_document_reaches_any_page(hostile_site: Path) -> None:
    for page in sorted(hostile_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for tag, attributes in TAG.findall(html):
            assert not re.search(r"\son[a-z]+\s*=", attributes), (page, tag, attributes)
            assert "javascript:" not in attributes.lower(), (page, tag, attributes)
            assert tag.lower() not in ("svg", "img", "iframe", "object", "embed"), (page, tag)
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S):
            assert "alert" not in script, page


def test_the_text_is_shown_literally(hostile_site: Path) -> None:
    html = (hostile_site / "doc" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;注入测试{{ 7*7 }}" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert "{% if true %}模板{% endif %}" in html
    assert "&lt;/textarea&gt;&lt;b&gt;粗&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(&#39;editor&#39;)&gt;" in html
    original = (hostile_site / "doc" / "hostile" / "original" / "index.html").read_text("utf-8")
    assert "&lt;svg onload=alert(6)&gt;" in original


def test_search_data_is_inert_json(hostile_site: Path) -> None:
    for path in (hostile_site / "search").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".js"):
            text = path.read_text(encoding="utf-8")
            assert "</script" not in text.lower() or path.suffix == ".json", path
