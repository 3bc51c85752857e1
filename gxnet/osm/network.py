"""RoadNetwork: a road graph for one travel mode, held as flat NumPy arrays.

Arrays rather than a networkx graph because every consumer (the cost engine, snapping, the
cache) works on whole arrays: a 200,000-node network loads from its ``.npz`` cache in
milliseconds and feeds ``scipy.sparse.csgraph`` without conversion. ``to_networkx`` gives an
osmnx-compatible graph for interop; GraphML is an export, never the cache.

The cache also holds what a fastest-path search needs beyond the edges themselves (each
direction as compressed sparse rows, and the network's ground-speed bound): derived from the same
arrays in the same atomic write, so a network loaded from its cache is ready to search at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from pyproj import Transformer
from scipy.spatial import cKDTree

from gxnet._io import atomic_path
from gxnet.crs import utm_crs

#: The travel modes gxnet builds: residents walk to points, trucks drive to sorting centres,
#: motor tricycles collect from points.
MODES: tuple[str, ...] = ("walk", "drive", "tricycle")


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road network for one travel mode.

    Nodes are indexed ``0..n_nodes-1``; ``node_id`` keeps their OSM ids. Every edge is directed
    ``u -> v``: a two-way street is two edges, a one-way street one.

    Attributes
    ----------
    mode
        ``"walk"``, ``"drive"`` or ``"tricycle"``.
    node_id
        OSM node ids, int64, shape (n_nodes,).
    x, y
        Longitude and latitude in WGS-84, float64, shape (n_nodes,).
    u, v
        Edge endpoints as node indices, int32, shape (n_edges,).
    length_m
        Edge length in metres, float32.
    time_s
        Edge travel time in seconds for this mode, float32.
    meta
        Provenance: source file and its hash, settings used, what was dropped. Saved with the
        arrays, so that a cache made from other inputs can be recognised and rebuilt.
    """

    mode: str
    node_id: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    time_s: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        n, m = len(self.node_id), len(self.u)
        for name in ("x", "y"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} values for {n} nodes")
        for name in ("v", "length_m", "time_s"):
            if len(getattr(self, name)) != m:
                raise ValueError(f"{name} has {len(getattr(self, name))} values for {m} edges")
        if m and (self.u.min() < 0 or self.v.min() < 0 or max(self.u.max(), self.v.max()) >= n):
            raise ValueError("edge endpoints must be node indices in 0..n_nodes-1")

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_id)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.u)

    def adjacency(self, weight: str = "time_s") -> sp.csr_matrix:
        """Sparse adjacency matrix weighted by ``time_s`` or ``length_m``.

        Parallel edges keep their smallest weight (a shortest path never takes the longer one).
        """
        w = np.asarray(getattr(self, weight), dtype=np.float64)
        # Sort so that, among duplicates, the smallest weight comes first and is kept.
        order = np.lexsort((w, self.v, self.u))
        u, v, w = self.u[order], self.v[order], w[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        # csgraph treats an explicit 0 as "no edge"; a zero-length edge must still connect.
        w = np.maximum(w[first], 1e-9)
        return sp.csr_matrix((w, (u[first], v[first])), shape=(self.n_nodes, self.n_nodes))

    def search_graph(self, *, reverse: bool = False) -> SearchGraph:
        """The network (or its reverse) as compressed sparse rows for a fastest-path search.

        Of parallel edges (same tail and head) the fastest is kept, and of equally fast ones the
        shortest, so that the metres of a fastest path are those of the edges it used. One row
        per tail node, its edges sorted by head; with ``reverse`` the edges are read backwards
        (``v -> u``, for searches towards a destination).

        Derived once per network object and direction, or read from the ``.npz`` cache.
        """
        if reverse not in self._search_graphs:
            self._search_graphs[reverse] = _search_graph(self, reverse=reverse)
        return self._search_graphs[reverse]

    @cached_property
    def ground_speed_bound(self) -> float:
        """The most straight-line metres (in the network's UTM zone) any edge covers per second.

        By the triangle inequality no path of ``t`` seconds ends further than ``t`` times this
        bound from its start, so a search with a time limit stays within a known disc. ``inf``
        when an edge between two different places takes no time (no bound exists).
        """
        xy = self.utm_xy
        dx = xy[self.v, 0] - xy[self.u, 0]
        dy = xy[self.v, 1] - xy[self.u, 1]
        ground2 = dx * dx + dy * dy
        moving = ground2 > 0
        time_s = self.time_s[moving].astype(np.float64)
        if (time_s == 0).any():
            return np.inf
        # Squares compared, one square root: a max of ratios without a root per edge.
        return float(np.sqrt((ground2[moving] / (time_s * time_s)).max(initial=0.0)))

    @cached_property
    def _search_graphs(self) -> dict[bool, SearchGraph]:
        return {}

    @cached_property
    def _to_utm(self) -> Transformer:
        return Transformer.from_crs("EPSG:4326", utm_crs(self.x, self.y), always_xy=True)

    @cached_property
    def utm_xy(self) -> np.ndarray:
        """Node coordinates in metres in the network's UTM zone, shape (n_nodes, 2)."""
        return np.column_stack(self._to_utm.transform(self.x, self.y))

    @cached_property
    def _kdtree(self) -> cKDTree:
        # An unbalanced tree builds in about half the time and answers nearest-node queries as
        # fast on road nodes, which are spread fairly evenly.
        return cKDTree(self.utm_xy, balanced_tree=False, compact_nodes=False)

    def nearest_nodes(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest network node of each point, and the straight-line distance to it in metres.

        Parameters
        ----------
        lon, lat
            WGS-84 coordinates, arrays of equal length.

        Returns
        -------
        (index, distance_m)
            Node indices (int64) and distances (float64), one per point.
        """
        if self.n_nodes == 0:
            raise ValueError(f"the {self.mode} network has no nodes")
        qx, qy = self._to_utm.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        dist, idx = self._kdtree.query(np.column_stack([np.atleast_1d(qx), np.atleast_1d(qy)]))
        return idx.astype(np.int64), dist

    def to_networkx(self):  # -> networkx.MultiDiGraph (import kept lazy)
        """An osmnx-compatible ``MultiDiGraph`` (EPSG:4326; node x/y; edge length, travel_time)."""
        import networkx as nx

        g = nx.MultiDiGraph(crs="EPSG:4326", mode=self.mode)
        g.add_nodes_from(
            (int(i), {"x": float(x), "y": float(y)})
            for i, x, y in zip(self.node_id, self.x, self.y, strict=True)
        )
        ids = self.node_id
        g.add_edges_from(
            (int(ids[a]), int(ids[b]), {"length": float(length), "travel_time": float(t)})
            for a, b, length, t in zip(self.u, self.v, self.length_m, self.time_s, strict=True)
        )
        return g

    def save(self, path: str | Path) -> Path:
        """Write the network to one ``.npz`` file, atomically, and return its path."""
        path = Path(path)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            np.savez(
                fh,
                mode=np.array(self.mode),
                node_id=self.node_id,
                x=self.x,
                y=self.y,
                u=self.u,
                v=self.v,
                length_m=self.length_m,
                time_s=self.time_s,
                meta=np.array(json.dumps(self.meta, sort_keys=True)),
                **{
                    f"{name}_{field}": getattr(self.search_graph(reverse=reverse), field)
                    for reverse, name in ((False, "forward"), (True, "reverse"))
                    for field in _SEARCH_FIELDS
                },
                ground_speed_bound=np.array(self.ground_speed_bound),
            )
        return path

    @classmethod
    def load(cls, path: str | Path) -> RoadNetwork:
        """Read a network written by :meth:`save`, ready to search.

        A file written before search graphs were cached loads too; they are then derived on
        first use.

        Raises
        ------
        ValueError
            When the arrays do not fit together (a damaged file).
        """
        with np.load(Path(path), allow_pickle=False) as z:
            network = cls(
                mode=str(z["mode"]),
                node_id=z["node_id"],
                x=z["x"],
                y=z["y"],
                u=z["u"],
                v=z["v"],
                length_m=z["length_m"],
                time_s=z["time_s"],
                meta=json.loads(str(z["meta"])),
            )
            if "forward_edge" in z:  # (files written before they were cached: derived on use)
                for reverse, name in ((False, "forward"), (True, "reverse")):
                    graph = SearchGraph(*(z[f"{name}_{field}"] for field in _SEARCH_FIELDS))
                    network._search_graphs[reverse] = _checked(graph, network, name)
                network.__dict__["ground_speed_bound"] = float(z["ground_speed_bound"])
        return network


@dataclass(frozen=True)
class SearchGraph:
    """One direction of a network as compressed sparse rows, ready for ``scipy.sparse.csgraph``.

    ``scipy.sparse.csr_matrix((time_s, head, indptr), shape=(n_nodes, n_nodes))`` is the search
    matrix, built without a copy.
    """

    edge: np.ndarray  # int32: the network's index of each kept edge, in row order
    indptr: np.ndarray  # int32: row i is edge[indptr[i]:indptr[i + 1]]
    head: np.ndarray  # int32: the node each kept edge leads to
    time_s: np.ndarray  # float64: its travel time


# The fields of a SearchGraph, in order, as the cache names them (``forward_edge``, ...).
_SEARCH_FIELDS: tuple[str, ...] = ("edge", "indptr", "head", "time_s")


def _checked(graph: SearchGraph, network: RoadNetwork, name: str) -> SearchGraph:
    """A cached search graph, refused when it cannot belong to the network's arrays."""
    n, m, k = network.n_nodes, network.n_edges, len(graph.edge)
    shapes = len(graph.indptr) == n + 1 and len(graph.head) == k == len(graph.time_s) <= m
    kinds = [a.dtype for a in (graph.edge, graph.indptr, graph.head)] == [np.dtype(np.int32)] * 3
    fits = shapes and kinds and graph.time_s.dtype == np.float64 and graph.indptr[-1] == k
    if fits and k:
        fits = graph.indptr[0] == 0 and bool((np.diff(graph.indptr) >= 0).all())
        fits = fits and graph.edge.min() >= 0 and graph.edge.max() < m
        fits = fits and graph.head.min() >= 0 and graph.head.max() < n
    if not fits:
        raise ValueError(f"the {name} search graph does not fit the network ({n} nodes, {m} edges)")
    return graph


def _search_graph(network: RoadNetwork, *, reverse: bool) -> SearchGraph:
    """The kept edges of one direction (see :meth:`RoadNetwork.search_graph`) as CSR arrays."""
    edge = _fastest_edge_order(network, reverse=reverse)
    tail, head = (network.v, network.u) if reverse else (network.u, network.v)
    indptr = np.zeros(network.n_nodes + 1, dtype=np.int32)
    np.cumsum(np.bincount(tail[edge], minlength=network.n_nodes), out=indptr[1:])
    time_s = network.time_s[edge].astype(np.float64)
    return SearchGraph(edge=edge, indptr=indptr, head=head[edge].astype(np.int32), time_s=time_s)


def _fastest_edge_order(network: RoadNetwork, *, reverse: bool) -> np.ndarray:
    """Edge indices sorted by (tail, head, seconds, metres), the first of each (tail, head)."""
    tail, head = (network.v, network.u) if reverse else (network.u, network.v)
    key = tail.astype(np.int64) * max(network.n_nodes, 1) + head
    order = np.argsort(key)
    same = key[order][1:] == key[order][:-1]
    if same.any():  # parallel edges: fastest, then shortest, first within each group
        twin = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
        group = order[twin]
        time_s, length_m = network.time_s[group], network.length_m[group]
        order[twin] = group[np.lexsort((length_m, time_s, key[group]))]
        order = order[np.r_[True, ~same]]
    return order.astype(np.int32)
