"""Locate the templates, static files and data that ship inside the package."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_dir(name: str) -> Path:
    """Return the folder `name` ('templates' or 'static') shipped with sitegen.

    An installed wheel carries them inside the package; a source checkout keeps them
    at the top of the repository.
    """
    inside = Path(str(files("sitegen"))) / name
    if inside.is_dir():
        return inside
    beside = Path(__file__).resolve().parent.parent / name
    if beside.is_dir():
        return beside
    raise FileNotFoundError(f"sitegen is installed without its {name}/ folder: reinstall it")


def data_file(name: str) -> Path:
    """Return a data file shipped in sitegen/data."""
    return Path(str(files("sitegen"))) / "data" / name
