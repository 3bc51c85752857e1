"""The choice of models for the planner's targets, and the model stage that runs them.

:func:`solve_network` chooses recycling points and the sites of every tier behind them. The
points come first, by the covering models, which scale to a whole city: maximal covering when
a number of points is the target (most households within the standard), set covering with the
coverage target (fewest points). Then, tier by tier:

- without capacities, markets or bases (the default), the centres by set covering of the
  chosen points within the truck standard, or by the p-median of the chosen points when a
  number of centres is asked;
- with capacities (a site list's, or a tier's ``capacity_t_day``), or with collection markets
  or processing bases, each tier above by single-source capacitated facility location over the
  loads of the open sites below it (:func:`solve_tiers`, :class:`gxnet.optimize.hubs.HubLocation`):
  points -> markets -> centres -> bases. A site below that no site above can serve within the
  truck standard and capacities is left out of its tier, which is solved again.

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
)
from gxnet.optimize.capacitated import capacitated_cover, check_capacity
from gxnet.optimize.groups import SiteGroups
from gxnet.optimize.hubs import HubLocation, hub_problem, unservable
from gxnet.tiers import KEPT, TIERS, SiteStatus, Tier

#: Share of the stage's time limit the points' model may take at most; the centres' model,
#: a small problem over the chosen points, gets the rest.
POINTS_SHARE = 0.85

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
        Pairs into the centres within their truck standard (``point_id, centre_id,
        travel_s``): from the points, or from the markets when there are markets.
    cover_by_cost
        Set covering minimises the sites' ``fixed_cost`` instead of their number (a re-solve
        prices change this way: :mod:`gxnet.change`).
    minimums
        Grouped minimums over ``points`` (in their order): the township minimum and the
        county quota (:func:`township_needs`); the covering models keep them.
    markets, bases
        Candidate collection markets and processing bases, when the plan has those tiers.
    market_links, base_links
        Point -> market pairs (``point_id, market_id, travel_s``) and centre -> base pairs
        (``centre_id, base_id, travel_s``) within their truck standards.
    """

    demand: pd.DataFrame
    points: pd.DataFrame
    centres: pd.DataFrame
    walk: pd.DataFrame
    truck: pd.DataFrame
    cover_by_cost: bool = False
    minimums: SiteGroups | None = None
    markets: pd.DataFrame | None = None
    bases: pd.DataFrame | None = None
    market_links: pd.DataFrame | None = None
    base_links: pd.DataFrame | None = None

    def hubs(self) -> dict[Tier, tuple[pd.DataFrame, pd.DataFrame]]:
        """The tiers above the points this plan has, from the bottom up: tier -> (candidate
        sites, pairs into them)."""
        tiers = {
            Tier.COLLECTION_MARKET: (self.markets, self.market_links),
            Tier.SORTING_CENTRE: (self.centres, self.truck),
            Tier.PROCESSING_BASE: (self.bases, self.base_links),
        }
        return {t: pair for t, pair in tiers.items() if pair[0] is not None and len(pair[0])}


def uses_capacities(data: ModelInput) -> bool:
    """Whether the tiers are placed by capacitated facility location (:func:`solve_tiers`) rather
    than by the covering pair: a site of any tier with a capacity (a site list's, or the
    standards' default), or a plan with markets or bases."""
    hubs = data.hubs()
    if set(hubs) - {Tier.SORTING_CENTRE}:
        return True
    frames = [data.points] + [sites for sites, _ in hubs.values()]
    return any(
        np.isfinite(pd.to_numeric(frame["capacity"], errors="coerce")).any() for frame in frames
    )


def solve_network(data: ModelInput, config: Config) -> Solution:
    """Choose recycling points and the sites of every tier that serve them, under the targets.

    The points by a covering model (:func:`solve_points`); then, without capacities, markets or
    bases, the centres by set covering of the chosen points within the truck standard
    (fewest), or, when a number of centres is asked, by the p-median of the chosen points
    weighted by the households they serve; with them, every tier above by
    :func:`solve_tiers`.

    Every model draws on one :class:`~gxnet.optimize.TimeBudget` of
    ``config.solver.time_limit_s``: the points at most :data:`POINTS_SHARE` of it, the tiers
    above what is left.

    Returns
    -------
    gxnet.optimize.Solution
        Every tier's open sites and assignments, each tier's own solution in ``parts``; the
        status is the weakest of the tiers' and the gap the largest.
    """
    options, t = config.solver, config.targets
    budget = TimeBudget(options.time_limit_s)
    data = with_standards(data, config)
    if uses_capacities(data):
        return solve_tiers(data, config, budget)
    problem = points_problem(data, config)
    chosen_points = solve_points(problem, data, config, budget.part(POINTS_SHARE))
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
        centre_model = LocationSetCovering.from_problem(
            centre_problem, objective=cover_objective(data)
        )
    chosen_centres = centre_model.solve(options, budget)
    return tiers_solution(chosen_points, {Tier.SORTING_CENTRE: chosen_centres})


def with_tier_defaults(sites: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The sites with their tier's configured capacity and fixed cost where a row gives none
    (points: ``points.capacity_households``; markets, centres, bases: their section's
    ``capacity_t_day``), so that a site list's own figures are kept and the rest follow the
    standards."""
    out = sites.copy()
    tier = out["tier"].astype(str)
    capacity = {Tier.RECYCLING_POINT.value: config.points.capacity_households}
    fixed = {Tier.RECYCLING_POINT.value: config.points.fixed_cost}
    for hub in TIERS[1:]:
        capacity[hub.value] = config.hub(hub).capacity_t_day
        fixed[hub.value] = config.hub(hub).fixed_cost
    for column, defaults in (("capacity", capacity), ("fixed_cost", fixed)):
        given = pd.to_numeric(out[column], errors="coerce") if column in out else np.nan
        out[column] = pd.Series(given, index=out.index).fillna(tier.map(defaults)).astype(float)
    return out


def with_standards(data: ModelInput, config: Config) -> ModelInput:
    """The input with every site's missing capacity and fixed cost taken from its tier's
    standards (:func:`with_tier_defaults`)."""
    frames = {
        name: with_tier_defaults(getattr(data, name), config)
        for name in ("points", "centres", "markets", "bases")
        if getattr(data, name) is not None
    }
    return dataclasses.replace(data, **frames)


def points_problem(
    data: ModelInput, config: Config, left_out=(), *, centres: bool = True
) -> Problem:
    """The points' problem (demand, point candidates, walk pairs; with ``centres``, the centres
    and truck pairs for the covering pair's centre stage), with the points ``left_out``
    excluded."""
    t = config.targets
    points = data.points
    if len(left_out):
        points = points.assign(
            status=points["status"].where(~points["site_id"].isin(left_out), SiteStatus.EXCLUDED)
        )
    return Problem.from_frames(
        data.demand,
        pd.concat([points, data.centres], ignore_index=True) if centres else points,
        data.walk,
        data.truck if centres else None,
        targets=Targets(
            points=t.points, coverage=t.coverage, centres=t.centres if centres else None
        ),
    )


def solve_points(
    problem: Problem, data: ModelInput, config: Config, budget: TimeBudget
) -> Solution:
    """The recycling points by maximal covering (a number of points asked) or set covering
    (a coverage asked), keeping the grouped minimums (capped at the usable sites of each
    group, when some points were left out)."""
    minimums = data.minimums
    if minimums is not None:
        minimums = minimums.within(problem.sites[Tier.RECYCLING_POINT].usable)
    if config.targets.points is not None:
        model = MaximalCovering.from_problem(problem, minimums=minimums)
    else:
        model = LocationSetCovering.from_problem(
            problem, objective=cover_objective(data), minimums=minimums
        )
    return model.solve(config.solver, budget)


def cover_objective(data: ModelInput) -> str:
    """What set covering minimises: the sites' number, or their fixed cost in a re-solve that
    prices change (``data.cover_by_cost``)."""
    return "fixed_cost" if data.cover_by_cost else "count"


#: Rounds of :func:`solve_tiers` that leave sites out of the tier below at most; after them a
#: site below that no site above can serve is closed, its demand left uncovered.
TIER_ROUNDS = 8


def solve_tiers(data: ModelInput, config: Config, budget: TimeBudget) -> Solution:
    """The points by a covering model, then every tier above by single-source capacitated
    facility location over the loads of the open sites below it (a decomposition by tier).

    Each open point's load is the tonnes per day of recyclables of the households it serves
    (within its capacity in households, where it has one: :func:`with_point_capacities`).
    Each tier above (markets, centres, bases, those the plan has) is then
    :class:`~gxnet.optimize.hubs.HubLocation` over the open sites of the tier below. When some
    site below cannot be served by any site above within the truck standard and capacities
    (:func:`~gxnet.optimize.hubs.unservable`), it is left out of its tier and that tier is
    solved again (the points' covering model then covers the households elsewhere where it
    can); after :data:`TIER_ROUNDS` rounds such sites are closed.

    What is bounded, per tier (``Solution.parts``): the points' coverage against its
    covering bound (which no capacity can raise), and each tier above against its cost's
    lower bound for the sites below it.
    """
    options, t = config.solver, config.targets
    hubs = data.hubs()
    tiers = [Tier.RECYCLING_POINT, *hubs]
    tonnes = _tonnes(data.demand)
    left_out: dict[Tier, set] = {tier: set() for tier in tiers}
    parts: dict[Tier, Solution] = {}
    opened: dict[Tier, tuple[np.ndarray, np.ndarray]] = {}
    closed: dict[Tier, list] = {tier: [] for tier in tiers}
    stage, rounds = 0, 0
    while stage < len(tiers):
        tier = tiers[stage]
        if tier == Tier.RECYCLING_POINT:
            problem = points_problem(data, config, sorted(left_out[tier]), centres=False)
            points = solve_points(problem, data, config, budget.part(POINTS_SHARE))
            if not points.has_solution:
                return points
            parts[tier] = points = with_point_capacities(points, problem)
            opened[tier] = _point_loads(points, data.demand, tonnes)
            stage += 1
            continue
        below = tiers[stage - 1]
        ids, load = opened[below]
        sites, links = hubs[tier]
        sites = sites.assign(
            status=sites["status"].where(
                ~sites["site_id"].isin(left_out[tier]), SiteStatus.EXCLUDED
            )
        )
        problem = hub_problem(ids, load, sites, links, count=t.count_for(tier))
        bad = unservable(problem, budget)
        if bad.any() and rounds < TIER_ROUNDS:
            rounds += 1
            left_out[below] |= set(ids[bad].tolist())
            stage -= 1
            continue
        if bad.any():
            closed[below] = ids[bad].tolist()
            ids, load = ids[~bad], load[~bad]
            problem = hub_problem(ids, load, sites, links, count=t.count_for(tier))
        hub = HubLocation.from_problem(problem, tier).solve(options, budget)
        if not hub.has_solution:
            return hub
        parts[tier] = hub
        frame = hub.assignments[Tier.RECYCLING_POINT]
        inflow = frame.groupby("site_id")["flow"].sum()
        open_ids = np.asarray(hub.open_sites[Tier.RECYCLING_POINT], dtype=object)
        opened[tier] = (open_ids, inflow.reindex(open_ids).fillna(0.0).to_numpy())
        stage += 1
    solution = tiers_solution(parts[Tier.RECYCLING_POINT], {k: parts[k] for k in tiers[1:]})
    for tier, ids in closed.items():
        if ids:
            _close(solution, tier, ids)
    return solution


#: Prefix of the ids of a re-solve's preference units (:func:`gxnet.change.with_change_price`),
#: never a real demand unit's id.
PREFERENCE_PREFIX = "change-bonus:"


def with_point_capacities(points: Solution, problem: Problem) -> Solution:
    """The points' solution with each demand unit's households shared out within the open
    points' capacities (:func:`~gxnet.optimize.capacitated.capacitated_cover`), where a point
    has one; unchanged otherwise. The covering bound still bounds the coverage."""
    sites = problem.sites[Tier.RECYCLING_POINT]
    is_open = np.isin(sites.ids, points.open_sites[Tier.RECYCLING_POINT])
    if np.isinf(sites.capacity[is_open]).all():
        return points
    pairs = problem.usable_pairs()
    # A coverage asked that the points' capacities cannot hold is an error, not a thinner plan.
    check_capacity(problem, pairs, sites.usable, single_source=False, allow_uncovered=True)
    weight = problem.demand.weight
    # A re-solve's preference units (gxnet.change) take no capacity: each is served wholly by
    # its own site, which the covering model kept open for it.
    preference = pd.Index(problem.demand.ids).astype(str).str.startswith(PREFERENCE_PREFIX)
    share = capacitated_cover(pairs, np.where(preference, 0.0, weight), sites.capacity, is_open)
    share[preference[pairs.origin] & is_open[pairs.destination]] = 1.0
    rows = np.flatnonzero(share > 0)
    frame = pd.DataFrame(
        {
            "origin_id": problem.demand.ids[pairs.origin[rows]],
            "site_id": sites.ids[pairs.destination[rows]],
            "cost": pairs.cost[rows],
            "share": share[rows],
        }
    )
    covered = float((share * weight[pairs.origin]).sum())
    out = dataclasses.replace(
        points,
        assignments={Tier.RECYCLING_POINT: frame},
        objective=covered if points.sense == "max" else points.objective,
        metrics=points.metrics | {"covered_weight": covered, "point_capacities": 1.0},
        model=f"{points.model} within the points' capacities",
    )
    return out.settle()


def _tonnes(demand: pd.DataFrame) -> pd.Series:
    """Recyclables of each demand unit, tonnes per day (by ``demand_id``)."""
    kg = (
        demand["recyclables_kg_day"].to_numpy(dtype=float)
        if "recyclables_kg_day" in demand.columns
        else np.zeros(len(demand))
    )
    return pd.Series(kg / 1000.0, index=demand["demand_id"].to_numpy())


def _point_loads(
    points: Solution, demand: pd.DataFrame, tonnes: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """The open points' ids and loads (tonnes per day of the households they serve)."""
    frame = points.assignments[Tier.RECYCLING_POINT]
    flow = frame["share"].to_numpy() * tonnes.reindex(frame["origin_id"]).to_numpy()
    load = pd.Series(flow).groupby(frame["site_id"].to_numpy()).sum()
    ids = np.asarray(points.open_sites[Tier.RECYCLING_POINT], dtype=object)
    return ids, load.reindex(ids).fillna(0.0).to_numpy()


def _close(solution: Solution, tier: Tier, ids: list) -> None:
    """Close sites that no site above can serve: out of the open sites, their assignments and
    the assignments into them (their demand is then uncovered)."""
    solution.open_sites[tier] = [i for i in solution.open_sites[tier] if i not in set(ids)]
    frame = solution.assignments[tier]
    solution.assignments[tier] = frame[~frame["site_id"].isin(ids)].reset_index(drop=True)
    solution.metrics[f"{tier.plural}_closed_for_want_of_a_site_above"] = float(len(ids))


def tiers_solution(points: Solution, above: dict[Tier, Solution]) -> Solution:
    """The points' and the tiers' above solutions as one (each tier above was placed as the
    first tier of its own problem). Each keeps its own objective and bound (``parts``); the
    status is the weakest and the gap the largest."""
    first = Tier.RECYCLING_POINT
    runs = (points, *above.values())
    statuses = [r.status for r in runs]
    status = next(
        (x for x in ("no solution", "infeasible", "feasible") if x in statuses), "optimal"
    )
    gaps = [r.gap for r in runs]
    open_sites = {first: points.open_sites[first]}
    assignments = {first: points.assignments[first]}
    for tier, part in above.items():
        if part.has_solution:
            open_sites[tier] = part.open_sites[first]
            assignments[tier] = part.assignments[first]
    return Solution(
        status,
        points.objective,
        points.bound,
        None if None in gaps else max(gaps),
        open_sites=open_sites,
        assignments=assignments,
        build_time_s=sum(r.build_time_s for r in runs),
        solve_time_s=sum(r.solve_time_s for r in runs),
        solver=points.solver,
        model=", ".join(
            [f"{points.model} (points)"]
            + [
                p.model if p.model.startswith(t.plural) else f"{p.model} ({t.plural})"
                for t, p in above.items()
            ]
        ),
        sense=points.sense,
        objective_name=points.objective_name,
        time_limited=any(r.time_limited for r in runs),
        parts={first: points, **above},
    )


def plannable_tiers() -> tuple[Tier, ...]:
    """The tiers the model stage plans: every tier a site list may carry (points, collection
    markets, sorting centres, processing bases)."""
    return TIERS
