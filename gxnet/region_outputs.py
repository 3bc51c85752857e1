"""The region's map and report: every city's points together, and the figures a leader reads.

:func:`region_map` draws one self-contained HTML map (the city map's runtime, :mod:`gxnet.maps`)
that stays fast with all of the region's sites: each city is one layer with its points coloured
by phase and its sorting centres; the demand is shown as cells of :data:`REGION_CELL_KM` km
(household-weighted walk time, the uncovered outlined) and as townships (on mobile collection
with the reason), never as the region's hundreds of thousands of demand cells; counties carry
their figures, and a summary panel the region's totals, phases and cities.

:func:`render_region_report` writes the region's report in markdown or HTML: the summary, the
phases, how the target was shared, per city and per county the households, points per phase,
coverage, centres and mobile collection, and the townships the target could not give a point.
"""

from __future__ import annotations

import os
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gxnet._io import write_bytes_atomic, write_text_atomic
from gxnet._messages import messages, unknown_choice
from gxnet._safe import html_text
from gxnet.attributions import REFERENCE_SOURCES, attribution_lines
from gxnet.document import FORMATS, SUFFIX_FORMATS, html_to_pdf, page_style
from gxnet.maps import (
    COUNTY_SIMPLIFY_DEG,
    PHASE_COLOURS,
    SITE_STYLES,
    _in_basemap_crs,
    _legend_html,
    _Script,
    _script_json,
    _table,
    default_basemap,
    draw_layers,
    new_map,
    phase_legend,
    phase_styles,
    plan_tables,
)
from gxnet.plan import Plan
from gxnet.region_plan import RegionPlan, allocation_sentence, summary_rows
from gxnet.report import straight_line_warning
from gxnet.tiers import Tier

#: Edge of the cells the region map aggregates the demand into (km).
REGION_CELL_KM = 5.0
#: Metres per degree of latitude (cells are made in degrees, about square at Guangxi's 23° N).
_M_PER_DEG = 111_320.0


def _view(region: RegionPlan) -> Plan:
    """The region as one plan for the city map's tables: its chosen sites, its demand as
    :data:`REGION_CELL_KM` cells, its links, counties and townships."""
    layers = region.layers
    sites = layers["sites"]
    sites = sites[sites["chosen"].astype(bool)].reset_index(drop=True)
    # Site ids of two cities' lists may be the same: in the region they go with their city.
    sites["site_id"] = sites["city"] + ":" + sites["site_id"].astype(str)
    links = layers["links"].copy()
    for column in ("point_id", "centre_id"):
        links[column] = links["city"] + ":" + links[column].astype(str)
    counties = region.counties.rename(columns={"county_adcode": "adcode"})
    counties["population"] = np.nan
    return Plan(
        sites,
        _demand_cells(layers["demand"]),
        links,
        counties,
        metrics=region.metrics,
        provenance=region.provenance,
        townships=layers["townships"],
    )


def _demand_cells(demand: gpd.GeoDataFrame, km: float = REGION_CELL_KM) -> gpd.GeoDataFrame:
    """Demand summed into square cells of ``km`` (per county, so that county figures stay
    whole): households, walk time weighted by the covered households, covered when most
    households are."""
    if demand.empty:
        return demand.assign(cell=None)
    lat0 = float(demand.geometry.y.mean())
    dy = km * 1000 / _M_PER_DEG
    dx = dy / np.cos(np.radians(lat0))
    col = np.floor(demand.geometry.x.to_numpy() / dx).astype(np.int64)
    row = np.floor(demand.geometry.y.to_numpy() / dy).astype(np.int64)
    hh = demand["households"].astype(float)
    covered = demand["covered"].fillna(False).astype(bool)
    time = demand["travel_s"].astype(float)
    frame = pd.DataFrame(
        {
            "county_adcode": demand["county_adcode"].to_numpy(),
            "col": col,
            "row": row,
            "households": hh.to_numpy(),
            "population": demand["population"].astype(float).to_numpy(),
            "covered_hh": hh.where(covered, 0.0).to_numpy(),
            "time_hh": (time * hh).where(covered & np.isfinite(time), 0.0).to_numpy(),
        }
    )
    cells = frame.groupby(["county_adcode", "col", "row"], as_index=False).sum()
    cells = cells[cells["households"] > 0].reset_index(drop=True)
    x0, y0 = cells["col"] * dx, cells["row"] * dy
    boxes = shapely.box(x0, y0, x0 + dx, y0 + dy)
    out = gpd.GeoDataFrame(
        {
            "demand_id": np.arange(len(cells)),
            "households": cells["households"],
            "population": cells["population"],
            "county_adcode": cells["county_adcode"],
            "setting": "",
            # A cell is "reached" where its covered households have a walk time.
            "point_id": np.where(cells["covered_hh"] > 0, "·", ""),
            "travel_s": (cells["time_hh"] / cells["covered_hh"].replace(0.0, np.nan)).to_numpy(),
            "covered": (cells["covered_hh"] >= 0.5 * cells["households"]).to_numpy(),
            "cell": boxes,
        },
        geometry=shapely.centroid(boxes),
        crs="EPSG:4326",
    )
    return out


def _county_props(region: RegionPlan, basemap: str, lang: str) -> str:
    counties = region.counties
    name = counties["name_zh" if lang == "zh" else "name_pinyin"]
    props = pd.DataFrame(
        {
            "n": name,
            "a": counties["county_adcode"].astype(int),
            "pop": np.nan,
            "hh": counties["households"].round(0),
            "pts": counties["point_sites"],
            "ctr": counties["centres"],
            "cov": counties["coverage"].round(4),
            "wm": counties["walk_mean_min"].round(1),
            "wp": counties["walk_p95_min"].round(1),
        }
    )
    simplified = gpd.GeoSeries(
        shapely.simplify(counties.geometry.values, COUNTY_SIMPLIFY_DEG, preserve_topology=True),
        index=counties.index,
        crs="EPSG:4326",
    )
    return _table(_in_basemap_crs(simplified, basemap), props)


def _panel_html(region: RegionPlan, text: dict[str, str]) -> str:
    """The region summary panel: totals, phases and cities (every text escaped)."""
    esc = html_text
    m = region.metrics
    rows = summary_rows(region, text)
    parts = [f"<h4>{esc(text['region_summary'])}</h4><table class='gx-popup'>"]
    parts += [f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows]
    parts.append("</table>")
    if m.get("phases"):
        parts.append(f"<h4>{esc(text['region_phases'])}</h4><table class='gx-popup'>")
        for i, phase in enumerate(m["phases"]):
            swatch = f"<i style='background:{PHASE_COLOURS[i % len(PHASE_COLOURS)]}'></i>"
            parts.append(
                f"<tr><th>{swatch}{esc(phase['phase'])}</th><td>{phase['points']:,}</td>"
                f"<td>{100 * phase['coverage']:.1f}%</td></tr>"
            )
        parts.append("</table>")
    parts.append(f"<h4>{esc(text['region_cities'])}</h4><table class='gx-popup'>")
    for row in region.cities.itertuples():
        if row.status == "failed":
            figures = f"<td colspan='2'>{esc(text['status_failed'])}</td>"
        else:
            figures = f"<td>{int(row.point_sites):,}</td><td>{100 * row.coverage:.1f}%</td>"
        parts.append(f"<tr><th>{esc(str(row.name_zh or row.city))}</th>{figures}</tr>")
    parts.append("</table>")
    return "".join(parts)


def region_map(region: RegionPlan, *, basemap: str | None = None, lang: str = "zh") -> folium.Map:
    """Draw a region's plan as one interactive map (see the module docstring).

    Parameters
    ----------
    region
        A :class:`gxnet.region_plan.RegionPlan`.
    basemap, lang
        As for :func:`gxnet.maps.plan_map`.

    Raises
    ------
    UserInputError
        For an unknown basemap or language, or Tianditu without a key.
    """
    text = messages(lang)
    basemap = basemap or default_basemap(lang)
    view = _view(region)
    title = f"{region.name} {text['plan']}"
    planned = region.cities[region.cities["status"] != "failed"]
    warning = straight_line_warning(view, text)
    bounds = region.counties.total_bounds if len(region.counties) else (105, 20, 113, 27)
    fmap = new_map(title, bounds, basemap, lang, warning=warning)
    phases = region.phases
    sites = view.sites
    is_point = sites["tier"] == Tier.RECYCLING_POINT
    phase = sites["phase"] if "phase" in sites else pd.Series("", index=sites.index)
    group = sites["city"] + "|" + np.where(is_point, phase.fillna("").astype(str), "centre")
    counties = _county_props(region, basemap, lang)
    tables = plan_tables(view, basemap, lang, group=group, counties=counties)
    layers = [
        (text["layer_counties"], "gx.counties()", True),
        (text["layer_cells"].format(km=REGION_CELL_KM), "gx.walk()", True),
        (text["layer_uncovered"], "gx.uncovered()", False),
        (text["layer_links"], "gx.links()", False),
        (text["layer_mobile"], "gx.mobile()", True),
    ]
    styles = phase_styles(phases or [""])
    for row in planned.itertuples():
        parts = [
            f"gx.sites({_script_json(f'{row.city}|{name}')}, {_script_json(style)})"
            for name, style in styles.items()
        ]
        parts.append(
            f"gx.sites({_script_json(f'{row.city}|centre')}, {_script_json(SITE_STYLES['centre'])})"
        )
        label = text["layer_city"].format(name=row.name_zh or row.city)
        layers.append((label, f"L.layerGroup([{', '.join(parts)}])", True))
    legend = _legend_html(text) + (phase_legend(styles, text) if phases else "")
    draw_layers(
        fmap,
        tables,
        layers,
        legend,
        lang=lang,
        basemap=basemap,
        credits=attribution_lines(list(REFERENCE_SOURCES)),
    )
    panel = _script_json(_panel_html(region, text))
    fmap.add_child(
        _Script(
            "(function (map, html) { var c = L.control({position: 'topleft'});"
            " c.onAdd = function () { var d = L.DomUtil.create('div', 'gx-legend gx-panel');"
            " d.innerHTML = html; L.DomEvent.disableClickPropagation(d);"
            " L.DomEvent.disableScrollPropagation(d); return d; }; c.addTo(map); })"
            f"({fmap.get_name()}, {panel});\n"
        )
    )
    return fmap


def save_region_map(
    region: RegionPlan,
    path: str | os.PathLike[str],
    *,
    basemap: str | None = None,
    lang: str = "zh",
) -> Path:
    """Write the region's map to one HTML file, atomically; return the path."""
    fmap = region_map(region, basemap=basemap, lang=lang)
    return write_text_atomic(path, fmap.get_root().render())


# ---- the report ------------------------------------------------------------------------------


def _percent(value: float) -> str:
    return "–" if value is None or pd.isna(value) else f"{100 * float(value):.1f}%"


def _city_rows(region: RegionPlan, text: dict[str, str]) -> pd.DataFrame:
    cities = region.cities
    phases = region.phases
    table = {
        text["city"]: cities["name_zh"]
        .fillna(cities["city"])
        .replace("", np.nan)
        .fillna(cities["city"]),
        text["households"]: cities.get("households", 0).map(lambda v: f"{v:,.0f}"),
    }
    for name in phases:
        table[f"{text['point_sites']} {name}"] = cities[f"points_{name}"].map(_count)
        table[f"{text['coverage']} {name}"] = cities[f"coverage_{name}"].map(_percent)
    if not phases:
        table[text["point_sites"]] = cities.get("point_sites", 0).map(_count)
        table[text["coverage"]] = cities.get("coverage", np.nan).map(_percent)
    table[text["standard_points"]] = cities.get("points", 0).map(_count)
    table[text["centres"]] = cities.get("centres", 0).map(_count)
    table[text["mobile_townships"]] = cities.get("townships_mobile", 0).map(_count)
    table[text["mobile_households"]] = cities.get("mobile_households", 0).map(
        lambda v: "–" if pd.isna(v) else f"{v:,.0f}"
    )
    frame = pd.DataFrame(table)
    failed = (cities["status"] == "failed").to_numpy()
    frame.loc[failed, frame.columns[1:]] = "–"
    return frame


def _count(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(value):,}"


def _county_rows(
    region: RegionPlan, text: dict[str, str], lang: str
) -> list[tuple[str, pd.DataFrame]]:
    counties = region.counties
    names = region.cities.set_index("city")["name_zh"]
    sections = []
    for city, rows in counties.groupby("city", sort=False):
        table = {
            text["county"]: rows["name_zh" if lang == "zh" else "name_pinyin"],
            text["households"]: rows["households"].map(lambda v: f"{v:,.0f}"),
        }
        for name in region.phases:
            table[f"{text['point_sites']} {name}"] = rows[f"points_{name}"].map(_count)
        table[text["point_sites"]] = rows["point_sites"].map(_count)
        table[text["coverage"]] = rows["coverage"].map(_percent)
        table[text["centres"]] = rows["centres"].map(_count)
        table[text["mobile_townships"]] = rows["townships_mobile"].map(_count)
        table[text["mobile_households"]] = rows["mobile_households"].map(lambda v: f"{v:,.0f}")
        sections.append((str(names.get(city) or city), pd.DataFrame(table)))
    return sections


def _dropped_rows(region: RegionPlan, text: dict[str, str]) -> pd.DataFrame:
    rows = [
        row
        for allocation in region.provenance.get("allocations", [])
        for row in allocation.get("dropped_townships", [])
    ]
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows).drop_duplicates("township_code")
    names = region.counties.set_index("county_adcode")["name_zh"]
    return pd.DataFrame(
        {
            text["city"]: frame["city"],
            text["county"]: frame["county_adcode"].astype(int).map(names).fillna(""),
            text["township"]: frame["township_name"],
            text["households"]: frame["households"].map(lambda v: f"{v:,.0f}"),
            text["reach"]: frame["reach"].map(lambda v: f"{v:,.0f}"),
        }
    )


def render_region_report(
    region: RegionPlan, *, fmt: str = "markdown", lang: str = "zh"
) -> str | bytes:
    """The region's report (see the module docstring) as markdown, one self-contained HTML, or
    an A4 PDF of that HTML.

    Raises
    ------
    UserInputError
        For an unknown format or language.
    """
    if fmt not in FORMATS:
        raise unknown_choice("report_format", fmt, FORMATS)
    text = messages(lang)
    title = f"{region.name} {text['plan']}"
    summary = [f"{label}: {value}" for label, value in summary_rows(region, text)]
    allocations = region.provenance.get("allocations", [])
    phases = pd.DataFrame(
        {
            text["phase"]: [p["phase"] for p in region.metrics.get("phases", [])],
            text["point_sites"]: [f"{p['points']:,}" for p in region.metrics.get("phases", [])],
            text["new_points"]: [f"{p['new_points']:,}" for p in region.metrics.get("phases", [])],
            text["layer_centres"]: [f"{p['centres']:,}" for p in region.metrics.get("phases", [])],
            text["coverage"]: [_percent(p["coverage"]) for p in region.metrics.get("phases", [])],
        }
    )
    failed = region.cities[region.cities["status"] == "failed"]
    sections: list[tuple[str, list[str] | pd.DataFrame]] = [
        (text["report_summary"], summary),
        (text["region_phases"], phases),
        (text["region_allocation"], [allocation_sentence(a, text) for a in allocations]),
        (text["region_failed"], [f"{r.city}: {r.message}" for r in failed.itertuples()]),
        (text["region_cities"], _city_rows(region, text)),
    ]
    for name, frame in _county_rows(region, text, lang):
        sections.append((f"{text['report_counties']}: {name}", frame))
    dropped = _dropped_rows(region, text)
    if len(dropped):
        sections.append((text["region_dropped"], dropped))
    credits = attribution_lines(list(REFERENCE_SOURCES))
    sections.append((text["data_sources"], credits))
    if fmt == "markdown":
        return _markdown(title, sections)
    document = _html(title, sections, lang)
    return html_to_pdf(document) if fmt == "pdf" else document


def _markdown(title: str, sections) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    lines = [f"# {title}", ""]
    for heading, body in sections:
        if isinstance(body, pd.DataFrame):
            if body.empty:
                continue
            head = "|" + "|".join([":---"] + ["---:"] * (body.shape[1] - 1)) + "|"
            lines += [f"## {heading}", "", row(body.columns), head]
            lines += [row(values) for values in body.itertuples(index=False)]
        elif body:
            lines += [f"## {heading}", ""] + [f"- {line.strip()}" for line in body]
        else:
            continue
        lines.append("")
    return "\n".join(lines)


def _html(title: str, sections, lang: str) -> str:
    esc = html_text
    parts = [
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{page_style(lang)}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
    ]
    for heading, body in sections:
        if isinstance(body, pd.DataFrame):
            if body.empty:
                continue
            head = "".join(f"<th>{esc(str(c))}</th>" for c in body.columns)
            rows = "\n".join(
                "<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in values) + "</tr>"
                for values in body.itertuples(index=False)
            )
            parts.append(
                f"<h2>{esc(heading)}</h2>\n<table>\n<thead><tr>{head}</tr></thead>\n"
                f"<tbody>\n{rows}\n</tbody>\n</table>\n"
            )
        elif body:
            items = "".join(f"<li>{esc(line.strip())}</li>" for line in body)
            parts.append(f"<h2>{esc(heading)}</h2>\n<ul>{items}</ul>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


def write_region_report(
    region: RegionPlan, path: str | os.PathLike[str], *, fmt: str | None = None, lang: str = "zh"
) -> Path:
    """Write the region's report to ``path`` atomically (the format from the suffix when not
    given: .md, .html or .pdf)."""
    target = Path(path)
    fmt = fmt or SUFFIX_FORMATS.get(target.suffix.lower(), "markdown")
    report = render_region_report(region, fmt=fmt, lang=lang)
    if isinstance(report, bytes):
        return write_bytes_atomic(target, report)
    return write_text_atomic(target, report)


# ---- the workbook -----------------------------------------------------------------------------


def region_sheets(region: RegionPlan, lang: str = "zh") -> dict[str, object]:
    """The region workbook's sheets by name: the summary (with how the target was shared and
    the cities that failed), the cities, the counties, the phases (per city, and the region),
    and the townships the target could not give a point; headers are catalogue keys."""
    words = messages(lang)
    summary: list[tuple[str, object]] = list(summary_rows(region, words))
    summary += [
        ("", allocation_sentence(a, words)) for a in region.provenance.get("allocations", [])
    ]
    cities = region.cities
    failed = cities[cities["status"] == "failed"]
    summary += [(words["region_failed"], f"{r.city}: {r.message}") for r in failed.itertuples()]

    def column(frame, name, default=0.0):
        return frame[name] if name in frame else pd.Series(default, index=frame.index)

    names = column(cities, "name_zh", "").fillna("").astype(str)
    out: dict[str, object] = {
        words["sheet_summary"]: summary,
        words["sheet_cities"]: pd.DataFrame(
            {
                "col_city": names.where(names != "", cities["city"]),
                "col_city_status": cities["status"].map(lambda v: words.get(f"city_{v}", v)),
                "col_households": column(cities, "households").astype(float).round(0),
                "col_covered_households": column(cities, "households_covered").astype(float),
                "col_coverage": column(cities, "coverage").astype(float).round(4),
                "col_point_sites": column(cities, "point_sites").fillna(0).astype(int),
                "col_points": column(cities, "points").fillna(0).astype(int),
                "col_centres": column(cities, "centres").fillna(0).astype(int),
                "col_townships_mobile": column(cities, "townships_mobile").fillna(0).astype(int),
                "col_mobile_households": column(cities, "mobile_households").fillna(0.0),
            }
        ),
    }
    counties = region.counties
    city_names = dict(zip(cities["city"], names.where(names != "", cities["city"]), strict=True))
    out[words["sheet_counties"]] = pd.DataFrame(
        {
            "col_city": counties["city"].map(city_names),
            "col_adcode": counties["county_adcode"].astype(int).astype(str),
            "col_county": counties["name_zh" if lang == "zh" else "name_pinyin"],
            "col_households": counties["households"].astype(float).round(0),
            "col_covered_households": counties["covered_households"].astype(float).round(0),
            "col_coverage": counties["coverage"].astype(float).round(4),
            "col_point_sites": counties["point_sites"].astype(int),
            "col_centres": counties["centres"].astype(int),
            "col_townships_mobile": counties["townships_mobile"].astype(int),
            "col_mobile_households": counties["mobile_households"].astype(float),
        }
    )
    if region.phases:
        rows = [
            {
                "col_city": city_names[row["city"]],
                "col_phase": name,
                "col_point_sites": int(row[f"points_{name}"]),
                "col_coverage": round(float(row[f"coverage_{name}"]), 4),
            }
            for _, row in cities[cities["status"] != "failed"].iterrows()
            for name in region.phases
        ]
        rows += [
            {
                "col_city": words["region_total"],
                "col_phase": p["phase"],
                "col_point_sites": int(p["points"]),
                "col_coverage": round(float(p["coverage"]), 4),
            }
            for p in region.metrics["phases"]
        ]
        out[words["sheet_phases"]] = pd.DataFrame(rows)
    dropped = [
        row
        for allocation in region.provenance.get("allocations", [])
        for row in allocation.get("dropped_townships", [])
    ]
    if dropped:
        frame = pd.DataFrame(dropped).drop_duplicates("township_code")
        county_names = counties.set_index("county_adcode")["name_zh" if lang == "zh" else
                                                          "name_pinyin"]  # fmt: skip
        out[words["sheet_dropped"]] = pd.DataFrame(
            {
                "col_city": frame["city"].map(city_names),
                "col_county": frame["county_adcode"].astype(int).map(county_names),
                "col_township_code": frame["township_code"].astype(str),
                "col_township": frame["township_name"].astype(str),
                "col_households": frame["households"].astype(float).round(0),
                "col_reach": frame["reach"].astype(float).round(0),
            }
        )
    return out


def write_region_workbook(
    region: RegionPlan, path: str | os.PathLike[str], *, lang: str = "zh"
) -> Path:
    """Write the region's workbook (``region.xlsx``, :func:`region_sheets`) atomically, with
    the city workbook's formats (:mod:`gxnet.workbook`)."""
    from gxnet.workbook import save_sheets

    return save_sheets(region_sheets(region, lang), path, lang)
