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

The township minimum (``targets.township_minimum``, on by default) and the county quota
(``targets.county_quota``) are grouped minimums of the covering models
(:class:`gxnet.optimize.groups.SiteGroups`), built by :func:`township_needs`: at least one
open site among the candidate sites standing in each township that one pays in, at least the
standard's points among each county's sites. A township where no candidate site has
``points.mobile_below_households`` of its households within the standard is listed for mobile
collection (流动回收) instead.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gxnet._errors import InfeasibleProblemError
from gxnet._messages import messages, text
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
from gxnet.optimize.groups import SiteGroups
from gxnet.tiers import KEPT, SiteStatus, Tier

#: Why a township has no fixed point and is served by mobile collection: no candidate site in
#: it reaches its households within the standard; its best site reaches too few of them to
#: pay (``points.mobile_below_households``); the plan opened none there (no minimum asked,
#: or a model that does not take it); or the number of points asked could not meet the
#: minimum there (:func:`fit_minimums`).
MOBILE_REASONS: tuple[str, ...] = ("no_site", "too_few", "not_chosen", "budget")


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
    return int(standard_points_by_county(demand, standards).sum())


def standard_points_by_county(demand: pd.DataFrame, standards: PointStandards) -> pd.Series:
    """The points of :func:`standard_points`, per county (indexed by ``county_adcode``)."""
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
    points = np.ceil(totals / totals.index.get_level_values("per_point"))
    return points.groupby(level="county", dropna=False).sum().astype(np.int64)


@dataclass(frozen=True)
class TownshipNeeds:
    """What the township minimum and the county quota ask of a plan.

    Attributes
    ----------
    table
        One row per township with households: ``county_adcode``, ``township_code``,
        ``township_name``, ``households``, ``reach`` (its households within the standard of
        its best candidate site standing in it), ``sites`` (its candidate sites that reach
        any of them), ``fixed`` (a point there pays: ``reach`` at least
        ``points.mobile_below_households``) and ``reason`` (why not: one of
        :data:`MOBILE_REASONS`, else "").
    groups
        The grouped minimums over the candidate points (in their order), or None when
        neither the minimum nor the quota is asked.
    needed
        The fewest point sites that meet them (the kept ones included).
    """

    table: pd.DataFrame
    groups: SiteGroups | None
    needed: int

    def owed(self, points: pd.DataFrame) -> pd.DataFrame:
        """The townships the minimum gives a point that no kept site already stands in, in
        the order they leave the minimum when points are short (:func:`mobile_first`)."""
        kept_towns = points.loc[points["status"].isin(KEPT), "township_code"]
        table = self.table
        owed = table["fixed"] & (table["reason"] != "budget")
        return mobile_first(table[owed & ~table["township_code"].isin(kept_towns)])


def mobile_first(townships: pd.DataFrame) -> pd.DataFrame:
    """Townships in the order they leave the township minimum when the points asked cannot
    meet it: least ``reach`` first (the households their best candidate site serves within the
    standard, where a fixed point pays least), then fewest households, then township code."""
    return townships.sort_values(
        ["reach", "households", "township_code"], ascending=True, kind="stable"
    )


def township_needs(
    demand: pd.DataFrame,
    points: pd.DataFrame,
    walk: pd.DataFrame,
    config: Config,
    exempt: Collection[str] = (),
) -> TownshipNeeds:
    """The townships a plan owes a point, and the grouped minimums that make the model open them.

    Parameters
    ----------
    demand
        Demand units with ``demand_id``, ``households``, ``county_adcode`` and
        ``township_code``/``township_name`` (units without a township are left out).
    points
        Candidate points with ``site_id``, ``status`` and the ``county_adcode`` and
        ``township_code`` they stand in (:func:`gxnet.candidates.with_townships`).
    walk
        Demand -> point pairs within the standard (``demand_id, site_id``).
    config
        ``targets.township_minimum``, ``targets.county_quota`` and
        ``points.mobile_below_households``.
    exempt
        Township codes taken out of the minimum because the points asked cannot meet it
        (:func:`fit_minimums`): their ``reason`` is ``"budget"``.

    Returns
    -------
    TownshipNeeds
    """
    t = config.targets
    units = demand[demand.get("township_code", pd.Series("", index=demand.index)) != ""]
    table = (
        units.groupby("township_code", sort=True)
        .agg(
            county_adcode=("county_adcode", "first"),
            township_name=("township_name", "first"),
            households=("households", "sum"),
        )
        .reset_index()
    )
    table = table[table["households"] > 0].reset_index(drop=True)
    site_town = points.set_index("site_id")["township_code"] if len(points) else pd.Series()
    home = units.set_index("demand_id")
    pairs = walk[["demand_id", "site_id"]].assign(
        township_code=walk["demand_id"].map(home["township_code"]).to_numpy(),
        households=walk["demand_id"].map(home["households"]).to_numpy(dtype=float),
    )
    own = pairs[pairs["site_id"].map(site_town).to_numpy() == pairs["township_code"].to_numpy()]
    reach_by_site = own.groupby(["township_code", "site_id"])["households"].sum()
    by_town = reach_by_site.groupby(level="township_code")
    table["reach"] = table["township_code"].map(by_town.max()).fillna(0.0).to_numpy()
    table["sites"] = table["township_code"].map(by_town.size()).fillna(0).astype(int).to_numpy()
    table["fixed"] = (table["reach"] > 0) & (
        table["reach"] >= config.points.mobile_below_households
    )
    table["reason"] = np.where(
        table["fixed"], "", np.where(table["reach"] > 0, "too_few", "no_site")
    ).astype(object)
    table.loc[table["fixed"] & table["township_code"].isin(list(exempt)), "reason"] = "budget"
    levels = []
    if t.county_quota:
        # Only points that serve someone count: a point no unit reaches (or without a centre
        # in truck reach, whose pairs the pipeline drops) would fill a quota with nothing.
        quota = standard_points_by_county(demand, config.points)
        serving = points["site_id"].isin(walk["site_id"])
        levels.append((points["county_adcode"].where(serving, -1).tolist(), quota.to_dict()))
    if t.township_minimum:
        member = reach_by_site.index.get_level_values("site_id")
        label = points["township_code"].where(points["site_id"].isin(member), "")
        owed = table.loc[table["fixed"] & (table["reason"] != "budget"), "township_code"]
        levels.append((label.tolist(), dict.fromkeys(owed, 1)))
    if not levels or not len(points):
        return TownshipNeeds(table, None, int(points["status"].isin(KEPT).sum()))
    groups = SiteGroups.from_labels(levels)
    kept = points["status"].isin(KEPT).to_numpy()
    if groups.n_groups == 0:
        return TownshipNeeds(table, None, int(kept.sum()))
    usable = (points["status"] != SiteStatus.EXCLUDED).to_numpy()
    return TownshipNeeds(table, groups, groups.sites_needed(kept, usable))


def fit_minimums(
    demand: pd.DataFrame,
    points: pd.DataFrame,
    walk: pd.DataFrame,
    config: Config,
    count: int,
    say: Callable[[str], None],
    lang: str = "en",
) -> tuple[TownshipNeeds, Config]:
    """The township minimum and county quota lowered until ``count`` point sites meet them.

    The rule (also the region's, :func:`gxnet.allocation.trim_floors`): the county quota goes
    first; then townships leave the minimum in the order of :func:`mobile_first` until the
    sites they need fit. The townships left out are listed for mobile collection (reason
    ``"budget"``) unless the plan gives them a point anyway. Said through ``say`` in ``lang``.

    Returns
    -------
    tuple
        The needs to plan with, and the config (without the county quota when it went).

    Raises
    ------
    InfeasibleProblemError
        When the kept sites alone are more than ``count``.
    """
    needs = township_needs(demand, points, walk, config)
    if needs.needed <= count:
        return needs, config
    asked = needs.needed
    if config.targets.county_quota:
        config = dataclasses.replace(
            config, targets=dataclasses.replace(config.targets, county_quota=False)
        )
        needs = township_needs(demand, points, walk, config)
        say(text("progress_fit_quota", lang, count=count, needed=asked))
        if needs.needed <= count:
            return needs, config
    kept = int(points["status"].isin(KEPT).sum())
    if kept > count:
        raise InfeasibleProblemError(key="err_points_kept", count=count, kept=kept)
    short = needs.owed(points).head(needs.needed - count)
    needs = township_needs(demand, points, walk, config, exempt=short["township_code"])
    say(
        text(
            "progress_fit_townships",
            lang,
            count=count,
            needed=asked,
            n=len(short),
            households=float(short["households"].sum()),
        )
    )
    return needs, config


def with_point_target(
    config: Config,
    demand: pd.DataFrame,
    points: pd.DataFrame,
    say: Callable[[str], None],
    needed: int = 0,
    lang: str = "en",
) -> Config:
    """The config with the household standard's number of points when no target is given
    (said through ``say``, in ``lang``), raised to ``needed`` when the township minimum or the
    county quota needs more sites.

    Raises
    ------
    InfeasibleProblemError
        When a number of points is asked that is below ``needed``.
    """
    t = config.targets
    parts = [key for key, on in (("what_township_minimum", t.township_minimum),
                                 ("what_county_quota", t.county_quota)) if on]  # fmt: skip
    what = {
        "what": messages("zh")["what_and"].join(messages("zh")[k] for k in parts),
        "what_en": messages("en")["what_and"].join(messages("en")[k] for k in parts),
    }
    if t.points is not None and t.points < needed:
        raise InfeasibleProblemError(
            key="err_points_below_minimum", points=t.points, needed=needed, **what
        )
    if t.points is not None or t.coverage is not None:
        return config
    wanted = standard_points(demand, config.points)
    kept = int(points["status"].isin(KEPT).sum())
    open_able = int((points["status"] != SiteStatus.EXCLUDED).sum())
    n = min(max(wanted, kept, needed), open_able)
    more = ""
    if needed > max(wanted, kept):
        more += text("progress_target_raised", lang, wanted=wanted, needed=needed, **what)
    if n < wanted:
        more += text("progress_target_few", lang, n=open_able)
    p = config.points
    say(
        text(
            "progress_target",
            lang,
            n=n,
            urban=p.households_per_point_urban,
            rural=p.households_per_point_rural,
            more=more,
            more_en=more,
        )
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
    minimums
        Grouped minimums over ``points`` (in their order): the township minimum and the
        county quota (:func:`township_needs`); the covering models keep them.
    """

    demand: pd.DataFrame
    points: pd.DataFrame
    centres: pd.DataFrame
    walk: pd.DataFrame
    truck: pd.DataFrame
    cover_by_cost: bool = False
    minimums: SiteGroups | None = None


def uses_capacities(points: pd.DataFrame, config: Config) -> bool:
    """Whether the capacitated two-tier model plans these points (a point with a capacity, or
    a centre capacity in the standards) rather than the covering pair."""
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
    if uses_capacities(data.points, config):
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
        point_model = MaximalCovering.from_problem(problem, minimums=data.minimums)
    else:
        point_model = LocationSetCovering.from_problem(
            problem, objective=objective, minimums=data.minimums
        )
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
