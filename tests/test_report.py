"""Per-county tables and reports of a small hand-made plan whose figures are worked out below."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gxnet._errors import UserInputError
from gxnet.document import render_report, write_report
from gxnet.plan import Plan, measure
from gxnet.report import county_table, plan_totals, township_table, walk_times

# Two counties side by side near Wuzhou: 万秀区 west of 111.1°E, 长洲区 east of it.
WEST, EAST = 450403, 450405


def small_plan(*, cost_mode: str | dict = "road", point_sites: list[int] | None = None) -> Plan:
    """Five demand rows, three point sites (two chosen), one centre.

    万秀区: 100 households at 5 min and 300 at 10 min from P1 (covered), 100 at 20 min from P2
    (not covered) -> 500 households, 400 covered, whose mean walk is 8.75 min and 95th
    percentile 10 min.
    长洲区: 200 households at 2 min from P2 (covered), 50 with no point -> 250, 200 covered.
    """
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["P1", "P2", "P3", "C1"],
            "name": ["河东回收点", "长洲回收点", "未选点", "梧州分拣中心"],
            "tier": ["recycling_point"] * 3 + ["sorting_centre"],
            "status": ["existing", "candidate", "candidate", "candidate"],
            "chosen": [True, True, False, True],
            "households_served": [400.0, 300.0, 0.0, 700.0],
            "load": [400.0, 300.0, 0.0, 1.05],
            "capacity": [2000.0, 2000.0, 2000.0, 50.0],
        },
        geometry=gpd.points_from_xy([111.05, 111.15, 111.02, 111.16], [23.45, 23.45, 23.46, 23.47]),
        crs="EPSG:4326",
    )
    if point_sites is not None:
        sites["points"] = point_sites
    demand = gpd.GeoDataFrame(
        {
            "demand_id": ["d1", "d2", "d3", "d4", "d5"],
            "households": [100.0, 300.0, 100.0, 200.0, 50.0],
            "population": [290.0, 870.0, 290.0, 580.0, 145.0],
            "county_adcode": [WEST, WEST, WEST, EAST, EAST],
            "setting": ["urban"] * 5,
            "point_id": ["P1", "P1", "P2", "P2", ""],
            "travel_s": [300.0, 600.0, 1200.0, 120.0, np.nan],
            "covered": [True, True, False, True, False],
        },
        geometry=gpd.points_from_xy(
            [111.04, 111.06, 111.08, 111.14, 111.19], [23.44, 23.46, 23.45, 23.45, 23.48]
        ),
        crs="EPSG:4326",
    )
    links = gpd.GeoDataFrame(
        {"point_id": ["P1", "P2"], "centre_id": ["C1", "C1"], "travel_s": [900.0, 300.0]},
        geometry=[
            shapely.LineString([(111.05, 23.45), (111.16, 23.47)]),
            shapely.LineString([(111.15, 23.45), (111.16, 23.47)]),
        ],
        crs="EPSG:4326",
    )
    counties = gpd.GeoDataFrame(
        {
            "adcode": [WEST, EAST],
            "name_zh": ["万秀区", "长洲区"],
            "name_pinyin": ["Wanxiu", "Changzhou"],
            "population": [1450.0, 725.0],
            "households": [500.0, 250.0],
        },
        geometry=[shapely.box(111.0, 23.4, 111.1, 23.5), shapely.box(111.1, 23.4, 111.2, 23.5)],
        crs="EPSG:4326",
    )
    provenance = {
        "area_name": "梧州市",
        "cost_mode": cost_mode,
        "standards": {"costs": {"detour_factor": 1.3}},
    }
    metrics = {"solver": "highs", "status": "optimal", "gap": 0.0}
    return Plan(sites, demand, links, counties, metrics, provenance)


def test_county_table_has_each_countys_figures():
    table = county_table(small_plan()).set_index("county_adcode")
    west, east = table.loc[WEST], table.loc[EAST]
    assert (west["name_zh"], west["name_pinyin"]) == ("万秀区", "Wanxiu")
    assert (west["households"], west["covered_households"]) == (500.0, 400.0)
    assert west["coverage"] == pytest.approx(0.8)
    assert (west["points"], west["centres"]) == (1, 0)  # P3 is not chosen
    # Walk times are those of covered households: (100 * 5 + 300 * 10) / 400.
    assert west["walk_mean_min"] == pytest.approx(8.75)
    assert west["walk_p95_min"] == pytest.approx(10.0)
    assert (east["households"], east["covered_households"]) == (250.0, 200.0)
    assert (east["points"], east["centres"]) == (1, 1)
    assert east["walk_mean_min"] == pytest.approx(2.0)
    assert east["walk_p95_min"] == pytest.approx(2.0)


def test_totals_cover_the_whole_plan_as_its_metrics_do():
    plan = small_plan()
    totals = plan_totals(plan)
    assert (totals["households"], totals["covered_households"]) == (750.0, 600.0)
    assert (totals["points"], totals["centres"]) == (2, 1)
    assert totals["walk_mean_min"] == pytest.approx((500 + 3000 + 400) / 600)
    assert totals["walk_p95_min"] == pytest.approx(10.0)
    metrics = measure(plan.sites, plan.demand, plan.links)
    assert totals["walk_mean_min"] == pytest.approx(metrics["walk_mean_s"] / 60)
    assert totals["walk_p95_min"] == pytest.approx(metrics["walk_p95_s"] / 60)
    assert totals["coverage"] == pytest.approx(metrics["coverage"])


def test_points_count_every_point_a_site_hosts():
    table = county_table(small_plan(point_sites=[3, 1, 1, 0])).set_index("county_adcode")
    assert table.loc[WEST, "points"] == 3
    assert plan_totals(small_plan(point_sites=[3, 1, 1, 0]))["points"] == 4


def test_sites_outside_every_county_are_kept_apart():
    plan = small_plan()
    plan.sites.loc[1, "geometry"] = shapely.Point(112.5, 23.45)
    table = county_table(plan).set_index("county_adcode")
    assert table.loc[0, "points"] == 1
    assert table.loc[0, "name_zh"] == ""
    assert table.loc[EAST, "points"] == 0
    assert "| Outside the counties | 0 | 0 | – | 1 | 0 | – | – |" in render_report(plan, lang="en")


def test_a_study_area_outside_guangxi_is_one_named_row():
    plan = small_plan()
    plan.demand["county_adcode"] = 0
    plan.counties = plan.counties.iloc[:1].assign(
        adcode=0,
        name_zh="Helsinki",
        name_pinyin="Helsinki",
        geometry=[shapely.box(111, 23, 112, 24)],
    )
    text = render_report(plan, lang="en")
    assert "| Helsinki | 750 | 600 | 80.0% | 2 | 1 | 6.5 | 10.0 |" in text
    assert "Outside the counties" not in text


def test_walk_times_weight_by_households():
    plan = small_plan()
    times = walk_times(plan.demand, plan.demand["point_id"])
    assert times.loc["P1", "walk_mean_min"] == pytest.approx((100 * 5 + 300 * 10) / 400)
    assert times.loc["P1", "walk_p95_min"] == pytest.approx(10.0)
    # P2's 20-minute cell is beyond the standard: only its covered 2-minute cell counts.
    assert times.loc["P2", "walk_p95_min"] == pytest.approx(2.0)
    assert "" not in times.index


def test_markdown_report_in_chinese():
    text = render_report(small_plan())
    assert text.startswith("# 梧州市 回收网络规划\n")
    assert "- 步行/骑行时间依据: 道路网络" in text and "- 货车车程依据: 道路网络" in text
    assert "- 求解器: highs" in text
    assert "| 万秀区 | 500 | 400 | 80.0% | 1 | 0 | 8.8 | 10.0 |" in text
    assert "| 长洲区 | 250 | 200 | 80.0% | 1 | 1 | 2.0 | 2.0 |" in text
    assert "| 合计 | 750 | 600 | 80.0% | 2 | 1 | 6.5 | 10.0 |" in text
    assert "注意" not in text


def test_markdown_report_in_english_warns_of_straight_lines():
    text = render_report(small_plan(cost_mode="straight_line"), lang="en")
    assert "| Wanxiu | 500 | 400 | 80.0% | 1 | 0 | 8.8 | 10.0 |" in text
    assert "| Total | 750 | 600 | 80.0% | 2 | 1 | 6.5 | 10.0 |" in text
    assert "did not use a road network" in text
    assert "detour factor of 1.3" in text
    assert "straight-line distance × detour factor" in text


def test_html_report_is_self_contained_and_escaped():
    plan = small_plan()
    plan.counties.loc[0, "name_zh"] = "<万秀区>"
    page = render_report(plan, fmt="html")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="zh">' in page
    row = '<td>&lt;万秀区&gt;</td><td class="num">500</td><td class="num">400</td>'
    assert row + '<td class="num">80.0%</td>' in page
    assert '<td>合计</td><td class="num">750</td>' in page
    assert 'src="data:image/png;base64,' in page  # the still map travels inside the file
    assert "http://" not in page and "https://" not in page


def test_english_title_of_a_guangxi_city_is_in_pinyin():
    plan = small_plan()
    plan.provenance["area"] = {"kind": "region", "adcode": 450400, "name": "梧州市"}
    assert render_report(plan, lang="en").startswith("# Wuzhou recycling network plan\n")
    assert render_report(plan).startswith("# 梧州市 回收网络规划\n")


def test_write_report_chooses_format_by_suffix(tmp_path):
    html_path = write_report(small_plan(), tmp_path / "out" / "report.html", lang="en")
    assert html_path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    md_path = write_report(small_plan(), tmp_path / "report.md")
    assert md_path.read_text(encoding="utf-8").startswith("# 梧州市")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "report.md"]


def test_bad_format_language_and_suffix_are_refused(tmp_path):
    with pytest.raises(UserInputError, match="unknown report format 'docx'"):
        render_report(small_plan(), fmt="docx")
    with pytest.raises(UserInputError, match="unknown language 'fr'"):
        render_report(small_plan(), lang="fr")
    with pytest.raises(UserInputError, match=r"report\.txt: cannot tell the report format"):
        write_report(small_plan(), tmp_path / "report.txt")
    assert not list(tmp_path.iterdir())


def test_hostile_names_stay_text_in_both_reports():
    plan = small_plan()
    hostile = "<img src=x onerror=alert(1)>\x1b[2J|"
    plan.counties.loc[0, "name_zh"] = hostile
    plan.provenance["area_name"] = hostile
    markdown = render_report(plan, fmt="markdown")
    assert "<img" not in markdown and "\x1b" not in markdown
    assert "# &lt;img src=x onerror=alert(1)&gt; [2J|" in markdown  # the title
    assert "| &lt;img src=x onerror=alert(1)&gt; [2J\\| |" in markdown  # the county's cell
    page = render_report(plan, fmt="html")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x1b" not in page


def township_plan() -> Plan:
    """The small plan with its townships: 城东 (P1's, 2 points) and 城南 (no site, mobile) in
    万秀区; 大塘 (P2's) and 兴龙 (no site, mobile) in 长洲区."""
    from gxnet.assemble import township_figures, township_layer

    plan = small_plan(point_sites=[2, 1, 1, 0])
    codes = {"城东街道": "450403001000", "城南街道": "450403002000"}
    codes |= {"大塘街道": "450405001000", "兴龙街道": "450405002000"}
    names = ["城东街道", "城东街道", "城南街道", "大塘街道", "兴龙街道"]
    plan.demand["township_name"] = names
    plan.demand["township_code"] = [codes[n] for n in names]
    plan.sites["county_adcode"] = [WEST, EAST, WEST, EAST]
    plan.sites["township_name"] = ["城东街道", "大塘街道", "城南街道", "大塘街道"]
    plan.sites["township_code"] = plan.sites["township_name"].map(codes)
    needs = pd.DataFrame(
        {
            "county_adcode": [WEST, WEST, EAST, EAST],
            "township_code": list(codes.values()),
            "township_name": list(codes),
            "households": [400.0, 100.0, 200.0, 50.0],
            "reach": [400.0, 0.0, 200.0, 0.0],
            "fixed": [True, False, True, False],
            "reason": ["", "no_site", "", "no_site"],
        }
    )
    plan.townships = township_layer(needs, plan.sites, plan.demand)
    plan.metrics |= township_figures(plan.townships, plan.counties, plan.sites)
    plan.provenance["standards"] |= {"targets": {"township_minimum": True}}
    return plan


def test_township_table_and_report_sections_by_county():
    plan = township_plan()
    table = township_table(plan)
    assert list(table["township_name"]) == ["城东街道", "城南街道", "大塘街道", "兴龙街道"]
    assert list(table["covered_households"]) == [400.0, 0.0, 200.0, 0.0]
    assert list(table["points"]) == [2, 0, 1, 0]
    assert list(table["mobile"]) == [False, True, False, True]
    assert list(table["reason"]) == ["", "no_site", "", "no_site"]
    text = render_report(plan)
    assert "## 分乡镇统计" in text
    west = text.index("### 万秀区")
    east = text.index("### 长洲区")
    assert west < text.index("| 城东街道 | 400 | 400 | 100.0% | 2 | – |") < east
    assert west < text.index("| 城南街道 | 100 | 0 | 0.0% | 0 | 服务标准内无候选站点 |") < east
    assert east < text.index("| 兴龙街道 | 50 | 0 | 0.0% | 0 | 服务标准内无候选站点 |")
    assert "- 乡镇保底: 每个乡镇至少一个回收点（2 个乡镇有回收点）" in text
    assert "- 流动回收乡镇: 2 个，共 150 户" in text
    assert "2016 divisions: Vonng/adcode (CC BY 4.0)" in text and "Census 2020" in text
    page = render_report(plan, fmt="html", lang="en")
    assert "<h2>By township</h2>" in page and "<h3>Wanxiu</h3>" in page
    assert "<td>yes (no candidate site within the standard)</td>" in page
    assert "<th>Township minimum</th><td>at least one recycling point per township" in page


def test_report_says_how_each_leg_was_measured():
    plan = small_plan(cost_mode={"walk": "straight_line", "truck": "highway"})
    plan.provenance["network_meta"] = {"truck": {"access_kmh": 30 / 1.3}}
    text = render_report(plan, lang="en")
    assert "- Walking and riding times from: straight-line distance × detour factor" in text
    assert "- Truck times from: the Guangxi highway graph (access legs straight-line)" in text
    assert "truck times follow the Guangxi highway graph" in text and "at 23 km/h" in text
    assert "Highways: © OpenStreetMap contributors (ODbL)" in text
    # A plan of an older gxnet recorded one mode for both legs.
    old = render_report(small_plan(cost_mode="road"), lang="en")
    assert "- Truck times from: the road network" in old
