"""Synthetic OpenStreetMap evidence for benchmarks on Guangxi places without an extract here.

No Guangxi OSM can be downloaded on the benchmark machine, so the benchmarks that need the
demand model's OSM path (buildings, residential land use, village and suburb nodes) build
features shaped like a well-mapped Chinese city: buildings clustered around a centre and towns,
a fifth scattered over the whole area, residential areas around the same centres, and villages
spread over the countryside.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from gxnet.osm.features import OsmFeatures


def clustered_features(
    boundary: shapely.Geometry,
    centres: np.ndarray,
    weights: np.ndarray,
    n_buildings: int,
    *,
    seed: int = 1,
) -> OsmFeatures:
    """Features over ``boundary`` with buildings clustered around ``centres`` (lon/lat rows)
    in proportion to ``weights``; a fifth of the buildings, and the villages, spread evenly."""
    rng = np.random.default_rng(seed)

    def clustered(n: int, sigma_deg: float) -> np.ndarray:
        which = rng.choice(len(centres), n, p=weights / weights.sum())
        return centres[which] + rng.normal(0, sigma_deg, (n, 2))

    x0, y0, x1, y1 = boundary.bounds
    n_scatter = int(n_buildings * 0.2)
    pts = np.vstack(
        [
            clustered(n_buildings - n_scatter, 0.05),
            np.column_stack([rng.uniform(x0, x1, n_scatter), rng.uniform(y0, y1, n_scatter)]),
        ]
    )
    pts = pts[shapely.contains_xy(boundary, pts[:, 0], pts[:, 1])]
    n = len(pts)
    buildings = gpd.GeoDataFrame(
        {
            "osm_id": [f"w{i}" for i in range(n)],
            "building": rng.choice(["yes", "residential", "apartments", "house"], n),
            "footprint_m2": rng.lognormal(5.0, 0.8, n),
        },
        geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]),
        crs="EPSG:4326",
    )
    buildings.insert(2, "residential", buildings["building"] != "yes")
    res_centres = clustered(4000, 0.04)
    half = rng.uniform(0.0005, 0.002, len(res_centres))
    residential = gpd.GeoDataFrame(
        {"osm_id": [f"w{i}" for i in range(len(res_centres))]},
        geometry=shapely.box(
            res_centres[:, 0] - half,
            res_centres[:, 1] - half,
            res_centres[:, 0] + half,
            res_centres[:, 1] + half,
        ),
        crs="EPSG:4326",
    )
    villages = np.column_stack([rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000)])
    villages = villages[shapely.contains_xy(boundary, villages[:, 0], villages[:, 1])][:2500]
    urban = clustered(300, 0.04)
    place_xy = np.vstack([villages, urban])
    places = gpd.GeoDataFrame(
        {
            "osm_id": [f"n{i}" for i in range(len(place_xy))],
            "place": ["village"] * len(villages) + ["suburb"] * len(urban),
            "name": [""] * len(place_xy),
        },
        geometry=gpd.points_from_xy(place_xy[:, 0], place_xy[:, 1]),
        crs="EPSG:4326",
    )
    pois = gpd.GeoDataFrame(
        {"osm_id": [], "kind": [], "name": []}, geometry=gpd.points_from_xy([], []), crs=4326
    )
    return OsmFeatures(residential, buildings, places, pois, meta={"source": "synthetic"})
