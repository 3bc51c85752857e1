"""The price of a change: a re-solve keeps an old site unless a replacement is clearly better;
the configuration of a re-solve re-derives the targets the old plan derived."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from gxnet.change import change_bonus, closing_reasons, with_change_price
from gxnet.config import Config
from gxnet.model_choice import ModelInput, solve_network
from gxnet.pipeline import config_of, resolve_config
from gxnet.plan import Plan
from gxnet.tiers import SiteStatus, Tier


def _choice(old_covers: float, new_covers: float, penalty: float, **targets) -> set[str]:
    """One point to open: "old" (chosen by the previous plan, serving ``old_covers``) or
    "new" (``new_covers`` households); which one does the re-solve open?"""
    demand = pd.DataFrame({"demand_id": ["a", "b"], "households": [old_covers, new_covers]})
    points = _sites(["old", "new"], Tier.RECYCLING_POINT, np.inf, 1.0)
    centres = _sites(["c"], Tier.SORTING_CENTRE, np.inf, 100.0)
    walk = pd.DataFrame({"demand_id": ["a", "b"], "site_id": ["old", "new"], "travel_s": 60.0})
    truck = pd.DataFrame({"point_id": ["old", "new"], "centre_id": "c", "travel_s": 600.0})
    config = Config().with_options(change_penalty=penalty, **targets)
    data = ModelInput(demand, points, centres, walk, truck)
    previous = _plan_with(points.assign(chosen=[True, False], households_served=[old_covers, 0]))
    bonus = change_bonus(previous, points, config.resolve.change_penalty)
    solution = solve_network(with_change_price(data, bonus, config), config)
    return set(solution.open_sites[Tier.RECYCLING_POINT])


def _sites(ids: list[str], tier: Tier, capacity: float, fixed_cost) -> pd.DataFrame:
    """Candidate sites of one tier."""
    return pd.DataFrame(
        {
            "site_id": ids,
            "tier": tier,
            "status": SiteStatus.CANDIDATE,
            "capacity": capacity,
            "fixed_cost": fixed_cost,
        }
    )


def _plan_with(sites: pd.DataFrame) -> Plan:
    geometry = [Point(111.0 + 0.01 * k, 23.5) for k in range(len(sites))]
    filled = {"name": sites["site_id"], "load": 0.0, "tier": Tier.RECYCLING_POINT, "capacity": 1.0}
    frame = gpd.GeoDataFrame(
        sites.assign(**{k: v for k, v in filled.items() if k not in sites}), geometry=geometry
    )
    empty = pd.DataFrame({c: [] for c in ("demand_id", "households", "population")})
    demand = gpd.GeoDataFrame(
        empty.assign(county_adcode=[], setting=[], point_id=[], travel_s=[], covered=[]),
        geometry=[],
    )
    links = gpd.GeoDataFrame({"point_id": [], "centre_id": [], "travel_s": []}, geometry=[])
    return Plan(frame, demand, links, gpd.GeoDataFrame(geometry=[]))


@pytest.mark.parametrize(
    ("old", "new", "penalty", "opened"),
    [
        (100.0, 105.0, 0.1, {"old"}),  # 5 % more is not worth a change at 10 %
        (100.0, 115.0, 0.1, {"new"}),  # 15 % more is
        (100.0, 105.0, 0.0, {"new"}),  # no price: the best plan, whatever it was
        (100.0, 150.0, 1.0, {"old"}),  # a change must double the households
    ],
)
def test_a_replacement_must_serve_more_than_the_price(old, new, penalty, opened):
    assert _choice(old, new, penalty, points=1) == opened


def test_with_a_coverage_target_fewest_points_first_then_the_old_sites():
    # Either point meets a 40 % coverage: the old one stays, however much more the new covers.
    assert _choice(100.0, 140.0, 0.1, coverage=0.4) == {"old"}
    # Only the new one meets 55 %: it opens.
    assert _choice(100.0, 140.0, 0.1, coverage=0.55) == {"new"}


def test_only_candidates_of_the_new_list_earn_the_bonus():
    sites = pd.DataFrame(
        {
            "site_id": ["a", "b", "c"],
            "status": [SiteStatus.CANDIDATE, SiteStatus.EXISTING, SiteStatus.CANDIDATE],
            "chosen": [True, True, False],
            "households_served": [2000.0, 1500.0, 0.0],
        }
    )
    bonus = change_bonus(_plan_with(sites), sites.drop(columns="chosen"), 0.1)
    assert bonus.to_dict() == {"a": 200.0}  # b is open anyway, c was not chosen


def test_closing_reasons_name_withdrawn_and_excluded_sites():
    old = pd.DataFrame(
        {
            "site_id": ["a", "b", "g-1", "d"],
            "status": SiteStatus.CANDIDATE,
            "chosen": True,
            "households_served": 1.0,
            "source": ["file", "file", "grid", "file"],
        }
    )
    new = pd.DataFrame({"site_id": ["d"]})
    reasons = closing_reasons(_plan_with(old), new, excluded=["b"])
    assert {site: str(reason) for site, reason in reasons.items()} == {
        "a": "withdrawn: not in the new list",
        "b": "withdrawn: marked excluded (排除) in the new list",
        "g-1": "no longer a candidate: the new list replaces the grid sites",
    }
    assert {site: reason.word("zh") for site, reason in reasons.items()} == {
        "a": "撤销：新站点表中没有此站点",
        "b": "撤销：新站点表中标为排除",
        "g-1": "不再是候选站点：新站点表取代了 grid 站点",
    }


def _recorded(targets: dict, sources: dict) -> Plan:
    plan = _plan_with(
        pd.DataFrame({"site_id": [], "status": [], "chosen": [], "households_served": []})
    )
    standards = Config().to_dict()
    standards["targets"].update(targets)
    standards["points"]["service_radius_m_urban"] = 700.0
    plan.provenance.update(
        standards=standards,
        targets={k: {"value": v, "source": sources[k]} for k, v in targets.items()},
    )
    return plan


def test_a_derived_number_of_points_is_derived_again_and_a_given_one_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    derived = config_of(_recorded({"points": 46}, {"points": "derived"}))
    assert derived.targets.points is None and derived.targets.coverage is None
    assert derived.points.service_radius_m_urban == 700.0  # the plan's standards
    given = config_of(
        _recorded({"points": 40, "centres": 2}, {"points": "explicit", "centres": "explicit"})
    )
    assert (given.targets.points, given.targets.centres) == (40, 2)
    plan = _recorded({"points": 40}, {"points": "explicit"})
    # gxnet.toml, then the flags, override the plan's
    (tmp_path / "gxnet.toml").write_text("[targets]\ncoverage = 0.9\n", encoding="utf-8")
    from_file = resolve_config(plan)
    assert (from_file.targets.points, from_file.targets.coverage) == (None, 0.9)
    flagged = resolve_config(plan, points=55, change_penalty=0.3)
    assert (flagged.targets.points, flagged.targets.coverage) == (55, None)
    assert flagged.resolve.change_penalty == 0.3
    assert flagged.points.service_radius_m_urban == 700.0


@pytest.mark.parametrize(("new_cost", "opened"), [(99.98, {"c-old"}), (99.9, {"c-new"})])
def test_a_capacitated_centre_is_kept_unless_a_replacement_saves_more_than_the_price(
    new_cost, opened
):
    """With capacities the centres are placed by capacitated facility location, where fixed
    costs decide: the old centre's bonus (10 % of its 1,000 households, priced at a point per
    2,000 households: 0.05) keeps it against a centre 0.02 cheaper, not against one 0.1
    cheaper. The point, the only one, stays open either way."""
    demand = pd.DataFrame(
        {"demand_id": ["a"], "households": [1000.0], "recyclables_kg_day": [2000.0]}
    )
    points = _sites(["p"], Tier.RECYCLING_POINT, np.inf, 1.0)
    centres = _sites(["c-old", "c-new"], Tier.SORTING_CENTRE, 10.0, [100.0, new_cost])
    walk = pd.DataFrame({"demand_id": ["a"], "site_id": ["p"], "travel_s": 60.0})
    truck = pd.DataFrame({"point_id": "p", "centre_id": ["c-old", "c-new"], "travel_s": 600.0})
    config = Config().with_options(points=1)
    data = ModelInput(demand, points, centres, walk, truck)
    old = centres.assign(chosen=[True, False], households_served=[1000.0, 0.0])
    bonus = change_bonus(_plan_with(old), centres, config.resolve.change_penalty)
    assert bonus.to_dict() == {"c-old": 100.0}
    unpriced = solve_network(data, config)
    assert unpriced.open_sites[Tier.SORTING_CENTRE] == ["c-new"]
    solution = solve_network(with_change_price(data, bonus, config), config)
    assert set(solution.open_sites[Tier.SORTING_CENTRE]) == opened
    assert solution.open_sites[Tier.RECYCLING_POINT] == ["p"]


def test_a_preferred_point_keeps_its_whole_capacity_for_households():
    """The preference of a re-solve is a unit of demand only the old point covers; it must not
    take a share of that point's capacity (here 100 households, all of them real)."""
    demand = pd.DataFrame({"demand_id": ["a"], "households": [100.0]})
    points = _sites(["old", "new"], Tier.RECYCLING_POINT, 100.0, 1.0)
    centres = _sites(["c"], Tier.SORTING_CENTRE, np.inf, 100.0)
    walk = pd.DataFrame({"demand_id": "a", "site_id": ["old", "new"], "travel_s": [60.0, 90.0]})
    truck = pd.DataFrame({"point_id": ["old", "new"], "centre_id": "c", "travel_s": 600.0})
    config = Config().with_options(points=1)
    data = ModelInput(demand, points, centres, walk, truck)
    previous = _plan_with(points.assign(chosen=[True, False], households_served=[100.0, 0.0]))
    bonus = change_bonus(previous, points, config.resolve.change_penalty)
    assert bonus.to_dict() == {"old": 10.0}
    solution = solve_network(with_change_price(data, bonus, config), config)
    assert solution.open_sites[Tier.RECYCLING_POINT] == ["old"]
    served = solution.assignments[Tier.RECYCLING_POINT].set_index("origin_id")
    assert served.loc["a", "site_id"] == "old" and served.loc["a", "share"] == pytest.approx(1.0)
