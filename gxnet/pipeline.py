"""The planner's main job, end to end: study area -> demand -> sites -> costs -> model -> Plan.

:func:`optimize_city` joins the stages in one direction::

    area (gxnet.regions, or a polygon file)
      -> demand (gxnet.demand: census cells, or the planner's own file)
      -> sites (gxnet.sites: a site list, OSM candidates, or demand-cell centres)
      -> road networks (gxnet.osm: cache or --pbf; else straight line x detour factor)
      -> costs (gxnet.costs: walk demand -> points within the standard, drive points -> centres)
      -> model (gxnet.optimize: covering models, or the two-tier network with capacities)
      -> Plan (gxnet.plan)

Every fallback (no road network, no site list, no OSM data) is said in the progress lines and
recorded in the plan's provenance, so that the map can show it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import wkt
from shapely.geometry.base import BaseGeometry

from gxnet import __version__, settings
from gxnet._errors import InfeasibleProblemError, InputFileError, UserInputError
from gxnet.config import Config, PointStandards
from gxnet.crs import utm_crs
from gxnet.osm.pbf import file_sha256
from gxnet.plan import CENTRE, POINT, Plan, check_writable, measure

#: Suffixes read as a study-area polygon file when given in place of a city name.
AREA_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".kml")

#: Said in the output, the provenance and on the map when no road network is on disk.
STRAIGHT_LINE_NOTE = (
    "no road network on disk: travel is estimated as straight-line distance x {factor} "
    "(detour factor); run `{command}` (or give --pbf FILE) for real road times"
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StudyArea:
    """Where the plan is made.

    Attributes
    ----------
    name
        Shown in titles: the region's Chinese name, or the area file's stem.
    slug
        Folder and file name of outputs (``wuzhou``).
    boundary
        (Multi)Polygon in WGS-84.
    region
        The :class:`gxnet.regions.Region` when the area is a Guangxi city or county, else None.
    source
        Provenance: ``{"kind": "region", "adcode": ...}`` or ``{"kind": "file", "path": ...,
        "sha256": ..., "wkt": ...}``.
    """

    name: str
    slug: str
    boundary: BaseGeometry
    region: Any | None
    source: dict[str, Any]


def study_area(city_or_area: str | os.PathLike[str] | BaseGeometry | StudyArea) -> StudyArea:
    """The study area of a city or county name, an adcode, a polygon file or a polygon.

    Raises
    ------
    UnknownRegionError
        For a name that is not a Guangxi city or county (with the closest matches).
    InputFileError
        For a polygon file that cannot be read or holds no polygon.
    """
    if isinstance(city_or_area, StudyArea):
        return city_or_area
    if isinstance(city_or_area, BaseGeometry):
        return StudyArea("study area", "area", city_or_area, None, {"kind": "geometry"})
    text = str(city_or_area)
    if isinstance(city_or_area, os.PathLike) or text.lower().endswith(AREA_SUFFIXES):
        return _area_from_file(Path(text))
    from gxnet.regions import get_region

    region = get_region(text)
    return StudyArea(
        region.name_zh,
        region.slug,
        region.boundary,
        region,
        {"kind": "region", "adcode": int(region.adcode), "name": region.name_zh},
    )


def _area_from_file(path: Path) -> StudyArea:
    from gxnet.osm.fetch import read_area

    boundary = read_area(path)
    return StudyArea(
        path.stem,
        _slugify(path.stem),
        boundary,
        None,
        {"kind": "file", "path": str(path), "sha256": file_sha256(path), "wkt": boundary.wkt},
    )


def _slugify(name: str) -> str:
    slug = "".join(c.lower() if c.isalnum() and c.isascii() else "-" for c in name).strip("-")
    return "-".join(part for part in slug.split("-") if part) or "area"


# ---- stages -----------------------------------------------------------------------------


def load_demand(
    area: StudyArea,
    config: Config,
    *,
    demand: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    pbf: Path | None = None,
) -> gpd.GeoDataFrame:
    """Demand units of the area with households > 0.

    From ``demand`` (a planner's file or a GeoDataFrame) when given; else from the census
    (Guangxi regions only); else from a study-area file that carries households or population.

    Raises
    ------
    InputFileError
        For an area outside Guangxi without demand, or a demand file that cannot be used.
    """
    if isinstance(demand, gpd.GeoDataFrame):
        frame = demand
    elif demand is not None:
        from gxnet.demand import read_demand

        frame = read_demand(demand, standards=config.demand)
    elif area.region is not None:
        from gxnet.demand import build_demand

        frame = build_demand(
            area.region,
            cell_size_m=config.grid.cell_size_m,
            grid=config.grid.kind,
            pbf=pbf,
            standards=config.demand,
        )
    elif len(counties := guangxi_counties(area.boundary)):
        from gxnet.demand import build_demand

        # The census is per county: place each county's people over the whole county, then
        # keep the units inside the study area.
        frame = build_demand(
            counties.geometry.union_all(),
            counties=counties,
            cell_size_m=config.grid.cell_size_m,
            grid=config.grid.kind,
            pbf=pbf,
            standards=config.demand,
        )
        frame = frame[shapely.contains_xy(area.boundary, frame.geometry.x, frame.geometry.y)]
    elif area.source.get("kind") == "file":
        from gxnet.demand import read_demand

        try:
            frame = read_demand(area.source["path"], standards=config.demand)
        except InputFileError as exc:
            raise InputFileError(
                "a study area outside Guangxi has no census: give --demand FILE (points or "
                f"polygons with households or population), or add such a column ({exc})",
                path=area.source["path"],
            ) from exc
    else:
        raise UserInputError("a study area outside Guangxi has no census: give a demand table")
    frame = frame[frame["households"] > 0].reset_index(drop=True)
    if frame.empty:
        raise InputFileError("the demand holds no households inside the study area")
    if "cell" not in frame.columns:
        frame["cell"] = gpd.GeoSeries([None] * len(frame), crs="EPSG:4326")
    return frame


def guangxi_counties(boundary: BaseGeometry) -> gpd.GeoDataFrame:
    """The Guangxi counties (with their census) that a study area overlaps; empty outside."""
    from gxnet.regions import boundaries

    counties = boundaries(level="county")
    overlap = shapely.intersection(counties.geometry.to_numpy(), boundary)
    # Touching along a border is no overlap.
    return counties[shapely.area(overlap) > 0].reset_index(drop=True)


def candidate_sites(
    area: StudyArea,
    demand: gpd.GeoDataFrame,
    config: Config,
    *,
    sites: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    pbf: Path | None = None,
    skip_bad_rows: bool = False,
) -> tuple[gpd.GeoDataFrame, str]:
    """Candidate and existing sites, and where they came from.

    The first of: ``sites`` (a file or a GeoDataFrame), ``<sites_dir>/<slug>.*``, OSM
    candidates from ``pbf``, candidate points at the demand-cell centres. Sorting-centre
    candidates that the list lacks are added (see :func:`grid_centres`).

    Returns
    -------
    (GeoDataFrame, str)
        The sites (the columns of :func:`gxnet.sites.read_sites`) and a sentence on their source.

    Raises
    ------
    InputFileError
        When the site list has rejected rows and ``skip_bad_rows`` is false (the rows are
        listed with their reasons).
    """
    from gxnet.sites import osm_candidates, read_sites

    if sites is None:
        found = sorted(Path(settings.sites_dir).glob(f"{area.slug}.*"))
        sites = found[0] if found else None
    if isinstance(sites, gpd.GeoDataFrame):
        frame, said = sites, "the sites of the plan and the new list"
    elif sites is not None:
        listed = read_sites(sites, boundary=area.boundary, standards=config.sites)
        _refuse_rejected(listed.report, sites, skip_bad_rows)
        frame, said = listed.sites, f"the site list {sites}"
    elif pbf is not None:
        frame = osm_candidates(pbf, area.boundary)
        said = f"OpenStreetMap shops, markets and amenities in {Path(pbf).name} (no site list)"
    else:
        frame = gpd.GeoDataFrame(columns=["site_id", "tier"], geometry=[], crs="EPSG:4326")
        said = "none"
    frame = frame[frame["status"] != "excluded"] if "status" in frame.columns else frame
    if not (frame["tier"] == POINT).any():
        frame = pd.concat([frame, grid_points(demand, config)], ignore_index=True)
        said = "candidate points at the demand-cell centres (no site list, no OSM data)"
    if not (frame["tier"] == CENTRE).any():
        frame = pd.concat([frame, grid_centres(demand, config)], ignore_index=True)
        said += "; sorting-centre candidates at the most populous cell of each block"
    frame = frame[frame["tier"].isin([POINT, CENTRE])].reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"), said


def _refuse_rejected(report: pd.DataFrame, path: Any, skip_bad_rows: bool) -> None:
    rejected = report[report["action"] == "rejected"]
    if rejected.empty or skip_bad_rows:
        return
    lines = [
        f"  row {r.row}: {r.field}: {r.reason}" for r in rejected.head(10).itertuples(index=False)
    ]
    more = f"\n  ... and {len(rejected) - 10} more" if len(rejected) > 10 else ""
    raise InputFileError(
        f"{len(rejected)} rows rejected:\n" + "\n".join(lines) + more + "\nfix them, or run "
        "again with --skip-bad-rows to plan with the other rows (`gxnet sites check` reports "
        "the whole list)",
        path=str(path),
    )


def grid_points(demand: gpd.GeoDataFrame, config: Config) -> gpd.GeoDataFrame:
    """One candidate point site at each demand unit's centre (a location for one or more points)."""
    return _grid_sites(demand, "g-", "grid ", POINT, config.points.fixed_cost)


def grid_centres(demand: gpd.GeoDataFrame, config: Config) -> gpd.GeoDataFrame:
    """Sorting-centre candidates: the most populous demand unit of each square block.

    The block's side is two thirds of the truck standard's straight-line reach, so that every
    point has a candidate centre within the standard wherever demand is spread evenly.
    """
    c = config.centres
    reach_m = c.truck_minutes * 60 * c.truck_speed_kmh / 3.6 / config.costs.detour_factor
    x, y = _metric_xy(demand.geometry)
    side = max(reach_m / 1.5, 1.0)
    block = np.floor(x / side).astype(np.int64) * 1_000_003 + np.floor(y / side).astype(np.int64)
    best = demand["households"].groupby(block).idxmax().to_numpy()
    return _grid_sites(demand.loc[np.sort(best)], "c-", "centre near ", CENTRE, c.fixed_cost)


def _grid_sites(
    units: gpd.GeoDataFrame, prefix: str, name: str, tier: str, fixed_cost: float
) -> gpd.GeoDataFrame:
    """Candidate sites at demand units, in the columns of a site list (source "grid")."""
    ids = units["demand_id"].astype(str)
    return gpd.GeoDataFrame(
        {
            "site_id": prefix + ids,
            "name": name + ids,
            "tier": tier,
            "status": "candidate",
            "capacity": np.inf,
            "fixed_cost": fixed_cost,
            "source": "grid",
        },
        geometry=units.geometry.values,
        crs="EPSG:4326",
    )


def _metric_xy(points: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Points in metres, in the UTM zone of their centre."""
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    to_utm = Transformer.from_crs("EPSG:4326", utm_crs(lon, lat), always_xy=True)
    x, y = to_utm.transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def road_networks(
    area: StudyArea, *, pbf: Path | None = None, osm_name: str | None = None
) -> dict[str, Any] | None:
    """Walk and drive networks of the area: built from ``pbf`` (and cached), else the cache of
    a city or county from ``gxnet fetch``, else None.

    None means no road network is on disk; the caller falls back to straight-line costs.
    """
    from gxnet.osm import fetch

    modes = ("walk", "drive")
    if pbf is not None:
        target = area.region if area.region is not None else area.boundary
        return fetch.fetch_city(target, slug=area.slug, source="pbf", pbf=pbf, modes=modes)
    slug = _fetched_slug(area, osm_name)
    if slug is None or not all(fetch.network_path(slug, m).is_file() for m in modes):
        return None
    return {mode: fetch.load_network(slug, mode) for mode in modes}


def _fetched_slug(area: StudyArea, osm_name: str | None = None) -> str | None:
    """The cache folder of ``gxnet fetch`` for the area: ``osm_name``, else a region's, else the
    one fetched for the same polygon (``gxnet fetch --area FILE --name N``)."""
    from gxnet.osm import fetch

    if area.region is not None and osm_name is None:
        return area.slug
    return fetch.fetched_slug(area.boundary, osm_name)


def _lonlat(geometry: gpd.GeoSeries) -> np.ndarray:
    return np.column_stack([geometry.x.to_numpy(), geometry.y.to_numpy()])


def _walk_pairs(
    demand: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    config: Config,
    networks: dict[str, Any] | None,
    max_m: float,
) -> pd.DataFrame:
    """Walk pairs (origin, destination, metres) within ``max_m`` metres, by road or estimate."""
    from gxnet.costs import straight_line_costs, travel_costs

    origins, destinations = _lonlat(demand.geometry), _lonlat(points.geometry)
    if networks is None:
        return straight_line_costs(
            origins, destinations, max_m, speed_mps=1.0, detour_factor=config.costs.detour_factor
        )
    walk = networks["walk"]
    access = config.points.speed_mps("urban")
    with np.errstate(divide="ignore", invalid="ignore"):
        edge_speed = walk.length_m / walk.time_s
    # A time cutoff that keeps every pair within max_m, whatever the speed of its edges.
    slowest = min(float(np.nanmin(edge_speed[np.isfinite(edge_speed)], initial=access)), access)
    pairs = travel_costs(walk, origins, destinations, max_m / slowest, access_speed_mps=access)
    return pairs[pairs["metres"] <= max_m]


def nearest_point_m(
    demand: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    config: Config,
    networks: dict[str, Any] | None,
    max_m: float,
) -> np.ndarray:
    """Distance from each demand unit to its nearest candidate point (inf beyond ``max_m``)."""
    pairs = _walk_pairs(demand, points, config, networks, max_m)
    nearest = np.full(len(demand), np.inf)
    np.minimum.at(nearest, pairs["origin"].to_numpy(), pairs["metres"].to_numpy(dtype=float))
    return nearest


def walk_costs(
    demand: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    config: Config,
    networks: dict[str, Any] | None,
) -> pd.DataFrame:
    """Demand -> point pairs within each demand unit's service radius.

    Returns
    -------
    DataFrame
        ``demand_id, site_id, metres, travel_s``: ``metres`` along the walk network (or
        straight line x detour factor), ``travel_s`` that distance at the setting's speed
        (walking in urban areas, riding in rural ones).
    """
    p = config.points
    radius = np.where(
        demand["setting"].to_numpy() == "urban", p.service_radius_m_urban, p.service_radius_m_rural
    )
    speed = np.where(
        demand["setting"].to_numpy() == "urban", p.speed_mps("urban"), p.speed_mps("rural")
    )
    pairs = _walk_pairs(demand, points, config, networks, float(radius.max()))
    o = pairs["origin"].to_numpy()
    metres = pairs["metres"].to_numpy(dtype=np.float64)
    keep = metres <= radius[o]
    o, d, metres = o[keep], pairs["destination"].to_numpy()[keep], metres[keep]
    return pd.DataFrame(
        {
            "demand_id": demand["demand_id"].to_numpy()[o],
            "site_id": points["site_id"].to_numpy()[d],
            "metres": metres,
            "travel_s": metres / speed[o],
        }
    )


def truck_costs(
    points: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    config: Config,
    networks: dict[str, Any] | None,
) -> pd.DataFrame:
    """Point -> centre pairs within the truck standard: ``point_id, centre_id, travel_s``."""
    from gxnet.costs import straight_line_costs, travel_costs

    c = config.centres
    cutoff_s = c.truck_minutes * 60
    origins, destinations = _lonlat(points.geometry), _lonlat(centres.geometry)
    if networks is None:
        pairs = straight_line_costs(
            origins,
            destinations,
            cutoff_s,
            speed_mps=c.truck_speed_kmh / 3.6,
            detour_factor=config.costs.detour_factor,
        )
    else:
        pairs = travel_costs(networks["drive"], origins, destinations, cutoff_s)
    return pd.DataFrame(
        {
            "point_id": points["site_id"].to_numpy()[pairs["origin"].to_numpy()],
            "centre_id": centres["site_id"].to_numpy()[pairs["destination"].to_numpy()],
            "travel_s": pairs["seconds"].to_numpy(dtype=np.float64),
        }
    )


def check_reachable(
    demand: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    walk: pd.DataFrame,
    config: Config,
    networks: dict[str, Any] | None,
    *,
    stranded_points: list[str] | None = None,
) -> None:
    """Refuse a coverage target that the candidate points cannot reach, saying what would fix it.

    Raises
    ------
    InfeasibleProblemError
        Naming the demand units out of reach (households, county, where), the distance to the
        nearest candidate, and the radius, coverage or site that would make the target feasible.
    """
    target = config.targets.coverage if config.targets.points is None else None
    if target is None:
        return
    reachable = demand["demand_id"].isin(walk["demand_id"]).to_numpy()
    households = demand["households"].to_numpy(dtype=float)
    share = households[reachable].sum() / households.sum()
    if share >= target - 1e-9:
        return
    out = demand[~reachable]
    p = config.points
    # Search a few radii out: far enough to name a fix, bounded so that the search stays cheap.
    reach = 4 * max(p.service_radius_m_urban, p.service_radius_m_rural)
    road_m = nearest_point_m(out, points, config, networks, reach)
    worst = out.assign(road_m=road_m).sort_values("households", ascending=False)
    examples = "; ".join(
        f"{r.demand_id} ({r.households:,.0f} households, {r.setting}, county {r.county_adcode}, "
        f"{r.geometry.x:.4f},{r.geometry.y:.4f}, nearest candidate "
        + (f"{r.road_m:,.0f} m)" if math.isfinite(r.road_m) else f"beyond {reach:,.0f} m)")
        for r in worst.head(5).itertuples()
    )
    fixes = ["add candidate sites near them (--sites)"]
    for setting, flag in (("urban", "--service-radius-m"), ("rural", "--rural-service-radius-m")):
        part = worst[worst["setting"] == setting]
        if len(part) and np.isfinite(part["road_m"]).all():
            fixes.append(
                f"raise {flag} from {p.service_radius_m(setting):,.0f} to "
                f"{math.ceil(part['road_m'].max() / 100) * 100:,.0f}"
            )
    fixes.append(f"lower --coverage to {math.floor(share * 1000) / 1000:.3f}")
    note = ""
    if stranded_points:
        note = (
            f" {len(stranded_points)} candidate points have no sorting centre within "
            f"{config.centres.truck_minutes:g} truck minutes and were left out (e.g. "
            f"{', '.join(stranded_points[:5])}): add a centre candidate or raise --truck-minutes."
        )
    raise InfeasibleProblemError(
        f"coverage target {target:.1%} cannot be met: {len(out):,} demand units "
        f"({out['households'].sum():,.0f} households) have no candidate point within the service "
        f"standard, so at most {share:.1%} can be covered. Largest: {examples}. To fix: "
        + "; or ".join(fixes)
        + "."
        + note
    )


# ---- the job ----------------------------------------------------------------------------


class _Stages:
    """Times each stage and reports it through ``progress``."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or (lambda line: None)
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, doing: str) -> Iterator[None]:
        self.progress(f"[{len(self.seconds) + 1}] {name}: {doing} ...")
        tic = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - tic, 3)

    def say(self, line: str) -> None:
        self.progress(f"    {line}")


def optimize_city(
    city_or_area: str | os.PathLike[str] | BaseGeometry | StudyArea,
    *,
    sites: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    demand: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    config: Config | None = None,
    pbf: str | os.PathLike[str] | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
    osm_name: str | None = None,
) -> Plan:
    """Plan recycling points and sorting centres for a city, a county or any study area.

    Parameters
    ----------
    city_or_area
        A Guangxi city or county (``"wuzhou"``, ``"梧州"``, ``450400``), a polygon file, or a
        shapely polygon in WGS-84.
    sites
        A site list (CSV, XLSX, GeoJSON, GeoPackage) or a GeoDataFrame of sites; default
        ``data/sites/<slug>.*``, else OSM candidates, else demand-cell centres.
    demand
        A demand file or GeoDataFrame (households or population); default the census.
    config
        Standards and targets; default :func:`gxnet.config.load_config` of the working folder.
    pbf
        An OpenStreetMap extract for the road networks (and OSM candidates and demand evidence);
        default the cached networks of the city, else straight-line distance x detour factor.
    skip_bad_rows
        Plan with the valid rows of a site list that has rejected rows (else an error).
    progress
        Called with one line per stage (the CLI prints them).
    osm_name
        The name ``gxnet fetch --area FILE --name N`` cached the area's OSM data under; default
        the city's, or the cache fetched for the same outline (found by its hash).

    Returns
    -------
    Plan

    Raises
    ------
    UserInputError
        Unknown city, unusable files, rejected site rows, targets that cannot be met (the
        message says which demand and what would fix it).
    """
    from gxnet.config import load_config

    config = config or load_config()
    stages = _Stages(progress)
    pbf_path = Path(pbf) if pbf is not None else None
    inputs: dict[str, Any] = {}
    for name, value in (("sites", sites), ("demand", demand), ("pbf", pbf_path)):
        if value is not None and not isinstance(value, gpd.GeoDataFrame):
            if not Path(value).is_file():
                raise InputFileError("no such file", path=str(value))
            inputs[name] = {"path": str(value), "sha256": file_sha256(value)}
    with stages.stage("area", f"{city_or_area}"):
        area = study_area(city_or_area)
        stages.say(f"{area.name} ({area.slug})")
    osm_pbf = pbf_path or _cached_pbf(area, osm_name)
    with stages.stage("demand", "households"):
        demand_frame = load_demand(area, config, demand=demand, pbf=osm_pbf)
        stages.say(
            f"{len(demand_frame):,} demand units, "
            f"{demand_frame['households'].sum():,.0f} households"
        )
    with stages.stage("sites", "candidate sites"):
        site_frame, site_source = candidate_sites(
            area, demand_frame, config, sites=sites, pbf=osm_pbf, skip_bad_rows=skip_bad_rows
        )
        stages.say(
            f"{(site_frame['tier'] == POINT).sum():,} point and "
            f"{(site_frame['tier'] == CENTRE).sum():,} centre sites from {site_source}"
        )
    with stages.stage("networks", "road networks"):
        networks = road_networks(area, pbf=pbf_path, osm_name=osm_name)
        if networks is None:
            note = STRAIGHT_LINE_NOTE.format(
                factor=config.costs.detour_factor, command=_fetch_command(area)
            )
            stages.say("NOTE: " + note)
        else:
            note = ""
            stages.say(", ".join(f"{m}: {n.n_nodes:,} nodes" for m, n in networks.items()))
    return _solve_and_plan(
        area,
        demand_frame,
        site_frame,
        config,
        networks,
        stages,
        provenance={
            "inputs": inputs,
            "sites_source": site_source,
            "note": note,
            "household_size": demand_frame.attrs.get("household_size"),
            "network_meta": {m: n.meta for m, n in (networks or {}).items()},
        },
    )


def _cached_pbf(area: StudyArea, osm_name: str | None = None) -> Path | None:
    """The city's clipped PBF from ``gxnet fetch`` (for demand evidence and OSM candidates)."""
    slug = _fetched_slug(area, osm_name)
    if slug is None:
        return None
    from gxnet.osm.fetch import city_pbf

    return city_pbf(slug)


def _fetch_command(area: StudyArea) -> str:
    """The ``gxnet fetch`` that builds the area's road networks (for the straight-line note)."""
    from gxnet.osm.fetch import fetch_command

    if area.region is not None:
        return fetch_command(area.slug)
    return fetch_command(area=area.source.get("path"), name=area.slug)


def _solve_and_plan(
    area: StudyArea,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    config: Config,
    networks: dict[str, Any] | None,
    stages: _Stages,
    provenance: dict[str, Any],
) -> Plan:
    points = sites[sites["tier"] == POINT].reset_index(drop=True)
    centres = sites[sites["tier"] == CENTRE].reset_index(drop=True)
    with stages.stage("costs", "travel costs"):
        walk = walk_costs(demand, points, config, networks)
        # Only points some demand can reach matter to the model and to the trucks.
        useful = points[
            points["site_id"].isin(walk["site_id"])
            | points["status"].isin(["existing", "required"])
        ].reset_index(drop=True)
        truck = truck_costs(useful, centres, config, networks)
        stranded = sorted(set(useful["site_id"]) - set(truck["point_id"]))
        walk = walk[~walk["site_id"].isin(stranded)]
        stages.say(f"{len(walk):,} walk pairs, {len(truck):,} truck pairs")
    config = _with_point_target(config, demand, useful, stages)
    check_reachable(demand, useful, walk, config, networks, stranded_points=stranded)
    with stages.stage("model", f"{config.solver.name} solve"):
        solution = solve_network(ModelInput(demand, useful, centres, walk, truck), config)
        stages.say(
            f"{solution.model}: {solution.status}"
            + (f", gap {solution.gap:.2%}" if solution.gap is not None else "")
        )
    with stages.stage("plan", "assemble"):
        plan = assemble_plan(area, demand, sites, walk, truck, solution, config)
    plan.metrics["stage_seconds"] = dict(stages.seconds)
    plan.provenance.update(provenance)
    plan.provenance["cost_mode"] = "straight_line" if networks is None else "road"
    plan.provenance["times"] = dict(stages.seconds)
    return plan


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


def _with_point_target(
    config: Config, demand: pd.DataFrame, points: pd.DataFrame, stages: _Stages
) -> Config:
    """The config with the household standard's number of points when no target is given."""
    t = config.targets
    if t.points is not None or t.coverage is not None:
        return config
    wanted = standard_points(demand, config.points)
    kept = int(points["status"].isin(["existing", "required"]).sum())
    open_able = int((points["status"] != "excluded").sum())
    n = min(max(wanted, kept), open_able)
    stages.say(
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
    """

    demand: pd.DataFrame
    points: pd.DataFrame
    centres: pd.DataFrame
    walk: pd.DataFrame
    truck: pd.DataFrame


def solve_network(data: ModelInput, config: Config):  # -> gxnet.optimize.Solution
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

    Returns
    -------
    gxnet.optimize.Solution
        Both tiers' open sites and assignments; for the covering pair the status is the weaker
        of the two solves and the gap the larger.
    """
    from gxnet.optimize import (
        LocationSetCovering,
        MaximalCovering,
        PMedian,
        Problem,
        Solution,
        SolverOptions,
        Targets,
    )

    s, t = config.solver, config.targets
    options = SolverOptions(
        solver=s.name, time_limit_s=s.time_limit_s, gap_rel=s.gap, threads=s.threads, seed=s.seed
    )
    capacities = pd.to_numeric(data.points["capacity"], errors="coerce")
    if np.isfinite(capacities).any() or math.isfinite(config.centres.capacity_t_day):
        return _solve_two_tier(data, config, options)
    demand, points, centres, walk, truck = (
        data.demand,
        data.points,
        data.centres,
        data.walk,
        data.truck,
    )
    columns = ["site_id", "status", "fixed_cost"]
    first = Problem.from_tables(
        demand[["demand_id", "households"]],
        points[columns],
        walk.rename(columns={"travel_s": "cost"})[["demand_id", "site_id", "cost"]],
        targets=Targets(n_points=t.points, coverage_share=t.coverage),
    )
    if t.points is not None:
        point_model = MaximalCovering.from_problem(first)
    else:
        point_model = LocationSetCovering.from_problem(first)
    chosen_points = point_model.solve(options)
    if not chosen_points.has_solution:
        return chosen_points
    served = chosen_points.assignments[POINT]
    weight = demand.set_index("demand_id")["households"].reindex(served["origin_id"]).to_numpy()
    load = pd.Series(weight, index=served["site_id"].to_numpy()).groupby(level=0).sum()
    opened = pd.DataFrame({"demand_id": chosen_points.open_sites[POINT]})
    opened["households"] = opened["demand_id"].map(load).fillna(0.0)
    pairs = truck[truck["point_id"].isin(opened["demand_id"])]
    second = Problem.from_tables(
        opened,
        centres[columns],
        pairs.rename(columns={"point_id": "demand_id", "centre_id": "site_id", "travel_s": "cost"}),
        targets=Targets(n_points=t.centres),
    )
    if t.centres is not None:
        centre_model = PMedian.from_problem(second)
    else:
        centre_model = LocationSetCovering.from_problem(second)
    # The time limit is the model stage's: the centres get what the points left (at least a
    # tenth of it; their problem is small).
    spent = chosen_points.build_time_s + chosen_points.solve_time_s
    left = max(s.time_limit_s - spent, s.time_limit_s / 10)
    chosen_centres = centre_model.solve(dataclasses.replace(options, time_limit_s=left))
    runs = (chosen_points, chosen_centres)
    statuses = [r.status for r in runs]
    status = next(
        (x for x in ("no solution", "infeasible", "feasible") if x in statuses), "optimal"
    )
    gaps = [r.gap for r in runs if r.gap is not None]
    return Solution(
        status,
        chosen_points.objective,
        chosen_points.bound,
        max(gaps) if gaps else None,
        open_sites={POINT: chosen_points.open_sites[POINT]}
        | ({CENTRE: chosen_centres.open_sites[POINT]} if chosen_centres.has_solution else {}),
        assignments={POINT: served}
        | ({CENTRE: chosen_centres.assignments[POINT]} if chosen_centres.has_solution else {}),
        build_time_s=sum(r.build_time_s for r in runs),
        solve_time_s=sum(r.solve_time_s for r in runs),
        solver=chosen_points.solver,
        model=f"{chosen_points.model} (points), {chosen_centres.model} (centres)",
    )


def _solve_two_tier(data: ModelInput, config: Config, options: Any):  # -> Solution
    """Both tiers in one capacitated model (:class:`gxnet.optimize.TwoTierNetwork`)."""
    from gxnet.optimize import Problem, Targets, TwoTierNetwork

    demand, t = data.demand, config.targets
    table = pd.concat(
        [
            data.points[["site_id", "tier", "status", "capacity", "fixed_cost"]],
            data.centres[["site_id", "tier", "status", "fixed_cost"]].assign(
                capacity=config.centres.capacity_t_day
            ),
        ],
        ignore_index=True,
    )
    table["fixed_cost"] = table["fixed_cost"].fillna(
        table["tier"].map({POINT: config.points.fixed_cost, CENTRE: config.centres.fixed_cost})
    )
    problem = Problem.from_tables(
        demand[["demand_id", "households"]],
        table,
        data.walk.rename(columns={"travel_s": "cost"})[["demand_id", "site_id", "cost"]],
        links=data.truck.rename(columns={"travel_s": "cost"}),
        targets=Targets(n_points=t.points, coverage_share=t.coverage, n_centres=t.centres),
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
        uncovered_penalty=None if t.points is None else 10 * float(table["fixed_cost"].max()),
    )
    return model.solve(options)


def assemble_plan(
    area: StudyArea,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    walk: pd.DataFrame,
    truck: pd.DataFrame,
    solution: Any,
    config: Config,
) -> Plan:
    """The Plan of a solved model: who is served by which point, loads, links, figures."""
    if not solution.has_solution:
        raise InfeasibleProblemError(
            f"the solver found no plan ({solution.status}); relax the targets (--coverage, "
            "--points, --centres) or the standards, or allow a longer --time-limit"
        )
    open_ids = {i for ids in solution.open_sites.values() for i in ids}
    demand_out = _assign_demand(demand, walk, open_ids, solution)
    p = config.points
    served = demand_out[demand_out["point_id"] != ""]
    by_point = served.groupby("point_id")
    urban = served["households"].where(served["setting"] == "urban", 0.0)
    hh_urban = urban.groupby(served["point_id"]).sum()
    hh_rural = (served["households"] - urban).groupby(served["point_id"]).sum()
    kg = (
        served["recyclables_kg_day"]
        if "recyclables_kg_day" in served
        else pd.Series(0.0, index=served.index)
    )
    kg_by_point = kg.groupby(served["point_id"]).sum()

    out = sites.copy()
    ids = out["site_id"]
    out["chosen"] = ids.isin(open_ids).to_numpy()
    out["households_served"] = ids.map(by_point["households"].sum()).fillna(0.0).to_numpy()
    split = solution.assignments.get(POINT)
    if split is not None and len(split) and (split["share"] < 1).any():
        # A capacitated model may split a unit between points: count each point's share.
        weight = split["origin_id"].map(demand.set_index("demand_id")["households"])
        shares = (split["share"] * weight).groupby(split["site_id"]).sum()
        out["households_served"] = ids.map(shares).fillna(0.0).to_numpy()
    needed = np.ceil(
        ids.map(hh_urban).fillna(0.0) / p.households_per_point_urban
        + ids.map(hh_rural).fillna(0.0) / p.households_per_point_rural
    )
    capacity_given = np.isfinite(out["capacity"].astype(float))
    out["points"] = np.where(
        out["chosen"] & (out["tier"] == POINT),
        np.where(capacity_given, 1, np.maximum(needed, 1)),
        0,
    ).astype(np.int64)
    weighted = (served["travel_s"] * served["households"]).groupby(served["point_id"]).sum()
    out["mean_travel_s"] = (ids.map(weighted) / ids.map(by_point["households"].sum())).to_numpy(
        dtype=float
    )
    out["max_travel_s"] = ids.map(by_point["travel_s"].max()).to_numpy(dtype=float)

    links = _links(out, truck, solution)
    out["centre_id"] = ids.map(links.set_index("point_id")["centre_id"]).fillna("").to_numpy()
    centre_of = out.loc[out["tier"] == POINT].set_index("site_id")["centre_id"]
    hh_by_centre = out["households_served"].groupby(out["site_id"].map(centre_of)).sum()
    kg_by_centre = ids.map(kg_by_point).fillna(0.0).groupby(ids.map(centre_of)).sum()
    is_centre = out["tier"] == CENTRE
    out.loc[is_centre, "households_served"] = ids[is_centre].map(hh_by_centre).fillna(0.0)
    out["load"] = np.where(
        is_centre, ids.map(kg_by_centre).fillna(0.0) / 1000.0, out["households_served"]
    )
    truck_by_centre = links.groupby("centre_id")["travel_s"]
    out.loc[is_centre, "mean_travel_s"] = ids[is_centre].map(truck_by_centre.mean())
    out.loc[is_centre, "max_travel_s"] = ids[is_centre].map(truck_by_centre.max())
    out.loc[is_centre, "capacity"] = config.centres.capacity_t_day
    for column, default in (("name", ""), ("source", "file"), ("address", "")):
        if column not in out.columns:
            out[column] = default
        out[column] = out[column].fillna(default).astype(str)

    counties = _counties(area, demand_out)
    metrics = measure(out, demand_out, links) | {
        "status": solution.status,
        "gap": solution.gap,
        "objective": solution.objective,
        "solver": solution.solver,
        "model": solution.model,
        "build_s": solution.build_time_s,
        "solve_s": solution.solve_time_s,
    }
    provenance = {
        "slug": area.slug,
        "area_name": area.name,
        "area": area.source,
        "region": area.name,
        "standards": config.to_dict(),
        "detour_factor": config.costs.detour_factor,
        "solver": solution.solver,
        "solver_settings": dataclasses.asdict(config.solver),
        "status": solution.status,
        "gap": solution.gap,
        "gxnet_version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return Plan(
        gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326"),
        demand_out,
        links,
        counties,
        metrics,
        provenance,
    )


def _assign_demand(
    demand: gpd.GeoDataFrame, walk: pd.DataFrame, open_ids: set, solution: Any
) -> gpd.GeoDataFrame:
    """Each demand unit's point: the model's (largest share) where it assigned, else the nearest
    open point within the standard; none when no open point is within it (not covered)."""
    pairs = walk[walk["site_id"].isin(open_ids)]
    assigned = solution.assignments.get(POINT)
    if assigned is not None and len(assigned):
        share = assigned.rename(columns={"origin_id": "demand_id"})[
            ["demand_id", "site_id", "share"]
        ]
        pairs = pairs.merge(share, on=["demand_id", "site_id"], how="inner")
        pairs = pairs.sort_values(["demand_id", "share"], ascending=[True, False])
    else:
        pairs = pairs.sort_values(["demand_id", "travel_s"])
    best = pairs.drop_duplicates("demand_id").set_index("demand_id")
    out = demand.copy()
    ids = out["demand_id"]
    out["point_id"] = ids.map(best["site_id"]).fillna("").astype(str).to_numpy()
    out["travel_s"] = ids.map(best["travel_s"]).to_numpy(dtype=float)
    out["metres"] = ids.map(best["metres"]).to_numpy(dtype=float)
    out["covered"] = (out["point_id"] != "").to_numpy()
    return out


def _links(sites: gpd.GeoDataFrame, truck: pd.DataFrame, solution: Any) -> gpd.GeoDataFrame:
    """Each chosen point's sorting centre (the model's, else the nearest open one) as a line."""
    chosen = sites[sites["chosen"]]
    centre_ids = set(chosen.loc[chosen["tier"] == CENTRE, "site_id"])
    point_ids = set(chosen.loc[chosen["tier"] == POINT, "site_id"])
    pairs = truck[truck["point_id"].isin(point_ids) & truck["centre_id"].isin(centre_ids)]
    assigned = solution.assignments.get(CENTRE)
    if assigned is not None and len(assigned):
        by_model = assigned.rename(columns={"origin_id": "point_id", "site_id": "centre_id"})
        pairs = pairs.merge(
            by_model[["point_id", "centre_id", "share"]], on=["point_id", "centre_id"]
        )
        pairs = pairs.sort_values(["point_id", "share"], ascending=[True, False])
    else:
        pairs = pairs.sort_values(["point_id", "travel_s"])
    best = pairs.drop_duplicates("point_id")[["point_id", "centre_id", "travel_s"]]
    where = sites.set_index("site_id").geometry
    a, b = where.reindex(best["point_id"]), where.reindex(best["centre_id"])
    coords = np.stack(
        [np.column_stack([a.x, a.y]), np.column_stack([b.x, b.y])], axis=1
    )  # (n, 2 vertices, 2)
    lines = shapely.linestrings(coords)
    return gpd.GeoDataFrame(best.reset_index(drop=True), geometry=lines, crs="EPSG:4326")


def _counties(area: StudyArea, demand: pd.DataFrame) -> gpd.GeoDataFrame:
    """County boundaries with census figures; one row for a study area outside Guangxi."""
    from gxnet.regions import boundaries

    region = area.region
    if region is not None:
        city = region.adcode if region.level == "city" else region.city_adcode
        frame = boundaries(city=city, level="county")
        if region.level == "county":
            frame = frame[frame["adcode"] == region.adcode]
        return frame.reset_index(drop=True)
    inside = guangxi_counties(area.boundary)
    if len(inside):
        return inside
    codes = demand["county_adcode"].unique()
    return gpd.GeoDataFrame(
        {
            "adcode": [int(codes[0]) if len(codes) == 1 else 0],
            "name_zh": [area.name],
            "name_pinyin": [area.name],
            "population": [float(demand["population"].sum())],
            "households": [float(demand["households"].sum())],
        },
        geometry=[area.boundary],
        crs="EPSG:4326",
    )


def resolve_plan(
    plan: Plan,
    sites: str | os.PathLike[str],
    *,
    config: Config | None = None,
    pbf: str | os.PathLike[str] | None = None,
    skip_bad_rows: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Re-solve a plan with a new site list; the plan's chosen sites stay as existing sites.

    The demand of the plan is reused; the standards are the plan's unless ``config`` is given;
    the road networks come from ``pbf``, else the extract the plan recorded (if still on
    disk), else the cache, as in :func:`optimize_city`.

    Returns
    -------
    Plan
        Compare it with ``plan.diff(new)``.
    """
    from gxnet.sites import read_sites

    config = config or config_of(plan)
    source = plan.provenance.get("area", {})
    if source.get("kind") == "region":
        area_arg: Any = str(source["adcode"])
    else:
        area_arg = wkt.loads(source["wkt"])
    area = study_area(area_arg)
    if source.get("kind") != "region":
        area = dataclasses.replace(
            area, name=plan.provenance.get("area_name", area.name), slug=plan.slug, source=source
        )
    listed = read_sites(sites, boundary=area.boundary, standards=config.sites)
    _refuse_rejected(listed.report, sites, skip_bad_rows)
    kept = plan.sites[plan.sites["chosen"]].assign(status="existing")
    new = listed.sites[~listed.sites["site_id"].isin(kept["site_id"])]
    merged = gpd.GeoDataFrame(
        pd.concat([kept[new.columns.intersection(kept.columns)], new], ignore_index=True),
        geometry="geometry",
        crs="EPSG:4326",
    )
    demand = plan.demand.drop(
        columns=["point_id", "travel_s", "covered", "metres"], errors="ignore"
    )
    if pbf is None:
        # The extract the plan was made from, when it is still there (else the cache).
        recorded = plan.provenance.get("inputs", {}).get("pbf", {}).get("path")
        pbf = recorded if recorded and Path(recorded).is_file() else None
    new_plan = optimize_city(
        area, sites=merged, demand=demand, config=config, pbf=pbf, progress=progress
    )
    new_plan.provenance["inputs"]["sites"] = {"path": str(sites), "sha256": file_sha256(sites)}
    new_plan.provenance["resolved_from"] = {
        "created_utc": plan.provenance.get("created_utc"),
        "inputs": plan.provenance.get("inputs", {}),
    }
    return new_plan


def config_of(plan: Plan) -> Config:
    """The standards a plan was made with (as recorded in its provenance)."""
    recorded = plan.provenance.get("standards") or {}
    flat = {
        f"{section}.{key}": value
        for section, values in recorded.items()
        for key, value in values.items()
    }
    targets = recorded.get("targets", {})
    config = Config().override(flat, source="the plan's provenance")
    return dataclasses.replace(
        config,
        targets=dataclasses.replace(
            config.targets, **{k: targets.get(k) for k in ("points", "coverage", "centres")}
        ),
    )


def output_paths(plan: Plan, out: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """Where a plan and its map go: ``<out>/plans/<slug>`` and ``<out>/maps/<slug>.html``.

    Without ``out``: :data:`gxnet.settings.plans_dir` and :data:`gxnet.settings.maps_dir`.
    """
    if out is None:
        return Path(settings.plans_dir) / plan.slug, Path(settings.maps_dir) / f"{plan.slug}.html"
    return Path(out) / "plans" / plan.slug, Path(out) / "maps" / f"{plan.slug}.html"


def save_outputs(
    plan: Plan,
    out: str | os.PathLike[str] | None = None,
    *,
    plan_dir: str | os.PathLike[str] | None = None,
    basemap: str = "osm",
    lang: str = "zh",
) -> tuple[Path, Path]:
    """Save the plan folder and its map (both atomically); return their paths.

    Both places are checked before anything is written, so a read-only map folder does not
    leave a new plan beside an old map.

    Raises
    ------
    OutputError
        When a folder is read-only or not a folder.
    """
    from gxnet.maps import save_map

    folder, html = output_paths(plan, out)
    folder = Path(plan_dir) if plan_dir is not None else folder
    check_writable(folder)
    check_writable(html)
    plan.save(folder)
    save_map(plan, html, basemap=basemap, lang=lang)
    return folder, html
