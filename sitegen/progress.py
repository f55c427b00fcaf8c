"""How long a build takes, stage by stage, and what the command line shows while it runs.

`Timings` adds up the seconds each stage of a build spends, in the building process and in
its workers (a worker sends its own `Timings` back with each result). `ProgressBar` and
`ProgressLines` are what `sitegen build` passes to `build()` as its `progress`: a bar with
counts and an ETA on a terminal, plain lines otherwise; both stay silent for builds that
finish within `QUIET_FOR` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Progress = Callable[[str, int, int], None]  # stage, done, total

# The stages of a build, in order; a report lists them in this order.
STAGES = ("ingest", "clean", "metadata", "render", "index", "write")
QUIET_FOR = 1.5  # seconds: a build that is done sooner shows no progress at all
LINE_EVERY = 10.0  # seconds between two plain lines about the same stage


class Timings:
    """Seconds spent per stage, added up over every process of a build."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def merge(self, other: dict[str, float]) -> None:
        for stage, seconds in other.items():
            self.add(stage, seconds)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def take(self) -> dict[str, float]:
        """Return the seconds counted so far and start again from zero."""
        seconds, self.seconds = self.seconds, {}
        return seconds


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressLines:
    """Plain progress lines, for a log or a pipe: a stage's count now and then, and its end."""

    def __init__(self, stream: TextIO, quiet_for: float = QUIET_FOR) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.quiet_for = quiet_for
        self.last: dict[str, float] = {}  # stage -> when it was last printed

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.quiet_for:
            return
        first = stage not in self.last
        if done < total and not first and now - self.last[stage] < LINE_EVERY:
            return
        self.last[stage] = now
        self.stream.write(f"{stage}: {done:,}/{total:,}\n")
        self.stream.flush()

    def close(self) -> None:
        pass


class ProgressBar:
    """One line redrawn in place: the stage, a bar, the count and the time left."""

    WIDTH = 24

    def __init__(self, stream: TextIO, quiet_for: float = QUIET_FOR) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.quiet_for = quiet_for
        self.stage = ""
        self.stage_started = self.started
        self.drawn = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.stage_started = stage, now
        if now - self.started < self.quiet_for or (now - self.drawn < 0.1 and done < total):
            return
        self.drawn = now
        share = done / total if total else 1.0
        filled = int(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        elapsed = now - self.stage_started
        eta = _clock(elapsed / share - elapsed) if 0 < share < 1 else "-:--"
        line = f"{stage:<8} [{bar}] {done:,}/{total:,} {share:4.0%}  ETA {eta}"
        self.stream.write("\r" + line + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the bar, so what is printed next starts on a clean line."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
