"""`sitegen serve`: incremental builds equal clean ones, safe serving, debouncing, Ctrl-C."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.incremental import BuildFailed, IncrementalSite
from sitegen.serve import Preview

BASE_URL = "http://127.0.0.1:9/"
LISTING = """许昌新闻列表
-
许昌市召开新春团拜会
2024-02-01
许昌市今天召开新春团拜会，市领导出席并讲话。
-
长葛市推进项目建设
2024-02-02 10:30
长葛市重点项目建设稳步推进，一季度开工项目二十个。
-
禹州市举办钧瓷文化节
2024-02-03
禹州市第十届钧瓷文化节开幕。
版权所有 许昌网
"""
DOC = "000_cd93c6f70429d5e1"  # a one-article seed file with no sidecar
DOC_URL = "doc/000-cd93c6f70429d5e1/"


def _shipped(name: str) -> str:
    return (Path(__file__).resolve().parent.parent / "templates" / name).read_text("utf-8")


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def assert_same_as_clean_build(site: IncrementalSite, archive: Path, tmp_path: Path) -> None:
    """The incremental site (search included) is byte for byte a clean build's."""
    if site.search_wanted():
        site.build_search()
    clean = tmp_path / "clean" / "site"
    shutil.rmtree(clean.parent, ignore_errors=True)
    build(load_config(archive, clean, base_url=BASE_URL))
    ours, theirs = tree(site.config.out), tree(clean)
    assert sorted(ours) == sorted(theirs)
    differ = [path for path in theirs if ours[path] != theirs[path]]
    assert not differ, f"differ from a clean build: {differ[:5]}"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return small_archive(tmp_path)


@pytest.fixture
def site(archive: Path, tmp_path: Path) -> IncrementalSite:
    config = load_config(archive, tmp_path / "out" / "site", base_url=BASE_URL)
    incremental = IncrementalSite(config, curated_problems_fail=True, verify=True)
    incremental.update()
    return incremental


def test_incremental_builds_are_byte_identical_to_clean_builds(
    site: IncrementalSite, archive: Path, tmp_path: Path
) -> None:
    assert_same_as_clean_build(site, archive, tmp_path)
    doc = archive / f"{DOC}.txt"
    # A sentence in a body: only that document's pages are rendered again.
    edit(doc, "展望2024年", "展望二〇二四年")
    update = site.update()
    assert not update.replanned and 1 <= update.rendered <= 3
    assert_same_as_clean_build(site, archive, tmp_path)
    # A curator's sidecar moves the document to another source and another date.
    (archive / f"{DOC}.meta.toml").write_text(
        '[document]\npublisher = "许昌日报"\ndate = "2023-12-30"\n', encoding="utf-8"
    )
    assert site.update().replanned
    # A title: the document's pages and the lists that show it.
    edit(archive / "001_b62935e84e39fb72.txt", "\n", "（更新）\n")
    assert not site.update().replanned
    assert_same_as_clean_build(site, archive, tmp_path)
    # Documents added (one file, one listing of three), another removed.
    (archive / "2024").mkdir()
    (archive / "2024" / "新闻.txt").write_text(
        "许昌市举行新年音乐会\n\n2024年1月1日，许昌市在市民中心举行新年音乐会。\n", encoding="utf-8"
    )
    (archive / "2024" / "list.txt").write_text(LISTING, encoding="utf-8")
    (archive / "004_d050f3d09898762a.txt").unlink()
    site.update()
    assert_same_as_clean_build(site, archive, tmp_path)
    templates = archive / "templates"
    templates.mkdir()
    shipped = Path(__file__).resolve().parent.parent / "templates"
    text = (shipped / "original.html").read_text(encoding="utf-8")
    (templates / "original.html").write_text(text.replace("<h1>", '<h1 class="raw">'))
    update = site.update()
    assert not update.replanned
    assert update.rendered == sum(1 for p in site._plan.pages if p.template == "original.html")
    (archive / "static").mkdir()
    (archive / "static" / "extra.css").write_text("body { margin: 0 }\n")
    (archive / "pages" / "help.md").write_text("# 帮助\n\n怎样使用这个档案。\n")
    site.update()
    assert_same_as_clean_build(site, archive, tmp_path)


def test_a_first_build_in_worker_processes_is_the_same(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitegen.incremental

    monkeypatch.setattr(sitegen.incremental, "PREFETCH_FROM", 1)
    monkeypatch.setattr(sitegen.incremental, "RENDER_IN_WORKERS_FROM", 1)
    config = load_config(archive, tmp_path / "out" / "site", base_url=BASE_URL)
    site = IncrementalSite(config, workers=2)
    site.update()
    edit(archive / f"{DOC}.txt", "展望2024年", "展望二〇二四年")
    assert site.update().rendered <= 3
    (archive / "templates").mkdir()
    (archive / "templates" / "document.html").write_text(
        _shipped("document.html").replace("<h1>", '<h1 class="title">'),
        encoding="utf-8",
    )
    assert site.update().rendered == len(site._plan.documents)
    assert_same_as_clean_build(site, archive, tmp_path)


def test_an_unchanged_archive_writes_nothing(site: IncrementalSite) -> None:
    update = site.update()
    assert (update.written, update.removed, update.rendered) == ((), (), 0)
    assert not site.search_wanted()


def test_an_ignored_sidecar_is_warned_about_in_the_builds_words(
    archive: Path, tmp_path: Path
) -> None:
    """Where a sidecar that cannot be used does not fail the update, it is ignored with the
    clean build's warning (`read_sidecar`), and the report is the clean build's."""
    sidecar = archive / f"{DOC}.meta.toml"
    sidecar.write_text('[document]\ntitel = "拼错的键"\n', encoding="utf-8")
    config = load_config(archive, tmp_path / "out" / "site", base_url=BASE_URL)
    site = IncrementalSite(config, curated_problems_fail=False, verify=True)
    update = site.update()
    ignored = [w for w in update.warnings if w.endswith("; the sidecar is ignored")]
    assert len(ignored) == 1 and sidecar.name in ignored[0] and "titel" in ignored[0]
    assert_same_as_clean_build(site, archive, tmp_path)


def test_a_broken_sidecar_or_template_fails_with_file_and_line_and_keeps_the_site(
    site: IncrementalSite, archive: Path
) -> None:
    before = tree(site.config.out)
    sidecar = archive / f"{DOC}.meta.toml"
    sidecar.write_text('[document]\npublisher = "许昌日报"\ntitle = "没有结束的引号\n')
    with pytest.raises(BuildFailed) as failed:
        site.update()
    assert (failed.value.problem.file, failed.value.problem.line) == (sidecar.name, 3)
    sidecar.write_text('[document]\ntitel = "拼错的键"\n')
    with pytest.raises(BuildFailed) as failed:
        site.update()
    assert (failed.value.problem.file, failed.value.problem.line) == (sidecar.name, 2)
    assert "titel" in failed.value.problem.message
    assert tree(site.config.out) == before
    sidecar.unlink()
    (archive / "templates").mkdir()
    (archive / "templates" / "report.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% for x in doc.removed %}\n{% endblock %}\n'
    )
    with pytest.raises(BuildFailed) as failed:
        site.update()
    problem = failed.value.problem
    assert problem.file == "templates/report.html" and problem.line == 4
    assert tree(site.config.out) == before
    (archive / "templates" / "report.html").unlink()
    assert not site.update().changed  # fixed: the same site as before


# --- the server -----------------------------------------------------------------------------


def small_archive(folder: Path) -> Path:
    """A writable copy of the sample archive without its long listing (quicker to build)."""
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    target = folder / "archive"
    shutil.copytree(seeds, target, ignore=shutil.ignore_patterns("003_*"))
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture
def preview(archive: Path, tmp_path: Path) -> Iterator[Preview]:
    """A server on a free port of 127.0.0.1, stopped however the test ends."""
    server = Preview(archive, "127.0.0.1", 0, out=tmp_path / "served" / "site", verify=True)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """One server for the tests that only read the site."""
    folder = tmp_path_factory.mktemp("shared")
    server = Preview(small_archive(folder), "127.0.0.1", 0, out=folder / "served" / "site")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def get(preview: Preview, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_paths_outside_the_site_are_never_served(shared: Preview, tmp_path: Path) -> None:
    preview = shared
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET\n")
    (preview.out / "static" / "leak.txt").symlink_to(secret)
    (preview.out / "leak").symlink_to(tmp_path, target_is_directory=True)
    attempts = [
        # the traversal attempts of a path (.., encoded, doubly encoded) or a link
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%252e%252e/secret.txt",
        "//etc/passwd",
        "/static/leak.txt",
        "/leak/secret.txt",
        "/.sitegen",
        "/static/%00",
    ]
    try:
        for path in attempts:
            status, _, body = get(preview, path)
            assert status in (403, 404), path
            assert b"TOP SECRET" not in body and b"root:" not in body, path
    finally:
        (preview.out / "static" / "leak.txt").unlink()
        (preview.out / "leak").unlink()


def test_no_listings_right_types_and_the_sites_own_404(shared: Preview) -> None:
    preview = shared
    status, headers, body = get(preview, "/static/")
    assert status == 404
    not_found = (preview.out / "404.html").read_bytes()
    assert body.startswith(not_found[:200])  # the site's 404 page, with the reload script
    assert b"/__sitegen__/livereload.js" in body
    status, headers, _ = get(preview, "/doc")
    assert status == 301 and headers["Location"] == "/doc/"
    types = {
        "/": "text/html; charset=utf-8",
        f"/{DOC_URL}": "text/html; charset=utf-8",
        "/search/manifest.json": "application/json",
        "/static/site.js": "text/javascript; charset=utf-8",
        "/feed.xml": "application/xml",
        "/sitemap.xml": "application/xml",
        "/static/style.css": "text/css; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
    }
    for path, kind in types.items():
        status, headers, body = get(preview, path)
        assert (status, headers["Content-Type"]) == (200, kind), path
        assert (b"livereload.js" in body) == kind.startswith("text/html"), path
    status, headers, body = get(preview, "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    disk = (preview.out / "index.html").read_bytes()
    assert b"livereload" not in disk  # the script is added when serving, never on disk


def wait_for(condition, timeout: float = 20.0, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def settle(preview: Preview, quiet: float = 1.0, timeout: float = 30.0) -> int:
    """Wait until no build has started for `quiet` seconds; return the number of builds."""
    deadline = time.monotonic() + timeout
    seen, since = preview.builds, time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if preview.builds != seen:
            seen, since = preview.builds, time.monotonic()
        elif time.monotonic() - since >= quiet and not preview.changes._paths:
            break
    return preview.builds


def test_a_burst_of_saves_is_one_rebuild_and_reloads_pages(preview: Preview, archive: Path) -> None:
    doc = archive / f"{DOC}.txt"
    text = doc.read_text(encoding="utf-8")
    epoch = preview.hub.epoch
    for n in range(100):  # an editor saving a hundred times in a second
        doc.write_text(text + f"\n第{n}次保存。\n", encoding="utf-8")
        time.sleep(0.01)
    builds = settle(preview)
    assert 1 <= builds <= 3
    assert preview.hub.epoch > epoch  # open pages were told to reload
    status, _, body = get(preview, f"/{DOC_URL}")
    assert "第99次保存".encode() in body
    assert wait_for(lambda: not preview.searching and not preview.site.search_wanted())
    clean = preview.out.parent.parent / "clean" / "site"
    build(load_config(archive, clean, base_url=preview.url))
    assert tree(preview.out) == tree(clean)  # the search index too, built in another process
    # An editor's write-to-temporary-then-rename, with its swap and backup files.
    (archive / f".{DOC}.txt.swp").write_text("swap")
    temporary = archive / f"{DOC}.txt.tmp"
    temporary.write_text(text + "\n改名保存。\n", encoding="utf-8")
    (archive / f"{DOC}.txt~").write_text(text)
    os.replace(temporary, doc)
    assert settle(preview) - builds == 1
    assert "改名保存".encode() in get(preview, f"/{DOC_URL}")[2]


def _state(pid: int) -> str:
    """A process's state letter (S sleeping, T stopped, Z ended), or '' when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_save_ends_the_background_search_before_building_and_restarts_it(
    preview: Preview, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save's build gets the processors: the search process is ended (with its
    workers) first, and started again after."""
    assert wait_for(lambda: not preview.searching and not preview.site.search_wanted())
    preview._search_delay = 60  # each search process waits a minute before working
    seen: list[str] = []

    def update(self, changed=None):  # type: ignore[no-untyped-def]
        seen.append(_state(first))
        return real_update(self, changed)

    real_update = IncrementalSite.update
    doc = archive / f"{DOC}.txt"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text + "\n第一次保存。\n", encoding="utf-8")
    assert wait_for(lambda: preview._child is not None and _state(preview._child.pid) == "S")
    first = preview._child.pid
    monkeypatch.setattr(IncrementalSite, "update", update)
    os.utime(doc)  # saved again, unchanged: the documents are the same, the search is not
    assert wait_for(lambda: len(seen) == 1)
    assert seen == [""]  # gone before the build began
    assert wait_for(lambda: preview._child is not None and preview._child.pid != first)
    second = preview._child.pid
    assert wait_for(lambda: _state(second) == "S")  # started again, still wanted
    doc.write_text(text + "\n第二次保存。\n", encoding="utf-8")
    assert wait_for(lambda: _state(second) == "" and len(seen) == 2)
    assert "第二次保存".encode() in get(preview, f"/{DOC_URL}")[2]


def test_a_folder_copied_in_is_one_rebuild(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "one.txt").write_text("许昌新闻\n\n许昌市今天天气晴朗。\n", encoding="utf-8")
    preview = Preview(archive, "127.0.0.1", 0, out=tmp_path / "served" / "site")
    try:
        preview.start()
        _copied_in(preview, tmp_path)
    finally:
        preview.stop()


def _copied_in(preview: Preview, tmp_path: Path) -> None:
    builds: list[bool] = []
    preview.rebuild = lambda config_changed=False, paths=None: builds.append(config_changed)  # type: ignore[method-assign]
    folder = tmp_path / "copy"
    folder.mkdir()
    for n in range(300):
        (folder / f"{n:03d}.txt").write_text(f"标题{n}\n\n正文第{n}篇。\n", encoding="utf-8")
    shutil.copytree(folder, preview.source / "new")
    assert wait_for(lambda: builds, timeout=10)
    time.sleep(1.0)
    assert builds == [False]
    (preview.source / "sitegen.toml").write_text('title = "新的标题"\n', encoding="utf-8")
    assert wait_for(lambda: len(builds) == 2, timeout=10) and builds[1] is True
    preview.out.joinpath("index.html").write_text("written by a build")  # never watched
    (preview.source / "notes.docx").write_bytes(b"not an input")
    time.sleep(1.0)
    assert len(builds) == 2


def test_a_failed_build_keeps_the_last_good_site_and_tells_pages(
    preview: Preview, archive: Path
) -> None:
    good = get(preview, f"/{DOC_URL}")[2]
    sidecar = archive / f"{DOC}.meta.toml"
    sidecar.write_text('[document]\ntitle = "坏\n', encoding="utf-8")
    assert wait_for(lambda: preview.hub.problem is not None)
    assert (preview.hub.problem.file, preview.hub.problem.line) == (sidecar.name, 2)
    assert get(preview, f"/{DOC_URL}")[2] == good
    sidecar.write_text('[document]\ntitle = "好标题"\n', encoding="utf-8")
    assert wait_for(lambda: preview.hub.problem is None)
    assert "好标题".encode() in get(preview, f"/{DOC_URL}")[2]


def test_a_first_build_that_fails_serves_the_problem_until_fixed(
    archive: Path, tmp_path: Path
) -> None:
    sidecar = archive / f"{DOC}.meta.toml"
    sidecar.write_text("[document\n", encoding="utf-8")
    preview = Preview(archive, "127.0.0.1", 0, out=tmp_path / "served" / "site")
    try:
        assert preview.start() is None
        assert preview.hub.problem is not None and preview.hub.problem.file == sidecar.name
        status, _, body = get(preview, "/")
        assert status == 404 and b"could not be built" in body and b"livereload.js" in body
        sidecar.write_text('[document]\ntitle = "好"\n', encoding="utf-8")
        assert wait_for(lambda: preview.hub.problem is None)
        assert get(preview, "/")[0] == 200
    finally:
        preview.stop()


def test_the_event_stream_says_reload_when_the_page_is_stale(shared: Preview) -> None:
    preview = shared
    token = preview.hub.token()
    preview.hub.published(frozenset({"search/"}))
    assert not preview.hub.stale(token, "/doc/x/")
    assert preview.hub.stale(token, "/search/")
    assert preview.hub.stale("another-server.0", "/doc/x/")
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    connection.request("GET", f"/__sitegen__/events?token={token}&path=/search/index.html")
    response = connection.getresponse()
    assert response.getheader("Content-Type").startswith("text/event-stream")
    lines = [response.fp.readline() for _ in range(4)]
    connection.close()
    assert b"event: reload\n" in lines


def test_the_host_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import sitegen.serve
    from sitegen.cli import cli

    monkeypatch.setattr(sitegen.serve, "serve", lambda *args, **kwargs: None)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 0
    assert "warning: listening on 0.0.0.0" in result.output
    result = CliRunner().invoke(cli, ["serve", "--port", "0"])
    assert "warning" not in result.output


def test_ctrl_c_stops_the_server_cleanly(archive: Path, tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", "--source", str(archive), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,  # the build cache goes beside ./site
    )
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = re.search(r"Serving (http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found else None
        assert url is not None, "the server did not start"
        port = int(url.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert "Stopped." in process.stdout.read()
        assert (tmp_path / ".sitegen-cache").is_dir()  # shared with sitegen build
        with pytest.raises(OSError):
            socket_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            socket_connection.request("GET", "/")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
