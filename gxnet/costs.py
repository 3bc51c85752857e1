"""Travel costs between many origins and many destinations within a cutoff, as sparse pairs.

Every model gxnet solves asks "which sites can this household reach within the service time?"
The answer is a sparse table of (origin, destination, seconds, metres) pairs: only pairs within
the cutoff exist, so a city of 50,000 demand cells and 5,000 candidate sites never becomes a
dense 250-million-cell matrix.

:func:`travel_costs` snaps points to the nearest node of a :class:`RoadNetwork`, pays the snap
distance at an access speed, and runs one bounded Dijkstra per distinct node of whichever side
has fewer of them, in a compiled kernel (numba, cached on disk after the first run) that
carries the metres of the fastest path as a second label and costs only the nodes each search
reaches. The node pairs found become point pairs in index order, without a sort, straight into
the columns of the table. :func:`straight_line_costs` is the fallback when no road network
exists. The algorithm, why it is exact, its memory behaviour and the cited defaults are in
``docs/costs.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

import geopandas as gpd
import numpy as np
import pandas as pd
from numba import njit
from numpy.typing import ArrayLike
from pyproj import Transformer
from scipy.spatial import cKDTree

from gxnet._errors import CostInputError
from gxnet.crs import utm_crs
from gxnet.osm.network import RoadNetwork
from gxnet.osm.speeds import WALK_MPS

#: Speed in m/s over the straight line between a point and its nearest network node. Walkers
#: keep the walking speed of the walk network (:data:`gxnet.osm.speeds.WALK_MPS`). Vehicles
#: leave the mapped network only for yards, lanes and gates, where they move at parking speed:
#: 15 km/h for trucks, 10 km/h for tricycles.
ACCESS_SPEED_MPS: dict[str, float] = {"walk": WALK_MPS, "drive": 15 / 3.6, "tricycle": 10 / 3.6}

#: Road distance over straight-line distance when no road network exists. Urban circuity studies
#: find 1.2 to 1.4 (Newell 1980: ~1.2; O'Sullivan & Morrall 1996: 1.21-1.23; Ballou et al. 2002;
#: Boscoe et al. 2012: ~1.4 for driving; Wang et al. 2024: ~1.3); see docs/costs.md.
DEFAULT_DETOUR_FACTOR: float = 1.3

#: Columns of every cost table.
COLUMNS: tuple[str, ...] = ("origin", "destination", "seconds", "metres")

# Relative slack on search limits and pruning, so that float rounding in the subtraction
# "cutoff - access" can never drop a pair that the final, exact test keeps.
_SLACK = 1e-9


@dataclass(frozen=True)
class _Side:
    """The points of one side (origins or destinations) grouped by the node they snap to."""

    node: np.ndarray  # distinct snapped nodes, (g,)
    group: np.ndarray  # per point: its group, the index of its node in ``node`` (int32)
    access_s: np.ndarray  # per point: seconds from the point to its node
    access_m: np.ndarray  # per point: metres from the point to its node
    min_access_s: np.ndarray  # per group: the cheapest access among its points


@dataclass(frozen=True)
class _Layout:
    """One direction of a network as the search kernel reads it (see :func:`_layout`)."""

    node: np.ndarray  # the kernel's index of each network node (int32)
    indptr: np.ndarray  # int32: the edges of kernel node i are indptr[i]:indptr[i + 1]
    head: np.ndarray  # int32: kernel node each edge leads to
    time_s: np.ndarray  # the network's edge seconds (float32 as it stores them)
    length_m: np.ndarray  # the network's edge metres


# Each network's layouts, per direction, kept while the network lives.
_LAYOUTS: WeakKeyDictionary[RoadNetwork, dict[bool, _Layout]] = WeakKeyDictionary()


def travel_costs(
    network: RoadNetwork,
    origins: ArrayLike | gpd.GeoSeries,
    destinations: ArrayLike | gpd.GeoSeries,
    cutoff_s: float,
    *,
    access_speed_mps: float | None = None,
) -> pd.DataFrame:
    """Fastest travel time and its distance between every origin and destination within a cutoff.

    Parameters
    ----------
    network
        The road network of the travel mode.
    origins, destinations
        Points as an (N, 2) array of longitude/latitude (WGS-84), or a GeoSeries/GeoDataFrame of
        points (converted to WGS-84 when it has another CRS).
    cutoff_s
        Largest total travel time kept, in seconds (``inf`` keeps every reachable pair).
    access_speed_mps
        Speed over the straight line between each point and its nearest node, paid at both
        ends. Default: :data:`ACCESS_SPEED_MPS` of the network's mode.

    Returns
    -------
    pandas.DataFrame
        ``origin`` and ``destination`` (int32 positions in the inputs), ``seconds`` and
        ``metres`` (float32, access legs included), one row per pair with
        ``seconds <= cutoff_s``, sorted by origin then destination.

    Raises
    ------
    CostInputError
        No points, a NaN or out-of-range coordinate, a negative cutoff or speed, an empty
        network; the message names the argument.
    """
    o_lon, o_lat = _lonlat(origins, "origins")
    d_lon, d_lat = _lonlat(destinations, "destinations")
    cutoff_s = _check_cutoff(cutoff_s)
    if network.n_nodes == 0:
        raise CostInputError(f"network: the {network.mode} network has no nodes")
    speed = ACCESS_SPEED_MPS[network.mode] if access_speed_mps is None else access_speed_mps
    speed = _check_positive(speed, "access_speed_mps")

    o_side = _snap(network, o_lon, o_lat, speed)
    d_side = _snap(network, d_lon, d_lat, speed)
    # Search from the side with fewer distinct nodes; destinations search the reversed graph.
    reverse = len(d_side.node) < len(o_side.node)
    return _network_costs(network, o_side, d_side, cutoff_s, reverse=reverse)


def straight_line_costs(
    origins: ArrayLike | gpd.GeoSeries,
    destinations: ArrayLike | gpd.GeoSeries,
    cutoff_s: float,
    *,
    speed_mps: float,
    detour_factor: float = DEFAULT_DETOUR_FACTOR,
) -> pd.DataFrame:
    """Travel costs without a road network: straight-line distance times a detour factor.

    Distances are measured in the UTM zone of the points (:func:`gxnet.crs.utm_crs`); only pairs
    within ``cutoff_s * speed_mps / detour_factor`` metres are ever formed (a k-d tree range
    search), so memory follows the pairs found.

    Parameters
    ----------
    origins, destinations
        As for :func:`travel_costs`.
    cutoff_s
        Largest travel time kept, in seconds.
    speed_mps
        Average travel speed along the (detoured) route, m/s.
    detour_factor
        Road distance over straight-line distance, at least 1. Default
        :data:`DEFAULT_DETOUR_FACTOR` (1.3, from the circuity literature; see docs/costs.md).

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`travel_costs`; ``metres`` is the detoured distance.
    """
    o_lon, o_lat = _lonlat(origins, "origins")
    d_lon, d_lat = _lonlat(destinations, "destinations")
    cutoff_s = _check_cutoff(cutoff_s)
    speed_mps = _check_positive(speed_mps, "speed_mps")
    if not (np.isfinite(detour_factor) and detour_factor >= 1):
        raise CostInputError(f"detour_factor must be a number >= 1, not {detour_factor!r}")

    crs = utm_crs(np.concatenate([o_lon, d_lon]), np.concatenate([o_lat, d_lat]))
    to_utm = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    o_xy = np.column_stack(to_utm.transform(o_lon, o_lat))
    d_xy = np.column_stack(to_utm.transform(d_lon, d_lat))
    radius = cutoff_s * speed_mps / detour_factor
    found = cKDTree(o_xy).sparse_distance_matrix(
        cKDTree(d_xy), radius * (1 + _SLACK), output_type="ndarray"
    )
    metres = found["v"] * detour_factor
    seconds = metres / speed_mps
    keep = seconds <= cutoff_s
    return _pairs_frame(found["i"][keep], found["j"][keep], seconds[keep], metres[keep])


def _network_costs(
    network: RoadNetwork, o_side: _Side, d_side: _Side, cutoff_s: float, *, reverse: bool
) -> pd.DataFrame:
    """Point-to-point costs from node-to-node searches run forward from origins or in reverse."""
    src, tgt = (d_side, o_side) if reverse else (o_side, d_side)
    # Every node pair within a source's budget is kept: no point pair within the cutoff can
    # use a longer network time (the cheapest access at both ends is already paid).
    slack = _SLACK * max(1.0, cutoff_s)
    budget = (cutoff_s - src.min_access_s) + slack
    layout = _layout(network, reverse)
    target_group = np.full(network.n_nodes, -1, dtype=np.int32)
    target_group[layout.node[tgt.node]] = np.arange(len(tgt.node), dtype=np.int32)
    # Sources in the layout's order: each search covers ground the one before it mostly
    # covered too, so it finds most of its nodes and edges still in the CPU's caches.
    root = layout.node[src.node]
    order = np.argsort(root)
    found = _searches(
        layout.indptr,
        layout.head,
        layout.time_s,
        layout.length_m,
        root[order],
        budget[order],
        budget[order] - tgt.min_access_s.min(),
        target_group,
        tgt.min_access_s,
    )
    searched, target_group_found, net_s, net_m = found
    source_group = order.astype(np.int32)[searched]
    o_group, d_group = (
        (target_group_found, source_group) if reverse else (source_group, target_group_found)
    )
    columns = _point_pairs(
        o_group,
        d_group,
        net_s,
        net_m,
        (o_side.group, o_side.access_s, o_side.access_m, o_side.min_access_s),
        (d_side.group, d_side.access_s, d_side.access_m, d_side.min_access_s),
        cutoff_s,
        slack,
    )
    # The kernel's arrays become the table's columns as they are (no copy).
    return pd.DataFrame(dict(zip(COLUMNS, columns, strict=True)), copy=False)


def _layout(network: RoadNetwork, reverse: bool) -> _Layout:
    """The search graph of one direction with its nodes renumbered along a Hilbert curve.

    Nodes close on the ground get close numbers, so a search, which spreads over the ground,
    reads and writes nearby memory (about a sixth faster on a 200,000-node city than the
    network's own order). The seconds are the search graph's; the metres of each kept edge
    come along. Built once per network object and direction (a few tens of milliseconds for
    a city) and kept while the network lives.
    """
    known = _LAYOUTS.setdefault(network, {})
    if reverse not in known:
        graph = network.search_graph(reverse=reverse)
        order = np.argsort(_hilbert_index(network.utm_xy), kind="stable")  # kernel -> network
        node = np.empty(network.n_nodes, dtype=np.int32)
        node[order] = np.arange(network.n_nodes, dtype=np.int32)
        degree = np.diff(graph.indptr)[order]
        indptr = np.zeros(network.n_nodes + 1, dtype=np.int32)
        np.cumsum(degree, out=indptr[1:])
        first = np.repeat(graph.indptr[order] - indptr[:-1], degree)
        slot = first + np.arange(len(graph.head), dtype=first.dtype)
        known[reverse] = _Layout(
            node=node,
            indptr=indptr,
            head=node[graph.head[slot]],
            time_s=network.time_s[graph.edge[slot]],
            length_m=network.length_m[graph.edge[slot]],
        )
    return known[reverse]


def _hilbert_index(xy: np.ndarray, bits: int = 16) -> np.ndarray:
    """Position of each point along a Hilbert curve over its bounding square (2**bits cells)."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    low, side = xy.min(axis=0), max(float(np.ptp(xy, axis=0).max()), 1e-9)
    cell = ((xy - low) / side * (2**bits - 1)).astype(np.int64)
    x, y = cell[:, 0], cell[:, 1]
    index = np.zeros(len(xy), dtype=np.int64)
    s = 1 << (bits - 1)
    while s:
        rx, ry = (x & s) > 0, (y & s) > 0
        index += s * s * ((3 * rx) ^ ry)
        flip = ~ry & rx  # rotate the quadrant so the curve stays continuous
        x, y = np.where(flip, s - 1 - x, x), np.where(flip, s - 1 - y, y)
        x, y = np.where(ry, x, y), np.where(ry, y, x)
        s >>= 1
    return index


@njit(cache=True, nogil=True)
def _searches(indptr, head, time_s, metres_of, sources, budget, limit, target_group, target_min_s):
    """Bounded Dijkstra from each source: (source, target group, seconds, metres) of each pair.

    One search per source, on work arrays shared by all of them and reset only where a search
    went, so a search costs the nodes it reaches, never the whole network. Nodes wait in an
    indexed 4-ary heap keyed on seconds. Metres ride along as a second label: a node takes
    the metres of the path that gave it its seconds, and of two paths with equal seconds the
    shorter, so ties never depend on the order of the heap. A node settled with equal seconds
    but more metres (only a zero-time edge can do that) is settled again with the shorter
    metres, which then reach its successors. A node further than ``limit[s]`` is never
    labelled; a target is reported when its seconds plus the cheapest access of its group are
    within ``budget[s]``.
    """
    n = len(indptr) - 1
    seconds = np.full(n, np.inf)
    metres = np.zeros(n)
    slot = np.full(n, -1, dtype=np.int32)  # place in the heap; -1 not in it, -2 settled
    heap_s = np.empty(n + 1)
    heap_node = np.empty(n + 1, dtype=np.int32)
    reached = np.empty(n, dtype=np.int32)
    hits = np.empty(len(target_min_s), dtype=np.int32)  # targets settled by the search
    listed = np.full(len(target_min_s), -1, dtype=np.int64)  # search that listed each target
    size = max(1024, 16 * len(sources))
    out_src = np.empty(size, dtype=np.int32)
    out_tgt = np.empty(size, dtype=np.int32)
    out_s = np.empty(size)
    out_m = np.empty(size)
    count = 0
    for s in range(len(sources)):
        lim = limit[s]
        if not lim >= 0.0:  # the cheapest access alone exceeds the cutoff
            continue
        root = sources[s]
        seconds[root] = 0.0
        metres[root] = 0.0
        reached[0] = root
        n_reached = 1
        heap_s[0] = 0.0
        heap_node[0] = root
        slot[root] = 0
        n_heap = 1
        n_hits = 0
        while n_heap:
            u = heap_node[0]
            su = heap_s[0]
            slot[u] = -2
            n_heap -= 1
            if n_heap:  # the last entry sinks from the top
                last_s = heap_s[n_heap]
                last = heap_node[n_heap]
                i = 0
                while True:
                    first = 4 * i + 1
                    if first >= n_heap:
                        break
                    best = first
                    best_s = heap_s[first]
                    for c in range(first + 1, min(first + 4, n_heap)):
                        if heap_s[c] < best_s:
                            best = c
                            best_s = heap_s[c]
                    if best_s >= last_s:
                        break
                    _place(heap_s, heap_node, slot, i, best_s, heap_node[best])
                    i = best
                _place(heap_s, heap_node, slot, i, last_s, last)
            group = target_group[u]
            if group >= 0 and listed[group] != s:
                listed[group] = s
                hits[n_hits] = u
                n_hits += 1
            mu = metres[u]
            for k in range(indptr[u], indptr[u + 1]):
                t = su + time_s[k]
                if t > lim:
                    continue
                v = head[k]
                sv = seconds[v]
                if t > sv:
                    continue
                m = mu + metres_of[k]
                i = slot[v]
                if t == sv:
                    if not m < metres[v]:
                        continue
                    metres[v] = m
                    if i != -2:  # still waiting: it leaves with these metres
                        continue
                    i = -1  # settled with more metres: settle it again
                elif sv == np.inf:
                    reached[n_reached] = v
                    n_reached += 1
                seconds[v] = t
                metres[v] = m
                if i < 0:
                    i = n_heap
                    n_heap += 1
                while i > 0:  # rises to its place
                    parent = (i - 1) >> 2
                    if heap_s[parent] <= t:
                        break
                    _place(heap_s, heap_node, slot, i, heap_s[parent], heap_node[parent])
                    i = parent
                _place(heap_s, heap_node, slot, i, t, v)
        for r in range(n_hits):
            v = hits[r]
            group = target_group[v]
            if seconds[v] + target_min_s[group] <= budget[s]:
                if count == len(out_src):
                    out_src = _grown(out_src, count)
                    out_tgt = _grown(out_tgt, count)
                    out_s = _grown(out_s, count)
                    out_m = _grown(out_m, count)
                out_src[count] = s
                out_tgt[count] = group
                out_s[count] = seconds[v]
                out_m[count] = metres[v]
                count += 1
        for r in range(n_reached):
            v = reached[r]
            seconds[v] = np.inf
            slot[v] = -1
    return out_src[:count], out_tgt[:count], out_s[:count], out_m[:count]


@njit(cache=True, nogil=True, inline="always")
def _place(heap_s, heap_node, slot, i, seconds, node):
    """Put ``node`` at place ``i`` of the heap, with its seconds, and remember where."""
    heap_s[i] = seconds
    heap_node[i] = node
    slot[node] = i


@njit(cache=True, nogil=True)
def _grown(values, count):
    """A copy of ``values[:count]`` with room for twice as many."""
    bigger = np.empty(2 * len(values), dtype=values.dtype)
    bigger[:count] = values[:count]
    return bigger


@njit(cache=True, nogil=True)
def _point_pairs(o_group, d_group, net_s, net_m, o_side, d_side, cutoff_s, slack):
    """Node pairs expanded to the point pairs within the cutoff, sorted by origin, destination.

    ``o_side`` and ``d_side`` are (group of each point, access seconds, access metres,
    cheapest access seconds of each group). No sort: origin points are read in index order,
    each scanning destinations in index order, from a table of node pairs by origin group
    (:func:`_dense_rows` when most group pairs are connected, else :func:`_sparse_rows`).
    Returns the four columns of the cost table, typed.
    """
    n_og, n_dg = len(o_side[3]), len(d_side[3])
    if 4 * len(o_group) >= n_og * n_dg:
        return _dense_rows(o_group, d_group, net_s, net_m, o_side, d_side, cutoff_s)
    return _sparse_rows(o_group, d_group, net_s, net_m, o_side, d_side, cutoff_s, slack)


@njit(cache=True, nogil=True)
def _dense_rows(o_group, d_group, net_s, net_m, o_side, d_side, cutoff_s):
    """Point pairs through a matrix of node pairs, origin groups x destination groups.

    Only used when node pairs fill at least a quarter of the matrix, so it holds at most four
    times the node pairs found. Each origin point reads its group's row at every destination
    point: memory-local work that costs about as much as writing the pairs out.
    """
    o_of, o_access_s, o_access_m, _ = o_side
    d_of, d_access_s, d_access_m, _ = d_side
    n_dg = len(d_side[3])
    seconds_of = np.full((len(o_side[3]), n_dg), np.inf)
    metres_of = np.empty((len(o_side[3]), n_dg))
    for p in range(len(o_group)):
        seconds_of[o_group[p], d_group[p]] = net_s[p]
        metres_of[o_group[p], d_group[p]] = net_m[p]
    points_in = np.bincount(d_of, minlength=n_dg)
    reached = np.zeros(len(o_side[3]), dtype=np.int64)  # destination points per origin group
    for g in range(len(o_side[3])):
        for h in range(n_dg):
            if seconds_of[g, h] < np.inf:
                reached[g] += points_in[h]
    table = _table(reached[o_of].sum())
    origin, destination, seconds, metres = table
    count = 0
    for i in range(len(o_of)):
        g = o_of[i]
        for j in range(len(d_of)):
            s = seconds_of[g, d_of[j]]
            if s < np.inf:
                total = (o_access_s[i] + s) + d_access_s[j]
                if total <= cutoff_s:
                    origin[count] = i
                    destination[count] = j
                    seconds[count] = total
                    metres[count] = (o_access_m[i] + metres_of[g, d_of[j]]) + d_access_m[j]
                    count += 1
    return _trimmed(table, count)


@njit(cache=True, nogil=True)
def _sparse_rows(o_group, d_group, net_s, net_m, o_side, d_side, cutoff_s, slack):
    """Point pairs through one row per origin group: (destination point, seconds, metres).

    Node pairs are bucketed by destination group; destination points in index order then deal
    them out to their origin groups, so each row lists destinations in order, leaving out
    those the origin group's cheapest access already puts beyond the cutoff. Memory follows
    those candidate pairs.
    """
    o_of, o_access_s, o_access_m, o_min_s = o_side
    d_of, d_access_s, d_access_m, _ = d_side
    n_og, n_dg = len(o_min_s), len(d_side[3])
    d_start = np.zeros(n_dg + 1, dtype=np.int64)
    for p in range(len(o_group)):
        d_start[d_group[p] + 1] += 1
    d_start = np.cumsum(d_start)
    by_d = np.empty(len(o_group), dtype=np.int64)
    fill = d_start[:-1].copy()
    for p in range(len(o_group)):
        by_d[fill[d_group[p]]] = p
        fill[d_group[p]] += 1
    o_start = np.zeros(n_og + 1, dtype=np.int64)
    row_point, row_s, row_m = np.empty(0, dtype=np.int32), np.empty(0), np.empty(0)
    for deal in range(2):  # count each row's candidates, then deal them out
        fill = o_start[:-1].copy()
        for j in range(len(d_of)):
            for q in range(d_start[d_of[j]], d_start[d_of[j] + 1]):
                p = by_d[q]
                g = o_group[p]
                if (o_min_s[g] + net_s[p]) + d_access_s[j] <= cutoff_s + slack:
                    if deal:
                        row_point[fill[g]] = j
                        row_s[fill[g]] = net_s[p]
                        row_m[fill[g]] = net_m[p]
                        fill[g] += 1
                    else:
                        o_start[g + 1] += 1
        if not deal:
            o_start = np.cumsum(o_start)
            row_point = np.empty(o_start[-1], dtype=np.int32)
            row_s = np.empty(o_start[-1])
            row_m = np.empty(o_start[-1])
    table = _table((o_start[o_of + 1] - o_start[o_of]).sum())
    count = 0
    for i in range(len(o_of)):
        for c in range(o_start[o_of[i]], o_start[o_of[i] + 1]):
            j = row_point[c]
            total = (o_access_s[i] + row_s[c]) + d_access_s[j]
            if total <= cutoff_s:
                _put(table, count, i, j, total, (o_access_m[i] + row_m[c]) + d_access_m[j])
                count += 1
    return _trimmed(table, count)


@njit(cache=True, nogil=True)
def _table(room):
    """Empty columns of a cost table with room for ``room`` pairs."""
    return (
        np.empty(room, dtype=np.int32),
        np.empty(room, dtype=np.int32),
        np.empty(room, dtype=np.float32),
        np.empty(room, dtype=np.float32),
    )


@njit(cache=True, nogil=True, inline="always")
def _put(table, row, origin, destination, seconds, metres):
    table[0][row] = origin
    table[1][row] = destination
    table[2][row] = seconds
    table[3][row] = metres


@njit(cache=True, nogil=True)
def _trimmed(table, count):
    """The first ``count`` rows; copied when they use less than half the room (frees it)."""
    if 2 * count >= len(table[0]):
        return table[0][:count], table[1][:count], table[2][:count], table[3][:count]
    return (
        table[0][:count].copy(),
        table[1][:count].copy(),
        table[2][:count].copy(),
        table[3][:count].copy(),
    )


def _snap(network: RoadNetwork, lon: np.ndarray, lat: np.ndarray, speed_mps: float) -> _Side:
    """Snap points to their nearest nodes and group them by node."""
    node, dist_m = network.nearest_nodes(lon, lat)
    unique, group = np.unique(node, return_inverse=True)
    access_s = dist_m / speed_mps
    min_access_s = np.full(len(unique), np.inf)
    np.minimum.at(min_access_s, group, access_s)
    return _Side(
        node=unique,
        group=group.astype(np.int32),
        access_s=access_s,
        access_m=dist_m,
        min_access_s=min_access_s,
    )


def _pairs_frame(
    origin: np.ndarray, destination: np.ndarray, seconds: np.ndarray, metres: np.ndarray
) -> pd.DataFrame:
    """The cost table: typed columns, sorted by origin then destination."""
    # One integer key sorts faster than a two-key lexsort.
    order = np.argsort(
        origin.astype(np.int64) * (int(destination.max(initial=0)) + 1) + destination
    )
    columns = zip(
        COLUMNS,
        (origin, destination, seconds, metres),
        (np.int32, np.int32, np.float32, np.float32),
        strict=True,
    )
    return pd.DataFrame({name: values[order].astype(kind) for name, values, kind in columns})


def _lonlat(points: ArrayLike | gpd.GeoSeries, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (WGS-84) of an (N, 2) array or a GeoSeries of points."""
    if isinstance(points, gpd.GeoDataFrame):
        points = points.geometry
    if isinstance(points, gpd.GeoSeries):
        if points.crs is not None and points.crs.to_epsg() != 4326:
            points = points.to_crs(4326)
        kinds = points.geom_type.to_numpy()
        not_point = np.flatnonzero(kinds != "Point")
        if len(not_point):
            raise CostInputError(
                f"{name}: row {not_point[0]} is a {kinds[not_point[0]]}, not a Point"
            )
        lon, lat = points.x.to_numpy(dtype=float), points.y.to_numpy(dtype=float)
    else:
        try:
            xy = np.asarray(points, dtype=float)
        except (TypeError, ValueError) as exc:
            raise CostInputError(f"{name}: not an (N, 2) array of lon/lat numbers ({exc})") from exc
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise CostInputError(f"{name}: expected an (N, 2) array of lon/lat, got {xy.shape}")
        lon, lat = xy[:, 0], xy[:, 1]
    if len(lon) == 0:
        raise CostInputError(f"{name}: no points given")
    bad = np.flatnonzero(
        ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    )
    if len(bad):
        raise CostInputError(
            f"{name}: row {bad[0]} has coordinate ({lon[bad[0]]}, {lat[bad[0]]}); expected a "
            f"WGS-84 longitude in [-180, 180] and latitude in [-90, 90] ({len(bad)} bad rows)"
        )
    return lon, lat


def _check_cutoff(cutoff_s: float) -> float:
    """The cutoff as a float, or an error naming it when it is negative or not a number."""
    try:
        value = float(cutoff_s)
    except (TypeError, ValueError) as exc:
        raise CostInputError(f"cutoff_s must be a number of seconds, not {cutoff_s!r}") from exc
    if not value >= 0:  # also catches NaN
        raise CostInputError(f"cutoff_s must be >= 0 seconds, not {cutoff_s!r}")
    return value


def _check_positive(value: float, name: str) -> float:
    """A finite, strictly positive speed, or an error naming the argument."""
    try:
        speed = float(value)
    except (TypeError, ValueError) as exc:
        raise CostInputError(f"{name} must be a number in m/s, not {value!r}") from exc
    if not (np.isfinite(speed) and speed > 0):
        raise CostInputError(f"{name} must be a finite speed > 0 m/s, not {value!r}")
    return speed
