"""The build cache: cleaned documents reused exactly, unchanged sites left alone (issue 7)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sitegen.build
from sitegen.build import build
from sitegen.cache import CACHE_DIR, cache_dir
from sitegen.config import load_config
from sitegen.errors import BuildError

REPO = Path(__file__).resolve().parent.parent


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def digest(root: Path) -> dict[str, str]:
    return {path: hashlib.sha256(data).hexdigest() for path, data in tree(root).items()}


def no_cleaning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any cleaning fail: what the build needs must come from the cache."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a document was cleaned again")

    monkeypatch.setattr(sitegen.build, "describe", fail)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seeds built without any cache."""
    out = tmp_path_factory.mktemp("reference") / "site"
    build(load_config(REPO / "seeds", out), workers=1, cache=False)
    return tree(out)


def test_documents_from_another_process_give_the_same_site(
    reference: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (
        "import sys; from pathlib import Path; from sitegen.build import build; "
        "from sitegen.config import load_config; "
        "build(load_config(Path(sys.argv[1]), Path(sys.argv[2])), workers=2)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # not this process's string hashing
    subprocess.run(
        [sys.executable, "-c", code, str(REPO / "seeds"), str(tmp_path / "first")],
        check=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert (tmp_path / CACHE_DIR).is_dir()
    no_cleaning(monkeypatch)
    build(load_config(REPO / "seeds", tmp_path / "second"), workers=1)
    assert tree(tmp_path / "first") == reference
    assert tree(tmp_path / "second") == reference


def test_a_sidecar_edit_needs_no_cleaning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(REPO / "seeds", archive)
    build(load_config(archive, tmp_path / "site"), workers=1)
    sidecar = archive / "002_0601481f48312a86.meta.toml"
    sidecar.write_text('[document]\ntitle = "人工核定的标题"\n', encoding="utf-8")
    no_cleaning(monkeypatch)
    report = build(load_config(archive, tmp_path / "site"), workers=1)
    assert not report.up_to_date
    page = tmp_path / "site" / "doc" / "002-0601481f48312a86" / "index.html"
    assert "人工核定的标题" in page.read_text(encoding="utf-8")


def test_unchanged_inputs_leave_the_site_alone(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(REPO / "seeds", archive)
    out = tmp_path / "site"
    first = build(load_config(archive, out), workers=1)
    index = out / "index.html"
    written = index.stat().st_mtime_ns
    again = build(load_config(archive, out), workers=1)
    assert again.up_to_date and not first.up_to_date
    assert (again.inputs, again.documents, again.pages, again.warnings) == (
        first.inputs, first.documents, first.pages, first.warnings,
    )  # fmt: skip
    assert index.stat().st_mtime_ns == written
    # A site changed by hand is built again, and so is one whose inputs changed.
    index.write_text("changed by hand", encoding="utf-8")
    assert not build(load_config(archive, out), workers=1).up_to_date
    assert index.read_text(encoding="utf-8") != "changed by hand"
    assert build(load_config(archive, out), workers=1).up_to_date
    (archive / "pages" / "about.md").write_text("# 关于本站\n\n新的说明。\n", encoding="utf-8")
    assert not build(load_config(archive, out), workers=1).up_to_date
    assert "新的说明" in (out / "page" / "about" / "index.html").read_text(encoding="utf-8")


def test_strict_fails_on_the_warnings_of_an_unchanged_site(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(REPO / "seeds", archive)
    (archive / "empty.txt").write_text("", encoding="utf-8")
    out = tmp_path / "site"
    build(load_config(archive, out), workers=1)
    with pytest.raises(BuildError, match="--strict"):
        build(load_config(archive, out, strict=True), workers=1)
    assert (out / "index.html").is_file()


def test_the_archive_is_never_written(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(REPO / "seeds", archive)
    before = digest(archive)
    build(load_config(archive, tmp_path / "site"), workers=2)
    assert cache_dir(tmp_path / "site") == tmp_path / CACHE_DIR
    assert (tmp_path / CACHE_DIR).is_dir()
    assert digest(archive) == before
    # A site inside the archive is the user's choice; the cache then stays out of it.
    build(load_config(archive, archive / "site"), workers=1)
    assert not (archive / CACHE_DIR).exists()


def test_a_new_cache_has_large_pages_and_an_old_one_still_works(tmp_path: Path) -> None:
    """Entries of tens of KB are stored in 64 KB pages (half the time of 4 KB chains); a
    cache made with SQLite's default pages is used as it is."""
    import sqlite3

    from sitegen.cache import DATABASE, Cache

    new, old = tmp_path / "new", tmp_path / "old"
    old.mkdir()
    sqlite3.connect(old / DATABASE).execute("PRAGMA user_version = 1").connection.close()
    for folder, page_size in ((new, 65536), (old, 4096)):
        with Cache(folder) as cache:
            assert cache.store({"entry": b"x" * 70_000})
        with Cache(folder) as cache:
            assert cache.get_many(["entry"]) == {"entry": b"x" * 70_000}
        database = sqlite3.connect(folder / DATABASE)
        assert database.execute("PRAGMA page_size").fetchone() == (page_size,)
        database.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_site_digest_recorded_is_the_one_a_walk_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    from sitegen.cache import Cache, files_digest

    monkeypatch.setattr(sitegen.build, "RENDER_CHUNK", 2)  # many tasks: forked workers write
    archive = tmp_path / "archive"
    shutil.copytree(REPO / "seeds", archive)
    out = tmp_path / "site"
    unchanged = out / "static" / "style.css"
    for edit in ("", "又及。"):  # a first build, then one linking the unchanged files
        if edit:
            page = next(archive.glob("00*.txt"))
            page.write_text(page.read_text(encoding="utf-8") + edit, encoding="utf-8")
            inode = unchanged.stat().st_ino
        build(load_config(archive, out), workers=workers)
        if edit:
            assert unchanged.stat().st_ino == inode  # linked, not written again
        with Cache(cache_dir(out)) as store:
            recorded = store.site(out)
        assert recorded is not None
        assert recorded[1] == files_digest(out)
    assert build(load_config(archive, out), workers=workers).up_to_date
