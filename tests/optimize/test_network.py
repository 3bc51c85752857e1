"""TwoTierNetwork: brute force, three tiers, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize import Problem, TwoTierNetwork
from tests.optimize.location_bruteforce import Tiny, brute_force, random_tiny


def _tiny_network(
    tiny, targets=None, centre_status=None, *, model=TwoTierNetwork, **options
) -> TwoTierNetwork:
    return model.from_cost_matrix(
        tiny.cost,
        tiny.weight,
        tiny.capacity,
        tiny.fixed,
        centre_costs=tiny.link,
        centre_capacities=tiny.centre_capacity,
        centre_fixed_costs=tiny.centre_fixed,
        status={
            "recycling_point": np.array(tiny.status, dtype=object),
            "sorting_centre": np.array(centre_status or tiny.centre_status, dtype=object),
        },
        targets=targets,
        load=tiny.load,
        **options,
    )


def _feasible_tiny(seed: int, **kwargs):
    """A random network in which point 0 reaches everybody and centre 0 every point."""
    tiny = random_tiny(np.random.default_rng(seed), centres=2, **kwargs)
    tiny.cost[:, 0] = 5.0
    tiny.capacity[0] = 45.0
    tiny.link[:, 0] = 4.0
    tiny.centre_capacity[0] = 25.0
    return tiny


def _check(model, expected):
    if not np.isfinite(expected):
        try:
            solution = model.solve()
        except InfeasibleProblemError:
            return
        assert solution.status == "infeasible"
        return
    solution = model.solve(SolverOptions(gap=0))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    return solution


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("single_centre", [True, False])
def test_network_matches_brute_force(seed, single_centre):
    tiny = _feasible_tiny(500 + seed)
    expected = brute_force(tiny, single_centre=single_centre, cost_weight=2.0, link_weight=0.5)
    model = _tiny_network(tiny, single_centre=single_centre, cost_weight=2.0, link_weight=0.5)
    solution = _check(model, expected)
    links = solution.assignments["sorting_centre"]
    opened = solution.open_sites["recycling_point"]
    loaded = solution.assignments["recycling_point"].groupby("site_id")["flow"].sum()
    # Every open point has a centre; single_centre means exactly one.
    assert set(links["origin_id"]) >= set(loaded[loaded > 1e-9].index)
    assert set(links["origin_id"]) <= set(opened)
    if single_centre:
        assert links["origin_id"].is_unique and set(links["origin_id"]) == set(opened)


@pytest.mark.parametrize("seed", range(3))
def test_single_source_network_matches_brute_force(seed):
    tiny = _feasible_tiny(600 + seed)
    _check(_tiny_network(tiny, single_source=True), brute_force(tiny, single_source=True))


@pytest.mark.parametrize("seed", range(3))
def test_statuses_and_counts_match_brute_force(seed):
    tiny = _feasible_tiny(700 + seed)
    tiny.status = ["candidate", "existing", "excluded", "candidate"]
    tiny.link[1, 0] = 4.0  # the existing point has a centre in reach
    targets = Targets(points=2, centres=1, cost_budget=float(tiny.fixed.sum() + 80))
    expected = brute_force(tiny, n_points=2, n_centres=1, budget=targets.cost_budget)
    solution = _check(_tiny_network(tiny, targets), expected)
    if solution is not None:
        assert "recycling_point_1" in solution.open_sites["recycling_point"]
        assert len(solution.open_sites["sorting_centre"]) == 1


@pytest.mark.parametrize("seed", range(3))
def test_count_senses_match_brute_force(seed):
    tiny = _feasible_tiny(750 + seed)
    targets = Targets(points=3, centres=1)
    expected = brute_force(tiny, n_points=3, n_centres=1, sense="at_most")
    _check(_tiny_network(tiny, targets, count_sense="at_most"), expected)
    # A mapping sets the sense per tier; tiers left out stay exact.
    targets = Targets(points=2)
    expected = brute_force(tiny, n_points=2, sense="at_least")
    solution = _check(
        _tiny_network(tiny, targets, count_sense={"recycling_point": "at_least"}), expected
    )
    assert len(solution.open_sites["recycling_point"]) >= 2


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("share", "penalty"), [(0.6, None), (0.75, 5.0), (None, 3.0)])
def test_coverage_targets_match_brute_force(seed, share, penalty):
    tiny = random_tiny(np.random.default_rng(800 + seed), centres=2, density=0.5)
    tiny.capacity[:] = 60.0
    tiny.link[:, 0] = 4.0
    expected = brute_force(tiny, coverage_share=share, penalty=penalty)
    model = _tiny_network(tiny, Targets(coverage=share), uncovered_penalty=penalty)
    _check(model, expected)


def _network_problem(
    point_status=("candidate", "candidate", "existing"),
    centre_capacity=(500.0, 500.0),
    links=(("p1", "c1", 5.0), ("p2", "c2", 5.0), ("p3", "c1", 9.0)),
    bases=None,
    targets=None,
) -> Problem:
    """Three demand units, points p1..p3, centres c1 and c2 (optionally bases b1 and b2)."""
    demand = pd.DataFrame({"demand_id": ["d1", "d2", "d3"], "households": [100, 200, 300]})
    rows = [
        ("p1", "recycling_point", 400.0, 10.0, point_status[0]),
        ("p2", "recycling_point", 400.0, 10.0, point_status[1]),
        ("p3", "recycling_point", 400.0, 10.0, point_status[2]),
        ("c1", "sorting_centre", centre_capacity[0], 100.0, "candidate"),
        ("c2", "sorting_centre", centre_capacity[1], 80.0, "candidate"),
    ]
    if bases is not None:
        rows += [
            ("b1", "processing_base", np.inf, 1000.0, bases[0]),
            ("b2", "processing_base", np.inf, 400.0, bases[1]),
        ]
    sites = pd.DataFrame(rows, columns=["site_id", "tier", "capacity", "fixed_cost", "status"])
    costs = pd.DataFrame(
        {
            "demand_id": ["d1", "d2", "d2", "d3", "d3"],
            "site_id": ["p1", "p1", "p2", "p2", "p3"],
            "cost": [1.0, 2.0, 1.0, 1.0, 2.0],
        }
    )
    link_table = pd.DataFrame(list(links), columns=["point_id", "centre_id", "cost"])
    base_links = (
        pd.DataFrame(
            {"centre_id": ["c1", "c2", "c2"], "base_id": ["b1", "b1", "b2"], "cost": [1.0] * 3}
        )
        if bases is not None
        else None
    )
    return Problem.from_tables(
        demand, sites, costs, links=link_table, base_links=base_links, targets=targets
    )


def test_existing_point_without_centre_is_named():
    problem = _network_problem(links=(("p1", "c1", 5.0), ("p2", "c2", 5.0)))
    with pytest.raises(
        InfeasibleProblemError, match=r"existing or required recycling_points.*'p3'"
    ):
        TwoTierNetwork.from_problem(problem).solve()


def test_truck_cutoff_strands_an_existing_point():
    problem = _network_problem()
    assert TwoTierNetwork.from_problem(problem).solve().status == "optimal"
    with pytest.raises(InfeasibleProblemError, match=r"'p3'.*lengthen the cutoff"):
        TwoTierNetwork.from_problem(problem, truck_cutoff=8.0).solve()


def test_demand_behind_points_without_centre_is_named_with_the_points():
    problem = _network_problem(
        point_status=("candidate", "candidate", "candidate"),
        links=(("p1", "c1", 5.0), ("p3", "c1", 9.0)),
    )
    # d2 and d3 keep p1/p3; but with p3 excluded, d3 only has p2, which has no centre.
    problem.sites["recycling_point"].status[2] = "excluded"
    with pytest.raises(InfeasibleProblemError, match=r"'d3'.*cannot open: 1 id: 'p2'"):
        TwoTierNetwork.from_problem(problem).solve()


def test_centre_capacity_short_of_the_load_is_named():
    problem = _network_problem(centre_capacity=(250.0, 250.0))
    with pytest.raises(InfeasibleProblemError, match=r"sorting_centre.capacity.*hold 500 but"):
        TwoTierNetwork.from_problem(problem).solve()


def test_centre_capacity_short_of_the_floor_load_is_named():
    # With a 50 % floor at least 300 households must be served: 250 do not hold them.
    problem = _network_problem(centre_capacity=(125.0, 125.0), targets=Targets(coverage=0.5))
    problem.sites["recycling_point"].status[2] = "candidate"
    with pytest.raises(InfeasibleProblemError, match=r"hold 250 .* at least 300.*targets.coverage"):
        TwoTierNetwork.from_problem(problem).solve()
    problem.sites["sorting_centre"].capacity[:] = 150.0
    solution = TwoTierNetwork.from_problem(problem).solve()
    assert solution.status == "optimal"
    assert solution.metrics["coverage_share"] == pytest.approx(0.5)


def test_solution_follows_the_load_upwards():
    solution = TwoTierNetwork.from_problem(_network_problem()).solve()
    assert solution.status == "optimal"
    # p3 is existing and only reaches c1; d1 can only go to p1 (which reaches c1): c1 opens.
    assert "p3" in solution.open_sites["recycling_point"]
    assert "c1" in solution.open_sites["sorting_centre"]
    points = solution.assignments["recycling_point"]
    links = solution.assignments["sorting_centre"]
    load = points.groupby("site_id")["flow"].sum()
    carried = links.set_index("origin_id")["flow"]
    assert carried.reindex(load.index).to_numpy() == pytest.approx(load.to_numpy())
    expected = (
        solution.metrics["fixed_cost"]
        + solution.metrics["assignment_cost"]
        + solution.metrics["sorting_centre_link_cost"]
    )
    assert solution.objective == pytest.approx(expected)


def _three_tier(bases: tuple[str, str]) -> Problem:
    # c2 reaches both bases, c1 only b1; p1 reaches both centres.
    links = (("p1", "c1", 5.0), ("p1", "c2", 6.0), ("p2", "c2", 5.0), ("p3", "c1", 9.0))
    return _network_problem(
        point_status=("candidate",) * 3,
        centre_capacity=(700.0, 700.0),
        links=links,
        bases=bases,
    )


def test_three_tier_network_chooses_and_keeps_bases():
    # b2 is cheaper, so everything goes p1/p2 -> c2 -> b2.
    chosen = TwoTierNetwork.from_problem(_three_tier(("candidate", "candidate")))
    assert chosen.name == "three-tier network"
    solution = chosen.solve()
    assert solution.status == "optimal"
    assert solution.open_sites["processing_base"] == ["b2"]
    assert solution.open_sites["sorting_centre"] == ["c2"]
    assert solution.assignments["processing_base"]["flow"].sum() == pytest.approx(600.0)
    # An existing base stays open (fixed): b1 replaces b2 (+600 at most, less where c1 helps).
    fixed = TwoTierNetwork.from_problem(_three_tier(("existing", "candidate"))).solve()
    assert "b1" in fixed.open_sites["processing_base"]
    assert solution.objective < fixed.objective <= solution.objective + 600.0 + 1e-6
    # Excluding b1 leaves c1 without a base, so the existing p3 (only c1 in reach) is stranded.
    with pytest.raises(
        InfeasibleProblemError, match=r"existing or required recycling_points.*'p3'"
    ):
        TwoTierNetwork.from_problem(_network_problem(bases=("excluded", "candidate"))).solve()


def test_three_tier_with_one_free_base_equals_two_tier():
    two = TwoTierNetwork.from_problem(_network_problem()).solve()
    problem = _network_problem(bases=("existing", "excluded"))
    problem.sites["processing_base"].fixed_cost[:] = 0.0
    problem.pairs["processing_base"].cost[:] = 0.0
    three = TwoTierNetwork.from_problem(problem).solve()
    assert three.objective == pytest.approx(two.objective)


def test_bad_network_input_is_refused():
    demand_only = _network_problem()
    with pytest.raises(ProblemDataError, match="load"):
        TwoTierNetwork.from_problem(demand_only, load=np.ones(2))
    with pytest.raises(ProblemDataError, match="link_weight"):
        TwoTierNetwork.from_problem(demand_only, link_weight=np.nan)
    one_tier = Problem.from_cost_matrix(np.ones((2, 2)), capacity=np.full(2, 5.0))
    with pytest.raises(ProblemDataError, match="sorting_centre"):
        TwoTierNetwork.from_problem(one_tier)


def test_uncapacitated_points_and_an_unreached_existing_point():
    # Points without capacity limits, one existing point no demand reaches: 27 by hand
    # (fixed 1 + 1 + 0 + 3, walking 5 x 1 + 6 x 1, trucks 5 + 6).
    model = TwoTierNetwork.from_cost_matrix(
        np.array([[1.0, np.inf, np.inf], [2.0, 1.0, np.inf]]),
        np.array([5.0, 6.0]),
        np.full(3, np.inf),
        np.array([1.0, 1.0, 0.0]),
        centre_costs=np.ones((3, 1)),
        centre_capacities=np.array([20.0]),
        centre_fixed_costs=np.array([3.0]),
        status={"recycling_point": np.array(["candidate", "candidate", "existing"], dtype=object)},
    )
    solution = model.solve()
    assert solution.status == "optimal" and solution.objective == pytest.approx(27.0)
    links = solution.assignments["sorting_centre"].set_index("origin_id")
    assert links.loc["recycling_point_2", "flow"] == 0.0  # open, with its centre, carrying nothing


def test_a_weightless_unit_with_a_load_rides_along_in_full():
    """A demand unit with no households but a load (a market stall, a school) takes none of
    its point's capacity in households: the point's largest load must count it in full, or
    the only feasible plan is cut off. With the load left out the model called this instance
    infeasible (and on others reported a false optimum or a bound above the objective)."""
    tiny = Tiny(
        weight=np.array([0.0, 2.0]),
        cost=np.array([[1.0], [1.0]]),
        capacity=np.array([2.0]),
        fixed=np.array([1.0]),
        status=["candidate"],
        link=np.array([[1.0]]),
        centre_capacity=np.array([10.0]),
        centre_fixed=np.array([1.0]),
        centre_status=["candidate"],
        load=np.array([4.0, 1.0]),
    )
    expected = brute_force(tiny)  # 1 + 1 (fixed) + 2 (walk) + 5 (link)
    assert expected == pytest.approx(9.0)
    solution = _check(_tiny_network(tiny), expected)
    assert solution.assignments["sorting_centre"]["flow"].sum() == pytest.approx(5.0)


def test_no_usable_link_with_a_penalty_leaves_everyone_uncovered():
    """No point has a centre within the truck cutoff: with an uncovered penalty the plan is
    to open nothing and pay the penalty (reading the empty link layer raised a TypeError)."""
    tiny = _feasible_tiny(801)
    tiny.link[:] = np.inf
    model = _tiny_network(tiny, uncovered_penalty=3.0)
    solution = model.solve(SolverOptions(gap=0))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(3.0 * tiny.weight.sum())
    assert solution.open_sites["recycling_point"] == []
    assert solution.open_sites["sorting_centre"] == []
    assert solution.assignments["sorting_centre"].empty
