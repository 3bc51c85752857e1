"""The split-flow network as a pure min-cost flow, solved by OR-Tools in a few milliseconds.

With the open sites chosen, the flows of a split-flow network are an LP
(:class:`~benchmarks.research.network_search.NetworkFlows`). When every demand unit's load is the
same multiple of its weight, that LP is a min-cost flow on a graph: demand units supply their
weight, each site is an arc from its in-node to its out-node holding its capacity, the pairs
are arcs between them, and the top tier's sites drain into one sink. OR-Tools' cost-scaling
solver takes it in 1.4 ms where HiGHS's simplex takes 22-26 ms (PSC3-C4-100 with 23 points
and 12 centres open, 9,476 columns), which is what the local search spends its time on.

OR-Tools wants integers. Integral weights, capacities and unit costs (the two-stage
benchmark) are solved exactly. Otherwise weights are scaled up and rounded *up*, capacities
rounded *down* and unit costs rounded to about six digits: any flow found then fits the real
capacities, so the plan it prices is feasible, and its cost (priced at the real unit costs)
is within rounding of the cheapest. The search uses it to compare plans; the plan it keeps is
priced by the exact LP at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gxnet._errors import SolverError
from gxnet.optimize.problem import Pairs, csr_positions

#: Largest integer a scaled weight or unit cost is rounded to when the data are not integral:
#: six significant digits, far inside OR-Tools' 64-bit range even summed over a city.
_SCALE = 1e6


@dataclass(frozen=True)
class FlowTier:
    """One tier of sites and the pairs that bring load to it.

    Attributes
    ----------
    pairs : Pairs
        Pairs from the tier below (demand units for the points) to this tier's sites.
    capacity, fixed_cost : numpy.ndarray
        Per site (capacity inf: none).
    unit_cost : numpy.ndarray
        Objective coefficient of each pair's column (per share of a demand unit for the
        points, per unit of load for the links).
    """

    pairs: Pairs
    capacity: np.ndarray
    fixed_cost: np.ndarray
    unit_cost: np.ndarray


@dataclass(frozen=True)
class MinCostFlow:
    """The arcs of a split-flow network, in the column order of ``NetworkFlows``, then one
    capacity arc per site and tier.

    Attributes
    ----------
    tail, head : numpy.ndarray
        Nodes of every arc.
    capacity, unit_cost : numpy.ndarray
        int64 per arc, scaled.
    supply : numpy.ndarray
        int64 per demand unit (the first nodes), scaled; the sink (the last node) takes it all.
    to_value : numpy.ndarray
        Per column arc: the column's value per unit of flow (a share per unit for the points'
        pairs, a load per unit for the links).
    n_columns : int
        Number of column arcs; the site arcs follow, tier by tier.
    site_offsets : numpy.ndarray
        Start of each tier's site arcs.
    exact : bool
        Whether nothing was rounded: the flows found are the LP's optimum, and "no flow" means
        the open sites cannot carry the demand (rounded capacities may refuse a tight fit).
    site_columns : tuple of (numpy.ndarray, numpy.ndarray)
        Per tier, the column arcs into each site (CSR: index pointer, columns), so that an
        evaluation gathers the open sites' columns without a pass over all of them.
    lower_site : numpy.ndarray
        Per column arc, the site of the tier below it leaves (-1 for a demand unit's).
    """

    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray
    unit_cost: np.ndarray
    supply: np.ndarray
    to_value: np.ndarray
    n_columns: int
    site_offsets: np.ndarray
    exact: bool
    site_columns: tuple[tuple[np.ndarray, np.ndarray], ...]
    lower_site: np.ndarray

    @classmethod
    def from_tiers(
        cls, tiers: Sequence[FlowTier], weight: np.ndarray, load: np.ndarray
    ) -> MinCostFlow | None:
        """The network of ``tiers`` (:class:`FlowTier`), or None
        when it is no pure network: a load that is not one multiple of the weight, or no load
        at all above the points.

        Parameters
        ----------
        tiers : sequence of FlowTier
            Points first; unit costs per share of a demand unit for the points' pairs, per
            unit of load for the links.
        weight, load : numpy.ndarray
            Per demand unit.
        """
        first = tiers[0].pairs
        served = np.bincount(first.origin, minlength=first.n_origins) > 0
        weight = np.where(served, weight, 0.0)
        load = np.where(served, load, 0.0)
        ratio = 1.0
        if len(tiers) > 1:
            weighed = weight > 0
            if not weighed.any() or (load[~weighed] > 0).any():
                return None
            ratios = load[weighed] / weight[weighed]
            ratio = float(ratios.mean())
            if ratio <= 0 or not np.allclose(ratios, ratio, rtol=1e-9, atol=0.0):
                return None
        supply_scale = 1.0 if _integral(weight) else _SCALE / weight.max()
        supply = np.ceil(weight * supply_scale).astype(np.int64)
        total = int(supply.sum())
        # Cost of an arc per unit of (scaled) flow, the weight's unit throughout.
        per_unit = [
            np.divide(
                tiers[0].unit_cost,
                weight[first.origin] * supply_scale,
                out=np.zeros(first.n),
                where=weight[first.origin] > 0,
            )
        ]
        per_unit += [t.unit_cost * ratio / supply_scale for t in tiers[1:]]
        costs = np.concatenate(per_unit)
        n_demand = first.n_origins
        sizes = [len(t.capacity) for t in tiers]
        # OR-Tools multiplies unit costs by the node count while it scales them, and sums
        # cost x flow in 64 bits: keep both inside, rounding the costs when they would not be.
        cost_limit = 2.0**62 / max(n_demand + 2 * sum(sizes) + 1, total, 1)
        largest = float(costs.max(initial=0.0))
        cost_scale = (
            1.0
            if _integral(costs) and largest <= cost_limit
            else min(_SCALE, cost_limit) / max(largest, 1e-300)
        )
        into = n_demand + np.concatenate([[0], np.cumsum(sizes)])[:-1]
        sink = n_demand + sum(sizes) + sum(sizes[:-1])
        # Out-nodes of the tiers below the top; the top tier's sites drain into the sink.
        out_of = [n_demand + sum(sizes) + sum(sizes[:t]) for t in range(len(tiers) - 1)]
        tails = [first.origin.astype(np.int64)]
        heads = [into[0] + first.destination.astype(np.int64)]
        to_value = [
            np.divide(
                1.0, supply[first.origin], out=np.zeros(first.n), where=supply[first.origin] > 0
            )
        ]
        for t, tier in enumerate(tiers[1:], start=1):
            tails.append(out_of[t - 1] + tier.pairs.origin.astype(np.int64))
            heads.append(into[t] + tier.pairs.destination.astype(np.int64))
            to_value.append(np.full(tier.pairs.n, ratio / supply_scale))
        n_columns = int(sum(len(a) for a in tails))
        column_start = np.concatenate([[0], np.cumsum([t.pairs.n for t in tiers])])
        site_offsets = n_columns + np.concatenate([[0], np.cumsum(sizes)])
        capacities = [np.full(n_columns, total, dtype=np.int64)]
        capacity_values = []
        site_columns = []
        for t, tier in enumerate(tiers):
            n = sizes[t]
            tails.append(into[t] + np.arange(n, dtype=np.int64))
            heads.append(
                np.full(n, sink, dtype=np.int64)
                if t == len(tiers) - 1
                else out_of[t] + np.arange(n, dtype=np.int64)
            )
            # Rounded down, so that a flow within them fits the real capacities.
            scaled = np.minimum(tier.capacity * supply_scale / (ratio if t else 1.0), total)
            capacity_values.append(scaled)
            capacities.append(np.floor(scaled).astype(np.int64))
            into_site = tier.pairs.destination
            indptr = np.concatenate([[0], np.cumsum(np.bincount(into_site, minlength=n))])
            site_columns.append((indptr, column_start[t] + np.argsort(into_site, kind="stable")))
        n_sites = sum(sizes)
        return cls(
            tail=np.concatenate(tails),
            head=np.concatenate(heads),
            capacity=np.concatenate(capacities),
            unit_cost=np.concatenate(
                [np.rint(costs * cost_scale).astype(np.int64), np.zeros(n_sites, dtype=np.int64)]
            ),
            supply=np.concatenate([supply, np.zeros(sink - n_demand, dtype=np.int64), [-total]]),
            to_value=np.concatenate(to_value),
            n_columns=n_columns,
            site_offsets=site_offsets,
            exact=bool(
                supply_scale == 1.0
                and cost_scale == 1.0
                and all(_integral(c) for c in capacity_values)
            ),
            site_columns=tuple(site_columns),
            lower_site=np.concatenate(
                [np.full(first.n, -1), *(t.pairs.origin.astype(np.int64) for t in tiers[1:])]
            ),
        )

    def solve(self, open_sites: Sequence[np.ndarray]) -> np.ndarray | None:
        """Column values of the cheapest flows through the open sites, or None when they
        cannot carry the demand (as rounded). Raises SolverError when OR-Tools fails.

        Parameters
        ----------
        open_sites : sequence of numpy.ndarray
            Boolean per site and tier.
        """
        from ortools.graph.python import min_cost_flow

        opened = [np.flatnonzero(is_open) for is_open in open_sites]
        parts = []
        for t, sites in enumerate(opened):
            indptr, columns = self.site_columns[t]
            into_open = columns[csr_positions(indptr, sites)]
            if t:
                into_open = into_open[open_sites[t - 1][self.lower_site[into_open]]]
            parts.append(into_open)
        site_arcs = [s + sites for s, sites in zip(self.site_offsets[:-1], opened, strict=True)]
        arcs = np.concatenate([*parts, *site_arcs])
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(
            self.tail[arcs], self.head[arcs], self.capacity[arcs], self.unit_cost[arcs]
        )
        solver.set_nodes_supplies(np.arange(len(self.supply)), self.supply)
        status = solver.solve()
        if status == solver.INFEASIBLE:
            return None
        if status != solver.OPTIMAL:
            # Not "infeasible": a failure must never close a feasible plan.
            raise SolverError(f"OR-Tools' min-cost flow stopped with status {status}")
        columns = arcs[: sum(len(p) for p in parts)]
        values = np.zeros(self.n_columns)
        values[columns] = solver.flows(np.arange(len(columns))) * self.to_value[columns]
        return values


def _integral(values: np.ndarray) -> bool:
    """Whether every value is a whole number small enough for exact int64 sums."""
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.rint(finite)) and np.abs(finite).max(initial=0) < 2**40)
