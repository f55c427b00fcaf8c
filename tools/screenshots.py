"""Take the README's screenshots: home, a city and a document, on a desktop and a 390px phone.

    python tools/screenshots.py            # writes docs/screenshots/*.png

Builds the sample archive (seeds/) into a temporary folder, serves it on 127.0.0.1 under
/REPO/ as GitHub Pages would, and drives Debian's Chromium (/usr/bin/chromium) through
Playwright; Han text needs the fonts-noto-cjk package. Screenshots are of the first screen
only, not the whole page, to keep the PNGs small.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = {
    "home": "",
    "city": "city/xuchang/",
    "document": "doc/000-cd93c6f70429d5e1/",
}
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 860},
    "phone": {"width": 390, "height": 844},
}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def main() -> int:
    sys.path.insert(0, str(REPO))
    from playwright.sync_api import sync_playwright

    from sitegen.build import build
    from sitegen.config import load_config

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        served = Path(temp) / "served"
        served.mkdir()
        build(load_config(REPO / "seeds", served / "REPO"))
        handler = functools.partial(Quiet, directory=str(served))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/REPO/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for device, viewport in VIEWPORTS.items():
                    context = browser.new_context(
                        viewport=viewport, device_scale_factor=1, color_scheme="light"
                    )
                    page = context.new_page()
                    for name, path in PAGES.items():
                        page.goto(base + path)
                        page.wait_for_load_state("networkidle")
                        target = OUT / f"{name}-{device}.png"
                        page.screenshot(path=str(target))
                        print(f"{target.relative_to(REPO)}: {os.path.getsize(target):,} bytes")
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
