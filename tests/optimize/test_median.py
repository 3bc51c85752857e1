"""p-median: published optima, spopt's value, brute force on tiny instances, the heuristic."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.research.instances import read_pmed, read_spopt_sf
from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize import PMedian, Problem
from gxnet.optimize.median import greedy, interchange, lagrangean_reduction, median_cost
from tests.optimize.tiny_problems import feasible_sets, random_problem, total_cost

# pmed10 guards the HiGHS start-through-presolve fault (it once returned 1235 as "optimal").
PMED_OPTIMA = {1: 5819, 2: 4093, 3: 4250, 4: 3034, 5: 1355, 10: 1255}


@pytest.mark.parametrize("number", sorted(PMED_OPTIMA))
def test_pmed_optimum(bench_dir, number):
    instance = read_pmed(bench_dir / "pmed" / f"pmed{number}.txt")
    solution = PMedian.from_problem(instance.problem()).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(PMED_OPTIMA[number], rel=1e-9)
    assert solution.bound == pytest.approx(PMED_OPTIMA[number], rel=1e-9)
    assert len(solution.open_sites["recycling_point"]) == instance.p
    assignments = solution.assignments["recycling_point"]
    assert len(assignments) == instance.n
    assert assignments["cost"].sum() == pytest.approx(PMED_OPTIMA[number])


def test_pmed1_with_cbc_and_without_reduction(bench_dir):
    instance = read_pmed(bench_dir / "pmed" / "pmed1.txt")
    solution = PMedian.from_problem(instance.problem(), reduce=False, heuristic=False).solve(
        SolverOptions(name="cbc")
    )
    assert (solution.status, solution.objective) == ("optimal", pytest.approx(5819))


def test_spopt_san_francisco_value(bench_dir):
    sf = read_spopt_sf(bench_dir / "spopt_sf")
    solution = PMedian.from_cost_matrix(sf.cost, sf.weights, 4).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(2_848_268_129.7145, rel=1e-6)
    assert solution.metrics["mean_cost"] == pytest.approx(2982.1268579890657, rel=1e-9)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("reduce", [True, False])
def test_brute_force(seed, reduce):
    problem = random_problem(seed, cutoff=0.7)
    sites = problem.sites["recycling_point"]
    p = int(sites.kept.sum()) + 2
    if p > sites.usable.sum():
        p = int(sites.usable.sum())
    best = min((total_cost(problem, mask) for mask in feasible_sets(problem, p)), default=np.inf)
    assert np.isfinite(best)
    solution = PMedian.from_problem(problem, p, reduce=reduce).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best, abs=1e-6)
    opened = set(solution.open_sites["recycling_point"])
    assert set(sites.ids[sites.kept]) <= opened
    assert not set(sites.ids[sites.excluded]) & opened
    assert len(opened) == p


def test_weightless_units_are_still_served():
    cost = np.array([[1.0, np.inf, 5.0], [np.inf, 2.0, np.inf], [3.0, 1.0, 0.0]])
    solution = PMedian.from_cost_matrix(cost, np.array([1.0, 0.0, 1.0]), 2).solve()
    # Unit 1 weighs nothing but only site 1 reaches it: site 1 must open.
    assert solution.open_sites["recycling_point"] == [0, 1]
    assert solution.objective == pytest.approx(1.0 + 1.0)


def test_heuristic_improves_greedy_and_bound_is_valid(bench_dir):
    problem = read_pmed(bench_dir / "pmed" / "pmed2.txt").problem()
    pairs, weight = problem.usable_pairs(), problem.demand.weight
    sites = problem.sites["recycling_point"]
    start = greedy(pairs, weight, 10, sites.kept, sites.usable)
    improved = interchange(pairs, weight, start, sites.kept)
    assert start.sum() == improved.sum() == 10
    upper = median_cost(pairs, weight, improved)
    assert upper <= median_cost(pairs, weight, start)
    assert 4093 <= upper <= 4093 * 1.02
    served = weight * pairs.cost[pairs.nearest(improved)]
    reduction = lagrangean_reduction(pairs, weight, 10, sites.kept, sites.usable, upper, served)
    assert 4093 * 0.99 <= reduction.bound <= 4093
    assert reduction.pairs.sum() < pairs.n / 10


def test_unreachable_demand_is_named():
    cost = np.array([[1.0, 2.0], [np.inf, np.inf]])
    with pytest.raises(InfeasibleProblemError, match=r"1 id: 1\b.*lengthen the cutoff"):
        PMedian.from_cost_matrix(cost, None, 1)


def test_p_outside_the_candidates():
    problem = Problem.from_cost_matrix(np.ones((2, 3)), targets=Targets())
    with pytest.raises(ProblemDataError, match=r"targets.points: 4 recycling_points.*\[0, 3\]"):
        PMedian.from_problem(problem, 4)
    with pytest.raises(ProblemDataError, match="not set"):
        PMedian.from_problem(problem)
