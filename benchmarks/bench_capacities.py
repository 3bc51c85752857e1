"""The three-in-one network with real capacities at city scale, against plain HiGHS on the
same model in the same run.

For each city (the embedded default: census cells, township seats and grid candidates, truck
times on the highway graph, the township minimum on) with a sorting-centre capacity of 30
t/day, the model stage runs twice, each side in a process of its own (its peak memory is that
process's):

- gxnet: :func:`gxnet.model_choice.solve_network`, the decomposition by tier (points by maximal
  covering with its heuristics and bound; centres by single-source capacitated facility
  location with its start, bounds, LP and restricted MIP; points no centre can take left out
  and the points solved again);
- plain HiGHS: the same two models, each handed to HiGHS as a MIP without heuristics, start,
  bounds or restriction (``MaximalCovering(heuristic=False)``, then
  ``CapacitatedFacilityLocation(single_source=True)`` over the loads of the points it chose),
  with the same time limit and gap.

It prints, per side and tier, the status, objective, bound and gap, the model stage's wall
time and peak memory, and the households that the uncapacitated plan (the default, no centre
capacity) covers but the capacitated one does not.

    python benchmarks/bench_capacities.py                       # Wuzhou 120 s, Nanning 300 s
    python benchmarks/bench_capacities.py --city wuzhou:120 --capacity 30
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_time_limit import city_input

from gxnet.config import Config
from gxnet.model_choice import (
    POINTS_SHARE,
    ModelInput,
    points_problem,
    solve_network,
    with_tier_defaults,
)
from gxnet.optimize import CapacitatedFacilityLocation, MaximalCovering, Solution, TimeBudget
from gxnet.optimize.hubs import LINK_WEIGHT, hub_problem
from gxnet.tiers import Tier


def capacitated(data: ModelInput, config: Config, capacity: float, limit: float):
    """The input and config with the centres' capacity and the time limit."""
    centres = dataclasses.replace(config.centres, capacity_t_day=capacity)
    solver = dataclasses.replace(config.solver, time_limit_s=limit, gap=0.01)
    config = dataclasses.replace(config, centres=centres, solver=solver)
    data = dataclasses.replace(
        data, centres=with_tier_defaults(data.centres.assign(capacity=np.nan), config)
    )
    return data, config


def plain_highs(data: ModelInput, config: Config) -> dict[Tier, Solution]:
    """The same decomposed model, each tier a plain MIP for HiGHS."""
    budget = TimeBudget(config.solver.time_limit_s)
    options = config.solver
    problem = points_problem(data, config, centres=False)
    points = MaximalCovering.from_problem(problem, heuristic=False, minimums=data.minimums).solve(
        options, budget.part(POINTS_SHARE)
    )
    parts = {Tier.RECYCLING_POINT: points}
    if points.has_solution:
        frame = points.assignments[Tier.RECYCLING_POINT]
        kg = data.demand.set_index("demand_id")["recyclables_kg_day"]
        tonnes = (
            (frame["share"] * kg.reindex(frame["origin_id"]).to_numpy() / 1000)
            .groupby(frame["site_id"].to_numpy())
            .sum()
        )
        ids = np.asarray(points.open_sites[Tier.RECYCLING_POINT], dtype=object)
        centres = hub_problem(
            ids, tonnes.reindex(ids).fillna(0.0).to_numpy(), data.centres, data.truck
        )
        model = CapacitatedFacilityLocation(
            centres, single_source=True, cost_weight=LINK_WEIGHT, lagrangean=False
        )
        parts[Tier.SORTING_CENTRE] = model.solve(options, budget)
    return parts


def covered_households(solution: Solution, data: ModelInput) -> dict:
    """Households per demand unit the plan covers (its points' assignments, without the points
    closed for want of a centre)."""
    frame = solution.assignments.get(Tier.RECYCLING_POINT)
    if frame is None:
        return {}
    households = data.demand.set_index("demand_id")["households"]
    covered = (
        (frame["share"] * households.reindex(frame["origin_id"]).to_numpy())
        .groupby(frame["origin_id"].to_numpy())
        .sum()
    )
    return covered.to_dict()


def side(kind: str, city: str, capacity: float, limit: float, out) -> None:
    """One side in its own process: build the input, run the model stage, report (or the
    error that ended it)."""
    try:
        out.put(run_model_stage(kind, city, capacity, limit))
    except Exception as error:  # a side that fails is a row of the table
        out.put({"error": f"{type(error).__name__}: {error}"})


def run_model_stage(kind: str, city: str, capacity: float, limit: float) -> dict:
    """Build the input, run one side's model stage and measure it."""
    data, config = city_input(city)
    base = dataclasses.replace(config, solver=dataclasses.replace(config.solver, gap=0.01))
    data, config = capacitated(data, config, capacity, limit)
    tic = time.perf_counter()
    if kind == "gxnet":
        solution = solve_network(data, config)
        parts, points = solution.parts, solution
    else:
        parts = plain_highs(data, config)
        points = parts[Tier.RECYCLING_POINT]
    wall = time.perf_counter() - tic
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    result = {
        "wall": wall,
        "peak_gb": peak_gb,
        "tiers": {
            str(tier): {
                "status": p.status,
                "objective": p.objective,
                "bound": p.bound,
                "gap": p.gap,
                "sites": len(p.open_sites.get(Tier.RECYCLING_POINT, [])),
                "cut": p.time_limited,
            }
            for tier, p in parts.items()
        },
        "covered": covered_households(points, data),
    }
    if kind == "gxnet":
        # The uncapacitated plan (no centre capacity) as gxnet optimize makes it by default.
        free = solve_network(
            dataclasses.replace(data, centres=data.centres.assign(capacity=np.inf)), base
        )
        result["uncapacitated"] = covered_households(free, data)
    return result


def run_side(kind: str, city: str, capacity: float, limit: float) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=side, args=(kind, city, capacity, limit, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--city", action="append", help="city:seconds (default wuzhou:120 and nanning:300)"
    )
    parser.add_argument("--capacity", type=float, default=30.0, help="centre t/day")
    args = parser.parse_args()
    cities = args.city or ["wuzhou:120", "nanning:300"]
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(
        "| city | side | model stage | peak memory | tier | status | objective | bound | gap "
        "| sites | clock cut it |"
    )
    print("|---|---|---:|---:|---|---|---:|---:|---:|---:|---|")
    for entry in cities:
        city, _, seconds = entry.partition(":")
        limit = float(seconds or 120)
        results = {kind: run_side(kind, city, args.capacity, limit) for kind in ("gxnet", "plain")}
        for kind, result in results.items():
            if "error" in result:
                print(f"| {city} ({limit:g} s) | {kind} | {result['error']} |", flush=True)
                continue
            for tier, t in result["tiers"].items():
                gap = "–" if t["gap"] is None else f"{100 * t['gap']:.2f} %"
                number = lambda v: "–" if v is None else f"{v:,.1f}"  # noqa: E731
                print(
                    f"| {city} ({limit:g} s) | {kind} | {result['wall']:.1f} s | "
                    f"{result['peak_gb']:.2f} GB | {tier} | {t['status']} | "
                    f"{number(t['objective'])} | {number(t['bound'])} | {gap} | {t['sites']} | "
                    f"{'yes' if t['cut'] else 'no'} |",
                    flush=True,
                )
        if "error" in results["gxnet"]:
            continue
        before = results["gxnet"]["uncapacitated"]
        after = results["gxnet"]["covered"]
        lost = sum(max(h - after.get(i, 0.0), 0.0) for i, h in before.items())
        print(
            f"{city}: the uncapacitated plan covers {sum(before.values()):,.0f} households, the "
            f"capacitated {sum(after.values()):,.0f}; households the first covers and the second "
            f"does not: {lost:,.0f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
