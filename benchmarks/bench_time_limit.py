"""The time limit as a planner's budget: the model stage's wall time against it, per model family.

For each model family gxnet runs (maximal covering, set covering, p-median, the capacitated
network) and each time limit (1, 5 and 30 s by default), on a city-sized problem (Wuzhou in the
embedded default: census cells, grid candidates, straight-line costs), with HiGHS and with CBC:
the wall time of the whole model stage (:func:`gxnet.model_choice.solve_network`, every tier,
building, heuristics, bounds and solver runs), its overrun against the allowed 10 % + 2 s, and
the status and gap the plan reports. The families are the planner's targets:

- maximal covering: no target (the household standard's number of points), centres by set
  covering;
- set covering: ``--coverage 0.9`` (fewest points), centres by set covering;
- p-median: ``--centres N`` (the centres by p-median of the chosen points), and, as a
  city-sized p-median, the points themselves (a number of points that can serve every cell);
- capacitated: ``centres.capacity_t_day = 30`` (the network with real capacities).

    python benchmarks/bench_time_limit.py                     # every family, 1/5/30 s, both
    python benchmarks/bench_time_limit.py --limit 5 --solver highs --family capacitated

A row fails when the model stage takes more than ``1.1 * limit + 2`` seconds; the script
exits 1 if any row fails. The machine's load average is printed with the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from gxnet.candidates import candidate_sites
from gxnet.config import Config
from gxnet.demand import load_demand
from gxnet.model_choice import ModelInput, solve_network, with_tier_defaults
from gxnet.optimize import LocationSetCovering, PMedian, Problem, Targets, TimeBudget
from gxnet.pipeline import model_input, with_targets
from gxnet.study_area import study_area

FAMILIES = ("maximal covering", "set covering", "p-median", "p-median (points)", "capacitated")


def city_input(city: str) -> tuple[ModelInput, Config]:
    """The model stage's input for a city in the embedded default, as ``gxnet optimize`` builds
    it (the township minimum and the household standard's number of points included), and
    the config with that target."""
    config = Config()
    area = study_area(city)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        demand = load_demand(area, config)
    sites, _ = candidate_sites(area, demand, config)
    data, _ = model_input(demand, sites, config, None)
    data, config, _ = with_targets(data, config, lambda line: None)
    return data, config


def family_config(family: str, config: Config, data: ModelInput) -> Config:
    """The config that makes the model stage run ``family``."""
    targets = config.targets
    if family == "set covering":
        targets = dataclasses.replace(targets, points=None, coverage=0.9)
    elif family == "p-median":
        # Comfortably more centres than the fewest that reach every point.
        targets = dataclasses.replace(targets, centres=25)
    elif family == "capacitated":
        centres = dataclasses.replace(config.centres, capacity_t_day=30.0)
        return dataclasses.replace(config, centres=centres)
    return dataclasses.replace(config, targets=targets)


def family_input(family: str, data: ModelInput, config: Config) -> ModelInput:
    """The input as the candidate stage gives it under the family's config: its centres
    take the configured capacity (the candidates carry the tier's standard)."""
    if family != "capacitated":
        return data
    centres = with_tier_defaults(data.centres.assign(capacity=np.nan), config)
    return dataclasses.replace(data, centres=centres)


def median_points(data: ModelInput) -> int:
    """Points for a city-sized p-median: 10 % more than the set cover's start needs to serve
    every cell (with fewer, some cell has no point in reach and the p-median is infeasible)."""
    cover = LocationSetCovering.from_problem(
        Problem.from_frames(data.demand, data.points, data.walk)
    )
    cover.heuristic()
    return math.ceil(1.1 * int(cover.incumbent.sum()))


def points_median(data: ModelInput, config: Config, p: int):
    """The p-median of the points, as a model stage of its own (its problem built inside)."""
    budget = TimeBudget(config.solver.time_limit_s)
    problem = Problem.from_frames(data.demand, data.points, data.walk, targets=Targets(points=p))
    return PMedian.from_problem(problem).solve(config.solver, budget)


def run(family: str, data: ModelInput, config: Config, limit: float, solver: str, p: int) -> dict:
    config = family_config(family, config, data)
    data = family_input(family, data, config)
    options = dataclasses.replace(config.solver, time_limit_s=limit, name=solver)
    config = dataclasses.replace(config, solver=options)
    tic = time.perf_counter()
    if family == "p-median (points)":
        solution = points_median(data, config, p)
    else:
        solution = solve_network(data, config)
    wall = time.perf_counter() - tic
    allowed = 1.1 * limit + 2.0
    return {
        "family": family,
        "solver": solver,
        "limit": limit,
        "wall": wall,
        "overrun": wall - limit,
        "ok": wall <= allowed,
        "status": solution.status,
        "gap": solution.gap,
        "cut": solution.time_limited,
        "sites": ", ".join(str(len(ids)) for ids in solution.open_sites.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--city", default="wuzhou")
    parser.add_argument("--limit", type=float, action="append", help="seconds (repeatable)")
    parser.add_argument("--solver", action="append", choices=("highs", "cbc"))
    parser.add_argument("--family", action="append", choices=FAMILIES)
    args = parser.parse_args()
    limits = args.limit or [1.0, 5.0, 30.0]
    solvers = args.solver or ["highs", "cbc"]
    families = args.family or list(FAMILIES)
    data, config = city_input(args.city)
    p = median_points(data) if "p-median (points)" in families else 0
    print(
        f"{args.city}: {len(data.demand):,} demand units, {len(data.points):,} point and "
        f"{len(data.centres):,} centre candidates, {len(data.walk):,} walk and "
        f"{len(data.truck):,} truck pairs; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| family | solver | limit | model stage | overrun | within 10 % + 2 s | status | gap "
        "| clock cut it | sites per tier |"
    )
    print("|---|---|---:|---:|---:|---|---|---:|---|---|")
    failed = 0
    worst: dict[str, float] = {}
    for family in families:
        for solver in solvers:
            for limit in limits:
                row = run(family, data, config, limit, solver, p)
                failed += not row["ok"]
                worst[family] = max(worst.get(family, -math.inf), row["overrun"])
                gap = "–" if row["gap"] is None else f"{100 * row['gap']:.2f} %"
                print(
                    f"| {family} | {solver} | {limit:g} s | {row['wall']:.1f} s | "
                    f"{row['overrun']:+.1f} s | {'yes' if row['ok'] else 'NO'} | "
                    f"{row['status']} | {gap} | {'yes' if row['cut'] else 'no'} | "
                    f"{row['sites']} |",
                    flush=True,
                )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print("worst overrun per family: " + ", ".join(f"{f} {v:+.1f} s" for f, v in worst.items()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
