"""The choice of models for the targets: the household standard's count, the covering pair
(points, then the centres behind them), and one two-tier network where capacities bind."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gxnet._errors import InfeasibleProblemError
from gxnet.config import Config
from gxnet.model_choice import (
    ModelInput,
    solve_network,
    standard_points,
    township_needs,
    with_point_target,
)
from gxnet.pipeline import optimize_city
from gxnet.tiers import TIERS, SiteStatus, Tier
from tests.helsinki import AREA, DEMAND, PBF
from tests.helsinki import CONFIG as HELSINKI
from tests.helsinki import DATA as TEST_DATA


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


def test_the_standard_counts_points_per_county_and_setting_rounded_up():
    demand = pd.DataFrame(
        {
            "households": [1000.0, 1500.0, 100.0, 2400.0, 200.0],
            "setting": ["urban", "urban", "rural", "rural", "urban"],
            "county_adcode": [1, 1, 1, 2, 2],
        }
    )
    # County 1: 2,500 urban / 2,000 -> 2, 100 rural / 2,500 -> 1; county 2: 2,400 rural -> 1,
    # 200 urban -> 1.
    assert standard_points(demand, Config().points) == 5


def test_a_target_given_is_kept_and_none_becomes_the_standard():
    demand = pd.DataFrame({"households": [5000.0], "setting": ["urban"], "county_adcode": [1]})
    points = pd.DataFrame({"status": [SiteStatus.CANDIDATE] * 4 + [SiteStatus.EXCLUDED]})
    said: list[str] = []
    given = Config().with_options(coverage=0.5)
    assert with_point_target(given, demand, points, said.append) is given
    chosen = with_point_target(Config(), demand, points, said.append)
    assert chosen.targets.points == 3  # 5,000 urban households / 2,000, rounded up
    assert said and "3 recycling points" in said[-1]
    few = with_point_target(Config(), demand, points.iloc[[0, 4]], said.append)
    assert few.targets.points == 1 and "only 1 candidate sites can open" in said[-1]


def _line(n_units: int = 6):
    """Units on a line 1 km apart, a grid point at each, two centres at the ends."""
    lon = 111.0 + 0.01 * np.arange(n_units)
    demand = gpd.GeoDataFrame(
        {
            "demand_id": [f"d{k}" for k in range(n_units)],
            "households": np.full(n_units, 1000.0),
            "recyclables_kg_day": np.full(n_units, 500.0),
        },
        geometry=gpd.points_from_xy(lon, np.full(n_units, 23.5)),
        crs="EPSG:4326",
    )
    points = pd.DataFrame(
        {
            "site_id": [f"p{k}" for k in range(n_units)],
            "tier": Tier.RECYCLING_POINT,
            "status": SiteStatus.CANDIDATE,
            "capacity": np.inf,
            "fixed_cost": 1.0,
        }
    )
    centres = pd.DataFrame(
        {
            "site_id": ["c-west", "c-east"],
            "tier": Tier.SORTING_CENTRE,
            "status": SiteStatus.CANDIDATE,
            "capacity": np.nan,
            "fixed_cost": np.nan,
        }
    )
    # Each unit reaches its own point and the next ones within 1.5 km; every point both
    # centres, the nearer in 600 s.
    walk = pd.DataFrame(
        [
            {"demand_id": f"d{i}", "site_id": f"p{j}", "travel_s": 900.0 * abs(i - j)}
            for i in range(n_units)
            for j in range(n_units)
            if abs(i - j) <= 1
        ]
    )
    truck = pd.DataFrame(
        [
            {"point_id": f"p{j}", "centre_id": c, "travel_s": 600.0 + 100.0 * d}
            for j in range(n_units)
            for c, d in (("c-west", j), ("c-east", n_units - 1 - j))
        ]
    )
    return ModelInput(demand, points, centres, walk, truck)


def test_a_number_of_points_chooses_them_by_maximal_covering_and_the_centres_after():
    data = _line()
    config = Config().with_options(points=2)
    solution = solve_network(data, config)
    assert solution.model == "maximal covering (points), set covering (centres)"
    assert solution.status == "optimal"
    points = solution.open_sites[Tier.RECYCLING_POINT]
    assert len(points) == 2
    assert solution.objective == 6000.0  # two points, each reaching three units
    # One centre reaches every point within the truck standard: the fewest centres.
    assert len(solution.open_sites[Tier.SORTING_CENTRE]) == 1
    links = solution.assignments[Tier.SORTING_CENTRE]
    assert set(links["origin_id"]) == set(points)


def test_a_number_of_centres_takes_the_p_median_weighted_by_households_served():
    data = _line()
    config = Config().with_options(coverage=1.0, centres=2)
    solution = solve_network(data, config)
    assert solution.model == "set covering (points), p-median (centres)"
    assert sorted(solution.open_sites[Tier.SORTING_CENTRE]) == ["c-east", "c-west"]
    links = solution.assignments[Tier.SORTING_CENTRE].set_index("origin_id")["site_id"]
    # Every point delivers to the nearer end.
    for point, centre in links.items():
        j = int(point[1:])
        assert centre == ("c-west" if j < 3 else "c-east")


def test_a_centre_capacity_places_the_centres_for_the_points_loads():
    data = _line()
    config = Config().override({"centres.capacity_t_day": 2.0}).with_options(coverage=1.0)
    solution = solve_network(data, config)
    assert solution.model == "set covering (points), centres (capacitated, single source)"
    # 3 t/day of recyclables need both centres at 2 t/day each.
    assert sorted(solution.open_sites[Tier.SORTING_CENTRE]) == ["c-east", "c-west"]
    flows = solution.assignments[Tier.SORTING_CENTRE].groupby("site_id")["flow"].sum()
    assert (flows <= 2.0 + 1e-6).all() and flows.sum() == pytest.approx(3.0)


def test_without_targets_the_household_standard_sets_the_points():
    """Wanxiu's 94,521 households, urban ones at 2,000 and rural ones at 2,500 per point:
    46 points, most coverage."""
    plan = optimize_city("万秀区", config=Config())
    assert standard_points(plan.demand, Config().points) == 46
    assert len(plan.chosen_points) == 46
    assert plan.provenance["standards"]["targets"]["points"] == 46
    # 46 points reach most of the district's households within the standard, not all.
    assert 0.5 < plan.metrics["coverage"] < 1.0


def test_a_site_lists_capacities_are_honoured_on_every_tier():
    plan = optimize_city(
        AREA,
        sites=TEST_DATA / "helsinki_sites_capacity.csv",
        demand=DEMAND,
        pbf=PBF,
        config=HELSINKI,
    )
    assert plan.metrics["model"].startswith("set covering within the points' capacities")
    assert plan.metrics["coverage"] >= 0.8
    points = plan.chosen_points
    assert (points["households_served"] <= points["capacity"] + 1e-6).all()
    assert (points["points"] == 1).all()
    centre = plan.chosen_centres.iloc[0]
    assert centre["households_served"] == pytest.approx(points["households_served"].sum())
    # The centre's load is the recyclables of the households it serves, in tonnes per day.
    assert 0 < centre["load"] < centre["households_served"] / 1000


def test_a_number_of_centres_serves_every_point():
    plan = optimize_city("万秀区", config=Config().with_options(centres=2))
    assert plan.metrics["centres"] == 2
    assert "p-median (centres)" in plan.metrics["model"]
    assert set(plan.links["point_id"]) == set(plan.chosen_points["site_id"])
    assert (plan.links["travel_s"] <= 45 * 60).all()


def _townships_case():
    """Three townships: A (county 1) has a site reaching 800 of its households, B (county 1)
    one reaching 300, C (county 2) none; county 1 has 6,000 rural households."""
    demand = pd.DataFrame(
        {
            "demand_id": ["a1", "a2", "b1", "b2", "c1"],
            "households": [800.0, 2200.0, 300.0, 2700.0, 400.0],
            "setting": ["rural"] * 5,
            "county_adcode": [1, 1, 1, 1, 2],
            "township_code": ["A", "A", "B", "B", "C"],
            "township_name": ["甲", "甲", "乙", "乙", "丙"],
        }
    )
    points = pd.DataFrame(
        {
            "site_id": ["sa", "sa2", "sb", "sx"],
            "status": [SiteStatus.CANDIDATE] * 4,
            "county_adcode": [1, 1, 1, 2],
            "township_code": ["A", "A", "B", ""],
        }
    )
    # sa2 stands in A but reaches only B's households: it is no site of A's.
    walk = pd.DataFrame(
        {"demand_id": ["a1", "b1", "b1", "c1"], "site_id": ["sa", "sb", "sa2", "sx"]}
    )
    return demand, points, walk


def test_township_needs_owe_a_point_where_one_pays_and_mobile_collection_elsewhere():
    demand, points, walk = _townships_case()
    needs = township_needs(demand, points, walk, Config())
    table = needs.table.set_index("township_code")
    assert list(table["reach"]) == [800.0, 300.0, 0.0]
    assert list(table["fixed"]) == [True, False, False]
    assert list(table["reason"]) == ["", "too_few", "no_site"]
    assert list(table["households"]) == [3000.0, 3000.0, 400.0]
    groups = needs.groups
    assert list(groups.names) == ["A"] and list(groups.members(0)) == [0]
    assert needs.needed == 1
    # A lower threshold makes B's point pay; the county quota adds county 1's 3 points.
    config = Config().override(
        {"points.mobile_below_households": 200, "targets.county_quota": True}
    )
    needs = township_needs(demand, points, walk, config)
    assert list(needs.table["fixed"]) == [True, True, False]
    assert dict(zip(needs.groups.names, needs.groups.minimum, strict=True)) == {
        1: 3,
        2: 1,
        "A": 1,
        "B": 1,
    }
    assert needs.needed == 4  # three in county 1 (A's, B's and one more), one in county 2
    off = Config().with_options(township_minimum=False)
    assert township_needs(demand, points, walk, off).groups is None


def test_the_point_target_rises_to_what_the_minimums_need():
    demand, _, _ = _townships_case()
    points = pd.DataFrame({"status": [SiteStatus.CANDIDATE] * 8})
    said: list[str] = []
    config = with_point_target(Config(), demand, points, said.append, needed=6)
    assert config.targets.points == 6  # the standard asks for 4 (3 in county 1, 1 in 2)
    assert "raised from 4" in said[0] and "township minimum" in said[0]
    with pytest.raises(InfeasibleProblemError, match="--points 2 is below the 6"):
        with_point_target(Config().with_options(points=2), demand, points, said.append, 6)


def test_every_tier_of_a_list_is_planned_within_its_capacities():
    """A list with collection markets (集散市场, "collection market"), sorting centres and a
    processing base (处理基地): points deliver to markets, markets to centres, centres to the
    base; the list's capacities hold where given (the depot's 1.2 t/day, a market's 1.5 t/day
    and two points' 3,000 households), the standards' elsewhere, and no site is loaded over
    its capacity."""
    plan = optimize_city(
        AREA, sites=TEST_DATA / "helsinki_sites_tiers.csv", demand=DEMAND, pbf=PBF, config=HELSINKI
    )
    sites = plan.sites.set_index("site_id")
    chosen = sites[sites["chosen"]]
    assert set(chosen["tier"]) == {
        Tier.RECYCLING_POINT,
        Tier.COLLECTION_MARKET,
        Tier.SORTING_CENTRE,
        Tier.PROCESSING_BASE,
    }
    assert (
        "markets (capacitated" in plan.metrics["model"]
        and "bases (capacitated" in plan.metrics["model"]
    )
    assert sites.loc["C-depot", "capacity"] == 1.2 and sites.loc["M-hakaniemi", "capacity"] == 1.5
    assert sites.loc["P-market", "capacity"] == 3000 and np.isinf(sites.loc["P-kamppi", "capacity"])
    assert (chosen["load"] <= chosen["capacity"] * (1 + 1e-6)).all()
    links = plan.links
    up = dict(zip(links["point_id"], links["centre_id"], strict=True))
    for site_id, row in chosen.iterrows():
        if row["tier"] != Tier.PROCESSING_BASE:  # the next tier up: point, market, centre, base
            assert TIERS.index(sites.loc[up[site_id], "tier"]) == TIERS.index(row["tier"]) + 1
    # Loads add up the tiers: every market's tonnes reach a centre, every centre's the base.
    total = chosen.loc[chosen["tier"] == Tier.RECYCLING_POINT, "load_t_day"].sum()
    for tier in (Tier.COLLECTION_MARKET, Tier.SORTING_CENTRE, Tier.PROCESSING_BASE):
        assert chosen.loc[chosen["tier"] == tier, "load_t_day"].sum() == pytest.approx(total)
    assert set(plan.metrics["tiers"]) == {str(t) for t in chosen["tier"].unique()}


def test_a_point_no_centre_can_take_is_left_out_and_the_points_chosen_again():
    """Two points cover the six units only as p1 and p4, but p4 reaches only the east centre,
    whose 1 t/day cannot take p4's 1.5 t: the centres' stage finds it unservable, the points
    are chosen again without it, and the plan covers what the capacities allow (five units)
    with every point's load on a centre with room."""
    data = _line()
    truck = data.truck
    only_east = (truck["point_id"] == "p4") & (truck["centre_id"] == "c-west")
    others_west = truck["point_id"].isin(["p3", "p5"]) & (truck["centre_id"] == "c-east")
    centres = data.centres.assign(capacity=[10.0, 1.0])  # c-west, c-east
    data = dataclasses.replace(data, truck=truck[~only_east & ~others_west], centres=centres)
    uncapacitated = solve_network(_line(), Config().with_options(points=2))
    assert sorted(uncapacitated.open_sites[Tier.RECYCLING_POINT]) == ["p1", "p4"]
    solution = solve_network(data, Config().with_options(points=2))
    points = solution.open_sites[Tier.RECYCLING_POINT]
    assert "p4" not in points and len(points) == 2
    assert solution.parts[Tier.RECYCLING_POINT].objective == 5000.0  # five units of 1,000
    flows = solution.assignments[Tier.SORTING_CENTRE].groupby("site_id")["flow"].sum()
    assert (flows <= centres.set_index("site_id")["capacity"].reindex(flows.index) + 1e-9).all()
