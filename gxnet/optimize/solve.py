"""Run a PuLP model on HiGHS or CBC, check what came back, and say honestly what it is.

Status rules (the project's contract):

- ``"optimal"``: the plan is proven optimal: its objective and a valid bound lie within a
  relative gap of :data:`PROVEN_GAP` (1e-6). A solver stopped at the planner's gap (1 % by
  default) reports "optimal" to us; we do not repeat it.
- ``"feasible"``: a plan exists; ``bound`` and ``gap`` say how far from the best possible it may
  be ("within 0.98 % of the best possible").
- ``"infeasible"``: the solver proved that no solution exists.
- ``"no solution"``: the run stopped without any solution (only a model without a heuristic
  incumbent can end so; the planner's models always have one).

Every answer is checked before it is reported (:meth:`LocationModel.solve`): the plan is feasible
in the model's own terms, the objective the solver claimed equals the plan's, recomputed
(:func:`check_claim`), and the bound never crosses the objective; a failure raises
:class:`~gxnet._errors.SolverError` naming the model.

HiGHS is reached through highspy directly: the PuLP model is converted in one pass into a
row-wise sparse matrix (PuLP's own ``HiGHS`` class adds rows one call at a time and cannot pass
a starting solution), and the MIP dual bound and gap are read from ``Highs.getInfo()``. CBC runs
as a subprocess on an MPS file that HiGHS writes from the same matrix (:func:`_solve_cbc`); it is
interrupted, then killed, at the stage's deadline, and its bound is read from its log.
Both stop on a node limit (:attr:`gxnet.config.SolverOptions.max_nodes`) before the clock, so
that a re-run gives the same plan.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

import cbcbox
import numpy as np
import pandas as pd
import pulp
import scipy.sparse

from gxnet._errors import SolverError
from gxnet.config import SolverOptions
from gxnet.optimize.budget import TimeBudget, TimeUp, stage_budget
from gxnet.optimize.problem import Pairs, Problem
from gxnet.tiers import Tier

T = TypeVar("T")


#: A plan is called optimal only when its objective and a proven bound lie this close
#: (relative gap); any larger gap is said as "within X % of the best possible".
PROVEN_GAP = 1e-6
#: Relative tolerance of the checks of a solver's answer (claimed objective against the plan's,
#: bound against objective).
CHECK_TOLERANCE = 1e-6


@dataclass(frozen=True)
class SolverRun:
    """What one solver run returned (variable values are left on the PuLP variables)."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    solve_time_s: float
    solver: str
    #: Seconds spent handing the model to the solver (HiGHS: the bulk conversion; CBC writes
    #: its file inside the solve time).
    load_time_s: float = 0.0
    #: The solver stopped on the clock (its time limit, or killed at the deadline), not on its
    #: gap or node limit.
    stopped_on_time: bool = False


@dataclass
class Solution:
    """A model's answer, in the planner's ids.

    Attributes
    ----------
    status : {"optimal", "feasible", "infeasible", "no solution"}
        "optimal" only for a proven optimum (gap within :data:`PROVEN_GAP`).
    objective : float or None
        Objective of the returned plan, in the model's units, recomputed from the plan.
    bound : float or None
        Best proven bound on the optimum (lower bound when minimising, upper when maximising).
    gap : float or None
        ``|objective - bound| / max(|objective|, 1e-9)``; None without a bound.
    open_sites : dict[str, list]
        Ids of the open sites per tier (existing and required included).
    assignments : dict[str, pandas.DataFrame]
        Per tier: columns ``origin_id`` (demand id for the first tier), ``site_id``, ``cost``,
        ``share`` (fraction of the origin's weight sent there; 1 for single assignment).
    build_time_s, solve_time_s : float
        Seconds spent building the model (heuristics, reductions, PuLP rows and the hand-over
        to the solver) and in the solver.
    solver : str
        ``"highs"`` or ``"cbc"``.
    model : str
        The model's name, e.g. ``"p-median"``.
    metrics : dict[str, float]
        Model-specific figures, e.g. ``covered_weight``, ``coverage_share``.
    sense : {"min", "max"}
        Whether the objective is minimised (the bound is a lower bound) or maximised.
    objective_name : str
        What the objective counts, in a planner's words (``"households covered"``).
    time_limited : bool
        The clock, not a limit of work, stopped some step: a re-run may give another plan.
    parts : dict[str, Solution]
        For a plan solved tier by tier, each tier's own solution (the bounds are per tier).
    """

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    open_sites: dict[str, list] = field(default_factory=dict)
    assignments: dict[str, pd.DataFrame] = field(default_factory=dict)
    build_time_s: float = 0.0
    solve_time_s: float = 0.0
    solver: str = ""
    model: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    sense: str = "min"
    objective_name: str = "cost"
    time_limited: bool = False
    parts: dict[str, Solution] = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        """True when sites and assignments are available (optimal or feasible)."""
        return self.status in ("optimal", "feasible")

    def quality(self) -> dict[str, Any]:
        """What a plan records of its solve: status, objective, bound, gap, sense, what the
        objective counts, whether the clock cut it short, and each tier's own for a plan
        solved tier by tier (see :func:`gxnet._messages.status_words`)."""
        figures: dict[str, Any] = {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "sense": self.sense,
            "objective_name": self.objective_name,
            "time_limited": bool(
                self.time_limited or any(p.time_limited for p in self.parts.values())
            ),
        }
        if self.parts:
            figures["tiers"] = {
                str(tier): {k: v for k, v in part.quality().items() if k != "tiers"}
                for tier, part in self.parts.items()
            }
        return figures

    def settle(self) -> Self:
        """Set ``gap`` from objective and bound, and the status from the gap: "optimal" only
        within :data:`PROVEN_GAP`. Returns the solution."""
        if self.has_solution:
            self.gap = relative_gap(self.objective, self.bound)
            proven = self.gap is not None and self.gap <= PROVEN_GAP * (1 + 1e-9)
            self.status = "optimal" if proven else "feasible"
        return self


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1e-9)``, or None when either is missing."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def _close(a: float, b: float, tolerance: float = CHECK_TOLERANCE) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def check_claim(model: str, claimed: float | None, actual: float, *, proven: bool) -> None:
    """Refuse a solver's answer whose claimed objective is not its plan's.

    ``actual`` is the plan's objective recomputed in the solved model's own terms. A claim that
    differs raises; a claim below a maximised (above a minimised) plan is allowed only when the
    solver did not call it optimal, since an incumbent's continuous part may be unpolished
    (callers pass the difference's sign through ``claimed`` and ``actual`` as values of a
    maximisation; use :func:`check_claim_min` for a minimisation).

    Raises
    ------
    SolverError
        Naming the model, the claim and the plan's value.
    """
    if claimed is None or _close(claimed, actual) or (claimed < actual and not proven):
        return
    raise SolverError(
        f"{model}: the solver reported an objective of {claimed:,.6g} but its plan evaluates to "
        f"{actual:,.6g}; the answer is not trusted (re-run, or try the other --solver)"
    )


def check_claim_min(model: str, claimed: float | None, actual: float, *, proven: bool) -> None:
    """:func:`check_claim` for a minimised objective."""
    check_claim(model, None if claimed is None else -claimed, -actual, proven=proven)


def check_bound(model: str, solution: Solution) -> None:
    """The rule that holds for every reported answer: the bound never crosses the objective.

    Raises
    ------
    SolverError
        When a lower bound lies above the objective (an upper bound below it, maximising).
    """
    objective, bound = solution.objective, solution.bound
    if objective is None or bound is None or not math.isfinite(bound):
        return
    crossed = bound > objective if solution.sense == "min" else bound < objective
    if crossed and not _close(bound, objective):
        raise SolverError(
            f"{model}: the proven bound {bound:,.6g} lies on the wrong side of the plan's "
            f"objective {objective:,.6g} ({solution.sense}imising): a solver's claim of "
            "optimality was false or a bound is wrong; the answer is not trusted"
        )


def solve_pulp(
    prob: pulp.LpProblem,
    options: SolverOptions | None = None,
    *,
    highs_options: dict[str, object] | None = None,
    budget: TimeBudget | None = None,
) -> SolverRun:
    """Solve a PuLP problem with the chosen solver, check its answer, report an honest status.

    Variables' ``varValue`` are set as after ``prob.solve()``. When ``options.warm_start`` is
    true and every variable has a value set with ``setInitialValue``, that start is passed on.
    The returned values are checked against every row, bound and integrality of the model, and
    the reported objective against the values; either failing raises SolverError.

    Parameters
    ----------
    prob : pulp.LpProblem
    options : SolverOptions, optional
    highs_options : dict, optional
        Extra HiGHS options a model knows to help (ignored by CBC), e.g.
        ``{"mip_heuristic_effort": 0.0}`` when the model already holds a strong incumbent.
    budget : TimeBudget, optional
        The stage's budget: the solver's time limit is what is left of it, and CBC is stopped
        at its deadline. Default: a budget of ``options.time_limit_s``.

    Returns
    -------
    SolverRun

    Raises
    ------
    SolverError
        When the solver itself fails, or its answer breaks the model or its own objective.
    TimeUp
        When the budget runs out while the model is handed over (the caller answers with its
        incumbent).
    """
    options = options or SolverOptions()
    budget = stage_budget(options.time_limit_s, budget)
    load_start = time.perf_counter()
    variables = prob.variables()
    rows = sparse_rows(prob, variables, budget)
    start = [v.varValue for v in variables]
    warm = options.warm_start and bool(variables) and all(value is not None for value in start)
    start_values = np.asarray(start, dtype=np.float64) if warm else None
    load_time = time.perf_counter() - load_start
    if options.name == "highs":
        run, values = _solve_highs(
            prob.name, rows, options, budget, highs_options or {}, start_values
        )
    else:
        run, values = _solve_cbc(prob.name, rows, options, budget, start_values)
    run = SolverRun(**{**run.__dict__, "load_time_s": run.load_time_s + load_time})
    if run.stopped_on_time:
        budget.mark_cut()
    if values is not None:
        if not rows.satisfied_by(values):
            raise SolverError(
                f"{options.name} returned a solution of model {prob.name!r} that breaks its own "
                "rows or bounds; the answer is not trusted (try the other --solver)"
            )
        for variable, value in zip(variables, values.tolist(), strict=True):
            variable.varValue = value
    prob.assignStatus(*_PULP_STATUS[run.status])
    return run


#: PuLP's (status, sol_status) for each honest status.
_PULP_STATUS = {
    "optimal": (pulp.LpStatusOptimal, pulp.LpSolutionOptimal),
    "feasible": (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible),
    "infeasible": (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    "no solution": (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound),
}

# ---- HiGHS ------------------------------------------------------------------------------


def _silent(make: Callable[[], T]) -> T:
    """Call ``make`` with the process's standard output (file descriptor 1) sent nowhere.

    HiGHS prints its banner from its constructor, before any option can silence it, and from
    C++, past Python's ``sys.stdout``; it would land in the middle of the summary that
    ``gxnet optimize`` prints to standard output.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def quiet_highs():  # -> highspy.Highs
    """A HiGHS object that prints nothing, for gxnet's own LPs and MIPs (bounds, heuristics).

    It asks for no thread count of its own, so it runs on whatever pool the solve sized
    (:func:`size_thread_pool`): HiGHS sizes one thread pool per process, and a run that asks
    for another explicit count than the pool's fails (a single-threaded heuristic after a
    default solve in the same process would).
    """
    import highspy

    h = _silent(highspy.Highs)
    h.setOptionValue("output_flag", False)
    return h


def size_thread_pool(threads: int | None) -> None:
    """Size HiGHS's process-wide thread pool to ``threads`` (None: HiGHS's default).

    A solve calls it first, so that gxnet's own LPs and MIPs (:func:`quiet_highs`), which run
    before the solver and ask for no count, keep to the solve's ``threads`` too (else a heuristic's
    MIPs would run on every core where ``threads=1`` asked for one).
    """
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
    if threads is not None:
        # The pool is built by the first run after a reset, at that run's count.
        h = quiet_highs()
        h.setOptionValue("threads", int(threads))
        run_highs(h)


def highs_lp(
    matrix: scipy.sparse.csc_matrix,
    cost: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    lower: np.ndarray | None = None,
):  # -> highspy.HighsLp
    """A HiGHS LP ``min cost x, row_lower <= A x <= row_upper, lower <= x <= upper`` from a
    column-wise sparse ``A`` (``lower`` default 0)."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(matrix.shape[1]) if lower is None else lower
    lp.col_upper_ = upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.a_matrix_.num_row_, lp.a_matrix_.num_col_ = matrix.shape
    return lp


def run_highs(h) -> None:
    """Run ``h``; a HiGHS error (not an infeasible or stopped model) raises SolverError, so
    that a failure is never read as "infeasible"."""
    import highspy

    if h.run() == highspy.HighsStatus.kError:
        raise SolverError(key="err_highs_internal")


def _solve_highs(
    name: str,
    rows: SparseRows,
    options: SolverOptions,
    budget: TimeBudget,
    extra: dict[str, object],
    start: np.ndarray | None,
) -> tuple[SolverRun, np.ndarray | None]:
    """Solve ``rows`` with HiGHS; the run and the values (None without a solution)."""
    import highspy

    load_start = time.perf_counter()
    h = highspy.Highs() if options.msg else _silent(highspy.Highs)
    h.setOptionValue("output_flag", bool(options.msg))
    h.setOptionValue("mip_rel_gap", float(options.gap))
    h.setOptionValue("random_seed", int(options.seed))
    if options.node_limit() is not None:
        h.setOptionValue("mip_max_nodes", options.node_limit())
    size_thread_pool(options.threads)
    if start is not None:
        # HiGHS may map a MIP start into its presolved model wrongly: the start is then taken
        # at a lower value than its own, every better node is pruned, and "optimal" is said at
        # a value below the true optimum. Without presolve the start is taken as it is; the
        # models that pass one have already removed what presolve would.
        h.setOptionValue("presolve", "off")
    for key, value in extra.items():
        h.setOptionValue(key, value)
    h.passModel(rows_lp(rows))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = start.tolist()
        h.setSolution(solution)
    limit = budget.solver_limit()
    if limit is not None:
        h.setOptionValue("time_limit", float(limit))
    tic = time.perf_counter()
    load_time = tic - load_start
    run_status = h.run()
    elapsed = time.perf_counter() - tic
    if run_status == highspy.HighsStatus.kError:
        raise SolverError(
            key="err_highs_failed",
            model=name,
            status=h.modelStatusToString(h.getModelStatus()),
        )
    model_status = h.getModelStatus()
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    kind = highspy.HighsModelStatus
    if model_status == kind.kOptimal:
        status = "optimal"
    elif model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        status = "infeasible"
    elif has_primal:
        status = "feasible"
    else:
        status = "no solution"
    on_time = model_status == kind.kTimeLimit
    objective = bound = gap = values = None
    if status in ("optimal", "feasible"):
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        # The objective constant stays out of HiGHS (no offset to carry through presolve), and
        # the reported objective must match the returned solution, or the run is not trusted.
        objective = float(info.objective_function_value) + rows.constant
        computed = float(rows.cost @ values) + rows.constant
        if not _close(computed, objective):
            raise SolverError(
                key="err_highs_objective", model=name, objective=objective, computed=computed
            )
        bound = float(info.mip_dual_bound) + rows.constant if rows.integer.any() else objective
        if not math.isfinite(bound):
            bound = None
        gap = relative_gap(objective, bound)
    run = SolverRun(status, objective, bound, gap, elapsed, "highs", load_time, on_time)
    return run, values


def rows_lp(rows: SparseRows, *, minimise: bool = False):  # -> highspy.HighsLp
    """The model as a HighsLp with a row-wise sparse matrix (with ``minimise``, a maximised
    objective is negated so that the LP minimises)."""
    import highspy

    lp = highspy.HighsLp()
    n_cols = len(rows.cost)
    lp.num_col_ = n_cols
    lp.col_cost_ = -rows.cost if (minimise and rows.maximise) else rows.cost
    lp.col_lower_ = rows.col_lower  # infinite bounds as np.inf, which is kHighsInf
    lp.col_upper_ = rows.col_upper
    if rows.maximise and not minimise:
        lp.sense_ = highspy.ObjSense.kMaximize
    lp.num_row_ = rows.matrix.shape[0]
    lp.row_lower_ = rows.row_lower
    lp.row_upper_ = rows.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = rows.matrix.shape[0]
    lp.a_matrix_.start_ = rows.matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = rows.matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = rows.matrix.data
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if integer else highspy.HighsVarType.kContinuous
        for integer in rows.integer.tolist()
    ]
    return lp


@dataclass(frozen=True)
class SparseRows:
    """A PuLP model as arrays: ``row_lower <= matrix @ x <= row_upper`` within column bounds,
    objective ``cost @ x + constant`` (maximised when ``maximise``)."""

    cost: np.ndarray
    matrix: scipy.sparse.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    constant: float = 0.0
    maximise: bool = False

    def satisfied_by(self, values: np.ndarray, tolerance: float = 1e-6) -> bool:
        """Whether ``values`` meet every row, bound and integrality within ``tolerance``
        (relative to the size of each row's terms, as a solver's feasibility tolerance is)."""
        activity = self.matrix @ values
        size = np.maximum(1.0, abs(self.matrix) @ np.abs(values))

        def within(low: np.ndarray, value: np.ndarray, high: np.ndarray, scale) -> bool:
            slack = 10 * tolerance * scale
            return bool(np.all(value >= low - slack) and np.all(value <= high + slack))

        integral = np.abs(values[self.integer] - np.round(values[self.integer])) <= 10 * tolerance
        return (
            within(self.row_lower, activity, self.row_upper, size)
            and within(self.col_lower, values, self.col_upper, np.maximum(1.0, np.abs(values)))
            and bool(integral.all())
        )


def sparse_rows(
    prob: pulp.LpProblem, variables: list[pulp.LpVariable], budget: TimeBudget | None = None
) -> SparseRows:
    """The model's objective, rows and bounds as arrays in one pass over its constraints
    (checking ``budget`` as it goes: a large model takes seconds)."""
    index = {id(v): i for i, v in enumerate(variables)}
    cost = np.zeros(len(variables))
    for variable, coefficient in prob.objective.items():
        cost[index[id(variable)]] = coefficient
    constraints = prob.constraints()
    starts = np.zeros(len(constraints) + 1, dtype=np.int64)
    columns: list[int] = []
    values: list[float] = []
    lower = np.full(len(constraints), -np.inf)
    upper = np.full(len(constraints), np.inf)
    rows = enumerate(constraints) if budget is None else budget.checked(enumerate(constraints))
    for row, constraint in rows:
        for variable, coefficient in constraint.items():
            columns.append(index[id(variable)])
            values.append(coefficient)
        starts[row + 1] = len(columns)
        rhs = -constraint.constant
        if constraint.sense != pulp.LpConstraintLE:
            lower[row] = rhs
        if constraint.sense != pulp.LpConstraintGE:
            upper[row] = rhs
    matrix = scipy.sparse.csr_array(
        (np.asarray(values, dtype=np.float64), np.asarray(columns, dtype=np.int64), starts),
        shape=(len(constraints), len(variables)),
    )
    return SparseRows(
        cost=cost,
        matrix=matrix,
        row_lower=lower,
        row_upper=upper,
        col_lower=np.array([-np.inf if v.lowBound is None else v.lowBound for v in variables]),
        col_upper=np.array([np.inf if v.upBound is None else v.upBound for v in variables]),
        integer=np.array([v.cat == pulp.LpInteger for v in variables], dtype=bool),
        constant=float(prob.objective.constant),
        maximise=prob.sense == pulp.LpMaximize,
    )


# ---- CBC --------------------------------------------------------------------------------

_CBC_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
#: Seconds CBC gets after an interrupt at the deadline to write its best solution, before it
#: is killed.
CBC_GRACE_S = 1.0


def cbc_path() -> str:
    """The CBC binary: the one bundled with PuLP 3, else the one the cbcbox package ships.

    PuLP 4 no longer bundles CBC. PuLP 3's bundled build is preferred while it exists: it takes
    a starting solution at once, where cbcbox's build may need a few seconds more.
    """
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    path = getattr(bundled, "pulp_cbc_path", None)
    if path is not None and os.access(path, os.X_OK):
        return str(path)
    return cbcbox.cbc_bin_path()


def _solve_cbc(
    name: str,
    rows: SparseRows,
    options: SolverOptions,
    budget: TimeBudget,
    start: np.ndarray | None,
) -> tuple[SolverRun, np.ndarray | None]:
    """Solve ``rows`` with CBC in a subprocess that the deadline interrupts, then kills.

    The model goes to CBC as an MPS file that HiGHS writes from the same arrays (always
    minimising: a maximised objective is negated, and its values negated back).
    """
    sign = -1.0 if rows.maximise else 1.0
    with tempfile.TemporaryDirectory(prefix="gxnet-cbc-") as folder:
        folder_path = Path(folder)
        mps, mst = folder_path / "model.mps", folder_path / "start.mst"
        sol, log_path = folder_path / "model.sol", folder_path / "cbc.log"
        h = quiet_highs()
        h.passModel(rows_lp(rows, minimise=True))
        h.writeModel(str(mps))
        args = [cbc_path(), str(mps)]
        if start is not None:
            lines = [f"{k:>7} c{k} {value:>15.12g} 0" for k, value in enumerate(start.tolist())]
            mst.write_text("Stopped on time - objective value 0\n" + "\n".join(lines) + "\n")
            args += ["-mips", str(mst)]
        limit = budget.solver_limit()
        if limit is not None:
            args += ["-sec", f"{max(limit, 0.01):.3f}"]
        args += ["-ratio", f"{options.gap:g}", "-randomCbcSeed", str(options.seed + 1)]
        args += ["-randomSeed", str(options.seed + 1)]
        if options.node_limit() is not None:
            args += ["-maxNodes", str(options.node_limit())]
        if options.threads is not None:
            args += ["-threads", str(int(options.threads))]
        args += ["-solve" if rows.integer.any() else "-initialSolve", "-solution", str(sol)]
        tic = time.perf_counter()
        with open(log_path, "w") as log_file:
            process = subprocess.Popen(
                args, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
            killed = _wait_or_stop(process, budget)
        elapsed = time.perf_counter() - tic
        log = log_path.read_text(errors="replace")
        first = ""
        values = None
        # A MIP run that got as far as branch and bound ends its log with "Result - ...";
        # stopped before (in its first LP), CBC writes the LP's last iterate as if it were a
        # solution, which it is not.
        finished = "Result -" in log or not rows.integer.any()
        if sol.is_file() and not killed:
            text = sol.read_text(errors="replace").splitlines()
            first = text[0] if text else ""
            values = _cbc_values(text[1:], len(rows.cost)) if finished else None
    if options.msg:
        print(log)
    if process.returncode not in (0, -signal.SIGINT) and not killed and values is None:
        raise SolverError(f"CBC failed on model {name!r} (exit code {process.returncode})")
    status = _cbc_status(first, log, limit, values is not None)
    on_time = killed or first.startswith("Stopped on time") or "ctrl-c" in first.lower()
    if status in ("infeasible", "no solution") and start is not None and rows.satisfied_by(start):
        # CBC stopped by its limit before it took the start returns nothing, and stopped in
        # the middle of preprocessing it says "infeasible". A start that meets every row is a
        # solution all the same: the run found none better.
        values, status = start.copy(), "feasible"
    objective = bound = gap = None
    if values is not None and status in ("optimal", "feasible"):
        objective = float(rows.cost @ values) + rows.constant
        found = re.findall(r"Lower bound:\s*" + _CBC_NUMBER, log) or re.findall(
            r"Continuous objective value is\s*" + _CBC_NUMBER, log
        )
        if status == "optimal":
            # CBC says optimal once within its -ratio gap: the bound is the gap's edge unless
            # the log names a better one.
            slack = options.gap * abs(objective - rows.constant)
            bound = objective + slack if rows.maximise else objective - slack
        if found:
            logged = sign * float(found[-1]) + rows.constant
            bound = (
                logged
                if bound is None
                else (min(bound, logged) if rows.maximise else max(bound, logged))
            )
        if bound is not None:
            bound = max(bound, objective) if rows.maximise else min(bound, objective)
        gap = relative_gap(objective, bound)
    else:
        values = None
    return SolverRun(status, objective, bound, gap, elapsed, "cbc", 0.0, on_time), values


def _wait_or_stop(process: subprocess.Popen, budget: TimeBudget) -> bool:
    """Wait for CBC; at the deadline interrupt it (it then writes its best solution), and kill
    it when it has not ended :data:`CBC_GRACE_S` later. True when it had to be killed."""
    left = budget.seconds_left()
    try:
        process.wait(timeout=None if math.isinf(left) else left + 0.2)
        return False
    except subprocess.TimeoutExpired:
        budget.mark_cut()
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=CBC_GRACE_S)
        return False
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True


def _cbc_values(lines: list[str], n: int) -> np.ndarray:
    """Column values from a CBC solution file (columns named ``c<k>``; absent ones are 0)."""
    values = np.zeros(n)
    for line in lines:
        parts = line.split()
        if parts and parts[0] == "**":
            parts = parts[1:]
        if len(parts) >= 3 and parts[1].startswith("c") and parts[1][1:].isdigit():
            values[int(parts[1][1:])] = float(parts[2])
    return values


def _cbc_status(first: str, log: str, time_limit_s: float | None, has_values: bool) -> str:
    """The honest status of a CBC run from its solution file's first line and its log.

    CBC 2.10 cut short by its time limit during preprocessing reports "Pre-processing says
    infeasible": an infeasibility claimed once the limit has passed is not a proof.
    """
    word = first.split()[0] if first.split() else ""
    if "no integer solution" in first:
        return "no solution"  # the values are the LP relaxation's
    if word == "Optimal" and has_values:
        return "optimal"
    if word in ("Infeasible", "Integer"):
        wall = re.findall(r"Wallclock seconds\):\s*" + _CBC_NUMBER, log)
        if time_limit_s is None or (wall and float(wall[-1]) < time_limit_s):
            return "infeasible"
        return "no solution"
    if word == "Stopped" and "objective value" in first and has_values:
        return "feasible"
    return "no solution"


# ---- models -----------------------------------------------------------------------------


class LocationModel(ABC):
    """A facility-location model built on a :class:`Problem`'s sparse pairs.

    Subclasses build a PuLP model in :meth:`build` and read it back in :meth:`read`; a model
    with a strategy of its own (heuristics and bounds first) overrides :meth:`run`.
    :meth:`solve` runs it and checks the answer before it is reported: :meth:`verify` (the plan
    is feasible in the model's own terms and its objective is recomputed from it), the bound on
    the right side of the objective, never worse than the model's own heuristic incumbent; then
    the status follows the gap ("optimal" only when proven).
    """

    #: Short name used in Solution.model and benchmark tables.
    name: ClassVar[str] = ""
    #: "min" or "max".
    sense: ClassVar[str] = "min"
    #: What the objective counts, in a planner's words.
    objective_name: ClassVar[str] = "cost"

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        #: HiGHS options the model sets for itself after building (see solve_pulp).
        self.highs_options: dict[str, object] = {}

    @classmethod
    def from_problem(cls, problem: Problem, *args: Any, **options: Any) -> Self:
        """The model on ``problem``'s data and targets; ``args`` and ``options`` as in the
        model's class parameters (``p``, ``radius``, ``heuristic``, ...)."""
        return cls(problem, *args, **options)

    @abstractmethod
    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        """Build the PuLP model (with a warm start set on its variables if any); heuristics
        run while building draw on ``budget`` (default: one of ``options.time_limit_s``)."""

    @abstractmethod
    def read(self, run: SolverRun) -> Solution:
        """Turn the solved PuLP model into a Solution (sites, assignments, metrics)."""

    @abstractmethod
    def verify(self, solution: Solution) -> float:
        """Check that the plan is feasible in the model's own terms and return its objective
        recomputed from the plan; raise SolverError naming what is broken."""

    def incumbent_solution(self) -> Solution | None:
        """The model's heuristic plan (with its bound) when it has one, for a run that the
        clock stops before the solver answers."""
        return None

    def incumbent_objective_value(self) -> float | None:
        """Objective of the model's heuristic incumbent, when it has one."""
        return None

    def solve(
        self, options: SolverOptions | None = None, budget: TimeBudget | None = None
    ) -> Solution:
        """Run the model, check its answer and settle its status.

        Parameters
        ----------
        options : SolverOptions, optional
        budget : TimeBudget, optional
            The stage's time budget, which building and the solver draw on; default: a budget
            of ``options.time_limit_s`` started now.

        Returns
        -------
        Solution

        Raises
        ------
        SolverError
            When the answer is not a feasible plan of the model, its objective is not the
            plan's, its bound crosses it, or it is worse than the model's own incumbent.
        """
        options = options or SolverOptions()
        budget = stage_budget(options.time_limit_s, budget)
        size_thread_pool(options.threads)
        solution = self.run(options, budget)
        solution.sense, solution.objective_name = self.sense, self.objective_name
        solution.time_limited = solution.time_limited or budget.cut
        if solution.has_solution:
            self.certify(solution)
        return solution

    def certify(self, solution: Solution) -> None:
        """The checks of :meth:`solve` on an answer with a plan (see there); sets its
        objective to the recomputed one and its status from the gap."""
        value = self.verify(solution)
        name = solution.model or self.name
        if solution.objective is not None and not _close(value, solution.objective):
            raise SolverError(
                f"{name}: the answer's objective {solution.objective:,.6g} is not its plan's "
                f"{value:,.6g}; the answer is not trusted"
            )
        solution.objective = value
        check_bound(name, solution)
        known = self.incumbent_objective_value()
        if known is not None:
            worse = value < known if self.sense == "max" else value > known
            if worse and not _close(value, known):
                raise SolverError(
                    f"{name}: the answer {value:,.6g} is worse than the plan of {known:,.6g} "
                    "that the model's heuristic found; the answer is not trusted"
                )
        solution.settle()

    def run(self, options: SolverOptions, budget: TimeBudget) -> Solution:
        """Build, solve and read the model (the heuristic incumbent, when the clock runs out
        first)."""
        tic = time.perf_counter()
        try:
            prob = self.build(options, budget)
            build_time = time.perf_counter() - tic
            if budget.expired() and self.incumbent_solution() is not None:
                raise TimeUp
            run = solve_pulp(prob, options, highs_options=self.highs_options, budget=budget)
        except TimeUp:
            return self._timed_out(options, tic)
        solution = self.read(run)
        solution.build_time_s = build_time + run.load_time_s
        solution.solve_time_s = run.solve_time_s
        solution.time_limited = run.stopped_on_time
        return solution

    def _timed_out(self, options: SolverOptions, tic: float) -> Solution:
        """The incumbent, for a run the clock stopped before the solver answered."""
        solution = self.incumbent_solution()
        if solution is None:
            return Solution("no solution", None, None, None, solver=options.name, model=self.name)
        solution.solver = options.name
        solution.build_time_s = time.perf_counter() - tic
        solution.time_limited = True
        return solution


def empty_solution(run: SolverRun, model: str) -> Solution:
    """A Solution without sites, for runs that found none."""
    return Solution(run.status, None, run.bound, None, solver=run.solver, model=model)


def one_tier_solution(
    problem: Problem,
    run: SolverRun,
    model: str,
    open_sites: np.ndarray,
    pairs: Pairs,
    rows: np.ndarray,
    metrics: dict[str, float],
    objective: float,
    bound: float | None = None,
) -> Solution:
    """The Solution of a recycling-point model: open ids, each served unit's pair, metrics.

    ``objective`` is the model's objective recomputed exactly from the chosen sites (the
    solver's value carries its feasibility tolerances); ``bound`` replaces the solver's when the
    model knows a better one (the gap follows it).
    """
    tier = Tier.RECYCLING_POINT
    bound = run.bound if bound is None else bound
    return Solution(
        run.status,
        objective,
        bound,
        relative_gap(objective, bound),
        open_sites={tier: problem.sites[tier].ids[open_sites].tolist()},
        assignments={tier: assignment_frame(problem, tier, pairs, rows)},
        solver=run.solver,
        model=model,
        metrics={"n_open": float(open_sites.sum()), **metrics},
    )


def plan_error(model: str, what: str) -> SolverError:
    """The error of an answer that is not a feasible plan of its model."""
    return SolverError(f"{model}: the answer is not a feasible plan: {what}; it is not trusted")


def check_open_sites(model: str, problem: Problem, tier: Tier, solution: Solution) -> np.ndarray:
    """The boolean mask of the tier's open sites in ``solution``, after checking that they are
    known, distinct, keep every existing and required site and open no excluded one.

    Raises
    ------
    SolverError
    """
    sites = problem.sites[tier]
    ids = list(solution.open_sites.get(tier, []))
    mask = np.isin(sites.ids, ids)
    if len(set(ids)) != len(ids) or int(mask.sum()) != len(ids):
        raise plan_error(model, f"unknown or repeated {tier} ids among the open sites")
    if (sites.kept & ~mask).any():
        raise plan_error(model, f"existing or required {tier}s left closed")
    if (sites.excluded & mask).any():
        raise plan_error(model, f"excluded {tier}s opened")
    return mask


def check_assignments(
    model: str, problem: Problem, tier: Tier, solution: Solution, pairs: Pairs, open_mask
) -> tuple[np.ndarray, np.ndarray]:
    """Pair positions and shares of the tier's assignments, after checking that each is one of
    ``pairs`` (so within the cutoff), to an open site, with a share in (0, 1] and at most a
    whole origin in all.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Positions into ``pairs`` and the shares.

    Raises
    ------
    SolverError
    """
    frame = solution.assignments.get(tier)
    if frame is None or len(frame) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    origin = pd.Index(problem.origin_ids(tier)).get_indexer(frame["origin_id"])
    site = pd.Index(problem.sites[tier].ids).get_indexer(frame["site_id"])
    if (origin < 0).any() or (site < 0).any():
        raise plan_error(model, f"assignments to {tier}s name unknown ids")
    keys = pairs.origin.astype(np.int64) * pairs.n_destinations + pairs.destination
    wanted = origin.astype(np.int64) * pairs.n_destinations + site
    order = np.argsort(keys, kind="stable")
    at = np.searchsorted(keys[order], wanted)
    found = (at < len(keys)) & (keys[order][np.minimum(at, len(keys) - 1)] == wanted)
    if not found.all():
        raise plan_error(model, f"{int((~found).sum())} assignments to {tier}s outside the cutoff")
    if not open_mask[site].all():
        raise plan_error(model, f"{int((~open_mask[site]).sum())} assignments to closed {tier}s")
    share = frame["share"].to_numpy(dtype=np.float64)
    total = np.bincount(origin, weights=share, minlength=pairs.n_origins)
    if (share <= 0).any() or (share > 1 + CHECK_TOLERANCE).any() or (total > 1 + 1e-5).any():
        raise plan_error(model, f"shares of the {tier} assignments outside (0, 1] or above 1")
    return order[at], share


def assignment_frame(
    problem: Problem, tier: Tier, pairs: Pairs, rows: np.ndarray, share: np.ndarray | None = None
) -> pd.DataFrame:
    """Assignments of ``tier`` as a DataFrame of ids from selected pair rows.

    Parameters
    ----------
    problem : Problem
    tier : str
    pairs : Pairs
        The pairs the rows index into.
    rows : numpy.ndarray
        Integer positions (or a boolean mask) into ``pairs``.
    share : numpy.ndarray, optional
        Fraction of each origin's weight on each selected pair (default 1).
    """
    origin = pairs.origin[rows]
    return pd.DataFrame(
        {
            "origin_id": problem.origin_ids(tier)[origin],
            "site_id": problem.sites[tier].ids[pairs.destination[rows]],
            "cost": pairs.cost[rows],
            "share": np.ones(len(origin)) if share is None else np.asarray(share, float),
        }
    )


def site_variables(
    problem: Problem,
    tier: Tier,
    prefix: str = "open",
    prob: pulp.LpProblem | None = None,
) -> list[pulp.LpVariable]:
    """One binary "open" variable per site of ``tier``, bounded by the site's status.

    Existing and required sites get a lower bound of 1, excluded sites an upper bound of 0,
    so that the solver's presolve removes them and no model can forget the rule. With ``prob``
    the variables are created through ``prob.add_variable`` (PuLP 4's way).
    """
    sites = problem.sites[tier]
    lower = sites.kept.astype(int).tolist()
    upper = sites.usable.astype(int).tolist()
    make = pulp.LpVariable if prob is None else prob.add_variable
    return [
        make(f"{prefix}_{j}", lowBound=lower[j], upBound=upper[j], cat="Integer")
        for j in range(sites.n)
    ]


def chosen(variables: list[pulp.LpVariable]) -> np.ndarray:
    """Boolean mask of binary variables set to 1 in the solution."""
    return np.array([(v.varValue or 0.0) > 0.5 for v in variables], dtype=bool)


def origin_sums(pairs: Pairs, variables: list[pulp.LpVariable]) -> list[pulp.LpAffineExpression]:
    """For each origin, the sum of the site variables its pairs reach (empty when none)."""
    destination = pairs.destination.tolist()
    bounds = pairs.indptr.tolist()
    return [
        pulp.LpAffineExpression([(variables[j], 1.0) for j in destination[a:b]])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
