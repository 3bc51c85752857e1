"""Reading road networks from the real Helsinki extract with pyosmium, and clipping PBF files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pytest
from osmnx.distance import great_circle
from shapely.geometry import Point, box

from gxnet import settings
from gxnet._errors import EmptyNetworkError, OsmFileError
from gxnet.osm import speeds
from gxnet.osm.build import buffer_polygon
from gxnet.osm.pbf import clip_pbf, pbf_bounds, pbf_extent, read_network, read_networks

#: A "city" inside the extract; the buffer keeps roads up to 150 m beyond it.
CITY = box(24.938, 60.166, 24.950, 60.177)
BUFFER_M = 150.0
#: Kaivokatu, a one-way secondary street: way 14472962 runs from node 25413715 to 6138118815.
ONEWAY_FROM, ONEWAY_TO = 25413715, 6138118815
#: A pedestrian square without any motor road.
SQUARE = box(24.94014, 60.17194, 24.94134, 60.17254)


@pytest.fixture(scope="module")
def networks(helsinki_pbf: Path) -> dict:
    return read_networks(helsinki_pbf, CITY, buffer_m=BUFFER_M)


def _edges(net) -> set[tuple[int, int]]:
    return set(zip(net.node_id[net.u].tolist(), net.node_id[net.v].tolist(), strict=True))


@pytest.mark.parametrize(
    ("mode", "nodes", "edges", "dropped_nodes", "dropped_edges"),
    [("walk", 4666, 11102, 173, 260), ("drive", 1385, 2101, 221, 288)],
)
def test_real_extract_gives_known_counts(
    networks, mode, nodes, edges, dropped_nodes, dropped_edges
):
    net = networks[mode]
    assert (net.n_nodes, net.n_edges) == (nodes, edges)
    assert (net.meta["dropped_nodes"], net.meta["dropped_edges"]) == (dropped_nodes, dropped_edges)


def test_one_way_street_has_one_direction_for_vehicles_and_two_on_foot(networks) -> None:
    for mode in ("drive", "tricycle"):
        edges = _edges(networks[mode])
        assert (ONEWAY_FROM, ONEWAY_TO) in edges
        assert (ONEWAY_TO, ONEWAY_FROM) not in edges
    walk = _edges(networks["walk"])
    assert {(ONEWAY_FROM, ONEWAY_TO), (ONEWAY_TO, ONEWAY_FROM)} <= walk


@pytest.mark.parametrize("mode", ["walk", "drive", "tricycle"])
def test_only_the_largest_strongly_connected_component_is_kept(networks, mode) -> None:
    net = networks[mode]
    assert nx.is_strongly_connected(nx.DiGraph(net.to_networkx()))
    assert net.meta["components"] > 1 and net.meta["dropped_nodes"] > 0


def _barred_for_trucks(tags: dict[str, str]) -> bool:
    """Whether the documented rule (docs/osm.md) bars the truck from a way with these tags;
    restated here for the plain numbers the Helsinki extract uses."""
    limits = {"maxweight": 10.0, "maxheight": 3.5, "maxwidth": 2.5, "maxlength": 9.0}
    if tags.get("service") in {"parking_aisle", "driveway", "drive-through", "alley"}:
        return True
    for key, truck in limits.items():
        try:
            if float(tags.get(key, "inf")) < truck:
                return True
        except ValueError:
            pass
    return False


def test_trucks_keep_off_driveways_parking_aisles_and_signed_roads(helsinki_pbf, networks):
    barred, service = set(), set()
    ways = osmium.FileProcessor(str(helsinki_pbf), osmium.osm.WAY)
    for way in ways.with_filter(osmium.filter.KeyFilter("highway")):
        tags = dict(way.tags)
        refs = [n.ref for n in way.nodes]
        pairs = set(zip(refs[:-1], refs[1:], strict=True))
        pairs |= {(b, a) for a, b in pairs}
        if _barred_for_trucks(tags):
            barred |= pairs
        if tags.get("service") in {"parking_aisle", "driveway"}:
            service |= pairs
    drive, tricycle = _edges(networks["drive"]), _edges(networks["tricycle"])
    assert len(barred) > 100
    assert not drive & barred
    # Motor tricycles still collect along the parking aisles and driveways.
    assert len(tricycle & service) > 20
    # A light van (3 t, 2 m high, 2 m wide, 6 m long) also takes the signed roads.
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("weight_t", 3), ("height_m", 2), ("width_m", 2), ("length_m", 6)):
            patch.setattr(settings, f"truck_{name}", value)
        van = _edges(read_network(helsinki_pbf, CITY, "drive", buffer_m=BUFFER_M))
    assert drive < van and van & barred and not van & service


def _write_osm(path: Path, ways: list[dict[str, str]]) -> None:
    """A synthetic OSM file: a two-way residential street along nodes 1..n+1, and way k (tagged
    ``ways[k]``) a detour from node k+1 through node 1001+k to node k+2."""
    header = osmium.io.Header()
    header.add_box(osmium.osm.Box(osmium.osm.Location(24.9, 60.1), osmium.osm.Location(25.1, 60.2)))
    with osmium.SimpleWriter(str(path), header=header) as writer:
        n = len(ways)
        for k in range(1, n + 2):
            writer.add_node(osmium.osm.mutable.Node(id=k, location=(24.95 + k * 1e-3, 60.15)))
        for k in range(n):
            location = (24.95 + (k + 1.5) * 1e-3, 60.1505)
            writer.add_node(osmium.osm.mutable.Node(id=1001 + k, location=location))
        main = {"highway": "residential"}
        writer.add_way(osmium.osm.mutable.Way(id=1, nodes=list(range(1, n + 2)), tags=main))
        for k, tags in enumerate(ways):
            nodes = [k + 1, 1001 + k, k + 2]
            writer.add_way(osmium.osm.mutable.Way(id=100 + k, nodes=nodes, tags=tags))


def test_a_synthetic_file_shows_each_truck_rule(tmp_path) -> None:
    cases = [
        ({"highway": "service"}, True),
        ({"highway": "service", "service": "parking_aisle"}, False),
        ({"highway": "service", "service": "driveway", "access": "private"}, False),
        ({"highway": "track", "access": "forestry"}, False),
        ({"highway": "unclassified", "access": "agricultural"}, False),
        ({"highway": "unclassified", "access": "delivery"}, True),
        ({"highway": "tertiary", "maxweight": "5"}, False),
        ({"highway": "tertiary", "maxweight": "30"}, True),
        ({"highway": "tertiary", "maxheight": "2.9 m"}, False),
        ({"highway": "tertiary", "maxwidth": "2.2"}, False),
        ({"highway": "tertiary", "hgv": "no"}, False),
        ({"highway": "tertiary", "hgv": "destination"}, True),
    ]
    pbf = tmp_path / "rules.osm.pbf"
    _write_osm(pbf, [tags for tags, _ in cases])
    area = box(24.94, 60.14, 24.97 + len(cases) * 1e-3, 60.16)
    nets = read_networks(pbf, area, ("drive", "tricycle"), buffer_m=0)
    kept = set(nets["drive"].node_id.tolist())
    assert [1001 + k in kept for k in range(len(cases))] == [ok for _, ok in cases]
    tricycle = set(nets["tricycle"].node_id.tolist())
    assert {1002, 1004, 1005, 1007, 1009, 1010} <= tricycle and 1003 not in tricycle


def test_lengths_are_great_circle_distances(networks) -> None:
    net = networks["walk"]
    expected = great_circle(net.y[net.u], net.x[net.u], net.y[net.v], net.x[net.v])
    np.testing.assert_allclose(net.length_m, expected, rtol=1e-5, atol=1e-3)
    # A block in central Helsinki: edges between intersections are metres to ~200 m.
    assert net.length_m.min() > 0 and net.length_m.max() < 300


def test_travel_times_follow_the_mode_speed(networks) -> None:
    walk, drive = networks["walk"], networks["drive"]
    np.testing.assert_allclose(walk.time_s, walk.length_m / speeds.WALK_MPS, rtol=1e-5)
    drive_kmh = 3.6 * drive.length_m / drive.time_s
    assert drive_kmh.max() <= speeds.TRUCK_MAX_KMH + 1e-3
    # Helsinki's centre is signed 30 and 40 km/h; residential streets default to 25.
    assert set(np.round(np.unique(drive_kmh)).astype(int)) <= {5, 10, 15, 20, 25, 30, 40, 50}


def test_nodes_lie_in_the_buffered_city_and_a_larger_buffer_keeps_more(helsinki_pbf, networks):
    walk = networks["walk"]
    area = buffer_polygon(CITY, BUFFER_M)
    assert all(area.covers(Point(x, y)) for x, y in zip(walk.x, walk.y, strict=True))
    assert not all(CITY.covers(Point(x, y)) for x, y in zip(walk.x, walk.y, strict=True))
    tight = read_network(helsinki_pbf, CITY, "walk", buffer_m=0)
    assert tight.n_nodes < walk.n_nodes
    assert set(tight.node_id.tolist()) - set(walk.node_id.tolist()) == set()


def test_meta_records_the_source_and_settings(helsinki_pbf, networks) -> None:
    meta = networks["drive"].meta
    assert meta["source_sha256"] == hashlib.sha256(helsinki_pbf.read_bytes()).hexdigest()
    assert meta["buffer_m"] == BUFFER_M
    assert meta["speed_table"] == speeds.speed_table_version()
    assert meta["mode"] == "drive"


def _missing_references(pbf: Path) -> set[tuple[str, int, int]]:
    """(kind, object, member) for every way node or relation member the file lacks."""
    present: dict[str, set[int]] = {"n": set(), "w": set(), "r": set()}
    links = []
    for obj in osmium.FileProcessor(str(pbf)):
        present[obj.type_str()].add(obj.id)
        if obj.is_way():
            links.extend(("w", obj.id, "n", n.ref) for n in obj.nodes)
        elif obj.is_relation():
            links.extend(("r", obj.id, m.type, m.ref) for m in obj.members if m.type != "r")
    return {(kind, i, ref) for kind, i, t, ref in links if ref not in present[t]}


def test_a_clipped_city_file_gives_the_same_network(helsinki_pbf, networks, tmp_path) -> None:
    city_pbf = clip_pbf(helsinki_pbf, CITY, tmp_path / "city.osm.pbf", buffer_m=BUFFER_M)
    assert city_pbf.stat().st_size < helsinki_pbf.stat().st_size
    # Every kept way and relation is as complete as in the source.
    assert _missing_references(city_pbf) <= _missing_references(helsinki_pbf)
    west, south, east, north = buffer_polygon(CITY, BUFFER_M).bounds
    np.testing.assert_allclose(pbf_bounds(city_pbf), (west, south, east, north), atol=1e-6)
    again = read_networks(city_pbf, CITY, ("walk", "drive"), buffer_m=BUFFER_M)
    for mode in ("walk", "drive"):
        np.testing.assert_array_equal(again[mode].node_id, networks[mode].node_id)
        np.testing.assert_array_equal(again[mode].u, networks[mode].u)


def test_a_file_without_header_box_is_measured_from_its_nodes(helsinki_pbf, networks, tmp_path):
    bare = tmp_path / "bare.osm.pbf"
    with osmium.SimpleWriter(str(bare)) as writer:
        for obj in osmium.FileProcessor(str(helsinki_pbf)):
            writer.add(obj)
    assert pbf_bounds(bare) is None
    extent = pbf_extent(bare)
    np.testing.assert_allclose(extent, pbf_bounds(helsinki_pbf), atol=1e-5)
    walk = read_network(bare, CITY, "walk", buffer_m=BUFFER_M)
    np.testing.assert_array_equal(walk.node_id, networks["walk"].node_id)
    with pytest.raises(OsmFileError, match="does not cover"):
        read_network(bare, box(24.95, 60.17, 24.96, 60.18), "walk")


def test_truncated_file_is_named_with_what_to_do(helsinki_pbf, tmp_path) -> None:
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(helsinki_pbf.read_bytes()[:300_000])
    with pytest.raises(OsmFileError, match=r"cut\.osm\.pbf.*corrupt or truncated.*--pbf"):
        read_networks(cut, CITY)


def test_file_that_is_not_osm_is_refused(tmp_path) -> None:
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(OsmFileError, match="junk.osm.pbf"):
        read_network(junk, CITY, "walk")
    with pytest.raises(OsmFileError, match="no such file"):
        read_network(tmp_path / "missing.osm.pbf", CITY, "walk")


def test_file_that_does_not_cover_the_city_is_refused(helsinki_pbf) -> None:
    wuzhou = box(111.2, 23.4, 111.4, 23.6)
    with pytest.raises(OsmFileError, match=r"helsinki\.osm\.pbf.*does not cover.*extract"):
        read_networks(helsinki_pbf, wuzhou)
    half_out = box(24.95, 60.17, 24.96, 60.18)
    with pytest.raises(OsmFileError, match="does not cover"):
        read_networks(helsinki_pbf, half_out)


def test_area_without_roads_of_a_mode(helsinki_pbf) -> None:
    walk = read_network(helsinki_pbf, SQUARE, "walk", buffer_m=0)
    assert walk.n_nodes > 1
    with pytest.raises(EmptyNetworkError, match="no drive roads.*--modes"):
        read_network(helsinki_pbf, SQUARE, "drive", buffer_m=0)
