"""Fetch a city's road networks once, cache them, and load them in milliseconds afterwards.

Cache layout, per city (``<osm_dir>/<slug>/``)::

    <slug>.osm.pbf    the city cut from the region PBF (roads, POIs, land use), for other readers
    city.json         what the cut was made from (region file hash, area, buffer)
    area.json         what the folder is the cache of: a Guangxi region, or a study area (its
                      polygon's hash, its file, the PBF): how ``optimize --area FILE`` finds
                      the networks fetched for FILE, and which command rebuilds them
    walk.npz          one RoadNetwork per mode (RoadNetwork.save), meta["cache_key"] says
    drive.npz         from what: source hash, area, buffer, speed table, build rules, gxnet
    tricycle.npz      version. A cache whose key differs from the one a build would have is
                      rebuilt, never reused.

Region PBF files (the Guangxi extract, or the planner's own) sit directly in ``<osm_dir>``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import geopandas as gpd
import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from gxnet import __version__, settings
from gxnet._errors import (
    GxnetWarning,
    InputFileError,
    NetworkNotFetchedError,
    UserInputError,
    brief,
)
from gxnet._io import write_text_atomic
from gxnet._messages import Phrase, messages
from gxnet.osm.build import rules_version
from gxnet.osm.download import download_extract
from gxnet.osm.network import MODES, RoadNetwork
from gxnet.osm.pbf import (
    DEFAULT_BUFFER_M,
    check_covers,
    clip_pbf,
    covers,
    file_sha256,
    pbf_extent,
    read_networks,
)
from gxnet.osm.speeds import speed_table_version

#: Where a city's OSM data can come from.
SOURCES: tuple[str, ...] = ("auto", "pbf", "extract", "overpass")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def city_dir(slug: str) -> Path:
    """The cache folder of a city, ``<osm_dir>/<slug>/``."""
    return Path(settings.osm_dir) / slug


def city_pbf(slug: str) -> Path | None:
    """The city PBF cut by :func:`fetch_city` (roads, POIs, land use), or None before a fetch
    from a PBF source."""
    path = city_dir(slug) / f"{slug}.osm.pbf"
    return path if path.is_file() else None


def features_dir(slug: str) -> Path:
    """The cache folder of a city's OSM features (:mod:`gxnet.osm.features`)."""
    return city_dir(slug) / "features"


def network_path(slug: str, mode: str) -> Path:
    """Where the cached network of a city and mode lives."""
    return city_dir(slug) / f"{mode}.npz"


def area_record_path(slug: str) -> Path:
    """The record of what a cache folder holds (``<osm_dir>/<slug>/area.json``)."""
    return city_dir(slug) / "area.json"


def _area_record(slug: str) -> dict[str, Any]:
    """The record written by :func:`fetch_city`, or {} when it is missing or unreadable."""
    try:
        record = json.loads(area_record_path(slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def fetch_command(
    city: str | None = None,
    *,
    area: str | os.PathLike[str] | None = None,
    name: str | None = None,
    pbf: str | os.PathLike[str] | None = None,
    refresh: bool = False,
) -> str:
    """The ``gxnet fetch`` command line for a Guangxi ``city`` or a study ``area`` file.

    An area needs its cache ``name`` and a PBF covering it; without ``pbf`` the command says
    ``--pbf EXTRACT.osm.pbf``, for the planner to fill in. File names are quoted for a POSIX shell.
    """
    if city is not None:
        command = f"gxnet fetch --city {shlex.quote(city)}"
    else:
        command = (
            f"gxnet fetch --area {shlex.quote(str(area or 'FILE'))} --name {name or 'NAME'} "
            f"--pbf {shlex.quote(str(pbf)) if pbf is not None else 'EXTRACT.osm.pbf'}"
        )
    return command + (" --refresh" if refresh else "")


def refetch_command(slug: str, *, refresh: bool = True) -> str:
    """The command that (re)builds the cache folder ``slug``, from what its fetch recorded: a
    study area's file and PBF, else the Guangxi city or county ``slug``."""
    record = _area_record(slug)
    if record.get("kind") == "area":
        pbf = record.get("pbf")
        return fetch_command(
            area=record.get("area_file"),
            name=slug,
            pbf=pbf if pbf and Path(pbf).is_file() else None,
            refresh=refresh,
        )
    return fetch_command(slug, refresh=refresh)


def fetched_slug(polygon: BaseGeometry, name: str | None = None) -> str | None:
    """The cache folder whose networks ``gxnet fetch`` built for this polygon, if any.

    Found by the polygon's hash recorded at the fetch (``area.json``), whatever ``--name`` the
    planner gave; of several, the latest fetched. With ``name``, the networks fetched under that
    name, also when they were fetched for another outline (a warning says so: roads beyond that
    outline and its buffer are missing).

    Raises
    ------
    NetworkNotFetchedError
        When ``name`` is given and nothing was fetched under it.
    """
    wanted = _polygon_sha256(polygon)
    if name is not None:
        if not any(network_path(name, mode).is_file() for mode in MODES):
            raise NetworkNotFetchedError(
                key="err_no_networks_named",
                name=name,
                folder=str(settings.osm_dir),
                command=fetch_command(area=None, name=name),
            )
        record = _area_record(name)
        if record.get("polygon_sha256") not in (None, wanted):
            warnings.warn(
                GxnetWarning(
                    "warn_other_outline",
                    name=name,
                    outline=record.get("area_file") or Phrase("a_polygon"),
                    command=fetch_command(
                        area=None, name=name, pbf=record.get("pbf"), refresh=True
                    ),
                ),
                stacklevel=2,
            )
        return name
    found = []
    for record_path in Path(settings.osm_dir).glob("*/area.json"):
        slug = record_path.parent.name
        if _area_record(slug).get("polygon_sha256") == wanted:
            found.append((record_path.stat().st_mtime_ns, slug))
    return max(found)[1] if found else None


def _read_network(path: Path, slug: str) -> RoadNetwork:
    """A cached network; any damage is one error naming the file and the command that repairs."""
    try:
        return RoadNetwork.load(path)
    except Exception as exc:  # a damaged zip raises one of many types (BadZipFile, ValueError...)
        raise InputFileError(
            key="err_damaged_cache",
            detail=brief(exc),
            command=refetch_command(slug),
            path=str(path),
        ) from exc


def load_network(slug: str, mode: str) -> RoadNetwork:
    """Load a cached road network (an ``np.load``: milliseconds even for 200,000 nodes).

    Raises
    ------
    NetworkNotFetchedError
        When the network has not been fetched; the message names the command to run.
    InputFileError
        When the cache file is damaged; the message names the file and the ``gxnet fetch ...
        --refresh`` that rebuilds it.
    """
    if mode not in MODES:
        raise UserInputError(key="err_unknown_mode", value=mode, choices=", ".join(MODES))
    path = network_path(slug, mode)
    if not path.is_file():
        command = refetch_command(slug, refresh=False)
        offline = {"offline": "", "offline_en": ""}
        if "--city" in command:
            offline = {
                f"offline{suffix}": messages(lang)["err_not_fetched_offline"].format(
                    command=command
                )
                for lang, suffix in (("zh", ""), ("en", "_en"))
            }
        raise NetworkNotFetchedError(
            key="err_not_fetched", mode=mode, slug=slug, folder=str(path.parent), command=command,
            **offline,
        )  # fmt: skip
    return _read_network(path, slug)


def read_area(path: str | os.PathLike[str]) -> BaseGeometry:
    """The union of the polygons in a vector file (GeoJSON, GeoPackage, Shapefile), in WGS-84.

    Raises
    ------
    InputFileError
        When the file cannot be read, holds no polygon, or declares no CRS.
    """
    path = Path(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises a family of its own errors, all unreadable files
        raise InputFileError(key="err_area_unreadable", detail=brief(exc), path=str(path)) from exc
    polygons = frame[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        raise InputFileError(key="err_area_no_polygon", path=str(path))
    if polygons.crs is None:
        raise InputFileError(key="err_area_no_crs", path=str(path))
    return shapely.union_all(polygons.to_crs("EPSG:4326").geometry.to_numpy())


def _resolve(region_or_polygon: Any, slug: str | None) -> tuple[BaseGeometry, str, dict]:
    """The polygon, cache slug and record (``area.json``) of a Region, a region name or adcode,
    an area file + slug, or a polygon + slug."""
    if isinstance(region_or_polygon, os.PathLike):
        polygon, slug, _ = _resolve(read_area(region_or_polygon), slug)
        return polygon, slug, {"kind": "area", "area_file": str(region_or_polygon)}
    if isinstance(region_or_polygon, BaseGeometry):
        if slug is None or not _SLUG.match(slug):
            raise UserInputError(key="err_area_name", value=slug)
        return region_or_polygon, slug, {"kind": "area", "area_file": None}
    if isinstance(region_or_polygon, str | int):
        from gxnet.regions import get_region

        region_or_polygon = get_region(region_or_polygon)
    return region_or_polygon.boundary, region_or_polygon.slug, {"kind": "region"}


def _polygon_sha256(polygon: BaseGeometry) -> str:
    return hashlib.sha256(shapely.to_wkb(shapely.normalize(polygon))).hexdigest()


def _find_local_pbf(polygon: BaseGeometry) -> Path | None:
    """A region PBF in ``osm_dir`` whose extent covers the polygon (the smallest, if several)."""
    found = []
    for path in sorted(Path(settings.osm_dir).glob("*.osm.pbf")):
        extent = pbf_extent(path)
        if extent is not None and covers(extent, polygon):
            found.append((path.stat().st_size, path))
    return min(found)[1] if found else None


def _region_pbf(polygon: BaseGeometry, source: str, pbf: Path | None, refresh: bool) -> Path:
    """The region PBF to cut the city from, downloading the extract when needed."""
    if pbf is not None:
        return pbf
    if source in ("auto", "pbf"):
        local = _find_local_pbf(polygon)
        if local is not None:
            return local
        if source == "pbf":
            raise UserInputError(key="err_no_local_pbf", folder=str(settings.osm_dir))
    extract = Path(settings.osm_dir) / Path(urlsplit(settings.extract_url).path).name
    if refresh or not extract.is_file():
        _refuse_guangxi_extract_outside(polygon)
        extract = download_extract()
    return extract


def _refuse_guangxi_extract_outside(polygon: BaseGeometry) -> None:
    """Refuse to download the Guangxi extract for an area wholly outside Guangxi: it cannot
    cover it, and the planner needs an extract of their own region."""
    if settings.extract_url != settings.GUANGXI_EXTRACT_URL:
        return
    from gxnet.regions import boundaries

    if not polygon.intersects(box(*boundaries(level="province").total_bounds)):
        west, south, east, north = polygon.bounds
        raise UserInputError(
            key="err_area_outside_extract", west=west, east=east, south=south, north=north
        )


def _city_pbf(
    region: Path, polygon: BaseGeometry, slug: str, key: dict[str, Any], refresh: bool
) -> Path:
    """Cut the city from the region PBF, unless the cut on disk was made from the same inputs
    (and no ``refresh`` is asked)."""
    target = city_dir(slug) / f"{slug}.osm.pbf"
    record_path = city_dir(slug) / "city.json"
    record = {
        "region_pbf": str(region),
        "region_sha256": key["source_sha256"],
        "polygon_sha256": key["polygon_sha256"],
        "buffer_m": key["buffer_m"],
    }
    if target.is_file() and record_path.is_file() and not refresh:
        try:
            if json.loads(record_path.read_text(encoding="utf-8")) == record:
                return target
        except ValueError:
            pass  # an unreadable record means an unknown cut: cut again
    clip_pbf(region, polygon, target, buffer_m=key["buffer_m"])
    write_text_atomic(record_path, json.dumps(record, indent=2, sort_keys=True))
    return target


def _cached(slug: str, modes: tuple[str, ...], key: dict[str, Any]) -> dict[str, RoadNetwork]:
    """The cached networks of every mode if they were all built with this key, else {}."""
    networks = {}
    for mode in modes:
        path = network_path(slug, mode)
        if not path.is_file():
            return {}
        try:
            network = _read_network(path, slug)
        except InputFileError:
            return {}  # damaged: rebuilt
        if network.meta.get("cache_key") != key:
            return {}
        networks[mode] = network
    return networks


def fetch_city(
    region_or_polygon: Any,
    *,
    slug: str | None = None,
    source: str = "auto",
    pbf: str | Path | None = None,
    modes: tuple[str, ...] = MODES,
    buffer_m: float = DEFAULT_BUFFER_M,
    refresh: bool = False,
) -> dict[str, RoadNetwork]:
    """Build (or reuse from the cache) the road networks of a city, and cache them.

    Parameters
    ----------
    region_or_polygon
        A :class:`gxnet.regions.Region`, a city or county name or adcode, a study-area file
        (a ``Path``: GeoJSON, GeoPackage, read with :func:`read_area`) or a WGS-84
        (Multi)Polygon; for the last two ``slug`` names the cache folder.
    slug
        Cache folder name for an area file or a polygon.
    source
        ``"auto"``: ``pbf`` if given, else a ``*.osm.pbf`` in ``settings.osm_dir`` covering the
        area, else the downloaded region extract. ``"pbf"``: a local file only. ``"extract"``:
        the region extract (downloaded unless already there). ``"overpass"``: the Overpass API.
    pbf
        A PBF file covering the area.
    modes
        Travel modes to build.
    buffer_m
        Metres of road kept around the area.
    refresh
        Rebuild even when the cache matches (the networks, the city cut, the cached features),
        and download the extract again: repairs a damaged cache.

    Returns
    -------
    dict
        Mode -> RoadNetwork, each saved to ``<osm_dir>/<slug>/<mode>.npz``; ``area.json``
        records the area (its polygon's hash, its file, the PBF used), so that
        :func:`fetched_slug` finds the networks of the same polygon and
        :func:`refetch_command` names the command that rebuilds them.

    Raises
    ------
    UserInputError
        Unknown source or mode, unknown region, no covering PBF for ``source="pbf"``.
    OsmFileError
        A PBF that is corrupt, truncated or does not cover the area.
    EmptyNetworkError
        A mode without roads in the area.
    DownloadError
        The extract or Overpass could not be fetched.
    """
    if source not in SOURCES:
        raise UserInputError(key="err_unknown_source", value=source, choices=", ".join(SOURCES))
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UserInputError(
            key="err_unknown_modes", values=", ".join(unknown), choices=", ".join(MODES)
        )
    if pbf is not None and source in ("extract", "overpass"):
        raise UserInputError(key="err_pbf_and_source", source=source)
    polygon, slug, record = _resolve(region_or_polygon, slug)
    key: dict[str, Any] = {
        "polygon_sha256": _polygon_sha256(polygon),
        "buffer_m": float(buffer_m),
        "speed_table": speed_table_version(),
        "rules": rules_version(),
        "gxnet": __version__,
    }
    if source == "overpass":
        key["source"] = settings.overpass_url
        record["source"] = "overpass"
    else:
        region = _region_pbf(polygon, source, Path(pbf) if pbf is not None else None, refresh)
        check_covers(region, pbf_extent(region), polygon)
        key["source_sha256"] = file_sha256(region)
        record["pbf"] = str(region)
    networks = {} if refresh else _cached(slug, modes, key)
    if not networks:
        if source == "overpass":
            # osmnx takes seconds to import: only the Overpass source pays for it.
            from gxnet.osm.overpass import overpass_networks

            meta = {"cache_key": key}
            networks = overpass_networks(polygon, modes, buffer_m=buffer_m, meta=meta)
        else:
            cut = _city_pbf(region, polygon, slug, key, refresh)
            meta = {"cache_key": key, "region_pbf": str(region)}
            networks = read_networks(cut, polygon, modes, buffer_m=buffer_m, meta=meta)
        if refresh:
            # Rebuilt from the new cut when next needed (gxnet.osm.features.city_features).
            shutil.rmtree(features_dir(slug), ignore_errors=True)
        for mode, network in networks.items():
            network.save(network_path(slug, mode))
    record.update(name=slug, polygon_sha256=key["polygon_sha256"])
    before = _area_record(slug)
    if record["kind"] == "area" and not record["area_file"]:
        # A polygon fetched again (a run with --pbf) keeps the file its first fetch recorded.
        same = before.get("polygon_sha256") == record["polygon_sha256"]
        record["area_file"] = before.get("area_file") if same else None
    write_text_atomic(area_record_path(slug), json.dumps(record, indent=2, sort_keys=True))
    return networks
