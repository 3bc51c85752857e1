"""A synthetic plan of any size, for the map benchmark and the map and report tests.

A square grid of 500 m demand cells east of Wuzhou's centre, split into two counties, with
recycling points on some cells, sorting centres among them, and straight-line walk and drive
times. The figures are plausible, not a solved plan: they exercise maps and reports at scale.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from scipy.spatial import cKDTree

from gxnet.plan import Plan

ORIGIN = (111.28, 23.45)
CELL_M = 500.0
METRES_PER_DEG_LAT = 110_574.0
WALK_MPS = 1.2
DRIVE_MPS = 8.0
DETOUR = 1.3
STANDARD_S = 900.0
REACH_S = 1800.0
COUNTIES = ((450403, "万秀区", "Wanxiu"), (450405, "长洲区", "Changzhou"))


def _metres(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Local east/north metres from ORIGIN (good to 0.1 % over a city)."""
    scale_x = METRES_PER_DEG_LAT * np.cos(np.radians(ORIGIN[1]))
    return np.column_stack(((lon - ORIGIN[0]) * scale_x, (lat - ORIGIN[1]) * METRES_PER_DEG_LAT))


def synthetic_plan(
    n_cells: int = 10_000,
    n_points: int = 2_000,
    n_centres: int = 20,
    *,
    cost_mode: str = "road",
    seed: int = 0,
) -> Plan:
    """Return a plan for ``n_cells`` demand cells, ``n_points`` chosen recycling points (a third
    of them existing, plus a quarter as many unchosen candidates) and ``n_centres`` centres."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_cells)))
    dlat = CELL_M / METRES_PER_DEG_LAT
    dlon = dlat / np.cos(np.radians(ORIGIN[1]))
    col, row = np.arange(n_cells) % side, np.arange(n_cells) // side
    lon = ORIGIN[0] + (col + 0.5) * dlon
    lat = ORIGIN[1] + (row + 0.5) * dlat
    cells = shapely.box(lon - dlon / 2, lat - dlat / 2, lon + dlon / 2, lat + dlat / 2)
    households = rng.integers(20, 400, n_cells).astype(float)
    split = ORIGIN[0] + side * dlon / 2
    county = np.where(lon < split, COUNTIES[0][0], COUNTIES[1][0])

    n_candidates = n_points // 4
    on_cells = rng.choice(n_cells, n_points + n_candidates, replace=False)
    site_lon = lon[on_cells] + rng.uniform(-0.3, 0.3, on_cells.size) * dlon
    site_lat = lat[on_cells] + rng.uniform(-0.3, 0.3, on_cells.size) * dlat
    chosen = np.arange(on_cells.size) < n_points
    status = np.where(chosen & (np.arange(on_cells.size) % 3 == 0), "existing", "candidate")

    tree = cKDTree(_metres(site_lon[:n_points], site_lat[:n_points]))
    dist, nearest = tree.query(_metres(lon, lat))
    travel_s = dist * DETOUR / WALK_MPS
    reached = travel_s <= REACH_S
    point_ids = np.array([f"P{i:05d}" for i in range(on_cells.size)])
    served = np.bincount(nearest[reached], weights=households[reached], minlength=n_points)

    centre_of = rng.choice(n_points, n_centres, replace=False)
    centre_xy = _metres(site_lon[centre_of], site_lat[centre_of])
    drive_m, to_centre = cKDTree(centre_xy).query(_metres(site_lon[:n_points], site_lat[:n_points]))
    centre_load = np.bincount(to_centre, weights=served, minlength=n_centres) * 1.5 / 1000
    centre_served = np.bincount(to_centre, weights=served, minlength=n_centres)
    centre_ids = np.array([f"C{i:03d}" for i in range(n_centres)])
    centre_lon, centre_lat = site_lon[centre_of] + dlon / 4, site_lat[centre_of] + dlat / 4

    point_served = np.concatenate([served, np.zeros(n_candidates)])
    sites = gpd.GeoDataFrame(
        {
            "site_id": np.concatenate([point_ids, centre_ids]),
            "name": np.concatenate(
                [
                    [f"回收点 {i}" for i in range(on_cells.size)],
                    [f"分拣中心 {i}" for i in range(n_centres)],
                ]
            ),
            "tier": ["recycling_point"] * on_cells.size + ["sorting_centre"] * n_centres,
            "status": np.concatenate([status, np.full(n_centres, "candidate")]),
            "chosen": np.concatenate([chosen, np.ones(n_centres, bool)]),
            "households_served": np.concatenate([point_served, centre_served]),
            "load": np.concatenate([point_served, centre_load]),
            "capacity": np.concatenate([np.full(on_cells.size, 2000.0), np.full(n_centres, 60.0)]),
        },
        geometry=gpd.points_from_xy(
            np.concatenate([site_lon, centre_lon]), np.concatenate([site_lat, centre_lat])
        ),
        crs="EPSG:4326",
    )
    demand = gpd.GeoDataFrame(
        {
            "demand_id": [f"D{i:06d}" for i in range(n_cells)],
            "households": households,
            "population": households * 2.9,
            "county_adcode": county,
            "setting": "urban",
            "point_id": np.where(reached, point_ids[nearest], ""),
            "travel_s": np.where(reached, travel_s, np.nan),
            "covered": travel_s <= STANDARD_S,
            "cell": gpd.GeoSeries(cells, crs="EPSG:4326"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    links = gpd.GeoDataFrame(
        {
            "point_id": point_ids[:n_points],
            "centre_id": centre_ids[to_centre],
            "travel_s": drive_m * DETOUR / DRIVE_MPS,
        },
        geometry=shapely.linestrings(
            np.stack(
                [
                    np.column_stack([site_lon[:n_points], site_lat[:n_points]]),
                    np.column_stack([centre_lon[to_centre], centre_lat[to_centre]]),
                ],
                axis=1,
            )
        ),
        crs="EPSG:4326",
    )
    top = ORIGIN[1] + (side + 1) * dlat
    counties = gpd.GeoDataFrame(
        {
            "adcode": [c[0] for c in COUNTIES],
            "name_zh": [c[1] for c in COUNTIES],
            "name_pinyin": [c[2] for c in COUNTIES],
            "population": [float(households[county == c[0]].sum() * 2.9) for c in COUNTIES],
            "households": [float(households[county == c[0]].sum()) for c in COUNTIES],
        },
        geometry=[
            shapely.box(ORIGIN[0] - dlon, ORIGIN[1] - dlat, split, top),
            shapely.box(split, ORIGIN[1] - dlat, ORIGIN[0] + (side + 1) * dlon, top),
        ],
        crs="EPSG:4326",
    )
    provenance = {
        "slug": "wuzhou",
        "area_name": "梧州市",
        "cost_mode": cost_mode,
        "standards": {"costs": {"detour_factor": DETOUR}},
    }
    metrics = {"solver": "highs", "status": "optimal", "gap": 0.0}
    return Plan(sites, demand, links, counties, metrics, provenance)
