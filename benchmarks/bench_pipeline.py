"""End to end: `gxnet optimize --city wuzhou` in the embedded default, against a dense script.

gxnet runs the whole pipeline (census demand, grid candidates, straight-line x detour costs,
points by maximal covering at the household standard's number of points, centres by set
covering of the chosen points, plan, map) and prints its time per stage. Beside it, the same
two models written the way osmnx + PuLP scripts are: a dense demand x candidate distance
matrix, one constraint per demand unit built by a Python loop over its matrix row, PuLP's own
HiGHS interface. Both solve the same models on the same instance (the same demand, households,
candidates, standards and number of points) with the same solver, time limit and gap, and the
table prints both sides' objective (households covered) and bound, so a ratio of times is only
read where both reached the same quality. The dense script needs n² memory and time: it runs
only where the instance has at most ``--peer-max`` demand units (larger ones are reported as
skipped, with the memory the matrix would need).

    python benchmarks/bench_pipeline.py                 # Wuzhou city (target: under 60 s)
    python benchmarks/bench_pipeline.py --quick         # one rural county (苍梧县)
    python benchmarks/bench_pipeline.py --area 长洲区 --area 苍梧县
    python benchmarks/bench_pipeline.py --road 450 --time-limit 120   # cached 200,000 nodes

``--road SIDE`` runs the road-network path at city scale without an OSM extract (none can be
downloaded here): a generated SIDE x SIDE street grid (benchmarks/bench_costs.py's, 100 m blocks,
450 x 450 = 202,500 nodes) stands in for the cache `gxnet fetch` writes, over the part of Wuzhou
it covers; it is saved and loaded as a cache is, and demand is that part's share of the census.
A city with a cached road network has its OSM extract too, so by default demand is placed by
OSM evidence as `gxnet optimize` places it there: synthetic features (benchmarks/synthetic_osm.py,
buildings clustered around four centres in the area and a town per county, a fifth spread
evenly) over the counties the area overlaps, built before the clock starts; building demand
from them is timed. ``--demand even`` spreads each county's census evenly instead (what
gxnet does with no OSM at all): uniform demand on a regular grid is the covering model's worst
case, as every plan has many mirror images of equal value.
The points stage prints its incumbent and bound after each step (greedy and interchange, Lagrangean
bound, Lagrangean heuristic and neighbourhood search, HiGHS).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pulp
import shapely
from pyproj import Transformer
from synthetic_osm import clustered_features

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gxnet import pipeline, settings
from gxnet.config import Config
from gxnet.crs import utm_crs
from gxnet.demand import build_demand
from gxnet.optimize import MaximalCovering
from gxnet.osm.features import OsmFeatures
from gxnet.study_area import guangxi_counties
from gxnet.tiers import Tier


def run_gxnet(area: str, config: Config, out: Path) -> dict:
    """The whole job as `gxnet optimize` runs it; returns stage times and figures."""
    tic = time.perf_counter()
    plan = pipeline.optimize_city(area, config=config)
    solved = time.perf_counter() - tic
    tic = time.perf_counter()
    pipeline.save_outputs(plan, out, basemap="none")
    written = time.perf_counter() - tic
    m = plan.metrics
    return {
        "plan": plan,
        "stages": m["stage_seconds"],
        "save_and_map_s": written,
        "total_s": solved + written,
        "point_sites": m["point_sites"],
        "covered": m["coverage"] * m["households"],
        "centres": m["centres"],
        "status": m["status"],
        "gap": m["gap"],
        # Costs and model build: what the dense script's "build" (matrix and rows) compares with.
        "build_s": m["build_s"] + m["stage_seconds"]["costs"],
    }


def _xy(geometry, crs) -> np.ndarray:
    to = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return np.column_stack(to.transform(geometry.x.to_numpy(), geometry.y.to_numpy()))


def _within(rows_xy, cols_xy, reach_m, config: Config) -> np.ndarray:
    """The dense matrix scripts compute: straight line x detour factor within each row's reach."""
    dist = np.sqrt(((rows_xy[:, None, :] - cols_xy[None, :, :]) ** 2).sum(axis=2))
    return dist * config.costs.detour_factor <= reach_m[:, None]


def _solved(prob: pulp.LpProblem, config: Config) -> tuple[float, str]:
    tic = time.perf_counter()
    s = config.solver
    prob.solve(pulp.HiGHS(msg=False, timeLimit=s.time_limit_s, gapRel=s.gap, threads=s.threads))
    return time.perf_counter() - tic, pulp.LpStatus[prob.status]


def dense_max_cover(
    rows_xy, cols_xy, reach_m, households, n_points: int, status, config: Config
) -> dict:
    """Maximal covering the way scripts write it: open ``n_points`` sites, most households
    within reach. Sites gxnet must keep (existing, required) open, excluded ones closed."""
    tic = time.perf_counter()
    within = _within(rows_xy, cols_xy, reach_m, config)
    prob = pulp.LpProblem("max_cover", pulp.LpMaximize)
    y = [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(len(cols_xy))]
    z = [pulp.LpVariable(f"z{i}", lowBound=0, upBound=1) for i in range(len(rows_xy))]
    prob += pulp.lpSum(float(households[i]) * z[i] for i in range(len(rows_xy)))
    for i in range(len(rows_xy)):
        prob += z[i] <= pulp.lpSum(y[j] for j in range(len(cols_xy)) if within[i, j])
    prob += pulp.lpSum(y) == n_points
    for j, kind in enumerate(status):
        if kind in ("existing", "required"):
            prob += y[j] == 1
        elif kind == "excluded":
            prob += y[j] == 0
    build = time.perf_counter() - tic
    solve, state = _solved(prob, config)
    opened = [j for j, v in enumerate(y) if (v.varValue or 0) > 0.5]
    covered = float(sum(households[i] for i in range(len(rows_xy)) if within[i, opened].any()))
    return {
        "opened": opened,
        "build_s": build,
        "solve_s": solve,
        "status": state,
        "covered": covered,
    }


def dense_cover(rows_xy, cols_xy, reach_m, config: Config) -> dict:
    """Set covering the way scripts write it: fewest sites with every row within reach."""
    tic = time.perf_counter()
    within = _within(rows_xy, cols_xy, reach_m, config)
    prob = pulp.LpProblem("cover", pulp.LpMinimize)
    y = [pulp.LpVariable(f"y{j}", cat="Binary") for j in range(len(cols_xy))]
    prob += pulp.lpSum(y)
    for i in range(len(rows_xy)):
        prob += pulp.lpSum(y[j] for j in range(len(cols_xy)) if within[i, j]) >= 1
    build = time.perf_counter() - tic
    solve, state = _solved(prob, config)
    opened = [j for j, v in enumerate(y) if (v.varValue or 0) > 0.5]
    return {"opened": opened, "build_s": build, "solve_s": solve, "status": state}


def run_dense(plan, config: Config) -> dict:
    """The two models gxnet solved, written densely: maximal covering of the demand with the
    number of points gxnet opened at the household standard, then set covering of the chosen
    points by centres within the truck standard."""
    sites, demand = plan.sites, plan.demand
    points = sites[sites["tier"] == Tier.RECYCLING_POINT]
    centres = sites[sites["tier"] == Tier.SORTING_CENTRE]
    crs = utm_crs(demand.geometry.x, demand.geometry.y)
    p = config.points
    reach = np.where(
        demand["setting"] == "urban", p.service_radius_m_urban, p.service_radius_m_rural
    )
    status = points["status"].to_numpy() if "status" in points else ["candidate"] * len(points)
    tic = time.perf_counter()
    first = dense_max_cover(
        _xy(demand.geometry, crs),
        _xy(points.geometry, crs),
        reach,
        demand["households"].to_numpy(dtype=float),
        int(plan.metrics["point_sites"]),
        status,
        config,
    )
    c = config.centres
    truck_m = c.truck_minutes * 60 * c.truck_speed_kmh / 3.6
    chosen = points.iloc[first["opened"]]
    second = dense_cover(
        _xy(chosen.geometry, crs),
        _xy(centres.geometry, crs),
        np.full(len(chosen), truck_m),
        config,
    )
    return {
        "total_s": time.perf_counter() - tic,
        "build_s": first["build_s"] + second["build_s"],
        "solve_s": first["solve_s"] + second["solve_s"],
        "point_sites": len(first["opened"]),
        "covered": first["covered"],
        "centres": len(second["opened"]),
        "status": f"{first['status']}/{second['status']}",
    }


def run_road(side: int, config: Config, out: Path, demand: str) -> None:
    """The pipeline on a cached city-scale road network (see the module docstring)."""
    from bench_costs import grid_network
    from shapely.geometry import box

    from gxnet.osm.network import RoadNetwork
    from gxnet.regions import get_city

    cache = out / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    for mode in ("walk", "drive"):
        grid_network(side, mode).save(cache / f"{mode}.npz")
    tic = time.perf_counter()
    networks = {m: RoadNetwork.load(cache / f"{m}.npz") for m in ("walk", "drive")}
    load_s = time.perf_counter() - tic
    walk = networks["walk"]
    extent = box(walk.x.min(), walk.y.min(), walk.x.max(), walk.y.max()).buffer(-0.01)
    area = extent.intersection(get_city("wuzhou").boundary)
    # What `gxnet fetch` would have cached for this area.
    pipeline.road_networks = lambda area, pbf=None: networks
    features = None if demand == "even" else _area_features(area)
    points = _record_solutions(MaximalCovering)
    tic = time.perf_counter()
    frame = None if features is None else _evidence_demand(area, features, config)
    plan = pipeline.optimize_city(area, config=config, demand=frame)
    pipeline.save_outputs(plan, out / "plan", basemap="none")
    total = time.perf_counter() - tic + load_s
    m = plan.metrics
    stages = ", ".join(f"{k} {v:.1f}" for k, v in m["stage_seconds"].items())
    gap = "n/a" if m["gap"] is None else f"{100 * m['gap']:.2f} %"
    print(f"road network: {walk.n_nodes:,} nodes, {walk.n_edges:,} walk edges, load {load_s:.2f} s")
    placed = "evenly per county" if features is None else "by synthetic OSM evidence"
    print(
        f"  {len(plan.demand):,} demand units, {m['households']:,.0f} households, placed {placed}"
    )
    print(f"  stages (s): {stages}")
    print(
        f"  {m['point_sites']:,} point sites, {m['centres']} centres, coverage "
        f"{100 * m['coverage']:.1f} %, {m['model']}: {m['status']}, gap {gap}"
    )
    for solution in points:
        print(f"  points: {_trace(solution)}")
    print(f"  end to end {total:.1f} s, plan and map written (target: under 180 s)")


def _area_features(area) -> OsmFeatures:
    """Synthetic OSM evidence over the counties ``area`` overlaps (see the module docstring)."""
    counties = guangxi_counties(area)
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = area.bounds
    inner = np.column_stack([rng.uniform(x0, x1, 200), rng.uniform(y0, y1, 200)])
    inner = inner[shapely.contains_xy(area, inner[:, 0], inner[:, 1])][:4]
    towns = shapely.get_coordinates(shapely.point_on_surface(counties.geometry.to_numpy()))
    weights = np.r_[np.full(len(inner), 0.6 / len(inner)), np.full(len(towns), 0.4 / len(towns))]
    return clustered_features(
        counties.geometry.union_all(), np.vstack([inner, towns]), weights, 150_000
    )


def _evidence_demand(area, features: OsmFeatures, config: Config) -> gpd.GeoDataFrame:
    """Census demand placed by ``features``, as the pipeline places it for an area in Guangxi."""
    counties = guangxi_counties(area)
    frame = build_demand(
        counties.geometry.union_all(),
        counties=counties,
        features=features,
        cell_size_m=config.grid.cell_size_m,
        grid=config.grid.kind,
        standards=config.demand,
    )
    return frame[shapely.contains_xy(area, frame.geometry.x, frame.geometry.y)]


def _record_solutions(model: type) -> list:
    """Keep every Solution ``model.solve`` returns from now on (to show its stages)."""
    solutions = []
    solve = model.solve

    def recording(self, options=None):
        solutions.append(solve(self, options))
        return solutions[-1]

    model.solve = recording
    return solutions


def _trace(solution) -> str:
    """Incumbent and bound after each stage of a maximal covering solve."""
    m = solution.metrics
    return (
        f"greedy+interchange {m['greedy_objective']:,.0f}, Lagrangean bound "
        f"{m['lagrangean_bound']:,.1f}, Lagrangean heuristic + search "
        f"{m['heuristic_objective']:,.0f} "
        f"({solution.build_time_s:.1f} s); after HiGHS ({solution.solve_time_s:.1f} s) "
        f"{solution.objective:,.0f} <= {solution.bound:,.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", action="append", help="city or county (repeatable)")
    parser.add_argument("--quick", action="store_true", help="one county only (苍梧县)")
    parser.add_argument("--peer-max", type=int, default=3000, help="largest dense instance")
    parser.add_argument("--road", type=int, metavar="SIDE", help="cached SIDE x SIDE road grid")
    parser.add_argument("--time-limit", type=float, help="solver seconds (default: gxnet's)")
    parser.add_argument(
        "--demand",
        choices=("osm", "even"),
        default="osm",
        help="--road: place the census by (synthetic) OSM evidence, or evenly per county",
    )
    args = parser.parse_args()
    config = Config().with_options(time_limit_s=args.time_limit)
    if args.road:
        warnings.simplefilter("ignore")
        with tempfile.TemporaryDirectory() as tmp:
            settings.osm_dir = Path(tmp) / "osm"
            settings.sites_dir = Path(tmp) / "sites"
            run_road(args.road, config, Path(tmp), args.demand)
        return
    areas = args.area or (["苍梧县"] if args.quick else ["苍梧县", "wuzhou"])
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        # The embedded default: no OSM cache, no site list.
        settings.osm_dir = Path(tmp) / "osm"
        settings.sites_dir = Path(tmp) / "sites"
        rows = []
        for area in areas:
            g = run_gxnet(area, config, Path(tmp) / "out")
            plan = g.pop("plan")
            n = len(plan.demand)
            stages = ", ".join(f"{k} {v:.1f}" for k, v in g["stages"].items())
            print(f"{area}: {n:,} demand units, {len(plan.sites):,} sites")
            print(f"  gxnet stages (s): {stages}, save+map {g['save_and_map_s']:.1f}")
            if n <= args.peer_max:
                d = run_dense(plan, config)
            else:
                gb = n * (plan.sites["tier"] == Tier.RECYCLING_POINT).sum() * 8 / 1e9
                d = {"skipped": f"dense matrix would need {gb:.1f} GB"}
            rows.append((area, n, g, d))
    print()
    print(
        f"{'area':<10} {'units':>7} | {'gxnet s':>8} {'build':>6} {'points':>6} "
        f"{'households':>11} {'ctr':>4} {'status':<9} | {'dense s':>8} {'build':>7} {'points':>6} "
        f"{'households':>11} {'ctr':>4} {'status':<17} | ratio"
    )
    for area, n, g, d in rows:
        left = (
            f"{area:<10} {n:>7,} | {g['total_s']:>8.1f} {g['build_s']:>6.1f} {g['point_sites']:>6} "
            f"{g['covered']:>11,.0f} {g['centres']:>4} {g['status']:<9} | "
        )
        if "skipped" in d:
            print(left + f"skipped: {d['skipped']}")
            continue
        ratio = d["total_s"] / max(sum(g["stages"][k] for k in ("costs", "model")), 1e-9)
        print(
            left + f"{d['total_s']:>8.1f} {d['build_s']:>7.1f} {d['point_sites']:>6} "
            f"{d['covered']:>11,.0f} {d['centres']:>4} {d['status']:<17} | "
            f"{ratio:.1f}x (costs+model)"
        )
    print(
        "both sides: maximal covering with the same number of points (households covered "
        "within the walk standard), then set covering of the chosen points by centres"
    )
    worst = max(g["total_s"] for _, _, g, _ in rows)
    print(f"\nslowest gxnet end to end: {worst:.1f} s (target: Wuzhou under 60 s)")


if __name__ == "__main__":
    main()
