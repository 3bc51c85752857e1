"""OSM features behind demand and candidate sites: where people live, and where points can go.

One pass over a PBF with pyosmium (node locations on, area assembly for the tags that make
areas) collects four layers, clipped to a study polygon:

- ``residential``: ``landuse=residential`` areas (polygons),
- ``buildings``: every ``building=*`` area as its centroid, with footprint area and whether its
  type is residential,
- ``places``: ``place=*`` nodes of the kinds in :data:`PLACE_KINDS`,
- ``pois``: the POIs municipal plans site recycling points at (:data:`POI_KINDS`).

Python only appends WKB and scalars to lists; geometries, areas and clipping are vectorised
with shapely afterwards. The layers are cached per city as GeoParquet beside the road networks
(``<osm_dir>/<slug>/features/<layer>.parquet``), keyed by the source file's hash, so demand for
a city is built from cached OSM in seconds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import shapely
from osmium.geom import WKBFactory

from gxnet._errors import InputFileError, OsmFileError, brief
from gxnet._io import atomic_path, write_text_atomic
from gxnet._messages import Phrase
from gxnet.crs import utm_crs
from gxnet.osm.fetch import city_pbf, features_dir, refetch_command
from gxnet.osm.pbf import file_sha256

#: (key, value) -> POI kind; the kinds municipal recycling plans place points at.
POI_KINDS: dict[tuple[str, str], str] = {
    ("amenity", "marketplace"): "marketplace",
    ("shop", "supermarket"): "supermarket",
    ("shop", "convenience"): "convenience",
    ("amenity", "community_centre"): "community_centre",
    ("amenity", "recycling"): "recycling",
    ("amenity", "waste_transfer_station"): "waste_transfer_station",
    ("amenity", "parking"): "parking",
}

#: ``place=*`` values kept; the first four mark towns and cities, the rest the countryside.
PLACE_KINDS: tuple[str, ...] = (
    "city",
    "town",
    "suburb",
    "neighbourhood",
    "village",
    "hamlet",
    "isolated_dwelling",
)
#: Place kinds that are evidence of rural settlement.
RURAL_PLACES: tuple[str, ...] = ("village", "hamlet", "isolated_dwelling")

#: ``building=*`` values where people live (OSM wiki, Key:building, "Accommodation").
RESIDENTIAL_BUILDINGS: frozenset[str] = frozenset(
    {
        "residential",
        "apartments",
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "dormitory",
        "bungalow",
        "farm",
        "cabin",
        "static_caravan",
        "houseboat",
        "ger",
        "stilt_house",
    }
)

LAYERS: tuple[str, ...] = ("residential", "buildings", "places", "pois")


@dataclass(frozen=True)
class OsmFeatures:
    """The four feature layers of a study area, WGS-84.

    Attributes
    ----------
    residential
        ``osm_id`` (str, ``w123``/``r45``), geometry (Multi)Polygon.
    buildings
        ``osm_id``, ``building`` (the tag value), ``residential`` (bool), ``footprint_m2``,
        geometry Point (the footprint's centroid).
    places
        ``osm_id``, ``place``, ``name``, geometry Point.
    pois
        ``osm_id``, ``kind`` (a value of :data:`POI_KINDS`), ``name``, geometry Point (the
        centroid for mapped areas).
    meta
        Source file, its SHA-256, and the clipping polygon's bounds.
    """

    residential: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write each layer as ``<folder>/<layer>.parquet`` and ``meta.json``, atomically."""
        folder = Path(folder)
        for layer in LAYERS:
            with atomic_path(folder / f"{layer}.parquet") as tmp:
                frame = getattr(self, layer)
                # GeoArrow points decode without WKB parsing, so a city's buildings load
                # faster; geopandas cannot write an empty layer that way.
                encoding = "geoarrow" if len(frame) else "WKB"
                frame.to_parquet(tmp, index=False, geometry_encoding=encoding)
        write_text_atomic(folder / "meta.json", json.dumps(self.meta, sort_keys=True))
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> OsmFeatures:
        """Read layers written by :meth:`save`.

        Raises
        ------
        InputFileError
            When a file is missing or damaged (truncated, not GeoParquet); the message names
            it and, for a city's cache (:func:`features_dir`), the ``gxnet fetch ... --refresh``
            that rebuilds it.
        """
        folder = Path(folder)

        def read(path: Path, reader: Any) -> Any:
            try:
                return reader(path)
            except Exception as exc:  # pyarrow, json and the disk each have their own errors
                slug = folder.parent.name
                repair = (
                    Phrase("features_rebuild", command=refetch_command(slug))
                    if folder.resolve() == features_dir(slug).resolve()
                    else Phrase("features_delete", folder=str(folder))
                )
                raise InputFileError(
                    key="err_features_damaged", detail=brief(exc), repair=repair, path=str(path)
                ) from exc

        layers = {layer: read(folder / f"{layer}.parquet", gpd.read_parquet) for layer in LAYERS}
        meta = read(folder / "meta.json", lambda path: json.loads(path.read_text(encoding="utf-8")))
        return cls(**layers, meta=meta)


class _Collector:
    """Lists of WKB and scalars filled during the pass; turned into arrays once at the end."""

    def __init__(self) -> None:
        self.wkb = WKBFactory()
        self.residential: dict[str, list] = {"osm_id": [], "wkb": []}
        self.buildings: dict[str, list] = {"osm_id": [], "building": [], "wkb": []}
        self.places: dict[str, list] = {"osm_id": [], "place": [], "name": [], "lon": [], "lat": []}
        self.pois: dict[str, list] = {"osm_id": [], "kind": [], "name": [], "wkb": []}

    def node(self, n: osmium.osm.Node) -> None:
        tags = n.tags
        place = tags.get("place")
        if place in PLACE_KINDS:
            self._append(
                self.places, f"n{n.id}", place, tags.get("name", ""), n.location.lon, n.location.lat
            )
        kind = _poi_kind(tags)
        if kind is not None:
            self._append(
                self.pois, f"n{n.id}", kind, tags.get("name", ""), self.wkb.create_point(n)
            )

    def area(self, a: osmium.osm.Area) -> None:
        tags = a.tags
        osm_id = f"{'w' if a.from_way() else 'r'}{a.orig_id()}"
        try:
            wkb = self.wkb.create_multipolygon(a)
        except RuntimeError:  # an area with broken rings: nothing to place
            return
        if tags.get("landuse") == "residential":
            self._append(self.residential, osm_id, wkb)
        building = tags.get("building")
        if building is not None:
            self._append(self.buildings, osm_id, building, wkb)
        kind = _poi_kind(tags)
        if kind is not None:
            self._append(self.pois, osm_id, kind, tags.get("name", ""), wkb)

    @staticmethod
    def _append(columns: dict[str, list], *values: object) -> None:
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)


def _poi_kind(tags: osmium.osm.TagList) -> str | None:
    for key in ("amenity", "shop"):
        kind = POI_KINDS.get((key, tags.get(key, "")))
        if kind is not None:
            return kind
    return None


def read_features(
    pbf: str | os.PathLike[str], polygon: shapely.Geometry | None = None
) -> OsmFeatures:
    """Read the residential, building, place and POI layers of a PBF.

    Parameters
    ----------
    pbf
        An OSM PBF (or any format osmium reads).
    polygon
        The study area in WGS-84; features whose point (or, for residential areas, whose
        shape) falls outside are dropped and residential areas are cut to it. ``None`` keeps
        everything.

    Returns
    -------
    OsmFeatures

    Raises
    ------
    OsmFileError
        When the file does not exist or osmium cannot read it.
    """
    pbf = Path(pbf)
    if not pbf.is_file():
        raise OsmFileError(key="err_no_osm_file", path=str(pbf))
    collector = _Collector()
    keys = ("building", "landuse", "place", "amenity", "shop")
    try:
        processor = (
            osmium.FileProcessor(str(pbf))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter("building", "landuse", "amenity", "shop"))
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        for obj in processor:
            if obj.is_node():
                collector.node(obj)
            elif obj.is_area():
                collector.area(obj)
    except RuntimeError as exc:
        raise OsmFileError(key="err_osm_unreadable", detail=str(exc), path=str(pbf)) from exc
    meta = {"source": str(pbf), "sha256": file_sha256(pbf)}
    if polygon is not None:
        meta["bounds"] = list(shapely.bounds(polygon))
    return OsmFeatures(
        residential=_residential_layer(collector.residential, polygon),
        buildings=_building_layer(collector.buildings, polygon),
        places=_point_layer(
            collector.places,
            shapely.points(collector.places.pop("lon"), collector.places.pop("lat")),
            polygon,
        ),
        pois=_point_layer(
            collector.pois, shapely.centroid(_from_wkb(collector.pois.pop("wkb"))), polygon
        ),
        meta=meta,
    )


def _from_wkb(values: list[str]) -> np.ndarray:
    return shapely.from_wkb(np.asarray(values, dtype=object)) if values else np.array([], object)


def _inside(polygon: shapely.Geometry | None, points: np.ndarray) -> np.ndarray:
    if polygon is None or len(points) == 0:
        return np.ones(len(points), dtype=bool)
    return shapely.contains_xy(polygon, shapely.get_x(points), shapely.get_y(points))


def _point_layer(
    columns: dict[str, list], points: np.ndarray, polygon: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    keep = _inside(polygon, points)
    data = {k: np.asarray(v, dtype=object)[keep] for k, v in columns.items()}
    return gpd.GeoDataFrame(data, geometry=points[keep], crs="EPSG:4326")


def _building_layer(columns: dict[str, list], polygon: shapely.Geometry | None) -> gpd.GeoDataFrame:
    shapes = _from_wkb(columns.pop("wkb"))
    points = shapely.centroid(shapes)
    keep = _inside(polygon, points)
    shapes, points = shapes[keep], points[keep]
    building = np.asarray(columns["building"], dtype=object)[keep]
    return gpd.GeoDataFrame(
        {
            "osm_id": np.asarray(columns["osm_id"], dtype=object)[keep],
            "building": building,
            "residential": np.isin(building, list(RESIDENTIAL_BUILDINGS)),
            "footprint_m2": _area_m2(shapes, points),
        },
        geometry=points,
        crs="EPSG:4326",
    )


def _residential_layer(
    columns: dict[str, list], polygon: shapely.Geometry | None
) -> gpd.GeoDataFrame:
    shapes = _from_wkb(columns.pop("wkb"))
    osm_id = np.asarray(columns["osm_id"], dtype=object)
    if polygon is not None and len(shapes):
        keep = shapely.intersects(shapes, polygon)
        shapes, osm_id = shapely.intersection(shapes[keep], polygon), osm_id[keep]
    return gpd.GeoDataFrame({"osm_id": osm_id}, geometry=shapes, crs="EPSG:4326")


def _area_m2(shapes: np.ndarray, points: np.ndarray) -> np.ndarray:
    if len(shapes) == 0:
        return np.array([], dtype=float)
    crs = utm_crs(shapely.get_x(points), shapely.get_y(points))
    return gpd.GeoSeries(shapes, crs="EPSG:4326").to_crs(crs).area.to_numpy()


def city_features(
    slug: str, polygon: shapely.Geometry, pbf: str | os.PathLike[str] | None = None
) -> OsmFeatures | None:
    """A city's features from the cache, read from its PBF (and cached) when needed.

    Parameters
    ----------
    slug
        The city's folder name (``"wuzhou"``).
    polygon
        The city boundary in WGS-84.
    pbf
        The PBF to read; ``None``: the city's clipped PBF kept by ``gxnet fetch``
        (:func:`gxnet.osm.fetch.city_pbf`), if any.

    Returns
    -------
    OsmFeatures or None
        None when there is neither a cache nor a PBF: no OSM data on disk for the city.
    """
    folder = features_dir(slug)
    cached = OsmFeatures.load(folder) if (folder / "meta.json").is_file() else None
    if pbf is None:
        pbf = city_pbf(slug)
    if pbf is None:
        return cached
    if cached is not None and cached.meta.get("sha256") == file_sha256(pbf):
        return cached
    features = read_features(pbf, polygon)
    features.save(folder)
    return features
