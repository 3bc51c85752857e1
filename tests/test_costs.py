"""Travel costs: exact against networkx and scipy Dijkstra, on random graphs and real Helsinki."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString, box

import gxnet.costs as costs
from gxnet._errors import CostInputError, UserInputError
from gxnet.costs import ACCESS_SPEED_MPS, straight_line_costs, travel_costs
from gxnet.crs import utm_crs
from gxnet.osm.network import RoadNetwork
from gxnet.osm.pbf import pbf_bounds, read_network

HELSINKI = Path(__file__).parent / "data" / "helsinki.osm.pbf"
# Wuzhou: a UTM zone 49 location, so the tiny hand-built networks use Guangxi coordinates.
LON0, LAT0 = 111.28, 23.48


def random_network(seed: int, n: int = 400, zero_time_edge: bool = False) -> RoadNetwork:
    """A random street network of about 3 x 3 km.

    Each node is linked to its 3 nearest neighbours, 60 % of links two-way and the rest one-way,
    with 40 parallel edges and speeds from walking to cycling.
    """
    rng = np.random.default_rng(seed)
    x, y = LON0 + rng.random(n) * 0.03, LAT0 + rng.random(n) * 0.03
    metres = np.column_stack([(x - LON0) * 102_100, (y - LAT0) * 110_700])
    _, near = cKDTree(metres).query(metres, k=4)
    u, v = np.repeat(np.arange(n), 3), near[:, 1:].ravel()
    two_way = rng.random(len(u)) < 0.6
    twin = rng.integers(0, len(u), 40)
    u, v = np.concatenate([u, v[two_way], u[twin]]), np.concatenate([v, u[two_way], v[twin]])
    ground = np.hypot(*(metres[u] - metres[v]).T)
    length = (ground * rng.uniform(1.05, 1.4, len(u))).astype(np.float32)
    time = (length / rng.uniform(1.0, 5.0, len(u))).astype(np.float32)
    if zero_time_edge:  # a ferry-like link that costs no time: no ground-speed bound exists
        time[0] = 0.0
    return RoadNetwork(
        "walk", np.arange(n) + 10_000, x, y, u.astype(np.int32), v.astype(np.int32), length, time
    )


def random_points(rng: np.random.Generator, count: int, bounds) -> np.ndarray:
    west, south, east, north = bounds
    return np.column_stack(
        [west + rng.random(count) * (east - west), south + rng.random(count) * (north - south)]
    )


def networkx_costs(network: RoadNetwork, origins, destinations, cutoff_s, speed) -> pd.DataFrame:
    """Reference: networkx Dijkstra with a cutoff from every origin, metres along its path."""
    graph = network.to_networkx()
    o_node, o_dist = network.nearest_nodes(origins[:, 0], origins[:, 1])
    d_node, d_dist = network.nearest_nodes(destinations[:, 0], destinations[:, 1])
    ids = network.node_id
    rows = []
    for i, (node, dist) in enumerate(zip(o_node, o_dist, strict=True)):
        access = dist / speed
        seconds, paths = nx.single_source_dijkstra(
            graph, int(ids[node]), cutoff=cutoff_s - access, weight="travel_time"
        )
        for j, (target, target_dist) in enumerate(zip(d_node, d_dist, strict=True)):
            if int(ids[target]) not in seconds:
                continue
            total = (access + seconds[int(ids[target])]) + target_dist / speed
            if total > cutoff_s:
                continue
            path = paths[int(ids[target])]
            # Of parallel edges the path takes the fastest (then shortest) one.
            metres = sum(
                min((e["travel_time"], e["length"]) for e in graph[a][b].values())[1]
                for a, b in zip(path[:-1], path[1:], strict=True)
            )
            rows.append((i, j, total, dist + metres + target_dist))
    return pd.DataFrame(rows, columns=["origin", "destination", "seconds", "metres"])


def scipy_costs(network: RoadNetwork, origins, destinations, cutoff_s, speed) -> pd.DataFrame:
    """Reference: scipy's Dijkstra on seconds from every origin node, then the fewest metres
    among the fastest paths: scipy's Dijkstra again, on metres, over only the edges that lie on
    a fastest path (``seconds[tail] + edge seconds == seconds[head]``)."""
    o_node, o_dist = network.nearest_nodes(origins[:, 0], origins[:, 1])
    d_node, d_dist = network.nearest_nodes(destinations[:, 0], destinations[:, 1])
    u, v = network.u, network.v
    time_s, length_m = network.time_s.astype(float), network.length_m.astype(float)
    fastest = _cheapest_edges(u, v, time_s, network.n_nodes)
    rows = []
    for node in np.unique(o_node):
        seconds = dijkstra(fastest, indices=node)
        on_fastest = np.isfinite(seconds[u]) & (seconds[u] + time_s == seconds[v])
        shortest = _cheapest_edges(u[on_fastest], v[on_fastest], length_m[on_fastest], len(seconds))
        metres = dijkstra(shortest, indices=node)
        for i in np.flatnonzero(o_node == node):
            total = (o_dist[i] / speed + seconds[d_node]) + d_dist / speed
            for j in np.flatnonzero((total <= cutoff_s) & np.isfinite(total)):
                rows.append((i, j, total[j], (o_dist[i] + metres[d_node[j]]) + d_dist[j]))
    frame = pd.DataFrame(rows, columns=["origin", "destination", "seconds", "metres"])
    kinds = {"origin": np.int32, "destination": np.int32, "seconds": np.float32}
    return frame.astype(kinds | {"metres": np.float32}).sort_values(["origin", "destination"])


def _cheapest_edges(u, v, weight, n: int) -> sp.csr_matrix:
    """A CSR matrix keeping the least weight of parallel edges (a stored 0 is an edge)."""
    order = np.lexsort((weight, v, u))
    u, v, weight = u[order], v[order], weight[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return sp.csr_matrix((weight[first], (u[first], v[first])), shape=(n, n))


def assert_same_costs(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert len(got) > 0
    assert list(zip(got.origin, got.destination, strict=True)) == list(
        zip(want.origin, want.destination, strict=True)
    )
    # float32 output: equal to the reference up to its rounding.
    np.testing.assert_allclose(got.seconds, want.seconds, rtol=2e-7, atol=1e-6)
    np.testing.assert_allclose(got.metres, want.metres, rtol=2e-7, atol=1e-6)


@pytest.mark.parametrize(
    ("seed", "n_origins", "n_destinations", "zero_time_edge"),
    [(0, 40, 70, False), (1, 70, 40, True), (2, 70, 40, False)],
)
def test_random_graphs_match_networkx(
    seed: int, n_origins: int, n_destinations: int, zero_time_edge
) -> None:
    network = random_network(seed, zero_time_edge=zero_time_edge)
    rng = np.random.default_rng(100 + seed)
    bounds = (LON0, LAT0, LON0 + 0.03, LAT0 + 0.03)
    # The last origin lies 2 km east of the network: its walk to the nearest node alone takes
    # longer than the cutoff, so it reaches nothing.
    origins = np.vstack([random_points(rng, n_origins - 1, bounds), [[LON0 + 0.05, LAT0]]])
    destinations = random_points(rng, n_destinations, bounds)
    got = travel_costs(network, origins, destinations, 120.0, access_speed_mps=1.3)
    want = networkx_costs(network, origins, destinations, 120.0, 1.3)
    assert_same_costs(got, want)
    # The cutoff matters: some pairs are out of reach, some in.
    assert 0 < len(got) < n_origins * n_destinations
    assert n_origins - 1 not in got.origin.to_numpy()


@pytest.fixture(scope="module", params=["walk", "drive"])
def helsinki(request) -> RoadNetwork:
    return read_network(HELSINKI, box(*pbf_bounds(HELSINKI)), request.param)


def test_helsinki_matches_networkx(helsinki: RoadNetwork) -> None:
    rng = np.random.default_rng(7)
    bounds = pbf_bounds(HELSINKI)
    origins, destinations = random_points(rng, 30, bounds), random_points(rng, 45, bounds)
    cutoff = 600.0 if helsinki.mode == "walk" else 240.0
    speed = ACCESS_SPEED_MPS[helsinki.mode]
    got = travel_costs(helsinki, origins, destinations, cutoff)
    want = networkx_costs(helsinki, origins, destinations, cutoff, speed)
    assert_same_costs(got, want)
    assert 0 < len(got) < len(origins) * len(destinations)


def test_helsinki_matches_scipy_pair_for_pair(helsinki: RoadNetwork) -> None:
    rng = np.random.default_rng(9)
    bounds = pbf_bounds(HELSINKI)
    origins, destinations = random_points(rng, 120, bounds), random_points(rng, 80, bounds)
    cutoff = 900.0 if helsinki.mode == "walk" else 300.0
    got = travel_costs(helsinki, origins, destinations, cutoff)
    want = scipy_costs(helsinki, origins, destinations, cutoff, ACCESS_SPEED_MPS[helsinki.mode])
    assert 1_000 < len(got) < len(origins) * len(destinations)
    # Same pairs in the same order, seconds to the bit; metres summed from the other end
    # when the search runs backwards, so equal up to the float32 rounding.
    np.testing.assert_array_equal(got.origin, want.origin)
    np.testing.assert_array_equal(got.destination, want.destination)
    np.testing.assert_array_equal(got.seconds, want.seconds)
    np.testing.assert_allclose(got.metres, want.metres, rtol=2e-7)


@st.composite
def tied_networks(draw) -> tuple[RoadNetwork, np.ndarray, np.ndarray, float]:
    """Small directed multigraphs with whole-second times (0 included) and whole-metre lengths,
    so that many paths tie on seconds; points on nodes or a few metres off them."""
    n = draw(st.integers(2, 10))
    m = draw(st.integers(1, 30))
    node = st.integers(0, n - 1)
    u = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int32)
    v = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int32)
    time_s = draw(st.lists(st.integers(0, 4), min_size=m, max_size=m))
    length = draw(st.lists(st.integers(1, 30), min_size=m, max_size=m))
    place = draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=n, max_size=n))
    x = LON0 + 0.002 * np.array([a for a, _ in place], dtype=float)
    y = LAT0 + 0.002 * np.array([b for _, b in place], dtype=float)
    network = RoadNetwork(
        "walk",
        np.arange(n) + 1,
        x,
        y,
        u,
        v,
        np.array(length, dtype=np.float32),
        np.array(time_s, dtype=np.float32),
    )

    def points(count: int) -> np.ndarray:
        at = np.array(draw(st.lists(node, min_size=count, max_size=count)))
        off = np.array(draw(st.lists(st.sampled_from([0.0, 2e-5]), min_size=count, max_size=count)))
        return np.column_stack([x[at] + off, y[at]])

    origins = points(draw(st.integers(1, 6)))
    destinations = points(draw(st.integers(1, 6)))
    cutoff = draw(st.sampled_from([0.0, 1.0, 3.0, 6.0, 10.0, 25.0, np.inf]))
    return network, origins, destinations, cutoff


@settings(max_examples=100, deadline=None)
@given(tied_networks())
def test_ties_take_the_fewest_metres_of_the_fastest_paths(case) -> None:
    network, origins, destinations, cutoff = case
    got = travel_costs(network, origins, destinations, cutoff, access_speed_mps=1.0)
    want = scipy_costs(network, origins, destinations, cutoff, 1.0).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


def test_a_zero_time_edge_settled_late_still_shortens_the_metres() -> None:
    """A -> B takes 1 s for 100 m; A -> C 1 s for 10 m, then C -> B 0 s for 10 m. B ties at 1 s
    either way and takes 20 m, and so does everything after it (B -> D, 1 s, 5 m: 25 m), even
    when B leaves the queue before C does."""
    lon = LON0 + np.array([0.0, 0.001, 0.002, 0.003])
    lat = np.full(4, LAT0)
    edges = np.array([[0, 1], [0, 2], [2, 1], [1, 3]], dtype=np.int32)
    for order in (edges, edges[::-1]):
        index = [edges.tolist().index(e) for e in order.tolist()]
        network = RoadNetwork(
            "walk",
            np.arange(4) + 1,
            lon,
            lat,
            order[:, 0].copy(),
            order[:, 1].copy(),
            np.array([100.0, 10.0, 10.0, 5.0], dtype=np.float32)[index],
            np.array([1.0, 1.0, 0.0, 1.0], dtype=np.float32)[index],
        )
        at = np.column_stack([lon, lat])
        got = travel_costs(network, at[:1], at, np.inf)
        assert got.destination.tolist() == [0, 1, 2, 3]
        assert got.seconds.tolist() == [0.0, 1.0, 1.0, 2.0]
        assert got.metres.tolist() == [0.0, 20.0, 10.0, 25.0]


def test_both_directions_and_both_expansions_give_the_same_costs() -> None:
    network = random_network(3)
    rng = np.random.default_rng(3)
    bounds = (LON0, LAT0, LON0 + 0.03, LAT0 + 0.03)
    origins, destinations = random_points(rng, 60, bounds), random_points(rng, 50, bounds)
    speed = 1.3
    o_side = costs._snap(network, origins[:, 0], origins[:, 1], speed)
    d_side = costs._snap(network, destinations[:, 0], destinations[:, 1], speed)
    forward, backward = (
        costs._network_costs(network, o_side, d_side, 400.0, reverse=reverse)
        for reverse in (False, True)
    )
    assert 100 < len(forward) < len(origins) * len(destinations)
    # The reverse search sums the same paths from the other end.
    pd.testing.assert_frame_equal(backward, forward, check_exact=False, rtol=1e-6)

    # The two ways of turning node pairs into point pairs give the same table, bit for bit,
    # with some destinations out of every origin's reach, and on the destinations one origin
    # reaches without a cutoff, where origins that reach them all write their rows as one run.
    everything = costs._network_costs(network, o_side, d_side, np.inf, reverse=False)
    most = np.bincount(everything["origin"]).argmax()
    reached = destinations[everything["destination"][everything["origin"] == most]]
    graph = network.search_graph()
    for cutoff_s, targets in ((400.0, d_side), (np.inf, None)):
        if targets is None:
            targets = costs._snap(network, reached[:, 0], reached[:, 1], speed)
        target_group = np.full(network.n_nodes, -1, dtype=np.int32)
        target_group[targets.node] = np.arange(len(targets.node), dtype=np.int32)
        budget = np.full(len(o_side.node), cutoff_s)
        found = costs._searches(
            graph.indptr,
            graph.head,
            graph.time_s,
            network.length_m[graph.edge].astype(np.float64),
            o_side.node.astype(np.int32),
            budget,
            budget,
            target_group,
            targets.min_access_s,
        )
        sides = [
            (side.group, side.access_s, side.access_m, side.min_access_s)
            for side in (o_side, targets)
        ]
        dense = costs._point_pairs(*found, *sides, cutoff_s, 1e-6, dense=True)
        sparse = costs._point_pairs(*found, *sides, cutoff_s, 1e-6, dense=False)
        expected = costs._network_costs(network, o_side, targets, cutoff_s, reverse=False)
        kept = np.bincount(expected["origin"], minlength=len(origins))
        assert (kept < len(targets.group)).any()
        assert (kept == len(targets.group)).any() == (targets is not d_side)
        for a, b, column in zip(dense, sparse, expected, strict=True):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(a, expected[column].to_numpy())


def test_the_kernel_layout_renumbers_the_search_graph_without_changing_it() -> None:
    network = random_network(7)
    n = network.n_nodes
    for reverse in (False, True):
        layout = costs._layout(network, reverse)
        graph = network.search_graph(reverse=reverse)
        assert sorted(layout.node.tolist()) == list(range(n))
        back = np.argsort(layout.node)  # kernel node -> network node
        tails = back[np.repeat(np.arange(n), np.diff(layout.indptr))]
        got = zip(tails, back[layout.head], layout.time_s, layout.length_m, strict=True)
        want = zip(
            np.repeat(np.arange(n), np.diff(graph.indptr)),
            graph.head,
            graph.time_s,
            network.length_m[graph.edge],
            strict=True,
        )
        assert sorted(got) == sorted(want)
        assert costs._layout(network, reverse) is layout  # built once per network
    # Along the curve, neighbours on the ground get near numbers.
    xy = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]) * 100
    assert np.argsort(costs._hilbert_index(xy, bits=1)).tolist() == [0, 1, 2, 3]


def line_network(mode: str = "walk", two_way: bool = True) -> RoadNetwork:
    """Nodes A, B, C 100 m apart on a west-east line.

    A-B takes 10 s, B-C 20 s, and two parallel B-C edges are as fast as each other: 5 s for
    150 m and 5 s for 160 m.

    With ``two_way=False`` the streets run one way, west to east.
    """
    crs = utm_crs([LON0], [LAT0])
    to_utm = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x0, y0 = to_utm.transform(LON0, LAT0)
    lon, lat = to_lonlat.transform(x0 + np.array([0.0, 100.0, 200.0]), np.full(3, y0))
    u, v = np.array([0, 1, 1, 1]), np.array([1, 2, 2, 2])
    length = np.array([100.0, 100.0, 160.0, 150.0], dtype=np.float32)
    time = np.array([10.0, 20.0, 5.0, 5.0], dtype=np.float32)
    if two_way:
        u, v = np.concatenate([u, v]), np.concatenate([v, u])
        length, time = np.tile(length, 2), np.tile(time, 2)
    return RoadNetwork(
        mode, np.array([1, 2, 3]), lon, lat, u.astype(np.int32), v.astype(np.int32), length, time
    )


def offset_points(network: RoadNetwork, node: list[int], north_m: list[float]) -> np.ndarray:
    """Points ``north_m`` metres north of the given nodes (exact in the network's UTM zone)."""
    crs = utm_crs(network.x, network.y)
    to_utm = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x, y = to_utm.transform(network.x[node], network.y[node])
    return np.column_stack(to_lonlat.transform(x, y + np.asarray(north_m)))


def test_snap_distance_is_paid_at_the_access_speed() -> None:
    network = line_network("drive")
    origins = offset_points(network, [0], [30.0])
    destinations = offset_points(network, [2], [-40.0])
    # The fastest way from B to C takes 5 s; of the two 5 s edges the shorter (150 m) counts.
    got = travel_costs(network, origins, destinations, 3600, access_speed_mps=2.0)
    assert got.seconds[0] == pytest.approx(30 / 2 + 10 + 5 + 40 / 2, abs=1e-3)
    assert got.metres[0] == pytest.approx(30 + 100 + 150 + 40, abs=1e-3)
    default = travel_costs(network, origins, destinations, 3600)
    speed = ACCESS_SPEED_MPS["drive"]
    assert default.seconds[0] == pytest.approx(70 / speed + 15, abs=1e-3)


def test_cutoff_is_inclusive_and_one_way_streets_are_respected() -> None:
    network = line_network(two_way=False)
    at_nodes = np.column_stack([network.x, network.y])  # exactly on A, B, C: no access cost
    pairs = travel_costs(network, at_nodes, at_nodes, 15.0)
    assert list(zip(pairs.origin, pairs.destination, pairs.seconds, strict=True)) == [
        (0, 0, 0.0),
        (0, 1, 10.0),
        (0, 2, 15.0),  # exactly on the cutoff: kept
        (1, 1, 0.0),
        (1, 2, 5.0),
        (2, 2, 0.0),  # nothing runs back west
    ]
    just_below = travel_costs(network, at_nodes, at_nodes, np.nextafter(15.0, 0))
    assert (2 not in just_below.destination[just_below.origin == 0].tolist()) and len(just_below)
    zero = travel_costs(network, at_nodes, at_nodes, 0)
    assert zero[["origin", "destination"]].to_numpy().tolist() == [[0, 0], [1, 1], [2, 2]]
    everything = travel_costs(network, at_nodes, at_nodes, np.inf)
    assert len(everything) == 6 and everything.seconds.max() == 15.0


def test_points_sharing_a_node_are_searched_once(monkeypatch) -> None:
    network = random_network(5)
    rng = np.random.default_rng(5)
    # 40 origins: 4 places, each given 10 times with metre-scale scatter (same nearest node).
    places = random_points(rng, 4, (LON0, LAT0, LON0 + 0.03, LAT0 + 0.03))
    origins = np.repeat(places, 10, axis=0) + rng.normal(0, 2e-6, (40, 2))
    destinations = random_points(rng, 200, (LON0, LAT0, LON0 + 0.03, LAT0 + 0.03))
    searched = []
    kernel = costs._searches

    def counting_searches(*args):
        searched.extend(args[4].tolist())  # the source nodes
        return kernel(*args)

    monkeypatch.setattr(costs, "_searches", counting_searches)
    got = travel_costs(network, origins, destinations, 500.0, access_speed_mps=1.3)
    monkeypatch.undo()
    snapped = network.nearest_nodes(origins[:, 0], origins[:, 1])[0]
    kernel_nodes = costs._layout(network, False).node[snapped]
    assert sorted(searched) == sorted(set(kernel_nodes.tolist())) and len(searched) <= 4
    one_by_one = pd.concat(
        travel_costs(network, origins[i : i + 1], destinations, 500.0, access_speed_mps=1.3).assign(
            origin=np.int32(i)
        )
        for i in range(len(origins))
    ).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, one_by_one, check_exact=False, rtol=1e-6)


def test_geoseries_in_another_crs_give_the_same_costs() -> None:
    network = random_network(6)
    rng = np.random.default_rng(6)
    origins = random_points(rng, 20, (LON0, LAT0, LON0 + 0.03, LAT0 + 0.03))
    destinations = random_points(rng, 20, (LON0, LAT0, LON0 + 0.03, LAT0 + 0.03))
    as_array = travel_costs(network, origins, destinations, 400.0)
    web_mercator = gpd.GeoSeries(gpd.points_from_xy(*origins.T), crs=4326).to_crs(3857)
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*destinations.T), crs=4326)
    as_geo = travel_costs(network, web_mercator, frame, 400.0)
    pd.testing.assert_frame_equal(as_geo, as_array, check_exact=False, rtol=1e-5)


def test_no_pair_within_reach_gives_an_empty_typed_table() -> None:
    network = line_network()
    far = offset_points(network, [0], [500.0])
    got = travel_costs(network, far, far, 60.0)
    assert got.empty
    assert list(got.columns) == ["origin", "destination", "seconds", "metres"]
    assert got.dtypes.astype(str).tolist() == ["int32", "int32", "float32", "float32"]


def test_straight_line_costs_match_brute_force() -> None:
    rng = np.random.default_rng(11)
    bounds = (LON0, LAT0, LON0 + 0.05, LAT0 + 0.05)
    origins, destinations = random_points(rng, 300, bounds), random_points(rng, 200, bounds)
    got = straight_line_costs(origins, destinations, 600.0, speed_mps=5.0, detour_factor=1.3)

    to_utm = Transformer.from_crs(
        "EPSG:4326", utm_crs(np.r_[origins[:, 0], destinations[:, 0]], [LAT0]), always_xy=True
    )
    o = np.column_stack(to_utm.transform(*origins.T))
    d = np.column_stack(to_utm.transform(*destinations.T))
    metres = np.hypot(*(o[:, None, :] - d[None, :, :]).transpose(2, 0, 1)) * 1.3
    i, j = np.nonzero(metres / 5.0 <= 600.0)
    assert 0 < len(i) < metres.size
    assert got.origin.tolist() == i.tolist() and got.destination.tolist() == j.tolist()
    np.testing.assert_allclose(got.metres, metres[i, j], rtol=1e-6)
    np.testing.assert_allclose(got.seconds, metres[i, j] / 5.0, rtol=1e-6)


def test_straight_line_default_detour_factor() -> None:
    origin = np.array([[LON0, LAT0]])
    got = straight_line_costs(origin, origin + [0.0, 0.001], 1e6, speed_mps=1.0)
    # 0.001 degree of latitude is about 110.7 m; UTM scale near the central meridian ~0.9996.
    assert got.metres[0] / costs.DEFAULT_DETOUR_FACTOR == pytest.approx(110.7, rel=2e-3)


GOOD = np.array([[LON0, LAT0], [LON0 + 0.001, LAT0]])


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda n: travel_costs(n, np.empty((0, 2)), GOOD, 60), "origins"),
        (lambda n: travel_costs(n, GOOD, [[LON0, np.nan]], 60), "destinations"),
        (lambda n: travel_costs(n, GOOD, [[LAT0, 200.0]], 60), "destinations"),
        (lambda n: travel_costs(n, [1.0, 2.0], GOOD, 60), "origins"),
        (lambda n: travel_costs(n, GOOD, GOOD, -1), "cutoff_s"),
        (lambda n: travel_costs(n, GOOD, GOOD, float("nan")), "cutoff_s"),
        (lambda n: travel_costs(n, GOOD, GOOD, 60, access_speed_mps=0), "access_speed_mps"),
        (
            lambda n: travel_costs(n, gpd.GeoSeries([LineString(GOOD)], crs=4326), GOOD, 60),
            "origins: row 0 is a LineString",
        ),
        (lambda n: straight_line_costs(GOOD, [], 60, speed_mps=1), "destinations"),
        (lambda n: straight_line_costs(GOOD, GOOD, -5, speed_mps=1), "cutoff_s"),
        (lambda n: straight_line_costs(GOOD, GOOD, 60, speed_mps=-1), "speed_mps"),
        (lambda n: straight_line_costs(GOOD, GOOD, 60, speed_mps=1, detour_factor=0.8), "detour"),
    ],
)
def test_bad_input_names_the_argument(call, named: str) -> None:
    with pytest.raises(CostInputError, match=named) as caught:
        call(line_network())
    assert isinstance(caught.value, UserInputError) and caught.value.exit_code == 2


def test_an_empty_network_is_named() -> None:
    empty = np.empty(0)
    network = RoadNetwork(
        "drive", empty.astype(np.int64), empty, empty, *(np.empty(0, np.int32),) * 2, empty, empty
    )
    with pytest.raises(CostInputError, match="network: the drive network has no nodes"):
        travel_costs(network, GOOD, GOOD, 60)
