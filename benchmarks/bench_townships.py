"""Benchmark: no township left behind, for the Wuzhou default and for the whole region.

Target (issue 25): the Wuzhou default still plans end to end in under 60 s, and no county of the
region is left without a recycling point. For each area it runs ``gxnet optimize``'s pipeline in
the embedded default (census at township grain, default candidates, straight line x detour on
foot, the highway graph for trucks) and reports: townships with a point of the townships with
households, households within the standard, townships on mobile collection (流动回收) and their
households, counties with no point, and the run time. Beside each run, in the same process, the
same plan without the township minimum (``--no-township-minimum``), so that what the minimum
costs in coverage and time reads side by side on this shared machine. Times are end to end:
the plan folder and the map are written, as ``gxnet optimize`` writes them.

    python benchmarks/bench_townships.py            # Wuzhou, then the 14 cities one by one
    python benchmarks/bench_townships.py --quick    # Wuzhou only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gxnet.config import Config
from gxnet.pipeline import optimize_city, save_outputs
from gxnet.regions import get_city, list_cities

TARGET_WUZHOU_S = 60.0


def plan_figures(area: str, config: Config) -> dict:
    """One plan's township figures and its wall time, end to end (plan folder and map
    written, as `gxnet optimize` does)."""
    start = time.perf_counter()
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as out:
        warnings.simplefilter("ignore")  # the no-OSM and fallback warnings
        plan = optimize_city(area, config=config)
        save_outputs(plan, out)
    seconds = time.perf_counter() - start
    m = plan.metrics
    return {
        "seconds": seconds,
        "townships": m["townships"],
        "with_point": m["townships_with_point"],
        "mobile": m["townships_mobile"],
        "mobile_households": m["mobile_households"],
        "households": m["households"],
        "covered": m["households_covered"],
        "points": m["points"],
        "point_sites": m["point_sites"],
        "no_point_counties": m["counties_without_point"],
        "status": m["status"],
    }


def line(name: str, f: dict, free: dict) -> str:
    return (
        f"  {name:13s} {f['with_point']:5,d}/{f['townships']:<5,d} "
        f"{f['covered']:12,.0f} {100 * f['covered'] / f['households']:6.1f}% "
        f"{f['mobile']:4,d} {f['mobile_households']:9,.0f} {f['no_point_counties']:4d} "
        f"{f['point_sites']:6,d} {f['seconds']:7.1f} s  | {free['with_point']:5,d} "
        f"{100 * free['covered'] / free['households']:6.1f}% {free['no_point_counties']:4d} "
        f"{free['seconds']:6.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Wuzhou only")
    args = parser.parse_args()
    cities = ["wuzhou"] if args.quick else [get_city(a).slug for a in list_cities()["adcode"]]
    with_minimum = Config()
    without = Config().with_options(township_minimum=False)
    plan_figures("mengshan", with_minimum)  # warm-up: reference tables, imports
    print(
        "the embedded default; township minimum on (left) and off (right)\n"
        "  area          towns w/ point  households covered      mobile (hh)  cnty "
        "sites    time  | w/ point  cover cnty   time"
    )
    total: dict[str, float] = {}
    total_free: dict[str, float] = {}
    for city in cities:
        figures = plan_figures(city, with_minimum)
        free = plan_figures(city, without)
        print(line(city, figures, free), flush=True)
        for key in figures:
            if key != "status":
                total[key] = total.get(key, 0) + figures[key]
                total_free[key] = total_free.get(key, 0) + free[key]
        if city == "wuzhou":
            verdict = "meets" if figures["seconds"] < TARGET_WUZHOU_S else "MISSES"
            print(f"  Wuzhou target < {TARGET_WUZHOU_S:.0f} s end to end: {verdict}")
    if len(cities) > 1:
        as_ints = {k: int(v) if k != "seconds" else v for k, v in total.items()}
        free_ints = {k: int(v) if k != "seconds" else v for k, v in total_free.items()}
        print(line("region", as_ints, free_ints))
        verdict = "meets" if total["no_point_counties"] == 0 else "MISSES"
        print(f"  region target: counties with no point = 0: {verdict}")


if __name__ == "__main__":
    main()
