"""Progress of a run on stderr: one bar per stage on a terminal, plain lines anywhere else.

:class:`Progress` is what :func:`gxnet.pipeline.optimize_city` reports its stages to. On a
terminal each stage is a ``tqdm`` bar that names the stage and moves on its own: a stage with a
time budget (the model stage: ``--time-limit``) shows elapsed against the limit and the time
left; a stage with a count of steps (the outputs: plan, map, workbook) shows the steps done and
tqdm's estimate of the time left; any other stage shows its elapsed time. A small thread redraws
the bar twice a second, so it moves while the solver works. When stderr is not a terminal (a
log file, a pipe, a test) there are no bars: one line when a stage starts, its detail lines,
and one line with its time when it ends.

The words come from the message catalogue (:mod:`gxnet._messages`) in the language given.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

from gxnet._messages import language, text

#: Seconds between redraws of a bar while its stage runs.
REDRAW_S = 0.5


class Stage:
    """A running stage: :meth:`step` advances a stage that counts steps."""

    def __init__(self, bar: tqdm | None) -> None:
        self._bar = bar

    def step(self, n: int = 1) -> None:
        """Count ``n`` steps of the stage done."""
        if self._bar is not None:
            self._bar.update(n)


class Progress:
    """Reports stages and detail lines on ``stream`` (default stderr).

    Parameters
    ----------
    lang
        "zh" or "en" (default: the console's language, :func:`gxnet._messages.language`).
    stream
        Where to write; default ``sys.stderr``.
    bars
        Draw bars; default: when ``stream`` is a terminal.
    """

    def __init__(
        self, lang: str | None = None, stream: TextIO | None = None, bars: bool | None = None
    ) -> None:
        self.lang = lang or language()
        self.stream = stream if stream is not None else sys.stderr
        self.bars = _is_terminal(self.stream) if bars is None else bars
        self.count = 0

    def say(self, line: str) -> None:
        """A detail line under the current stage."""
        self.write(f"    {line}")

    def note(self, message: str) -> None:
        """A line that stands out (a fallback the planner must know of)."""
        self.say(text("summary_note", self.lang, note=message))

    @contextmanager
    def stage(
        self, key: str, *, budget_s: float | None = None, steps: int | None = None
    ) -> Iterator[Stage]:
        """Report the stage ``key`` (a ``stage_<key>`` message) while the block runs.

        Parameters
        ----------
        key
            The stage's name: ``area``, ``demand``, ``sites``, ``networks``, ``costs``,
            ``model``, ``plan`` or ``outputs``.
        budget_s
            The stage's time budget in seconds (the bar shows elapsed of it and the time left).
        steps
            The number of steps of the stage (advanced with :meth:`Stage.step`).
        """
        self.count += 1
        label = f"[{self.count}] {text(f'stage_{key}', self.lang)}"
        tic = time.perf_counter()
        if not self.bars:
            limit = (
                f" ({text('progress_limit', self.lang)} {_seconds(budget_s, self.lang)})"
                if budget_s
                else ""
            )
            self.write(f"{label} ...{limit}")
            yield Stage(None)
            self.say(text("progress_done", self.lang, seconds=time.perf_counter() - tic))
            return
        size = shutil.get_terminal_size((100, 24))
        bar = tqdm(
            total=budget_s if budget_s else steps,
            desc=label,
            file=self.stream,
            leave=True,
            # A terminal that reports no size (a bare pseudo-terminal) gets the usual 100 x 24.
            ncols=size.columns,
            nrows=size.lines,
            bar_format=_bar_format(budget_s, steps, self.lang),
            mininterval=REDRAW_S,
        )
        stop = threading.Event()
        ticker = threading.Thread(
            target=_redraw, args=(bar, stop, tic, budget_s is not None), daemon=True
        )
        ticker.start()
        try:
            yield Stage(bar if steps and not budget_s else None)
        finally:
            stop.set()
            ticker.join()
            if budget_s:
                bar.n = min(time.perf_counter() - tic, budget_s)
            bar.refresh()
            bar.close()

    def write(self, line: str) -> None:
        """A line as it is (``tqdm.write`` keeps a running bar below it instead of breaking
        through it)."""
        tqdm.write(line, file=self.stream)


def _redraw(bar: tqdm, stop: threading.Event, tic: float, timed: bool) -> None:
    """Move a timed bar to the elapsed seconds, or just redraw it, until ``stop`` is set."""
    while not stop.wait(REDRAW_S):
        if timed:
            bar.n = min(time.perf_counter() - tic, bar.total)
        bar.refresh()


def _bar_format(budget_s: float | None, steps: int | None, lang: str) -> str:
    left = text("progress_left", lang)
    if budget_s:
        limit = text("progress_limit", lang)
        return (
            "{desc}: {percentage:3.0f}%|{bar}| {elapsed} / " + f"{limit} {budget_s:g}s, "
            f"{left} " + "{remaining}"
        )
    if steps:
        return "{desc}: {n_fmt}/{total_fmt} |{bar}| {elapsed}, " + f"{left} " + "{remaining}"
    return "{desc}: {elapsed}"


def _seconds(value: float | None, lang: str) -> str:
    return text("seconds_value", lang, value=float(value or 0))


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
