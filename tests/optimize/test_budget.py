"""TimeBudget: parts of one budget, what a solver is handed, and models drawing on it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gxnet.config import SolverOptions, Targets
from gxnet.optimize import (
    CapacitatedFacilityLocation,
    MaximalCovering,
    PMedian,
    Problem,
    TimeBudget,
)
from gxnet.optimize import solve as solve_module
from gxnet.optimize.budget import TimeUp


def test_without_a_limit_nothing_runs_out():
    budget = TimeBudget()
    assert budget.seconds is None
    assert budget.seconds_left() == math.inf
    assert budget.deadline == math.inf
    assert not budget.expired()
    assert budget.solver_limit() is None
    assert budget.part(0.5).seconds is None
    # A cap is the step's whole length when the budget has none.
    assert budget.part(0.5, at_most=7.0).seconds == 7.0


def test_a_part_is_its_share_of_the_whole_and_never_more_than_is_left():
    budget = TimeBudget(100.0)
    assert budget.part(0.25).seconds == 25.0
    assert budget.part(0.25, at_most=10.0).seconds == 10.0
    left = budget.seconds_left()
    assert budget.part(1.0).seconds <= left <= 100.0
    assert budget.part(2.0).seconds <= left


def test_a_spent_budget_gives_nothing_but_its_floors():
    spent = TimeBudget(0.0)
    assert spent.expired()
    assert spent.seconds_left() == 0.0
    assert spent.part(0.5).seconds == 0.0
    assert spent.part(0.5).expired()
    assert spent.part(at_least=1.0).seconds == 1.0
    assert not spent.part(at_least=1.0).expired()


def test_a_solver_gets_what_is_left_and_nothing_more():
    assert TimeBudget(0.0).solver_limit() == 0.0  # a budget of nothing stays nothing
    assert 0.0 < TimeBudget(0.3).solver_limit() <= 0.3
    big = TimeBudget(50.0)
    assert big.solver_limit() <= 50.0
    assert big.solver_limit(at_least=80.0) == 50.0  # never more than the whole budget
    spent_part = TimeBudget(10.0)
    spent_part._start -= 20.0  # started twenty seconds ago: ten seconds over
    assert spent_part.expired()
    assert spent_part.solver_limit() == 0.0


def test_a_stop_by_the_clock_is_recorded_for_the_whole_stage():
    stage = TimeBudget(100.0)
    step = stage.part(0.1)
    assert not stage.cut and not step.cut
    step._start -= 20.0  # the step's ten seconds are over
    assert step.expired()
    assert stage.cut and step.cut  # the stage knows a step was cut short
    stage.part(0.5).mark_cut()
    assert stage.cut


def test_check_raises_once_the_deadline_has_passed():
    TimeBudget(10.0).check()
    spent = TimeBudget(0.0)
    with pytest.raises(TimeUp):
        spent.check()
    assert spent.cut
    # checked() checks every `every` items: a long loop over a spent budget stops early.
    seen = []
    with pytest.raises(TimeUp):
        for item in TimeBudget(0.0).checked(range(10), every=3):
            seen.append(item)
    assert seen == [0, 1]
    assert list(TimeBudget().checked(range(5), every=1)) == [0, 1, 2, 3, 4]


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError, match="seconds >= 0"):
        TimeBudget(-1.0)


def test_the_solver_is_handed_what_is_left_of_the_stage(monkeypatch):
    # A stage budget started 30 s ago with 40 s in all: the p-median's solver gets the 10 s
    # left, not the 40 s of the options' limit.
    limits = []
    real = solve_module._solve_highs

    def spy(name, rows, options, budget, extra, start):
        limits.append(budget.solver_limit())
        return real(name, rows, options, budget, extra, start)

    monkeypatch.setattr(solve_module, "_solve_highs", spy)
    budget = TimeBudget(40.0)
    budget._start -= 30.0
    problem = Problem.from_cost_matrix(
        np.random.default_rng(3).random((20, 8)), targets=Targets(points=3)
    )
    solution = PMedian.from_problem(problem).solve(SolverOptions(time_limit_s=40.0), budget)
    assert solution.has_solution
    assert len(limits) == 1 and 0.0 < limits[0] <= 10.0


def test_a_covering_model_given_a_spent_budget_answers_with_its_incumbent():
    cost = np.random.default_rng(5).random((30, 12))
    problem = Problem.from_cost_matrix(cost, 0.3, targets=Targets(points=4))
    budget = TimeBudget(0.0)
    solution = MaximalCovering.from_problem(problem).solve(SolverOptions(), budget)
    assert solution.status in ("optimal", "feasible")
    assert solution.solve_time_s == 0.0  # no solver run: the budget was spent
    assert solution.objective == solution.metrics["heuristic_objective"]
    assert solution.bound >= solution.objective  # the incumbent comes with its bound
    # The plan says the clock stopped it, unless the bound proved it without any solver.
    assert solution.time_limited == (solution.status == "feasible")


def test_the_lagrangean_stage_draws_on_the_stage_budget(monkeypatch):
    # The subgradient's safety net is the stage's budget, not the options' limit.
    from gxnet.optimize import capacitated

    seen = []
    real = capacitated.subgradient

    def spy(data, *, budget, gap_rel):
        seen.append(budget)
        return real(data, budget=budget, gap_rel=gap_rel)

    monkeypatch.setattr(capacitated, "subgradient", spy)
    rng = np.random.default_rng(0)
    cost = rng.random((12, 5))
    model = CapacitatedFacilityLocation.from_cost_matrix(
        cost, np.ones(12), np.full(5, 4.0), np.full(5, 3.0), lagrangean=True
    )
    stage = TimeBudget(8.0)
    solution = model.solve(SolverOptions(time_limit_s=1000.0), stage)
    assert solution.status == "optimal"
    assert seen == [stage]
    assert not solution.time_limited
