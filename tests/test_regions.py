"""Tests of gxnet.regions: every city by every kind of name, counties, aliases and errors."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gxnet import regions, settings
from gxnet._errors import AmbiguousRegionError, UnknownRegionError
from gxnet.regions import Region, get_city, get_county, get_region

# Written out by hand from the census table and the official romanisations, independent of the
# parquet: adcode, Chinese name, pinyin, 2020 population.
CITIES = [
    (450100, "南宁市", "Nanning", 8_741_584),
    (450200, "柳州市", "Liuzhou", 4_157_934),
    (450300, "桂林市", "Guilin", 4_931_137),
    (450400, "梧州市", "Wuzhou", 2_820_977),
    (450500, "北海市", "Beihai", 1_853_227),
    (450600, "防城港市", "Fangchenggang", 1_046_068),
    (450700, "钦州市", "Qinzhou", 3_302_238),
    (450800, "贵港市", "Guigang", 4_316_262),
    (450900, "玉林市", "Yulin", 5_796_766),
    (451000, "百色市", "Baise", 3_571_505),
    (451100, "贺州市", "Hezhou", 2_007_858),
    (451200, "河池市", "Hechi", 3_417_945),
    (451300, "来宾市", "Laibin", 2_074_611),
    (451400, "崇左市", "Chongzuo", 2_088_692),
]


def spellings(adcode: int, zh: str, pinyin: str) -> list[object]:
    """Every way a planner may name a city."""
    slug = pinyin.lower()
    return [
        slug,
        pinyin,
        pinyin.upper(),
        f"{slug}-shi",
        f"{pinyin} Shi",
        f"  {pinyin} City ",
        zh,
        zh.removesuffix("市"),
        adcode,
        str(adcode),
    ]


@pytest.mark.parametrize(("adcode", "zh", "pinyin", "population"), CITIES)
def test_every_city_by_pinyin_chinese_and_adcode(adcode, zh, pinyin, population):
    for name in spellings(adcode, zh, pinyin):
        city = get_city(name)
        assert (city.adcode, city.name_zh, city.name_pinyin) == (adcode, zh, pinyin), name
    assert city.slug == pinyin.lower()
    assert city.level == "city" and city.city_adcode == adcode
    assert city.population == population
    assert city.urban_population + city.rural_population == population
    assert get_region(pinyin) == city


def test_region_is_a_frozen_dataclass_with_census_figures():
    wuzhou = get_city("wuzhou")
    assert isinstance(wuzhou, Region)
    assert wuzhou.households == 889_839 and wuzhou.household_size == pytest.approx(2.97)
    with pytest.raises(AttributeError):
        wuzhou.slug = "x"  # type: ignore[misc]
    assert str(wuzhou) == "梧州市 Wuzhou (450400)"


@pytest.mark.parametrize(
    ("query", "city", "adcode"),
    [
        ("cangwu", "wuzhou", 450421),
        ("Cangwu Xian", None, 450421),
        ("苍梧县", None, 450421),
        ("苍梧", "梧州", 450421),
        ("长洲区", None, 450405),
        ("changzhou", 450400, 450405),
        ("Longxu", None, 450406),
        ("藤县", None, 450422),
        ("tengxian", None, 450422),
        ("融水", None, 450225),
        ("融水苗族自治县", None, 450225),
        ("rongshui", "liuzhou", 450225),
        ("罗城", None, 451225),
        ("Du'an", None, 451228),
        ("duan", "hechi", 451228),
        ("Xing'an", None, 450325),
        ("xing an", None, 450325),
        ("tian'e", None, 451222),
        ("岑溪市", None, 450481),
        (450481, None, 450481),
        ("451402", "chongzuo", 451402),
    ],
)
def test_counties_by_name_within_or_without_their_city(query, city, adcode):
    county = get_county(query, city=city)
    assert county.adcode == adcode
    assert county.level == "county"
    assert county.city_adcode == adcode // 100 * 100


@pytest.mark.parametrize(
    "alias", ["横县", "横州", "横州市", "hengzhou", "Hengxian", 450127, "450181"]
)
def test_hengzhou_is_found_by_its_2020_and_current_code_and_names(alias):
    county = get_county(alias, city="nanning")
    assert (county.adcode, county.name_zh, county.name_pinyin) == (450181, "横州市", "Hengzhou")
    assert county.population == 896_099


@pytest.mark.parametrize(
    ("alias", "adcode"),
    [(450331, 450381), ("荔浦县", 450381), (451021, 451003), ("田阳县", 451003),
     (451023, 451082), ("平果县", 451082), ("451281", 451203), ("宜州市", 451203)],
)  # fmt: skip
def test_counties_renamed_since_the_2016_division_list_keep_their_old_codes(alias, adcode):
    assert get_county(alias).adcode == adcode


def test_region_objects_are_accepted_as_city_and_as_query():
    wuzhou = get_city("wuzhou")
    assert get_county("万秀", city=wuzhou).name_pinyin == "Wanxiu"
    assert get_city(wuzhou) == wuzhou == get_region(wuzhou)
    with pytest.raises(UnknownRegionError, match="not a county"):
        get_county(wuzhou)


def test_region_level_and_totals():
    guangxi = get_region("guangxi")
    assert guangxi.level == "province" and guangxi.city_adcode is None
    assert guangxi.population == 50_126_804
    assert get_region("广西壮族自治区") == guangxi == get_region(450000)


def test_cities_and_counties_sum_to_the_census_totals():
    cities = regions.list_cities()
    assert len(cities) == 14
    assert cities["population"].sum() == 50_126_804
    assert cities["households"].sum() == 16_215_014
    assert cities["counties"].sum() == 111
    for city in cities.itertuples():
        counties = regions.list_counties(city.adcode)
        assert len(counties) == city.counties
        assert counties["population"].sum() == city.population
        assert counties["households"].sum() == city.households


def test_list_counties_of_wuzhou():
    counties = regions.list_counties("梧州")
    assert counties["name_pinyin"].tolist() == [
        "Wanxiu",
        "Changzhou",
        "Longxu",
        "Cangwu",
        "Tengxian",
        "Mengshan",
        "Cenxi",
    ]
    changzhou = counties.iloc[1]
    assert changzhou[["adcode", "urban_population", "households"]].tolist() == [
        450405,
        274_444,
        98_147,
    ]
    assert changzhou["household_size"] == pytest.approx(2.81)
    assert "geometry" not in counties


def test_names_and_slugs_are_clean():
    table = regions.boundaries(level="county")
    slugs = pd.concat([table["slug"], regions.boundaries(level="city")["slug"]])
    assert slugs.is_unique
    assert slugs.str.fullmatch(r"[a-z0-9-]+").all()
    assert table["name_pinyin"].str.fullmatch(r"[A-Z][a-z']+").all()


def test_boundaries_nest_and_are_valid_wgs84_polygons():
    counties = regions.boundaries("wuzhou")
    assert counties.crs.to_epsg() == 4326
    assert len(counties) == 7 and counties.is_valid.all()
    assert set(counties.geom_type) <= {"Polygon", "MultiPolygon"}
    assert {"adcode", "name_zh", "name_pinyin", "population", "households"} <= set(counties)
    city = get_city("wuzhou").boundary
    union = shapely.union_all(counties.geometry.values)
    assert union.symmetric_difference(city).area < 1e-9 * city.area
    minx, miny, maxx, maxy = city.bounds
    assert 110.2 < minx < maxx < 111.8 and 22.5 < miny < maxy < 24.5
    assert len(regions.boundaries(level="city")) == 14
    assert len(regions.boundaries(level="province")) == 1
    assert len(regions.boundaries()) == 111
    with pytest.raises(ValueError, match="level must be"):
        regions.boundaries(level="town")


def test_unknown_city_lists_the_closest_names():
    with pytest.raises(UnknownRegionError, match=r"no city named 'wuzho'.*Wuzhou \(梧州市\)"):
        get_city("wuzho")
    with pytest.raises(UnknownRegionError, match=r"Guilin \(桂林市\)"):
        get_city("guilinn")
    with pytest.raises(UnknownRegionError, match=r"no city named '梧洲'.*did you mean Wuzhou"):
        get_city("梧洲")
    with pytest.raises(UnknownRegionError, match=r"'changzho' in Wuzhou.*Changzhou \(长洲区\)"):
        get_county("changzho", city="wuzhou")
    with pytest.raises(UnknownRegionError, match=r"no county named 'xyz' in Guangxi"):
        get_county("xyz")
    with pytest.raises(UnknownRegionError, match=r"`gxnet cities wuzhou` lists its counties"):
        get_county("xyz", city="wuzhou")


def test_name_of_another_level_says_what_it_is():
    with pytest.raises(
        UnknownRegionError, match=r"not a city.*苍梧县 Cangwu \(450421, in Wuzhou\)"
    ):
        get_city("cangwu")
    with pytest.raises(UnknownRegionError, match=r"not a county.*梧州市 Wuzhou \(450400, city\)"):
        get_county("wuzhou")
    with pytest.raises(UnknownRegionError, match=r"not a county in Guilin.*in Wuzhou"):
        get_county("cangwu", city="guilin")


def test_adcodes_outside_guangxi_or_unknown_or_of_the_wrong_level():
    with pytest.raises(UnknownRegionError, match=r"adcode 110000 is not in Guangxi"):
        get_city(110000)
    with pytest.raises(UnknownRegionError, match=r"adcode 450199 is unknown"):
        get_city("450199")
    with pytest.raises(UnknownRegionError, match=r"adcode 450421 is 苍梧县.*not a city"):
        get_city(450421)


@pytest.fixture
def duplicated_name(tmp_path, monkeypatch):
    """A reference table in which a second county named 兴宁区 (Xingning) lies in Wuzhou."""
    table = gpd.read_parquet(settings.reference_dir / "regions.parquet")
    copy = table[table["adcode"] == 450102].assign(adcode=450499, city_adcode=450400)
    copy["slug"] = "xingning-wuzhou"
    pd.concat([table, copy]).to_parquet(tmp_path / "regions.parquet")
    monkeypatch.setattr(settings, "reference_dir", tmp_path)
    regions._table.cache_clear()
    regions._name_index.cache_clear()
    yield
    regions._table.cache_clear()
    regions._name_index.cache_clear()


def test_ambiguous_county_lists_the_candidates_with_their_city(duplicated_name):
    with pytest.raises(
        AmbiguousRegionError,
        match=r"'兴宁' names several units: 兴宁区 Xingning \(450102, in Nanning\); "
        r"兴宁区 Xingning \(450499, in Wuzhou\); give the adcode or the city",
    ):
        get_county("兴宁")
    assert get_county("xingning", city="wuzhou").adcode == 450499
    assert get_county("xingning-wuzhou").adcode == 450499
