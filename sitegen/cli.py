"""The command line: parse options, load the configuration, make one library call."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from sitegen import __version__

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
def build(source: Path, out: Path, base_url: str | None, strict: bool, quiet: bool) -> None:
    from sitegen.build import build as run_build
    from sitegen.config import load_config

    logging.basicConfig(level=logging.ERROR, format="%(message)s")
    config = load_config(source, out, base_url=base_url, strict=strict)
    report = run_build(config)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        read = sum(1 for i in report.inputs if i.status == "read")
        click.echo(
            f"Read {read} of {len(report.inputs)} input files: {report.documents} documents. "
            f"Wrote {report.pages} pages to {report.out}. Warnings: {len(report.warnings)}."
        )


def main() -> None:
    cli()
