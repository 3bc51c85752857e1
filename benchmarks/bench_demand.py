"""Benchmark: census demand at township grain without OSM, for Wuzhou and the whole region.

Target (issue 25): the whole region's demand (111 counties, 1,267 townships) built in under
60 s; Wuzhou's fast enough that its default plan stays well under a minute.

Beside each run, in the same process, the county-grain placement it replaces (each county's
people spread evenly over its cells: ``townships=`` an empty table), so that the cost of the
township grain reads as a ratio on this shared machine. Each figure is the best of ``--repeat``
runs after one warm-up (the reference tables are read once per process).

    python benchmarks/bench_demand.py             # Wuzhou and the region, 1 km cells
    python benchmarks/bench_demand.py --quick     # Wuzhou only
"""

from __future__ import annotations

import argparse
import time
import warnings

from gxnet.demand import build_demand
from gxnet.townships import list_townships

TARGET_REGION_S = 60.0


def timed(area: str, cell_size_m: float, repeat: int, **kwargs) -> tuple[float, object]:
    """Best wall time of ``repeat`` builds, and the last result."""
    best, frame = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the no-OSM and fallback warnings, said once below
            frame = build_demand(area, cell_size_m=cell_size_m, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Wuzhou only")
    parser.add_argument("--cell-size-m", type=float, default=1000.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    areas = ["wuzhou"] if args.quick else ["wuzhou", "guangxi"]
    none = list_townships().iloc[:0]
    timed("wuzhou", 5000, 1)  # warm-up: reference tables, imports
    print(f"demand without OSM, {args.cell_size_m:.0f} m cells, best of {args.repeat}")
    for area in areas:
        t_town, towns = timed(area, args.cell_size_m, args.repeat)
        t_county, _ = timed(area, args.cell_size_m, args.repeat, townships=none)
        counts = towns.attrs["townships"]
        urban = towns["setting"] == "urban"
        print(
            f"  {area:8s} township grain {t_town:6.2f} s  (county grain, evenly: {t_county:5.2f} s,"
            f" x{t_town / t_county:.2f})  {len(towns):,} units, {towns['households'].sum():,.0f}"
            f" households, {towns['township_code'].nunique():,} of {counts['townships']:,}"
            f" townships placed ({counts['fallback_points']} at a fallback point),"
            f" {urban.sum():,} urban units holding"
            f" {towns.loc[urban, 'population'].sum() / towns['population'].sum():.0%} of people"
        )
        if area == "guangxi":
            verdict = "meets" if t_town < TARGET_REGION_S else "MISSES"
            print(f"  region target < {TARGET_REGION_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
