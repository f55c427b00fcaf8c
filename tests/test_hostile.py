"""Hostile and broken inputs: nothing crashes, nothing is lost, nothing gets in (issue 8)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fixtures.bad_inputs import BIG, OUTCOMES, make_bad_archive

from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError


def tree_digest(root: Path) -> dict[str, str]:
    """Map every file below `root` to the hash of its bytes (links are not followed)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def h1(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    return re.sub(r"<[^>]+>", "", html.split("<h1", 1)[1].split(">", 1)[1].split("</h1>")[0])


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The bad archive, built once; the source's bytes recorded before the build."""
    root = tmp_path_factory.mktemp("bad")
    archive, outside = root / "archive", root / "outside"
    make_bad_archive(archive, outside)
    before = tree_digest(archive)
    out = root / "site"
    report = build(load_config(archive, out))
    return {"archive": archive, "out": out, "report": report, "before": before, "root": root}


def test_every_input_has_its_defined_outcome(bad: dict[str, object]) -> None:
    report = bad["report"]
    out = bad["out"]
    fates = {i.path: i for i in report.inputs}
    assert sorted(fates) == sorted([*OUTCOMES, BIG])
    for path, (status, detail) in OUTCOMES.items():
        fate = fates[path]
        assert fate.status == status, path
        if status == "skipped":
            assert fate.problem == detail, path
            assert any(w.startswith(path + ":") for w in report.warnings), path
        else:
            assert h1(out / "doc" / fate.documents[0] / "index.html") == detail, path
    assert fates[BIG].status == "read" and len(fates[BIG].documents) == 1
    data = json.loads((out / "build-report.json").read_text(encoding="utf-8"))
    assert sorted(i["path"] for i in data["inputs"]) == sorted(fates)


def test_encodings_and_line_ends_give_the_same_text(bad: dict[str, object]) -> None:
    fates = {i.path: i for i in bad["report"].inputs}
    assert {p: fates[p].encoding for p in ("gb18030.txt", "big5.txt", "utf16le.txt")} == {
        "gb18030.txt": "gb18030",
        "big5.txt": "big5",
        "utf16le.txt": "utf-16-le",
    }
    bodies = set()
    for name in ("big5.txt", "utf16le-bom.txt", "utf16be-bom.txt", "utf16le.txt", "utf16be.txt",
                 "crlf.txt", "cr.txt"):  # fmt: skip
        page = bad["out"] / "doc" / fates[name].documents[0] / "index.html"
        bodies.add(page.read_text("utf-8").split('<div class="body"')[1].split("</div>")[0])
    assert len(bodies) == 1


def test_broken_bytes_are_counted_not_hidden(bad: dict[str, object]) -> None:
    assert any(
        w.startswith("broken-utf8.txt: 4 byte(s) are not valid utf-8")
        for w in bad["report"].warnings
    )
    page = bad["out"] / "doc" / "broken-utf8" / "index.html"
    assert "□" in page.read_text("utf-8")


def test_a_link_out_of_the_archive_is_never_followed(bad: dict[str, object]) -> None:
    for path in bad["out"].rglob("*"):
        if path.is_file():
            assert b"SECRET-OUTSIDE" not in path.read_bytes(), path


def test_slugs_never_collide(bad: dict[str, object]) -> None:
    fates = {i.path: i for i in bad["report"].inputs}
    assert fates["same slug.txt"].documents == ("same-slug",)
    assert fates["same-slug.txt"].documents == ("same-slug-2",)
    assert "same-slug.txt: slug 'same-slug' is taken; this document is same-slug-2" in (
        bad["report"].warnings
    )
    slugs = [s for i in bad["report"].inputs for s in i.documents]
    assert len(slugs) == len(set(slugs))


def test_odd_file_names_are_just_names(bad: dict[str, object]) -> None:
    fates = {i.path: i for i in bad["report"].inputs}
    from fixtures.bad_inputs import SHELL_NAME

    (slug,) = fates[SHELL_NAME].documents
    assert re.fullmatch(r"[a-z0-9-]+", slug)
    assert not list(bad["root"].rglob("pwned")) and not Path("pwned").exists()


def test_sidecar_problems_are_warnings_that_name_the_file(bad: dict[str, object]) -> None:
    warnings = bad["report"].warnings
    assert any(w.startswith("crlf.meta.toml: not valid TOML") for w in warnings)
    assert "listing.meta.toml: [[article]] index = 3 names no article (the file holds 2)" in (
        warnings
    )


def test_the_source_folder_is_never_written(bad: dict[str, object]) -> None:
    assert tree_digest(bad["archive"]) == bad["before"]
    assert not [p for p in bad["archive"].rglob("*") if ".sitegen" in p.name]


def test_strict_turns_warnings_into_a_failure_and_keeps_the_site(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    make_bad_archive(archive, tmp_path / "outside", big=False)
    out = tmp_path / "site"
    build(load_config(archive, out))
    before = tree_digest(out)
    with pytest.raises(BuildError, match="--strict"):
        build(load_config(archive, out, strict=True))
    assert tree_digest(out) == before
    cli = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--strict", "-q", "--source",
         str(archive), "--out", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert cli.returncode == 1
    assert "--strict" in cli.stderr and "Traceback" not in cli.stderr


BULK = 300


def test_a_build_killed_half_way_leaves_the_previous_site(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(load_config(archive, out))
    before = tree_digest(out)
    # Enough pages that the build is still writing when it is killed.
    page = ("许昌经济在顶住压力中走出一条回升向好的复苏曲线。" * 10 + "\n") * 10
    for n in range(BULK):
        (archive / f"bulk-{n:03d}.txt").write_text(f"第{n}篇\n" + page, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "build", "-q", "--source", str(archive),
         "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob(".sitegen-tmp-*")):
        time.sleep(0.02)
    assert list(tmp_path.glob(".sitegen-tmp-*")), "the build never started writing"
    time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert tree_digest(out) == before
    # The next build clears what the killed one left and succeeds.
    report = build(load_config(archive, out))
    assert report.documents == 12 + BULK
    assert not list(tmp_path.glob(".sitegen-tmp-*"))


def test_builds_are_byte_identical_across_folders_and_times(archive: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "另一个档案"
    shutil.copytree(archive, elsewhere)
    os.utime(elsewhere / "000_cd93c6f70429d5e1.txt", (1_000_000_000, 1_000_000_000))
    first = build(load_config(archive, tmp_path / "one" / "site"))
    time.sleep(1.1)
    second = build(load_config(elsewhere, tmp_path / "two" / "public"))
    assert first.documents == second.documents
    assert tree_digest(tmp_path / "one" / "site") == tree_digest(tmp_path / "two" / "public")


def test_a_rebuild_links_what_did_not_change_and_writes_what_did(
    archive: Path, tmp_path: Path
) -> None:
    """Files the last site holds byte for byte are hard-linked into the new one (deleting
    the old site then frees only what changed); the site is still a clean build's."""
    out = tmp_path / "site"
    build(load_config(archive, out))
    kept = tmp_path / "kept"  # a second name for every file, to know its inode after
    for path in out.rglob("*"):
        if path.is_file():
            (kept / path.relative_to(out)).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, kept / path.relative_to(out))
    source = archive / "000_cd93c6f70429d5e1.txt"
    source.write_text(source.read_text("utf-8") + "\n许昌新增一段文字。\n", encoding="utf-8")
    build(load_config(archive, out))

    linked, written = [], []
    for path in out.rglob("*"):
        if path.is_file() and (kept / path.relative_to(out)).exists():
            same = path.stat().st_ino == (kept / path.relative_to(out)).stat().st_ino
            (linked if same else written).append(path.relative_to(out).as_posix())
            if same:  # linked only when the bytes are the same
                assert path.read_bytes() == (kept / path.relative_to(out)).read_bytes()
    assert len(linked) > len(written) > 0
    originals = [p for p in linked + written if p.endswith("/original/index.html")]
    assert len(originals) == 12
    assert len([p for p in originals if p in written]) == 1  # the edited document's only
    fresh = tmp_path / "fresh"
    build(load_config(archive, fresh), cache=False)
    assert tree_digest(out) == tree_digest(fresh)
