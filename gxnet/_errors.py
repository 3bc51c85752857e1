"""Specific exceptions, so that callers (and the CLI) can tell a user's mistake from a failure.

Every error a planner can cause derives from :class:`UserInputError` (exit code 2 on the command
line, message only, no traceback). Failures of the machine or the network derive from
:class:`GxnetError` directly (exit code 1).

An error may carry a key of the message catalogue (:mod:`gxnet._messages`) and the parameters of
its message: ``str(error)`` is then the English text, and :meth:`GxnetError.localized` the text
in the planner's language, which the command line prints.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from gxnet._catalogue import MESSAGES, Phrase, language, word
from gxnet._safe import printable_lines


class GxnetError(Exception):
    """Base class of every error gxnet raises on purpose.

    Parameters
    ----------
    message
        The English message; may be left out when ``key`` is given.
    key
        The message's key in the catalogue (:mod:`gxnet._messages`), or None for an error
        whose text exists in English only.
    **params
        The fields of the catalogue's message.
    """

    exit_code: int = 1

    def __init__(self, message: str = "", *, key: str | None = None, **params: Any) -> None:
        if key is not None and not message:
            message = _text(key, "en", params)
        super().__init__(message)
        self.key = key
        self.params = params

    def localized(self, lang: str) -> str:
        """The message in ``lang`` ("zh" or "en"); English where the catalogue has no key."""
        return self._message(lang)

    def _message(self, lang: str) -> str:
        return _text(self.key, lang, self.params) if self.key is not None else str(self)


def _text(key: str, lang: str, params: dict[str, Any]) -> str:
    return word(key, lang, params)


class GxnetWarning(UserWarning):
    """A warning gxnet gives (a fallback, a fixed row) with its catalogue key and parameters:
    ``str(warning)`` is the English text, :meth:`localized` the text the command line shows in
    the console's language.

    Parameters
    ----------
    key
        The message's key in the catalogue (:mod:`gxnet._messages`).
    **params
        The fields of the catalogue's message.
    """

    def __init__(self, key: str, /, **params: Any) -> None:
        # A warning rebuilt from its text alone (as the warnings module or a test runner may)
        # keeps that text, in English.
        known = key in MESSAGES
        super().__init__(_text(key, "en", params) if known else key)
        self.key = key if known else None
        self.params = params

    def __reduce__(self) -> tuple:
        # Pickled (from Dask's workers) with its key, to be worded in the console's language.
        return (_warning, (type(self), self.key, self.params))

    def localized(self, lang: str) -> str:
        """The warning in ``lang`` ("zh" or "en")."""
        return _text(self.key, lang, self.params) if self.key is not None else str(self)


def _warning(cls: type[GxnetWarning], key: str, params: dict[str, Any]) -> GxnetWarning:
    return cls(key, **params)


def localized(message: object, lang: str) -> str:
    """A warning's or an error's text in ``lang`` when it has a catalogue key, else as it is."""
    if isinstance(message, GxnetWarning | GxnetError | Phrase):
        return message.localized(lang) if not isinstance(message, Phrase) else message.word(lang)
    return str(message)


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
        message: str = "",
        *,
        path: str | Phrase | None = None,
        row: int | None = None,
        field: str | None = None,
        key: str | None = None,
        **params: Any,
    ) -> None:
        self.path = path
        self.row = row
        self.field = field
        self.bare = message if message or key is None else _text(key, "en", params)
        super().__init__(self._where("en", self.bare), key=key, **params)

    def localized(self, lang: str) -> str:
        bare = _text(self.key, lang, self.params) if self.key is not None else self.bare
        return self._where(lang, bare)

    def _where(self, lang: str, message: str) -> str:
        """``message`` after the file, row and field it concerns."""
        parts = [
            _text(key, lang, {name: value})
            for key, name, value in (
                ("err_where_file", "path", self.path),
                ("err_where_row", "row", self.row),
                ("err_where_field", "field", self.field),
            )
            if value is not None
        ]
        separator = "，" if lang == "zh" else ", "
        colon = "：" if lang == "zh" else ": "
        return f"{separator.join(parts)}{colon}{message}" if parts else message


class ArgumentError(UserInputError):
    """An argument of a library function that its own checks refuse, named in a library user's
    (English) words. The command line builds valid arguments, so one that reaches it is gxnet's
    fault and says so in the planner's language around those words."""

    def localized(self, lang: str) -> str:
        if self.key is not None or lang == "en":
            return super().localized(lang)
        return _text("err_problem_data", lang, {"detail": str(self)})


class ProblemDataError(ArgumentError):
    """Optimisation input that is invalid: negative or NaN costs, duplicate ids, bad targets."""


class InfeasibleProblemError(UserInputError):
    """Targets or standards that no choice of sites can meet; the message says what would fix it."""


class OutputError(UserInputError):
    """An output folder or file that cannot be written (read-only, not a folder)."""


class SettingsError(UserInputError):
    """An environment variable that cannot be used (a number that is not one, a folder that is
    a file); the message names the variable."""


class DownloadError(GxnetError):
    """A download failed after its retries (HTTP error, checksum mismatch, no connection)."""


class SolverError(GxnetError):
    """The solver itself failed (not: the problem was infeasible)."""


class PlanBusyError(OutputError):
    """A plan folder that another gxnet run is writing; the message names that run."""


class Stopped(GxnetError):
    """A run stopped by a signal (SIGINT, SIGTERM) while it held a plan folder; the exit
    code is the shell's for that signal (128 + its number)."""

    def __init__(self, message: str = "", signum: int = 2, **keyed: Any) -> None:
        super().__init__(message, **keyed)
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


class CostInputError(ArgumentError):
    """Travel-cost input that cannot be used (no points, NaN coordinates, a negative cutoff).

    The message names the argument, so the caller knows what to fix.
    """


class MapAssetsError(GxnetError):
    """Leaflet's JavaScript or CSS, which every map inlines, is not installed."""


class WriteError(GxnetError):
    """A file could not be written (an I/O error of the disk); the message names the file."""


class DiskFullError(WriteError):
    """The disk (or the user's quota) filled up while a file was written."""


class MachineError(GxnetError):
    """A failure of the machine (the disk, the memory) met outside the places that name it."""


class Interrupted(GxnetError):
    """The run was interrupted (Ctrl-C): exit code 130, as a shell reports SIGINT."""

    exit_code = 130


#: errno values of a full disk or a used-up quota.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
#: errno values of a folder the user cannot write into (their choice of place to correct).
NOT_WRITABLE = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST}
)


def write_error(path: str | os.PathLike[str], exc: OSError) -> GxnetError:
    """The error to raise when writing ``path`` failed with ``exc``.

    A full disk is a :class:`DiskFullError` and other failures of the disk a
    :class:`WriteError` (exit code 1: the machine); a place that cannot be written (read-only,
    a file where a folder is needed) is an :class:`OutputError` (exit code 2: choose another).
    """
    reason = exc.strerror or str(exc)
    if exc.errno in DISK_FULL:
        return DiskFullError(key="err_disk_full", path=str(path), reason=reason)
    if exc.errno in NOT_WRITABLE:
        path = Path(path)
        blocker = next((p for p in path.parents if p.is_file()), None)
        if blocker is not None:
            return not_writable(path, "err_is_file", blocker)
        return OutputError(key="err_not_writable", path=str(path), reason=reason, reason_en=reason)
    return WriteError(key="err_write", path=str(path), reason=reason)


def not_writable(
    path: str | os.PathLike[str], why: str, blocker: str | os.PathLike[str]
) -> OutputError:
    """The error of an output place that cannot be written because ``blocker`` (the place or
    one of its parents) is a file (``why="err_is_file"``) or read-only (``"err_read_only"``)."""
    return OutputError(
        key="err_not_writable",
        path=str(path),
        reason=_text(why, "zh", {"path": str(blocker)}),
        reason_en=_text(why, "en", {"path": str(blocker)}),
    )


def brief(exc: BaseException) -> str:
    """The type and the first line of an exception from a library, to quote in a message."""
    text = str(exc).strip().partition("\n")[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


#: What the command line turns into one line and an exit code.
Failure = GxnetError | KeyboardInterrupt | OSError | MemoryError


def as_error(exc: Failure) -> GxnetError:
    """Any exception the command line ends on, as a GxnetError with a one-line message.

    gxnet's own errors are returned as they are; Ctrl-C becomes :class:`Interrupted`; an
    ``OSError`` or ``MemoryError`` that no module turned into a message becomes a
    :class:`MachineError` naming the file and the cause.
    """
    if isinstance(exc, GxnetError):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        return Interrupted(key="err_interrupted")
    if isinstance(exc, MemoryError):
        return MachineError(key="err_out_of_memory")
    where = f"{exc.filename}: " if exc.filename else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno in DISK_FULL:
        return DiskFullError(key="err_disk_full_at", where=where, reason=reason)
    return MachineError(key="err_machine", where=where, reason=reason)


def exit_on(exc: Failure) -> NoReturn:
    """Print ``exc`` on stderr as gxnet's error line, in the console's language, and exit with
    its code (see :func:`as_error`)."""
    error = as_error(exc)
    lang = language()
    # A message quotes file names and cells: each of its lines is printed without control
    # characters.
    lines = printable_lines(error.localized(lang).splitlines())
    print(error_line(lines, lang), file=sys.stderr)
    sys.exit(error.exit_code)


def error_line(message: str, lang: str) -> str:
    """gxnet's error line: ``gxnet: error: ...`` (``gxnet：错误：...`` in Chinese)."""
    label = _text("error", lang, {})
    return f"gxnet：{label}：{message}" if lang == "zh" else f"gxnet: {label}: {message}"
