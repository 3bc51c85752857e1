"""Tables of a plan: households, recycling points, coverage and walk times per county and per
township, with the townships on mobile collection and the credits of the data shown.

:func:`county_table` and :func:`township_table` give the figures as DataFrames (the workbook
and the printed report of :mod:`gxnet.document` show them); :func:`render_markdown` writes them
as a short markdown report in Chinese or English (a township table under each county).

Coverage is the share of all households whose point lies within the service standard (the plan's
``covered`` flag), so demand without any reachable point counts as not covered. Walk times are
household-weighted over those covered households, as in the plan's own metrics
(:func:`gxnet.plan.measure`): the mean, and the 95th percentile as the smallest time within which
at least 95 % of them live.
"""

from __future__ import annotations

import html

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet._messages import messages, status_words
from gxnet._safe import printable
from gxnet.attributions import REFERENCE_SOURCES, attribution_lines
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


def _figures(
    demand: pd.DataFrame, sites: pd.DataFrame, demand_key: pd.Series, site_key: pd.Series
) -> pd.DataFrame:
    """Households, coverage, points, centres and walk times per key (a county or the total)."""
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
    table = _figures(demand, sites, demand_key, sites["county_adcode"])
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


#: Columns of :func:`township_table`.
TOWNSHIP_COLUMNS: tuple[str, ...] = (
    "county_adcode",
    "township_code",
    "township_name",
    "households",
    "covered_households",
    "coverage",
    "points",
    "mobile",
    "reason",
)


def township_table(plan: Plan) -> pd.DataFrame:
    """Per township with households: households, coverage, recycling points, mobile collection.

    Returns
    -------
    DataFrame
        Columns :data:`TOWNSHIP_COLUMNS`, ordered by county and township code: ``points``
        counts the recycling points at the chosen sites standing in the township, ``mobile``
        is true where none does (the township is served by mobile collection, 流动回收), and
        ``reason`` says why (:data:`gxnet.model_choice.MOBILE_REASONS`). Empty for a plan
        without townships.
    """
    towns = plan.townships
    if towns is None or towns.empty:
        return pd.DataFrame(columns=list(TOWNSHIP_COLUMNS))
    table = pd.DataFrame(towns.drop(columns=towns.geometry.name))
    table = table.sort_values(["county_adcode", "township_code"]).reset_index(drop=True)
    return table[list(TOWNSHIP_COLUMNS)]


def mobile_reason(reason: str, text: dict[str, str], plan: Plan) -> str:
    """A mobile-collection reason in the reader's words ("" for none)."""
    if not reason:
        return ""
    standards = (plan.provenance or {}).get("standards") or {}
    below = (standards.get("points") or {}).get("mobile_below_households", float("nan"))
    return text.get(f"reason_{reason}", reason).format(n=float(below))


def plan_sources(plan: Plan) -> list[str]:
    """The keys of :data:`gxnet.attributions.ATTRIBUTIONS` whose data the plan shows: the
    reference data in Guangxi (less the highway graph when no truck drove it), OpenStreetMap
    where a leg followed its roads."""
    adcodes = plan.counties["adcode"] if "adcode" in plan.counties.columns else []
    guangxi = any(int(a) // 10_000 == 45 for a in adcodes)
    modes = leg_cost_modes(plan)
    keys = [k for k in REFERENCE_SOURCES if guangxi and (k != "highways" or "highway" in
            modes.values())]  # fmt: skip
    if "road" in modes.values():
        keys.append("openstreetmap")
    return keys


def plan_totals(plan: Plan) -> pd.Series:
    """The figures of :func:`county_table` for the whole plan (every site and demand row)."""
    demand = plan.demand
    sites = plan.sites.loc[plan.sites["chosen"].astype(bool)]
    table = _figures(
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


def leg_cost_modes(plan: Plan) -> dict[str, str]:
    """How each leg's travel was measured (``walk``, ``truck``: one of
    :data:`gxnet.service_pairs.COST_MODES`), as the plan's provenance records it; a plan of an
    older gxnet recorded one mode for both."""
    mode = (plan.provenance or {}).get("cost_mode", "road")
    if isinstance(mode, str):
        return {"walk": mode, "truck": mode}
    return {"walk": mode.get("walk", "road"), "truck": mode.get("truck", "road")}


def township_summary(plan: Plan, text: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs on the township minimum, the county quota and the townships on
    mobile collection (none for a plan without townships)."""
    metrics = plan.metrics or {}
    if "townships" not in metrics:
        return []
    standards = (plan.provenance or {}).get("standards") or {}
    targets = standards.get("targets") or {}
    lines: list[tuple[str, str]] = []
    on = targets.get("township_minimum") and (plan.provenance or {}).get(
        "township_minimum_applied", True
    )
    lines.append(
        (
            text["township_minimum"],
            text["township_minimum_on"].format(n=int(metrics["townships_with_point"]))
            if on
            else text["township_minimum_off"],
        )
    )
    if targets.get("county_quota"):
        lines.append((text["county_quota"], text["county_quota_on"]))
    lines.append(
        (
            text["mobile_townships"],
            text["mobile_count"].format(
                n=int(metrics["townships_mobile"]), hh=float(metrics["mobile_households"])
            ),
        )
    )
    return lines


def _summary_lines(plan: Plan, text: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the report's summary: cost mode of each leg (provenance),
    solver (metrics)."""
    modes = leg_cost_modes(plan)
    lines = [
        (text["cost_walk"], text[f"cost_{modes['walk']}"]),
        (text["cost_truck"], text[f"cost_{modes['truck']}"]),
    ]
    lines += township_summary(plan, text)
    metrics = plan.metrics or {}
    if metrics.get("solver"):
        lines.append((text["solver"], str(metrics["solver"])))
    if metrics.get("status"):
        lines.append((text["solve_status"], status_words(metrics, lang)))
    return lines


def straight_line_warning(plan: Plan, text: dict[str, str]) -> str | None:
    """The plain warning a straight-line plan carries on its map and report, else None.

    The detour factor is the one the plan was made with (provenance ``standards.costs``);
    where the trucks drove the highway graph, the warning says so, with its access speed.
    """
    provenance = plan.provenance or {}
    modes = leg_cost_modes(plan)
    if modes["walk"] != "straight_line":
        return None
    costs = (provenance.get("standards") or {}).get("costs") or {}
    detour = costs.get("detour_factor", "?")
    if modes["truck"] == "highway":
        truck = (provenance.get("network_meta") or {}).get("truck") or {}
        return text["straight_line_highway"].format(
            detour=detour, access=float(truck.get("access_kmh", float("nan")))
        )
    return text["straight_line"].format(detour=detour)


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


def _township_sections(
    plan: Plan, text: dict[str, str], lang: str
) -> list[tuple[str, pd.DataFrame]]:
    """(county name, table of its townships as formatted strings), county by county."""
    towns = township_table(plan)
    if towns.empty:
        return []
    names = county_table(plan).set_index("county_adcode")["name_zh" if lang == "zh" else
                                                          "name_pinyin"]  # fmt: skip
    sections = []
    for adcode, rows in towns.groupby("county_adcode", sort=True):
        name = str(names.get(int(adcode), "")) or str(adcode)
        sections.append(
            (
                name,
                pd.DataFrame(
                    {
                        text["township"]: rows["township_name"].astype(str),
                        text["households"]: rows["households"].map(lambda v: f"{v:,.0f}"),
                        text["covered_households"]: rows["covered_households"].map(
                            lambda v: f"{v:,.0f}"
                        ),
                        text["coverage"]: rows["coverage"].map(
                            lambda v: "–" if pd.isna(v) else f"{100 * v:.1f}%"
                        ),
                        text["points"]: rows["points"].map(lambda v: f"{int(v):,}"),
                        text["mobile"]: [
                            mobile_reason(r, text, plan) if m else "–"
                            for m, r in zip(rows["mobile"], rows["reason"], strict=True)
                        ],
                    }
                ),
            )
        )
    return sections


def _markdown(
    title: str,
    warning: str | None,
    summary: list[tuple[str, str]],
    text,
    table,
    sections: list[tuple[str, pd.DataFrame]],
    credits: list[str],
) -> str:
    """The report as markdown; names and values are one line each, with ``<``, ``>`` and ``&``
    escaped (a markdown viewer would show them as HTML) and ``|`` kept out of the tables."""

    def md(value: object) -> str:
        return html.escape(printable(value), quote=False)

    def row(cells: list[str]) -> str:
        return "| " + " | ".join(md(cell).replace("|", "\\|") for cell in cells) + " |"

    def grid(frame: pd.DataFrame) -> list[str]:
        head = "|" + "|".join([":---"] + ["---:"] * (frame.shape[1] - 1)) + "|"
        return [row(list(frame.columns)), head] + [
            row(list(values)) for values in frame.itertuples(index=False)
        ]

    lines = [f"# {md(title)}", ""]
    if warning:
        lines += [f"> **{md(warning)}**", ""]
    lines += [f"## {text['report_summary']}", ""]
    lines += [f"- {md(label)}: {md(value)}" for label, value in summary]
    lines += ["", f"## {text['report_counties']}", "", *grid(table)]
    if sections:
        lines += ["", f"## {text['report_townships']}"]
        for name, frame in sections:
            lines += ["", f"### {md(name)}", "", *grid(frame)]
    if credits:
        lines += ["", f"## {text['data_sources']}", ""] + [f"- {md(c)}" for c in credits]
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan, *, lang: str = "zh") -> str:
    """The plan's summary, per-county table, a per-township table under each county
    (households, points, coverage, mobile collection) and the data's credits, as markdown in
    ``lang``."""
    text = messages(lang)
    title = plan_title(plan, lang)
    warning = straight_line_warning(plan, text)
    summary = _summary_lines(plan, text, lang)
    table = _display_table(plan, text, lang)
    sections = _township_sections(plan, text, lang)
    credits = attribution_lines(plan_sources(plan))
    return _markdown(title, warning, summary, text, table, sections, credits)
