"""The solve layer: options, honest statuses on both solvers, bounds and gaps."""

from __future__ import annotations

import os

import numpy as np
import pulp
import pytest

from benchmarks.research.instances import read_pmed
from gxnet._errors import SolverError, UserInputError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize import (
    LocationSetCovering,
    MaximalCovering,
    PMedian,
    Problem,
    TimeBudget,
    solve_pulp,
)
from gxnet.optimize.solve import (
    PROVEN_GAP,
    cbc_path,
    quiet_highs,
    relative_gap,
    run_highs,
    size_thread_pool,
)
from tests.optimize.highs_pool import one_column_lp, runs_with

SOLVERS = ["highs", "cbc"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "gurobi"}, r"solver.name: 'gurobi' is not one of highs, cbc"),
        ({"time_limit_s": 0}, "solver.time_limit_s: 0 must be > 0"),
        ({"gap": 1.5}, r"solver.gap: 1.5 must be in \[0, 1\)"),
        ({"threads": 0}, "solver.threads: 0 must be >= 1"),
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
    run = solve_pulp(prob, SolverOptions(name=solver, seed=7, threads=1))
    assert (run.status, run.objective, run.bound, run.gap) == ("optimal", 19.0, 19.0, 0.0)
    assert [round(v.varValue) for v in x] == [0, 1, 1, 0]
    assert run.solver == solver
    assert prob.sol_status == pulp.LpSolutionOptimal


def test_cbc_from_cbcbox_when_pulp_bundles_none(monkeypatch):
    """PuLP 4 ships no CBC binary; the cbcbox package's binary then solves."""
    import cbcbox

    monkeypatch.delattr(pulp, "PULP_CBC_CMD")
    assert cbc_path() == cbcbox.cbc_bin_path()
    prob, x = knapsack()
    run = solve_pulp(prob, SolverOptions(name="cbc"))
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
    run = solve_pulp(prob, SolverOptions(name=solver))
    assert run.status == "optimal"
    assert run.objective == pytest.approx(11.0)
    assert (a.varValue, b.varValue) == (pytest.approx(1.0), pytest.approx(3.0))


@pytest.mark.parametrize("solver", SOLVERS)
def test_infeasible(solver):
    prob, x = knapsack()
    prob += x[0] + x[1] >= 2
    run = solve_pulp(prob, SolverOptions(name=solver))
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
    run = solve_pulp(prob, SolverOptions(name=solver, time_limit_s=0.3))
    assert (run.status, run.objective) == ("no solution", None)


@pytest.fixture(scope="module")
def pmed16_model(bench_dir):
    """pmed16 (n=400, p=5), built once: its proof takes HiGHS tens of seconds."""
    model = PMedian.from_problem(read_pmed(bench_dir / "pmed" / "pmed16.txt").problem())
    return model, model.build(SolverOptions())


@pytest.mark.parametrize("solver", SOLVERS)
def test_time_limited_run_is_feasible_not_optimal(pmed16_model, solver):
    model, prob = pmed16_model
    options = SolverOptions(name=solver, time_limit_s=1.0)
    run = solve_pulp(prob, options, highs_options=model.highs_options)
    assert run.status == "feasible"
    assert run.objective == pytest.approx(8162)  # the warm start, the known optimum
    # PuLP's own status says "Optimal" for a time-limited integer-feasible run: the trap.
    assert prob.status == pulp.LpStatusOptimal
    assert prob.sol_status == pulp.LpSolutionIntegerFeasible
    # A solver stopped very early may not have a bound yet; when it has one, it is below,
    # and counts the objective's constant (4950 of it) that PuLP keeps out of CBC's file.
    # On a loaded machine HiGHS may stop before its root LP: its bound is then the constant.
    if run.bound is not None:
        assert 4950 <= run.bound < 8162
        assert run.gap == pytest.approx(relative_gap(run.objective, run.bound))
        assert run.gap > 0
    solution = model.read(run)
    assert solution.status == "feasible"
    # The model's Lagrangean bound stands in for (or improves on) the solver's.
    assert solution.bound >= solution.metrics["lagrangean_bound"] > 8000
    assert 0 < solution.gap < 0.01


FAKE_CBC = """#!{python}
import sys

args = sys.argv[1:]
columns, section = [], None
for line in open(args[0]):
    if not line.startswith(" "):
        section = line.split()[0]
    elif section == "COLUMNS" and "MARKER" not in line and line.split()[0] not in columns:
        columns.append(line.split()[0])
with open(args[args.index("-solution") + 1], "w") as solution:
    solution.write({first_line!r} + "\\n")
    for i, (name, value) in enumerate(zip(columns, {values!r})):
        solution.write(f"{{i}} {{name}} {{value}} 0\\n")
print({log!r})
"""

#: What CBC 2.10.3 printed when its 0.95 s limit fell inside preprocessing of pmed16.
CUT_SHORT_LOG = """Continuous objective value is -9.5 - 0.91 seconds
Cgl0000I Cut generators found to be infeasible! (or unbounded)
Pre-processing says infeasible or unbounded
Total time (CPU seconds):       1.01   (Wallclock seconds):       1.03
"""


@pytest.fixture
def fake_cbc(monkeypatch, tmp_path):
    """Replace CBC by a script that writes the given solution file and log, as CBC does."""
    import sys

    def install(first_line: str, log: str, values: tuple[float, ...] = ()) -> None:
        script = tmp_path / "cbc"
        script.write_text(
            FAKE_CBC.format(python=sys.executable, first_line=first_line, values=values, log=log)
        )
        script.chmod(0o755)
        monkeypatch.setattr("gxnet.optimize.solve.cbc_path", lambda: str(script))

    return install


@pytest.mark.parametrize(
    ("time_limit_s", "status"), [(0.95, "no solution"), (5.0, "infeasible"), (None, "infeasible")]
)
def test_cbc_infeasible_after_its_time_limit_is_no_proof(fake_cbc, time_limit_s, status):
    fake_cbc("Infeasible - objective value 0.00000000", CUT_SHORT_LOG)
    prob, _ = knapsack()
    run = solve_pulp(prob, SolverOptions(name="cbc", time_limit_s=time_limit_s))
    assert (run.status, run.objective, run.bound) == (status, None, None)
    assert (prob.status, prob.sol_status) == {
        "no solution": (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound),
        "infeasible": (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible),
    }[status]


def test_cbc_cut_short_keeps_a_start_that_meets_every_row(fake_cbc):
    fake_cbc("Infeasible - objective value 0.00000000", CUT_SHORT_LOG)
    prob, x = knapsack()
    for variable, value in zip(x, [0, 1, 1, 0], strict=True):
        variable.setInitialValue(value)
    run = solve_pulp(prob, SolverOptions(name="cbc", time_limit_s=0.95))
    # The start (worth 9 + the constant 10); the root LP value 9.5 (+ 10) bounds it.
    assert (run.status, run.objective, run.bound) == ("feasible", 19.0, 19.5)
    assert run.gap == pytest.approx(relative_gap(19.0, 19.5))
    assert [v.varValue for v in x] == [0, 1, 1, 0]
    assert (prob.status, prob.sol_status) == (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible)


def test_cbc_cut_short_does_not_take_a_start_that_breaks_a_row(fake_cbc):
    fake_cbc("Infeasible - objective value 0.00000000", CUT_SHORT_LOG)
    prob, x = knapsack()
    for variable in x:
        variable.setInitialValue(1)  # weight 14 in a knapsack of 7
    run = solve_pulp(prob, SolverOptions(name="cbc", time_limit_s=0.95))
    assert (run.status, run.objective) == ("no solution", None)


def test_cbc_bound_of_a_maximising_run_is_its_upper_bound(fake_cbc):
    # The model goes to CBC minimising the negated objective: its lower bound is -9.6.
    log = "Result - Stopped on time limit\nObjective value: -9.00000000\nLower bound: -9.6\n"
    fake_cbc("Stopped on time - objective value -9.00000000", log, (0, 1, 1, 0))
    prob, x = knapsack()
    run = solve_pulp(prob, SolverOptions(name="cbc", time_limit_s=1.0))
    assert (run.status, run.objective, run.bound) == ("feasible", 19.0, 19.6)
    assert [v.varValue for v in x] == [0, 1, 1, 0]


def test_relative_gap():
    assert relative_gap(100.0, 90.0) == pytest.approx(0.1)
    assert relative_gap(None, 1.0) is None
    assert relative_gap(5.0, float("-inf")) is None


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
        one_column_lp(h)
        run_highs(h)
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        assert h.getInfo().objective_function_value == pytest.approx(2.0)


def test_a_highs_error_is_raised_not_read_as_infeasible():
    h = quiet_highs()
    one_column_lp(h)
    run_highs(h)  # the pool now has HiGHS's default size
    clash = quiet_highs()
    clash.setOptionValue("threads", 13)  # a count the pool was not sized for
    one_column_lp(clash)
    with pytest.raises(SolverError, match="HiGHS stopped with an error"):
        run_highs(clash)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to tell the sizes apart")
def test_size_thread_pool_sets_the_pool_gxnets_own_runs_use():
    size_thread_pool(1)
    h = quiet_highs()  # asks for no count: runs on the pool of one
    one_column_lp(h)
    run_highs(h)
    assert h.getInfo().objective_function_value == pytest.approx(2.0)
    assert not runs_with(2)
    assert runs_with(1)
    # None gives the pool back to HiGHS: the next run sizes it, at any count.
    size_thread_pool(None)
    assert runs_with(2)


def test_cbc_answer_that_breaks_the_model_is_refused(fake_cbc):
    # Every item in a knapsack of 7 that they overfill twice: no solution, whatever CBC says.
    fake_cbc("Optimal - objective value 17.00000000", "Result - Optimal solution found\n", (1,) * 4)
    prob, _ = knapsack()
    with pytest.raises(SolverError, match="model 'knapsack' that breaks its own rows"):
        solve_pulp(prob, SolverOptions(name="cbc"))


def test_cbc_stopped_in_its_first_lp_writes_no_solution(fake_cbc):
    # CBC stopped inside its root LP writes the LP's last iterate as if it were a solution; its
    # log has no result line. The start is the answer, not those values.
    fake_cbc("Stopped on iterations - objective value 9.5", "Problem is stopped\n", (0.5,) * 4)
    prob, x = knapsack()
    for variable, value in zip(x, [0, 1, 1, 0], strict=True):
        variable.setInitialValue(value)
    run = solve_pulp(prob, SolverOptions(name="cbc", time_limit_s=1.0))
    assert (run.status, run.objective) == ("feasible", 19.0)
    assert [v.varValue for v in x] == [0, 1, 1, 0]


HANGING_CBC = """#!{python}
import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)  # deaf to the interrupt: it must be killed
time.sleep(120)
"""


def test_cbc_is_stopped_at_the_deadline_and_the_start_answers(monkeypatch, tmp_path):
    import sys

    script = tmp_path / "cbc"
    script.write_text(HANGING_CBC.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setattr("gxnet.optimize.solve.cbc_path", lambda: str(script))
    prob, x = knapsack()
    for variable, value in zip(x, [0, 1, 1, 0], strict=True):
        variable.setInitialValue(value)
    budget = TimeBudget(0.2)
    run = solve_pulp(prob, SolverOptions(name="cbc"), budget=budget)
    assert (run.status, run.objective) == ("feasible", 19.0)
    assert run.stopped_on_time and budget.cut


def test_a_claimed_optimum_worse_than_a_known_plan_is_refused(fake_cbc):
    """A CBC run once said "optimal" at 41 sites where 35 cover everyone. Here CBC claims every
    site open is optimal; the set cover's own heuristic knows a plan with fewer: the claim's
    bound lies above a known plan, and the answer is refused, naming the model."""
    rng = np.random.default_rng(4)
    problem = Problem.from_cost_matrix(rng.random((30, 12)), 0.35)
    fake_cbc(
        "Optimal - objective value 12.00000000", "Result - Optimal solution found\n", (1,) * 12
    )
    model = LocationSetCovering.from_problem(problem)
    with pytest.raises(SolverError, match="set covering: the proven bound 12 lies on the wrong"):
        model.solve(SolverOptions(name="cbc"))


def test_a_plan_proven_within_the_gap_asked_is_feasible_not_optimal():
    rng = np.random.default_rng(8)
    problem = Problem.from_cost_matrix(rng.random((60, 25)), 0.3, targets=Targets(points=6))
    loose = MaximalCovering.from_problem(problem).solve(SolverOptions(gap=0.05))
    exact = MaximalCovering.from_problem(problem).solve(SolverOptions())
    assert exact.status == "optimal" and exact.gap <= PROVEN_GAP
    if loose.gap > PROVEN_GAP:
        assert loose.status == "feasible" and loose.gap <= 0.05
    assert loose.bound >= exact.objective >= loose.objective
