"""Guangxi's highway graph: a coarse OpenStreetMap road network for truck times between towns.

``<settings.reference_dir>/highways.parquet`` holds the part in and around Guangxi of the world
highway graph that the PyPI package scgraph-data 2.0.0 ships (data © OpenStreetMap
contributors, ODbL; extracted by ``scripts/build_reference.py``): about 5,000 straight edges,
24,800 km, between vertices every few hundred metres to tens of kilometres. It carries no road
class, no one-way streets and no speeds, and it has no streets: good for a truck's time from
one town to another, not for a walk to a recycling point. Where a city's own PBF is on disk,
its drive network is the better answer.

Travel time along it is the edge length at one planning speed, :data:`HIGHWAY_TRUCK_KMH`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from gxnet import settings
from gxnet.osm.network import RoadNetwork

#: Mean speed (km/h) of a loaded collection truck along the highway graph. The graph mixes
#: expressways (a goods vehicle's limit is 100 km/h, planned at 90: see
#: :data:`gxnet.osm.speeds.TRUCK_MAX_KMH`) with national and provincial roads through towns
#: (class I-II highways, 60-80 km/h design speed, slower in towns), and its edges are straight
#: lines between vertices, shorter than the winding road they stand for. One speed at the lower
#: end of that range covers the three; it is an assumption, not a measurement.
HIGHWAY_TRUCK_KMH = 60.0

#: Where the graph comes from, recorded in every network loaded from it.
HIGHWAY_SOURCE = "scgraph-data 2.0.0, world_highways (© OpenStreetMap contributors, ODbL)"


def highways_path() -> Path:
    """The committed highway graph (``highways.parquet`` in the reference folder)."""
    return settings.reference_dir / "highways.parquet"


def load_highways(
    path: str | Path | None = None, *, speed_kmh: float = HIGHWAY_TRUCK_KMH
) -> RoadNetwork:
    """Return the highway graph as a drive :class:`~gxnet.osm.network.RoadNetwork`.

    Parameters
    ----------
    path
        A file written by ``scripts/build_reference.py`` (GeoParquet: ``u, v, length_m``,
        two-point LineStrings); default :func:`highways_path`.
    speed_kmh
        Truck speed on every edge (see :data:`HIGHWAY_TRUCK_KMH`).

    Returns
    -------
    RoadNetwork
        Mode ``"drive"``; every road both ways; ``node_id`` the package's node numbers;
        ``meta`` names the source, its licence, the file's SHA-256 and the speed.
    """
    if not speed_kmh > 0:
        raise ValueError(f"speed_kmh must be positive, not {speed_kmh}")
    path = Path(path) if path is not None else highways_path()
    edges = gpd.read_parquet(path)
    ends = shapely.get_coordinates(edges.geometry.to_numpy()).reshape(-1, 2, 2)
    ids = np.concatenate([edges["u"].to_numpy(np.int64), edges["v"].to_numpy(np.int64)])
    xy = np.concatenate([ends[:, 0], ends[:, 1]])
    node_id, first, index = np.unique(ids, return_index=True, return_inverse=True)
    u, v = index[: len(edges)], index[len(edges) :]
    length = edges["length_m"].to_numpy(np.float64)
    both = np.concatenate
    return RoadNetwork(
        mode="drive",
        node_id=node_id,
        x=xy[first, 0].astype(np.float64),
        y=xy[first, 1].astype(np.float64),
        u=both([u, v]).astype(np.int32),
        v=both([v, u]).astype(np.int32),
        length_m=both([length, length]).astype(np.float32),
        time_s=both([length, length]).astype(np.float32) / np.float32(speed_kmh / 3.6),
        meta={
            "source": HIGHWAY_SOURCE,
            "file": str(path),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "speed_kmh": float(speed_kmh),
        },
    )
