"""The tables of a plan a person reads: chosen sites, candidates, counties, townships, changes.

The workbook (:mod:`gxnet.workbook`), the CSV files of a plan folder and the printed report
show the same columns, built here once. Each table is a DataFrame whose columns are keys of the
message catalogue (``col_site_id``, ``col_lon_gcj02``...), so that :func:`localized` gives it
Chinese or English headers, and :data:`KINDS` tells a writer how to format each column.

Times are minutes rounded to a tenth (no float noise); coordinates are given in WGS-84 (GPS,
OpenStreetMap, Tianditu) and GCJ-02 (AMap, Tencent: what a planner pastes into their map app),
rounded to 1e-6 degrees (about 0.1 m).
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet import crs
from gxnet._messages import messages, model_words, reasons, status_words, text
from gxnet.plan import Plan
from gxnet.report import (
    county_table,
    leg_cost_modes,
    mobile_reason,
    plan_title,
    plan_totals,
    site_counties,
    township_summary,
    township_table,
    walk_times,
)
from gxnet.tiers import SiteStatus, Tier
from gxnet.townships import locate_townships

#: How a writer formats each column: ``int`` (thousands separators), ``number`` (one
#: decimal), ``minutes`` (one decimal), ``coord`` (six decimals), ``share`` (a percentage),
#: anything else is text.
KINDS: dict[str, str] = {
    "col_points": "int",
    "col_point_sites": "int",
    "col_new_points": "int",
    "col_townships_mobile": "int",
    "col_mobile_households": "int",
    "col_reach": "int",
    "col_households_served": "int",
    "col_households": "int",
    "col_covered_households": "int",
    "col_households_before": "int",
    "col_households_after": "int",
    "col_moved_m": "int",
    "col_centres": "int",
    "col_adcode": "code",
    "col_township_code": "code",
    "col_load": "number",
    "col_capacity": "number",
    "col_access_mean": "minutes",
    "col_access_max": "minutes",
    "col_truck": "minutes",
    "col_truck_mean": "minutes",
    "col_walk_mean": "minutes",
    "col_walk_p95": "minutes",
    "col_lon_wgs84": "coord",
    "col_lat_wgs84": "coord",
    "col_lon_gcj02": "coord",
    "col_lat_gcj02": "coord",
    "col_coverage": "share",
}
#: Decimals kept of a coordinate: 1e-6 degrees is about 0.1 m.
COORD_DECIMALS = 6


def localized(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``table`` with its catalogue-key headers in ``lang``."""
    words = messages(lang)
    return table.rename(columns={key: words[key] for key in table.columns})


def minutes(seconds: Any) -> np.ndarray:
    """Seconds as minutes rounded to a tenth (NaN stays NaN)."""
    return np.round(np.asarray(seconds, dtype=float) / 60.0, 1)


def site_places(plan: Plan, sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The county name and township name of each of ``sites`` (same index).

    The plan's own ``county_adcode`` and ``township_name`` columns when it has them, else the
    plan's county each site stands in (as the county table counts it) and the township
    :func:`gxnet.townships.locate_townships` finds; a plan outside Guangxi names its one study
    area as the county.
    """
    if {"county_adcode", "township_name"} <= set(sites.columns):
        places = sites[["county_adcode", "township_name"]].copy()
    else:
        located = locate_townships(sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy())
        places = pd.DataFrame(
            {
                "county_adcode": site_counties(plan, sites),
                "township_name": located["township_name"].to_numpy(),
            },
            index=sites.index,
        )
    counties = plan.counties
    names: dict[int, dict[str, str]] = {}
    if counties is not None and not counties.empty and "adcode" in counties.columns:
        adcodes = pd.to_numeric(counties["adcode"], errors="coerce").fillna(0).astype(int)
        for lang, column in (("zh", "name_zh"), ("en", "name_pinyin")):
            source = counties[column] if column in counties.columns else counties["adcode"]
            names[lang] = dict(zip(adcodes, source.astype(str), strict=True))
    code = pd.to_numeric(places["county_adcode"], errors="coerce").fillna(0).astype(int)
    single = counties is not None and len(counties) == 1
    out = pd.DataFrame(index=sites.index)
    for lang in ("zh", "en"):
        lookup = names.get(lang, {})
        fallback = next(iter(lookup.values())) if single and lookup else ""
        out[f"county_{lang}"] = [lookup.get(c, fallback) for c in code]
    out["county_adcode"] = code
    out["township"] = places["township_name"].fillna("").astype(str).to_numpy()
    return out


def _coordinates(geometry: gpd.GeoSeries) -> dict[str, np.ndarray]:
    lon, lat = geometry.x.to_numpy(), geometry.y.to_numpy()
    glon, glat = crs.convert(lon, lat, crs.WGS84, crs.GCJ02)
    return {
        "col_lon_wgs84": np.round(lon, COORD_DECIMALS),
        "col_lat_wgs84": np.round(lat, COORD_DECIMALS),
        "col_lon_gcj02": np.round(glon, COORD_DECIMALS),
        "col_lat_gcj02": np.round(glat, COORD_DECIMALS),
    }


def site_table(plan: Plan, lang: str, *, chosen: bool = True) -> pd.DataFrame:
    """The chosen sites (or, with ``chosen=False``, the candidates not chosen), one row each.

    Columns: ID, name, type, status, county, township, address, recycling points, households
    served, load, capacity and its unit, mean and longest walk/ride of the households a point
    serves, truck minutes to its site above (for a site above the points: the mean of the
    sites that deliver to it), the site it delivers to (a point's market or centre, a market's
    centre, a centre's base), and longitude/latitude in WGS-84 and GCJ-02.
    """
    words = messages(lang)
    all_sites = plan.sites
    pick = all_sites["chosen"].astype(bool)
    sites = all_sites[pick if chosen else ~pick]
    sites = sites.sort_values(["tier", "site_id"], kind="stable")
    is_point = (sites["tier"] == Tier.RECYCLING_POINT).to_numpy()
    places = site_places(plan, sites)
    names = all_sites.set_index("site_id")["name"]
    links = plan.links
    to_centre = links.groupby("point_id")["travel_s"].min()
    by_centre = links.groupby("centre_id")["travel_s"].mean()
    ids = sites["site_id"]
    status = sites["status"].astype(str)
    capacity = pd.to_numeric(sites["capacity"], errors="coerce")
    unit = np.where(is_point, words["households_unit"], words["tonnes_day"])
    truck = np.where(is_point, ids.map(to_centre), ids.map(by_centre))
    centre = sites["centre_id"] if "centre_id" in sites.columns else pd.Series("", sites.index)
    centre_name = centre.map(names).fillna(centre).fillna("").astype(str)
    served_points = sites["points"] if "points" in sites.columns else pd.Series(1, sites.index)
    table = pd.DataFrame(
        {
            "col_site_id": ids.astype(str),
            "col_name": sites["name"].fillna(ids).astype(str),
            "col_tier": sites["tier"].map(lambda t: words.get(f"tier_{t}", str(t))),
            "col_status": [
                words[
                    "status_unchosen" if s == SiteStatus.CANDIDATE and not chosen else f"status_{s}"
                ]
                for s in status
            ],
            "col_county": places[f"county_{lang}"],
            "col_township": places["township"],
            "col_address": (
                sites["address"].fillna("").astype(str) if "address" in sites.columns else ""
            ),
            "col_points": np.where(is_point, served_points, np.nan),
            "col_households_served": sites["households_served"].astype(float).round(0),
            "col_load": sites["load"].astype(float).round(1),
            "col_capacity": [
                round(c, 1) if np.isfinite(c) else words["unlimited"] for c in capacity
            ],
            "col_unit": unit,
            "col_access_mean": np.where(is_point, minutes(_column(sites, "mean_travel_s")), np.nan),
            "col_access_max": np.where(is_point, minutes(_column(sites, "max_travel_s")), np.nan),
            "col_truck": minutes(truck),
            "col_centre": centre_name,
            **_coordinates(sites.geometry),
        },
        index=sites.index,
    )
    if not chosen:
        table = table.drop(
            columns=["col_points", "col_households_served", "col_load", "col_access_mean",
                     "col_access_max", "col_truck", "col_centre"]
        )  # fmt: skip
    return table.reset_index(drop=True)


def county_rows(plan: Plan, lang: str, *, total: bool = False) -> pd.DataFrame:
    """Per county: adcode, name, households, covered, coverage, points, centres, walk/ride
    times (the report's :func:`gxnet.report.county_table`), and with ``total`` a last row of
    the whole plan (:func:`gxnet.report.plan_totals`)."""
    table = county_table(plan)
    name = table["name_zh" if lang == "zh" else "name_pinyin"]
    name = name.where(name != "", table["county_adcode"].astype(str))
    name = name.where(table["county_adcode"] != 0, text("outside_counties", lang))
    if total:
        whole = plan_totals(plan).to_frame().T.assign(county_adcode="")
        table = pd.concat([table, whole], ignore_index=True)
        name = pd.concat([name, pd.Series([text("total", lang)])], ignore_index=True)
    return pd.DataFrame(
        {
            "col_adcode": table["county_adcode"].astype(str),
            "col_county": name,
            "col_households": table["households"].astype(float).round(0),
            "col_covered_households": table["covered_households"].astype(float).round(0),
            "col_coverage": table["coverage"].astype(float).round(4),
            "col_points": table["points"].astype(int),
            "col_centres": table["centres"].astype(int),
            "col_walk_mean": table["walk_mean_min"].astype(float).round(1),
            "col_walk_p95": table["walk_p95_min"].astype(float).round(1),
        }
    )


def township_rows(plan: Plan, lang: str) -> pd.DataFrame:
    """Per township with households (county by county): codes, names, households, coverage,
    recycling points, mobile collection (流动回收) and why, and walk/ride times (the report's
    :func:`gxnet.report.township_table`); empty for a plan without townships."""
    towns = township_table(plan)
    words = messages(lang)
    counties = county_rows(plan, lang).set_index("col_adcode")["col_county"]
    adcode = towns["county_adcode"].astype(int).astype(str)
    demand = plan.demand
    times = (
        walk_times(demand, demand["township_code"].fillna("").astype(str))
        if "township_code" in demand.columns
        else pd.DataFrame(columns=["walk_mean_min", "walk_p95_min"])
    )
    code = towns["township_code"].astype(str)
    mobile = [
        f"{words['yes']}（{mobile_reason(r, words, plan)}）" if lang == "zh" and m
        else f"{words['yes']} ({mobile_reason(r, words, plan)})" if m
        else words["no"]
        for m, r in zip(towns["mobile"].astype(bool), towns["reason"].astype(str), strict=True)
    ]  # fmt: skip
    return pd.DataFrame(
        {
            "col_adcode": adcode,
            "col_county": adcode.map(counties).fillna(adcode),
            "col_township_code": code,
            "col_township": towns["township_name"].astype(str),
            "col_households": towns["households"].astype(float).round(0),
            "col_covered_households": towns["covered_households"].astype(float).round(0),
            "col_coverage": towns["coverage"].astype(float).round(4),
            "col_points": towns["points"].astype(int),
            "col_mobile": mobile,
            "col_walk_mean": code.map(times["walk_mean_min"]).astype(float).round(1),
            "col_walk_p95": code.map(times["walk_p95_min"]).astype(float).round(1),
        }
    )


def diff_rows(plan: Plan, lang: str) -> pd.DataFrame | None:
    """The sites a re-solve opened, closed, moved or kept (the plan's ``changes``), with the
    reason of each closing and move and the households served before and after; None for a
    plan that is no re-solve."""
    changes = plan.changes
    if changes is None:
        return None
    words = messages(lang)
    return pd.DataFrame(
        {
            "col_change": changes["change"].map(lambda c: words.get(f"change_{c}", c)),
            "col_site_id": changes["site_id"].astype(str),
            "col_name": changes["name"].fillna("").astype(str),
            "col_tier": changes["tier"].map(lambda t: words.get(f"tier_{t}", str(t))),
            "col_moved_from": changes["moved_from"].fillna("").astype(str),
            "col_moved_m": changes["moved_m"].astype(float).round(0),
            "col_reason": reasons(changes, lang).fillna("").astype(str),
            "col_households_before": changes["households_before"].astype(float).round(0),
            "col_households_after": changes["households_after"].astype(float).round(0),
            **_coordinates(changes.geometry),
        }
    )


def summary_rows(plan: Plan, lang: str) -> list[tuple[str, Any]]:
    """(label, value) rows of what was planned, when, with which standards and inputs, and
    the solver's status in words."""
    words = messages(lang)
    m, p = plan.metrics or {}, plan.provenance or {}
    rows: list[tuple[str, Any]] = [
        (words["summary_area"], plan_title(plan, lang)),
        (words["summary_created"], p.get("created_utc", "")),
        (words["summary_version"], p.get("gxnet_version", "")),
        (words["summary_households"], round(float(m.get("households") or 0))),
        (words["points"], int(m.get("points") or 0)),
        (words["centres"], int(m.get("centres") or 0)),
        (words["covered_households"], round(float(m.get("households_covered") or 0))),
        (words["coverage"], f"{100 * float(m.get('coverage') or 0):.1f}%"),
        (words["access_mean"], _minutes_text(m.get("walk_mean_s"), lang)),
        (words["access_p95"], _minutes_text(m.get("walk_p95_s"), lang)),
        (words["drive_mean"], _minutes_text(m.get("truck_mean_s"), lang)),
        (words["solver"], f"{m.get('solver', '')} {model_words(m.get('model'), lang)}".strip()),
        (words["solve_status"], status_words(m, lang)),
    ]
    modes = leg_cost_modes(plan)
    rows += [(words[f"cost_{leg}"], words[f"cost_{modes[leg]}"]) for leg in ("walk", "truck")]
    rows += township_summary(plan, words)
    targets = (p.get("standards") or {}).get("targets") or {}
    shown = ", ".join(f"{k} = {v}" for k, v in targets.items() if v not in (None, False))
    if shown:
        rows.append((words["summary_target"], shown))
    for name, source in (p.get("inputs") or {}).items():
        rows.append((words["input_file"].format(name=name), source.get("path", "")))
        rows.append((words["input_sha256"].format(name=name), source.get("sha256", "")))
    if p.get("note"):
        rows.append((words["note_label"], p["note"]))
    return rows


#: The standards a report and workbook list, with the key of the source each rests on.
STANDARD_SOURCES: tuple[tuple[str, str], ...] = (
    ("points.households_per_point_urban", "src_households"),
    ("points.households_per_point_rural", "src_households"),
    ("points.service_radius_m_urban", "src_radius_urban"),
    ("points.service_radius_m_rural", "src_radius_rural"),
    ("points.walk_speed_kmh", "src_speeds"),
    ("points.ride_speed_kmh", "src_speeds"),
    ("points.min_floor_area_m2", "src_floor"),
    ("centres.truck_minutes", "src_truck"),
    ("centres.capacity_t_day", "src_capacity"),
    ("centres.min_floor_area_m2", "src_floor"),
    ("costs.detour_factor", "src_detour"),
)


def standards_rows(plan: Plan, lang: str) -> list[tuple[str, str, str]]:
    """(standard, value used, source) of the planning standards the plan was made with."""
    words = messages(lang)
    recorded = (plan.provenance or {}).get("standards") or {}
    rows = []
    for dotted, source in STANDARD_SOURCES:
        section, name = dotted.split(".")
        value = (recorded.get(section) or {}).get(name)
        if value is None and not (section == "centres" and name == "capacity_t_day"):
            continue
        shown = words["unlimited"] if value is None or value == math.inf else f"{value:,g}"
        rows.append((words[f"std_{dotted}"], shown, words[source]))
    return rows


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``frame``, or NaN where an older plan lacks it."""
    return frame[name] if name in frame.columns else pd.Series(np.nan, index=frame.index)


def _minutes_text(seconds: float | None, lang: str) -> str:
    if seconds is None or not math.isfinite(float(seconds)):
        return text("not_available", lang)
    return text("minutes_value", lang, value=float(seconds) / 60.0)
