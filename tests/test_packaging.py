"""The package works installed from a wheel (no -e) and run from any folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_templates_static_and_data_and_builds_from_elsewhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
        check=True,
    )
    (wheel,) = wheels.glob("sitegen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (
        "sitegen/templates/base.html",
        "sitegen/static/lunr.js",
        "sitegen/static/lunr.LICENSE",
        "sitegen/static/search.js",
        "sitegen/data/gazetteer.tsv",
        "sitegen/py.typed",
    ):
        assert shipped in names

    target = tmp_path / "installed"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import sitegen, sitegen.cli;"
        "assert sitegen.__file__.startswith(sys.argv[1]), sitegen.__file__;"
        "sys.argv = ['sitegen'] + sys.argv[2:]; sitegen.cli.main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(target), "build", "--source", str(REPO / "seeds"),
         "--out", "out"],
        cwd=elsewhere, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "12 documents" in result.stdout
    assert (elsewhere / "out" / "static" / "lunr.js").is_file()
    assert (elsewhere / "out" / "doc" / "004-d050f3d09898762a" / "index.html").is_file()
