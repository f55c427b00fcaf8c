from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.errors import BuildError
from sitegen.writer import SiteWriter


@pytest.mark.parametrize("path", ["/etc/passwd", "//x", "a/../b", "..", "a/..", "", ".", "./"])
def test_a_path_outside_the_site_is_refused(tmp_path: Path, path: str) -> None:
    with SiteWriter(tmp_path / "site") as writer:
        with pytest.raises(BuildError, match="refusing to write outside the site"):
            writer.write(path, "x")


def test_one_file_claimed_twice_under_two_spellings_is_refused(tmp_path: Path) -> None:
    with SiteWriter(tmp_path / "site") as writer:
        writer.write("doc/a//./index.html", "一")
        with pytest.raises(BuildError, match="two pages want the same file: 'doc/a/index.html'"):
            writer.claim("doc/a/index.html")
        writer.claim("doc/b/index.html")
        writer.write_claimed("doc/b/index.html", "二")
        writer.commit()
    assert (tmp_path / "site" / "doc" / "a" / "index.html").read_text(encoding="utf-8") == "一"
    assert (tmp_path / "site" / "doc" / "b" / "index.html").read_text(encoding="utf-8") == "二"
