"""Build a RoadNetwork for one travel mode from OSM ways, whatever source they came from.

The PBF reader (:mod:`gxnet.osm.pbf`) and the Overpass path (:mod:`gxnet.osm.overpass`) both
reduce their input to the same three tables, :class:`WayTable`, so that the mode filters, the
one-way rules, the speeds, the clipping and the connectivity pruning are written once and
behave identically for both sources. Every step works on whole arrays.

Mode filters (docs/osm.md explains each choice):

- ``walk``: footways, paths, steps, pedestrian streets, cycleways and every road a pedestrian
  may use; never motorways or roads tagged ``motorroad=yes``; both directions always.
- ``drive`` (closed box trucks): public motor roads from motorway to service roads, without
  the service ways a truck does not use (parking aisles, driveways, drive-throughs, alleys),
  roads for farm, forestry, bus or emergency traffic only, and roads signed for a lighter,
  lower, narrower or shorter vehicle than the truck (:mod:`gxnet.osm.limits`); one-way
  streets, roundabouts and motorways in their direction only; ``hgv=no`` excludes.
- ``tricycle`` (motor tricycles): the drive roads without motorways and ``motorroad=yes``
  (vehicles slower than 70 km/h may not enter expressways), plus tracks (farm roads).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from gxnet._errors import EmptyNetworkError
from gxnet.crs import utm_crs
from gxnet.osm.limits import LIMIT_TAGS, truck, truck_barred
from gxnet.osm.network import MODES, RoadNetwork
from gxnet.osm.speeds import mode_speed_mps, speed_table_version

#: The way tags the filters, one-way rules and speeds read; every other tag is ignored.
TAG_KEYS: tuple[str, ...] = (
    "highway",
    "oneway",
    "junction",
    "access",
    "area",
    "maxspeed",
    "foot",
    "vehicle",
    "motor_vehicle",
    "hgv",
    "service",
    "motorroad",
    *LIMIT_TAGS,
)

_MOTOR_ROADS = {
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "road",
}

#: ``highway`` classes each mode may use.
MODE_HIGHWAYS: dict[str, frozenset[str]] = {
    "walk": frozenset(
        (_MOTOR_ROADS - {"motorway", "motorway_link"})
        | {"footway", "path", "pedestrian", "steps", "cycleway", "track"}
    ),
    "drive": frozenset(_MOTOR_ROADS),
    "tricycle": frozenset((_MOTOR_ROADS - {"motorway", "motorway_link"}) | {"track"}),
}

#: Access tags of each mode, most specific first; ``access`` applies when none is set.
ACCESS_KEYS: dict[str, tuple[str, ...]] = {
    "walk": ("foot",),
    "drive": ("hgv", "motor_vehicle", "vehicle"),
    "tricycle": ("motor_vehicle", "vehicle"),
}

#: Access values that keep each mode off a way (for the most specific access tag set). The
#: truck keeps off roads for farm and forestry traffic, buses, emergency or military vehicles
#: only; ``destination``, ``delivery`` and ``customers`` admit it (its trip ends there: a
#: collection truck serves the premises on such a road).
DENIED_ACCESS: dict[str, frozenset[str]] = {
    "walk": frozenset({"no", "private"}),
    "drive": frozenset(
        {"no", "private", "agricultural", "forestry", "psv", "bus", "emergency", "military"}
    ),
    "tricycle": frozenset({"no", "private"}),
}

#: ``service=*`` values each mode keeps off: emergency access ways for every vehicle; parking
#: aisles, driveways, drive-throughs and alleys for the truck (private ways to one property, or
#: lanes too narrow for it), which motor tricycles do use to collect.
EXCLUDED_SERVICE: dict[str, frozenset[str]] = {
    "walk": frozenset(),
    "drive": frozenset({"emergency_access", "parking_aisle", "driveway", "drive-through", "alley"}),
    "tricycle": frozenset({"emergency_access"}),
}

#: Mean Earth radius in metres, as osmnx uses, so that lengths agree with osmnx's.
EARTH_RADIUS_M = 6_371_009.0

_FORWARD = {"yes", "1", "true"}
_BACKWARD = {"-1", "reverse"}
_TWO_WAY = {"no", "0", "false"}


def rules_version() -> str:
    """A short hash of the mode filters (the truck's dimensions included) and one-way rules,
    recorded in each cache key: when a rule changes, caches built with the old rules are
    rebuilt."""
    rules = [
        TAG_KEYS,
        {mode: sorted(classes) for mode, classes in MODE_HIGHWAYS.items()},
        ACCESS_KEYS,
        {mode: sorted(values) for mode, values in DENIED_ACCESS.items()},
        {mode: sorted(values) for mode, values in EXCLUDED_SERVICE.items()},
        truck(),
        sorted(_FORWARD),
        sorted(_BACKWARD),
        sorted(_TWO_WAY),
        EARTH_RADIUS_M,
    ]
    return hashlib.sha256(json.dumps(rules).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class WayTable:
    """OSM ways reduced to what a network needs.

    Attributes
    ----------
    tags
        One row per way, columns :data:`TAG_KEYS` (None where untagged).
    node_id, lon, lat
        Every node the ways reference, sorted by id; lon/lat NaN where the source lacks the
        node's location (a way running out of an extract).
    seg_a, seg_b, seg_way
        One row per consecutive node pair of a way, in the way's drawing order: OSM node ids
        and the row of the way in ``tags``.
    """

    tags: pd.DataFrame
    node_id: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    seg_a: np.ndarray
    seg_b: np.ndarray
    seg_way: np.ndarray


def _tag(tags: pd.DataFrame, key: str) -> pd.Series:
    """Lower-case values of one tag, "" where the way lacks it."""
    return tags[key].astype("string").str.lower().fillna("").astype(object)


def mode_ways(tags: pd.DataFrame, mode: str) -> np.ndarray:
    """Boolean mask of the ways a travel mode may use (see the module docstring)."""
    highway = _tag(tags, "highway")
    keep = highway.isin(MODE_HIGHWAYS[mode]).to_numpy(copy=True)
    keep &= ~_tag(tags, "area").eq("yes").to_numpy()
    if mode != "drive":
        keep &= ~_tag(tags, "motorroad").eq("yes").to_numpy()
    # The most specific access tag that is set decides (OSM's access hierarchy).
    access = _tag(tags, "access")
    for key in reversed(ACCESS_KEYS[mode]):
        value = _tag(tags, key)
        access = value.where(value != "", access)
    keep &= ~_denied(access, DENIED_ACCESS[mode])
    keep &= ~_tag(tags, "service").isin(EXCLUDED_SERVICE[mode]).to_numpy()
    if mode == "drive":
        keep &= ~truck_barred(tags)
    return keep


def _denied(access: pd.Series, denied: frozenset[str]) -> np.ndarray:
    """Whether each access value keeps the mode off: every one of its ``;``-separated values
    does (``agricultural;forestry``)."""
    codes, uniques = pd.factorize(access)
    verdict = np.array(
        [bool(v) and all(part.strip() in denied for part in v.split(";")) for v in uniques],
        dtype=bool,
    )
    return verdict[codes]


def way_directions(tags: pd.DataFrame, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Whether each way may be travelled along its drawing order, and against it.

    Walking ignores one-way tags. Vehicles follow ``oneway`` (``yes``/``1``/``true`` forward,
    ``-1``/``reverse`` backward, ``no`` both); without it, roundabouts and motorways are one-way
    forward (OSM's implied one-way), everything else two-way.
    """
    n = len(tags)
    if mode == "walk":
        return np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    oneway = _tag(tags, "oneway")
    implied = (
        _tag(tags, "junction").isin({"roundabout", "circular"})
        | _tag(tags, "highway").eq("motorway")
    ) & ~oneway.isin(_TWO_WAY)
    forward_only = (oneway.isin(_FORWARD) | (implied & ~oneway.isin(_BACKWARD))).to_numpy()
    backward_only = oneway.isin(_BACKWARD).to_numpy()
    return ~backward_only, ~forward_only


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Great-circle distance in metres between arrays of WGS-84 points."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def buffer_polygon(polygon: BaseGeometry, buffer_m: float) -> BaseGeometry:
    """``polygon`` (WGS-84) grown by ``buffer_m`` metres, measured in its UTM zone."""
    if buffer_m <= 0:
        return polygon
    lon, lat = polygon.centroid.x, polygon.centroid.y
    series = gpd.GeoSeries([polygon], crs="EPSG:4326").to_crs(utm_crs(lon, lat))
    return series.buffer(buffer_m).to_crs("EPSG:4326").iloc[0]


def build_network(
    ways: WayTable,
    area: BaseGeometry,
    mode: str,
    *,
    meta: dict[str, Any] | None = None,
) -> RoadNetwork:
    """Build the network of one travel mode inside ``area``, keeping its largest strongly
    connected component.

    Parameters
    ----------
    ways
        The ways, their nodes and segments.
    area
        WGS-84 (Multi)Polygon, buffer already applied: a segment is kept when both its ends lie
        inside.
    mode
        One of :data:`gxnet.osm.network.MODES`.
    meta
        Provenance to record (source, settings); counts of what was dropped are added.

    Returns
    -------
    RoadNetwork
        Nodes in ascending OSM id order, every direction a vehicle may travel as an edge.

    Raises
    ------
    EmptyNetworkError
        When no road of the mode lies in the area.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    usable = mode_ways(ways.tags, mode)
    forward, backward = way_directions(ways.tags, mode)
    speed = mode_speed_mps(mode, ways.tags["highway"], ways.tags["maxspeed"])

    inside = np.zeros(len(ways.node_id), dtype=bool)
    located = ~np.isnan(ways.lon)
    inside[located] = shapely.contains_xy(area, ways.lon[located], ways.lat[located])
    a = np.searchsorted(ways.node_id, ways.seg_a)
    b = np.searchsorted(ways.node_id, ways.seg_b)
    keep = usable[ways.seg_way] & inside[a] & inside[b] & (a != b)
    a, b, way = a[keep], b[keep], ways.seg_way[keep]
    length = haversine_m(ways.lon[a], ways.lat[a], ways.lon[b], ways.lat[b])

    fwd, bwd = forward[way], backward[way]
    u = np.concatenate([a[fwd], b[bwd]])
    v = np.concatenate([b[fwd], a[bwd]])
    length = np.concatenate([length[fwd], length[bwd]])
    seconds = length / np.concatenate([speed[way][fwd], speed[way][bwd]])
    if len(u) == 0:
        raise EmptyNetworkError(key="err_no_roads", mode=mode)

    # Compact to the nodes the edges use, then keep the largest strongly connected component:
    # a point snapped onto a fragment could reach nothing, or never be reached.
    used, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    u, v = inverse[: len(u)], inverse[len(u) :]
    graph = coo_matrix((np.ones(len(u)), (u, v)), shape=(len(used), len(used)))
    _, label = connected_components(graph, directed=True, connection="strong")
    largest = np.bincount(label).argmax()
    in_largest = label == largest
    edge_kept = in_largest[u] & in_largest[v]
    new_index = np.cumsum(in_largest) - 1

    record = dict(meta or {})
    record.update(
        mode=mode,
        speed_table=speed_table_version(),
        ways_used=int(np.unique(way).size),
        dropped_nodes=int((~in_largest).sum()),
        dropped_edges=int((~edge_kept).sum()),
        components=int(label.max() + 1),
    )
    nodes = used[in_largest]
    return RoadNetwork(
        mode=mode,
        node_id=ways.node_id[nodes].astype(np.int64),
        x=ways.lon[nodes].astype(np.float64),
        y=ways.lat[nodes].astype(np.float64),
        u=new_index[u[edge_kept]].astype(np.int32),
        v=new_index[v[edge_kept]].astype(np.int32),
        length_m=length[edge_kept].astype(np.float32),
        time_s=seconds[edge_kept].astype(np.float32),
        meta=record,
    )


def build_networks(
    ways: WayTable,
    area: BaseGeometry,
    modes: tuple[str, ...],
    *,
    meta: dict[str, Any] | None = None,
) -> dict[str, RoadNetwork]:
    """Build the network of each mode from the same ways (see :func:`build_network`)."""
    return {mode: build_network(ways, area, mode, meta=meta) for mode in modes}
