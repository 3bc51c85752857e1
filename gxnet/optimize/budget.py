"""One wall-clock budget for a model stage, kept as a safety net behind deterministic limits.

A planner's time limit (:attr:`gxnet.config.SolverOptions.time_limit_s`) is for the whole model
stage: building the models, their heuristics and bounds, and every solver run of every tier.
The stage starts one :class:`TimeBudget`; each step asks it how long it may run, as a share of
the whole (:meth:`TimeBudget.part`) or all that is left (:meth:`TimeBudget.seconds_left`), and a
solver gets what is left when it starts (:meth:`TimeBudget.solver_limit`). So a step that
overruns leaves less to the steps after it, and no step divides the limit in its own way.

The budget is a safety net, not the way a search ends. Every heuristic and search stops on a
deterministic limit of work (iterations, moves, windows, solver nodes), so that the same inputs
give the same plan on a quiet and on a loaded machine; only when the clock runs out first does a
step stop early. Such a stop is recorded (:attr:`TimeBudget.cut`, shared by a budget and all its
parts), and the plan then says that the time limit cut the search short.

A model's ``solve(options, budget)`` draws on ``budget`` when one is given (the pipeline gives
each tier's model the stage's budget) and starts its own of ``options.time_limit_s`` otherwise.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class TimeUp(Exception):
    """Raised by :meth:`TimeBudget.check` in a long loop (building a model) once the deadline
    has passed; the model then answers with the best plan it already has."""


class TimeBudget:
    """A wall-clock deadline, started when the budget is made.

    Parameters
    ----------
    seconds : float, optional
        Length of the budget; ``None`` for no limit (every question then answers "no limit":
        infinite seconds left, never expired).
    """

    def __init__(self, seconds: float | None = None, *, _root: TimeBudget | None = None) -> None:
        if seconds is not None and not (seconds >= 0):
            raise ValueError(f"a time budget of {seconds} s: give seconds >= 0 or None")
        self.seconds = None if seconds is None else float(seconds)
        self._start = time.perf_counter()
        self._root = self if _root is None else _root
        self._cut = False

    def __repr__(self) -> str:
        if self.seconds is None:
            return "TimeBudget(no limit)"
        return f"TimeBudget({self.seconds:g} s, {self.seconds_left():.3g} s left)"

    @property
    def deadline(self) -> float:
        """The instant (on :func:`time.perf_counter`'s clock) the budget runs out; inf when
        there is no limit."""
        return math.inf if self.seconds is None else self._start + self.seconds

    @property
    def cut(self) -> bool:
        """Whether the clock stopped some step of this budget (or of any part of the stage's
        budget) before its own limit of work did: the answer may then differ from run to run."""
        return self._root._cut

    def mark_cut(self) -> None:
        """Record that the clock, not a limit of work, stopped a step (a solver's time limit)."""
        self._root._cut = True

    def elapsed(self) -> float:
        """Seconds since the budget started."""
        return time.perf_counter() - self._start

    def seconds_left(self) -> float:
        """Seconds until the deadline (0 once it has passed; inf without a limit)."""
        return max(self.deadline - time.perf_counter(), 0.0)

    def expired(self) -> bool:
        """Whether the deadline has passed; a step that stops because of it is recorded as
        cut (:attr:`cut`)."""
        if time.perf_counter() >= self.deadline:
            self.mark_cut()
            return True
        return False

    def check(self) -> None:
        """Raise :class:`TimeUp` once the deadline has passed (for loops that cannot stop half
        way with a usable result, such as building a solver's model)."""
        if self.expired():
            raise TimeUp

    def checked(self, items: Iterable[T], every: int = 1000) -> Iterator[T]:
        """``items``, with :meth:`check` after every ``every`` of them."""
        for count, item in enumerate(items, start=1):
            if count % every == 0:
                self.check()
            yield item

    def part(
        self, share: float = 1.0, *, at_least: float = 0.0, at_most: float | None = None
    ) -> TimeBudget:
        """A budget for one step, starting now (its cut is the stage's).

        Parameters
        ----------
        share : float
            The step's share of this budget's whole length, never more than is left of it.
        at_least : float
            Seconds the step gets even when less is left (a solver needs a moment to return
            the incumbent it was given).
        at_most : float, optional
            A cap on the step's seconds; without a limit on this budget, the step's whole
            length (None: no limit either).

        Returns
        -------
        TimeBudget
        """
        if self.seconds is None:
            return TimeBudget(at_most, _root=self._root)
        seconds = max(min(share * self.seconds, self.seconds_left()), at_least)
        return TimeBudget(seconds if at_most is None else min(seconds, at_most), _root=self._root)

    def solver_limit(self, at_least: float = 0.0) -> float | None:
        """The time limit to hand a solver that starts now: what is left, but at least
        ``at_least`` seconds (or the whole budget, when that is shorter); None when there is no
        limit."""
        if self.seconds is None:
            return None
        return max(self.seconds_left(), min(at_least, self.seconds))


def stage_budget(seconds: float | None, budget: TimeBudget | None = None) -> TimeBudget:
    """``budget`` when a caller gives one, else a new budget of ``seconds`` (a model solved on
    its own is a stage of its own)."""
    return budget if budget is not None else TimeBudget(seconds)
