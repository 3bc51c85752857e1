"""Global settings: where files live and where downloads come from.

Like osmnx's settings module, these are plain module attributes a notebook may change
(``gxnet.settings.osm_dir = Path("/data/osm")``). Each default can also be set through an
environment variable, so that tests and mirrors can point gxnet elsewhere without code.
Planning standards (households per point, walking minutes, ...) are not here: they live in
:mod:`gxnet.config`, which reads ``gxnet.toml``.
"""

from __future__ import annotations

import os
from pathlib import Path


def _env_path(name: str, default: str | Path) -> Path:
    return Path(os.environ.get(name, str(default)))


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

#: The Guangxi extract of OpenStreetMap (one file serves every city) and its checksum.
extract_url: str = os.environ.get(
    "GXNET_EXTRACT_URL", "https://download.geofabrik.de/asia/china/guangxi-latest.osm.pbf"
)

#: Overpass API endpoint used by osmnx when ``--source overpass`` is chosen.
overpass_url: str = os.environ.get("GXNET_OVERPASS_URL", "https://overpass-api.de/api")

#: Seconds to wait for a server before a download attempt counts as failed.
http_timeout_s: float = float(os.environ.get("GXNET_HTTP_TIMEOUT_S", "60"))

#: Attempts per download before giving up (with exponential back-off between them).
http_retries: int = int(os.environ.get("GXNET_HTTP_RETRIES", "5"))

#: Seconds before the first retry of a failed download; each further retry waits twice as long.
http_backoff_s: float = float(os.environ.get("GXNET_HTTP_BACKOFF_S", "2"))

#: Folder holding Leaflet's ``leaflet.js``, ``leaflet.css`` and ``images/`` to inline into maps
#: in place of the copy the ``django-js-lib-leaflet`` package ships (None: use that package).
#: The ``dist/`` folder of ``npm pack leaflet@1.9.4`` fits.
leaflet_dir: Path | None = (
    Path(os.environ["GXNET_LEAFLET_DIR"]) if os.environ.get("GXNET_LEAFLET_DIR") else None
)

#: Key for Tianditu (天地图) map tiles, from the Tianditu developer console; maps with
#: ``basemap="tianditu"`` need it.
tianditu_token: str = os.environ.get("GXNET_TIANDITU_TOKEN", "")
