"""How long `sitegen build` takes and how much memory it needs, for generated archives.

For each size (1,000 and 10,000 documents from benchmarks/corpus.py), each run does:

- cold: no site, no cache (`.sitegen-cache/` removed): everything is cleaned and written;
- warm: the same build again, nothing changed: the site is found up to date;
- one edit (after all the cold and warm builds): one document changed: the others come
  from the cache, the site is rebuilt.

Before each cold build the page cache is written out (`sync`) and the machine rests for
`--rest` seconds (60), so that no build pays for writing out the one before (`settle`).
Each build runs in its own process; its peak memory is the sum of the resident set sizes
(RSS) of it and all its worker processes, sampled every 0.1 s (PSS, which counts memory
shared by forked workers once, every 0.5 s beside it). Figures are medians over the runs. Then one
cold build with one worker gives the scaling, and its site is compared byte for byte with
the two-worker site. Results go to stdout and, with --write, into the `## Build` section
of docs/benchmarks.md (the other sections are left as they are).

    python benchmarks/build_bench.py --sizes 1000 10000 --runs 3 --write

Needs the `bench` extra (jieba, for the corpus): pip install -e ".[bench]".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

STAGES = ("ingest", "clean", "metadata", "render", "index", "write")
RUNNER = """
import json, sys, time
from pathlib import Path
from sitegen.build import build
from sitegen.config import load_config
report = build(load_config(Path(sys.argv[1]), Path(sys.argv[2])), workers=int(sys.argv[3]))
print(json.dumps({"timings": report.timings, "documents": report.documents,
                  "pages": report.pages, "up_to_date": report.up_to_date}))
"""
# The machine's speed right before a cold build: this project's machines are shared and
# their speed moves by a third within an hour, more than most changes to the build.
REFERENCE = """
import sys
from pathlib import Path
from build_bench import cleaning_seconds
files = int(sys.argv[2])
print(cleaning_seconds(Path(sys.argv[1]), files, warm_up=20) / files * 1000)
"""
DOCS = REPO / "docs" / "benchmarks.md"
COMMAND = "python benchmarks/build_bench.py --sizes 1000 10000 --runs 3 --write"
# Or a size at a time (results are kept in --work), then the table of both:
COMMANDS = (
    "python benchmarks/build_bench.py --sizes 1000 --runs 3",
    "python benchmarks/build_bench.py --sizes 10000 --runs 3 --single-up-to 0 --table 1000 10000 "
    "--write",
)


@dataclass
class Run:
    wall: float
    rss: int  # bytes: peak of the summed RSS of the build's process tree
    pss: int  # bytes: peak of the summed PSS
    timings: dict[str, float]
    documents: int = 0
    pages: int = 0
    up_to_date: bool = False
    reference: float = 0.0  # ms: cleaning a file in one process, just before (`reference`)


@dataclass
class Size:
    documents: int
    cold: list[Run] = field(default_factory=list)
    warm: list[Run] = field(default_factory=list)
    edit: list[Run] = field(default_factory=list)
    one_worker: Run | None = None
    identical: bool | None = None
    output_bytes: int = 0
    output_files: int = 0
    clean_share: float = 0.0  # share of per-document cleaning time spent in clean_lines
    growth: list[tuple[int, int]] = field(default_factory=list)
    began: str = ""  # when the runs began (UTC)
    commit: str = ""  # of the code measured
    load: float = -1.0  # load average when the runs began
    rest: float = 0.0  # seconds of rest (`settle`) before each cold build


def _children(pid: int) -> list[int]:
    """Return `pid` and all its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(parents.get(current, ()))
    return tree


PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pids: list[int]) -> int:
    """Return the summed RSS of `pids`, in bytes (cheap: /proc/PID/statm)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total


def _pss(pids: list[int]) -> int:
    """Return the summed PSS of `pids`, in bytes (dearer: the kernel walks the pages)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


def measure(source: Path, out: Path, workers: int) -> Run:
    """Run one build in its own process; return its wall time, peak memory and timings."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(source), str(out), str(workers)],
        stdout=subprocess.PIPE, env=env, cwd=REPO,
    )  # fmt: skip
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:  # light, not to slow the build: the tree every 0.5 s, RSS 10 a s
        tick, pids = 0, [process.pid]
        while not done.is_set():
            if tick % 5 == 0:
                pids = _children(process.pid)
                peak[1] = max(peak[1], _pss(pids))
            peak[0] = max(peak[0], _rss(pids))
            tick += 1
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"build of {source} failed (exit {process.returncode})")
    data = json.loads(output.decode("utf-8").strip().splitlines()[-1])
    return Run(wall, peak[0], peak[1], data["timings"], data["documents"], data["pages"],
               data["up_to_date"])  # fmt: skip


def reference(source: Path, files: int = 300) -> float:
    """Milliseconds of CPU to clean one of the first `files` files of `source` in one fresh
    process: how fast the machine is at that moment, for comparing runs made at others."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "benchmarks")])}
    found = subprocess.run(
        [sys.executable, "-c", REFERENCE, str(source), str(files)],
        capture_output=True, text=True, check=True, env=env, cwd=REPO,
    )  # fmt: skip
    return float(found.stdout.strip().splitlines()[-1])


def settle(seconds: float) -> None:
    """Have the kernel write out what earlier builds left in memory, then rest `seconds`.

    A cold build at 10,000 documents leaves ~1.5 GB (site and cache) for the kernel to write
    to disk in the minute after it. A cold build started meanwhile paid for that: right
    after another, 67.3 s wall with 19.5 s of system time; after 90 s of rest, 55.8 s with
    8.5 s (2026-11-30, one build each). A user's build does not follow another's gigabytes.
    """
    os.sync()
    time.sleep(seconds)


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cleaning_seconds(source: Path, files: int, warm_up: int = 0) -> float:
    """CPU seconds this process takes to clean (`ingest_bytes`) the first `files` files of
    `source`, after cleaning the first `warm_up` of them once (imports, tables, memos)."""
    from sitegen.build import ingest_bytes
    from sitegen.ingest.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    paths = sorted(source.glob("*.txt"))[:files]
    data = [(PurePosixPath(path.name), path.read_bytes()) for path in paths]
    for relative, raw in data[:warm_up]:
        ingest_bytes(relative, raw, gazetteer)
    start = time.process_time()
    for relative, raw in data:
        ingest_bytes(relative, raw, gazetteer)
    return time.process_time() - start


def clean_share(source: Path, sample: int = 200) -> float:
    """The share of `ingest_bytes`'s cleaning time spent in `clean_lines` (one process)."""
    import sitegen.ingest.meta as meta

    spent = [0.0]
    original = meta.clean_lines

    def timed(*args: object, **kwargs: object) -> object:
        start = time.process_time()
        try:
            return original(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            spent[0] += time.process_time() - start

    meta.clean_lines = timed  # type: ignore[assignment]
    try:
        total = cleaning_seconds(source, sample)
    finally:
        meta.clean_lines = original
    return spent[0] / total if total else 0.0


def corpus(documents: int, work: Path) -> tuple[Path, list[tuple[int, int]]]:
    """Return the archive of `documents` generated documents (made once) and its growth."""
    import corpus as generator

    archive = work / f"archive-{documents}"
    if not archive.is_dir() or len(list(archive.glob("*.txt"))) != documents:
        shutil.rmtree(archive, ignore_errors=True)
        print(f"generating {documents:,} documents into {archive} …", flush=True)
        generator.write(documents, archive)
    texts = [p.read_text(encoding="utf-8") for p in sorted(archive.glob("*.txt"))]
    return archive, generator.growth(texts)


def fresh(out: Path, work: Path) -> None:
    """Move the site and the cache beside it away: the next build is cold.

    They are moved into `trash`, deleted only when the benchmark ends (`empty_trash`):
    deleting the 66,000 files of a 10,000-document site just before a build made its own
    file creation 10-15 s slower on the project's machine, whose ext4 has no journal (the
    kernel then steps over each inode deleted in the last minutes before reusing one). A
    cold build on a fresh clone, as in CI, deletes nothing first.
    """
    from sitegen.cache import cache_dir

    folder = trash(work)
    for path in (out, cache_dir(out)):
        if path.exists():
            folder.mkdir(exist_ok=True)
            path.rename(folder / f"{len(list(folder.iterdir()))}-{path.name}")


def trash(work: Path) -> Path:
    """Where `fresh` moves the sites and caches of --work (all of a run's stay until it
    ends: ~2 GB a cold run at 10,000)."""
    return work / ".trash"


def empty_trash(work: Path) -> None:
    print("deleting the sites and caches measured …", flush=True)
    shutil.rmtree(trash(work), ignore_errors=True)


def bench_size(
    documents: int,
    runs: int,
    work: Path,
    workers: int,
    single_up_to: int = 10**9,
    rest: float = 0.0,
) -> Size:
    archive, growth = corpus(documents, work)
    result = Size(documents, growth=growth, commit=_commit(), load=os.getloadavg()[0], rest=rest)
    result.began = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    out = work / f"site-{documents}"
    edited = sorted(archive.glob("*.txt"))[documents // 2]
    original = edited.read_bytes()
    digest = None
    for n in range(runs):
        fresh(out, work)
        settle(rest)
        speed = reference(archive)
        result.cold.append(replace(measure(archive, out, workers), reference=speed))
        report(f"{documents:,} cold #{n + 1}", result.cold[-1])
        if digest is None:
            files = [p for p in out.rglob("*") if p.is_file()]
            result.output_files = len(files)
            result.output_bytes = sum(p.stat().st_size for p in files)
            digest = tree_digest(out)
        result.warm.append(measure(archive, out, workers))
        report(f"{documents:,} warm #{n + 1}", result.warm[-1])
    if workers > 1 and documents <= single_up_to:
        # In a folder of its own: beside the other site it would share its cache, which
        # `fresh` moves away (the first edit below then found none).
        single = work / "one-worker" / f"site-{documents}"
        fresh(single, work)
        result.one_worker = measure(archive, single, 1)
        report(f"{documents:,} cold, 1 worker", result.one_worker)
        result.identical = tree_digest(single) == digest
        print(f"  1 and {workers} workers give identical sites: {result.identical}", flush=True)
        if result.identical:
            fresh(single, work)
        else:
            print(f"  kept the 1-worker site for comparison: {single}", flush=True)
    # The edits after every cold build (the 1-worker one too): an edit's build deletes the
    # site it replaces, and on this project's machines (ext4 without a journal) making
    # files is then slower for minutes; a cold build just after one took ~10 s longer.
    try:
        for n in range(runs):  # each edit differs from the one before: a site to rebuild
            line = f"\n许昌市召开第{n + 1}次会议，研究部署下一步工作。\n"
            edited.write_bytes(original + line.encode())
            result.edit.append(measure(archive, out, workers))
            report(f"{documents:,} one edit #{n + 1}", result.edit[-1])
            if result.edit[-1].up_to_date:
                raise SystemExit(f"the edit of {edited} did not make the site rebuild")
    finally:
        edited.write_bytes(original)
    fresh(out, work)
    result.clean_share = clean_share(archive)
    save(result, work)
    return result


def save(result: Size, work: Path) -> None:
    """Keep a size's results, so that the table can show sizes measured separately."""
    data = asdict(result)
    (work / f"results-{result.documents}.json").write_text(json.dumps(data), encoding="utf-8")


def load(documents: int, work: Path) -> Size | None:
    path = work / f"results-{documents}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("cold", "warm", "edit"):
        data[key] = [Run(**r) for r in data[key]]
    data["one_worker"] = Run(**data["one_worker"]) if data["one_worker"] else None
    data["growth"] = [tuple(g) for g in data["growth"]]
    return Size(**data)


def report(label: str, run: Run) -> None:
    stages = " ".join(f"{s} {run.timings.get(s, 0):.1f}" for s in STAGES if s in run.timings)
    print(
        f"{label:>24}: {run.wall:6.1f} s wall, peak RSS {run.rss / 2**20:6.0f} MiB "
        f"(PSS {run.pss / 2**20:5.0f} MiB); {stages}"
        + (f"; reference {run.reference:.2f} ms a file" if run.reference else ""),
        flush=True,
    )


def median(runs: list[Run], value) -> float:  # type: ignore[no-untyped-def]
    return statistics.median(value(r) for r in runs)


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return found.stdout.strip()


def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    with open("/proc/meminfo", encoding="ascii") as info:
        total = int(info.readline().split()[1]) * 1024
    model = "unknown processor"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cores} cores ({model}), {total / 2**30:.0f} GiB, Python {platform.python_version()}"


def _when(size: Size) -> str:
    if not size.began:  # saved by an older version of this script
        return f"{size.documents:,} documents (time, commit and load average not recorded)"
    rest = (
        f", {size.rest:.0f} s of rest after `sync` before each cold build"
        if size.rest
        else ", no rest before the cold builds"
    )
    return (
        f"{size.documents:,} documents from {size.began} UTC at {size.commit}, "
        f"load average {size.load:.1f} as they began{rest}"
    )


def section(sizes: list[Size], runs: str, workers: int) -> str:
    mib = 2**20
    lines = [
        "## Build",
        "",
        "What `sitegen build` costs, on archives generated by `benchmarks/corpus.py` (the",
        f"corpus of the search section). Machine: {machine()}.",
        "Runs: " + "; ".join(map(_when, sizes)) + ".",
        "Seconds per stage are wall seconds in each process, added up over processes.",
        f"{workers} workers unless said; medians of the runs ({runs}).",
        "",
        "Rerun (the archives are generated once into `--work` and reused):",
        "",
        "```sh",
        'pip install -e ".[bench]"',
        COMMAND,
        "# or one size at a time; each keeps its results in --work for the table:",
        *COMMANDS,
        "```",
        "",
        "| | " + " | ".join(f"{s.documents:,} documents" for s in sizes) + " | target at 10,000 |",
        "|---|" + "---:|" * len(sizes) + "---:|",
    ]

    def row(label: str, value, unit: str, target: str | None = "") -> None:  # type: ignore[no-untyped-def]
        cells = [unit.format(value(s)) if value(s) is not None else "–" for s in sizes]
        tail = "" if target is None else f" {target} |"
        lines.append(f"| {label} | " + " | ".join(cells) + " |" + tail)

    def cold(key):  # type: ignore[no-untyped-def]
        return lambda s: median(s.cold, key)

    wall, rss, pss = (lambda r: r.wall), (lambda r: r.rss / mib), (lambda r: r.pss / mib)
    row("cold build (no site, no cache): wall", cold(wall), "{:.1f} s", "< 60 s")
    row("cold build: each run's wall", lambda s: ", ".join(f"{r.wall:.1f}" for r in s.cold),
        "{} s")  # fmt: skip
    row("machine speed just before each cold build: ms of CPU to clean a file in one process "
        "(`reference`, first 300 files)", lambda s: ", ".join(f"{r.reference:.2f}" for r in s.cold)
        if all(r.reference for r in s.cold) else None, "{}")  # fmt: skip
    row("cold build: peak memory, PSS of all processes (shared pages once)", cold(pss),
        "{:,.0f} MiB", "< 2 GiB")  # fmt: skip
    row("cold build: peak memory, RSS of all processes (shared pages in each)", cold(rss),
        "{:,.0f} MiB")  # fmt: skip
    row("warm rebuild, nothing changed: wall", lambda s: median(s.warm, wall), "{:.2f} s", "< 5 s")
    row("warm rebuild: peak memory (RSS)", lambda s: median(s.warm, rss), "{:,.0f} MiB")
    row("one document edited, the rest from the cache: wall",
        lambda s: median(s.edit, wall), "{:.1f} s")  # fmt: skip
    row("one document edited: peak memory (RSS)", lambda s: median(s.edit, rss), "{:,.0f} MiB")
    row("cold build with 1 worker: wall",
        lambda s: s.one_worker.wall if s.one_worker else None, "{:.1f} s")  # fmt: skip
    row("site with 1 worker byte-identical to the site with 2", lambda s: s.identical, "{}",
        "identical")  # fmt: skip
    row("documents, pages",
        lambda s: (s.cold[0].documents, s.cold[0].pages), "{0[0]:,}, {0[1]:,}")  # fmt: skip
    row("output: files, size",
        lambda s: (s.output_files, s.output_bytes / mib), "{0[0]:,}, {0[1]:,.0f} MiB")  # fmt: skip
    lines += ["", "Seconds per stage of the cold build (medians; added up over processes):", ""]
    lines.append("| stage | " + " | ".join(f"{s.documents:,} documents" for s in sizes) + " |")
    lines.append("|---|" + "---:|" * len(sizes))
    explain = {
        "ingest": "ingest: find, read, decode, cache look-ups",
        "clean": "clean: split, clean, describe each file, prepare its body (workers)",
        "metadata": "metadata: sidecars, slugs, cities, page plan, related documents",
        "render": "render: templates, Markdown, 简/繁 scan (workers)",
        "index": "index: the search index (sitegen/search)",
        "write": "write: files, static, feeds, tables, swap, cache",
    }
    for stage in STAGES:
        row(explain[stage], cold(lambda r, st=stage: r.timings.get(st, 0.0)), "{:.1f}", None)
    shares = ", ".join(f"{s.clean_share:.0%} at {s.documents:,}" for s in sizes)
    lines += [
        "",
        f"Of the per-document time, cleaning proper (`clean_lines`) takes {shares} (measured",
        "in one process on 200 files); the rest is splitting, reading metadata and preparing",
        "what later stages need of the body (its HTML and 简/繁 scan, its search text).",
    ]
    lines += [
        "",
        "Memory is judged by PSS: the cleaning and rendering workers are forked from the",
        "build, and until they write to a page of its memory they share it, so adding up",
        "their RSS counts the same physical memory up to three times. RSS is shown beside",
        "it. (The search index's two processes are spawned: they share nothing.)",
    ]
    ratio = scale = None
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        ratio = median(large.cold, lambda r: r.pss) / median(small.cold, lambda r: r.pss)
        rss_ratio = median(large.cold, lambda r: r.rss) / median(small.cold, lambda r: r.rss)
        scale = large.documents / small.documents
        lines += [
            "",
            f"Memory from {small.documents:,} to {large.documents:,} documents ({scale:.0f}×): "
            f"peak PSS grows {ratio:.2f}×, peak RSS {rss_ratio:.2f}× (linear would be "
            f"{scale:.0f}×).",
        ]
    large = sizes[-1]
    checks = [
        ("cold build under 60 s", median(large.cold, wall) < 60,
         f"{median(large.cold, wall):.0f} s"),
        ("peak memory under 2 GiB (PSS)", median(large.cold, pss) < 2048,
         f"{median(large.cold, pss):,.0f} MiB; RSS {median(large.cold, rss):,.0f} MiB"),
        ("warm rebuild under 5 s", median(large.warm, wall) < 5,
         f"{median(large.warm, wall):.2f} s"),
    ]  # fmt: skip
    checked = [s for s in sizes if s.identical is not None]
    if checked:
        same = all(s.identical for s in checked)
        where = ", ".join(f"{s.documents:,}" for s in checked)
        checks.append(("same site with 1 and 2 workers", same, f"{same}, compared at {where}"))
    if ratio is not None and scale is not None:
        checks.append(("memory no faster than linear", ratio <= scale, f"{ratio:.2f}×"))
    lines += ["", f"Targets at {large.documents:,} documents:", ""]
    lines += [f"- {name}: {'met' if ok else 'NOT met'} ({value})" for name, ok, value in checks]
    lines.append("")
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Put `text` in place of the `## Build` section of docs/benchmarks.md."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Build\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    DOCS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=[1000, 10000], help="sizes to measure (none: "
        "only make the table from saved results, with --table)"
    )  # fmt: skip
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rest", type=float, default=60.0,
        help="seconds to rest, after writing out the page cache, before each cold build",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, default=Path("/tmp/sitegen-build-bench"))
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--single-up-to", type=int, default=10**9,
        help="build with 1 worker too (scaling, identical output) up to this many documents",
    )  # fmt: skip
    parser.add_argument(
        "--table",
        type=int,
        nargs="+",
        default=None,
        help="sizes to show in the table, from this run or saved in --work by an earlier one",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(machine(), flush=True)
    try:
        measured = {
            n: bench_size(n, args.runs, args.work, args.workers, args.single_up_to, args.rest)
            for n in args.sizes
        }
    finally:
        empty_trash(args.work)
    sizes = []
    for n in args.table or args.sizes:
        size = measured.get(n) or load(n, args.work)
        if size is None:
            raise SystemExit(f"no results for {n:,} documents in {args.work}: run that size")
        sizes.append(size)
    runs = ", ".join(f"{len(s.cold)} at {s.documents:,}" for s in sizes)
    text = section(sizes, runs, args.workers)
    print()
    print(text)
    for size in sizes:
        print(f"distinct Han bigrams, {size.documents:,} documents:")
        for tokens, distinct in size.growth:
            print(f"  {tokens:>12,} bigram tokens  {distinct:>10,} distinct")
    if args.write:
        write_section(text)
        print(f"wrote the Build section of {DOCS}")


if __name__ == "__main__":
    main()
