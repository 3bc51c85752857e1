"""Global settings: where files live, where downloads come from, and the collection truck.

Like osmnx's settings module, these are plain module attributes a notebook may change
(``gxnet.settings.osm_dir = Path("/data/osm")``). Each default can also be set through an
environment variable, so that tests and mirrors can point gxnet elsewhere without code.
Planning standards (households per point, walking minutes, ...) are not here: they live in
:mod:`gxnet.config`, which reads ``gxnet.toml``.

A variable that cannot be used (``GXNET_HTTP_TIMEOUT_S=abc``, ``GXNET_HTTP_RETRIES=-1``, a
``GXNET_OSM_DIR`` that is a file) never fails the import: its setting keeps the default and
:func:`check_environment` raises :class:`gxnet._errors.SettingsError` naming the variable. The
command line calls it before any verb runs; so do the downloads, which read these values. An
empty variable counts as unset.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from urllib.parse import urlsplit

from gxnet._catalogue import Phrase
from gxnet._errors import SettingsError

# What is wrong with the environment, one sentence per variable (filled while this module loads).
_problems: list[Phrase] = []


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _env_path(name: str, default: str | Path) -> Path:
    raw = _raw(name)
    return Path(raw) if raw is not None else Path(default)


def _env_number(name: str, default: float, *, lo: float, above: bool, what: Phrase) -> float:
    """A finite number from the environment: at least ``lo`` (above it when ``above``)."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and (value > lo if above else value >= lo):
        return value
    bound = Phrase("env_above" if above else "env_at_least", lo=lo)
    _problems.append(Phrase("env_not_number", name=name, raw=raw, what=what, bound=bound))
    return default


def _env_positive(name: str, default: float, what: Phrase) -> float:
    """A number above 0 from the environment."""
    return _env_number(name, default, lo=0, above=True, what=what)


def _env_count(name: str, default: int, *, lo: int, what: Phrase) -> int:
    """A whole number from the environment, at least ``lo``."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lstrip("+").isdigit() and int(raw) >= lo:
        return int(raw)
    _problems.append(Phrase("env_not_count", name=name, raw=raw, what=what, lo=lo))
    return default


def _env_url(name: str, default: str) -> str:
    raw = _raw(name)
    if raw is None:
        return default
    parts = urlsplit(raw)
    if parts.scheme in ("http", "https") and parts.netloc:
        return raw
    _problems.append(Phrase("env_not_url", name=name, raw=raw))
    return default


#: Folder of the committed Guangxi reference data (census, boundaries). Inside an installed
#: wheel it is ``gxnet/_reference``; in a source checkout it is ``data/guangxi``.
reference_dir: Path = _env_path(
    "GXNET_REFERENCE_DIR",
    next(
        (
            p
            for p in (
                Path(__file__).parent / "_reference",
                Path(__file__).resolve().parents[1] / "data" / "guangxi",
            )
            if p.is_dir()
        ),
        Path(__file__).resolve().parents[1] / "data" / "guangxi",
    ),
)

#: Downloaded PBF files and per-city road-network caches (``<osm_dir>/<city>/``).
osm_dir: Path = _env_path("GXNET_OSM_DIR", "data/osm")

#: Planners' site lists, read as ``<sites_dir>/<city>.*`` when no ``--sites`` is given.
sites_dir: Path = _env_path("GXNET_SITES_DIR", "data/sites")

#: Interactive HTML maps.
maps_dir: Path = _env_path("GXNET_MAPS_DIR", "maps")

#: Saved plans, ``<plans_dir>/<city>/``.
plans_dir: Path = _env_path("GXNET_PLANS_DIR", "plans")

#: Geofabrik's extract of Guangxi: the default of ``extract_url``.
GUANGXI_EXTRACT_URL = "https://download.geofabrik.de/asia/china/guangxi-latest.osm.pbf"

#: The region extract of OpenStreetMap (one file serves every city) and its checksum.
extract_url: str = _env_url("GXNET_EXTRACT_URL", GUANGXI_EXTRACT_URL)

#: Overpass API endpoint used by osmnx when ``--source overpass`` is chosen.
overpass_url: str = _env_url("GXNET_OVERPASS_URL", "https://overpass-api.de/api")

#: Seconds to wait for a server before a download attempt counts as failed.
http_timeout_s: float = _env_positive("GXNET_HTTP_TIMEOUT_S", 60.0, Phrase("what_seconds"))

#: Attempts per download before giving up (with exponential back-off between them).
http_retries: int = _env_count("GXNET_HTTP_RETRIES", 5, lo=1, what=Phrase("what_attempts"))

#: Seconds before the first retry of a failed download; each further retry waits twice as long.
http_backoff_s: float = _env_number(
    "GXNET_HTTP_BACKOFF_S", 2.0, lo=0, above=False, what=Phrase("what_seconds")
)

#: Longest time one download may take, every attempt and wait included (seconds): a server
#: that keeps the connection open but sends almost nothing is given up on at this deadline.
#: The Guangxi extract (about 50 MB) needs under 10 minutes at 100 kB/s.
download_deadline_s: float = _env_positive(
    "GXNET_DOWNLOAD_DEADLINE_S", 3600.0, Phrase("what_seconds")
)

#: Slowest transfer accepted (bytes per second, measured over ``download_rate_window_s``): a
#: trickling server fails within one window, not at the deadline. 0 turns the rule off.
download_min_rate_bps: float = _env_number(
    "GXNET_DOWNLOAD_MIN_RATE_BPS", 10240.0, lo=0, above=False, what=Phrase("what_bytes_per_second")
)

#: Seconds over which the transfer rate is measured against ``download_min_rate_bps``.
download_rate_window_s: float = _env_positive(
    "GXNET_DOWNLOAD_RATE_WINDOW_S", 60.0, Phrase("what_seconds")
)

#: The collection truck the ``drive`` network is built for (docs/osm.md, "Mode filters"): a
#: medium closed box truck. Roads signed lower (``maxweight``, ``maxheight``, ``maxwidth``,
#: ``maxlength``) are left out; changing a value rebuilds the cached networks.
truck_weight_t: float = _env_positive("GXNET_TRUCK_WEIGHT_T", 10.0, Phrase("what_tonnes"))
truck_height_m: float = _env_positive("GXNET_TRUCK_HEIGHT_M", 3.5, Phrase("what_height"))
truck_width_m: float = _env_positive("GXNET_TRUCK_WIDTH_M", 2.5, Phrase("what_width"))
truck_length_m: float = _env_positive("GXNET_TRUCK_LENGTH_M", 9.0, Phrase("what_length"))

#: Folder holding Leaflet's ``leaflet.js``, ``leaflet.css`` and ``images/`` to inline into maps
#: in place of the copy the ``django-js-lib-leaflet`` package ships (None: use that package).
#: The ``dist/`` folder of ``npm pack leaflet@1.9.4`` fits.
leaflet_dir: Path | None = (
    Path(_raw("GXNET_LEAFLET_DIR")) if _raw("GXNET_LEAFLET_DIR") is not None else None
)

#: Key for Tianditu (天地图) map tiles, from the Tianditu developer console; maps with
#: ``basemap="tianditu"`` need it.
tianditu_token: str = os.environ.get("GXNET_TIANDITU_TOKEN", "")

#: Folder variables and whether the folder must exist already (data read from it) or may be
#: created (caches and outputs).
_FOLDERS: dict[str, bool] = {
    "GXNET_REFERENCE_DIR": True,
    "GXNET_LEAFLET_DIR": True,
    "GXNET_OSM_DIR": False,
    "GXNET_SITES_DIR": False,
    "GXNET_MAPS_DIR": False,
    "GXNET_PLANS_DIR": False,
}


def check_environment() -> None:
    """Refuse environment variables that cannot be used, naming the first one.

    Numbers and addresses were read when this module loaded; folders are looked at now (a
    folder variable must not name a file, and the reference and Leaflet folders must exist).

    Raises
    ------
    SettingsError
        Naming the variable, its value and what it should hold (exit code 2).
    """
    problems = list(_problems)
    lang = _raw("GXNET_LANG")
    if lang is not None and lang.lower() not in ("zh", "en"):
        problems.append(Phrase("env_not_language", name="GXNET_LANG", raw=lang))
    for name, must_exist in _FOLDERS.items():
        raw = _raw(name)
        if raw is None:
            continue
        path = Path(raw)
        if path.exists() and not path.is_dir():
            problems.append(Phrase("env_is_file", name=name, raw=raw))
        elif must_exist and not path.is_dir():
            problems.append(Phrase("env_no_folder", name=name, raw=raw))
    if problems:
        more = Phrase("env_more", n=len(problems) - 1) if len(problems) > 1 else ""
        raise SettingsError(key="err_environment", problem=problems[0], more=more)
