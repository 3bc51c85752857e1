"""A still picture of a plan, for the printed report: drawn with matplotlib, without any tiles.

County boundaries and names, the demand coloured by the time to its recycling point (the
interactive map's classes), demand outside every point's standard outlined, lines from the
points to their sorting centres, the points (existing and new) and the centres, with a legend,
a scale bar and a north arrow. Nothing is fetched from a network: the picture renders offline.

Coordinates are plotted in degrees with the aspect of the plan's mean latitude, which keeps
shapes true within a city; the scale bar is measured at that latitude.
"""

from __future__ import annotations

import io
import math

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from gxnet._messages import messages
from gxnet.maps import (
    COUNTY_COLOUR,
    LINK_COLOUR,
    SITE_STYLES,
    UNCOVERED_COLOUR,
    UNREACHED_COLOUR,
    WALK_BINS_MIN,
    WALK_COLOURS,
    walk_class_labels,
)
from gxnet.plan import Plan
from gxnet.tiers import SiteStatus, Tier

#: Fonts tried in turn for the picture's text: Noto CJK (Debian's fonts-noto-cjk) and the other
#: common Chinese system fonts, then matplotlib's own for Latin text.
FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
         "Microsoft YaHei", "PingFang SC", "DejaVu Sans")  # fmt: skip
#: Metres per degree of latitude.
_M_PER_DEG = 111_320.0


def _fonts() -> list[str]:
    """The fonts of :data:`FONTS` installed here, in order."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in FONTS if name in installed] or ["DejaVu Sans"]


def render_png(plan: Plan, *, lang: str = "zh", width_in: float = 7.0, dpi: int = 200) -> bytes:
    """Draw the plan and return the picture as PNG bytes.

    Parameters
    ----------
    plan
        The plan.
    lang
        "zh" or "en" for the legend and the county names.
    width_in, dpi
        Size of the picture: 7 inches at 200 dpi fills an A4 page's text width sharply.
    """
    text = messages(lang)
    demand = plan.demand
    west, south, east, north = demand.total_bounds
    if plan.counties is not None and not plan.counties.empty:
        cw, cs, ce, cn = plan.counties.total_bounds
        west, south, east, north = min(west, cw), min(south, cs), max(east, ce), max(north, cn)
    aspect = 1.0 / max(math.cos(math.radians((south + north) / 2)), 0.1)
    span_x, span_y = max(east - west, 1e-3), max(north - south, 1e-3)
    height_in = min(max(width_in * span_y * aspect / span_x, 3.0), 9.0)
    with plt.rc_context({"font.family": _fonts(), "font.size": 8}):
        fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=dpi)
        try:
            _draw(ax, plan, text, lang)
            ax.set_xlim(west - 0.02 * span_x, east + 0.02 * span_x)
            ax.set_ylim(south - 0.02 * span_y, north + 0.02 * span_y)
            ax.set_aspect(aspect)
            ax.set_axis_off()
            _scale_bar(ax, west, south, span_x, span_y, aspect)
            _north_arrow(ax, text)
            fig.tight_layout(pad=0.3)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=dpi)
        finally:
            plt.close(fig)
    return buffer.getvalue()


def _draw(ax, plan: Plan, text: dict[str, str], lang: str) -> None:
    demand = plan.demand
    cells = demand["cell"] if "cell" in demand.columns else None
    shapes = gpd.GeoSeries(
        cells.where(cells.notna(), demand.geometry) if cells is not None else demand.geometry,
        crs="EPSG:4326",
    )
    minutes = demand["travel_s"].astype(float) / 60.0
    reached = demand["point_id"].notna() & (demand["point_id"].astype(str) != "")
    classes = np.digitize(minutes.fillna(np.inf), WALK_BINS_MIN)
    colours = np.where(reached, np.asarray(WALK_COLOURS)[np.minimum(classes, 5)], UNREACHED_COLOUR)
    polygons = shapes.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if polygons.any():
        shapes[polygons].plot(ax=ax, color=colours[polygons], linewidth=0, alpha=0.6)
    if (~polygons).any():
        pts = shapes[~polygons]
        ax.scatter(pts.x, pts.y, s=6, c=colours[~polygons], linewidths=0, alpha=0.8)
    uncovered = ~demand["covered"].fillna(False).astype(bool).to_numpy() & polygons
    if uncovered.any():
        shapes[uncovered].boundary.plot(ax=ax, color=UNCOVERED_COLOUR, linewidth=0.15, alpha=0.5)
    counties = plan.counties
    if counties is not None and not counties.empty:
        counties.boundary.plot(ax=ax, color=COUNTY_COLOUR, linewidth=0.8)
        names = counties["name_zh" if lang == "zh" else "name_pinyin"].astype(str)
        for point, name in zip(counties.geometry.representative_point(), names, strict=True):
            ax.annotate(
                name, (point.x, point.y), ha="center", va="center", fontsize=8,
                color=COUNTY_COLOUR, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )  # fmt: skip
    if len(plan.links):
        plan.links.plot(ax=ax, color=LINK_COLOUR, linewidth=0.4, alpha=0.6)
    sites = plan.sites[plan.sites["chosen"].astype(bool)]
    is_point = sites["tier"] == Tier.RECYCLING_POINT
    groups = (
        ("existing", is_point & (sites["status"] == SiteStatus.EXISTING), 14),
        ("new", is_point & (sites["status"] != SiteStatus.EXISTING), 14),
        ("centre", ~is_point, 60),
    )
    for group, mask, size in groups:
        chosen = sites[mask.to_numpy()]
        if len(chosen):
            style = SITE_STYLES[group]
            ax.scatter(
                chosen.geometry.x, chosen.geometry.y, s=size, c=style["fillColor"],
                edgecolors=style["color"], linewidths=0.8, zorder=5,
                marker="s" if group == "centre" else "o",
            )  # fmt: skip
    _legend(ax, text)


def _legend(ax, text: dict[str, str]) -> None:
    labels = walk_class_labels()
    handles = [
        Patch(color=c, alpha=0.6, label=lab) for c, lab in zip(WALK_COLOURS, labels, strict=True)
    ]
    handles.append(Patch(color=UNREACHED_COLOUR, label=text["legend_unreached"]))
    handles.append(Patch(fill=False, edgecolor=UNCOVERED_COLOUR, label=text["layer_uncovered"]))
    for group, key, marker in (
        ("existing", "layer_existing", "o"),
        ("new", "layer_new", "o"),
        ("centre", "layer_centres", "s"),
    ):
        style = SITE_STYLES[group]
        handles.append(
            Line2D([], [], marker=marker, linestyle="", markerfacecolor=style["fillColor"],
                   markeredgecolor=style["color"], label=text[key])
        )  # fmt: skip
    ax.legend(
        handles=handles, title=text["legend_walk"], loc="lower right", fontsize=6,
        title_fontsize=6.5, framealpha=0.9,
    )  # fmt: skip


def _scale_bar(ax, west: float, south: float, span_x: float, span_y: float, aspect: float) -> None:
    """A bar of a round length near a fifth of the width, in the lower left corner."""
    metres_per_deg = _M_PER_DEG / aspect
    target = span_x * metres_per_deg / 5
    length = 10 ** math.floor(math.log10(target))
    length *= max(m for m in (1, 2, 5) if m * length <= target)
    x0, y0 = west + 0.03 * span_x, south + 0.03 * span_y
    ax.plot([x0, x0 + length / metres_per_deg], [y0, y0], color="black", linewidth=2)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.annotate(label, (x0 + length / metres_per_deg / 2, y0), xytext=(0, 3),
                textcoords="offset points", ha="center", va="bottom", fontsize=7)  # fmt: skip


def _north_arrow(ax, text: dict[str, str]) -> None:
    ax.annotate(
        text["north"], xy=(0.04, 0.96), xytext=(0.04, 0.86), xycoords="axes fraction",
        ha="center", va="center", fontsize=9, fontweight="bold",
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 9, "headlength": 8},
    )  # fmt: skip
