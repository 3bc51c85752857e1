"""Signed limits of OSM ways read in tonnes and metres."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gxnet.osm.limits import parse_length_m, parse_limits, parse_weight_t


@pytest.mark.parametrize(
    ("value", "tonnes"),
    [
        ("7.5", 7.5),
        ("7,5", 7.5),
        ("10 t", 10.0),
        ("10t", 10.0),
        ("7500 kg", 7.5),
        ("20000 lbs", 9.0718474),
        ("5 st", 4.5359237),
        ("3;5.5", 3.0),
        ("none", None),
        ("default", None),
        ("unsigned", None),
        ("0", None),
        ("10 parsecs", None),
        ("", None),
    ],
)
def test_weights(value: str, tonnes: float | None) -> None:
    assert parse_weight_t(value) == (pytest.approx(tonnes) if tonnes is not None else None)


@pytest.mark.parametrize(
    ("value", "metres"),
    [
        ("3.5", 3.5),
        ("3.5 m", 3.5),
        ("3.5m", 3.5),
        ("350 cm", 3.5),
        ("12'6\"", 3.81),
        ("11'", 3.3528),
        ("13 ft", 3.9624),
        ("4;3.2", 3.2),
        ("below_default", None),
        ("physical", None),
        ("3.5 t", None),
    ],
)
def test_lengths(value: str, metres: float | None) -> None:
    assert parse_length_m(value) == (pytest.approx(metres) if metres is not None else None)


def test_a_column_is_parsed_once_per_value_with_nan_for_no_limit() -> None:
    column = pd.Series(["3.5", None, "none", "3.5", "2 m"], dtype=object)
    np.testing.assert_array_equal(
        parse_limits(column, parse_length_m), [3.5, np.nan, np.nan, 3.5, 2.0]
    )
