"""Run a PuLP model on HiGHS or CBC and say honestly what came back.

Status rules (the project's contract):

- ``"optimal"``: the solver *proved* optimality within the gap asked (HiGHS model status
  ``kOptimal``; CBC ``prob.sol_status == LpSolutionOptimal``). PuLP's own ``LpStatus`` is not
  trusted: it says "Optimal" for a CBC run stopped by its time limit.
- ``"feasible"``: an incumbent exists but optimality is not proved (time limit); ``bound`` and
  ``gap`` say how far from proven it may be.
- ``"infeasible"``: the solver proved that no solution exists.
- ``"no solution"``: the run stopped without any solution.

HiGHS is reached through highspy directly: the PuLP model is converted in one pass into a
row-wise sparse matrix (PuLP's own ``HiGHS`` class adds rows one call at a time and cannot pass
a starting solution), and the MIP dual bound and gap are read from ``Highs.getInfo()``. CBC runs
through PuLP's CBC command (:func:`cbc_command`) and its bound and gap are read from its log.
"""

from __future__ import annotations

import math
import os
import re
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
from gxnet.optimize.budget import TimeBudget, stage_budget
from gxnet.optimize.problem import Pairs, Problem
from gxnet.tiers import Tier

T = TypeVar("T")


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


@dataclass
class Solution:
    """A model's answer, in the planner's ids.

    Attributes
    ----------
    status : {"optimal", "feasible", "infeasible", "no solution"}
    objective : float or None
        Objective of the returned solution, in the model's units.
    bound : float or None
        Best proven bound on the optimum (lower bound when minimising, upper when maximising).
    gap : float or None
        ``|objective - bound| / max(|objective|, 1e-9)``; 0 when proven optimal.
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

    @property
    def has_solution(self) -> bool:
        """True when sites and assignments are available (optimal or feasible)."""
        return self.status in ("optimal", "feasible")


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1e-9)``, or None when either is missing."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def solve_pulp(
    prob: pulp.LpProblem,
    options: SolverOptions | None = None,
    *,
    highs_options: dict[str, object] | None = None,
    budget: TimeBudget | None = None,
) -> SolverRun:
    """Solve a PuLP problem with the chosen solver and report an honest status.

    Variables' ``varValue`` are set as after ``prob.solve()``. When ``options.warm_start`` is
    true and every variable has a value set with ``setInitialValue``, that start is passed on.

    Parameters
    ----------
    prob : pulp.LpProblem
    options : SolverOptions, optional
    highs_options : dict, optional
        Extra HiGHS options a model knows to help (ignored by CBC), e.g.
        ``{"mip_heuristic_effort": 0.0}`` when the model already holds a strong incumbent.
    budget : TimeBudget, optional
        The stage's budget: the solver's time limit is what is left of it
        (:meth:`TimeBudget.solver_limit`). Default: a budget of ``options.time_limit_s``.

    Returns
    -------
    SolverRun

    Raises
    ------
    SolverError
        When the solver itself fails.
    """
    options = options or SolverOptions()
    limit = stage_budget(options.time_limit_s, budget).solver_limit()
    if options.name == "highs":
        return _solve_highs(prob, options, limit, highs_options or {})
    return _solve_cbc(prob, options, limit)


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
    prob: pulp.LpProblem,
    options: SolverOptions,
    time_limit_s: float | None,
    extra: dict[str, object],
) -> SolverRun:
    import highspy

    load_start = time.perf_counter()
    variables = prob.variables()
    h = highspy.Highs() if options.msg else _silent(highspy.Highs)
    h.setOptionValue("output_flag", bool(options.msg))
    h.setOptionValue("mip_rel_gap", float(options.gap))
    h.setOptionValue("random_seed", int(options.seed))
    size_thread_pool(options.threads)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    start = [v.varValue for v in variables]
    warm = options.warm_start and bool(variables) and all(value is not None for value in start)
    if warm:
        # HiGHS may map a MIP start into its presolved model wrongly: the start is then taken
        # at a lower value than its own, every better node is pruned, and "optimal" is said at
        # a value below the true optimum. Without presolve the start is taken as it is; the
        # models that pass one have already removed what presolve would.
        h.setOptionValue("presolve", "off")
    for key, value in extra.items():
        h.setOptionValue(key, value)
    h.passModel(_highs_lp(prob, variables))
    if warm:
        solution = highspy.HighsSolution()
        solution.col_value = [float(value) for value in start]
        h.setSolution(solution)
    tic = time.perf_counter()
    load_time = tic - load_start
    run_status = h.run()
    elapsed = time.perf_counter() - tic
    if run_status == highspy.HighsStatus.kError:
        raise SolverError(
            key="err_highs_failed",
            model=prob.name,
            status=h.modelStatusToString(h.getModelStatus()),
        )
    model_status = h.getModelStatus()
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    is_mip = any(v.cat == pulp.LpInteger for v in variables)
    kind = highspy.HighsModelStatus
    if model_status == kind.kOptimal:
        status = "optimal"
    elif model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        status = "infeasible"
    elif has_primal:
        status = "feasible"
    else:
        status = "no solution"
    objective = bound = gap = None
    if status in ("optimal", "feasible"):
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        for variable, value in zip(variables, values.tolist(), strict=True):
            variable.varValue = value
        # The objective constant stays out of HiGHS (no offset to carry through presolve), and
        # the reported objective must match the returned solution, or the run is not trusted.
        constant = float(prob.objective.constant)
        objective = float(info.objective_function_value) + constant
        computed = float(h.getLp().col_cost_ @ values) + constant
        if abs(computed - objective) > 1e-6 * max(1.0, abs(computed)):
            raise SolverError(
                key="err_highs_objective", model=prob.name, objective=objective, computed=computed
            )
        bound = float(info.mip_dual_bound) + constant if is_mip else objective
        if not math.isfinite(bound):
            bound = None
        gap = 0.0 if status == "optimal" and not is_mip else relative_gap(objective, bound)
    # Leave PuLP's own status fields as its HiGHS interface would (callers may read them).
    prob.assignStatus(*_PULP_STATUS[status])
    return SolverRun(status, objective, bound, gap, elapsed, "highs", load_time)


def _highs_lp(prob: pulp.LpProblem, variables: list[pulp.LpVariable]):  # -> highspy.HighsLp
    """The PuLP model as a HighsLp with a row-wise sparse matrix, built in one pass."""
    import highspy

    rows = _sparse_rows(prob, variables)  # infinite bounds as np.inf, which is kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = len(variables)
    lp.col_cost_ = rows.cost
    lp.col_lower_ = rows.col_lower
    lp.col_upper_ = rows.col_upper
    if prob.sense == pulp.LpMaximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    lp.num_row_ = rows.matrix.shape[0]
    lp.row_lower_ = rows.row_lower
    lp.row_upper_ = rows.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = len(variables)
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
class _SparseRows:
    """A PuLP model as arrays: ``row_lower <= matrix @ x <= row_upper`` within column bounds."""

    cost: np.ndarray
    matrix: scipy.sparse.csr_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray

    def satisfied_by(self, values: np.ndarray, tolerance: float = 1e-6) -> bool:
        """Whether ``values`` meet every row, bound and integrality within ``tolerance``
        (relative to the size of each right-hand side)."""
        activity = self.matrix @ values

        def within(low: np.ndarray, value: np.ndarray, high: np.ndarray) -> bool:
            slack_low = tolerance * np.maximum(1.0, np.abs(np.nan_to_num(low, neginf=0.0)))
            slack_high = tolerance * np.maximum(1.0, np.abs(np.nan_to_num(high, posinf=0.0)))
            return bool(np.all(value >= low - slack_low) and np.all(value <= high + slack_high))

        integral = np.abs(values[self.integer] - np.round(values[self.integer])) <= tolerance
        return (
            within(self.row_lower, activity, self.row_upper)
            and within(self.col_lower, values, self.col_upper)
            and bool(integral.all())
        )


def _sparse_rows(prob: pulp.LpProblem, variables: list[pulp.LpVariable]) -> _SparseRows:
    """The model's objective, rows and bounds as arrays in one pass over its constraints."""
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
    for row, constraint in enumerate(constraints):
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
    return _SparseRows(
        cost=cost,
        matrix=matrix,
        row_lower=lower,
        row_upper=upper,
        col_lower=np.array([-np.inf if v.lowBound is None else v.lowBound for v in variables]),
        col_upper=np.array([np.inf if v.upBound is None else v.upBound for v in variables]),
        integer=np.array([v.cat == pulp.LpInteger for v in variables], dtype=bool),
    )


# ---- CBC --------------------------------------------------------------------------------

_CBC_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"


def cbc_command(**options: object) -> pulp.LpSolver_CMD:
    """PuLP's CBC command: the binary bundled with PuLP 3, else the one the cbcbox package ships.

    PuLP 4 no longer bundles CBC. PuLP 3's bundled build is preferred while it exists: it takes
    a starting solution at once, where cbcbox's build may need a few seconds more.
    """
    bundled = getattr(pulp, "PULP_CBC_CMD", None)
    if bundled is not None and bundled(msg=False).available():
        return bundled(**options)
    return pulp.COIN_CMD(path=cbcbox.cbc_bin_path(), **options)


def _solve_cbc(
    prob: pulp.LpProblem, options: SolverOptions, time_limit_s: float | None
) -> SolverRun:
    variables = prob.variables()
    start = [v.varValue for v in variables]
    warm = options.warm_start and bool(variables) and all(value is not None for value in start)
    with tempfile.TemporaryDirectory(prefix="gxnet-cbc-") as folder:
        log_path = Path(folder) / "cbc.log"
        solver = cbc_command(
            msg=False,
            timeLimit=time_limit_s,
            gapRel=options.gap,
            threads=options.threads,
            warmStart=warm,
            logPath=str(log_path),
            options=[f"randomCbcSeed {options.seed + 1}", f"randomSeed {options.seed + 1}"],
        )
        tic = time.perf_counter()
        try:
            prob.solve(solver)
        except pulp.PulpSolverError as error:
            raise SolverError(key="err_cbc_failed", model=prob.name, detail=str(error)) from error
        elapsed = time.perf_counter() - tic
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    if options.msg:
        print(log)
    status = _cbc_status(prob, log, time_limit_s)
    # CBC stopped by its limit before it took the start in returns nothing, and stopped in
    # the middle of preprocessing it says "infeasible". A start that meets every row is a
    # solution all the same: the run found none better.
    if (
        status in ("infeasible", "no solution")
        and warm
        and _sparse_rows(prob, variables).satisfied_by(np.asarray(start, dtype=np.float64))
    ):
        for variable, value in zip(variables, start, strict=True):
            variable.varValue = value
        status = "feasible"
    prob.assignStatus(*_PULP_STATUS[status])
    objective = bound = gap = None
    if status in ("optimal", "feasible"):
        objective = float(pulp.value(prob.objective) or 0.0)
        if status == "optimal":
            bound, gap = objective, 0.0
        else:
            bound = _cbc_bound(log, objective, prob)
            gap = relative_gap(objective, bound)
    return SolverRun(status, objective, bound, gap, elapsed, "cbc")


def _cbc_status(prob: pulp.LpProblem, log: str, time_limit_s: float | None) -> str:
    """The honest status of a CBC run from PuLP's reading of its solution file and the log.

    CBC 2.10 cut short by its time limit during preprocessing reports "Pre-processing says
    infeasible": an infeasibility claimed once the limit has passed is not a proof.
    """
    if prob.sol_status == pulp.LpSolutionOptimal:
        return "optimal"
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return "feasible"
    if prob.sol_status == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible:
        wall = re.findall(r"Wallclock seconds\):\s*" + _CBC_NUMBER, log)
        if time_limit_s is None or (wall and float(wall[-1]) < time_limit_s):
            return "infeasible"
    return "no solution"


def _cbc_bound(log: str, objective: float, prob: pulp.LpProblem) -> float | None:
    """The best bound from a CBC log, else its root LP value, in the model's own terms.

    CBC prints "Lower bound:" when minimising and "Upper bound:" with ``-max``, both in the
    model's sign; PuLP leaves the objective's constant out of the file CBC reads, so it is
    added back.
    """
    maximise = prob.sense == pulp.LpMaximize
    label = "Upper bound:" if maximise else "Lower bound:"
    found = re.findall(label + r"\s*" + _CBC_NUMBER, log) or re.findall(
        r"Continuous objective value is\s*" + _CBC_NUMBER, log
    )
    if not found:
        return None
    bound = float(found[-1]) + float(prob.objective.constant)
    return max(bound, objective) if maximise else min(bound, objective)


# ---- models -----------------------------------------------------------------------------


class LocationModel(ABC):
    """A facility-location model built on a :class:`Problem`'s sparse pairs.

    Subclasses build a PuLP model in :meth:`build` and read it back in :meth:`read`;
    :meth:`solve` times both and calls :func:`solve_pulp` in between.
    """

    #: Short name used in Solution.model and benchmark tables.
    name: ClassVar[str] = ""

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

    def solve(
        self, options: SolverOptions | None = None, budget: TimeBudget | None = None
    ) -> Solution:
        """Build, solve and read the model.

        Parameters
        ----------
        options : SolverOptions, optional
        budget : TimeBudget, optional
            The stage's time budget, which building and the solver draw on; default: a budget
            of ``options.time_limit_s`` started now.

        Returns
        -------
        Solution
        """
        options = options or SolverOptions()
        budget = stage_budget(options.time_limit_s, budget)
        size_thread_pool(options.threads)
        tic = time.perf_counter()
        prob = self.build(options, budget)
        build_time = time.perf_counter() - tic
        run = solve_pulp(prob, options, highs_options=self.highs_options, budget=budget)
        solution = self.read(run)
        solution.build_time_s = build_time + run.load_time_s
        solution.solve_time_s = run.solve_time_s
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
        0.0 if run.status == "optimal" else relative_gap(objective, bound),
        open_sites={tier: problem.sites[tier].ids[open_sites].tolist()},
        assignments={tier: assignment_frame(problem, tier, pairs, rows)},
        solver=run.solver,
        model=model,
        metrics={"n_open": float(open_sites.sum()), **metrics},
    )


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
