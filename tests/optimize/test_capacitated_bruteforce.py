"""The capacitated models against exhaustive enumeration on random tiny instances.

Each instance is made hostile on purpose: weightless units, units without load, a unit that
no point reaches, tied costs, existing, required and excluded sites, and (for the networks)
sometimes no usable point -> centre link at all. Every model must return the enumerated
optimum, proven, with its bound on the right side, or refuse an instance that has no plan. A
few dozen cases run with ``make test``; ``pytest -m bench`` runs 4,500 more.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from gxnet._errors import InfeasibleProblemError, SolverError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize import Problem
from gxnet.optimize.hubs import LINK_WEIGHT, HubLocation, unservable
from tests.optimize.location_bruteforce import Tiny, brute_force, random_tiny
from tests.optimize.test_capacitated import _tiny_model
from tests.optimize.test_network import _tiny_network

STATUSES = ("candidate", "candidate", "candidate", "existing", "required", "excluded")
#: Cases per family in ``make test``, and with ``-m bench``.
QUICK, MORE = 20, 1500


def hostile(seed: int, centres: int = 0) -> Tiny:
    """A random tiny instance with the cases that broke the models once."""
    rng = np.random.default_rng(seed)
    tiny = random_tiny(rng, n=int(rng.integers(3, 6)), m=int(rng.integers(2, 5)), centres=centres)
    n, m = tiny.cost.shape
    tiny.weight[rng.random(n) < 0.25] = 0.0  # weightless units
    tiny.cost = np.where(np.isfinite(tiny.cost), np.round(tiny.cost / 5) * 5 + 1, np.inf)  # ties
    if rng.random() < 0.3:
        tiny.cost[int(rng.integers(n))] = np.inf  # a unit that no point reaches
    tiny.status = list(rng.choice(STATUSES, m))
    if centres:
        tiny.load[rng.random(n) < 0.25] = 0.0  # units without load
        tiny.load[(tiny.weight == 0) & (rng.random(n) < 0.5)] = 3.0  # weightless with a load
        tiny.centre_status = list(rng.choice(STATUSES, centres))
        if rng.random() < 0.2:
            tiny.link[:] = np.inf  # no usable point -> centre link
    return tiny


def check(model, expected: float, **solve) -> None:
    """The model's answer is the enumerated optimum, proven; or, without a plan, a refusal."""
    try:
        solution = model.solve(SolverOptions(gap=0, **solve))
    except InfeasibleProblemError:
        assert not np.isfinite(expected)
        return
    if not np.isfinite(expected):
        assert solution.status == "infeasible"
        return
    assert solution.status == "optimal", solution.status
    assert solution.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert solution.bound <= solution.objective + 1e-6 * max(1.0, abs(solution.objective))


def cflp_case(seed: int) -> None:
    rng = np.random.default_rng(10_000 + seed)
    tiny = hostile(10_000 + seed)
    options = {
        "strong": bool(rng.random() < 0.5),
        "single_source": bool(rng.random() < 0.4),
        "uncovered_penalty": float(rng.choice([0.0, 5.0])) or None,
    }
    share = float(rng.choice([0.0, 0.6])) or None
    model = _tiny_model(tiny, Targets(coverage=share), **options)
    expected = brute_force(
        tiny,
        single_source=options["single_source"],
        coverage_share=share,
        penalty=options["uncovered_penalty"],
    )
    check(model, expected)


def network_case(seed: int) -> None:
    rng = np.random.default_rng(20_000 + seed)
    tiny = hostile(20_000 + seed, centres=2)
    single_centre = bool(rng.random() < 0.6)
    penalty = float(rng.choice([0.0, 20.0])) or None
    model = _tiny_network(tiny, single_centre=single_centre, uncovered_penalty=penalty)
    expected = brute_force(tiny, single_centre=single_centre, penalty=penalty)
    check(model, expected)


def hub_case(seed: int) -> None:
    """A tier above the points: the sites below (with loads, some none) each to one site."""
    tiny = hostile(30_000 + seed)
    tiny.weight = np.where(tiny.weight > 0, tiny.weight / 3, 0.0)  # loads, t/day
    problem = Problem.from_cost_matrix(
        tiny.cost,
        weights=tiny.weight,
        status=np.array(tiny.status, dtype=object),
        fixed_cost=tiny.fixed,
        capacity=tiny.capacity,
    )
    bad = unservable(problem)
    served = ~bad
    tiny_served = Tiny(
        tiny.weight[served], tiny.cost[served], tiny.capacity, tiny.fixed, tiny.status
    )
    expected = brute_force(tiny_served, single_source=True, cost_weight=LINK_WEIGHT)
    if bad.any():
        # What unservable leaves out no plan can serve: with every usable site open, the
        # single-source enumeration of the whole instance has no plan either.
        everything = Tiny(
            tiny.weight,
            tiny.cost,
            tiny.capacity,
            tiny.fixed,
            ["required" if s != "excluded" else s for s in tiny.status],
        )
        assert not np.isfinite(brute_force(everything, single_source=True))
    if not served.any():
        return
    sub = Problem.from_cost_matrix(
        tiny.cost[served],
        weights=tiny.weight[served],
        status=np.array(tiny.status, dtype=object),
        fixed_cost=tiny.fixed,
        capacity=tiny.capacity,
    )
    check(HubLocation(sub), expected)


@pytest.mark.parametrize("seed", range(QUICK))
def test_cflp_matches_enumeration(seed):
    cflp_case(seed)


@pytest.mark.parametrize("seed", range(QUICK))
def test_network_matches_enumeration(seed):
    network_case(seed)


@pytest.mark.parametrize("seed", range(QUICK))
def test_tier_above_the_points_matches_enumeration(seed):
    hub_case(seed)


@pytest.mark.bench
@pytest.mark.parametrize("seed", range(QUICK, QUICK + MORE))
@pytest.mark.parametrize("case", [cflp_case, network_case, hub_case])
def test_more_capacitated_instances_match_enumeration(case, seed):
    case(seed)


def _solved_models():
    """A solved CFLP, two-tier network and tier above the points, on random tiny instances."""
    for seed in range(40):
        tiny = random_tiny(np.random.default_rng(seed), n=4, m=3, centres=2)
        plain = Tiny(tiny.weight, tiny.cost, tiny.capacity, tiny.fixed, tiny.status)
        loads = Problem.from_cost_matrix(
            tiny.cost, weights=tiny.weight / 3, fixed_cost=tiny.fixed, capacity=tiny.capacity
        )
        models = [_tiny_model(plain), _tiny_network(tiny), HubLocation(loads)]
        try:
            return [(model, model.solve(SolverOptions(gap=0))) for model in models]
        except InfeasibleProblemError:
            continue
    raise AssertionError("no feasible tiny instance")


def test_a_bound_on_the_wrong_side_of_the_objective_is_refused():
    """Every answer is certified with the rule that the bound never crosses the objective: a
    lower bound above a minimised plan's objective is a false proof, refused naming the model;
    the answers as solved pass the same check."""
    for model, solution in _solved_models():
        assert solution.status == "optimal" and solution.bound <= solution.objective + 1e-6
        model.certify(solution)  # the answer as solved passes
        solution.bound = solution.objective + 1.0 + 0.01 * abs(solution.objective)
        with pytest.raises(
            SolverError, match=re.escape(model.name) + ": the proven bound .* wrong side"
        ):
            model.certify(solution)
