"""Covering models: fewest sites that serve everyone, and most demand served by N sites.

Both read only the sparse demand -> site pairs within the service standard (``radius``): a pair
exists exactly when the site covers the demand unit.

Location set covering (Toregas et al. 1971)::

    min  sum_j c_j y_j                        (c_j = 1, or the site's fixed cost)
    s.t. sum_{j in N(i)} y_j >= 1             for every demand unit i
         y_j in {0, 1};  y_j = 1 if existing/required, 0 if excluded

With a coverage target share s < 1 the cover becomes partial: ``u_i <= sum_{j in N(i)} y_j``,
``sum_i w_i u_i >= s * sum_i w_i``, 0 <= u_i <= 1.

Maximal covering (Church & ReVelle 1974)::

    max  sum_i w_i u_i
    s.t. u_i <= sum_{j in N(i)} y_j,   sum_j y_j = p,   0 <= u_i <= 1,   y_j in {0, 1}

u_i may stay continuous: with integer y an optimal u is 0 or 1. Optional: a coverage floor
``sum_i w_i u_i >= s W`` and a cost budget ``sum_j f_j y_j <= B``.

Both models take grouped minimums (:class:`gxnet.optimize.groups.SiteGroups`):
``sum_{j in G} y_j >= k_G`` for groups G of sites, such as a township's candidate sites, so that
every township gets a point. The heuristics, bounds and searches below keep them.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from dataclasses import dataclass

import numpy as np
import pulp
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize.budget import TimeBudget
from gxnet.optimize.groups import SiteGroups
from gxnet.optimize.median import greedy, greedy_sequence, interchange
from gxnet.optimize.problem import Pairs, Problem
from gxnet.optimize.solve import (
    CHECK_TOLERANCE,
    LocationModel,
    Solution,
    SolverRun,
    check_assignments,
    check_claim,
    check_claim_min,
    check_open_sites,
    chosen,
    empty_solution,
    one_tier_solution,
    origin_sums,
    plan_error,
    relative_gap,
    site_variables,
)
from gxnet.tiers import Tier

#: Subgradient steps a Lagrangean bound takes before the clock may stop it: a few dozen
#: steps (a fraction of a second on a city) turn the trivial bound into a useful one.
MIN_BOUND_STEPS = 50


class _CoveringModel(LocationModel):
    """What both covering models share: pairs within the radius, grouped minimums, reading
    coverage back."""

    def __init__(
        self, problem: Problem, radius: float | None = None, minimums: SiteGroups | None = None
    ) -> None:
        super().__init__(problem)
        self.radius = np.inf if radius is None else float(radius)
        self.pairs: Pairs = problem.usable_pairs(Tier.RECYCLING_POINT).within(self.radius)
        self._open: list[pulp.LpVariable] = []
        sites = problem.sites[Tier.RECYCLING_POINT]
        if minimums is not None and minimums.n_sites != sites.n:
            raise ProblemDataError(
                f"minimums: groups over {minimums.n_sites} sites, the problem has {sites.n}"
            )
        self.minimums = minimums
        #: The fewest open sites that meet the minimums (kept sites included).
        self.sites_needed = (
            int(sites.kept.sum())
            if minimums is None
            else minimums.sites_needed(sites.kept, sites.usable)
        )

    def add_minimums(self, prob: pulp.LpProblem, y: list[pulp.LpVariable]) -> None:
        """The grouped minimums as constraints ``sum_{j in G} y_j >= k_G``."""
        groups = self.minimums
        if groups is None:
            return
        for g in range(groups.n_groups):
            members = groups.members(g).tolist()
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression((y[j], 1.0) for j in members),
                    pulp.LpConstraintGE,
                    rhs=int(groups.minimum[g]),
                ),
                f"group_{g}",
            )

    @abstractmethod
    def objective_value(self, open_sites: np.ndarray, covered_weight: float) -> float:
        """The model's objective for these open sites, computed exactly."""

    def covered_weight(self, open_sites: np.ndarray) -> float:
        """Demand weight within the standard of ``open_sites``."""
        return float(self.problem.demand.weight[self.pairs.nearest(open_sites) >= 0].sum())

    def cover_solution(
        self, run: SolverRun, open_mask: np.ndarray, bound: float | None = None
    ) -> Solution:
        """The Solution of these open sites: coverage read from the pairs, objective exact."""
        problem = self.problem
        nearest = self.pairs.nearest(open_mask)
        rows = nearest[nearest >= 0]
        weight = problem.demand.weight
        covered = float(weight[nearest >= 0].sum())
        total = float(weight.sum())
        metrics = {
            "covered_weight": covered,
            "coverage_share": covered / total if total > 0 else 1.0,
            "uncovered_units": float((nearest < 0).sum()),
        }
        objective = self.objective_value(open_mask, covered)
        return one_tier_solution(
            problem, run, self.name, open_mask, self.pairs, rows, metrics, objective, bound
        )

    def verify_cover(self, solution: Solution) -> tuple[np.ndarray, float]:
        """The open mask and covered weight of ``solution``, after checking its sites and that
        each unit within the standard of an open site is assigned to its nearest one."""
        tier = Tier.RECYCLING_POINT
        mask = check_open_sites(self.name, self.problem, tier, solution)
        rows, _ = check_assignments(self.name, self.problem, tier, solution, self.pairs, mask)
        nearest = self.pairs.nearest(mask)
        if not np.array_equal(np.sort(rows), np.sort(nearest[nearest >= 0])):
            raise plan_error(self.name, "demand not assigned to its nearest open point")
        if self.minimums is not None and self.minimums.deficit(mask).any():
            raise plan_error(self.name, "a grouped minimum (a township's point) is not met")
        return mask, self.covered_weight(mask)


class LocationSetCovering(_CoveringModel):
    """Fewest recycling points (or least fixed cost) so that all demand is within the standard.

    Parameters
    ----------
    problem : Problem
        Demand -> recycling point pairs exist only within the service standard.
    radius : float, optional
        A tighter standard than the pairs' cutoff (same unit as the costs).
    objective : {"count", "fixed_cost"}
        Minimise the number of open sites, or their total fixed cost.
    coverage_share : float, optional
        Share of demand weight that must be covered; default ``problem.targets.coverage``
        or 1 (everyone).
    minimums : SiteGroups, optional
        At least ``k`` open sites among each group's sites (e.g. one per township).

    Raises
    ------
    InfeasibleProblemError
        When full coverage is asked for and some demand unit has no usable site within reach.
    """

    name = "set covering"
    sense = "min"

    def __init__(
        self,
        problem: Problem,
        radius: float | None = None,
        *,
        objective: str = "count",
        coverage_share: float | None = None,
        minimums: SiteGroups | None = None,
    ) -> None:
        super().__init__(problem, radius, minimums)
        if objective not in ("count", "fixed_cost"):
            raise ProblemDataError(f"objective: {objective!r} is not 'count' or 'fixed_cost'")
        self.objective = objective
        self.objective_name = "sites" if objective == "count" else "fixed cost"
        #: Lagrangean lower bound, set with the warm start.
        self.lagrangean_bound: float | None = None
        #: The heuristic's open sites (the warm start), and their objective.
        self.incumbent: np.ndarray | None = None
        self.incumbent_objective: float | None = None
        share = coverage_share if coverage_share is not None else problem.targets.coverage
        self.coverage_share = 1.0 if share is None else float(share)
        if self.coverage_share >= 1.0:
            problem.require_reachable(Tier.RECYCLING_POINT, self.pairs)

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray,
        radius: float,
        *,
        weights: np.ndarray | None = None,
        status: np.ndarray | None = None,
        fixed_cost: np.ndarray | None = None,
        objective: str = "count",
        coverage_share: float | None = None,
    ) -> LocationSetCovering:
        """From a dense demand x site matrix, keeping only the pairs within ``radius``."""
        problem = Problem.from_cost_matrix(
            cost, radius, weights=weights, status=status, fixed_cost=fixed_cost
        )
        return cls(problem, radius, objective=objective, coverage_share=coverage_share)

    def objective_value(self, open_sites: np.ndarray, covered_weight: float) -> float:
        """Number (or total fixed cost) of the open sites."""
        if self.objective == "count":
            return float(open_sites.sum())
        return float(self.problem.sites[Tier.RECYCLING_POINT].fixed_cost[open_sites].sum())

    def _costs(self) -> np.ndarray:
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        return np.ones(sites.n) if self.objective == "count" else sites.fixed_cost

    def _cover_weight(self) -> np.ndarray:
        """What the cover counts: the demand weight, or every unit alike for a full cover
        (then a weightless unit must be covered too)."""
        n = self.problem.demand.n
        return np.ones(n) if self.coverage_share >= 1.0 else self.problem.demand.weight

    def heuristic(self, budget: TimeBudget | None = None) -> None:
        """The warm start (:func:`partial_cover_heuristic`) and the Lagrangean bound
        (:func:`partial_cover_bound`), each on its limit of work with ``budget`` as a safety
        net."""
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        weight = self._cover_weight()
        share = min(self.coverage_share, 1.0)
        start = partial_cover_heuristic(
            self.pairs, weight, share, sites.kept, sites.usable, budget=budget, groups=self.minimums
        )
        if start is None:
            return
        costs = self._costs()
        self.incumbent = start
        self.incumbent_objective = self.objective_value(start, 0.0)
        self.lagrangean_bound = partial_cover_bound(
            self.pairs,
            weight,
            share,
            costs,
            sites.kept,
            sites.usable,
            float(costs[start].sum()),
            integral=self.objective == "count",
            budget=budget,
            groups=self.minimums,
        )

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        problem = self.problem
        budget = budget or TimeBudget()
        if self.incumbent is None:
            self.heuristic(budget)
        prob = pulp.LpProblem("set_covering", pulp.LpMinimize)
        y = self._open = site_variables(problem, Tier.RECYCLING_POINT, prob=prob)
        costs = self._costs()
        prob.setObjective(pulp.LpAffineExpression(zip(y, costs.tolist(), strict=True)))
        self.add_minimums(prob, y)
        sums = origin_sums(self.pairs, y)
        u: list[pulp.LpVariable] = []
        if self.coverage_share >= 1.0:
            for i, expression in budget.checked(_distinct_rows(self.pairs, sums)):
                prob.addConstraint(
                    pulp.LpConstraint(expression, pulp.LpConstraintGE, rhs=1), f"c{i}"
                )
        else:
            weight = problem.demand.weight
            u = [prob.add_variable(f"covered_{i}", 0, 1) for i in range(problem.demand.n)]
            for i, expression in budget.checked(enumerate(sums)):
                prob.addConstraint(
                    pulp.LpConstraint(expression - u[i], pulp.LpConstraintGE, rhs=0), f"c{i}"
                )
            floor = self.coverage_share * float(weight.sum())
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression(zip(u, weight.tolist(), strict=True)),
                    pulp.LpConstraintGE,
                    rhs=floor,
                ),
                "coverage_floor",
            )
        if options.warm_start and self.incumbent is not None:
            covered = self.pairs.nearest(self.incumbent) >= 0
            for variable, value in zip(y, self.incumbent.tolist(), strict=True):
                variable.setInitialValue(float(value))
            for variable, value in zip(u, covered.tolist() if u else [], strict=True):
                variable.setInitialValue(float(value))
        return prob

    def incumbent_objective_value(self) -> float | None:
        return self.incumbent_objective

    def incumbent_solution(self) -> Solution | None:
        if self.incumbent is None:
            return None
        run = SolverRun("feasible", self.incumbent_objective, self.lagrangean_bound, None, 0, "")
        solution = self.cover_solution(run, self.incumbent, self.lagrangean_bound)
        solution.metrics["lagrangean_bound"] = self.lagrangean_bound
        return solution

    def read(self, run: SolverRun) -> Solution:
        if run.status == "infeasible" and self.incumbent is None:
            return empty_solution(run, self.name)
        open_mask = self.incumbent
        if run.status in ("optimal", "feasible"):
            solved = chosen(self._open)
            value = self.objective_value(solved, 0.0)
            check_claim_min(self.name, run.objective, value, proven=run.status == "optimal")
            if self.incumbent_objective is None or value <= self.incumbent_objective:
                open_mask = solved
        if open_mask is None:
            return empty_solution(run, self.name)
        bounds = [b for b in (self.lagrangean_bound, run.bound) if b is not None]
        bound = max(bounds) if bounds else None
        solution = self.cover_solution(run, open_mask, bound)
        solution.status = "feasible"
        if self.lagrangean_bound is not None:
            solution.metrics["lagrangean_bound"] = self.lagrangean_bound
        return solution

    def verify(self, solution: Solution) -> float:
        mask, covered = self.verify_cover(solution)
        weight = self.problem.demand.weight
        if self.coverage_share >= 1.0:
            if (self.pairs.nearest(mask) < 0).any():
                raise plan_error(self.name, "demand units left without a point in reach")
        elif covered < self.coverage_share * float(weight.sum()) * (1 - CHECK_TOLERANCE):
            raise plan_error(self.name, "the coverage target is not met")
        return self.objective_value(mask, covered)


class MaximalCovering(_CoveringModel):
    """Most demand weight within the standard using ``p`` recycling points.

    Before the solver runs, a greedy + vertex-substitution heuristic finds a good set of
    points and a Lagrangean relaxation bounds what any set can cover (see
    :func:`cover_heuristic` and :func:`cover_bound`); the relaxation's own sites, improved by
    the interchange, are a second start. When the bound does not yet prove the best of them
    within ``gap_rel``, a neighbourhood search that re-solves windows of sites exactly
    (:func:`cover_search`) improves it. The bound also proves which sites cannot be open and
    which demand units cannot be covered in a solution as good as the incumbent; those are
    left out of the model, and the incumbent is the solver's warm start. When the bound
    already proves the incumbent within ``gap_rel``, the solver is not run at all. The
    reported bound is the better of the solver's and the Lagrangean one.

    With a ``cost_budget`` the heuristic does not apply (its sets ignore fixed costs) and the plain
    model goes to the solver; with a ``coverage_floor`` the heuristic's solution is used only
    when it meets the floor, otherwise the plain model is solved too.

    Parameters
    ----------
    problem : Problem
    p : int, optional
        Number of points to open (existing and required included); default
        ``problem.targets.points``.
    radius : float, optional
        A tighter standard than the pairs' cutoff.
    coverage_floor : float, optional
        Minimum covered share of the demand weight (default ``problem.targets.coverage``);
        the run is "infeasible" when p points cannot reach it.
    cost_budget : float, optional
        Maximum total fixed cost of the open points (default ``problem.targets.cost_budget``).
    heuristic : bool
        Run the heuristic and the Lagrangean bound before the solver.
    minimums : SiteGroups, optional
        At least ``k`` open sites among each group's sites (e.g. one per township): the greedy
        meets them first, the interchange and the neighbourhood search keep them, the
        Lagrangean bound and the solver's model include them.

    Raises
    ------
    InfeasibleProblemError
        When the minimums need more than ``p`` sites, or a group has fewer usable sites than
        its minimum.
    """

    name = "maximal covering"
    sense = "max"
    objective_name = "households covered"
    #: Windows the neighbourhood search (:func:`cover_search`) solves at most: its limit of
    #: work when the bound has not proven the incumbent (the solver gets the time left).
    SEARCH_WINDOWS = 400
    #: Seconds the solver needs at least to be worth building for; with less left the
    #: incumbent is the answer.
    SOLVER_MIN_S = 1.0

    def __init__(
        self,
        problem: Problem,
        p: int | None = None,
        radius: float | None = None,
        *,
        coverage_floor: float | None = None,
        cost_budget: float | None = None,
        heuristic: bool = True,
        minimums: SiteGroups | None = None,
    ) -> None:
        super().__init__(problem, radius, minimums)
        self.p = problem.sites_to_open(Tier.RECYCLING_POINT, p)
        if self.sites_needed > self.p:
            raise InfeasibleProblemError(
                key="err_minimums_need", needed=self.sites_needed, asked=self.p
            )
        self.coverage_floor = (
            coverage_floor if coverage_floor is not None else problem.targets.coverage
        )
        self.cost_budget = cost_budget if cost_budget is not None else problem.targets.cost_budget
        self.heuristic = heuristic and self.cost_budget is None
        self.incumbent: np.ndarray | None = None
        self.incumbent_objective: float | None = None
        #: Covered weight after the greedy and interchange alone (before the other heuristics).
        self.greedy_objective: float | None = None
        self.lagrangean: CoverBound | None = None

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray,
        weights: np.ndarray,
        radius: float,
        p: int,
        *,
        status: np.ndarray | None = None,
        fixed_cost: np.ndarray | None = None,
        coverage_floor: float | None = None,
        cost_budget: float | None = None,
        heuristic: bool = True,
        minimums: SiteGroups | None = None,
    ) -> MaximalCovering:
        """From a dense demand x site matrix, keeping only the pairs within ``radius``."""
        targets = Targets(points=p)
        problem = Problem.from_cost_matrix(
            cost, radius, weights=weights, status=status, fixed_cost=fixed_cost, targets=targets
        )
        return cls(
            problem,
            p,
            radius,
            coverage_floor=coverage_floor,
            cost_budget=cost_budget,
            heuristic=heuristic,
            minimums=minimums,
        )

    def objective_value(self, open_sites: np.ndarray, covered_weight: float) -> float:
        """Demand weight within the standard of the open sites."""
        return covered_weight

    def run(self, options: SolverOptions, budget: TimeBudget) -> Solution:
        """Heuristic and Lagrangean bound first, then the solver with the time that is left.

        The Solution's ``metrics`` add ``greedy_objective`` (greedy and interchange),
        ``heuristic_objective`` (the incumbent handed to the solver), ``lagrangean_bound``,
        ``sites_closed`` and ``units_dropped`` (NaN when the heuristic did not run).
        """
        self._gap_rel = options.gap
        tic = time.perf_counter()
        if self.heuristic:
            self._run_heuristic(options, budget)
        spent = time.perf_counter() - tic
        proven = self.lagrangean is not None and self._proven(self.lagrangean.bound)
        if self.incumbent is not None and not proven and budget.seconds_left() < self.SOLVER_MIN_S:
            budget.mark_cut()  # the clock, not the bound, ends the run here
        if self.incumbent is not None and (proven or budget.seconds_left() < self.SOLVER_MIN_S):
            solution = self.incumbent_solution()
            solution.solver = options.name
            solution.build_time_s = spent
            return solution
        solution = super().run(options, budget)
        solution.build_time_s += spent
        return solution

    def incumbent_objective_value(self) -> float | None:
        return self.incumbent_objective

    def incumbent_solution(self) -> Solution | None:
        if self.incumbent is None:
            return None
        bound = self.lagrangean.bound
        run = SolverRun("feasible", self.incumbent_objective, bound, None, 0.0, "")
        solution = self.cover_solution(run, self.incumbent, bound)
        solution.metrics.update(self._heuristic_metrics())
        return solution

    def _run_heuristic(self, options: SolverOptions, budget: TimeBudget) -> None:
        """Find the incumbent and, when it is usable, the Lagrangean bound and reductions.

        Each step stops on its own limit of work (swaps, subgradient steps, windows), so that
        the same problem gives the same plan; ``budget`` only stops a step that would overrun
        the stage.
        """
        sites = self.problem.sites[Tier.RECYCLING_POINT]
        weight = self.problem.demand.weight
        data = (self.pairs, weight, self.p, sites.kept, sites.usable)
        groups = {"groups": self.minimums}
        incumbent = cover_heuristic(*data, budget=budget, **groups)
        covered = float(weight[self.pairs.nearest(incumbent) >= 0].sum())
        if self.coverage_floor is not None and covered < self.coverage_floor * weight.sum():
            return  # the heuristic misses the floor: the solver must find a solution itself
        self.incumbent, self.incumbent_objective = incumbent, covered
        self.greedy_objective = covered
        bound = cover_bound(*data, covered, gap_rel=options.gap, budget=budget, **groups)
        self.lagrangean = bound
        if self._proven(bound.bound):
            return
        # Lagrangean heuristic: the relaxation's sites, improved by the interchange, often beat
        # the greedy's local optimum.
        self._take(cover_heuristic(*data, budget=budget, start=bound.relaxed, **groups))
        if not self._proven(bound.bound):
            self._take(
                cover_search(
                    self.pairs,
                    weight,
                    self.incumbent,
                    sites.kept,
                    budget=budget,
                    max_windows=self.SEARCH_WINDOWS,
                    goal=bound.bound / (1 + options.gap),
                    seed=options.seed,
                    **groups,
                )
            )
        if self.incumbent_objective > covered:
            # The fixings depend on the incumbent: redo them from the multipliers found.
            self.lagrangean = cover_bound(
                *data,
                self.incumbent_objective,
                gap_rel=options.gap,
                iterations=50,
                multipliers=bound.multipliers,
                **groups,
            )

    def _take(self, open_sites: np.ndarray) -> None:
        """Make ``open_sites`` the incumbent when it covers more weight."""
        weight = self.problem.demand.weight
        value = float(weight[self.pairs.nearest(open_sites) >= 0].sum())
        if value > self.incumbent_objective:
            self.incumbent, self.incumbent_objective = open_sites, value

    def _proven(self, bound: float | None) -> bool:
        gap = relative_gap(self.incumbent_objective, bound)
        return gap is not None and gap <= self._gap_rel

    def _heuristic_metrics(self) -> dict[str, float]:
        bound = self.lagrangean
        return {
            "greedy_objective": np.nan if self.greedy_objective is None else self.greedy_objective,
            "heuristic_objective": (
                np.nan if self.incumbent_objective is None else self.incumbent_objective
            ),
            "lagrangean_bound": np.nan if bound is None else bound.bound,
            "sites_closed": np.nan if bound is None else float(bound.closed.sum()),
            "units_dropped": np.nan if bound is None else float(bound.dropped.sum()),
        }

    def build(self, options: SolverOptions, budget: TimeBudget | None = None) -> pulp.LpProblem:
        problem = self.problem
        weight = problem.demand.weight
        prob = pulp.LpProblem("maximal_covering", pulp.LpMaximize)
        y = self._open = site_variables(problem, Tier.RECYCLING_POINT, prob=prob)
        pairs = self.pairs
        if self.lagrangean is not None:
            for j in np.flatnonzero(self.lagrangean.closed).tolist():
                y[j].upBound = 0
            for j in np.flatnonzero(self.lagrangean.opened).tolist():
                y[j].lowBound = 1
            pairs = pairs.select(~self.lagrangean.closed[pairs.destination])
        # Units no site reaches, of zero weight, or that the bound proves uncovered in any
        # solution as good as the incumbent cannot change the optimum: leave them out.
        reachable = (pairs.degree() > 0) & (weight > 0)
        if self.lagrangean is not None:
            reachable &= ~self.lagrangean.dropped
        u = {i: prob.add_variable(f"covered_{i}", 0, 1) for i in np.flatnonzero(reachable).tolist()}
        self._modelled = list(u)
        prob.setObjective(pulp.LpAffineExpression((u[i], float(weight[i])) for i in u))
        sums = origin_sums(pairs, y)
        for i, variable in (budget or TimeBudget()).checked(u.items()):
            prob.addConstraint(
                pulp.LpConstraint(sums[i] - variable, pulp.LpConstraintGE, rhs=0), f"c{i}"
            )
        prob.addConstraint(
            pulp.LpConstraint(
                pulp.LpAffineExpression((v, 1.0) for v in y), pulp.LpConstraintEQ, rhs=self.p
            ),
            "p",
        )
        self.add_minimums(prob, y)
        if self.coverage_floor is not None:
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression((u[i], float(weight[i])) for i in u),
                    pulp.LpConstraintGE,
                    rhs=self.coverage_floor * float(weight.sum()),
                ),
                "coverage_floor",
            )
        if self.cost_budget is not None:
            fixed = problem.sites[Tier.RECYCLING_POINT].fixed_cost.tolist()
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression(zip(y, fixed, strict=True)),
                    pulp.LpConstraintLE,
                    rhs=self.cost_budget,
                ),
                "cost_budget",
            )
        if self.incumbent is not None and options.warm_start:
            covered = self.pairs.nearest(self.incumbent) >= 0
            for variable, value in zip(y, self.incumbent.tolist(), strict=True):
                variable.setInitialValue(float(value))
            for i, variable in u.items():
                variable.setInitialValue(1.0 if covered[i] else 0.0)
        return prob

    def read(self, run: SolverRun) -> Solution:
        if run.status not in ("optimal", "feasible") and self.incumbent is None:
            return empty_solution(run, self.name)
        open_mask = self.incumbent
        if run.status in ("optimal", "feasible"):
            solved = chosen(self._open)
            weight = self.problem.demand.weight
            # The solver's objective counts the units in its model (not those left out).
            covered = self.pairs.nearest(solved) >= 0
            modelled = np.zeros(len(weight), dtype=bool)
            modelled[list(self._modelled)] = True
            claimed_value = float(weight[covered & modelled].sum())
            check_claim(self.name, run.objective, claimed_value, proven=run.status == "optimal")
            if self.incumbent is None or self.covered_weight(solved) >= self.incumbent_objective:
                open_mask = solved
        bound = None if self.lagrangean is None else self.lagrangean.bound
        if run.bound is not None:
            # The reduced model holds every plan at least as good as the incumbent, so its
            # bound speaks for the whole problem above the incumbent's value.
            reduced = (
                run.bound if self.incumbent is None else max(run.bound, self.incumbent_objective)
            )
            bound = reduced if bound is None else min(bound, reduced)
        solution = self.cover_solution(run, open_mask, bound)
        solution.status = "feasible"
        solution.metrics.update(self._heuristic_metrics())
        return solution

    def verify(self, solution: Solution) -> float:
        mask, covered = self.verify_cover(solution)
        weight = self.problem.demand.weight
        if int(mask.sum()) != self.p:
            raise plan_error(self.name, f"{int(mask.sum())} points open where {self.p} are asked")
        if self.coverage_floor is not None and covered < self.coverage_floor * float(
            weight.sum()
        ) * (1 - CHECK_TOLERANCE):
            raise plan_error(self.name, "the coverage floor is not met")
        fixed = self.problem.sites[Tier.RECYCLING_POINT].fixed_cost
        if self.cost_budget is not None and float(fixed[mask].sum()) > self.cost_budget * (
            1 + CHECK_TOLERANCE
        ):
            raise plan_error(self.name, "the cost budget is exceeded")
        return covered


# ---- maximal covering: heuristic and Lagrangean bound --------------------------------------


def cover_heuristic(
    pairs: Pairs,
    weight: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    *,
    budget: TimeBudget | None = None,
    start: np.ndarray | None = None,
    groups: SiteGroups | None = None,
    until: float | None = None,
    max_swaps: int | None = None,
) -> np.ndarray:
    """A good set of ``p`` sites for maximal covering: greedy, then vertex substitution.

    Maximal covering is the p-median of a padded problem: every covering pair costs 0 and every
    unit also reaches an always-open dummy site at cost 1, so that a unit's weighted cost is its
    weight when uncovered and 0 when covered. The p-median greedy and interchange of
    :mod:`gxnet.optimize.median` (incremental savings; all swaps evaluated at once) then
    maximise the covered weight. Units of weight 0 keep only the dummy pair.

    Parameters
    ----------
    pairs : Pairs
        Covering pairs to usable sites.
    weight : numpy.ndarray
        Demand weights.
    p : int
        Sites to open, kept ones included.
    kept, usable : numpy.ndarray
        Boolean site masks.
    budget : TimeBudget, optional
        A safety net on the interchange's time (default: none).
    start : numpy.ndarray, optional
        Boolean mask of ``p`` sites (kept ones included) to improve instead of the greedy's.
    groups : SiteGroups, optional
        Grouped minimums: the greedy meets them first and the interchange keeps them (a
        ``start`` must meet them).
    until : float, optional
        Let the greedy stop, with fewer sites, once this much weight is covered (and the
        minimums are met).
    max_swaps : int, optional
        The interchange's limit of work (default: its own, ten per site).

    Returns
    -------
    numpy.ndarray
        Boolean mask of the ``p`` open sites.
    """
    m = pairs.n_destinations
    padded, padded_kept, padded_groups = _padded(pairs, weight, kept, groups)
    if start is None:
        uncovered = None if until is None else float(weight.sum()) - until
        first = greedy(
            padded,
            weight,
            p + 1,
            padded_kept,
            np.append(usable, True),
            padded_groups,
            until=uncovered,
        )
    else:
        first = np.append(start, True)
    return interchange(
        padded, weight, first, padded_kept, max_swaps, budget=budget, groups=padded_groups
    )[:m]


def cover_sequence(
    pairs: Pairs,
    weight: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    *,
    groups: SiteGroups | None = None,
) -> np.ndarray:
    """The greedy of :func:`cover_heuristic` as a sequence: ``p`` sites in the order they
    open (kept sites, then the minimums, then the largest gain in covered weight each).

    Nested by construction: its first ``k`` sites are the greedy's plan with ``k`` sites, for
    every ``k`` from the kept sites and the minimums on; and from there the gains never rise
    (covered weight is submodular in the open sites), so the coverage of its prefixes is a
    concave curve.
    """
    padded, padded_kept, padded_groups = _padded(pairs, weight, kept, groups)
    usable = np.append(usable, True)
    order = greedy_sequence(padded, weight, p + 1, padded_kept, usable, padded_groups)
    return order[order < pairs.n_destinations]


def _padded(
    pairs: Pairs, weight: np.ndarray, kept: np.ndarray, groups: SiteGroups | None
) -> tuple[Pairs, np.ndarray, SiteGroups | None]:
    """Maximal covering as a p-median (see :func:`cover_heuristic`): covering pairs of cost 0,
    and an always-open dummy site (the last) at cost 1 from every unit."""
    n, m = pairs.n_origins, pairs.n_destinations
    real = weight[pairs.origin] > 0
    padded = Pairs.from_arrays(
        np.concatenate([pairs.origin[real], np.arange(n)]),
        np.concatenate([pairs.destination[real], np.full(n, m)]),
        np.concatenate([np.zeros(int(real.sum())), np.ones(n)]),
        n,
        m + 1,
    )
    return padded, np.append(kept, True), None if groups is None else groups.padded(m + 1)


def cover_search(
    pairs: Pairs,
    weight: np.ndarray,
    open_sites: np.ndarray,
    kept: np.ndarray,
    *,
    budget: TimeBudget | None = None,
    window: int = 40,
    max_window: int = 160,
    max_windows: int | None = None,
    goal: float = np.inf,
    seed: int = 0,
    groups: SiteGroups | None = None,
) -> np.ndarray:
    """Improve a maximal covering solution by solving one neighbourhood at a time exactly.

    Large neighbourhood search (Shaw 1998) with a MIP repair: a window of sites around a
    random open site (the site, the sites whose coverage overlaps its, then theirs, nearest
    first) is freed while every other site keeps its state, and the small maximal covering of
    the window (as many open sites in it as before, most weight covered among the units the
    rest leave uncovered) is solved by HiGHS (``scipy.optimize.milp``). The new set is kept
    when it covers at least as much: equal moves let the search cross the plateaus of
    symmetric instances such as a uniform grid, where vertex substitution stops early. When
    half as many windows in a row as there are open sites
    bring nothing, the windows double, up to ``max_window`` sites; then the search stops, as it
    does at ``goal`` and after ``max_windows`` windows (its limit of work: the same start and
    seed give the same result on any machine, unless ``budget`` runs out first).

    Parameters
    ----------
    pairs, weight
        Covering pairs to usable sites and the demand weights, as for :func:`cover_heuristic`.
    open_sites : numpy.ndarray
        Boolean mask of a feasible solution (kept sites open).
    kept : numpy.ndarray
        Boolean mask of the sites that stay open.
    budget : TimeBudget, optional
        A safety net on the search's time (default: none).
    window, max_window : int
        Sites freed at a time, first and at most.
    max_windows : int, optional
        Windows solved at most (default: no limit).
    goal : float
        Stop once this much weight is covered (say, where a bound proves the gap asked for).
    seed : int
        Seed of the random choice of window centres.
    groups : SiteGroups, optional
        Grouped minimums, met by ``open_sites``: each window's model keeps them, given the
        sites open outside it.

    Returns
    -------
    numpy.ndarray
        Boolean mask of the best open sites found (as many as in ``open_sites``).
    """
    budget = budget or TimeBudget()
    incidence = pairs.matrix()
    by_site = incidence.T.tocsr()
    w = np.where(weight > 0, weight, 0.0)
    best = np.asarray(open_sites, dtype=bool).copy()
    coverage = incidence @ best.astype(np.float64)
    rng = np.random.default_rng(seed)
    stale, size = 0, window
    value = float(w[coverage > 0.5].sum())
    solved = 0
    while value < goal and (max_windows is None or solved < max_windows) and not budget.expired():
        movable = np.flatnonzero(best & ~kept)
        if len(movable) == 0:
            break
        if 2 * stale > len(movable):
            if size >= max_window:
                break
            stale, size = 0, min(2 * size, max_window)
        sites = _window(incidence, by_site, int(rng.choice(movable)), size)
        # Units covered by an open site outside the window stay covered whatever it does.
        outside = coverage - incidence[:, sites] @ best[sites].astype(np.float64)
        touched = np.flatnonzero(by_site[sites].sum(axis=0).A1 > 0)
        units = touched[(outside[touched] < 0.5) & (w[touched] > 0)]
        if len(units) == 0:
            stale += 1  # the rest covers all the window reaches: nothing to gain here
            continue
        local = incidence[units][:, sites]
        before = float(w[units][local @ best[sites].astype(np.float64) > 0.5].sum())
        solved += 1
        chosen = _window_optimum(
            local,
            w[units],
            int(best[sites].sum()),
            kept[sites],
            budget.seconds_left(),
            _window_minimums(groups, best, sites),
        )
        if chosen is None:
            break
        after = float(w[units][local @ chosen.astype(np.float64) > 0.5].sum())
        stale = 0 if after > before + 1e-9 * max(1.0, before) else stale + 1
        if after >= before:
            coverage += incidence[:, sites] @ (chosen.astype(np.float64) - best[sites])
            best[sites] = chosen
            value += after - before
    return best


def _window(incidence: sp.csr_matrix, by_site: sp.csr_matrix, centre: int, size: int):
    """Up to ``size`` sites around ``centre``: breadth first over sites that cover units the
    window covers, those sharing more of them first within each step (no site x site matrix
    is built: at 500 m cells and a 2.5 km radius it would hold millions of entries)."""
    sites = np.array([centre])
    while len(sites) < size:
        units = np.unique(by_site[sites].indices)
        reach = np.bincount(incidence[units].indices, minlength=incidence.shape[1])
        reach[sites] = 0
        ring = np.flatnonzero(reach > 0)
        if len(ring) == 0:
            break
        ring = ring[np.argsort(-reach[ring], kind="stable")][: size - len(sites)]
        sites = np.concatenate([sites, ring])
    return sites


def _window_minimums(
    groups: SiteGroups | None, open_sites: np.ndarray, sites: np.ndarray
) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """The grouped minimums inside a window: one row per group that the window's sites must
    still serve (its minimum less its open sites outside the window), with that need."""
    if groups is None:
        return None
    outside = open_sites.copy()
    outside[sites] = False
    need = np.append(groups.deficit(outside), 0)  # label -1: no need
    labels = groups.labels[:, sites]
    level, column = np.nonzero(need[labels] > 0)
    if len(column) == 0:
        return None
    group = labels[level, column]
    rows, index = np.unique(group, return_inverse=True)
    matrix = sp.csr_matrix((np.ones(len(column)), (index, column)), shape=(len(rows), len(sites)))
    return matrix, need[rows].astype(np.float64)


def _window_optimum(
    local: sp.csr_matrix,
    weight: np.ndarray,
    k: int,
    kept: np.ndarray,
    seconds: float,
    minimums: tuple[sp.csr_matrix, np.ndarray] | None = None,
) -> np.ndarray | None:
    """The ``k`` sites of a window that cover the most ``weight`` (and meet ``minimums``: rows
    over the window's sites with their least sums), by HiGHS; None when the time runs out
    before it has a solution."""
    n_units, n_sites = local.shape
    if n_units == 0 or seconds <= 0:
        return None
    blocks = [
        sp.hstack([-local, sp.identity(n_units, format="csr")]),
        sp.hstack([np.ones((1, n_sites)), sp.csr_matrix((1, n_units))]),
    ]
    lower = [np.full(n_units, -np.inf), [k]]
    upper = [np.zeros(n_units), [k]]
    if minimums is not None:
        matrix, need = minimums
        blocks.append(sp.hstack([matrix, sp.csr_matrix((matrix.shape[0], n_units))]))
        lower.append(need)
        upper.append(np.full(len(need), np.inf))
    rows = sp.vstack(blocks).tocsr()
    lower, upper = np.concatenate(lower), np.concatenate(upper)
    result = milp(
        np.concatenate([np.zeros(n_sites), -weight]),
        integrality=np.concatenate([np.ones(n_sites), np.zeros(n_units)]),
        bounds=Bounds(np.concatenate([kept, np.zeros(n_units)]).astype(np.float64), 1.0),
        constraints=LinearConstraint(rows, lower, upper),
        options={"time_limit": seconds},
    )
    if result.x is None:
        return None
    return result.x[:n_sites] > 0.5


def partial_cover_heuristic(
    pairs: Pairs,
    weight: np.ndarray,
    share: float,
    kept: np.ndarray,
    usable: np.ndarray,
    *,
    budget: TimeBudget | None = None,
    groups: SiteGroups | None = None,
) -> np.ndarray | None:
    """Few sites whose cover reaches ``share`` of the demand weight, or None if none found.

    The maximal covering greedy opens sites until their cover reaches the share and the grouped
    minimums are met (its choices do not depend on how many it may open, so this is the fewest
    sites at which it gets there); then one site fewer is tried with the interchange. Both stop
    on limits of work, so the result is the same on any machine. The set serves as the partial
    set covering's warm start (fixed costs are not looked at: it is a feasible start, not a
    cost-aware one).

    Parameters
    ----------
    pairs : Pairs
        Covering pairs to usable sites.
    weight : numpy.ndarray
    share : float
        Share of the total weight to cover.
    kept, usable : numpy.ndarray
        Boolean site masks.
    budget : TimeBudget, optional
        A safety net on the final interchange's time (default: none).
    groups : SiteGroups, optional
        Grouped minimums the set must meet (it has at least the sites they need).
    """
    target = share * float(weight.sum()) * (1 - 1e-12)

    def reaches(mask: np.ndarray) -> bool:
        return float(weight[pairs.nearest(mask) >= 0].sum()) >= target

    n_usable = int(usable.sum())
    fewest = int(kept.sum()) if groups is None else groups.sites_needed(kept, usable)
    best = cover_heuristic(
        pairs, weight, n_usable, kept, usable, groups=groups, until=target, max_swaps=0
    )
    if not reaches(best):
        return None
    opened = int(best.sum())
    if opened > fewest:
        fewer = cover_heuristic(
            pairs, weight, opened - 1, kept, usable, budget=budget, groups=groups
        )
        if reaches(fewer):
            best = fewer
    return best


def partial_cover_bound(
    pairs: Pairs,
    weight: np.ndarray,
    share: float,
    cost: np.ndarray,
    kept: np.ndarray,
    usable: np.ndarray,
    upper: float,
    *,
    integral: bool = False,
    iterations: int = 1000,
    groups: SiteGroups | None = None,
    budget: TimeBudget | None = None,
) -> float:
    """Lower bound of the partial set covering by relaxing ``u_i <= sum_{j in N(i)} y_j``.

    With multipliers l_i >= 0 the relaxation splits: each free site opens when its cost is
    below s_j = sum_{i in N(j)} l_i (kept sites are open, excluded closed), and the units'
    share is a fractional knapsack (cheapest l_i / w_i first until the share is reached).
    Subgradient steps with Polyak's length towards ``upper`` (a known solution's cost) raise
    it, one sparse product each way per step. The best value is the LP bound; with ``integral``
    costs (counting sites) it is rounded up.

    Parameters
    ----------
    pairs : Pairs
        The pairs within the standard, to sites that are not excluded.
    weight : numpy.ndarray
        Demand weights.
    share : float
        Share of the weight to cover (< 1).
    cost : numpy.ndarray
        Cost of each site (1 when counting).
    kept, usable : numpy.ndarray
        Boolean site masks.
    upper : float
        Cost of a known solution.
    integral : bool
        Every solution's cost is an integer.
    iterations : int
        Subgradient steps at most.
    groups : SiteGroups, optional
        Grouped minimums: the relaxation opens, bottom-up, the sites of least reduced cost
        that each group still needs.
    budget : TimeBudget, optional
        A safety net: after :data:`MIN_BOUND_STEPS` steps, stop when it runs out (the bound
        stays valid, only weaker).
    """
    budget = budget or TimeBudget()
    incidence = pairs.matrix()
    transposed = incidence.T.tocsr()
    free = usable & ~kept
    heavy = np.flatnonzero(weight > 0)
    if len(heavy) == 0:
        return float(cost[kept].sum())  # nothing to cover: the kept sites are the optimum
    target = share * float(weight.sum())
    lam = np.zeros(pairs.n_origins)
    best, theta, stall = -np.inf, 2.0, 0
    for step in range(iterations):
        reduced = cost - transposed @ lam
        y = kept | (free & (reduced < 0))
        if groups is not None:
            y = groups.forced(-reduced, y, usable)
        order = heavy[np.argsort(lam[heavy] / weight[heavy], kind="stable")]
        filled = np.cumsum(weight[order])
        k = min(int(np.searchsorted(filled, target)), len(order) - 1)
        u = np.zeros(pairs.n_origins)
        u[order[:k]] = 1.0
        u[order[k]] = (target - (filled[k - 1] if k > 0 else 0.0)) / weight[order[k]]
        value = float(reduced[y].sum() + (lam * u).sum())
        if value > best + 1e-12 * max(1.0, abs(value)):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2, 0
        subgradient = u - incidence @ y.astype(np.float64)
        norm = float((subgradient * subgradient).sum())
        if norm == 0 or theta < 1e-4 or upper - best <= (1.0 - 1e-9 if integral else 1e-9):
            break
        if step >= MIN_BOUND_STEPS and budget.expired():
            break
        lam = np.maximum(lam + theta * (upper - value) / norm * subgradient, 0.0)
    return float(np.ceil(best - 1e-9)) if integral else best


@dataclass(frozen=True)
class CoverBound:
    """What the Lagrangean bound proves about every solution at least as good as the incumbent.

    Attributes
    ----------
    bound : float
        Valid upper bound on the covered weight.
    closed : numpy.ndarray
        Boolean site mask: sites that cannot be open in such a solution.
    opened : numpy.ndarray
        Boolean site mask: sites that must be open in such a solution.
    dropped : numpy.ndarray
        Boolean unit mask: demand units such a solution cannot cover.
    multipliers : numpy.ndarray
        The multipliers of the bound (a start for a later call).
    relaxed : numpy.ndarray
        Boolean site mask: the p sites the relaxation opens at those multipliers, a start for
        the interchange (Lagrangean heuristic).
    """

    bound: float
    closed: np.ndarray
    opened: np.ndarray
    dropped: np.ndarray
    multipliers: np.ndarray
    relaxed: np.ndarray


def cover_bound(
    pairs: Pairs,
    weight: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    incumbent: float,
    *,
    gap_rel: float = 1e-6,
    iterations: int = 5000,
    budget: TimeBudget | None = None,
    multipliers: np.ndarray | None = None,
    groups: SiteGroups | None = None,
) -> CoverBound:
    """Bound maximal covering by relaxing ``u_i <= sum_{j in N(i)} y_j`` and fix what cannot pay.

    With multipliers l_i >= 0 the relaxation is
    ``L(l) = sum_i max(w_i - l_i, 0) + (sum of s_j over the kept sites and the p - kept free
    sites of largest s_j)``, ``s_j = sum_{i in N(j)} l_i``: an upper bound for every l. It is
    lowered by subgradient steps with Polyak's step length towards the incumbent (Held, Wolfe &
    Crowder 1974; Galvão & ReVelle 1996 for maximal covering), vectorised with one sparse
    product each way per step. From the best l: opening a site outside the chosen ones costs
    the relaxation the difference of its s_j to the last chosen one, closing a chosen one the
    difference to the first left out, covering a unit with w_i < l_i costs l_i - w_i; when that
    takes the bound below the incumbent, no solution as good has it so.

    With ``groups`` the sites' part of the relaxation keeps the grouped minimums: its best sets
    are the bases of a matroid (see :mod:`gxnet.optimize.groups`), found exactly by
    :meth:`SiteGroups.best_set`; a site outside them then costs at least the difference to the
    weakest chosen one, and a chosen one at least the difference to the strongest left out,
    which is the rule above with the same ends.

    Parameters
    ----------
    pairs : Pairs
        Covering pairs to usable sites.
    weight : numpy.ndarray
    p : int
    kept, usable : numpy.ndarray
        Boolean site masks.
    incumbent : float
        Covered weight of a known solution.
    gap_rel : float
        Stop when the bound is within this relative gap of the incumbent.
    iterations : int
        Subgradient steps at most.
    budget : TimeBudget, optional
        Stop when it runs out (default: no limit).
    multipliers : numpy.ndarray, optional
        Starting l (default w_i over the number of sites in reach of i).
    groups : SiteGroups, optional
        Grouped minimums, which the relaxation keeps.
    """
    m = pairs.n_destinations
    incidence = pairs.matrix()
    transposed = incidence.T.tocsr()
    w = np.where((pairs.degree() > 0) & (weight > 0), weight, 0.0)
    free = np.flatnonzero(usable & ~kept)
    slots = p - int(kept.sum())
    budget = budget or TimeBudget()
    lam = w / np.maximum(pairs.degree(), 1) if multipliers is None else multipliers
    best_value, best_lam, best_y = np.inf, lam, kept
    theta, stall = 2.0, 0
    direction = np.zeros(len(w))
    target = incumbent + gap_rel * max(abs(incumbent), 1e-9)
    for step in range(iterations):
        sigma = transposed @ lam
        y = _relaxed_sites(sigma, p, kept, usable, free, slots, groups).astype(np.float64)
        # Dot products as sums of products: NumPy hands `a @ b` to a multi-threaded BLAS whose
        # threads, on a loaded machine, make each step many times slower.
        value = float(np.maximum(w - lam, 0).sum() + (sigma * y).sum())
        if value < best_value - 1e-12 * max(1.0, abs(value)):
            best_value, best_lam, best_y, stall = value, lam, y > 0, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta * 0.8, 0
        # A deflected direction (Camerini, Fratta & Maffioli 1975) damps the zig-zag between
        # the symmetric sets of sites a uniform grid offers, where the plain subgradient stalls
        # well above the LP bound.
        direction = ((w > lam) - incidence @ y) + 0.7 * direction
        norm = float((direction * direction).sum())
        if norm == 0 or best_value <= target or theta < 1e-4:
            break
        if step >= MIN_BOUND_STEPS and budget.expired():
            break
        lam = np.maximum(lam + theta * (value - incumbent) / norm * direction, 0.0)
    sigma = transposed @ best_lam
    slack = best_value - incumbent + 1e-9 * max(1.0, abs(incumbent))
    chosen = _relaxed_sites(sigma, p, kept, usable, free, slots, groups)
    inside, outside = free[chosen[free]], free[~chosen[free]]
    last_in = sigma[inside].min(initial=np.inf)
    first_out = sigma[outside].max(initial=-np.inf)
    closed = np.zeros(m, dtype=bool)
    opened = np.zeros(m, dtype=bool)
    closed[outside] = last_in - sigma[outside] > slack
    opened[inside] = sigma[inside] - first_out > slack
    dropped = (w > 0) & (best_lam - w > slack)
    bound = min(best_value, float(w.sum()))
    return CoverBound(bound, closed, opened, dropped, best_lam, best_y)


def _relaxed_sites(
    sigma: np.ndarray,
    p: int,
    kept: np.ndarray,
    usable: np.ndarray,
    free: np.ndarray,
    slots: int,
    groups: SiteGroups | None,
) -> np.ndarray:
    """The ``p`` sites of largest ``sigma`` (kept ones included) that meet the minimums."""
    if groups is not None:
        return groups.best_set(sigma, p, kept, usable)
    y = kept.copy()
    if 0 < slots < len(free):
        y[free[np.argpartition(-sigma[free], slots - 1)[:slots]]] = True
    elif slots >= len(free):
        y[free] = True
    return y


def _distinct_rows(pairs: Pairs, sums: list[pulp.LpAffineExpression]):
    """(origin, expression) for origins whose set of reachable sites is not a repeat.

    Demand units with the same reachable set give the same covering row; one is enough.
    """
    seen: set[tuple[int, ...]] = set()
    destination = pairs.destination
    for i in range(pairs.n_origins):
        key = tuple(sorted(destination[pairs.indptr[i] : pairs.indptr[i + 1]].tolist()))
        if key not in seen:
            seen.add(key)
            yield i, sums[i]
