"""The site is the same bytes whatever the number of worker processes (issue 7)."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import load_config

REPO = Path(__file__).resolve().parent.parent


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_same_tree(one: Path, two: Path) -> None:
    first, second = tree(one), tree(two)
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert not different, f"files differ: {different[:5]}"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds three times over (their pages/ are documents below the top), a sidecar that
    names a missing article, an empty file and a file that is not text."""
    root = tmp_path_factory.mktemp("workers") / "archive"
    for copy in ("a", "b", "c"):
        shutil.copytree(REPO / "seeds", root / copy)
    (root / "b" / "empty.txt").write_text("", encoding="utf-8")
    (root / "c" / "binary.txt").write_bytes(b"\x00\x01PNG\x00" * 50)
    (root / "a" / "003_8f3753a4c6dcbcd8.meta.toml").write_text(
        '[[article]]\nindex = 2\ntitle = "人工核定的标题"\n[[article]]\nindex = 99\n',
        encoding="utf-8",
    )
    return root


def test_one_and_two_workers_give_the_same_site(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitegen.build
    import sitegen.render.pages
    import sitegen.search.index

    # Small enough pieces that every parallel stage really runs in two processes.
    monkeypatch.setattr(sitegen.build, "RENDER_CHUNK", 7)
    one = build(load_config(archive, tmp_path / "one"), workers=1, cache=False)
    # ... and the search index's parts in their own processes, which write their shards
    # into a spill folder for the build to move in (one process does it all below 2 M
    # characters).
    monkeypatch.setattr(sitegen.search.index, "PARALLEL_FROM", 0)
    # ... and, as if related documents took long to score, this process renders five
    # pieces of the pages that show none before the workers render the rest.
    asked = []
    monkeypatch.setattr(
        sitegen.build._RelatedLater, "scoring", lambda self: asked.append(1) or len(asked) <= 5
    )
    rendered = []
    render_pages = sitegen.build._render_pages
    monkeypatch.setattr(
        sitegen.build,
        "_render_pages",
        lambda env, pages, *rest: rendered.extend(pages) or render_pages(env, pages, *rest),
    )
    # Related documents are scored once, in a process started before the plan makes the
    # city pages, with what the plan asks with (else they are scored again).
    events: list[object] = []
    fork_pool, city_pages = sitegen.build._fork_pool, sitegen.render.pages.city_pages
    monkeypatch.setattr(
        sitegen.render.pages, "city_pages", lambda *a: events.append("plan") or city_pages(*a)
    )
    # ... and the build's objects are out of the collector's reach when it forks, back in it
    # for the search index (which lets go of most of them), and after the build.
    frozen: list[bool] = []
    search_files_of = sitegen.build.search_files_of
    monkeypatch.setattr(
        sitegen.build,
        "search_files_of",
        lambda *a, **k: frozen.append(gc.get_freeze_count() > 0) or search_files_of(*a, **k),
    )
    monkeypatch.setattr(
        sitegen.build,
        "_fork_pool",
        lambda n: events.append(n) or frozen.append(gc.get_freeze_count() > 0) or fork_pool(n),
    )
    two = build(load_config(archive, tmp_path / "two"), workers=2, cache=False)
    assert events == [2, 1, "plan", 2]  # cleaning, related documents, the plan, rendering
    assert frozen == [True, True, True, False]
    assert gc.get_freeze_count() == 0 and sitegen.build._frozen_depth == 0
    assert len(rendered) == 5 * 7 and all(p.template != "document.html" for p in rendered)
    assert one.documents == two.documents > 36
    assert one.warnings == two.warnings
    assert_same_tree(tmp_path / "one", tmp_path / "two")
    assert len(list((tmp_path / "two" / "search" / "idx").iterdir())) > 1
    assert not list(tmp_path.glob("*/.sitegen-spill")), "the spill folder is left in the site"


def _square(n: int) -> int:
    return n * n


def test_work_beside_the_workers_is_done_before_the_results_end() -> None:
    # `meanwhile` runs in a thread while forked workers work, and is over once the results
    # are all taken: the build forks again later, which must not happen beside a thread.
    import threading
    import time

    from sitegen.build import _run

    done = []

    def meanwhile() -> None:
        time.sleep(0.3)
        done.append(threading.current_thread().name)

    results = list(_run(_square, list(range(20)), 2, meanwhile=meanwhile))
    assert results == [n * n for n in range(20)]
    assert done == ["sitegen-meanwhile"]
    assert all(t.name != "sitegen-meanwhile" for t in threading.enumerate())


def test_a_build_that_fails_after_related_documents_start_leaves_no_process(
    archive: Path, tmp_path: Path
) -> None:
    """--strict fails the build on the archive's warnings once the plan is made, while
    related documents are being scored in their own process: that process is stopped."""
    import multiprocessing

    from sitegen.errors import BuildError

    with pytest.raises(BuildError):
        build(load_config(archive, tmp_path / "site", strict=True), workers=2, cache=False)
    assert not multiprocessing.active_children()
    assert gc.get_freeze_count() == 0  # the build's freeze ended with it
    assert not (tmp_path / "site").exists()
