"""The Overpass path through osmnx, against a local server answering from the real Helsinki data."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from shapely.geometry import box

from gxnet import settings
from gxnet._errors import DownloadError, EmptyNetworkError
from gxnet.osm.build import buffer_polygon
from gxnet.osm.overpass import download_ways, overpass_networks
from gxnet.osm.pbf import read_networks

CITY = box(24.938, 60.166, 24.950, 60.177)
BUFFER_M = 150.0


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


def test_reversed_one_way_keeps_its_drawing_order_through_osmnx(overpass, overpass_answer) -> None:
    # Kaivokatu (way 14472962) as oneway=-1: osmnx stores its nodes reversed; the way table must
    # hold the drawing order again, so that the one-way rules apply the right direction.
    answer = copy.deepcopy(overpass_answer)
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
def test_no_roads_in_the_answer(overpass, overpass_answer, keep) -> None:
    kept = [e for e in overpass_answer["elements"] if keep == "nodes" and e["type"] == "node"]
    overpass.overpass = {"version": 0.6, "elements": kept}
    with pytest.raises(EmptyNetworkError, match="no (walk )?roads"):
        overpass_networks(CITY, ("walk",), buffer_m=BUFFER_M)
