"""Atomic file writing: a reader never sees a half-written file; a failure leaves none.

A failure of the disk while writing (full, quota used up, I/O error) is one error naming the
file (:func:`gxnet._errors.write_error`), and the file's previous content stays as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gxnet._errors import write_error


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    The temporary file sits in the same folder so that the final rename is atomic on POSIX.
    If the block raises (an error, Ctrl-C), the temporary file is removed and ``path`` keeps
    its old content.

    Parameters
    ----------
    path
        The file to write.

    Yields
    ------
    Path
        Where the block must write; it keeps the suffix of ``path`` so that writers that choose
        a format by suffix (GeoPackage, Parquet) still work.

    Raises
    ------
    OutputError
        When the folder cannot be created or written (read-only, a file in its place).
    DiskFullError
        When the disk or the quota fills up while the block writes.
    WriteError
        On another failure of the disk.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}"
        )
    except OSError as exc:
        raise write_error(target, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    # Writers such as GeoPackage refuse to write into an existing (empty) file.
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        # An error naming another file (an input the block read) is that file's, not ours.
        if exc.filename is not None and Path(exc.filename) not in (tmp, target):
            raise
        raise write_error(target, exc) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    return write_bytes_atomic(path, text.encode(encoding))
