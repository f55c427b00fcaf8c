"""User-facing errors: each prints one line saying what is wrong and what to do."""

from __future__ import annotations

import click


class SitegenError(click.ClickException):
    """A problem the user can fix; the CLI prints it without a traceback."""


class ConfigError(SitegenError):
    """The command line or the archive's configuration is wrong."""


class BuildError(SitegenError):
    """The build could not finish; the previous site is left as it was."""
