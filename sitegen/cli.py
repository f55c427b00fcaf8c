"""The command line: parse options, load the configuration, make one library call."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sitegen import __version__

if TYPE_CHECKING:
    from sitegen.build import BuildReport

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
@click.option("--verbose", "-v", is_flag=True, help="List every input file, however many.")
def build(
    source: Path, out: Path, base_url: str | None, strict: bool, quiet: bool, verbose: bool
) -> None:
    from sitegen.build import build as run_build
    from sitegen.config import load_config

    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    config = load_config(source, out, base_url=base_url, strict=strict)
    report = run_build(config)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        _print_inputs(report, verbose)
        read = sum(1 for i in report.inputs if i.status == "read")
        click.echo(
            f"Read {read} of {len(report.inputs)} input files: {report.documents} documents. "
            f"Wrote {report.pages} pages to {report.out}. Warnings: {len(report.warnings)}."
        )


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

    try:
        run_serve(source, host, port, open_browser, ready)
    except KeyboardInterrupt:
        click.echo("Stopped.")


def main() -> None:
    cli()
