"""Problem: coding of ids into arrays, sparse pairs, and every validation error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.config import SolverOptions, Targets
from gxnet.optimize import CapacitatedFacilityLocation, Pairs, Problem
from gxnet.optimize.problem import describe_ids


def tables():
    demand = pd.DataFrame({"demand_id": ["a", "b", "c"], "households": [10.0, 20.0, 30.0]})
    sites = pd.DataFrame(
        {
            "site_id": ["p1", "p2", "p3", "c1", "c2"],
            "tier": ["recycling_point"] * 3 + ["sorting_centre"] * 2,
            "capacity": [40.0, None, 40.0, 500.0, 500.0],
            "fixed_cost": [1.0, 2.0, None, 50.0, 60.0],
            "status": ["candidate", "existing", None, "required", "excluded"],
        }
    )
    costs = pd.DataFrame(
        {
            "demand_id": ["a", "a", "b", "c", "c"],
            "site_id": ["p2", "p1", "p1", "p3", "p1"],
            "cost": [5.0, 3.0, 0.0, 7.0, 7.0],
        }
    )
    links = pd.DataFrame(
        {"point_id": ["p1", "p2", "p3"], "centre_id": ["c1", "c2", "c1"], "cost": [60.0, 9, 30]}
    )
    return demand, sites, costs, links


def test_from_tables_codes_tiers_and_pairs():
    demand, sites, costs, links = tables()
    problem = Problem.from_tables(demand, sites, costs, links=links, targets=Targets(points=2))
    points = problem.sites["recycling_point"]
    assert list(points.ids) == ["p1", "p2", "p3"]
    assert points.capacity.tolist() == [40.0, np.inf, 40.0]
    assert points.fixed_cost.tolist() == [1.0, 2.0, 0.0]
    assert points.status.tolist() == ["candidate", "existing", "candidate"]
    assert problem.sites["sorting_centre"].kept.tolist() == [True, False]
    pairs = problem.pairs["recycling_point"]
    # Sorted by origin, then cost, then site: a's nearest first, c's tie broken by site code.
    assert pairs.origin.tolist() == [0, 0, 1, 2, 2]
    assert pairs.destination.tolist() == [0, 1, 0, 0, 2]
    assert pairs.cost.tolist() == [3.0, 5.0, 0.0, 7.0, 7.0]
    assert pairs.indptr.tolist() == [0, 2, 3, 5]
    assert pairs.matrix().toarray().tolist() == [[1, 1, 0], [1, 0, 0], [1, 0, 1]]
    nearest = pairs.nearest(np.array([False, True, True]))
    assert nearest.tolist() == [1, -1, 4]
    # Ranks count the nearer usable pairs of the same origin only.
    assert pairs.rank(np.array([True, True, True, False, True])).tolist() == [0, 1, 0, 0, 0]
    assert pairs.rank(np.ones(5, dtype=bool)).tolist() == [0, 1, 0, 0, 1]
    # By another key, e.g. reduced costs: the dearer pair of p1 first; ties go by cost.
    key = np.array([2.0, 1.0, 0.0, 0.0, 0.0])
    assert pairs.rank(np.ones(5, dtype=bool), key).tolist() == [1, 0, 0, 0, 1]
    assert pairs.rank(np.array([True, False, True, True, True]), key).tolist() == [0, 0, 0, 0, 1]
    assert list(problem.origin_ids("sorting_centre")) == ["p1", "p2", "p3"]
    # c2 is excluded, so p2 has no usable centre.
    assert problem.unreachable("sorting_centre").tolist() == [1]
    with pytest.raises(
        InfeasibleProblemError, match=r"recycling_points that no sorting_centre.*'p2'"
    ):
        problem.require_reachable("sorting_centre")
    assert "demand=3" in repr(problem)


def test_from_frames_reads_the_pipelines_columns_as_they_are():
    demand, sites, costs, links = tables()
    walk = costs.rename(columns={"cost": "travel_s"}).assign(metres=1.0)
    truck = links.rename(columns={"cost": "travel_s"})
    frame = demand.assign(setting="urban", county_adcode=450403)
    problem = Problem.from_frames(frame, sites.assign(name="x"), walk, truck)
    same = Problem.from_tables(demand, sites, costs, links=links)
    for tier in ("recycling_point", "sorting_centre"):
        a, b = problem.pairs[tier], same.pairs[tier]
        assert (a.origin.tolist(), a.destination.tolist(), a.cost.tolist()) == (
            b.origin.tolist(),
            b.destination.tolist(),
            b.cost.tolist(),
        )
        assert problem.sites[tier].ids.tolist() == same.sites[tier].ids.tolist()
    assert problem.demand.weight.tolist() == [10.0, 20.0, 30.0]


def test_the_problem_of_the_tier_above_is_one_tier_for_the_chosen_sites_below():
    demand, sites, costs, links = tables()
    sites.loc[sites["site_id"] == "c2", "status"] = "candidate"
    problem = Problem.from_tables(
        demand, sites, costs, links=links, targets=Targets(points=2, centres=1)
    )
    upper = problem.tier_problem(
        "sorting_centre", np.array([30.0, 0.0, 5.0]), np.array([True, False, True])
    )
    assert list(upper.demand.ids) == ["p1", "p3"]
    assert upper.demand.weight.tolist() == [30.0, 5.0]
    assert list(upper.sites) == ["recycling_point"]
    centres = upper.sites["recycling_point"]
    assert list(centres.ids) == ["c1", "c2"] and centres.capacity.tolist() == [500.0, 500.0]
    pairs = upper.pairs["recycling_point"]
    # p2's link is left out with p2; p1 and p3 both link to c1.
    assert (pairs.origin.tolist(), pairs.destination.tolist(), pairs.cost.tolist()) == (
        [0, 1],
        [0, 0],
        [60.0, 30.0],
    )
    assert upper.targets.points == 1  # the centres' count is the one-tier problem's count
    everyone = problem.tier_problem("sorting_centre", np.ones(3))
    assert list(everyone.demand.ids) == ["p1", "p2", "p3"]


def test_integer_ids_and_dense_input():
    pairs = Pairs.from_dense(np.array([[1.0, np.inf], [4.0, 2.0]]), cutoff=3.0)
    assert (pairs.origin.tolist(), pairs.destination.tolist()) == ([0, 1], [0, 1])
    problem = Problem.from_cost_matrix(np.array([[1.0, np.inf], [4.0, 2.0]]), 3.0)
    assert problem.demand.weight.tolist() == [1.0, 1.0]
    assert problem.pairs["recycling_point"].n == 2
    with pytest.raises(ProblemDataError, match="weights: 3 values for 2 rows"):
        Problem.from_cost_matrix(np.ones((2, 2)), weights=np.ones(3))
    with pytest.raises(ProblemDataError, match="2-D matrix"):
        Pairs.from_dense(np.ones(3))


def test_describe_ids_names_the_first_few_and_counts():
    assert describe_ids(["a"]) == "1 id: 'a'"
    assert describe_ids(np.arange(8)) == "8 ids: 0, 1, 2, 3, 4 (and 3 more)"


def _replace(table: pd.DataFrame, column: str, row: int, value) -> pd.DataFrame:
    table = table.copy()
    table[column] = table[column].astype(object)
    table.loc[row, column] = value
    return table


@pytest.mark.parametrize(
    ("which", "column", "row", "value", "message"),
    [
        ("costs", "cost", 1, -1.0, r"costs.cost: negative.*'a->p1'"),
        ("costs", "cost", 3, np.nan, r"costs.cost: negative, missing.*'c->p3'"),
        ("costs", "cost", 3, "far", r"costs.cost: .*non-numeric.*'c->p3'.*'far'"),
        ("costs", "site_id", 0, "p9", r"costs.site_id: unknown 1 id: 'p9'"),
        ("costs", "demand_id", 0, "zz", r"costs.demand_id: unknown 1 id: 'zz'"),
        ("costs", "site_id", 1, "p2", r"costs: duplicate pairs .*'a->p2'"),
        ("demand", "households", 1, -5.0, r"demand.households: negative.*1 id: 'b'"),
        ("demand", "households", 2, np.nan, r"demand.households: .*1 id: 'c'"),
        ("demand", "demand_id", 2, "a", r"demand.demand_id: duplicate ids, 1 id: 'a'"),
        ("sites", "site_id", 3, "p1", r"sites.site_id: duplicate ids, 1 id: 'p1'"),
        ("sites", "status", 0, "closed", r"sites.status: unknown value\(s\) \['closed'\].*'p1'"),
        ("sites", "tier", 0, "depot", r"sites.tier: unknown value\(s\) \['depot'\].*'p1'"),
        ("sites", "fixed_cost", 1, -3.0, r"sites.fixed_cost: .*'p2'"),
        ("links", "centre_id", 0, "c7", r"links.centre_id: unknown 1 id: 'c7'"),
        ("links", "cost", 2, -1.0, r"links.cost: negative.*'p3->c1'"),
    ],
)
def test_bad_tables_name_field_and_ids(which, column, row, value, message):
    demand, sites, costs, links = tables()
    frames = {"demand": demand, "sites": sites, "costs": costs, "links": links}
    frames[which] = _replace(frames[which], column, row, value)
    build = lambda: Problem.from_tables(  # noqa: E731
        frames["demand"], frames["sites"], frames["costs"], links=frames["links"]
    )
    with pytest.raises(ProblemDataError, match=message):
        build()


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (Targets(points=4), r"targets.points: 4 recycling_points asked for.*\[1, 3\]"),
        (Targets(points=0), r"targets.points: 0 .* 1 are existing or required"),
        (Targets(centres=2), r"targets.centres: 2 sorting_centres.*\[1, 1\]"),
        (Targets(coverage=1.5), r"targets.coverage: 1.5"),
        (Targets(cost_budget=-1.0), r"targets.cost_budget: -1.0"),
    ],
)
def test_targets_out_of_reach(targets, message):
    demand, sites, costs, links = tables()
    with pytest.raises(ProblemDataError, match=message):
        Problem.from_tables(demand, sites, costs, links=links, targets=targets)


def test_capacity_short_of_demand_is_the_capacitated_models_concern():
    """Covering models ignore capacities; a capacitated model names the shortfall before solving,
    and a coverage floor lowers what must fit."""
    demand, sites, costs, _ = tables()
    sites = sites.assign(capacity=[10.0, 10.0, 10.0, 1.0, 1.0])
    problem = Problem.from_tables(demand, sites, costs)
    with pytest.raises(
        InfeasibleProblemError, match=r"recycling_point.capacity: .*hold 30 but 60 of the demand"
    ):
        CapacitatedFacilityLocation.from_problem(problem).solve(SolverOptions())
    half = Problem.from_tables(demand, sites, costs, targets=Targets(coverage=0.5))
    assert CapacitatedFacilityLocation.from_problem(half).solve(SolverOptions()).has_solution


def test_missing_columns_and_orphan_links():
    demand, sites, costs, links = tables()
    with pytest.raises(ProblemDataError, match=r"costs: missing column\(s\) \['cost'\]"):
        Problem.from_tables(demand, sites, costs.rename(columns={"cost": "seconds"}))
    points_only = sites[sites["tier"] == "recycling_point"]
    with pytest.raises(ProblemDataError, match="links: pairs given but .* 'sorting_centre'"):
        Problem.from_tables(demand, points_only, costs, links=links)


def test_unreachable_demand_names_ids_and_the_fix():
    demand = pd.DataFrame({"demand_id": [f"d{k}" for k in range(8)], "households": 1.0})
    sites = pd.DataFrame({"site_id": ["s1", "s2"], "status": ["candidate", "excluded"]})
    costs = pd.DataFrame({"demand_id": ["d0", "d1"], "site_id": ["s1", "s2"], "cost": [1.0, 1]})
    problem = Problem.from_tables(demand, sites, costs)
    assert problem.unreachable().tolist() == [1, 2, 3, 4, 5, 6, 7]
    with pytest.raises(
        InfeasibleProblemError,
        match=r"7 ids: 'd1', 'd2', 'd3', 'd4', 'd5' \(and 2 more\)\. Add candidate",
    ):
        problem.require_reachable()
