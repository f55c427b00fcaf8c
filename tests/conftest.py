"""Shared fixtures: a built copy of the sample archive, a local HTTP server, a browser."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive built once for the whole session (read-only for tests)."""
    from sitegen.build import build
    from sitegen.config import load_config

    out = tmp_path_factory.mktemp("seed-site") / "site"
    build(load_config(SEEDS, out))
    return out


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A writable copy of the sample archive."""
    target = tmp_path / "archive"
    shutil.copytree(SEEDS, target)
    return target


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator[object]:
    """Serve folders over HTTP on 127.0.0.1; every server stops at the end of the session."""
    servers: list[http.server.ThreadingHTTPServer] = []
    started: dict[tuple[Path, str], str] = {}

    def start(folder: Path, prefix: str = "") -> str:
        if (folder, prefix) in started:
            return started[folder, prefix]
        root = folder
        if prefix:
            # Serve the site under a sub-path, as GitHub Pages does for project sites.
            root = folder.parent / f"{folder.name}-served"
            if not root.exists():
                (root / prefix).parent.mkdir(parents=True, exist_ok=True)
                os.symlink(folder, root / prefix)
        handler = functools.partial(QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"http://127.0.0.1:{server.server_address[1]}/{prefix + '/' if prefix else ''}"
        started[folder, prefix] = url
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; required under CI, skipped elsewhere if absent."""
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            raise
        pytest.skip("browser tests need Playwright: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        if in_ci:
            pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run must install Debian's chromium")
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh page; fails the test on any uncaught script error."""
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield tab
    context.close()
    assert not errors, f"script errors in the page: {errors}"


BASE_URL = "https://user.github.io/REPO/"
AXE_VERSION = "4.10.2"


@pytest.fixture(scope="session")
def pages_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive built as for GitHub Pages, with --base-url (read-only for tests)."""
    from sitegen.build import build
    from sitegen.config import load_config

    out = tmp_path_factory.mktemp("pages-site") / "site"
    build(load_config(SEEDS, out, base_url=BASE_URL))
    return out


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's browser script, fetched once with `npm pack` and cached in ~/.cache."""
    import subprocess
    import tarfile
    import tempfile

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sitegen-tests"
    target = cache / f"axe-core-{AXE_VERSION}.min.js"
    if not target.is_file():
        in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
        with tempfile.TemporaryDirectory() as temp:
            try:
                subprocess.run(
                    ["npm", "pack", f"axe-core@{AXE_VERSION}", "--silent"],
                    cwd=temp, check=True, capture_output=True, timeout=180,
                )  # fmt: skip
            except (OSError, subprocess.SubprocessError) as error:
                if in_ci:
                    raise
                pytest.skip(f"accessibility tests need axe-core from npm: {error}")
            with tarfile.open(Path(temp) / f"axe-core-{AXE_VERSION}.tgz") as archive:
                member = archive.extractfile("package/axe.min.js")
                assert member is not None
                cache.mkdir(parents=True, exist_ok=True)
                target.write_bytes(member.read())
    return target.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built from a document whose every field carries markup and script."""
    from fixtures.hostile import write_hostile

    from sitegen.build import build
    from sitegen.config import load_config

    root = tmp_path_factory.mktemp("hostile")
    write_hostile(root / "archive")
    out = root / "site"
    assert build(load_config(root / "archive", out)).documents == 2
    return out
