"""The split-flow network with a searched warm start: the model of the two-stage benchmark.

:class:`SearchedNetwork` is :class:`gxnet.optimize.TwoTierNetwork` whose ``build`` first
searches a plan (:mod:`benchmarks.research.network_search`) and hands it to the solver as its
start, with the sites that the relaxation's reduced costs rule out fixed closed. It runs only
where open sites can be judged by their exact flows: split flows, every unit served, and no
count or budget target. HiGHS's own incumbents are poor there when fixed costs dominate, as
they do in the two-stage CFLP instances of Fernandes et al. (2014).

The search holds its candidate plans' flows for every site of a tier at once
(:func:`~benchmarks.research.network_search.service_cost` is origins x sites), which is why it
stays with the benchmarks: a city's sites would not fit.
"""

from __future__ import annotations

import time

import numpy as np
import pulp

from benchmarks.research.min_cost_flow import FlowTier
from benchmarks.research.network_search import (
    NetworkBound,
    NetworkFlows,
    SearchResult,
    relax_network,
    search_kernels,
    search_kicks,
    search_open_sites,
    search_tiers,
)
from gxnet.config import SolverOptions
from gxnet.optimize import SolverRun, TwoTierNetwork
from gxnet.optimize.budget import TimeBudget, stage_budget
from gxnet.optimize.solve import relative_gap
from gxnet.tiers import Tier

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


class SearchedNetwork(TwoTierNetwork):
    """:class:`~gxnet.optimize.TwoTierNetwork` with a searched warm start for split flows.

    Parameters and results as in :class:`~gxnet.optimize.TwoTierNetwork`. With a searched
    start the result is never worse than it: should the solver return nothing better (it may
    reject a start on its tolerances), the start is the answer, "feasible" with the best bound
    known (the solver's or the relaxation's; "optimal" when that bound proves it within the
    gap asked).
    """

    def __init__(self, *args, **options) -> None:
        super().__init__(*args, **options)
        self._start: SearchResult | None = None
        self._relaxation: NetworkBound | None = None
        self._flows: NetworkFlows | None = None
        self._gap_rel = 0.0

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        """The network's model, with the searched start on its variables when the model is
        searchable (see :meth:`search_start`); the search draws on ``budget``, so that the
        solver gets what it leaves."""
        budget = stage_budget(options.time_limit_s, budget)
        tic = time.perf_counter()
        prob = super().build(options, budget)
        self._start, self._relaxation, self._flows = None, None, None
        self._gap_rel = options.gap
        if options.warm_start and self.searchable():
            self.search_start(prob, options, self.upper_may_open(), tic, budget.seconds)
        return prob

    def searchable(self) -> bool:
        """Whether open sites can be judged by their exact flows: split flows, every unit
        served, and no count or budget target (a move must not break them)."""
        targets = self.problem.targets
        return not (
            self.single_centre
            or self.single_source
            or self.allow_uncovered
            or targets.cost_budget is not None
            or any(targets.count_for(t) is not None for t in (Tier.RECYCLING_POINT, *self.tiers))
        )

    def search_start(
        self,
        prob: pulp.LpProblem,
        options: SolverOptions,
        may_open: dict[str, np.ndarray],
        tic: float,
        limit: float | None,
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

        def seconds(share: float, cap: float) -> float:
            # Each step's time: its share of the limit, or a fixed cap when there is none.
            return share * limit if limit is not None else cap

        share = seconds(SEARCH_SHARE, SEARCH_CAP_S)
        tiers = (Tier.RECYCLING_POINT, *self.tiers)
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
            gap_rel=options.gap,
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
                gap_rel=options.gap,
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

    def flow_tiers(self) -> list[FlowTier]:
        """The model's pairs and costs as :class:`~benchmarks.research.min_cost_flow.FlowTier`s."""
        points = self.problem.sites[Tier.RECYCLING_POINT]
        pairs = self._layer.pairs
        weight = self.problem.demand.weight
        tiers = [
            FlowTier(
                pairs,
                points.capacity,
                points.fixed_cost,
                self.cost_weight * weight[pairs.origin] * pairs.cost,
            )
        ]
        for layer in self._links:
            sites = self.problem.sites[layer.tier]
            tiers.append(
                FlowTier(
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

    def read(self, run: SolverRun):  # -> Solution
        """As the network reads a run, with the searched start in its place when the solver
        did no better."""
        return super().read(self.with_start(run))

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
