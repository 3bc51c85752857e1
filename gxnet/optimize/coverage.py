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
``sum_i w_i u_i >= s W`` and a budget ``sum_j f_j y_j <= B``.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np
import pulp

from gxnet._errors import ProblemDataError
from gxnet.optimize.problem import Pairs, Problem, Targets
from gxnet.optimize.solve import (
    LocationModel,
    Solution,
    SolverOptions,
    SolverRun,
    chosen,
    empty_solution,
    one_tier_solution,
    origin_sums,
    site_variables,
)

TIER = "recycling_point"


class _CoveringModel(LocationModel):
    """What both covering models share: pairs within the radius, reading coverage back."""

    def __init__(self, problem: Problem, radius: float | None = None) -> None:
        super().__init__(problem)
        self.radius = np.inf if radius is None else float(radius)
        self.pairs: Pairs = problem.usable_pairs(TIER).within(self.radius)
        self._open: list[pulp.LpVariable] = []

    @abstractmethod
    def objective_value(self, open_sites: np.ndarray, covered_weight: float) -> float:
        """The model's objective for these open sites, computed exactly."""

    def read(self, run: SolverRun) -> Solution:
        if run.status not in ("optimal", "feasible"):
            return empty_solution(run, self.name)
        problem = self.problem
        open_mask = chosen(self._open)
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
            problem, run, self.name, open_mask, self.pairs, rows, metrics, objective
        )


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
        Share of demand weight that must be covered; default ``problem.targets.coverage_share``
        or 1 (everyone).

    Raises
    ------
    InfeasibleProblemError
        When full coverage is asked for and some demand unit has no usable site within reach.
    """

    name = "set covering"

    def __init__(
        self,
        problem: Problem,
        radius: float | None = None,
        *,
        objective: str = "count",
        coverage_share: float | None = None,
    ) -> None:
        super().__init__(problem, radius)
        if objective not in ("count", "fixed_cost"):
            raise ProblemDataError(f"objective: {objective!r} is not 'count' or 'fixed_cost'")
        self.objective = objective
        share = coverage_share if coverage_share is not None else problem.targets.coverage_share
        self.coverage_share = 1.0 if share is None else float(share)
        if self.coverage_share >= 1.0:
            problem.require_reachable(TIER, self.pairs)

    @classmethod
    def from_problem(
        cls,
        problem: Problem,
        radius: float | None = None,
        *,
        objective: str = "count",
        coverage_share: float | None = None,
    ) -> LocationSetCovering:
        """The model on ``problem`` (see the class parameters)."""
        return cls(problem, radius, objective=objective, coverage_share=coverage_share)

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
        return float(self.problem.sites[TIER].fixed_cost[open_sites].sum())

    def build(self, options: SolverOptions) -> pulp.LpProblem:
        problem = self.problem
        sites = problem.sites[TIER]
        prob = pulp.LpProblem("set_covering", pulp.LpMinimize)
        y = self._open = site_variables(problem, TIER, prob=prob)
        costs = np.ones(sites.n) if self.objective == "count" else sites.fixed_cost
        prob.setObjective(pulp.LpAffineExpression(zip(y, costs.tolist(), strict=True)))
        sums = origin_sums(self.pairs, y)
        if self.coverage_share >= 1.0:
            for i, expression in _distinct_rows(self.pairs, sums):
                prob.addConstraint(
                    pulp.LpConstraint(expression, pulp.LpConstraintGE, rhs=1), f"c{i}"
                )
            return prob
        weight = problem.demand.weight
        u = [prob.add_variable(f"covered_{i}", 0, 1) for i in range(problem.demand.n)]
        for i, expression in enumerate(sums):
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
        return prob


class MaximalCovering(_CoveringModel):
    """Most demand weight within the standard using ``p`` recycling points.

    Parameters
    ----------
    problem : Problem
    p : int, optional
        Number of points to open (existing and required included); default
        ``problem.targets.n_points``.
    radius : float, optional
        A tighter standard than the pairs' cutoff.
    coverage_floor : float, optional
        Minimum covered share of the demand weight (default ``problem.targets.coverage_share``);
        the run is "infeasible" when p points cannot reach it.
    budget : float, optional
        Maximum total fixed cost of the open points (default ``problem.targets.budget``).
    """

    name = "maximal covering"

    def __init__(
        self,
        problem: Problem,
        p: int | None = None,
        radius: float | None = None,
        *,
        coverage_floor: float | None = None,
        budget: float | None = None,
    ) -> None:
        super().__init__(problem, radius)
        self.p = problem.sites_to_open(TIER, p)
        self.coverage_floor = (
            coverage_floor if coverage_floor is not None else problem.targets.coverage_share
        )
        self.budget = budget if budget is not None else problem.targets.budget

    @classmethod
    def from_problem(
        cls,
        problem: Problem,
        p: int | None = None,
        radius: float | None = None,
        *,
        coverage_floor: float | None = None,
        budget: float | None = None,
    ) -> MaximalCovering:
        """The model on ``problem`` (see the class parameters)."""
        return cls(problem, p, radius, coverage_floor=coverage_floor, budget=budget)

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
        budget: float | None = None,
    ) -> MaximalCovering:
        """From a dense demand x site matrix, keeping only the pairs within ``radius``."""
        targets = Targets(n_points=p)
        problem = Problem.from_cost_matrix(
            cost, radius, weights=weights, status=status, fixed_cost=fixed_cost, targets=targets
        )
        return cls(problem, p, radius, coverage_floor=coverage_floor, budget=budget)

    def objective_value(self, open_sites: np.ndarray, covered_weight: float) -> float:
        """Demand weight within the standard of the open sites."""
        return covered_weight

    def build(self, options: SolverOptions) -> pulp.LpProblem:
        problem = self.problem
        weight = problem.demand.weight
        prob = pulp.LpProblem("maximal_covering", pulp.LpMaximize)
        y = self._open = site_variables(problem, TIER, prob=prob)
        # Units no site reaches, or of zero weight, cannot change the objective: leave them out.
        reachable = (self.pairs.degree() > 0) & (weight > 0)
        u = {i: prob.add_variable(f"covered_{i}", 0, 1) for i in np.flatnonzero(reachable).tolist()}
        prob.setObjective(pulp.LpAffineExpression((u[i], float(weight[i])) for i in u))
        sums = origin_sums(self.pairs, y)
        for i, variable in u.items():
            prob.addConstraint(
                pulp.LpConstraint(sums[i] - variable, pulp.LpConstraintGE, rhs=0), f"c{i}"
            )
        prob.addConstraint(
            pulp.LpConstraint(
                pulp.LpAffineExpression((v, 1.0) for v in y), pulp.LpConstraintEQ, rhs=self.p
            ),
            "p",
        )
        if self.coverage_floor is not None:
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression((u[i], float(weight[i])) for i in u),
                    pulp.LpConstraintGE,
                    rhs=self.coverage_floor * float(weight.sum()),
                ),
                "coverage_floor",
            )
        if self.budget is not None:
            fixed = problem.sites[TIER].fixed_cost.tolist()
            prob.addConstraint(
                pulp.LpConstraint(
                    pulp.LpAffineExpression(zip(y, fixed, strict=True)),
                    pulp.LpConstraintLE,
                    rhs=self.budget,
                ),
                "budget",
            )
        return prob


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
