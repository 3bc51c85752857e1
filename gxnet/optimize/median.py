"""p-median: least total weighted travel with p recycling points, on sparse pairs.

Formulation (Elloumi 2010, the compact form of the covering formulation of Cornuéjols,
Nemhauser & Wolsey 1980, studied at scale by García, Labbé & Marín 2011). For demand unit i let
D_i^1 < D_i^2 < ... < D_i^K be the distinct costs to its usable sites and z_ik (k < K) mean
"i is farther than D_i^k from every open site"::

    min  sum_i w_i (D_i^1 + sum_{k<K} (D_i^{k+1} - D_i^k) z_ik)
    s.t. z_i1 + sum_{j: d_ij = D_i^1} y_j >= 1
         z_ik + sum_{j: d_ij = D_i^k} y_j >= z_i,k-1        (1 < k < K)
                sum_{j: d_ij = D_i^K} y_j >= z_i,K-1
         sum_j y_j = p,   y_j in {0, 1},   z_ik >= 0

Each pair appears in one row, so the model has as many non-zeros as pairs (the classic
x_ij <= y_j model has twice as many variables and rows besides).
Its LP bound equals that of the classic strong model.

Reductions (all exact):

- levels beyond the first at which at least m - p + 1 usable sites are within reach are
  dropped: at most m - p sites are closed, so one of them is open (Elloumi's rule);
- levels beyond an existing or required site's cost are dropped: that site is open;
- demand units of weight 0 only keep "some usable site in reach is open".

Warm start: greedy addition then best-improvement vertex substitution (Teitz & Bart 1968, with
the gain / loss / extra bookkeeping of Resende & Werneck 2007), all vectorised over the pairs.
Its solution is passed to the solver as the incumbent, so the solver only has to prove it or
beat it; the solver's dual bound is the reported lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp
import scipy.sparse as sp

from gxnet.config import SolverOptions, Targets
from gxnet.optimize.budget import TimeBudget
from gxnet.optimize.groups import SiteGroups
from gxnet.optimize.problem import Pairs, Problem, csr_positions
from gxnet.optimize.solve import (
    LocationModel,
    Solution,
    SolverRun,
    check_assignments,
    check_claim_min,
    check_open_sites,
    chosen,
    empty_solution,
    one_tier_solution,
    plan_error,
    site_variables,
)
from gxnet.tiers import Tier


class PMedian(LocationModel):
    """Open ``p`` recycling points so that the weighted travel of all demand is least.

    Every demand unit is served by its nearest open point; pairs exist only within the service
    cutoff, so every unit needs a usable point in reach.

    Parameters
    ----------
    problem : Problem
    p : int, optional
        Points to open (existing and required included); default ``problem.targets.points``.
    heuristic : bool
        Run the greedy + interchange heuristic and pass its solution as the warm start.
    reduce : bool
        With the heuristic's solution, bound the problem by Lagrangean relaxation and leave out
        the pairs and sites that cannot belong to a solution as good (exact).

    Raises
    ------
    InfeasibleProblemError
        When a demand unit has no usable point within the cutoff.
    ProblemDataError
        When p is unset or outside [kept sites, usable sites].
    """

    name = "p-median"
    sense = "min"
    objective_name = "weighted travel"

    def __init__(
        self, problem: Problem, p: int | None = None, *, heuristic: bool = True, reduce: bool = True
    ) -> None:
        super().__init__(problem)
        self.p = problem.sites_to_open(Tier.RECYCLING_POINT, p)
        problem.require_reachable(Tier.RECYCLING_POINT)
        self.pairs: Pairs = problem.usable_pairs(Tier.RECYCLING_POINT)
        self.heuristic = heuristic
        self.reduce = reduce
        self.lagrangean_bound: float | None = None
        self.model_size: dict[str, float] = {}
        self.incumbent: np.ndarray | None = None
        self.incumbent_objective: float | None = None
        self._open: list[pulp.LpVariable] = []

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray,
        weights: np.ndarray | None,
        p: int,
        *,
        cutoff: float = np.inf,
        status: np.ndarray | None = None,
        heuristic: bool = True,
        reduce: bool = True,
    ) -> PMedian:
        """From a dense demand x site matrix; entries beyond ``cutoff`` (or inf) are dropped."""
        problem = Problem.from_cost_matrix(
            cost, cutoff, weights=weights, status=status, targets=Targets(points=p)
        )
        return cls(problem, p, heuristic=heuristic, reduce=reduce)

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        problem = self.problem
        sites = problem.sites[Tier.RECYCLING_POINT]
        weight = problem.demand.weight
        model_pairs, closed = self.pairs, np.zeros(sites.n, dtype=bool)
        self.highs_options = {}
        if self.heuristic and self.incumbent is None:
            start = greedy(self.pairs, weight, self.p, sites.kept, sites.usable)
            # The clock is only a safety net: half the stage's length at most, so that the bound
            # gets its turn when the interchange's own limit of swaps is far away.
            safety = budget.part(0.5) if budget is not None else None
            self.incumbent = interchange(self.pairs, weight, start, sites.kept, budget=safety)
            self.incumbent_objective = median_cost(self.pairs, weight, self.incumbent)
            if not np.isfinite(self.incumbent_objective):
                self.incumbent = None  # the heuristic left a unit unserved: no warm start
        if self.incumbent is not None and self.reduce:
            served = weight * self.pairs.cost[self.pairs.nearest(self.incumbent)]
            reduction = lagrangean_reduction(
                self.pairs,
                weight,
                self.p,
                sites.kept,
                sites.usable,
                self.incumbent_objective,
                served,
                budget=budget,
            )
            self.lagrangean_bound = reduction.bound
            closed = reduction.closed
            model_pairs = self.pairs.select(reduction.pairs & ~closed[self.pairs.destination])
        levels = radius_levels(model_pairs, weight, self.p, sites.usable & ~closed, sites.kept)
        self.model_size = {
            "pairs_kept": float(model_pairs.n),
            "sites_closed": float(closed.sum()),
            "levels": float(levels.n),
        }
        prob = pulp.LpProblem("p_median", pulp.LpMinimize)
        y = self._open = site_variables(problem, Tier.RECYCLING_POINT, prob=prob)
        for j in np.flatnonzero(closed).tolist():
            y[j].upBound = 0
        has_z = levels.step > 0
        z = [prob.add_variable(f"z_{g}", lowBound=0) if has_z[g] else None for g in range(levels.n)]
        prob.setObjective(
            pulp.LpAffineExpression(
                ((z[g], float(levels.step[g])) for g in np.flatnonzero(has_z).tolist()),
                constant=float(levels.constant),
            )
        )
        destination = model_pairs.destination.tolist()
        starts, ends = levels.start.tolist(), levels.end.tolist()
        first = levels.first.tolist()
        for g in (budget or TimeBudget()).checked(range(levels.n)):
            terms = [(y[j], 1.0) for j in destination[starts[g] : ends[g]]]
            if z[g] is not None:
                terms.append((z[g], 1.0))
            if not first[g]:
                terms.append((z[g - 1], -1.0))
            prob.addConstraint(
                pulp.LpConstraint(terms, pulp.LpConstraintGE, rhs=1.0 if first[g] else 0.0),
                f"r{g}",
            )
        prob.addConstraint(
            pulp.LpConstraint([(v, 1.0) for v in y], pulp.LpConstraintEQ, rhs=self.p), "p"
        )
        if self.incumbent is not None and options.warm_start:
            self._set_start(levels, y, z)
            # The interchange incumbent is rarely beaten: spend the time on the bound.
            self.highs_options = {
                "mip_heuristic_effort": 0.0,
                "mip_heuristic_run_rins": False,
                "mip_heuristic_run_rens": False,
                "mip_heuristic_run_root_reduced_cost": False,
                "mip_heuristic_run_feasibility_jump": False,
            }
        return prob

    def _set_start(self, levels: RadiusLevels, y: list, z: list) -> None:
        """Warm start: the incumbent's y, and z_g = 1 where its distance exceeds level g."""
        for variable, value in zip(y, self.incumbent.tolist(), strict=True):
            variable.setInitialValue(float(value))
        distance = self.pairs.cost[self.pairs.nearest(self.incumbent)]
        beyond = (distance[levels.origin] > levels.distance).tolist()
        for variable, value in zip(z, beyond, strict=True):
            if variable is not None:
                variable.setInitialValue(1.0 if value else 0.0)

    def read(self, run: SolverRun) -> Solution:
        if run.status not in ("optimal", "feasible") and self.incumbent is None:
            return empty_solution(run, self.name)
        weight = self.problem.demand.weight
        open_mask = self.incumbent
        if run.status in ("optimal", "feasible"):
            solved = chosen(self._open)
            value = median_cost(self.pairs, weight, solved)
            check_claim_min(self.name, run.objective, value, proven=run.status == "optimal")
            if self.incumbent is None or value <= self.incumbent_objective:
                open_mask = solved
        bound = run.bound
        if self.lagrangean_bound is not None:
            bound = max(bound if bound is not None else -np.inf, self.lagrangean_bound)
        solution = self._solution(run, open_mask, bound)
        solution.status = "feasible"
        return solution

    def _solution(self, run: SolverRun, open_mask: np.ndarray, bound: float | None) -> Solution:
        problem = self.problem
        rows = self.pairs.nearest(open_mask)
        weight = problem.demand.weight
        total = float((weight * self.pairs.cost[rows]).sum())
        metrics = {
            "weighted_cost": total,
            "mean_cost": total / float(weight.sum()) if weight.sum() > 0 else 0.0,
            "max_cost": float(self.pairs.cost[rows].max()) if len(rows) else 0.0,
            "heuristic_objective": (
                np.nan if self.incumbent_objective is None else self.incumbent_objective
            ),
            "lagrangean_bound": np.nan if self.lagrangean_bound is None else self.lagrangean_bound,
            **self.model_size,
        }
        return one_tier_solution(
            problem, run, self.name, open_mask, self.pairs, rows, metrics, total, bound
        )

    def incumbent_objective_value(self) -> float | None:
        return self.incumbent_objective

    def incumbent_solution(self) -> Solution | None:
        if self.incumbent is None:
            return None
        run = SolverRun("feasible", self.incumbent_objective, None, None, 0.0, "")
        return self._solution(run, self.incumbent, self.lagrangean_bound)

    def verify(self, solution: Solution) -> float:
        tier = Tier.RECYCLING_POINT
        mask = check_open_sites(self.name, self.problem, tier, solution)
        if int(mask.sum()) != self.p:
            raise plan_error(self.name, f"{int(mask.sum())} points open where {self.p} are asked")
        rows, _ = check_assignments(self.name, self.problem, tier, solution, self.pairs, mask)
        nearest = self.pairs.nearest(mask)
        if (nearest < 0).any() or not np.array_equal(np.sort(rows), np.sort(nearest)):
            raise plan_error(self.name, "demand not assigned to its nearest open point")
        return median_cost(self.pairs, self.problem.demand.weight, mask)


@dataclass(frozen=True)
class RadiusLevels:
    """The distinct-distance levels of every demand unit, after the exact reductions.

    Level g belongs to demand unit ``origin[g]``, has cost ``distance[g]`` and holds the pairs
    at positions ``start[g]:end[g]``. ``first[g]`` marks a unit's first level; ``step[g]`` is
    the objective coefficient of z_g (weight times the rise to the unit's next level; 0 for its
    last level, which has no z); ``constant`` is sum_i w_i D_i^1.
    """

    origin: np.ndarray
    distance: np.ndarray
    start: np.ndarray
    end: np.ndarray
    first: np.ndarray
    step: np.ndarray
    constant: float

    @property
    def n(self) -> int:
        return len(self.origin)


def radius_levels(
    pairs: Pairs, weight: np.ndarray, p: int, usable: np.ndarray, kept: np.ndarray
) -> RadiusLevels:
    """Group each origin's usable pairs into distinct-distance levels and cut the levels that
    cannot matter (see the module notes). ``pairs`` must lead to usable sites only.

    Parameters
    ----------
    pairs : Pairs
        Usable pairs, sorted by origin then cost (as :class:`Pairs` keeps them).
    weight : numpy.ndarray
        Demand weights.
    p : int
        Sites to open.
    usable, kept : numpy.ndarray
        Boolean masks over the sites.
    """
    origin, cost = pairs.origin, pairs.cost
    start = np.zeros(pairs.n, dtype=bool)
    start[pairs.indptr[:-1][pairs.degree() > 0]] = True
    new_level = start.copy()
    new_level[1:] |= cost[1:] != cost[:-1]
    level = np.cumsum(new_level) - 1
    n_levels = int(level[-1]) + 1 if pairs.n else 0
    level_start = np.flatnonzero(new_level)
    level_end = np.append(level_start[1:], pairs.n)
    level_origin = origin[level_start]
    # Sites within reach at the end of each level, counted from the origin's first pair.
    reached = level_end - pairs.indptr[level_origin]
    closed_at_most = int(usable.sum()) - p
    surely_open = reached >= closed_at_most + 1
    has_kept = np.bincount(level, weights=kept[pairs.destination], minlength=n_levels) > 0
    zero_weight = weight[level_origin] == 0
    cut = surely_open | has_kept | zero_weight
    # Keep levels up to and including each origin's first cut level (its last level if none).
    cut_before = np.cumsum(cut) - cut
    origin_first_level = level[pairs.indptr[level_origin]]
    keep = (cut_before - cut_before[origin_first_level]) == 0
    if zero_weight.any():
        # A weightless unit keeps one row: some usable site in its reach is open.
        keep &= ~zero_weight | (np.arange(n_levels) == origin_first_level)
        level_end = np.where(zero_weight, pairs.indptr[level_origin + 1], level_end)
    kept_levels = np.flatnonzero(keep)
    lo = level_origin[kept_levels]
    distance = cost[level_start[kept_levels]]
    first = np.ones(len(kept_levels), dtype=bool)
    first[1:] = lo[1:] != lo[:-1]
    last = np.ones(len(kept_levels), dtype=bool)
    last[:-1] = lo[:-1] != lo[1:]
    rise = np.zeros(len(kept_levels))
    rise[:-1] = np.where(last[:-1], 0.0, distance[1:] - distance[:-1])
    return RadiusLevels(
        origin=lo,
        distance=distance,
        start=level_start[kept_levels],
        end=level_end[kept_levels],
        first=first,
        step=weight[lo] * rise,
        constant=float((weight[lo[first]] * distance[first]).sum()),
    )


# ---- heuristic: greedy + vertex substitution --------------------------------------------------


def median_cost(pairs: Pairs, weight: np.ndarray, open_sites: np.ndarray) -> float:
    """Weighted cost of serving every origin from its nearest open site (inf if one can't be)."""
    nearest = pairs.nearest(open_sites)
    if (nearest < 0).any():
        return float("inf")
    return float((weight * pairs.cost[nearest]).sum())


def _heuristic_weights(weight: np.ndarray) -> np.ndarray:
    """Weights for the heuristic: weightless units get the smallest positive weight, so that
    leaving one unserved is never "free"."""
    positive = weight[weight > 0]
    return np.where(weight > 0, weight, positive.min() if len(positive) else 1.0)


def greedy(
    pairs: Pairs,
    weight: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    groups: SiteGroups | None = None,
    *,
    until: float | None = None,
) -> np.ndarray:
    """The sites of :func:`greedy_sequence`, as a boolean mask of the open sites."""
    open_sites = np.zeros(pairs.n_destinations, dtype=bool)
    open_sites[greedy_sequence(pairs, weight, p, kept, usable, groups, until=until)] = True
    return open_sites


def greedy_sequence(
    pairs: Pairs,
    weight: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    groups: SiteGroups | None = None,
    *,
    until: float | None = None,
) -> np.ndarray:
    """Open the kept sites, then repeatedly the site that saves the most weighted cost.

    A unit without an open site in reach counts as a penalty larger than any saving, so that
    the greedy serves everyone first when it can. Each site's saving is kept up to date
    incrementally: opening a site only changes the savings of the pairs of the units it now
    serves best, so each step costs the pairs of those units, not all pairs. With ``groups``
    the minimums come first: while a group is short, the step chooses among the sites of the
    innermost short groups (``p`` must be at least :meth:`SiteGroups.sites_needed`). The
    greedy's choices do not depend on ``p``: with fewer sites it opens the first ones of the
    longer run.

    Parameters
    ----------
    until : float, optional
        Stop as soon as every unit is served, the minimums are met and the weighted cost (with
        the given weights) is at most this, even with fewer than ``p`` sites open.

    Returns
    -------
    numpy.ndarray
        The open sites in the order they opened (the kept ones first; ``p`` of them unless
        ``until`` stopped it): its first ``k`` are the greedy's choice of ``k`` sites, for every
        ``k`` from the kept and the minimums on.
    """
    given = np.asarray(weight, dtype=np.float64)

    def reached() -> bool:
        if until is None or np.isinf(best).any():
            return False
        if groups is not None and groups.needing(open_sites) is not None:
            return False
        return float((given * best).sum()) <= until

    weight = _heuristic_weights(weight)
    penalty = (float(pairs.cost.max(initial=0.0)) + 1.0) * (float(weight.sum()) + 1.0)
    by_site = np.argsort(pairs.destination, kind="stable")
    site_ptr = np.zeros(pairs.n_destinations + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs.destination, minlength=pairs.n_destinations), out=site_ptr[1:])
    open_sites = np.zeros(pairs.n_destinations, dtype=bool)
    best = np.full(pairs.n_origins, np.inf)

    def saving(rows: np.ndarray) -> np.ndarray:
        current = best[pairs.origin[rows]]
        return np.where(
            np.isinf(current),
            penalty,
            weight[pairs.origin[rows]]
            * np.maximum(np.where(np.isinf(current), 0, current) - pairs.cost[rows], 0),
        )

    order: list[int] = []

    def open_site(j: int) -> np.ndarray:
        """Open j; return the pair rows of the units whose nearest open site changed."""
        open_sites[j] = True
        order.append(j)
        rows = by_site[site_ptr[j] : site_ptr[j + 1]]
        origins = pairs.origin[rows]
        closer = pairs.cost[rows] < best[origins]
        best[origins[closer]] = pairs.cost[rows[closer]]
        return origin_rows(pairs, origins[closer])

    for j in np.flatnonzero(kept):
        open_site(int(j))
    gain = np.bincount(
        pairs.destination, weights=saving(np.arange(pairs.n)), minlength=pairs.n_destinations
    )
    blocked = ~usable
    while open_sites.sum() < p and not reached():
        closed = open_sites | blocked
        if groups is not None and (short := groups.needing(open_sites)) is not None:
            closed = closed | ~short
        j = int(np.argmax(np.where(closed, -1.0, gain)))
        rows = by_site[site_ptr[j] : site_ptr[j + 1]]
        changed = origin_rows(pairs, np.unique(pairs.origin[rows]))
        before = saving(changed)
        open_site(j)
        gain -= np.bincount(
            pairs.destination[changed],
            weights=before - saving(changed),
            minlength=pairs.n_destinations,
        )
    return np.asarray(order, dtype=np.int64)


def origin_rows(pairs: Pairs, origins: np.ndarray) -> np.ndarray:
    """Positions of all the pairs of ``origins`` (each origin's CSR range, concatenated)."""
    return csr_positions(pairs.indptr, origins)


def _two_nearest(pairs: Pairs, open_sites: np.ndarray, far: float):
    """Cost and site of each origin's nearest open site, and the cost of its second nearest
    (``far`` when it has none)."""
    rows = np.flatnonzero(open_sites[pairs.destination])
    origins = pairs.origin[rows]
    is_first = np.ones(len(rows), dtype=bool)
    is_first[1:] = origins[1:] != origins[:-1]
    d1 = np.full(pairs.n_origins, np.inf)
    f1 = np.full(pairs.n_origins, -1, dtype=np.int64)
    d1[origins[is_first]] = pairs.cost[rows[is_first]]
    f1[origins[is_first]] = pairs.destination[rows[is_first]]
    rest = rows[~is_first]
    rest_origins = origins[~is_first]
    is_second = np.ones(len(rest), dtype=bool)
    is_second[1:] = rest_origins[1:] != rest_origins[:-1]
    d2 = np.full(pairs.n_origins, far)
    d2[rest_origins[is_second]] = pairs.cost[rest[is_second]]
    return d1, f1, d2


class _Swaps:
    """Which open site each closed one may replace in a round of :func:`interchange`.

    Without groups any removable site may go, the cheapest first. With groups, a site whose
    innermost tight group has no site to spare may only make room for a site of that group;
    the cheapest such removal is kept per group.
    """

    def __init__(
        self,
        removal_cost: np.ndarray,
        groups: SiteGroups | None,
        open_sites: np.ndarray,
        entry_r: np.ndarray,
        entry_j: np.ndarray,
    ) -> None:
        m = len(removal_cost)
        self.groups = groups
        if groups is None:
            self.best_free = int(np.argmin(removal_cost))
            self.base = float(removal_cost[self.best_free])
            self.allowed = np.ones(len(entry_r), dtype=bool)
            self.via_group = np.full(m, np.inf)
            return
        groups = groups.padded(m)
        self.groups = groups
        tight = groups.innermost_tight(open_sites)
        free_cost = np.where(tight < 0, removal_cost, np.inf)
        self.best_free = int(np.argmin(free_cost))
        self.base = float(free_cost[self.best_free])
        held = np.flatnonzero((tight >= 0) & np.isfinite(removal_cost))
        held = held[np.lexsort((removal_cost[held], tight[held]))]
        first = np.unique(tight[held], return_index=True)[1]
        self.group_cost = np.full(groups.n_groups, np.inf)
        self.group_site = np.full(groups.n_groups, -1, dtype=np.int64)
        self.group_cost[tight[held[first]]] = removal_cost[held[first]]
        self.group_site[tight[held[first]]] = held[first]
        self.via_group = groups.smallest_over_groups(self.group_cost)
        self.allowed = (tight[entry_r] < 0) | groups.contains(tight[entry_r], entry_j)

    def removal_for(self, j: int) -> int:
        """The cheapest open site that ``j`` may replace, ignoring what ``j`` recovers."""
        return self._best(j)[0]

    def cost_for(self, j: int) -> float:
        """The cost of that removal."""
        return self._best(j)[1]

    def _best(self, j: int) -> tuple[int, float]:
        site, cost = self.best_free, self.base
        if self.groups is not None:
            for row in self.groups.labels:
                g = row[j]
                if g >= 0 and self.group_cost[g] < cost:
                    site, cost = int(self.group_site[g]), float(self.group_cost[g])
        return site, cost


def interchange(
    pairs: Pairs,
    weight: np.ndarray,
    open_sites: np.ndarray,
    kept: np.ndarray,
    max_swaps: int | None = None,
    budget: TimeBudget | None = None,
    groups: SiteGroups | None = None,
) -> np.ndarray:
    """Best-improvement vertex substitution: swap an open site for a closed one while the
    weighted cost falls.

    Each round evaluates every (insert j, remove r) swap at once with the bookkeeping of
    Resende & Werneck (2007): ``gain[j]`` (what opening j saves), ``loss[r]`` (what closing r
    costs, units falling back to their second nearest) and ``extra[j, r]`` (the part of that loss
    that j recovers), so that a swap changes the cost by ``loss[r] - gain[j] - extra[j, r]``.
    Kept sites are never removed; the origins must all be served by ``open_sites``. With a
    ``budget`` the search stops after the first round that ends past its deadline. With
    ``groups`` (met by ``open_sites``) a swap keeps every minimum: a site whose innermost
    tight group has no site to spare is only swapped for another site of that group.

    Returns
    -------
    numpy.ndarray
        Boolean mask of the open sites after the last improving swap.
    """
    open_sites = open_sites.copy()
    weight = _heuristic_weights(weight)
    m = pairs.n_destinations
    far = (float(pairs.cost.max(initial=0.0)) + 1.0) * (weight.sum() / weight.min() + 1.0)
    w = weight[pairs.origin]
    max_swaps = 10 * int(open_sites.sum()) + 100 if max_swaps is None else max_swaps
    budget = budget or TimeBudget()
    for _ in range(max_swaps):
        if budget.expired():
            break
        d1, f1, d2 = _two_nearest(pairs, open_sites, far)
        if (f1 < 0).any():
            break
        origin_d1 = d1[pairs.origin]
        gain = np.bincount(
            pairs.destination, weights=w * np.maximum(origin_d1 - pairs.cost, 0), minlength=m
        )
        loss = np.bincount(f1, weights=weight * (d2 - d1), minlength=m)
        removable = open_sites & ~kept
        if not removable.any():
            break
        candidate = (~open_sites[pairs.destination]) & (pairs.cost < d2[pairs.origin])
        extra = sp.csr_matrix(
            (
                w[candidate]
                * (
                    d2[pairs.origin[candidate]]
                    - np.maximum(pairs.cost[candidate], origin_d1[candidate])
                ),
                (pairs.destination[candidate], f1[pairs.origin[candidate]]),
            ),
            shape=(m, m),
        )
        extra.sum_duplicates()
        removal_cost = np.where(removable, loss, np.inf)
        rows_j = np.repeat(np.arange(m), np.diff(extra.indptr))
        swap = _Swaps(removal_cost, groups, open_sites, extra.indices, rows_j)
        # For each j: the cheapest removal, either the best overall or one j helps with.
        value = np.where(swap.allowed, removal_cost[extra.indices] - extra.data, np.inf)
        row_best = np.minimum(np.full(m, swap.base), swap.via_group)
        nonempty = np.flatnonzero(np.diff(extra.indptr) > 0)
        if len(nonempty):
            row_best[nonempty] = np.minimum(
                row_best[nonempty], np.minimum.reduceat(value, extra.indptr[nonempty])
            )
        delta = np.where(open_sites, np.inf, row_best - gain)
        j = int(np.argmin(delta))
        tolerance = 1e-9 * max(1.0, float((weight * d1).sum()))
        if not delta[j] < -tolerance:
            break
        row = slice(extra.indptr[j], extra.indptr[j + 1])
        r = swap.removal_for(j)
        if extra.indptr[j + 1] > extra.indptr[j] and value[row].min() < swap.cost_for(j):
            r = int(extra.indices[row][np.argmin(value[row])])
        open_sites[j] = True
        open_sites[r] = False
    return open_sites


# ---- Lagrangean bound and reduction ---------------------------------------------------------


#: Subgradient steps of the reduction's bound before the clock may stop it.
MIN_REDUCTION_STEPS = 30


@dataclass(frozen=True)
class Reduction:
    """What the Lagrangean bound proves about every solution at least as good as the incumbent.

    Attributes
    ----------
    bound : float
        Valid lower bound on the optimum.
    pairs : numpy.ndarray
        Boolean mask over the pairs that such a solution may use as a nearest-site assignment.
    closed : numpy.ndarray
        Boolean mask of sites that cannot be open in such a solution.
    """

    bound: float
    pairs: np.ndarray
    closed: np.ndarray


def lagrangean_reduction(
    pairs: Pairs,
    weight: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    upper: float,
    multipliers: np.ndarray,
    iterations: int = 300,
    budget: TimeBudget | None = None,
) -> Reduction:
    """Bound the p-median by relaxing "each unit is served once" and drop what cannot pay.

    With multipliers l_i and reduced costs c_ij = w_i d_ij - l_i, every solution costs at least
    ``L(l) + pi_j + max(c_ij, 0)`` for each pair (i, j) it uses (j nearest open site of i), where
    ``L(l) = sum_i l_i + min over p sites of sum_j min(c_ij, 0)`` and ``pi_j`` is what forcing
    j open adds to that minimum. A pair whose figure exceeds ``upper`` (the incumbent) cannot
    be the nearest assignment of a solution as good as the incumbent; a site whose ``pi_j``
    does cannot be open in one. Beasley (1993) uses the same bound; the multipliers are
    improved by subgradient steps (Held, Wolfe & Crowder 1974), vectorised over the pairs.

    Parameters
    ----------
    pairs : Pairs
        Usable pairs.
    weight : numpy.ndarray
    p : int
    kept, usable : numpy.ndarray
        Boolean site masks.
    upper : float
        Cost of a known solution.
    multipliers : numpy.ndarray
        Starting l_i, e.g. each unit's weighted cost in the known solution.
    iterations : int
        Subgradient steps at most (the limit of work).
    budget : TimeBudget, optional
        A safety net: after :data:`MIN_REDUCTION_STEPS` steps, stop when it runs out (the
        bound and reductions stay valid, only weaker).
    """
    budget = budget or TimeBudget()
    m, n = pairs.n_destinations, pairs.n_origins
    weighted = weight[pairs.origin] * pairs.cost
    free = usable & ~kept
    slots = p - int(kept.sum())
    lam = multipliers.astype(np.float64).copy()
    best = (-np.inf, lam, np.zeros(m))
    theta, stall = 2.0, 0
    for step in range(iterations):
        if step >= MIN_REDUCTION_STEPS and budget.expired():
            break
        reduced = weighted - lam[pairs.origin]
        rho = np.bincount(pairs.destination, weights=np.minimum(reduced, 0), minlength=m)
        chosen_sites = kept.copy()
        if slots > 0:
            candidates = np.flatnonzero(free)
            chosen_sites[candidates[np.argpartition(rho[candidates], slots - 1)[:slots]]] = True
        value = float(lam.sum() + rho[chosen_sites].sum())
        if value > best[0] + 1e-12 * max(1.0, abs(value)):
            best, stall = (value, lam.copy(), rho), 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2, 0
        served = np.bincount(
            pairs.origin, weights=(chosen_sites[pairs.destination] & (reduced < 0)), minlength=n
        )
        subgradient = 1.0 - served
        norm = float(subgradient @ subgradient)
        if norm == 0 or upper - value <= 1e-9 * max(1.0, abs(upper)) or theta < 1e-4:
            break
        lam = lam + theta * (upper - value) / norm * subgradient
    bound, lam, rho = best
    # pi_j: what opening j adds to the Lagrangean minimum (0 for the sites it opens anyway).
    penalty = np.full(m, np.inf)
    penalty[kept] = 0.0
    if slots > 0:
        candidates = np.flatnonzero(free)
        order = candidates[np.argsort(rho[candidates], kind="stable")]
        penalty[order[:slots]] = 0.0
        penalty[order[slots:]] = rho[order[slots:]] - rho[order[slots - 1]]
    slack = upper - bound + 1e-9 * max(1.0, abs(upper))
    reduced = np.maximum(weighted - lam[pairs.origin], 0)
    keep_pairs = reduced + penalty[pairs.destination] <= slack
    return Reduction(bound, keep_pairs, usable & (penalty > slack))
