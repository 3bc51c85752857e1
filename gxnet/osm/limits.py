"""Signed limits of OSM ways (weight, height, width, length) and the truck they are read against.

A way signed ``maxweight=7.5`` or ``maxheight=3.2`` is closed to the collection truck when the
truck is heavier or taller (``gxnet.settings.truck_weight_t`` and friends). Values follow the OSM
wiki (Key:maxweight, Key:maxheight): a bare number is tonnes or metres; ``t``, ``kg``, ``lbs``,
``st`` (short tons), ``lt`` (long tons), ``m``, ``cm``, ``ft`` and feet-and-inches (``12'6"``)
are converted; several values (``3.5;4``) give the lowest, as every sign must be obeyed; words
(``none``, ``default``, ``below_default``, ``unsigned``) and anything unreadable give no limit.
Each distinct value is parsed once, then mapped onto all ways.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gxnet import settings

_NUMBER = r"(\d+(?:\.\d+)?)"
_TONNES = {"": 1.0, "t": 1.0, "kg": 1e-3, "lbs": 0.45359237e-3, "lb": 0.45359237e-3,
           "st": 0.90718474, "lt": 1.0160469088}  # fmt: skip
_METRES = {"": 1.0, "m": 1.0, "cm": 0.01, "ft": 0.3048}
_FEET_INCHES = re.compile(r"^(\d+(?:\.\d+)?)\s*'\s*(?:(\d+(?:\.\d+)?)\s*\")?$")


def _parse(value: str, units: dict[str, float]) -> float | None:
    """The lowest of the ``;``-separated values, in the unit of ``units``; None if none reads."""
    found = []
    for part in str(value).lower().split(";"):
        part = part.strip()
        if "." not in part:
            part = part.replace(",", ".")  # a decimal comma, "7,5"
        feet = _FEET_INCHES.match(part)
        if feet and "ft" in units:
            inches = float(feet.group(2) or 0)
            found.append((float(feet.group(1)) * 12 + inches) * 0.0254)
            continue
        match = re.fullmatch(_NUMBER + r"\s*([a-z]*)", part)
        if match and match.group(2) in units and float(match.group(1)) > 0:
            found.append(float(match.group(1)) * units[match.group(2)])
    return min(found) if found else None


def parse_weight_t(value: str) -> float | None:
    """A ``maxweight`` value in tonnes (``"7.5"``, ``"7500 kg"``, ``"10 st"``), or None."""
    return _parse(value, _TONNES)


def parse_length_m(value: str) -> float | None:
    """A ``maxheight``/``maxwidth``/``maxlength`` value in metres (``"3.2"``, ``"12'6\\""``),
    or None."""
    return _parse(value, _METRES)


#: Limit tags, the truck dimension (a ``gxnet.settings`` attribute) each is read against, and
#: its parser. ``maxweight:hgv`` is the weight limit for heavy goods vehicles only.
LIMIT_TAGS: dict[str, tuple[str, object]] = {
    "maxweight": ("truck_weight_t", parse_weight_t),
    "maxweight:hgv": ("truck_weight_t", parse_weight_t),
    "maxheight": ("truck_height_m", parse_length_m),
    "maxwidth": ("truck_width_m", parse_length_m),
    "maxlength": ("truck_length_m", parse_length_m),
}


def truck() -> dict[str, float]:
    """The truck's dimensions as set now (``gxnet.settings``), by settings name."""
    return {name: float(getattr(settings, name)) for name, _ in LIMIT_TAGS.values()}


def parse_limits(values: pd.Series, parser) -> np.ndarray:
    """Parse a column of limit values (None where untagged) to floats, NaN where no limit."""
    text = values.astype("string")
    out = np.full(len(values), np.nan)
    present = text.notna().to_numpy()
    if present.any():
        codes, uniques = pd.factorize(text[present])
        parsed = np.array([parser(u) for u in uniques], dtype=float)  # None -> nan
        out[present] = parsed[codes]
    return out


def truck_barred(tags: pd.DataFrame) -> np.ndarray:
    """Ways whose signed weight, height, width or length is below the truck's (a boolean mask).

    A limit equal to the truck's admits it; a way without limits, or with unreadable ones, is
    open.
    """
    dims = truck()
    barred = np.zeros(len(tags), dtype=bool)
    for tag, (dimension, parser) in LIMIT_TAGS.items():
        limit = parse_limits(tags[tag], parser)
        with np.errstate(invalid="ignore"):
            barred |= limit < dims[dimension]
    return barred
