from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from sitegen.cli import cli

REPO = Path(__file__).resolve().parent.parent


def test_help_explains_every_command_and_option() -> None:
    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    assert "build" in top.output
    build = runner.invoke(cli, ["build", "--help"])
    assert build.exit_code == 0
    for option in ("--source", "--out", "--base-url", "--strict", "--quiet"):
        assert option in build.output


def test_build_with_no_arguments_builds_seeds_into_site(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    # (render) 59 pages: see tests/test_build.py::test_page_count for what they are.
    assert "Read 5 of 5 input files: 12 documents. Wrote 59 pages" in result.output
    assert "Warnings: 0." in result.output
    assert "  003_8f3753a4c6dcbcd8.txt (utf-8): 8 documents\n" in result.output
    report = json.loads((tmp_path / "site" / "build-report.json").read_text("utf-8"))
    assert [i["path"] for i in report["inputs"]] == sorted(
        p.name for p in (REPO / "seeds").glob("*.txt")
    )


def test_missing_source_folder_exits_non_zero_with_a_clear_message(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", "--source", "nowhere"])
    assert result.exit_code == 1
    assert "Error: source folder nowhere does not exist" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


def test_bad_base_url_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["build", "--source", str(REPO / "seeds"), "--out", str(tmp_path / "s"),
              "--base-url", "example.org"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "must start with http:// or https://" in result.output
