"""Mode filters and one-way rules of the network builder, on small hand-made way tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from gxnet import settings
from gxnet.osm.build import TAG_KEYS, WayTable, build_network, mode_ways, way_directions


def _tags(*ways: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([[w.get(k) for k in TAG_KEYS] for w in ways], columns=list(TAG_KEYS))


def test_mode_filters() -> None:
    tags = _tags(
        {"highway": "motorway"},
        {"highway": "primary"},
        {"highway": "footway"},
        {"highway": "track"},
        {"highway": "residential", "access": "private"},
        {"highway": "residential", "access": "no", "foot": "yes"},
        {"highway": "pedestrian", "area": "yes"},
        {"highway": "trunk", "motorroad": "yes"},
        {"highway": "service", "hgv": "no"},
        {"highway": "construction"},
    )
    assert mode_ways(tags, "walk").tolist() == [0, 1, 1, 1, 0, 1, 0, 0, 1, 0]
    assert mode_ways(tags, "drive").tolist() == [1, 1, 0, 0, 0, 0, 0, 1, 0, 0]
    assert mode_ways(tags, "tricycle").tolist() == [0, 1, 0, 1, 0, 0, 0, 0, 1, 0]


def test_one_way_rules() -> None:
    tags = _tags(
        {"highway": "residential", "oneway": "yes"},
        {"highway": "residential", "oneway": "-1"},
        {"highway": "residential", "oneway": "no"},
        {"highway": "residential", "junction": "roundabout"},
        {"highway": "motorway"},
        {"highway": "motorway", "oneway": "no"},
        {"highway": "residential", "oneway": "True"},
        {"highway": "residential"},
    )
    forward, backward = way_directions(tags, "drive")
    assert forward.tolist() == [1, 0, 1, 1, 1, 1, 1, 1]
    assert backward.tolist() == [0, 1, 1, 0, 0, 1, 0, 1]
    forward, backward = way_directions(tags, "walk")
    assert forward.all() and backward.all()


def _line(tags: pd.DataFrame, n_ways_nodes: list[list[int]]) -> WayTable:
    """Ways along the equator at 0.001 degree per node id."""
    ids = np.unique(np.concatenate(n_ways_nodes))
    a = np.concatenate([w[:-1] for w in n_ways_nodes])
    b = np.concatenate([w[1:] for w in n_ways_nodes])
    way = np.concatenate([[i] * (len(w) - 1) for i, w in enumerate(n_ways_nodes)])
    return WayTable(tags, ids, ids * 1e-3, np.zeros(len(ids)), a, b, way)


def test_reversed_one_way_keeps_only_the_backward_edges_and_prunes_to_the_strong_part() -> None:
    # Way 0 is a two-way street 1-2-3; way 1 is a one-way (-1) spur 3<-4: node 4 can be left
    # but never reached, so it falls out of the largest strongly connected component.
    ways = _line(
        _tags({"highway": "residential"}, {"highway": "residential", "oneway": "-1"}),
        [[1, 2, 3], [3, 4]],
    )
    net = build_network(ways, box(-1, -1, 1, 1), "drive")
    assert net.node_id.tolist() == [1, 2, 3]
    assert net.meta["dropped_nodes"] == 1 and net.meta["dropped_edges"] == 1
    walk = build_network(ways, box(-1, -1, 1, 1), "walk")
    assert walk.node_id.tolist() == [1, 2, 3, 4] and walk.n_edges == 6
    assert walk.length_m[0] == pytest.approx(111.195, rel=1e-4)


def test_rules_version_follows_the_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    from gxnet.osm import build

    before = build.rules_version()
    monkeypatch.setitem(build.ACCESS_KEYS, "tricycle", ("vehicle",))
    assert build.rules_version() != before
    monkeypatch.undo()
    monkeypatch.setitem(build.MODE_HIGHWAYS, "walk", frozenset({"footway"}))
    assert build.rules_version() != before
    monkeypatch.undo()
    monkeypatch.setitem(build.EXCLUDED_SERVICE, "drive", frozenset())
    assert build.rules_version() != before
    monkeypatch.undo()
    # Another truck: the networks built for the old one are rebuilt.
    monkeypatch.setattr(settings, "truck_height_m", 4.0)
    assert build.rules_version() != before
    monkeypatch.undo()
    assert build.rules_version() == before


def test_the_truck_keeps_to_roads_a_truck_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [
        ({"highway": "service"}, True),
        ({"highway": "service", "service": "parking_aisle"}, False),
        ({"highway": "service", "service": "driveway"}, False),
        ({"highway": "service", "service": "drive-through"}, False),
        ({"highway": "service", "service": "alley"}, False),
        ({"highway": "service", "service": "emergency_access"}, False),
        ({"highway": "unclassified", "access": "agricultural"}, False),
        ({"highway": "unclassified", "access": "forestry"}, False),
        ({"highway": "unclassified", "access": "agricultural;forestry"}, False),
        ({"highway": "unclassified", "motor_vehicle": "agricultural"}, False),
        ({"highway": "unclassified", "access": "agricultural", "hgv": "yes"}, True),
        ({"highway": "unclassified", "access": "no", "hgv": "destination"}, True),
        ({"highway": "residential", "access": "delivery"}, True),
        ({"highway": "residential", "access": "destination;delivery"}, True),
        ({"highway": "residential", "access": "psv"}, False),
        ({"highway": "residential", "hgv": "no"}, False),
        ({"highway": "residential", "maxweight": "7.5"}, False),
        ({"highway": "residential", "maxweight": "10"}, True),  # equal to the truck: it fits
        ({"highway": "residential", "maxweight": "7500 kg"}, False),
        ({"highway": "residential", "maxweight": "none"}, True),
        ({"highway": "residential", "maxweight:hgv": "5"}, False),
        ({"highway": "residential", "maxheight": "3.2"}, False),
        ({"highway": "residential", "maxheight": "3.5"}, True),
        ({"highway": "residential", "maxheight": "11'"}, False),  # 3.35 m
        ({"highway": "residential", "maxheight": "12'6\""}, True),  # 3.81 m
        ({"highway": "residential", "maxheight": "default"}, True),
        ({"highway": "residential", "maxheight": "4;3.2"}, False),  # every sign applies
        ({"highway": "residential", "maxwidth": "2.2"}, False),
        ({"highway": "residential", "maxwidth": "3"}, True),
        ({"highway": "residential", "maxlength": "8"}, False),
        ({"highway": "residential", "maxlength": "12"}, True),
    ]
    tags = _tags(*(c for c, _ in cases))
    assert mode_ways(tags, "drive").tolist() == [kept for _, kept in cases]
    # Motor tricycles collect along driveways, alleys, farm roads and under low bridges.
    tricycle = mode_ways(tags, "tricycle")
    assert tricycle[[1, 2, 4, 6, 7, 16, 21, 27]].all() and not tricycle[5]
    # A smaller truck passes the weight, height, width and length signs.
    for name, value in (("weight_t", 3.0), ("height_m", 2.0), ("width_m", 2.0), ("length_m", 6)):
        monkeypatch.setattr(settings, f"truck_{name}", value)
    small = mode_ways(tags, "drive")
    assert small[16:].all() and not small[:16][[not k for _, k in cases[:16]]].any()
