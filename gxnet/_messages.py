"""The words on maps and reports, in Chinese (the default) and English.

One table, so that a translation is checked in one place and a new language is one more column.
Keys name what the text is for; values with ``{}`` fields are filled with ``str.format``.
"""

from __future__ import annotations

from gxnet._errors import UserInputError
from gxnet.tiers import SiteStatus, Tier

LANGUAGES = ("zh", "en")

_MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "plan": ("回收网络规划", "recycling network plan"),
    "layer_existing": ("回收点（已有）", "Recycling points (existing)"),
    "layer_new": ("回收点（新建）", "Recycling points (new)"),
    "layer_candidates": ("候选点（未选中）", "Candidate sites (not chosen)"),
    "layer_centres": ("分拣中心", "Sorting centres"),
    "layer_service": ("服务范围", "Service areas"),
    "layer_walk": ("步行至回收点时间", "Walk time to recycling point"),
    "layer_links": ("回收点至分拣中心", "Points to sorting centres"),
    "layer_uncovered": ("未覆盖需求", "Uncovered demand"),
    "layer_counties": ("县区边界与人口", "Counties and census"),
    "legend_walk": ("步行至回收点时间（分钟）", "Walk time to recycling point (min)"),
    "legend_unreached": ("无可达回收点", "No point within reach"),
    "legend_sites": ("站点", "Sites"),
    "layer_changes": ("与上一版规划相比的变化", "Changes from the previous plan"),
    "change": ("变化", "Change"),
    "change_opened": ("新增", "opened"),
    "change_closed": ("撤销", "closed"),
    "change_moved": ("迁移", "moved"),
    "moved_from": ("迁自", "Moved from"),
    "reason": ("原因", "Reason"),
    "households_before": ("原服务户数", "Households served before"),
    "households_after": ("现服务户数", "Households served now"),
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
    "to_centre": ("至分拣中心车程", "Drive to sorting centre"),
    "points_served": ("服务回收点数", "Recycling points served"),
    "drive_mean": ("平均车程", "Mean drive time"),
    "households": ("户数", "Households"),
    "population": ("人口", "Population"),
    "walk_time": ("步行时间", "Walk time"),
    "point": ("回收点", "Recycling point"),
    "covered": ("达标覆盖", "Covered within standard"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "minutes": ("分钟", "min"),
    "households_unit": ("户", "households"),
    "unlimited": ("不限", "no limit"),
    "tonnes_day": ("吨/日", "t/day"),
    "county": ("县区", "County"),
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
    f"status_{SiteStatus.EXCLUDED}": ("排除", "excluded"),
    f"tier_{Tier.RECYCLING_POINT}": ("回收点", "recycling point"),
    f"tier_{Tier.SORTING_CENTRE}": ("分拣中心", "sorting centre"),
    f"tier_{Tier.PROCESSING_BASE}": ("加工基地", "processing base"),
    "report_counties": ("分县区统计", "By county"),
    "report_summary": ("概要", "Summary"),
    "cost_walk": ("步行/骑行时间依据", "Walking and riding times from"),
    "cost_truck": ("货车车程依据", "Truck times from"),
    "cost_road": ("道路网络", "the road network"),
    "cost_highway": (
        "广西公路网（接驳段按直线距离）",
        "the Guangxi highway graph (access legs straight-line)",
    ),
    "cost_straight_line": ("直线距离 × 绕行系数", "straight-line distance × detour factor"),
    "report_townships": ("分乡镇统计", "By township"),
    "township": ("乡镇", "Township"),
    "mobile": ("流动回收", "Mobile collection"),
    "reason_no_site": ("服务标准内无候选站点", "no candidate site within the standard"),
    "reason_too_few": (
        "最佳站点服务标准内不足 {n:,.0f} 户",
        "best site reaches fewer than {n:,.0f} households within the standard",
    ),
    "reason_not_chosen": ("规划未设点", "no point planned"),
    "reason_budget": (
        "点位总数不足以满足乡镇保底，此处服务户数最少",
        "too few points asked to give every "
        "township one; a point here would serve fewest households",
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
    "solver": ("求解器", "Solver"),
    "solve_status": ("求解状态", "Solver status"),
    "gap": ("最优性间隙", "Optimality gap"),
    "region_summary": ("全区概况", "Region summary"),
    "region_cities": ("分城市统计", "By city"),
    "region_phases": ("分阶段建设", "By phase"),
    "region_allocation": ("目标分配", "How the target was shared"),
    "region_dropped": (
        "点位总数不足以保底、改为流动回收的乡镇",
        "Townships the target could not give a point (mobile collection)",
    ),
    "region_failed": ("未完成规划的城市", "Cities not planned"),
    "city": ("城市", "City"),
    "phase": ("阶段", "Phase"),
    "point_sites": ("回收点（网点）", "Recycling points (sites)"),
    "new_points": ("本阶段新增", "New in phase"),
    "standard_points": ("按户数标准折算", "Standard points hosted"),
    "townships_count": ("乡镇数", "Townships"),
    "mobile_households": ("流动回收户数", "Households on mobile collection"),
    "status_failed": ("失败", "failed"),
    "layer_cells": ("步行时间（{km:g} 公里格网汇总）", "Walk time ({km:g} km cells, aggregated)"),
    "layer_city": ("{name}：回收点与分拣中心", "{name}: points and centres"),
    "legend_phases": ("建设阶段", "Phases"),
    "layer_phase": ("回收点（{name} 阶段新建）", "Recycling points (new in {name})"),
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
}


def messages(lang: str) -> dict[str, str]:
    """Return every message in ``lang`` ("zh" or "en"), keyed as in the table above.

    Raises
    ------
    UserInputError
        For a language the table does not have.
    """
    if lang not in LANGUAGES:
        raise UserInputError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    column = LANGUAGES.index(lang)
    return {key: texts[column] for key, texts in _MESSAGES.items()}
