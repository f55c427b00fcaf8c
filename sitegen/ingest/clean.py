"""Clean one article: takes its raw lines, gives Markdown and a record of all it removed.

The cleaner is a tuple of small pure steps (`STEPS`), each named for the noise it removes.
Every step takes and returns a `Draft`; whatever a step takes out is recorded as a
`Removal` with its category, so nothing is lost silently. Rules look at the Simplified
form of a line, so they work on both scripts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from sitegen.chinese import HAN_CLASS, to_simplified
from sitegen.model import Removal

HAN = f"[{HAN_CLASS}]"
PLACEHOLDER = "□"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line in the source file
    text: str


@dataclass(frozen=True)
class Draft:
    lines: tuple[Line, ...]
    removed: tuple[Removal, ...] = ()
    lost: tuple[tuple[int, int], ...] = ()  # (line, characters lost there and now '□')
    listing: bool = False  # the article came from a listing scrape

    def keep(
        self, lines: list[Line], removed: list[Removal], lost: tuple[tuple[int, int], ...] = ()
    ) -> Draft:
        return replace(
            self, lines=tuple(lines), removed=self.removed + tuple(removed), lost=self.lost + lost
        )

    @property
    def placeholders(self) -> int:
        """Characters lost to a broken encoding in the lines still kept (noise not counted)."""
        kept = {line.number for line in self.lines}
        return sum(count for number, count in self.lost if number in kept)


def simplified(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text))


# Noise lines are short; a longer line is body text, so rules need not convert it.
RULED_LINE_MAX = 200


@lru_cache(maxsize=8192)
def ruled(text: str) -> str:
    """Return the form noise rules look at: Simplified, or the text itself when too long."""
    return simplified(text) if len(text) <= RULED_LINE_MAX else text


# --- encoding damage -------------------------------------------------------------------

TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, from pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    plain = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            decomposed = unicodedata.normalize("NFD", reading)
            bare = "".join(c for c in decomposed if not unicodedata.combining(c))
            plain.add(bare.replace("ü", "v"))
    return frozenset(plain)


def is_pinyin(word: str) -> bool:
    """Tell whether `word` is one pinyin syllable with a tone mark."""
    if not any(c in TONE_MARKS for c in word):
        return False
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ü", "v")
    return bare in pinyin_syllables()


PINYIN_WORD = f"[a-z{TONE_MARKS}ü]{{1,7}}"
ANNOTATION = re.compile(rf"(?<={HAN})((?:\({PINYIN_WORD}\))+)")
LOST_WITH_READING = re.compile(rf"\?({PINYIN_WORD})\)")
# Lost characters, stray bytes and the reading of the last one: '規?;\ue1d6\ue769a(chǎn)業'.
LOST_SPAN = re.compile(
    rf"(?<={HAN})([?\ue000-\uf8ff\ufffd][?\ue000-\uf8ff\ufffd;a-z]*)\(({PINYIN_WORD})\)"
)
DAMAGED_INDENT = re.compile(r"^(?:\?{2,}|[\u3000 \t]+)")
READING_MARK = re.compile("\ufff9([^\ufffb]*)\ufffb")
HAN_CHAR_RE = re.compile(HAN)
PRIVATE_USE = re.compile("[\ue000-\uf8ff\ufffd]")
QUESTION_WORDS = re.compile(
    r"(如何|怎么|怎样|为什么|为何|什么|是否|是不是|能否|可否|哪|谁|几|多少|吗|呢|难道|何)"
)
SENTENCE_END = "。！？!?；;…"


def repair_encoding_damage(draft: Draft) -> Draft:
    """Remove pinyin annotations; turn characters lost to an encoding into '□'.

    A lost character whose reading survived is restored only when the same text holds
    exactly one character with that reading between the same two neighbours elsewhere.
    """
    damaged = _shows_damage(draft.lines)
    repaired, removed = [], []
    for line in draft.lines:
        text, found = _repair_line(line, damaged)
        repaired.append(Line(line.number, text))
        removed += found
    context = READING_MARK.sub(PLACEHOLDER, "\n".join(line.text for line in repaired))
    lines, lost = [], []
    for before, line in zip(draft.lines, repaired, strict=True):
        text = READING_MARK.sub(
            lambda m, n=line.number: _restore(m, context, n, removed), line.text
        )
        count = text.count(PLACEHOLDER) - before.text.count(PLACEHOLDER)
        if count:
            lost.append((line.number, count))
        lines.append(Line(line.number, text))
    return draft.keep(lines, removed, tuple(lost))


def _restore(m: re.Match[str], context: str, number: int, removed: list[Removal]) -> str:
    """Return the one character the reading and its neighbours allow, else '□'."""
    text, reading = m.string, m.group(1)
    left = text[m.start() - 1] if m.start() else ""
    right = text[m.end()] if m.end() < len(text) else ""
    if not (HAN_CHAR_RE.match(left) and HAN_CHAR_RE.match(right)):
        return PLACEHOLDER
    candidates = {
        c.group(1)
        for c in re.finditer(f"{re.escape(left)}({HAN}){re.escape(right)}", context)
        if reading in _readings(c.group(1))
    }
    if len(candidates) != 1:
        return PLACEHOLDER
    (char,) = candidates
    removed.append(
        Removal("restored", f"□({reading}) → {char}, as in '{left}{char}{right}' elsewhere", number)
    )
    return char


def _readings(char: str) -> set[str]:
    from pypinyin import Style, pinyin

    return {unicodedata.normalize("NFC", r) for r in pinyin(char, Style.TONE, heteronym=True)[0]}


def _repair_line(line: Line, damaged: bool) -> tuple[str, list[Removal]]:
    found: list[Removal] = []
    text = line.text.replace("\ufff9", "").replace("\ufffb", "")
    indent = DAMAGED_INDENT.match(text)
    if indent and "?" in indent.group():
        found.append(Removal("damaged-indentation", indent.group(), line.number))
    text = DAMAGED_INDENT.sub("", text)

    def reading(m: re.Match[str], lost: int) -> str:
        said = m.group(m.lastindex or 1)
        found.append(Removal("lost-character", f"{m.group()} (reading {said})", line.number))
        # The last lost character keeps its reading in a mark until restoration decides.
        return PLACEHOLDER * (lost - 1) + f"\ufff9{said}\ufffb"

    def lost_span(m: re.Match[str]) -> str:
        if not is_pinyin(m.group(2)):
            return m.group()
        return reading(m, len(re.findall("[?\ue000-\uf8ff\ufffd]", m.group(1))) + 1)

    def annotation(m: re.Match[str]) -> str:
        # Repeated annotations ('報(bào)(bào)') go together, so cleaning twice changes nothing.
        readings = re.findall(r"\(([^()]*)\)", m.group(1))
        if not all(is_pinyin(r) for r in readings):
            return m.group()
        found.append(Removal("pinyin", m.group(), line.number))
        return ""

    text = ANNOTATION.sub(annotation, text)
    text = LOST_SPAN.sub(lost_span, text)
    text = LOST_WITH_READING.sub(
        lambda m: reading(m, 1) if is_pinyin(m.group(1)) else m.group(), text
    )
    before = text.count(PLACEHOLDER)
    text = _lost_question_marks(PRIVATE_USE.sub(PLACEHOLDER, text), damaged)
    unreadable = text.count(PLACEHOLDER) - before
    if unreadable:
        found.append(Removal("lost-character", f"{unreadable} × '?' or unreadable", line.number))
    return text, found


def _shows_damage(lines: tuple[Line, ...]) -> bool:
    """Tell whether the text shows the marks of a broken encoding anywhere."""
    text = "\n".join(line.text for line in lines)
    return bool(
        re.search(r"(?m)^\?{2,}", text)
        or PRIVATE_USE.search(text)
        or LOST_WITH_READING.search(text)
        or re.search(rf"{HAN}\?{{2,}}{HAN}", text)
    )


def _lost_question_marks(text: str, damaged: bool) -> str:
    """Replace the '?' that stand for lost characters; keep genuine question marks."""
    if "?" not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == "?" and _is_lost(text, i, damaged):
            out.append(PLACEHOLDER)
        else:
            out.append(ch)
    return "".join(out)


def _is_lost(text: str, i: int, damaged: bool) -> bool:
    before = text[i - 1] if i else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if before == "?" or after == "?":
        return True  # a run of '?' is never punctuation
    if not re.match(HAN, before) and before not in (PLACEHOLDER, "\ufffb", "", "“", "”"):
        if not (damaged and (before in SENTENCE_END + "，,：:" or before.isdigit())):
            return False
    if not after or after in "”」』）)\"' " or after in SENTENCE_END:
        return damaged and after != "" and after in "!！"
    sentence = re.split(f"[{SENTENCE_END}]", text[:i])[-1]
    asks = bool(QUESTION_WORDS.search(simplified(sentence)))
    return damaged or not asks


# --- noise lines ---------------------------------------------------------------------

CRUMB_SEPARATOR = re.compile(r"\s*(?:>>|»|＞＞|>|＞|›)\s*")
BREADCRUMB = re.compile(r"(>>|»|＞＞|>\s|当前位置|您的位置|首页\s*[>/])")
IMAGE_PLACEHOLDER = re.compile(r"(_fororder_|^图片默认标题|^\[?图片\d*\]?$|^image\d*$)", re.I)
PHOTO_CREDIT = re.compile(
    r"(?:[（(]?\s*([\u4e00-\u9fff·]{2,8})\s*摄\s*[）)]?|摄影[:：]\s*(\S{2,8}))$"
)
EDITOR = re.compile(r"^[【\[]?(?:责任编辑|责编|编辑|审核|校对|监制)[】\]]?\s*[:：]\s*(.{1,40})$")
LINK_LIST_HEAD = re.compile(
    r"^(最新推荐|推荐阅读|相关阅读|相关新闻|相关文章|热点推荐|热门推荐|猜你喜欢|延伸阅读|更多阅读|精彩推荐|图片新闻|热门文章|最新文章|点击排行)$"
)
SHARE = re.compile(
    r"^(分享|分享到|分享至|一键分享|转发|收藏|点赞|打印|关闭|返回顶部|微信|微博|QQ空间|"
    r"扫一扫|扫码分享|【打印】|【关闭】|【字体:?大 ?中 ?小】)[:：]?$"
)
PAGE_TOOLS = re.compile(
    r"^(?:[【\[]?(?:打印本页|打印|关闭窗口|关闭|返回顶部|加入收藏|收藏本页|保存本页|我要纠错|"
    r"字号|字体|大|中|小|默认|[上下]一篇[:：]?.{0,60}|分享到?[:：]?|复制链接)[】\]]?[\s|｜/]*)+$"
)
CONTRIBUTION = re.compile(r"(投稿|爆料|报料|纠错|点我|我要评论|发表评论)")
FOOTER_LINK = re.compile(
    r"^[-·•|]\s*\S{2,10}$|^(联系我们|关于我们|网站地图|免责声明|版权声明|隐私政策|企业入驻|广告服务|意见反馈)$"
)
COPYRIGHT = re.compile(
    r"(版权所有|版权声明|未经.{0,12}授权|不得转载|禁止转载|严禁转载|转载请注明|本网|本站|"
    r"ICP备|Copyright|©|授权|免责声明|违者必究|法律责任)",
    re.I,
)
SOURCE_HEADER = re.compile(
    r"^\s*[【\[]?(来源|来自|稿源|出处|信息来源|发布时间|发布日期|发文日期|成文日期|时间|日期|"
    r"索引号|发布机构|发文机关|主题分类|文号|发文字号|作者|浏览次数|阅读次数|点击数|访问量|字号|字体)"
    r"[】\]]?\s*[:：]"
)
ORIGINAL_TITLE = re.compile(r"^\s*原标题\s*[:：]\s*(.+)$")
BYLINE_LINE = re.compile(
    r"^\s*(?:□|■|◎|●)?\s*(?:\S{2,12}(?:网|报|台|社)讯\s*)?(?:本报|本网|本台)?(?:记者|通讯员|见习记者)"
    r"[\s□?·]*[\u4e00-\u9fff·\s□]{2,30}$"
)
DATELINE_BYLINE = re.compile(
    r"^\s*\S{2,12}(?:网|报|台|社)讯\s*(?:[(（]?\s*(?:记者|通讯员).{0,30}[)）]?)?$"
)
TRAILING_BYLINE = re.compile(
    r"[(（]\s*((?:本报)?(?:记者|通讯员|见习记者)[\s\u4e00-\u9fff·、]{2,30})\s*[)）]\s*$"
)


def _classify(draft: Draft, rule: Callable[[str, str], str | None]) -> Draft:
    """Remove each line for which `rule(text, simplified)` names a category."""
    lines, removed = [], []
    for line in draft.lines:
        stripped = line.text.strip()
        category = rule(stripped, ruled(stripped)) if stripped else None
        if category:
            removed.append(Removal(category, line.text, line.number))
        else:
            lines.append(line)
    return draft.keep(lines, removed)


def drop_navigation(draft: Draft) -> Draft:
    """Remove breadcrumbs such as '首页 >> 河南日报 >> 内容'."""

    def rule(text: str, s: str) -> str | None:
        if len(s) > 80 or not BREADCRUMB.search(s):
            return None
        parts = [p.strip() for p in CRUMB_SEPARATOR.split(s)]
        short = all(0 < len(p) <= 12 for p in parts)
        home = bool(re.match(r"(首页|当前位置|您的位置|你的位置|位置)", s))
        return "navigation" if short and (len(parts) >= 3 or home and len(parts) >= 2) else None

    return _classify(draft, rule)


def drop_images(draft: Draft) -> Draft:
    """Remove image placeholders and captions; captions keep their photo credit."""

    def rule(text: str, s: str) -> str | None:
        if len(s) <= 120 and IMAGE_PLACEHOLDER.search(s):
            return "image"
        if len(s) <= 160 and PHOTO_CREDIT.search(s):
            return "image-caption"
        return None

    return _classify(draft, rule)


def drop_header_fields(draft: Draft) -> Draft:
    """Take out source/date header lines, the original title and editor lines."""

    def rule(text: str, s: str) -> str | None:
        if len(s) <= 120 and SOURCE_HEADER.match(s):
            return "header"
        if ORIGINAL_TITLE.match(s):
            return "original-title"
        if EDITOR.match(s):
            return "editor"
        if len(s) <= 60 and (BYLINE_LINE.match(s) or DATELINE_BYLINE.match(s)):
            return "byline"
        return None

    return _classify(draft, rule)


def drop_link_lists(draft: Draft) -> Draft:
    """Remove 'latest/recommended' headings and the short link lines under them."""
    lines, removed = [], []
    in_list = False
    for line in draft.lines:
        s = ruled(line.text.strip())
        if LINK_LIST_HEAD.match(s):
            in_list = True
            removed.append(Removal("link-list", line.text, line.number))
        elif in_list and (not s or (len(s) <= 30 and s[-1] not in SENTENCE_END + "，,")):
            if s:
                removed.append(Removal("link-list", line.text, line.number))
        else:
            in_list = False
            lines.append(line)
    return draft.keep(lines, removed)


def drop_share_and_prompts(draft: Draft) -> Draft:
    """Remove share buttons, contribution prompts and footer links."""

    def rule(text: str, s: str) -> str | None:
        if SHARE.match(s):
            return "share"
        if PAGE_TOOLS.match(s):
            return "page-tools"
        if len(s) <= 30 and CONTRIBUTION.search(s):
            return "contribution-prompt"
        if FOOTER_LINK.match(s):
            return "footer-links"
        return None

    return _classify(draft, rule)


def drop_copyright(draft: Draft) -> Draft:
    """Remove the site's copyright and disclaimer block at the end of the text."""
    lines = list(draft.lines)
    start = len(lines)
    for i in range(len(lines) - 1, 0, -1):
        s = ruled(lines[i].text.strip())
        if not s:
            continue
        if COPYRIGHT.search(s) or (re.match(r"^\d+[、.]", s) and start == i + 1):
            start = i
        elif start < len(lines) and _continues_notice(s):
            start = i
        else:
            break
    if start == len(lines) or not any(
        COPYRIGHT.search(ruled(line.text.strip())) for line in lines[start:]
    ):
        return draft
    removed = [Removal("copyright", line.text, line.number) for line in lines[start:] if line.text]
    return draft.keep(lines[:start], removed)


def _continues_notice(s: str) -> bool:
    return bool(re.match(r"^\d+[、.]", s)) or "公司" in s and ("授权" in s or "使用" in s)


def drop_trailing_byline(draft: Draft) -> Draft:
    """Take '(记者 王平)' off the end of the last paragraph."""
    lines = list(draft.lines)
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].text.strip():
            continue
        m = TRAILING_BYLINE.search(simplified(lines[i].text))
        if not m:
            break
        original = lines[i].text
        cut = len(original.rstrip()) - len(m.group().rstrip())
        lines[i] = Line(lines[i].number, original[:cut].rstrip())
        return draft.keep(lines, [Removal("byline", original[cut:].strip(), lines[i].number)])
    return draft


# --- structure -----------------------------------------------------------------------

SECTION_MARKER = r"(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])"
FLATTENED = 400  # a line this long with several sentences was flattened by the scraper
SPLIT_AT_SPACE = re.compile(r"(?<=[。！？!?：:；;”」])\s+")
HEADED_PIECE = re.compile(rf"^({SECTION_MARKER}[^。！？!?：:；;，,\s]{{1,{40}}})\s+(\S.*)$")
SPLIT_AT_MARKER = re.compile(rf"(?<=[。！？!?：:；;])(?={SECTION_MARKER})")
HEADING_MAX = 40
# A signature block ends official documents: the issuer's name, then the date alone.
DATE_ONLY = re.compile(r"^\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年.{1,6}月.{1,6}日\s*$")
NOT_A_HEADING_END = SENTENCE_END + "，,、：:”」』）)—"


def rebuild_paragraphs(draft: Draft) -> Draft:
    """Split lines that hold many flattened paragraphs at section markers and sentence ends."""
    lines = []
    for line in draft.lines:
        if len(line.text) < FLATTENED:
            lines.append(line)
            continue
        parts = SPLIT_AT_SPACE.split(line.text)
        pieces = [p for part in parts for p in SPLIT_AT_MARKER.split(part)]
        for piece in pieces:
            headed = HEADED_PIECE.match(piece.strip())
            split = headed.groups() if headed else (piece,)
            lines.extend(Line(line.number, p.strip()) for p in split if p.strip())
    return draft.keep(lines, [])


def is_heading(text: str) -> bool:
    """Tell whether a line is a short unpunctuated section heading."""
    s = text.strip()
    return (
        0 < len(s) <= HEADING_MAX
        and s[-1] not in NOT_A_HEADING_END
        and bool(re.search(HAN, s))
        and not re.fullmatch(r"[\d\s\-/.:年月日]+", s)
    )


STEPS: tuple[Callable[[Draft], Draft], ...] = (
    repair_encoding_damage,
    drop_navigation,
    drop_images,
    drop_header_fields,
    drop_link_lists,
    drop_share_and_prompts,
    drop_copyright,
    drop_trailing_byline,
    rebuild_paragraphs,
)


def clean_lines(draft: Draft) -> Draft:
    """Run every cleaning step in order."""
    for step in STEPS:
        draft = step(draft)
    return draft


# --- Markdown ------------------------------------------------------------------------

INLINE_SPECIAL = re.compile(r"(?<!\\)([`*_\[\]])")
BLOCK_START = re.compile(r"^(?:#|>|[-+*=|]|\d+[.)])")


def escape_markdown(text: str) -> str:
    """Escape what Markdown would read as markup; text already escaped stays as it is."""
    text = INLINE_SPECIAL.sub(r"\\\1", text)
    if BLOCK_START.match(text) and not text.startswith("\\"):
        text = "\\" + text
    return text


def to_markdown(lines: tuple[Line, ...]) -> str:
    """Join kept lines into Markdown paragraphs; short unpunctuated lines become headings."""
    blocks = []
    texts = [line.text.strip() for line in lines if line.text.strip()]
    for i, text in enumerate(texts):
        signature = i + 1 < len(texts) and DATE_ONLY.match(texts[i + 1])
        if text.startswith("## "):
            blocks.append(text)
        elif is_heading(text) and i + 1 < len(texts) and not signature:
            blocks.append("## " + escape_markdown(text))
        else:
            blocks.append(escape_markdown(text))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def clean_text(text: str) -> str:
    """Clean a whole plain text to Markdown (no headline or listing handling)."""
    lines = tuple(Line(n, line) for n, line in enumerate(text.split("\n"), 1))
    return to_markdown(clean_lines(Draft(lines)).lines)
