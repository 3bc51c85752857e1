"""Benchmark gxnet's travel costs against the fastest peers, like with like, in one process.

Many-to-many costs within a cutoff (5,000 origins x 2,000 destinations, uniform over the
network's extent) on the real Helsinki extract (tests/data; walk 15 min, drive 45 min) and on a
generated grid of about 200,000 nodes (walk 15 min, drive 15 and 45 min). Every method snaps
with the same ``RoadNetwork.nearest_nodes``, pays the same access legs, searches from the side
with fewer distinct nodes with the same limits, and keeps the same pairs
(``access + network + access <= cutoff``), sorted by origin then destination:

- gxnet: ``gxnet.costs.travel_costs`` (seconds and metres along the fastest path).
- scipy, same contract: ``csgraph.dijkstra(limit=..., return_predecessors=True)`` in batches of
  sources, metres by climbing the predecessors from each target, the float32 table. The
  output gxnet gives, written with scipy.
- igraph: ``Graph.distances`` (no cutoff in its API: every search covers the whole graph);
  seconds only, igraph has no second label along the fastest path.
- pandana: ``Network.nodes_in_range`` on its contraction hierarchy (chunks of sources, each
  chunk's rows filtered to the targets); seconds only.
- networkx lean loop: ``single_source_dijkstra_path_length`` with a cutoff on a DiGraph of the
  fastest parallel edges; seconds only.
- the osmnx idiom (labelled row): ``single_source_dijkstra`` with paths on the osmnx-style
  MultiDiGraph, then ``path_weight(..., "length")`` per pair; seconds and metres.

The peers' node pairs become point pairs through one shared numpy step (a dense origin x
destination broadcast where that fits in memory, else a sort), timed as theirs. Graph building
(igraph Graph, pandana's contraction hierarchy, networkx graphs) is not timed and is printed
apart; gxnet's search graphs come with the network's cache, as after ``gxnet fetch``.

Rounds alternate (every method once per round, in a rotating order) and the median of the
rounds is reported: CPU seconds (``time.process_time``), wall seconds, pairs per CPU second,
peak memory (resident set high-water mark above the start of the call, reset through
/proc/self/clear_refs) and the load average before and after each case. Slow peers run from a
random sample of search sources and their search time is scaled to all sources; the output
says so on their row. Every peer's pairs are checked against gxnet's (same pair set; largest
difference in seconds and metres).

numba compiles gxnet's kernels once per machine and caches them: the first call in a fresh
process with an empty cache (compile) and with the cache (load) are measured apart, in child
processes.

    python benchmarks/bench_costs.py                      # every case, 3 rounds
    python benchmarks/bench_costs.py --quick              # small grid, 500 x 200 points
    python benchmarks/bench_costs.py --cases helsinki-drive,grid-walk --rounds 5
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import gxnet.costs  # noqa: E402
from gxnet.costs import ACCESS_SPEED_MPS, travel_costs  # noqa: E402
from gxnet.osm.network import RoadNetwork  # noqa: E402
from gxnet.osm.speeds import WALK_MPS  # noqa: E402

HELSINKI = REPO / "tests" / "data" / "helsinki.osm.pbf"
# The grid sits at Wuzhou, Guangxi.
LON0, LAT0 = 111.20, 23.40
CASES = {  # name: (network, mode, cutoff in minutes)
    "helsinki-drive": ("helsinki", "drive", 45),
    "helsinki-walk": ("helsinki", "walk", 15),
    "grid-walk": ("grid", "walk", 15),
    "grid-drive-15": ("grid", "drive", 15),
    "grid-drive-45": ("grid", "drive", 45),
}
# Origin x destination cells up to which the peers' point pairs come from a dense broadcast.
_DENSE_CELLS = 20_000_000


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


# ---------------------------------------------------------------- the peers' common steps


@dataclass
class Snapped:
    """Both sides snapped and grouped by node, and the searches every peer runs."""

    group: dict[str, np.ndarray]  # "o"/"d": group (distinct node) of each point
    access_s: dict[str, np.ndarray]
    access_m: dict[str, np.ndarray]
    node: dict[str, np.ndarray]  # distinct nodes of each side, by group
    reverse: bool  # search from the destinations on the reversed graph
    cutoff_s: float
    source: np.ndarray  # nodes searched from
    targets: np.ndarray  # nodes of the other side
    limit: np.ndarray  # network seconds each source's search may use
    target_of: np.ndarray  # node -> target group, -1 if none


def snap(network: RoadNetwork, origins, destinations, cutoff_s: float) -> Snapped:
    """The snapping and grouping every peer does first (timed as part of each)."""
    speed = ACCESS_SPEED_MPS[network.mode]
    group, access_s, access_m, node = {}, {}, {}, {}
    for side, points in (("o", origins), ("d", destinations)):
        nearest, metres = network.nearest_nodes(points[:, 0], points[:, 1])
        node[side], group[side] = np.unique(nearest, return_inverse=True)
        access_s[side], access_m[side] = metres / speed, metres
    reverse = len(node["d"]) < len(node["o"])
    src, tgt = ("d", "o") if reverse else ("o", "d")
    cheapest = np.full(len(node[src]), np.inf)
    np.minimum.at(cheapest, group[src], access_s[src])
    target_of = np.full(network.n_nodes, -1)
    target_of[node[tgt]] = np.arange(len(node[tgt]))
    limit = (cutoff_s - cheapest - access_s[tgt].min()) * (1 + 1e-9)
    return Snapped(
        group, access_s, access_m, node, reverse, cutoff_s, node[src], node[tgt], limit, target_of
    )


def point_table(s: Snapped, src, tgt, seconds, metres=None) -> tuple[np.ndarray, ...]:
    """Node pairs (source group, target group, seconds[, metres]) as the sorted point table.

    A dense origin x destination broadcast whose nonzero cells come out sorted, where it fits
    (``_DENSE_CELLS``) and node pairs fill at least a quarter of the group pairs (gxnet's rule
    too); otherwise the node pairs are expanded by the points of both groups and sorted on one
    integer key. Returns origin, destination (int32), seconds and metres
    (float32; metres None when the peer has none).
    """
    og, dg = (tgt, src) if s.reverse else (src, tgt)
    n_og, n_dg = len(s.node["o"]), len(s.node["d"])
    o_of, d_of = s.group["o"], s.group["d"]
    if len(o_of) * len(d_of) <= _DENSE_CELLS and 4 * len(og) >= n_og * n_dg:
        net = np.full((n_og, n_dg), np.inf)
        net[og, dg] = seconds
        cell = net[o_of][:, d_of]
        total = (s.access_s["o"][:, None] + cell) + s.access_s["d"][None, :]
        i, j = np.nonzero((total <= s.cutoff_s) & np.isfinite(cell))
        total = total[i, j]
        if metres is not None:
            along = np.zeros((n_og, n_dg))
            along[og, dg] = metres
            metres = (s.access_m["o"][i] + along[o_of[i], d_of[j]]) + s.access_m["d"][j]
    else:
        row, i = _expand(og, o_of)
        row2, j = _expand(dg[row], d_of)
        row, i = row[row2], i[row2]
        total = (s.access_s["o"][i] + seconds[row]) + s.access_s["d"][j]
        keep = total <= s.cutoff_s
        row, i, j, total = row[keep], i[keep], j[keep], total[keep]
        order = np.argsort(i.astype(np.int64) * len(d_of) + j)
        row, i, j, total = row[order], i[order], j[order], total[order]
        if metres is not None:
            metres = (s.access_m["o"][i] + metres[row]) + s.access_m["d"][j]
    metres = None if metres is None else metres.astype(np.float32)
    return i.astype(np.int32), j.astype(np.int32), total.astype(np.float32), metres


def _expand(group: np.ndarray, group_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every k, one row per point of group ``group[k]``: (k, point)."""
    order = np.argsort(group_of, kind="stable")
    count = np.bincount(group_of, minlength=group.max(initial=0) + 1)
    start = np.cumsum(count) - count
    n = count[group]
    row = np.repeat(np.arange(len(group)), n)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)
    return row, order[np.repeat(start[group], n) + offset]


def _found(s: Snapped, rows: np.ndarray, dist: np.ndarray, sources: np.ndarray):
    """(source group, target group, seconds) of a dense sources x targets block within limits."""
    r, c = np.nonzero(dist <= s.limit[sources][:, None])
    return sources[r], c, dist[r, c]


# ------------------------------------------------------------------------------ methods


def run_gxnet(case: Case, sources=None) -> tuple:
    table = travel_costs(case.network, case.origins, case.destinations, case.cutoff_s)
    return tuple(table[c].to_numpy() for c in ("origin", "destination", "seconds", "metres"))


def run_scipy(case: Case, sources=None) -> tuple:
    """scipy with gxnet's contract: limited searches, metres climbed along the predecessors."""
    s = snap(case.network, case.origins, case.destinations, case.cutoff_s)
    graph = case.network.search_graph(reverse=s.reverse)
    n = case.network.n_nodes
    csr = sp.csr_matrix((graph.time_s, graph.head, graph.indptr), shape=(n, n))
    length = case.network.length_m[graph.edge].astype(np.float64)
    sources = np.arange(len(s.source)) if sources is None else sources
    sources = sources[s.limit[sources] >= 0]
    parts = []
    step = max(1, 4_000_000 // n)  # rows of n distances and predecessors held at once
    for lo in range(0, len(sources), step):
        batch = sources[lo : lo + step]
        dist, pred = dijkstra(
            csr,
            indices=s.source[batch],
            limit=float(s.limit[batch].max()),
            return_predecessors=True,
        )
        src, tgt, seconds = _found(s, batch, dist[:, s.targets], batch)
        row = np.searchsorted(batch, src)
        node = s.targets[tgt]
        metres = np.zeros(len(src))
        todo = np.arange(len(src))
        while len(todo):  # every pair climbs one edge towards its source per step
            parent = pred[row[todo], node[todo]]
            todo, parent = todo[parent >= 0], parent[parent >= 0]
            metres[todo] += length[_slot(graph, parent, node[todo])]
            node[todo] = parent
        parts.append((src, tgt, seconds, metres))
    return point_table(s, *(np.concatenate(column) for column in zip(*parts, strict=True)))


def _slot(graph, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Where each edge ``tail -> head`` sits in the CSR arrays (rows are a handful long)."""
    slot = graph.indptr[tail].astype(np.int64)
    todo = np.flatnonzero(graph.head[slot] != head)
    while len(todo):
        slot[todo] += 1
        todo = todo[graph.head[slot[todo]] != head[todo]]
    return slot


def run_igraph(case: Case, sources=None) -> tuple:
    """igraph's Dijkstra from every source to the targets (no cutoff in its API)."""
    s = snap(case.network, case.origins, case.destinations, case.cutoff_s)
    graph = case.igraph[s.reverse]
    sources = np.arange(len(s.source)) if sources is None else sources
    sources = sources[s.limit[sources] >= 0]
    weights = case.network.search_graph(reverse=s.reverse).time_s
    dist = np.array(
        graph.distances(source=s.source[sources], target=s.targets, weights=weights), dtype=float
    )
    return point_table(s, *_found(s, sources, dist, sources))


def run_pandana(case: Case, sources=None) -> tuple:
    """pandana's range query on its contraction hierarchy, chunk by chunk of sources."""
    s = snap(case.network, case.origins, case.destinations, case.cutoff_s)
    net = case.pandana[s.reverse]
    sources = np.arange(len(s.source)) if sources is None else sources
    sources = sources[s.limit[sources] >= 0]
    group = np.full(case.network.n_nodes, -1)
    group[s.source] = np.arange(len(s.source))
    parts = []
    step = max(1, 2_000_000 // case.network.n_nodes)
    for lo in range(0, len(sources), step):
        batch = sources[lo : lo + step]
        found = net.nodes_in_range(s.source[batch], float(s.limit[batch].max()), "seconds")
        src = group[found["source"].to_numpy()]
        tgt = s.target_of[found["destination"].to_numpy()]
        seconds = found["seconds"].to_numpy()
        keep = (tgt >= 0) & (seconds <= s.limit[src])
        parts.append((src[keep], tgt[keep], seconds[keep]))
    return point_table(s, *(np.concatenate(column) for column in zip(*parts, strict=True)))


def run_networkx(case: Case, sources=None) -> tuple:
    """The lean networkx loop: path lengths with a cutoff on a DiGraph of the kept edges."""
    import networkx as nx

    s = snap(case.network, case.origins, case.destinations, case.cutoff_s)
    graph = case.digraph[s.reverse]
    sources = np.arange(len(s.source)) if sources is None else sources
    sources = sources[s.limit[sources] >= 0]
    parts = []
    for k in sources:
        reached = nx.single_source_dijkstra_path_length(
            graph, int(s.source[k]), cutoff=float(s.limit[k]), weight="s"
        )
        node = np.fromiter(reached.keys(), dtype=np.int64, count=len(reached))
        seconds = np.fromiter(reached.values(), dtype=np.float64, count=len(reached))
        tgt = s.target_of[node]
        parts.append((np.full((tgt >= 0).sum(), k), tgt[tgt >= 0], seconds[tgt >= 0]))
    return point_table(s, *(np.concatenate(column) for column in zip(*parts, strict=True)))


def run_osmnx_idiom(case: Case, sources=None) -> tuple:
    """What osmnx users write: paths on the MultiDiGraph, then path_weight for the metres."""
    import networkx as nx

    s = snap(case.network, case.origins, case.destinations, case.cutoff_s)
    graph = case.multidigraph
    if s.reverse:
        graph = graph.reverse(copy=False)
    ids = case.network.node_id
    sources = np.arange(len(s.source)) if sources is None else sources
    sources = sources[s.limit[sources] >= 0]
    parts = []
    for k in sources:
        seconds, paths = nx.single_source_dijkstra(
            graph, int(ids[s.source[k]]), cutoff=float(s.limit[k]), weight="travel_time"
        )
        for g, target in enumerate(s.targets):
            if int(ids[target]) in seconds:
                path = paths[int(ids[target])]
                metres = nx.path_weight(graph, path, "length")
                parts.append((k, g, seconds[int(ids[target])], metres))
    src, tgt, sec, met = (np.array(column) for column in zip(*parts, strict=True))
    return point_table(s, src.astype(np.int64), tgt.astype(np.int64), sec, met)


# ------------------------------------------------------------------------------ harness


@dataclass
class Method:
    name: str
    run: object
    gives: str  # what its table holds
    sample: int | None = None  # sources it runs from (time scaled to all); None: all


@dataclass
class Case:
    name: str
    network: RoadNetwork
    origins: np.ndarray
    destinations: np.ndarray
    cutoff_s: float
    built: dict[str, float] = field(default_factory=dict)  # peer graph -> seconds to build

    def prepare(self, method: str, r: bool) -> None:
        """Build what a peer searches on, in direction ``r`` (not timed; printed apart)."""
        start = time.perf_counter()
        if method == "igraph":
            import igraph

            self.igraph = {r: igraph.Graph(*self._edges(r), directed=True)}
        elif method == "pandana":
            import pandana

            with _quiet():  # its contraction prints progress on the C++ side
                self.pandana = {r: self._pandana(pandana, r)}
        elif method == "networkx":
            import networkx as nx

            graph = nx.DiGraph()
            graph.add_nodes_from(range(self.network.n_nodes))
            tail, head = self._edges(r)[1].T
            weight = self.network.search_graph(reverse=r).time_s
            graph.add_weighted_edges_from(
                zip(tail.tolist(), head.tolist(), weight.tolist(), strict=True), weight="s"
            )
            self.digraph = {r: graph}
        elif method == "osmnx idiom":
            self.multidigraph = self.network.to_networkx()
        else:
            return
        self.built[method] = time.perf_counter() - start

    def _edges(self, reverse: bool) -> tuple[int, np.ndarray]:
        graph = self.network.search_graph(reverse=reverse)
        tail = np.repeat(np.arange(self.network.n_nodes), np.diff(graph.indptr))
        return self.network.n_nodes, np.column_stack([tail, graph.head])

    def _pandana(self, pandana, reverse: bool):
        n, edges = self._edges(reverse)
        times = self.network.search_graph(reverse=reverse).time_s
        return pandana.Network(
            pd.Series(self.network.x),
            pd.Series(self.network.y),
            pd.Series(edges[:, 0]),
            pd.Series(edges[:, 1]),
            pd.DataFrame({"seconds": times}),
            twoway=False,
        )


@contextlib.contextmanager
def _quiet():
    """Send file descriptor 1 (C++ code's stdout too) to /dev/null for a while."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _rss_mb(field_name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field_name} not in /proc/self/status")


def measure(function, *args) -> dict:
    """Run ``function(*args)``: its result, CPU and wall seconds, peak RSS above the start."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = _rss_mb("VmRSS")
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return {
        "result": result,
        "cpu_s": time.process_time() - cpu,
        "wall_s": time.perf_counter() - wall,
        "peak_mb": _rss_mb("VmHWM") - base,
    }


def agreement(mine: tuple, theirs: tuple, keep: np.ndarray | None) -> str:
    """Whether a peer's pairs are gxnet's (restricted to its sampled sources), and how close."""
    if keep is not None:
        mine = tuple(column[keep] for column in mine)
    if len(mine[0]) != len(theirs[0]) or not (
        np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])
    ):
        return f"DIFFERENT pairs: {len(theirs[0]):,} vs gxnet's {len(mine[0]):,}"
    ds = np.abs(mine[2].astype(float) - theirs[2]).max(initial=0.0)
    text = f"same {len(mine[0]):,} pairs, seconds within {ds:.2g}"
    if theirs[3] is not None:
        same = np.array_equal(mine[2], theirs[2]) and np.array_equal(mine[3], theirs[3])
        dm = np.abs(mine[3].astype(float) - theirs[3]).max(initial=0.0)
        text += " (bit-identical table)" if same else f", metres within {dm:.2g}"
    return text


def bench_case(case: Case, methods: list[Method], rounds: int, report: list[str]) -> None:
    network = case.network
    load_before = os.getloadavg()
    probe = snap(network, case.origins, case.destinations, case.cutoff_s)
    active = np.flatnonzero(probe.limit >= 0)
    snap_cpu = statistics.median(
        measure(snap, network, case.origins, case.destinations, case.cutoff_s)["cpu_s"]
        for _ in range(3)
    )
    rng = np.random.default_rng(3)
    samples = {
        m.name: np.sort(rng.choice(active, min(m.sample, len(active)), replace=False))
        for m in methods
        if m.sample is not None and m.sample < len(active)
    }
    for method in methods:
        case.prepare(method.name, probe.reverse)
    runs: dict[str, list[dict]] = {m.name: [] for m in methods}
    checks: dict[str, str] = {}
    reference = None
    for r in range(rounds):
        shift = r % len(methods)
        for method in methods[shift:] + methods[:shift]:
            sample = samples.get(method.name)
            run = measure(method.run, case, sample)
            table = run.pop("result")
            if sample is not None:  # searches scaled to all sources; snapping done once
                scale = len(active) / len(sample)
                run["cpu_s"] = snap_cpu + (run["cpu_s"] - snap_cpu) * scale
                run["wall_s"] = snap_cpu + (run["wall_s"] - snap_cpu) * scale
            if method.name == "gxnet":
                reference = table
            else:
                checks.setdefault(method.name, table)
            runs[method.name].append(run)
    for method in methods[1:]:
        sample = samples.get(method.name)
        keep = None
        if sample is not None:
            side = "d" if probe.reverse else "o"
            column = 1 if probe.reverse else 0
            keep = np.isin(probe.group[side][reference[column]], sample)
        checks[method.name] = agreement(reference, checks[method.name], keep)
    load_after = os.getloadavg()

    pairs = len(reference[0])
    median = {
        name: {k: statistics.median(run[k] for run in rs) for k in rs[0]}
        for name, rs in runs.items()
    }
    peers = [m for m in methods if m.name not in ("gxnet", "osmnx idiom")]
    best = min(peers, key=lambda m: median[m.name]["cpu_s"])
    gx = median["gxnet"]
    lines = [
        f"\n{case.name}: {network.n_nodes:,} nodes, {network.n_edges:,} edges; "
        f"{len(case.origins):,} origins x {len(case.destinations):,} destinations, cutoff "
        f"{case.cutoff_s / 60:.0f} min; {pairs:,} pairs; {len(probe.source):,} sources "
        f"({'destinations, reversed graph' if probe.reverse else 'origins'}); load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; median of {rounds} rounds",
        "| method | output | CPU s | wall s | pairs / CPU s | peak MB | CPU x gxnet | check |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for method in methods:
        m = median[method.name]
        note = ""
        if method.name in samples:
            note = f" (from {len(samples[method.name])} of {len(active)} sources, scaled)"
        check = checks.get(method.name, "reference")
        lines.append(
            f"| {method.name}{note} | {method.gives} | {m['cpu_s']:.3f} | {m['wall_s']:.3f} | "
            f"{pairs / m['cpu_s']:,.0f} | {m['peak_mb']:.0f} | {m['cpu_s'] / gx['cpu_s']:.2f} "
            f"| {check} |"
        )
    lines.append(
        f"best peer: {best.name}, {median[best.name]['cpu_s']:.3f} CPU s; gxnet "
        f"{gx['cpu_s']:.3f} CPU s: {median[best.name]['cpu_s'] / gx['cpu_s']:.2f}x the best "
        f"peer's speed, {median['scipy, same contract']['cpu_s'] / gx['cpu_s']:.2f}x scipy's "
        f"with the same output"
    )
    lines.append(search_share(case, rounds))
    built = ", ".join(f"{k} {v:.1f} s" for k, v in case.built.items())
    lines.append(f"not timed, peer graphs built: {built}; snapping (in every row) {snap_cpu:.3f} s")
    print("\n".join(lines), flush=True)
    report.extend(lines)


def search_share(case: Case, rounds: int) -> str:
    """gxnet's CPU inside its searches (the kernel) and outside them, median of ``rounds``."""
    kernel = gxnet.costs._searches
    inside = []

    def timed(*args):
        start = time.process_time()
        found = kernel(*args)
        inside.append(time.process_time() - start)
        return found

    gxnet.costs._searches = timed
    try:
        totals = [measure(run_gxnet, case)["cpu_s"] for _ in range(rounds)]
    finally:
        gxnet.costs._searches = kernel
    search, total = statistics.median(inside), statistics.median(totals)
    return (
        f"gxnet CPU inside the searches {search:.3f} s, outside them (snapping, node pairs to "
        f"point pairs, the table) {total - search:.3f} s: {(total - search) / search:.2f}x the "
        f"searches"
    )


def first_calls(network_path: Path) -> str:
    """CPU seconds of gxnet's first call in fresh processes: empty numba cache, then cached."""
    script = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); t = time.process_time();\n"
        "import numpy as np; from gxnet.costs import travel_costs;\n"
        "from gxnet.osm.network import RoadNetwork; net = RoadNetwork.load(sys.argv[2]);\n"
        "pts = np.column_stack([net.x[:50], net.y[:50]]); t1 = time.process_time();\n"
        "travel_costs(net, pts, pts, 600.0); t2 = time.process_time();\n"
        "travel_costs(net, pts, pts, 600.0); t3 = time.process_time();\n"
        "print(f'{t1 - t:.3f} {t2 - t1:.3f} {t3 - t2:.4f}')"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"NUMBA_CACHE_DIR": cache}
        figures = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", script, str(REPO), str(network_path)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            figures.append(out.stdout.split())
    (imp0, first0, warm0), (imp1, first1, warm1) = figures
    return (
        f"numba, 50 x 50 points on Helsinki walk, fresh process: import {imp0} s; first call "
        f"{first0} s with an empty cache (compiles), {first1} s with the cache (loads; import "
        f"{imp1} s); a warm call {warm1} s"
    )


def bench_load(network: RoadNetwork, workdir: Path) -> str:
    """Median wall seconds of 5 ``RoadNetwork.load`` of a network's cache (search graphs in)."""
    path = network.save(workdir / "load.npz")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        RoadNetwork.load(path)
        times.append(time.perf_counter() - start)
    return (
        f"RoadNetwork.load of {network.n_nodes:,} nodes / {network.n_edges:,} edges "
        f"({path.stat().st_size / 2**20:.0f} MB .npz): median {statistics.median(times):.3f} s "
        f"of 5 (target < 1 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 x 150 grid, 500 x 200 points")
    parser.add_argument("--origins", type=int, help="origins (default 5000; quick 500)")
    parser.add_argument("--destinations", type=int, help="destinations (default 2000; quick 200)")
    parser.add_argument("--grid-side", type=int, help="grid side in nodes (450; quick 150)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument(
        "--cases",
        default=",".join([*CASES, "load"]),
        help="comma-separated subset; 'load' times loading the cached grid",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=100,
        help="sources igraph and networkx run from on networks over 50,000 nodes (time scaled "
        "to all); the osmnx idiom always runs from 20",
    )
    parser.add_argument(
        "--pandana-max-nodes",
        type=int,
        default=50_000,
        help="largest network pandana runs on (building its contraction hierarchy of the "
        "202,500-node grid ran for over 20 minutes here without finishing)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    n_o = args.origins or (500 if args.quick else 5000)
    n_d = args.destinations or (200 if args.quick else 2000)
    side = args.grid_side or (150 if args.quick else 450)
    report = [
        f"`python benchmarks/bench_costs.py {' '.join(sys.argv[1:])}`".replace(" `", "`"),
        f"run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the start",
    ]
    print("\n".join(report))
    networks: dict[tuple[str, str], RoadNetwork] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases.split(","):
            if name == "load":
                line = bench_load(grid_network(side, "drive"), Path(tmp))
                print(line)
                report.append(line)
                continue
            where, mode, minutes = CASES[name]
            if (where, mode) not in networks:  # saved and loaded as `gxnet fetch` leaves it
                built = helsinki_network(mode) if where == "helsinki" else grid_network(side, mode)
                path = built.save(Path(tmp) / f"{where}-{mode}.npz")
                networks[where, mode] = RoadNetwork.load(path)
            network = networks[where, mode]
            rng = np.random.default_rng(1)
            (west, east), (south, north) = (
                np.quantile(network.x, [0, 1]),
                np.quantile(network.y, [0, 1]),
            )

            def points(count: int, rng=rng, box=(west, east, south, north)) -> np.ndarray:
                return np.column_stack(
                    [rng.uniform(box[0], box[1], count), rng.uniform(box[2], box[3], count)]
                )

            case = Case(
                f"{where} {mode} {minutes} min", network, points(n_o), points(n_d), minutes * 60.0
            )
            large = network.n_nodes > 50_000
            methods = [
                Method("gxnet", run_gxnet, "seconds + metres"),
                Method("scipy, same contract", run_scipy, "seconds + metres"),
                Method("igraph", run_igraph, "seconds (no cutoff)", args.sample if large else None),
                *(
                    [Method("pandana", run_pandana, "seconds")]
                    if network.n_nodes <= args.pandana_max_nodes
                    else []
                ),
                Method("networkx", run_networkx, "seconds", args.sample if large else None),
                Method("osmnx idiom", run_osmnx_idiom, "seconds + metres", 20),
            ]
            if network.n_nodes > args.pandana_max_nodes:
                report.append(f"pandana not run on {case.name}: see --pandana-max-nodes")
            run_gxnet(case)  # numba's kernels loaded (or compiled) before the rounds
            bench_case(case, methods, args.rounds, report)
        if ("helsinki", "walk") in networks:
            line = first_calls(Path(tmp) / "helsinki-walk.npz")
            print(line)
            report.append(line)
    if args.markdown:
        args.markdown.write_text("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
