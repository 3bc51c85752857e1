"""Tiny random facility-location instances and their brute-force optima, for model tests."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from gxnet.config import Targets
from gxnet.optimize import Problem

STATUS_MIX = ("candidate", "candidate", "candidate", "existing", "required", "excluded")


def random_problem(
    seed: int,
    n_demand: int = 9,
    n_sites: int = 7,
    cutoff: float = 0.6,
    p: int | None = None,
    statuses: tuple[str, ...] = STATUS_MIX,
) -> Problem:
    """Demand and sites at random in the unit square, pairs within ``cutoff`` (Euclidean),
    some sites existing, required or excluded, some demand weightless."""
    rng = np.random.default_rng(seed)
    demand_xy = rng.random((n_demand, 2))
    site_xy = rng.random((n_sites, 2))
    weight = rng.integers(0, 20, n_demand).astype(float)
    status = rng.choice(statuses, n_sites)
    if (status == "excluded").all():
        status[0] = "candidate"
    cost = np.round(np.linalg.norm(demand_xy[:, None] - site_xy[None], axis=2), 2)
    i, j = np.nonzero(cost <= cutoff)
    costs = pd.DataFrame(
        {"demand_id": [f"d{k}" for k in i], "site_id": [f"s{k}" for k in j], "cost": cost[i, j]}
    )
    return Problem.from_tables(
        pd.DataFrame({"demand_id": [f"d{k}" for k in range(n_demand)], "households": weight}),
        pd.DataFrame(
            {
                "site_id": [f"s{k}" for k in range(n_sites)],
                "status": status,
                "fixed_cost": rng.integers(1, 9, n_sites).astype(float),
            }
        ),
        costs,
        targets=Targets(points=p),
    )


def feasible_sets(problem: Problem, size: int | None = None):
    """Every set of sites that keeps existing/required ones and avoids excluded ones,
    as boolean masks (of ``size`` sites when given)."""
    sites = problem.sites["recycling_point"]
    free = np.flatnonzero(sites.usable & ~sites.kept)
    kept = np.flatnonzero(sites.kept)
    sizes = range(len(free) + 1) if size is None else [size - len(kept)]
    for extra in sizes:
        if extra < 0 or extra > len(free):
            continue
        for chosen in itertools.combinations(free, extra):
            mask = np.zeros(sites.n, dtype=bool)
            mask[kept] = True
            mask[list(chosen)] = True
            yield mask


def nearest_costs(problem: Problem, open_sites: np.ndarray) -> np.ndarray:
    """Each demand unit's cost to its nearest open site (inf when none in reach)."""
    pairs = problem.usable_pairs("recycling_point")
    nearest = pairs.nearest(open_sites)
    return np.where(nearest >= 0, pairs.cost[np.maximum(nearest, 0)], np.inf)


def total_cost(problem: Problem, open_sites: np.ndarray) -> float:
    """Weighted cost of serving everyone from the nearest open site (inf if someone can't be)."""
    costs = nearest_costs(problem, open_sites)
    if np.isinf(costs).any():
        return np.inf
    return float((problem.demand.weight * costs).sum())
