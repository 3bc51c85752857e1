"""The study area of a plan: a Guangxi city or county, a polygon file, or a polygon.

:func:`study_area` turns what a planner names (``wuzhou``, ``梧州``, ``450400``, a
``district.geojson``) into a :class:`StudyArea`: the boundary in WGS-84, the name shown in
titles, the slug that names the output folders, and the provenance the plan records.
:func:`guangxi_counties` gives the census counties an area overlaps (the demand of an area drawn
inside Guangxi comes from them).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from gxnet.osm.pbf import file_sha256

#: Suffixes read as a study-area polygon file when given in place of a city name.
AREA_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".parquet", ".kml")


@dataclass(frozen=True)
class StudyArea:
    """Where the plan is made.

    Attributes
    ----------
    name
        Shown in titles: the region's Chinese name, or the area file's stem.
    slug
        Folder and file name of outputs (``wuzhou``).
    boundary
        (Multi)Polygon in WGS-84.
    region
        The :class:`gxnet.regions.Region` when the area is a Guangxi city or county, else None.
    source
        Provenance: ``{"kind": "region", "adcode": ...}`` or ``{"kind": "file", "path": ...,
        "sha256": ..., "wkt": ...}``.
    """

    name: str
    slug: str
    boundary: BaseGeometry
    region: Any | None
    source: dict[str, Any]

    @property
    def cache_name(self) -> str:
        """The name of the area's OSM caches (``gxnet fetch --name``), which allows lower-case
        latin letters, digits, ``-`` and ``_`` only: the slug when it is such, else ``area-``
        and the hash of the outline that ends the slug (``万秀区东部-1f0c2a9b`` ->
        ``area-1f0c2a9b``)."""
        if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", self.slug):
            return self.slug
        return "area-" + self.slug.rpartition("-")[2]


def study_area(city_or_area: str | os.PathLike[str] | BaseGeometry | StudyArea) -> StudyArea:
    """The study area of a city or county name, an adcode, a polygon file or a polygon.

    Raises
    ------
    UnknownRegionError
        For a name that is not a Guangxi city or county (with the closest matches).
    InputFileError
        For a polygon file that cannot be read or holds no polygon.
    """
    if isinstance(city_or_area, StudyArea):
        return city_or_area
    if isinstance(city_or_area, BaseGeometry):
        slug = area_slug("area", city_or_area)
        return StudyArea("study area", slug, city_or_area, None, {"kind": "geometry"})
    text = str(city_or_area)
    if isinstance(city_or_area, os.PathLike) or text.lower().endswith(AREA_SUFFIXES):
        return _area_from_file(Path(text))
    from gxnet.regions import get_region

    region = get_region(text)
    return StudyArea(
        region.name_zh,
        region.slug,
        region.boundary,
        region,
        {"kind": "region", "adcode": int(region.adcode), "name": region.name_zh},
    )


def _area_from_file(path: Path) -> StudyArea:
    from gxnet.osm.fetch import read_area

    boundary = read_area(path)
    return StudyArea(
        path.stem,
        area_slug(path.stem, boundary),
        boundary,
        None,
        {"kind": "file", "path": str(path), "sha256": file_sha256(path), "wkt": boundary.wkt},
    )


def area_slug(name: str, boundary: BaseGeometry) -> str:
    """The output name of a study area drawn by hand: its name, readable in any script
    (``万秀区东部``, ``district-3``), and a short hash of its outline, so that two different
    areas never share a folder, whatever their file names.

    Letters and digits of every script are kept (lower-cased); anything else (spaces, dots,
    slashes, markup) becomes one ``-``.
    """
    readable = "".join(c.lower() if c.isalnum() or c == "_" else "-" for c in name)
    readable = "-".join(part for part in readable.split("-") if part)[:40] or "area"
    outline = shapely.to_wkb(shapely.normalize(shapely.set_precision(boundary, 1e-7)))
    return f"{readable}-{hashlib.sha256(outline).hexdigest()[:8]}"


def guangxi_counties(boundary: BaseGeometry) -> gpd.GeoDataFrame:
    """The Guangxi counties (with their census) that a study area overlaps; empty outside."""
    from gxnet.regions import boundaries

    counties = boundaries(level="county")
    overlap = shapely.intersection(counties.geometry.to_numpy(), boundary)
    # Touching along a border is no overlap.
    return counties[shapely.area(overlap) > 0].reset_index(drop=True)
