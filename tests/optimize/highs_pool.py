"""Probes of HiGHS's process-wide thread pool, for the tests of how solves size it."""

from __future__ import annotations

from gxnet._errors import SolverError
from gxnet.optimize.solve import quiet_highs, run_highs


def one_column_lp(highs) -> None:
    """min x subject to x >= 2 on ``highs``."""
    highs.addVar(2.0, 10.0)
    highs.changeColCost(0, 1.0)


def runs_with(threads: int) -> bool:
    """Whether a run asking for ``threads`` runs on the process's pool (HiGHS fails a count
    the pool was not sized for)."""
    h = quiet_highs()
    h.setOptionValue("threads", threads)
    one_column_lp(h)
    try:
        run_highs(h)
    except SolverError:
        return False
    return True
