"""Lagrangean bound, heuristic and facility fixing for capacitated facility location (CFLP).

A capacitated problem with a hundred thousand pairs or more is out of a plain MIP's reach on
two cores: HiGHS may not finish its root LP in minutes. The literature (Beasley 1988, EJOR
33:314-325; Cornuejols, Sridharan and Thizy 1991, EJOR 50:280-297) solves such problems with a
Lagrangean relaxation of the demand rows. This module is that machinery, on the sparse pairs and
in NumPy throughout:

- :func:`relax`: for multipliers ``lambda_i`` on ``sum_j x_ij = 1`` the problem splits into one
  continuous knapsack per site (take the customers of most negative reduced cost per unit of
  capacity first, the last one in part) and a small covering knapsack over the sites,
  ``sum_j Q_j y_j >= D`` (:func:`cover_knapsack`, exact by dynamic programming). The knapsack
  over ``y`` is what makes the bound stronger than the LP relaxation with ``x_ij <= y_j``.
- :func:`transport`: the exact cheapest split assignment for a set of open sites (a sparse
  transportation LP on HiGHS), which turns any open set into an upper bound.
- :func:`subgradient`: the Held-Karp subgradient method on the multipliers, running the
  Lagrangean heuristic (the relaxation's open set, repaired and priced by :func:`transport`)
  as the bound improves, then :func:`local_search` (drop, add, swap sites).
- :func:`fixings`: sites whose bound, when forced open (closed), exceeds the incumbent are
  closed (opened): no solution better than the incumbent has them otherwise;
  :func:`open_count_limit`: how many sites such a solution can open at most.

Every figure is in the model's objective units: ``cost[k]`` of a pair is the cost of sending
all of the unit's weight over it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from gxnet.optimize.budget import TimeBudget
from gxnet.optimize.solve import highs_lp, quiet_highs, run_highs

#: Capacity units (after dividing by the capacities' common divisor) above which the covering
#: knapsack falls back to its LP relaxation (still a valid bound, only weaker).
MAX_KNAPSACK_UNITS = 200_000
#: Subgradient step factor at the start, and how many iterations without a better bound halve it.
STEP_START = 2.0
STEP_PATIENCE = 25
#: The method stops when the step factor falls below this.
STEP_MIN = 5e-4
#: Share of the subgradient's budget kept for the local search from its best incumbent.
SEARCH_SHARE = 0.25
#: Moves (each an exact transportation LP) the local search prices at most.
LOCAL_SEARCH_MOVES = 300
#: Relative margin by which a forced bound must exceed the incumbent to fix a site (the
#: rounding of sums over 100k pairs is far below it).
_FIX_SLACK = 1e-9


@dataclass(frozen=True)
class CflpData:
    """A pure CFLP (every unit served in full, split allowed) on sparse pairs.

    Attributes
    ----------
    origin, destination : numpy.ndarray
        Pair ends (demand unit, site), int64.
    cost : numpy.ndarray
        Cost of sending all of the unit's weight over the pair.
    weight : numpy.ndarray
        Demand weight per unit.
    capacity, fixed_cost : numpy.ndarray
        Per site (capacity may be inf).
    must_open, may_open : numpy.ndarray
        Sites kept open (existing, required) and sites allowed to open.
    """

    origin: np.ndarray
    destination: np.ndarray
    cost: np.ndarray
    weight: np.ndarray
    capacity: np.ndarray
    fixed_cost: np.ndarray
    must_open: np.ndarray
    may_open: np.ndarray

    @property
    def n(self) -> int:
        return len(self.weight)

    @property
    def m(self) -> int:
        return len(self.capacity)

    @property
    def demand(self) -> float:
        return float(self.weight.sum())

    def objective(self, open_sites: np.ndarray, share: np.ndarray) -> float:
        """Fixed cost of ``open_sites`` plus the cost of the pair ``share`` s."""
        return float(self.fixed_cost[open_sites].sum() + self.cost @ share)


@dataclass
class Relaxation:
    """The Lagrangean subproblem solved at one set of multipliers.

    Attributes
    ----------
    value : float
        ``L(lambda)``, a lower bound on the optimum.
    open_sites : numpy.ndarray
        Sites the subproblem opens.
    share : numpy.ndarray
        Pair shares of the subproblem (0 on sites it keeps closed).
    site_value : numpy.ndarray
        Per site: fixed cost plus its knapsack's (negative) reduced cost.
    constant : float
        ``sum_i lambda_i``.
    """

    value: float
    open_sites: np.ndarray
    share: np.ndarray
    site_value: np.ndarray
    constant: float


def cover_knapsack(
    value: np.ndarray,
    capacity: np.ndarray,
    needed: float,
    must_open: np.ndarray,
    may_open: np.ndarray,
) -> tuple[float, np.ndarray]:
    """``min sum_j value_j y_j`` s.t. ``sum_j capacity_j y_j >= needed``, ``y`` binary with
    bounds.

    Sites of negative value open anyway; the rest is a covering knapsack, solved exactly by
    dynamic programming over capacity units when the capacities are integers whose common
    divisor leaves at most :data:`MAX_KNAPSACK_UNITS` units to cover, else by its LP
    relaxation (a lower bound; the returned set then rounds the fractional site up).

    Returns
    -------
    (float, numpy.ndarray)
        The minimum (a lower bound in the LP case) and the chosen sites; ``inf`` and the sites
        that may open when even all of them fall short.
    """
    chosen = must_open | (may_open & (value < 0))
    total = float(value[chosen].sum())
    short = needed - float(capacity[chosen].sum())
    free = np.flatnonzero(may_open & ~chosen)
    if short <= 1e-9 * max(needed, 1.0):
        return total, chosen
    if capacity[free].sum() < short * (1 - 1e-12):
        return math.inf, may_open.copy()
    units = _capacity_units(capacity[free], short)
    extra, picked = (
        _cover_exact(value[free], *units)
        if units is not None
        else _cover_lp(value, capacity, free, short)
    )
    chosen = chosen.copy()
    chosen[free[picked]] = True
    return total + extra, chosen


def _capacity_units(capacity: np.ndarray, short: float) -> tuple[np.ndarray, int] | None:
    """Integer capacities divided by their common divisor, and the units still to cover."""
    if not (np.isfinite(capacity).all() and np.allclose(capacity, np.round(capacity))):
        return None
    whole = np.round(capacity).astype(np.int64)
    divisor = int(np.gcd.reduce(whole[whole > 0])) if (whole > 0).any() else 1
    target = math.ceil(short / divisor - 1e-9)
    if target > MAX_KNAPSACK_UNITS:
        return None
    return whole // divisor, target


def _cover_exact(value: np.ndarray, units: np.ndarray, target: int) -> tuple[float, np.ndarray]:
    """Min-cost cover of ``target`` units; ``best[c]`` is the cheapest way to cover ``c``."""
    best = np.full(target + 1, math.inf)
    best[0] = 0.0
    took = np.zeros((len(value), target + 1), dtype=bool)
    for k, (v, u) in enumerate(zip(value.tolist(), units.tolist(), strict=True)):
        if u <= 0:
            continue
        u = min(u, target)  # holding more than the target covers it just the same
        shifted = np.empty_like(best)
        shifted[:u] = best[0]
        shifted[u:] = best[: target + 1 - u]
        better = shifted + v < best
        took[k] = better
        best = np.where(better, shifted + v, best)
    picked = np.zeros(len(value), dtype=bool)
    c = target
    for k in range(len(value) - 1, -1, -1):
        if c > 0 and took[k, c]:
            picked[k] = True
            c = max(c - int(units[k]), 0)
    return float(best[target]), picked


def _cover_lp(
    value: np.ndarray, capacity: np.ndarray, free: np.ndarray, short: float
) -> tuple[float, np.ndarray]:
    """LP relaxation of the cover (cheapest per unit of capacity first, the last in part)."""
    order = np.argsort(value[free] / capacity[free], kind="stable")
    held = np.cumsum(capacity[free][order])
    last = int(np.searchsorted(held, short * (1 - 1e-12)))
    before = held[last - 1] if last > 0 else 0.0
    part = (short - before) / capacity[free][order[last]]
    bound = float(value[free][order[:last]].sum() + part * value[free][order[last]])
    picked = np.zeros(len(free), dtype=bool)
    picked[order[: last + 1]] = True
    return bound, picked


def site_knapsacks(data: CflpData, reduced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each site's continuous knapsack over its pairs of negative reduced cost.

    Returns the share per pair (if the site opens) and each site's fixed cost plus its
    knapsack value.
    """
    share = np.zeros(len(reduced))
    gain = np.where(reduced < 0)[0]
    if len(gain):
        weight = data.weight[data.origin[gain]]
        site = data.destination[gain]
        order = gain[np.lexsort((reduced[gain] / weight, site))]
        weight = data.weight[data.origin[order]]
        site = data.destination[order]
        held = np.cumsum(weight)
        first = np.r_[True, site[1:] != site[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
        before = held - weight - (held[start] - weight[start])
        share[order] = np.clip((data.capacity[site] - before) / weight, 0.0, 1.0)
    value = data.fixed_cost + np.bincount(
        data.destination, weights=reduced * share, minlength=data.m
    )
    return share, value


def relax(
    data: CflpData,
    multipliers: np.ndarray,
    must_open: np.ndarray | None = None,
    may_open: np.ndarray | None = None,
) -> Relaxation:
    """Solve the Lagrangean subproblem at ``multipliers`` (sites optionally fixed)."""
    reduced = data.cost - multipliers[data.origin]
    share, value = site_knapsacks(data, reduced)
    must = data.must_open if must_open is None else must_open
    may = data.may_open if may_open is None else may_open
    total, open_sites = cover_knapsack(value, data.capacity, data.demand, must, may)
    share = share * open_sites[data.destination]
    constant = float(multipliers.sum())
    return Relaxation(constant + total, open_sites, share, value, constant)


@dataclass
class Transport:
    """The cheapest split assignment for one open set."""

    open_sites: np.ndarray
    share: np.ndarray
    value: float
    #: Dual of each unit's demand row (a good start for the multipliers).
    demand_dual: np.ndarray


def transport(data: CflpData, open_sites: np.ndarray) -> Transport | None:
    """Exact min-cost split assignment to ``open_sites`` (HiGHS LP); None when infeasible.

    Sites that end up serving nobody are closed (their fixed cost saved).
    """
    import highspy

    rows = np.flatnonzero(open_sites[data.destination])
    site_row = np.full(data.m, -1, dtype=np.int64)
    bounded = open_sites & np.isfinite(data.capacity)
    site_row[bounded] = data.n + np.arange(int(bounded.sum()))
    origin = data.origin[rows]
    load_row = site_row[data.destination[rows]]
    two = load_row >= 0
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    starts[1:] = np.cumsum(1 + two)
    index = np.empty(int(starts[-1]), dtype=np.int64)
    coeff = np.empty(int(starts[-1]))
    index[starts[:-1]] = origin
    coeff[starts[:-1]] = 1.0
    index[starts[:-1][two] + 1] = load_row[two]
    coeff[starts[:-1][two] + 1] = data.weight[origin[two]]
    n_rows = data.n + int(bounded.sum())
    lp = highs_lp(
        sp.csc_matrix((coeff, index, starts), shape=(n_rows, len(rows))),
        data.cost[rows],
        np.ones(len(rows)),
        np.r_[np.ones(data.n), np.full(n_rows - data.n, -np.inf)],
        np.r_[np.ones(data.n), data.capacity[bounded]],
    )
    h = quiet_highs()
    h.passModel(lp)
    run_highs(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    solution = h.getSolution()
    share = np.zeros(len(data.cost))
    share[rows] = np.clip(np.asarray(solution.col_value), 0.0, 1.0)
    used = np.bincount(data.destination, weights=share, minlength=data.m) > 1e-9
    opened = open_sites & (used | data.must_open)
    dual = np.asarray(solution.row_dual)[: data.n]
    return Transport(opened, share, data.objective(opened, share), dual)


def repair(data: CflpData, open_sites: np.ndarray, site_value: np.ndarray) -> Transport | None:
    """Price ``open_sites`` after opening the closed sites of lowest Lagrangean value that its
    capacity needs; while the assignment stays infeasible (sparse pairs: some units reach no
    open site), open more of them, twice as many each time (few LPs), up to every site that
    may open. Sites that serve nobody in the end close again (see :func:`transport`)."""
    opened = (open_sites | data.must_open) & data.may_open
    closed = np.flatnonzero(data.may_open & ~opened)
    closed = closed[np.argsort(site_value[closed], kind="stable")]
    short = data.demand * (1 - 1e-12) - data.capacity[opened].sum()
    taken = 0
    if short > 0:
        taken = int(np.searchsorted(np.cumsum(data.capacity[closed]), short)) + 1
    batch = 1
    while True:
        trial = opened.copy()
        trial[closed[:taken]] = True
        found = transport(data, trial)
        if found is not None or taken >= len(closed):
            return found
        taken, batch = min(taken + batch, len(closed)), 2 * batch


def local_search(
    data: CflpData,
    start: Transport,
    site_value: np.ndarray,
    *,
    budget: TimeBudget,
    width: int = 6,
    max_moves: int = LOCAL_SEARCH_MOVES,
) -> Transport:
    """Improve an open set by closing, opening and swapping sites (first improvement) until
    no move pays, ``max_moves`` moves have been priced (its limit of work), or ``budget`` (a
    safety net) runs out.

    Each move is priced exactly by :func:`transport`. To keep the LPs few, openings and swap
    partners are the ``width`` closed sites of lowest Lagrangean value, and the sites closed
    first are those serving the least.
    """
    best = start
    improved = True
    priced = 0
    while improved and priced < max_moves and not budget.expired():
        improved = False
        opened = np.flatnonzero(best.open_sites & ~data.must_open)
        load = np.bincount(
            data.destination, weights=best.share * data.weight[data.origin], minlength=data.m
        )
        opened = opened[np.argsort(load[opened], kind="stable")]
        closed = np.flatnonzero(~best.open_sites & data.may_open)
        closed = closed[np.argsort(site_value[closed], kind="stable")][:width]
        moves = [(j, None) for j in opened] + [(None, k) for k in closed]
        moves += [(j, k) for j in opened[:width] for k in closed]
        for drop, add in moves:
            if priced >= max_moves or budget.expired():
                break
            trial = best.open_sites.copy()
            if drop is not None:
                trial[drop] = False
            if add is not None:
                trial[add] = True
            if data.capacity[trial].sum() < data.demand * (1 - 1e-12):
                continue
            # The fixed costs alone must leave room below the incumbent.
            if data.fixed_cost[trial].sum() >= best.value:
                continue
            found = transport(data, trial)
            priced += 1
            if found is not None and found.value < best.value * (1 - 1e-12):
                best = found
                improved = True
                break
    return best


@dataclass
class LagrangeanResult:
    """What :func:`subgradient` found.

    Attributes
    ----------
    bound : float
        Best Lagrangean bound (valid lower bound on the optimum).
    multipliers : numpy.ndarray
        Multipliers of the best bound.
    incumbent : Transport or None
        Best solution found (open set and split assignment).
    iterations : int
    must_open, may_open : numpy.ndarray
        Site fixings proven against the incumbent (see :func:`fixings`).
    """

    bound: float
    multipliers: np.ndarray
    incumbent: Transport | None
    iterations: int
    must_open: np.ndarray = field(repr=False)
    may_open: np.ndarray = field(repr=False)

    @property
    def upper(self) -> float:
        return math.inf if self.incumbent is None else self.incumbent.value


def initial_multipliers(data: CflpData) -> np.ndarray:
    """Each unit's cheapest pair cost: every reduced cost starts >= 0 (bound = sum of these)."""
    start = np.full(data.n, np.inf)
    np.minimum.at(start, data.origin, data.cost)
    return np.where(np.isfinite(start), start, 0.0)


def subgradient(
    data: CflpData,
    *,
    budget: TimeBudget,
    max_iterations: int = 3000,
    gap_rel: float = 1e-6,
) -> LagrangeanResult:
    """Maximise the Lagrangean bound by subgradient steps, with the Lagrangean heuristic.

    Step ``t = theta (UB - L) / ||g||^2`` with ``g_i = 1 - sum_j x_ij``; ``theta`` halves after
    :data:`STEP_PATIENCE` iterations without a better bound and the method stops below
    :data:`STEP_MIN`, at ``max_iterations``, or when the bound meets the incumbent within
    ``gap_rel``: limits of work, so that the same data give the same result; ``budget`` is only
    a safety net (the steps stop when all but :data:`SEARCH_SHARE` of it is spent). The
    heuristic prices each new open set of the subproblem while the bound improves; the best is
    then improved by :func:`local_search` (at most :data:`LOCAL_SEARCH_MOVES` moves), and
    fixings are computed last.
    """
    steps = budget.part(1 - SEARCH_SHARE)
    multipliers = initial_multipliers(data)
    best = relax(data, multipliers)
    incumbent = repair(data, best.open_sites, best.site_value)
    seen: set[bytes] = {best.open_sites.tobytes()}
    best_multipliers = multipliers.copy()
    theta, stale, iterations = STEP_START, 0, 0
    current = best
    while iterations < max_iterations and theta > STEP_MIN:
        if steps.expired():
            break
        upper = incumbent.value if incumbent is not None else abs(current.value) * 1.1 + 1
        if _closed(best.value, upper, gap_rel):
            break
        served = np.bincount(data.origin, weights=current.share, minlength=data.n)
        step_dir = 1.0 - served
        norm = float(step_dir @ step_dir)
        if norm < 1e-12:
            break  # the subproblem's solution is feasible: its value is optimal for it
        multipliers = multipliers + theta * (upper - current.value) / norm * step_dir
        current = relax(data, multipliers)
        iterations += 1
        if current.value > best.value + 1e-9 * abs(best.value):
            best, best_multipliers, stale = current, multipliers.copy(), 0
            key = current.open_sites.tobytes()
            if key not in seen:
                seen.add(key)
                found = repair(data, current.open_sites, current.site_value)
                if found is not None and (incumbent is None or found.value < incumbent.value):
                    incumbent = found
        else:
            stale += 1
            if stale >= STEP_PATIENCE:
                theta, stale = theta / 2, 0
    if incumbent is not None and not _closed(best.value, incumbent.value, gap_rel):
        incumbent = local_search(data, incumbent, best.site_value, budget=budget)
    must, may = fixings(data, best_multipliers, incumbent)
    return LagrangeanResult(best.value, best_multipliers, incumbent, iterations, must, may)


def _closed(lower: float, upper: float, gap_rel: float) -> bool:
    return upper - lower <= gap_rel * max(abs(upper), 1e-9)


def fixings(
    data: CflpData, multipliers: np.ndarray, incumbent: Transport | None
) -> tuple[np.ndarray, np.ndarray]:
    """Sites that every solution at least as good as the incumbent opens, and those it may open.

    For each free site the Lagrangean bound is recomputed with the site forced open and forced
    closed (only the covering knapsack changes). A site whose forced-open bound exceeds the
    incumbent's value is closed; forced-closed, opened. Every solution no worse than the
    incumbent keeps the fixings, so the restricted problem still holds an optimum. A fixing
    the incumbent itself breaks (possible only when its value is within rounding of the forced
    bound) is not made, so that the incumbent stays a start for the restricted problem.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``must_open`` and ``may_open`` masks (the data's own when there is no incumbent).
    """
    must, may = data.must_open.copy(), data.may_open.copy()
    if incumbent is None:
        return must, may
    upper = incumbent.value + _FIX_SLACK * max(1.0, abs(incumbent.value))
    _, value = site_knapsacks(data, data.cost - multipliers[data.origin])
    constant = float(multipliers.sum())
    for j in np.flatnonzero(data.may_open & ~data.must_open):
        if incumbent.open_sites[j]:
            allowed = data.may_open.copy()
            allowed[j] = False
            closed, _ = cover_knapsack(value, data.capacity, data.demand, data.must_open, allowed)
            must[j] = constant + closed > upper
        else:
            forced = data.must_open.copy()
            forced[j] = True
            opened, _ = cover_knapsack(value, data.capacity, data.demand, forced, data.may_open)
            may[j] = not constant + opened > upper
    return must, may


def open_count_limit(
    data: CflpData,
    multipliers: np.ndarray,
    upper: float,
    must_open: np.ndarray,
    may_open: np.ndarray,
) -> int:
    """Most sites a solution cheaper than ``upper`` can open under the given fixings.

    A solution opening the set ``S`` costs at least ``sum_i lambda_i + sum_{j in S} v_j``
    (``v_j`` each site's fixed cost plus knapsack value), so with ``k`` sites at least the
    multipliers' sum plus the must-open sites' values plus the ``k - |must|`` smallest values
    of the others (the covering row left out: still a lower bound). The largest ``k`` whose
    bound stays within ``upper`` is the limit; a solution of value ``upper`` itself keeps it.

    Returns
    -------
    int
        The limit (the number of sites that may open when nothing is excluded).
    """
    _, value = site_knapsacks(data, data.cost - multipliers[data.origin])
    slack = upper + _FIX_SLACK * max(1.0, abs(upper)) - float(multipliers.sum())
    free = np.sort(value[may_open & ~must_open])
    least = float(value[must_open].sum()) + np.r_[0.0, np.cumsum(free)]
    within = np.flatnonzero(least <= slack)
    if len(within) == 0:  # no solution is cheaper than ``upper``: any limit is as true
        return int(must_open.sum())
    return int(must_open.sum()) + int(within[-1])
