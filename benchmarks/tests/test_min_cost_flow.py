"""Min-cost flow: the same flows and costs as the LP on pure networks, feasible when rounded."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from benchmarks.research.min_cost_flow import FlowTier, MinCostFlow
from benchmarks.research.network_search import NetworkFlows
from gxnet._errors import SolverError
from gxnet.optimize.problem import Pairs

pytestmark = pytest.mark.bench


def _network(seed: int, sizes=(5, 4, 3), *, ratio: float = 1.0, integral: bool = True):
    """Random flows of demand units -> points -> centres (-> bases with three sizes after the
    demand), every pair present with probability 0.7, and the load ``ratio`` x the weight."""
    rng = np.random.default_rng(seed)
    n_demand, *n_sites = sizes[0], *sizes[1:]

    def draw(low: int, high: int, size) -> np.ndarray:
        values = rng.integers(low, high, size).astype(float)
        return values if integral else values + rng.random(size).round(3)

    weight = draw(1, 10, n_demand)
    tiers = []
    below = n_demand
    for t, n in enumerate(n_sites):
        cost = draw(1, 20, (below, n))
        cost[rng.random((below, n)) > 0.7] = np.inf
        cost[:, 0] = 5.0  # site 0 reaches everything below
        pairs = Pairs.from_dense(cost)
        unit = weight[pairs.origin] * pairs.cost if t == 0 else pairs.cost
        capacity = draw(8, 30, n) * (1.0 if t == 0 else ratio)
        capacity[0] = 1e9 if t else weight.sum()
        tiers.append(FlowTier(pairs, capacity, draw(10, 60, n), unit))
        below = n
    return NetworkFlows(tiers, weight, ratio * weight)


def _choices(flows: NetworkFlows):
    """Every open choice of every tier."""
    sizes = [len(t.capacity) for t in flows.tiers]
    for masks in itertools.product(*(itertools.product((False, True), repeat=n) for n in sizes)):
        yield [np.array(m) for m in masks]


@pytest.mark.parametrize(("seed", "sizes"), [(0, (5, 4, 3)), (1, (6, 3, 3)), (2, (4, 3, 2, 2))])
def test_integral_networks_give_the_lp_cost_and_flows_of_every_open_choice(seed, sizes):
    flows = _network(seed, sizes)
    assert flows.network is not None and flows.network.exact
    feasible = 0
    for open_sites in _choices(flows):
        cost, values = flows.evaluate(open_sites)
        expected, _ = flows.evaluate(open_sites, exact=True)
        if not np.isfinite(expected):
            assert (cost, values) == (np.inf, None)
            continue
        feasible += 1
        assert cost == pytest.approx(expected, rel=1e-12)
        # The flows meet every row of the LP and stay on open sites.
        rows = flows.matrix @ values
        assert (rows >= flows.row_lower - 1e-9).all() and (rows <= flows.row_upper + 1e-9).all()
        assert (values[~flows.usable(open_sites)] == 0).all()
    assert feasible > 10


def test_a_fractional_network_prices_feasible_flows_within_rounding():
    flows = _network(3, ratio=2.5, integral=False)
    assert flows.network is not None and not flows.network.exact
    compared = 0
    for open_sites in _choices(flows):
        cost, values = flows.evaluate(open_sites)
        expected, _ = flows.evaluate(open_sites, exact=True)
        if values is None:
            assert not np.isfinite(expected)
            continue
        compared += 1
        assert expected <= cost <= expected * (1 + 1e-5)
        # Rounded up weights and rounded down capacities: what a site receives fits it.
        for t, tier in enumerate(flows.tiers):
            received = np.asarray(flows.received(t, values).sum(axis=1)).ravel()
            assert (received <= tier.capacity + 1e-9).all()
    assert compared > 10


def test_a_tight_fit_refused_by_rounding_falls_back_to_the_lp():
    flows = _network(4, integral=False)
    first = flows.tiers[0]
    # Point 0 alone holds exactly the demand: rounding the weights up overfills it.
    open_sites = [np.arange(len(t.capacity)) == 0 for t in flows.tiers]
    assert first.capacity[0] == flows.weight.sum()
    assert flows.network.solve(open_sites) is None
    cost, values = flows.evaluate(open_sites)
    assert np.isfinite(cost) and values is not None
    assert cost == pytest.approx(flows.evaluate(open_sites, exact=True)[0], rel=1e-12)


def test_a_load_that_is_no_multiple_of_the_weight_is_no_network():
    flows = _network(5)
    load = flows.load.copy()
    assert MinCostFlow.from_tiers(flows.tiers, flows.weight, load) is not None
    load[0] += 1.0
    assert MinCostFlow.from_tiers(flows.tiers, flows.weight, load) is None
    # No load goes up: the LP sends nothing to the centres, a network would.
    assert MinCostFlow.from_tiers(flows.tiers, flows.weight, 0 * load) is None
    # Points alone need no load at all.
    assert MinCostFlow.from_tiers(flows.tiers[:1], flows.weight, 0 * load) is not None


def test_a_unit_no_point_reaches_supplies_nothing():
    flows = _network(6)
    tiers = list(flows.tiers)
    first = tiers[0].pairs
    keep = first.origin != 0
    tiers[0] = FlowTier(
        first.select(keep), tiers[0].capacity, tiers[0].fixed_cost, tiers[0].unit_cost[keep]
    )
    reduced = NetworkFlows(tiers, flows.weight, flows.load)
    assert reduced.network.supply[0] == 0
    every = [np.ones(len(t.capacity), dtype=bool) for t in tiers]
    cost, _ = reduced.evaluate(every)
    assert cost == pytest.approx(reduced.evaluate(every, exact=True)[0], rel=1e-12)


def test_costs_too_large_for_exact_sums_are_rounded_not_overflowed():
    # Whole numbers (scaled by powers of two, so exactly), yet cost x flow passes 2**63:
    # 1e11 units at up to 2e10 per unit.
    flows = _network(7)
    tiers = [
        dataclasses.replace(
            t,
            capacity=t.capacity * 2.0**32,
            unit_cost=t.unit_cost * 2.0 ** (30 if k else 62),
        )
        for k, t in enumerate(flows.tiers)
    ]
    large = NetworkFlows(tiers, flows.weight * 2.0**32, flows.load * 2.0**32)
    assert large.network is not None and not large.network.exact
    every = [np.ones(len(t.capacity), dtype=bool) for t in tiers]
    cost, _ = large.evaluate(every)
    # The same network in small numbers, its flow cost scaled back (HiGHS gives up on costs
    # of 1e20 per column).
    small, _ = flows.evaluate(every, exact=True)
    fixed = flows.fixed_cost(every)
    expected = (small - fixed) * 2.0**62 + fixed
    assert expected * (1 - 1e-12) <= cost <= expected * (1 + 1e-5)


def test_a_failing_min_cost_flow_raises_rather_than_closing_the_plan(monkeypatch):
    from ortools.graph.python import min_cost_flow

    real = min_cost_flow.SimpleMinCostFlow

    class Refusing:
        INFEASIBLE, OPTIMAL = real.INFEASIBLE, real.OPTIMAL

        def add_arcs_with_capacity_and_unit_cost(self, *arrays):
            pass

        def set_nodes_supplies(self, *arrays):
            pass

        def solve(self):
            return real.BAD_COST_RANGE

    flows = _network(8)
    monkeypatch.setattr(min_cost_flow, "SimpleMinCostFlow", Refusing)
    every = [np.ones(len(t.capacity), dtype=bool) for t in flows.tiers]
    with pytest.raises(SolverError, match="min-cost flow stopped with status"):
        flows.evaluate(every)
