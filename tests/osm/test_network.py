"""RoadNetwork (gxnet/osm/network.py): the search arrays it derives and carries in its cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

import gxnet.osm.network as road_network
from gxnet.costs import travel_costs
from gxnet.crs import utm_crs
from gxnet.osm.network import RoadNetwork

# Wuzhou, Guangxi (UTM zone 49).
LON0, LAT0 = 111.28, 23.48


def square_network(time_s: list[float] | None = None) -> RoadNetwork:
    """Four nodes on a 100 m square (0 south-west, 1 south-east, 2 north-east, 3 north-west).

    Edges, in this order: 2->1 (10 s, 100 m), 0->1 twice (20 s/120 m and 20 s/110 m), 0->1
    again (30 s, 100 m: slower), 1->2 (10 s, 100 m), 0->3 (50 s, 100 m), 3->2 (10 s, 100 m).
    """
    crs = utm_crs([LON0], [LAT0])
    to_utm = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x0, y0 = to_utm.transform(LON0, LAT0)
    lon, lat = to_lonlat.transform(
        x0 + np.array([0, 100, 100, 0.0]), y0 + np.array([0, 0, 100, 100.0])
    )
    u = np.array([2, 0, 0, 0, 1, 0, 3], dtype=np.int32)
    v = np.array([1, 1, 1, 1, 2, 3, 2], dtype=np.int32)
    length = np.array([100, 120, 110, 100, 100, 100, 100], dtype=np.float32)
    time = np.array(time_s or [10, 20, 20, 30, 10, 50, 10], dtype=np.float32)
    return RoadNetwork("walk", np.arange(4) + 100, lon, lat, u, v, length, time)


def test_search_graph_keeps_the_fastest_then_shortest_edge_in_row_order() -> None:
    network = square_network()
    forward = network.search_graph()
    # Rows by tail then head: 0->1 (the 20 s, 110 m twin), 0->3, 1->2, 2->1, 3->2.
    assert forward.edge.tolist() == [2, 5, 4, 0, 6]
    assert forward.indptr.tolist() == [0, 2, 3, 4, 5]
    assert forward.head.tolist() == [1, 3, 2, 1, 2]
    assert forward.time_s.tolist() == [20.0, 50.0, 10.0, 10.0, 10.0]
    assert [a.dtype for a in (forward.edge, forward.indptr, forward.head, forward.time_s)] == [
        np.int32,
        np.int32,
        np.int32,
        np.float64,
    ]
    # Reversed (v -> u), by v then u: 1<-0, 1<-2, 2<-1, 2<-3, 3<-0.
    backward = network.search_graph(reverse=True)
    assert backward.edge.tolist() == [2, 0, 4, 6, 5]
    assert backward.indptr.tolist() == [0, 0, 2, 4, 5]
    assert backward.head.tolist() == [0, 2, 1, 3, 0]


def test_ground_speed_bound_is_the_fastest_straight_line_progress() -> None:
    # 100 m of ground in 10 s is the most any edge covers: 10 m/s.
    assert square_network().ground_speed_bound == pytest.approx(10.0, rel=1e-6)
    # An edge that takes no time between two places: no bound exists.
    assert square_network([10, 20, 20, 30, 0, 50, 10]).ground_speed_bound == np.inf


def test_the_cache_carries_the_search_arrays(tmp_path, monkeypatch) -> None:
    network = square_network()
    path = network.save(tmp_path / "walk.npz")
    with np.load(path) as z:
        assert z["forward_edge"].tolist() == network.search_graph().edge.tolist()
        assert z["reverse_head"].tolist() == network.search_graph(reverse=True).head.tolist()
    # Loaded from the cache, a network searches without deriving anything again.
    monkeypatch.setattr(road_network, "_search_graph", None)
    loaded = RoadNetwork.load(path)
    assert loaded.ground_speed_bound == network.ground_speed_bound
    origins = np.column_stack([network.x, network.y])
    got = travel_costs(loaded, origins, origins, 60.0)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(got, travel_costs(network, origins, origins, 60.0))
    assert got[["origin", "destination", "seconds", "metres"]].to_numpy().tolist() == [
        [0, 0, 0.0, 0.0],
        [0, 1, 20.0, 110.0],
        [0, 2, 30.0, 210.0],
        [0, 3, 50.0, 100.0],
        [1, 1, 0.0, 0.0],
        [1, 2, 10.0, 100.0],
        [2, 1, 10.0, 100.0],
        [2, 2, 0.0, 0.0],
        [3, 1, 20.0, 200.0],
        [3, 2, 10.0, 100.0],
        [3, 3, 0.0, 0.0],
    ]


def test_a_cache_without_search_arrays_still_loads_and_derives_them(tmp_path) -> None:
    network = square_network()
    path = tmp_path / "old.npz"
    with np.load(network.save(tmp_path / "walk.npz")) as z:
        kept = ("mode", "node_id", "x", "y", "u", "v", "length_m", "time_s", "meta")
        np.savez(path, **{name: z[name] for name in kept})
    old = RoadNetwork.load(path)
    for reverse in (False, True):
        for got, want in zip(
            vars(old.search_graph(reverse=reverse)).values(),
            vars(network.search_graph(reverse=reverse)).values(),
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
    assert old.ground_speed_bound == network.ground_speed_bound


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("reverse_edge", np.array([2, 0, 4, 6, 7], dtype=np.int32)),  # 7 edges: 0..6
        ("forward_head", np.array([1, 3, 2, 1, 4], dtype=np.int32)),  # 4 nodes: 0..3
        ("forward_indptr", np.array([0, 3, 2, 4, 5], dtype=np.int32)),  # rows never shrink
        ("reverse_time_s", np.ones(4)),  # one time per kept edge
        ("forward_edge", np.array([2, 5, 4, 0, 6], dtype=np.int64)),  # int32 as written
    ],
)
def test_search_arrays_that_do_not_fit_the_network_are_refused(tmp_path, name, value) -> None:
    path = square_network().save(tmp_path / "walk.npz")
    with np.load(path) as z:
        arrays = dict(z)
    arrays[name] = value
    np.savez(path, **arrays)
    direction = name.split("_")[0]
    with pytest.raises(ValueError, match=f"the {direction} search graph does not fit the network"):
        RoadNetwork.load(path)
