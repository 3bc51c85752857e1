"""The choice of models for the planner's targets, and the model stage that runs them.

:func:`solve_network` chooses recycling points and the sorting centres behind them:

- with capacities (a site list's, or ``centres.capacity_t_day``), one two-tier network
  (:class:`gxnet.optimize.TwoTierNetwork`) chooses both tiers at least fixed cost;
- without, two covering models in turn, which scale to a whole city: the points by maximal
  covering when a number of points is the target (most households within the standard) or by
  set covering with the coverage target (fewest points), then the centres by set covering of
  the chosen points within the truck standard, or by the p-median of the chosen points when a
  number of centres is asked.

With no target at all, :func:`with_point_target` sets the number of points the household
standard asks for (:func:`standard_points`). Every model of the stage draws on one
:class:`gxnet.optimize.TimeBudget` of the configured time limit.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gxnet.config import Config, PointStandards, Targets
from gxnet.optimize import (
    LocationSetCovering,
    MaximalCovering,
    PMedian,
    Problem,
    Solution,
    TimeBudget,
    TwoTierNetwork,
)
from gxnet.tiers import KEPT, SiteStatus, Tier


def standard_points(demand: pd.DataFrame, standards: PointStandards) -> int:
    """How many recycling points the household standard asks for.

    Per county and setting, households over the households one point serves (2,000 urban,
    2,500 rural by default), rounded up: a county's last few hundred households still get a
    point.

    Parameters
    ----------
    demand
        Demand units with ``households``, ``setting`` and ``county_adcode``.
    standards
        The point standards.

    Returns
    -------
    int
    """
    per_point = np.where(
        demand["setting"].to_numpy() == "urban",
        standards.households_per_point_urban,
        standards.households_per_point_rural,
    )
    groups = pd.DataFrame(
        {
            "county": demand["county_adcode"].to_numpy(),
            "per_point": per_point,
            "households": demand["households"].to_numpy(dtype=float),
        }
    ).groupby(["county", "per_point"], dropna=False)["households"]
    totals = groups.sum()
    return int(np.ceil(totals / totals.index.get_level_values("per_point")).sum())


def with_point_target(
    config: Config, demand: pd.DataFrame, points: pd.DataFrame, say: Callable[[str], None]
) -> Config:
    """The config with the household standard's number of points when no target is given
    (said through ``say``)."""
    t = config.targets
    if t.points is not None or t.coverage is not None:
        return config
    wanted = standard_points(demand, config.points)
    kept = int(points["status"].isin(KEPT).sum())
    open_able = int((points["status"] != SiteStatus.EXCLUDED).sum())
    n = min(max(wanted, kept), open_able)
    say(
        f"target: {n:,} recycling points, as the household standard asks "
        f"(1 per {config.points.households_per_point_urban:,} urban and "
        f"{config.points.households_per_point_rural:,} rural households)"
        + (f"; only {open_able:,} candidate sites can open" if n < wanted else "")
    )
    return dataclasses.replace(config, targets=dataclasses.replace(t, points=n))


@dataclass(frozen=True)
class ModelInput:
    """What the model stage reads.

    Attributes
    ----------
    demand
        Demand units (``demand_id, households``, optionally ``recyclables_kg_day``).
    points, centres
        Candidate sites of each tier (``site_id, status, capacity, fixed_cost``).
    walk
        Demand -> point pairs within the service standard (``demand_id, site_id, travel_s``).
    truck
        Point -> centre pairs within the truck standard (``point_id, centre_id, travel_s``).
    cover_by_cost
        Set covering minimises the sites' ``fixed_cost`` instead of their number (a re-solve
        prices change this way: :mod:`gxnet.change`).
    """

    demand: pd.DataFrame
    points: pd.DataFrame
    centres: pd.DataFrame
    walk: pd.DataFrame
    truck: pd.DataFrame
    cover_by_cost: bool = False


def uses_two_tier(points: pd.DataFrame, config: Config) -> bool:
    """Whether :func:`solve_network` chooses both tiers in one two-tier network: when the
    points have capacities or the centres a capacity in the config."""
    capacities = pd.to_numeric(points["capacity"], errors="coerce")
    return bool(np.isfinite(capacities).any() or math.isfinite(config.centres.capacity_t_day))


def solve_network(data: ModelInput, config: Config) -> Solution:
    """Choose recycling points and the sorting centres that serve them, under the targets.

    With capacities (a site list's, or ``centres.capacity_t_day``) one two-tier model chooses
    both tiers: least fixed cost, households within their point's capacity, every open point
    with a centre within the truck standard and the centres' tonnage within theirs; travel
    only breaks ties. Without capacities, two covering models in turn, which scale to a whole
    city: points by maximal covering when a number of points is asked (most households within
    the standard), else by set covering with the coverage target (fewest points); then centres
    by set covering of the chosen points within the truck standard (fewest), or, when a
    number of centres is asked, the p-median of the chosen points weighted by the households
    they serve (least household-weighted truck time, every point served).

    Every model draws on one :class:`~gxnet.optimize.TimeBudget` of
    ``config.solver.time_limit_s``: the centres get what the points leave (a tenth of it at
    least; their problem is small).

    Returns
    -------
    gxnet.optimize.Solution
        Both tiers' open sites and assignments; for the covering pair the status is the weaker
        of the two solves and the gap the larger.
    """
    options, t = config.solver, config.targets
    budget = TimeBudget(options.time_limit_s)
    if uses_two_tier(data.points, config):
        return _solve_two_tier(data, config, budget)
    problem = Problem.from_frames(
        data.demand,
        pd.concat([data.points, data.centres], ignore_index=True),
        data.walk,
        data.truck,
        targets=Targets(points=t.points, coverage=t.coverage, centres=t.centres),
    )
    objective = "fixed_cost" if data.cover_by_cost else "count"
    if t.points is not None:
        point_model = MaximalCovering.from_problem(problem)
    else:
        point_model = LocationSetCovering.from_problem(problem, objective=objective)
    chosen_points = point_model.solve(options, budget)
    if not chosen_points.has_solution:
        return chosen_points
    served = chosen_points.assignments[Tier.RECYCLING_POINT]
    households = data.demand.set_index("demand_id")["households"]
    load = households.reindex(served["origin_id"]).groupby(served["site_id"].to_numpy()).sum()
    points = problem.sites[Tier.RECYCLING_POINT]
    centre_problem = problem.tier_problem(
        Tier.SORTING_CENTRE,
        pd.Series(points.ids).map(load).fillna(0.0).to_numpy(),
        np.isin(points.ids, chosen_points.open_sites[Tier.RECYCLING_POINT]),
    )
    if t.centres is not None:
        centre_model = PMedian.from_problem(centre_problem)
    else:
        centre_model = LocationSetCovering.from_problem(centre_problem, objective=objective)
    tenth = 0.0 if budget.seconds is None else budget.seconds / 10
    chosen_centres = centre_model.solve(options, budget.part(at_least=tenth))
    return _both_tiers(chosen_points, chosen_centres)


def _both_tiers(points: Solution, centres: Solution) -> Solution:
    """The points' and the centres' solutions as one (the centre model placed its sites as
    the first tier of its own problem)."""
    first = Tier.RECYCLING_POINT
    runs = (points, centres)
    statuses = [r.status for r in runs]
    status = next(
        (x for x in ("no solution", "infeasible", "feasible") if x in statuses), "optimal"
    )
    gaps = [r.gap for r in runs if r.gap is not None]
    open_sites = {first: points.open_sites[first]}
    assignments = {first: points.assignments[first]}
    if centres.has_solution:
        open_sites[Tier.SORTING_CENTRE] = centres.open_sites[first]
        assignments[Tier.SORTING_CENTRE] = centres.assignments[first]
    return Solution(
        status,
        points.objective,
        points.bound,
        max(gaps) if gaps else None,
        open_sites=open_sites,
        assignments=assignments,
        build_time_s=sum(r.build_time_s for r in runs),
        solve_time_s=sum(r.solve_time_s for r in runs),
        solver=points.solver,
        model=f"{points.model} (points), {centres.model} (centres)",
    )


def _solve_two_tier(data: ModelInput, config: Config, budget: TimeBudget) -> Solution:
    """Both tiers in one capacitated model (:class:`gxnet.optimize.TwoTierNetwork`)."""
    demand, t = data.demand, config.targets
    sites = pd.concat(
        [data.points, data.centres.assign(capacity=config.centres.capacity_t_day)],
        ignore_index=True,
    )
    sites["fixed_cost"] = sites["fixed_cost"].fillna(
        sites["tier"].map(
            {
                Tier.RECYCLING_POINT: config.points.fixed_cost,
                Tier.SORTING_CENTRE: config.centres.fixed_cost,
            }
        )
    )
    problem = Problem.from_frames(
        demand,
        sites,
        data.walk,
        data.truck,
        targets=Targets(points=t.points, coverage=t.coverage, centres=t.centres),
    )
    tonnes = (
        demand["recyclables_kg_day"].to_numpy(dtype=float) / 1000
        if "recyclables_kg_day" in demand.columns
        else np.zeros(len(demand))
    )
    # Fixed costs decide; a household-second or tonne-second is worth a millionth of a point,
    # enough to prefer the nearer of two equally cheap plans and never to open a site.
    model = TwoTierNetwork.from_problem(
        problem,
        load=tonnes,
        cost_weight=1e-6,
        link_weight=1e-6,
        uncovered_penalty=None if t.points is None else 10 * float(sites["fixed_cost"].max()),
    )
    return model.solve(config.solver, budget)


def plannable_tiers() -> tuple[Tier, ...]:
    """The tiers the model stage plans: a site list's rows of any other tier are refused
    (named with their rows), never dropped in silence (:meth:`gxnet.sites.SiteList.accept`)."""
    return (Tier.RECYCLING_POINT, Tier.SORTING_CENTRE)
