"""Tables of a plan: households, recycling points, coverage and walk times per county.

:func:`county_table` gives the figures as a DataFrame (the workbook and the printed report of
:mod:`gxnet.document` show them); :func:`render_markdown` writes them as a short markdown
report in Chinese or English.

Coverage is the share of all households whose point lies within the service standard (the plan's
``covered`` flag), so demand without any reachable point counts as not covered. Walk times are
household-weighted over those covered households, as in the plan's own metrics
(:func:`gxnet.plan.measure`): the mean, and the 95th percentile as the smallest time within which
at least 95 % of them live.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet._messages import messages
from gxnet.plan import Plan
from gxnet.regions import get_region
from gxnet.tiers import Tier


def assigned(demand: pd.DataFrame) -> pd.Series:
    """Which demand rows have a recycling point (the plan writes "" or None for none)."""
    point = demand["point_id"]
    return point.notna() & (point.astype(str) != "")


def walk_times(demand: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Household-weighted mean and 95th-percentile travel time, in minutes, per value of ``key``.

    Parameters
    ----------
    demand
        Rows with ``households``, ``covered`` and ``travel_s``; rows not covered within the
        standard or without a time are left out.
    key
        The group of each row of ``demand`` (same index), e.g. its county or its point.

    Returns
    -------
    DataFrame
        Indexed by the key, columns ``walk_mean_min`` and ``walk_p95_min``.
    """
    reached = demand["covered"].fillna(False).astype(bool) & np.isfinite(
        demand["travel_s"].astype(float)
    )
    rows = pd.DataFrame(
        {
            "key": key[reached],
            "w": demand.loc[reached, "households"].astype(float),
            "t": demand.loc[reached, "travel_s"].astype(float) / 60.0,
        }
    ).sort_values(["key", "t"], kind="stable")
    groups = rows.groupby("key", sort=False)["w"]
    # Sorted by time within each key, the percentile is the first time whose cumulative
    # household share reaches 95 %; the minimum over the rows that reach it is that time.
    reaches = groups.cumsum() >= 0.95 * groups.transform("sum")
    p95 = rows["t"].where(reaches).groupby(rows["key"]).min()
    weighted = (rows["t"] * rows["w"]).groupby(rows["key"]).sum()
    mean = weighted / groups.sum().replace(0.0, np.nan)
    return pd.DataFrame({"walk_mean_min": mean, "walk_p95_min": p95})


def figures_by(
    demand: pd.DataFrame, sites: pd.DataFrame, demand_key: pd.Series, site_key: pd.Series
) -> pd.DataFrame:
    """Households, coverage, points, centres and walk times per key (a county, a township or
    the total) of the demand rows and of the chosen ``sites``."""
    households = demand["households"].astype(float)
    covered = households.where(demand["covered"].fillna(False).astype(bool), 0.0)
    table = pd.DataFrame(
        {
            "households": households.groupby(demand_key).sum(),
            "covered_households": covered.groupby(demand_key).sum(),
        }
    )
    is_point = sites["tier"] == Tier.RECYCLING_POINT
    # A site may host several recycling points (a plan's ``points`` column); else one each.
    per_site = sites["points"] if "points" in sites.columns else pd.Series(1, index=sites.index)
    counts = pd.DataFrame(
        {
            "points": per_site.where(is_point, 0).groupby(site_key).sum(),
            "centres": (~is_point).groupby(site_key).sum(),
        }
    )
    table = table.join(counts, how="outer").join(walk_times(demand, demand_key))
    table[["households", "covered_households"]] = table[
        ["households", "covered_households"]
    ].fillna(0.0)
    table[["points", "centres"]] = table[["points", "centres"]].fillna(0).astype(int)
    table["coverage"] = table["covered_households"] / table["households"].replace(0.0, np.nan)
    return table[
        [
            "households",
            "covered_households",
            "coverage",
            "points",
            "centres",
            "walk_mean_min",
            "walk_p95_min",
        ]
    ]


def site_counties(plan: Plan, sites: gpd.GeoDataFrame) -> pd.Series:
    """The adcode of the plan's county each of ``sites`` stands in (0 outside all)."""
    counties = plan.counties
    if counties is None or counties.empty:
        return pd.Series(0, index=sites.index)
    joined = gpd.sjoin(
        sites[[sites.geometry.name]],
        counties[["adcode", "geometry"]].to_crs(sites.crs),
        how="left",
        predicate="within",
    )
    # A site on a shared border falls in two counties: count it once, in the first.
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["adcode"].reindex(sites.index).fillna(0).astype(int)


def _chosen_sites(plan: Plan) -> gpd.GeoDataFrame:
    """The chosen sites, each with the adcode of the county it stands in (0 outside all)."""
    columns = [c for c in ("site_id", "tier", "points", "geometry") if c in plan.sites.columns]
    sites = plan.sites.loc[plan.sites["chosen"].astype(bool), columns]
    return sites.assign(county_adcode=site_counties(plan, sites))


def county_table(plan: Plan) -> pd.DataFrame:
    """Per county: households, coverage, recycling points, sorting centres and walk times.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    DataFrame
        One row per county with demand or chosen sites, ordered by adcode: ``county_adcode``,
        ``name_zh``, ``name_pinyin`` (empty outside the plan's counties; adcode 0 collects
        what lies outside them), ``households``, ``covered_households``, ``coverage`` (0-1),
        ``points``, ``centres`` (chosen sites standing in the county), ``walk_mean_min``,
        ``walk_p95_min``.
    """
    demand = plan.demand
    sites = _chosen_sites(plan)
    demand_key = demand["county_adcode"].fillna(0).astype(int)
    table = figures_by(demand, sites, demand_key, sites["county_adcode"])
    table.index = table.index.astype(int).rename("county_adcode")
    names = (
        plan.counties.set_index(plan.counties["adcode"].astype(int))[["name_zh", "name_pinyin"]]
        if plan.counties is not None and not plan.counties.empty
        else pd.DataFrame(columns=["name_zh", "name_pinyin"], dtype=str)
    )
    table = table.join(names).sort_index().reset_index()
    table[["name_zh", "name_pinyin"]] = table[["name_zh", "name_pinyin"]].fillna("")
    first = ["county_adcode", "name_zh", "name_pinyin"]
    return table[first + [c for c in table.columns if c not in first]]


def plan_totals(plan: Plan) -> pd.Series:
    """The figures of :func:`county_table` for the whole plan (every site and demand row)."""
    demand = plan.demand
    sites = plan.sites.loc[plan.sites["chosen"].astype(bool)]
    table = figures_by(
        demand,
        sites,
        pd.Series(0, index=demand.index),
        pd.Series(0, index=sites.index),
    )
    return table.iloc[0]


def _display_table(plan: Plan, text: dict[str, str], lang: str) -> pd.DataFrame:
    """The county table and a total row as formatted strings under translated headings."""
    table = county_table(plan)
    totals = plan_totals(plan)
    name_column = "name_zh" if lang == "zh" else "name_pinyin"
    # A row without a name is outside the plan's counties (adcode 0) or a county they lack.
    unnamed = (
        table["county_adcode"]
        .astype(str)
        .where(table["county_adcode"] != 0, text["outside_counties"])
    )
    names = table[name_column].where(table[name_column] != "", unnamed)
    figures = pd.concat(
        [table.drop(columns=["county_adcode", "name_zh", "name_pinyin"]), totals.to_frame().T],
        ignore_index=True,
    )

    def minutes(values: pd.Series) -> pd.Series:
        return values.map(lambda v: "–" if pd.isna(v) else f"{v:.1f}")

    return pd.DataFrame(
        {
            text["county"]: [*names, text["total"]],
            text["households"]: figures["households"].map(lambda v: f"{v:,.0f}"),
            text["covered_households"]: figures["covered_households"].map(lambda v: f"{v:,.0f}"),
            text["coverage"]: figures["coverage"].map(
                lambda v: "–" if pd.isna(v) else f"{100 * v:.1f}%"
            ),
            text["points"]: figures["points"].map(lambda v: f"{int(v):,}"),
            text["centres"]: figures["centres"].map(lambda v: f"{int(v):,}"),
            f"{text['walk_mean']} ({text['minutes']})": minutes(figures["walk_mean_min"]),
            f"{text['walk_p95']} ({text['minutes']})": minutes(figures["walk_p95_min"]),
        }
    )


def _summary_lines(plan: Plan, text: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs of the report's summary: cost mode (provenance), solver (metrics)."""
    cost_mode = (plan.provenance or {}).get("cost_mode", "road")
    lines = [
        (text["cost_mode"], text["cost_straight_line" if cost_mode != "road" else "cost_road"])
    ]
    metrics = plan.metrics or {}
    if metrics.get("solver"):
        lines.append((text["solver"], str(metrics["solver"])))
    if metrics.get("status"):
        lines.append((text["solve_status"], str(metrics["status"])))
    if metrics.get("gap") is not None and np.isfinite(float(metrics["gap"])):
        lines.append((text["gap"], f"{100 * float(metrics['gap']):.2f}%"))
    return lines


def straight_line_warning(plan: Plan, text: dict[str, str]) -> str | None:
    """The plain warning a straight-line plan carries on its map and report, else None.

    The detour factor is the one the plan was made with (provenance ``standards.costs``).
    """
    provenance = plan.provenance or {}
    if provenance.get("cost_mode") != "straight_line":
        return None
    costs = (provenance.get("standards") or {}).get("costs") or {}
    return text["straight_line"].format(detour=costs.get("detour_factor", "?"))


def plan_title(plan: Plan, lang: str) -> str:
    """The title of a plan's map and report: its area's name and "recycling network plan".

    The name is the plan's ``area_name``; in English a Guangxi city or county (provenance
    ``area.kind == "region"``) goes by its pinyin name instead.
    """
    provenance = plan.provenance or {}
    area = provenance.get("area_name", "")
    source = provenance.get("area") or {}
    if lang == "en" and source.get("kind") == "region" and source.get("adcode"):
        area = get_region(int(source["adcode"])).name_pinyin
    return f"{area} {messages(lang)['plan']}".strip()


def _markdown(title: str, warning: str | None, summary: list[tuple[str, str]], text, table) -> str:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [f"# {title}", ""]
    if warning:
        lines += [f"> **{warning}**", ""]
    lines += [f"## {text['report_summary']}", ""]
    lines += [f"- {label}: {value}" for label, value in summary]
    lines += ["", f"## {text['report_counties']}", "", row(list(table.columns))]
    lines.append("|" + "|".join([":---"] + ["---:"] * (table.shape[1] - 1)) + "|")
    lines += [row(list(values)) for values in table.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan, *, lang: str = "zh") -> str:
    """The plan's summary and per-county table as markdown, in ``lang``."""
    text = messages(lang)
    title = plan_title(plan, lang)
    warning = straight_line_warning(plan, text)
    return _markdown(
        title, warning, _summary_lines(plan, text), text, _display_table(plan, text, lang)
    )
