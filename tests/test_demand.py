"""Demand: census totals per county exactly, placement by OSM evidence, fallback, planner files."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gxnet import settings as gx_settings
from gxnet._errors import InputFileError, UserInputError
from gxnet.config import DEMAND, Config
from gxnet.demand import (
    DEMAND_COLUMNS,
    _largest_remainder,
    build_demand,
    h3_resolution,
    load_demand,
    read_demand,
)
from gxnet.osm.features import read_features
from gxnet.regions import boundaries
from gxnet.study_area import study_area
from gxnet.townships import list_townships
from tests import helsinki

HELSINKI = Path(__file__).parent / "data" / "helsinki.osm.pbf"


@pytest.fixture(autouse=True)
def no_osm_on_disk(tmp_path, monkeypatch):
    """Tests never see a developer's cached OSM: the fallback is what they ask for."""
    monkeypatch.setattr(gx_settings, "osm_dir", tmp_path / "osm")


@pytest.fixture(scope="module")
def wuzhou_census() -> pd.DataFrame:
    return boundaries("wuzhou").set_index("adcode")


def assert_census_totals(demand: gpd.GeoDataFrame, census: pd.DataFrame) -> None:
    sums = demand.groupby("county_adcode")[["population", "households"]].sum()
    assert sorted(sums.index) == sorted(census.index)
    for column in ("population", "households"):
        got = sums[column].astype(np.int64)
        want = census.loc[sums.index, column].astype(np.int64)
        assert (got.to_numpy() == want.to_numpy()).all(), column
    # Whole people and households.
    assert (demand["population"] == np.round(demand["population"])).all()
    assert (demand["households"] == np.round(demand["households"])).all()


@pytest.fixture(scope="module")
def wuzhou_towns() -> gpd.GeoDataFrame:
    return list_townships("wuzhou").set_index("township_code")


@pytest.mark.parametrize("grid", ["square", "h3"])
def test_wuzhou_without_osm_keeps_census_totals_and_warns(wuzhou_census, wuzhou_towns, grid):
    with pytest.warns(UserWarning, match="no OSM data on disk for wuzhou.*fallback"):
        demand = build_demand("wuzhou", cell_size_m=2000, grid=grid)
    assert list(demand.columns) == list(DEMAND_COLUMNS)
    assert_census_totals(demand, wuzhou_census)
    assert demand["demand_id"].is_unique
    assert demand.crs.to_epsg() == 4326
    assert demand["cell"].crs.to_epsg() == 4326
    assert (demand["population"] > 0).all()
    # Every unit carries a township of its own county, and every township has people.
    towns = wuzhou_towns.reindex(demand["township_code"])
    assert (towns["county_adcode"].to_numpy() == demand["county_adcode"].to_numpy()).all()
    assert (towns["name_zh"].to_numpy() == demand["township_name"].to_numpy()).all()
    assert set(demand["township_code"]) == set(wuzhou_towns.index)
    # Each point is the centre of its own cell.
    cells = gpd.GeoSeries(demand["cell"].to_numpy(), crs=4326)
    assert cells.contains(demand.geometry.reset_index(drop=True)).all()


def test_townships_share_their_county_by_their_committees(wuzhou_census, wuzhou_towns):
    with pytest.warns(UserWarning, match="fallback"):
        demand = build_demand("wuzhou", cell_size_m=1000)
    got = demand.groupby("township_code")["population"].sum()
    towns = wuzhou_towns.assign(county=wuzhou_towns["county_adcode"])
    # Urban people by urban committees, rural by rural committees, within the county.
    by_county = towns.groupby("county")[["urban_committees", "rural_committees"]].transform("sum")
    census = wuzhou_census.reindex(towns["county"]).set_axis(towns.index)
    want = (
        census["urban_population"] * towns["urban_committees"] / by_county["urban_committees"]
        + census["rural_population"] * towns["rural_committees"] / by_county["rural_committees"]
    )
    assert np.abs(got.reindex(want.index).to_numpy() - want.to_numpy()).max() <= 1
    # 藤县's seat holds more people than any other of its townships.
    teng = got[towns.index[towns["county"] == 450422]]
    assert wuzhou_towns.loc[teng.idxmax(), "name_zh"] == "藤州镇"


def test_urban_people_live_at_the_towns(wuzhou_census, wuzhou_towns):
    with pytest.warns(UserWarning, match="fallback"):
        demand = build_demand("wuzhou", cell_size_m=1000)
    urban = demand[demand["setting"] == "urban"]
    # The towns are dense (most people in cells of half the town density, 10,000 per km², or
    # more: a town fills whole cells; a town smaller than a cell at least as dense as the urban
    # threshold) and take the urban standard: the census's urban people live there.
    assert (urban["population"] >= DEMAND.urban_min_density_per_km2).all()
    dense = urban["population"] >= 0.5 * DEMAND.town_density_per_km2
    assert urban.loc[dense, "population"].sum() > 0.8 * urban["population"].sum()
    share = urban["population"].sum() / wuzhou_census["urban_population"].sum()
    assert 0.95 < share <= 1.0
    # Each town's cells hold its point: the cell of 藤州镇's point is urban.
    seat = wuzhou_towns.loc["450422100000"].geometry
    cells = gpd.GeoSeries(demand["cell"].to_numpy(), crs=4326, index=demand.index)
    holding = demand[cells.contains(seat)]
    assert set(holding["setting"]) == {"urban"}
    # Urban cells lie within a few km of their township's point.
    points = gpd.GeoSeries(
        wuzhou_towns.geometry.reindex(urban["township_code"]).to_numpy(), crs=4326
    ).to_crs(32649)
    far = points.distance(urban.geometry.to_crs(32649).reset_index(drop=True))
    assert far.max() < 8000
    # Rural people are spread evenly over the rest of their township: its rural cells differ
    # by at most one person.
    rural = demand[demand["setting"] == "rural"]
    spread = rural.groupby("township_code")["population"].agg(lambda s: s.max() - s.min())
    assert (spread <= 1).mean() > 0.9


def test_townships_placed_by_the_fallback_are_counted_and_said(wuzhou_towns):
    with pytest.warns(UserWarning) as said:
        demand = build_demand("wuzhou", cell_size_m=2000)
    counts = demand.attrs["townships"]
    fallback = wuzhou_towns.index[~wuzhou_towns["point_source"].isin(["township", "committees"])]
    assert counts["townships"] == 67 and counts["fallback_points"] == len(fallback) == 5
    assert counts["fallback"][0] == "450403002000 城南街道"
    assert any("5 of 67 townships in wuzhou have no point of their own" in str(w.message)
               for w in said)  # fmt: skip
    # 长洲区 has a point for every township: nothing to say.
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        changzhou = build_demand(450405, cell_size_m=2000)
    assert changzhou.attrs["townships"]["fallback_points"] == 0
    assert not [w for w in quiet if "no point of their own" in str(w.message)]


def test_a_county_without_townships_is_spread_evenly(wuzhou_census):
    with pytest.warns(UserWarning, match="fallback"):
        demand = build_demand("wuzhou", cell_size_m=2000, townships=list_townships().iloc[:0])
    assert_census_totals(demand, wuzhou_census)
    assert set(demand["township_code"]) == {""}
    spread = demand.groupby("county_adcode")["population"].agg(lambda s: s.max() - s.min())
    assert (spread <= 1).all()
    # Spread evenly, no county is as dense as a town (Wanxiu: about 600 people per km²).
    assert set(demand["setting"]) == {"rural"}
    assert demand.attrs["townships"]["counties_without_townships"] == 7


def test_urban_standard_needs_an_urban_majority_and_town_density():
    # A threshold above any town's density leaves every cell rural.
    strict = dataclasses.replace(DEMAND, urban_min_density_per_km2=50_000.0)
    with pytest.warns(UserWarning, match="fallback"):
        demand = build_demand("wuzhou", cell_size_m=2000, standards=strict)
    assert set(demand["setting"]) == {"rural"}
    # By default the towns are urban, in rural Cangwu too (its town centres), their
    # surroundings rural.
    with pytest.warns(UserWarning, match="fallback"):
        demand = build_demand("wuzhou", cell_size_m=2000)
    settings_by_county = demand.groupby("county_adcode")["setting"].agg(set)
    assert settings_by_county[450403] == {"urban", "rural"}
    assert "urban" in settings_by_county[450421]
    cangwu = demand[demand["county_adcode"] == 450421]
    assert (cangwu["setting"] == "urban").sum() < 0.05 * len(cangwu)


def test_the_whole_region(wuzhou_census):
    with pytest.warns(UserWarning, match="no OSM data on disk for guangxi"):
        demand = build_demand("guangxi", cell_size_m=5000)
    census = boundaries(level="county").set_index("adcode")
    assert_census_totals(demand, census)
    assert demand["township_code"].nunique() >= 1260
    assert demand.attrs["townships"]["fallback_points"] == 62


def test_a_single_county_region(wuzhou_census):
    with pytest.warns(UserWarning, match="fallback"):
        demand = build_demand(450403, cell_size_m=1000)
    assert set(demand["county_adcode"]) == {450403}
    assert demand["population"].sum() == wuzhou_census.loc[450403, "population"]
    assert demand["township_code"].str.startswith("450403").all()


def test_recyclables_follow_the_cited_rates(wuzhou_census):
    with pytest.warns(UserWarning):
        demand = build_demand("wuzhou", cell_size_m=3000)
    rate = demand["recyclables_kg_day"] / demand["population"]
    low = DEMAND.recyclables_kg_per_person_day_rural
    high = DEMAND.recyclables_kg_per_person_day_urban
    assert ((rate >= low - 1e-9) & (rate <= high + 1e-9)).all()
    # Town cells hold urban people only.
    assert np.allclose(rate[demand["setting"] == "urban"], high)
    total = demand["recyclables_kg_day"].sum()
    expected = (
        wuzhou_census["urban_population"].sum() * DEMAND.recyclables_kg_per_person_day_urban
        + wuzhou_census["rural_population"].sum() * DEMAND.recyclables_kg_per_person_day_rural
    )
    assert total == pytest.approx(expected, rel=1e-3)


@pytest.fixture(scope="module")
def helsinki_area():
    """The Helsinki extract with a synthetic two-county census (it is not in Guangxi)."""
    features = read_features(HELSINKI)
    x0, y0, x1, y1 = features.buildings.total_bounds
    mid = (x0 + x1) / 2
    counties = gpd.GeoDataFrame(
        {
            "adcode": [1, 2],
            "population": [10_001, 5_003],
            "urban_population": [9_000, 1_000],
            "rural_population": [1_001, 4_003],
            "households": [5_000, 2_001],
        },
        geometry=[shapely.box(x0, y0, mid, y1), shapely.box(mid, y0, x1, y1)],
        crs="EPSG:4326",
    )
    return features, counties, shapely.box(x0, y0, x1, y1)


@pytest.mark.parametrize("grid", ["square", "h3"])
def test_osm_evidence_places_people_and_keeps_totals(helsinki_area, grid):
    features, counties, polygon = helsinki_area
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # with evidence everywhere there is no fallback warning
        demand = build_demand(
            polygon, counties=counties, features=features, cell_size_m=200, grid=grid
        )
    assert_census_totals(demand, counties.set_index("adcode"))
    # People go where the buildings are: every populated cell holds OSM evidence.
    cells = gpd.GeoSeries(demand["cell"].to_numpy(), crs=4326)
    with_buildings = cells.intersects(features.buildings.union_all()) | cells.intersects(
        features.residential.union_all()
    )
    assert with_buildings.all()
    # The densest cells of the mostly urban county are urban, and hold most of its people.
    west = demand[demand["county_adcode"] == 1]
    assert west.loc[west["population"].idxmax(), "setting"] == "urban"
    assert west.loc[west["setting"] == "urban", "population"].sum() == pytest.approx(9_000, abs=5)
    # Points sit at the evidence-weighted centre of each cell, inside it.
    inside = shapely.covers(
        shapely.buffer(demand["cell"].to_numpy(), 1e-9), demand.geometry.to_numpy()
    )
    assert inside.all()


@pytest.mark.filterwarnings("ignore:OSM shows no buildings")  # the tiny cell may hold none
@pytest.mark.parametrize("grid", ["square", "h3"])
def test_a_county_smaller_than_a_cell_keeps_its_people(helsinki_area, grid):
    features, counties, polygon = helsinki_area
    x, y = counties.geometry.iloc[0].centroid.coords[0]
    tiny = gpd.GeoDataFrame(
        {"adcode": [3], "population": [777], "urban_population": [700],
         "rural_population": [77], "households": [300]},
        geometry=[shapely.box(x, y, x + 0.0005, y + 0.0003)],  # about 28 m x 33 m
        crs="EPSG:4326",
    )  # fmt: skip
    three = pd.concat([tiny, counties], ignore_index=True)
    demand = build_demand(polygon, counties=three, features=features, cell_size_m=500, grid=grid)
    assert_census_totals(demand, three.set_index("adcode"))
    assert (demand["county_adcode"] == 3).sum() == 1


def test_osm_evidence_from_a_pbf_path(helsinki_area):
    _, counties, polygon = helsinki_area
    demand = build_demand(polygon, counties=counties, pbf=HELSINKI, cell_size_m=250)
    assert_census_totals(demand, counties.set_index("adcode"))


def test_a_city_reads_a_given_pbf_once_then_uses_the_cache(monkeypatch):
    from gxnet.osm import features as features_module

    with pytest.warns(UserWarning, match="OSM shows no buildings"):  # Helsinki is not Wuzhou
        first = build_demand("wuzhou", pbf=HELSINKI, cell_size_m=5000)

    def must_not_read(*args, **kwargs):
        raise AssertionError("the cached features should have been used")

    monkeypatch.setattr(features_module, "read_features", must_not_read)
    with pytest.warns(UserWarning, match="OSM shows no buildings"):
        again = build_demand("wuzhou", pbf=HELSINKI, cell_size_m=5000)
    assert again["population"].tolist() == first["population"].tolist()


def test_a_county_without_evidence_falls_back_with_a_warning(helsinki_area):
    features, counties, polygon = helsinki_area
    empty = counties.copy()
    far = shapely.box(25.5, 60.5, 25.52, 60.51)  # open sea east of Helsinki: no OSM data here
    empty.loc[1, "geometry"] = far
    with pytest.warns(UserWarning, match="no buildings, land use or places in counties 2"):
        demand = build_demand(
            shapely.union(polygon, far), counties=empty, features=features, cell_size_m=500
        )
    assert_census_totals(demand, empty.set_index("adcode"))


def test_bad_arguments_are_user_errors(helsinki_area):
    _, counties, polygon = helsinki_area
    with pytest.raises(UserInputError, match="needs county totals"):
        build_demand(polygon)
    with pytest.raises(UserInputError, match="unknown grid"):
        build_demand(polygon, counties=counties, grid="hex")
    with pytest.raises(UserInputError, match="positive"):
        build_demand(polygon, counties=counties, cell_size_m=0)
    with pytest.raises(UserInputError, match="lacks columns"):
        build_demand(polygon, counties=counties.drop(columns="households"))


def test_h3_resolution_matches_the_cell_size():
    assert h3_resolution(500) == 9
    assert h3_resolution(1000) == 8
    assert h3_resolution(2000) == 7


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.integers(0, 3), st.floats(0, 1e4, allow_nan=False)), min_size=1, max_size=40
    ),
    totals=st.lists(st.integers(0, 10**7), min_size=4, max_size=4),
)
def test_largest_remainder_is_exact_and_fair(data, totals):
    county = np.array([c for c, _ in data])
    quota = np.array([q for _, q in data])
    totals = np.array(totals)
    sums = np.bincount(county, quota, minlength=4)
    totals = np.where(sums > 0, totals, 0)  # a county without weight can hold nobody
    out = _largest_remainder(quota, county, totals)
    assert (np.bincount(county, out, minlength=4).astype(np.int64) == totals).all()
    share = np.divide(quota, sums[county], out=np.zeros(len(quota)), where=sums[county] > 0)
    scaled = share * totals[county]
    assert (out >= np.floor(scaled) - 1e-6).all() and (out <= np.ceil(scaled) + 1e-6).all()


def test_read_demand_points_from_csv(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "编号,经度,纬度,户数,人口,城乡\nA,111.30,23.48,100,,城镇\nB,111.31,23.49,,287,乡村\n",
        encoding="gbk",
    )
    demand = read_demand(path)
    assert list(demand.columns) == list(DEMAND_COLUMNS)
    assert demand["households"].tolist() == pytest.approx([100, 100])
    assert demand["population"].tolist() == pytest.approx([287, 287])
    assert demand["setting"].tolist() == ["urban", "rural"]
    assert demand["recyclables_kg_day"].tolist() == pytest.approx(
        [
            287 * DEMAND.recyclables_kg_per_person_day_urban,
            287 * DEMAND.recyclables_kg_per_person_day_rural,
        ]
    )
    assert demand.geometry.x.tolist() == pytest.approx([111.30, 111.31])
    gcj = read_demand(path, crs="gcj02")
    assert gcj.geometry.x.iloc[0] != pytest.approx(111.30, abs=1e-4)


def test_the_household_size_used_is_said_and_recorded(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("lon,lat,households\n24.94,60.17,100\n24.95,60.17,50\n", encoding="utf-8")
    with pytest.warns(UserWarning) as said:
        demand = read_demand(path)
    assert str(said[0].message) == (
        f"{path}: 2 rows give households only (people = households x size); household size "
        "2.87 persons per household (Guangxi's 2020 census figure, the default: set "
        "--household-size or [demand] household_size for another area)"
    )
    assert demand["population"].tolist() == pytest.approx([287, 143.5])
    record = demand.attrs["household_size"]
    assert record["persons_per_household"] == 2.87 and record["rows_households_only"] == 2
    # Filtering keeps the record (the pipeline drops empty units before the plan records it).
    assert demand[demand["households"] > 60].reset_index(drop=True).attrs == demand.attrs

    helsinki = Config().with_options(household_size=2.0).demand
    with pytest.warns(UserWarning, match=r"household size 2 persons per household \(as set"):
        assert read_demand(path, standards=helsinki)["population"].tolist() == [200, 100]
    both = tmp_path / "both.csv"
    both.write_text("lon,lat,households,population\n24.94,60.17,100,230\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "household_size" not in read_demand(both).attrs


def test_read_demand_polygons_from_geojson(tmp_path):
    blocks = gpd.GeoDataFrame(
        {"id": ["b1", "b2"], "population": [1200, 800], "adcode": [450403, 450405]},
        geometry=[
            shapely.box(111.30, 23.48, 111.31, 23.49),
            shapely.box(111.2, 23.4, 111.21, 23.41),
        ],
        crs="EPSG:4326",
    )
    blocks.to_file(tmp_path / "blocks.geojson", driver="GeoJSON")
    demand = read_demand(tmp_path / "blocks.geojson")
    assert demand["demand_id"].tolist() == ["b1", "b2"]
    assert demand["county_adcode"].tolist() == [450403, 450405]
    assert demand["households"].tolist() == pytest.approx([1200 / 2.87, 800 / 2.87])
    assert shapely.contains(demand["cell"].to_numpy(), demand.geometry.to_numpy()).all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lon,lat,households\n111.3,23.4,10\n111.3,23.4,many\n",
         r"bad\.csv, row 3, field 'households': 'many' is not a non-negative number"),
        ("lon,lat,households,population\n111.3,23.4,,\n",
         r"bad\.csv, row 2, field 'households': neither households nor population"),
        ("lon,lat,population,setting\n111.3,23.4,5,suburban\n",
         r"row 2, field 'setting': unknown setting 'suburban'"),
        ("population\n5\n", r"field '经度/lon': no coordinates"),
        ("lon,lat,population\n,23.4,5\n", r"row 2: missing coordinates"),
        ("lon,lat\n111.3,23.4\n", r"no 户数/households or 人口/population column"),
    ],
)  # fmt: skip
def test_read_demand_errors_name_file_row_and_field(tmp_path, text, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        read_demand(bad)


def test_osm_evidence_decides_within_the_township_totals(helsinki_area):
    """Two townships in the western county: each keeps its share, OSM places it inside."""
    features, counties, polygon = helsinki_area
    west = counties.geometry.iloc[0]
    x0, y0, x1, y1 = west.bounds
    towns = gpd.GeoDataFrame(
        {
            "township_code": ["000001001000", "000001002000"],
            "name_zh": ["西街道", "东镇"],
            "county_adcode": [1, 1],
            "city_adcode": [0, 0],
            "kind": ["subdistrict", "town"],
            "urban_committees": [3, 1],
            "rural_committees": [0, 4],
            "match": ["code", "code"],
            "code_2016": ["", ""],
            "point_source": ["township", "township"],
        },
        geometry=[shapely.Point(x0 + (x1 - x0) / 4, (y0 + y1) / 2),
                  shapely.Point(x0 + 3 * (x1 - x0) / 4, (y0 + y1) / 2)],
        crs="EPSG:4326",
    )  # fmt: skip
    demand = build_demand(
        polygon, counties=counties, townships=towns, features=features, cell_size_m=200
    )
    assert_census_totals(demand, counties.set_index("adcode"))
    got = demand.groupby("township_code")["population"].sum()
    # West county: 9,000 urban people 3:1, 1,001 rural 0:4.
    assert got["000001001000"] == pytest.approx(9_000 * 3 / 4, abs=1)
    assert got["000001002000"] == pytest.approx(9_000 / 4 + 1_001, abs=1)
    assert set(demand.loc[demand["county_adcode"] == 2, "township_code"]) == {""}
    # Within each township, people sit where the buildings and homes are.
    inside = demand[demand["county_adcode"] == 1]
    cells = gpd.GeoSeries(inside["cell"].to_numpy(), crs=4326)
    evidence = shapely.union(features.buildings.union_all(), features.residential.union_all())
    assert cells.intersects(evidence).all()


def test_read_demand_carries_the_townships_it_names_or_its_points_lie_in(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(
        "编号,经度,纬度,户数,乡镇代码,乡镇\n"
        "A,111.30,23.48,100,,城东街道\n"  # a name three counties share: the point's county
        "B,111.31,23.49,120,450422100,\n"  # a 9-digit code
        "C,111.2,23.5,5,,\n",  # nothing named: the point decides
        encoding="utf-8",
    )
    demand = read_demand(path)
    assert list(demand.columns) == list(DEMAND_COLUMNS)
    assert demand["township_code"].tolist() == ["450403001000", "450422100000", "450405002000"]
    assert demand["township_name"].tolist() == ["城东街道", "藤州镇", "兴龙街道"]
    assert demand["county_adcode"].tolist() == [450403, 450422, 450405]


@pytest.mark.parametrize(
    ("text", "message"),
    [("lon,lat,households,township\n111.3,23.48,10,城东街道\n111.3,23.48,10,城东接到\n",
      r"bad\.csv, row 3, field 'township': no township named '城东接到' in Guangxi today; "
      r"nearest names: 城东街道 \(450403001000, 万秀区\)"),
     ("lon,lat,households,乡镇代码\n111.3,23.48,10,450403999000\n",
      r"bad\.csv, row 2, field '乡镇代码': no township today has the code '450403999000'; "
      r"nearest codes: .*万秀区"),
     ("lon,lat,households,adcode,乡镇\n111.3,23.48,10,450405,城东街道\n",
      r"row 2, field '乡镇': no township named '城东街道' in 长洲区 today"),
     ("lon,lat,households,adcode,乡镇代码\n111.3,23.48,10,450405,450403001000\n",
      r"row 2, field '乡镇代码': township 城东街道 \(450403001000\) is in county 450403, "
      r"not 450405"),
     ("lon,lat,households,乡镇\n108.3,22.8,10,太平镇\n",
      r"row 2, field '乡镇': '太平镇' names several townships: .*give the township code")],
)  # fmt: skip
def test_a_township_that_matches_nothing_today_names_file_row_field_and_nearest(
    tmp_path, text, message
):
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match=message):
        read_demand(bad)


def test_area_outside_guangxi_needs_demand():
    with pytest.raises(InputFileError, match="no census: give --demand FILE"):
        load_demand(study_area(helsinki.AREA), helsinki.CONFIG)


def test_a_study_area_takes_the_demand_given_and_keeps_households_only(tmp_path):
    area = study_area(helsinki.AREA)
    demand = read_demand(helsinki.DEMAND)
    demand.loc[0, "households"] = 0
    frame = load_demand(area, helsinki.CONFIG, demand=demand)
    assert len(frame) == len(demand) - 1 and (frame["households"] > 0).all()
    assert "cell" in frame.columns
    from_file = load_demand(area, helsinki.CONFIG, demand=helsinki.DEMAND)
    assert from_file["households"].sum() == 9720.0  # the whole file: nothing dropped
