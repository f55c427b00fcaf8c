"""`sitegen serve` in a real browser: an edit shows by itself; a broken sidecar, an overlay."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"
DOC = "000_cd93c6f70429d5e1"
DOC_URL = "doc/000-cd93c6f70429d5e1/"
WAIT = 20_000  # ms: a rebuild of the sample archive takes well under a second


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(SEEDS, target, ignore=shutil.ignore_patterns("003_*"))
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


class Server:
    """`sitegen serve` on 127.0.0.1; stopped (Ctrl-C, then kill) however the test ends."""

    def __init__(self, archive: Path, port: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sitegen", "serve", "--source", str(archive),
             "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=archive.parent,  # the build cache goes beside ./site, not in the repository
        )  # fmt: skip
        self.lines: list[str] = []
        self._serving = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._serving.wait(60):
            self.stop()
            pytest.fail("sitegen serve did not start:\n" + "".join(self.lines))
        found = re.search(r"Serving (\S+)", "".join(self.lines))
        assert found is not None
        self.url = found.group(1)
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if "Serving http://127.0.0.1:" in line:
                self._serving.set()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def servers(archive: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        started.append(Server(archive))
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def server(servers: list[Server]) -> str:
    return servers[0].url


def test_an_edit_shows_without_touching_the_page_and_a_broken_sidecar_shows_an_overlay(
    page, server: str, archive: Path
) -> None:
    page.set_default_timeout(WAIT)
    page.goto(server + DOC_URL)
    body = page.locator("article .body")
    assert "实时预览的新句子" not in body.inner_text()
    page.evaluate("window.scrollTo(0, 400)")
    page.evaluate("window.notReloaded = true")

    seed = archive / f"{DOC}.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n实时预览的新句子。\n", encoding="utf-8")
    page.wait_for_function("() => !window.notReloaded")  # the page reloaded by itself
    page.wait_for_function(
        "() => document.querySelector('article .body').innerText.includes('实时预览的新句子')"
    )
    page.wait_for_function("() => Math.abs(window.scrollY - 400) < 5")  # same place

    sidecar = archive / f"{DOC}.meta.toml"
    sidecar.write_text('[document]\ntitle = "没有结束的引号\n', encoding="utf-8")
    overlay = page.locator("#sitegen-error")
    overlay.wait_for(state="visible")
    assert overlay.locator(".sitegen-error-where").inner_text() == f"{sidecar.name}:2"
    assert "not valid TOML" in overlay.inner_text()
    assert "实时预览的新句子" in body.inner_text()  # the last good site is still shown

    sidecar.write_text('[document]\ntitle = "人工核定的标题"\n', encoding="utf-8")
    page.wait_for_function("() => document.querySelector('h1').innerText === '人工核定的标题'")
    overlay.wait_for(state="detached")
    assert page.locator("#sitegen-error").count() == 0


def test_an_open_page_reconnects_to_a_restarted_server_and_reloads(
    page, servers: list[Server], archive: Path
) -> None:
    page.set_default_timeout(WAIT)
    first = servers[0]
    page.goto(first.url + DOC_URL)
    page.evaluate("window.notReloaded = true")
    first.stop()
    servers.append(Server(archive, first.port))  # the same address, a new server
    page.wait_for_function("() => !window.notReloaded")
    assert page.locator("h1").count() == 1
