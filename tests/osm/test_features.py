"""OSM features on the real Helsinki extract: the counts OSM really holds, clipping and caching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from gxnet import settings
from gxnet._errors import InputFileError
from gxnet.osm import features as features_module
from gxnet.osm.features import LAYERS, OsmFeatures, city_features, read_features

HELSINKI = Path(__file__).parents[1] / "data" / "helsinki.osm.pbf"


@pytest.fixture(scope="module")
def helsinki() -> OsmFeatures:
    return read_features(HELSINKI)


def test_layers_hold_what_the_extract_holds(helsinki):
    assert len(helsinki.residential) == 13
    assert len(helsinki.buildings) == 446
    assert int(helsinki.buildings["residential"].sum()) == 21
    assert helsinki.places["place"].value_counts().to_dict() == {
        "suburb": 5,
        "city": 1,
        "neighbourhood": 1,
    }
    assert helsinki.pois["kind"].value_counts().to_dict() == {
        "parking": 39,
        "convenience": 9,
        "supermarket": 6,
        "community_centre": 3,
        "recycling": 2,
        "marketplace": 1,
    }
    assert set(helsinki.places["name"]) >= {"Kaartinkaupunki", "Siltasaari", "Hakaniemi"}
    assert helsinki.meta["sha256"] and helsinki.meta["source"].endswith("helsinki.osm.pbf")


def test_geometries_are_wgs84_points_and_footprints_in_square_metres(helsinki):
    for layer in (helsinki.buildings, helsinki.places, helsinki.pois):
        assert layer.crs.to_epsg() == 4326
        assert (layer.geom_type == "Point").all()
    assert set(helsinki.residential.geom_type) == {"MultiPolygon"}
    area = helsinki.buildings["footprint_m2"]
    # Central Helsinki blocks: a few hundred to a few thousand square metres each.
    assert 300 < area.median() < 3000
    assert (area > 0).all()
    x0, y0, x1, y1 = helsinki.buildings.total_bounds
    assert 24.9 < x0 < x1 < 25.0 and 60.1 < y0 < y1 < 60.2


def test_clipping_keeps_only_what_is_inside(helsinki):
    x0, y0, x1, y1 = helsinki.buildings.total_bounds
    west = shapely.box(x0 - 0.01, y0 - 0.01, (x0 + x1) / 2, y1 + 0.01)
    clipped = read_features(HELSINKI, west)
    for name in ("buildings", "places", "pois"):
        layer = getattr(clipped, name)
        assert 0 < len(layer) < len(getattr(helsinki, name))
        assert shapely.contains_xy(west, layer.geometry.x, layer.geometry.y).all()
    assert clipped.residential.geometry.within(west.buffer(1e-9)).all()
    assert (
        shapely.area(clipped.residential.geometry.to_numpy()).sum()
        < shapely.area(helsinki.residential.geometry.to_numpy()).sum()
    )
    assert clipped.meta["bounds"] == list(west.bounds)


def test_city_features_are_cached_by_source_hash(tmp_path, monkeypatch, helsinki):
    monkeypatch.setattr(settings, "osm_dir", tmp_path)
    polygon = shapely.box(*helsinki.buildings.total_bounds).buffer(0.01)
    first = city_features("helsinki", polygon, pbf=HELSINKI)
    assert (tmp_path / "helsinki" / "features" / "buildings.parquet").is_file()

    def must_not_read(*args, **kwargs):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(features_module, "read_features", must_not_read)
    again = city_features("helsinki", polygon, pbf=HELSINKI)
    assert len(again.buildings) == len(first.buildings) == 446
    assert np.allclose(again.buildings["footprint_m2"], first.buildings["footprint_m2"])
    assert again.pois["kind"].tolist() == first.pois["kind"].tolist()
    # Another source file (another hash) is read again, not served from the stale cache.
    monkeypatch.setattr(features_module, "file_sha256", lambda path: "another file")
    with pytest.raises(AssertionError, match="cache should have been used"):
        city_features("helsinki", polygon, pbf=HELSINKI)


def test_no_cache_and_no_pbf_means_no_features(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "osm_dir", tmp_path)
    assert city_features("nowhere", shapely.box(0, 0, 1, 1)) is None


def test_missing_or_broken_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="no such OSM file"):
        read_features(tmp_path / "none.osm.pbf")
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(InputFileError, match="broken.osm.pbf"):
        read_features(broken)


def test_an_area_without_osm_data_gives_empty_layers_that_round_trip(tmp_path):
    nothing = read_features(HELSINKI, shapely.box(0, 0, 1, 1))
    assert [len(getattr(nothing, layer)) for layer in LAYERS] == [0, 0, 0, 0]
    again = OsmFeatures.load(nothing.save(tmp_path / "features"))
    assert list(again.buildings.columns) == [
        "osm_id",
        "building",
        "residential",
        "footprint_m2",
        "geometry",
    ]
    assert len(again.pois) == 0 and again.meta == nothing.meta
