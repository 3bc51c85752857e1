"""Speeds: maxspeed parsing in the forms OSM uses, class defaults, vehicle caps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gxnet.osm import speeds
from gxnet.osm.speeds import mode_speed_mps, parse_maxspeed, parse_maxspeed_value


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("60", 60.0),
        (" 45.5 ", 45.5),
        ("80 km/h", 80.0),
        ("30 mph", 30 * 1.609344),
        ("20mph", 20 * 1.609344),
        ("50;60", 50.0),
        ("60; 40", 40.0),
        ("CN:urban", 50.0),
        ("CN:rural", 70.0),
        ("CN:motorway", 120.0),
        ("walk", 5.0),
        ("none", None),
        ("signals", None),
        ("fast", None),
        ("0", None),
        ("", None),
        ("CN:nonsense", None),
        (None, None),
        (60, None),
    ],
)
def test_parse_maxspeed_value(value: object, kmh: float | None) -> None:
    got = parse_maxspeed_value(value)
    assert (got is None and kmh is None) or math.isclose(got, kmh)


def test_parse_maxspeed_maps_each_distinct_value_back_onto_every_way() -> None:
    got = parse_maxspeed(["30", None, "30", "30 mph", "garbage", None])
    np.testing.assert_allclose(got, [30, np.nan, 30, 48.28032, np.nan, np.nan])


def test_trucks_use_posted_limit_else_class_default_capped() -> None:
    mps = mode_speed_mps(
        "drive",
        ["residential", "trunk", "motorway", "motorway", "primary", "weird_class"],
        [None, None, None, "120", "40", None],
    )
    cap = speeds.TRUCK_MAX_KMH
    expected_kmh = [25.0, 80.0, cap, cap, 40.0, speeds.DRIVE_KMH["road"]]
    np.testing.assert_allclose(mps * 3.6, expected_kmh)


def test_tricycles_are_capped_lower_than_trucks() -> None:
    mps = mode_speed_mps("tricycle", ["primary", "residential", "track"], ["70", None, None])
    np.testing.assert_allclose(mps * 3.6, [speeds.TRICYCLE_MAX_KMH, 25.0, 15.0])


def test_walking_is_constant_whatever_the_road() -> None:
    mps = mode_speed_mps("walk", ["primary", "footway", "steps"], ["70", None, None])
    np.testing.assert_array_equal(mps, [speeds.WALK_MPS] * 3)
    assert 1.2 <= speeds.WALK_MPS <= 1.4


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="bike"):
        mode_speed_mps("bike", ["primary"], [None])


def test_speed_table_version_follows_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    before = speeds.speed_table_version()
    monkeypatch.setitem(speeds.DRIVE_KMH, "residential", 30.0)
    assert speeds.speed_table_version() != before
    monkeypatch.setattr(speeds, "WALK_MPS", 1.3)
    monkeypatch.setitem(speeds.DRIVE_KMH, "residential", 25.0)
    assert speeds.speed_table_version() != before
