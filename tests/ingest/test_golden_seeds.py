"""Golden metadata for every document of the sample archive, checked by hand against the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import _describe_all, _gather
from sitegen.ingest.gazetteer import load_gazetteer
from sitegen.model import Document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# slug: (title, provenance), (date ISO, precision) or None, posting date, publisher,
#       primary city, tags, placeholders
GOLDEN = {
    "000-cd93c6f70429d5e1": (
        ("許昌:全力以赴拼經濟 鉚足幹勁開新局", "text"),
        ("2024-01-18T09:13:07", "second"), None, ("河南日報", "header"), "许昌", (), 0,
    ),
    "001-b62935e84e39fb72": (
        # No headline: the 原标题 line stands in for it.
        ("“推进中国式现代化建设河南实践”系列主题许昌专场新闻发布会举行 "
         "高质量建设城乡融合共同富裕先行试验区", "inferred"),
        ("--10-23", "month-day"), None, ("国际在线", "inferred"), "许昌", (), 0,
    ),
    "002-0601481f48312a86": (
        ("勇做全省新時代高質量發展開路先鋒(堅定信心 開好局起好步)", "text"),
        None,  # '□月9日': the month digit was lost, and no year is given
        None, ("河南日报", "curated"), "开封", (), 8,
    ),
    "003-8f3753a4c6dcbcd8-01": (
        ("许昌市政府工作报告", "header"), ("2021-03-23", "day"), "2025-07-08", None, "许昌",
        ("许昌招商",), 0,
    ),
    "003-8f3753a4c6dcbcd8-02": (
        ("2020年长葛市政府工作报告", "header"), ("2020-05-28", "day"), "2025-07-08", None,
        "长葛", ("长葛市招商",), 0,
    ),
    "003-8f3753a4c6dcbcd8-03": (
        ("2020年许昌市政府工作报告", "header"), ("2020-05-13", "day"), "2025-07-08", None,
        "许昌", ("许昌招商",), 0,
    ),
    "003-8f3753a4c6dcbcd8-04": (
        ("许昌出台25项纾困举措强化招商引资助中小企业", "header"), None, "2025-07-07", None,
        "许昌", ("许昌招商",), 0,
    ),
    "003-8f3753a4c6dcbcd8-05": (
        ("许昌数字贸易云展会助推跨境企业合作", "header"), None, "2025-07-07", None, "许昌",
        ("许昌招商",), 0,
    ),
    "003-8f3753a4c6dcbcd8-06": (
        ("许昌聚力项目引擎构筑产业新高地", "header"), None, "2025-07-02", None, "许昌", (), 0,
    ),
    "003-8f3753a4c6dcbcd8-07": (
        ("许昌硅碳新材料产业集群入选河南省战略性新兴产业集群", "header"), None, "2025-07-02",
        None, "许昌", (), 0,
    ),
    "003-8f3753a4c6dcbcd8-08": (
        ("许昌深度融入郑州都市圈奋力开启发展新征程", "header"), None, "2025-07-02", None,
        "许昌", (), 0,
    ),
    "004-d050f3d09898762a": (
        # No headline at all: derived from the first clause, and marked so.
        ("著力把握好“穩”“進”“立”“統”的要求", "derived"), ("--12-28", "month-day"), None,
        ("德州新聞網", "text"), "德州", (), 0,
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    warnings: list[str] = []
    sources, inputs = _gather(SEEDS, warnings)
    docs, _ = _describe_all(sources, inputs, load_gazetteer(), warnings, None)
    assert warnings == []
    return {d.slug: d for d in docs}


def test_every_article_is_a_document(documents: dict[str, Document]) -> None:
    assert sorted(documents) == sorted(GOLDEN)


@pytest.mark.parametrize("slug", sorted(GOLDEN))
def test_golden_metadata(documents: dict[str, Document], slug: str) -> None:
    title, date, posted, publisher, city, tags, placeholders = GOLDEN[slug]
    doc = documents[slug]
    assert (doc.title.value, doc.title.provenance) == title
    got_date = doc.date and (doc.date.value.iso(), doc.date.value.precision)
    assert got_date == date
    assert (doc.posted and doc.posted.value.iso()) == posted
    assert (doc.publisher and (doc.publisher.value, doc.publisher.provenance)) == publisher
    assert doc.city is not None and doc.city.value.name == city
    assert doc.tags == tags
    assert doc.placeholders == placeholders
    assert doc.body_markdown.count("□") >= placeholders


def test_people(documents: dict[str, Document]) -> None:
    people = {
        slug: (
            d.reporters and d.reporters.value,
            d.editor and d.editor.value,
            d.photographers and d.photographers.value,
        )
        for slug, d in documents.items()
        if d.reporters or d.editor or d.photographers
    }
    assert people == {
        "000-cd93c6f70429d5e1": (("王平",), "仝瑞勤", ("喬利峰",)),
        "001-b62935e84e39fb72": (("王平",), None, None),
        "002-0601481f48312a86": (("龔硯慶",), None, None),
        "004-d050f3d09898762a": (("王志強", "張志寧", "鄧靜"), None, None),
    }


def test_original_titles_and_scripts(documents: dict[str, Document]) -> None:
    assert documents["000-cd93c6f70429d5e1"].original_title.value == (
        "全力以赴拼經濟 鉚足幹勁開新局(新時代 新征程 新偉業)——"
        "許昌市委八屆六次全會暨市委經濟工作會議解讀"
    )
    scripts = {slug: d.script for slug, d in documents.items()}
    assert [s for s, v in scripts.items() if v == "Hant"] == [
        "000-cd93c6f70429d5e1",
        "002-0601481f48312a86",
        "004-d050f3d09898762a",
    ]


def test_cities_mentioned(documents: dict[str, Document]) -> None:
    changge = documents["003-8f3753a4c6dcbcd8-02"]
    assert changge.city.value.parent == "许昌市"
    assert [c.name for c in changge.cities[:2]] == ["长葛", "许昌"]
    dezhou = documents["004-d050f3d09898762a"]
    assert [c.name for c in dezhou.cities] == ["德州", "乐陵"]


NOISE = [
    "图片默认标题", "圖片默認標題", "fororder", "喬利峰 攝", "編輯:仝瑞勤", "最新推薦", "分享",
    "首頁", ">>", "國際在線", "国际在线”由", "凡本网注明", "点我投稿", "联系我们", "企业入驻",
    "(bào)", "(kāi)", "????", "來源:河南日報", "原標題", "原标题", "(記者", "(记者",
    "德州新聞網訊", "□本報記者", "2025-07-0",
]  # fmt: skip


@pytest.mark.parametrize("slug", sorted(GOLDEN))
def test_no_noise_in_any_body(documents: dict[str, Document], slug: str) -> None:
    body = documents[slug].body_markdown
    assert [n for n in NOISE if n in body] == []


def test_every_removal_is_reported_with_its_category(documents: dict[str, Document]) -> None:
    categories = {slug: sorted({r.category for r in d.removed}) for slug, d in documents.items()}
    assert categories["000-cd93c6f70429d5e1"] == [
        "byline", "editor", "header", "headline", "image", "image-caption", "link-list",
        "original-title",
    ]  # fmt: skip
    assert categories["001-b62935e84e39fb72"] == ["byline", "copyright", "original-title"]
    assert categories["002-0601481f48312a86"] == [
        "byline", "damaged-indentation", "headline", "lost-character", "navigation", "pinyin",
        "share",
    ]  # fmt: skip
    assert categories["003-8f3753a4c6dcbcd8-08"] == [
        "article-separator", "contribution-prompt", "footer-links", "headline", "posting-date",
    ]  # fmt: skip
    assert categories["004-d050f3d09898762a"] == ["byline"]
