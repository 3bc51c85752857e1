"""The recycling network: points chosen, and the sorting centres (and bases) behind them.

Guangxi's "three-in-one" system maps onto tiers: community recycling points (tier 1, capacity
in households, reached on foot within the service standard), sorting centres (tier 2, capacity
in tonnes per day, reached by truck or tricycle within the truck cutoff) and, optionally,
processing bases such as the Wuzhou and Yulin urban-mining bases (tier 3; existing bases are
fixed open, candidates are chosen).

With ``l_i`` the load of demand unit ``i`` (tonnes/day, or households) and ``f`` the load
carried over a link, :class:`TwoTierNetwork` adds to the capacitated model of
:mod:`gxnet.optimize.capacitated`::

    min   ... + sum_c G_c z_c + beta * sum_(j,c) s_jc f_jc  (+ the same for centre -> base)
    s.t.  sum_c f_jc = sum_i l_i x_ij                every point j (its load goes up)
          sum_j f_jc <= Q_c z_c                      every centre c with a finite capacity
          sum_c a_jc = y_j,  a_jc <= z_c,  f_jc <= M_jc a_jc     single_centre=True
          f_jc <= M_jc z_c                           split flows, uncapacitated centres only

``a_jc`` (binary) says which centre an open point delivers to, ``M_jc`` is the most the link can
carry (the point's reachable load, the centre's capacity). Only pairs within the truck cutoff
exist, so every open point has a centre within it. Points with no centre in reach cannot open
(existing or required ones are an error, found before solving), and the same holds for centres
without a base when bases are modelled.

Weights: ``cost_weight`` prices weight x seconds at tier 1 (e.g. yuan per household-second of
walking), ``link_weight`` prices load x seconds on the truck links (e.g. yuan per
tonne-second); both default to 1, which is the continuous two-stage CFLP of Fernandes et al.
(2014) when ``single_centre=False`` and the load is the demand weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet._messages import Phrase
from gxnet.config import SolverOptions, Targets
from gxnet.optimize.budget import TimeBudget
from gxnet.optimize.capacitated import (
    CapacitatedFacilityLocation,
    CountSense,
    at_most,
    capacity_cover,
    check_cost_budget,
    check_count,
    count_constraint,
    needed_weight,
    open_ids,
    open_variables,
)
from gxnet.optimize.problem import Demand, Pairs, Problem, TierSites, describe_ids
from gxnet.optimize.solve import (
    CHECK_TOLERANCE,
    Solution,
    SolverRun,
    assignment_frame,
    check_assignments,
    check_open_sites,
    plan_error,
)
from gxnet.tiers import TIERS, SiteStatus, Tier

_UPPER = TIERS[1:]


@dataclass
class LinkLayer:
    """Loads carried from the open sites of one tier to the sites of the tier above.

    Attributes
    ----------
    tier : str
        The tier the links lead to (``sorting_centre`` or ``processing_base``).
    pairs : Pairs
        Usable links (origin: lower-tier site, destination: this tier's site).
    flow : list of pulp.LpVariable
        Load carried over each link.
    assign : list of pulp.LpVariable or None
        Binary choice of the link, when each site sends everything to one site above.
    z : list of pulp.LpVariable
        Open/closed variables of this tier's sites.
    """

    tier: Tier
    pairs: Pairs
    flow: list[pulp.LpVariable]
    assign: list[pulp.LpVariable] | None
    z: list[pulp.LpVariable]

    @classmethod
    def build(
        cls,
        prob: pulp.LpProblem,
        problem: Problem,
        sites: TierSites,
        pairs: Pairs,
        may_open: np.ndarray,
        lower_open: list[pulp.LpVariable],
        lower_load: list[pulp.LpAffineExpression],
        lower_max: np.ndarray,
        *,
        single: bool,
    ) -> LinkLayer:
        """Add the link rows between a lower tier and ``sites`` to ``prob``."""
        pairs = pairs.select(may_open[pairs.destination])
        tag = sites.tier[0]
        z = open_variables(prob, problem, sites.tier, may_open)
        capacity = sites.capacity
        limit = np.minimum(lower_max[pairs.origin], capacity[pairs.destination])
        flow = [prob.add_variable(f"f{tag}{k}", 0, float(limit[k])) for k in range(pairs.n)]
        assign = (
            [prob.add_variable(f"a{tag}{k}", cat=pulp.LpBinary) for k in range(pairs.n)]
            if single
            else None
        )
        for o in range(pairs.n_origins):
            links = range(pairs.indptr[o], pairs.indptr[o + 1])
            if len(links) == 0:
                continue
            out = pulp.LpAffineExpression([(flow[k], 1.0) for k in links])
            prob += pulp.LpConstraint(out - lower_load[o], pulp.LpConstraintEQ, rhs=0)
            if assign is not None:
                chosen = pulp.LpAffineExpression([(assign[k], 1.0) for k in links])
                prob += pulp.LpConstraint(chosen - lower_open[o], pulp.LpConstraintEQ, rhs=0)
            else:
                # An open site has a site above within reach open, whatever load it carries
                # (one that serves nobody yet still needs somewhere to send it).
                reach = pulp.LpAffineExpression([(z[pairs.destination[k]], 1.0) for k in links])
                prob += pulp.LpConstraint(reach - lower_open[o], pulp.LpConstraintGE, rhs=0)
        by_site = np.argsort(pairs.destination, kind="stable")
        starts = np.searchsorted(pairs.destination[by_site], np.arange(sites.n + 1))
        for d in range(sites.n):
            rows = by_site[starts[d] : starts[d + 1]]
            if len(rows) == 0:
                continue
            if np.isfinite(capacity[d]) and capacity[d] < limit[rows].sum():
                inflow = [(flow[k], 1.0) for k in rows]
                inflow.append((z[d], -float(capacity[d])))
                prob += pulp.LpConstraint(
                    pulp.LpAffineExpression(inflow), pulp.LpConstraintLE, rhs=0
                )
            elif assign is None:
                # No binding capacity row: the link bound is the only tie to z.
                for k in rows:
                    prob += at_most(flow[k], float(limit[k]), z[d])
            if assign is not None:
                for k in rows:
                    prob += at_most(flow[k], float(limit[k]), assign[k])
                    prob += at_most(assign[k], 1.0, z[d])
        return cls(sites.tier, pairs, flow, assign, z)

    def cost(self) -> pulp.LpAffineExpression:
        """``sum s_k f_k`` over the links."""
        return pulp.LpAffineExpression(
            [(f, float(c)) for f, c in zip(self.flow, self.pairs.cost, strict=True) if c]
        )

    def inflow(self, n_sites: int) -> list[pulp.LpAffineExpression]:
        """Load arriving at each site of this tier (what it sends further up)."""
        terms: list[list] = [[] for _ in range(n_sites)]
        for k, d in enumerate(self.pairs.destination):
            terms[d].append((self.flow[k], 1.0))
        return [pulp.LpAffineExpression(t) for t in terms]

    def max_inflow(self, lower_max: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """The most each site of this tier can receive (for the next tier's link bounds)."""
        reach = np.bincount(
            self.pairs.destination,
            weights=lower_max[self.pairs.origin],
            minlength=len(capacity),
        )
        return np.minimum(reach, capacity)

    def frame(self, problem: Problem) -> pd.DataFrame:
        """Links carrying load: origin_id, site_id, cost, share of the origin's load, flow."""
        flow = np.array([f.varValue or 0.0 for f in self.flow], dtype=np.float64)
        used = flow > 1e-7 * max(1.0, float(flow.max(initial=0.0)))
        if self.assign is not None:
            used |= np.array([(a.varValue or 0.0) > 0.5 for a in self.assign], dtype=bool)
        rows = np.flatnonzero(used)
        sent = np.bincount(
            self.pairs.origin[rows], weights=flow[rows], minlength=self.pairs.n_origins
        )
        share = np.divide(
            flow[rows],
            sent[self.pairs.origin[rows]],
            out=np.ones(len(rows)),
            where=sent[self.pairs.origin[rows]] > 0,
        )
        frame = assignment_frame(problem, self.tier, self.pairs, rows, share)
        frame["flow"] = flow[rows]
        return frame


class TwoTierNetwork(CapacitatedFacilityLocation):
    """Recycling points and the sorting centres (and processing bases) that serve them.

    Parameters
    ----------
    problem : Problem
        Demand; ``recycling_point`` and ``sorting_centre`` sites (a ``processing_base`` tier
        makes it the three-tier network); pairs demand -> point (service standard),
        point -> centre (truck cutoff) and centre -> base; targets ``points``,
        ``coverage``, ``cost_budget`` (fixed costs of all tiers), ``centres``, ``bases``.
    load : numpy.ndarray, optional
        Load of each demand unit in the units of the centre capacities (e.g. tonnes/day of
        recyclables); default the demand weight (then centre capacities are in households).
    single_centre : bool
        Each open point (and centre) delivers everything to one site above; False splits the
        flow (the continuous two-stage CFLP).
    link_weight : float
        Money per unit of load x cost on the point -> centre and centre -> base links.
    truck_cutoff : float, optional
        Drop point -> centre links costlier than this.
    count_sense : str or mapping
        How the count targets bind ("exact", "at_most", "at_least"): one for every tier, or a
        mapping tier -> sense (tiers left out are "exact").
    **options
        As in :class:`~gxnet.optimize.capacitated.CapacitatedFacilityLocation` (single_source,
        strong, cost_weight, service_cutoff, uncovered_penalty).
    """

    name = "two-tier network"

    def __init__(
        self,
        problem: Problem,
        *,
        load: np.ndarray | None = None,
        single_centre: bool = True,
        link_weight: float = 1.0,
        truck_cutoff: float | None = None,
        count_sense: CountSense | Mapping[str, CountSense] = "exact",
        **options,
    ) -> None:
        senses = (
            {t: count_sense.get(t, "exact") for t in TIERS}
            if isinstance(count_sense, Mapping)
            else dict.fromkeys(TIERS, count_sense)
        )
        super().__init__(problem, count_sense=senses[Tier.RECYCLING_POINT], **options)
        self.tiers = tuple(t for t in _UPPER if t in problem.sites)
        for tier in (Tier.SORTING_CENTRE, *self.tiers):
            if tier not in problem.sites or tier not in problem.pairs:
                raise ProblemDataError(
                    f"pairs.{tier}: the network needs {tier} sites and the links to them"
                )
        weight = problem.demand.weight
        self.load = weight if load is None else np.asarray(load, dtype=np.float64)
        if self.load.shape != weight.shape or not (
            np.isfinite(self.load).all() and (self.load >= 0).all()
        ):
            raise ProblemDataError(
                f"load: expected {weight.shape[0]} finite values >= 0 (one per demand unit)"
            )
        if not (np.isfinite(link_weight) and link_weight >= 0):
            raise ProblemDataError(f"link_weight: {link_weight} must be a finite number >= 0")
        self.single_centre = single_centre
        self.link_weight = link_weight
        self.truck_cutoff = truck_cutoff
        self.senses = senses
        if Tier.PROCESSING_BASE in self.tiers:
            self.name = "three-tier network"
        self._links: list[LinkLayer] = []

    @classmethod
    def from_cost_matrix(
        cls,
        cost_matrix: np.ndarray,
        weights: np.ndarray,
        capacities: np.ndarray,
        fixed_costs: np.ndarray,
        *,
        centre_costs: np.ndarray,
        centre_capacities: np.ndarray,
        centre_fixed_costs: np.ndarray,
        base_costs: np.ndarray | None = None,
        base_capacities: np.ndarray | None = None,
        base_fixed_costs: np.ndarray | None = None,
        service_radius: float | None = None,
        truck_cutoff: float | None = None,
        status: Mapping[str, np.ndarray] | None = None,
        targets: Targets | None = None,
        **options,
    ) -> TwoTierNetwork:
        """spopt-style constructor from dense matrices.

        Parameters
        ----------
        cost_matrix : numpy.ndarray
            ``(n_demand, n_points)`` cost per unit of weight (inf/NaN: no pair).
        weights, capacities, fixed_costs : numpy.ndarray
            Demand weights; point capacities and fixed costs.
        centre_costs : numpy.ndarray
            ``(n_points, n_centres)`` cost per unit of load.
        centre_capacities, centre_fixed_costs : numpy.ndarray
        base_costs, base_capacities, base_fixed_costs : numpy.ndarray, optional
            ``(n_centres, n_bases)`` costs and the bases' data: the three-tier network.
        service_radius, truck_cutoff : float, optional
            Keep only the pairs within them.
        status : mapping tier -> numpy.ndarray, optional
            Site statuses per tier (default all ``candidate``).
        targets : Targets, optional
        **options
            As in the class.
        """
        status = status or {}
        tables = [
            (Tier.RECYCLING_POINT, cost_matrix, capacities, fixed_costs, service_radius),
            (
                Tier.SORTING_CENTRE,
                centre_costs,
                centre_capacities,
                centre_fixed_costs,
                truck_cutoff,
            ),
        ]
        if base_costs is not None:
            tables.append(
                (Tier.PROCESSING_BASE, base_costs, base_capacities, base_fixed_costs, None)
            )
        sites, pairs = {}, {}
        for tier, costs, caps, fixed, cutoff in tables:
            pairs[tier] = Pairs.from_dense(costs, np.inf if cutoff is None else cutoff)
            n = pairs[tier].n_destinations
            sites[tier] = TierSites(
                tier,
                np.array([f"{tier}_{k}" for k in range(n)], dtype=object),
                np.asarray(caps, dtype=np.float64),
                np.asarray(fixed, dtype=np.float64),
                np.asarray(status.get(tier, np.full(n, SiteStatus.CANDIDATE)), dtype=object),
            )
        weights = np.asarray(weights, dtype=np.float64)
        demand = Demand(np.arange(len(weights)), weights)
        return cls(Problem(demand, sites, pairs, targets), **options)

    # ---- feasibility before solving -----------------------------------------------------

    def link_pairs(self, tier: Tier) -> Pairs:
        """Usable links into ``tier`` (within the truck cutoff for point -> centre links)."""
        pairs = self.problem.usable_pairs(tier)
        if tier == Tier.SORTING_CENTRE and self.truck_cutoff is not None:
            pairs = pairs.within(self.truck_cutoff)
        return pairs

    def upper_may_open(self) -> dict[str, np.ndarray]:
        """Which sites of each tier may open, from the top tier down.

        A site may open when it is usable and has a link to a site above that may open; an
        existing or required site without one makes the problem infeasible (raised here).

        Raises
        ------
        InfeasibleProblemError
            Naming the kept sites that cannot reach an open-able site above.
        """
        problem = self.problem
        chain = (Tier.RECYCLING_POINT, *self.tiers)
        may_open = {chain[-1]: problem.sites[chain[-1]].usable.copy()}
        for lower, upper in zip(chain[-2::-1], chain[:0:-1], strict=True):
            sites = problem.sites[lower]
            links = self.link_pairs(upper)
            linked = np.zeros(sites.n, dtype=bool)
            linked[links.origin[may_open[upper][links.destination]]] = True
            stranded = sites.kept & ~linked
            if stranded.any():
                raise InfeasibleProblemError(
                    key="err_kept_unlinked",
                    lower=Phrase(f"tier_{lower}"),
                    lower_en=str(lower),
                    upper=Phrase(f"tier_{upper}"),
                    upper_en=str(upper),
                    ids=describe_ids(sites.ids[stranded]),
                )
            may_open[lower] = sites.usable & linked
        return may_open

    def check_load(self, may_open: dict[str, np.ndarray]) -> None:
        """The open-able sites of each upper tier must hold the load that must be carried."""
        needed = self.least_load()
        for tier in self.tiers:
            sites = self.problem.sites[tier]
            available = float(sites.capacity[may_open[tier]].sum())
            if available < needed:
                raise InfeasibleProblemError(
                    key="err_tier_capacity",
                    tier=Phrase(f"tier_{tier}"),
                    tier_en=str(tier),
                    available=available,
                    needed=needed,
                    ids=describe_ids(sites.ids[may_open[tier]]),
                )

    def least_load(self) -> float:
        """The least load any feasible plan carries up: all of it without uncovered demand;
        with a coverage floor, the lightest-loaded demand that reaches the floor's weight."""
        if not self.allow_uncovered:
            return float(self.load.sum())
        weight = self.problem.demand.weight
        floor = needed_weight(self.problem, self.allow_uncovered)
        if floor <= 0:
            return 0.0
        # Fractional knapsack over the units that count towards the floor (a weightless unit
        # never helps to reach it, so no plan need carry its load): lightest load per unit of
        # weight first, whole units while the floor is not reached, then a part.
        counted = np.flatnonzero(weight > 0)
        ratio = self.load[counted] / weight[counted]
        order = counted[np.argsort(ratio, kind="stable")]
        before = np.cumsum(weight[order]) - weight[order]
        part = np.clip((floor - before) / weight[order], 0, 1)
        return float((part * self.load[order]).sum())

    # ---- LocationModel ------------------------------------------------------------------

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        """Check the inputs, then build the points, the links and the sites above."""
        problem = self.problem
        upper_open = self.upper_may_open()
        pairs = self.point_pairs()
        may_open = upper_open[Tier.RECYCLING_POINT]
        self.check(pairs, may_open)
        self.check_load(upper_open)
        check_cost_budget(problem, (Tier.RECYCLING_POINT, *self.tiers))
        prob = pulp.LpProblem("recycling_network", pulp.LpMinimize)
        objective = self.build_points(prob, may_open)
        lower_open = self._y
        lower_load = self.point_load()
        lower_max = self.point_max_load(may_open)
        fixed = self.fixed_cost_expression()
        self._links = []
        for tier in self.tiers:
            sites = problem.sites[tier]
            layer = LinkLayer.build(
                prob,
                problem,
                sites,
                self.link_pairs(tier),
                upper_open[tier],
                lower_open,
                lower_load,
                lower_max,
                single=self.single_centre,
            )
            self._links.append(layer)
            tier_fixed = pulp.LpAffineExpression(
                [(v, float(f)) for v, f in zip(layer.z, sites.fixed_cost, strict=True)]
            )
            fixed += tier_fixed
            objective += tier_fixed + self.link_weight * layer.cost()
            if not self.allow_uncovered:
                cover = capacity_cover(sites, layer.z, float(self.load.sum()))
                if cover is not None:
                    prob += cover
            count = count_constraint(layer.z, problem.targets.count_for(tier), self.senses[tier])
            if count is not None:
                prob += count
            lower_open, lower_load = layer.z, layer.inflow(sites.n)
            lower_max = layer.max_inflow(lower_max, sites.capacity)
        prob += objective
        if problem.targets.cost_budget is not None:
            prob += fixed <= problem.targets.cost_budget
        return prob

    def point_load(self) -> list[pulp.LpAffineExpression]:
        """Load each point collects from its demand, as expressions in x."""
        layer = self._layer
        terms: list[list] = [[] for _ in range(self.problem.sites[Tier.RECYCLING_POINT].n)]
        coefficient = self.load[layer.pairs.origin]
        for k, j in enumerate(layer.pairs.destination):
            if coefficient[k]:
                terms[j].append((layer.x[k], float(coefficient[k])))
        return [pulp.LpAffineExpression(t) for t in terms]

    def point_max_load(self, may_open: np.ndarray) -> np.ndarray:
        """The most load a point can collect: its reachable load, and at most the load of its
        weightless units (which take none of its capacity in households) plus its capacity
        times the densest load per household among the others."""
        points = self.problem.sites[Tier.RECYCLING_POINT]
        pairs = self._layer.pairs
        weight = self.problem.demand.weight
        load = self.load[pairs.origin]
        reach = np.bincount(pairs.destination, weights=load, minlength=points.n)
        free = weight[pairs.origin] == 0
        weightless = np.bincount(pairs.destination[free], weights=load[free], minlength=points.n)
        ratio = np.divide(self.load, weight, out=np.zeros_like(weight), where=weight > 0)
        densest = np.zeros(points.n)
        np.maximum.at(densest, pairs.destination, ratio[pairs.origin])
        # inf x 0 would be NaN for an uncapacitated point that no weighted demand reaches.
        held = weightless + np.multiply(
            points.capacity, densest, out=np.zeros(points.n), where=densest > 0
        )
        return np.where(may_open, np.minimum(reach, held), 0.0)

    def verify(self, solution: Solution) -> float:
        """The point tier as in the capacitated model, then each tier above: its sites'
        statuses and count, every open site below sending all its load over usable links to
        open sites (one each with ``single_centre``), capacities; the objective recomputed."""
        problem = self.problem
        point_mask, value = self.verify_points(solution)
        pairs = self.point_pairs()
        tier = Tier.RECYCLING_POINT
        rows, share = check_assignments(self.name, problem, tier, solution, pairs, point_mask)
        below_open = point_mask
        below_load = np.bincount(
            pairs.destination[rows],
            weights=share * self.load[pairs.origin[rows]],
            minlength=problem.sites[tier].n,
        )
        fixed = float(problem.sites[tier].fixed_cost[point_mask].sum())
        for upper in self.tiers:
            sites = problem.sites[upper]
            mask = check_open_sites(self.name, problem, upper, solution)
            check_count(
                self.name, upper, mask, problem.targets.count_for(upper), self.senses[upper]
            )
            links = self.link_pairs(upper)
            at, _ = check_assignments(self.name, problem, upper, solution, links, mask)
            frame = solution.assignments[upper] if len(at) else None
            flow = np.zeros(0) if frame is None else frame["flow"].to_numpy(dtype=np.float64)
            origin = links.origin[at]
            if (flow < -CHECK_TOLERANCE).any() or not below_open[origin].all():
                raise plan_error(self.name, f"loads sent to {upper}s from closed sites below")
            sent = np.bincount(origin, weights=flow, minlength=len(below_load))
            tolerance = CHECK_TOLERANCE * np.maximum(1.0, below_load)
            if (np.abs(sent - below_load) > tolerance).any():
                raise plan_error(self.name, f"loads not sent on in full to the {upper}s")
            if self.single_centre:
                links_used = np.bincount(origin, minlength=len(below_load))
                if (links_used[below_open] != 1).any():
                    raise plan_error(self.name, f"open sites not sending to exactly one {upper}")
            reach = np.zeros(len(below_load), dtype=bool)
            reach[links.origin[mask[links.destination]]] = True
            if (below_open & ~reach).any():
                raise plan_error(self.name, f"open sites without an open {upper} within reach")
            inflow = np.bincount(links.destination[at], weights=flow, minlength=sites.n)
            over = inflow > sites.capacity * (1 + CHECK_TOLERANCE) + CHECK_TOLERANCE
            if over.any():
                raise plan_error(
                    self.name, f"{upper}s loaded over capacity: {describe_ids(sites.ids[over])}"
                )
            value += float(sites.fixed_cost[mask].sum())
            value += self.link_weight * float((flow * links.cost[at]).sum())
            fixed += float(sites.fixed_cost[mask].sum())
            below_open, below_load = mask, inflow
        budget = problem.targets.cost_budget
        if budget is not None and fixed > budget * (1 + CHECK_TOLERANCE) + CHECK_TOLERANCE:
            raise plan_error(self.name, "the cost budget is exceeded")
        return value

    def read(self, run: SolverRun) -> Solution:
        """Points and demand assignments as in the capacitated model, plus each tier above."""
        solution = super().read(run)
        if not solution.has_solution:
            solution.model = self.name
            return solution
        solution.model = self.name
        for layer in self._links:
            sites = self.problem.sites[layer.tier]
            opened = open_ids(sites, layer.z)
            frame = layer.frame(self.problem)
            solution.open_sites[layer.tier] = opened
            solution.assignments[layer.tier] = frame
            fixed = float(sites.fixed_cost[np.isin(sites.ids, opened)].sum())
            solution.metrics["fixed_cost"] += fixed
            solution.metrics[f"n_{Tier(layer.tier).plural}"] = float(len(opened))
            solution.metrics[f"{layer.tier}_link_cost"] = float(
                (frame["flow"] * frame["cost"]).sum()
            )
        return solution
