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

In that split-flow case (every unit served, no count or budget target) the model searches its
own warm start before the solver runs (:mod:`gxnet.optimize.network_search`): HiGHS's
incumbents are poor there when fixed costs dominate.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.optimize.capacitated import (
    CapacitatedFacilityLocation,
    CountSense,
    at_most,
    capacity_cover,
    check_budget,
    count_constraint,
    needed_weight,
    open_ids,
    open_variables,
)
from gxnet.optimize.network_search import (
    NetworkBound,
    NetworkFlows,
    SearchResult,
    Tier,
    relax_network,
    search_kernels,
    search_kicks,
    search_open_sites,
    search_tiers,
)
from gxnet.optimize.problem import TIERS, Demand, Pairs, Problem, Sites, Targets, describe_ids
from gxnet.optimize.solve import (
    Solution,
    SolverOptions,
    SolverRun,
    assignment_frame,
    relative_gap,
)

_UPPER = TIERS[1:]
#: Share of the time limit the relaxation may use, and the local search after it.
SEARCH_SHARE = 0.15
#: Share of the time limit the local search from the kernel search's plan and the kicks
#: (random moves and the local search again) may use after it. On the random-cost two-stage
#: instances (class 3) the local optimum held against every one- and two-site swap and against
#: the kernel MIPs; kicks left it (docs/optimize-network.md). Given to the kernel search's MIPs
#: over every site instead, it cost PSC3-C3-50 its plan below the best known value.
KICK_SHARE = 0.25
#: Share of the time limit the kernel search (small MIPs around the start, then MIPs over
#: every site) may use.
KERNEL_SHARE = 0.55
#: Share of the time limit the kernel search's buckets (the small MIPs) may use: the MIPs over
#: every site need time of their own (PSC4-C4-100: its optimum, 14 sites away, 133 s into one,
#: where the buckets went on for about 150 s after their last cheaper plan).
BUCKET_SHARE = 0.30
#: Share of the time limit each MIP that chooses one tier's sites again (:func:`search_tiers`,
#: between the local search from the kernel's plan and the kicks, within their share) may use:
#: PSC3-C5-100's cheaper plan, two points swapped, took its points MIP 75 s.
TIER_MIP_SHARE = 0.15
#: The MIPs per tier run only when some tier's open sites have less than this share of
#: their load to spare: there a cheaper plan must swap several sites at once (a swap alone
#: leaves units unserved), and there they found the class 5 plans (0.02-0.2 % to spare).
#: Elsewhere the kicks keep their time: class 3 plans have 1.3 % or more to spare, and
#: PSC5-C3-100 lost its plan below the best known value to the MIPs per tier.
TIGHT_SPARE = 0.005
#: Seconds the relaxation, the local search and the kicks may each use when the run has no
#: time limit (twice that for the kernel search).
SEARCH_CAP_S = 60.0


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

    tier: str
    pairs: Pairs
    flow: list[pulp.LpVariable]
    assign: list[pulp.LpVariable] | None
    z: list[pulp.LpVariable]

    @classmethod
    def build(
        cls,
        prob: pulp.LpProblem,
        problem: Problem,
        sites: Sites,
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
            used |= np.array([(a.varValue or 0.0) > 0.5 for a in self.assign])
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
        point -> centre (truck cutoff) and centre -> base; targets ``n_points``,
        ``coverage_share``, ``budget`` (fixed costs of all tiers), ``n_centres``, ``n_bases``.
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
        super().__init__(problem, count_sense=senses["recycling_point"], **options)
        self.tiers = tuple(t for t in _UPPER if t in problem.sites)
        for tier in ("sorting_centre", *self.tiers):
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
        if "processing_base" in self.tiers:
            self.name = "three-tier network"
        self._links: list[LinkLayer] = []
        self._start: SearchResult | None = None
        self._relaxation: NetworkBound | None = None
        self._flows: NetworkFlows | None = None
        self._gap_rel = 0.0

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
            ("recycling_point", cost_matrix, capacities, fixed_costs, service_radius),
            ("sorting_centre", centre_costs, centre_capacities, centre_fixed_costs, truck_cutoff),
        ]
        if base_costs is not None:
            tables.append(("processing_base", base_costs, base_capacities, base_fixed_costs, None))
        sites, pairs = {}, {}
        for tier, costs, caps, fixed, cutoff in tables:
            pairs[tier] = Pairs.from_dense(costs, np.inf if cutoff is None else cutoff)
            n = pairs[tier].n_destinations
            sites[tier] = Sites(
                tier,
                np.array([f"{tier}_{k}" for k in range(n)], dtype=object),
                np.asarray(caps, dtype=np.float64),
                np.asarray(fixed, dtype=np.float64),
                np.asarray(status.get(tier, np.full(n, "candidate")), dtype=object),
            )
        weights = np.asarray(weights, dtype=np.float64)
        demand = Demand(np.arange(len(weights)), weights)
        return cls(Problem(demand, sites, pairs, targets), **options)

    # ---- feasibility before solving -----------------------------------------------------

    def link_pairs(self, tier: str) -> Pairs:
        """Usable links into ``tier`` (within the truck cutoff for point -> centre links)."""
        pairs = self.problem.usable_pairs(tier)
        if tier == "sorting_centre" and self.truck_cutoff is not None:
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
        chain = ("recycling_point", *self.tiers)
        may_open = {chain[-1]: problem.sites[chain[-1]].usable.copy()}
        for lower, upper in zip(chain[-2::-1], chain[:0:-1], strict=True):
            sites = problem.sites[lower]
            links = self.link_pairs(upper)
            linked = np.zeros(sites.n, dtype=bool)
            linked[links.origin[may_open[upper][links.destination]]] = True
            stranded = sites.kept & ~linked
            if stranded.any():
                raise InfeasibleProblemError(
                    f"existing or required {lower}s with no {upper} that may open within the "
                    f"cutoff: {describe_ids(sites.ids[stranded])}; add a candidate {upper} in "
                    f"reach, lengthen the cutoff, or un-exclude a {upper} near them"
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
                    f"{tier}.capacity: the {tier}s that may open hold {available:g} but the "
                    f"demand that must be served brings a load of at least {needed:g}; raise "
                    f"their capacities, add candidate {tier}s in reach, un-exclude some, or "
                    f"lower targets.coverage_share ({tier}s that may open: "
                    f"{describe_ids(sites.ids[may_open[tier]])})"
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
        ratio = np.divide(self.load, weight, out=np.zeros_like(weight), where=weight > 0)
        order = np.argsort(ratio, kind="stable")
        before = np.cumsum(weight[order]) - weight[order]
        # Fractional knapsack: whole units while the floor is not reached, then a part.
        part = np.clip((floor - before) / np.where(weight[order] > 0, weight[order], 1.0), 0, 1)
        return float((part * self.load[order]).sum())

    # ---- LocationModel ------------------------------------------------------------------

    def build(self, options: SolverOptions) -> pulp.LpProblem:
        """Check the inputs, then build the points, the links and the sites above; for split
        flows, search a warm start (see :meth:`search_start`)."""
        tic = time.perf_counter()
        problem = self.problem
        upper_open = self.upper_may_open()
        pairs = self.point_pairs()
        may_open = upper_open["recycling_point"]
        self.check(pairs, may_open)
        self.check_load(upper_open)
        check_budget(problem, ("recycling_point", *self.tiers))
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
        if problem.targets.budget is not None:
            prob += fixed <= problem.targets.budget
        self._start, self._relaxation, self._flows = None, None, None
        self._gap_rel = options.gap_rel
        self.highs_options.pop("time_limit", None)
        if options.warm_start and self.searchable():
            self.search_start(prob, options, upper_open, tic)
            if options.time_limit_s is not None and options.solver == "highs":
                # The search counts against the limit: HiGHS gets what is left of it.
                spent = time.perf_counter() - tic
                self.highs_options["time_limit"] = max(options.time_limit_s - spent, 1.0)
        return prob

    # ---- warm start ---------------------------------------------------------------------

    def searchable(self) -> bool:
        """Whether open sites can be judged by their exact flows: split flows, every unit
        served, and no count or budget target (a move must not break them)."""
        targets = self.problem.targets
        return not (
            self.single_centre
            or self.single_source
            or self.allow_uncovered
            or targets.budget is not None
            or any(targets.count_for(t) is not None for t in ("recycling_point", *self.tiers))
        )

    def search_start(
        self,
        prob: pulp.LpProblem,
        options: SolverOptions,
        may_open: dict[str, np.ndarray],
        tic: float,
    ) -> None:
        """Give the MIP a strong incumbent and fix the sites it can do without.

        The LP relaxation (:func:`relax_network`) is rounded and improved by
        :func:`search_open_sites`, each within :data:`SEARCH_SHARE` of the time limit, then by
        :func:`search_kernels` within :data:`KERNEL_SHARE` (its buckets within
        :data:`BUCKET_SHARE`), then by the local search again, :func:`search_tiers` (where a
        tier has less than :data:`TIGHT_SPARE` to spare) and :func:`search_kicks` within
        :data:`KICK_SHARE` plus what the kernel search left; the plan found, its flows priced
        by the LP, becomes the solver's warm start.
        Sites closed in that incumbent whose reduced cost lifts the relaxation above the
        incumbent's cost are fixed closed (and open ones fixed open likewise): no better plan
        uses them, so the solver's bound and status stay valid for the whole model.
        """
        limit = options.time_limit_s

        def seconds(share: float, cap: float) -> float:
            # Each step's time: its share of the limit, or a fixed cap when there is none.
            return share * limit if limit is not None else cap

        share = seconds(SEARCH_SHARE, SEARCH_CAP_S)
        tiers = ("recycling_point", *self.tiers)
        sites = [self.problem.sites[t] for t in tiers]
        kept = [s.kept & may_open[t] for s, t in zip(sites, tiers, strict=True)]
        usable = [may_open[t] for t in tiers]
        free = [u & ~k for u, k in zip(usable, kept, strict=True)]
        flows = NetworkFlows(self.flow_tiers(), self.problem.demand.weight, self.load)
        relaxation = relax_network(flows, kept, usable, tic + share)
        if relaxation is None:
            return
        self._relaxation = relaxation
        result = search_open_sites(
            flows, relaxation.open_values, free, kept, time.perf_counter() + share
        )
        if result.flows is None:
            return
        now = time.perf_counter()
        kernel_deadline = now + seconds(KERNEL_SHARE, 2 * SEARCH_CAP_S)
        result = search_kernels(
            flows,
            relaxation,
            result,
            free,
            kept,
            now + seconds(BUCKET_SHARE, SEARCH_CAP_S),
            gap_rel=options.gap_rel,
            every_site_deadline=kernel_deadline,
        )
        # The kicks end where their share after the kernel search's would: the time a kernel
        # search out of pairs leaves is theirs. The local search first takes the kernel's
        # plan, which several sites changed at once, to its own local optimum: PSC3-C4-100
        # from 1,057,550 to its best known value 1,057,271 in 21 s.
        kick_deadline = kernel_deadline + seconds(KICK_SHARE, SEARCH_CAP_S)
        rank = [m.astype(np.float64) for m in result.open_sites]
        result = search_open_sites(flows, rank, free, kept, kick_deadline)
        # From that local optimum, MIPs that change a few sites of one tier at a time: where
        # capacities are tight, a cheaper plan swaps two sites of one tier at once
        # (PSC4-C5-100's two centres, PSC5-C5-100's two points), which kicks rarely hit.
        if result.flows is not None and (
            flows.spare(result.open_sites, result.flows).min() < TIGHT_SPARE
        ):
            result = search_tiers(
                flows,
                relaxation,
                result,
                free,
                kept,
                kick_deadline,
                mip_limit_s=seconds(TIER_MIP_SHARE, SEARCH_CAP_S),
                gap_rel=options.gap_rel,
            )
        result = search_kicks(flows, result, free, kept, kick_deadline, seed=options.seed)
        # The search priced plans as min-cost flows; the solver's start takes the LP's flows,
        # which meet its rows to its own tolerance.
        cost, values = flows.evaluate(result.open_sites, exact=True)
        if values is None:
            return
        result = SearchResult(result.open_sites, cost, values, flows.evaluations)
        self._start, self._flows = result, flows
        self.set_start(result, flows)
        # Reduced-cost fixing against the incumbent (a margin for the LP's tolerances).
        ceiling = result.cost + 1e-7 * abs(result.cost) + 1e-6
        opens = [self._y, *(layer.z for layer in self._links)]
        for variables, is_open, is_free, d in zip(
            opens, result.open_sites, free, relaxation.reduced_costs, strict=True
        ):
            for k in np.flatnonzero(is_free & ~is_open & (relaxation.objective + d > ceiling)):
                variables[k].upBound = 0
            for k in np.flatnonzero(is_free & is_open & (relaxation.objective - d > ceiling)):
                variables[k].lowBound = 1

    def flow_tiers(self) -> list[Tier]:
        """The model's pairs and costs as :class:`~gxnet.optimize.network_search.Tier`s."""
        points = self.problem.sites["recycling_point"]
        pairs = self._layer.pairs
        weight = self.problem.demand.weight
        tiers = [
            Tier(
                pairs,
                points.capacity,
                points.fixed_cost,
                self.cost_weight * weight[pairs.origin] * pairs.cost,
            )
        ]
        for layer in self._links:
            sites = self.problem.sites[layer.tier]
            tiers.append(
                Tier(
                    layer.pairs,
                    sites.capacity,
                    sites.fixed_cost,
                    self.link_weight * layer.pairs.cost,
                )
            )
        return tiers

    def set_start(self, result: SearchResult, flows: NetworkFlows) -> None:
        """Put an open choice and its flows on the PuLP variables (the solver's start)."""
        values = result.flows
        opens = [self._y, *(layer.z for layer in self._links)]
        columns = [self._layer.x, *(layer.flow for layer in self._links)]
        for t, (variables, is_open) in enumerate(zip(opens, result.open_sites, strict=True)):
            for v, o in zip(variables, is_open.tolist(), strict=True):
                v.varValue = float(o)
            part = values[flows.offsets[t] : flows.offsets[t + 1]].tolist()
            for v, value in zip(columns[t], part, strict=True):
                v.varValue = value

    def point_load(self) -> list[pulp.LpAffineExpression]:
        """Load each point collects from its demand, as expressions in x."""
        layer = self._layer
        terms: list[list] = [[] for _ in range(self.problem.sites["recycling_point"].n)]
        coefficient = self.load[layer.pairs.origin]
        for k, j in enumerate(layer.pairs.destination):
            if coefficient[k]:
                terms[j].append((layer.x[k], float(coefficient[k])))
        return [pulp.LpAffineExpression(t) for t in terms]

    def point_max_load(self, may_open: np.ndarray) -> np.ndarray:
        """The most load a point can collect: its reachable load, capped by its capacity."""
        points = self.problem.sites["recycling_point"]
        pairs = self._layer.pairs
        weight = self.problem.demand.weight
        reach = np.bincount(pairs.destination, weights=self.load[pairs.origin], minlength=points.n)
        ratio = np.divide(self.load, weight, out=np.zeros_like(weight), where=weight > 0)
        densest = np.zeros(points.n)
        np.maximum.at(densest, pairs.destination, ratio[pairs.origin])
        # inf x 0 would be NaN for an uncapacitated point that no demand reaches.
        held = np.where(densest > 0, points.capacity * np.maximum(densest, 1e-300), 0.0)
        return np.where(may_open, np.minimum(reach, held), 0.0)

    def read(self, run: SolverRun) -> Solution:
        """Points and demand assignments as in the capacitated model, plus each tier above.

        With a searched start the result is never worse than it: should the solver return
        nothing better (it may reject a start on its tolerances), the start is the answer,
        "feasible" with the best bound known (the solver's or the relaxation's; "optimal" when that
        bound proves it within the gap asked).
        """
        run = self.with_start(run)
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
            solution.metrics[f"n_{_plural(layer.tier)}"] = float(len(opened))
            solution.metrics[f"{layer.tier}_link_cost"] = float(
                (frame["flow"] * frame["cost"]).sum()
            )
        return solution

    def with_start(self, run: SolverRun) -> SolverRun:
        """``run``, or the searched start in its place when the solver did no better."""
        start, relaxation = self._start, self._relaxation
        if start is None:
            return run
        bound = run.bound
        if relaxation is not None and (bound is None or relaxation.objective > bound):
            bound = relaxation.objective
        if run.objective is not None and run.objective <= start.cost * (1 + 1e-9):
            if run.status == "optimal":
                return run
            return SolverRun(
                run.status,
                run.objective,
                bound,
                relative_gap(run.objective, bound),
                run.solve_time_s,
                run.solver,
                run.load_time_s,
            )
        self.set_start(start, self._flows)
        gap = relative_gap(start.cost, bound)
        # The relaxation alone may prove the start optimal within the asked gap.
        return SolverRun(
            "optimal" if gap is not None and gap <= self._gap_rel else "feasible",
            start.cost,
            bound,
            gap,
            run.solve_time_s,
            run.solver,
            run.load_time_s,
        )


def _plural(tier: str) -> str:
    return {"sorting_centre": "centres", "processing_base": "bases"}[tier]
