"""Phases of building: parsed and checked, solved nested, phased sites and figures."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from click.testing import CliRunner

from gxnet._errors import InputFileError, UserInputError
from gxnet.cli import cli
from gxnet.config import Config, load_config
from gxnet.crs import from_wgs84
from gxnet.phases import Phase, check_phases, parse_phase
from gxnet.pipeline import plan_city, prepare_city, resolve_plan
from gxnet.plan import Plan
from gxnet.tiers import Tier

COUNTY = "蒙山县"  # 9 townships, 6 of them owed a point; 26 points by the household standard


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


@pytest.fixture(scope="module")
def inputs():
    return prepare_city(COUNTY, config=Config())


def test_phases_are_read_as_the_planner_writes_them():
    assert parse_phase("2023:1000") == Phase("2023", 1000)
    assert parse_phase(" 2025 : Standard ") == Phase("2025", None)
    assert parse_phase({"name": "近期", "points": 40}) == Phase("近期", 40)
    assert str(Phase("2025", None)) == "2025:standard"
    for bad in ("2023", "2023:", ":100", "2023:0", "2023:1.5", "2023:many"):
        with pytest.raises(UserInputError, match="phase"):
            parse_phase(bad)
    with pytest.raises(UserInputError, match="fewer points than 2023:100"):
        check_phases([Phase("2023", 100), Phase("2025", 50)])
    with pytest.raises(UserInputError, match="must be the last phase"):
        check_phases([Phase("2023", None), Phase("2025", 50)])
    with pytest.raises(UserInputError, match="appears twice"):
        check_phases([Phase("2023", 10), Phase("2023", 20)])


def test_phases_come_from_gxnet_toml(tmp_path):
    path = tmp_path / "gxnet.toml"
    path.write_text(
        '[[phases]]\nname = "2023"\npoints = 8\n\n[[phases]]\nname = "2025"\npoints = "standard"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.phases == ("2023:8", "2025:standard")
    assert [parse_phase(p) for p in config.phases] == [Phase("2023", 8), Phase("2025", None)]
    assert load_config(tmp_path / "gxnet.toml").to_toml().count("[[phases]]") == 2
    path.write_text('[[phases]]\nname = "2023"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"phases\[1\]"):
        load_config(path)


def test_an_earlier_phase_is_a_subset_of_the_later_one(inputs):
    plan = plan_city(inputs, phases=[Phase("2023", 8), Phase("2024", 15), Phase("2025", None)])
    sites = plan.sites[plan.sites["chosen"]]
    points = sites[sites["tier"] == Tier.RECYCLING_POINT]
    assert points["phase"].value_counts().to_dict() == {"2023": 8, "2024": 7, "2025": 11}
    figures = plan.metrics["phases"]
    assert [f["points"] for f in figures] == [8, 15, 26]
    assert [f["new_points"] for f in figures] == [8, 7, 11]
    covered = [f["households_covered"] for f in figures]
    assert covered == sorted(covered) and covered[-1] == plan.metrics["households_covered"]
    # Each phase alone, solved with the one before it required, never drops a site.
    first = plan_city(inputs, phases=[Phase("2023", 8)])
    first_ids = set(first.sites.loc[first.sites["chosen"] & (first.sites["tier"] ==
                    Tier.RECYCLING_POINT), "site_id"])  # fmt: skip
    assert first_ids == set(points.loc[points["phase"] == "2023", "site_id"])
    # A centre opens in the earliest phase of the points it serves.
    order = {"2023": 0, "2024": 1, "2025": 2}
    point_phase = points.set_index("site_id")["phase"].map(order)
    earliest = plan.links.groupby("centre_id")["point_id"].agg(lambda p: point_phase[p].min())
    centres = sites[sites["tier"] == Tier.SORTING_CENTRE].set_index("site_id")["phase"]
    assert centres.map(order).to_dict() == earliest.to_dict()
    assert plan.provenance["phases"] == ["2023:8", "2024:15", "2025:standard"]


def test_a_phase_below_the_township_minimum_leaves_the_townships_that_reach_least(inputs):
    plan = plan_city(inputs, phases=[Phase("2023", 3)])
    towns = plan.townships
    budget = towns[towns["reason"] == "budget"]
    assert len(budget) == 3 and budget["mobile"].all()
    kept = towns[~towns["mobile"]]
    assert budget["reach"].max() <= kept["reach"].min()
    # The same count as a region's share (fit) rather than a planner's --points.
    config = dataclasses.replace(Config(), targets=dataclasses.replace(Config().targets, points=3))
    fitted = plan_city(inputs, config, fit=True)
    assert fitted.metrics["point_sites"] == 3
    assert set(
        fitted.townships.loc[fitted.townships["reason"] == "budget", "township_code"]
    ) == set(budget["township_code"])


def test_the_cli_plans_phases_for_one_city(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["optimize", "--city", COUNTY, "--phase", "2023:6", "--phase", "2025:standard",
         "--basemap", "none", "--out", str(tmp_path)],
        env={"GXNET_LANG": "en"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "phase 2023: 6 point sites (+6)" in result.stdout
    assert "phase 2025: 26 point sites (+20)" in result.stdout
    plan = Plan.load(tmp_path / "plans" / "mengshan")
    assert set(plan.sites.loc[plan.sites["chosen"], "phase"]) == {"2023", "2025"}
    html = (tmp_path / "maps" / "mengshan.html").read_text(encoding="utf-8")
    assert 'gx.sites("phase:2023"' in html and 'gx.sites("phase:2025"' in html
    bad = CliRunner().invoke(cli, ["optimize", "--city", COUNTY, "--phase", "2023"])
    assert bad.exit_code == 2 and "NAME:COUNT" in bad.output
    bad = CliRunner().invoke(
        cli, ["optimize", "--city", COUNTY, "--phase", "2023"], env={"GXNET_LANG": "zh"}
    )
    assert bad.exit_code == 2 and "名称:数量" in bad.output
    wrong = CliRunner().invoke(cli, ["optimize", "--city", COUNTY, "--workers", "2"])
    assert wrong.exit_code == 2 and "--city guangxi" in wrong.output


def test_a_resolve_keeps_the_phases_nested(inputs, tmp_path):
    plan = plan_city(inputs, phases=[Phase("2023", 6), Phase("2025", None)])
    points = plan.sites[plan.sites["tier"] == Tier.RECYCLING_POINT]
    listed = points[points["chosen"] | (points.index % 3 == 0)]
    gcj = from_wgs84(listed.geometry, "gcj02")
    path = tmp_path / "new.csv"
    pd.DataFrame(
        {"编号": listed["site_id"], "经度": gcj.x.round(6), "纬度": gcj.y.round(6)}
    ).to_csv(path, index=False)
    new = resolve_plan(plan, path)
    assert new.provenance["phases"] == ["2023:6", "2025:standard"]
    chosen = new.sites[new.sites["chosen"] & (new.sites["tier"] == Tier.RECYCLING_POINT)]
    assert (chosen["phase"] == "2023").sum() == 6
    assert [f["points"] for f in new.metrics["phases"]] == [6, len(chosen)]
    # The old plan's first-phase sites stay first where the new list keeps them.
    old_first = set(points.loc[points["chosen"] & (points["phase"] == "2023"), "site_id"])
    assert old_first == set(chosen.loc[chosen["phase"] == "2023", "site_id"])
