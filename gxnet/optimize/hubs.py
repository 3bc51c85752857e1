"""The tiers above the points, one at a time: where to open markets, centres and bases for the
loads of the sites below them.

Once the recycling points are chosen (by the covering models), each open point's load is fixed:
the tonnes per day of recyclables of the households it serves. The sites of the next tier up
(collection markets, or sorting centres when a plan has no markets) are then a single-source
capacitated facility location problem over those loads, and the tier above that (centres over
the open markets' loads, bases over the open centres') another. :class:`HubLocation` is that
problem for one tier::

    min   sum_c F_c z_c + beta * sum_(j,c) l_j s_jc a_jc
    s.t.  sum_c a_jc = 1                 every site j below (within its truck standard)
          sum_j l_j a_jc <= Q_c z_c      every site c of the tier
          a_jc <= z_c,  a_jc, z_c in {0, 1};  z_c = 1 existing/required, 0 excluded

``l_j`` is site j's load, ``s_jc`` the truck time, ``Q_c`` the capacity (tonnes per day) and
``F_c`` the fixed cost; each site below delivers everything to one site above (one truck
route, one contract: single sourcing). The fixed costs decide; ``beta`` is small, so that travel
only chooses between equally cheap plans.

It is small (hundreds of sites below, a hundred candidates, the pairs within the truck
standard), so HiGHS solves it from a start: a greedy that opens the candidate taking the most
unserved load per unit of fixed cost until every site below is served, then closes any open
site whose sites below the others can take (:func:`single_source_start`). The reported bound
is the best of HiGHS's and two bounds that need no solver: the cheapest set of sites whose
capacity holds the whole load (a covering knapsack) and the cheapest set that reaches every
site below (the set covering's Lagrangean bound), both lower bounds on the fixed cost any plan
pays.

A site below that no candidate can serve (none within the standard has room for its load
even with every candidate open) is found first by :func:`unservable`: the caller (the model
stage) then leaves that site out of the tier below and solves it again.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pulp
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from gxnet.config import SolverOptions, Targets
from gxnet.optimize.budget import TimeBudget, TimeUp
from gxnet.optimize.capacitated import CapacitatedFacilityLocation
from gxnet.optimize.coverage import partial_cover_bound
from gxnet.optimize.lagrangean import cover_knapsack
from gxnet.optimize.problem import Pairs, Problem
from gxnet.optimize.solve import (
    Solution,
    SolverRun,
    plan_error,
    quiet_highs,
    rows_lp,
    run_highs,
    solve_pulp,
    sparse_rows,
)
from gxnet.tiers import Tier

#: Share of the stage's time limit the MIP restricted to the LP's sites may take at most.
RESTRICTED_SHARE = 0.5
#: Money per tonne-second of truck travel against a fixed cost of 1: a tonne driven an hour a
#: day weighs a three-hundredth of a point, so travel never opens a site, it only chooses
#: between equally cheap plans.
LINK_WEIGHT = 1e-6


def hub_problem(
    lower_ids: np.ndarray,
    load: np.ndarray,
    sites: pd.DataFrame,
    links: pd.DataFrame,
    *,
    count: int | None = None,
) -> Problem:
    """The one-tier problem of placing a tier's sites for the loads of the sites below.

    Parameters
    ----------
    lower_ids
        Ids of the open sites below (the problem's demand units).
    load
        Their loads, tonnes per day.
    sites
        The tier's candidates: ``site_id``, ``capacity``, ``fixed_cost``, ``status``.
    links
        Pairs within the tier's truck standard: the ids below and above (first two columns)
        and ``travel_s``; pairs of sites below that are not open are left out.
    count
        Exactly this many sites of the tier (None: as many as the fixed costs decide).

    Returns
    -------
    Problem
        Its first tier stands for the tier placed (as in :meth:`Problem.tier_problem`).
    """
    lower, upper = links.columns[:2]
    table = links[links[lower].isin(lower_ids)]
    frame = pd.DataFrame({"site_id": sites["site_id"].to_numpy()})
    for column in ("capacity", "fixed_cost", "status"):
        if column in sites:
            frame[column] = sites[column].to_numpy()
    return Problem.from_tables(
        pd.DataFrame({"demand_id": lower_ids, "households": np.asarray(load, dtype=float)}),
        frame,
        table.rename(columns={lower: "demand_id", upper: "site_id"}),
        targets=Targets(points=count),
        cost="travel_s",
    )


def unservable(problem: Problem, budget: TimeBudget | None = None) -> np.ndarray:
    """The origins (sites below) that no single-source assignment can serve, even with every
    usable site of the tier open: most of the load is served, each origin by one site within
    the standard, within capacities (an exact MIP over the pairs, run only when a greedy
    assignment leaves some origin out).

    Returns
    -------
    numpy.ndarray
        Boolean mask over the origins (only those without any pair when ``budget`` runs out
        before the MIP answers: the tier's own model then meets the rest).
    """
    sites = problem.sites[Tier.RECYCLING_POINT]
    pairs = problem.usable_pairs()
    load = problem.demand.weight
    everything = sites.usable.copy()
    if _greedy_assign(pairs, load, sites.capacity, everything)[1].all():
        return np.zeros(problem.demand.n, dtype=bool)
    reachable = np.bincount(pairs.origin, minlength=problem.demand.n) > 0
    if pairs.n == 0:
        return ~reachable
    # max sum_j l_j sum_c a_jc  s.t.  sum_c a_jc <= 1,  sum_j l_j a_jc <= Q_c  (a binary)
    n_pairs = pairs.n
    weight = np.maximum(load[pairs.origin], 1e-6)  # a weightless origin is still worth serving
    by_origin = sp.csr_matrix(
        (np.ones(n_pairs), (pairs.origin, np.arange(n_pairs))), shape=(problem.demand.n, n_pairs)
    )
    by_site = sp.csr_matrix(
        (load[pairs.origin], (pairs.destination, np.arange(n_pairs))), shape=(sites.n, n_pairs)
    )
    finite = np.isfinite(sites.capacity)
    constraints = [LinearConstraint(by_origin, -np.inf, 1.0)]
    if finite.any():
        constraints.append(LinearConstraint(by_site[finite], -np.inf, sites.capacity[finite]))
    limit = None if budget is None else budget.solver_limit()
    result = milp(
        -weight,
        integrality=np.ones(n_pairs),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options={} if limit is None else {"time_limit": limit},
    )
    if result.x is None or result.status != 0:
        return ~reachable
    served = np.zeros(problem.demand.n, dtype=bool)
    served[pairs.origin[result.x > 0.5]] = True
    return ~served | ~reachable


def _greedy_assign(
    pairs: Pairs,
    load: np.ndarray,
    capacity: np.ndarray,
    open_sites: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each origin to its cheapest open site with room left, heaviest origin first (ties by
    index); returns the chosen pair per origin (-1: none) and the served mask. A loop over the
    sites below, which are few (the open sites of a tier, not the demand)."""
    room = np.where(open_sites, capacity, 0.0).astype(np.float64)
    chosen = np.full(pairs.n_origins, -1, dtype=np.int64)
    order = np.argsort(-load, kind="stable")
    indptr, destination = pairs.indptr, pairs.destination
    for i in order.tolist():
        for k in range(indptr[i], indptr[i + 1]):  # nearest first
            c = destination[k]
            if open_sites[c] and room[c] >= load[i] - 1e-9:
                room[c] -= load[i]
                chosen[i] = k
                break
    return chosen, chosen >= 0


def single_source_start(
    pairs: Pairs,
    load: np.ndarray,
    capacity: np.ndarray,
    fixed: np.ndarray,
    kept: np.ndarray,
    usable: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | None:
    """A plan of a tier: open sites and one pair per origin, or None when the greedy cannot
    serve every origin.

    Opens the kept sites, then, while an origin is unserved, the usable site that can take the
    most unserved load within reach per unit of fixed cost (ties by index); then closes, least
    loaded first, every site whose origins the other open sites can take. Deterministic.
    """
    opened = kept & usable
    chosen, served = _greedy_assign(pairs, load, capacity, opened)
    while not served.all():
        waiting = ~served[pairs.origin] & usable[pairs.destination] & ~opened[pairs.destination]
        reach = np.bincount(
            pairs.destination[waiting],
            weights=load[pairs.origin[waiting]] + 1e-9,
            minlength=len(capacity),
        )
        reach = np.minimum(reach, capacity)
        if not (reach > 0).any():
            return None
        worth = reach / np.maximum(fixed, 1e-9)
        opened = opened.copy()
        opened[int(np.argmax(worth))] = True
        chosen, served = _greedy_assign(pairs, load, capacity, opened)
    site_load = np.bincount(pairs.destination[chosen], weights=load, minlength=len(capacity))
    for c in np.flatnonzero(opened & ~kept)[np.argsort(site_load[opened & ~kept], kind="stable")]:
        trial = opened.copy()
        trial[c] = False
        again, ok = _greedy_assign(pairs, load, capacity, trial)
        if ok.all():
            opened, chosen = trial, again
    return opened, chosen


class HubLocation(CapacitatedFacilityLocation):
    """One tier above the points, placed for the loads of the open sites below it.

    The single-source capacitated facility location problem of the module notes, on a problem
    from :func:`hub_problem` (its demand units are the sites below, weighted by load; its first
    tier is the tier placed). Every origin must be served (leave out those
    :func:`unservable` finds first).

    Parameters
    ----------
    problem : Problem
    tier : Tier
        The tier placed, for the model's name and messages.
    link_weight : float
        ``beta``, money per tonne-second (default :data:`LINK_WEIGHT`).
    """

    sense = "min"
    objective_name = "cost"

    def __init__(
        self,
        problem: Problem,
        tier: Tier = Tier.SORTING_CENTRE,
        *,
        link_weight: float = LINK_WEIGHT,
    ) -> None:
        super().__init__(problem, single_source=True, cost_weight=link_weight, lagrangean=False)
        self.tier = Tier(tier)
        self.name = f"{self.tier.plural} (capacitated, single source)"
        self.start: tuple[np.ndarray, np.ndarray] | None = None
        self.start_value: float | None = None
        self.lower_bound: float | None = None
        #: The fewest free sites any plan opens (from the bounds; 0 when unknown).
        self.least_opened = 0

    def heuristic(self) -> None:
        """The start (:func:`single_source_start`) and the bounds that need no solver."""
        problem = self.problem
        sites = problem.sites[Tier.RECYCLING_POINT]
        pairs = self.point_pairs()
        load = problem.demand.weight
        start = single_source_start(
            pairs, load, sites.capacity, sites.fixed_cost, sites.kept, sites.usable
        )
        if start is not None and problem.targets.points is None:
            self.start = start
            opened, chosen = start
            self.start_value = float(sites.fixed_cost[opened].sum()) + self.cost_weight * float(
                (load * pairs.cost[chosen]).sum()
            )
        fixed = self.fixed_cost_bound()
        self.least_opened = self._least_opened(fixed, 0.0)
        self.lower_bound = self.rounded(fixed)

    def _uniform_cost(self) -> float | None:
        """The fixed cost every site that may open (and is not kept) shares, if they share one
        (the sites of a grid or of a standard do); None otherwise."""
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        free = sites.fixed_cost[sites.usable & ~sites.kept]
        if len(free) == 0 or free.min() <= 0 or free.max() != free.min():
            return None
        return float(free[0])

    def _link_range(self) -> tuple[float, float]:
        """The least and the most travel cost any plan pays (every origin on its cheapest, or
        its dearest, pair)."""
        pairs = self.point_pairs()
        weighted = self.cost_weight * self.problem.demand.weight[pairs.origin] * pairs.cost
        cheapest = np.full(pairs.n_origins, np.inf)
        dearest = np.zeros(pairs.n_origins)
        np.minimum.at(cheapest, pairs.origin, weighted)
        np.maximum.at(dearest, pairs.origin, weighted)
        return float(cheapest[np.isfinite(cheapest)].sum()), float(dearest.sum())

    def _least_opened(self, bound: float, link: float) -> int:
        """The fewest free sites any plan opens, from a lower bound on its objective that
        counts at most ``link`` of travel (0 when every site shares no fixed cost)."""
        uniform = self._uniform_cost()
        if uniform is None:
            return 0
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        kept = float(sites.fixed_cost[sites.kept & sites.usable].sum())
        return max(int(np.ceil((bound - kept - link) / uniform - 1e-9)), 0)

    def rounded(self, bound: float | None) -> float | None:
        """A lower bound on the objective made whole: where every free site costs the same, a
        plan opens a whole number of them, at least the number a plan at ``bound`` with the
        most travel would, and pays at least the least travel."""
        if bound is None or self._uniform_cost() is None:
            return bound
        least, most = self._link_range()
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        kept = float(sites.fixed_cost[sites.kept & sites.usable].sum())
        k = self._least_opened(bound, most)
        return max(bound, kept + k * self._uniform_cost() + least)

    def fixed_cost_bound(self) -> float:
        """A lower bound on the fixed cost of every plan (and so on its objective): the larger
        of the cheapest sites whose capacity holds the whole load (a covering knapsack) and the
        set covering's Lagrangean bound on the cheapest sites that reach every origin."""
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        pairs = self.point_pairs()
        load = self.problem.demand.weight
        kept, usable = sites.kept & sites.usable, sites.usable
        knapsack, _ = cover_knapsack(
            sites.fixed_cost, sites.capacity, float(load.sum()), kept, usable
        )
        reach = float(sites.fixed_cost[kept].sum())
        if pairs.n:
            upper = float(sites.fixed_cost[usable].sum())
            reach = partial_cover_bound(
                pairs, np.ones(pairs.n_origins), 1.0, sites.fixed_cost, kept, usable, upper
            )
        return max(knapsack, reach)

    def incumbent_objective_value(self) -> float | None:
        return self.start_value

    def incumbent_solution(self) -> Solution | None:
        if self.start is None:
            return None
        opened, chosen = self.start
        pairs = self.point_pairs()
        share = np.zeros(pairs.n)
        share[chosen] = 1.0
        run = SolverRun("feasible", self.start_value, self.lower_bound, None, 0.0, "")
        return self.points_solution(run, pairs, share, opened)

    def run(self, options: SolverOptions, budget: TimeBudget) -> Solution:
        """The start and the bounds that need no solver; then the LP relaxation (a bound, made
        whole by :meth:`rounded`), a MIP restricted to the sites the LP opens in part (a
        better start), and the whole MIP below the best plan for what is left of the budget;
        the best plan found, with the best bound. Each step is skipped once the plan is
        proven within the gap asked.

        The MIPs search below the best plan's value (HiGHS's ``objective_bound``) rather than
        from it as a start: a start needs HiGHS's presolve off, which on a city's centres
        costs more than the start saves."""
        tic = time.perf_counter()
        self.heuristic()
        try:
            if not self._proven(options):
                prob = self.build(options, budget)
                relaxed = self._relaxation(prob, budget)
                if relaxed is not None and not self._proven(options):
                    self._restricted_run(prob, relaxed, options, budget.part(RESTRICTED_SHARE))
                if not self._proven(options):
                    run = solve_pulp(
                        prob,
                        replace(options, warm_start=False),
                        highs_options=self._below_best(),
                        budget=budget,
                    )
                    solution = self.read(run)
                    solution.build_time_s = time.perf_counter() - tic - run.solve_time_s
                    solution.solve_time_s = run.solve_time_s
                    solution.time_limited = run.stopped_on_time
                    return solution
        except TimeUp:
            pass
        solution = self.incumbent_solution()
        if solution is None:
            return Solution("no solution", None, self.lower_bound, None, solver=options.name)
        solution.model, solution.solver = self.name, options.name
        solution.build_time_s = time.perf_counter() - tic
        solution.time_limited = not self._proven(options) and budget.expired()
        return solution

    def _proven(self, options: SolverOptions) -> bool:
        """Whether the best plan so far is proven within the gap asked."""
        return (
            self.start_value is not None
            and self.lower_bound is not None
            and self.start_value - self.lower_bound <= options.gap * abs(self.start_value)
        )

    def _relaxation(self, prob: pulp.LpProblem, budget: TimeBudget) -> np.ndarray | None:
        """Solve the model's LP relaxation (HiGHS, within ``budget``): raise the lower bound
        to its value made whole, and return each site's open share (None when the LP did not
        finish)."""
        import highspy

        variables = prob.variables()
        rows = sparse_rows(prob, variables, budget)
        h = quiet_highs()
        # The interior point method without crossover: several times faster than the simplex
        # on these LPs, and a point inside the optimal face guides the restriction as well.
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
        h.passModel(rows_lp(replace(rows, integer=np.zeros_like(rows.integer))))
        limit = budget.solver_limit()
        if limit is not None:
            h.setOptionValue("time_limit", float(limit))
        run_highs(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            budget.expired()  # an LP stopped by the clock: the stage is cut short
            return None
        # Without crossover the value carries the method's tolerance: give it up, as a bound.
        value = float(h.getInfo().objective_function_value) + rows.constant
        value -= 1e-6 * abs(value)
        self.lower_bound = max(self.lower_bound or -np.inf, self.rounded(value))
        x = np.asarray(h.getSolution().col_value)
        index = {id(v): k for k, v in enumerate(variables)}
        return np.array([x[index[id(v)]] for v in self._y])

    def _restricted_run(
        self, prob: pulp.LpProblem, relaxed: np.ndarray, options: SolverOptions, budget: TimeBudget
    ) -> None:
        """The MIP with the sites the LP leaves closed (share below 1 %) closed and those it
        opens in full opened, below the best plan's value: a better plan when there is one
        (the whole problem's bound does not follow from it)."""
        saved = [(v.lowBound, v.upBound) for v in self._y]
        for v, share in zip(self._y, relaxed.tolist(), strict=True):
            if share < 0.01 and not v.lowBound:
                v.upBound = 0
            elif share > 0.99 and v.upBound:
                v.lowBound = 1
        try:
            run = solve_pulp(
                prob,
                replace(options, warm_start=False),
                highs_options=self._below_best(),
                budget=budget,
            )
        finally:
            for v, (low, high) in zip(self._y, saved, strict=True):
                v.lowBound, v.upBound = low, high
        if run.status in ("optimal", "feasible"):
            self._take_values()

    def _below_best(self) -> dict[str, object]:
        """The solver's options for a search below the best plan's value (when there is
        one)."""
        extra = dict(self.highs_options)
        if self.start_value is not None:
            extra["objective_bound"] = self.start_value * (1 - 1e-9)
        return extra

    def _take_values(self) -> None:
        """Make the model's current values the start when they are a better plan."""
        pairs = self.point_pairs()
        layer = self._layer
        opened = np.array([(v.varValue or 0.0) > 0.5 for v in self._y], dtype=bool)
        used = np.flatnonzero(np.array([(v.varValue or 0.0) > 0.5 for v in layer.x]))
        # The layer's pairs are the model's pairs to sites that may open: find each in them.
        key = pairs.origin.astype(np.int64) * pairs.n_destinations + pairs.destination
        wanted = layer.pairs.origin[used].astype(np.int64) * pairs.n_destinations
        wanted += layer.pairs.destination[used]
        order = np.argsort(key, kind="stable")
        chosen = np.full(pairs.n_origins, -1, dtype=np.int64)
        chosen[layer.pairs.origin[used]] = order[np.searchsorted(key, wanted, sorter=order)]
        if (chosen < 0).any():
            return
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        load = self.problem.demand.weight
        value = float(sites.fixed_cost[opened].sum()) + self.cost_weight * float(
            (load * pairs.cost[chosen]).sum()
        )
        if self.start_value is None or value < self.start_value:
            self.start, self.start_value = (opened, chosen), value

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        prob = super().build(options, budget)
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        free = [v for v, f in zip(self._y, (sites.usable & ~sites.kept).tolist(), strict=True) if f]
        if self.least_opened > 0 and free:
            # Every plan opens at least this many free sites (the bounds above): a valid row
            # that lifts the LP bound the solver starts from.
            prob += pulp.LpConstraint(
                pulp.LpAffineExpression([(v, 1.0) for v in free]),
                pulp.LpConstraintGE,
                rhs=self.least_opened,
            )
        uniform = self._uniform_cost()
        if uniform is not None and self.start_value:
            least, most = self._link_range()
            if most - least <= options.gap * self.start_value:
                # Stop once the solver's bound rules out a plan with one site fewer: the
                # rounding (rounded()) then proves the plan within the travel it may still
                # save, which the gap asked allows.
                self.highs_options = {"mip_abs_gap": max(uniform - (most - least), 0.0) * 0.999}
        return prob

    def read(self, run: SolverRun) -> Solution:
        solution = super().read(run) if run.status in ("optimal", "feasible") else None
        best = self.incumbent_solution()
        if solution is None or (
            best is not None
            and solution.objective is not None
            and solution.objective > best.objective
        ):
            if best is None:
                return super().read(run)
            solution = best
        # A run below the best plan bounds only the plans below it, the best plan the rest;
        # a run that proves nothing lies below makes the best plan optimal.
        below = run.bound
        if self.start_value is not None:
            if run.status == "infeasible":
                below = self.start_value * (1 - 1e-9)
            elif below is not None:
                below = min(below, self.start_value)
        bounds = [b for b in (self.lower_bound, self.rounded(below)) if b is not None]
        solution.bound = max(bounds) if bounds else None
        solution.status = "feasible"
        solution.model = self.name
        return solution

    def verify(self, solution: Solution) -> float:
        value = super().verify(solution)
        frame = solution.assignments[Tier.RECYCLING_POINT]
        if frame["origin_id"].duplicated().any() or (frame["share"] < 1 - 1e-6).any():
            raise plan_error(self.name, "a site below split between two sites above")
        return value
