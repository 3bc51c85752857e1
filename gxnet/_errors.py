"""Specific exceptions, so that callers (and the CLI) can tell a user's mistake from a failure.

Every error a planner can cause derives from :class:`UserInputError` (exit code 2 on the command
line, message only, no traceback). Failures of the machine or the network derive from
:class:`GxnetError` directly (exit code 1).
"""

from __future__ import annotations


class GxnetError(Exception):
    """Base class of every error gxnet raises on purpose."""

    exit_code: int = 1


class UserInputError(GxnetError, ValueError):
    """Input the user can correct: a name, a file, a target. Exit code 2."""

    exit_code = 2


class UnknownRegionError(UserInputError, LookupError):
    """A city or county name or adcode that is not in Guangxi."""


class AmbiguousRegionError(UserInputError):
    """A name that matches more than one city or county."""


class InputFileError(UserInputError):
    """A file the user gave cannot be used; the message names the file, row and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                str(path) if path is not None else None,
                f"row {row}" if row is not None else None,
                f"field {field!r}" if field is not None else None,
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.row = row
        self.field = field


class ProblemDataError(UserInputError):
    """Optimisation input that is invalid: negative or NaN costs, duplicate ids, bad targets."""


class InfeasibleProblemError(UserInputError):
    """Targets or standards that no choice of sites can meet; the message says what would fix it."""


class OutputError(UserInputError):
    """An output folder or file that cannot be written (read-only, not a folder)."""


class DownloadError(GxnetError):
    """A download failed after its retries (HTTP error, checksum mismatch, no connection)."""


class SolverError(GxnetError):
    """The solver itself failed (not: the problem was infeasible)."""


class PlanBusyError(OutputError):
    """A plan folder that another gxnet run is writing; the message names that run."""


class Stopped(GxnetError):
    """A run stopped by a signal (SIGINT, SIGTERM) while it held a plan folder; the exit
    code is the shell's for that signal (128 + its number)."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + int(signum)


class UnknownCoordinateSystemError(UserInputError):
    """A coordinate system gxnet cannot convert (not WGS-84, GCJ-02 or BD-09 lon/lat)."""


class OsmFileError(InputFileError):
    """An OSM file that cannot be read (corrupt, truncated) or does not cover the area asked."""


class EmptyNetworkError(UserInputError):
    """An area with no roads of a travel mode in the OSM data given."""


class NetworkNotFetchedError(UserInputError):
    """A road network that has not been fetched yet; the message names the command to run."""


class CostInputError(UserInputError):
    """Travel-cost input that cannot be used (no points, NaN coordinates, a negative cutoff).

    The message names the argument, so the caller knows what to fix.
    """


class MapAssetsError(GxnetError):
    """Leaflet's JavaScript or CSS, which every map inlines, is not installed."""
