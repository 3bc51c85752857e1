"""Travel costs between many origins and many destinations within a cutoff, as sparse pairs.

Every model gxnet solves asks "which sites can this household reach within the service time?"
The answer is a sparse table of (origin, destination, seconds, metres) pairs: only pairs within
the cutoff exist, so a city of 50,000 demand cells and 5,000 candidate sites never becomes a
dense 250-million-cell matrix.

:func:`travel_costs` snaps points to the nearest node of a :class:`RoadNetwork`, pays the snap
distance at an access speed, and runs bounded Dijkstra (``scipy.sparse.csgraph.dijkstra``
with ``limit``) from the distinct nodes of whichever side has fewer of them. Sources too far
apart for their reaches to meet share one multi-source search (``min_only``), so a short cutoff
on a large city costs about one search per place actually reached, not one pass over the whole
network per source. Metres along each fastest path come from the shortest-path tree (the
predecessors of the time search), climbed from each target or accumulated by pointer jumping.
:func:`straight_line_costs` is the fallback when no road network exists. The algorithm, why it
is exact, its memory behaviour and the cited defaults are in ``docs/costs.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
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

# Searches x nodes entries a batch holds at once: float64 distances, int32 predecessors and
# the tree bookkeeping cost about 30 bytes each, so about 120 MB whatever the city's size
# (up to 160 MB when shared searches stack their rows from scipy's).
_BATCH_ENTRIES = 4_000_000

# Relative slack on search limits and pruning, so that float rounding in the subtraction
# "cutoff - access" can never drop a pair that the final, exact test keeps.
_SLACK = 1e-9


@dataclass(frozen=True)
class _Side:
    """The points of one side (origins or destinations) grouped by the node they snap to."""

    node: np.ndarray  # distinct snapped nodes, (g,)
    order: np.ndarray  # point indices sorted by node: group i is order[start[i]:start[i]+count[i]]
    start: np.ndarray
    count: np.ndarray
    access_s: np.ndarray  # per point: seconds from the point to its node
    access_m: np.ndarray  # per point: metres from the point to its node
    min_access_s: np.ndarray  # per group: the cheapest access among its points


@dataclass(frozen=True)
class _Graph:
    """One direction of a network: time-weighted CSR and edge lengths."""

    csr: sp.csr_matrix
    edge: np.ndarray  # the network's index of each edge, aligned with csr.data
    length_m: np.ndarray  # the network's edge lengths, by its own index


def travel_costs(
    network: RoadNetwork,
    origins: ArrayLike | gpd.GeoSeries,
    destinations: ArrayLike | gpd.GeoSeries,
    cutoff_s: float,
    *,
    access_speed_mps: float | None = None,
    batch_size: int | None = None,
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
    batch_size
        Most searches held in memory together (a search starts from one source node, or from
        several whose reaches cannot meet). Default: as many as keep searches x nodes under 4
        million (about 120 MB). Results do not depend on it.

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
    if batch_size is not None and not (
        isinstance(batch_size, int | np.integer) and batch_size >= 1
    ):
        raise CostInputError(f"batch_size must be a positive integer, not {batch_size!r}")

    o_side = _snap(network, o_lon, o_lat, speed)
    d_side = _snap(network, d_lon, d_lat, speed)
    # Search from the side with fewer distinct nodes; destinations search the reversed graph.
    reverse = len(d_side.node) < len(o_side.node)
    return _network_costs(network, o_side, d_side, cutoff_s, reverse=reverse, batch_size=batch_size)


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
    network: RoadNetwork,
    o_side: _Side,
    d_side: _Side,
    cutoff_s: float,
    *,
    reverse: bool,
    batch_size: int | None,
) -> pd.DataFrame:
    """Point-to-point costs from node-to-node searches run forward from origins or in reverse."""
    src, tgt = (d_side, o_side) if reverse else (o_side, d_side)
    graph = _prepared(network, reverse=reverse)
    g_src, g_tgt, net_s, net_m = _node_pairs(
        graph, network.utm_xy, network.ground_speed_bound, src, tgt, cutoff_s, batch_size
    )

    # Node pairs become point pairs: the source side first, pruned with the cheapest access on
    # the target node, then the target side, tested exactly.
    row, p_src = _expand(g_src, src)
    bound = (src.access_s[p_src] + net_s[row]) + tgt.min_access_s[g_tgt[row]]
    keep = bound <= cutoff_s * (1 + _SLACK)
    row, p_src = row[keep], p_src[keep]
    row2, p_tgt = _expand(g_tgt[row], tgt)
    row, p_src = row[row2], p_src[row2]
    origin, destination = (p_tgt, p_src) if reverse else (p_src, p_tgt)
    seconds = (o_side.access_s[origin] + net_s[row]) + d_side.access_s[destination]
    metres = (o_side.access_m[origin] + net_m[row]) + d_side.access_m[destination]
    keep = seconds <= cutoff_s
    return _pairs_frame(origin[keep], destination[keep], seconds[keep], metres[keep])


def _node_pairs(
    graph: _Graph,
    xy: np.ndarray,
    bound: float,
    src: _Side,
    tgt: _Side,
    cutoff_s: float,
    batch_size: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Network seconds and metres from source groups to target groups, within reach.

    Sources whose reaches cannot meet share one search (:func:`_disjoint_searches`): a
    multi-source Dijkstra that keeps, for every node, the nearest source and its distance.
    Searches run in batches of rows. Returns (source group, target group, seconds, metres) for
    every pair found whose network time leaves room for the cheapest access at both ends.
    """
    reach_s = (cutoff_s - src.min_access_s - tgt.min_access_s.min()) + _SLACK * max(1.0, cutoff_s)
    active = np.flatnonzero(reach_s >= 0)
    parts = []
    if len(active):
        with np.errstate(invalid="ignore"):  # 0 s x inf m/s: no bound, every search alone
            radius_m = np.nan_to_num(reach_s[active].max() * bound, nan=np.inf, posinf=np.inf)
        searches = [active[s] for s in _disjoint_searches(xy[src.node[active]], radius_m)]
        n = graph.csr.shape[0]
        climb = _climbs(graph, float(reach_s[active].max()), len(tgt.node))
        size = batch_size or max(1, _BATCH_ENTRIES // n)
        for lo in range(0, len(searches), size):
            batch = searches[lo : lo + size]
            parts.append(_searched_pairs(graph, batch, reach_s, src, tgt, climb=climb))
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0), np.empty(0)
    root, g_tgt, seconds, metres = (np.concatenate(column) for column in zip(*parts, strict=True))
    group = np.empty(graph.csr.shape[0], dtype=np.int64)  # source node -> its group
    group[src.node] = np.arange(len(src.node))
    return group[root], g_tgt, seconds, metres


def _searched_pairs(
    graph: _Graph,
    searches: list[np.ndarray],
    reach_s: np.ndarray,
    src: _Side,
    tgt: _Side,
    *,
    climb: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(source node, target group, seconds, metres) found by one batch of searches.

    Each search gives the distance, predecessor and source of every node. It keeps the nodes
    within the largest limit of its sources; a node's pair is with the source it was reached
    from, at that source's exact distance, and the caller's final test decides. Metres come
    from climbing each target's path (``climb``) or from the batch's whole forest.
    """
    n = graph.csr.shape[0]
    limit = np.array([reach_s[groups].max() for groups in searches])
    if all(len(groups) == 1 for groups in searches):  # one scipy call for the whole batch
        sources = src.node[np.concatenate(searches)]
        dist, pred = dijkstra(
            graph.csr,
            directed=True,
            indices=sources,
            limit=float(limit.max()),
            return_predecessors=True,
        )
        reached = dist <= limit[:, None]
        if np.isinf(limit).any():  # an unlimited search: unreachable nodes stay at inf
            reached &= np.isfinite(dist)
        rows, cols = np.nonzero(reached[:, tgt.node])
        root, seconds = sources[rows], dist[rows, tgt.node[cols]]
        if climb:
            key = np.flatnonzero(reached)
            tree = (key, pred.ravel()[key])
        else:
            tree = (pred, reached)
    else:
        rows, cols, root, seconds, tree = _shared_searches(graph, searches, limit, src, tgt, climb)
    nodes = tgt.node[cols]
    if climb:
        metres = _path_metres(graph, *tree, rows * n + nodes)
    else:
        metres = _tree_metres(graph, *tree, rows, nodes)
    return root, cols, seconds, metres


def _shared_searches(
    graph: _Graph,
    searches: list[np.ndarray],
    limit: np.ndarray,
    src: _Side,
    tgt: _Side,
    climb: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Searches of several sources each (``min_only``), one scipy call per search.

    Returns (row, target group, source node, seconds) of every target reached and the trees:
    for climbing, ``row * nodes + node`` of every node reached and its predecessor (no more:
    fresh whole rows cost page faults); otherwise the predecessor and reached matrices.
    """
    n = graph.csr.shape[0]
    cols, roots, seconds, keys, parents, dists, preds = [], [], [], [], [], [], []
    for row, groups in enumerate(searches):
        dist, pred, root = dijkstra(
            graph.csr,
            directed=True,
            indices=src.node[groups],
            limit=float(limit[row]),
            min_only=True,
            return_predecessors=True,
        )
        at_target = dist[tgt.node]
        # (isfinite: an unlimited search leaves unreachable nodes at inf, which <= inf keeps.)
        found = np.flatnonzero((at_target <= limit[row]) & np.isfinite(at_target))
        cols.append(found)
        roots.append(root[tgt.node[found]])
        seconds.append(at_target[found])
        if climb:
            reached = np.flatnonzero(root >= 0)
            keys.append(reached + row * n)
            parents.append(pred[reached])
        else:
            dists.append(dist)
            preds.append(pred)
    rows = np.repeat(np.arange(len(searches)), [len(found) for found in cols])
    if climb:
        tree = (np.concatenate(keys), np.concatenate(parents))
    else:
        dist = np.stack(dists)
        tree = (np.stack(preds), (dist <= limit[:, None]) & np.isfinite(dist))
    columns = (np.concatenate(column) for column in (cols, roots, seconds))
    return rows, *columns, tree


def _climbs(graph: _Graph, reach_s: float, n_targets: int) -> bool:
    """Whether metres are cheaper climbed from each target than summed over the whole forest.

    Climbing costs about targets x edges per path, the forest about the nodes reached (times a
    few passes): climb when paths of ``reach_s`` seconds have few edges and the targets are few
    next to the network's nodes. Decided once per call, so that batch sizes never change a
    float (the two sum a path's edges in different orders).
    """
    edge_s = graph.csr.data.sum() / max(graph.csr.nnz, 1)
    return reach_s / max(edge_s, 1e-9) * n_targets < graph.csr.shape[0]


def _disjoint_searches(xy: np.ndarray, radius_m: float) -> list[np.ndarray]:
    """Split sources into sets that one multi-source search can serve exactly.

    Sources in one set are more than ``2 * radius_m`` apart (straight line), where
    ``radius_m`` bounds how far any source's search limit reaches on the ground. Then no node
    within a source's limit is as close (in time) to another source of its set: the two would
    be within ``radius_m`` of that node, so within ``2 * radius_m`` of each other. Sources are
    binned into square cells just over ``2 * radius_m`` wide; a set takes at most one source
    from each cell of one of the four (column, row) parities, so two of its cells lie at
    least one cell apart. Returns index arrays into ``xy``; one source per set when no finite
    radius exists.
    """
    side = 2.0 * radius_m * (1 + _SLACK) + 1.0  # (1 m more against rounding in the binning)
    if not np.isfinite(side):
        return np.split(np.arange(len(xy)), np.arange(1, len(xy)))
    cell = np.floor((xy - xy.min(axis=0)) / side).astype(np.int64)
    order = np.argsort(cell[:, 0] * (cell[:, 1].max() + 1) + cell[:, 1], kind="stable")
    in_cell = cell[order]
    first = np.r_[True, (in_cell[1:] != in_cell[:-1]).any(axis=1)]
    position = np.arange(len(order))
    rank = position - np.maximum.accumulate(np.where(first, position, 0))
    label = rank * 4 + (in_cell[:, 0] % 2) * 2 + in_cell[:, 1] % 2
    by_label = np.argsort(label, kind="stable")
    return np.split(order[by_label], np.flatnonzero(np.diff(label[by_label])) + 1)


def _tree_metres(
    graph: _Graph, pred: np.ndarray, reached: np.ndarray, rows: np.ndarray, nodes: np.ndarray
) -> np.ndarray:
    """Metres from each search's source to ``nodes[i]`` in row ``rows[i]``, along its tree.

    The predecessors of a time search form one shortest-path forest per row (a tree per
    source). Every reached node starts with the length of the edge from its parent and points
    at that parent; pointer
    jumping (add the metres of the node pointed at, then point at its pointer) reaches every
    root in log2(tree depth) whole-array steps, with no loop over nodes or edges. Roots point at
    themselves with 0 m, so they add nothing.
    """
    b, n = pred.shape
    flat = np.flatnonzero(reached)  # every ancestor of a reached node is reached too
    node = flat % n
    parent = pred.ravel()[flat]
    child = np.flatnonzero(parent >= 0)  # sources carry scipy's -9999
    index = np.int32 if len(flat) < 2**31 else np.int64
    pos = np.empty(b * n, dtype=index)  # read only where reached, so left unset elsewhere
    pos[flat] = np.arange(len(flat), dtype=index)
    up = np.arange(len(flat), dtype=index)
    up[child] = pos[flat[child] - node[child] + parent[child]]
    metres = np.zeros(len(flat))
    metres[child] = _edge_lengths(graph, parent[child], node[child])
    while True:
        beyond = up[up]
        if np.array_equal(beyond, up):
            return metres[pos[rows * n + nodes]]
        metres += metres[up]
        up = beyond


def _path_metres(
    graph: _Graph, key: np.ndarray, parent: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """Metres from the root of each of ``start`` to it, along the searches' trees.

    ``key`` (sorted) names every reached node as ``row * nodes + node`` and ``parent`` gives
    its predecessor in that row's search (negative at a source). Climbs from every start to
    its root one edge per step, all at once: the work is the edges of the paths asked for,
    however many other nodes the searches reached.
    """
    n = graph.csr.shape[0]
    metres = np.zeros(len(start))
    todo, at = np.arange(len(start)), start
    while len(todo):
        up = parent[np.searchsorted(key, at)]
        climbing = up >= 0  # roots carry scipy's -9999
        todo, at, up = todo[climbing], at[climbing], up[climbing]
        metres[todo] += _edge_lengths(graph, up, at % n)
        at = at - at % n + up
    return metres


def _edge_lengths(graph: _Graph, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """Length of the kept edge ``tail[i] -> head[i]`` (which must exist) for every i.

    Probes the tail's row of the CSR matrix slot by slot: a road node has a handful of
    out-edges, so a few vector passes find them all (faster than a binary search of every
    edge key).
    """
    first = graph.csr.indptr[tail]
    slot = np.zeros(len(tail), dtype=first.dtype)
    todo = np.arange(len(tail))
    while len(todo):
        found = graph.csr.indices[first[todo] + slot[todo]] == head[todo]
        slot[todo[~found]] += 1
        todo = todo[~found]
    return graph.length_m[graph.edge[first + slot]]


def _prepared(network: RoadNetwork, *, reverse: bool) -> _Graph:
    """The network (or its reverse) as a time-weighted CSR matrix, from its search graph.

    The network keeps its search graphs (see :meth:`RoadNetwork.search_graph`: derived once per
    network object, or read from the ``.npz`` cache) and the matrix wraps those arrays without a
    copy, so this costs microseconds however often a pipeline asks for costs. Zero-time edges
    stay explicit entries: csgraph treats a stored zero in a CSR matrix as an edge of weight 0.
    """
    n = network.n_nodes
    arrays = network.search_graph(reverse=reverse)
    csr = sp.csr_matrix((arrays.time_s, arrays.head, arrays.indptr), shape=(n, n), copy=False)
    return _Graph(csr=csr, edge=arrays.edge, length_m=network.length_m)


def _snap(network: RoadNetwork, lon: np.ndarray, lat: np.ndarray, speed_mps: float) -> _Side:
    """Snap points to their nearest nodes and group them by node."""
    node, dist_m = network.nearest_nodes(lon, lat)
    order = np.argsort(node, kind="stable")
    unique, start, count = np.unique(node[order], return_index=True, return_counts=True)
    access_s = dist_m / speed_mps
    return _Side(
        node=unique,
        order=order,
        start=start,
        count=count,
        access_s=access_s,
        access_m=dist_m,
        min_access_s=np.minimum.reduceat(access_s[order], start),
    )


def _expand(group: np.ndarray, side: _Side) -> tuple[np.ndarray, np.ndarray]:
    """One row per point of ``group[k]`` for every k: (k, point index)."""
    row, position = _ranges(side.start[group], side.count[group])
    return row, side.order[position]


def _ranges(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ranges ``start[i] .. start[i] + count[i] - 1`` end to end: (i, value) per element."""
    owner = np.repeat(np.arange(len(start)), count)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    return owner, np.repeat(start, count) + offset


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
