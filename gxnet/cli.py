"""The ``gxnet`` command: thin click verbs over the library's documented functions.

Each verb parses its options, calls one or two library functions and prints. A
:class:`gxnet._errors.GxnetError` becomes one line on stderr and its exit code (2 for the user's
input, 1 for failures), never a traceback.
"""

from __future__ import annotations

import sys

import click

from gxnet import __version__
from gxnet._errors import GxnetError


class _Group(click.Group):
    """A click group that turns gxnet's own errors into one clear line and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GxnetError as exc:
            click.echo(f"gxnet: error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gxnet")
def cli() -> None:
    """Plan recycling points and sorting centres on real road networks (Guangxi)."""


# Reference data: cities and counties.


# Road networks: fetch and cache OpenStreetMap.


# Site lists: check and template.


# Plans: optimize, resolve, map, report.


def main() -> None:
    """Entry point of the ``gxnet`` console script."""
    cli(prog_name="gxnet")
