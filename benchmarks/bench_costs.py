"""Benchmark gxnet's travel costs against the networkx loop osmnx users write.

Many-to-many costs within a cutoff (15 min walk, 45 min drive), on the real Helsinki extract
(tests/data) and on a generated grid of about 200,000 nodes, side by side:

- gxnet: ``gxnet.costs.travel_costs(network, origins, destinations, cutoff)``.
- networkx: from each origin ``nx.single_source_dijkstra(G, origin, cutoff=..., weight=
  "travel_time")`` on the osmnx-style MultiDiGraph, then for each destination reached, the
  seconds plus ``nx.path_weight(G, path, "length")`` for the metres.

Both sides snap with the same ``RoadNetwork.nearest_nodes``, pay the same access time and return
the same (origin, destination, seconds, metres) pairs; the run checks that they agree on the
origins networkx ran. Each side runs in a fresh process on the network loaded from its ``.npz``
cache, as after ``gxnet fetch``. Time is wall-clock of the computation, snapping included, graph
building excluded (reported apart): the networkx graph, and gxnet's search arrays, which the
cache carries (``RoadNetwork.save`` derives them; the time to derive them in memory is printed,
with the ratio it would give). Memory is the peak resident set size above what the process held
once its inputs were loaded (Linux: the high-water mark VmHWM is reset through
/proc/self/clear_refs before the run and read after it).

The networkx loop takes hours on the full instance, so by default it runs from a random sample
of origins (``--nx-origins``: 50, or 500 on the grid walk whose origins take a millisecond each)
and the time of its searches is extrapolated linearly to all origins (snapping every point is
timed once, not extrapolated): the output says so on every such line. ``--nx-origins 0`` runs
all of them.

    python benchmarks/bench_costs.py            # 5,000 x 2,000 points, 450 x 450 grid
    python benchmarks/bench_costs.py --quick    # 500 x 200 points, 150 x 150 grid (~1 min)
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gxnet.costs import ACCESS_SPEED_MPS, travel_costs  # noqa: E402
from gxnet.osm.network import RoadNetwork  # noqa: E402
from gxnet.osm.speeds import WALK_MPS  # noqa: E402

HELSINKI = REPO / "tests" / "data" / "helsinki.osm.pbf"
# The grid sits at Wuzhou, Guangxi.
LON0, LAT0 = 111.20, 23.40
CUTOFF_S = {"walk": 15 * 60.0, "drive": 45 * 60.0}


def grid_network(side: int, mode: str, seed: int = 0) -> RoadNetwork:
    """A side x side street grid, 100 m blocks, built from arrays (no networkx).

    Nodes are jittered by up to 15 m; 5 % of street segments are missing; streets are 5-25 %
    longer than the straight line. Drive: every 10th street is an arterial at 50 km/h, the rest
    30 km/h, times stretched 0-30 % for junctions, and 15 % of the minor segments one-way.
    Walk: every segment both ways at the walking speed.
    """
    rng = np.random.default_rng(seed)
    n = side * side
    row, col = np.divmod(np.arange(n), side)
    x_m = col * 100.0 + rng.uniform(-15, 15, n)
    y_m = row * 100.0 + rng.uniform(-15, 15, n)
    lon = LON0 + x_m / (111_320.0 * np.cos(np.radians(LAT0)))
    lat = LAT0 + y_m / 110_700.0
    node = np.arange(n).reshape(side, side)
    a = np.concatenate([node[:, :-1].ravel(), node[:-1, :].ravel()])
    b = np.concatenate([node[:, 1:].ravel(), node[1:, :].ravel()])
    arterial = np.concatenate(
        [(row[node[:, :-1].ravel()] % 10 == 0), (col[node[:-1, :]].ravel() % 10 == 0)]
    )
    present = rng.random(len(a)) > 0.05
    a, b, arterial = a[present], b[present], arterial[present]
    length = np.hypot(x_m[a] - x_m[b], y_m[a] - y_m[b]) * rng.uniform(1.05, 1.25, len(a))
    if mode == "walk":
        time_s = length / WALK_MPS
        one_way = np.zeros(len(a), dtype=bool)
    else:
        time_s = length / (np.where(arterial, 50.0, 30.0) / 3.6) * rng.uniform(1.0, 1.3, len(a))
        one_way = ~arterial & (rng.random(len(a)) < 0.15)
        flip = one_way & (rng.random(len(a)) < 0.5)
        a, b = np.where(flip, b, a), np.where(flip, a, b)
    u = np.concatenate([a, b[~one_way]])
    v = np.concatenate([b, a[~one_way]])
    length = np.concatenate([length, length[~one_way]])
    time_s = np.concatenate([time_s, time_s[~one_way]])
    return RoadNetwork(
        mode,
        np.arange(n, dtype=np.int64),
        lon,
        lat,
        u.astype(np.int32),
        v.astype(np.int32),
        length.astype(np.float32),
        time_s.astype(np.float32),
        meta={"generator": f"grid {side}x{side} seed {seed}"},
    )


def helsinki_network(mode: str) -> RoadNetwork:
    """The real extract committed for the tests, read by gxnet's PBF reader."""
    from shapely.geometry import box

    from gxnet.osm.pbf import pbf_bounds, read_network

    return read_network(HELSINKI, box(*pbf_bounds(HELSINKI)), mode)


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _measured(network: RoadNetwork, compute) -> dict:
    """Run ``compute()``: its result, wall and CPU seconds, peak RSS above the start (MB)."""
    # Both sides snap with the network's k-d tree: build it (and load PROJ) before the clock.
    network.nearest_nodes(network.x[:1], network.y[:1])
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = _rss_mb("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result = compute()
    return {
        "result": result,
        "seconds": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "peak_mb": _rss_mb("VmHWM") - base,
        "base_mb": base,
    }


def run_gxnet(case: dict) -> dict:
    """Child process: gxnet costs for every origin."""
    network = RoadNetwork.load(case["network"])
    with np.load(case["points"]) as z:
        origins, destinations, sample = z["origins"], z["destinations"], z["sample"]

    def costs():
        return travel_costs(network, origins, destinations, case["cutoff_s"])

    run = _measured(network, costs)  # first call: builds the search matrix from the cache
    table = run.pop("result")
    again = _measured(network, costs)  # the pipeline's later calls on the same network
    del again["result"]
    mine = table[np.isin(table.origin.to_numpy(), sample)]
    return run | {
        "pairs": len(table),
        "again": again,
        "derive_s": _derive_seconds(network, origins, destinations),
        "sample_rows": mine.to_numpy(dtype=np.float64),
    }


def _derive_seconds(network: RoadNetwork, origins: np.ndarray, destinations: np.ndarray) -> float:
    """Wall seconds a first call would spend deriving what the cache carries.

    That is the search graph of the direction it searches and the ground-speed bound, on a copy
    of the network built in memory (no cache).
    """
    fields = ("mode", "node_id", "x", "y", "u", "v", "length_m", "time_s", "meta")
    fresh = RoadNetwork(**{name: getattr(network, name) for name in fields})
    # (travel_costs searches from the side with fewer distinct nodes, destinations in reverse.)
    o_node = fresh.nearest_nodes(origins[:, 0], origins[:, 1])[0]
    d_node = fresh.nearest_nodes(destinations[:, 0], destinations[:, 1])[0]
    reverse = len(np.unique(d_node)) < len(np.unique(o_node))
    start = time.perf_counter()
    fresh.search_graph(reverse=reverse), fresh.ground_speed_bound
    return time.perf_counter() - start


def run_networkx(case: dict) -> dict:
    """Child process: the networkx loop from the sampled origins."""
    import networkx as nx

    network = RoadNetwork.load(case["network"])
    with np.load(case["points"]) as z:
        origins, destinations, sample = z["origins"], z["destinations"], z["sample"]
    start = time.perf_counter()
    graph = network.to_networkx()
    build_s = time.perf_counter() - start
    speed, cutoff = ACCESS_SPEED_MPS[network.mode], case["cutoff_s"]

    def loop() -> tuple[list[tuple[int, int, float, float]], float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        o_node, o_dist = network.nearest_nodes(origins[:, 0], origins[:, 1])
        d_node, d_dist = network.nearest_nodes(destinations[:, 0], destinations[:, 1])
        targets = [
            (j, int(network.node_id[d]), m / speed, m)
            for j, (d, m) in enumerate(zip(d_node, d_dist, strict=True))
        ]
        snap = (time.perf_counter() - wall, time.process_time() - cpu)
        rows = []
        for i, o, m_o in zip(sample, o_node[sample], o_dist[sample], strict=True):
            a_o = m_o / speed
            reached, paths = nx.single_source_dijkstra(
                graph, int(network.node_id[o]), cutoff=cutoff - a_o, weight="travel_time"
            )
            for j, target, a_d, m_d in targets:
                if target in reached and a_o + reached[target] + a_d <= cutoff:
                    metres = m_o + nx.path_weight(graph, paths[target], "length") + m_d
                    rows.append((int(i), j, a_o + reached[target] + a_d, metres))
        return rows, *snap

    run = _measured(network, loop)
    rows, run["snap_s"], run["snap_cpu_s"] = run.pop("result")
    return run | {
        "pairs": len(rows),
        "build_s": build_s,
        "sample_rows": np.array(rows, dtype=np.float64).reshape(-1, 4),
    }


def _in_child(function, case: dict) -> dict:
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, case).result()


def _agreement(gx: np.ndarray, nx_rows: np.ndarray) -> str:
    """How far the two sides' pairs for the sampled origins differ."""
    gx = gx[np.lexsort((gx[:, 1], gx[:, 0]))]
    nx_rows = nx_rows[np.lexsort((nx_rows[:, 1], nx_rows[:, 0]))]
    if len(gx) != len(nx_rows) or not np.array_equal(gx[:, :2], nx_rows[:, :2]):
        return f"DIFFERENT pair sets ({len(gx)} gxnet vs {len(nx_rows)} networkx)"
    if not len(gx):
        return "agree: no pairs"
    ds = np.abs(gx[:, 2] - nx_rows[:, 2]).max()
    dm = np.abs(gx[:, 3] - nx_rows[:, 3]).max()
    return f"agree on {len(gx):,} pairs: max |d seconds| {ds:.2g}, max |d metres| {dm:.2g}"


def bench_case(name: str, network: RoadNetwork, args, workdir: Path, nx_origins: int) -> None:
    rng = np.random.default_rng(1)
    west, east = np.quantile(network.x, [0.0, 1.0])
    south, north = np.quantile(network.y, [0.0, 1.0])

    def points(count: int) -> np.ndarray:
        return np.column_stack([rng.uniform(west, east, count), rng.uniform(south, north, count)])

    origins, destinations = points(args.origins), points(args.destinations)
    n_sample = args.origins if nx_origins == 0 else min(nx_origins, args.origins)
    sample = np.sort(rng.choice(args.origins, n_sample, replace=False))
    case = {
        "network": str(network.save(workdir / f"{name.replace(' ', '_')}.npz")),
        "points": str(workdir / f"{name.replace(' ', '_')}_points.npz"),
        "cutoff_s": CUTOFF_S[network.mode],
    }
    np.savez(case["points"], origins=origins, destinations=destinations, sample=sample)

    gx = _in_child(run_gxnet, case)
    nx_ = _in_child(run_networkx, case)
    scale = args.origins / n_sample
    # Snapping covered every point already; only the searches scale with the origins.
    nx_seconds = nx_["snap_s"] + (nx_["seconds"] - nx_["snap_s"]) * scale
    nx_cpu = nx_["snap_cpu_s"] + (nx_["cpu_s"] - nx_["snap_cpu_s"]) * scale
    extrapolated = scale > 1
    print(
        f"\n{name}: {network.n_nodes:,} nodes, {network.n_edges:,} edges; "
        f"{args.origins:,} origins x {args.destinations:,} destinations, "
        f"cutoff {CUTOFF_S[network.mode] / 60:.0f} min; {gx['pairs']:,} pairs within it"
    )
    print(f"  {'side':<10}{'wall s':>10}{'cpu s':>10}{'pairs/s':>12}{'peak MB':>10}{'held MB':>10}")
    for label, run in (("gxnet", gx), ("gxnet 2nd", gx["again"])):
        print(
            f"  {label:<10}{run['seconds']:>10.2f}{run['cpu_s']:>10.2f}"
            f"{gx['pairs'] / run['seconds']:>12,.0f}{run['peak_mb']:>10.0f}{run['base_mb']:>10.0f}"
        )
    note = (
        f"  <- {n_sample:,} origins run, searches x{scale:.0f} extrapolated" if extrapolated else ""
    )
    print(
        f"  {'networkx':<10}{nx_seconds:>10.2f}{nx_cpu:>10.2f}{gx['pairs'] / nx_seconds:>12,.0f}"
        f"{nx_['peak_mb']:>10.0f}{nx_['base_mb']:>10.0f}{note}"
    )
    print(
        f"  gxnet is {nx_seconds / gx['seconds']:.0f}x faster in wall time, "
        f"{nx_cpu / gx['cpu_s']:.0f}x in CPU time on its first call on the network loaded from "
        f"its cache (2nd call, search matrix already built: "
        f"{nx_seconds / gx['again']['seconds']:.0f}x, {nx_cpu / gx['again']['cpu_s']:.0f}x); "
        f"networkx peak MB measured on {n_sample:,} origins"
    )
    cold = gx["seconds"] + gx["derive_s"]
    print(
        f"  not timed: networkx graph build {nx_['build_s']:.1f} s; gxnet search graph and "
        f"bound, which the cache carries, {gx['derive_s']:.2f} s to derive in memory (a first "
        f"call on a network without its cache: {nx_seconds / cold:.0f}x in wall time)"
    )
    print(f"  {_agreement(gx['sample_rows'], nx_['sample_rows'])}")


def bench_load(network: RoadNetwork, workdir: Path) -> None:
    path = network.save(workdir / "load.npz")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        RoadNetwork.load(path)
        times.append(time.perf_counter() - start)
    print(
        f"\nRoadNetwork.load of {network.n_nodes:,} nodes / {network.n_edges:,} edges "
        f"({path.stat().st_size / 2**20:.0f} MB .npz): median {statistics.median(times):.3f} s "
        f"of 5 (target < 1 s)"
    )


def _nx_origins(args, case: str) -> int:
    """Origins networkx runs from: ``--nx-origins``, else 20 with ``--quick``, else 50.

    The grid walk takes 500: one of its origins takes networkx about a millisecond, so 50
    would time some 60 ms, too little to extrapolate on a busy machine.
    """
    if args.nx_origins is not None:
        return args.nx_origins
    return 20 if args.quick else 500 if case == "grid-walk" else 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small grid and few points")
    parser.add_argument("--origins", type=int, help="origins (default 5000; quick 500)")
    parser.add_argument("--destinations", type=int, help="destinations (default 2000; quick 200)")
    parser.add_argument("--grid-side", type=int, help="grid side in nodes (450; quick 150)")
    parser.add_argument(
        "--nx-origins",
        type=int,
        help="origins networkx runs from, time extrapolated to all; 0 = all "
        "(50, 500 on the grid walk; quick 20)",
    )
    parser.add_argument(
        "--cases",
        default="helsinki-walk,helsinki-drive,grid-walk,grid-drive",
        help="comma-separated subset of the cases",
    )
    args = parser.parse_args()
    quick = args.quick
    args.origins = args.origins or (500 if quick else 5000)
    args.destinations = args.destinations or (200 if quick else 2000)
    args.grid_side = args.grid_side or (150 if quick else 450)
    cases = args.cases.split(",")
    print(
        "gxnet travel_costs vs a networkx single_source_dijkstra loop (wall and CPU time; "
        "memory: peak RSS above the loaded inputs, each side in its own process; held MB: "
        "RSS with the inputs loaded)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for mode in ("walk", "drive"):
            if f"helsinki-{mode}" in cases:
                network = helsinki_network(mode)
                nx_origins = _nx_origins(args, f"helsinki-{mode}")
                bench_case(f"Helsinki {mode}", network, args, workdir, nx_origins)
        for mode in ("walk", "drive"):
            if f"grid-{mode}" in cases:
                grid = grid_network(args.grid_side, mode)
                name = f"grid {args.grid_side}x{args.grid_side} {mode}"
                bench_case(name, grid, args, workdir, _nx_origins(args, f"grid-{mode}"))
        if any(case.startswith("grid") for case in cases):
            bench_load(grid_network(args.grid_side, "drive"), workdir)


if __name__ == "__main__":
    main()
