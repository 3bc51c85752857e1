"""A region's target of recycling points shared among its cities, and the phases that build it.

A region target such as the action plan's 1,000 points is placed where the points serve the most
households. Each city's **coverage curve** says how many households a plan of ``n`` point sites
covers within the standard (:func:`coverage_curve`); the budget is then shared by the greatest
marginal gain (:func:`allocate`), after each city's floor (the sites its township minimum and
county quota need) is given first.

Why the allocation is exact where the curves are concave
--------------------------------------------------------
Maximise ``sum_c L_c(n_c)`` subject to ``sum_c n_c = N`` and ``n_c >= f_c`` (integers). When
every ``L_c`` has non-increasing increments ``L_c(n+1) - L_c(n)``, giving the ``N - sum f_c``
points one at a time to the city whose next point gains most is optimal (the separable concave
resource-allocation problem; Gross 1956, Fox 1966): any allocation can be turned into the
greedy one by exchanges, each moving one point from a city whose last increment is smaller to
one whose next is at least as large, never lowering the sum. :func:`allocate` takes the
``N - sum f_c`` largest increments over all cities at once, which is that greedy.

A curve built by the greedy covering heuristic is concave by construction: coverage is a
submodular function of the open sites, and the greedy's gains never rise (each step's best
gain is at most the previous step's). Exact solves at a few counts lift the curve there and may
break that. Where a curve is not concave, the allocation runs on its **concave majorant** (the
least concave curve on or above it) and is then optimal for the majorants; against the curves
themselves it is within ``sum_c (M_c(n_c) - L_c(n_c))`` households of the best allocation
(:attr:`Allocation.majorant_gap`), and the output says so.

The curves are the coverage of plans gxnet can build, not proven optima: each carries an upper
bound at every count (:attr:`CoverageCurve.bound`), so that the best any allocation of any
plans could cover is bounded too (:attr:`Allocation.bound`).

When the budget cannot meet the floors
--------------------------------------
:func:`trim_floors` lowers them by a documented rule: the county quotas go first (each county
keeps only what the township minimum needs there); then townships leave the minimum in
increasing order of ``reach`` (the households their best candidate site serves within the
standard: a point pays least there), fewer households and township code breaking ties, until
the floors fit. The townships left out are served by mobile collection (流动回收) unless the
marginal gain gives them a point anyway.

Phases
------
A phase is a stage of building (``2023:1000``, ``2025:standard``). Phase ``k`` keeps every site
of phase ``k - 1`` (they are required sites of its solve), so that what is built first is never
stranded; in a region its floors are also the counts of phase ``k - 1``, which makes the greedy
allocation of phase ``k`` the continuation of phase ``k - 1``'s (:func:`parse_phase`,
:class:`Phase`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gxnet._errors import InfeasibleProblemError
from gxnet.config import SolverOptions
from gxnet.model_choice import mobile_first
from gxnet.optimize import MaximalCovering, Problem, TimeBudget
from gxnet.optimize.coverage import cover_sequence
from gxnet.optimize.groups import SiteGroups
from gxnet.tiers import Tier

#: Relative tolerance of the concavity check (increments may rise by this share of the largest).
CONCAVE_TOLERANCE = 1e-9


# ---- coverage curves --------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCurve:
    """Households within the standard against the number of open point sites, for one city.

    Attributes
    ----------
    start
        The fewest point sites a plan opens: the kept ones and what the minimums need.
    covered
        ``covered[k]``: households covered by the best plan known with ``start + k`` sites;
        non-decreasing.
    bound
        ``bound[k]``: an upper bound on what any plan with ``start + k`` sites covers;
        non-decreasing, at least ``covered[k]``.
    households
        The city's households (coverage shares are of this).
    refined
        The counts at which an exact solve (with its own bound) improved the curve.
    """

    start: int
    covered: np.ndarray
    bound: np.ndarray
    households: float
    refined: tuple[int, ...] = ()

    @property
    def stop(self) -> int:
        """The most point sites the curve covers."""
        return self.start + len(self.covered) - 1

    def value(self, n: int) -> float:
        """Households covered with ``n`` sites (``start <= n <= stop``)."""
        return float(self.covered[n - self.start])

    def upper(self, n: int) -> float:
        """The bound at ``n`` sites."""
        return float(self.bound[n - self.start])

    @property
    def concave(self) -> bool:
        """Whether the increments never rise (within :data:`CONCAVE_TOLERANCE`)."""
        return is_concave(self.covered)

    def to_dict(self) -> dict:
        """Plain values for a JSON file."""
        return {
            "start": self.start,
            "covered": [round(float(v), 3) for v in self.covered],
            "bound": [round(float(v), 3) for v in self.bound],
            "households": self.households,
            "refined": list(self.refined),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> CoverageCurve:
        return cls(
            int(data["start"]),
            np.asarray(data["covered"], dtype=float),
            np.asarray(data["bound"], dtype=float),
            float(data["households"]),
            tuple(int(n) for n in data.get("refined", ())),
        )


def is_concave(values: np.ndarray) -> bool:
    """Whether the increments of ``values`` never rise (within :data:`CONCAVE_TOLERANCE`)."""
    steps = np.diff(np.asarray(values, dtype=float))
    if len(steps) < 2:
        return True
    scale = max(float(np.abs(steps).max()), 1.0)
    return bool((np.diff(steps) <= CONCAVE_TOLERANCE * scale).all())


def concave_majorant(values: np.ndarray) -> np.ndarray:
    """The least concave sequence on or above ``values`` (at the same integer counts).

    The upper convex hull of the points ``(k, values[k])`` (Andrew's monotone chain), read back
    at every integer ``k``: the hull's vertices are points of the curve, between them it runs
    straight.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n <= 2:
        return y.copy()
    hull: list[int] = []
    for k in range(n):
        # Drop the last vertex while it lies on or below the chord from its predecessor to k.
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (y[b] - y[a]) * (k - a) <= (y[k] - y[a]) * (b - a):
                hull.pop()
            else:
                break
        hull.append(k)
    return np.maximum(np.interp(np.arange(n), hull, y[hull]), y)


def coverage_curve(
    problem: Problem,
    stop: int,
    *,
    minimums: SiteGroups | None = None,
    refine: Sequence[int] = (),
    options: SolverOptions | None = None,
    budget: TimeBudget | None = None,
    checkpoints: int = 16,
) -> CoverageCurve:
    """A city's coverage curve from its own solves.

    1. The greedy covering sequence (kept sites and the minimums first, then the site of
       largest gain, :func:`gxnet.optimize.coverage.cover_sequence`) is nested by
       construction: its first ``n`` sites are the greedy plan with ``n`` sites, so one run
       gives the whole curve.
    2. Its bound: for any set ``S`` (here the greedy's first ``k`` sites, at ``checkpoints``
       counts) and any plan ``P`` of ``n`` sites that keeps the kept ones, submodularity gives
       ``cover(P) <= cover(S) + (sum of the n - kept largest gains of single sites over S)``
       (Nemhauser, Wolsey & Fisher 1978); the least of these over the checkpoints is the bound.
    3. At the counts ``refine`` the maximal covering model is solved
       (:class:`gxnet.optimize.MaximalCovering`: greedy, interchange, Lagrangean bound,
       neighbourhood search and HiGHS, each within its share of ``budget``): its plan and its
       bound replace the curve's where better.

    The coverage is then made non-decreasing (a plan with one more site covers at least as
    much) and so is the bound, from the right.

    Parameters
    ----------
    problem
        The city's problem (demand weights are households; pairs within the standard).
    stop
        The most point sites the curve reaches (capped at the usable sites).
    minimums
        The township minimum and county quota as grouped minimums over the point sites.
    refine
        Counts to solve exactly (outside ``[start, stop]`` they are skipped).
    options
        Solver options of the exact solves.
    budget
        Time for all the exact solves together, shared equally.
    checkpoints
        Greedy prefixes at which the bound is taken.

    Raises
    ------
    InfeasibleProblemError
        When the minimums cannot be met by the usable sites.
    """
    sites = problem.sites[Tier.RECYCLING_POINT]
    pairs = problem.usable_pairs(Tier.RECYCLING_POINT)
    weight = problem.demand.weight
    kept, usable = sites.kept, sites.usable
    start = int(kept.sum()) if minimums is None else minimums.sites_needed(kept, usable)
    stop = max(start, min(int(stop), int(usable.sum())))
    order = cover_sequence(pairs, weight, stop, kept, usable, groups=minimums)
    rank = np.full(sites.n, np.iinfo(np.int64).max)
    rank[order] = np.arange(len(order))
    # A unit is covered from the first position of the sequence that reaches it.
    first = np.full(pairs.n_origins, np.iinfo(np.int64).max)
    np.minimum.at(first, pairs.origin, rank[pairs.destination])
    reached = first < len(order)
    gained = np.bincount(first[reached], weights=weight[reached], minlength=len(order))
    covered_at = np.concatenate([[0.0], np.cumsum(gained)])  # covered_at[n]: first n sites
    covered = covered_at[start : stop + 1].copy()
    total = float(weight[pairs.degree() > 0].sum())
    bound = np.full(len(covered), total)
    n_kept = int(kept.sum())
    counts = np.arange(start, stop + 1)
    for k in np.unique(np.geomspace(max(start, 1), max(stop, 1), checkpoints).astype(int)):
        uncovered = np.where(first >= k, weight, 0.0)
        gains = np.bincount(pairs.destination, weights=uncovered[pairs.origin], minlength=sites.n)
        gains = np.sort(gains[usable & (rank >= k)])[::-1]
        top = np.concatenate([[0.0], np.cumsum(gains)])
        extra = top[np.minimum(np.maximum(counts - n_kept, 0), len(gains))]
        bound = np.minimum(bound, covered_at[k] + extra)
    wanted = sorted({int(n) for n in refine if start <= int(n) <= stop})
    options = options or SolverOptions()
    budget = budget or TimeBudget()
    for i, n in enumerate(wanted):
        share = budget.part(1.0 / (len(wanted) - i)) if budget.seconds is not None else None
        model = MaximalCovering(problem, n, minimums=minimums)
        solution = model.solve(options, share)
        if solution.has_solution:
            covered[n - start] = max(covered[n - start], float(solution.objective))
        if solution.bound is not None and math.isfinite(solution.bound):
            bound[n - start] = min(bound[n - start], float(solution.bound))
    covered = np.maximum.accumulate(covered)
    bound = np.maximum(np.minimum.accumulate(bound[::-1])[::-1], covered)
    return CoverageCurve(start, covered, bound, float(weight.sum()), tuple(wanted))


def refine_counts(start: int, stop: int, guess: float) -> tuple[int, ...]:
    """Where to solve a curve exactly: around the count the city is likely to get (its
    households' share of the target), at half, once and twice that."""
    counts = {int(round(guess * f)) for f in (0.5, 1.0, 2.0)}
    return tuple(sorted(n for n in counts if start < n <= stop))


# ---- allocation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """The point sites each city gets, and how good the split is.

    Attributes
    ----------
    counts
        Point sites per city (the keys of the curves), summing to the total.
    covered
        Households the curves cover at those counts, in all.
    majorant_gap
        ``sum_c (M_c(n_c) - L_c(n_c))`` over the concave majorants ``M_c``: 0 when every curve
        is concave (the allocation is then optimal for the curves), else the most households
        by which another allocation of the same curves could do better.
    bound
        An upper bound on the households any plans with these totals and floors could cover
        (the best allocation of the curves' bounds, through their concave majorants).
    not_concave
        The cities whose curve is not concave on its allocated range (their majorant was used).
    """

    counts: dict[str, int]
    covered: float
    majorant_gap: float
    bound: float
    not_concave: tuple[str, ...]

    @property
    def exact(self) -> bool:
        """Whether the split is proven best for the curves (every curve concave, or the
        majorants touch them at the counts chosen)."""
        return self.majorant_gap <= 1e-9 * max(1.0, self.covered)


def allocate(
    curves: Mapping[str, CoverageCurve],
    total: int,
    floors: Mapping[str, int] | None = None,
) -> Allocation:
    """Share ``total`` point sites among the cities by the greatest marginal gain.

    Each city first gets its floor (default its curve's ``start``); the rest go one at a time
    to the city whose next site adds most households on its concave majorant (taken from its
    floor on), ties to the city listed first: the module docstring says why this is exact for
    concave curves and what it guarantees otherwise.

    Parameters
    ----------
    curves
        Per city, its coverage curve.
    total
        Point sites to place in all.
    floors
        Per city, the fewest sites it must get (within its curve's range).

    Raises
    ------
    InfeasibleProblemError
        When the floors exceed ``total`` (see :func:`trim_floors`), or the curves cannot hold it.
    """
    names = list(curves)
    floors = {c: int((floors or {}).get(c, curves[c].start)) for c in names}
    for c in names:
        if not curves[c].start <= floors[c] <= curves[c].stop:
            raise InfeasibleProblemError(
                key="err_floor_outside",
                city=c,
                floor=floors[c],
                start=curves[c].start,
                stop=curves[c].stop,
            )
    rest = int(total) - sum(floors.values())
    if rest < 0:
        raise InfeasibleProblemError(
            key="err_floors_exceed", needed=sum(floors.values()), asked=int(total)
        )
    room = sum(curves[c].stop - floors[c] for c in names)
    if rest > room:
        raise InfeasibleProblemError(
            key="err_target_room", asked=int(total), room=room + sum(floors.values())
        )
    tails = {c: _from(curves[c].covered, curves[c], floors[c]) for c in names}
    majorants = {c: concave_majorant(tails[c]) for c in names}
    steps = [np.diff(majorants[c]) for c in names]
    city = np.concatenate([np.full(len(s), i) for i, s in enumerate(steps)]).astype(np.int64)
    position = np.concatenate([np.arange(len(s)) for s in steps]).astype(np.int64)
    gain = np.concatenate(steps)
    # Largest gain first; ties to the city listed first, then its lower counts (which keeps
    # every city's share a prefix of its own increments).
    chosen = np.lexsort((position, city, -gain))[:rest]
    extra = np.bincount(city[chosen], minlength=len(names))
    counts = {c: floors[c] + int(extra[i]) for i, c in enumerate(names)}
    covered = sum(curves[c].value(counts[c]) for c in names)
    gap = sum(
        float(majorants[c][counts[c] - floors[c]]) - curves[c].value(counts[c]) for c in names
    )
    bound = _best_bound(curves, floors, rest)
    not_concave = tuple(c for c in names if not is_concave(tails[c]))
    return Allocation(counts, float(covered), max(gap, 0.0), bound, not_concave)


def _from(values: np.ndarray, curve: CoverageCurve, floor: int) -> np.ndarray:
    """The part of a curve's ``values`` from ``floor`` sites on."""
    return np.asarray(values, dtype=float)[floor - curve.start :]


def _best_bound(curves: Mapping[str, CoverageCurve], floors: Mapping[str, int], rest: int) -> float:
    """The best allocation of the curves' bounds above the floors: a bound for any plans."""
    base = sum(curves[c].upper(floors[c]) for c in curves)
    steps = np.concatenate(
        [np.diff(concave_majorant(_from(curves[c].bound, curves[c], floors[c]))) for c in curves]
        or [np.zeros(0)]
    )
    return float(base + np.sort(steps)[::-1][:rest].sum())


# ---- floors the budget cannot meet --------------------------------------------------------------


@dataclass(frozen=True)
class Floors:
    """The floors a budget can meet, and what was given up to meet them.

    Attributes
    ----------
    floors
        Per city, the fewest point sites it gets.
    quota_dropped
        The county quotas were given up (the township minimum alone fitted, or nothing did).
    dropped
        The townships taken out of the minimum (``city, county_adcode, township_code,
        township_name, households, reach``): served by mobile collection unless the
        marginal gain gives them a point.
    """

    floors: dict[str, int]
    quota_dropped: bool
    dropped: pd.DataFrame

    @property
    def trimmed(self) -> bool:
        return self.quota_dropped or len(self.dropped) > 0


#: Columns of :attr:`Floors.dropped` and of the owed-township tables :func:`trim_floors` reads.
OWED_COLUMNS: tuple[str, ...] = (
    "city",
    "county_adcode",
    "township_code",
    "township_name",
    "households",
    "reach",
)


def trim_floors(
    floors: Mapping[str, int],
    town_floors: Mapping[str, int],
    kept: Mapping[str, int],
    owed: pd.DataFrame,
    total: int,
    *,
    at_least: Mapping[str, int] | None = None,
) -> Floors:
    """The floors lowered, by the rule of the module docstring, until they fit ``total``.

    Parameters
    ----------
    floors
        Per city, the sites the configured minimums need (township minimum and county quota).
    town_floors
        Per city, the sites the township minimum alone needs.
    kept
        Per city, its kept (existing and required) point sites: no floor goes below them.
    owed
        The townships the minimum gives a point that no kept site already stands in
        (:data:`OWED_COLUMNS`): each one taken out of the minimum lowers its city's
        township floor by one.
    total
        The point sites of the budget.
    at_least
        Per city, a floor that is never lowered (an earlier phase's count).

    Raises
    ------
    InfeasibleProblemError
        When even the kept sites (and ``at_least``) exceed ``total``.
    """
    at_least = {c: int((at_least or {}).get(c, 0)) for c in floors}
    empty = pd.DataFrame(columns=list(OWED_COLUMNS))

    def lifted(values: Mapping[str, int]) -> dict[str, int]:
        return {c: max(int(values[c]), at_least[c], int(kept.get(c, 0))) for c in floors}

    current = lifted(floors)
    if sum(current.values()) <= total:
        return Floors(current, False, empty)
    towns = lifted(town_floors)
    if sum(towns.values()) <= total:
        return Floors(towns, True, empty)
    base = lifted({c: kept.get(c, 0) for c in floors})
    if sum(base.values()) > total:
        raise InfeasibleProblemError(
            key="err_target_below_kept", asked=int(total), kept=sum(base.values())
        )
    order = mobile_first(owed)
    excess = sum(towns.values()) - total
    drops: list[int] = []
    room = {c: towns[c] - base[c] for c in floors}
    for index, city in zip(order.index, order["city"], strict=True):
        if excess <= 0:
            break
        if room.get(city, 0) > 0:
            room[city] -= 1
            towns[city] -= 1
            excess -= 1
            drops.append(index)
    return Floors(towns, True, order.loc[drops, list(OWED_COLUMNS)].reset_index(drop=True))
