"""Benchmark: reading a 10,000-row site list, and demand for Nanning at 500 m, against the peer.

Targets (issue 5): a 10,000-row list read and checked in under 2 s; demand for Nanning
(8.7 M people) at 500 m cells in under 10 s from cached OSM.

The peer is what a planner's script does with pandas and geopandas: a row loop that parses
each row, checks it against the city boundary and remembers ids (site list), and a spatial join
of buildings to a grid with rounded shares (demand).

There is no Nanning OSM extract on this machine, so the demand run builds SYNTHETIC cached
features over Nanning's real boundary at the density of a well-mapped Chinese city (600,000
buildings clustered around the centre and the county towns, 4,000 residential areas, 2,500
village and 300 town/suburb nodes) and times ``build_demand`` reading that cache.

    python benchmarks/bench_sites.py            # full run
    python benchmarks/bench_sites.py --quick    # 1,000 rows, 1 km cells, 60,000 buildings
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from synthetic_osm import clustered_features

from gxnet import settings
from gxnet.crs import convert
from gxnet.demand import build_demand
from gxnet.osm.features import OsmFeatures, features_dir
from gxnet.regions import boundaries, get_city
from gxnet.sites import read_sites


def make_site_list(path: Path, n: int, boundary: shapely.Geometry, seed: int = 0) -> None:
    """A GBK CSV with Chinese headers, GCJ-02 coordinates and about 5 % faulty rows."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = boundary.bounds
    lon, lat = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
    inside = shapely.contains_xy(boundary, lon, lat)
    lon, lat = convert(lon[inside][:n], lat[inside][:n], "wgs84", "gcj02")
    frame = pd.DataFrame(
        {
            "编号": [f"S{i:05d}" for i in range(n)],
            "名称": [f"回收点{i}" for i in range(n)],
            "经度": np.round(lon, 6).astype(object),
            "纬度": np.round(lat, 6).astype(object),
            "类型": rng.choice(["回收点", "分拣中心"], n, p=[0.95, 0.05]),
            "容量": rng.integers(1000, 3000, n).astype(object),
            "状态": rng.choice(["候选", "现有"], n, p=[0.8, 0.2]),
        }
    )
    bad = rng.choice(n, n // 20, replace=False)
    kinds = np.arange(len(bad)) % 4
    frame.loc[bad[kinds == 0], "经度"] = ""
    frame.loc[bad[kinds == 1], "容量"] = "约两千"
    frame.loc[bad[kinds == 2], "编号"] = "S00000"
    swap = bad[kinds == 3]
    frame.loc[swap, ["经度", "纬度"]] = frame.loc[swap, ["纬度", "经度"]].to_numpy()
    frame.to_csv(path, index=False, encoding="gbk")


def peer_site_check(path: Path, boundary: shapely.Geometry) -> tuple[int, int]:
    """A planner's pandas script: one row at a time, shapely point-in-polygon per row."""
    table = pd.read_csv(path, encoding="gbk", dtype=str, keep_default_na=False)
    seen: set[str] = set()
    kept = rejected = 0
    for _, row in table.iterrows():
        try:
            lon, lat = float(row["经度"]), float(row["纬度"])
            float(row["容量"])
        except ValueError:
            rejected += 1
            continue
        if lat > 90:
            lon, lat = lat, lon
        x, y = convert(np.array([lon]), np.array([lat]), "gcj02", "wgs84")
        if row["编号"] in seen or not boundary.contains(shapely.Point(x[0], y[0])):
            rejected += 1
            continue
        seen.add(row["编号"])
        kept += 1
    return kept, rejected


def make_nanning_features(
    boundary: shapely.Geometry, n_buildings: int, seed: int = 1
) -> OsmFeatures:
    """Synthetic OSM features over Nanning's real boundary (see the module docstring)."""
    towns = shapely.point_on_surface(boundaries("nanning").geometry.to_numpy())
    # The city centre, then one town per county.
    centres = np.vstack([[108.32, 22.82]] + [[t.x, t.y] for t in towns])
    weights = np.r_[0.55, np.full(len(towns), 0.25 / len(towns))]
    return clustered_features(boundary, centres, weights, n_buildings, seed=seed)


def peer_demand(features: OsmFeatures, counties: gpd.GeoDataFrame, cell_m: float) -> float:
    """A planner's geopandas script: a box per cell, sjoin buildings, rounded county shares.

    Returns the absolute difference between its total and the census (rounding loses people).
    """
    crs = counties.estimate_utm_crs()
    c = counties.to_crs(crs)
    x0, y0, x1, y1 = c.total_bounds
    xs, ys = np.arange(x0, x1, cell_m), np.arange(y0, y1, cell_m)
    grid = gpd.GeoDataFrame(
        geometry=[shapely.box(x, y, x + cell_m, y + cell_m) for x in xs for y in ys], crs=crs
    )
    grid["cell"] = np.arange(len(grid))
    b = features.buildings.to_crs(crs)
    joined = gpd.sjoin(b, grid, predicate="within").sjoin(
        c[["adcode", "population", "geometry"]], predicate="within", rsuffix="county"
    )
    weight = joined.groupby(["adcode", "cell"])["footprint_m2"].sum().reset_index()
    weight["share"] = weight["footprint_m2"] / weight.groupby("adcode")["footprint_m2"].transform(
        "sum"
    )
    weight = weight.merge(c[["adcode", "population"]], on="adcode")
    weight["people"] = np.round(weight["share"] * weight["population"])
    return float(abs(weight["people"].sum() - counties["population"].sum()))


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--rows", type=int, default=None, help="site list rows (10,000)")
    parser.add_argument("--cell-size", type=float, default=None, help="demand cell, m (500)")
    parser.add_argument("--skip-peer", action="store_true", help="time gxnet only")
    args = parser.parse_args()
    rows = args.rows or (1_000 if args.quick else 10_000)
    cell = args.cell_size or (1_000.0 if args.quick else 500.0)
    n_buildings = 60_000 if args.quick else 600_000
    warnings.simplefilter("ignore", UserWarning)

    wuzhou = get_city("wuzhou").boundary
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sites.csv"
        make_site_list(path, rows, wuzhou)
        t_gx, result = timed(read_sites, path, crs="gcj02", boundary=wuzhou)
        c = result.counts()
        print(f"site list, {rows:,} rows (GBK CSV, GCJ-02, 5 % faulty), target < 2 s")
        print(f"  gxnet read_sites : {t_gx:6.2f} s  kept {c['kept'] + c['fixed']:,}, "
              f"fixed {c['fixed']:,}, rejected {c['rejected']:,} (near-dups too)")  # fmt: skip
        if not args.skip_peer:
            t_peer, (kept, rejected) = timed(peer_site_check, path, wuzhou)
            print(f"  peer row loop    : {t_peer:6.2f} s  kept {kept:,}, rejected {rejected:,} "
                  f"(no near-duplicates, no report)   speed-up x{t_peer / t_gx:.1f}")  # fmt: skip

        nanning = get_city("nanning")
        settings.osm_dir = Path(tmp) / "osm"
        t_make, features = timed(make_nanning_features, nanning.boundary, n_buildings)
        features.save(features_dir(nanning.slug))
        print(f"\ndemand, Nanning ({nanning.population:,} people), {cell:.0f} m cells, "
              f"synthetic cached OSM: {len(features.buildings):,} buildings, "
              f"{len(features.residential):,} residential areas, {len(features.places):,} "
              f"places (built in {t_make:.1f} s), target < 10 s")  # fmt: skip
        for grid in ("square", "h3"):
            t_d, demand = timed(build_demand, nanning, cell_size_m=cell, grid=grid)
            gap = int(demand["population"].sum()) - nanning.population
            print(f"  gxnet build_demand ({grid:6s}): {t_d:6.2f} s  {len(demand):,} units, "
                  f"total - census = {gap}")  # fmt: skip
        if not args.skip_peer:
            t_p, lost = timed(peer_demand, features, boundaries("nanning"), cell)
            print(f"  peer sjoin + round        : {t_p:6.2f} s  total - census = {lost:+.0f} "
                  "(rounding; no urban/rural split, no villages)")  # fmt: skip


if __name__ == "__main__":
    main()
