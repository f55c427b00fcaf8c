"""In a real browser, no script from a document runs: not on its page, not in search."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    """Collect console errors; the `page` fixture already fails on dialogs and page errors."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_document_page_runs_nothing_and_shows_the_text(page, hostile_site: Path, serve) -> None:
    errors = watch(page)
    page.goto(serve(hostile_site) + "doc/hostile/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert page.locator("h1").inner_text() == "<script>alert('title')</script>注入测试{{ 7*7 }}"
    body = page.locator("article").inner_text()
    assert '<script>alert("body")</script>' in body
    assert "<img src=x onerror=alert(1)>" in body
    assert page.locator("article img, article svg, article script").count() == 0
    assert errors == []


def test_search_results_run_nothing(page, hostile_site: Path, serve) -> None:
    errors = watch(page)
    page.goto(serve(hostile_site) + "search/?q=%E6%B3%A8%E5%85%A5%E6%B5%8B%E8%AF%95")
    result = page.locator("#results li a").first
    result.wait_for(timeout=10000)
    assert "<script>alert('title')</script>" in result.inner_text()
    page.wait_for_timeout(300)
    assert page.locator("#results img, #results script, #results svg").count() == 0
    assert errors == []
