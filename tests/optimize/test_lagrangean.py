"""The CFLP Lagrangean stage: bounds below the optimum, feasible heuristic solutions, fixings
that keep the optimum (published optima and brute force on tiny random instances)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmarks.research.instances import read_cap
from gxnet.optimize import CapacitatedFacilityLocation
from gxnet.optimize.budget import TimeBudget
from gxnet.optimize.lagrangean import (
    CflpData,
    cover_knapsack,
    fixings,
    initial_multipliers,
    open_count_limit,
    relax,
    repair,
    subgradient,
    transport,
)
from tests.optimize.location_bruteforce import Tiny, brute_force, random_tiny


def _data(tiny: Tiny) -> CflpData:
    model = CapacitatedFacilityLocation.from_cost_matrix(
        tiny.cost, tiny.weight, tiny.capacity, tiny.fixed, status=np.array(tiny.status, object)
    )
    return model.cflp_data(model.point_pairs())


def _feasible_tiny(seed: int, n: int = 7, m: int = 5) -> Tiny:
    """A random tiny instance that one far, roomy site keeps feasible; capacities bind."""
    tiny = random_tiny(np.random.default_rng(seed), n=n, m=m)
    tiny.cost[:, 0] = 15.0
    tiny.capacity[0] = tiny.weight.sum()
    tiny.capacity[1:] = np.maximum(tiny.capacity[1:], tiny.weight.max())
    return tiny


def _assert_feasible(data: CflpData, solution) -> None:
    served = np.bincount(data.origin, weights=solution.share, minlength=data.n)
    assert np.allclose(served, 1.0, atol=1e-7)
    load = np.bincount(
        data.destination, weights=solution.share * data.weight[data.origin], minlength=data.m
    )
    assert (load <= data.capacity + 1e-6).all()
    assert (load[~solution.open_sites] <= 1e-9).all()
    assert solution.value == pytest.approx(data.objective(solution.open_sites, solution.share))


@pytest.mark.parametrize("instance", ["cap41", "cap71"])
def test_bound_and_incumbent_bracket_the_published_optimum(bench_dir, cflp_optima, instance):
    problem = read_cap(bench_dir / "cflp" / f"{instance}.txt").problem()
    model = CapacitatedFacilityLocation.from_problem(problem)
    data = model.cflp_data(model.point_pairs())
    optimum = cflp_optima[instance]
    result = subgradient(data, budget=TimeBudget(20.0))
    assert result.bound <= optimum * (1 + 1e-9)
    assert result.bound >= optimum * (1 - 1e-4)  # the relaxation is tight on these
    assert result.upper == pytest.approx(optimum, rel=1e-6)
    _assert_feasible(data, result.incumbent)
    # The optimum's sites survive the fixings (its value is the incumbent's).
    assert not (result.must_open & ~result.incumbent.open_sites).any()


@pytest.mark.parametrize("seed", range(6))
def test_every_multiplier_gives_a_bound_below_the_brute_force_optimum(seed):
    tiny = _feasible_tiny(seed)
    data = _data(tiny)
    optimum = brute_force(tiny)
    rng = np.random.default_rng(seed)
    start = initial_multipliers(data)
    for scale in (0.0, 1.0, 2.0, 5.0):
        multipliers = start * scale + rng.normal(0, 20, data.n)
        assert relax(data, multipliers).value <= optimum + 1e-6
    result = subgradient(data, budget=TimeBudget(5.0))
    assert result.bound <= optimum + 1e-6
    assert result.upper == pytest.approx(optimum, rel=1e-9)
    _assert_feasible(data, result.incumbent)


def _cheapest_cover(value, capacity, needed, must, may) -> float:
    best = np.inf
    for y in itertools.product((0, 1), repeat=len(value)):
        y = np.array(y, bool)
        if (must & ~y).any() or (y & ~may).any() or capacity[y].sum() < needed:
            continue
        best = min(best, value[y].sum())
    return best


def test_cover_knapsack_matches_enumeration():
    rng = np.random.default_rng(3)
    for _ in range(20):
        m = 7
        value = rng.normal(5, 10, m)
        capacity = rng.integers(1, 8, m).astype(float) * 3
        must = rng.random(m) < 0.15
        may = must | (rng.random(m) < 0.85)
        needed = float(rng.integers(1, int(capacity[may].sum()) + 3))
        best = _cheapest_cover(value, capacity, needed, must, may)
        total, chosen = cover_knapsack(value, capacity, needed, must, may)
        assert total == pytest.approx(best)
        if np.isfinite(best):
            assert value[chosen].sum() == pytest.approx(best)
            assert capacity[chosen].sum() >= needed and not (must & ~chosen).any()


def test_cover_knapsack_lp_fallback_stays_below_the_exact_value():
    value = np.array([4.0, 7.0, 3.0, 9.0])
    capacity = np.array([2.5, 4.1, 1.7, 6.3])  # not integers: the LP relaxation is used
    none = np.zeros(4, bool)
    total, chosen = cover_knapsack(value, capacity, 7.0, none, ~none)
    exact = _cheapest_cover(value, capacity, 7.0, none, ~none)
    assert exact == pytest.approx(12.0)
    assert total == pytest.approx(9.0 + 0.7 / 2.5 * 4.0)  # site 3, then 28 % of site 0
    assert capacity[chosen].sum() >= 7.0


def test_fixings_never_cut_off_the_optimum():
    """Against every incumbent (good or poor) the fixings keep a brute-force optimum."""
    fixed = 0
    for seed in range(8):
        tiny = _feasible_tiny(100 + seed, n=8, m=5)
        data = _data(tiny)
        optimum = brute_force(tiny)
        multipliers = subgradient(data, budget=TimeBudget(5.0)).multipliers
        for y in itertools.product((0, 1), repeat=data.m):
            incumbent = transport(data, np.array(y, bool))
            if incumbent is None:
                continue
            must, may = fixings(data, multipliers, incumbent)
            # The incumbent itself keeps every fixing (it is the restricted MIP's start).
            assert not (must & ~incumbent.open_sites).any()
            assert not (incumbent.open_sites & ~may).any()
            if not must.any() and may.all():
                continue
            fixed += 1
            status = [
                "existing" if a else "candidate" if b else "excluded"
                for a, b in zip(must, may, strict=True)
            ]
            restricted = Tiny(tiny.weight, tiny.cost, tiny.capacity, tiny.fixed, status)
            assert brute_force(restricted) == pytest.approx(optimum, rel=1e-9)
    assert fixed >= 20  # the check above ran on many fixings


def test_open_count_limit_keeps_every_solution_as_good_as_the_upper_value():
    """No solution at most as costly as ``upper`` (and keeping the fixings made against it)
    opens more sites than the limit; the limit is below the sites that may open often."""
    binding = 0
    for seed in range(6):
        tiny = _feasible_tiny(300 + seed, n=8, m=6)
        data = _data(tiny)
        multipliers = subgradient(data, budget=TimeBudget(5.0)).multipliers
        solutions = [
            transport(data, np.array(y, bool)) for y in itertools.product((0, 1), repeat=6)
        ]
        solutions = [s for s in solutions if s is not None]
        for incumbent in solutions:
            must, may = fixings(data, multipliers, incumbent)
            limit = open_count_limit(data, multipliers, incumbent.value, must, may)
            binding += limit < int(may.sum())
            for other in solutions:
                keeps = not (must & ~other.open_sites).any() and not (other.open_sites & ~may).any()
                if keeps and other.value <= incumbent.value:
                    assert int(other.open_sites.sum()) <= limit
    assert binding >= 10


def test_transport_is_the_exact_assignment_of_an_open_set():
    tiny = _feasible_tiny(7)
    data = _data(tiny)
    every = np.ones(data.m, bool)
    found = transport(data, every)
    _assert_feasible(data, found)
    # Sites left without customers are closed; the value is the brute force with those open.
    status = ["existing" if o else "excluded" for o in found.open_sites]
    kept = Tiny(tiny.weight, tiny.cost, tiny.capacity, tiny.fixed, status)
    assert found.value == pytest.approx(brute_force(kept), rel=1e-9)
    assert not found.open_sites.all()
    too_small = np.zeros(data.m, bool)
    too_small[1] = True
    assert transport(data, too_small) is None


@pytest.mark.parametrize("seed", range(4))
def test_repair_opens_sites_until_every_unit_is_served(seed):
    tiny = random_tiny(np.random.default_rng(700 + seed), n=8, m=6, density=0.4)
    tiny.cost[:, 0] = 15.0
    tiny.capacity[:] = tiny.weight.sum()
    data = _data(tiny)
    # Site 0 alone would hold the demand but the value order puts it last: the sparse pairs
    # of the others leave units unserved until enough of them (or site 0) open.
    value = np.arange(data.m, dtype=float)[::-1]
    nothing = np.zeros(data.m, bool)
    found = repair(data, nothing, value)
    _assert_feasible(data, found)
    assert found.value >= brute_force(tiny) - 1e-6
