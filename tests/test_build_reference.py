"""Tests of scripts/build_reference.py: the committed reference data are reproducible."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gxnet import settings

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_reference.py"


@pytest.fixture(scope="module")
def build_reference():
    spec = importlib.util.spec_from_file_location("build_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_reference"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(build_reference, shared_dir):
    return build_reference.build(shared_dir / "data" / "guangxi")


def test_rebuild_reproduces_the_committed_parquet(rebuilt):
    committed = gpd.read_parquet(settings.reference_dir / "regions.parquet")
    pd.testing.assert_frame_equal(
        pd.DataFrame(rebuilt.drop(columns="geometry")),
        pd.DataFrame(committed.drop(columns="geometry")),
    )
    assert rebuilt.crs == committed.crs
    # Geometries: the same vertices, up to floating-point noise of another build (1e-7 deg ~ 1 cm).
    same = shapely.equals_exact(rebuilt.geometry.values, committed.geometry.values, tolerance=1e-7)
    assert same.all(), f"boundaries differ for {rebuilt.loc[~same, 'adcode'].tolist()}"


def test_simplification_moves_no_vertex_more_than_about_20_m(build_reference, shared_dir, rebuilt):
    from gxnet import crs

    source = shared_dir / "data" / "guangxi" / "boundaries_gcj02"
    for code in (450405, 450422, 451481):
        raw = crs.to_wgs84(shapely.from_geojson((source / f"{code}.geojson").read_text()), "gcj02")
        ours = rebuilt.loc[rebuilt["adcode"] == code, "geometry"].iloc[0]
        metric = gpd.GeoSeries([raw, ours], crs="EPSG:4326").to_crs(build_reference.METRIC_CRS)
        assert 0 < metric.iloc[0].hausdorff_distance(metric.iloc[1]) < 25


def test_write_gives_a_file_that_reads_back_identically(build_reference, shared_dir, tmp_path):
    assert (
        build_reference.main(["--source", str(shared_dir / "data/guangxi"), "--out", str(tmp_path)])
        == 0
    )
    written = gpd.read_parquet(tmp_path / "regions.parquet")
    committed = gpd.read_parquet(settings.reference_dir / "regions.parquet")
    assert written["adcode"].tolist() == committed["adcode"].tolist()
    assert list(tmp_path.iterdir()) == [tmp_path / "regions.parquet"]


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("梧州市", "Wuzhou"),
        ("长洲区", "Changzhou"),
        ("龙圩区", "Longxu"),
        ("覃塘区", "Qintang"),
        ("都安瑶族自治县", "Du'an"),
        ("罗城仫佬族自治县", "Luocheng"),
        ("天峨县", "Tian'e"),
        ("兴安县", "Xing'an"),
        ("藤县", "Tengxian"),
        ("横州市", "Hengzhou"),
        ("广西壮族自治区", "Guangxi"),
    ],
)
def test_romanise_uses_place_name_readings_and_apostrophes(build_reference, name, pinyin):
    assert build_reference.romanise(name) == pinyin


def test_census_that_does_not_add_up_is_refused(build_reference, shared_dir):
    census = build_reference.read_census(shared_dir / "data" / "guangxi")
    build_reference.check_census(census)
    census.loc[census["adcode"] == 450405, "households"] += 1
    with pytest.raises(ValueError, match="counties do not sum to their cities"):
        build_reference.check_census(census)


def test_slugify_appends_the_city_to_slugs_used_twice(build_reference):
    slugs = build_reference.slugify(
        pd.Series(["Xing'an", "Jiangzhou", "Jiangzhou"]), pd.Series(["guilin", "chongzuo", "x"])
    )
    assert slugs.tolist() == ["xingan", "jiangzhou-chongzuo", "jiangzhou-x"]
