"""Site lists: formats, header languages, every row problem, CRS, snapping, OSM candidates."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gxnet import settings as gx_settings
from gxnet._errors import InputFileError, UnknownCoordinateSystemError, UserInputError
from gxnet.cli import cli
from gxnet.crs import convert
from gxnet.osm.features import city_features, read_features
from gxnet.osm.network import RoadNetwork
from gxnet.regions import get_city
from gxnet.sites import (
    SITE_COLUMNS,
    SiteList,
    detect_crs,
    osm_candidates,
    read_sites,
    road_reference,
    snap_sites,
    write_template,
)
from gxnet.tiers import Tier

HELSINKI = Path(__file__).parent / "data" / "helsinki.osm.pbf"
ZH = {"id": "编号", "name": "名称", "lon": "经度", "lat": "纬度", "type": "类型",
      "capacity": "容量", "status": "状态", "cost": "固定成本", "crs": "坐标系"}  # fmt: skip
EN = {"id": "ID", "name": "Name", "lon": "Longitude", "lat": " lat ", "type": "Type",
      "capacity": "Capacity (households)", "status": "STATUS", "cost": "fixed cost",
      "crs": "CRS"}  # fmt: skip
TYPES = {
    "zh": ("回收点", "分拣中心", "处理基地"),
    "en": ("recycling_point", "sorting_centre", "processing_base"),
}
STATUS = {
    "zh": ("候选", "现有", "必选", "排除"),
    "en": ("candidate", "existing", "required", "excluded"),
}
FORMATS = ("csv", "xlsx", "geojson", "gpkg")


@pytest.fixture(scope="module")
def wuzhou() -> shapely.Geometry:
    return get_city("wuzhou").boundary


def write_list(
    tmp_path: Path,
    rows: list[dict],
    fmt: str,
    lang: str = "zh",
    encoding: str = "utf-8",
    quoting: int = csv.QUOTE_MINIMAL,
) -> Path:
    """Write rows (keys as in ZH/EN) as a site list in one of the four formats.

    In GeoJSON and GeoPackage the coordinates become the point geometry (None when missing).
    """
    names = ZH if lang == "zh" else EN
    frame = pd.DataFrame([{names[k]: v for k, v in r.items()} for r in rows])
    path = tmp_path / f"sites_{lang}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding=encoding, quoting=quoting)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False)
    else:
        lon = pd.to_numeric(frame.pop(names["lon"]), errors="coerce")
        lat = pd.to_numeric(frame.pop(names["lat"]), errors="coerce")
        geometry = [
            None if np.isnan(x) or np.isnan(y) else shapely.Point(x, y)
            for x, y in zip(lon, lat, strict=True)
        ]
        frame = frame.astype(str)
        gdf = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
        gdf.to_file(path, driver="GeoJSON" if fmt == "geojson" else "GPKG")
    return path


def clean_rows(lang: str) -> list[dict]:
    return [
        {"id": "P1", "name": "万秀点", "lon": 111.3000, "lat": 23.4800, "type": TYPES[lang][0],
         "capacity": 2000, "status": STATUS[lang][0], "cost": 50000},
        {"id": "C1", "name": "长洲中心", "lon": 111.2500, "lat": 23.4900, "type": TYPES[lang][1],
         "capacity": 30, "status": STATUS[lang][1], "cost": 0},
        {"id": "B1", "name": "基地", "lon": 111.3500, "lat": 23.5200, "type": TYPES[lang][2],
         "capacity": 200, "status": STATUS[lang][2], "cost": 1000000},
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reads_every_format_in_both_languages(tmp_path, wuzhou, fmt, lang):
    path = write_list(tmp_path, clean_rows(lang), fmt, lang)
    result = read_sites(path, crs="wgs84", boundary=wuzhou)
    sites = result.sites
    assert list(sites.columns) == list(SITE_COLUMNS)
    assert list(sites["site_id"]) == ["P1", "C1", "B1"]
    assert list(sites["tier"]) == ["recycling_point", "sorting_centre", "processing_base"]
    assert list(sites["status"]) == ["candidate", "existing", "required"]
    assert list(sites["capacity"]) == [2000.0, 30.0, 200.0]
    assert list(sites["fixed_cost"]) == [50000.0, 0.0, 1000000.0]
    assert np.allclose(sites.geometry.x, [111.30, 111.25, 111.35])
    assert np.allclose(sites.geometry.y, [23.48, 23.49, 23.52])
    assert (sites["source"] == "file").all()
    assert result.counts() == {"read": 3, "kept": 3, "fixed": 0, "rejected": 0}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_reads_csv_in_the_encodings_excel_writes(tmp_path, wuzhou, encoding):
    path = write_list(tmp_path, clean_rows("zh"), "csv", "zh", encoding=encoding)
    sites = read_sites(path, crs="wgs84", boundary=wuzhou).sites
    assert list(sites["name"]) == ["万秀点", "长洲中心", "基地"]
    assert list(sites["status"]) == ["candidate", "existing", "required"]


def problem_rows(lang: str) -> list[dict]:
    t, s = TYPES[lang], STATUS[lang]
    table = [  # id, lon, lat, type, capacity, status, fixed cost
        ("OK", 111.30, 23.48, t[0], 2000, s[0], 1),
        ("SWAP", 23.47, 111.31, t[0], 2000, s[0], 1),
        ("NOXY", None, 23.47, t[0], 2000, s[0], 1),
        ("AWAY", 108.30, 22.80, t[0], 2000, s[0], 1),
        ("OK", 111.32, 23.49, t[0], 2000, s[0], 1),
        ("NEAR", 111.30002, 23.48001, t[0], 2000, s[0], 1),
        ("CAP", 111.33, 23.50, t[0], "约两千", s[0], 1),
        ("TYPE", 111.34, 23.50, "垃圾桶", 2000, s[0], 1),
        ("STAT", 111.35, 23.50, t[0], 2000, "maybe", 1),
        ("COST", 111.36, 23.50, t[0], 2000, s[0], -5),
        ("BLANK", 111.37, 23.50, "", 2000, "", ""),
        ("SAMEPLACE", 111.30, 23.48, t[1], 30, s[0], 1),
    ]
    keys = ("id", "lon", "lat", "type", "capacity", "status", "cost")
    return [dict(zip(keys, r, strict=True), name=f"site {i}") for i, r in enumerate(table)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_problem_is_reported_with_the_row_the_planner_sees(tmp_path, wuzhou, fmt, lang):
    path = write_list(tmp_path, problem_rows(lang), fmt, lang)
    with pytest.warns(UserWarning, match="2 rows fixed, 8 rejected of 12"):
        result = read_sites(path, crs="wgs84", boundary=wuzhou)
    first = 2 if fmt in ("csv", "xlsx") else 1  # header row in a table; none in a feature list
    report = result.report.set_index("row")
    expected = {
        0: ("kept", "", ""),
        1: ("fixed", "经度/纬度", "swapped"),
        2: ("rejected", "经度/纬度", "missing coordinates"),
        3: ("rejected", "经度/纬度", "outside"),
        4: ("rejected", "编号/id", f"same id as row {first}"),
        5: ("rejected", "经度/纬度", f"from row {first}"),
        6: ("rejected", "容量/capacity", "not a number: '约两千'"),
        7: ("rejected", "类型/type", "unknown value '垃圾桶'"),
        8: ("rejected", "状态/status", "unknown value 'maybe'"),
        9: ("rejected", "固定成本/fixed_cost", "negative"),
        10: ("fixed", "类型/type", "empty: assumed recycling_point"),
        11: ("kept", "", ""),
    }
    for offset, (action, field, reason) in expected.items():
        line = report.loc[[first + offset]].iloc[0]
        assert (line["action"], line["field"]) == (action, field), offset
        assert reason in line["reason"]
    assert result.counts() == {"read": 12, "kept": 2, "fixed": 2, "rejected": 8}
    assert sorted(result.sites["site_id"]) == ["BLANK", "OK", "SAMEPLACE", "SWAP"]
    swapped = result.sites.set_index("site_id").geometry["SWAP"]
    assert (swapped.x, swapped.y) == pytest.approx((111.31, 23.47))
    # Nothing is lost: every row read appears in the report.
    assert sorted(set(result.report["row"])) == list(range(first, first + 12))


def test_out_of_range_and_unparseable_coordinates_are_rejected(tmp_path):
    rows = [
        {"id": "A", "name": "", "lon": "111.3E", "lat": 23.4, "type": "回收点"},
        {"id": "B", "name": "", "lon": 200.0, "lat": 95.0, "type": "回收点"},
        {"id": "C", "name": "", "lon": "１１１．３", "lat": "２３．４", "type": "回收点"},
    ]
    path = write_list(tmp_path, rows, "csv")
    with pytest.warns(UserWarning, match="2 rejected"):
        result = read_sites(path, crs="wgs84")
    report = result.report.set_index("row")
    assert report.loc[2, "reason"] == "not a number: '111.3E'"
    assert report.loc[3, "reason"] == "coordinates out of range"
    # Full-width digits typed with a Chinese input method are read as numbers.
    assert list(result.sites["site_id"]) == ["C"]
    assert result.sites.geometry.x.iloc[0] == pytest.approx(111.3)


def test_coordinate_system_per_row_and_declared(tmp_path, wuzhou):
    lon, lat = np.array([111.30, 111.31, 111.32]), np.array([23.48, 23.49, 23.50])
    rows = [
        {"id": f"S{i}", "lon": x, "lat": y, "type": "回收点", "crs": c}
        for i, (x, y, c) in enumerate(zip(lon, lat, ["gcj02", "百度", "WGS-84"], strict=True))
    ]
    path = write_list(tmp_path, rows, "csv")
    sites = read_sites(path, boundary=wuzhou).sites
    gx, gy = convert(lon[:1], lat[:1], "gcj02", "wgs84")
    bx, by = convert(lon[1:2], lat[1:2], "bd09", "wgs84")
    assert sites.geometry.x.tolist() == pytest.approx([gx[0], bx[0], lon[2]], abs=1e-9)
    assert sites.geometry.y.tolist() == pytest.approx([gy[0], by[0], lat[2]], abs=1e-9)

    del_crs = [{k: v for k, v in r.items() if k != "crs"} for r in rows]
    declared = read_sites(write_list(tmp_path, del_crs, "xlsx"), crs="高德", boundary=wuzhou)
    x, y = convert(lon, lat, "gcj02", "wgs84")
    assert declared.sites.geometry.x.tolist() == pytest.approx(list(x), abs=1e-9)
    assert declared.crs == "gcj02" and str(declared.crs_reason) == "declared"
    with pytest.raises(UnknownCoordinateSystemError):
        read_sites(write_list(tmp_path, del_crs, "csv"), crs="utm50")


def test_unknown_coordinate_system_in_a_row_is_rejected(tmp_path):
    rows = [{"id": "A", "lon": 111.3, "lat": 23.4, "crs": "北京54"}]
    with pytest.warns(UserWarning, match="1 rejected"):
        result = read_sites(write_list(tmp_path, rows, "csv"))
    assert "unknown coordinate system '北京54'" in result.report["reason"].iloc[0]


def road_nodes(n: int = 400, seed: int = 1) -> np.ndarray:
    """Road-node-like points spread over central Wuzhou (WGS-84)."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(111.25, 111.35, n), rng.uniform(23.45, 23.52, n)])


@pytest.mark.parametrize("truth", ["wgs84", "gcj02", "bd09"])
def test_detects_the_coordinate_system_against_the_roads(tmp_path, wuzhou, truth):
    nodes = road_nodes()
    # Sites sit a few metres from a road node, then are exported in the truth's system.
    x, y = nodes[:30, 0] + 3e-5, nodes[:30, 1] - 2e-5
    gx, gy = convert(x, y, "wgs84", truth)
    detected, reason = detect_crs(gx, gy, nodes)
    assert detected == truth
    assert str(reason).startswith("detected") and truth in str(reason)
    rows = [
        {"id": f"S{i}", "lon": a, "lat": b} for i, (a, b) in enumerate(zip(gx, gy, strict=True))
    ]
    result = read_sites(write_list(tmp_path, rows, "csv"), boundary=wuzhou, reference=nodes)
    assert result.crs == truth
    assert np.allclose(result.sites.geometry.x, x, atol=2e-6)


def test_undecided_coordinate_system_falls_back_to_the_default_with_a_warning(tmp_path, wuzhou):
    nodes = road_nodes()
    rng = np.random.default_rng(7)
    rows = [
        {"id": f"S{i}", "lon": rng.uniform(111.25, 111.35), "lat": rng.uniform(23.45, 23.52)}
        for i in range(20)
    ]
    with pytest.warns(UserWarning, match="assumed gcj02: not declared and not clear"):
        result = read_sites(write_list(tmp_path, rows, "csv"), boundary=wuzhou, reference=nodes)
    assert result.crs == "gcj02"
    assert str(result.crs_reason).startswith("assumed")
    # Too few points never count as evidence.
    assert detect_crs(nodes[:2, 0], nodes[:2, 1], nodes)[0] is None


def test_file_errors_name_the_file_and_field(tmp_path):
    no_lat = tmp_path / "no_lat.csv"
    no_lat.write_text("名称,经度\na,111.3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"no_lat\.csv, field '纬度/lat': no coordinate"):
        read_sites(no_lat)
    with pytest.raises(InputFileError, match="no such file"):
        read_sites(tmp_path / "missing.csv")
    with pytest.raises(InputFileError, match="unknown file type '.docx'"):
        (tmp_path / "x.docx").write_text("x")
        read_sites(tmp_path / "x.docx")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        read_sites(empty)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK not a workbook")
    with pytest.raises(InputFileError, match="not a readable Excel file"):
        read_sites(broken)


def test_bare_name_is_found_in_the_sites_folder(tmp_path, monkeypatch):
    write_list(tmp_path, clean_rows("en"), "csv", "en")
    monkeypatch.setattr(gx_settings, "sites_dir", tmp_path)
    monkeypatch.chdir(tmp_path.parent)
    assert len(read_sites("sites_en.csv", crs="wgs84").sites) == 3


def test_polygon_features_become_points_inside_them(tmp_path):
    square = shapely.box(111.30, 23.48, 111.31, 23.49)
    gdf = gpd.GeoDataFrame({"名称": ["广场"]}, geometry=[square], crs="EPSG:4326")
    gdf.to_file(tmp_path / "p.geojson", driver="GeoJSON")
    with pytest.warns(UserWarning, match="1 rows fixed"):
        result = read_sites(tmp_path / "p.geojson", crs="wgs84")
    assert result.report["reason"].iloc[0] == "not a point: using a point inside the shape"
    assert square.contains(result.sites.geometry.iloc[0])


def test_snap_flags_sites_too_far_from_any_road():
    network = RoadNetwork(
        mode="walk",
        node_id=np.array([1, 2], dtype=np.int64),
        x=np.array([111.300, 111.310]),
        y=np.array([23.480, 23.480]),
        u=np.array([0, 1], dtype=np.int32),
        v=np.array([1, 0], dtype=np.int32),
        length_m=np.array([1020.0, 1020.0], dtype=np.float32),
        time_s=np.array([730.0, 730.0], dtype=np.float32),
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["near", "far"]},
        geometry=gpd.points_from_xy([111.3001, 111.305], [23.4801, 23.49]),
        crs="EPSG:4326",
    )
    snapped = snap_sites(sites, {"walk": network})
    assert list(snapped["walk_node"]) == [0, 0]
    assert snapped["walk_snap_m"].iloc[0] == pytest.approx(15.2, abs=0.5)
    assert snapped["walk_snap_m"].iloc[1] > 1000
    assert list(snapped["far_from_road"]) == [False, True]
    report = pd.DataFrame({"row": [2, 3], "site_id": ["near", "far"], "action": "kept",
                           "field": "", "reason": ""})  # fmt: skip
    listed = SiteList(sites=sites, report=report, rows_read=2).snap({"walk": network})
    assert listed.format_report().endswith("1 sites far from every road: far")


def test_osm_candidates_from_the_helsinki_extract():
    features = read_features(HELSINKI)
    everything = shapely.box(*features.pois.total_bounds).buffer(0.01)
    candidates = osm_candidates(HELSINKI, everything)
    assert list(candidates.columns) == list(SITE_COLUMNS)
    assert candidates["source"].value_counts().to_dict() == {
        "osm:parking": 39,
        "osm:convenience": 9,
        "osm:supermarket": 6,
        "osm:community_centre": 3,
        "osm:recycling": 2,
        "osm:marketplace": 1,
    }
    recycling = candidates[candidates["source"] == "osm:recycling"]
    assert (recycling["status"] == "existing").all()
    assert candidates["site_id"].is_unique
    west = shapely.box(24.90, 60.15, 24.945, 60.19)
    clipped = osm_candidates(features, west)
    assert 0 < len(clipped) < len(candidates)
    assert shapely.contains_xy(west, clipped.geometry.x, clipped.geometry.y).all()
    assert osm_candidates(features, shapely.box(0, 0, 1, 1)).empty


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_reads_back_clean(tmp_path, wuzhou, fmt, lang):
    path = write_template(tmp_path / f"t.{fmt}", lang=lang)
    result = read_sites(path, boundary=wuzhou)
    assert result.counts() == {"read": 2, "kept": 2, "fixed": 0, "rejected": 0}
    assert list(result.sites["tier"]) == ["recycling_point", "sorting_centre"]
    assert str(result.crs_reason) == "every usable row declares its own"
    with pytest.raises(UserInputError, match="unknown template language"):
        write_template(tmp_path / "t.csv", lang="fr")


def test_cli_check_reports_writes_geojson_and_exits_2_when_strict(tmp_path):
    path = write_list(tmp_path, problem_rows("zh"), "csv")
    out = tmp_path / "clean.geojson"
    runner = CliRunner()
    args = ["sites", "check", str(path), "--city", "wuzhou", "--crs", "wgs84", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "12 rows read, 2 kept, 2 fixed, 8 rejected" in result.output
    assert "row 4 [NOXY] rejected 经度/纬度: missing coordinates" in result.output
    written = gpd.read_file(out)
    assert sorted(written["site_id"]) == ["BLANK", "OK", "SAMEPLACE", "SWAP"]
    strict = runner.invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 2
    clean = write_list(tmp_path, clean_rows("en"), "csv", "en")
    assert (
        runner.invoke(cli, ["sites", "check", str(clean), "--city", "梧州", "--strict"]).exit_code
        == 0
    )


def test_cli_template_writes_the_chosen_format(tmp_path):
    runner = CliRunner()
    out = tmp_path / "mine.csv"
    result = runner.invoke(
        cli, ["sites", "template", "--lang", "en", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0] == (
        "id,name,lon,lat,address,type,capacity,status,fixed_cost,crs"
    )


# Property tests: malformed rows never crash the reader, and valid rows are never lost.

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)
_bad_number = st.one_of(_text, st.floats(allow_nan=True, allow_infinity=True), st.just(""))


@st.composite
def site_table(draw):
    n_valid = draw(st.integers(0, 6))
    # Valid sites on a 0.005-degree lattice in central Wuzhou: far apart, inside the city.
    cells = draw(st.lists(st.integers(0, 99), min_size=n_valid, max_size=n_valid, unique=True))
    rows, valid_ids = [], []
    for k, c in enumerate(cells):
        rows.append({
            "id": f"V{k}", "name": draw(_text), "lon": 111.26 + 0.005 * (c % 10),
            "lat": 23.45 + 0.005 * (c // 10),
            "type": draw(st.sampled_from(TYPES["zh"] + TYPES["en"])),
            "capacity": draw(st.one_of(st.just(""), st.integers(0, 10**6))),
            "status": draw(st.sampled_from(STATUS["zh"] + STATUS["en"] + ("",))),
            "cost": draw(st.one_of(st.just(""), st.floats(0, 1e7))),
        })  # fmt: skip
        valid_ids.append(f"V{k}")
    for k in range(draw(st.integers(0, 6))):
        # Malformed rows: garbage anywhere, coordinates never near the lattice.
        rows.insert(
            draw(st.integers(0, len(rows))),
            {
                "id": draw(st.one_of(st.just(""), st.just(f"M{k}"))),
                "name": draw(_text),
                "lon": draw(st.one_of(_bad_number, st.floats(-500, 60))),
                "lat": draw(st.one_of(_bad_number, st.floats(-500, 10))),
                "type": draw(_text),
                "capacity": draw(_bad_number),
                "status": draw(_text),
                "cost": draw(_bad_number),
            },
        )
    return rows, valid_ids


def _cell_text(value: object) -> str:
    """The text pandas writes for a cell (NaN and None as nothing)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=site_table())
def test_reader_never_crashes_and_never_loses_a_valid_row(tmp_path, wuzhou, table):
    rows, valid_ids = table
    if not rows:
        return
    # Quote every cell as Excel does for cells holding line breaks (pandas leaves a lone "\r").
    path = write_list(tmp_path, rows, "csv", quoting=csv.QUOTE_ALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = read_sites(path, crs="wgs84", boundary=wuzhou)
    assert set(valid_ids) <= set(result.sites["site_id"])
    # Every row with any content is in the report under its own row number; wholly empty
    # lines are not sites and are skipped.
    with_content = [
        2 + i for i, row in enumerate(rows) if any(_cell_text(v).strip() for v in row.values())
    ]
    assert sorted(set(result.report["row"])) == with_content
    c = result.counts()
    assert c["kept"] + c["fixed"] + c["rejected"] == len(with_content) == c["read"]
    assert len(result.sites) == c["kept"] + c["fixed"]


def test_cli_detects_the_system_against_the_cached_walk_network(tmp_path, monkeypatch):
    nodes = road_nodes()
    n = len(nodes)
    RoadNetwork(
        mode="walk",
        node_id=np.arange(n, dtype=np.int64),
        x=nodes[:, 0],
        y=nodes[:, 1],
        u=np.zeros(0, dtype=np.int32),
        v=np.zeros(0, dtype=np.int32),
        length_m=np.zeros(0, dtype=np.float32),
        time_s=np.zeros(0, dtype=np.float32),
    ).save(tmp_path / "osm" / "wuzhou" / "walk.npz")
    monkeypatch.setattr(gx_settings, "osm_dir", tmp_path / "osm")
    bx, by = convert(nodes[:25, 0], nodes[:25, 1], "wgs84", "bd09")
    rows = [
        {"id": f"S{i}", "lon": a, "lat": b} for i, (a, b) in enumerate(zip(bx, by, strict=True))
    ]
    result = CliRunner().invoke(
        cli, ["sites", "check", str(write_list(tmp_path, rows, "csv")), "--city", "wuzhou"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "coordinate system: bd09 (detected: median distance to the nearest road node bd09 0 m"
        in (result.output)
    )


def test_road_reference_prefers_the_network_then_cached_features(tmp_path, monkeypatch):
    monkeypatch.setattr(gx_settings, "osm_dir", tmp_path)
    assert road_reference("helsinki") is None
    city_features("helsinki", shapely.box(24.8, 60.1, 25.1, 60.3), pbf=HELSINKI)
    reference = road_reference("helsinki")
    assert len(reference) == 446 + 60  # building centroids and POIs


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_row_numbers_still_match_the_file_after_empty_lines(tmp_path, fmt):
    rows = [
        {"id": "A", "lon": 111.30, "lat": 23.48},
        {"id": None, "lon": None, "lat": None},  # an empty line in the middle of the sheet
        {"id": "B", "lon": None, "lat": 23.49},
    ]
    with pytest.warns(UserWarning, match="1 rejected of 2"):
        result = read_sites(write_list(tmp_path, rows, fmt), crs="wgs84")
    assert result.report.set_index("site_id").loc["B", "row"] == 4
    assert result.report["row"].tolist() == [2, 4]


WANXIU_ROWS = [
    {"id": "P1", "name": "点一", "lon": 111.300, "lat": 23.480, "type": "回收点", "status": "候选"},
    {"id": "P2", "name": "点二", "lon": 111.310, "lat": 23.485, "type": "回收点", "status": "已建"},
    {
        "id": "B1",
        "name": "基地",
        "lon": 111.305,
        "lat": 23.490,
        "type": "处理基地",
        "status": "候选",
    },
]


def test_cli_check_takes_an_area_file_and_the_same_crs(tmp_path):
    area = tmp_path / "东部.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(111.2, 23.4, 111.4, 23.6)], crs="EPSG:4326").to_file(
        area
    )
    path = write_list(tmp_path, WANXIU_ROWS, "csv")
    out = tmp_path / "checked.geojson"
    args = ["sites", "check", str(path), "--area", str(area), "--crs", "bd09", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (
        "3 rows read, 3 kept" in result.output
        and "coordinate system: bd09 (declared)" in result.output
    )
    assert "not plannable" not in result.output  # a processing base is planned, as every tier
    x, y = convert(np.array([111.30]), np.array([23.48]), "bd09", "wgs84")
    p1 = gpd.read_file(out).set_index("site_id").geometry["P1"]
    assert abs(p1.x - x[0]) < 1e-6 and abs(p1.y - y[0]) < 1e-6
    both = CliRunner().invoke(
        cli, ["sites", "check", str(path), "--area", str(area), "--city", "梧州"]
    )
    assert both.exit_code == 2 and "--city NAME or --area FILE" in both.output


def test_a_list_without_a_usable_row_stops_check_and_optimize(tmp_path, no_data_on_disk):
    rows = [{**r, "lon": "东经111度"} for r in WANXIU_ROWS]
    path = write_list(tmp_path, rows, "csv")
    check = CliRunner().invoke(cli, ["sites", "check", str(path), "--city", "万秀区"])
    assert check.exit_code == 2
    assert "no usable row (3 rows read)" in check.stderr and "not a number" in check.stderr
    plan = CliRunner().invoke(
        cli, ["optimize", "--city", "万秀区", "--sites", str(path), "--out", str(tmp_path / "o")]
    )
    assert plan.exit_code == 2 and "no usable row" in plan.stderr
    assert "never plans on other sites" in plan.stderr and "Traceback" not in plan.output
    assert not (tmp_path / "o").exists()


def test_a_processing_base_in_a_list_is_planned_as_its_tier(tmp_path, no_data_on_disk):
    """Every tier a list may carry is planned: the base of the list serves the centres, within
    its truck standard, and the plan says so; nothing of the list is dropped."""
    path = write_list(tmp_path, WANXIU_ROWS, "csv")
    args = ["optimize", "--city", "万秀区", "--sites", str(path), "--crs", "wgs84"]
    result = CliRunner().invoke(cli, [*args, "--basemap", "none", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    from gxnet.plan import Plan

    plan = Plan.load(tmp_path / "o" / "plans" / "wanxiu")
    assert plan.provenance["skipped_rows"] == []
    base = plan.sites.set_index("site_id").loc["B1"]
    assert base["tier"] == Tier.PROCESSING_BASE and bool(base["chosen"])
    centres = plan.sites[plan.sites["chosen"] & (plan.sites["tier"] == Tier.SORTING_CENTRE)]
    assert len(centres) and set(centres["centre_id"]) == {"B1"}
    assert plan.metrics["bases"] == 1


def test_an_error_quoting_cells_prints_them_without_control_characters(tmp_path):
    rows = [{**WANXIU_ROWS[0], "type": "\x1b[2J回收点\x07"}, WANXIU_ROWS[1]]
    path = write_list(tmp_path, rows, "csv")
    result = CliRunner().invoke(cli, ["optimize", "--city", "万秀区", "--sites", str(path)])
    assert result.exit_code == 2
    assert "unknown value ' [2J回收点 '" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
