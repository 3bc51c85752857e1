"""A plan folder and its map, written as one unit: both replaced or neither.

``gxnet optimize``, ``resolve`` and ``map`` write ``plans/<slug>/`` and ``maps/<slug>.html``
again and again. An :class:`OutputUnit` makes each run's pair of outputs one unit:

1. **Lock.** :meth:`OutputUnit.hold` takes ``plans/.<slug>.lock`` (an advisory ``flock``, with
   the holder's pid, host, start time and command written in it). A second run into the same
   unit is refused at once with a message naming the holder; the kernel releases the lock of a
   run that dies, so a stale lock file is simply taken over (and said).
2. **Stage.** The new plan is written to ``plans/.<slug>.new-<token>/`` and the new map to
   ``maps/.<slug>.new-<token>.html``, beside the outputs they replace.
3. **Commit.** A small journal, ``plans/.<slug>.journal``, names the staged and final paths;
   once it is on disk the switch is decided. The plan folder is swapped (old one renamed
   aside, new one renamed in) and the map renamed over the old map; then the old folder and
   the journal are removed. SIGINT and SIGTERM are held back during these few renames.
4. **Recover.** The next run that holds the lock completes a journal left by a run killed
   during the commit (every path it names was complete before it was written), then removes
   every staged or set-aside leftover of the unit (``.<slug>.new-*``, ``.<slug>.old-*``, and the
   temporary files of atomic writes).

Within :meth:`OutputUnit.hold`, SIGINT and SIGTERM raise :class:`gxnet._errors.Stopped`, so
that the staged files are removed and the previous plan and map stay as they were.

The plan folder records where its map is (``plan.json`` key ``map``, relative to the folder),
so that ``gxnet map PLAN`` redraws that map. Locks use ``fcntl.flock``: POSIX systems only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gxnet import settings
from gxnet._errors import OutputError, PlanBusyError, Stopped
from gxnet._messages import Phrase, text
from gxnet.plan import Plan, check_writable
from gxnet.workbook import write_tables

#: Signals that stop a run cleanly while it holds a unit.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class OutputUnit:
    """The plan folder and the map file of one plan.

    Attributes
    ----------
    folder
        The plan folder (``plans/<slug>``).
    html
        Its map (``maps/<slug>.html``).
    """

    folder: Path
    html: Path

    @classmethod
    def of(cls, slug: str, out: str | os.PathLike[str] | None = None) -> OutputUnit:
        """The unit of a plan named ``slug``: ``<out>/plans/<slug>`` and
        ``<out>/maps/<slug>.html`` (without ``out``: :data:`gxnet.settings.plans_dir` and
        :data:`gxnet.settings.maps_dir`)."""
        if out is None:
            return cls(Path(settings.plans_dir) / slug, Path(settings.maps_dir) / f"{slug}.html")
        return cls(Path(out) / "plans" / slug, Path(out) / "maps" / f"{slug}.html")

    @classmethod
    def of_folder(cls, folder: str | os.PathLike[str]) -> OutputUnit:
        """The unit of an existing plan folder, with the map its ``plan.json`` names (else
        ``maps/<folder name>.html`` in :data:`gxnet.settings.maps_dir`)."""
        folder = Path(folder)
        recorded = _recorded_map(folder)
        if recorded is not None:
            return cls(folder, Path(os.path.normpath(folder / recorded)))
        return cls(folder, Path(settings.maps_dir) / f"{folder.name}.html")

    @property
    def lock_path(self) -> Path:
        """The lock file, beside the plan folder."""
        return self.folder.parent / f".{self.folder.name}.lock"

    @property
    def journal_path(self) -> Path:
        """The journal of a switch in progress, beside the plan folder."""
        return self.folder.parent / f".{self.folder.name}.journal"

    @contextlib.contextmanager
    def hold(self, progress: Progress | None = None) -> Iterator[OutputUnit]:
        """Hold the unit for a run: lock it, finish or clean what an earlier run left, and
        turn SIGINT and SIGTERM into :class:`~gxnet._errors.Stopped`.

        Raises
        ------
        PlanBusyError
            When another run holds the unit.
        OutputError
            When a folder is read-only or not a folder.
        """
        say = progress or (lambda line: None)
        check_writable(self.folder)
        check_writable(self.html.parent)
        with _Lock(self.lock_path, self.folder) as lock, _stop_on_signals():
            if lock.taken_over:
                say("    " + text("lock_taken_over", holder=lock.taken_over))
            if self.recover():
                say("    " + text("switch_completed", path=str(self.folder)))
            self.clean()
            yield self

    def replace(self, plan: Plan, *, basemap: str | None = None, lang: str = "zh") -> None:
        """Write ``plan`` (with its workbook and tables in ``lang``:
        :func:`gxnet.workbook.write_tables`) and its map in place of the unit's (call within
        :meth:`hold`)."""
        from gxnet.maps import save_map

        token = uuid.uuid4().hex[:12]
        staged_folder = self.folder.with_name(f".{self.folder.name}.new-{token}")
        staged_html = self.html.with_name(f".{self.html.stem}.new-{token}.html")
        try:
            _mkdir(staged_folder.parent)
            _mkdir(staged_html.parent)
            staged_folder.mkdir(mode=0o777)
            plan.write_files(staged_folder, map_path=os.path.relpath(self.html, self.folder))
            write_tables(plan, staged_folder, lang=lang)
            save_map(plan, staged_html, basemap=basemap, lang=lang)
            self._commit(token, {"plan": staged_folder, "map": staged_html})
        finally:
            shutil.rmtree(staged_folder, ignore_errors=True)
            with contextlib.suppress(FileNotFoundError):
                staged_html.unlink()

    def replace_map(self, plan: Plan, *, basemap: str | None = None, lang: str = "zh") -> None:
        """Redraw the unit's map from ``plan`` (the plan folder stays as it is)."""
        from gxnet.maps import save_map

        token = uuid.uuid4().hex[:12]
        staged_html = self.html.with_name(f".{self.html.stem}.new-{token}.html")
        try:
            _mkdir(staged_html.parent)
            save_map(plan, staged_html, basemap=basemap, lang=lang)
            self._commit(token, {"map": staged_html})
        finally:
            with contextlib.suppress(FileNotFoundError):
                staged_html.unlink()

    def _commit(self, token: str, staged: dict[str, Path]) -> None:
        journal = {
            "token": token,
            "plan": [str(staged["plan"]), str(self.folder)] if "plan" in staged else None,
            "map": [str(staged["map"]), str(self.html)] if "map" in staged else None,
        }
        with _signals_held():
            _write_synced(self.journal_path, json.dumps(journal))
            _Stopping.committed = True
            self._apply(journal)

    def recover(self) -> bool:
        """Complete the switch a journal describes, if one is on disk; True if there was one."""
        try:
            journal = json.loads(self.journal_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return False
        except (json.JSONDecodeError, UnicodeDecodeError):
            # Written atomically, a journal is whole or absent; anything else is not ours.
            self.journal_path.unlink()
            return False
        self._apply(journal)
        return True

    def _apply(self, journal: dict[str, Any]) -> None:
        """Move the staged paths of ``journal`` into place; safe to repeat after a crash."""
        old = self.folder.with_name(f".{self.folder.name}.old-{journal['token']}")
        try:
            if journal.get("plan"):
                staged, final = (Path(p) for p in journal["plan"])
                if staged.exists():
                    if final.exists():
                        os.replace(final, old)
                    os.replace(staged, final)
            if journal.get("map"):
                staged, final = (Path(p) for p in journal["map"])
                if staged.exists():
                    os.replace(staged, final)
        except OSError as exc:
            raise OutputError(key="err_switch", path=str(self.folder), reason=exc.strerror) from exc
        shutil.rmtree(old, ignore_errors=True)
        self.journal_path.unlink()

    def clean(self) -> list[Path]:
        """Remove what stopped runs left of this unit (staged and set-aside copies, temporary
        files); return what was removed."""
        name, stem = self.folder.name, self.html.stem
        patterns = (
            (
                self.folder.parent,
                (f".{name}.new-*", f".{name}.old-*", f".{name}.tmp-*", f".{name}.journal.tmp-*"),
            ),
            (self.html.parent, (f".{stem}.new-*.html", f".{stem}.*.tmp.html")),
        )
        removed = []
        for parent, globs in patterns:
            if not parent.is_dir():
                continue
            for pattern in globs:
                for path in parent.glob(pattern):
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    removed.append(path)
        return removed


def _recorded_map(folder: Path) -> str | None:
    """The map path a plan folder's ``plan.json`` records (None when it records none)."""
    try:
        document = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    recorded = document.get("map") if isinstance(document, dict) else None
    return recorded if isinstance(recorded, str) and recorded else None


def _write_synced(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically and flush it to the disk before returning: the
    journal must outlast a crash of the machine as well as of the run."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            key="err_not_writable", path=str(folder), reason=exc.strerror, reason_en=exc.strerror
        ) from exc


class _Lock:
    """An exclusive ``flock`` on a lock file that names its holder."""

    def __init__(self, path: Path, folder: Path) -> None:
        self.path = path
        self.folder = folder
        self.fd: int | None = None
        self.made: list[Path] = []
        #: The holder named in a lock file found unlocked (a run that stopped), else "".
        self.taken_over = ""

    def __enter__(self) -> _Lock:
        # Folders made only for the lock go again with it if the run writes nothing.
        missing = [p for p in (self.path.parent, *self.path.parent.parents) if not p.exists()]
        self.made = missing[::-1]
        _mkdir(self.path.parent)
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise OutputError(
                    key="err_lock", path=str(self.folder), reason=exc.strerror
                ) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _describe(os.read(fd, 4096))
                os.close(fd)
                raise PlanBusyError(
                    key="err_plan_busy", path=str(self.folder), holder=holder
                ) from None
            # The holder before us may have removed the file as it let go: lock the file
            # that is there now.
            if _same_file(fd, self.path):
                break
            os.close(fd)
        previous = os.read(fd, 4096)
        if previous.strip():
            self.taken_over = _describe(previous)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(["gxnet", *sys.argv[1:]]),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.fd is not None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self.fd)  # closing releases the flock
        self.fd = None
        for folder in reversed(self.made):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty


def _same_file(fd: int, path: Path) -> bool:
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (held.st_dev, held.st_ino)


def _describe(raw: bytes) -> Phrase:
    """The holder a lock file names, in words."""
    try:
        record = json.loads(raw.decode("utf-8"))
        return Phrase(
            "lock_holder",
            pid=record["pid"],
            host=record["host"],
            since=record["started_utc"],
            command=record["command"],
        )
    except (ValueError, KeyError, TypeError):
        return Phrase("lock_holder_unknown")


class _Stopping:
    """What a stop signal says: whether the unit's new outputs were already in place."""

    committed = False


def _stop(signum: int, frame: object) -> None:
    name = signal.Signals(signum).name
    key = "err_stopped_after" if _Stopping.committed else "err_stopped"
    raise Stopped(signum=signum, key=key, signal=name)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise Stopped while the block runs (main thread only: signal
    handlers cannot be set elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _Stopping.committed = False
    previous = {s: signal.signal(s, _stop) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs; they are delivered after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def load_plan(folder: str | os.PathLike[str]) -> Plan:
    """:meth:`Plan.load`, for a folder that may be mid-switch: a journal left by a stopped
    run is completed first when no other run holds the unit."""
    unit = OutputUnit.of_folder(folder)
    if unit.journal_path.is_file():
        with contextlib.suppress(OutputError), _Lock(unit.lock_path, unit.folder):
            unit.recover()
    return Plan.load(folder)
