"""Service pairs: who can reach which site within the planning standards, and at what cost.

The model reads travel as sparse pairs: demand -> recycling point within each unit's service
radius (:func:`walk_costs`: walking in towns, riding in villages) and point -> sorting centre
within the truck standard (:func:`truck_costs`). Both follow the city's road networks when
they are on disk (:func:`road_networks`). Without them, walking and riding are straight-line
distance times the detour factor (no street data exists for it), and trucks drive the region's
highway graph (:func:`gxnet.osm.highways.load_highways`): the straight line from a site to its
nearest highway vertex at the straight-line truck speed (``centres.truck_speed_kmh`` over
``costs.detour_factor``: the same speed as the straight-line estimate), the graph at its
planning speed, and the same access leg at the far end; a pair whose straight-line estimate
is faster (two sites in one town, far from any highway) keeps that estimate. :func:`cost_modes`
names the mode of each leg for the plan's provenance. :func:`check_reachable` refuses, before
any model runs, a coverage target that the candidate points cannot reach, and says what would
make it feasible.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet._catalogue import MESSAGES
from gxnet._errors import InfeasibleProblemError
from gxnet._messages import messages
from gxnet.config import Config
from gxnet.study_area import StudyArea
from gxnet.tiers import LINK_COLUMNS, Tier

#: Said in the output, the provenance and on the map when no road network is on disk.
STRAIGHT_LINE_NOTE = MESSAGES["note_straight_line"][1]
#: Said instead where the trucks drove the region's highway graph.
HIGHWAY_NOTE = MESSAGES["note_highway"][1]
#: How each leg's travel was measured: along the city's roads, the region's highway graph, or
#: straight-line distance times the detour factor.
COST_MODES: tuple[str, ...] = ("road", "highway", "straight_line")


def cost_modes(networks: dict[str, Any] | None, sites: gpd.GeoDataFrame) -> dict[str, str]:
    """The cost mode of each leg (``walk``: demand -> point, ``truck``: point -> centre) of
    a plan of these sites: see :func:`truck_mode`."""
    return {
        "walk": "road" if networks and "walk" in networks else "straight_line",
        "truck": truck_mode(networks, sites),
    }


def truck_mode(networks: dict[str, Any] | None, sites: gpd.GeoDataFrame) -> str:
    """How trucks' times are measured: ``road`` (the city's drive network), ``highway`` (the
    region's highway graph, where the sites lie within its extent) or ``straight_line``
    (elsewhere, such as a study area outside Guangxi)."""
    if networks and "drive" in networks:
        return "road"
    from gxnet.osm.highways import load_highways

    roads = load_highways()
    lon, lat = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    inside = (
        (lon >= roads.x.min())
        & (lon <= roads.x.max())
        & (lat >= roads.y.min())
        & (lat <= roads.y.max())
    )
    return "highway" if len(inside) and inside.all() else "straight_line"


def highway_access_kmh(config: Config) -> float:
    """The straight-line speed of a truck's access leg to the highway graph: the truck speed
    of the straight-line estimate over the detour factor."""
    return config.centres.truck_speed_kmh / config.costs.detour_factor


def road_networks(
    area: StudyArea, *, pbf: Path | None = None, osm_name: str | None = None
) -> dict[str, Any] | None:
    """Walk and drive networks of the area: built from ``pbf`` (and cached), else the cache of
    ``gxnet fetch`` for the area (see :func:`fetched_slug`), else None.

    None means no road network is on disk; the caller falls back to straight-line costs.
    """
    from gxnet.osm import fetch

    modes = ("walk", "drive")
    if pbf is not None:
        target = area.region if area.region is not None else area.boundary
        return fetch.fetch_city(target, slug=area.cache_name, source="pbf", pbf=pbf, modes=modes)
    slug = fetched_slug(area, osm_name)
    if slug is None or not all(fetch.network_path(slug, m).is_file() for m in modes):
        return None
    return {mode: fetch.load_network(slug, mode) for mode in modes}


def fetched_slug(area: StudyArea, osm_name: str | None = None) -> str | None:
    """The cache folder of ``gxnet fetch`` for the area: ``osm_name``, else a region's, else the
    one fetched for the same polygon (``gxnet fetch --area FILE --name N``); None if none."""
    from gxnet.osm import fetch

    if area.region is not None and osm_name is None:
        return area.slug
    return fetch.fetched_slug(area.boundary, osm_name)


def fetch_command(area: StudyArea) -> str:
    """The ``gxnet fetch`` that builds the area's road networks (for the straight-line note)."""
    from gxnet.osm import fetch

    if area.region is not None:
        return fetch.fetch_command(area.slug)
    return fetch.fetch_command(area=area.source.get("path"), name=area.cache_name)


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
    tier: Tier = Tier.SORTING_CENTRE,
) -> pd.DataFrame:
    """Pairs from the sites of one tier to those of the ``tier`` above within its truck
    standard: ``point_id, centre_id, travel_s`` into the sorting centres (the columns of
    :data:`gxnet.tiers.LINK_COLUMNS` for markets and bases).

    Along the city's drive network when ``networks`` has one, else along the region's highway
    graph or the straight-line estimate, whichever is faster (see the module docstring);
    outside the graph's extent, the straight-line estimate (:func:`truck_mode`).
    """
    from gxnet.costs import straight_line_costs, travel_costs

    c = config.hub(tier)
    cutoff_s = c.truck_minutes * 60
    origins, destinations = _lonlat(points.geometry), _lonlat(centres.geometry)
    mode = truck_mode(networks, pd.concat([points[["geometry"]], centres[["geometry"]]]))
    if mode == "road":
        pairs = travel_costs(networks["drive"], origins, destinations, cutoff_s)
    else:
        pairs = straight_line_costs(
            origins,
            destinations,
            cutoff_s,
            speed_mps=c.truck_speed_kmh / 3.6,
            detour_factor=config.costs.detour_factor,
        )
    if mode == "highway":
        from gxnet.osm.highways import load_highways

        highway = travel_costs(
            load_highways(),
            origins,
            destinations,
            cutoff_s,
            access_speed_mps=highway_access_kmh(config) / 3.6,
        )
        pairs = (
            pd.concat([highway, pairs], ignore_index=True)
            .sort_values("seconds", kind="stable")
            .drop_duplicates(["origin", "destination"])
            .sort_values(["origin", "destination"], kind="stable")
        )
    lower, upper = LINK_COLUMNS[Tier(tier)]
    return pd.DataFrame(
        {
            lower: points["site_id"].to_numpy()[pairs["origin"].to_numpy()],
            upper: centres["site_id"].to_numpy()[pairs["destination"].to_numpy()],
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
    zh, en = messages("zh"), messages("en")
    examples: dict[str, list[str]] = {"zh": [], "en": []}
    for r in worst.head(5).itertuples():
        far = math.isfinite(r.road_m)
        nearest = ("err_nearest_m", r.road_m) if far else ("err_nearest_beyond", reach)
        for lang, words in (("zh", zh), ("en", en)):
            examples[lang].append(
                words["err_coverage_example"].format(
                    demand_id=r.demand_id,
                    households=r.households,
                    setting=words[f"setting_{r.setting}"] if lang == "zh" else r.setting,
                    county=r.county_adcode,
                    lon=r.geometry.x,
                    lat=r.geometry.y,
                    nearest=words[nearest[0]].format(metres=nearest[1]),
                )
            )
    fixes: list[tuple[str, dict[str, Any]]] = [("err_fix_sites", {})]
    for setting, flag in (("urban", "--service-radius-m"), ("rural", "--rural-service-radius-m")):
        part = worst[worst["setting"] == setting]
        if len(part) and np.isfinite(part["road_m"]).all():
            after = math.ceil(part["road_m"].max() / 100) * 100
            fixes.append(
                (
                    "err_fix_radius",
                    {"flag": flag, "before": p.service_radius_m(setting), "after": after},
                )
            )
    fixes.append(("err_fix_coverage", {"share": math.floor(share * 1000) / 1000}))
    stranded = {
        "n": len(stranded_points),
        "minutes": config.centres.truck_minutes,
        "ids": ", ".join(stranded_points[:5]),
    }
    texts = {
        lang: {
            "examples": "; ".join(examples[lang]),
            "fixes": words["err_or"].join(words[key].format(**values) for key, values in fixes),
            "note": words["err_stranded"].format(**stranded) if stranded_points else "",
        }
        for lang, words in (("zh", zh), ("en", en))
    }
    raise InfeasibleProblemError(
        key="err_coverage_unreachable",
        target=target,
        units=len(out),
        households=float(out["households"].sum()),
        share=share,
        **texts["zh"],
        **{f"{name}_en": value for name, value in texts["en"].items()},
    )
