"""Plan assembly: each unit's point, each point's centre, loads, figures, counties, provenance."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from gxnet._errors import InfeasibleProblemError
from gxnet.assemble import assemble_plan
from gxnet.config import Config
from gxnet.optimize import Solution
from gxnet.study_area import study_area
from gxnet.tiers import SiteStatus, Tier


def _scenario():
    """Four units on a line outside Guangxi, three candidate points, two centres."""
    area = study_area(box(24.0, 60.0, 24.2, 60.1))
    lon = np.array([24.01, 24.02, 24.03, 24.04])
    demand = gpd.GeoDataFrame(
        {
            "demand_id": ["d0", "d1", "d2", "d3"],
            "households": [100.0, 200.0, 300.0, 400.0],
            "population": [250.0, 500.0, 750.0, 1000.0],
            "county_adcode": 0,
            "setting": ["urban", "urban", "rural", "rural"],
            "recyclables_kg_day": [10.0, 20.0, 30.0, 40.0],
        },
        geometry=gpd.points_from_xy(lon, np.full(4, 60.05)),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["p0", "p1", "p2", "c0", "c1"],
            "tier": [Tier.RECYCLING_POINT] * 3 + [Tier.SORTING_CENTRE] * 2,
            "status": [SiteStatus.EXISTING] + [SiteStatus.CANDIDATE] * 4,
            "capacity": np.inf,
            "fixed_cost": 1.0,
        },
        geometry=gpd.points_from_xy([24.01, 24.025, 24.04, 24.0, 24.05], np.full(5, 60.05)),
        crs="EPSG:4326",
    )
    walk = pd.DataFrame(
        {
            "demand_id": ["d0", "d1", "d1", "d2", "d2", "d3"],
            "site_id": ["p0", "p0", "p1", "p1", "p2", "p2"],
            "metres": [0.0, 600.0, 300.0, 300.0, 600.0, 0.0],
            "travel_s": [0.0, 480.0, 240.0, 72.0, 144.0, 0.0],
        }
    )
    truck = pd.DataFrame(
        {
            "point_id": ["p0", "p0", "p2", "p2"],
            "centre_id": ["c0", "c1", "c0", "c1"],
            "travel_s": [60.0, 600.0, 500.0, 90.0],
        }
    )
    return area, demand, sites, walk, truck


def _covering_solution() -> Solution:
    """What the covering pair returns: open sites, the points' nearest pairs, no flows."""
    return Solution(
        "optimal",
        1000.0,
        1000.0,
        0.0,
        open_sites={Tier.RECYCLING_POINT: ["p0", "p2"], Tier.SORTING_CENTRE: ["c0", "c1"]},
        solver="highs",
        model="set covering (points), set covering (centres)",
    )


def test_each_unit_goes_to_its_nearest_open_point_and_each_point_to_its_nearest_centre():
    area, demand, sites, walk, truck = _scenario()
    plan = assemble_plan(area, demand, sites, walk, truck, _covering_solution(), Config())
    point = plan.demand.set_index("demand_id")["point_id"]
    assert point.to_dict() == {"d0": "p0", "d1": "p0", "d2": "p2", "d3": "p2"}
    assert plan.demand["covered"].all()
    assert plan.links.set_index("point_id")["centre_id"].to_dict() == {"p0": "c0", "p2": "c1"}
    out = plan.sites.set_index("site_id")
    assert out.loc[["p0", "p1", "p2", "c0", "c1"], "chosen"].tolist() == [
        True,
        False,
        True,
        True,
        True,
    ]
    assert out.loc["p0", "households_served"] == 300.0
    assert out.loc["p2", "households_served"] == 700.0
    # A centre's load is the recyclables of the households behind it, in tonnes per day.
    assert out.loc["c0", "load"] == pytest.approx(0.03)
    assert out.loc["c1", "load"] == pytest.approx(0.07)
    assert out.loc["c1", "households_served"] == 700.0
    # Households over the standard's households per point (urban 2,000, rural 2,500): one each.
    assert out.loc["p0", "points"] == 1 and out.loc["p1", "points"] == 0
    assert out.loc["p0", "mean_travel_s"] == pytest.approx((0 * 100 + 480 * 200) / 300)
    assert plan.metrics["points_existing"] == 1 and plan.metrics["centres"] == 2
    assert plan.metrics["coverage"] == 1.0
    assert plan.metrics["model"] == "set covering (points), set covering (centres)"


def test_a_split_unit_counts_its_share_at_each_point():
    area, demand, sites, walk, truck = _scenario()
    split = pd.DataFrame(
        {
            "origin_id": ["d0", "d1", "d1", "d2"],
            "site_id": ["p0", "p0", "p1", "p1"],
            "cost": 0.0,
            "share": [1.0, 0.25, 0.75, 1.0],
        }
    )
    solution = Solution(
        "feasible",
        5.0,
        4.0,
        0.2,
        open_sites={Tier.RECYCLING_POINT: ["p0", "p1"], Tier.SORTING_CENTRE: ["c0"]},
        assignments={Tier.RECYCLING_POINT: split},
        solver="highs",
        model="two-tier network",
    )
    plan = assemble_plan(area, demand, sites, walk, truck, solution, Config())
    out = plan.sites.set_index("site_id")
    assert out.loc["p0", "households_served"] == pytest.approx(100 + 0.25 * 200)
    assert out.loc["p1", "households_served"] == pytest.approx(0.75 * 200 + 300)
    # A unit is mapped to its largest share; the model left d3 unserved (no open point in reach).
    point = plan.demand.set_index("demand_id")["point_id"]
    assert point.to_dict() == {"d0": "p0", "d1": "p1", "d2": "p1", "d3": ""}
    assert not plan.demand.set_index("demand_id").loc["d3", "covered"]
    # p1 has no truck pair to an open centre: it has no link.
    assert list(plan.links["point_id"]) == ["p0"]
    assert (plan.metrics["status"], plan.metrics["gap"]) == ("feasible", 0.2)


def test_an_area_outside_guangxi_is_its_own_county():
    area, demand, sites, walk, truck = _scenario()
    plan = assemble_plan(area, demand, sites, walk, truck, _covering_solution(), Config())
    assert len(plan.counties) == 1
    county = plan.counties.iloc[0]
    assert (county["name_zh"], county["households"], county["population"]) == (
        "study area",
        1000.0,
        2500.0,
    )
    assert plan.provenance["area"] == {"kind": "geometry"}
    assert plan.provenance["standards"] == Config().to_dict()
    assert plan.provenance["status"] == "optimal"


def test_no_plan_from_the_solver_says_what_to_relax():
    area, demand, sites, walk, truck = _scenario()
    with pytest.raises(InfeasibleProblemError, match=r"found no plan \(infeasible\); relax"):
        assemble_plan(
            area,
            demand,
            sites,
            walk,
            truck,
            Solution("infeasible", None, None, None),
            Config(),
        )
