"""Interactive maps of a plan: one self-contained HTML file that opens offline and in China.

Leaflet's JavaScript and CSS are inlined from the ``django-js-lib-leaflet`` package (the
official Leaflet 1.9.4 files, byte for byte) or from ``settings.leaflet_dir``; folium's default
CDN links (jQuery, Bootstrap, awesome-markers, Font Awesome) are dropped, since these maps use
none of them. With ``basemap="none"`` the file loads nothing from anywhere.

The plan's tables travel as compact columns (coordinates rounded to 1e-5 degrees, about 1 m;
short property names) and the small runtime in ``maps.js`` turns them into Leaflet GeoJSON layers
on a canvas renderer; layers that start hidden are built when first switched on. That keeps a
map of 10,000 demand cells and 2,000 points to a few megabytes and well under a second of work.

AMap (高德) tiles are drawn in GCJ-02, so with ``basemap="amap"`` every overlay is shifted from
WGS-84 to GCJ-02 (:func:`gxnet.crs.from_wgs84`); OpenStreetMap and Tianditu (CGCS2000, within a
metre of WGS-84) need no shift. AMap is the default of a Chinese map (OpenStreetMap's tiles are
slow or blocked in China), OpenStreetMap of an English one.

A map opens fitted to the plan's chosen sites and the demand they serve. County and township
names are labels drawn where they fit: a label shows once its county's (or township's) extent
on screen is wider than the label. Access is called walking (步行) for urban demand and riding
(骑行) for rural demand in the legend and popups. A scale bar, a north arrow and a print button
sit in the corners; the print stylesheet hides the controls a sheet of paper cannot use.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from gxnet import crs, settings
from gxnet._errors import MapAssetsError, UserInputError
from gxnet._io import write_text_atomic
from gxnet._messages import messages, reasons, status_words, unknown_choice
from gxnet._safe import html_text
from gxnet.attributions import attribution_lines
from gxnet.plan import Plan
from gxnet.report import (
    assigned,
    county_table,
    mobile_reason,
    plan_sources,
    plan_title,
    straight_line_warning,
    township_summary,
    walk_times,
)
from gxnet.tiers import SiteStatus, Tier

BASEMAPS = ("amap", "osm", "tianditu", "none")
#: A label shows once the extent it names is this many pixels wider than the label's text
#: (about 13 px per Chinese character, 7 per Latin letter, as maps.css draws them).
LABEL_MARGIN_PX = 8
#: Upper bounds (minutes) of the walk-time classes; a last class holds longer walks.
WALK_BINS_MIN = (5.0, 10.0, 15.0, 20.0, 30.0)
#: One colour per walk-time class, green (short) to red (long): ColorBrewer RdYlGn, 6 classes.
WALK_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")
UNREACHED_COLOUR = "#9e9e9e"
UNCOVERED_COLOUR = "#d01c8b"
LINK_COLOUR = "#555555"
COUNTY_COLOUR = "#3f007d"
#: Townships on mobile collection: an orange ring at the township's seat.
MOBILE_STYLE: dict[str, Any] = {
    "radius": 8, "color": "#e66101", "weight": 3, "dashArray": "4 3", "fillColor": "#fdb863",
    "fillOpacity": 0.6,
}  # fmt: skip
#: Service-area fills, cycled by point: ColorBrewer Set3 (12 light, distinct colours).
SERVICE_PALETTE = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
    "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f",
)  # fmt: skip
#: Marker style per site group, in drawing order (bottom to top): unchosen candidates, existing
#: and new recycling points, collection markets, sorting centres, processing bases.
SITE_STYLES: dict[str, dict[str, Any]] = {
    "candidate": {"radius": 3, "color": "#636363", "weight": 1, "fillColor": "#ffffff",
                  "fillOpacity": 1},
    "existing": {"radius": 5, "color": "#ffffff", "weight": 1, "fillColor": "#08519c",
                 "fillOpacity": 1},
    "new": {"radius": 5, "color": "#08519c", "weight": 2, "fillColor": "#6baed6",
            "fillOpacity": 1},
    "market": {"radius": 7, "color": "#ffffff", "weight": 2, "fillColor": "#e6550d",
               "fillOpacity": 1},
    "centre": {"radius": 9, "color": "#ffffff", "weight": 2, "fillColor": "#000000",
               "fillOpacity": 1},
    "base": {"radius": 11, "color": "#ffffff", "weight": 2, "fillColor": "#54278f",
             "fillOpacity": 1},
}  # fmt: skip
#: The marker group of each tier above the points.
_HUB_GROUPS = {
    Tier.COLLECTION_MARKET: "market",
    Tier.SORTING_CENTRE: "centre",
    Tier.PROCESSING_BASE: "base",
}
#: Symbol and colour of each kind of change of a re-solve (the "changes" layer).
CHANGE_STYLES: dict[str, dict[str, str]] = {
    "opened": {"symbol": "+", "colour": "#1a9850"},
    "closed": {"symbol": "×", "colour": "#d73027"},
    "moved": {"symbol": "→", "colour": "#e66101"},
}
#: Decimals kept of each coordinate: 1e-5 degrees is about 1 m, finer than any input.
COORD_DECIMALS = 5
#: County boundaries are simplified to this tolerance (degrees, about 20 m) for file size.
COUNTY_SIMPLIFY_DEG = 2e-4

_OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
_AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=7"
    "&x={x}&y={y}&z={z}"
)
_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}"
    "&TILECOL={{x}}&tk={token}"
)
_LEAFLET_PACKAGE = "js_lib_leaflet"
#: The id of the <script type="application/json"> element that holds a map's tables.
DATA_ELEMENT_ID = "gx-data"


def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and its CSS, the CSS with its images inlined as data URIs.

    The files come from ``settings.leaflet_dir`` when set (env ``GXNET_LEAFLET_DIR``), else from
    the ``django-js-lib-leaflet`` package, which ships the official Leaflet 1.9.4 build. Only its
    files are read; nothing of Django is imported or needed.

    Raises
    ------
    MapAssetsError
        When ``leaflet.js`` or ``leaflet.css`` cannot be found; the message names the fix.
    """
    if settings.leaflet_dir is not None:
        folder = Path(settings.leaflet_dir)
    else:
        spec = importlib.util.find_spec(_LEAFLET_PACKAGE)
        origin = (
            spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
        )
        folder = Path(origin) / "static" / _LEAFLET_PACKAGE
    js_file, css_file = folder / "leaflet.js", folder / "leaflet.css"
    if not (js_file.is_file() and css_file.is_file()):
        raise MapAssetsError(key="err_leaflet_missing", folder=str(folder))

    def inline_image(match: re.Match[str]) -> str:
        image = folder / match.group(1)
        if not image.is_file():
            raise MapAssetsError(key="err_leaflet_image", path=str(image))
        return f"url(data:image/png;base64,{base64.b64encode(image.read_bytes()).decode()})"

    # Comments go (they cite bug trackers by URL); image paths become data URIs so that the
    # page asks no server for them.
    css = re.sub(r"/\*.*?\*/", "", css_file.read_text(encoding="utf-8"), flags=re.DOTALL)
    css = re.sub(r"url\((images/[\w@.-]+\.png)\)", inline_image, css)
    return js_file.read_text(encoding="utf-8"), css


def _runtime(name: str) -> str:
    """The text of this package's own map runtime file (maps.js or maps.css)."""
    return resources.files("gxnet").joinpath(name).read_text(encoding="utf-8")


def _script_json(value: Any) -> str:
    """JSON safe inside an HTML <script>: no "<" at all, so no name can open or close a tag."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def _table(geometry: gpd.GeoSeries, props: pd.DataFrame) -> str:
    """A compact table for maps.js: rounded GeoJSON geometries beside property rows."""
    rounded = shapely.transform(
        np.asarray(geometry.values, dtype=object), lambda xy: np.round(xy, COORD_DECIMALS)
    )
    geoms = "[" + ",".join(shapely.to_geojson(rounded)) + "]"
    # JSON has no infinity (an unlimited capacity): it travels as null, shown as "–".
    props = props.replace([np.inf, -np.inf], np.nan)
    # Whole numbers are written without ".0" (households, indices): a tenth off the file size.
    whole = {
        name: "Int64"
        for name, column in props.items()
        if column.dtype.kind == "f" and (column.dropna() % 1 == 0).all()
    }
    props = props.astype(whole)
    rows = props.astype(object).where(props.notna(), None)
    body = _script_json({"c": list(props.columns), "p": rows.to_numpy().tolist()})
    return '{"g":' + geoms + "," + body[1:]


def _in_basemap_crs(geometry: gpd.GeoSeries, basemap: str) -> gpd.GeoSeries:
    """Geometries in the basemap's datum: GCJ-02 for AMap, WGS-84 (as stored) otherwise."""
    if basemap != "amap":
        return geometry
    return crs.from_wgs84(geometry, "gcj02")


def _minutes(seconds: pd.Series) -> pd.Series:
    return (seconds.astype(float) / 60.0).round(1)


def default_basemap(lang: str) -> str:
    """The basemap a map opens on: AMap for Chinese (reachable and current in China),
    OpenStreetMap for English."""
    return "amap" if lang == "zh" else "osm"


def _urban_share(plan: Plan) -> pd.Series:
    """Share of urban households among those each point serves (1 where it serves none)."""
    demand = plan.demand
    if "setting" not in demand.columns:
        return pd.Series(dtype=float)
    households = demand["households"].astype(float)
    urban = households.where(demand["setting"] == "urban", 0.0)
    point = demand["point_id"]
    return urban.groupby(point).sum() / households.groupby(point).sum().replace(0.0, np.nan)


def _fit_bounds(plan: Plan) -> tuple[float, float, float, float]:
    """The extent a map opens on (west, south, east, north, WGS-84): the chosen sites and the
    demand they serve, else all the demand (a plan that serves nobody)."""
    sites = plan.sites[plan.sites["chosen"].astype(bool)]
    served = plan.demand[assigned(plan.demand)]
    parts = [g for g in (sites.geometry, served.geometry) if len(g)]
    if not parts:
        return tuple(plan.demand.total_bounds)
    bounds = np.array([g.total_bounds for g in parts])
    return (*bounds[:, :2].min(axis=0), *bounds[:, 2:].max(axis=0))


def _label_table(plan: Plan, basemap: str, lang: str) -> str:
    """Labels: each county at a point inside it, each township at the household-weighted
    centre of its demand, with the extent (degrees) the label must fit in."""
    counties = plan.counties
    rows = []
    if counties is not None and not counties.empty:
        name = counties["name_zh" if lang == "zh" else "name_pinyin"].astype(str)
        bounds = counties.geometry.bounds
        rows.append(
            gpd.GeoDataFrame(
                {
                    "n": name.to_numpy(),
                    "k": "county",
                    "w": (bounds["maxx"] - bounds["minx"]).round(4).to_numpy(),
                },
                geometry=counties.geometry.representative_point().to_numpy(),
                crs="EPSG:4326",
            )
        )
    demand = plan.demand
    if "township_name" in demand.columns and len(demand):
        towns = demand[demand["township_name"].fillna("").astype(str) != ""]
        cells = towns["cell"] if "cell" in towns.columns else towns.geometry
        cells = gpd.GeoSeries(cells, index=towns.index).where(lambda g: g.notna(), towns.geometry)
        frame = pd.DataFrame(
            {
                "key": towns["township_name"].astype(str),
                "w": towns["households"].astype(float).clip(lower=1e-9),
                "x": towns.geometry.x,
                "y": towns.geometry.y,
                "minx": cells.bounds["minx"],
                "maxx": cells.bounds["maxx"],
            }
        )
        frame["wx"], frame["wy"] = frame["x"] * frame["w"], frame["y"] * frame["w"]
        group = frame.groupby("key", sort=True)
        sums = group[["w", "wx", "wy"]].sum()
        width = group["maxx"].max() - group["minx"].min()
        rows.append(
            gpd.GeoDataFrame(
                {"n": sums.index.to_numpy(), "k": "township", "w": width.round(4).to_numpy()},
                geometry=gpd.points_from_xy(sums["wx"] / sums["w"], sums["wy"] / sums["w"]),
                crs="EPSG:4326",
            )
        )
    if not rows:
        return _table(gpd.GeoSeries([], crs="EPSG:4326"), pd.DataFrame({"n": [], "k": [], "w": []}))
    labels = pd.concat(rows, ignore_index=True)
    return _table(_in_basemap_crs(labels.geometry, basemap), labels[["n", "k", "w"]])


def _site_groups(sites: pd.DataFrame) -> np.ndarray:
    """The layer of each site: unchosen candidate, centre, existing or new point."""
    chosen = sites["chosen"].astype(bool)
    is_point = sites["tier"] == Tier.RECYCLING_POINT
    return np.select(
        [~chosen, ~is_point, sites["status"] == SiteStatus.EXISTING],
        ["candidate", sites["tier"].map(_HUB_GROUPS).fillna("centre"), "existing"],
        "new",
    )


#: One colour per phase of building, in order: ColorBrewer Dark2.
PHASE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")


def phase_styles(phases: list[str]) -> dict[str, dict[str, Any]]:
    """The marker style of the new points of each phase (a new point, filled by phase)."""
    return {
        name: SITE_STYLES["new"]
        | {"color": "#ffffff", "weight": 1, "fillColor": PHASE_COLOURS[i % len(PHASE_COLOURS)]}
        for i, name in enumerate(phases)
    }


def phase_legend(styles: dict[str, dict[str, Any]], text: dict[str, str]) -> str:
    """The legend's part for the phases: one swatch each (escaped)."""
    return f"<h4>{html_text(text['legend_phases'])}</h4>" + "".join(
        f'<div><i class="gx-dot" style="background:{style["fillColor"]}"></i>'
        f"{html_text(name)}</div>"
        for name, style in styles.items()
    )


def _site_table(plan: Plan, basemap: str, group: pd.Series | None = None) -> tuple[str, pd.Index]:
    """The table of the sites drawn (chosen sites and unchosen candidate points) and their ids
    in its order: demand refers to its point by position in that table. ``group`` (by the
    sites' index) replaces the layer each site is drawn in."""
    sites = plan.sites.reset_index(drop=True)
    chosen = sites["chosen"].astype(bool)
    is_point = sites["tier"] == Tier.RECYCLING_POINT
    group = _site_groups(sites) if group is None else group.to_numpy()
    keep = chosen | ((sites["status"] == SiteStatus.CANDIDATE) & is_point)
    demand = plan.demand
    walk = walk_times(demand, demand["point_id"])
    urban = _urban_share(plan)
    links = plan.links
    to_centre = links.groupby("point_id")["travel_s"].min()
    by_centre = links.groupby("centre_id")["travel_s"]
    ids = sites["site_id"]
    township = sites["township_name"] if "township_name" in sites else pd.Series("", sites.index)
    county = (
        sites["county_adcode"].map(_county_names(plan))
        if "county_adcode" in sites
        else pd.Series("", index=sites.index)
    )
    props = pd.DataFrame(
        {
            "i": ids,
            "n": sites["name"].fillna(ids),
            "r": sites["tier"],
            "s": sites["status"],
            "g": group,
            "h": sites["households_served"].round(0),
            "l": sites["load"].round(2),
            "k": sites["capacity"].round(2),
            "w": ids.map(walk["walk_mean_min"]).round(1),
            "q": ids.map(walk["walk_p95_min"]).round(1),
            "d": _minutes(ids.map(to_centre)),
            "m": ids.map(by_centre.size()),
            "e": _minutes(ids.map(by_centre.mean())),
            "u": ids.map(urban).round(2),
            "z": township.fillna("").astype(str),
            "y": county.fillna("").astype(str),
        }
    )[keep.to_numpy()]
    geometry = _in_basemap_crs(sites.geometry[keep.to_numpy()], basemap)
    return _table(geometry, props), pd.Index(props["i"])


def _demand_table(plan: Plan, site_order: pd.Index, basemap: str) -> str:
    """Demand cells (or points when the plan has no cells) with walk time, point, coverage."""
    demand = plan.demand
    # Cells where the plan has them; a planner's point demand is drawn as dots.
    geometry = gpd.GeoSeries(demand.geometry, index=demand.index)
    if "cell" in demand.columns:
        cells = gpd.GeoSeries(demand["cell"], index=demand.index)
        geometry = cells.where(cells.notna(), geometry)
    position = pd.Series(np.arange(len(site_order)), index=site_order)
    reached = assigned(demand)
    props = pd.DataFrame(
        {
            "h": demand["households"].round(0),
            "t": _minutes(demand["travel_s"].where(reached)),
            "k": demand["point_id"].where(reached).map(position),
            "c": demand["covered"].fillna(False).astype(bool).astype(int),
            "u": ((demand["setting"] == "urban").astype(int) if "setting" in demand.columns else 1),
            "z": (
                demand["township_name"].fillna("").astype(str) if "township_name" in demand else ""
            ),
        }
    )
    return _table(_in_basemap_crs(geometry, basemap), props)


def _county_names(plan: Plan, lang: str = "zh") -> pd.Series:
    """County names of the plan by adcode."""
    counties = plan.counties
    return pd.Series(
        counties["name_zh" if lang == "zh" else "name_pinyin"].to_numpy(),
        index=counties["adcode"].astype(int).to_numpy(),
    )


def _township_table(plan: Plan, basemap: str, lang: str, text: dict[str, str]) -> str:
    """Townships at their seats: households, coverage, points, mobile collection and why."""
    towns = plan.townships
    if towns is None or towns.empty:
        return _table(gpd.GeoSeries([], crs="EPSG:4326"), pd.DataFrame({"n": []}))
    props = pd.DataFrame(
        {
            "n": towns["township_name"].astype(str),
            "y": towns["county_adcode"].astype(int).map(_county_names(plan, lang)).fillna(""),
            "h": towns["households"].round(0),
            "v": towns["coverage"].round(4),
            "p": towns["points"],
            "m": towns["mobile"].astype(bool).astype(int),
            "r": [mobile_reason(r, text, plan) for r in towns["reason"].astype(str)],
        }
    )
    return _table(_in_basemap_crs(towns.geometry, basemap), props)


def _link_table(plan: Plan, basemap: str) -> str:
    links = plan.links
    names = plan.sites.set_index("site_id")["name"]
    props = pd.DataFrame(
        {
            "a": links["point_id"].map(names).fillna(links["point_id"]),
            "b": links["centre_id"].map(names).fillna(links["centre_id"]),
            "t": _minutes(links["travel_s"]),
        }
    )
    return _table(_in_basemap_crs(links.geometry, basemap), props)


def _county_table(plan: Plan, basemap: str, lang: str) -> str:
    counties = plan.counties
    figures = county_table(plan).set_index("county_adcode")
    adcode = counties["adcode"].astype(int)
    name = counties["name_zh" if lang == "zh" else "name_pinyin"]
    props = pd.DataFrame(
        {
            "n": name,
            "a": adcode,
            "pop": counties["population"].round(0),
            "hh": counties["households"].round(0),
            "pts": adcode.map(figures["points"]),
            "ctr": adcode.map(figures["centres"]),
            "cov": adcode.map(figures["coverage"]).round(4),
            "wm": adcode.map(figures["walk_mean_min"]).round(1),
            "wp": adcode.map(figures["walk_p95_min"]).round(1),
        }
    )
    simplified = gpd.GeoSeries(
        shapely.simplify(counties.geometry.values, COUNTY_SIMPLIFY_DEG, preserve_topology=True),
        index=counties.index,
    )
    return _table(_in_basemap_crs(simplified, basemap), props)


class _Script(MacroElement):
    """Plain JavaScript placed in the map's script, in the order elements are added."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "GxScript"
        self.code = code


class _PlanLayer(Layer):
    """An overlay the LayerControl lists, built in the browser by one maps.js call."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = {{ this.build }};"
        "{% endmacro %}"
    )

    def __init__(self, name: str, build: str, *, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GxLayer"
        # A hidden layer waits until the reader first switches it on.
        self.build = build if show else f"gx.lazy(function () {{ return {build}; }})"


def _changes_table(plan: Plan, basemap: str, lang: str) -> str:
    """A re-solve's changes (opened, closed, moved), each at its site; a move as the line from
    the old site to the new one."""
    changes = plan.changes
    changes = changes[changes["change"] != "kept"].reset_index(drop=True)
    moved = (changes["change"] == "moved").to_numpy()
    geometry = np.asarray(changes.geometry.values, dtype=object).copy()
    if moved.any():
        start = np.column_stack([changes["from_lon"][moved], changes["from_lat"][moved]])
        end = np.column_stack([shapely.get_x(geometry[moved]), shapely.get_y(geometry[moved])])
        geometry[moved] = shapely.linestrings(np.stack([start, end], axis=1))
    props = pd.DataFrame(
        {
            "i": changes["site_id"],
            "n": changes["name"],
            "c": changes["change"],
            "r": reasons(changes, lang),
            "f": changes["moved_from"],
            "m": changes["moved_m"],
            "hb": changes["households_before"],
            "ha": changes["households_after"],
        }
    )
    shapes = gpd.GeoSeries(geometry, crs="EPSG:4326")
    return _table(_in_basemap_crs(shapes, basemap), props)


def walk_class_labels() -> list[str]:
    """The legend's label of each walk-time class (minutes): ``0–5``, ..., ``≥ 30``."""
    lows = (0.0, *WALK_BINS_MIN)
    labels = [f"{lo:g}–{hi:g}" for lo, hi in zip(lows, WALK_BINS_MIN, strict=False)]
    return [*labels, f"≥ {WALK_BINS_MIN[-1]:g}"]


def _legend_html(
    text: dict[str, str], changes: bool = False, absent: frozenset[str] = frozenset()
) -> str:
    """The legend: walk-time classes, unreached and uncovered demand, the site symbols (without
    the layers in ``absent``: markets and bases of a plan without them) and, for a re-solve,
    the symbols of its changes. Every text is escaped."""
    text = {key: html_text(value) for key, value in text.items()}
    labels = walk_class_labels()
    rows = [f"<h4>{text['legend_walk']}</h4>"]
    rows += [
        f'<div><i style="background:{colour}"></i>{label}</div>'
        for colour, label in zip(WALK_COLOURS, labels, strict=True)
    ]
    rows.append(
        f'<div><i style="background:{UNREACHED_COLOUR}"></i>{text["legend_unreached"]}</div>'
    )
    rows.append(
        f'<div><i style="border:2px solid {UNCOVERED_COLOUR}"></i>{text["layer_uncovered"]}</div>'
    )
    rows.append(
        f'<div><i class="gx-dot" style="background:{MOBILE_STYLE["fillColor"]};'
        f'border:2px dashed {MOBILE_STYLE["color"]}"></i>{text["layer_mobile"]}</div>'
    )
    rows.append(f"<h4>{text['legend_sites']}</h4>")
    for group, key in (
        ("existing", "layer_existing"),
        ("new", "layer_new"),
        ("candidate", "layer_candidates"),
        ("market", "layer_markets"),
        ("centre", "layer_centres"),
        ("base", "layer_bases"),
    ):
        if key in absent:
            continue
        style = SITE_STYLES[group]
        rows.append(
            f'<div><i class="gx-dot" style="background:{style["fillColor"]};'
            f'border:2px solid {style["color"]}"></i>{text[key]}</div>'
        )
    if changes:
        # One row: the legend already reaches up to the layer control on a laptop screen.
        marks = "".join(
            f'<span class="gx-change-mark" style="background:{style["colour"]}">'
            f"{style['symbol']}</span>{text['change_' + change]} "
            for change, style in CHANGE_STYLES.items()
        )
        rows.append(f"<h4>{text['layer_changes']}</h4><div>{marks}</div>")
    return "".join(rows)


def _header_html(title: str, warning: str | None, info: str = "") -> str:
    """The title, a line of information and the straight-line banner, escaped."""
    banner = f'<div class="gx-banner">{html_text(warning)}</div>' if warning else ""
    line = f'<div class="gx-info">{html_text(info)}</div>' if info else ""
    title = f'<div class="gx-title">{html_text(title)}</div>'
    return f'<div class="gx-header">{title}{line}{banner}</div>'


def _add_basemap(fmap: folium.Map, basemap: str, lang: str) -> None:
    if basemap == "osm":
        folium.TileLayer(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=_OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
            control=False,
        ).add_to(fmap)
    elif basemap == "amap":
        folium.TileLayer(
            _AMAP_URL, attr="&copy; 高德地图 AutoNavi", name="AMap", subdomains="1234",
            max_zoom=18, control=False,
        ).add_to(fmap)  # fmt: skip
    elif basemap == "tianditu":
        if not settings.tianditu_token:
            raise UserInputError(key="err_tianditu_key")
        # Labels come as a second layer: Chinese (cva) or English (eva) annotation.
        for layer in ("vec", "cva" if lang == "zh" else "eva"):
            folium.TileLayer(
                _TIANDITU_URL.format(layer=layer, token=settings.tianditu_token),
                attr="&copy; 天地图 Tianditu", name=f"Tianditu {layer}", subdomains="01234567",
                max_zoom=18, control=False,
            ).add_to(fmap)  # fmt: skip


def plan_map(plan: Plan, *, basemap: str | None = None, lang: str = "zh") -> folium.Map:
    """Draw a plan as an interactive map with layers the reader can switch.

    Layers: recycling points (existing, new, unchosen candidates) and sorting centres with
    popups (their township and county); service areas (covered demand cells, one colour per
    point); walk time from every demand cell to its point, with a legend; lines from points to
    their centres; uncovered demand; townships on mobile collection (流动回收) with the reason;
    county boundaries with census and plan figures. The header states the township minimum
    and the count of mobile-collection townships; a plan whose travel times are straight-line
    estimates carries a banner saying so (and how the trucks' times were measured); the
    credits of the data shown are in the map's attribution.

    Parameters
    ----------
    plan
        A :class:`gxnet.plan.Plan`.
    basemap
        "amap" (AMap/高德, overlays shifted to GCJ-02), "osm" (OpenStreetMap), "tianditu"
        (天地图, needs ``settings.tianditu_token``) or "none" (no tiles: fully offline);
        None: :func:`default_basemap` of ``lang``.
    lang
        "zh" (default) or "en" for titles, layer names, legend and popups.

    Returns
    -------
    folium.Map
        Self-contained: render it with ``save_map`` (or ``.get_root().render()``).

    Raises
    ------
    UserInputError
        For an unknown basemap or language, or Tianditu without a key.
    MapAssetsError
        When Leaflet's files are not installed.
    """
    text = messages(lang)
    basemap = basemap or default_basemap(lang)
    title = plan_title(plan, lang)
    warning = straight_line_warning(plan, text)
    lines = [f"{label}: {value}" for label, value in township_summary(plan, text)]
    if (plan.metrics or {}).get("status"):
        lines.append(f"{text['solve_status']}: {status_words(plan.metrics, lang)}")
    info = "；".join(lines)
    fmap = new_map(title, _fit_bounds(plan), basemap, lang, warning=warning, info=info)
    phases = [p["phase"] for p in plan.metrics.get("phases", [])]
    group = None
    if phases and "phase" in plan.sites:
        # New points are drawn by the phase they open in.
        s = plan.sites.reset_index(drop=True)
        new = s["chosen"].astype(bool) & (s["tier"] == Tier.RECYCLING_POINT)
        new &= s["status"] != SiteStatus.EXISTING
        group = pd.Series(_site_groups(s), index=s.index).where(~new, "phase:" + s["phase"])
    tables = plan_tables(plan, basemap, lang, group=group)
    has_changes = plan.changes is not None and (plan.changes["change"] != "kept").any()
    if has_changes:
        tables["changes"] = _changes_table(plan, basemap, lang)

    def sites(group: str) -> str:
        return f"gx.sites({_script_json(group)}, {_script_json(SITE_STYLES[group])})"

    layers = (
        ("layer_counties", "gx.counties()", True),
        ("layer_service", "gx.service()", False),
        ("layer_walk", "gx.walk()", True),
        ("layer_uncovered", "gx.uncovered()", True),
        ("layer_links", "gx.links()", False),
        ("layer_mobile", "gx.mobile()", True),
        ("layer_candidates", sites("candidate"), False),
        ("layer_existing", sites("existing"), True),
        ("layer_new", sites("new"), True),
        ("layer_markets", sites("market"), True),
        ("layer_centres", sites("centre"), True),
        ("layer_bases", sites("base"), True),
    ) + ((("layer_changes", "gx.changes()", True),) if has_changes else ())
    # Markets and bases have layers only in a plan that has those tiers.
    tiers = set(plan.sites.loc[plan.sites["chosen"].astype(bool), "tier"])
    absent = frozenset(
        f"layer_{t.plural}"
        for t in (Tier.COLLECTION_MARKET, Tier.PROCESSING_BASE)
        if t not in tiers
    )
    layers = tuple(layer for layer in layers if layer[0] not in absent)
    named = [(text[key], build, show) for key, build, show in layers]
    legend = _legend_html(text, changes=has_changes, absent=absent)
    if group is not None:
        styles = phase_styles(phases)
        at = [key for key, _, _ in layers].index("layer_new")
        named[at : at + 1] = [
            (
                text["layer_phase"].format(name=name),
                f"gx.sites({_script_json('phase:' + name)}, {_script_json(styles[name])})",
                True,
            )
            for name in phases
        ]
        legend += phase_legend(styles, text)
    named.append((text["layer_labels"], "gx.labels()", True))
    draw_layers(
        fmap,
        tables,
        named,
        legend,
        lang=lang,
        basemap=basemap,
        credits=attribution_lines(plan_sources(plan)),
    )
    return fmap


def plan_tables(
    plan: Plan,
    basemap: str,
    lang: str,
    *,
    group: pd.Series | None = None,
    counties: str | None = None,
) -> dict[str, str]:
    """The compact tables of a plan that maps.js draws: its sites (in layers by ``group``),
    demand, links, counties (or the table ``counties`` given), labels and townships."""
    site_data, site_order = _site_table(plan, basemap, group=group)
    return {
        "sites": site_data,
        "demand": _demand_table(plan, site_order, basemap),
        "links": _link_table(plan, basemap),
        "counties": counties if counties is not None else _county_table(plan, basemap, lang),
        "labels": _label_table(plan, basemap, lang),
        "townships": _township_table(plan, basemap, lang, messages(lang)),
    }


def new_map(
    title: str,
    bounds: Any,
    basemap: str,
    lang: str,
    *,
    warning: str | None = None,
    info: str = "",
) -> folium.Map:
    """An empty self-contained map: Leaflet and the gxnet runtime inlined, the title (with an
    info line and a warning banner, escaped), the basemap, fitted to ``bounds`` (west, south,
    east, north in WGS-84).

    Raises
    ------
    UserInputError
        For an unknown basemap or language, or Tianditu without a key.
    MapAssetsError
        When Leaflet's files are not installed.
    """
    if basemap not in BASEMAPS:
        raise unknown_choice("basemap", basemap, BASEMAPS)
    messages(lang)
    leaflet_js, leaflet_css = leaflet_assets()
    west, south, east, north = bounds
    if basemap == "amap":
        (west, east), (south, north) = crs.convert(
            np.array([west, east]), np.array([south, north]), crs.WGS84, crs.GCJ02
        )

    fmap = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_start=12)
    # Nothing of folium's CDN list is used (jQuery, Bootstrap, awesome-markers, Font Awesome);
    # Leaflet itself is inlined below.
    fmap.default_js = []
    fmap.default_css = []
    figure = fmap.get_root()
    figure.title = html_text(title)
    # An empty icon: else the browser asks the server (or the disk) for /favicon.ico.
    figure.header.add_child(Element('<link rel="icon" href="data:,">'), name="favicon")
    figure.header.add_child(Element(f"<style>{leaflet_css}</style>"), name="leaflet_css")
    figure.header.add_child(Element(f"<style>{_runtime('maps.css')}</style>"), name="gx_css")
    figure.header.add_child(Element(f"<script>{leaflet_js}</script>"), name="leaflet_js")
    figure.header.add_child(Element(f"<script>{_runtime('maps.js')}</script>"), name="gx_js")
    figure.html.add_child(Element(_header_html(title, warning, info)), name="gx_header")
    _add_basemap(fmap, basemap, lang)
    # Fit before any layer is drawn: a later fit would project every shape a second time.
    fmap.fit_bounds([[float(south), float(west)], [float(north), float(east)]], padding=(20, 20))
    return fmap


def draw_layers(
    fmap: folium.Map,
    tables: dict[str, str],
    layers: list[tuple[str, str, bool]],
    legend: str,
    *,
    lang: str,
    basemap: str,
    credits: list[str],
) -> None:
    """Embed the compact ``tables`` (:func:`_table`) for maps.js and add the ``layers``
    (name, maps.js call building it, shown at first), the layer control, the legend (HTML,
    escaped by the caller; the names are escaped here) and the map's furniture."""
    text = messages(lang)
    body = "{" + ",".join(f"{_script_json(k)}:{v}" for k, v in tables.items()) + "}"
    fmap.get_root().html.add_child(
        Element(f'<script type="application/json" id="{DATA_ELEMENT_ID}">{body}</script>'),
        name="gx_data",
    )
    config = {
        "text": text,
        "bins": WALK_BINS_MIN,
        "colours": WALK_COLOURS,
        "unreached": UNREACHED_COLOUR,
        "uncovered": UNCOVERED_COLOUR,
        "link": LINK_COLOUR,
        "county": COUNTY_COLOUR,
        "palette": SERVICE_PALETTE,
        "site_order": list(SITE_STYLES),
        "point_tier": Tier.RECYCLING_POINT,
        "label_margin": LABEL_MARGIN_PX,
        "changes": CHANGE_STYLES,
        "mobile": MOBILE_STYLE,
        "credits": credits,
    }
    name = fmap.get_name()
    setup = f"gx.setup({_script_json(config)}, {_script_json(DATA_ELEMENT_ID)}, {name});\n"
    blank = f"{name}.getContainer().classList.add('gx-blank');\n"
    fmap.add_child(_Script(setup + (blank if basemap == "none" else "")))
    for label, build, show in layers:
        # Leaflet's layer control shows a layer's name as HTML.
        fmap.add_child(_PlanLayer(html_text(label), build, show=show))
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.add_child(_Script(f"gx.legend({name}, {_script_json(legend)});\n"))
    fmap.add_child(_Script(f"gx.furniture({name});\n"))


def save_map(
    plan_or_map: Plan | folium.Map,
    path: str | os.PathLike[str],
    *,
    basemap: str | None = None,
    lang: str = "zh",
) -> Path:
    """Write a plan's map (or an already drawn map) to one HTML file, atomically.

    Parameters
    ----------
    plan_or_map
        A plan, drawn with :func:`plan_map` and the options below, or a map from it.
    path
        The HTML file to write.
    basemap, lang
        As for :func:`plan_map`; ignored when a map is given.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputError
        When the folder cannot be written.
    """
    fmap = (
        plan_or_map
        if isinstance(plan_or_map, folium.Map)
        else plan_map(plan_or_map, basemap=basemap, lang=lang)
    )
    return write_text_atomic(path, fmap.get_root().render())
