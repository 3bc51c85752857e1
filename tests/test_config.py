"""Planning standards: cited defaults, gxnet.toml, command-line options, and bad files."""

from __future__ import annotations

import math

import pytest

from gxnet._errors import InputFileError, UserInputError
from gxnet.config import GUANGXI_HOUSEHOLD_SIZE, Config, load_config


def test_defaults_follow_the_standards():
    c = Config()
    assert c.points.households_per_point_urban == 2000
    assert c.points.households_per_point_rural == 2500
    assert 500 <= c.points.service_radius_m_urban <= 1000
    assert c.points.min_floor_area_m2 == 10 and c.centres.min_floor_area_m2 == 500
    assert 1.2 <= c.costs.detour_factor <= 1.4
    assert c.targets.coverage is None and c.targets.points is None
    assert math.isinf(c.centres.capacity_t_day)


def test_working_folder_toml_is_read(tmp_path, monkeypatch):
    (tmp_path / "gxnet.toml").write_text(
        "[points]\nhouseholds_per_point_urban = 1500\n[targets]\npoints = 70\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    c = load_config()
    assert c.points.households_per_point_urban == 1500 and c.targets.points == 70
    assert c.points.households_per_point_rural == 2500


def test_no_toml_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config() == Config()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[points]\nhouses = 3\n", "field 'points.houses': unknown setting"),
        ("[roads]\nx = 1\n", "field 'roads': unknown section"),
        ("[points]\nservice_radius_m_urban = -5\n", "out of range: must be between"),
        ("[points]\nhouseholds_per_point_urban = 'many'\n", "expected a whole number"),
        ("[solver]\nname = 'gurobi'\n", "'gurobi' is not one of highs, cbc"),
        ("[targets]\ncoverage = 1.5\n", "field 'targets.coverage'"),
        ("[targets]\ntownship_minimum = 'yes'\n", "expected true or false, got 'yes'"),
        ("[demand]\nhousehold_size = 0\n", "field 'demand.household_size': 0.0 is out of range"),
        ("[points\n", "not valid TOML"),
    ],
)
def test_bad_files_name_file_and_key(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError, match="mine.toml") as err:
        load_config(path)
    assert message in str(err.value)


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(InputFileError, match="no such configuration file"):
        load_config(tmp_path / "absent.toml")


def test_toml_text_reads_back(tmp_path):
    c = Config().with_options(points=120, service_radius_m=800)
    path = tmp_path / "gxnet.toml"
    path.write_text(c.to_toml(), encoding="utf-8")
    assert load_config(path) == c


def test_options_turn_minutes_into_radii_and_swap_targets():
    c = Config().with_options(walk_minutes=10, rural_minutes=4, truck_minutes=30, points=50)
    assert c.points.service_radius_m_urban == pytest.approx(10 * 60 * 4.5 / 3.6)
    assert c.points.service_radius_m_rural == pytest.approx(4 * 60 * 15 / 3.6)
    assert c.centres.truck_minutes == 30
    assert c.targets.points == 50 and c.targets.coverage is None
    again = c.with_options(coverage=0.9)
    assert again.targets.points is None and again.targets.coverage == 0.9


def test_conflicting_options_are_refused():
    with pytest.raises(UserInputError, match="--points or --coverage"):
        Config().with_options(points=5, coverage=0.9)
    with pytest.raises(InputFileError, match="command line, field 'targets.coverage'"):
        Config().with_options(coverage=1.2)


def test_township_minimum_and_county_quota_from_toml_and_options(tmp_path):
    assert Config().targets.township_minimum is True and Config().targets.county_quota is False
    path = tmp_path / "gxnet.toml"
    path.write_text(
        "[targets]\ntownship_minimum = false\ncounty_quota = true\n"
        "[points]\nmobile_below_households = 300\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.targets.township_minimum, config.targets.county_quota) == (False, True)
    assert config.points.mobile_below_households == 300
    assert "township_minimum = false" in config.to_toml()
    again = config.with_options(township_minimum=True, county_quota=False)
    assert (again.targets.township_minimum, again.targets.county_quota) == (True, False)


def test_household_size_is_set_by_file_or_flag_and_said_with_its_source(tmp_path):
    assert Config().demand.household_size == GUANGXI_HOUSEHOLD_SIZE == 2.87
    said = Config().demand.household_size_said()
    assert str(said).startswith("2.87 persons per household (Guangxi's 2020 census figure, the")
    assert said.word("zh").startswith("每户 2.87 人（广西 2020 年人口普查数，默认值")
    path = tmp_path / "gxnet.toml"
    path.write_text("[demand]\nhousehold_size = 2.3\n", encoding="utf-8")
    assert load_config(path).demand.household_size == 2.3
    flagged = load_config(path).with_options(household_size=2.1)
    assert (
        str(flagged.demand.household_size_said())
        == "2.1 persons per household (as set for this plan)"
    )
    with pytest.raises(InputFileError, match="demand.household_size"):
        Config().with_options(household_size=25)
