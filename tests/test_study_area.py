"""The study area: a Guangxi city or county by name or code, a polygon file, a polygon."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from gxnet._errors import InputFileError, UnknownRegionError
from gxnet.study_area import StudyArea, guangxi_counties, study_area
from tests.helsinki import AREA


@pytest.mark.parametrize("name", ["wuzhou", "梧州", "梧州市", "450400"])
def test_a_city_by_pinyin_chinese_or_adcode(name):
    area = study_area(name)
    assert (area.name, area.slug) == ("梧州市", "wuzhou")
    assert area.source == {"kind": "region", "adcode": 450400, "name": "梧州市"}
    assert area.region is not None and area.boundary.equals(area.region.boundary)
    assert study_area(area) is area


def test_a_county_is_a_study_area_of_its_own():
    area = study_area("万秀区")
    assert area.region.level == "county" and area.source["adcode"] == 450403
    assert list(guangxi_counties(area.boundary)["adcode"]) == [450403]


def test_a_polygon_file_names_the_area_and_records_its_hash():
    area = study_area(AREA)
    assert (area.name, area.region) == ("helsinki_area", None)
    assert area.slug.startswith("helsinki_area-") and len(area.slug) == len("helsinki_area-") + 8
    assert area.source["kind"] == "file" and len(area.source["sha256"]) == 64
    assert area.source["wkt"] == area.boundary.wkt


@pytest.mark.parametrize(
    ("stem", "readable"),
    [
        ("My District (v2)", "my-district-v2"),
        ("a__b", "a__b"),
        ("万秀区东部", "万秀区东部"),
        ("<img src=x onerror=alert(1)>", "img-src-x-onerror-alert-1"),
    ],
)
def test_file_names_become_readable_folder_names(tmp_path, stem, readable):
    path = tmp_path / f"{stem}.geojson"
    gpd.GeoDataFrame(geometry=[box(111.2, 23.4, 111.3, 23.5)], crs="EPSG:4326").to_file(path)
    slug = study_area(path).slug
    assert slug.rpartition("-")[0] == readable and len(slug.rpartition("-")[2]) == 8


def test_different_area_files_never_share_a_folder(tmp_path):
    """Chinese names, the same name in two folders, names without any Latin letter."""
    slugs = set()
    for n, folder in enumerate(["a", "b"]):
        for stem in ("东区", "西区", "区"):
            path = tmp_path / folder / f"{stem}.geojson"
            path.parent.mkdir(exist_ok=True)
            shape = box(111.2 + n / 10, 23.4, 111.3 + n / 10, 23.5 + len(stem) / 100)
            gpd.GeoDataFrame(geometry=[shape], crs="EPSG:4326").to_file(path)
            slugs.add(study_area(path).slug)
    assert len(slugs) == 6
    again = study_area(tmp_path / "a" / "东区.geojson").slug
    assert again in slugs  # the same file: the same folder, run after run
    # The OSM caches take latin names only (gxnet fetch --name): the hash stands in.
    east = study_area(tmp_path / "a" / "东区.geojson")
    assert east.cache_name == "area-" + east.slug.rpartition("-")[2]
    assert study_area(AREA).cache_name == study_area(AREA).slug


def test_a_polygon_is_a_study_area_without_a_name():
    area = study_area(box(0, 0, 1, 1))
    assert isinstance(area, StudyArea)
    assert (area.name, area.source) == ("study area", {"kind": "geometry"})
    assert area.slug.startswith("area-") and area.slug != study_area(box(0, 0, 2, 1)).slug


def test_counties_overlapped_but_not_those_only_touched():
    county = study_area("万秀区").boundary
    inside = county.buffer(-0.01)
    assert list(guangxi_counties(inside)["adcode"]) == [450403]
    assert len(guangxi_counties(county.buffer(0.01))) > 1  # the neighbours reach into it
    assert guangxi_counties(box(24.9, 60.1, 25.0, 60.2)).empty  # Helsinki


def test_an_unreadable_area_file_is_named(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        study_area(path)
    assert "broken.geojson" in str(err.value)


def test_unknown_city():
    with pytest.raises(UnknownRegionError):
        study_area("atlantis")
