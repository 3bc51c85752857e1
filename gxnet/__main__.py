"""The ``gxnet`` command (``python -m gxnet``, and the console script's entry point).

The command line's modules take a second to import (pandas, geopandas, shapely); they are
imported inside :func:`main`, so that Ctrl-C or a failure of the machine during start-up is one
line and an exit code too, never a traceback.
"""

from __future__ import annotations

from gxnet._errors import exit_on


def main() -> None:
    """Run the ``gxnet`` command line."""
    try:
        from gxnet.cli import cli
    except (KeyboardInterrupt, OSError, MemoryError) as exc:
        exit_on(exc)
    cli(prog_name="gxnet")


if __name__ == "__main__":
    main()
