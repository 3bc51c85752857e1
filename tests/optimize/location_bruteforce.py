"""Brute-force optima of tiny capacitated and network instances, independent of the models.

Every choice of open sites (and, where the model makes them binary, every single-source or
single-centre assignment) is enumerated; what remains for split demand is a small LP solved
with scipy's ``linprog``. Nothing here shares code with ``gxnet.optimize``'s PuLP builders.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog


@dataclass
class Tiny:
    """A tiny instance: dense costs with ``inf`` for missing pairs, statuses per tier."""

    weight: np.ndarray
    cost: np.ndarray  # demand x points, per unit of weight
    capacity: np.ndarray
    fixed: np.ndarray
    status: list[str]
    link: np.ndarray | None = None  # points x centres, per unit of load
    centre_capacity: np.ndarray | None = None
    centre_fixed: np.ndarray | None = None
    centre_status: list[str] = field(default_factory=list)
    load: np.ndarray | None = None


def random_tiny(
    rng: np.random.Generator, n: int = 5, m: int = 4, centres: int = 0, density: float = 0.7
) -> Tiny:
    """A random instance: integer weights, pairs present with probability ``density``."""
    weight = rng.integers(1, 10, n).astype(float)
    cost = rng.integers(1, 20, (n, m)).astype(float)
    cost[rng.random((n, m)) > density] = np.inf
    capacity = rng.integers(5, 25, m).astype(float)
    fixed = rng.integers(10, 60, m).astype(float)
    tiny = Tiny(weight, cost, capacity, fixed, ["candidate"] * m)
    if centres:
        tiny.link = rng.integers(1, 10, (m, centres)).astype(float)
        tiny.link[rng.random((m, centres)) > 0.8] = np.inf
        tiny.centre_capacity = rng.integers(15, 40, centres).astype(float)
        tiny.centre_fixed = rng.integers(20, 80, centres).astype(float)
        tiny.centre_status = ["candidate"] * centres
        tiny.load = rng.integers(1, 5, n).astype(float)
    return tiny


def _allowed(open_mask: tuple[int, ...], status: list[str]) -> bool:
    return all(
        not (s in ("existing", "required") and not o) and not (s == "excluded" and o)
        for o, s in zip(open_mask, status, strict=True)
    )


def _count_ok(count: int, target: int | None, sense: str) -> bool:
    if target is None:
        return True
    return {"exact": count == target, "at_most": count <= target, "at_least": count >= target}[
        sense
    ]


def brute_force(
    tiny: Tiny,
    *,
    single_source: bool = False,
    single_centre: bool = True,
    coverage_share: float | None = None,
    penalty: float | None = None,
    n_points: int | None = None,
    n_centres: int | None = None,
    sense: str = "exact",
    budget: float | None = None,
    cost_weight: float = 1.0,
    link_weight: float = 1.0,
) -> float:
    """The optimum objective (``inf`` when infeasible)."""
    n, m = tiny.cost.shape
    networked = tiny.link is not None
    k = len(tiny.centre_status) if networked else 0
    load = tiny.load if tiny.load is not None else tiny.weight
    uncovered = coverage_share is not None or penalty is not None
    best = np.inf
    for y in itertools.product((0, 1), repeat=m):
        if not _allowed(y, tiny.status) or not _count_ok(sum(y), n_points, sense):
            continue
        for z in itertools.product((0, 1), repeat=k):
            if networked and (
                not _allowed(z, tiny.centre_status) or not _count_ok(sum(z), n_centres, sense)
            ):
                continue
            fixed = float(np.dot(y, tiny.fixed)) + (
                float(np.dot(z, tiny.centre_fixed)) if networked else 0.0
            )
            if budget is not None and fixed > budget + 1e-9:
                continue
            if networked:
                reach = [
                    [c for c in range(k) if z[c] and np.isfinite(tiny.link[j, c])] for j in range(m)
                ]
                if any(y[j] and not reach[j] for j in range(m)):
                    continue
                if single_centre:
                    maps = itertools.product(*[reach[j] if y[j] else [None] for j in range(m)])
                else:
                    maps = [None]
            else:
                maps = [None]
            for centre_of in maps:
                best = min(
                    best,
                    fixed
                    + _rest(
                        tiny,
                        y,
                        z,
                        centre_of,
                        load,
                        single_source,
                        uncovered,
                        coverage_share,
                        penalty or 0.0,
                        cost_weight,
                        link_weight,
                    ),
                )
    return best


def _rest(tiny, y, z, centre_of, load, single_source, uncovered, share, penalty, cw, lw):
    """Least assignment (+ link + penalty) cost with the sites fixed; inf when infeasible."""
    n, m = tiny.cost.shape
    pairs = [(i, j) for i in range(n) for j in range(m) if y[j] and np.isfinite(tiny.cost[i, j])]
    unit = {
        (i, j): cw * tiny.weight[i] * tiny.cost[i, j]
        + (lw * load[i] * tiny.link[j, centre_of[j]] if centre_of is not None else 0.0)
        for i, j in pairs
    }
    floor = None if share is None else (1 - share) * tiny.weight.sum()
    if single_source:
        return _rest_single(tiny, y, centre_of, load, pairs, unit, uncovered, floor, penalty)
    split_centres = tiny.link is not None and centre_of is None
    links = (
        [
            (j, c)
            for j in range(m)
            for c in range(len(z))
            if y[j] and z[c] and np.isfinite(tiny.link[j, c])
        ]
        if split_centres
        else []
    )
    columns = len(pairs) + (n if uncovered else 0) + len(links)
    objective = np.zeros(columns)
    for col, pair in enumerate(pairs):
        objective[col] = unit[pair]
    if uncovered:
        objective[len(pairs) : len(pairs) + n] = penalty * tiny.weight
    for col, (j, c) in enumerate(links, start=len(pairs) + (n if uncovered else 0)):
        objective[col] = lw * tiny.link[j, c]
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for i in range(n):
        row = np.zeros(columns)
        for col, (a, _) in enumerate(pairs):
            row[col] = a == i
        if uncovered:
            row[len(pairs) + i] = 1
        a_eq.append(row)
        b_eq.append(1.0)
    for j in range(m):
        row = np.zeros(columns)
        for col, (i, b) in enumerate(pairs):
            row[col] = tiny.weight[i] * (b == j)
        a_ub.append(row)
        b_ub.append(tiny.capacity[j])
    if floor is not None:
        row = np.zeros(columns)
        row[len(pairs) : len(pairs) + n] = tiny.weight
        a_ub.append(row)
        b_ub.append(floor)
    if tiny.link is not None:
        for c in range(len(z)):
            row = np.zeros(columns)
            if centre_of is not None:
                for col, (i, j) in enumerate(pairs):
                    row[col] = load[i] * (centre_of[j] == c)
            else:
                for col, (_, b) in enumerate(links, start=columns - len(links)):
                    row[col] = b == c
            a_ub.append(row)
            b_ub.append(tiny.centre_capacity[c] if z[c] else 0.0)
        if split_centres:
            for j in range(m):
                row = np.zeros(columns)
                for col, (i, b) in enumerate(pairs):
                    row[col] = load[i] * (b == j)
                for col, (a, _) in enumerate(links, start=columns - len(links)):
                    row[col] -= a == j
                a_eq.append(row)
                b_eq.append(0.0)
    bounds = [(0, 1)] * (len(pairs) + (n if uncovered else 0)) + [(0, None)] * len(links)
    if columns == 0:
        return 0.0 if n == 0 else np.inf
    result = linprog(objective, a_ub, b_ub, a_eq, b_eq, bounds=bounds, method="highs")
    return result.fun if result.status == 0 else np.inf


def _rest_single(tiny, y, centre_of, load, pairs, unit, uncovered, floor, penalty):
    """Enumerate every single-source assignment (None: uncovered)."""
    n, _ = tiny.cost.shape
    options = [[j for (a, j) in pairs if a == i] + ([None] if uncovered else []) for i in range(n)]
    best = np.inf
    for choice in itertools.product(*options):
        used = np.zeros(len(tiny.capacity))
        at_centre = np.zeros(len(tiny.centre_status))
        cost = 0.0
        left = 0.0
        for i, j in enumerate(choice):
            if j is None:
                left += tiny.weight[i]
                cost += penalty * tiny.weight[i]
                continue
            used[j] += tiny.weight[i]
            cost += unit[(i, j)]
            if centre_of is not None:
                at_centre[centre_of[j]] += load[i]
        if (used > tiny.capacity + 1e-9).any():
            continue
        if floor is not None and left > floor + 1e-9:
            continue
        if centre_of is not None and (at_centre > tiny.centre_capacity + 1e-9).any():
            continue
        best = min(best, cost)
    return best
