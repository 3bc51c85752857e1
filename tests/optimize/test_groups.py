"""Grouped minimums (a point per township, a quota per county) against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.optimize import LocationSetCovering, MaximalCovering
from gxnet.optimize.coverage import cover_bound, cover_heuristic, cover_search
from gxnet.optimize.groups import SiteGroups
from tests.optimize.tiny_problems import feasible_sets, nearest_costs, random_problem

#: Mostly free candidates, so that the minimums leave many sets to choose from.
FEW_KEPT = ("candidate",) * 6 + ("existing", "excluded")


def _groups(n_sites: int, seed: int) -> SiteGroups:
    """Two counties (the first with a quota of 2) holding three townships of a point each; a
    site or two in no township."""
    rng = np.random.default_rng(seed)
    township = rng.choice(["t1", "t2", "t3", ""], n_sites, p=[0.3, 0.3, 0.25, 0.15])
    county = np.where(np.isin(township, ["t1", "t2"]), "c1", "c2")
    return SiteGroups.from_labels(
        [
            (list(county), {"c1": 2, "c2": 0}),
            (list(township), {"t1": 1, "t2": 1, "t3": 1}),
        ]
    )


def _instance(seed: int, free: int = 4):
    problem = random_problem(seed, n_demand=12, n_sites=10, cutoff=0.35, statuses=FEW_KEPT)
    sites = problem.sites["recycling_point"]
    groups = _groups(sites.n, seed)
    p = min(max(int(sites.kept.sum()), 1) + free, int(sites.usable.sum()))
    return problem, sites, groups, p


def _covered(problem, mask) -> float:
    return float(problem.demand.weight[np.isfinite(nearest_costs(problem, mask))].sum())


def _feasible(problem, groups, p):
    return [m for m in feasible_sets(problem, p) if groups.satisfied(m)]


@pytest.mark.parametrize("seed", range(15))
def test_maximal_covering_with_minimums_brute_force(seed):
    problem, sites, groups, p = _instance(seed)
    try:
        needed = groups.sites_needed(sites.kept, sites.usable)
    except InfeasibleProblemError:
        assert not _feasible(problem, groups, p)
        return
    if needed > p:
        with pytest.raises(InfeasibleProblemError, match="need"):
            MaximalCovering.from_problem(problem, p, minimums=groups)
        assert not _feasible(problem, groups, p)
        return
    values = [(mask, _covered(problem, mask)) for mask in _feasible(problem, groups, p)]
    best = max(v for _, v in values)
    solution = MaximalCovering.from_problem(problem, p, minimums=groups).solve()
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best)
    opened = np.isin(sites.ids, solution.open_sites["recycling_point"])
    assert opened.sum() == p and groups.satisfied(opened)

    # The heuristics keep the minimums; the bound and its reductions hold for every set at
    # least as good as the heuristic's.
    pairs, weight = problem.usable_pairs(), problem.demand.weight
    heuristic = cover_heuristic(pairs, weight, p, sites.kept, sites.usable, groups=groups)
    assert heuristic.sum() == p and groups.satisfied(heuristic)
    assert heuristic[sites.kept].all() and not heuristic[sites.excluded].any()
    incumbent = _covered(problem, heuristic)
    proof = cover_bound(pairs, weight, p, sites.kept, sites.usable, incumbent, groups=groups)
    assert proof.bound >= best - 1e-6
    assert groups.satisfied(proof.relaxed)
    for mask, value in values:
        if value >= incumbent:
            assert not (mask & proof.closed).any()
            assert mask[proof.opened].all()
    # The neighbourhood search moves only within windows that keep the minimums.
    start = min(values, key=lambda item: item[1])[0]
    found = cover_search(pairs, weight, start, sites.kept, window=3, max_window=6, groups=groups)
    assert found.sum() == p and groups.satisfied(found)
    assert _covered(problem, start) <= _covered(problem, found) <= best + 1e-9


@pytest.mark.parametrize("seed", range(10))
def test_set_covering_with_minimums_brute_force(seed):
    problem = random_problem(seed, n_demand=9, n_sites=8, cutoff=0.45, statuses=FEW_KEPT)
    sites = problem.sites["recycling_point"]
    groups = _groups(sites.n, seed)
    counts = [
        int(mask.sum())
        for mask in feasible_sets(problem)
        if groups.satisfied(mask) and np.isfinite(nearest_costs(problem, mask)).all()
    ]
    if not counts:
        return
    solution = LocationSetCovering.from_problem(problem, minimums=groups).solve()
    assert solution.objective == pytest.approx(min(counts))
    opened = np.isin(sites.ids, solution.open_sites["recycling_point"])
    assert groups.satisfied(opened)
    # A partial cover: the warm start and the Lagrangean bound keep the minimums too.
    partial = [
        int(mask.sum())
        for mask in feasible_sets(problem)
        if groups.satisfied(mask) and _covered(problem, mask) >= 0.6 * problem.demand.weight.sum()
    ]
    model = LocationSetCovering.from_problem(problem, coverage_share=0.6, minimums=groups)
    solved = model.solve()
    assert solved.objective == pytest.approx(min(partial))
    assert model.lagrangean_bound is None or model.lagrangean_bound <= min(partial) + 1e-9


def test_groups_must_nest_and_name_the_short_group():
    with pytest.raises(ProblemDataError, match="several groups"):
        SiteGroups.from_labels([(["a", "b"], {"a": 1, "b": 1}), (["t", "t"], {"t": 1})])
    groups = SiteGroups.from_labels([(["t1", "t1", "t2"], {"t1": 1, "t2": 2})])
    usable = np.ones(3, dtype=bool)
    with pytest.raises(InfeasibleProblemError, match="'t2'"):
        groups.sites_needed(np.zeros(3, dtype=bool), usable)
    groups = SiteGroups.from_labels([(["t1", "t1", "t2"], {"t1": 1, "t2": 1})])
    assert groups.sites_needed(np.zeros(3, dtype=bool), usable) == 2
    # The best set: the better site of t1, t2's only site, then the best of the rest.
    value = np.array([1.0, 5.0, 0.5])
    assert list(groups.best_set(value, 2, np.zeros(3, bool), usable)) == [False, True, True]
    assert list(groups.best_set(value, 3, np.zeros(3, bool), usable)) == [True, True, True]
