"""The solve layer: options, honest statuses on both solvers, bounds and gaps."""

from __future__ import annotations

import numpy as np
import pulp
import pytest

from gxnet._errors import SolverError, UserInputError
from gxnet.optimize import PMedian, SolverOptions, solve_pulp
from gxnet.optimize.instances import read_pmed
from gxnet.optimize.solve import cbc_command, quiet_highs, relative_gap, run_highs

SOLVERS = ["highs", "cbc"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"solver": "gurobi"}, r"solver: 'gurobi' is not one of \['highs', 'cbc'\]"),
        ({"time_limit_s": 0}, "time_limit_s: 0 must be > 0"),
        ({"gap_rel": 1.5}, r"gap_rel: 1.5 must be in \[0, 1\)"),
        ({"threads": 0}, "threads: 0 must be >= 1"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(UserInputError, match=message):
        SolverOptions(**options)


def knapsack() -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [prob.add_variable(f"x{i}", 0, 1, cat="Integer") for i in range(4)]
    prob += pulp.lpSum(v * c for v, c in zip(x, [6, 5, 4, 2], strict=True)) + 10
    prob += pulp.lpSum(v * w for v, w in zip(x, [5, 4, 3, 2], strict=True)) <= 7
    return prob, x


@pytest.mark.parametrize("solver", SOLVERS)
def test_optimal_mip_with_constant_and_seed(solver):
    prob, x = knapsack()
    run = solve_pulp(prob, SolverOptions(solver=solver, seed=7, threads=1))
    assert (run.status, run.objective, run.bound, run.gap) == ("optimal", 19.0, 19.0, 0.0)
    assert [round(v.varValue) for v in x] == [0, 1, 1, 0]
    assert run.solver == solver
    assert prob.sol_status == pulp.LpSolutionOptimal


def test_cbc_from_cbcbox_when_pulp_bundles_none(monkeypatch):
    """PuLP 4 ships no CBC binary; the cbcbox package's binary then solves."""
    monkeypatch.delattr(pulp, "PULP_CBC_CMD")
    assert isinstance(cbc_command(), pulp.COIN_CMD)
    prob, x = knapsack()
    run = solve_pulp(prob, SolverOptions(solver="cbc"))
    assert (run.status, run.objective) == ("optimal", 19.0)
    assert [round(v.varValue) for v in x] == [0, 1, 1, 0]


def test_a_quiet_solve_prints_nothing(capfd):
    """HiGHS's banner comes from C++ at construction; it must not reach the CLI's stdout."""
    prob, _ = knapsack()
    assert solve_pulp(prob, SolverOptions()).status == "optimal"
    out, _ = capfd.readouterr()
    assert out == ""


@pytest.mark.parametrize("solver", SOLVERS)
def test_linear_program(solver):
    prob = pulp.LpProblem("lp", pulp.LpMinimize)
    a, b = prob.add_variable("a", 0), prob.add_variable("b", 0)
    prob += 2 * a + 3 * b
    prob += a + b >= 4
    prob += a <= 1
    run = solve_pulp(prob, SolverOptions(solver=solver))
    assert run.status == "optimal"
    assert run.objective == pytest.approx(11.0)
    assert (a.varValue, b.varValue) == (pytest.approx(1.0), pytest.approx(3.0))


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible(solver):
    prob, x = knapsack()
    prob += x[0] + x[1] >= 2
    run = solve_pulp(prob, SolverOptions(solver=solver))
    assert (run.status, run.objective, run.gap) == ("infeasible", None, None)


@pytest.mark.parametrize("solver", SOLVERS)
def test_no_solution_when_stopped_before_any(solver):
    # Equalities with a solution by construction that a fraction of a second cannot find
    # (a market-split-like system).
    rng = np.random.default_rng(3)
    matrix = rng.integers(10, 100, (30, 60))
    rhs = matrix @ rng.integers(0, 3, 60)
    prob = pulp.LpProblem("split", pulp.LpMinimize)
    x = [prob.add_variable(f"x{i}", 0, 5, cat="Integer") for i in range(60)]
    prob += pulp.lpSum(x)
    for row, value in zip(matrix.tolist(), rhs.tolist(), strict=True):
        prob += pulp.LpAffineExpression(zip(x, row, strict=True)) == value
    run = solve_pulp(prob, SolverOptions(solver=solver, time_limit_s=0.3))
    assert (run.status, run.objective) == ("no solution", None)


@pytest.fixture(scope="module")
def pmed16_model(bench_dir):
    """pmed16 (n=400, p=5), built once: its proof takes HiGHS tens of seconds."""
    model = PMedian.from_problem(read_pmed(bench_dir / "pmed" / "pmed16.txt").problem())
    return model, model.build(SolverOptions())


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limited_run_is_feasible_not_optimal(pmed16_model, solver):
    model, prob = pmed16_model
    options = SolverOptions(solver=solver, time_limit_s=1.0)
    run = solve_pulp(prob, options, highs_options=model.highs_options)
    assert run.status == "feasible"
    assert run.objective == pytest.approx(8162)  # the warm start, the known optimum
    # PuLP's own status says "Optimal" for a time-limited integer-feasible run: the trap.
    assert prob.status == pulp.LpStatusOptimal
    assert prob.sol_status == pulp.LpSolutionIntegerFeasible
    # A solver stopped very early may not have a bound yet; when it has one, it is below.
    if run.bound is not None:
        assert run.bound < 8162
        assert run.gap == pytest.approx(relative_gap(run.objective, run.bound))
        assert run.gap > 0
    solution = model.read(run)
    assert solution.status == "feasible"
    # The model's Lagrangean bound stands in for (or improves on) the solver's.
    assert solution.bound >= solution.metrics["lagrangean_bound"] > 8000
    assert 0 < solution.gap < 0.01


def test_relative_gap():
    assert relative_gap(100.0, 90.0) == pytest.approx(0.1)
    assert relative_gap(None, 1.0) is None
    assert relative_gap(5.0, float("-inf")) is None


def _one_column_lp(highs) -> None:
    """min x subject to x >= 2 on ``highs``."""
    highs.addVar(2.0, 10.0)
    highs.changeColCost(0, 1.0)


def test_internal_highs_runs_whatever_thread_pool_a_solve_left():
    import highspy

    # A single-threaded solve sizes HiGHS's process-wide pool to one thread ...
    prob = pulp.LpProblem("one", pulp.LpMinimize)
    x = pulp.LpVariable("x", lowBound=1)
    prob += x
    assert solve_pulp(prob, SolverOptions(threads=1)).objective == pytest.approx(1.0)
    # ... and gxnet's internal models still run and solve after it, and after a default run.
    for _ in range(2):
        h = quiet_highs()
        _one_column_lp(h)
        run_highs(h)
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        assert h.getInfo().objective_function_value == pytest.approx(2.0)


def test_a_highs_error_is_raised_not_read_as_infeasible():
    h = quiet_highs()
    _one_column_lp(h)
    run_highs(h)  # the pool now has HiGHS's default size
    clash = quiet_highs()
    clash.setOptionValue("threads", 13)  # a count the pool was not sized for
    _one_column_lp(clash)
    with pytest.raises(SolverError, match="HiGHS stopped with an error"):
        run_highs(clash)
