"""Covering models: OR-Library scp41, spopt's San Francisco values, brute force."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from benchmarks.research.instances import planning_grid, read_scp, read_spopt_sf
from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.config import SolverOptions
from gxnet.optimize import LocationSetCovering, MaximalCovering, Problem
from gxnet.optimize.coverage import (
    cover_bound,
    cover_heuristic,
    cover_search,
    partial_cover_bound,
    partial_cover_heuristic,
)
from tests.optimize.tiny_problems import feasible_sets, nearest_costs, random_problem


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_scp41_optimum(bench_dir, solver):
    instance = read_scp(bench_dir / "scp" / "scp41.txt")
    model = LocationSetCovering.from_problem(instance.problem(), objective="fixed_cost")
    solution = model.solve(SolverOptions(name=solver))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(429, rel=1e-9)
    chosen = np.isin(np.arange(len(instance.column_cost)), solution.open_sites["recycling_point"])
    assert instance.column_cost[chosen].sum() == pytest.approx(429)
    covers = np.bincount(instance.row, weights=chosen[instance.column], minlength=instance.n_rows)
    assert (covers >= 1).all()
    assert solution.metrics["coverage_share"] == 1.0


@pytest.fixture(scope="module")
def san_francisco(bench_dir):
    return read_spopt_sf(bench_dir / "spopt_sf")


def test_spopt_lscp(san_francisco):
    solution = LocationSetCovering.from_problem(san_francisco.problem(5000)).solve()
    assert (solution.status, solution.objective) == ("optimal", pytest.approx(8))
    assert len(solution.open_sites["recycling_point"]) == 8
    assert (solution.assignments["recycling_point"]["cost"] <= 5000).all()


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_spopt_mclp(san_francisco, solver):
    sf = san_francisco
    model = MaximalCovering.from_cost_matrix(sf.cost, sf.weights, 5000, 4)
    solution = model.solve(SolverOptions(name=solver))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(875_247)
    assert solution.metrics["uncovered_units"] == 21  # spopt: 89.756 % of 205 tracts covered
    assert solution.metrics["covered_weight"] == pytest.approx(875_247)
    assert len(solution.assignments["recycling_point"]) == 205 - 21


@pytest.mark.parametrize("seed", range(10))
def test_lscp_brute_force(seed):
    problem = random_problem(seed, cutoff=0.55)
    counts = [
        (int(mask.sum()), float(problem.sites["recycling_point"].fixed_cost[mask].sum()))
        for mask in feasible_sets(problem)
        if np.isfinite(nearest_costs(problem, mask)).all()
    ]
    assert counts
    solution = LocationSetCovering.from_problem(problem).solve()
    assert solution.objective == pytest.approx(min(c for c, _ in counts))
    cheapest = LocationSetCovering.from_problem(problem, objective="fixed_cost").solve()
    assert cheapest.objective == pytest.approx(min(f for _, f in counts))
    sites = problem.sites["recycling_point"]
    assert set(sites.ids[sites.kept]) <= set(solution.open_sites["recycling_point"])
    assert not set(sites.ids[sites.excluded]) & set(solution.open_sites["recycling_point"])


@pytest.mark.parametrize("seed", range(10))
def test_partial_lscp_brute_force(seed):
    problem = random_problem(seed, cutoff=0.4)
    weight = problem.demand.weight
    share = 0.6
    best = min(
        int(mask.sum())
        for mask in feasible_sets(problem)
        if weight[np.isfinite(nearest_costs(problem, mask))].sum() >= share * weight.sum() - 1e-9
    )
    solution = LocationSetCovering.from_problem(problem, coverage_share=share).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best)
    assert solution.metrics["coverage_share"] >= share - 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_mclp_brute_force(seed):
    problem = random_problem(seed, cutoff=0.4)
    sites = problem.sites["recycling_point"]
    p = int(sites.kept.sum()) + 1
    weight = problem.demand.weight
    best = max(
        weight[np.isfinite(nearest_costs(problem, mask))].sum()
        for mask in feasible_sets(problem, p)
    )
    solution = MaximalCovering.from_problem(problem, p).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best)
    assert len(solution.open_sites["recycling_point"]) == p


def test_mclp_budget_and_floor():
    cost = np.array([[1.0, 9.0], [9.0, 1.0], [9.0, 1.0]])
    weights = np.array([5.0, 1.0, 1.0])
    budgeted = MaximalCovering.from_cost_matrix(
        cost, weights, 2.0, 1, fixed_cost=np.array([10.0, 1.0]), cost_budget=5.0
    )
    # The heavier unit's site is over budget: only the cheap site may open.
    solution = budgeted.solve()
    assert (solution.open_sites["recycling_point"], solution.objective) == ([1], 2.0)
    floored = MaximalCovering.from_cost_matrix(cost, weights, 2.0, 1, coverage_floor=0.9)
    for solver in ("highs", "cbc"):
        assert floored.solve(SolverOptions(name=solver)).status == "infeasible"


def test_radius_tighter_than_pairs(san_francisco):
    problem = san_francisco.problem(5000)
    with pytest.raises(InfeasibleProblemError, match=r"demand units that no recycling_point"):
        LocationSetCovering.from_problem(problem, radius=1000)
    partial = MaximalCovering.from_problem(problem, 4, radius=1000).solve()
    assert partial.objective < 875_247


def test_bad_arguments(san_francisco):
    with pytest.raises(ProblemDataError, match="objective: 'households'"):
        LocationSetCovering.from_problem(san_francisco.problem(5000), objective="households")
    with pytest.raises(ProblemDataError, match="targets.points: 17 recycling_points"):
        MaximalCovering.from_problem(san_francisco.problem(5000), 17)


# ---- maximal covering at scale: heuristic, Lagrangean bound, reductions ----------------------


def _covered(problem, mask):
    return float(problem.demand.weight[np.isfinite(nearest_costs(problem, mask))].sum())


def _tiny_cover(seed: int, n_demand: int, n_sites: int, free: int):
    """A random maximal covering instance: problem, sites, pairs, weights and p (the kept
    sites plus ``free`` more when that many can open)."""
    problem = random_problem(seed, n_demand=n_demand, n_sites=n_sites, cutoff=0.35)
    sites = problem.sites["recycling_point"]
    p = min(int(sites.kept.sum()) + free, int(sites.usable.sum()))
    return problem, sites, problem.usable_pairs(), problem.demand.weight, p


@pytest.mark.parametrize("seed", range(12))
def test_cover_heuristic_and_bound_brute_force(seed):
    problem, sites, pairs, weight, p = _tiny_cover(seed, 10, 8, 2)
    values = [(mask, _covered(problem, mask)) for mask in feasible_sets(problem, p)]
    best = max(v for _, v in values)
    heuristic = cover_heuristic(pairs, weight, p, sites.kept, sites.usable)
    assert heuristic.sum() == p
    assert heuristic[sites.kept].all() and not heuristic[sites.excluded].any()
    incumbent = _covered(problem, heuristic)
    proof = cover_bound(pairs, weight, p, sites.kept, sites.usable, incumbent)
    assert incumbent <= best + 1e-9
    assert proof.bound >= best - 1e-6
    # Every set at least as good as the incumbent survives the reductions.
    for mask, value in values:
        if value >= incumbent:
            assert not (mask & proof.closed).any()
            assert mask[proof.opened].all()
            assert not np.isfinite(nearest_costs(problem, mask))[proof.dropped].any()


@pytest.mark.parametrize("seed", range(12))
def test_cover_search_brute_force(seed):
    problem, sites, pairs, weight, p = _tiny_cover(seed, 12, 9, 3)
    best = max(_covered(problem, mask) for mask in feasible_sets(problem, p))
    start = next(feasible_sets(problem, p))
    # Small windows: a feasible set never worse than the start.
    local = cover_search(pairs, weight, start, sites.kept, window=2, max_window=2)
    assert local.sum() == p
    assert local[sites.kept].all() and not local[sites.excluded].any()
    assert _covered(problem, start) <= _covered(problem, local) <= best + 1e-9
    # A window as large as the problem is the whole problem: its optimum.
    whole = cover_search(pairs, weight, start, sites.kept, window=sites.n, max_window=sites.n)
    assert whole.sum() == p and not whole[sites.excluded].any()
    assert _covered(problem, whole) == pytest.approx(best)


def test_cover_search_leaves_the_interchange_optimum_of_a_grid():
    problem = planning_grid(30, 2.0, 40)
    sites = problem.sites["recycling_point"]
    pairs = problem.usable_pairs()
    weight = problem.demand.weight
    start = cover_heuristic(pairs, weight, 40, sites.kept, sites.usable)
    # No time limit: the search ends when its windows (40 sites) bring nothing, the same way
    # on every run.
    found = cover_search(pairs, weight, start, sites.kept, max_window=40)
    assert found.sum() == 40
    before = float(weight[pairs.nearest(start) >= 0].sum())
    after = float(weight[pairs.nearest(found) >= 0].sum())
    assert after > before  # 26,466 against 26,421 with scipy 1.17's HiGHS
    # The goal stops the search as soon as it is reached.
    reached = cover_search(pairs, weight, start, sites.kept, goal=before)
    assert (reached == start).all()


def test_cover_bound_is_the_lp_bound_from_any_incumbent(san_francisco):
    problem = san_francisco.problem(5000)
    sites = problem.sites["recycling_point"]
    pairs = problem.usable_pairs()
    weight = problem.demand.weight
    # A poor incumbent only slows the steps down: the bound stays valid and nothing that an
    # optimal solution needs is fixed away.
    proof = cover_bound(pairs, weight, 4, sites.kept, sites.usable, 500_000.0)
    assert 875_247 - 1e-6 <= proof.bound <= 875_247 * 1.01
    optimal = MaximalCovering.from_problem(problem, 4).solve()
    opened = np.isin(sites.ids, optimal.open_sites["recycling_point"])
    assert not (opened & proof.closed).any()


def test_spopt_mclp_proven_by_the_bound_alone(san_francisco):
    model = MaximalCovering.from_problem(san_francisco.problem(5000), 4)
    solution = model.solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(875_247)
    assert solution.metrics["heuristic_objective"] == pytest.approx(875_247)
    assert solution.bound >= 875_247 and solution.gap <= 1e-6
    assert solution.solve_time_s == 0.0  # the solver never ran
    plain = MaximalCovering.from_problem(san_francisco.problem(5000), 4, heuristic=False).solve()
    assert plain.objective == pytest.approx(875_247)
    assert np.isnan(plain.metrics.get("heuristic_objective", np.nan))


def test_mclp_keeps_existing_and_excluded_sites(san_francisco):
    problem = san_francisco.problem(5000)
    ids = problem.sites["recycling_point"].ids
    best = MaximalCovering.from_problem(problem, 4).solve().open_sites["recycling_point"]
    status = np.full(len(ids), "candidate", dtype=object)
    status[np.isin(ids, best[:2])] = "excluded"
    forced = ids[~np.isin(ids, best)][0]
    status[ids == forced] = "required"
    constrained = Problem.from_arrays(
        problem.demand.weight,
        problem.pairs["recycling_point"],
        demand_ids=problem.demand.ids,
        site_ids=ids,
        status=status,
    )
    solution = MaximalCovering.from_problem(constrained, 4).solve()
    assert solution.status == "optimal"
    chosen = set(solution.open_sites["recycling_point"])
    assert forced in chosen and not chosen & set(best[:2])
    brute = max(_covered(constrained, mask) for mask in feasible_sets(constrained, 4))
    assert solution.objective == pytest.approx(brute)


def test_mclp_grid_small_gap_in_seconds():
    solution = MaximalCovering.from_problem(planning_grid(60, 2.0, 150)).solve(
        SolverOptions(time_limit_s=4)
    )
    assert solution.status in ("optimal", "feasible")
    assert len(solution.open_sites["recycling_point"]) == 150
    assert solution.bound >= solution.objective
    assert solution.gap < 0.05
    assert solution.metrics["heuristic_objective"] <= solution.objective


def test_mclp_short_time_limit_returns_the_incumbent():
    solution = MaximalCovering.from_problem(planning_grid(40, 2.0, 60)).solve(
        SolverOptions(time_limit_s=0.5)
    )
    assert solution.status == "feasible"
    assert solution.solve_time_s == 0.0
    assert solution.objective == solution.metrics["heuristic_objective"]
    assert solution.bound == pytest.approx(solution.metrics["lagrangean_bound"])
    assert 0 < solution.gap < 0.25  # few subgradient steps fit in an eighth of a second


@pytest.mark.parametrize("seed", range(10))
def test_partial_cover_heuristic_and_bound_brute_force(seed):
    problem = random_problem(seed, cutoff=0.4)
    sites = problem.sites["recycling_point"]
    weight = problem.demand.weight
    pairs = problem.usable_pairs()
    share = 0.6
    reaching = [
        mask for mask in feasible_sets(problem) if _covered(problem, mask) >= share * weight.sum()
    ]
    start = partial_cover_heuristic(pairs, weight, share, sites.kept, sites.usable)
    if not reaching:
        assert start is None
        return
    assert _covered(problem, start) >= share * weight.sum() - 1e-9
    assert start[sites.kept].all() and not start[sites.excluded].any()
    assert start.sum() >= min(int(mask.sum()) for mask in reaching)
    for cost, integral in ((np.ones(sites.n), True), (sites.fixed_cost, False)):
        best = min(float(cost[mask].sum()) for mask in reaching)
        bound = partial_cover_bound(
            pairs,
            weight,
            share,
            cost,
            sites.kept,
            sites.usable,
            float(cost[start].sum()),
            integral=integral,
        )
        assert bound <= best + 1e-6


def test_partial_lscp_grid_with_warm_start():
    problem = planning_grid(30, 2.0, 1)
    options = SolverOptions(time_limit_s=5)
    warm = LocationSetCovering.from_problem(problem, coverage_share=0.5).solve(options)
    assert warm.status in ("optimal", "feasible")
    assert warm.metrics["coverage_share"] >= 0.5 - 1e-9
    assert warm.bound <= warm.objective
    sites = problem.sites["recycling_point"]
    start = partial_cover_heuristic(
        problem.usable_pairs(), problem.demand.weight, 0.5, sites.kept, sites.usable
    )
    assert warm.objective <= start.sum()


def test_mclp_floor_with_the_heuristic(san_francisco):
    problem = san_francisco.problem(5000)
    met = MaximalCovering.from_problem(problem, 4, coverage_floor=0.9).solve()
    assert (met.status, met.objective) == ("optimal", pytest.approx(875_247))
    assert met.metrics["heuristic_objective"] == pytest.approx(875_247)
    # No 4 stores reach 95 %: the heuristic misses the floor, the plain model proves it.
    missed = MaximalCovering.from_problem(problem, 4, coverage_floor=0.95).solve()
    assert missed.status == "infeasible"


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_mclp_fixings_keep_the_optimum(solver):
    problem = planning_grid(40, 2.0, 60)
    options = SolverOptions(name=solver, time_limit_s=20)
    solution = MaximalCovering.from_problem(problem).solve(options)
    plain = MaximalCovering.from_problem(problem, heuristic=False).solve(options)
    assert solution.status == plain.status == "optimal"
    assert solution.objective == pytest.approx(plain.objective)
    assert solution.metrics["sites_closed"] > 0  # the bound fixed sites before the solver ran
    assert solution.objective >= solution.metrics["heuristic_objective"]


def test_partial_lscp_city_grid_has_a_bound():
    problem = planning_grid(50, 2.0, 1)
    solution = LocationSetCovering.from_problem(problem, coverage_share=0.9).solve(
        SolverOptions(time_limit_s=3)
    )
    assert solution.has_solution
    assert solution.bound >= solution.metrics["lagrangean_bound"] - 1e-9
    assert solution.metrics["lagrangean_bound"] <= solution.objective
    assert solution.gap < 0.2


def test_mclp_gives_the_same_plan_on_a_loaded_machine():
    """The interchange, the bound and the neighbourhood search stop on limits of work: two
    busy processes on the cores change how long they take, not what they find."""
    problem = planning_grid(30, 2.0, 40)
    options = SolverOptions(time_limit_s=60, gap=0.01)
    quiet = MaximalCovering.from_problem(problem).solve(options)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        loaded = MaximalCovering.from_problem(problem).solve(options)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    assert quiet.open_sites == loaded.open_sites
    assert quiet.assignments["recycling_point"].equals(loaded.assignments["recycling_point"])
    # The search improved on the greedy, and the bound proves the 1 % asked without HiGHS.
    assert quiet.objective > quiet.metrics["greedy_objective"]
    assert quiet.status == "feasible" and 0 < quiet.gap <= 0.01
    assert not quiet.time_limited and not loaded.time_limited
