"""Tests of gxnet.townships: today's townships, lookups by code and name, and locating points."""

from __future__ import annotations

import numpy as np
import pytest

from gxnet._errors import AmbiguousRegionError, UnknownRegionError
from gxnet.townships import (
    LOCATED_SOURCES,
    POINT_SOURCES,
    TOWNSHIP_COLUMNS,
    find_township,
    list_townships,
    locate_townships,
    nearest_township,
    township_code,
    township_key,
    township_kind,
)


def test_list_townships_of_a_city_a_county_and_the_region():
    everything = list_townships()
    assert list(everything.columns) == list(TOWNSHIP_COLUMNS)
    assert len(everything) == 1267
    wuzhou = list_townships("wuzhou")
    assert len(wuzhou) == 67 and set(wuzhou["city_adcode"]) == {450400}
    assert len(list_townships("藤县")) == 17
    assert len(list_townships("guangxi")) == 1267
    assert set(everything["point_source"]) <= set(POINT_SOURCES)
    assert set(everything["kind"]) == {"subdistrict", "town", "township", "special"}
    # A fresh frame each time: a caller's change does not leak into the next call.
    wuzhou["name_zh"] = "x"
    assert list_townships("wuzhou")["name_zh"].iloc[0] != "x"


@pytest.mark.parametrize(
    ("name", "key", "kind"),
    [("城东街道", "城东", "subdistrict"), ("城中办街道事处", "城中", "subdistrict"),
     ("古砦仫佬族乡", "古砦", "township"), ("藤州镇", "藤州", "town"),
     ("九曲湾农场", "九曲湾农场", "special"), ("乡", "乡", "township")],
)  # fmt: skip
def test_township_key_and_kind(name, key, kind):
    assert township_key(name) == key
    assert township_kind(name) == kind


def test_township_key_drops_the_county_unless_it_is_the_whole_name():
    assert township_key("防城区滩营乡", "防城区") == "滩营"
    assert township_key("七星区街道办事处", "七星区") == "七星区"


def test_township_code_accepts_9_and_12_digits_and_excel_floats():
    assert township_code("450403001") == "450403001000"
    assert township_code("450403001000.0") == "450403001000"
    assert township_code(" 450403001000 ") == "450403001000"
    assert township_code("4504030") == ""
    assert township_code("城东") == ""


@pytest.mark.parametrize(
    "query",
    [{"code": "450403001000"}, {"code": "450403001"}, {"name": "城东街道", "county_adcode": 450403},
     {"name": "万秀区城东街道办事处"}, {"code": 450403001000, "name": "城东街道"}],
)  # fmt: skip
def test_find_township_by_code_or_name(query):
    found = find_township(**query)
    assert (found["township_code"], found["name_zh"]) == ("450403001000", "城东街道")


def test_find_township_tells_a_town_from_a_subdistrict_of_the_same_name():
    assert find_township(name="城东镇", county_adcode=450403)["township_code"] == "450403105000"


def test_find_township_names_the_nearest_matches():
    with pytest.raises(UnknownRegionError, match=r"no township named '城东接到' in 万秀区 today; "
                       r"nearest names: 城东街道 \(450403001000, 万秀区\)"):  # fmt: skip
        find_township(name="城东接到", county_adcode=450403)
    with pytest.raises(UnknownRegionError, match=r"nearest names: 藤州镇 \(450422100000, 藤县\)"):
        find_township(name="籐州镇")
    with pytest.raises(UnknownRegionError, match=r"no township today has the code '450403999000';"
                       r" nearest codes: .*\(4504031\d\d000, 万秀区\)"):  # fmt: skip
        find_township(code="450403999000")
    with pytest.raises(UnknownRegionError, match=r"code 450403001000 is 城东街道 .* not '城南'"):
        find_township(code="450403001000", name="城南")
    with pytest.raises(AmbiguousRegionError, match=r"'太平镇' names several townships: .*藤县"):
        find_township(name="太平镇")


def test_nearest_township_stays_in_the_county():
    # Two counties side by side; the point at x=9 is nearer county 1's township (x=10) but
    # belongs to county 0.
    tx, ty, tc = np.array([0.0, 10.0]), np.array([0.0, 0.0]), np.array([0, 1])
    got = nearest_township(
        np.array([0, 1, 0, 7]), np.array([9.0, 1.0, np.nan, 0.0]), np.zeros(4), tc, tx, ty
    )
    assert got.tolist() == [0, 1, -1, -1]


def test_locate_townships_finds_county_and_township():
    towns = list_townships("wuzhou").set_index("name_zh")
    seat = towns.loc["藤州镇"].geometry
    where = locate_townships(np.array([seat.x, 120.0]), np.array([seat.y, 30.0]))
    assert where.iloc[0].tolist() == [450422, "450422100000", "藤州镇"]
    assert where.iloc[1].tolist() == [0, "", ""]  # Zhejiang


def test_located_sources_are_evidence_not_fallback():
    assert {"township", "committees"} == LOCATED_SOURCES
