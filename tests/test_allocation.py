"""Coverage curves, the region's allocation by marginal gain, and floors the budget cannot meet."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gxnet._errors import InfeasibleProblemError
from gxnet.allocation import (
    OWED_COLUMNS,
    CoverageCurve,
    allocate,
    concave_majorant,
    coverage_curve,
    is_concave,
    trim_floors,
)
from gxnet.config import SolverOptions
from gxnet.optimize import MaximalCovering, Problem
from gxnet.optimize.groups import SiteGroups


def curve(values, start=0, bound=None) -> CoverageCurve:
    values = np.asarray(values, dtype=float)
    return CoverageCurve(start, values, values if bound is None else np.asarray(bound), 1e9)


def brute_force(curves: dict[str, CoverageCurve], total: int, floors: dict[str, int]) -> float:
    """The best sum of the curves over every split of ``total`` above the floors."""
    names = list(curves)
    ranges = [range(floors[c], curves[c].stop + 1) for c in names]
    best = -np.inf
    for counts in itertools.product(*ranges):
        if sum(counts) == total:
            best = max(best, sum(curves[c].value(n) for c, n in zip(names, counts, strict=True)))
    return best


def test_concave_curves_are_split_exactly_as_brute_force():
    curves = {
        "a": curve([0, 50, 90, 120, 140, 150]),
        "b": curve([10, 40, 65, 85, 100], start=1),
        "c": curve([0, 30, 60, 80, 95, 105, 110]),
    }
    for total in range(1, 15):
        allocation = allocate(curves, total)
        assert sum(allocation.counts.values()) == total
        floors = {c: v.start for c, v in curves.items()}
        assert allocation.covered == brute_force(curves, total, floors)
        assert allocation.exact and allocation.not_concave == ()


def test_a_curve_that_is_not_concave_is_split_on_its_majorant_with_the_gap_said():
    # Three pairs and a triple over six households: 3 with one site, 4 with two, 6 with three.
    bumpy = curve([0, 3, 4, 6])
    flat = curve([0, 2.2, 4.4, 6.6])
    curves = {"bumpy": bumpy, "flat": flat}
    assert not is_concave(bumpy.covered)
    assert concave_majorant(bumpy.covered).tolist() == [0, 3, 4.5, 6]
    for total in range(0, 7):
        allocation = allocate(curves, total)
        best = brute_force(curves, total, {"bumpy": 0, "flat": 0})
        assert allocation.covered <= best + 1e-9
        assert allocation.covered >= best - allocation.majorant_gap - 1e-9
        assert allocation.not_concave == ("bumpy",)
    two = allocate(curves, 2)
    assert two.counts == {"bumpy": 1, "flat": 1} and two.covered == pytest.approx(5.2)
    # With two sites the majorant promises 4.5 in "bumpy" where the curve has 4: said as a gap.
    assert allocate(curves, 3).exact
    assert not allocate({"bumpy": bumpy}, 2).exact


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=5),
        min_size=1,
        max_size=3,
    ),
    st.data(),
)
def test_any_curves_are_split_within_the_gap_of_brute_force(increments, data):
    curves = {
        f"c{i}": curve(np.concatenate([[0.0], np.cumsum(np.sort(steps)[::-1] if i % 2 else steps)]))
        for i, steps in enumerate(increments)
    }
    total = data.draw(st.integers(0, sum(c.stop for c in curves.values())))
    allocation = allocate(curves, total)
    best = brute_force(curves, total, {c: 0 for c in curves})
    assert sum(allocation.counts.values()) == total
    assert best - allocation.majorant_gap - 1e-6 <= allocation.covered <= best + 1e-6
    assert allocation.bound >= best - 1e-6
    if not allocation.not_concave:
        assert allocation.covered == pytest.approx(best)


def test_floors_come_first_and_impossible_totals_are_refused():
    curves = {"a": curve([0, 100, 150, 160]), "b": curve([0, 10, 20, 30])}
    assert allocate(curves, 3, {"a": 0, "b": 2}).counts == {"a": 1, "b": 2}
    with pytest.raises(InfeasibleProblemError, match="floors need 5"):
        allocate(curves, 4, {"a": 3, "b": 2})
    with pytest.raises(InfeasibleProblemError, match="only 6 candidate sites"):
        allocate(curves, 7)


def owed(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(OWED_COLUMNS))


def test_floors_the_budget_cannot_meet_lose_the_quota_then_the_townships_that_reach_least():
    towns = owed(
        [
            ("a", 1, "t1", "一", 900.0, 800.0),
            ("a", 1, "t2", "二", 700.0, 600.0),
            ("b", 2, "t3", "三", 5000.0, 4000.0),
            ("b", 2, "t4", "四", 300.0, 600.0),
        ]
    )
    kept = {"a": 1, "b": 0}
    fits = trim_floors({"a": 6, "b": 4}, {"a": 3, "b": 2}, kept, towns, 10)
    assert fits.floors == {"a": 6, "b": 4} and not fits.trimmed
    no_quota = trim_floors({"a": 6, "b": 4}, {"a": 3, "b": 2}, kept, towns, 6)
    assert no_quota.quota_dropped and no_quota.floors == {"a": 3, "b": 2}
    assert no_quota.dropped.empty
    trimmed = trim_floors({"a": 6, "b": 4}, {"a": 3, "b": 2}, kept, towns, 3)
    # Least reach first; at equal reach the township with fewer households.
    assert trimmed.dropped["township_code"].tolist() == ["t4", "t2"]
    assert trimmed.floors == {"a": 2, "b": 1} and sum(trimmed.floors.values()) == 3
    # An earlier phase's count is never lowered.
    held = trim_floors({"a": 3, "b": 2}, {"a": 3, "b": 2}, kept, towns, 4, at_least={"b": 2})
    assert held.floors == {"a": 2, "b": 2} and held.dropped["township_code"].tolist() == ["t2"]
    with pytest.raises(InfeasibleProblemError, match="already hold 1"):
        trim_floors({"a": 3, "b": 2}, {"a": 3, "b": 2}, kept, towns, 0)


def test_a_city_curve_is_nested_greedy_below_its_bound_and_exact_where_refined():
    rng = np.random.default_rng(3)
    units, sites = 60, 25
    cost = rng.uniform(0, 10, (units, sites))
    weight = rng.integers(1, 50, units).astype(float)
    problem = MaximalCovering.from_cost_matrix(cost, weight, 2.5, 3).problem
    options = SolverOptions()
    result = coverage_curve(problem, 12, refine=[4, 8], options=options)
    assert result.start == 0 and result.stop == 12 and result.refined == (4, 8)
    assert (np.diff(result.covered) >= 0).all() and (np.diff(result.bound) >= 0).all()
    assert (result.bound >= result.covered - 1e-9).all()
    for n in (2, 4, 8, 12):
        best = MaximalCovering(problem, n, heuristic=False).solve(options).objective
        assert result.value(n) <= best + 1e-9 <= result.upper(n) + 1e-6
        if n in result.refined:
            assert result.value(n) == pytest.approx(best)
    # Without refinement the curve is the greedy's: concave by construction.
    assert is_concave(coverage_curve(problem, 12).covered)


def test_a_city_curve_starts_at_what_its_minimums_need():
    cost = np.array([[1.0, 9, 9, 9], [9, 1, 9, 9], [9, 9, 1, 9], [9, 9, 9, 1]])
    problem = Problem.from_cost_matrix(cost, 2.0, weights=np.array([5.0, 4, 3, 1]))
    groups = SiteGroups.from_labels([(["t", "t", "u", "u"], {"t": 1, "u": 1})])
    result = coverage_curve(problem, 4, minimums=groups)
    assert result.start == 2 and result.covered.tolist() == [8.0, 12.0, 13.0]
