"""Capacitated and two-stage facility location: gxnet against a textbook PuLP model.

spopt has no capacitated model, so the peer is what a hand-written PuLP script does: the dense
formulation over every customer x site pair (assignment rows, capacity rows and x_ij <= y_j for
every pair), built with ``lpSum`` and solved by PuLP's own HiGHS interface. gxnet runs
:class:`~gxnet.optimize.CapacitatedFacilityLocation` (OR-Library cap41..cap134, capa/b/c) and
:class:`~gxnet.optimize.TwoTierNetwork` with split flows (the two-stage set of Fernandes et al.
2014) on the same solver with the same time limit and gap, side by side.

Families (``--family``): ``cap`` and ``tscflp``. Reference values come from
``../shared/bench/cflp/optima.csv`` (proven optima) and ``../shared/bench/tscflp/reference.csv``
(best known values, not proven). Examples::

    PYTHONPATH=. python benchmarks/bench_capacitated.py --quick
    PYTHONPATH=. python benchmarks/bench_capacitated.py --family cap --time-limit 600
    PYTHONPATH=. python benchmarks/bench_capacitated.py --instances PSC1-C1-50 --no-peer
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pulp

from gxnet._io import write_text_atomic
from gxnet.optimize import CapacitatedFacilityLocation, SolverOptions, TwoTierNetwork
from gxnet.optimize.instances import CapInstance, TwoStageInstance, read_cap, read_tscflp

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
QUICK = {"cap": ["cap41", "cap71", "cap131"], "tscflp": ["PSC1-C1-50"]}


@dataclass
class Run:
    """One solver run: objective, honest status, gap, build and solve seconds."""

    objective: float | None
    status: str
    gap: float | None
    build_s: float
    solve_s: float


# ---- gxnet --------------------------------------------------------------------------------


def gxnet_cap(instance: CapInstance, options: SolverOptions) -> Run:
    solution = CapacitatedFacilityLocation.from_problem(instance.problem()).solve(options)
    return Run(
        solution.objective,
        solution.status,
        solution.gap,
        solution.build_time_s,
        solution.solve_time_s,
    )


def gxnet_tscflp(instance: TwoStageInstance, options: SolverOptions) -> Run:
    model = TwoTierNetwork.from_problem(instance.problem(), single_centre=False)
    solution = model.solve(options)
    return Run(
        solution.objective,
        solution.status,
        solution.gap,
        solution.build_time_s,
        solution.solve_time_s,
    )


# ---- the textbook peer ----------------------------------------------------------------------


def textbook_cap(instance: CapInstance, options: SolverOptions) -> Run:
    """Dense CFLP as a hand-written PuLP script states it."""
    tic = time.perf_counter()
    n, m = instance.cost.shape
    prob = pulp.LpProblem("cflp", pulp.LpMinimize)
    y = pulp.LpVariable.dicts("y", range(m), cat="Binary")
    x = pulp.LpVariable.dicts("x", [(i, j) for i in range(n) for j in range(m)], 0, 1)
    prob += pulp.lpSum(instance.fixed_cost[j] * y[j] for j in range(m)) + pulp.lpSum(
        instance.cost[i, j] * x[i, j] for i in range(n) for j in range(m)
    )
    for i in range(n):
        prob += pulp.lpSum(x[i, j] for j in range(m)) == 1
    for j in range(m):
        prob += (
            pulp.lpSum(instance.demand[i] * x[i, j] for i in range(n))
            <= instance.capacity[j] * y[j]
        )
        for i in range(n):
            prob += x[i, j] <= y[j]
    return _solve_textbook(prob, options, time.perf_counter() - tic)


def textbook_tscflp(instance: TwoStageInstance, options: SolverOptions) -> Run:
    """Dense two-stage CFLP (plants -> satellites -> customers, split flows) in plain PuLP."""
    tic = time.perf_counter()
    plants, satellites = instance.plant_cost.shape
    customers = len(instance.demand)
    d = instance.demand
    prob = pulp.LpProblem("tscflp", pulp.LpMinimize)
    z = pulp.LpVariable.dicts("z", range(plants), cat="Binary")
    y = pulp.LpVariable.dicts("y", range(satellites), cat="Binary")
    u = pulp.LpVariable.dicts("u", [(i, j) for i in range(plants) for j in range(satellites)], 0)
    v = pulp.LpVariable.dicts("v", [(j, k) for j in range(satellites) for k in range(customers)], 0)
    prob += (
        pulp.lpSum(instance.plant_fixed_cost[i] * z[i] for i in range(plants))
        + pulp.lpSum(instance.satellite_fixed_cost[j] * y[j] for j in range(satellites))
        + pulp.lpSum(instance.plant_cost[i, j] * u[i, j] for i, j in u)
        + pulp.lpSum(instance.satellite_cost[j, k] * v[j, k] for j, k in v)
    )
    for k in range(customers):
        prob += pulp.lpSum(v[j, k] for j in range(satellites)) == d[k]
    for j in range(satellites):
        inflow = pulp.lpSum(u[i, j] for i in range(plants))
        outflow = pulp.lpSum(v[j, k] for k in range(customers))
        prob += inflow == outflow
        prob += outflow <= instance.satellite_capacity[j] * y[j]
    for i in range(plants):
        prob += pulp.lpSum(u[i, j] for j in range(satellites)) <= instance.plant_capacity[i] * z[i]
    return _solve_textbook(prob, options, time.perf_counter() - tic)


def _solve_textbook(prob: pulp.LpProblem, options: SolverOptions, build_s: float) -> Run:
    """PuLP's HiGHS with the same limit and gap; 'optimal' only when HiGHS proved it."""
    solver = pulp.HiGHS(
        msg=False, timeLimit=options.time_limit_s, gapRel=options.gap_rel, threads=options.threads
    )
    tic = time.perf_counter()
    prob.solve(solver)
    solve_s = time.perf_counter() - tic
    highs = prob.solverModel
    info = highs.getInfo()
    proved = highs.modelStatusToString(highs.getModelStatus()) == "Optimal"
    has_solution = info.primal_solution_status == 2
    objective = float(info.objective_function_value) if has_solution else None
    status = "optimal" if proved else ("feasible" if has_solution else "no solution")
    gap = float(info.mip_gap) if has_solution and math.isfinite(info.mip_gap) else None
    return Run(objective, status, gap, build_s, solve_s)


# ---- families ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """Instances of one benchmark family with their reference values, and the two runners."""

    instances: Callable[[], Iterator[tuple[str, object, float]]]
    gxnet: Callable[[object, SolverOptions], Run]
    peer: Callable[[object, SolverOptions], Run]
    reference: str


def cap_instances() -> Iterator[tuple[str, CapInstance, float]]:
    table = pd.read_csv(BENCH / "cflp" / "optima.csv")
    for row in table.itertuples():
        capacity = None if pd.isna(row.capacity_substitute) else float(row.capacity_substitute)
        yield row.instance, read_cap(BENCH / "cflp" / row.file, capacity), float(row.optimum)


def tscflp_instances() -> Iterator[tuple[str, TwoStageInstance, float]]:
    table = pd.read_csv(BENCH / "tscflp" / "reference.csv")
    for row in table.itertuples():
        path = BENCH / "tscflp" / f"{row.instance}.txt"
        yield row.instance, read_tscflp(path), float(row.bks)


FAMILIES = {
    "cap": Family(cap_instances, gxnet_cap, textbook_cap, "optimum"),
    "tscflp": Family(tscflp_instances, gxnet_tscflp, textbook_tscflp, "bks"),
}


def _reached(run: Run, reference: float) -> bool:
    return run.objective is not None and run.objective <= reference * (1 + 1e-6)


def run(families, names, options: SolverOptions, peer: bool) -> pd.DataFrame:
    """Solve each selected instance with gxnet (and the peer) and collect one row each."""
    rows = []
    for family_name in families:
        family = FAMILIES[family_name]
        for name, instance, reference in family.instances():
            if names and name not in names:
                continue
            ours = family.gxnet(instance, options)
            theirs = family.peer(instance, options) if peer else None
            rows.append(
                {
                    "family": family_name,
                    "instance": name,
                    "reference": reference,
                    "kind": family.reference,
                    "gxnet": ours.objective,
                    "status": ours.status,
                    "gap": ours.gap,
                    "reached": _reached(ours, reference),
                    "build_s": round(ours.build_s, 2),
                    "solve_s": round(ours.solve_s, 2),
                    "peer": theirs.objective if theirs else None,
                    "peer_status": theirs.status if theirs else None,
                    "peer_reached": _reached(theirs, reference) if theirs else None,
                    "peer_build_s": round(theirs.build_s, 2) if theirs else None,
                    "peer_solve_s": round(theirs.solve_s, 2) if theirs else None,
                    "ratio": (theirs.build_s + theirs.solve_s) / (ours.build_s + ours.solve_s)
                    if theirs
                    else None,
                }
            )
            print(_progress(name, ours, theirs), flush=True)
    return pd.DataFrame(rows)


def _progress(name: str, ours: Run, theirs: Run | None) -> str:
    """One line per instance while the run goes on."""

    def describe(who: str, r: Run) -> str:
        return f"{who} {r.status} {r.objective} ({r.build_s:.1f} + {r.solve_s:.1f} s)"

    return f"{name}: " + " | ".join(
        [describe("gxnet", ours)] + ([describe("textbook", theirs)] if theirs else [])
    )


def summary(table: pd.DataFrame) -> str:
    """One line: instances, how many reached the reference and were proven, total times."""
    ours = table["build_s"].sum() + table["solve_s"].sum()
    line = (
        f"{len(table)} instances: gxnet reached the reference on {int(table['reached'].sum())}, "
        f"proved optimal {int((table['status'] == 'optimal').sum())}, {ours:.1f} s"
    )
    if table["peer"].notna().any():
        theirs = table["peer_build_s"].sum() + table["peer_solve_s"].sum()
        line += (
            f"; textbook PuLP reached {int(table['peer_reached'].sum())}, proved "
            f"{int((table['peer_status'] == 'optimal').sum())}, {theirs:.1f} s "
            f"(total ratio {theirs / ours:.2f}x)"
        )
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=sorted(FAMILIES), action="append")
    parser.add_argument("--instances", nargs="*", default=[], help="names, e.g. cap41 PSC1-C1-50")
    parser.add_argument("--quick", action="store_true", help=f"only {QUICK}")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per solve")
    parser.add_argument("--gap", type=float, default=1e-6, help="relative MIP gap")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-peer", action="store_true", help="skip the textbook PuLP model")
    parser.add_argument("--csv", type=Path, help="also write the table here")
    args = parser.parse_args()
    families = args.family or sorted(FAMILIES)
    names = set(args.instances)
    if args.quick:
        names |= {n for f in families for n in QUICK[f]}
    options = SolverOptions(time_limit_s=args.time_limit, gap_rel=args.gap, threads=args.threads)
    table = run(families, names, options, peer=not args.no_peer)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False))
    print(summary(table))
    if args.csv:
        write_text_atomic(args.csv, table.to_csv(index=False))


if __name__ == "__main__":
    main()
