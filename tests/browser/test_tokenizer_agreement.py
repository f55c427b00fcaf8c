"""Python and the browser tokenize arbitrary Unicode identically (property test, issue 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.chinese import query_table, t2s_characters
from sitegen.search.tokenize import tokenize

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
# Han in both scripts, the punctuation and spaces of Chinese text, full-width forms, letters
# with and without marks, digits of other scripts, emoji, and anything else.
pieces = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(list("許昌長葛發髮乾隆頭，。、；：！？「」『』《》（）…—　 \t\n")),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
    st.characters(codec="latin-1"),
    st.sampled_from(
        ["\u0301", "İ", "ß", "ǅ", "Σ", "ς", "٣", "²", "Ⅻ", "😀", "👩", "\u200d", "\u200b"]
    ),
    # Characters unassigned in this Python's Unicode database are left out: Chromium may
    # know them as letters from a newer Unicode version (the README says so).
    st.characters(blacklist_categories=("Cn", "Cs")),
)
batches = st.lists(st.text(pieces, max_size=40), min_size=50, max_size=50)


@pytest.fixture(scope="module")
def tokenizer_page(browser, tmp_path_factory, serve):
    folder = tmp_path_factory.mktemp("tokenizer")
    table = query_table(set(t2s_characters().entries.values()))
    (folder / "search.js").write_bytes((REPO / "static" / "search.js").read_bytes())
    (folder / "t2s.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    (folder / "index.html").write_text(
        '<!DOCTYPE html><meta charset="utf-8"><script src="search.js"></script>',
        encoding="utf-8",
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(serve(folder))
    page.evaluate(
        "async () => { window.table = sitegenSearch.prepareTable("
        "await (await fetch('t2s.json')).json()); }"
    )
    yield page
    context.close()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches)
def test_python_and_browser_tokenizers_agree(tokenizer_page, texts: list[str]) -> None:
    got = tokenizer_page.evaluate(
        "texts => texts.map(t => sitegenSearch.tokenize(t, window.table))", texts
    )
    want = [tokenize(t) for t in texts]
    mismatches = [(t, w, g) for t, w, g in zip(texts, want, got, strict=True) if w != g]
    assert mismatches == []
