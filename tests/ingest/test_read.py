from __future__ import annotations

import codecs
from pathlib import Path, PurePosixPath

import pytest

from sitegen.ingest.read import (
    UnreadableFile,
    decode,
    find_sources,
    outside_links,
    read_source,
)

SIMPLIFIED = "许昌市委八届六次全会暨市委经济工作会议召开，会议指出：要坚定信心、开好局、起好步。\n"
TRADITIONAL = "許昌市委八屆六次全會暨市委經濟工作會議召開，會議指出：要堅定信心、開好局、起好步。\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8"),
        (SIMPLIFIED.encode("gb18030"), "gb18030"),
        (SIMPLIFIED.encode("gbk"), "gb18030"),
        (codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
        (SIMPLIFIED.encode("utf-16-le"), "utf-16-le"),
        (SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_simplified_text_decodes_in_every_encoding(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.text == SIMPLIFIED
    assert decoded.encoding == encoding


@pytest.mark.parametrize("encoding", ["big5", "utf-8", "utf-16", "gb18030"])
def test_traditional_text_decodes(encoding: str) -> None:
    decoded = decode(TRADITIONAL.encode(encoding))
    assert decoded.text == TRADITIONAL


def test_big5_is_told_from_gb18030() -> None:
    assert decode(TRADITIONAL.encode("big5")).encoding == "big5"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_newlines_are_normalised(newline: str) -> None:
    text = "第一行" + newline + "第二行" + newline
    assert decode(text.encode("gb18030")).text == "第一行\n第二行\n"


def test_binary_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
    with pytest.raises(UnreadableFile, match="binary"):
        decode(png)


def test_a_few_broken_bytes_keep_the_text() -> None:
    data = SIMPLIFIED.encode("utf-8") * 20 + b"\xff\xfe\xfa" + SIMPLIFIED.encode("utf-8")
    decoded = decode(data)
    assert decoded.encoding == "utf-8"
    assert decoded.replaced == 3
    assert decoded.text.count("许昌市委") == 21


def test_sources_are_found_in_sorted_order_and_others_ignored(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("乙", encoding="utf-8")
    (tmp_path / "a.md").write_text("甲", encoding="utf-8")
    (tmp_path / "c.TXT").write_text("丙", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "a.meta.toml").write_text("", encoding="utf-8")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "about.md").write_text("关于", encoding="utf-8")
    found = [str(rel) for _, rel in find_sources(tmp_path)]
    assert found == ["a.md", "c.TXT", "b/2.txt"]


def test_sources_are_walked_as_os_walk_goes_and_links_stay_inside(tmp_path: Path) -> None:
    root, outside = tmp_path / "archive", tmp_path / "outside"
    for folder in ("z/deep", "a", ".git", "static", "sub/static"):
        (root / folder).mkdir(parents=True)
    outside.mkdir()
    for name in ("z/deep/4.txt", "z/3.txt", "a/2.md", "1.txt", "b.txt", ".git/x.txt",
                 "static/s.txt", "sub/static/5.txt", "a/.hidden.txt"):  # fmt: skip
        (root / name).write_text("正文", encoding="utf-8")
    (outside / "secret.txt").write_text("机密", encoding="utf-8")
    (root / "a" / "inside-link.txt").symlink_to(root / "1.txt")
    (root / "a" / "out-link.txt").symlink_to(outside / "secret.txt")
    (root / "a" / "broken-link.txt").symlink_to(root / "gone.txt")  # read, and found unreadable
    (root / "linked-folder").symlink_to(root / "z", target_is_directory=True)
    (root / "out-folder").symlink_to(outside, target_is_directory=True)
    (root / ".git" / "out.txt").symlink_to(outside / "secret.txt")
    found = [str(relative) for _, relative in find_sources(root)]
    # A folder's files first, then its folders, each in order; no hidden or reserved folder
    # at the top; a link to a file inside is read, a linked folder is never entered.
    assert found == ["1.txt", "b.txt", "a/2.md", "a/broken-link.txt", "a/inside-link.txt",
                     "sub/static/5.txt", "z/3.txt", "z/deep/4.txt"]  # fmt: skip
    assert [path for path, _ in find_sources(root)][0] == root.resolve() / "1.txt"
    assert [str(link) for link in outside_links(root)] == [
        "out-folder",
        ".git/out.txt",
        "a/out-link.txt",
    ]


def test_read_source_keeps_path_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "新闻.txt"
    path.write_bytes(TRADITIONAL.encode("big5"))
    source, replaced = read_source(path, PurePosixPath("新闻.txt"))
    assert replaced == 0
    assert (source.path, source.encoding, source.text) == (
        PurePosixPath("新闻.txt"),
        "big5",
        TRADITIONAL,
    )
