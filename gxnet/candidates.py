"""Candidate sites for the model: a planner's site list, OSM candidates, or the defaults.

:func:`candidate_sites` takes the first source there is: the site list given, a list named
after the area in the sites folder, the OSM shops, markets and amenities municipal plans use,
or the default candidates. Without a site list the recycling-point candidates also stand at
every township's seat (:func:`township_points`), so that each township has a site of its own;
without a list, or a list without points, a point candidate stands at every demand cell
(:func:`grid_points`: "town" at the urban cells of the towns, "grid" elsewhere). A list
without sorting centres gets centre candidates at the county seats, at the highway nodes
nearest the towns, and at the most populous cell of each block (:func:`centre_candidates`).
A sentence says where the sites came from, for the progress lines and the plan's provenance.

Every site carries the county and township it stands in (:func:`gxnet.townships.
locate_townships`): the plan's tables, the township minimum and the report read them.

The ``source`` of a default candidate is one of :data:`DEFAULT_SOURCES`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from gxnet import settings
from gxnet._messages import Phrase
from gxnet.config import Config
from gxnet.crs import utm_crs
from gxnet.model_choice import with_tier_defaults
from gxnet.study_area import StudyArea
from gxnet.tiers import SiteStatus, Tier
from gxnet.townships import list_townships, locate_townships

#: Sources of the default candidates: a township's seat ("township"), an urban demand cell of a
#: town ("town"), any other demand cell ("grid"); for sorting centres a county seat
#: ("county_seat"), a highway node near a town ("highway") and a block's busiest cell ("grid").
DEFAULT_SOURCES: tuple[str, ...] = ("township", "town", "grid", "county_seat", "highway")
#: A highway node is a sorting-centre candidate when it is the nearest node to a township's
#: seat and at most this far from it: at the edge of the town, on a road trucks use.
HIGHWAY_NEAR_TOWN_M = 3000.0


def candidate_sites(
    area: StudyArea,
    demand: gpd.GeoDataFrame,
    config: Config,
    *,
    sites: gpd.GeoDataFrame | None = None,
    source: Phrase | str | None = None,
    pbf: Path | None = None,
) -> tuple[gpd.GeoDataFrame, Phrase | str]:
    """Candidate and existing sites, and where they came from.

    The first of: ``sites`` (a checked site list: :meth:`gxnet.sites.SiteList.accept`, said
    as ``source``), OSM candidates from ``pbf``, the default candidates (see the module
    docstring). Excluded sites are left out; a list without points gets point candidates at
    the demand cells, and without centres centre candidates (:func:`centre_candidates`).

    Returns
    -------
    (GeoDataFrame, Phrase or str)
        The sites (the columns of :func:`gxnet.sites.read_sites`) and a sentence on their source
        (a phrase of the catalogue: ``str()`` in English, ``.word(lang)`` in another language).
    """
    from gxnet.sites import osm_candidates

    if sites is not None:
        frame, said = sites, source or Phrase("src_the_site_list")
    elif pbf is not None:
        frame = osm_candidates(pbf, area.boundary)
        said = Phrase("src_osm", file=Path(pbf).name)
    else:
        frame = gpd.GeoDataFrame(columns=["site_id", "tier"], geometry=[], crs="EPSG:4326")
        said = None
    frame = frame[frame["status"] != SiteStatus.EXCLUDED] if "status" in frame.columns else frame
    nothing = said is None  # no site list and no OSM data: the default candidates
    if sites is None:
        seats = township_points(demand, config)
        if len(seats):
            frame = pd.concat([frame, seats], ignore_index=True)
            said = _and(said, Phrase("src_seats", n=len(seats)))
    if nothing:
        frame = pd.concat([frame, grid_points(demand, config)], ignore_index=True)
        said = Phrase("src_grid_only")
    elif not (frame["tier"] == Tier.RECYCLING_POINT).any():
        frame = pd.concat([frame, grid_points(demand, config)], ignore_index=True)
        said = _and(said, Phrase("src_cells"))
    if not (frame["tier"] == Tier.SORTING_CENTRE).any():
        centres = centre_candidates(demand, config, area)
        frame = pd.concat([frame, centres], ignore_index=True)
        said = _and(said, Phrase("src_centres"))
    for tier in (Tier.COLLECTION_MARKET, Tier.PROCESSING_BASE):
        if config.hub(tier).grid_candidates and not (frame["tier"] == tier).any():
            frame = pd.concat([frame, grid_hubs(demand, config, tier)], ignore_index=True)
            said = _and(said, Phrase("src_grid_hubs", tier=Phrase(f"tier_{tier}")))
    frame = gpd.GeoDataFrame(
        with_tier_defaults(frame.reset_index(drop=True), config),
        geometry="geometry",
        crs="EPSG:4326",
    )
    return with_townships(frame), said


def _and(first: Phrase | str | None, then: Phrase) -> Phrase:
    """Two parts of a sentence on the sources of the sites (``first`` may be none yet)."""
    return then if first is None else Phrase("src_and", first=first, then=then)


def with_townships(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The sites with the county and township each stands in (``county_adcode``,
    ``township_code``, ``township_name``; 0 and "" outside Guangxi's counties)."""
    where = locate_townships(sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy())
    out = sites.copy()
    for column in where.columns:
        out[column] = where[column].to_numpy()
    return out


def default_site_list(slug: str) -> Path | None:
    """The site list named after the area in :data:`gxnet.settings.sites_dir`, if any."""
    found = sorted(Path(settings.sites_dir).glob(f"{slug}.*"))
    return found[0] if found else None


def grid_points(demand: gpd.GeoDataFrame, config: Config) -> gpd.GeoDataFrame:
    """One candidate point site at each demand unit's centre (a location for one or more
    points): source "town" where the unit is urban (a town's cell), else "grid"."""
    sites = _grid_sites(demand, "g-", "grid ", Tier.RECYCLING_POINT, config.points.fixed_cost)
    if "setting" in demand.columns:
        urban = demand["setting"].to_numpy() == "urban"
        sites["source"] = np.where(urban, "town", "grid").astype(object)
        sites["name"] = (
            np.where(urban, "town ", "grid ").astype(object)
            + demand["demand_id"].astype(str).to_numpy()
        )
    return sites


def township_points(demand: gpd.GeoDataFrame, config: Config) -> gpd.GeoDataFrame:
    """A candidate point site at the seat (the reference point) of every township the demand
    lives in: site id ``t-<township code>``, source "township"."""
    towns = _demand_townships(demand)
    return _sites_at(
        towns.geometry,
        "t-" + towns["township_code"],
        towns["name_zh"],
        Tier.RECYCLING_POINT,
        config.points.fixed_cost,
        "township",
    )


def county_seats(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The seat of every county the demand lives in: the point of its township with the most
    urban committees (the seat town, or the subdistrict of its main urban area), the lowest
    code among equals. Columns ``county_adcode``, ``township_code``, ``name_zh``, geometry."""
    towns = _demand_townships(demand, whole_counties=True)
    ranked = towns.sort_values(
        ["county_adcode", "urban_committees", "township_code"], ascending=[True, False, True]
    )
    return ranked.drop_duplicates("county_adcode").reset_index(drop=True)


def centre_candidates(
    demand: gpd.GeoDataFrame, config: Config, area: StudyArea | None = None
) -> gpd.GeoDataFrame:
    """Sorting-centre candidates: the county seats (source "county_seat"), the highway node
    nearest each township seat when it is within :data:`HIGHWAY_NEAR_TOWN_M` (source
    "highway"; inside the study area) and the blocks' busiest cells (:func:`grid_hubs`)."""
    c = config.centres
    seats = county_seats(demand)
    parts = [
        _sites_at(
            seats.geometry,
            "c-seat-" + seats["county_adcode"].astype(str),
            seats["name_zh"],
            Tier.SORTING_CENTRE,
            c.fixed_cost,
            "county_seat",
        )
    ]
    towns = _demand_townships(demand)
    if len(towns):
        from gxnet.osm.highways import load_highways

        roads = load_highways()
        both = gpd.GeoSeries(
            np.concatenate([towns.geometry.to_numpy(), gpd.points_from_xy(roads.x, roads.y)]),
            crs="EPSG:4326",
        )
        x, y = _metric_xy(both)
        tree = cKDTree(np.column_stack([x[len(towns) :], y[len(towns) :]]))
        metres, node = tree.query(np.column_stack([x[: len(towns)], y[: len(towns)]]))
        near = metres <= HIGHWAY_NEAR_TOWN_M
        first = pd.Series(node[near]).drop_duplicates()
        nodes = first.to_numpy()
        names = towns["name_zh"].to_numpy()[near][first.index.to_numpy()]
        points = gpd.points_from_xy(roads.x[nodes], roads.y[nodes])
        if area is not None:
            inside = shapely.contains_xy(area.boundary, roads.x[nodes], roads.y[nodes])
            nodes, names, points = nodes[inside], names[inside], points[inside]
        parts.append(
            _sites_at(
                gpd.GeoSeries(points, crs="EPSG:4326"),
                pd.Series([f"c-hw-{roads.node_id[n]}" for n in nodes], dtype=object),
                pd.Series(names, dtype=object) + " highway",
                Tier.SORTING_CENTRE,
                c.fixed_cost,
                "highway",
            )
        )
    parts.append(grid_hubs(demand, config, Tier.SORTING_CENTRE))
    return pd.concat(parts, ignore_index=True)


def _demand_townships(demand: gpd.GeoDataFrame, *, whole_counties: bool = False):
    """Today's townships that the demand lives in (or, with ``whole_counties``, every township
    of its counties), sorted by code; none for demand without township codes."""
    towns = list_townships()
    if "township_code" not in demand.columns:
        return towns.iloc[:0]
    codes = demand["township_code"].astype(str)
    if whole_counties:
        counties = towns.loc[towns["township_code"].isin(codes), "county_adcode"]
        return towns[towns["county_adcode"].isin(counties)].reset_index(drop=True)
    return towns[towns["township_code"].isin(codes)].reset_index(drop=True)


def _sites_at(
    points: gpd.GeoSeries,
    ids: pd.Series,
    names: pd.Series,
    tier: Tier,
    fixed_cost: float,
    source: str,
) -> gpd.GeoDataFrame:
    """Candidate sites at ``points``, in the columns of a site list."""
    return gpd.GeoDataFrame(
        {
            "site_id": ids.to_numpy(dtype=object),
            "name": names.to_numpy(dtype=object),
            "tier": tier,
            "status": SiteStatus.CANDIDATE,
            "capacity": np.nan,  # the tier's configured capacity (with_tier_defaults)
            "fixed_cost": fixed_cost,
            "source": source,
        },
        geometry=np.asarray(points.values),
        crs="EPSG:4326",
    )


def grid_hubs(demand: gpd.GeoDataFrame, config: Config, tier: Tier) -> gpd.GeoDataFrame:
    """Candidates of a tier above the points (markets, centres, bases): the most populous
    demand unit of each square block.

    The block's side is two thirds of the tier's truck standard's straight-line reach, so that
    every site below has a candidate within the standard wherever demand is spread evenly.
    """
    c = config.hub(tier)
    reach_m = c.truck_minutes * 60 * c.truck_speed_kmh / 3.6 / config.costs.detour_factor
    x, y = _metric_xy(demand.geometry)
    side = max(reach_m / 1.5, 1.0)
    block = np.floor(x / side).astype(np.int64) * 1_000_003 + np.floor(y / side).astype(np.int64)
    best = demand["households"].groupby(block).idxmax().to_numpy()
    prefix, name = _HUB_NAMES[tier]
    return _grid_sites(demand.loc[np.sort(best)], prefix, name, tier, c.fixed_cost)


#: Id prefix and name of a grid candidate of each tier above the points.
_HUB_NAMES = {
    Tier.COLLECTION_MARKET: ("m-", "market near "),
    Tier.SORTING_CENTRE: ("c-", "centre near "),
    Tier.PROCESSING_BASE: ("b-", "base near "),
}


def _grid_sites(
    units: gpd.GeoDataFrame, prefix: str, name: str, tier: Tier, fixed_cost: float
) -> gpd.GeoDataFrame:
    """Candidate sites at demand units, in the columns of a site list (source "grid")."""
    ids = units["demand_id"].astype(str)
    return _sites_at(units.geometry, prefix + ids, name + ids, tier, fixed_cost, "grid")


def _metric_xy(points: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Points in metres, in the UTM zone of their centre."""
    lon, lat = points.x.to_numpy(), points.y.to_numpy()
    to_utm = Transformer.from_crs("EPSG:4326", utm_crs(lon, lat), always_xy=True)
    x, y = to_utm.transform(lon, lat)
    return np.asarray(x), np.asarray(y)
