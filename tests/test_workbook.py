"""The plan's workbook and its CSV tables, read back as a planner's Excel would see them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from gxnet import crs
from gxnet._messages import display_width
from gxnet.outputs import OutputUnit
from gxnet.plan import Plan, PlanDiff
from gxnet.workbook import write_tables, write_workbook
from tests.test_report import township_plan


def planned(name_p2: str = "长洲回收点") -> Plan:
    """The report's small plan with townships, addresses and the points' walk times."""
    plan = township_plan()
    plan.sites["name"] = plan.sites["name"].where(plan.sites["site_id"] != "P2", name_p2)
    plan.sites["address"] = ["西江一路 1 号", '=HYPERLINK("http://x")', "", "龙华路"]
    plan.sites["mean_travel_s"] = [525.00000001, 120.0, np.nan, 600.0]
    plan.sites["max_travel_s"] = [600.0, 1200.0, np.nan, 900.0]
    plan.sites["centre_id"] = ["C1", "C1", "", ""]
    plan.provenance["inputs"] = {"sites": {"path": "sites.xlsx", "sha256": "ab" * 32}}
    plan.provenance["created_utc"] = "2026-01-02T03:04:05+00:00"
    plan.provenance["standards"]["points"] = {"households_per_point_urban": 2000}
    return plan


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def table(sheet) -> pd.DataFrame:
    values = rows(sheet)
    return pd.DataFrame(values[1:], columns=values[0])


def test_chinese_sheets_headers_formats_and_frozen_header(tmp_path):
    book = load_workbook(write_workbook(planned(), tmp_path / "plan.xlsx"))
    assert book.sheetnames == ["概要", "选中站点", "分县区", "分乡镇", "未选中候选点"]
    sites = book["选中站点"]
    header = [c.value for c in sites[1]]
    assert header[:7] == ["编号", "名称", "类型", "状态", "县区", "乡镇/街道", "地址"]
    assert "经度（GCJ-02，高德/腾讯）" in header and "纬度（WGS-84）" in header
    assert sites.freeze_panes == "A2" and sites.auto_filter.ref == f"A1:{_letter(header)}4"
    column = {name: i + 1 for i, name in enumerate(header)}
    p1 = 2  # sorted by tier then ID: P1, P2, then the centre C1
    assert sites.cell(p1, column["编号"]).value == "P1"
    assert sites.cell(p1, column["县区"]).value == "万秀区"
    assert sites.cell(p1, column["状态"]).value == "已有"
    assert sites.cell(p1, column["服务户数"]).number_format == "#,##0"
    minutes = sites.cell(p1, column["平均步行/骑行（分钟）"])
    assert minutes.value == 8.8 and minutes.number_format == "0.0"  # no float noise
    assert sites.cell(p1, column["至分拣中心车程（分钟）"]).value == 15.0
    assert sites.cell(p1, column["送往站点"]).value == "梧州分拣中心"
    assert sites.cell(p1, column["经度（GCJ-02，高德/腾讯）"]).number_format == "0.000000"
    assert (
        sites.cell(4, column["容量"]).value == 50 and sites.cell(4, column["单位"]).value == "吨/日"
    )
    counties = book["分县区"]
    assert counties.freeze_panes == "A2"
    by_county = table(counties).set_index("县区")
    assert by_county.loc["万秀区", "户数"] == 500 and by_county.loc["万秀区", "覆盖率"] == 0.8
    coverage = [c for c in counties[2] if c.value == 0.8][0]
    assert coverage.number_format == "0.0%"
    towns = table(book["分乡镇"]).set_index("乡镇/街道")
    assert towns.loc["城东街道", "户数"] == 400 and towns.loc["城东街道", "回收点数"] == 2
    assert towns.loc["城南街道", "流动回收"] == "是（服务标准内无候选站点）"
    candidates = table(book["未选中候选点"])
    assert list(candidates["编号"]) == ["P3"] and list(candidates["状态"]) == ["候选（未选中）"]


def _letter(header: list) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(header))


def test_english_workbook(tmp_path):
    book = load_workbook(write_workbook(planned(), tmp_path / "plan.xlsx", lang="en"))
    assert book.sheetnames == [
        "Summary", "Chosen sites", "By county", "By township", "Candidates not chosen",
    ]  # fmt: skip
    header = [c.value for c in book["Chosen sites"][1]]
    assert header[:4] == ["ID", "Name", "Type", "Status"]
    assert "Longitude (GCJ-02, AMap/Tencent)" in header
    summary = dict(rows(book["Summary"])[1:])
    assert summary["Solver status"] == "proven optimal"
    assert summary["Made at (UTC)"] == "2026-01-02T03:04:05+00:00"
    assert summary["SHA-256: sites"] == "ab" * 32 and summary["Input: sites"] == "sites.xlsx"
    assert "Households per urban point: 2,000" in summary


def test_both_coordinate_systems_round_trip_within_a_metre(tmp_path):
    plan = planned()
    sites = table(load_workbook(write_workbook(plan, tmp_path / "plan.xlsx"))["选中站点"])
    truth = plan.sites.set_index("site_id").geometry
    lon, lat = crs.convert(
        sites["经度（GCJ-02，高德/腾讯）"], sites["纬度（GCJ-02，高德/腾讯）"], crs.GCJ02, crs.WGS84
    )
    for i, site in enumerate(sites["编号"]):
        for x, y in ((lon[i], lat[i]), (sites["经度（WGS-84）"][i], sites["纬度（WGS-84）"][i])):
            east = (x - truth[site].x) * 111_320 * math.cos(math.radians(y))
            north = (y - truth[site].y) * 110_574
            assert math.hypot(east, north) < 1.0, site
    shift = sites["经度（GCJ-02，高德/腾讯）"] - sites["经度（WGS-84）"]
    assert (shift.abs() > 0.003).all()  # GCJ-02 is a few hundred metres off in Guangxi


def test_formula_like_text_is_kept_as_text_and_widths_count_chinese_twice(tmp_path):
    book = load_workbook(write_workbook(planned("=1+1"), tmp_path / "plan.xlsx"))
    sites = book["选中站点"]
    values = [c.value for row in sites.iter_rows() for c in row]
    assert "'=1+1" in values and '\'=HYPERLINK("http://x")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    name_width = sites.column_dimensions["B"].width
    assert name_width >= display_width("梧州分拣中心") + 2 == 14


def test_csv_tables_follow_the_workbook(tmp_path):
    written = write_tables(planned(), tmp_path, lang="zh")
    assert [p.name for p in written] == [
        "plan.xlsx", "sites.csv", "counties.csv", "townships.csv", "candidates.csv",
    ]  # fmt: skip
    raw = (tmp_path / "sites.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(tmp_path / "sites.csv", encoding="utf-8-sig", dtype=str)
    sheet = table(load_workbook(tmp_path / "plan.xlsx")["选中站点"])
    assert list(csv.columns) == list(sheet.columns) and len(csv) == 3
    assert list(csv["至分拣中心车程（分钟）"]) == ["15.0", "5.0", "10.0"]  # a centre: its mean


def test_a_resolve_gets_a_changes_sheet(tmp_path):
    old = planned()
    new = planned()
    new.sites["chosen"] = [True, False, True, True]
    diff = PlanDiff.between(old, new, {"P2": "withdrawn: not in the new list"}, 0.0)
    new.changes, new.county_changes = diff.sites, diff.counties
    book = load_workbook(write_workbook(new, tmp_path / "plan.xlsx", lang="en"))
    assert "Changes" in book.sheetnames
    changes = table(book["Changes"]).set_index("ID")
    assert changes.loc["P3", "Change"] == "opened" and changes.loc["P2", "Change"] == "closed"
    assert changes.loc["P1", "Change"] == "kept"
    assert changes.loc["P2", "Reason"] == "withdrawn: not in the new list"
    assert changes.loc["P2", "Households served before"] == 300


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_plan_folder_holds_the_workbook(tmp_path, lang):
    unit = OutputUnit(tmp_path / "plans" / "wuzhou", tmp_path / "maps" / "wuzhou.html")
    with unit.hold():
        unit.replace(planned(), basemap="none", lang=lang)
    book = load_workbook(unit.folder / "plan.xlsx", read_only=True)
    assert book.sheetnames[0] == ("概要" if lang == "zh" else "Summary")
