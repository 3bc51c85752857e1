"""The words gxnet shows a person, in Chinese (the default) and English: the catalogue's table.

Keys name what a text is for; values with ``{}`` fields are filled with ``str.format``. This
module holds the table and the console's language and imports nothing of gxnet's but the
vocabulary, so that :mod:`gxnet._errors` can word its errors from it; :mod:`gxnet._messages` is
the catalogue's interface for everyone else (checked languages, one message, all messages).
"""

from __future__ import annotations

import os
from typing import Any

from gxnet.tiers import SiteStatus, Tier

#: The languages of the catalogue, the default first.
LANGUAGES = ("zh", "en")
#: The environment variable that sets the console's language.
LANG_VARIABLE = "GXNET_LANG"

#: key: (zh, en)
MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    # --- Map and report -------------------------------------------------------------------
    "plan": ("回收网络规划", "recycling network plan"),
    "layer_existing": ("回收点（已有）", "Recycling points (existing)"),
    "layer_new": ("回收点（新建）", "Recycling points (new)"),
    "layer_candidates": ("候选点（未选中）", "Candidate sites (not chosen)"),
    "layer_markets": ("集散市场", "Collection markets"),
    "layer_centres": ("分拣中心", "Sorting centres"),
    "layer_bases": ("处理基地", "Processing bases"),
    "layer_service": ("服务范围", "Service areas"),
    "layer_walk": ("步行/骑行至回收点时间", "Walk/ride time to recycling point"),
    "layer_links": ("回收点至分拣中心", "Points to sorting centres"),
    "layer_uncovered": ("未覆盖需求", "Uncovered demand"),
    "layer_counties": ("县区边界与人口", "Counties and census"),
    "layer_labels": ("县区与乡镇名称", "County and township names"),
    "legend_walk": (
        "至回收点时间（分钟；城镇步行，乡村骑行）",
        "Time to recycling point (min; walk in towns, ride in villages)",
    ),
    "legend_unreached": ("无可达回收点", "No point within reach"),
    "legend_sites": ("站点", "Sites"),
    "layer_changes": ("与上一版规划相比的变化", "Changes from the previous plan"),
    "change": ("变化", "Change"),
    "moved_from": ("迁自", "Moved from"),
    "reason": ("原因", "Reason"),
    "households_before": ("原服务户数", "Households served before"),
    "households_after": ("现服务户数", "Households served now"),
    "north": ("北", "N"),
    "print_map": ("打印", "Print"),
    "straight_line": (
        "注意：本规划没有使用道路网络，出行时间按直线距离乘以绕行系数 {detour} 估算，"
        "与实际路程可能不同。取得道路网络后请重新规划。",
        "Note: this plan did not use a road network. Travel times are straight-line distances "
        "times a detour factor of {detour} and may differ from real routes. Re-plan once the "
        "road network is available.",
    ),
    "straight_line_highway": (
        "注意：本规划没有使用城市道路网络。步行和骑行时间按直线距离乘以绕行系数 {detour} "
        "估算；货车车程按广西公路网计算（站点至公路的接驳段按直线 {access:.0f} 公里/小时），"
        "与实际路程可能不同。取得道路网络后请重新规划。",
        "Note: this plan did not use a city road network. Walking and riding times are "
        "straight-line distances times a detour factor of {detour}; truck times follow the "
        "Guangxi highway graph (access legs straight-line at {access:.0f} km/h). Both may differ "
        "from real routes. Re-plan once the road network is available.",
    ),
    "name": ("名称", "Name"),
    "site_id": ("编号", "ID"),
    "status": ("状态", "Status"),
    "tier": ("类型", "Type"),
    "households_served": ("服务户数", "Households served"),
    "load_capacity": ("负荷 / 容量", "Load / capacity"),
    "walk_mean": ("平均步行时间", "Mean walk time"),
    "walk_p95": ("95% 步行时间", "95th percentile walk time"),
    "ride_mean": ("平均骑行时间", "Mean ride time"),
    "ride_p95": ("95% 骑行时间", "95th percentile ride time"),
    "access_mean": ("平均步行/骑行时间", "Mean walk/ride time"),
    "access_p95": ("95% 步行/骑行时间", "95th percentile walk/ride time"),
    "to_centre": ("至分拣中心车程", "Drive to sorting centre"),
    "points_served": ("服务回收点数", "Recycling points served"),
    "drive_mean": ("平均车程", "Mean drive time"),
    "households": ("户数", "Households"),
    "population": ("人口", "Population"),
    "walk_time": ("步行时间", "Walk time"),
    "ride_time": ("骑行时间", "Ride time"),
    "point": ("回收点", "Recycling point"),
    "covered": ("达标覆盖", "Covered within standard"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "minutes": ("分钟", "min"),
    "households_unit": ("户", "households"),
    "unlimited": ("不限", "no limit"),
    "tonnes_day": ("吨/日", "t/day"),
    "county": ("县区", "County"),
    "township": ("乡镇/街道", "Township"),
    "adcode": ("行政区划代码", "Adcode"),
    "points": ("回收点", "Recycling points"),
    "centres": ("分拣中心", "Sorting centres"),
    "coverage": ("覆盖率", "Coverage"),
    "covered_households": ("达标覆盖户数", "Households covered"),
    "total": ("合计", "Total"),
    "outside_counties": ("县区外", "Outside the counties"),
    f"status_{SiteStatus.EXISTING}": ("已有", "existing"),
    f"status_{SiteStatus.CANDIDATE}": ("新建", "new"),
    f"status_{SiteStatus.REQUIRED}": ("指定新建", "required"),
    "status_unchosen": ("候选（未选中）", "candidate (not chosen)"),
    "note_label": ("注意", "Note"),
    f"status_{SiteStatus.EXCLUDED}": ("排除", "excluded"),
    f"tier_{Tier.RECYCLING_POINT}": ("回收点", "recycling point"),
    f"tier_{Tier.COLLECTION_MARKET}": ("集散市场", "collection market"),
    f"tier_{Tier.SORTING_CENTRE}": ("分拣中心", "sorting centre"),
    f"tier_{Tier.PROCESSING_BASE}": ("处理基地", "processing base"),
    "setting_urban": ("城镇（步行）", "urban (walk)"),
    "setting_rural": ("乡村（骑行）", "rural (ride)"),
    "report_counties": ("分县区统计", "By county"),
    "report_townships": ("分乡镇统计", "By township"),
    "mobile": ("流动回收", "Mobile collection"),
    "reason_no_site": ("服务标准内无候选站点", "no candidate site within the standard"),
    "reason_too_few": (
        "最佳站点服务标准内不足 {n:,.0f} 户",
        "best site reaches fewer than {n:,.0f} households within the standard",
    ),
    "reason_not_chosen": ("规划未设点", "no point planned"),
    "reason_budget": (
        "点位总数不足以满足乡镇保底，此处服务户数最少",
        "too few points asked to give every township one; a point here would serve fewest "
        "households",
    ),
    "township_minimum": ("乡镇保底", "Township minimum"),
    "township_minimum_on": (
        "每个乡镇至少一个回收点（{n:,} 个乡镇有回收点）",
        "at least one recycling point per township ({n:,} townships have one)",
    ),
    "township_minimum_off": ("未启用", "off"),
    "county_quota": ("县区配额", "County quota"),
    "county_quota_on": (
        "各县区至少按户数标准配置回收点",
        "each county at least the points its households' standard asks",
    ),
    "mobile_townships": ("流动回收乡镇", "Townships on mobile collection"),
    "mobile_count": ("{n:,} 个，共 {hh:,.0f} 户", "{n:,}, {hh:,.0f} households"),
    "layer_mobile": ("流动回收乡镇", "Townships on mobile collection"),
    "data_sources": ("数据来源", "Data sources"),
    "report_summary": ("概要", "Summary"),
    "report_map": ("规划图", "Map of the plan"),
    "report_standards": ("规划标准及依据", "Planning standards and their sources"),
    "report_caveats": ("说明与局限", "Caveats"),
    "report_sources": ("数据来源", "Data sources"),
    "report_inputs": ("输入文件", "Inputs"),
    "report_page": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "cost_mode": ("出行时间依据", "Travel times from"),
    "cost_walk": ("步行/骑行时间依据", "Walking and riding times from"),
    "cost_truck": ("货车车程依据", "Truck times from"),
    "cost_road": ("道路网络", "the road network"),
    "cost_highway": (
        "广西公路网（接驳段按直线距离）",
        "the Guangxi highway graph (access legs straight-line)",
    ),
    "cost_straight_line": ("直线距离 × 绕行系数", "straight-line distance × detour factor"),
    "solver": ("求解器", "Solver"),
    "solve_status": ("求解状态", "Solver status"),
    "gap": ("最优性间隙", "Optimality gap"),
    "caveat_straight_line_road": (
        "出行时间按道路网络计算：实际路况（施工、拥堵、渡口）可能使部分时间变长。",
        "Travel times follow the road network: works, traffic or ferries may lengthen some.",
    ),
    "caveat_census": (
        "需求按 2020 年人口普查的县区户数分配到乡镇与网格，而非实际住址；各县区总数与普查一致。",
        "Demand shares each county's 2020 census households among townships and cells, not "
        "real addresses; county totals equal the census.",
    ),
    "caveat_mobile": (
        "在任何固定站点都无法在服务标准内服务的乡镇，按国家指导意见采用流动回收（回收车定期上门）。",
        "Townships that no fixed point can serve within the standard are left to mobile "
        "collection (collection vehicles on a schedule), as the national guidance advises.",
    ),
    "caveat_uncovered": (
        "有 {households:,.0f} 户不在任何回收点的服务标准内，需流动回收或补充站点。",
        "{households:,.0f} households lie outside every point's service standard: they need "
        "mobile collection or more sites.",
    ),
    "caveat_solver": (
        "求解器在时限内给出的方案{status}；放宽时限可能得到更好的方案。",
        "The solver's plan within the time limit is {status}; a longer limit may find a "
        "better one.",
    ),
    # --- Solver status in words a leader reads ----------------------------------------------
    "status_optimal": ("已证明为最优方案", "proven optimal"),
    "status_within": (
        "与可能的最优方案相差不超过 {gap:.2f}%",
        "within {gap:.2f} % of the best possible",
    ),
    "status_within_bound": (
        "与可能的最优方案相差不超过 {gap:.2f}%（{bound_kind}：{bound}）",
        "within {gap:.2f} % of the best possible ({bound_kind}: {bound})",
    ),
    "status_none": ("没有找到方案", "no plan found"),
    "status_time": (
        "求解时间已用尽，延长 --time-limit 可能得到更好的方案",
        "the time limit cut the search short; a longer --time-limit may find a better plan",
    ),
    "bound_upper": ("最多可达", "at most"),
    "bound_lower": ("至少需要", "at least"),
    "objective_households covered": ("户覆盖", "households covered"),
    "objective_points": ("个回收点", "points"),
    "objective_sites": ("个站点", "sites"),
    "objective_weighted travel": ("加权出行时间", "weighted travel"),
    "objective_cost": ("成本", "cost"),
    "objective_fixed cost": ("固定成本", "fixed cost"),
    "colon": ("：", ": "),
    "status_feasible": ("可行方案（未证明最优）", "a feasible plan (not proven optimal)"),
    "status_heuristic": ("启发式方案（未证明最优）", "a heuristic plan (not proven optimal)"),
    "status_unknown": ("未记录", "not recorded"),
    # --- Summary a planner reads after a run (console, workbook, report) -------------------
    "summary_title": ("{area} 规划结果", "Plan for {area}"),
    "summary_points": (
        "回收点：{points:,} 个，位于 {sites:,} 处站点（保留已有站点 {existing:,} 处）",
        "recycling points: {points:,} at {sites:,} sites ({existing:,} existing sites kept)",
    ),
    "summary_centres": ("分拣中心：{centres:,} 个", "sorting centres: {centres:,}"),
    "summary_tier": ("；{tier}：{n:,} 个", ", {tier}s: {n:,}"),
    "summary_coverage": (
        "服务标准内覆盖户数：{covered:,.0f} / {households:,.0f}（{share:.1f}%）",
        "households covered within the standard: {covered:,.0f} of {households:,.0f} "
        "({share:.1f} %)",
    ),
    "summary_access": (
        "至回收点（步行/骑行）：平均 {mean}，95% 分位 {p95}",
        "walk/ride to point: mean {mean}, 95th percentile {p95}",
    ),
    "summary_truck": (
        "至分拣中心（货车）：平均 {mean}，95% 分位 {p95}",
        "truck to centre: mean {mean}, 95th percentile {p95}",
    ),
    "summary_townships": (
        "乡镇：{townships:,} 个中 {with_point:,} 个有回收点，"
        "{mobile:,} 个流动回收（{households:,.0f} 户）；无回收点的县区：{counties:,} 个",
        "townships: {with_point:,} of {townships:,} with a point, {mobile:,} on mobile "
        "collection ({households:,.0f} households); counties without a point: {counties:,}",
    ),
    "summary_phase": (
        "{name} 阶段：{points:,} 个回收点（新增 {new:,}），{centres:,} 个分拣中心，"
        "覆盖 {share:.1f}% 的户数",
        "phase {name}: {points:,} point sites (+{new:,}), {centres:,} centres, {share:.1f} % "
        "of households covered",
    ),
    "summary_region": (
        "{area} 规划结果：{cities:,} 个城市中 {planned:,} 个完成",
        "Plan for {area}: {planned:,} of {cities:,} cities",
    ),
    "summary_region_points": (
        "回收点：{sites:,} 处站点（按户数标准折算 {points:,} 个）",
        "recycling points: {sites:,} sites (hosting {points:,} standard points)",
    ),
    "summary_failed": ("未完成：{city}：{message}", "FAILED {city}: {message}"),
    "summary_solver": ("求解：{solver}，{status}", "solver: {solver}, {status}"),
    "summary_stages": ("各阶段用时：{times}", "time per stage: {times}"),
    "summary_note": ("注意：{note}", "NOTE: {note}"),
    "minutes_value": ("{value:.1f} 分钟", "{value:.1f} min"),
    "seconds_value": ("{value:.1f} 秒", "{value:.1f} s"),
    "not_available": ("无", "n/a"),
    "written_plan": ("规划：{path}", "plan: {path}"),
    "written_map": ("地图：{path}", "map:  {path}"),
    "written_workbook": ("工作簿：{path}", "workbook: {path}"),
    "wrote": ("已写入 {path}", "wrote {path}"),
    "written_diff": ("变化：{path}", "diff: {path}"),
    "written_report": ("报告：{path}", "report: {path}"),
    "summary_region_cities": (
        "城市：新规划 {planned:,} 个，沿用 {reused:,} 个，失败 {failed:,} 个",
        "cities planned {planned:,}, reused {reused:,}, failed {failed:,}",
    ),
    "summary_region_change": (
        "全区：回收点 {before:,} -> {after:,} 处，覆盖率 {share_before:.1f}% -> {share_after:.1f}%",
        "region: {before:,} -> {after:,} point sites, coverage {share_before:.1f} % -> "
        "{share_after:.1f} %",
    ),
    "diff_opened": ("新开站点：{n}", "sites opened: {n}"),
    "diff_closed": ("关闭站点：{n}", "sites closed: {n}"),
    "diff_moved": ("迁移站点：{n}", "sites moved:  {n}"),
    "diff_kept": ("保留站点：{n}", "sites kept:   {n}"),
    "diff_county": (
        "{county}：覆盖户数 {change:+,.0f}",
        "{county}: {change:+,.0f} households covered",
    ),
    "diff_points": ("回收点：{before} -> {after}", "recycling points: {before} -> {after}"),
    "diff_centres": ("分拣中心：{before} -> {after}", "sorting centres:  {before} -> {after}"),
    "diff_coverage": (
        "覆盖率：{before:.1f}% -> {after:.1f}%（{change:+,.0f} 户）",
        "coverage: {before:.1f} % -> {after:.1f} % ({change:+,.0f} households)",
    ),
    "diff_more": ("……共 {n} 处", "... ({n} in all)"),
    # --- Workbook ------------------------------------------------------------------------
    "sheet_summary": ("概要", "Summary"),
    "sheet_sites": ("选中站点", "Chosen sites"),
    "sheet_counties": ("分县区", "By county"),
    "sheet_townships": ("分乡镇", "By township"),
    "sheet_diff": ("调整对比", "Changes"),
    "sheet_candidates": ("未选中候选点", "Candidates not chosen"),
    "item": ("项目", "Item"),
    "value": ("内容", "Value"),
    "summary_area": ("规划范围", "Area planned"),
    "summary_created": ("生成时间（UTC）", "Made at (UTC)"),
    "summary_version": ("gxnet 版本", "gxnet version"),
    "summary_model": ("模型", "Model"),
    "summary_households": ("总户数", "Households"),
    "summary_target": ("目标", "Targets"),
    "input_file": ("输入文件：{name}", "Input: {name}"),
    "input_sha256": ("SHA-256：{name}", "SHA-256: {name}"),
    "standard_value": ("取值", "Value used"),
    "standard_source": ("依据", "Source"),
    "col_site_id": ("编号", "ID"),
    "col_name": ("名称", "Name"),
    "col_tier": ("类型", "Type"),
    "col_status": ("状态", "Status"),
    "col_county": ("县区", "County"),
    "col_township": ("乡镇/街道", "Township"),
    "col_address": ("地址", "Address"),
    "col_points": ("回收点数", "Recycling points"),
    "col_households_served": ("服务户数", "Households served"),
    "col_load": ("负荷", "Load"),
    "col_capacity": ("容量", "Capacity"),
    "col_unit": ("单位", "Unit"),
    "col_access_mean": ("平均步行/骑行（分钟）", "Mean walk/ride (min)"),
    "col_access_max": ("最长步行/骑行（分钟）", "Longest walk/ride (min)"),
    "col_truck": ("至分拣中心车程（分钟）", "Truck to centre (min)"),
    "col_truck_mean": ("平均车程（分钟）", "Mean truck time (min)"),
    "col_centre": ("送往站点", "Delivers to"),
    "col_lon_wgs84": ("经度（WGS-84）", "Longitude (WGS-84)"),
    "col_lat_wgs84": ("纬度（WGS-84）", "Latitude (WGS-84)"),
    "col_lon_gcj02": ("经度（GCJ-02，高德/腾讯）", "Longitude (GCJ-02, AMap/Tencent)"),
    "col_lat_gcj02": ("纬度（GCJ-02，高德/腾讯）", "Latitude (GCJ-02, AMap/Tencent)"),
    "col_adcode": ("行政区划代码", "Adcode"),
    "col_township_code": ("乡镇代码", "Township code"),
    "col_households": ("户数", "Households"),
    "col_covered_households": ("达标覆盖户数", "Households covered"),
    "col_coverage": ("覆盖率", "Coverage"),
    "col_centres": ("分拣中心数", "Sorting centres"),
    "col_walk_mean": ("平均步行/骑行（分钟）", "Mean walk/ride (min)"),
    "col_walk_p95": ("95% 步行/骑行（分钟）", "95th percentile walk/ride (min)"),
    "col_mobile": ("流动回收", "Mobile collection"),
    "col_city": ("城市", "City"),
    "col_phase": ("阶段", "Phase"),
    "col_point_sites": ("回收点（网点）", "Recycling points (sites)"),
    "col_new_points": ("本阶段新增", "New in phase"),
    "col_townships_mobile": ("流动回收乡镇", "Townships on mobile collection"),
    "col_mobile_households": ("流动回收户数", "Households on mobile collection"),
    "col_reach": ("最佳站点服务户数", "Households within reach of its best site"),
    "col_city_status": ("状态", "Status"),
    "sheet_cities": ("分城市", "Cities"),
    "sheet_phases": ("分阶段", "Phases"),
    "sheet_dropped": ("改为流动回收的乡镇", "Townships left to mobile collection"),
    "city_planned": ("已规划", "planned"),
    "city_reused": ("沿用", "reused"),
    "city_resolved": ("已重新求解", "re-solved"),
    "city_failed": ("失败", "failed"),
    "region_total": ("全区", "Region"),
    "col_change": ("变化", "Change"),
    "col_source": ("来源", "Source"),
    "col_households_before": ("原服务户数", "Households served before"),
    "col_households_after": ("现服务户数", "Households served now"),
    "col_moved_from": ("迁自", "Moved from"),
    "col_moved_m": ("迁移距离（米）", "Moved (m)"),
    "col_reason": ("原因", "Reason"),
    "change_opened": ("新增", "opened"),
    "change_closed": ("撤销", "closed"),
    "change_kept": ("保留", "kept"),
    "change_moved": ("迁移", "moved"),
    # --- Planning standards (label, and where the default comes from) ----------------------
    "std_points.households_per_point_urban": (
        "城镇每个回收点服务户数",
        "Households per urban point",
    ),
    "std_points.households_per_point_rural": (
        "乡村每个回收点服务户数",
        "Households per rural point",
    ),
    "std_points.service_radius_m_urban": (
        "城镇服务半径（米，沿道路）",
        "Urban service radius (m, along roads)",
    ),
    "std_points.service_radius_m_rural": (
        "乡村服务半径（米，沿道路）",
        "Rural service radius (m, along roads)",
    ),
    "std_points.walk_speed_kmh": ("步行速度（公里/小时）", "Walking speed (km/h)"),
    "std_points.ride_speed_kmh": ("骑行速度（公里/小时）", "Riding speed (km/h)"),
    "std_points.min_floor_area_m2": (
        "回收点最小面积（平方米）",
        "Least floor area of a point (m²)",
    ),
    "std_centres.truck_minutes": (
        "回收点至分拣中心最长车程（分钟）",
        "Longest drive point to centre (min)",
    ),
    "std_centres.capacity_t_day": ("分拣中心处理能力（吨/日）", "Sorting centre capacity (t/day)"),
    "std_centres.min_floor_area_m2": (
        "分拣中心最小面积（平方米）",
        "Least floor area of a centre (m²)",
    ),
    "std_costs.detour_factor": (
        "绕行系数（无道路网络时）",
        "Detour factor (without a road network)",
    ),
    "src_households": (
        "国家再生资源回收网络建设指导：城区约每 2000 户、乡镇约每 2500 户设一个回收点",
        "National guidance on recycling networks: one point per about 2,000 urban and 2,500 "
        "township households",
    ),
    "src_radius_urban": (
        "城区服务半径约 0.5–1 公里（北京行业标准、清远）",
        "Urban service radius about 0.5-1 km (Beijing industry standard, Qingyuan)",
    ),
    "src_radius_rural": (
        "乡村居民骑电动车/三轮车约 10 分钟（15 公里/小时）",
        "Rural residents ride an e-bike or tricycle about 10 minutes (15 km/h)",
    ),
    "src_speeds": (
        "规划常用步行速度 4.5 公里/小时；乡村道路电动车 15 公里/小时",
        "A common planning walking speed of 4.5 km/h; an e-bike on village roads 15 km/h",
    ),
    "src_floor": (
        "国家指导：固定回收点不小于 10 平方米，中转/分拣站不小于 500 平方米",
        "National guidance: a fixed point at least 10 m², a transfer or sorting station at "
        "least 500 m²",
    ),
    "src_truck": (
        "分拣中心位于建成区边缘、道路通达，多数市县规划一市/县一处；45 分钟可覆盖县城及乡镇",
        "Sorting centres sit at the edge of the built-up area, one per city or county in most "
        "plans; 45 minutes reaches a county seat and its townships",
    ),
    "src_capacity": ("规划设定（默认不限）", "Set by the plan (no limit by default)"),
    "src_detour": (
        "实测道路/直线距离比多在 1.2–1.4 之间（Ballou 等 2002；Boscoe 等 2012）",
        "Measured road/straight-line ratios lie mostly between 1.2 and 1.4 (Ballou et al. "
        "2002; Boscoe et al. 2012)",
    ),
    # --- The region and phases -----------------------------------------------------------------
    "region_summary": ("全区概况", "Region summary"),
    "region_cities": ("分城市统计", "By city"),
    "region_phases": ("分阶段建设", "By phase"),
    "region_allocation": ("目标分配", "How the target was shared"),
    "region_dropped": (
        "点位总数不足以保底、改为流动回收的乡镇",
        "Townships the target could not give a point (mobile collection)",
    ),
    "region_failed": ("未完成规划的城市", "Cities not planned"),
    "list_separator": ("；", "; "),
    "list_comma": ("，", ", "),
    "city": ("城市", "City"),
    "phase": ("阶段", "Phase"),
    "point_sites": ("回收点（网点）", "Recycling points (sites)"),
    "new_points": ("本阶段新增", "New in phase"),
    "standard_points": ("按户数标准折算", "Standard points hosted"),
    "mobile_households": ("流动回收户数", "Households on mobile collection"),
    "status_failed": ("失败", "failed"),
    "layer_cells": ("步行时间（{km:g} 公里格网汇总）", "Walk time ({km:g} km cells, aggregated)"),
    "layer_city": ("{name}：回收点与分拣中心", "{name}: points and centres"),
    "layer_phase": ("回收点（{name} 阶段新建）", "Recycling points (new in {name})"),
    "legend_phases": ("建设阶段", "Phases"),
    "reach": ("最佳站点服务户数", "Households within reach of its best site"),
    "allocation_head": (
        "{label}：{n:,} 个回收点在各城市间分配",
        "{label}: {n:,} point sites shared among the cities",
    ),
    "allocation_target": ("总目标", "target"),
    "allocation_phase": ("{name} 阶段", "phase {name}"),
    "allocation_floors": (
        "按乡镇保底分配，点位总数不足以满足全部保底：{n:,} 个乡镇改为流动回收"
        "（按最佳站点服务户数由少到多）",
        "by the township minimum's floors, which the target cannot meet: {n:,} townships left "
        "for mobile collection (fewest households within reach of a point first)",
    ),
    "allocation_exact": (
        "按边际覆盖增量最大分配，对各城市覆盖曲线为精确解",
        "by greatest marginal gain, exact for these coverage curves",
    ),
    "allocation_majorant": (
        "按凹包络上的边际覆盖增量最大分配（非凹曲线：{names}），"
        "与曲线的最佳分配相差不超过 {gap:,.0f} 户",
        "by greatest marginal gain on concave majorants (not concave: {names}); within "
        "{gap:,.0f} households of the best split of the curves",
    ),
    "allocation_bound": (
        "任何方案至多覆盖 {bound:,.0f} 户",
        "no plan can cover more than {bound:,.0f} households",
    ),
    "allocation_quota": (
        "点位总数不足以满足县区配额，县区配额已取消",
        "county quotas dropped (the target cannot meet them)",
    ),
    # --- Progress (stages of a run) ---------------------------------------------------------
    "stage_area": ("研究区域", "area"),
    "stage_demand": ("需求（户数）", "demand (households)"),
    "stage_sites": ("候选站点", "candidate sites"),
    "stage_networks": ("道路网络", "road networks"),
    "stage_costs": ("出行时间", "travel costs"),
    "stage_model": ("优化求解", "model solve"),
    "stage_plan": ("整理规划", "assemble the plan"),
    "stage_outputs": ("写出规划、地图与工作簿", "write plan, map and workbook"),
    "progress_left": ("剩余", "left"),
    "progress_limit": ("时限", "limit"),
    "progress_done": ("完成，用时 {seconds:.1f} 秒", "done in {seconds:.1f} s"),
    "progress_area": ("{name}（{slug}）", "{name} ({slug})"),
    "progress_demand": (
        "{units:,} 个需求单元，{households:,.0f} 户",
        "{units:,} demand units, {households:,.0f} households",
    ),
    "progress_sites": (
        "{points:,} 个回收点候选、{centres:,} 个分拣中心候选{more}，来自 {source}",
        "{points:,} point and {centres:,} centre sites{more} from {source}",
    ),
    "progress_sites_tier": ("、{n:,} 个{tier}候选", ", {n:,} {tier} sites"),
    "progress_pairs": (
        "{walk:,} 对步行/骑行、{truck:,} 对货车可达关系",
        "{walk:,} walk pairs, {truck:,} truck pairs",
    ),
    "progress_target": (
        "目标：{n:,} 个回收点，按户数标准（城镇每 {urban:,} 户、乡村每 {rural:,} 户 1 个）{more}",
        "target: {n:,} recycling points, as the household standard asks (1 per {urban:,} urban "
        "and {rural:,} rural households){more_en}",
    ),
    "progress_target_raised": (
        "；由 {wanted:,} 提高：{what}需要 {needed:,} 个",
        "; raised from {wanted:,}: {what_en} needs {needed:,}",
    ),
    "progress_target_few": (
        "；只有 {n:,} 个候选站点可以设点",
        "; only {n:,} candidate sites can open",
    ),
    "what_township_minimum": (
        "乡镇保底（每个值得设点的乡镇一个回收点）",
        "the township minimum (a point in each township where one pays)",
    ),
    "what_county_quota": ("县区配额", "the county quota"),
    "what_and": ("和", " and "),
    "err_points_below_minimum": (
        "--points {points:,} 少于{what}需要的 {needed:,} 个站点：请提高 --points，"
        "或加 --no-township-minimum（且不用 --county-quota）",
        "--points {points:,} is below the {needed:,} point sites that {what_en} needs: raise "
        "--points, or run with --no-township-minimum (and without --county-quota)",
    ),
    "progress_townships_minimum": (
        "乡镇保底：{n:,} 个乡镇设回收点",
        "township minimum: {n:,} townships get a point",
    ),
    "progress_townships_quota": (
        "县区配额：各县区至少按标准设点",
        "county quota: each county at least its standard's points",
    ),
    "progress_townships_none": ("没有乡镇需要流动回收", "no township needs mobile collection"),
    "progress_townships_mobile": (
        "{n:,} 个乡镇（{households:,.0f} 户）采用流动回收：{no_site:,} 个在服务标准内没有候选站点，"
        "{few:,} 个最佳站点服务不足 {below:,.0f} 户",
        "{n:,} townships ({households:,.0f} households) on mobile collection: {no_site:,} "
        "without a candidate site within the standard, {few:,} where the best site reaches "
        "fewer than {below:,.0f} of their households",
    ),
    "note_straight_line": (
        "没有道路网络：出行时间按直线距离 × {factor}（绕行系数）估算；"
        "运行 `{command}`（或给出 --pbf 文件）以取得真实道路时间",
        "no road network on disk: travel is estimated as straight-line distance x {factor} "
        "(detour factor); run `{command}` (or give --pbf FILE) for real road times",
    ),
    "note_highway": (
        "没有道路网络：步行和骑行按直线距离 × {factor}（绕行系数）估算，货车车程按广西公路网"
        "计算（接驳段按直线 {access:.0f} 公里/小时）；运行 `{command}`（或给出 --pbf 文件）"
        "以取得真实道路时间",
        "no road network on disk: walking and riding are estimated as straight-line distance x "
        "{factor} (detour factor), truck times follow the region's highway graph (access legs "
        "straight-line at {access:.0f} km/h); run `{command}` (or give --pbf FILE) for real "
        "road times",
    ),
    "progress_solution": ("{model}：{status}", "{model}: {status}"),
    # The models' names as a solution carries them: the English value is the library's own
    # term, replaced by the Chinese one in what a planner reads (gxnet._messages.model_words).
    "model_within_capacities": (
        "（按回收点容量分配）",
        " within the points' capacities",
    ),
    "model_single_source": ("（有容量、单一来源）", " (capacitated, single source)"),
    "model_capacitated": ("有容量设施选址", "capacitated facility location"),
    "model_maximal_covering": ("最大覆盖", "maximal covering"),
    "model_set_covering": ("集合覆盖", "set covering"),
    "model_p_median": ("P 中位", "p-median"),
    "model_two_tier": ("两级网络", "two-tier network"),
    "model_three_tier": ("三级网络", "three-tier network"),
    "model_of_points": ("（回收点）", " (points)"),
    "model_of_markets": ("（集散市场）", " (markets)"),
    "model_of_centres": ("（分拣中心）", " (centres)"),
    "model_of_bases": ("（处理基地）", " (bases)"),
    "model_points": ("回收点", "points"),
    "model_markets": ("集散市场", "markets"),
    "model_centres": ("分拣中心", "centres"),
    "model_bases": ("处理基地", "bases"),
    "model_join": ("；", ", "),
    "progress_fit_quota": (
        "{count:,} 个回收点不足以满足县区配额（需 {needed:,} 个）：县区配额取消",
        "{count:,} points cannot meet the county quota ({needed:,} needed): quota dropped",
    ),
    "progress_fit_townships": (
        "{count:,} 个回收点不足以使每个乡镇都有回收点（需 {needed:,} 个）：回收点服务户数最少的 "
        "{n:,} 个乡镇（{households:,.0f} 户）改为流动回收",
        "{count:,} points cannot give each township its point ({needed:,} needed): {n:,} "
        "townships where a point serves fewest households ({households:,.0f} households) left "
        "for mobile collection",
    ),
    "progress_phase": (
        "{name} 阶段：{points:,} 个回收点（{status}）",
        "phase {name}: {points:,} point sites ({status})",
    ),
    "warning": ("警告", "warning"),
    "error": ("错误", "error"),
    # --- Command-line help --------------------------------------------------------------------
    "cli_usage": ("用法：", "Usage:"),
    "cli_options": ("选项", "Options"),
    "cli_commands": ("命令", "Commands"),
    "cli_default": ("默认：{value}", "default: {value}"),
    "cli_required": ("必填", "required"),
    "cli_try_help": ("运行 '{command} --help' 查看帮助。", "Try '{command} --help' for help."),
    "cli_no_such_option": ("没有选项 {name}", "no such option: {name}"),
    "cli_missing": ("缺少 {name}", "missing {name}"),
    "cli_bad_value": ("{name} 的值无效：{message}", "invalid value for {name}: {message}"),
    "cli_expected_choice": ("请从 {choices} 中选择", "choose one of {choices}"),
    "cli_expected_int": ("需要一个整数", "a whole number is needed"),
    "cli_expected_number": ("需要一个数字", "a number is needed"),
    "cli_expected_path": ("该路径不可用（不存在，或文件与目录不符）", "this path cannot be used"),
    "cli_expected_value": ("请检查该值", "check the value"),
    "help:cli": (
        "在真实道路网络上规划广西的再生资源回收点和分拣中心。",
        "Plan recycling points and sorting centres on real road networks (Guangxi).",
    ),
    "help:*:help": ("显示本帮助并退出。", "Show this message and exit."),
    "help:*:version": ("显示版本并退出。", "Show the version and exit."),
    "help:*:lang": (
        "语言：zh（中文，默认）或 en；也可设环境变量 GXNET_LANG。",
        "Language: zh (Chinese, the default) or en; or set GXNET_LANG.",
    ),
    "help:*:basemap": (
        "底图：amap（高德，GCJ-02，中文默认）、osm（英文默认）、tianditu 或 none（完全离线）。",
        "Map tiles: amap (AMap, GCJ-02; default in Chinese), osm (default in English), "
        "tianditu, or none for fully offline use.",
    ),
    "help:*:pbf": (
        "OpenStreetMap 数据文件（.osm.pbf），用于真实道路网络（默认：已缓存的网络）。",
        "OpenStreetMap extract for real road networks (default: the cached networks).",
    ),
    "help:*:skip_bad_rows": (
        "站点表有被拒绝的行时，只用有效行规划。",
        "Plan with the valid rows of a site list that has rejected rows.",
    ),
    "help:*:out": (
        "输出目录：规划写入 OUT/plans/<城市>/，地图写入 OUT/maps/<城市>.html"
        "（默认 plans/ 和 maps/）。",
        "Output folder: the plan goes to OUT/plans/<city>/, the map to OUT/maps/<city>.html "
        "(default: plans/ and maps/).",
    ),
    "help:*:config_file": (
        "标准配置文件（默认：当前目录下的 gxnet.toml）。",
        "Standards file (default: ./gxnet.toml when present).",
    ),
    "help:*:fmt": ("输出格式。", "Output format."),
    "help:cities": (
        "列出广西 14 个地级市，或 CITY（拼音、中文或行政区划代码）的县区。",
        "List the 14 cities of Guangxi, or the counties of CITY (pinyin, 中文 or adcode).",
    ),
    "help:cities:fmt": (
        "输出：对齐的表格、CSV 或 JSON。",
        "Output: an aligned table, CSV or JSON records.",
    ),
    "help:fetch": (
        "从 OpenStreetMap 构建并缓存城市的步行、货车和三轮车道路网络。"
        "研究区域（--area 文件 --name 名称）按名称缓存，之后 `gxnet optimize --area 文件` "
        "无需 --pbf 即可使用。",
        "Build and cache the walk, drive and tricycle road networks of a city from "
        "OpenStreetMap. A study area (--area FILE --name N) is cached under N and found again "
        "by its outline: `gxnet optimize --area FILE` then plans on these networks without --pbf.",
    ),
    "help:fetch:city": (
        "城市或县区（拼音、中文或行政区划代码）。",
        "A city or county (pinyin, 中文 or adcode).",
    ),
    "help:fetch:all_cities": ("广西全部城市。", "Every city of Guangxi."),
    "help:fetch:area": ("研究区域多边形文件（GeoJSON、GPKG）。", "A polygon file (GeoJSON, GPKG)."),
    "help:fetch:name": (
        "--area 的缓存名称（拉丁字母、数字、- 或 _）。",
        "Cache folder name of --area (latin letters, digits, - or _).",
    ),
    "help:fetch:pbf": ("覆盖该区域的本地 .osm.pbf 文件。", "A local .osm.pbf covering the area."),
    "help:fetch:source": (
        "auto：--pbf，否则 data/osm/ 中覆盖该区域的 PBF，否则下载广西数据。",
        "auto: --pbf, else a PBF in data/osm/ covering the area, else the Guangxi extract.",
    ),
    "help:fetch:modes": ("出行方式，逗号分隔。", "Travel modes, comma-separated."),
    "help:fetch:buffer_m": ("区域外保留道路的宽度（米）。", "Metres of road kept around the area."),
    "help:fetch:refresh": (
        "即使缓存是最新的也重新构建。",
        "Rebuild even when the cache is current.",
    ),
    "help:sites": (
        "检查规划人员提供的站点表，或生成待填写的模板。",
        "Check planners' site lists and write a template to fill in.",
    ),
    "help:sites_check": (
        "读取并检查站点表 FILE：逐行报告保留、修正或拒绝的情况。",
        "Read and check the site list FILE: report every row kept, fixed or rejected.",
    ),
    "help:sites_check:city": (
        "站点必须位于其边界内的城市（或县区）。",
        "City (or county) whose boundary the sites must be in.",
    ),
    "help:*:crs": (
        "站点表的坐标系（默认：根据道路判断，否则 gcj02）。",
        "Coordinate system of the site list (default: detected against the roads, else gcj02).",
    ),
    "help:sites_check:area": (
        "研究区域多边形文件，代替 --city。",
        "A study-area polygon file in place of --city.",
    ),
    "help:*:township_minimum": (
        "每个值得设点的乡镇至少一个回收点，其余列为流动回收（默认：开，或 [targets] "
        "township_minimum）。",
        "At least one point in every township where one pays, the rest listed for mobile "
        "collection (default: on, or [targets] township_minimum).",
    ),
    "help:*:county_quota": (
        "每个县区至少按户数标准配置回收点（默认：关，或 [targets] county_quota）。",
        "Every county at least the points its households' standard asks (default: off, or "
        "[targets] county_quota).",
    ),
    "help:resolve:change_penalty": (
        "替换原规划站点时，新站点须多服务原站点户数的比例（默认 0.1；0：不优先保留）。",
        "Share of its households a replacement must serve beyond a site of the old plan "
        "(default 0.1; 0: no preference).",
    ),
    "help:sites_check:out": ("将可用站点写为 GeoJSON。", "Write the usable sites as GeoJSON."),
    "help:sites_check:strict": (
        "有任何行被拒绝时以代码 2 退出。",
        "Exit with code 2 when any row is rejected.",
    ),
    "help:sites_template": (
        "写出一个示例站点表，包含 gxnet 读取的各列，供填写。",
        "Write an example site list with the columns gxnet reads, to fill in.",
    ),
    "help:sites_template:out": (
        "默认：site-list-template.<格式>。",
        "Default: site-list-template.<format>.",
    ),
    "help:sites_template:lang": ("模板表头的语言。", "Language of the template's headers."),
    "help:optimize": (
        "为一个城市或研究区域规划回收点和分拣中心（站点清单有集散市场、处理基地时一并规划，"
        "各站点不超过其容量）；写出规划目录（含工作簿 plan.xlsx）和地图。",
        "Plan recycling points and sorting centres for a city or a study area (collection "
        "markets and processing bases too where the site list has them, every site within its "
        "capacity); writes the plan folder (with the workbook plan.xlsx) and the map.",
    ),
    "help:optimize:city": (
        "城市或县区：拼音、中文或行政区划代码（如 wuzhou）。",
        "City or county: pinyin, 中文 or adcode (e.g. wuzhou).",
    ),
    "help:optimize:area": (
        "研究区域多边形文件（GeoJSON、GeoPackage），代替 --city，也可在广西以外。",
        "A study-area polygon file (GeoJSON, GeoPackage) in place of --city, also outside Guangxi.",
    ),
    "help:optimize:sites": (
        "站点表（候选和已有站点）；默认 data/sites/<城市>.*",
        "Site list (candidates and existing); default data/sites/<city>.*",
    ),
    "help:optimize:osm_name": (
        "以此名称获取的道路网络（gxnet fetch --area 文件 --name 名称）；默认按区域轮廓查找。",
        "Road networks fetched under this name (gxnet fetch --area FILE --name N); default: "
        "found by the area's outline.",
    ),
    "help:optimize:demand": (
        "含户数或人口的需求点或面（默认：人口普查）。",
        "Demand points or polygons with households or population (default: census).",
    ),
    "help:*:points": (
        "回收点数量（覆盖尽可能多的户数）。",
        "Number of recycling points (most households covered).",
    ),
    "help:*:coverage": (
        "需覆盖的户数比例（用最少的回收点）。",
        "Share of households to cover (fewest points).",
    ),
    "help:*:walk_minutes": ("城镇步行标准（分钟）。", "Urban walking standard in minutes."),
    "help:*:service_radius_m": (
        "城镇沿道路的服务半径（米）。",
        "Urban service radius along roads, metres.",
    ),
    "help:*:rural_minutes": ("乡村骑行标准（分钟）。", "Rural riding standard in minutes."),
    "help:*:rural_service_radius_m": (
        "乡村服务半径（米）。",
        "Rural service radius, metres.",
    ),
    "help:*:truck_minutes": (
        "回收点至分拣中心的最长车程（分钟）。",
        "Longest drive from a point to its centre.",
    ),
    "help:*:centres": ("分拣中心数量。", "Number of sorting centres."),
    "help:optimize:household_size": (
        "户均人数，用于只有户数或只有人口的需求文件（默认 2.87，广西 2020 年普查）。",
        "Persons per household, for a demand file with only households or only population "
        "(default 2.87, Guangxi's 2020 census).",
    ),
    "help:*:solver": ("混合整数规划求解器。", "MIP solver."),
    "help:*:time_limit_s": ("优化求解阶段的时限（秒）。", "Seconds for the model stage."),
    "help:*:gap": ("求解器可停止的相对间隙。", "Relative gap at which the solver may stop."),
    "help:resolve": (
        "用新的站点表重新求解 PLAN，并列出变化（规划被替换）。",
        "Re-solve PLAN with a new site list and print what changed (the plan is replaced).",
    ),
    "help:optimize:phase_texts": (
        "建设阶段，如 --phase 2023:1000 --phase 2025:standard：后一阶段保留前一阶段的全部站点"
        "（默认：gxnet.toml 中的 [[phases]]；无：一次规划）。",
        "A phase of building, e.g. --phase 2023:1000 --phase 2025:standard: each keeps every "
        "site of the one before (default: [[phases]] in gxnet.toml; none: one plan).",
    ),
    "help:optimize:workers": (
        "仅全区：本机 Dask 工作进程数（默认：每个 CPU 核一个）。",
        "Region only: Dask worker processes on this machine (default: one per core).",
    ),
    "help:optimize:scheduler": (
        "仅全区：已运行的 Dask 调度器地址（tcp://主机:8786），由其工作进程规划各城市。",
        "Region only: a running Dask scheduler (tcp://host:8786) whose workers plan the cities.",
    ),
    "help:resolve:city": (
        "用于全区规划（plans/guangxi）：按其分配份额重新规划的城市。",
        "For a region's plan (plans/guangxi): the city to re-plan against its share.",
    ),
    "help:resolve:sites": (
        "区县的新站点表：标为已有或必建的保留，未列出或标为排除的关闭。",
        "The district's new site list: what it names existing or required stays open, what it "
        "leaves out or marks excluded closes.",
    ),
    "help:map_": (
        "将已保存的规划 PLAN 绘制为交互式 HTML 地图。",
        "Draw a saved PLAN as an interactive HTML map.",
    ),
    "help:map_:out": (
        "HTML 文件（默认 maps/<城市>.html）。",
        "HTML file (default maps/<city>.html).",
    ),
    "help:report": (
        "已保存规划 PLAN 的报告：概要、规划图、标准及依据、分县区和分乡镇统计、说明与数据来源；"
        "html 和 pdf 可直接打印。",
        "The report of a saved PLAN: summary, map, standards and their sources, tables by "
        "county and township, caveats and data sources; html and pdf print as they are.",
    ),
    "help:report:fmt": ("报告格式。", "Report format."),
    "help:report:out": (
        "写入此文件（默认：markdown 和 html 打印到屏幕，pdf 写入规划目录下的 report.pdf）。",
        "Write to this file (default: markdown and html are printed, pdf goes to report.pdf "
        "in the plan folder).",
    ),
    "help:config": (
        "规划标准和目标（gxnet.toml）。",
        "Planning standards and targets (gxnet.toml).",
    ),
    "help:config_show": (
        "以 gxnet.toml 格式打印生效的标准。",
        "Print the effective standards as a gxnet.toml.",
    ),
    # --- Errors -------------------------------------------------------------------------------
    "err_where_file": ("{path}", "{path}"),
    "err_where_row": ("第 {row} 行", "row {row}"),
    "err_where_field": ("字段 “{field}”", "field {field!r}"),
    "err_city_or_area": (
        "请给出 --city 名称 或 --area 文件（二选一）",
        "give --city NAME or --area FILE (one of them)",
    ),
    "err_then": ("{first}。{then}", "{first_en} {then_en}"),
    "err_fetch_targets": (
        "请给出 --city 名称、--all 或 --area 文件 中的一个",
        "give exactly one of --city NAME, --all or --area FILE",
    ),
    "err_fetch_name": (
        "--area 需要 --name（该区域的缓存名称）",
        "--area needs --name (the cache folder of the area)",
    ),
    "err_unknown_region": (
        "{where}没有名为 “{query}” 的{kind}；{hint}",
        "no {kind_en} named {query!r}{where_en}; {hint_en}",
    ),
    "err_region_hint": ("是否想找：{names}？", "did you mean {names}?"),
    "err_region_list": ("`gxnet cities` 列出全部城市", "`gxnet cities` lists them"),
    "err_region_list_city": (
        "`gxnet cities {slug}` 列出其县区",
        "`gxnet cities {slug}` lists its counties",
    ),
    "err_adcode_outside": (
        "行政区划代码 {code} {where}；`gxnet cities` 列出 14 个城市及其代码",
        "adcode {code} {where_en}; `gxnet cities` lists the 14 cities and their codes",
    ),
    "err_adcode_not_guangxi": (
        "不在广西（广西的代码以 45 开头）",
        "is not in Guangxi (codes start with 45)",
    ),
    "err_adcode_unknown": ("不存在", "is unknown"),
    "kind_city": ("城市", "city"),
    "kind_county": ("县区", "county"),
    "kind_city_or_county": ("城市或县区", "city or county"),
    "err_outside_guangxi_hint": (
        "广西以外的地方请给出其轮廓和覆盖它的 OSM 数据：`{command}`",
        "For a place outside Guangxi give its outline and an OSM extract covering it: `{command}`",
    ),
    "err_not_a_count": ("“{value}” 不是非负数", "{value!r} is not a non-negative number"),
    "err_no_coordinates": (
        "没有坐标：请给出 经度/lon 和 纬度/lat 列，或使用 GeoJSON/GeoPackage",
        "no coordinates: give 经度/lon and 纬度/lat columns, or a GeoJSON/GeoPackage",
    ),
    "err_missing_coordinates": ("缺少坐标", "missing coordinates"),
    "err_no_households_column": (
        "没有 户数/households 或 人口/population 列",
        "no 户数/households or 人口/population column",
    ),
    "err_no_households_value": ("户数和人口都没有填写", "neither households nor population given"),
    "err_unknown_setting": (
        "无法识别的类型 “{value}”；请填 城镇/urban 或 乡村/rural",
        "unknown setting {value!r}; use 城镇/urban or 乡村/rural",
    ),
    "err_no_households_inside": (
        "需求文件在研究区域内没有户数",
        "the demand holds no households inside the study area",
    ),
    "err_no_file": ("文件不存在；请检查路径", "no such file; check the path"),
    "err_unknown_file_type": (
        "无法识别的文件类型 {suffix}；请使用 CSV、XLSX、GeoJSON 或 GeoPackage",
        "unknown file type {suffix!r}; use CSV, XLSX, GeoJSON or GeoPackage",
    ),
    "err_empty_file": ("文件是空的；需要一行表头", "the file is empty; it needs a header row"),
    "err_decode": (
        "无法识别文本编码；请在 Excel 中另存为 CSV UTF-8（或 GBK）",
        "cannot decode the text; save it as CSV UTF-8 (or GBK) from Excel",
    ),
    "err_unreadable": ("无法读取的{kind}文件：{detail}", "not a readable {kind_en} file: {detail}"),
    "err_rows_rejected": (
        "{n} 行无法用于规划：\n{lines}\n请修改这些行，或加 --skip-bad-rows 用其余行规划"
        "（`gxnet sites check` 报告整个表）",
        "{n} rows cannot be planned:\n{lines_en}\nfix them, or run again with --skip-bad-rows "
        "to plan with the other rows (`gxnet sites check` reports the whole list)",
    ),
    "err_no_usable_row": (
        "没有可用的行（共读取 {n} 行）：\n{lines}\n请修改站点表（`gxnet sites check` 报告每一行）；"
        "给出站点表时，gxnet 不会改用其他站点规划",
        "no usable row ({n} rows read):\n{lines_en}\nfix the list (`gxnet sites check` reports "
        "every row); gxnet never plans on other sites in place of a list given",
    ),
    "err_row_line": ("  第 {row} 行：{field}：{reason}", "  row {row}: {field}: {reason}"),
    "err_rows_more": ("  ……另有 {n} 行", "  ... and {n} more"),
    "err_not_a_plan": (
        "不是已保存的规划（没有 plan.json）；请给出 `gxnet optimize` 写出的目录，如 plans/wuzhou",
        "not a saved plan (no plan.json); give a folder written by `gxnet optimize`, such as "
        "plans/wuzhou",
    ),
    "err_no_solution": (
        "求解器没有找到方案（{status}）；请放宽目标（--coverage、--points、--centres）"
        "或标准，或延长 --time-limit",
        "the solver found no plan ({status}); relax the targets (--coverage, --points, "
        "--centres) or the standards, or allow a longer --time-limit",
    ),
    "err_coverage_unreachable": (
        "无法达到覆盖目标 {target:.1%}：{units:,} 个需求单元（{households:,.0f} 户）在服务标准内"
        "没有候选回收点，最多只能覆盖 {share:.1%}。最大的：{examples}。解决办法：{fixes}。{note}",
        "coverage target {target:.1%} cannot be met: {units:,} demand units ({households:,.0f} "
        "households) have no candidate point within the service standard, so at most "
        "{share:.1%} can be covered. Largest: {examples_en}. To fix: {fixes_en}.{note_en}",
    ),
    "err_coverage_example": (
        "{demand_id}（{households:,.0f} 户，{setting}，县区 {county}，{lon:.4f},{lat:.4f}，"
        "最近候选点 {nearest}）",
        "{demand_id} ({households:,.0f} households, {setting}, county {county}, "
        "{lon:.4f},{lat:.4f}, nearest candidate {nearest})",
    ),
    "err_nearest_m": ("{metres:,.0f} 米", "{metres:,.0f} m"),
    "err_nearest_beyond": ("超过 {metres:,.0f} 米", "beyond {metres:,.0f} m"),
    "err_fix_sites": ("在其附近增加候选站点（--sites）", "add candidate sites near them (--sites)"),
    "err_fix_radius": (
        "将 {flag} 从 {before:,.0f} 提高到 {after:,.0f}",
        "raise {flag} from {before:,.0f} to {after:,.0f}",
    ),
    "err_fix_coverage": ("将 --coverage 降到 {share:.3f}", "lower --coverage to {share:.3f}"),
    "err_or": ("；或", "; or "),
    "err_stranded": (
        "另有 {n} 个候选回收点在 {minutes:g} 分钟车程内没有分拣中心，已排除（如 {ids}）："
        "请增加分拣中心候选或提高 --truck-minutes。",
        " {n} candidate points have no sorting centre within {minutes:g} truck minutes and "
        "were left out (e.g. {ids}): add a centre candidate or raise --truck-minutes.",
    ),
    "err_not_writable": (
        "无法写入 {path}：{reason}；请选择可写的目录（--out）",
        "cannot write {path}: {reason_en}; choose a writable folder (--out)",
    ),
    "err_is_file": ("{path} 是文件而不是目录", "{path} is a file, not a folder"),
    "err_read_only": ("{path} 是只读的", "{path} is read-only"),
    "err_disk_full": (
        "无法写入 {path}：磁盘已满（{reason}）；请释放空间后重新运行（之前写出的文件未改变）",
        "cannot write {path}: the disk is full ({reason}); free some space and run again "
        "(what was written before is unchanged)",
    ),
    "err_disk_full_at": (
        "{where}磁盘已满（{reason}）；请释放空间后重新运行",
        "{where}the disk is full ({reason}); free some space and run again",
    ),
    "err_write": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "err_interrupted": (
        "已中断（Ctrl-C）：正在写的文件已丢弃，之前的输出未改变"
        "（未完成的下载保留 .part 文件，下次续传）",
        "interrupted (Ctrl-C): files being written were discarded and earlier outputs are "
        "unchanged (an unfinished download keeps its .part file and resumes)",
    ),
    "err_out_of_memory": (
        "内存不足：请规划更小的区域（一个县区）、减少候选站点，或关闭其他程序后重新运行",
        "out of memory: plan a smaller area (a county), fewer candidate sites, or close other "
        "programs and run again",
    ),
    "err_machine": ("{where}{reason}", "{where}{reason}"),
    "err_damaged_cache": (
        "缓存的道路网络已损坏（{detail}）；请重建：`{command}`",
        "the cached road network is damaged ({detail}); rebuild it: `{command}`",
    ),
    "err_not_fetched": (
        "{slug} 没有 {mode} 道路网络（{folder}）：请先运行 `{command}`{offline}",
        "no {mode} road network for {slug!r} in {folder}: run `{command}` first{offline_en}",
    ),
    "err_not_fetched_offline": (
        "（离线：`{command} --pbf 文件`）",
        " (offline: `{command} --pbf FILE`)",
    ),
    "err_unknown_choice": (
        "未知的{what} {value}：请从 {choices} 中选择",
        "unknown {what_en} {value!r}: choose one of {choices}",
    ),
    "what_language": ("语言", "language"),
    "what_basemap": ("底图", "basemap"),
    "what_report_format": ("报告格式", "report format"),
    "err_report_suffix": (
        "{path}：无法从后缀 {suffix} 判断报告格式：请使用 {suffixes} 之一，或指定格式",
        "{path}: cannot tell the report format from the suffix {suffix!r}: use one of "
        "{suffixes} or give the format",
    ),
    "err_tianditu_key": (
        "天地图需要密钥：请在天地图开发者控制台申请，并设置 GXNET_TIANDITU_TOKEN，或选择其他底图",
        "Tianditu tiles need a key: get one from the Tianditu developer console "
        "(天地图开发者控制台) and set GXNET_TIANDITU_TOKEN (or gxnet.settings.tianditu_token), "
        "or choose another basemap",
    ),
    "err_pdf_unavailable": (
        "无法生成 PDF：{detail}。请安装 Pango（Debian：apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 fonts-noto-cjk），或改用 --format html 后在浏览器中打印",
        "cannot write a PDF: {detail}. Install Pango (Debian: apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 fonts-noto-cjk), or use --format html and print it from a browser",
    ),
    "err_region_option": (
        "{options}：不适用于全区；各城市使用各自的普查数据、站点表和道路网络（gxnet fetch --all）",
        "{options}: not for the region; each city reads its own census, site list and road "
        "networks (`gxnet fetch --all`)",
    ),
    "err_region_only": (
        "--workers 和 --scheduler 用于全区规划：请用 --city guangxi",
        "--workers and --scheduler plan a region: give --city guangxi",
    ),
    "err_sites_folder": (
        "--sites {path} 是目录：单个城市请给出一个站点表",
        "--sites {path} is a folder: give one site list for one city",
    ),
    "err_region_sites": (
        "--sites {path}：全区规划请给出按城市命名的站点表目录（如 wuzhou.xlsx）",
        "--sites {path}: for the region give a folder of site lists named by city (e.g. "
        "wuzhou.xlsx)",
    ),
    "err_region_failed": (
        "{cities:,} 个城市中 {n:,} 个失败（见上）；其余已完成规划；"
        "修正后重新运行（未变化的城市沿用）",
        "{n:,} of {cities:,} cities failed (above); the others are planned; fix them and run "
        "again (unchanged cities are reused)",
    ),
    "err_region_city": (
        "{path} 是全区规划：请用 --city 指定城市",
        "{path} is a region's plan: name the city with --city",
    ),
    "err_city_not_region": (
        "--city 用于全区规划；{path} 是单个城市的规划",
        "--city is for a region's plan; {path} is one city's plan",
    ),
    "err_not_region_city": (
        "{city} 不是 {path} 中全区规划的城市；其城市为：{cities}",
        "{city} is not a city of the region in {path}: its cities are {cities}",
    ),
    "err_region_city_failed": (
        "{city} 在全区规划中没有规划（{message}）："
        "修正其输入后重新运行 gxnet optimize --city {region}",
        "{city} has no plan in the region ({message}): run `gxnet optimize --city {region}` "
        "again once its inputs are fixed",
    ),
    "err_workers": ("--workers {n}：至少 1 个工作进程", "--workers {n}: give at least 1 worker"),
    "err_workers_and_scheduler": (
        "请给出 --workers（本机集群）或 --scheduler，不能同时给出",
        "give --workers (a cluster on this machine) or --scheduler, not both",
    ),
    "err_scheduler": (
        "无法连接 Dask 调度器 {address}：{detail}；请用 `dask scheduler` 启动调度器，"
        "用 `dask worker 地址` 启动工作进程（见 README）",
        "cannot reach the Dask scheduler at {address}: {detail}; start it with `dask "
        "scheduler` and its workers with `dask worker ADDRESS` (see README)",
    ),
    "err_phase": (
        "阶段 {text!r}：请写成 名称:数量 或 名称:standard，如 2023:1000 或 2025:standard",
        "phase {text!r}: write NAME:COUNT or NAME:standard, e.g. 2023:1000 or 2025:standard",
    ),
    "err_phase_count": (
        "阶段 {text!r}：回收点数量须为不小于 1 的整数，或 standard",
        "phase {text!r}: the number of points must be a whole number of at least 1, or 'standard'",
    ),
    "err_phase_twice": (
        "阶段：{names} 中有重复的阶段名称",
        "phases: a phase name appears twice in {names}",
    ),
    "err_phase_standard_last": (
        "阶段：{phase} 必须是最后一个阶段（按户数标准的数量要在需求确定后才知道）",
        "phases: {phase} must be the last phase (the household standard's count is known only "
        "once the demand is built, so no count can follow it)",
    ),
    "err_phase_fewer": (
        "阶段：{later} 的回收点少于 {earlier}；后一阶段保留前一阶段的全部站点",
        "phases: {later} has fewer points than {earlier}; a later phase keeps every site of "
        "the earlier one",
    ),
    "err_points_and_phases": (
        "全区规划请给出 --points 或 --phase，不能同时给出",
        "give --points or --phase for the region, not both",
    ),
    # --- Downloads (the OSM extract, Overpass) ----------------------------------------------
    "dl_no_answer": ("{host} 没有及时应答", "no answer from {host} in time"),
    "dl_no_connection": ("无法连接 {host}", "no connection to {host}"),
    "dl_broke": ("与 {host} 的连接中断（{kind}）", "the connection to {host} broke ({kind})"),
    "dl_status": ("服务器返回 {status} {reason}", "{status} {reason}"),
    "dl_closed_early": (
        "连接在收到 {got:,} / {total:,} 字节后关闭",
        "connection closed after {got:,} of {total:,} bytes",
    ),
    "dl_deadline": (
        "用时超过了 {deadline:g} 秒的时限（settings.download_deadline_s，"
        "GXNET_DOWNLOAD_DEADLINE_S）",
        "it took longer than the deadline of {deadline:g} s (settings.download_deadline_s, "
        "GXNET_DOWNLOAD_DEADLINE_S)",
    ),
    "dl_too_slow": (
        "服务器在 {seconds:.0f} 秒内只发送了 {sent:,} 字节，低于可接受的最低速度 {rate:g} 字节/秒"
        "（settings.download_min_rate_bps，GXNET_DOWNLOAD_MIN_RATE_BPS）",
        "the server sent {sent:,} bytes in {seconds:.0f} s, slower than the slowest rate "
        "accepted, {rate:g} bytes/s (settings.download_min_rate_bps, "
        "GXNET_DOWNLOAD_MIN_RATE_BPS)",
    ),
    "dl_resumes": (
        "{part} 保留已下载的 {size:,} 字节，下次运行时续传；",
        "{part} keeps the {size:,} bytes so far and the next run resumes; ",
    ),
    "dl_by_hand": (
        "请手动下载并放到 {target}（{folder}/ 中覆盖该城市的任何 *.osm.pbf 都会被使用），"
        "或使用 --pbf 文件",
        "download it by hand and place it at {target} (any *.osm.pbf in {folder}/ covering "
        "the city is used), or pass --pbf FILE",
    ),
    "dl_attempt": ("尝试 {n} 次{more}", "{n} attempt{more}"),
    "dl_attempts": ("尝试 {n} 次{more}", "{n} attempts{more}"),
    "dl_no_time": (
        "，在 {deadline:g} 秒时限前来不及再试",
        ", no time for another before the {deadline:g} s deadline",
    ),
    "err_download_404": (
        "{url} 不存在（404）；请检查 settings.extract_url（GXNET_EXTRACT_URL），或{by_hand}",
        "{url} does not exist (404); check settings.extract_url (GXNET_EXTRACT_URL), or {by_hand}",
    ),
    "err_download_status": (
        "{url} 返回 {status} {reason}；{by_hand}",
        "{url} answered {status} {reason}; {by_hand}",
    ),
    "err_download_no_md5": (
        "{url}.md5 中没有 MD5 校验和（内容为 {got!r}）",
        "{url}.md5 holds no MD5 checksum (got {got!r})",
    ),
    "err_download_gave_up": (
        "放弃下载 {url}：{failure}；{resumes}{by_hand}",
        "gave up downloading {url}: {failure}; {resumes}{by_hand}",
    ),
    "err_download_failed": (
        "无法下载 {url}（{tried}，最后一次：{failure}）；{resumes}{by_hand}",
        "could not download {url} ({tried}, the last: {failure}); {resumes}{by_hand}",
    ),
    "err_download_md5": (
        "{url} 下载后的 MD5 为 {actual}，而服务器公布的是 {expected}；文件已丢弃：请重新运行命令，"
        "或{by_hand}",
        "{url} arrived with MD5 {actual}, but the server publishes {expected}; the file was "
        "discarded: run the command again, or {by_hand}",
    ),
    "err_overpass": (
        "Overpass 服务器 {url} 出错（{detail}）；请稍后再试，"
        "或将 GXNET_OVERPASS_URL 设为其他服务器，或使用 --source extract",
        "the Overpass server {url} failed ({detail}); try again later, set GXNET_OVERPASS_URL "
        "to another server, or use --source extract",
    ),
    "err_overpass_empty": (
        "Overpass 在该区域内没有返回道路（{detail}）；请检查区域",
        "Overpass returned no roads inside the area ({detail}); check the area",
    ),
    # --- Environment variables (GXNET_*) -----------------------------------------------------
    "err_environment": ("环境变量 {problem}{more}", "environment variable {problem}{more}"),
    "env_more": ("（另有 {n} 处问题）", " (and {n} more)"),
    "env_not_number": (
        "{name}={raw!r} 不是{what}（{bound}）：请改正或删除该变量",
        "{name}={raw!r} is not {what} ({bound}): correct it or unset it",
    ),
    "env_above": ("大于 {lo:g}", "above {lo:g}"),
    "env_at_least": ("不小于 {lo:g}", "at least {lo:g}"),
    "env_not_count": (
        "{name}={raw!r} 不是{what}（不小于 {lo} 的整数）：请改正或删除该变量",
        "{name}={raw!r} is not {what} (a whole number, at least {lo}): correct it or unset it",
    ),
    "env_not_url": (
        "{name}={raw!r} 不是以 http 或 https 开头的网址：请改正或删除该变量",
        "{name}={raw!r} is not an address starting with http or https: correct it or unset it",
    ),
    "env_not_language": (
        "{name}={raw!r} 不是可用的语言（zh 或 en）：请改正或删除该变量",
        "{name}={raw!r} is not a language (zh or en): correct it or unset it",
    ),
    "env_is_file": (
        "{name}={raw!r} 是文件而不是目录：请给出目录或删除该变量",
        "{name}={raw!r} is a file, not a folder: give a folder or unset it",
    ),
    "env_no_folder": (
        "{name}={raw!r} 不存在：请给出已有的目录或删除该变量",
        "{name}={raw!r} does not exist: give an existing folder or unset it",
    ),
    "what_seconds": ("秒数", "a number of seconds"),
    "what_attempts": ("尝试次数", "a number of attempts"),
    "what_bytes_per_second": ("每秒字节数", "a number of bytes per second"),
    "what_tonnes": ("以吨计的重量", "a weight in tonnes"),
    "what_height": ("以米计的高度", "a height in metres"),
    "what_width": ("以米计的宽度", "a width in metres"),
    "what_length": ("以米计的长度", "a length in metres"),
    # --- Standards (gxnet.toml, command-line options) --------------------------------------------
    "where_command_line": ("命令行", "command line"),
    "where_plan_provenance": ("规划的来源记录", "the plan's provenance"),
    "err_not_both": (
        "请给出 {first} 或 {second}，不能同时给出",
        "give {first} or {second}, not both",
    ),
    "err_solver_name": (
        "solver.name：{value!r} 不是 {choices} 之一",
        "solver.name: {value!r} is not one of {choices}",
    ),
    "err_solver_time_limit": (
        "solver.time_limit_s：{value} 必须大于 0",
        "solver.time_limit_s: {value} must be > 0",
    ),
    "err_solver_gap": (
        "solver.gap：{value} 必须不小于 0 且小于 1",
        "solver.gap: {value} must be in [0, 1)",
    ),
    "err_solver_threads": (
        "solver.threads：{value} 必须不小于 1",
        "solver.threads: {value} must be >= 1",
    ),
    "err_solver_max_nodes": (
        "solver.max_nodes：{value} 必须不小于 1",
        "solver.max_nodes: {value} must be >= 1",
    ),
    "cfg_required": ("必须填写一个值", "a value is required"),
    "cfg_expected_bool": (
        "应为 true 或 false，实际为 {value!r}",
        "expected true or false, got {value!r}",
    ),
    "cfg_expected_value": (
        "应为数字或文本，实际为 {value!r}",
        "expected a number or text, got {value!r}",
    ),
    "cfg_expected": ("应为{kind}，实际为 {value!r}", "expected {kind}, got {value!r}"),
    "cfg_integer": ("整数", "a whole number"),
    "cfg_number": ("数字", "a number"),
    "cfg_text": ("文本", "text"),
    "cfg_nan": ("必须是数字，不能是 nan", "must be a number, not nan"),
    "cfg_not_choice": ("{value!r} 不是 {choices} 之一", "{value!r} is not one of {choices}"),
    "cfg_out_of_range": (
        "{value!r} 超出范围：必须{bounds}",
        "{value!r} is out of range: must be {bounds}",
    ),
    "cfg_between": ("在 {lo} 和 {hi} 之间", "between {lo} and {hi}"),
    "cfg_at_least": ("不小于 {lo}", "at least {lo}"),
    "cfg_phases": (
        '应为 [[phases]] 表，如 name = "2023" 和 points = 1000 或 "standard"',
        'expected [[phases]] tables with name = "2023" and points = 1000 or "standard"',
    ),
    "cfg_phase_table": (
        '每个阶段需要 name 和 points（数量或 "standard"），不能有其他项',
        'each phase needs name and points (a count or "standard") and nothing else',
    ),
    "cfg_unknown_section": (
        "未知的节；可用的节为 {known}",
        "unknown section; known sections are {known}",
    ),
    "cfg_not_table": ("应为设置表（[节] 下的 键 = 值）", "expected a table of settings"),
    "cfg_unknown_setting": (
        "未知的设置；{section} 中的设置为 {known}",
        "unknown setting; {section} has {known}",
    ),
    "cfg_no_file": ("配置文件不存在；请检查路径", "no such configuration file"),
    "cfg_not_toml": (
        "不是有效的 TOML：{detail}；请检查该行的写法（见 `gxnet config show`）",
        "not valid TOML: {detail}; check that line (see `gxnet config show`)",
    ),
    # --- Saved plans: damaged, busy, stopped ----------------------------------------------------
    "plan_again": (
        "请重新运行 `gxnet optimize` 写出新的规划",
        "run `gxnet optimize` again to write the plan anew",
    ),
    "region_again": (
        "请重新运行 `gxnet optimize --city {slug}`（未变化的城市沿用）",
        "run `gxnet optimize --city {slug}` again (unchanged cities are reused)",
    ),
    "plan_columns": (
        "图层 {layer!r} 缺少列 {columns}",
        "plan layer {layer!r} lacks columns {columns}",
    ),
    "err_plan_not_file": ("规划已损坏：不是文件；{again}", "damaged plan: not a file; {again}"),
    "err_plan_not_json": (
        "规划文件已损坏（不是 JSON：{detail}）；{again}",
        "damaged plan file (not JSON: {detail}); {again}",
    ),
    "err_plan_not_gxnet": ("不是 gxnet 的规划文件；{again}", "not a gxnet plan file; {again}"),
    "err_plan_newer": (
        "规划文件的格式版本为 {version!r}，比本版 gxnet 能读取的（{supported}）新；"
        "请升级 gxnet，或{again}",
        "a plan of format version {version!r}, newer than this gxnet reads ({supported}); "
        "upgrade gxnet, or {again}",
    ),
    "err_plan_incomplete": (
        "规划文件已损坏（没有指标或来源记录）；{again}",
        "damaged plan file (no metrics or provenance); {again}",
    ),
    "err_plan_damaged": ("规划已损坏：{detail}；{again}", "damaged plan: {detail}; {again}"),
    "err_layer_missing": (
        "规划中缺少此图层文件；{again}",
        "layer file missing from the plan; {again}",
    ),
    "err_layer_damaged": (
        "图层文件已损坏（{detail}）；{again}",
        "damaged layer file ({detail}); {again}",
    ),
    "err_not_a_region_plan": (
        "不是全区规划（没有 region.json）；请给出 `gxnet optimize --city guangxi` 写出的目录，"
        "如 plans/guangxi",
        "not a region's plan (no region.json); give the folder `gxnet optimize --city guangxi` "
        "wrote, such as plans/guangxi",
    ),
    "err_region_part_damaged": (
        "该城市在全区规划中的部分缺失或已损坏（{detail}）；请重新运行全区规划（未变化的城市沿用）",
        "the city's part of the region is missing or damaged ({detail}); run the region again "
        "(unchanged cities are reused)",
    ),
    "err_switch": (
        "无法用新规划替换 {path}：{reason}；下次写入该目录时会完成替换",
        "cannot put the new plan in place of {path}: {reason}; the next run into it completes "
        "the switch",
    ),
    "err_lock": (
        "无法锁定 {path}：{reason}；请用 --out 选择可写的目录",
        "cannot lock {path}: {reason}; choose a writable folder with --out",
    ),
    "err_plan_busy": (
        "{path} 正由另一个 gxnet 运行写入（{holder}）；请等待其完成，或用 --out 写到其他位置",
        "{path} is being written by another gxnet run ({holder}); wait for it to finish, or "
        "write elsewhere with --out",
    ),
    "lock_holder": (
        "进程 {pid}，主机 {host}，开始于 {since}：{command}",
        "pid {pid} on {host}, since {since}: {command}",
    ),
    "lock_holder_unknown": ("未知", "holder unknown"),
    "lock_taken_over": (
        "接管了一个已停止运行的锁（{holder}）",
        "took over the lock of an earlier run that stopped ({holder})",
    ),
    "switch_completed": (
        "完成了已停止运行未完成的 {path} 及其地图的替换",
        "completed the switch of {path} and its map begun by a stopped run",
    ),
    "err_stopped": (
        "被 {signal} 停止：正在写的文件已丢弃，之前的规划和地图未改变",
        "stopped by {signal}: files being written were discarded; the previous plan and map "
        "are unchanged",
    ),
    "err_stopped_after": (
        "被 {signal} 停止：新的规划和地图已写出",
        "stopped by {signal} after the new plan and map were written",
    ),
    # --- Site lists (`gxnet sites check`, the rows a plan leaves out) ----------------------------
    "site_list": ("站点表", "site list"),
    "sites_report_head": (
        "{path}：读取 {read} 行，保留 {kept} 行，修正 {fixed} 行，拒绝 {rejected} 行",
        "{path}: {read} rows read, {kept} kept, {fixed} fixed, {rejected} rejected",
    ),
    "sites_report_crs": ("坐标系：{crs}（{reason}）", "coordinate system: {crs} ({reason})"),
    "sites_report_row": (
        "  第 {row} 行 [{site_id}] {action} {field}：{reason}",
        "  row {row} [{site_id}] {action} {field}: {reason}",
    ),
    "sites_report_unplannable": (
        "  第 {row} 行 [{site_id}] 不能规划 {field}：{reason}",
        "  row {row} [{site_id}] not plannable {field}: {reason}",
    ),
    "site_kept": ("保留", "kept"),
    "site_fixed": ("已修正", "fixed"),
    "site_rejected": ("拒绝", "rejected"),
    "sites_far": ("{n} 个站点远离所有道路{shown}", "{n} sites far from every road{shown}"),
    "sites_far_list": ("：{ids}{more}", ": {ids}{more}"),
    "sites_more": ("，另有 {n} 个", " and {n} more"),
    "sites_far_snap": (
        "{n} 个站点远离所有道路（超过 {metres:g} 米）：{ids}",
        "{n} sites far from every road (over {metres:g} m): {ids}",
    ),
    "sites_skipped_row": (
        "跳过第 {row} 行 [{site_id}] {field}：{reason}",
        "skipped row {row} [{site_id}] {field}: {reason}",
    ),
    "site_outside": ("在研究区域边界之外", "outside the study area boundary"),
    "site_not_point": ("不是点：改用形状内的一点", "not a point: using a point inside the shape"),
    "site_no_coordinates": (
        "没有坐标列；站点表需要 经度/lon 和 纬度/lat 列（见 `gxnet sites template`）",
        "no coordinate column; the list needs 经度/lon and 纬度/lat columns (see `gxnet sites "
        "template`)",
    ),
    "site_not_number": ("不是数字：'{value}'", "not a number: '{value}'"),
    "site_swapped": (
        "经度和纬度填反了，已交换",
        "latitude and longitude were swapped; swapped back",
    ),
    "site_out_of_range": ("坐标超出范围", "coordinates out of range"),
    "site_unknown_crs": (
        "无法识别的坐标系 '{value}'；请填 wgs84、gcj02（高德）或 bd09（百度）",
        "unknown coordinate system '{value}'; use wgs84, gcj02 (AMap) or bd09 (Baidu)",
    ),
    "site_unknown_value": (
        "无法识别的值 '{value}'；请填 {allowed}",
        "unknown value '{value}'; use {allowed}",
    ),
    "site_empty_default": ("空白：按 {default} 处理", "empty: assumed {default}"),
    "site_negative": ("不能为负数", "negative"),
    "site_same_id": ("与第 {row} 行编号相同", "same id as row {row}"),
    "site_near": (
        "距第 {row} 行 {metres:.1f} 米（同一站点填了两次？）",
        "{metres:.1f} m from row {row} (the same site entered twice?)",
    ),
    "site_tier_unplannable": ("类型 {tier} 暂时不能规划", "tier {tier} cannot be planned yet"),
    "crs_declared": ("已声明", "declared"),
    "crs_rows_declare": ("每个可用行都声明了自己的坐标系", "every usable row declares its own"),
    "crs_no_reference": (
        "未声明，也没有可用于判断的道路网络",
        "not declared and no road network to detect it against",
    ),
    "crs_too_few": (
        "未声明，且点（{n} 个）或道路太少，无法判断",
        "not declared and too few points ({n}) or roads to detect it",
    ),
    "crs_detected": (
        "根据道路判断：至最近道路节点的中位距离 {figures}",
        "detected: median distance to the nearest road node {figures}",
    ),
    "crs_unclear": (
        "未声明，根据道路也无法判断（中位距离 {figures}）",
        "not declared and not clear from the roads (median distance {figures})",
    ),
    "crs_assumed": ("按默认值处理：{reason}", "assumed, the default: {reason}"),
    "warn_crs_assumed": (
        "站点表坐标按 {crs} 处理：{reason}；如有误，请用 crs=（或 --crs）声明坐标系",
        "site list coordinates assumed {crs}: {reason}; declare the system with crs= (or --crs) "
        "if this is wrong",
    ),
    "warn_sites_fixed": (
        "{path}：{n} 行中修正 {fixed} 行、拒绝 {rejected} 行；"
        "见 SiteList.report（或 `gxnet sites check`）",
        "{path}: {fixed} rows fixed, {rejected} rejected of {n}; see SiteList.report (or `gxnet "
        "sites check`)",
    ),
    "err_template_lang": (
        "未知的模板语言 {value!r}；请用 zh 或 en",
        "unknown template language {value!r}; use zh or en",
    ),
    "err_template_format": (
        "未知的模板格式 {suffix!r}；文件名请以 .csv 或 .xlsx 结尾",
        "template format {suffix!r} unknown; name the file .csv or .xlsx",
    ),
    # --- Where the candidate sites come from (progress, provenance) ---------------------------
    "src_and": ("{first}；{then}", "{first}; {then}"),
    "src_the_site_list": ("站点表", "the site list"),
    "src_site_list": ("站点表 {path}", "the site list {path}"),
    "src_sites_given": ("给定的站点", "the sites given"),
    "src_osm": (
        "{file} 中的 OpenStreetMap 商店、市场和公共设施（无站点表）",
        "OpenStreetMap shops, markets and amenities in {file} (no site list)",
    ),
    "src_seats": ("{n:,} 个乡镇驻地", "{n:,} township seats"),
    "src_grid_only": (
        "乡镇驻地和需求格网中心的候选点（城镇格网和网格；无站点表，无 OSM 数据）",
        "candidate points at the township seats and the demand-cell centres (town cells and "
        "the grid; no site list, no OSM data)",
    ),
    "src_cells": ("需求格网中心的候选点", "candidate points at the demand-cell centres"),
    "src_grid_hubs": (
        "各区块人口最多格网处的{tier}候选",
        "{tier} candidates at the most populous cell of each block",
    ),
    "src_centres": (
        "县城、城镇附近公路节点和各区块人口最多格网处的分拣中心候选",
        "sorting-centre candidates at the county seats, highway nodes near towns and the most "
        "populous cell of each block",
    ),
    "progress_nodes": ("{mode}：{n:,} 个节点", "{mode}: {n:,} nodes"),
    "list_sep": ("；", ", "),
    # --- Road networks (`gxnet fetch`, the caches) ---------------------------------------------
    "fetch_line": (
        "{slug:<14} {mode:<8} {nodes:>9,} 个节点 {edges:>10,} 条边   "
        "删去 {dropped_nodes:,} 个节点、{dropped_edges:,} 条边   {path}",
        "{slug:<14} {mode:<8} {nodes:>9,} nodes {edges:>10,} edges   dropped {dropped_nodes:,} "
        "nodes, {dropped_edges:,} edges   {path}",
    ),
    "err_no_networks_named": (
        "{folder} 中没有名为 {name!r} 的道路网络：请先运行 `{command}`",
        "no road networks named {name!r} in {folder}: run `{command}` first",
    ),
    "a_polygon": ("一个多边形", "a polygon"),
    "warn_other_outline": (
        "道路网络 {name!r} 是为另一个轮廓（{outline}）获取的：其外及缓冲区以外的道路缺失；"
        "请为此轮廓重新获取：`{command}`",
        "the road networks {name!r} were fetched for another outline ({outline}): roads beyond "
        "it and its buffer are missing; fetch them for this outline: `{command}`",
    ),
    "err_unknown_mode": (
        "未知的出行方式 {value!r}；请从 {choices} 中选择",
        "unknown travel mode {value!r}; choose one of {choices}",
    ),
    "err_unknown_modes": (
        "未知的出行方式 {values}；请从 {choices} 中选择",
        "unknown travel modes {values}; choose from {choices}",
    ),
    "err_unknown_source": (
        "未知的数据来源 {value!r}；请从 {choices} 中选择",
        "unknown source {value!r}; choose one of {choices}",
    ),
    "err_pbf_and_source": (
        "--pbf 不能与 --source {source} 同时使用",
        "--pbf cannot be combined with --source {source}",
    ),
    "err_area_unreadable": (
        "无法读取此区域文件（{detail}）",
        "cannot read this area file ({detail})",
    ),
    "err_area_no_polygon": (
        "文件中没有多边形；请给出城市或区县的轮廓",
        "the file holds no polygon; give the city or district outline",
    ),
    "err_area_no_crs": (
        "文件没有声明坐标系；请带坐标系另存（WGS-84：EPSG:4326）",
        "the file declares no coordinate system; save it with one (WGS-84: EPSG:4326)",
    ),
    "err_area_name": (
        "区域需要一个缓存目录名称，只能用小写拉丁字母、数字、- 或 _（现为 {value!r}），"
        "如 --name wuzhou-centre",
        "an area needs a name for its cache folder of lower-case latin letters, digits, '-' or "
        "'_' (got {value!r}), e.g. --name wuzhou-centre",
    ),
    "err_no_local_pbf": (
        "{folder}/ 中没有覆盖该区域的 *.osm.pbf：请放一个进去，或使用 --pbf 文件，"
        "或用 --source extract 下载全区数据",
        "no *.osm.pbf in {folder}/ covers the area: put one there, pass --pbf FILE, or "
        "download the region with --source extract",
    ),
    "err_area_outside_extract": (
        "该区域（经度 {west:.4f}..{east:.4f}，纬度 {south:.4f}..{north:.4f}）在广西以外，"
        "而 gxnet 下载的是广西的数据：请用 --pbf 文件 给出覆盖它的 OpenStreetMap 数据"
        "（如来自 download.geofabrik.de），或将 GXNET_EXTRACT_URL 指向这样的文件",
        "the area (lon {west:.4f}..{east:.4f}, lat {south:.4f}..{north:.4f}) lies outside "
        "Guangxi, whose extract is the one gxnet downloads: give an OpenStreetMap extract "
        "covering it with --pbf FILE (e.g. from download.geofabrik.de), or point "
        "GXNET_EXTRACT_URL at one",
    ),
    # --- Warnings on the console (fallbacks, assumptions) ---------------------------------------
    "this_area": ("该区域", "this area"),
    "warn_no_osm": (
        "{area} 在本机没有 OSM 数据：各乡镇的城镇人口放在其镇区，乡村人口分布在其所在县区范围内"
        "（替代做法）。请为该城市运行 `gxnet fetch`，以按建筑、用地和村庄分布人口。",
        "no OSM data on disk for {area}: each township's urban people are placed at its town "
        "and its rural people spread over its part of the county (fallback). Run `gxnet fetch` "
        "for the city to place them by buildings, land use and villages.",
    ),
    "warn_no_osm_counties": (
        "OSM 在县区 {counties} 中没有建筑、用地或地名：其人口放在镇区周围（替代做法）",
        "OSM shows no buildings, land use or places in counties {counties}: their people are "
        "placed around their towns (fallback)",
    ),
    "warn_township_points": (
        "{area} 的 {townships} 个乡镇中有 {n} 个在参考数据中没有自己的位置点（{shown}）："
        "其人口放在按规则选定的点周围（县城或县区内最大的空白处；见 docs/reference-data.md）",
        "{n} of {townships} townships in {area} have no point of their own in the reference "
        "data ({shown}): their people are placed around a point chosen by rule (county seat or "
        "the county's largest gap; docs/reference-data.md)",
    ),
    "demand_households_only": (
        "{n:,} 行只有户数（人口 = 户数 × 户均人数）",
        "{n:,} rows give households only (people = households x size)",
    ),
    "demand_population_only": (
        "{n:,} 行只有人口（户数 = 人口 ÷ 户均人数）",
        "{n:,} rows give population only (households = people / size)",
    ),
    "warn_household_size": (
        "{path}：{rows}；户均人数 {size}",
        "{path}: {rows}; household size {size}",
    ),
    "household_size_census": (
        "每户 {size:g} 人（广西 2020 年人口普查数，默认值：其他地区请设 --household-size 或 "
        "[demand] household_size）",
        "{size:g} persons per household (Guangxi's 2020 census figure, the default: set "
        "--household-size or [demand] household_size for another area)",
    ),
    "household_size_set": (
        "每户 {size:g} 人（本规划的设定）",
        "{size:g} persons per household (as set for this plan)",
    ),
    # --- The models' own checks (infeasible targets, the solver's failures) ----------------------
    "status_infeasible": ("无可行方案", "infeasible"),
    "status_no_solution": ("时限内没有找到方案", "no solution"),
    "demand_units": ("需求单元", "demand units"),
    "err_unreachable": (
        "以下{what}在限值内没有可到达的{tier}（已排除的不计）：{ids}。请在其附近增加候选{tier}、"
        "放宽限值、取消排除一个可到达的站点，或从输入中删去它们。",
        "{what_en} that no {tier_en} (excluded ones left out) can reach within the cutoff: "
        "{ids}. Add candidate {tier_en}s near them, lengthen the cutoff, un-exclude a site in "
        "reach, or remove them from the input.",
    ),
    "err_minimums_need": (
        "分组保底需要开设 {needed} 个站点，多于要求的 {asked} 个：请增加站点数量或降低保底",
        "the grouped minimums need {needed} open sites, more than the {asked} asked for: raise "
        "the number of sites or lower the minimums",
    ),
    "err_minimums_unmet": (
        "无法满足保底：{ids} 的可用候选站点少于其保底数；请在那里增加候选站点或降低保底",
        "minimums cannot be met: {ids} have fewer usable candidate sites than their minimum; "
        "add candidates there or lower the minimum",
    ),
    "err_points_capacity": (
        "{tier}.capacity：可开设的回收点总容量为 {available:g}，但必须服务的需求为 {needed:g}；"
        "请提高容量、增加候选回收点、取消排除回收点，或降低 targets.coverage",
        "{tier}.capacity: the points that may open hold {available:g} but {needed:g} of the "
        "demand weight must be served; raise capacities, add candidate points, un-exclude "
        "points, or lower targets.coverage",
    ),
    "cap_single": ("可到达的任何单个回收点", "no single point in reach"),
    "cap_together": ("可到达的回收点合计", "the points in reach together"),
    "err_units_too_heavy": (
        "以下需求单元的需求量超过{how}的容量：{ids}；请提高其附近回收点的容量、增加候选回收点、"
        "允许拆分分配（single_source=False），或把覆盖率下限设为小于 1",
        "demand units heavier than {how} can hold: {ids}; raise the capacity of a point near "
        "them, add candidate points, allow split assignment (single_source=False), or set a "
        "coverage floor below 1",
    ),
    "err_cost_budget": (
        "targets.cost_budget：{budget:g} 少于已有和必建站点（{ids}）的固定成本 {cost:g}；"
        "请提高预算或改变这些站点的状态",
        "targets.cost_budget: {budget:g} is less than the fixed cost {cost:g} of the existing "
        "and required sites ({ids}); raise the budget or change their status",
    ),
    "cap_blocked": (
        "（其可到达的回收点无法开设：{ids}；请在货车限时内为它们提供分拣中心）",
        " (the points in their reach cannot open: {ids}; give them a sorting centre within the "
        "truck cutoff)",
    ),
    "err_units_unserved": (
        "以下需求单元在服务标准内没有回收点可以服务：{ids}{why}。请在其附近增加候选回收点、"
        "放宽服务标准、取消排除一个可到达的回收点，或把覆盖率下限设为小于 1（targets.coverage）",
        "demand units that no recycling point can serve within the standard: {ids}{why}. Add "
        "candidate points near them, lengthen the service standard, un-exclude a point in "
        "reach, or set a coverage floor below 1 (targets.coverage)",
    ),
    "err_no_assignment": (
        "没有一种分配能在容量内服务全部需求",
        "no assignment serves all demand within capacities",
    ),
    "err_kept_unlinked": (
        "以下已有或必建的{lower}在限值内没有可开设的{upper}：{ids}；请在可到达处增加候选{upper}、"
        "放宽限值，或取消排除其附近的{upper}",
        "existing or required {lower_en}s with no {upper_en} that may open within the cutoff: "
        "{ids}; add a candidate {upper_en} in reach, lengthen the cutoff, or un-exclude a "
        "{upper_en} near them",
    ),
    "err_tier_capacity": (
        "可开设的{tier}总容量为 {available:g}，但必须服务的需求带来的负荷至少为 {needed:g}；"
        "请提高其容量、在可到达处增加候选{tier}、取消排除一些，或降低 targets.coverage"
        "（可开设的{tier}：{ids}）",
        "{tier_en}.capacity: the {tier_en}s that may open hold {available:g} but the demand "
        "that must be served brings a load of at least {needed:g}; raise their capacities, add "
        "candidate {tier_en}s in reach, un-exclude some, or lower targets.coverage ({tier_en}s "
        "that may open: {ids})",
    ),
    "err_highs_internal": (
        "HiGHS 在 gxnet 的一个内部模型上出错停止",
        "HiGHS stopped with an error on one of gxnet's internal models",
    ),
    "err_highs_failed": (
        "HiGHS 求解模型 {model!r} 失败（{status}）",
        "HiGHS failed on model {model!r} ({status})",
    ),
    "err_highs_objective": (
        "HiGHS 报告模型 {model!r} 的目标值为 {objective:g}，但其解计算得 {computed:g}；"
        "不采信此次求解",
        "HiGHS reported objective {objective:g} for model {model!r} but its solution evaluates "
        "to {computed:g}; not trusting the run",
    ),
    "err_cbc_failed": (
        "CBC 求解模型 {model!r} 失败：{detail}",
        "CBC failed on model {model!r}: {detail}",
    ),
    "err_points_kept": (
        "要求 {count:,} 个回收点，但有 {kept:,} 个已有和必建站点必须保留：请提高回收点数量",
        "{count:,} points asked, but {kept:,} existing and required sites must stay open: "
        "raise the number of points",
    ),
    "err_phase_no_solution": (
        "阶段 {phase}：求解器没有找到方案（{status}）；请放宽目标或标准，或延长 --time-limit",
        "phase {phase}: the solver found no plan ({status}); relax the targets or the "
        "standards, or allow a longer --time-limit",
    ),
    "err_floor_outside": (
        "{city}：保底 {floor} 个回收点超出其覆盖曲线的范围（{start} 至 {stop}）",
        "{city}: a floor of {floor} point sites lies outside its curve ({start} to {stop})",
    ),
    "err_floors_exceed": (
        "各城市的保底共需 {needed:,} 个回收点，多于要求的 {asked:,} 个",
        "the cities' floors need {needed:,} point sites, more than the {asked:,} asked",
    ),
    "err_target_room": (
        "要求 {asked:,} 个回收点，但各城市只有 {room:,} 个可开设的候选站点："
        "请增加候选站点或降低目标",
        "{asked:,} point sites asked, but the cities have only {room:,} candidate sites that "
        "can open: add candidate sites or lower the target",
    ),
    "err_problem_data": (
        "模型输入未通过检查（gxnet 的内部错误，请报告给维护者）：{detail}",
        "{detail}",
    ),
    # --- Input files, places and OSM data --------------------------------------------------------
    "err_target_below_kept": (
        "要求 {asked:,} 个回收点，但已有和必建站点（及前面各阶段）已占 {kept:,} 个：请提高目标",
        "{asked:,} point sites asked, but the existing and required sites (and the earlier "
        "phases) already hold {kept:,}: raise the target",
    ),
    "err_unknown_crs": (
        "未知的坐标系 {value!r}：请用 wgs84（GPS、OSM）、gcj02（高德、腾讯）或 bd09（百度）",
        "unknown coordinate system {value!r}: use wgs84 (GPS, OSM), gcj02 (AMap, Tencent) or "
        "bd09 (Baidu)",
    ),
    "err_projected_crs": (
        "{crs} 中的几何是投影坐标：GCJ-02 和 BD-09 是经纬度坐标系，请先转换为经纬度（EPSG:4326）",
        "geometries in {crs} are projected: GCJ-02 and BD-09 are lon/lat systems, so reproject "
        "to lon/lat (EPSG:4326) first",
    ),
    "err_township_code": (
        "现在没有代码为 {code!r} 的乡镇{hint}",
        "no township today has the code {code!r}{hint}",
    ),
    "township_nearest_codes": ("；最接近的代码：{hint}", "; nearest codes: {hint}"),
    "township_code_digits": ("；乡镇代码为 12（或 9）位数字", "; codes have 12 (or 9) digits"),
    "err_township_code_name": (
        "代码 {code} 是 {found}，不是 {name!r}：请改正代码或名称",
        "code {code} is {found}, not {name!r}: correct the code or the name",
    ),
    "err_township_ambiguous": (
        "{name!r} 对应多个乡镇：{listing}；请给出乡镇代码或县区",
        "{name!r} names several townships: {listing}; give the township code or the county",
    ),
    "in_place": ("（{place}）", " in {place}"),
    "in_guangxi": ("（广西）", " in Guangxi"),
    "err_township_name": (
        "现在没有名为 {name!r} 的乡镇{where}{hint}",
        "no township named {name!r}{where} today{hint}",
    ),
    "township_nearest_names": ("；最接近的名称：{hint}", "; nearest names: {hint}"),
    "err_township_row": (
        "{problem}；请改正乡镇，或留空（由坐标决定）",
        "{problem}; correct the township or leave it empty (then the point decides)",
    ),
    "err_township_county": (
        "乡镇 {name}（{code}）属于县区 {found}，不是 {county}：请改正乡镇或县区",
        "township {name} ({code}) is in county {found}, not {county}: correct the township or "
        "the county",
    ),
    "err_no_census_file": (
        "广西以外的研究区域没有人口普查数据：请用 --demand 文件 给出含户数或人口的点或面，"
        "或在此文件中加上这样的列（{problem}）",
        "a study area outside Guangxi has no census: give --demand FILE (points or polygons "
        "with households or population), or add such a column ({problem})",
    ),
    "err_no_census": (
        "广西以外的研究区域没有人口普查数据：请给出需求表（--demand）",
        "a study area outside Guangxi has no census: give a demand table",
    ),
    "err_no_county_overlap": ("没有县区与研究区域重叠", "no county overlaps the study area"),
    "region_unit_county": ("{zh} {py}（{code}，属{city}）", "{zh} {py} ({code}, in {city_en})"),
    "region_unit": ("{zh} {py}（{code}，{level}）", "{zh} {py} ({code}, {level})"),
    "kind_province": ("省区", "province"),
    "err_adcode_kind": (
        "行政区划代码 {code} 是 {unit}，不是{where}的{kind}",
        "adcode {code} is {unit}, not a {kind_en}{where_en}",
    ),
    "err_region_ambiguous": (
        "“{query}” 对应多个单位：{units}；请给出行政区划代码或城市",
        "{query!r} names several units: {units_en}; give the adcode or the city",
    ),
    "err_region_elsewhere": (
        "“{query}” 不是{where}的{kind}：它是 {units}",
        "{query!r} is not a {kind_en}{where_en}: it names {units_en}",
    ),
    "err_leaflet_missing": (
        "每张地图都要内嵌 Leaflet 的 leaflet.js 和 leaflet.css，但 {folder} 中没有：请运行 "
        "`pip install django-js-lib-leaflet`（含 Leaflet 1.9.4），或将 GXNET_LEAFLET_DIR 设为 "
        "`npm pack leaflet@1.9.4` 的 dist/ 目录",
        "Leaflet's leaflet.js and leaflet.css, which every map inlines, are not in {folder}: run "
        "`pip install django-js-lib-leaflet` (it ships Leaflet 1.9.4), or set GXNET_LEAFLET_DIR "
        "to the dist/ folder of `npm pack leaflet@1.9.4`",
    ),
    "err_leaflet_image": (
        "缺少 Leaflet 的图片 {path}：请重新安装 Leaflet 的文件",
        "Leaflet's image {path} is missing: reinstall Leaflet's files",
    ),
    "err_no_roads": (
        "此 OSM 数据中区域内没有{mode}道路；请检查文件是否覆盖该城市，"
        "或用 --modes 选择其他出行方式",
        "no {mode} roads inside the area in this OSM data; check that the file covers the city, "
        "or choose other travel modes with --modes",
    ),
    "features_rebuild": ("请重建：`{command}`", "rebuild it: `{command}`"),
    "features_delete": (
        "请删除 {folder} 后重新读取",
        "delete {folder} and read the features again",
    ),
    "err_features_damaged": (
        "缓存的 OSM 要素已损坏（{detail}）；{repair}",
        "the cached OSM features are damaged ({detail}); {repair}",
    ),
    "err_no_osm_file": (
        "OSM 文件不存在；请先运行 `gxnet fetch`",
        "no such OSM file; run `gxnet fetch` first",
    ),
    "err_osm_unreadable": (
        "osmium 无法读取此文件（{detail}）；文件已损坏或不完整：请重新获取",
        "osmium cannot read the file ({detail}); it is corrupt or truncated: fetch it again",
    ),
    "err_no_pbf": (
        "文件不存在；请给出 .osm.pbf 文件的路径",
        "no such file; give the path of an .osm.pbf file",
    ),
    "nothing": ("无", "nothing"),
    "err_pbf_not_covering": (
        "文件没有覆盖该区域（经度 {west:.4f}..{east:.4f}，纬度 {south:.4f}..{north:.4f}；文件覆盖 "
        "{extent}）；请给出全区的 PBF（gxnet fetch --source extract 下载广西数据）",
        "the file does not cover the area (lon {west:.4f}..{east:.4f}, lat {south:.4f}.."
        "{north:.4f}; the file covers {extent}); give a PBF of the region (gxnet fetch --source "
        "extract downloads Guangxi)",
    ),
    "err_region_twice": (
        "全区规划中 {name}（{slug}）出现了两次",
        "the region lists {name} ({slug}) twice",
    ),
    "err_region_site_lists": (
        "给出了 {names} 的站点表，但它们不是全区规划中的城市（{cities}）",
        "site lists given for {names}, which are not cities of the region ({cities})",
    ),
    # --- The region's progress ------------------------------------------------------------------
    "progress_region": (
        "{name}：{n} 个城市，{workers}",
        "region {name}: {n} cities on {workers}",
    ),
    "dask_workers": (
        "{n} 个 Dask 工作进程（{threads} 个线程），调度器 {address}",
        "{n} Dask workers ({threads} threads) at {address}",
    ),
    "progress_quota_curves": (
        "县区配额与目标不符：取消配额后重新计算覆盖曲线",
        "the county quotas do not fit the target: curves again without them",
    ),
    "progress_shared": (
        "{label} 阶段：{points:,} 个回收点在 {n} 个城市间分配{dropped}",
        "phase {label}: {points:,} point sites shared among {n} cities{dropped}",
    ),
    "progress_target_shared": (
        "目标：{points:,} 个回收点在 {n} 个城市间分配{dropped}",
        "target: {points:,} point sites shared among {n} cities{dropped}",
    ),
    "progress_floors_dropped": (
        "；保底无法全部满足：{n:,} 个乡镇改为流动回收",
        "; the floors did not fit: {n:,} townships left for mobile collection",
    ),
    "bar_curves": ("覆盖曲线", "curves"),
    "bar_cities": ("城市", "cities"),
    "bar_city": ("个城市", "city"),
    # --- `gxnet cities` ------------------------------------------------------------------------
    "cities_adcode": ("行政区划代码", "adcode"),
    "cities_name_zh": ("中文", "中文"),
    "cities_pinyin": ("拼音", "pinyin"),
    "cities_population": ("2020年人口", "population 2020"),
    "cities_households": ("户数", "households"),
    "cities_counties": ("县区数", "counties"),
    "progress_preferred": (
        "优先保留原规划的 {n:,} 个站点（替换须多服务其 {penalty:.0%} 的户数）",
        "{n:,} sites of the plan re-solved are preferred (a change must gain {penalty:.0%} of "
        "their households)",
    ),
    # --- Why a re-solve closes or moves a site ---------------------------------------------------
    "reason_better_without": ("新规划不设此站点更优", "the new plan does better without it"),
    "reason_excluded": (
        "撤销：新站点表中标为排除",
        "withdrawn: marked excluded (排除) in the new list",
    ),
    "reason_not_listed": ("撤销：新站点表中没有此站点", "withdrawn: not in the new list"),
    "reason_replaced": (
        "不再是候选站点：新站点表取代了 {origin} 站点",
        "no longer a candidate: the new list replaces the {origin} sites",
    ),
    "err_count_outside": (
        "{name}：要求 {count} 个{tier}，但已有或必建的有 {kept} 个，可开设的（不含已排除的）有 "
        "{usable} 个；请在 [{kept}, {usable}] 中选择数量",
        "{name}: {count} {tier_en}s asked for, but {kept} are existing or required and {usable} "
        "may open (excluded ones left out); choose a number in [{kept}, {usable}]",
    ),
}


#: The console's language when set (by ``--lang``); None: ``GXNET_LANG``, else Chinese.
chosen_language: str | None = None


def language() -> str:
    """The console's language: the one set by :func:`gxnet._messages.set_language`, else
    ``GXNET_LANG``, else Chinese (an unknown ``GXNET_LANG`` is reported by
    :func:`gxnet.settings.check_environment` and meanwhile counts as Chinese)."""
    if chosen_language is not None:
        return chosen_language
    value = os.environ.get(LANG_VARIABLE, "").strip().lower()
    return value if value in LANGUAGES else LANGUAGES[0]


class Phrase:
    """A message of the catalogue used as a field of another: it is worded in the language of
    the message around it (a reason inside an error, a part of a sentence).

    Parameters
    ----------
    key
        The phrase's key in :data:`MESSAGES`.
    **params
        Its fields (which may be phrases in turn).
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def __reduce__(self) -> tuple:
        # Pickled (to and from Dask's workers) with its parameters, not as its English text.
        return (_phrase, (self.key, self.params))

    def word(self, lang: str) -> str:
        """The phrase in ``lang``."""
        return word(self.key, lang, self.params)

    localized = word

    def __str__(self) -> str:
        return self.word("en")

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.params!r})"


def _phrase(key: str, params: dict[str, Any]) -> Phrase:
    return Phrase(key, **params)


def word(key: str, lang: str, params: dict[str, Any]) -> str:
    """The message ``key`` in ``lang`` (one of :data:`LANGUAGES`), filled from ``params``;
    a :class:`Phrase` among them (or an error of gxnet's: anything with a ``localized``
    method) is worded in ``lang`` too."""
    template = MESSAGES[key][LANGUAGES.index(lang)]
    if not params:
        return template
    return template.format(
        **{k: v.localized(lang) if hasattr(v, "localized") else v for k, v in params.items()}
    )
