"""Search benchmark: bytes, time to first results, recall and precision, in Chromium.

For each size (1,000 and 10,000 generated documents by default, see corpus.py) it builds
the site with `sitegen build` (timed), serves it on 127.0.0.1 and drives Debian's
Chromium through Playwright:

- bytes transferred before the first results of each query appear, counted as GitHub
  Pages sends them (each file gzipped), from a fresh page (the page itself, its CSS and
  scripts counted apart), and for a 5-query session in one page;
- time from the keystroke (an `input` event) to the results on the page, median of runs;
- recall and precision on 200 random Han substrings (2 to 6 characters, fixed seed) of the
  normalised documents, against plain substring search over them;
- the largest file of the site, the search files' total, the build's wall time.

    pip install -e ".[bench]"
    python benchmarks/search_bench.py                       # 1,000 and 10,000 documents
    python benchmarks/search_bench.py --sizes 1000 --runs 3 --work /tmp/sitegen-bench

Generated archives and sites are kept under --work and reused when present.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip
SESSION = ["许昌", "城乡融合", "开封", "高质量发展", "xuchang"]
QUERIES = ["许昌", "許昌", "开封", "德州", "城乡融合", "xuchang", "高质量发展", "锟斤拷烫烫"]
SAMPLE_SEED = 7
SAMPLES = 200
HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # a page closed while a snippet was still loading


@functools.cache
def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


def build(size: int, work: Path) -> tuple[Path, float | None, list[str]]:
    archive, site = work / f"archive-{size}", work / f"site-{size}"
    if not archive.exists():
        print(f"generating {size} documents into {archive} ...", flush=True)
        corpus.write(size, archive)
    texts = [p.read_text(encoding="utf-8") for p in sorted(archive.glob("*.txt"))]
    seconds = None
    if not (site / "search" / "manifest.json").exists():
        print(f"building {site} ...", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sitegen", "build", "--source", str(archive),
                        "--out", str(site)], check=True)  # fmt: skip
        seconds = time.perf_counter() - start
    return site, seconds, texts


def site_figures(site: Path) -> dict[str, object]:
    files = [p for p in site.rglob("*") if p.is_file()]
    largest = max(files, key=lambda p: p.stat().st_size)
    search = [p for p in files if "search" in p.relative_to(site).parts[:1]]
    idx = sorted((site / "search" / "idx").iterdir())
    gz_idx = sum(gzipped(p) for p in idx)
    return {
        "files": len(files),
        "site_bytes": sum(p.stat().st_size for p in files),
        "largest_file": str(largest.relative_to(site)),
        "largest_bytes": largest.stat().st_size,
        "search_files": len(search),
        "search_bytes": sum(p.stat().st_size for p in search),
        "shards": len(idx),
        "all_shards_bytes": sum(p.stat().st_size for p in idx),
        "all_shards_gzip": gz_idx,
        "manifest_gzip": gzipped(site / "search" / "manifest.json"),
    }


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(Quiet, directory=str(site))
    server = Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


TYPE_AND_WAIT = """async (query) => {
  const input = document.getElementById('q');
  const list = document.getElementById('results');
  const shown = new Promise(resolve => {
    const check = () => list.getAttribute('data-for') === query;
    const observer = new MutationObserver(() => {
      if (check()) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(list, {attributes: true});
  });
  input.value = query;
  const start = performance.now();
  input.dispatchEvent(new InputEvent('input', {bubbles: true, data: query}));
  const end = await shown;
  // every file the query fetched before its results were on the page
  const files = performance.getEntriesByType('resource')
    .filter(e => e.startTime >= start && e.responseEnd <= end).map(e => e.name);
  return {ms: end - start, count: list.querySelectorAll('li').length, files: files,
          status: document.getElementById('search-status').textContent};
}"""


def measure_queries(browser, base: str, site: Path, runs: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for query in QUERIES:
        times, sizes = [], []
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "search/")
            page.wait_for_load_state("networkidle")
            on_load = page.evaluate(
                "performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
            )
            result = page.evaluate(TYPE_AND_WAIT, query)
            times.append(result["ms"])
            sizes.append(sum(gzipped(_file(site, u[len(base) :])) for u in result["files"]))
            page_bytes = sum(gzipped(_file(site, u[len(base) :])) for u in on_load)
            context.close()
        out[query] = {"ms_median": statistics.median(times), "gzip_bytes": statistics.median(sizes),
                      "files": len(result["files"]), "results": result["count"],
                      "status": result["status"], "page_load_gzip": page_bytes}  # fmt: skip
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "search/")
    page.wait_for_load_state("networkidle")
    session = []
    for query in SESSION:
        result = page.evaluate(TYPE_AND_WAIT, query)
        size = sum(gzipped(_file(site, u[len(base) :])) for u in result["files"])
        session.append({"query": query, "ms": result["ms"], "gzip_bytes": size})
        page.wait_for_load_state("networkidle")  # let the snippets finish, as a reader would
    context.close()
    out["session"] = session
    return out


def _file(site: Path, relative: str) -> Path:
    path = site / relative.split("?")[0]
    return path / "index.html" if path.is_dir() else path


def truth_texts(site: Path) -> list[str]:
    """Each document's normalised title and text, from the site's own files."""
    from sitegen.search.tokenize import normalize

    manifest = json.loads((site / "search" / "manifest.json").read_text("utf-8"))
    chunk = manifest["metaChunk"]
    texts = []
    meta: list = []
    for n in range(manifest["documents"]):
        if n % chunk == 0:
            meta = json.loads((site / "search" / "meta" / f"{n // chunk:03d}.json").read_text())
        title = meta[n % chunk]["title"]
        title = normalize(title if isinstance(title, str) else title[0])
        ref = _base36(n)
        lines = json.loads((site / "search" / "text" / f"{ref}.json").read_text("utf-8"))
        body = "\n".join(line if isinstance(line, str) else line[1] for line in lines)
        texts.append(title + "\n\n" + body)
    return texts


def _base36(n: int) -> str:
    from sitegen.search.publish import base36

    return base36(n)


def accuracy(browser, base: str, site: Path) -> dict[str, float]:
    texts = truth_texts(site)
    rng = random.Random(SAMPLE_SEED)
    queries = []
    while len(queries) < SAMPLES:
        runs = HAN_RUN.findall(rng.choice(texts))
        if not runs:
            continue
        length = rng.randint(2, 6)
        runs = [r for r in runs if len(r) >= length]
        if not runs:
            continue
        run = rng.choice(runs)
        start = rng.randint(0, len(run) - length)
        queries.append(run[start : start + length])
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "search/")
    answers = page.evaluate(
        """async (queries) => {
          const engine = new sitegenSearch.Engine('../search/');
          const out = [];
          for (const q of queries) out.push((await engine.search(q)).results.map(r => r.ref));
          return out;
        }""",
        queries,
    )
    context.close()
    hits = found = truth_total = 0
    recalls, precisions = [], []
    for query, answer in zip(queries, answers, strict=True):
        truth = {_base36(n) for n, text in enumerate(texts) if query in text}
        got = set(answer)
        hits += len(got & truth)
        found += len(got)
        truth_total += len(truth)
        recalls.append(len(got & truth) / len(truth) if truth else 1.0)
        precisions.append(len(got & truth) / len(got) if got else 1.0)
    return {"recall": hits / truth_total, "precision": hits / found if found else 1.0,
            "recall_min": min(recalls), "precision_min": min(precisions),
            "queries": len(queries), "matches": truth_total}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sitegen-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    figures: dict[str, object] = {"cores": os.cpu_count()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size in args.sizes:
            site, seconds, texts = build(size, args.work)
            print(f"\n== {size} documents ({os.cpu_count()} cores) ==")
            corpus.print_growth(texts)
            server, base = serve(site)
            try:
                result = {"build_seconds": seconds, **site_figures(site)}
                result["queries"] = measure_queries(browser, base, site, args.runs)
                result["accuracy"] = accuracy(browser, base, site)
            finally:
                server.shutdown()
                server.server_close()
            figures[str(size)] = result
            report(result)
        browser.close()
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def report(r: dict) -> None:
    kb = 1024
    if r["build_seconds"] is not None:
        print(f"build (sitegen build, whole site): {r['build_seconds']:.0f} s")
    print(f"site: {r['files']:,} files, {r['site_bytes'] / kb / kb:,.0f} MB; largest file "
          f"{r['largest_file']} {r['largest_bytes'] / kb:,.0f} KB")  # fmt: skip
    print(f"search: {r['search_files']:,} files, {r['search_bytes'] / kb / kb:,.0f} MB; "
          f"{r['shards']:,} shards, all of them {r['all_shards_bytes'] / kb / kb:,.0f} MB "
          f"({r['all_shards_gzip'] / kb / kb:,.1f} MB gzipped: one-index download)")  # fmt: skip
    print(f"manifest {r['manifest_gzip'] / kb:.1f} KB gzipped")
    print("query (fresh page)     gzip before results   first results   results  files")
    for query, q in r["queries"].items():
        if query == "session":
            continue
        ratio = q["gzip_bytes"] / r["all_shards_gzip"]
        size, ms = q["gzip_bytes"] / kb, q["ms_median"]
        print(f"  {query:<16} {size:>10.1f} KB ({ratio:.3%})  {ms:>8.0f} ms"
              f"  {q['results']:>8}  {q['files']:>4}")  # fmt: skip
    page_load = next(iter(r["queries"].values()))["page_load_gzip"]
    print(f"  (the search page itself, before any keystroke: {page_load / kb:.1f} KB gzipped)")
    session = r["queries"]["session"]
    total = sum(s["gzip_bytes"] for s in session)
    print("session: " + ", ".join(f"{s['query']} {s['gzip_bytes'] / kb:.1f} KB {s['ms']:.0f} ms"
                                  for s in session) + f"; total {total / kb:.1f} KB")  # fmt: skip
    a = r["accuracy"]
    print(f"accuracy on {a['queries']} random Han substrings ({a['matches']:,} true matches): "
          f"recall {a['recall']:.4f} (worst query {a['recall_min']:.3f}), "
          f"precision {a['precision']:.4f} (worst query {a['precision_min']:.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
