"""The planner's main job, end to end: the order of the stages, re-solving, and the outputs.

:func:`optimize_city` runs the stages in one direction, each a module of its own::

    area       gxnet.study_area    a Guangxi city or county, or a polygon file
    demand     gxnet.demand        census cells, or the planner's own file
    networks   gxnet.service_pairs road networks from the cache or --pbf (else straight line)
    sites      gxnet.sites         a site list, read and checked (gxnet.sites.read_site_list),
               gxnet.candidates    or OSM candidates, or grid candidates
    costs      gxnet.service_pairs walk pairs demand -> point, truck pairs point -> centre
    model      gxnet.model_choice  covering models, or the two-tier network with capacities
    plan       gxnet.assemble      the Plan's layers, figures and provenance

:func:`resolve_plan` runs them again with a new site list, preferring the sites of the plan it
re-solves (:mod:`gxnet.change`); :func:`save_outputs` writes the plan folder and its map as
one unit (:class:`gxnet.outputs.OutputUnit`). Every fallback (no road network, no site
list, no OSM data) is said in the progress lines and recorded in the plan's provenance, so
that the map can show it.
"""

from __future__ import annotations

import dataclasses
import io
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely import wkt
from shapely.geometry.base import BaseGeometry

from gxnet._errors import InputFileError
from gxnet._messages import Phrase, model_words, reason_column, status_words, text
from gxnet._safe import printable
from gxnet.assemble import assemble_plan
from gxnet.candidates import candidate_sites, default_site_list
from gxnet.change import change_bonus, closing_reasons, with_change_price
from gxnet.config import Config
from gxnet.demand import load_demand
from gxnet.model_choice import (
    ModelInput,
    TownshipNeeds,
    fit_minimums,
    plannable_tiers,
    solve_network,
    township_needs,
    with_point_target,
)
from gxnet.osm.pbf import file_sha256
from gxnet.outputs import OutputUnit
from gxnet.phases import Phase, parse_phase, phase_figures, site_phases, solve_phases
from gxnet.plan import Plan
from gxnet.progress import Progress
from gxnet.service_pairs import (
    check_reachable,
    cost_modes,
    fetch_command,
    fetched_slug,
    highway_access_kmh,
    road_networks,
    truck_costs,
    walk_costs,
)
from gxnet.sites import read_site_list
from gxnet.study_area import StudyArea, study_area
from gxnet.tiers import KEPT, LINK_COLUMNS, TIERS, SiteStatus, Tier


class _Stages:
    """Times each stage and reports it to ``progress`` (nothing is shown without one)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or Progress(stream=io.StringIO(), bars=False)
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, *, budget_s: float | None = None) -> Iterator[None]:
        tic = time.perf_counter()
        with self.progress.stage(name, budget_s=budget_s):
            yield
        self.seconds[name] = round(time.perf_counter() - tic, 3)

    @property
    def lang(self) -> str:
        return self.progress.lang

    def say(self, line: str) -> None:
        self.progress.say(printable(line))

    def tell(self, key: str, **params: Any) -> None:
        """A catalogue message in the progress's language."""
        self.say(text(key, self.lang, **params))


def optimize_city(
    city_or_area: str | os.PathLike[str] | BaseGeometry | StudyArea,
    *,
    sites: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    demand: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    config: Config | None = None,
    pbf: str | os.PathLike[str] | None = None,
    crs: str | None = None,
    skip_bad_rows: bool = False,
    previous: Plan | None = None,
    progress: Progress | None = None,
    osm_name: str | None = None,
    phases: Sequence[Phase] | None = None,
) -> Plan:
    """Plan recycling points and sorting centres for a city, a county or any study area.

    Parameters
    ----------
    city_or_area
        A Guangxi city or county (``"wuzhou"``, ``"梧州"``, ``450400``), a polygon file, or a
        shapely polygon in WGS-84.
    sites
        A site list (CSV, XLSX, GeoJSON, GeoPackage), read by
        :func:`gxnet.sites.read_site_list` and checked by :meth:`gxnet.sites.SiteList.accept`,
        or a GeoDataFrame of sites taken as they are; default ``data/sites/<slug>.*``, else OSM
        candidates, else demand-cell centres.
    demand
        A demand file or GeoDataFrame (households or population); default the census.
    config
        Standards and targets; default :func:`gxnet.config.load_config` of the working folder.
    pbf
        An OpenStreetMap extract for the road networks (and OSM candidates and demand evidence);
        default the cached networks of the city, else straight-line distance x detour factor.
    crs
        The site list's coordinate system (``wgs84``, ``gcj02``, ``bd09``); default detected.
    skip_bad_rows
        Plan with the valid rows of a site list that has rejected rows or rows of a tier that
        cannot be planned (each is said and recorded in the provenance's ``skipped_rows``).
    previous
        The plan being re-solved: the sites it chose are preferred at the price of change
        ``config.resolve.change_penalty`` (:mod:`gxnet.change`).
    progress
        Called with one line per stage (the CLI prints them).
    osm_name
        The name ``gxnet fetch --area FILE --name N`` cached the area's OSM data under; default
        the city's, or the cache fetched for the same outline (found by its hash).

    phases
        Stages of building, solved in order, each keeping the sites of the one before
        (:mod:`gxnet.phases`); the plan's sites carry a ``phase`` column and its metrics the
        figures of each phase. They replace the targets' number of points.

    Returns
    -------
    Plan

    Raises
    ------
    UserInputError
        Unknown city, unusable files, a site list with no usable row, rejected site rows,
        targets that cannot be met (the message says which demand and what would fix it).
    """
    inputs = prepare_city(
        city_or_area,
        sites=sites,
        demand=demand,
        config=config,
        pbf=pbf,
        crs=crs,
        skip_bad_rows=skip_bad_rows,
        progress=progress,
        osm_name=osm_name,
    )
    return plan_city(inputs, phases=phases, previous=previous)


@dataclasses.dataclass
class CityInputs:
    """What the model stage of a city reads: the stages of :func:`prepare_city` done.

    Attributes
    ----------
    area, demand, sites
        The study area, its demand units and every candidate site (every tier).
    data
        The model's input (:func:`model_input`): the point sites some demand can reach (and
        the kept ones), the sites of every tier above and the pairs between them;
        ``points``, ``centres``, ``walk`` and ``truck`` are its.
    stranded
        Point sites without a site above within the truck standard (left out of ``walk``).
    networks
        The road networks, or None (straight line).
    config
        The standards and targets of the run.
    provenance
        What the plan records of its inputs.
    stages
        The stages' timer and progress lines, which the model stage goes on with.
    """

    area: StudyArea
    demand: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    data: ModelInput
    stranded: list
    networks: dict[str, Any] | None
    config: Config
    provenance: dict[str, Any]
    stages: _Stages

    @property
    def points(self) -> pd.DataFrame:
        return self.data.points

    @property
    def centres(self) -> pd.DataFrame:
        return self.data.centres

    @property
    def walk(self) -> pd.DataFrame:
        return self.data.walk

    @property
    def truck(self) -> pd.DataFrame:
        return self.data.truck


def prepare_city(
    city_or_area: str | os.PathLike[str] | BaseGeometry | StudyArea,
    *,
    sites: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    demand: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    config: Config | None = None,
    pbf: str | os.PathLike[str] | None = None,
    crs: str | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    osm_name: str | None = None,
) -> CityInputs:
    """The stages of :func:`optimize_city` before the model: area, demand, road networks,
    candidate sites and travel costs (the parameters are :func:`optimize_city`'s)."""
    from gxnet.config import load_config

    config = config or load_config()
    stages = _Stages(progress)
    pbf_path = Path(pbf) if pbf is not None else None
    inputs: dict[str, Any] = {}
    for name, value in (("sites", sites), ("demand", demand), ("pbf", pbf_path)):
        if value is not None and not isinstance(value, gpd.GeoDataFrame):
            if not Path(value).is_file():
                raise InputFileError(key="err_no_file", path=str(value))
            inputs[name] = {"path": str(value), "sha256": file_sha256(value)}
    with stages.stage("area"):
        area = study_area(city_or_area)
        stages.tell("progress_area", name=area.name, slug=area.slug)
    osm_pbf = pbf_path or _cached_pbf(area, osm_name)
    with stages.stage("demand"):
        demand_frame = load_demand(area, config, demand=demand, pbf=osm_pbf)
        stages.tell(
            "progress_demand",
            units=len(demand_frame),
            households=float(demand_frame["households"].sum()),
        )
    with stages.stage("networks"):
        networks = road_networks(area, pbf=pbf_path, osm_name=osm_name)
        if networks is not None:
            stages.say(
                text("list_sep", stages.lang).join(
                    text("progress_nodes", stages.lang, mode=m, n=n.n_nodes)
                    for m, n in networks.items()
                )
            )
    with stages.stage("sites"):
        listed, skipped, source = _site_list(
            area, sites, config, crs, skip_bad_rows, networks, stages
        )
        site_frame, site_source = candidate_sites(
            area,
            demand_frame,
            config,
            sites=listed if listed is not None else _given(sites),
            source=source,
            pbf=osm_pbf,
        )
        counts = site_frame["tier"].value_counts()
        stages.tell(
            "progress_sites",
            points=int(counts.get(Tier.RECYCLING_POINT, 0)),
            centres=int(counts.get(Tier.SORTING_CENTRE, 0)),
            more="".join(
                text(
                    "progress_sites_tier",
                    stages.lang,
                    n=int(counts[t]),
                    tier=text(f"tier_{t}", stages.lang),
                )
                for t in (Tier.COLLECTION_MARKET, Tier.PROCESSING_BASE)
                if counts.get(t, 0)
            ),
            source=site_source,
        )
    note, note_key, note_params = "", None, {}
    if networks is None:
        # Said once the sites are known: trucks drive the highway graph where they all lie in it.
        highway = cost_modes(None, site_frame)["truck"] == "highway"
        note_key = "note_highway" if highway else "note_straight_line"
        note_params = {
            "factor": config.costs.detour_factor,
            "access": highway_access_kmh(config),
            "command": fetch_command(area),
        }
        note = text(note_key, "en", **note_params)
        stages.progress.note(printable(text(note_key, stages.lang, **note_params)))
    excluded = [] if listed is None else _excluded(listed)
    provenance = {
        "inputs": inputs,
        "sites_source": str(site_source),
        "skipped_rows": skipped.to_dict(orient="records"),
        "sites_excluded": excluded,
        "note": note,
        "note_key": note_key,
        "note_params": note_params,
        "household_size": demand_frame.attrs.get("household_size"),
        "network_meta": {m: n.meta for m, n in (networks or {}).items()},
    }
    with stages.stage("costs"):
        data, stranded = model_input(demand_frame, site_frame, config, networks)
        stages.tell("progress_pairs", walk=len(data.walk), truck=len(data.truck))
    return CityInputs(
        area, demand_frame, site_frame, data, stranded, networks, config, provenance, stages
    )


def _given(sites: Any) -> gpd.GeoDataFrame | None:
    return sites if isinstance(sites, gpd.GeoDataFrame) else None


def _site_list(
    area: StudyArea,
    sites: Any,
    config: Config,
    crs: str | None,
    skip_bad_rows: bool,
    networks: dict[str, Any] | None,
    stages: _Stages,
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame, Phrase]:
    """The usable rows of the site list (given, or named after the area), the rows left
    out with their reasons, and the list's name; (None, empty, ...) when no list is read."""
    no_rows = pd.DataFrame(columns=["row", "site_id", "field", "reason", "reason_zh"])
    path = None if isinstance(sites, gpd.GeoDataFrame) else sites or default_site_list(area.slug)
    if path is None:
        return None, no_rows, Phrase("src_sites_given")
    site_list = read_site_list(
        path,
        boundary=area.boundary,
        slug=area.cache_name,
        crs=crs,
        standards=config.sites,
        networks=networks,
    )
    skipped = site_list.accept(skip_bad_rows=skip_bad_rows)
    stages.tell("sites_report_crs", crs=site_list.crs, reason=site_list.crs_reason)
    for r in skipped.itertuples(index=False):
        reason = getattr(r, reason_column(stages.lang))
        stages.tell("sites_skipped_row", row=r.row, site_id=r.site_id, field=r.field, reason=reason)
    usable = site_list.sites[site_list.sites["tier"].isin(plannable_tiers())]
    if "far_from_road" in usable.columns and usable["far_from_road"].any():
        far = usable.loc[usable["far_from_road"], "site_id"].astype(str).tolist()
        ids = ", ".join(far[:10]) + (" ..." if len(far) > 10 else "")
        stages.tell("sites_far_snap", n=len(far), metres=config.sites.max_snap_distance_m, ids=ids)
    return usable, skipped, Phrase("src_site_list", path=str(path))


def _excluded(listed: gpd.GeoDataFrame) -> list[str]:
    return listed.loc[listed["status"] == SiteStatus.EXCLUDED, "site_id"].astype(str).tolist()


def _cached_pbf(area: StudyArea, osm_name: str | None = None) -> Path | None:
    """The area's clipped PBF from ``gxnet fetch`` (for demand evidence and OSM candidates)."""
    slug = fetched_slug(area, osm_name)
    if slug is None:
        return None
    from gxnet.osm.fetch import city_pbf

    return city_pbf(slug)


#: Targets a plan records with where they came from (provenance ``targets``).
_TARGETS = ("points", "coverage", "centres")


def plan_city(
    inputs: CityInputs,
    config: Config | None = None,
    phases: Sequence[Phase] | None = None,
    *,
    previous: Plan | None = None,
    fit: bool = False,
) -> Plan:
    """The model stage and the plan of a prepared city (:func:`prepare_city`), with its
    standards and targets or ``config``'s, ``phases`` and ``previous`` as in
    :func:`optimize_city`.

    With ``fit`` a number of points below what the township minimum (and county quota)
    needs lowers them (:func:`gxnet.model_choice.fit_minimums`) instead of being refused: a
    region's share of its target is such a number.
    """
    config = config or inputs.config
    area, demand, sites, stages = inputs.area, inputs.demand, inputs.sites, inputs.stages
    data, walk = inputs.data, inputs.walk
    networks, provenance = inputs.networks, dict(inputs.provenance)
    check = {"networks": networks, "stranded_points": inputs.stranded}
    explicit = {t for t in _TARGETS if getattr(config.targets, t) is not None}
    price = None
    if previous is not None:
        bonus = change_bonus(previous, sites, config.resolve.change_penalty)
        stages.tell("progress_preferred", n=len(bonus), penalty=config.resolve.change_penalty)

        def price(data: ModelInput, priced: Config, phase: Phase | None = None) -> ModelInput:
            # A phase prefers the old plan's sites of that phase or earlier: a site planned
            # for later is not pulled forward by its preference.
            return with_change_price(data, _by_phase(bonus, previous, phases, phase), priced)

    if phases:
        check_reachable(demand, data.points, walk, config, **check)
        with stages.stage("model", budget_s=config.solver.time_limit_s):
            phased = solve_phases(data, config, phases, stages.say, adjust=price, lang=stages.lang)
        solution, needs, config = phased.solution, phased.needs, phased.config
        applied = needs.groups is not None
    else:
        phased = None
        data, config, needs = with_targets(data, config, stages.say, lang=stages.lang, fit=fit)
        applied = data.minimums is not None
        check_reachable(demand, data.points, walk, config, **check)
        if price is not None:
            data = price(data, config)
        with stages.stage("model", budget_s=config.solver.time_limit_s):
            solution = solve_network(data, config)
            stages.tell(
                "progress_solution",
                model=model_words(solution.model, stages.lang),
                status=status_words(solution.quality(), stages.lang),
            )
    with stages.stage("plan"):
        links = {tier: pairs for tier, (_, pairs) in inputs.data.hubs().items()}
        plan = assemble_plan(
            area, demand, sites, walk, links, solution, config, townships=needs.table
        )
        provenance = provenance | {"township_minimum_applied": applied}
        if phased is not None:
            plan.sites["phase"] = site_phases(plan.sites, plan.links, phased.opened, phases)
            plan.metrics["phases"] = phase_figures(plan.sites, demand, walk, phases)
            provenance["phases"] = [str(p) for p in phases]
    plan.metrics["stage_seconds"] = dict(stages.seconds)
    plan.provenance.update(provenance)
    plan.provenance["targets"] = {
        t: {
            "value": getattr(config.targets, t),
            "source": "explicit" if t in explicit else "derived",
        }
        for t in _TARGETS
        if getattr(config.targets, t) is not None
    }
    plan.provenance["cost_mode"] = cost_modes(networks, sites)
    if plan.provenance["cost_mode"]["truck"] == "highway":
        from gxnet.osm.highways import HIGHWAY_TRUCK_KMH, load_highways

        plan.provenance["network_meta"]["truck"] = load_highways().meta | {
            "access_kmh": highway_access_kmh(config),
            "highway_kmh": HIGHWAY_TRUCK_KMH,
        }
    plan.provenance["times"] = dict(stages.seconds)
    return plan


def model_input(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    config: Config,
    networks: dict[str, Any] | None,
) -> tuple[ModelInput, list[str]]:
    """What the model stage reads: the sites of each tier and the travel pairs between them.

    Only points some demand can reach (or that must stay open) matter to the model and to the
    trucks; points with no site of the tier above (a market when the plan has markets, else a
    centre) within its truck standard are left out of the walk pairs (and returned, for the
    message that names them). Pairs link each tier to the one above it: points to markets,
    markets (or points) to centres, centres to bases.

    Returns
    -------
    (ModelInput, list of str)
        The model's input and the ids of the points left out for want of a site above.
    """
    of = {tier: sites[sites["tier"] == tier].reset_index(drop=True) for tier in TIERS}
    points = of[Tier.RECYCLING_POINT]
    walk = walk_costs(demand, points, config, networks)
    useful = points[
        points["site_id"].isin(walk["site_id"]) | points["status"].isin(KEPT)
    ].reset_index(drop=True)
    links: dict[Tier, pd.DataFrame] = {}
    below = useful
    for tier in TIERS[1:]:
        if len(of[tier]):
            links[tier] = truck_costs(below, of[tier], config, networks, tier)
            below = of[tier]
    first = next(t for t in TIERS[1:] if t in links)
    stranded = sorted(set(useful["site_id"]) - set(links[first][LINK_COLUMNS[first][0]]))
    walk = walk[~walk["site_id"].isin(stranded)]
    optional = {Tier.COLLECTION_MARKET: "market", Tier.PROCESSING_BASE: "base"}
    extra = {}
    for tier, name in optional.items():
        if tier in links:
            extra[f"{name}s"] = of[tier]
            extra[f"{name}_links"] = links[tier]
    data = ModelInput(
        demand, useful, of[Tier.SORTING_CENTRE], walk, links[Tier.SORTING_CENTRE], **extra
    )
    return data, stranded


def with_targets(
    data: ModelInput,
    config: Config,
    say: Callable[[str], None],
    *,
    lang: str = "en",
    fit: bool = False,
) -> tuple[ModelInput, Config, TownshipNeeds]:
    """The model's input with its grouped minimums (the township minimum and county quota,
    :func:`gxnet.model_choice.township_needs`) and the config with its number of points (the
    household standard's, raised to what the minimums need), each said through ``say`` in
    ``lang``. With ``fit`` a number of points below what the minimums need lowers them
    (:func:`gxnet.model_choice.fit_minimums`) instead."""
    if fit and config.targets.points is not None:
        needs, config = fit_minimums(
            data.demand, data.points, data.walk, config, config.targets.points, say, lang=lang
        )
    else:
        needs = township_needs(data.demand, data.points, data.walk, config)
    minimums = needs.groups
    _say_townships(needs, config, say, applied=minimums is not None, lang=lang)
    config = with_point_target(
        config,
        data.demand,
        data.points,
        say,
        needed=needs.needed if minimums is not None else 0,
        lang=lang,
    )
    return dataclasses.replace(data, minimums=minimums), config, needs


def _by_phase(
    bonus: pd.Series, previous: Plan, phases: Sequence[Phase] | None, phase: Phase | None
) -> pd.Series:
    """The preference of a re-solve's sites for ``phase``: those the previous plan opened in
    that phase or an earlier one (all of them without phases)."""
    if phase is None or not phases or "phase" not in previous.sites:
        return bonus
    names = [p.name for p in phases]
    if phase.name not in names:
        return bonus
    allowed = set(names[: names.index(phase.name) + 1])
    old = previous.sites.set_index("site_id")["phase"]
    return bonus[bonus.index.map(old).isin(allowed)]


def _say_townships(
    needs, config: Config, say: Callable[[str], None], *, applied: bool, lang: str
) -> None:
    """One progress line on the townships, in ``lang``: how many the minimum gives a point, how
    many go to mobile collection and why."""
    table = needs.table
    if table.empty:
        return
    mobile = table[~table["fixed"]]
    t = config.targets
    what = []
    if t.township_minimum and applied:
        what.append(text("progress_townships_minimum", lang, n=int(table["fixed"].sum())))
    if t.county_quota and applied:
        what.append(text("progress_townships_quota", lang))
    if mobile.empty:
        what.append(text("progress_townships_none", lang))
    else:
        no_site = int((mobile["reason"] == "no_site").sum())
        what.append(
            text(
                "progress_townships_mobile",
                lang,
                n=len(mobile),
                households=float(mobile["households"].sum()),
                no_site=no_site,
                few=len(mobile) - no_site,
                below=config.points.mobile_below_households,
            )
        )
    say(("；" if lang == "zh" else "; ").join(what))


def resolve_plan(
    plan: Plan,
    sites: str | os.PathLike[str],
    *,
    config: Config | None = None,
    pbf: str | os.PathLike[str] | None = None,
    crs: str | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Re-solve a plan with a district's new site list, as a planner means it.

    - Sites marked existing or required in the new list stay open.
    - Sites the new list withdraws (does not name, or marks excluded/排除) close; the diff
      names them with the reason.
    - The sites the old plan chose that the list still offers as candidates are preferred, not
      forced: a replacement must serve ``config.resolve.change_penalty`` (10 %) more households
      than the site it replaces (:mod:`gxnet.change`); new candidates can open.
    - Targets are those of ``config``; a number of points the old plan derived from the
      household standard is derived again (see :func:`resolve_config`).

    The demand of the plan is reused; the road networks come from ``pbf``, else the extract
    the plan recorded (if still on disk), else the cache, as in :func:`optimize_city`.

    Returns
    -------
    Plan
        The new plan, with its diff against ``plan`` as its ``changes`` and
        ``county_changes`` layers.
    """
    config = config or resolve_config(plan)
    demand = plan.demand.drop(
        columns=["point_id", "travel_s", "covered", "metres"], errors="ignore"
    )
    if pbf is None:
        # The extract the plan was made from, when it is still there (else the cache).
        recorded = plan.provenance.get("inputs", {}).get("pbf", {}).get("path")
        pbf = recorded if recorded and Path(recorded).is_file() else None
    phases = [parse_phase(text) for text in plan.provenance.get("phases", [])] or None
    inputs = prepare_city(
        plan_area(plan), sites=sites, demand=demand, config=config, pbf=pbf, crs=crs,
        skip_bad_rows=skip_bad_rows, progress=progress,
    )  # fmt: skip
    # A city of a region re-plans against its share (its count and phases) as the region did.
    share = "region_task" in plan.provenance
    new_plan = plan_city(inputs, config, phases=phases, previous=plan, fit=share)
    if "demand_townships" in plan.provenance:
        # The demand is the plan's: so are its township counts.
        new_plan.provenance.setdefault("demand_townships", plan.provenance["demand_townships"])
    new_plan.provenance["resolved_from"] = {
        "created_utc": plan.provenance.get("created_utc"),
        "inputs": plan.provenance.get("inputs", {}),
        "metrics": dict(plan.metrics),
        "change_penalty": config.resolve.change_penalty,
    }
    reasons = closing_reasons(plan, new_plan.sites, new_plan.provenance.get("sites_excluded", []))
    diff = plan.diff(new_plan, reasons=reasons, moved_within_m=config.resolve.moved_within_m)
    new_plan.changes, new_plan.county_changes = diff.sites, diff.counties
    return new_plan


def plan_area(plan: Plan) -> StudyArea:
    """The study area a plan was made for (its region, or its recorded outline and name)."""
    source = plan.provenance.get("area", {})
    if source.get("kind") == "region":
        return study_area(str(source["adcode"]))
    area = study_area(wkt.loads(source["wkt"]))
    return dataclasses.replace(
        area, name=plan.provenance.get("area_name", area.name), slug=plan.slug, source=source
    )


def config_of(plan: Plan) -> Config:
    """The standards a plan was made with (as recorded in its provenance), with the targets
    it was given; a number of points it derived from the household standard is left unset,
    to be derived again."""
    recorded = plan.provenance.get("standards") or {}
    flat = {
        f"{section}.{key}": value
        for section, values in recorded.items()
        if section in {f.name for f in dataclasses.fields(Config)}
        for key, value in values.items()
    }
    targets = recorded.get("targets", {})
    sources = plan.provenance.get("targets") or {}
    given = {
        k: None if (sources.get(k) or {}).get("source") == "derived" else targets.get(k)
        for k in _TARGETS
    }
    config = Config().override(flat, source=Phrase("where_plan_provenance"))
    return dataclasses.replace(config, targets=dataclasses.replace(config.targets, **given))


def resolve_config(
    plan: Plan, config_file: str | os.PathLike[str] | None = None, **options: Any
) -> Config:
    """The configuration of a re-solve: the plan's standards and given targets
    (:func:`config_of`), then what ``gxnet.toml`` (or ``config_file``) sets, then
    ``options`` (the command line's, as :meth:`gxnet.config.Config.with_options` takes them).
    """
    from gxnet.config import load_config

    return load_config(config_file, base=config_of(plan)).with_options(**options)


def save_outputs(
    plan: Plan,
    out: str | os.PathLike[str] | None = None,
    *,
    plan_dir: str | os.PathLike[str] | None = None,
    basemap: str | None = None,
    lang: str = "zh",
    progress: Progress | None = None,
) -> OutputUnit:
    """Save the plan folder (with its workbook and tables in ``lang``) and its map as one unit
    (:class:`gxnet.outputs.OutputUnit`), reported as the stage ``outputs``.

    The unit is ``<out>/plans/<slug>`` and ``<out>/maps/<slug>.html`` (default
    :data:`gxnet.settings.plans_dir` and :data:`gxnet.settings.maps_dir`), or ``plan_dir``
    and the map it records. Both places are checked before anything is written. ``basemap``
    None is AMap for Chinese and OpenStreetMap for English.

    Raises
    ------
    OutputError
        When a folder is read-only or not a folder.
    PlanBusyError
        When another run is writing the unit.
    """
    unit = OutputUnit.of_folder(plan_dir) if plan_dir else OutputUnit.of(plan.slug, out)
    stages = _Stages(progress)
    with unit.hold(stages.progress.write), stages.stage("outputs"):
        unit.replace(plan, basemap=basemap, lang=lang)
    return unit
