from __future__ import annotations

import re
from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.chinese import HAN_CLASS
from sitegen.ingest.gazetteer import load_gazetteer
from sitegen.ingest.meta import describe
from sitegen.ingest.split import split_articles
from sitegen.model import Document, Source

HAN = re.compile(f"[{HAN_CLASS}]")


def one(text: str, name: str = "x.txt") -> Document:
    articles, _ = split_articles(Source(PurePosixPath(name), text, "utf-8"))
    assert len(articles) == 1
    return describe(articles[0], load_gazetteer(), "x")


def test_government_page_block() -> None:
    doc = one(
        "当前位置：首页 > 政务公开 > 政府文件\n"
        "索引号：11410000005184379L/2021-00123  主题分类：综合政务\n"
        "发布机构：许昌市人民政府办公室  成文日期：2021年03月20日  发布日期：2021-03-23\n"
        "许昌市人民政府关于印发2021年重点工作的通知\n"
        "各县（市、区）人民政府，市人民政府各部门：\n"
        "现将《2021年重点工作》印发给你们，请认真贯彻落实。\n"
    )
    assert doc.title.value == "许昌市人民政府关于印发2021年重点工作的通知"
    assert (doc.date.value.iso(), doc.date.provenance) == ("2021-03-20", "header")
    assert doc.posted.value.iso() == "2021-03-23"
    assert (doc.publisher.value, doc.publisher.provenance) == ("许昌市人民政府办公室", "header")
    assert doc.city.value.name == "许昌"


def test_front_matter_is_header_metadata() -> None:
    doc = one(
        '---\ntitle: "德州召开全会"\ndate: 2023-12-29\nsource: 德州日报\n'
        "tags: [会议, 经济]\nauthor:\n  - 王志强\n  - 张志宁\ncity: 乐陵\n---\n"
        "德州市委全会召开，会议在德州举行。\n",
        "a.md",
    )
    assert (doc.title.value, doc.title.provenance) == ("德州召开全会", "header")
    assert (doc.date.value.iso(), doc.date.provenance) == ("2023-12-29", "header")
    assert doc.publisher.value == "德州日报"
    assert doc.tags == ("会议", "经济")
    assert doc.reporters.value == ("王志强", "张志宁")
    assert (doc.city.value.name, doc.city.provenance) == ("乐陵", "header")
    assert doc.body_markdown == "德州市委全会召开，会议在德州举行。\n"
    assert {r.category for r in doc.removed} == {"front-matter"}


def test_record_markup_splits_and_describes_articles() -> None:
    text = (
        "<REC>\n<标题>=许昌市召开经济工作会议\n<日期>=2023-12-20\n<来源>=许昌日报\n"
        "<正文>=会议在许昌举行。\n会议指出，要拼经济。\n"
        "<REC>\n<标题>=长葛市新闻\n<日期>=2023年12月21日\n<正文>=长葛市召开会议。\n"
    )
    articles, _ = split_articles(Source(PurePosixPath("r.txt"), text, "utf-8"))
    docs = [describe(a, load_gazetteer(), f"r{a.index}") for a in articles]
    assert [(d.title.value, d.date.value.iso(), d.city.value.name) for d in docs] == [
        ("许昌市召开经济工作会议", "2023-12-20", "许昌"),
        ("长葛市新闻", "2023-12-21", "长葛"),
    ]
    assert docs[0].publisher.value == "许昌日报"
    assert docs[0].body_markdown == "会议在许昌举行。\n\n会议指出，要拼经济。\n"


def test_no_year_is_invented() -> None:
    doc = one("许昌召开会议\n10月23日，许昌召开会议。会议指出，要拼经济。\n")
    assert (doc.date.value.iso(), doc.date.value.precision) == ("--10-23", "month-day")


def test_chinese_numeral_dates() -> None:
    doc = one("报告\n二○二一年三月二十三日在许昌市人民代表大会上。各位代表。\n")
    assert doc.date.value.iso() == "2021-03-23"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_described_without_error(text: str) -> None:
    articles, _ = split_articles(Source(PurePosixPath("x.md"), text, "utf-8"))
    for article in articles:
        doc = describe(article, load_gazetteer(), "x")
        assert doc.title.value.strip()
        assert doc.date is None or doc.date.value.iso()
        assert len(HAN.findall(doc.body_markdown)) <= len(HAN.findall(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60), max_size=8))
def test_listing_like_text_never_breaks_splitting(lines: list[str]) -> None:
    text = "\n".join(f"-\n{line}\n正文。\n2024-01-0{n % 9 + 1}" for n, line in enumerate(lines))
    articles, removed = split_articles(Source(PurePosixPath("l.txt"), text, "utf-8"))
    covered = sum(len(a.lines) for a in articles) + len(removed)
    assert covered <= len(text.split("\n")) + len(articles)
    for article in articles:
        describe(article, load_gazetteer(), "l")
