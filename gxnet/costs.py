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


def _point_pairs(
    o_group: np.ndarray,
    d_group: np.ndarray,
    net_s: np.ndarray,
    net_m: np.ndarray,
    o_side: tuple[np.ndarray, ...],
    d_side: tuple[np.ndarray, ...],
    cutoff_s: float,
    slack: float,
    *,
    dense: bool | None = None,
) -> tuple[np.ndarray, ...]:
    """Node pairs expanded to the point pairs within the cutoff, sorted by origin, destination.

    ``o_side`` and ``d_side`` are (group of each point, access seconds, access metres,
    cheapest access seconds of each group). No sort: each origin point's rows list the
    destinations in index order, at a place in the table known before they are written. The
    node pairs are read from a matrix when they fill at least a quarter of the group pairs
    (``dense``; it then holds at most four times the node pairs found), else from one row of
    candidates per origin group. The compiled kernels only fill arrays allocated here: numpy
    asks the operating system for huge pages for large arrays, so the page faults of writing
    a table of millions of rows cost several times less than in memory the kernels allocate.
    Returns the four columns of the cost table, typed.
    """
    n_og, n_dg = len(o_side[3]), len(d_side[3])
    if dense is None:
        dense = 4 * len(o_group) >= n_og * n_dg
    if dense:
        seconds_of = np.full((n_og, n_dg), np.inf)
        metres_of = np.empty((n_og, n_dg))
        _dense_matrix(o_group, d_group, net_s, net_m, seconds_of, metres_of)
        rows = _dense_counts(seconds_of, o_side, d_side, cutoff_s)
        table = _table(rows[0][-1])
        _dense_rows(table, rows, seconds_of, metres_of, o_side, d_side, cutoff_s)
        return table
    d_start, by_d, o_start = _sparse_counts(
        o_group, d_group, net_s, o_side, d_side, cutoff_s, slack
    )
    rows = (np.empty(o_start[-1], dtype=np.int32), np.empty(o_start[-1]), np.empty(o_start[-1]))
    room = _sparse_deal(
        rows, o_group, net_s, net_m, o_side, d_side, cutoff_s, slack, d_start, by_d, o_start
    )
    table = _table(room)
    count = _sparse_rows(table, rows, o_start, o_side, d_side, cutoff_s)
    if 2 * count >= room:
        return tuple(column[:count] for column in table)
    return tuple(column[:count].copy() for column in table)  # frees the unused room


@njit(cache=True, nogil=True)
def _dense_matrix(o_group, d_group, net_s, net_m, seconds_of, metres_of):
    """Node pairs into the origin group x destination group matrices of seconds and metres."""
    for p in range(len(o_group)):
        seconds_of[o_group[p], d_group[p]] = net_s[p]
        metres_of[o_group[p], d_group[p]] = net_m[p]


@njit(cache=True, nogil=True)
def _dense_counts(seconds_of, o_side, d_side, cutoff_s):
    """Where each origin point's rows start in the table (one more entry: the rows in all).

    Origin points are visited group by group, so the network seconds of a group's row are
    gathered in destination point order once for all its points. Also returns the origin
    points by group and where each group's points start, for :func:`_dense_rows`.
    """
    o_of, o_access_s, _, _ = o_side
    d_of, d_access_s, _, _ = d_side
    by_group, start = _by_group(o_of, len(seconds_of))
    row_s = np.empty(len(d_of))
    first = np.zeros(len(o_of) + 1, dtype=np.int64)
    for g in range(len(seconds_of)):
        if start[g] < start[g + 1]:
            for j in range(len(d_of)):
                row_s[j] = seconds_of[g, d_of[j]]
            for k in range(start[g], start[g + 1]):
                a_s = o_access_s[by_group[k]]
                kept = 0
                for j in range(len(d_of)):
                    s = row_s[j]
                    kept += (s < np.inf) & ((a_s + s) + d_access_s[j] <= cutoff_s)
                first[by_group[k] + 1] = kept
    return np.cumsum(first), by_group, start


@njit(cache=True, nogil=True)
def _dense_rows(table, rows, seconds_of, metres_of, o_side, d_side, cutoff_s):
    """The point pairs within the cutoff into ``table``, where :func:`_dense_counts` put them.

    An origin point that keeps every destination writes one straight run, which the compiler
    turns into vector instructions; the others keep their destinations one by one.
    """
    first, by_group, start = rows
    o_of, o_access_s, o_access_m, _ = o_side
    d_of, d_access_s, d_access_m, _ = d_side
    origin, destination, seconds, metres = table
    n_d = len(d_of)
    row_s = np.empty(n_d)
    row_m = np.empty(n_d)
    for g in range(len(seconds_of)):
        if start[g] == start[g + 1]:
            continue
        for j in range(n_d):
            row_s[j] = seconds_of[g, d_of[j]]
            row_m[j] = metres_of[g, d_of[j]]
        for k in range(start[g], start[g + 1]):
            i = by_group[k]
            a_s, a_m, at = o_access_s[i], o_access_m[i], first[i]
            if first[i + 1] - at == n_d:
                run = (origin[at:], destination[at:], seconds[at:], metres[at:])
                for j in range(n_d):
                    run[0][j] = i
                    run[1][j] = j
                    run[2][j] = (a_s + row_s[j]) + d_access_s[j]
                    run[3][j] = (a_m + row_m[j]) + d_access_m[j]
                continue
            for j in range(n_d):
                s = row_s[j]
                if s < np.inf:
                    total = (a_s + s) + d_access_s[j]
                    if total <= cutoff_s:
                        origin[at] = i
                        destination[at] = j
                        seconds[at] = total
                        metres[at] = (a_m + row_m[j]) + d_access_m[j]
                        at += 1


@njit(cache=True, nogil=True)
def _by_group(group, n_groups):
    """Points ordered by group, in index order within each, and where each group starts."""
    start = np.zeros(n_groups + 1, dtype=np.int64)
    for p in range(len(group)):
        start[group[p] + 1] += 1
    start = np.cumsum(start)
    fill = start[:-1].copy()
    order = np.empty(len(group), dtype=np.int64)
    for p in range(len(group)):
        order[fill[group[p]]] = p
        fill[group[p]] += 1
    return order, start


@njit(cache=True, nogil=True)
def _sparse_counts(o_group, d_group, net_s, o_side, d_side, cutoff_s, slack):
    """Node pairs bucketed by destination group, and each origin group's row of candidates.

    A candidate is a destination point that a node pair reaches within the cutoff from the
    origin group's cheapest access. Returns the buckets' starts, the node pairs by bucket and
    the starts of the rows (their last entry: the candidates in all).
    """
    _, _, _, o_min_s = o_side
    d_of, d_access_s, _, _ = d_side
    by_d, d_start = _by_group(d_group, len(d_side[3]))
    o_start = np.zeros(len(o_min_s) + 1, dtype=np.int64)
    for j in range(len(d_of)):
        for q in range(d_start[d_of[j]], d_start[d_of[j] + 1]):
            p = by_d[q]
            g = o_group[p]
            if (o_min_s[g] + net_s[p]) + d_access_s[j] <= cutoff_s + slack:
                o_start[g + 1] += 1
    return d_start, by_d, np.cumsum(o_start)


@njit(cache=True, nogil=True)
def _sparse_deal(
    rows, o_group, net_s, net_m, o_side, d_side, cutoff_s, slack, d_start, by_d, o_start
):
    """Candidates dealt out to their origin groups' rows, destinations in index order.

    ``rows`` are (destination point, network seconds, network metres) of each candidate.
    Returns how many point pairs the rows give (an upper bound on the table's rows).
    """
    row_point, row_s, row_m = rows
    o_of, _, _, o_min_s = o_side
    d_of, d_access_s, _, _ = d_side
    fill = o_start[:-1].copy()
    for j in range(len(d_of)):
        for q in range(d_start[d_of[j]], d_start[d_of[j] + 1]):
            p = by_d[q]
            g = o_group[p]
            if (o_min_s[g] + net_s[p]) + d_access_s[j] <= cutoff_s + slack:
                row_point[fill[g]] = j
                row_s[fill[g]] = net_s[p]
                row_m[fill[g]] = net_m[p]
                fill[g] += 1
    return (o_start[o_of + 1] - o_start[o_of]).sum()


@njit(cache=True, nogil=True)
def _sparse_rows(table, rows, o_start, o_side, d_side, cutoff_s):
    """Point pairs within the cutoff from each origin point's row, into ``table``; their count."""
    row_point, row_s, row_m = rows
    o_of, o_access_s, o_access_m, _ = o_side
    _, d_access_s, d_access_m, _ = d_side
    origin, destination, seconds, metres = table
    count = 0
    for i in range(len(o_of)):
        for c in range(o_start[o_of[i]], o_start[o_of[i] + 1]):
            j = row_point[c]
            total = (o_access_s[i] + row_s[c]) + d_access_s[j]
            if total <= cutoff_s:
                origin[count] = i
                destination[count] = j
                seconds[count] = total
                metres[count] = (o_access_m[i] + row_m[c]) + d_access_m[j]
                count += 1
    return count


def _table(room: int) -> tuple[np.ndarray, ...]:
    """Empty columns of a cost table with room for ``room`` pairs."""
    return tuple(
        np.empty(room, dtype=kind) for kind in (np.int32, np.int32, np.float32, np.float32)
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
