"""Travel speeds per travel mode: OSM ``maxspeed`` where tagged, a cited table per highway class.

``maxspeed`` is parsed once per distinct value (a city has a few dozen), then mapped back onto
every way, so the cost does not grow with the number of ways. The tables below are the defaults
when a way has no usable ``maxspeed``; docs/osm.md gives the sources of each figure.

Change a figure here and :func:`speed_table_version` changes with it,
so every cached network built with the old figures is rebuilt, never silently reused.
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: Kilometres per hour in one mile per hour.
KMH_PER_MPH = 1.609344

#: Default free-flow speed (km/h) of a motor vehicle per OSM ``highway`` class, for roads
#: without ``maxspeed``. Urban classes follow the design speeds of CJJ 37-2012 (urban roads:
#: expressway 60-100, arterial 40-60, secondary arterial 30-50, branch 20-40 km/h); inter-urban
#: classes those of JTG B01-2014 (highways: expressway 80-120, class I 60-100, class II 60-80,
#: class III 30-40, class IV 20-30 km/h). Each figure sits inside its design range, at the
#: lower end where mixed traffic is usual.
DRIVE_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 50.0,
    "trunk": 80.0,
    "trunk_link": 40.0,
    "primary": 60.0,
    "primary_link": 30.0,
    "secondary": 50.0,
    "secondary_link": 30.0,
    "tertiary": 40.0,
    "tertiary_link": 25.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 25.0,
    "track": 15.0,
}

#: Highest speed of a closed box truck (km/h). The legal maximum for goods vehicles on an
#: expressway is 100 km/h (Road Traffic Safety Law implementing regulations, art. 78); a loaded
#: collection truck is planned 10 km/h below it.
TRUCK_MAX_KMH = 90.0

#: Highest speed of a motor tricycle (km/h). GB 7258 defines a 三轮汽车 by a design speed of at
#: most 50 km/h; loaded with recyclables in traffic, 40 km/h is planned.
TRICYCLE_MAX_KMH = 40.0

#: Walking speed in m/s, constant on every walkable way. Comfortable gait speed of adults is
#: 1.2-1.4 m/s (Bohannon & Andrews 2011, meta-analysis); the lower end is taken because the
#: residents who bring recyclables are often older and carrying a load.
WALK_MPS = 1.2

#: Speed (km/h) behind the zone values of ``maxspeed`` (``CN:urban`` and friends). China:
#: regulations art. 45 (urban road with a centre line 50, rural highway with one 70) and art. 78
#: (expressway 120); a living street is taken at 20.
ZONE_KMH: dict[str, float] = {
    "urban": 50.0,
    "rural": 70.0,
    "motorway": 120.0,
    "expressway": 120.0,
    "trunk": 70.0,
    "living_street": 20.0,
}

#: ``maxspeed=walk`` (walking pace, OSM wiki Key:maxspeed) in km/h.
WALK_PACE_KMH = 5.0

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph)?\s*$", re.IGNORECASE)
_ZONE = re.compile(r"^\s*[A-Z]{2}(?:-[A-Z0-9]+)?:([a-z_]+)\s*$")


def speed_table_version() -> str:
    """A short hash of every default speed and limit, recorded in each network's ``meta``:
    when a figure changes, caches built with the old one are rebuilt."""
    tables = [DRIVE_KMH, TRUCK_MAX_KMH, TRICYCLE_MAX_KMH, WALK_MPS, ZONE_KMH, WALK_PACE_KMH]
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()[:12]


def parse_maxspeed_value(value: object) -> float | None:
    """Parse one OSM ``maxspeed`` value into km/h.

    Parameters
    ----------
    value
        The tag value: ``"60"``, ``"60 mph"``, ``"50;60"`` (the lowest counts: a truck must obey
        all), ``"CN:urban"``, ``"walk"``, ``"none"``.

    Returns
    -------
    float or None
        km/h, or None when the value states no usable limit (``none``, ``signals``, garbage,
        zero), in which case the class default applies.
    """
    if not isinstance(value, str):
        return None
    speeds = []
    for part in value.split(";"):
        text = part.strip()
        number = _NUMBER.match(text)
        zone = _ZONE.match(text)
        if number:
            kmh = float(number.group(1))
            if (number.group(2) or "").lower() == "mph":
                kmh *= KMH_PER_MPH
            speeds.append(kmh)
        elif zone and zone.group(1) in ZONE_KMH:
            speeds.append(ZONE_KMH[zone.group(1)])
        elif text.lower() == "walk":
            speeds.append(WALK_PACE_KMH)
    speeds = [s for s in speeds if 0 < s < 300]
    return min(speeds) if speeds else None


def parse_maxspeed(values: ArrayLike) -> np.ndarray:
    """Parse many ``maxspeed`` values (None where untagged) into km/h, NaN where unusable.

    Each distinct value is parsed once.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    parsed = np.array([parse_maxspeed_value(u) for u in uniques], dtype=float).reshape(-1)
    # The sentinel -1 (no tag) picks the appended NaN.
    return np.append(parsed, np.nan)[codes]


def mode_speed_mps(mode: str, highway: ArrayLike, maxspeed: ArrayLike) -> np.ndarray:
    """Speed in metres per second of each way for a travel mode.

    Parameters
    ----------
    mode
        ``"walk"``, ``"drive"`` (trucks) or ``"tricycle"``.
    highway, maxspeed
        The ways' ``highway`` and ``maxspeed`` tag values (None where untagged), equal length.

    Returns
    -------
    numpy.ndarray
        float64 m/s: the posted limit, else the class default (``road`` for unknown classes),
        capped at the vehicle's highest speed; walking is constant.
    """
    highway = pd.Series(highway, dtype=object)
    if mode == "walk":
        return np.full(len(highway), WALK_MPS)
    if mode not in ("drive", "tricycle"):
        raise ValueError(f"no speeds for mode {mode!r}")
    default = highway.map(DRIVE_KMH).fillna(DRIVE_KMH["road"]).to_numpy(dtype=float)
    posted = parse_maxspeed(maxspeed)
    kmh = np.where(np.isnan(posted), default, posted)
    cap = TRUCK_MAX_KMH if mode == "drive" else TRICYCLE_MAX_KMH
    return np.minimum(kmh, cap) / 3.6
