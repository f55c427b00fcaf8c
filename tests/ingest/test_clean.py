from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.chinese import HAN_CLASS
from sitegen.ingest import clean
from sitegen.ingest.clean import (
    Draft,
    Line,
    clean_lines,
    clean_text,
    drop_copyright,
    drop_header_fields,
    drop_images,
    drop_link_lists,
    drop_navigation,
    drop_share_and_prompts,
    drop_trailing_byline,
    escape_markdown,
    rebuild_paragraphs,
    repair_encoding_damage,
)
from sitegen.ingest.read import gb2312_level1


def draft(*lines: str) -> Draft:
    return Draft(tuple(Line(n, text) for n, text in enumerate(lines, 1)))


def kept(d: Draft) -> list[str]:
    return [line.text for line in d.lines]


def categories(d: Draft) -> list[tuple[str, int]]:
    return [(r.category, r.line) for r in d.removed]


def test_pinyin_annotations_go_and_their_characters_stay() -> None:
    d = repair_encoding_damage(draft("首頁(yè) >> 河南日報(bào)", "發(fā)展(B型)工程(技術)"))
    assert kept(d) == ["首頁 >> 河南日報", "發展(B型)工程(技術)"]
    assert [r.text for r in d.removed] == ["(yè)", "(bào)", "(fā)"]


def test_damaged_indentation_becomes_a_paragraph_start() -> None:
    d = repair_encoding_damage(draft("????高建軍表示,新的一年"))
    assert kept(d) == ["高建軍表示,新的一年"]
    assert categories(d) == [("damaged-indentation", 1)]


def test_lost_characters_become_placeholders_and_keep_their_reading() -> None:
    d = repair_encoding_damage(draft("????保持奮勇?tīng)?zhēng)先的態勢"))
    assert kept(d) == ["保持奮勇□□先的態勢"]
    assert d.placeholders == 2
    assert "(reading zhēng)" in d.removed[-1].text


def test_a_run_of_damage_with_a_reading_counts_every_lost_character() -> None:
    d = repair_encoding_damage(draft("????加快形成規(guī)?;\ue1d6\ue769a(chǎn)業(yè)化"))
    assert kept(d) == ["加快形成規□□□□業化"]
    assert d.placeholders == 4


def test_genuine_question_marks_stay() -> None:
    text = "許昌經濟如何乘風破浪、揚帆前行?"
    assert kept(repair_encoding_damage(draft(text))) == [text]
    asks = "如何在擴大有效需求上增創新優勢?市商務局黨組書記表示"
    assert kept(repair_encoding_damage(draft(asks))) == [asks]


def test_question_mark_inside_damaged_han_text_is_a_lost_character() -> None:
    d = repair_encoding_damage(draft("????本報記者?龔硯慶", "????現代化建設邁出步伐?!?月9日"))
    assert kept(d) == ["本報記者□龔硯慶", "現代化建設邁出步伐□!□月9日"]
    assert d.placeholders == 3


def test_breadcrumb_is_navigation() -> None:
    d = drop_navigation(draft("首頁 >> 河南日報 >> 內容", "開封市委書記說 >> 不是導航"))
    assert kept(d) == ["開封市委書記說 >> 不是導航"]
    assert categories(d) == [("navigation", 1)]


def test_image_placeholders_and_captions() -> None:
    d = drop_images(
        draft("圖片默認標題_fororder_1", "許昌城市變化日新月異。喬利峰 攝", "正文不動。")
    )
    assert kept(d) == ["正文不動。"]
    assert categories(d) == [("image", 1), ("image-caption", 2)]


def test_header_lines() -> None:
    d = drop_header_fields(
        draft(
            "來源:河南日報  |  2024-01-18 09:13:07",
            "原標題:全力以赴拼經濟",
            "編輯:仝瑞勤",
            "德州新聞網訊 記者王志強張志寧鄧靜",
            "记者从会上获悉,党的十八大以来,许昌市坚持以习近平新时代中国特色社会主义思想为指导。",
        )
    )
    assert categories(d) == [("header", 1), ("original-title", 2), ("editor", 3), ("byline", 4)]
    assert len(kept(d)) == 1


def test_link_lists_after_their_heading() -> None:
    d = drop_link_lists(draft("正文最後一句。", "最新推薦", "新聞", "文娛", "體育"))
    assert kept(d) == ["正文最後一句。"]
    assert [c for c, _ in categories(d)] == ["link-list"] * 4


def test_share_prompts_and_footer_links() -> None:
    d = drop_share_and_prompts(draft("正文。", "分享", "有想补充的信息?点我投稿", "- 联系我们"))
    assert kept(d) == ["正文。"]
    assert [c for c, _ in categories(d)] == ["share", "contribution-prompt", "footer-links"]


def test_copyright_block_at_the_end() -> None:
    d = drop_copyright(
        draft(
            "许昌市坚持尽力而为、量力而行办好民生实事。",
            "1、“国际在线”由中国国际广播电台主办。",
            "2、凡本网注明“来源:国际在线”的所有信息内容,未经书面授权,任何单位及个人不得转载。",
            "已取得国广国际在线网络(北京)有限公司使用授权的被授权人,应严格在授权范围内使用。",
        )
    )
    assert kept(d) == ["许昌市坚持尽力而为、量力而行办好民生实事。"]
    assert [c for c, _ in categories(d)] == ["copyright"] * 3


def test_trailing_byline_comes_off_the_last_paragraph() -> None:
    d = drop_trailing_byline(draft("为谱写新篇章贡献许昌力量。(记者 王平)"))
    assert kept(d) == ["为谱写新篇章贡献许昌力量。"]
    assert d.removed[0].text == "(记者 王平)"


def test_flattened_paragraphs_are_rebuilt() -> None:
    flat = (
        "各位代表: 现在,我代表市人民政府,向大会报告工作。 一、2020年工作回顾 2020年极不平凡。"
        + "全市上下坚持以习近平新时代中国特色社会主义思想为指导。" * 15
        + " (一)抓防控战疫情,人民生命健康得到有力保护。以全国第 七、河南第一的好成绩荣膺称号。"
    )
    d = rebuild_paragraphs(draft(flat))
    texts = kept(d)
    assert texts[:3] == [
        "各位代表:",
        "现在,我代表市人民政府,向大会报告工作。",
        "一、2020年工作回顾",
    ]
    assert texts[3].startswith("2020年极不平凡。")
    assert texts[4].startswith("(一)抓防控战疫情")
    assert "以全国第 七、河南第一" in texts[4]


def test_headings_become_markdown_headings() -> None:
    md = clean_text("拼的基礎\n經濟發展穩中向好穩中提質\n2023年,是開局之年。")
    assert md == "## 拼的基礎\n\n## 經濟發展穩中向好穩中提質\n\n2023年,是開局之年。\n"


def test_markdown_syntax_in_text_stays_text() -> None:
    assert escape_markdown("# 不是标题 *不是强调* [不是](链接)") == (
        "\\# 不是标题 \\*不是强调\\* \\[不是\\](链接)"
    )
    assert escape_markdown(escape_markdown("a*b_c")) == escape_markdown("a*b_c")


# --- properties ---------------------------------------------------------------------

HAN_RUN = re.compile(f"[{HAN_CLASS}]")


# Common characters that appear in no noise rule, so text made of them is never noise.
NOISE_RULES = [
    value.pattern
    for name, value in vars(clean).items()
    if isinstance(value, re.Pattern) and name.isupper()
]
PLAIN = "".join(c for c in gb2312_level1() if c not in "".join(NOISE_RULES))


@st.composite
def plain_texts(draw: st.DrawFn) -> str:
    han = st.text(st.sampled_from(PLAIN), min_size=1, max_size=40)
    punct = st.sampled_from(["，", "。", "、", "；", "：", "！", "”", "“"])
    paragraphs = draw(
        st.lists(
            st.lists(st.tuples(han, punct), min_size=1, max_size=6).map(
                lambda parts: "".join(a + b for a, b in parts)
            ),
            min_size=1,
            max_size=8,
        )
    )
    return "\n".join(paragraphs)


def han_of(text: str) -> str:
    return "".join(HAN_RUN.findall(text))


@settings(max_examples=200, deadline=None)
@given(plain_texts())
def test_cleaning_never_deletes_a_han_character_that_is_not_noise(text: str) -> None:
    assert han_of(clean_text(text)) == han_of(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(plain_texts(), st.text(max_size=300)))
@example("報(bào)(bào)")
@example("a\\*b")
@example("?? 如何?")
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_cleaning_never_adds_han_characters(text: str) -> None:
    out = clean_text(text)
    assert set(han_of(out)) <= set(han_of(text))
    assert len(han_of(out)) <= len(han_of(text))


def test_whole_pipeline_on_a_seed_is_idempotent() -> None:
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        once = clean_text(text)
        assert clean_text(once) == once, path.name
        assert clean_lines(draft(*once.split("\n"))).removed == ()


def test_a_lost_character_is_restored_only_when_reading_and_context_agree() -> None:
    d = repair_encoding_damage(draft("河南日報記者報道。", "????河南日?bào)記者說"))
    assert kept(d) == ["河南日報記者報道。", "河南日報記者說"]
    assert d.placeholders == 0
    assert [r.category for r in d.removed][-1] == "restored"


def test_no_restoration_when_the_reading_does_not_fit_or_context_is_missing() -> None:
    wrong = repair_encoding_damage(draft("河南日報記者報道。", "????河南日?zhēng)記者說"))
    assert kept(wrong)[1] == "河南日□記者說"
    alone = repair_encoding_damage(draft("????奮勇?tīng)?zhēng)先"))
    assert kept(alone) == ["奮勇□□先"]
    assert "restored" not in [r.category for r in alone.removed]


def test_page_tools_and_signature_block() -> None:
    md = clean_text(
        "各部门：\n现将通知印发给你们，请认真贯彻落实。\n许昌市人民政府\n2021年3月20日\n"
        "【打印本页】【关闭窗口】"
    )
    assert md == (
        "各部门：\n\n现将通知印发给你们，请认真贯彻落实。\n\n许昌市人民政府\n\n2021年3月20日\n"
    )


def test_pinyin_syllables_are_every_reading_of_every_character_without_its_tone() -> None:
    import unicodedata

    from pypinyin.pinyin_dict import pinyin_dict

    def toneless(reading: str) -> str:
        decomposed = unicodedata.normalize("NFD", reading)
        return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ü", "v")

    expected = {toneless(r) for readings in pinyin_dict.values() for r in readings.split(",")}
    assert clean.pinyin_syllables() == expected
    assert {"bao", "chan", "zhuang", "er", "n"} <= expected
    assert "bào" not in expected and "xx" not in expected
