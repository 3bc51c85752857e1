"""The Overpass path through osmnx, against a local server answering from the real Helsinki data."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import osmium
import osmnx as ox
import pytest
from shapely.geometry import box

from gxnet import settings
from gxnet._errors import DownloadError, EmptyNetworkError
from gxnet.osm.build import buffer_polygon
from gxnet.osm.overpass import download_ways, overpass_networks
from gxnet.osm.pbf import read_networks

CITY = box(24.938, 60.166, 24.950, 60.177)
BUFFER_M = 150.0
#: Offset of the ids given to the pieces of a way split around nodes missing from the extract.
PIECE_ID = 10**12


def overpass_elements(pbf: Path) -> dict:
    """The highway ways of a PBF and their nodes as Overpass JSON (``out;`` after ``>;``).

    Overpass always has every node of a way; the extract lacks the nodes of ways that run out
    of it, so such a way is sent as its pieces of located nodes (ids offset by PIECE_ID).
    """
    nodes: dict[int, dict] = {}
    ways: list[dict] = []
    processor = osmium.FileProcessor(str(pbf)).with_locations()
    for obj in processor.with_filter(osmium.filter.KeyFilter("highway")):
        if not obj.is_way():
            continue
        tags = dict(obj.tags)
        pieces: list[list[int]] = [[]]
        for n in obj.nodes:
            if n.location.valid():
                nodes[n.ref] = {"type": "node", "id": n.ref, "lat": n.lat, "lon": n.lon}
                pieces[-1].append(n.ref)
            elif pieces[-1]:
                pieces.append([])
        for k, refs in enumerate(p for p in pieces if len(p) > 1):
            ways.append({"type": "way", "id": obj.id + k * PIECE_ID, "nodes": refs, "tags": tags})
    return {"version": 0.6, "elements": [*nodes.values(), *ways]}


@pytest.fixture(scope="module")
def elements(helsinki_pbf: Path) -> dict:
    return overpass_elements(helsinki_pbf)


@pytest.fixture
def overpass(osm_server, elements, monkeypatch: pytest.MonkeyPatch):
    """The local server as Overpass, with osmnx's cache and rate-limit pauses off."""
    osm_server.overpass = elements
    monkeypatch.setattr(settings, "overpass_url", f"{osm_server.url}/api")
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    return osm_server


def test_overpass_network_equals_the_pbf_network(overpass, helsinki_pbf) -> None:
    modes = ("walk", "drive")
    from_api = overpass_networks(CITY, modes, buffer_m=BUFFER_M)
    from_pbf = read_networks(helsinki_pbf, CITY, modes, buffer_m=BUFFER_M)
    assert overpass.queries and all('way["highway"]' in q for q in overpass.queries)
    for mode in modes:
        a, b = from_api[mode], from_pbf[mode]
        np.testing.assert_array_equal(a.node_id, b.node_id)
        np.testing.assert_allclose(a.x, b.x, atol=1e-7)
        edges_a = np.lexsort((a.v, a.u))
        edges_b = np.lexsort((b.v, b.u))
        np.testing.assert_array_equal(a.u[edges_a], b.u[edges_b])
        np.testing.assert_array_equal(a.v[edges_a], b.v[edges_b])
        np.testing.assert_allclose(a.time_s[edges_a], b.time_s[edges_b], rtol=1e-4)
        assert a.meta["source"] == settings.overpass_url
        assert a.meta["dropped_nodes"] == b.meta["dropped_nodes"]


def test_reversed_one_way_keeps_its_drawing_order_through_osmnx(overpass, elements) -> None:
    # Kaivokatu (way 14472962) as oneway=-1: osmnx stores its nodes reversed; the way table must
    # hold the drawing order again, so that the one-way rules apply the right direction.
    answer = copy.deepcopy(elements)
    for element in answer["elements"]:
        if element["type"] == "way" and element["id"] == 14472962:
            element["tags"]["oneway"] = "-1"
            drawn = element["nodes"]
    overpass.overpass = answer
    ways = download_ways(buffer_polygon(CITY, BUFFER_M))
    row = ways.tags.index[ways.tags["oneway"].eq("-1")]
    assert len(row) == 1
    mine = ways.seg_way == row[0]
    assert ways.seg_a[mine].tolist() == drawn[:-1] and ways.seg_b[mine].tolist() == drawn[1:]


def test_server_error_is_a_download_error(overpass) -> None:
    overpass.script["/api/interpreter"] = [400]
    with pytest.raises(DownloadError, match=r"Overpass server .*GXNET_OVERPASS_URL"):
        overpass_networks(CITY, ("walk",), buffer_m=BUFFER_M)


@pytest.mark.parametrize("keep", ["nothing", "nodes"])
def test_no_roads_in_the_answer(overpass, elements, keep) -> None:
    kept = [e for e in elements["elements"] if keep == "nodes" and e["type"] == "node"]
    overpass.overpass = {"version": 0.6, "elements": kept}
    with pytest.raises(EmptyNetworkError, match="no (walk )?roads"):
        overpass_networks(CITY, ("walk",), buffer_m=BUFFER_M)
