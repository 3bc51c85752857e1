"""CapacitatedFacilityLocation: published optima, brute force on tiny instances, bad input."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from benchmarks.research.instances import read_cap
from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize import CapacitatedFacilityLocation, Problem, capacitated, lagrangean
from tests.optimize.location_bruteforce import Tiny, brute_force, random_tiny


@pytest.mark.parametrize("instance", ["cap41", "cap71"])
def test_or_library_optimum(bench_dir, cflp_optima, instance):
    problem = read_cap(bench_dir / "cflp" / f"{instance}.txt").problem()
    solution = CapacitatedFacilityLocation.from_problem(problem).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(cflp_optima[instance], rel=1e-6)
    frame = solution.assignments["recycling_point"]
    # Every customer is served in full, and the objective is what the assignments cost.
    served = frame.groupby("origin_id")["share"].sum()
    assert np.allclose(served.to_numpy(), 1.0) and len(served) == 50
    assert solution.metrics["fixed_cost"] + solution.metrics["assignment_cost"] == pytest.approx(
        solution.objective, rel=1e-9
    )
    loads = frame.groupby("site_id")["flow"].sum()
    capacity = read_cap(bench_dir / "cflp" / f"{instance}.txt").capacity
    assert (loads.to_numpy() <= capacity[loads.index.to_numpy()] + 1e-6).all()


def _tiny_model(tiny, targets=None, **options) -> CapacitatedFacilityLocation:
    return CapacitatedFacilityLocation.from_cost_matrix(
        tiny.cost,
        tiny.weight,
        tiny.capacity,
        tiny.fixed,
        status=np.array(tiny.status, dtype=object),
        targets=targets,
        **options,
    )


def _assert_matches(model, expected):
    if not np.isfinite(expected):
        try:
            solution = model.solve()
        except InfeasibleProblemError:
            return  # found before solving
        assert solution.status == "infeasible"
        return
    solution = model.solve(SolverOptions(gap=0))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    return solution


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("strong", [True, False])
def test_split_demand_matches_brute_force(seed, strong):
    tiny = random_tiny(np.random.default_rng(seed))
    tiny.cost[:, 0] = 5.0  # one point reaches everybody, so the instance is feasible
    tiny.capacity[0] = 40.0
    _assert_matches(_tiny_model(tiny, strong=strong), brute_force(tiny))


@pytest.mark.parametrize("seed", range(4))
def test_single_source_matches_brute_force(seed):
    tiny = random_tiny(np.random.default_rng(100 + seed))
    tiny.cost[:, 0] = 5.0
    tiny.capacity[0] = 40.0
    expected = brute_force(tiny, single_source=True)
    _assert_matches(_tiny_model(tiny, single_source=True), expected)
    assert expected >= brute_force(tiny) - 1e-9


@pytest.mark.parametrize("seed", range(3))
def test_statuses_match_brute_force(seed):
    tiny = random_tiny(np.random.default_rng(200 + seed))
    tiny.cost[:, 0] = 5.0
    tiny.capacity[0] = 40.0
    tiny.status = ["candidate", "existing", "excluded", "required"]
    solution = _tiny_model(tiny).solve(SolverOptions(gap=0))
    assert solution.objective == pytest.approx(brute_force(tiny), rel=1e-6)
    opened = set(solution.open_sites["recycling_point"])
    assert {1, 3} <= opened and 2 not in opened
    assert 2 not in set(solution.assignments["recycling_point"]["site_id"])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("share", "penalty"), [(0.6, None), (0.8, 3.0), (None, 2.0), (1.0, None)])
def test_coverage_floor_matches_brute_force(seed, share, penalty):
    tiny = random_tiny(np.random.default_rng(300 + seed), density=0.5)
    tiny.capacity[:] = 60.0  # the construction check wants capacity for all demand
    targets = Targets(coverage=share)
    expected = brute_force(tiny, coverage_share=share, penalty=penalty)
    model = _tiny_model(tiny, targets, uncovered_penalty=penalty)
    _assert_matches(model, expected)
    if np.isfinite(expected) and share is not None:
        solution = model.solve()
        assert solution.metrics["coverage_share"] >= share - 1e-6


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("sense", ["exact", "at_most", "at_least"])
def test_point_count_and_budget_match_brute_force(seed, sense):
    tiny = random_tiny(np.random.default_rng(400 + seed))
    tiny.cost[:, :2] = 6.0
    tiny.capacity[:2] = 40.0
    targets = Targets(points=2, cost_budget=float(tiny.fixed.sum() - tiny.fixed.min()))
    expected = brute_force(tiny, n_points=2, sense=sense, budget=targets.cost_budget)
    model = _tiny_model(tiny, targets, count_sense=sense)
    _assert_matches(model, expected)
    solution = model.solve()
    count = len(solution.open_sites["recycling_point"])
    assert {"exact": count == 2, "at_most": count <= 2, "at_least": count >= 2}[sense]


def test_service_cutoff_drops_far_pairs():
    tiny = random_tiny(np.random.default_rng(7))
    tiny.cost[:, 0] = 5.0
    tiny.capacity[0] = 40.0
    cutoff = 12.0
    near = np.where(tiny.cost <= cutoff, tiny.cost, np.inf)
    expected = brute_force(type(tiny)(tiny.weight, near, tiny.capacity, tiny.fixed, tiny.status))
    solution = _tiny_model(tiny, service_cutoff=cutoff).solve(SolverOptions(gap=0))
    assert solution.objective == pytest.approx(expected, rel=1e-6)
    assert (solution.assignments["recycling_point"]["cost"] <= cutoff).all()


def _line_problem(households=(800, 900, 700), capacity=(2000, 1000), **targets) -> Problem:
    """Demand units d0, d1, d2 on a line; p1 reaches d0 and d1, p2 reaches d1 and d2, p3 d0."""
    demand = pd.DataFrame({"demand_id": ["d0", "d1", "d2"], "households": households})
    sites = pd.DataFrame(
        {"site_id": ["p1", "p2", "p3"][: len(capacity)], "capacity": capacity, "fixed_cost": 10}
    )
    costs = pd.DataFrame(
        {
            "demand_id": ["d0", "d1", "d1", "d2", "d0"],
            "site_id": ["p1", "p1", "p2", "p2", "p3"],
            "cost": [1.0, 2.0, 1.0, 1.0, 3.0],
        }
    )
    costs = costs[costs["site_id"].isin(sites["site_id"])]
    return Problem.from_tables(demand, sites, costs, targets=Targets(**targets))


def test_capacity_short_of_a_unit_is_named_before_solving():
    problem = _line_problem(capacity=(2000, 600))
    with pytest.raises(InfeasibleProblemError, match=r"heavier than .*'d2'.*raise the capacity"):
        CapacitatedFacilityLocation.from_problem(problem).solve()


def test_single_source_unit_too_heavy_is_named():
    problem = _line_problem(households=(800, 1500, 700), capacity=(1400, 1300, 1000))
    split = CapacitatedFacilityLocation.from_problem(problem).solve()
    assert split.status == "optimal"
    frame = split.assignments["recycling_point"]
    assert sorted(frame.loc[frame["origin_id"] == "d1", "site_id"]) == ["p1", "p2"]
    with pytest.raises(InfeasibleProblemError, match=r"no single point in reach.*'d1'"):
        CapacitatedFacilityLocation.from_problem(problem, single_source=True).solve()


def test_single_source_infeasible_after_checks_is_reported_by_the_solver():
    problem = _line_problem(capacity=(1600, 1000))
    assert CapacitatedFacilityLocation.from_problem(problem).solve().status == "optimal"
    solution = CapacitatedFacilityLocation.from_problem(problem, single_source=True).solve()
    assert solution.status == "infeasible" and solution.objective is None


def test_unreachable_demand_is_named_with_the_fix():
    problem = _line_problem(capacity=(3000, 1000))
    problem.sites["recycling_point"].status[1] = "excluded"
    with pytest.raises(InfeasibleProblemError, match=r"'d2'.*coverage floor"):
        CapacitatedFacilityLocation.from_problem(problem).solve()
    # With a floor the unit is simply left uncovered, and no more than the floor is paid for.
    problem = _line_problem(capacity=(3000, 1000), coverage=0.7)
    problem.sites["recycling_point"].status[1] = "excluded"
    solution = CapacitatedFacilityLocation.from_problem(problem).solve()
    assert solution.metrics["coverage_share"] == pytest.approx(0.7)
    assert "d2" not in set(solution.assignments["recycling_point"]["origin_id"])


def test_total_capacity_short_of_the_floor_is_named():
    problem = _line_problem(coverage=0.9)
    problem.sites["recycling_point"].status[0] = "excluded"
    with pytest.raises(InfeasibleProblemError, match=r"hold 1000 but 2160"):
        CapacitatedFacilityLocation.from_problem(problem).solve()


def test_budget_below_kept_sites_is_named():
    problem = _line_problem(cost_budget=15.0)
    problem.sites["recycling_point"].status[:] = "existing"
    with pytest.raises(InfeasibleProblemError, match=r"budget.*'p1', 'p2'"):
        CapacitatedFacilityLocation.from_problem(problem).solve()


def test_bad_options_are_refused():
    with pytest.raises(ProblemDataError, match="count_sense"):
        CapacitatedFacilityLocation.from_problem(_line_problem(), count_sense="some")
    with pytest.raises(ProblemDataError, match="cost_weight"):
        CapacitatedFacilityLocation.from_problem(_line_problem(), cost_weight=-1.0)


# ---- the Lagrangean stage (gxnet.optimize.lagrangean inside the model's solve) -------------


@pytest.mark.parametrize("instance", ["cap41", "cap71"])
def test_lagrangean_stage_proves_the_published_optimum(bench_dir, cflp_optima, instance):
    """cap71's bound meets the incumbent (an LP on its sites remains); cap41's does not, so
    the MIP runs on the sites the fixings leave free."""
    problem = read_cap(bench_dir / "cflp" / f"{instance}.txt").problem()
    solution = CapacitatedFacilityLocation.from_problem(problem, lagrangean=True).solve()
    optimum = cflp_optima[instance]
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(optimum, rel=1e-6)
    assert solution.metrics["lagrangean_bound"] <= optimum * (1 + 1e-9)
    assert solution.bound <= solution.objective * (1 + 1e-9)
    assert solution.gap <= 1e-6
    fixed = solution.metrics["points_fixed_open"] + solution.metrics["points_fixed_closed"]
    assert fixed > 0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("steps", [0, 3000])
def test_lagrangean_stage_matches_brute_force(seed, steps, monkeypatch):
    """With no subgradient steps the bound is weak and the MIP on the restricted problem must
    make the proof; with steps the bound usually makes it alone."""
    monkeypatch.setattr(
        capacitated, "subgradient", functools.partial(lagrangean.subgradient, max_iterations=steps)
    )
    tiny = random_tiny(np.random.default_rng(500 + seed), n=7, m=5)
    tiny.cost[:, 0] = 15.0
    tiny.capacity[0] = tiny.weight.sum()
    tiny.status = ["candidate", "existing", "candidate", "excluded", "candidate"]
    solution = _tiny_model(tiny, lagrangean=True).solve(SolverOptions(gap=0))
    expected = brute_force(tiny)
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(expected, rel=1e-9)
    assert solution.bound <= expected + 1e-6
    opened = set(solution.open_sites["recycling_point"])
    assert 1 in opened and 3 not in opened


@pytest.mark.parametrize("gap_rel", [0.0, 1e-6])
def test_better_mip_solution_fixes_more_sites_and_stays_exact(monkeypatch, gap_rel):
    """Without the local search the Lagrangean incumbent of this instance is poor: the first
    restricted MIP round stops at a better solution, the fixings made against it close a site
    the first ones left free, and the rounds still end at the brute-force optimum, proven
    (with a gap tolerance the cutoff lies below the incumbent; without, just above it)."""
    monkeypatch.setattr(lagrangean, "local_search", lambda data, start, value, **kw: start)
    rounds = []
    run_restricted = capacitated.CapacitatedFacilityLocation._run_restricted

    def record(self, prob, options, cutoff, tic, *, first_only):
        run = run_restricted(self, prob, options, cutoff, tic, first_only=first_only)
        rounds.append((cutoff, first_only, run.status))
        return run

    monkeypatch.setattr(capacitated.CapacitatedFacilityLocation, "_run_restricted", record)
    tiny = random_tiny(np.random.default_rng(935), n=9, m=6)
    tiny.cost[:, 0] = 15.0
    tiny.capacity[0] = tiny.weight.sum()
    solution = _tiny_model(tiny, lagrangean=True).solve(SolverOptions(gap=gap_rel))
    expected = brute_force(tiny)
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(expected, rel=1e-9)
    assert solution.bound <= expected + 1e-6
    assert solution.gap <= gap_rel
    # Round 1 stopped early below the heuristic's value; the later cutoffs are lower.
    assert rounds[0][1] and rounds[0][2] == "feasible"
    assert rounds[-1][0] < rounds[0][0]
    assert solution.metrics["restricted_rounds"] == len(rounds) >= 2
    assert solution.metrics["points_fixed_closed"] >= 1


def test_lagrangean_stage_refuses_models_it_does_not_describe():
    problem = _line_problem(points=2)
    with pytest.raises(ProblemDataError, match="lagrangean.*no points"):
        CapacitatedFacilityLocation.from_problem(problem, lagrangean=True).solve()
    problem = _line_problem()
    with pytest.raises(ProblemDataError, match="lagrangean"):
        CapacitatedFacilityLocation.from_problem(
            problem, single_source=True, lagrangean=True
        ).solve()
    # Left to itself the model runs the stage only on the plain model.
    assert not CapacitatedFacilityLocation.from_problem(problem).uses_lagrangean()


@pytest.mark.parametrize("strong", [True, False])
def test_a_weightless_unit_is_served_by_an_open_point(strong):
    """Every unit must be served by an open point, weightless ones too. The weak model tied a
    unit to its point only through the capacity row, where a weightless unit has no
    coefficient: it was "served" by the closed expensive point 1, and "optimal" 2 was reported
    where the cheapest plan costs 12 (point 1 must open for unit 0)."""
    tiny = Tiny(
        weight=np.array([0.0, 1.0]),
        cost=np.array([[np.inf, 1.0], [1.0, np.inf]]),
        capacity=np.array([5.0, 5.0]),
        fixed=np.array([1.0, 10.0]),
        status=["candidate", "candidate"],
    )
    expected = brute_force(tiny)
    assert expected == pytest.approx(12.0)
    solution = _assert_matches(_tiny_model(tiny, strong=strong), expected)
    assert sorted(solution.open_sites["recycling_point"]) == [0, 1]
