"""Tests of gxnet.osm.highways: the committed highway graph as a drive RoadNetwork."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from gxnet.osm.build import haversine_m
from gxnet.osm.highways import HIGHWAY_TRUCK_KMH, load_highways
from gxnet.townships import list_townships


@pytest.fixture(scope="module")
def highways():
    return load_highways()


def test_the_graph_is_a_two_way_drive_network_at_the_planning_speed(highways):
    assert highways.mode == "drive"
    assert highways.n_edges == 2 * 5014
    assert highways.n_nodes == 3352
    assert np.allclose(highways.time_s, highways.length_m / (HIGHWAY_TRUCK_KMH / 3.6), rtol=1e-6)
    assert "OpenStreetMap" in highways.meta["source"] and "ODbL" in highways.meta["source"]
    assert highways.meta["speed_kmh"] == HIGHWAY_TRUCK_KMH
    # Guangxi lies within 104.3-112.1 E, 20.9-26.4 N; the graph within 10 km of it.
    assert highways.x.min() > 104.2 and highways.x.max() < 112.2
    assert highways.y.min() > 20.8 and highways.y.max() < 26.5


def test_a_slower_truck_takes_longer(highways):
    slow = load_highways(speed_kmh=30)
    assert np.allclose(slow.time_s, 2 * highways.time_s, rtol=1e-6)
    with pytest.raises(ValueError, match="positive"):
        load_highways(speed_kmh=0)


def test_towns_are_joined_by_roads_longer_than_the_straight_line(highways):
    towns = list_townships().set_index("name_zh").geometry
    nanning, wuzhou, baise = towns["民生街道"], towns["城东街道"].iloc[0], towns["百城街道"]
    lon = np.array([nanning.x, wuzhou.x, baise.x])
    lat = np.array([nanning.y, wuzhou.y, baise.y])
    nodes, snap = highways.nearest_nodes(lon, lat)
    assert (snap < 5000).all()  # every city centre has a highway node within 5 km
    metres = dijkstra(highways.adjacency("length_m"), indices=nodes)[:, nodes]
    straight = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    ratio = metres[np.triu_indices(3, 1)] / straight[np.triu_indices(3, 1)]
    assert ((ratio > 1.0) & (ratio < 1.6)).all(), ratio
