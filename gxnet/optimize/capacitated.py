"""Capacitated facility location: recycling points that serve at most their capacity.

The model (``w`` demand weight, ``c`` pair cost, ``Q`` capacity, ``F`` fixed cost)::

    min   sum_j F_j y_j + alpha * sum_(i,j) w_i c_ij x_ij + pi * sum_i w_i u_i
    s.t.  sum_j x_ij + u_i = 1                       every demand unit i
          sum_i w_i x_ij <= Q_j y_j                  every point j with a finite capacity
          x_ij <= y_j                                strong linking, where not implied (below)
          sum_i w_i u_i <= (1 - share) * sum_i w_i   coverage floor (only with a floor)
          y_j = 1 (existing, required), y_j = 0 (excluded); x_ij in [0, 1] or {0, 1}

``x`` exists only for the sparse pairs (demand within the service standard of the point), so
"coverage mode" is the default: a unit is served within the standard or counted uncovered
(``u``), and ``u`` exists only when the planner allows uncovered demand (a coverage floor below
1 or a penalty). Targets add ``sum_j y_j = p`` (or <=, >=) and ``sum_j F_j y_j <= cost_budget``.

Strong linking: the capacity row already implies ``x_ij <= (Q_j / w_i) y_j``, so ``x_ij <= y_j``
only pays where ``Q_j / w_i`` is large. It is added for the pairs with ``Q_j >=``
:data:`STRONG_RATIO` ``* w_i``, and for every pair of a point whose capacity cannot bind (there
it is the only link). Where points hold many units the rows tighten the LP a great deal and the
MIP proves its optimum many times faster; where a point holds only a few units' demand, rows for
every pair only slow it down, and the ratio rule leaves them out (figures in
``benchmarks/results/``). ``strong=False`` keeps the weak model for comparison.

The building blocks (:func:`open_variables`, :class:`DemandLayer`) are shared with the network
models in :mod:`gxnet.optimize.network`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pulp
import scipy.sparse as sp
from scipy.optimize import linprog

from gxnet._errors import InfeasibleProblemError, ProblemDataError, SolverError
from gxnet._messages import Phrase
from gxnet.config import SolverOptions, Targets
from gxnet.optimize.budget import TimeBudget, TimeUp
from gxnet.optimize.lagrangean import (
    CflpData,
    Transport,
    fixings,
    open_count_limit,
    subgradient,
    transport,
)
from gxnet.optimize.problem import Demand, Pairs, Problem, TierSites, describe_ids
from gxnet.optimize.solve import (
    CHECK_TOLERANCE,
    LocationModel,
    Solution,
    SolverRun,
    assignment_frame,
    check_assignments,
    check_open_sites,
    chosen,
    empty_solution,
    plan_error,
    relative_gap,
    site_variables,
    solve_pulp,
)
from gxnet.tiers import Tier

#: Strong rows x_ij <= y_j for the pairs whose point holds at least this many times the unit's
#: weight (below it the capacity row's x_ij <= (Q_j / w_i) y_j is nearly as tight).
STRONG_RATIO = 10.0
#: Shares below this are solver noise, not assignments.
_SHARE_EPS = 1e-7
#: With ``lagrangean=None`` the Lagrangean stage runs on pure CFLPs with at least this many
#: pairs (below it, the MIP alone proves the optimum in a second or two).
LAGRANGEAN_MIN_PAIRS = 20_000
#: Relative slack of the incumbent's value as the restricted MIP's cutoff (its own value must
#: stay feasible under the solver's tolerances).
_CUTOFF_SLACK = 1e-9

CountSense = Literal["exact", "at_most", "at_least"]
_SENSES = {
    "exact": pulp.LpConstraintEQ,
    "at_most": pulp.LpConstraintLE,
    "at_least": pulp.LpConstraintGE,
}


def open_variables(
    prob: pulp.LpProblem, problem: Problem, tier: Tier, may_open: np.ndarray
) -> list[pulp.LpVariable]:
    """The tier's open/closed variables (status bounds), closed where a site cannot open.

    ``may_open`` is narrower than the status: a point nobody reaches, or (in a network) a
    point without a sorting centre within the truck cutoff, stays closed.
    """
    variables = site_variables(problem, tier, prefix=f"open_{tier}", prob=prob)
    for k in np.flatnonzero(~may_open):
        variables[k].upBound = 0
    return variables


def at_most(a: pulp.LpVariable, coefficient: float, b: pulp.LpVariable) -> pulp.LpConstraint:
    """``a <= coefficient * b`` built directly from its terms (the per-pair rows are many, and
    PuLP's operator overloads cost several times more)."""
    terms = pulp.LpAffineExpression([(a, 1.0), (b, -coefficient)])
    return pulp.LpConstraint(terms, pulp.LpConstraintLE, rhs=0)


def count_constraint(
    variables: list[pulp.LpVariable], count: int | None, sense: CountSense
) -> pulp.LpConstraint | None:
    """``sum(variables) (=|<=|>=) count``, or None without a target."""
    if count is None:
        return None
    total = pulp.LpAffineExpression([(v, 1.0) for v in variables])
    return pulp.LpConstraint(total, _SENSES[sense], rhs=count)


def check_count(
    model: str, tier: Tier, open_mask: np.ndarray, count: int | None, sense: CountSense
) -> None:
    """Raise SolverError when the open sites of ``tier`` miss their count target."""
    n_open = int(open_mask.sum())
    if count is None:
        return
    met = {"exact": n_open == count, "at_most": n_open <= count, "at_least": n_open >= count}
    if not met[sense]:
        raise plan_error(model, f"{n_open} {tier}s open against a target of {count} ({sense})")


def _check_sense(sense: str) -> None:
    if sense not in _SENSES:
        raise ProblemDataError(f"count_sense: {sense!r} is not one of {list(_SENSES)}")


@dataclass
class DemandLayer:
    """Demand assigned to recycling points over the usable sparse pairs.

    Attributes
    ----------
    pairs : Pairs
        The usable pairs (to points that may open), one ``x`` per pair.
    x : list of pulp.LpVariable
        Share of the demand unit's weight sent over each pair.
    uncovered : dict[int, pulp.LpVariable | float]
        Share of each demand unit left unserved, only when uncovered demand is allowed
        (1.0, a constant, for units no point reaches).
    """

    pairs: Pairs
    x: list[pulp.LpVariable]
    uncovered: dict[int, pulp.LpVariable | float]

    @classmethod
    def build(
        cls,
        prob: pulp.LpProblem,
        demand: Demand,
        pairs: Pairs,
        points: TierSites,
        y: list[pulp.LpVariable],
        *,
        single_source: bool,
        strong: bool,
        allow_uncovered: bool,
    ) -> DemandLayer:
        """Add assignment, capacity and linking rows for ``pairs`` to ``prob``."""
        cat = pulp.LpBinary if single_source else pulp.LpContinuous
        x = [prob.add_variable(f"x{k}", 0, 1, cat) for k in range(pairs.n)]
        weight = demand.weight
        uncovered: dict[int, pulp.LpVariable | float] = {}
        for i in range(demand.n):
            lo, hi = pairs.indptr[i], pairs.indptr[i + 1]
            terms = [(x[k], 1.0) for k in range(lo, hi)]
            if allow_uncovered:
                if hi == lo:
                    uncovered[i] = 1.0
                    continue
                uncovered[i] = prob.add_variable(f"u{i}", 0, 1)
                terms.append((uncovered[i], 1.0))
            prob += pulp.LpConstraint(pulp.LpAffineExpression(terms), pulp.LpConstraintEQ, rhs=1)
        by_point = np.argsort(pairs.destination, kind="stable")
        starts = np.searchsorted(pairs.destination[by_point], np.arange(points.n + 1))
        reach = np.bincount(pairs.destination, weights=weight[pairs.origin], minlength=points.n)
        capacity = points.capacity
        # A capacity that the reachable demand cannot fill never binds: no capacity row, and
        # the strong rows are then the only link between x and y.
        capacity_row = capacity < reach
        strong_point = np.full(points.n, bool(strong)) | ~capacity_row
        for j in range(points.n):
            rows = by_point[starts[j] : starts[j + 1]]
            if len(rows) == 0:
                continue
            if capacity_row[j]:
                load = [(x[k], float(weight[pairs.origin[k]])) for k in rows]
                load.append((y[j], -float(capacity[j])))
                prob += pulp.LpConstraint(pulp.LpAffineExpression(load), pulp.LpConstraintLE, rhs=0)
            # x <= y tightens the implied x <= (Q/w) y only where Q/w is large; a weightless
            # unit is not in the capacity row at all, so x <= y is its only tie to the point.
            light = weight[pairs.origin[rows]] == 0
            if strong_point[j]:
                light |= ~capacity_row[j] | (
                    STRONG_RATIO * weight[pairs.origin[rows]] <= capacity[j]
                )
            for k in rows[light]:
                prob += at_most(x[k], 1.0, y[j])
        return cls(pairs, x, uncovered)

    def assignment_cost(self, weight: np.ndarray) -> pulp.LpAffineExpression:
        """``sum w_i c_ij x_ij`` over the pairs."""
        coefficient = weight[self.pairs.origin] * self.pairs.cost
        return pulp.LpAffineExpression(
            [(v, float(c)) for v, c in zip(self.x, coefficient, strict=True) if c != 0]
        )

    def uncovered_weight(self, weight: np.ndarray) -> pulp.LpAffineExpression:
        """``sum w_i u_i`` (constants for units no point reaches)."""
        terms = [
            (u, float(weight[i])) for i, u in self.uncovered.items() if not isinstance(u, float)
        ]
        constant = sum(float(weight[i]) for i, u in self.uncovered.items() if isinstance(u, float))
        return pulp.LpAffineExpression(terms, constant=constant)

    def shares(self) -> np.ndarray:
        """Solved share on every pair (0 below solver noise)."""
        share = np.array([v.varValue or 0.0 for v in self.x], dtype=np.float64)
        share[share < _SHARE_EPS] = 0.0
        return np.minimum(share, 1.0)


def capacity_cover(
    sites: TierSites, variables: list[pulp.LpVariable], needed: float
) -> pulp.LpConstraint | None:
    """``sum_j Q_j y_j >= needed``: the open sites must hold what must be served.

    One row that the relaxation does not imply (it spreads fractional y over many sites) and
    that gives the solver's cover cuts a start; None when a site has no capacity limit.
    """
    if needed <= 0 or not np.isfinite(sites.capacity).all():
        return None
    held = pulp.LpAffineExpression(
        [(v, float(q)) for v, q in zip(variables, sites.capacity, strict=True) if q > 0]
    )
    return pulp.LpConstraint(held, pulp.LpConstraintGE, rhs=needed)


def needed_weight(problem: Problem, allow_uncovered: bool) -> float:
    """Demand weight that must be served for certain: the coverage floor's share, all of it,
    or nothing when demand may stay uncovered at a penalty."""
    total = float(problem.demand.weight.sum())
    share = problem.targets.coverage
    if share is not None:
        return total * share
    return 0.0 if allow_uncovered else total


def open_ids(sites: TierSites, y: list[pulp.LpVariable]) -> list:
    """Ids of the sites whose variable is (rounded) 1."""
    return [sites.ids[k] for k, v in enumerate(y) if (v.varValue or 0.0) > 0.5]


def capacitated_cover(
    pairs: Pairs, weight: np.ndarray, capacity: np.ndarray, open_sites: np.ndarray
) -> np.ndarray:
    """The share of each unit's weight each pair carries when open sites with capacities
    serve as much of the weight as they can (split allowed), nearest first among equals.

    An LP over the pairs to open sites: most weight served, ``sum_i w_i x_ij <= Q_j``,
    ``sum_j x_ij <= 1``; a travel term a millionth of the weight's worth breaks ties.

    Returns
    -------
    numpy.ndarray
        Share per pair (0 on pairs to closed sites).
    """
    rows = np.flatnonzero(open_sites[pairs.destination])
    share = np.zeros(pairs.n)
    if len(rows) == 0:
        return share
    origin, site = pairs.origin[rows], pairs.destination[rows]
    w = weight[origin]
    n, m = pairs.n_origins, pairs.n_destinations
    finite = np.flatnonzero(np.isfinite(capacity))
    site_row = np.full(m, -1)
    site_row[finite] = np.arange(len(finite))
    bounded = site_row[site] >= 0
    by_origin = sp.csr_matrix(
        (np.ones(len(rows)), (origin, np.arange(len(rows)))), shape=(n, len(rows))
    )
    by_site = sp.csr_matrix(
        (w[bounded], (site_row[site[bounded]], np.flatnonzero(bounded))),
        shape=(len(finite), len(rows)),
    )
    scale = float(pairs.cost[rows].max(initial=0.0)) + 1.0
    result = linprog(
        -w * (1 - 1e-6 * pairs.cost[rows] / scale),
        A_ub=sp.vstack([by_origin, by_site]).tocsr(),
        b_ub=np.concatenate([np.ones(n), capacity[finite]]),
        bounds=(0, 1),
        method="highs",
    )
    if result.x is None:
        raise SolverError("HiGHS found no assignment for the capacitated cover LP")
    share[rows] = np.clip(result.x, 0.0, 1.0)
    share[share < _SHARE_EPS] = 0.0
    return share


def check_capacity(
    problem: Problem,
    pairs: Pairs,
    may_open: np.ndarray,
    *,
    single_source: bool,
    allow_uncovered: bool,
) -> None:
    """Raise InfeasibleProblemError when the points in reach cannot hold the demand.

    Checks, with the points that may open: the total capacity against the weight that must be
    served, and, when every unit must be served, each unit against the capacity in its reach
    (the largest single point's capacity with ``single_source``).
    """
    points = problem.sites[Tier.RECYCLING_POINT]
    weight = problem.demand.weight
    needed = needed_weight(problem, allow_uncovered)
    available = float(points.capacity[may_open].sum())
    if available < needed:
        raise InfeasibleProblemError(
            key="err_points_capacity", tier=Tier.RECYCLING_POINT, available=available, needed=needed
        )
    if allow_uncovered:
        return
    capacity = points.capacity[pairs.destination]
    per_unit = np.zeros(problem.demand.n)
    if single_source:
        np.maximum.at(per_unit, pairs.origin, capacity)
    else:
        np.add.at(per_unit, pairs.origin, capacity)
    short = np.flatnonzero(per_unit < weight)
    if len(short):
        how = "cap_single" if single_source else "cap_together"
        raise InfeasibleProblemError(
            key="err_units_too_heavy", how=Phrase(how), ids=describe_ids(problem.demand.ids[short])
        )


def check_cost_budget(problem: Problem, tiers: tuple[Tier, ...]) -> None:
    """Raise InfeasibleProblemError when the kept sites alone cost more than the cost budget."""
    budget = problem.targets.cost_budget
    if budget is None:
        return
    kept_cost = sum(
        float(problem.sites[t].fixed_cost[problem.sites[t].kept].sum())
        for t in tiers
        if t in problem.sites
    )
    if kept_cost > budget:
        kept = [
            i
            for t in tiers
            if t in problem.sites
            for i in problem.sites[t].ids[problem.sites[t].kept]
        ]
        raise InfeasibleProblemError(
            key="err_cost_budget", budget=budget, cost=kept_cost, ids=describe_ids(kept)
        )


class CapacitatedFacilityLocation(LocationModel):
    """Open recycling points and assign demand within the service standard under capacities.

    Parameters
    ----------
    problem : Problem
        Demand (weight: households), ``recycling_point`` sites with capacity (households; inf
        for none) and fixed cost, demand -> point pairs (only those within the standard) and
        targets: ``points``, ``coverage`` (a floor; below 1 some demand may stay
        uncovered), ``cost_budget`` (on the fixed costs).
    single_source : bool
        Each demand unit goes to one point (binary assignment) instead of being split.
    strong : bool
        Add ``x_ij <= y_j`` where the point holds at least :data:`STRONG_RATIO` times the
        unit's weight (see the module notes); False keeps only the rows that points whose
        capacity cannot bind need.
    cost_weight : float
        Money per unit of weight x cost (e.g. yuan per household-second); scales the
        assignment cost against the fixed costs.
    service_cutoff : float, optional
        Drop the pairs costlier than this (a stricter standard than the pairs were built with).
    uncovered_penalty : float, optional
        Cost per unit of weight left uncovered; allows uncovered demand even without a floor.
    count_sense : {"exact", "at_most", "at_least"}
        How ``targets.points`` binds.
    lagrangean : bool, optional
        Run the Lagrangean stage of :mod:`gxnet.optimize.lagrangean` before the MIP: a bound,
        an incumbent from the Lagrangean heuristic and local search, and sites fixed open or
        closed against it; the MIP then solves only what the fixings leave, below the
        incumbent's value. Only for the pure model (all demand served, no point count, no
        budget, split demand, finite capacities). None (default): on such models with at least
        :data:`LAGRANGEAN_MIN_PAIRS` pairs.

    Notes
    -----
    With the Lagrangean stage, ``Solution.bound`` is the better of the Lagrangean bound and
    the MIP's bound on the restricted problem (valid for the whole problem because every
    solution that breaks a fixing costs more than the incumbent); ``metrics`` add
    ``lagrangean_bound``, ``lagrangean_iterations``, ``points_fixed_open``,
    ``points_fixed_closed`` and ``restricted_rounds`` (the MIP runs again on fewer sites each
    time it finds a solution that lets the fixings close more).
    """

    name = "capacitated facility location"

    def __init__(
        self,
        problem: Problem,
        *,
        single_source: bool = False,
        strong: bool = True,
        cost_weight: float = 1.0,
        service_cutoff: float | None = None,
        uncovered_penalty: float | None = None,
        count_sense: CountSense = "exact",
        lagrangean: bool | None = None,
    ) -> None:
        super().__init__(problem)
        if Tier.RECYCLING_POINT not in problem.pairs:
            raise ProblemDataError(
                f"pairs.{Tier.RECYCLING_POINT}: the problem has no demand -> point pairs"
            )
        _check_sense(count_sense)
        for name, value in (("cost_weight", cost_weight), ("uncovered_penalty", uncovered_penalty)):
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise ProblemDataError(f"{name}: {value} must be a finite number >= 0")
        self.single_source = single_source
        self.strong = strong
        self.cost_weight = cost_weight
        self.service_cutoff = service_cutoff
        self.uncovered_penalty = uncovered_penalty
        self.count_sense = count_sense
        self.lagrangean = lagrangean
        self._layer: DemandLayer | None = None
        self._y: list[pulp.LpVariable] = []

    @classmethod
    def from_cost_matrix(
        cls,
        cost_matrix: np.ndarray,
        weights: np.ndarray,
        capacities: np.ndarray,
        fixed_costs: np.ndarray,
        *,
        service_radius: float | None = None,
        status: np.ndarray | None = None,
        targets: Targets | None = None,
        **options,
    ) -> CapacitatedFacilityLocation:
        """spopt-style constructor from a dense demand x site cost matrix.

        Parameters
        ----------
        cost_matrix : numpy.ndarray
            ``(n_demand, n_sites)`` cost per unit of weight (inf or NaN: no pair).
        weights : numpy.ndarray
            Demand weights.
        capacities, fixed_costs : numpy.ndarray
            Per site.
        service_radius : float, optional
            Keep only the pairs within it (the sparse pairs a city run would have).
        status : numpy.ndarray, optional
            Site statuses (default all ``candidate``).
        targets : Targets, optional
        **options
            As in the class.
        """
        pairs = Pairs.from_dense(cost_matrix, np.inf if service_radius is None else service_radius)
        problem = Problem.from_arrays(
            weights,
            pairs,
            status=status,
            capacity=capacities,
            fixed_cost=fixed_costs,
            targets=targets,
        )
        return cls(problem, **options)

    # ---- what the network models extend -------------------------------------------------

    @property
    def allow_uncovered(self) -> bool:
        """Whether some demand may stay unserved (a coverage floor or a penalty)."""
        return self.problem.targets.coverage is not None or self.uncovered_penalty is not None

    def point_pairs(self) -> Pairs:
        """The demand -> point pairs the model uses (usable, within the service cutoff)."""
        pairs = self.problem.usable_pairs(Tier.RECYCLING_POINT)
        return pairs if self.service_cutoff is None else pairs.within(self.service_cutoff)

    def check(self, pairs: Pairs, may_open: np.ndarray) -> None:
        """Find infeasible inputs before solving (raise InfeasibleProblemError naming them).

        Parameters
        ----------
        pairs : Pairs
            The usable demand -> point pairs.
        may_open : numpy.ndarray
            Points that may open (a network closes points that have no centre in reach).
        """
        problem = self.problem
        served = pairs.select(may_open[pairs.destination])
        if not self.allow_uncovered:
            stranded = np.flatnonzero(served.degree() == 0)
            if len(stranded):
                blocked = np.isin(pairs.origin, stranded)
                why = (
                    Phrase(
                        "cap_blocked",
                        ids=describe_ids(
                            np.unique(
                                problem.sites[Tier.RECYCLING_POINT].ids[pairs.destination[blocked]]
                            )
                        ),
                    )
                    if blocked.any()
                    else ""
                )
                raise InfeasibleProblemError(
                    key="err_units_unserved",
                    ids=describe_ids(problem.demand.ids[stranded]),
                    why=why,
                )
        check_capacity(
            problem,
            served,
            may_open,
            single_source=self.single_source,
            allow_uncovered=self.allow_uncovered,
        )
        check_cost_budget(problem, (Tier.RECYCLING_POINT,))

    def build_points(self, prob: pulp.LpProblem, may_open: np.ndarray) -> pulp.LpAffineExpression:
        """Add the point tier to ``prob``; return its objective part (fixed + assignment)."""
        problem = self.problem
        points = problem.sites[Tier.RECYCLING_POINT]
        pairs = self.point_pairs()
        self._y = open_variables(prob, problem, Tier.RECYCLING_POINT, may_open)
        self._layer = DemandLayer.build(
            prob,
            problem.demand,
            pairs.select(may_open[pairs.destination]),
            points,
            self._y,
            single_source=self.single_source,
            strong=self.strong,
            allow_uncovered=self.allow_uncovered,
        )
        weight = problem.demand.weight
        share = problem.targets.coverage
        if share is not None:
            floor = (1.0 - share) * float(weight.sum())
            prob += self._layer.uncovered_weight(weight) <= floor
        cover = capacity_cover(points, self._y, needed_weight(problem, self.allow_uncovered))
        if cover is not None:
            prob += cover
        count = count_constraint(self._y, problem.targets.points, self.count_sense)
        if count is not None:
            prob += count
        objective = pulp.LpAffineExpression(
            [(v, float(f)) for v, f in zip(self._y, points.fixed_cost, strict=True) if f]
        )
        objective += self.cost_weight * self._layer.assignment_cost(weight)
        if self.uncovered_penalty:
            objective += self.uncovered_penalty * self._layer.uncovered_weight(weight)
        return objective

    def fixed_cost_expression(self) -> pulp.LpAffineExpression:
        """Fixed cost of the opened points (for the cost budget's row)."""
        fixed = self.problem.sites[Tier.RECYCLING_POINT].fixed_cost
        return pulp.LpAffineExpression([(v, float(f)) for v, f in zip(self._y, fixed, strict=True)])

    # ---- LocationModel ------------------------------------------------------------------

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        """Check the inputs, then build the PuLP model."""
        pairs = self.point_pairs()
        may_open = self.problem.sites[Tier.RECYCLING_POINT].usable
        self.check(pairs, may_open)
        prob = pulp.LpProblem("capacitated_facility_location", pulp.LpMinimize)
        prob += self.build_points(prob, may_open)
        if self.problem.targets.cost_budget is not None:
            prob += self.fixed_cost_expression() <= self.problem.targets.cost_budget
        return prob

    def read(self, run: SolverRun) -> Solution:
        """Open points, demand assignments (share and flow) and coverage metrics."""
        if run.status not in ("optimal", "feasible"):
            return empty_solution(run, self.name)
        opened = np.array([(v.varValue or 0.0) > 0.5 for v in self._y], dtype=bool)
        return self.points_solution(run, self._layer.pairs, self._layer.shares(), opened)

    def points_solution(
        self, run: SolverRun, pairs: Pairs, share: np.ndarray, opened: np.ndarray
    ) -> Solution:
        """The Solution of open points ``opened`` and demand ``share`` per pair of ``pairs``."""
        problem = self.problem
        points = problem.sites[Tier.RECYCLING_POINT]
        rows = np.flatnonzero(share > 0)
        frame = assignment_frame(problem, Tier.RECYCLING_POINT, pairs, rows, share[rows])
        frame["flow"] = frame["share"] * problem.demand.weight[pairs.origin[rows]]
        weight = problem.demand.weight
        served = float(frame["flow"].sum())
        metrics = {
            "covered_weight": served,
            "coverage_share": served / float(weight.sum()) if weight.sum() > 0 else 1.0,
            "fixed_cost": float(points.fixed_cost[opened].sum()),
            "assignment_cost": float((frame["flow"] * frame["cost"]).sum()),
            "n_points": float(opened.sum()),
        }
        return Solution(
            run.status,
            run.objective,
            run.bound,
            run.gap,
            open_sites={Tier.RECYCLING_POINT: points.ids[opened].tolist()},
            assignments={Tier.RECYCLING_POINT: frame},
            solver=run.solver,
            model=self.name,
            metrics=metrics,
        )

    def verify_points(self, solution: Solution) -> tuple[np.ndarray, float]:
        """Check the point tier of ``solution`` in the model's terms (statuses, count target,
        assignments within the standard to open points, every unit served in full unless
        uncovered demand is allowed, the coverage floor, capacities); return the open mask and
        the tier's objective (fixed costs, assignment cost and uncovered penalty)."""
        problem = self.problem
        tier = Tier.RECYCLING_POINT
        points = problem.sites[tier]
        weight = problem.demand.weight
        mask = check_open_sites(self.name, problem, tier, solution)
        check_count(self.name, tier, mask, problem.targets.points, self.count_sense)
        pairs = self.point_pairs()
        rows, share = check_assignments(self.name, problem, tier, solution, pairs, mask)
        served = np.bincount(pairs.origin[rows], weights=share, minlength=problem.demand.n)
        if not self.allow_uncovered and (served < 1 - 1e-5).any():
            raise plan_error(self.name, f"{int((served < 1 - 1e-5).sum())} units not fully served")
        flow = share * weight[pairs.origin[rows]]
        load = np.bincount(pairs.destination[rows], weights=flow, minlength=points.n)
        over = load > points.capacity * (1 + CHECK_TOLERANCE) + CHECK_TOLERANCE
        if over.any():
            raise plan_error(
                self.name, f"points loaded over their capacity: {describe_ids(points.ids[over])}"
            )
        left = float((weight * np.clip(1 - served, 0, 1)).sum())
        total = float(weight.sum())
        floor = problem.targets.coverage
        if floor is not None and left > (1 - floor) * total + CHECK_TOLERANCE * max(total, 1):
            raise plan_error(self.name, "the coverage floor is not met")
        value = float(points.fixed_cost[mask].sum())
        value += self.cost_weight * float((flow * pairs.cost[rows]).sum())
        value += (self.uncovered_penalty or 0.0) * left
        return mask, value

    def verify(self, solution: Solution) -> float:
        mask, value = self.verify_points(solution)
        budget = self.problem.targets.cost_budget
        fixed = float(self.problem.sites[Tier.RECYCLING_POINT].fixed_cost[mask].sum())
        if budget is not None and fixed > budget * (1 + CHECK_TOLERANCE) + CHECK_TOLERANCE:
            raise plan_error(self.name, "the cost budget is exceeded")
        return value

    # ---- the Lagrangean stage -------------------------------------------------------------

    def is_pure(self) -> bool:
        """Whether the model is the plain CFLP the Lagrangean relaxation describes: one tier,
        all demand served, split, finite capacities, no point count and no cost budget."""
        targets = self.problem.targets
        return (
            type(self).build is CapacitatedFacilityLocation.build
            and not self.single_source
            and not self.allow_uncovered
            and targets.points is None
            and targets.cost_budget is None
            and bool(np.isfinite(self.problem.sites[Tier.RECYCLING_POINT].capacity).all())
        )

    def uses_lagrangean(self) -> bool:
        """Whether :meth:`solve` runs the Lagrangean stage (see the ``lagrangean`` option)."""
        if self.lagrangean is None:
            return self.is_pure() and self.point_pairs().n >= LAGRANGEAN_MIN_PAIRS
        if self.lagrangean and not self.is_pure():
            raise ProblemDataError(
                "lagrangean: the Lagrangean stage needs the plain model (all demand served, "
                "split demand, finite capacities, no points or cost_budget target); leave "
                "lagrangean unset or False"
            )
        return self.lagrangean

    def cflp_data(self, pairs: Pairs) -> CflpData:
        """The model's data as arrays for :mod:`gxnet.optimize.lagrangean`."""
        points = self.problem.sites[Tier.RECYCLING_POINT]
        weight = self.problem.demand.weight
        return CflpData(
            pairs.origin.astype(np.int64),
            pairs.destination.astype(np.int64),
            self.cost_weight * weight[pairs.origin] * pairs.cost,
            weight,
            points.capacity,
            points.fixed_cost,
            points.kept & points.usable,
            points.usable.copy(),
        )

    def run(self, options: SolverOptions, budget: TimeBudget) -> Solution:
        """Build, solve and read the model; with the Lagrangean stage, bound, heuristic and
        fixings first, then the MIP on the sites left free (one time budget for all).

        The MIP runs in rounds: while re-fixing still shrinks the restricted problem, a round
        stops at HiGHS's first solution better than the incumbent, the fixings are computed
        again against that lower value (the same multipliers fix more sites) and a smaller
        restricted problem is built for the time that remains.
        """
        if not self.uses_lagrangean():
            return super().run(options, budget)
        tic = time.perf_counter()
        pairs = self.point_pairs()
        self.check(pairs, self.problem.sites[Tier.RECYCLING_POINT].usable)
        data = self.cflp_data(pairs)
        result = subgradient(data, budget=budget, gap_rel=options.gap)
        incumbent = result.incumbent
        if incumbent is None:  # check() found a feasible assignment, so transport did too
            raise InfeasibleProblemError(key="err_no_assignment")
        self._incumbent_value = incumbent.value
        self._best = incumbent
        proven = incumbent.value - result.bound <= options.gap * abs(incumbent.value)
        try:
            solution = self._restricted_rounds(
                options, budget, pairs, data, result, incumbent, proven, tic
            )
        except TimeUp:
            best = self._best
            self._incumbent_value = best.value
            run = SolverRun("feasible", best.value, result.bound, None, 0.0, options.name)
            solution = self.points_solution(run, pairs, best.share, best.open_sites)
            solution.build_time_s = time.perf_counter() - tic
            solution.time_limited = True
        solution.metrics.update(
            lagrangean_bound=result.bound, lagrangean_iterations=float(result.iterations)
        )
        return solution

    def incumbent_objective_value(self) -> float | None:
        return getattr(self, "_incumbent_value", None)

    def _restricted_rounds(
        self,
        options: SolverOptions,
        budget: TimeBudget,
        pairs: Pairs,
        data: CflpData,
        result,
        incumbent: Transport,
        proven: bool,
        tic: float,
    ) -> Solution:
        """The MIP rounds of :meth:`run` on the sites the fixings leave free."""
        # Proven: only the incumbent's sites, fixed open (an LP). Else the sites left free.
        must = incumbent.open_sites if proven else result.must_open
        may = incumbent.open_sites if proven else result.may_open
        build_time: float | None = None
        rounds, shrank = 0, not proven
        while True:
            rounds += 1
            limit_open = open_count_limit(data, result.multipliers, incumbent.value, must, may)
            prob = self._restricted(pairs, must, may, incumbent, limit_open)
            if build_time is None:
                build_time = time.perf_counter() - tic
            cutoff = _cutoff(incumbent.value, options.gap, proven)
            run = self._run_restricted(prob, options, cutoff, budget, first_only=shrank)
            if not (shrank and run.status == "feasible" and budget.seconds_left() > 1.0):
                break
            # The round stopped at its first solution below the cutoff. If it is better, the
            # same multipliers fix more sites against its lower value; if not (with
            # gap_rel = 0 HiGHS may stop at one as good as the incumbent), the round runs
            # again in full.
            found = transport(data, chosen(self._y))
            if found is None or found.value >= incumbent.value * (1 - _CUTOFF_SLACK):
                shrank = False
                continue
            incumbent = self._best = found
            free = int((may & ~must).sum())
            must, may = fixings(data, result.multipliers, incumbent)
            shrank = int((may & ~must).sum()) < free
        # The restricted problem's bound speaks for the whole problem only when fixings, not
        # the proof, restricted it; "infeasible" under the cutoff proves nothing is cheaper.
        if proven:
            restricted_bound = -math.inf
        elif run.status == "infeasible":
            restricted_bound = cutoff
        else:
            restricted_bound = -math.inf if run.bound is None else run.bound
        if run.objective is None or run.objective > incumbent.value * (1 + _CUTOFF_SLACK):
            # The MIP stopped without a solution as good: the answer is the incumbent.
            self._set_values(pairs, may, incumbent)
            run = replace(run, status="feasible", objective=incumbent.value)
        solution = self.read(run)
        if solution.has_solution:
            bound = max(result.bound, min(restricted_bound, incumbent.value))
            solution.bound = bound
            solution.gap = relative_gap(solution.objective, bound)
            solution.status = "feasible"
        solution.time_limited = run.stopped_on_time
        self._incumbent_value = incumbent.value
        solution.metrics.update(
            points_fixed_open=float((must & ~data.must_open).sum()),
            points_fixed_closed=float((data.may_open & ~may).sum()),
            restricted_rounds=float(rounds),
        )
        solution.build_time_s = build_time + run.load_time_s
        solution.solve_time_s = time.perf_counter() - tic - solution.build_time_s
        return solution

    def _run_restricted(
        self,
        prob: pulp.LpProblem,
        options: SolverOptions,
        cutoff: float,
        budget: TimeBudget,
        *,
        first_only: bool,
    ) -> SolverRun:
        """Solve a restricted model in what is left of ``budget``, for solutions below
        ``cutoff``; with ``first_only``, stop at the first one."""
        mip_options = options
        highs_options = dict(self.highs_options)
        if options.name == "highs":
            # HiGHS takes a start only with presolve off (see solve.py), which makes a large
            # restricted MIP many times slower; the incumbent's value as a cutoff keeps
            # presolve and prunes as well as the start.
            mip_options = replace(mip_options, warm_start=False)
            highs_options["objective_bound"] = cutoff
            if first_only:
                highs_options["mip_max_improving_sols"] = 1
        return solve_pulp(prob, mip_options, highs_options=highs_options, budget=budget)

    def _restricted(
        self,
        pairs: Pairs,
        must: np.ndarray,
        may: np.ndarray,
        start: Transport,
        limit_open: int,
    ) -> pulp.LpProblem:
        """The model on the sites that ``may`` open, those in ``must`` fixed open, at most
        ``limit_open`` open, started from the Lagrangean incumbent ``start``."""
        prob = pulp.LpProblem("capacitated_facility_location", pulp.LpMinimize)
        prob += self.build_points(prob, may)
        for j in np.flatnonzero(must):
            self._y[j].lowBound = 1
        if limit_open < int(may.sum()):
            prob += count_constraint(self._y, limit_open, "at_most")
        self._set_values(pairs, may, start)
        return prob

    def _set_values(self, pairs: Pairs, may: np.ndarray, start: Transport) -> None:
        """Put ``start``'s open sites and shares on the restricted model's variables."""
        for variable, value in zip(self._y, start.open_sites.tolist(), strict=True):
            variable.varValue = float(value)
        kept = start.share[may[pairs.destination]]
        for variable, value in zip(self._layer.x, kept.tolist(), strict=True):
            variable.varValue = value


def _cutoff(upper: float, gap_rel: float, proven: bool) -> float:
    """The restricted MIP's cutoff for an incumbent of value ``upper``.

    Below the incumbent by half the gap tolerance: a solution merely as good (HiGHS finds the
    incumbent's own often) would otherwise stop a round that waits for a better one, and a
    MIP that finds nothing below it still proves the incumbent within ``gap_rel``. With no
    tolerance, or when only the incumbent's own LP is solved, just above its value (its own
    solution must stay feasible under the solver's tolerances).
    """
    if proven or gap_rel <= 0:
        return upper * (1 + _CUTOFF_SLACK)
    return upper * (1 - gap_rel / 2)
