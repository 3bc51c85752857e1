"""Tests of gxnet.crs: published reference pairs, exact inverses, Guangxi-wide round trips."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from gxnet import crs
from gxnet._errors import UnknownCoordinateSystemError

# Guangxi's bounding box with a margin (lon 104.4..112.1, lat 20.9..26.4).
GUANGXI_BOX = (104.0, 20.5, 112.5, 26.8)


def metres(lon_a, lat_a, lon_b, lat_b) -> np.ndarray:
    """Approximate ground distance in metres between nearby points (equirectangular)."""
    lat_mid = np.radians((np.asarray(lat_a) + np.asarray(lat_b)) / 2)
    dx = (np.asarray(lon_a) - np.asarray(lon_b)) * 111_320.0 * np.cos(lat_mid)
    dy = (np.asarray(lat_a) - np.asarray(lat_b)) * 110_574.0
    return np.hypot(dx, dy)


@pytest.fixture(scope="module")
def guangxi_grid() -> tuple[np.ndarray, np.ndarray]:
    """A 400 x 400 grid (about 2 km spacing) over Guangxi's bounding box."""
    x0, y0, x1, y1 = GUANGXI_BOX
    return np.meshgrid(np.linspace(x0, x1, 400), np.linspace(y0, y1, 400))


@pytest.mark.parametrize(
    ("wgs84", "gcj02"),
    [
        # Tiananmen area: wandergis/coordtransform, test/app.js.
        ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
        # Shenzhen (next door to Guangxi) and Shanghai: googollee/eviltransform, python tests.
        ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
        ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ],
)
def test_wgs84_to_gcj02_matches_published_pairs(wgs84, gcj02):
    lon, lat = crs.wgs84_to_gcj02(*wgs84)
    assert float(lon) == pytest.approx(gcj02[0], abs=1e-9)
    assert float(lat) == pytest.approx(gcj02[1], abs=1e-9)
    # The inverse recovers the WGS-84 point to a millimetre.
    assert metres(*crs.gcj02_to_wgs84(*gcj02), *wgs84) < 0.001


def test_gcj02_to_bd09_matches_published_pair():
    # Same source as above: Baidu's forward formula is closed-form, so the match is exact.
    lon, lat = crs.gcj02_to_bd09(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41036949371029, abs=1e-10)
    assert float(lat) == pytest.approx(39.92133699351021, abs=1e-10)


def test_beijing_railway_station_wgs84_and_bd09_agree_with_published_pair():
    # caijun/geoChina documentation (bd2wgs): WGS-84 (39.90105, 116.42079) and BD-09
    # (39.90851, 116.43351), published to 5 decimals, i.e. about a metre.
    lon, lat = crs.bd09_to_wgs84(116.43351, 39.90851)
    assert metres(lon, lat, 116.42079, 39.90105) < 2.0
    lon, lat = crs.wgs84_to_bd09(116.42079, 39.90105)
    assert metres(lon, lat, 116.43351, 39.90851) < 2.0


def test_gcj02_to_wgs84_is_more_exact_than_the_one_step_inverse():
    # wandergis/coordtransform's one-step inverse gives (116.39775550083061, 39.91359571849836)
    # for GCJ-02 (116.404, 39.915): shifted forward again it misses the input by centimetres.
    # Ours is a true inverse to a millimetre.
    one_step = crs.wgs84_to_gcj02(116.39775550083061, 39.91359571849836)
    assert metres(*one_step, 116.404, 39.915) > 0.03
    lon, lat = crs.gcj02_to_wgs84(116.404, 39.915)
    assert metres(*crs.wgs84_to_gcj02(lon, lat), 116.404, 39.915) < 0.001


def test_round_trip_wgs84_gcj02_wgs84_everywhere_in_guangxi(guangxi_grid):
    lon, lat = guangxi_grid
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    error = metres(*back, lon, lat)
    assert error.shape == lon.shape
    assert error.max() < 0.01  # the issue asks for 0.5 m; the iteration reaches millimetres


def test_round_trip_wgs84_bd09_wgs84_everywhere_in_guangxi(guangxi_grid):
    lon, lat = guangxi_grid
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert metres(*back, lon, lat).max() < 0.01


def test_gcj02_offset_over_guangxi_is_a_few_hundred_metres(guangxi_grid):
    lon, lat = guangxi_grid
    shift = metres(*crs.wgs84_to_gcj02(lon, lat), lon, lat)
    assert shift.min() > 250 and shift.max() < 800


def test_points_outside_china_are_not_shifted():
    # Helsinki, Sydney, New York: outside the bounding box, every conversion is the identity.
    lon = np.array([24.9384, 151.2093, -74.006])
    lat = np.array([60.1699, -33.8688, 40.7128])
    for func in (
        crs.wgs84_to_gcj02,
        crs.gcj02_to_wgs84,
        crs.gcj02_to_bd09,
        crs.bd09_to_gcj02,
        crs.wgs84_to_bd09,
        crs.bd09_to_wgs84,
    ):
        out_lon, out_lat = func(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_mixed_arrays_shift_only_the_points_inside_china_and_keep_nan():
    lon = np.array([111.28, 24.94, np.nan])
    lat = np.array([23.48, 60.17, 23.0])
    out_lon, out_lat = crs.wgs84_to_gcj02(lon, lat)
    assert metres(out_lon[0], out_lat[0], lon[0], lat[0]) > 250
    assert (out_lon[1], out_lat[1]) == (lon[1], lat[1])
    assert np.isnan(out_lon[2])
    # The inputs are not modified in place.
    assert lon[0] == 111.28


def test_in_china_uses_the_documented_box():
    assert crs.in_china([111.3, 72.0, 137.84, 100.0], [23.5, 30.0, 40.0, 0.8]).tolist() == [
        True,
        False,
        False,
        False,
    ]


def test_convert_accepts_common_spellings_and_copies_for_identity():
    lon, lat = crs.convert([111.3], [23.5], "WGS-84", "GCJ-02")
    expected = crs.wgs84_to_gcj02([111.3], [23.5])
    np.testing.assert_array_equal(lon, expected[0])
    lon, lat = crs.convert([111.3], [23.5], "amap", "Baidu")
    np.testing.assert_allclose(lon, crs.gcj02_to_bd09(111.3, 23.5)[0])
    same = crs.convert([111.3], [23.5], "EPSG:4326", "gps")
    assert same[0].tolist() == [111.3]


def test_unknown_coordinate_system_names_the_accepted_ones():
    with pytest.raises(UnknownCoordinateSystemError, match=r"'cgcs2000'.*wgs84.*gcj02.*bd09"):
        crs.convert([111.3], [23.5], "cgcs2000", "wgs84")


def test_to_wgs84_moves_the_wuzhou_boundary_by_a_few_hundred_metres(shared_dir):
    path = shared_dir / "data/guangxi/boundaries_gcj02/450400.geojson"
    raw = gpd.GeoDataFrame(geometry=[shapely.from_geojson(path.read_text())], crs="EPSG:4326")
    converted = crs.to_wgs84(raw, "gcj02")
    assert converted.crs.to_epsg() == 4326
    a = shapely.get_coordinates(raw.geometry.values)
    b = shapely.get_coordinates(converted.geometry.values)
    shift = metres(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    assert shift.min() > 500 and shift.max() < 650
    # GCJ-02 lies east and south of WGS-84 here: converting moves the boundary west and north.
    assert (b[:, 0] < a[:, 0]).all() and (b[:, 1] > a[:, 1]).all()
    # And from_wgs84 brings it back.
    again = shapely.get_coordinates(crs.from_wgs84(converted, "gcj02").geometry.values)
    assert metres(again[:, 0], again[:, 1], a[:, 0], a[:, 1]).max() < 0.01


def test_to_wgs84_keeps_columns_index_and_handles_series_and_geometries():
    frame = gpd.GeoDataFrame(
        {"site_id": ["a", "b"]}, geometry=[Point(111.3, 23.5), Point(108.3, 22.8)], index=[7, 9]
    )
    out = crs.to_wgs84(frame, "bd09")
    assert out["site_id"].tolist() == ["a", "b"] and out.index.tolist() == [7, 9]
    expected = crs.bd09_to_wgs84([111.3, 108.3], [23.5, 22.8])
    np.testing.assert_allclose(out.geometry.x, expected[0])
    series = crs.to_wgs84(frame.geometry, "bd09")
    assert isinstance(series, gpd.GeoSeries) and series.index.tolist() == [7, 9]
    np.testing.assert_allclose(series.y, expected[1])
    point = crs.from_wgs84(Point(111.3, 23.5), "gcj02")
    assert point.x == pytest.approx(float(crs.wgs84_to_gcj02(111.3, 23.5)[0]))
    # The input frame is untouched.
    assert frame.geometry.x.tolist() == [111.3, 108.3]


def test_to_wgs84_converts_every_geometry_column_and_passes_missing_geometries():
    cell = shapely.box(111.0, 23.0, 111.01, 23.01)
    frame = gpd.GeoDataFrame(
        {"cell": gpd.GeoSeries([cell, None], crs="EPSG:4326")},
        geometry=[Point(111.005, 23.005), None],
        crs="EPSG:4326",
    )
    out = crs.to_wgs84(frame, "gcj02")
    assert out.geometry.name == "geometry" and out["cell"].crs.to_epsg() == 4326
    # The point stays at the centre of its cell: both moved by the same offset.
    assert out["cell"].iloc[0].centroid.distance(out.geometry.iloc[0]) < 1e-8
    assert out.geometry.iloc[0].distance(frame.geometry.iloc[0]) > 0.003
    assert out.geometry.iloc[1] is None and out["cell"].iloc[1] is None


def test_to_wgs84_refuses_projected_frames():
    frame = gpd.GeoDataFrame(geometry=[Point(500_000, 2_600_000)], crs="EPSG:32649")
    with pytest.raises(UnknownCoordinateSystemError, match="projected"):
        crs.to_wgs84(frame, "gcj02")


def test_utm_crs_picks_zone_49_for_wuzhou_and_48_for_baise():
    assert crs.utm_crs([111.3], [23.5]).to_epsg() == 32649
    assert crs.utm_crs([106.6], [23.9]).to_epsg() == 32648
