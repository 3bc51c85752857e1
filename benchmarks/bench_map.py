"""Map of a large plan: file size and time to interactive in Chromium, gxnet vs naive folium.

The naive map is folium's default way: one ``folium.GeoJson`` per demand cell (styled by its
walk time, with a tooltip) and one ``folium.CircleMarker`` with a tooltip per chosen site, with
the same inlined Leaflet so that it opens offline too (tooltips, since folium's popups need
jQuery from a CDN). gxnet's map is
:func:`gxnet.maps.plan_map` with no basemap. Both are built from the same synthetic plan and
loaded in the same headless Chromium, each a few times (the first load is cold).

Targets (issue 6): under 15 MB and interactive within 3 s for 10,000 cells and 2,000 points.

Usage: python benchmarks/bench_map.py [--cells 10000] [--points 2000] [--loads 3] [--no-naive]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
from branca.element import Element
from chromium import chromium, chromium_missing, load, visit
from synthetic_plan import synthetic_plan

from gxnet.maps import WALK_BINS_MIN, WALK_COLOURS, leaflet_assets, save_map


def naive_map(plan) -> folium.Map:
    """The plan drawn feature by feature, the way folium's documentation shows."""
    west, south, east, north = plan.demand.total_bounds
    fmap = folium.Map(tiles=None)
    fmap.default_js, fmap.default_css = [], []
    leaflet_js, leaflet_css = leaflet_assets()
    fmap.get_root().header.add_child(Element(f"<style>{leaflet_css}</style>"))
    fmap.get_root().header.add_child(Element(f"<script>{leaflet_js}</script>"))
    for cell, seconds in zip(plan.demand["cell"], plan.demand["travel_s"], strict=True):
        minutes = seconds / 60
        colour = next(
            (c for bound, c in zip(WALK_BINS_MIN, WALK_COLOURS, strict=False) if minutes < bound),
            WALK_COLOURS[-1],
        )
        folium.GeoJson(
            cell.__geo_interface__,
            style_function=lambda _, colour=colour: {"fillColor": colour, "stroke": False},
            tooltip=f"{minutes:.1f} min",
        ).add_to(fmap)
    chosen = plan.sites[plan.sites["chosen"]]
    for site in chosen.itertuples():
        folium.CircleMarker(
            (site.geometry.y, site.geometry.x),
            radius=5,
            tooltip=f"{site.name}<br>{site.households_served:.0f} / {site.capacity:.0f}",
        ).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def measure(driver, path: Path, loads: int) -> tuple[float, list[float], int]:
    """File size in MB, times to interactive in s (cold first), console errors on first load."""
    first = visit(driver, path.as_uri())
    times = [first.ready_ms / 1000] + [load(driver, path.as_uri()) / 1000 for _ in range(loads - 1)]
    return path.stat().st_size / 1e6, times, len(first.console_errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=2_000)
    parser.add_argument("--loads", type=int, default=5, help="loads per map (first is cold)")
    parser.add_argument("--no-naive", action="store_true", help="only gxnet's map")
    args = parser.parse_args()
    missing = chromium_missing()
    if missing:
        print(missing, file=sys.stderr)
        return 1

    plan = synthetic_plan(args.cells, args.points, max(1, args.points // 100))
    out = Path(tempfile.mkdtemp(prefix="gxnet-bench-map-"))
    rows = []
    started = time.perf_counter()
    save_map(plan, out / "gxnet.html", basemap="none")
    rows.append(("gxnet plan_map", time.perf_counter() - started, out / "gxnet.html"))
    if not args.no_naive:
        started = time.perf_counter()
        html = naive_map(plan).get_root().render()
        (out / "naive.html").write_text(html, encoding="utf-8")
        rows.append(("naive folium", time.perf_counter() - started, out / "naive.html"))

    print(f"map of {args.cells:,} demand cells and {args.points:,} points ({out})")
    print(
        f"{'approach':<16} {'file MB':>8} {'build s':>8} {'cold s':>7} {'warm s':>7} {'errors':>6}"
    )
    with chromium() as driver:
        for name, build_s, path in rows:
            size_mb, times, errors = measure(driver, path, args.loads)
            warm = statistics.median(times[1:]) if len(times) > 1 else float("nan")
            print(
                f"{name:<16} {size_mb:>8.1f} {build_s:>8.1f} {times[0]:>7.2f} {warm:>7.2f} "
                f"{errors:>6}"
            )
    print("targets: < 15 MB, interactive < 3 s")
    print(f"machine load (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
