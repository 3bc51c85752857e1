"""Tests of scripts/build_reference.py: the committed reference data are reproducible."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from gxnet import settings
from gxnet.townships import TOWNSHIP_COLUMNS

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_reference.py"


@pytest.fixture(scope="module")
def build_reference():
    spec = importlib.util.spec_from_file_location("build_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_reference"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt_all(build_reference, shared_dir):
    """Every table of the reference data, rebuilt once for the module."""
    return build_reference.build_all(shared_dir / "data" / "guangxi")


@pytest.fixture(scope="module")
def rebuilt(rebuilt_all):
    return rebuilt_all[0]["regions.parquet"]


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


def test_write_gives_the_committed_tables(build_reference, shared_dir, rebuilt_all, tmp_path):
    # The tables of this rebuild, written twice by the command line.
    outs = [tmp_path / "first", tmp_path / "second"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_reference, "build_all", lambda source: rebuilt_all)
        for out in outs:
            argv = ["--source", str(shared_dir / "data/guangxi"), "--out", str(out)]
            assert build_reference.main(argv) == 0
    names = ["highways.parquet", "regions.parquet", "townships.parquet"]
    assert sorted(p.name for p in outs[0].iterdir()) == names
    for name in names:
        # The build is deterministic: two writes give the same bytes.
        written = (outs[0] / name).read_bytes()
        assert written == (outs[1] / name).read_bytes(), name
        # And the committed file's columns, values and geometry metadata; only the writing
        # libraries' versions (recorded in the file) may differ from those that wrote it.
        ours, committed = (
            pq.read_table(path) for path in (outs[0] / name, settings.reference_dir / name)
        )
        assert ours.equals(committed), name
        assert _geo_without_creator(ours) == _geo_without_creator(committed), name


def _geo_without_creator(table: pa.Table) -> dict:
    geo = json.loads(table.schema.metadata[b"geo"])
    geo.pop("creator", None)
    return geo


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


@pytest.fixture(scope="module")
def townships(rebuilt_all):
    tables, summary = rebuilt_all
    return tables["townships.parquet"], summary


def test_townships_rebuild_reproduces_the_committed_table(townships):
    table, _ = townships
    committed = gpd.read_parquet(settings.reference_dir / "townships.parquet")
    pd.testing.assert_frame_equal(pd.DataFrame(table), pd.DataFrame(committed))
    assert list(table.columns) == list(TOWNSHIP_COLUMNS)


def test_townships_are_todays_1267_matched_by_code_then_name(townships):
    table, summary = townships
    assert len(table) == 1267 and table["township_code"].is_unique
    assert table["township_code"].str.fullmatch(r"45\d{10}").all()
    assert table["township_code"].tolist() == sorted(table["township_code"])
    # Counties renamed since 2016 carry today's codes only.
    assert not table["county_adcode"].isin([450127, 450331, 451021, 451023, 451281]).any()
    assert table["county_adcode"].nunique() == 111
    assert summary["match"] == {"code": 1051, "name": 213, "none": 3}
    assert summary["steps"] == {0: 3, 1: 1043, 2: 209, 3: 4, 4: 8}
    unmatched = table.loc[table["match"] == "none", "name_zh"].tolist()
    assert unmatched == ["公车镇", "防城镇", "红河农场"]
    # Renumbered since 2016: 麒麟街道 had the code 白莲街道 has today, and is found by name.
    qilin = table.set_index("name_zh").loc["麒麟街道"]
    assert (qilin["match"], qilin["code_2016"]) == ("name", "450203007000")
    # 横县's townships are found under 横州市's code, most with their old numbers.
    hengzhou = table[table["county_adcode"] == 450181]
    assert (hengzhou["match"] == "code").sum() >= 15
    assert hengzhou["code_2016"].str.startswith("450127").all()


def test_townships_have_points_inside_their_county(townships, rebuilt):
    table, summary = townships
    assert summary["point_source"] == {
        "township": 1142, "committees": 63, "county_gap": 49, "county_seat": 13,
    }  # fmt: skip
    shapes = rebuilt.set_index("adcode").geometry.reindex(table["county_adcode"]).to_numpy()
    assert shapely.contains(shapes, table.geometry.to_numpy()).all()
    by_name = table.set_index(["county_adcode", "name_zh"]).geometry
    # Known seats, WGS-84 (converted from the list's GCJ-02, about 500 m away).
    for key, (lon, lat) in {
        (450422, "藤州镇"): (110.91, 23.37),  # 藤县's seat
        (450403, "城东街道"): (111.313, 23.473),  # old Wuzhou, by the Xi river
        (450102, "民生街道"): (108.334, 22.841),  # central Nanning
    }.items():
        point = by_name.loc[key]
        assert point.x == pytest.approx(lon, abs=0.03) and point.y == pytest.approx(lat, abs=0.03)
    # 宜州区 has no point in the 2016 list (it was 宜州市 then, without coordinates): its seat
    # town 庆远镇 goes to the county seat, the others to the gaps between them.
    yizhou = table[table["county_adcode"] == 451203].set_index("name_zh")
    assert yizhou.loc["庆远镇", "point_source"] == "county_seat"
    assert set(yizhou.drop(index="庆远镇")["point_source"]) == {"county_gap"}
    metric = yizhou.geometry.to_crs(32649).to_numpy()
    apart = shapely.distance(metric[:, None], metric[None, :]) + np.diag([np.inf] * len(metric))
    assert apart.min() > 5000  # spread over the county, not piled up


def test_townships_count_urban_and_rural_committees(townships):
    table, summary = townships
    assert summary["committees"] == 16449
    counted = table["urban_committees"].sum() + table["rural_committees"].sum()
    assert counted == summary["committees_counted"] == 16413
    kinds = table.groupby("kind")[["urban_committees", "rural_committees"]].sum()
    # 街道 are urban, 乡 rural.
    assert kinds.loc["subdistrict", "urban_committees"] > 5 * kinds.loc["subdistrict"].iloc[1]
    assert kinds.loc["township", "rural_committees"] > 10 * kinds.loc["township"].iloc[0]


def test_highways_are_the_guangxi_part_of_the_world_graph(rebuilt_all, rebuilt):
    region = rebuilt.loc[rebuilt["adcode"] == 450000, "geometry"].iloc[0]
    edges = rebuilt_all[0]["highways.parquet"]
    committed = gpd.read_parquet(settings.reference_dir / "highways.parquet")
    pd.testing.assert_frame_equal(pd.DataFrame(edges), pd.DataFrame(committed))
    assert len(edges) == 5014
    assert edges["length_m"].sum() / 1000 == pytest.approx(24_799, abs=1)
    assert (edges["u"] < edges["v"]).all()
    # Every length at least the straight line it draws (the vertices are rounded).
    straight = edges.to_crs(32649).length.to_numpy()
    assert (edges["length_m"].to_numpy() >= 0.99 * straight).all()
    # Nodes lie within 10 km of Guangxi.
    ends = shapely.get_coordinates(edges.geometry.to_numpy())
    near = gpd.GeoSeries([region], crs=4326).to_crs(32649).buffer(10_050).to_crs(4326).iloc[0]
    assert shapely.contains_xy(near, ends[:, 0], ends[:, 1]).all()
