"""Candidate sites for the model: a planner's site list, OSM candidates, or a grid.

:func:`candidate_sites` takes the first source there is: the site list given, a list named
after the area in the sites folder, the OSM shops, markets and amenities municipal plans use,
or candidate points at the demand-cell centres. A tier the source lacks gets grid candidates
(:func:`grid_points`, :func:`grid_centres`), and a sentence says where the sites came from, for
the progress lines and the plan's provenance.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from gxnet import settings
from gxnet.config import Config
from gxnet.crs import utm_crs
from gxnet.study_area import StudyArea
from gxnet.tiers import SiteStatus, Tier


def candidate_sites(
    area: StudyArea,
    demand: gpd.GeoDataFrame,
    config: Config,
    *,
    sites: gpd.GeoDataFrame | None = None,
    source: str = "the site list",
    pbf: Path | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """Candidate and existing sites, and where they came from.

    The first of: ``sites`` (a checked site list: :meth:`gxnet.sites.SiteList.accept`, said
    as ``source``), OSM candidates from ``pbf``, candidate points at the demand-cell centres.
    Excluded sites are left out; a tier the source lacks gets grid candidates
    (:func:`grid_points`, :func:`grid_centres`).

    Returns
    -------
    (GeoDataFrame, str)
        The sites (the columns of :func:`gxnet.sites.read_sites`) and a sentence on their source.
    """
    from gxnet.sites import osm_candidates

    if sites is not None:
        frame, said = sites, source
    elif pbf is not None:
        frame = osm_candidates(pbf, area.boundary)
        said = f"OpenStreetMap shops, markets and amenities in {Path(pbf).name} (no site list)"
    else:
        frame = gpd.GeoDataFrame(columns=["site_id", "tier"], geometry=[], crs="EPSG:4326")
        said = "none"
    frame = frame[frame["status"] != SiteStatus.EXCLUDED] if "status" in frame.columns else frame
    if not (frame["tier"] == Tier.RECYCLING_POINT).any():
        frame = pd.concat([frame, grid_points(demand, config)], ignore_index=True)
        said = (
            "candidate points at the demand-cell centres (no site list, no OSM data)"
            if said == "none"
            else f"{said}; candidate points at the demand-cell centres (it has none)"
        )
    if not (frame["tier"] == Tier.SORTING_CENTRE).any():
        frame = pd.concat([frame, grid_centres(demand, config)], ignore_index=True)
        said += "; sorting-centre candidates at the most populous cell of each block"
    frame = frame[frame["tier"].isin([Tier.RECYCLING_POINT, Tier.SORTING_CENTRE])].reset_index(
        drop=True
    )
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"), said


def default_site_list(slug: str) -> Path | None:
    """The site list named after the area in :data:`gxnet.settings.sites_dir`, if any."""
    found = sorted(Path(settings.sites_dir).glob(f"{slug}.*"))
    return found[0] if found else None


def grid_points(demand: gpd.GeoDataFrame, config: Config) -> gpd.GeoDataFrame:
    """One candidate point site at each demand unit's centre (a location for one or more points)."""
    return _grid_sites(demand, "g-", "grid ", Tier.RECYCLING_POINT, config.points.fixed_cost)


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
    return _grid_sites(
        demand.loc[np.sort(best)], "c-", "centre near ", Tier.SORTING_CENTRE, c.fixed_cost
    )


def _grid_sites(
    units: gpd.GeoDataFrame, prefix: str, name: str, tier: Tier, fixed_cost: float
) -> gpd.GeoDataFrame:
    """Candidate sites at demand units, in the columns of a site list (source "grid")."""
    ids = units["demand_id"].astype(str)
    return gpd.GeoDataFrame(
        {
            "site_id": prefix + ids,
            "name": name + ids,
            "tier": tier,
            "status": SiteStatus.CANDIDATE,
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
