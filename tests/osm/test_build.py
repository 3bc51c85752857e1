"""Mode filters and one-way rules of the network builder, on small hand-made way tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

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
