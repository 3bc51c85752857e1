"""Service pairs: walk and truck pairs within the standards, and targets they cannot reach."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from gxnet._errors import InfeasibleProblemError
from gxnet.config import Config
from gxnet.pipeline import optimize_city
from gxnet.service_pairs import (
    HIGHWAY_NOTE,
    STRAIGHT_LINE_NOTE,
    fetch_command,
    nearest_point_m,
    truck_costs,
    walk_costs,
)
from gxnet.study_area import study_area
from tests.helsinki import AREA, DEMAND, PBF, SITES


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


def _points(lonlat, prefix="p"):
    lon, lat = np.asarray(lonlat, dtype=float).T
    return gpd.GeoDataFrame(
        {"site_id": [f"{prefix}{k}" for k in range(len(lon))]},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _units(lonlat, settings):
    frame = _points(lonlat, "d").rename(columns={"site_id": "demand_id"})
    frame["setting"] = settings
    return frame


def _metres_east(metres: float, lat: float = 23.5) -> float:
    """Degrees of longitude that span ``metres`` at latitude ``lat``."""
    lon, _, _ = Geod(ellps="WGS84").fwd(111.0, lat, 90.0, metres)
    return lon - 111.0


def test_straight_line_walk_pairs_keep_each_setting_within_its_radius():
    # Two units at the same place, one urban (1 km) and one rural (2.5 km), and points
    # 600 m, 900 m and 2,000 m of straight line away: x 1.3 detour = 780, 1,170 and 2,600 m.
    config = Config()
    units = _units([(111.0, 23.5), (111.0, 23.5)], ["urban", "rural"])
    points = _points([(111.0 + _metres_east(d), 23.5) for d in (600, 900, 2000)])
    pairs = walk_costs(units, points, config, None)
    reach = pairs.groupby("demand_id")["site_id"].apply(set).to_dict()
    assert reach == {"d0": {"p0"}, "d1": {"p0", "p1"}}
    assert np.allclose(pairs["metres"], [780.0, 780.0, 1170.0], rtol=1e-3)
    urban = pairs["demand_id"] == "d0"
    speed = np.where(urban, config.points.speed_mps("urban"), config.points.speed_mps("rural"))
    assert np.allclose(pairs["travel_s"], pairs["metres"] / speed)
    # The nearest point of each unit, within a longer search: the detoured 780 m for both.
    assert np.allclose(
        nearest_point_m(units, points, config, None, 5000.0), [780.0, 780.0], rtol=1e-3
    )


def test_truck_pairs_are_within_the_truck_standard():
    # 45 min at 30 km/h is 22.5 km of road: 17.3 km of straight line at a detour of 1.3. Without
    # a city network the highway graph may be faster than that estimate, never slower.
    config = Config()
    points = _points([(111.0, 23.5)])
    centres = _points([(111.0 + _metres_east(d), 23.5) for d in (10_000, 17_000, 40_000)], "c")
    pairs = truck_costs(points, centres, config, None)
    assert list(pairs.columns) == ["point_id", "centre_id", "travel_s"]
    assert {"c0", "c1"} <= set(pairs["centre_id"]) and "c2" not in set(pairs["centre_id"])
    estimate = pairs["centre_id"].map({"c0": 10_000, "c1": 17_000}) * 1.3 / (30 / 3.6)
    assert (pairs["travel_s"] <= estimate * (1 + 1e-3)).all()
    assert (pairs["travel_s"] <= 45 * 60).all()


def test_the_straight_line_note_names_the_command_that_fixes_it():
    wuzhou = study_area("wuzhou")
    note = STRAIGHT_LINE_NOTE.format(factor=1.3, command=fetch_command(wuzhou))
    assert "x 1.3" in note and "`gxnet fetch --city wuzhou`" in note
    note = HIGHWAY_NOTE.format(factor=1.3, access=23.1, command=fetch_command(wuzhou))
    assert "highway graph" in note and "23 km/h" in note and "`gxnet fetch --city wuzhou`" in note
    area = study_area(AREA)
    command = fetch_command(area)
    assert command.startswith(f"gxnet fetch --area {AREA} --name {area.slug} --pbf ")


def test_walk_pairs_follow_the_roads_when_a_network_is_given():
    from gxnet.osm.fetch import read_area
    from gxnet.osm.pbf import read_network

    walk = read_network(PBF, read_area(AREA), "walk")
    demand = pd.read_csv(DEMAND)
    units = _units(demand[["lon", "lat"]].to_numpy(), demand["setting"].to_numpy())
    points = _points(pd.read_csv(SITES)[["lon", "lat"]].to_numpy())
    config = Config().with_options(service_radius_m=500)
    by_road = walk_costs(units, points, config, {"walk": walk})
    assert len(by_road) > 0 and (by_road["metres"] <= 500 + 1e-6).all()
    # A road route is never shorter than the straight line (the estimate without its detour).
    straight = walk_costs(units, points, Config().with_options(service_radius_m=5000), None)
    joined = by_road.merge(straight, on=["demand_id", "site_id"], suffixes=("", "_line"))
    assert len(joined) == len(by_road)
    line = joined["metres_line"] / config.costs.detour_factor
    assert (joined["metres"] >= line - 1.0).all()


def test_unreachable_coverage_says_what_would_fix_it():
    strict = Config().with_options(service_radius_m=400, coverage=1.0)
    with pytest.raises(InfeasibleProblemError) as err:
        optimize_city(AREA, sites=SITES, demand=DEMAND, pbf=PBF, config=strict)
    text = str(err.value)
    assert "coverage target 100.0% cannot be met" in text
    assert "h07 (525 households" in text
    assert "raise --service-radius-m from 400 to" in text
    assert "lower --coverage to 0.848" in text


def test_without_a_city_network_trucks_drive_the_highway_graph_with_access_legs():
    from scipy.sparse.csgraph import dijkstra

    from gxnet.osm.highways import load_highways
    from gxnet.service_pairs import cost_modes, highway_access_kmh

    config = Config().with_options(truck_minutes=120)
    # Wuzhou's centre and Cenxi's seat (60 km apart), and a centre 1.5 km from the first.
    point = _points([(111.2790, 23.4770)])
    towns = _points([(110.9985, 22.9187), (111.2790 + _metres_east(1500), 23.4770)], "c")
    pairs = truck_costs(point, towns, config, None).set_index("centre_id")["travel_s"]
    roads = load_highways()
    lon = np.array([111.2790, 110.9985])
    lat = np.array([23.4770, 22.9187])
    nodes, access_m = roads.nearest_nodes(lon, lat)
    graph_s = dijkstra(roads.adjacency("time_s"), indices=nodes[:1])[0, nodes[1]]
    access_s = access_m.sum() / (highway_access_kmh(config) / 3.6)
    assert highway_access_kmh(config) == pytest.approx(30 / 1.3)
    # Far: the access leg at each end plus the graph, a good deal faster than 30 km/h x 1.3.
    assert pairs["c0"] == pytest.approx(graph_s + access_s, rel=1e-4)
    straight_s = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])[2] * 1.3 / (30 / 3.6)
    assert pairs["c0"] < 0.8 * straight_s
    # Near, in one town: the straight-line estimate is faster than going out to the highway.
    assert pairs["c1"] == pytest.approx(1500 * 1.3 / (30 / 3.6), rel=1e-3)
    assert cost_modes(None, towns) == {"walk": "straight_line", "truck": "highway"}
    # Outside the graph's extent (Helsinki) trucks keep the straight-line estimate.
    assert cost_modes(None, _points([(24.94, 60.17)]))["truck"] == "straight_line"
