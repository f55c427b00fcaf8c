"""The command line: parse options, load the configuration, make one library call."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sitegen import __version__

if TYPE_CHECKING:
    from sitegen.build import BuildReport
    from sitegen.progress import ProgressBar, ProgressLines

SOURCE_HELP = "Archive folder to read (default: ./seeds)."
OUT_HELP = "Folder to write the site into; replaced whole on success (default: ./site)."
BASE_URL_HELP = (
    "Absolute URL the site is published at, e.g. https://USER.github.io/REPO/. "
    "Used only for canonical links, sitemap and feed; internal links stay relative."
)


@click.group(
    help="Turn a folder of raw Chinese news and government documents into a browsable, "
    "searchable static archive site."
)
@click.version_option(__version__, prog_name="sitegen")
def cli() -> None:
    pass


@cli.command(
    help="Build the site: read every .txt and .md file of the archive, clean it, and write "
    "HTML pages, a search index and a build report into the output folder."
)
@click.option("--source", type=click.Path(path_type=Path), default=Path("seeds"), help=SOURCE_HELP)
@click.option("--out", type=click.Path(path_type=Path), default=Path("site"), help=OUT_HELP)
@click.option("--base-url", default=None, help=BASE_URL_HELP)
@click.option("--strict", is_flag=True, help="Fail (exit 1, site not written) on any warning.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option(
    "--verbose", "-v", is_flag=True, help="List every input file, however many, and stage times."
)
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for cleaning and rendering (default: one per processor). "
    "The site is the same whatever the number.",
)
def build(
    source: Path,
    out: Path,
    base_url: str | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
    workers: int | None,
) -> None:
    from sitegen.build import build as run_build
    from sitegen.config import load_config

    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    config = load_config(source, out, base_url=base_url, strict=strict)
    progress = None if quiet else _progress()
    try:
        report = run_build(config, progress, workers=workers)
    finally:
        if progress is not None:
            progress.close()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        _print_inputs(report, verbose)
        read = sum(1 for i in report.inputs if i.status == "read")
        wrote = (
            f"{report.out} is up to date ({report.pages} pages): nothing to write"
            if report.up_to_date
            else f"Wrote {report.pages} pages to {report.out}"
        )
        click.echo(
            f"Read {read} of {len(report.inputs)} input files: {report.documents} documents. "
            f"{wrote}. Warnings: {len(report.warnings)}."
        )
        if verbose:
            _print_timings(report)


def _progress() -> ProgressBar | ProgressLines:
    """A bar with counts and time left on a terminal; plain lines in a log or a pipe."""
    import sys

    from sitegen.progress import ProgressBar, ProgressLines

    stream = sys.stderr
    return ProgressBar(stream) if stream.isatty() else ProgressLines(stream)


def _print_timings(report: BuildReport) -> None:
    from sitegen.progress import STAGES

    seconds = report.timings
    stages = ", ".join(f"{s} {seconds[s]:.1f}" for s in STAGES if s in seconds)
    click.echo(f"Seconds: {stages} (over all processes); {seconds.get('wall', 0):.1f} in all.")


LIST_INPUTS_UP_TO = 50


def _print_inputs(report: BuildReport, verbose: bool) -> None:
    """Print what became of each input file (only the skipped ones for a large archive)."""
    inputs = report.inputs
    listed = (
        inputs
        if verbose or len(inputs) <= LIST_INPUTS_UP_TO
        else [i for i in inputs if i.status == "skipped"]
    )
    for item in listed:
        if item.status == "skipped":
            click.echo(f"  {item.path}: skipped ({item.problem})")
        else:
            count = len(item.documents)
            noun = "document" if count == 1 else "documents"
            click.echo(f"  {item.path} ({item.encoding}): {count} {noun}")
    if len(listed) < len(inputs):
        click.echo(f"  … {len(inputs) - len(listed)} more files read; --verbose lists them")


@cli.command(
    help="Preview the site: build it, serve it at http://127.0.0.1:PORT/ and, whenever the "
    "archive, its sitegen.toml, templates or static files change, rebuild what changed; "
    "open pages reload by themselves. The site is built into a temporary folder."
)
@click.option("--source", type=click.Path(path_type=Path), default=Path("seeds"), help=SOURCE_HELP)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Any other than 127.0.0.1, localhost or ::1 lets other "
    "machines read the site.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the web browser.")
def serve(source: Path, port: int, host: str, open_browser: bool) -> None:
    from sitegen.serve import LOCAL_HOSTS
    from sitegen.serve import serve as run_serve

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("sitegen.serve").setLevel(logging.INFO)
    if host not in LOCAL_HOSTS:
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine can read the "
            "site. Use --host 127.0.0.1 (the default) to keep it to this machine.",
            err=True,
        )

    def ready(preview, first) -> None:  # type: ignore[no-untyped-def]
        if first is not None:
            click.echo(
                f"Built {first.documents} documents, {first.pages} pages in "
                f"{first.seconds:.1f} s. Warnings: {len(first.warnings)}."
            )
        click.echo(f"Serving {preview.url} (Ctrl-C to stop)")

    from sitegen.cache import cache_dir

    # `sitegen build`'s cache beside its default output folder: files it cleaned are not
    # cleaned again (never a cache inside the archive: serve then works without one).
    try:
        run_serve(source, host, port, open_browser, ready, cache=cache_dir(Path("site")))
    except KeyboardInterrupt:
        click.echo("Stopped.")


def main() -> None:
    cli()
