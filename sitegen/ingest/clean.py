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
from functools import cache, lru_cache

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


SPACED_LABEL = re.compile(r"^\s*((?:[\u4e00-\u9fff][ \u3000]+){1,5}[\u4e00-\u9fff])(?=\s*[:：﹕])")


@cache  # cleared after each article: every step asks about every line
def ruled(text: str) -> str:
    """Return the form noise rules look at: Simplified, or the text itself when too long.

    Labels padded to a table's width ('标    题：') are closed up.
    """
    if len(text) > RULED_LINE_MAX:
        return text
    s = simplified(text)
    return SPACED_LABEL.sub(lambda m: re.sub(r"[ \u3000]+", "", m.group(1)), s)


# --- encoding damage -------------------------------------------------------------------

TONE_MARKS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable, from pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    # ~1,500 distinct readings among 40,000 characters': each stripped once (every cleaning
    # process did 40,000, half a second)
    readings = set(",".join(pinyin_dict.values()).split(","))
    plain = set()
    for reading in readings:
        decomposed = unicodedata.normalize("NFD", reading)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
        plain.add(bare.replace("ü", "v"))
    return frozenset(plain)


@lru_cache(maxsize=8192)  # words in brackets beside Han characters: mostly the same few
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
# Lines are compared stripped, so edge whitespace must not change any decision; the
# ideographic space stays for DAMAGED_INDENT to record.
WHITESPACE_NOT_INDENT = " \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029"
DAMAGED_INDENT = re.compile(r"^(?:\?{2,}|[\u3000 \t]+)")
READING_MARK = re.compile("\ufff9([^\ufffb]*)\ufffb")
# A line without any of these has nothing for `_repair_line` to repair (see its patterns).
DAMAGE_SIGN = re.compile("[(?\ue000-\uf8ff\ufffd\ufff9\ufffb锟烫屯]")
HAN_CHAR_RE = re.compile(HAN)
PRIVATE_USE = re.compile("[\ue000-\uf8ff\ufffd]")
QUESTION_WORDS = re.compile(
    r"(如何|怎么|怎样|为什么|为何|什么|是否|能否|可否|哪|谁|几|多少|吗|呢|难道|何|"
    r"([\u4e00-\u9fff])[不没]\2)"  # A-not-A: 要不要, 有没有, 是不是
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
        if DAMAGE_SIGN.search(line.text):
            text, found = _repair_line(line, damaged)
        else:  # nothing to repair: only what _repair_line does to every line
            text, found = DAMAGED_INDENT.sub("", line.text.strip(WHITESPACE_NOT_INDENT)), []
        repaired.append(Line(line.number, text))
        removed += found
    marked = any("\ufff9" in line.text for line in repaired)
    context = (
        READING_MARK.sub(PLACEHOLDER, "\n".join(line.text for line in repaired)) if marked else ""
    )
    lines, lost = [], []
    for before, line in zip(draft.lines, repaired, strict=True):
        text = line.text
        if marked and "\ufff9" in text:
            text = READING_MARK.sub(lambda m, n=line.number: _restore(m, context, n, removed), text)
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
    text = line.text.replace("\ufff9", "").replace("\ufffb", "").strip(WHITESPACE_NOT_INDENT)
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
    if _garbled(text):
        text = GARBLED.sub(
            lambda m: PLACEHOLDER * (len(m.group()) // 3 if "锟" in m.group() else 1), text
        )
    text = _lost_question_marks(PRIVATE_USE.sub(PLACEHOLDER, text), damaged)
    unreadable = text.count(PLACEHOLDER) - before
    if unreadable:
        found.append(Removal("lost-character", f"{unreadable} × '?' or unreadable", line.number))
    return text, found


def _shows_damage(lines: tuple[Line, ...]) -> bool:
    """Tell whether the text shows the marks of a broken encoding anywhere."""
    text = "\n".join(line.text for line in lines)
    return bool(
        ("??" in text and re.search(r"(?m)^\?{2,}", text))
        or PRIVATE_USE.search(text)
        or ("?" in text and LOST_WITH_READING.search(text))
        or ("??" in text and re.search(rf"{HAN}\?{{2,}}{HAN}", text))
        or _garbled(text)
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

CRUMB_SEPARATOR = re.compile(r"\s*(?:>>|»|＞＞|>|＞|›|→)\s*")
BREADCRUMB = re.compile(r"(>>|»|＞＞|>|＞|›|→)")
CRUMB_HOME = re.compile(
    r"^(首页|当前位置|您当前的位置|您现在的位置|您的位置|你的位置|你现在的位置|位置)"
)
IMAGE_PLACEHOLDER = re.compile(
    r"(_fororder_|^图片默认标题|^\[?图片\d*\]?$|^image\d*$|^资料图片?$|^资料照片$|^配图$|^图片来源[:：].{0,30}$)",
    re.I,
)
PHOTO_CREDIT = re.compile(
    r"(?:[（(]?\s*(?:(?:新华社|中新社|本报|中央社)?记者)?\s*([\u4e00-\u9fff·]{2,8})\s*摄(?:影)?\s*"
    r"(?:\S{0,16})?[）)]?|摄影[:：]\s*(\S{2,8})|([\u4e00-\u9fff·]{2,12})供图[）)]?|"
    r"[（(]?图[/／:：]\s*(\S{2,12}?)[）)]?)$"
)
CAPTION_MARK = re.compile(r"^[▲△▼↑↓●（(]?\s*图[为片示]?[:：]?|^▲|^△")
ROLE_LABELS = (
    "责任编辑|责编|编辑|审核|审校|校对|监制|终审|签发|值班编辑|图片编辑|美编|主编|作者|记者|来源"
)
EDITOR = re.compile(
    r"[【\[（(]?\s*(?<!图片)(责任编辑|责编|编辑)\s*[】\]]?\s*[:：]\s*"
    r"([^\s（()）【】\[\]|｜:：]{1,20}(?:[、,，][^\s（()）【】\[\]|｜:：]{1,8})*)"
)
STAFF_LINE = re.compile(
    rf"^[【\[（(]?\s*(?:{ROLE_LABELS}|本文来源|文字|视频|设计|统筹|出品)\s*[】\]]?\s*[:：].{{0,60}}$"
)
LINK_LIST_HEAD = re.compile(
    r"^(最新推荐|推荐阅读|相关阅读|相关新闻|相关文章|相关链接|相关专题|相关报道|热点推荐|热门推荐|"
    r"猜你喜欢|延伸阅读|更多阅读|精彩推荐|图片新闻|热门文章|最新文章|点击排行|热点新闻|更多新闻|"
    r"相关字词|相关词|往期回顾|推荐新闻|今日推荐|热门排行)[:：﹕]?(.{0,80})$"
)
BUTTON_WORDS = (
    "分享|分享到|分享至|一键分享|转发|收藏|点赞|在看|赞|评论|举报|我要举报|打印|关闭|返回顶部|"
    "返回首页|微信|微博|新浪微博|腾讯微博|QQ空间|QQ|朋友圈|微信好友|扫一扫|扫码分享|复制链接|"
    "阅读原文|写下你的留言|留言|预览时标签不可点|微信扫一扫|关注该公众号|继续滑动看下一个|"
    "轻触阅读原文|知道了|取消|允许|用微信扫码二维码|分享至好友和朋友圈|分享让更多人看到|"
    "点击播报本文[,，]?约?|版面导航|本版新闻|小字号|大字号|中字号|查看更多|参与互动|参与讨论|"
    "扫一扫在手机打开当前页|手机看|手机版|听新闻|播放|暂停|更多|展开全文|收起|打开APP|"
    "下载客户端|客户端|来自[^\\s]{1,10}客户端|[+＋]\\d+|\\d+|阅读\\s*[\\d.]+万?\\+?|"
    "在看\\s*\\d+|点赞\\s*\\d+|赞\\s*\\d+"
)
SHARE = re.compile(rf"^(?:[【\[]?(?:{BUTTON_WORDS})[】\]]?[:：]?[\s|｜/、·]*)+$")
HASHTAG_LINE = re.compile(r"^(?:#[^#\s]{1,20}#?\s*)+$")
WECHAT_HEADER = re.compile(
    r"^(?:原创\s+)?\S{2,20}\s+\S{2,20}\s+\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2})?(?:\s+\S{2,6})?$"
)
WECHAT_PROFILE = re.compile(r"^(微信号|功能介绍|公众号|微信公众号)\s*[:：]?\s*\S.{0,80}$")
PAGE_TOOLS = re.compile(
    r"^(?:[【\[]?(?:打印本页|打印|关闭窗口|关闭|返回顶部|加入收藏|收藏本页|保存本页|我要纠错|纠错|"
    r"回上一页|回到顶部|字号|字体|大|中|小|默认|[上下]一[篇条][:：]?.{0,60}|分享到?[:：]?|复制链接)"
    r"[】\]]?[:：]?[\s|｜/]*)+$"
)
CONTRIBUTION = re.compile(r"(投稿|爆料|报料|纠错|点我|我要评论|发表评论)")
FOOTER_WORDS = (
    "联系我们|关于我们|网站地图|免责声明|版权声明|隐私政策|企业入驻|广告服务|意见反馈|网站简介|"
    "About us|About Us|法律声明|用户协议|招聘信息|诚聘英才|网站导航|设为首页|加入收藏|帮助中心|"
    "人才招聘|广告刊例|联系方式|服务条款|举报中心|违法和不良信息举报"
)
FOOTER_LINK = re.compile(
    rf"^[-·•|]\s*\S{{2,10}}$|^(?:(?:{FOOTER_WORDS}|[A-Za-z ]{{2,20}})\s*[|｜/·]?\s*)+$"
)
LINK_ROW = re.compile(r"^(?:[^|｜。，,；;！？!?]{1,10}\s*[|｜]\s*){2,}[^|｜。，,；;！？!?]{1,10}$")
END_MARK = re.compile(r"^[（(]?\s*完\s*[）)]?$|^[-—]{1,2}\s*完\s*[-—]{1,2}$|^-?end-?$", re.I)
COPYRIGHT = re.compile(
    r"(版权所有|版权声明|未经.{0,12}授权|不得转载|禁止转载|严禁转载|转载请注明|本网|本站|"
    r"ICP备|ICP证|公网安备|网站标识码|备案号|Copyright|©|授权|免责声明|违者必究|法律责任|"
    r"主办单位|主办[:：]|承办[:：]|承办单位|技术支持|联系电话|举报电话|电子邮箱|通讯地址|"
    r"视听节目许可证|新闻信息服务许可证|All rights reserved)",
    re.I,
)
HEADER_LABELS = (
    "来源|来自|稿源|出处|信息来源|本文来源|文章来源|发布时间|发布日期|发文日期|成文日期|更新日期|"
    "更新时间|时间|日期|索引号|发布机构|发文机关|发布机关|主题分类|主题词|文号|发文字号|作者|"
    "浏览次数|阅读次数|点击数|点阅数|点击量|访问量|浏览量|字号|字体|标题|有效性|体裁分类|组配分类|"
    "生成日期|公开方式|公开范围|公开时限"
)
SOURCE_HEADER = re.compile(rf"^\s*[【\[]?({HEADER_LABELS})[】\]]?\s*[:：﹕]")
# '2024-05-06 18:20 来源：澎湃新闻': a date line that names the source, author or editor.
DATED_HEADER = re.compile(
    r"^\s*(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{2,3}[-/.]\d{1,2}[-/.]\d{1,2})"
    r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?.{0,80}?(来源|作者|编辑|稿源|出处)\s*[:：]"
)
DATE_LINE_ONLY = re.compile(
    r"^\s*(?:(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{4}年\d{1,2}月\d{1,2}日)"
    r"\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:[（(]?(?:星期|周)[一二三四五六日天][）)]?)?"
    r"\s*(?:[（(][^）)]{0,24}更新[）)])?"
    r"|(?:北京|香港|台北|澳门|当地)?时间\s*\d{1,2}\s*(?::|时)\s*\d{2}\s*分?)\s*$"
)
EDITION_LINE = re.compile(
    r"^\s*[《]?\s*(\S{2,12}(?:报|报社|日报|晚报|时报|商报|新闻))\s*[》]?\s*[（(]?\s*"
    r"(\d{4}[-/.年]\s*\d{1,2}[-/.月]\s*\d{1,2}日?)\s*(?:第\s*)?[A-Za-z]?\d{1,3}\s*版.{0,20}[）)]?\s*$"
)
MASTHEAD = re.compile(
    r"^(\S{2,14}?(?:网|报|新闻网|日报|晚报|政府网|资讯网|全球资讯网|新闻|融媒体中心|客户端|"
    r"电视台|广播电视台|发布|频道))(?:\s+(?:\S{1,6}))?$"
)
ORIGINAL_TITLE = re.compile(r"^\s*[（(【]?\s*原标题\s*[:：]\s*(.+?)\s*[）)】]?\s*$")
INLINE_ORIGINAL_TITLE = re.compile(r"[（(]\s*原标题\s*[:：]\s*[^（()）]{2,80}[）)]")
BYLINE_LINE = re.compile(
    r"^\s*[\[【（(]?\s*(?:□|■|◎|●)?\s*(?:\S{2,12}(?:网|报|台|社)讯\s*)?"
    r"(?:本报|本网|本台|[\u4e00-\u9fff]{2,8})?(?:记者|通讯员|见习记者|特约记者|实习生)"
    r"[\s□?·]*[\u4e00-\u9fff·\s□]{2,30}[\]】）)]?$"
)
DATELINE_BYLINE = re.compile(
    r"^\s*\S{2,12}(?:网|报|台|社)讯\s*(?:[(（]?\s*(?:记者|通讯员).{0,30}[)）]?)?$"
)
TRAILING_BYLINE = re.compile(
    r"[(（]\s*((?:本报)?(?:记者|通讯员|见习记者)[\s\u4e00-\u9fff·、]{2,30})\s*[)）]\s*$"
)
GARBLED_MARKS = ("锟斤拷", "烫烫", "屯屯")
GARBLED = re.compile("|".join(f"(?:{mark})+" for mark in GARBLED_MARKS))


def _garbled(text: str) -> bool:
    """Whether GARBLED occurs in `text`: `in` finds a mark ~40 times quicker than search."""
    return any(mark in text for mark in GARBLED_MARKS)


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
        short = all(0 < len(p) <= 14 for p in parts)
        home = bool(CRUMB_HOME.match(s))
        return "navigation" if short and (len(parts) >= 3 or home and len(parts) >= 2) else None

    return _classify(draft, rule)


def _photo_credit(s: str) -> bool:
    # Every credit has 摄 or 图: far quicker to look for than PHOTO_CREDIT, which tries
    # 2 to 12 Han characters at every position of the line.
    return ("摄" in s or "图" in s) and PHOTO_CREDIT.search(s) is not None


def drop_images(draft: Draft) -> Draft:
    """Remove image placeholders and captions; captions keep their photo credit."""

    def rule(text: str, s: str) -> str | None:
        if len(s) <= 120 and IMAGE_PLACEHOLDER.search(s):
            return "image"
        if len(s) <= 160 and (_photo_credit(s) or CAPTION_MARK.match(s) and len(s) <= 100):
            return "image-caption"
        return None

    return _classify(draft, rule)


def drop_header_fields(draft: Draft) -> Draft:
    """Take out mastheads, source/date headers, the original title, bylines and staff lines."""
    lines, removed = [], []
    top = True  # still among the lines above the text proper
    for n, line in enumerate(draft.lines):
        text = line.text.strip()
        s = ruled(text) if text else ""
        category = _header_category(s, first=n == 0, top=top) if s else None
        if category is None and removed and removed[-1].category == "masthead" and len(s) <= 6:
            category = "section"  # the site's column under its masthead: '港聞'
        if category:
            removed.append(Removal(category, line.text, line.number))
            continue
        if text and (len(s) > 40 or s[-1] in SENTENCE_END):
            top = False
        inline = INLINE_ORIGINAL_TITLE.search(s) if "原标题" in s else None
        if inline and len(s) == len(text):
            removed.append(
                Removal("original-title", text[inline.start() : inline.end()], line.number)
            )
            line = Line(line.number, (text[: inline.start()] + text[inline.end() :]).strip())
        lines.append(line)
    return draft.keep(lines, removed)


def _header_category(s: str, first: bool, top: bool) -> str | None:
    if len(s) <= 160 and (SOURCE_HEADER.match(s) or DATED_HEADER.match(s)):
        return "header"
    if ORIGINAL_TITLE.match(s):
        return "original-title"
    if len(s) <= 80 and EDITION_LINE.match(s):
        return "edition"
    if len(s) <= 80 and EDITOR.search(s) and (STAFF_LINE.match(s) or _mostly_labels(s)):
        return "editor"
    if len(s) <= 60 and STAFF_LINE.match(s):
        return "staff"
    if len(s) <= 60 and (BYLINE_LINE.match(s) or DATELINE_BYLINE.match(s)):
        return "byline"
    if top and len(s) <= 60 and DATE_LINE_ONLY.match(s):
        return "dateline"
    if first and len(s) <= 24 and MASTHEAD.match(s):
        return "masthead"
    if top and len(s) <= 80 and WECHAT_HEADER.match(s) and "原创" in s:
        return "header"
    return None


def _mostly_labels(s: str) -> bool:
    """Tell a line of staff credits ('编辑：吴敏  审核：陈刚') from a sentence naming an editor."""
    return s.count("：") + s.count(":") >= 1 and not any(p in s for p in "。！？；")


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
    """Remove share bars, page tools, social-media chrome, prompts, end marks and footer links.

    After a wire's end mark ('完', '(完)') only the trailer follows: its short lines go too.
    """
    ended = False

    def rule(text: str, s: str) -> str | None:
        nonlocal ended
        if ended and len(s) <= 40 and s[-1] not in SENTENCE_END:
            return "trailer"
        if SHARE.match(s) or HASHTAG_LINE.match(s):
            return "share"
        if WECHAT_PROFILE.match(s):
            return "account-profile"
        if PAGE_TOOLS.match(s):
            return "page-tools"
        if END_MARK.match(s):
            ended = True
            return "end-mark"
        if len(s) <= 30 and CONTRIBUTION.search(s):
            return "contribution-prompt"
        if len(s) <= 120 and (FOOTER_LINK.match(s) or LINK_ROW.match(s)):
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
        elif len(s) <= 120 and any(
            rule.match(s)
            for rule in (FOOTER_LINK, LINK_ROW, SHARE, PAGE_TOOLS, DATE_LINE_ONLY, END_MARK)
        ):
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
# '汝州市人民政府市长 赵明远': an office and a name, not a heading.
SPEAKER = re.compile(
    r"^\S{2,24}(?:长|书记|主任|主席|委员|代表|局长|部长|省长|市长|县长|区长)\s+\S{2,4}$"
)
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
        and s[0] not in "—-－(（"
        and not SPEAKER.match(s)
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
    _simplify_ahead(draft.lines)
    try:
        for step in STEPS:
            draft = step(draft)
    finally:
        ruled.cache_clear()
    return draft


def _simplify_ahead(lines: tuple[Line, ...]) -> None:
    """Convert at once every line the rules will ask `ruled` about: OpenCC's phrases found in
    one call for the article, not one a line (~20 a document). The converter remembers the
    lines (`chinese._Converter.convert`), so each rule's `simplified` of one finds it done."""
    texts = (line.text.strip() for line in lines)
    simplified("\n".join(t for t in texts if 0 < len(t) <= RULED_LINE_MAX))


# --- Markdown ------------------------------------------------------------------------

INLINE_SPECIAL = re.compile(r"(?<!\\)([`*_\[\]])")
BLOCK_START = re.compile(r"^(?:#|>|[-+*=|]|\d+[.)])")


def escape_markdown(text: str) -> str:
    """Escape what Markdown would read as markup; text already escaped stays as it is."""
    if any(special in text for special in "`*_[]"):  # INLINE_SPECIAL tries every position
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
