"""Progress on the command line: a bar on a terminal, plain lines elsewhere (issue 7)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from sitegen.cli import cli
from sitegen.progress import ProgressBar, ProgressLines, Timings

REPO = Path(__file__).resolve().parent.parent


def test_plain_lines_name_the_stage_and_the_count() -> None:
    stream = io.StringIO()
    lines = ProgressLines(stream, quiet_for=0)
    for n in range(1, 1001):
        lines("clean", n, 1000)
    lines("render", 5, 10)
    printed = stream.getvalue().splitlines()
    assert printed[0] == "clean: 1/1,000"
    assert printed[-2:] == ["clean: 1,000/1,000", "render: 5/10"]
    assert len(printed) < 10  # not a line per file


def test_nothing_is_shown_for_a_short_build() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream)  # shows only after QUIET_FOR seconds
    bar("clean", 1, 2)
    bar.close()
    assert stream.getvalue() == ""


def test_the_bar_has_counts_and_time_left_and_is_cleared() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, quiet_for=0)
    bar("render", 250, 1000)
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\rrender ") and "250/1,000" in text and "25%" in text
    assert "ETA " in text and text.endswith("\r\x1b[K")


def test_timings_add_up_over_processes() -> None:
    timings = Timings()
    timings.add("render", 1.5)
    timings.merge({"render": 2.0, "write": 0.5})
    assert timings.take() == {"render": 3.5, "write": 0.5}
    assert timings.seconds == {}


def test_build_takes_workers_and_says_when_nothing_changed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    first = CliRunner().invoke(cli, ["build", "--workers", "2", "--verbose"])
    assert first.exit_code == 0, first.output
    pages = re.search(r"Wrote (\d+) pages to", first.output)
    assert pages, first.output
    assert "Seconds: ingest" in first.output
    again = CliRunner().invoke(cli, ["build", "-j", "1"])
    assert again.exit_code == 0, again.output
    assert f"is up to date ({pages.group(1)} pages): nothing to write" in again.output
    assert (tmp_path / ".sitegen-cache").is_dir() and not (
        tmp_path / "seeds" / ".sitegen-cache"
    ).exists()
    bad = CliRunner().invoke(cli, ["build", "--workers", "0"])
    assert bad.exit_code == 2 and "--workers" in bad.output
