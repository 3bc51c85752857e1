"""The Helsinki scenario the pipeline's tests share: a real extract, a hand-made site list and
demand inside a polygon, and standards that make the centre of Helsinki a walkable town."""

from __future__ import annotations

from pathlib import Path

from gxnet.config import Config

DATA = Path(__file__).parent / "data"
AREA = DATA / "helsinki_area.geojson"
PBF = DATA / "helsinki.osm.pbf"
SITES = DATA / "helsinki_sites.csv"
DEMAND = DATA / "helsinki_demand.csv"
CONFIG = Config().with_options(service_radius_m=500, coverage=0.8)
