"""Coordinate systems: WGS-84, GCJ-02, BD-09, and the projected CRS for metric work.

Chinese web maps do not publish WGS-84. AMap (高德), Tencent and the official boundary data use
GCJ-02, WGS-84 with a deliberate, smooth, nonlinear offset of a few hundred metres; Baidu adds a
second rotation-and-scale on top of GCJ-02 (BD-09). OpenStreetMap, GPS and every EPSG CRS are
WGS-84. gxnet stores everything in WGS-84 and converts site lists and boundaries on the way in.

The forward offset (WGS-84 -> GCJ-02) is a closed formula. Its inverse has no closed form: the
usual one-step "subtract the offset at the shifted point" leaves errors of up to a few metres, so
:func:`gcj02_to_wgs84` iterates ``x <- x - (f(x) - target)`` until the residual is below
``_TOL_DEG`` (about a millimetre). The offset's derivative is of the order of 1e-3, so each step
gains about three digits and two to four steps suffice. BD-09 -> GCJ-02 is inverted the same way.

Outside China nobody shifts coordinates. Like AMap's own converters we decide "inside" with a
bounding box of mainland China (:func:`in_china`): lon 72.004..137.8347, lat 0.8293..55.8271.
It is coarse (it includes e.g. Korea, Mongolia and northern Vietnam), which is harmless for gxnet:
Guangxi's site lists come from Chinese map apps, whose exports use GCJ-02 throughout this box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS

from gxnet._errors import UnknownCoordinateSystemError

# Krasovsky 1940 ellipsoid, on which the GCJ-02 offset is defined.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09's rotation-and-scale works in radians of this multiple of a degree.
_X_PI = np.pi * 3000.0 / 180.0
# Iterative inverses stop when the forward image is this close to the target (1e-8 deg ~ 1 mm).
_TOL_DEG = 1e-8
_MAX_ITER = 30

#: Bounding box (lon_min, lat_min, lon_max, lat_max) inside which GCJ-02 and BD-09 apply.
CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
#: Accepted spellings of the three systems (compared after lower-casing and dropping "-", "_").
_ALIASES = {
    "wgs84": WGS84,
    "epsg4326": WGS84,
    "gps": WGS84,
    "osm": WGS84,
    "gcj02": GCJ02,
    "gcj": GCJ02,
    "amap": GCJ02,
    "gaode": GCJ02,
    "tencent": GCJ02,
    "bd09": BD09,
    "bd09ll": BD09,
    "baidu": BD09,
}

Pair = tuple[NDArray[np.float64], NDArray[np.float64]]
Geo = TypeVar("Geo", gpd.GeoDataFrame, gpd.GeoSeries, shapely.Geometry, np.ndarray)


def utm_crs(lon: ArrayLike, lat: ArrayLike) -> CRS:
    """Return the UTM CRS (WGS-84 datum) of the zone holding the mean of the given points.

    Metric work (distances, buffers, grids) happens in this CRS; a Guangxi city spans at most
    two zones, where the distortion at the far edge stays below 0.1 %.
    """
    lon_c = float(np.nanmean(np.asarray(lon, dtype=float)))
    lat_c = float(np.nanmean(np.asarray(lat, dtype=float)))
    zone = int((lon_c + 180.0) // 6.0) % 60 + 1
    return CRS.from_epsg((32600 if lat_c >= 0 else 32700) + zone)


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Tell which points lie in the box where Chinese maps shift coordinates (see module doc).

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees.

    Returns
    -------
    numpy.ndarray of bool
        True inside :data:`CHINA_BBOX`.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x0, y0, x1, y1 = CHINA_BBOX
    return (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)


def _gcj02_offset(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> Pair:
    """Offset in degrees (dlon, dlat) that GCJ-02 adds to a WGS-84 point."""
    # The offset is a polynomial plus sine series in the distance from (105E, 35N), in metres
    # on the Krasovsky ellipsoid, converted to degrees by the local radii of curvature.
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    ripple = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
        + ripple
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )  # fmt: skip
    d_lon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
        + ripple
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )  # fmt: skip
    phi = np.radians(lat)
    w = 1.0 - _EE * np.sin(phi) ** 2
    meridian_radius = _A * (1.0 - _EE) / (w * np.sqrt(w))
    normal_radius = _A / np.sqrt(w)
    d_lat = d_lat * 180.0 / (meridian_radius * np.pi)
    d_lon = d_lon * 180.0 / (normal_radius * np.cos(phi) * np.pi)
    return d_lon, d_lat


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> Pair:
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon_a.astype(float, copy=True), lat_a.astype(float, copy=True)


def _in_china_only(step: Callable[[Pair], Pair], lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Apply ``step`` to the points inside China; copy the others (and NaN) through."""
    lon, lat = _as_arrays(lon, lat)
    inside = in_china(lon, lat)
    lon[inside], lat[inside] = step((lon[inside], lat[inside]))
    return lon, lat


def _inverse(forward: Callable[[Pair], Pair]) -> Callable[[Pair], Pair]:
    """Invert a near-identity map by fixed-point iteration: ``x <- x - (forward(x) - target)``."""

    def solve(target: Pair) -> Pair:
        x, y = target[0].copy(), target[1].copy()
        for _ in range(_MAX_ITER):
            fx, fy = forward((x, y))
            ex, ey = fx - target[0], fy - target[1]
            x -= ex
            y -= ey
            if max(np.max(np.abs(ex), initial=0.0), np.max(np.abs(ey), initial=0.0)) < _TOL_DEG:
                break
        return x, y

    return solve


def _wgs84_to_gcj02_step(p: Pair) -> Pair:
    d_lon, d_lat = _gcj02_offset(*p)
    return p[0] + d_lon, p[1] + d_lat


def _gcj02_to_bd09_step(p: Pair) -> Pair:
    # Baidu's second layer: a small radial scale and rotation about (0, 0), then a shift.
    x, y = p
    z = np.hypot(x, y) + 2e-5 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 3e-6 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


# The six public conversions share the signature and behaviour documented on `convert`.


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Convert WGS-84 to GCJ-02 (AMap, Tencent); arguments and result as :func:`convert`."""
    return _in_china_only(_wgs84_to_gcj02_step, lon, lat)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Convert GCJ-02 to WGS-84 by iteration to about a millimetre; see :func:`convert`."""
    return _in_china_only(_inverse(_wgs84_to_gcj02_step), lon, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Convert GCJ-02 to BD-09 (Baidu); arguments and result as :func:`convert`."""
    return _in_china_only(_gcj02_to_bd09_step, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Convert BD-09 to GCJ-02 by iteration to about a millimetre; see :func:`convert`."""
    return _in_china_only(_inverse(_gcj02_to_bd09_step), lon, lat)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Convert WGS-84 to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Pair:
    """Convert BD-09 to WGS-84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def coordinate_system(name: str) -> str:
    """Return the canonical name ("wgs84", "gcj02", "bd09") of a coordinate system's spelling.

    Parameters
    ----------
    name : str
        E.g. "WGS-84", "EPSG:4326", "GCJ-02", "amap", "BD-09", "baidu".

    Raises
    ------
    UnknownCoordinateSystemError
        For any other name.
    """
    key = str(name).strip().lower().replace("-", "").replace("_", "").replace(":", "")
    if key not in _ALIASES:
        raise UnknownCoordinateSystemError(key="err_unknown_crs", value=name)
    return _ALIASES[key]


_STEPS: dict[tuple[str, str], Callable[[ArrayLike, ArrayLike], Pair]] = {
    (WGS84, GCJ02): wgs84_to_gcj02,
    (GCJ02, WGS84): gcj02_to_wgs84,
    (GCJ02, BD09): gcj02_to_bd09,
    (BD09, GCJ02): bd09_to_gcj02,
    (WGS84, BD09): wgs84_to_bd09,
    (BD09, WGS84): bd09_to_wgs84,
}


def convert(lon: ArrayLike, lat: ArrayLike, source: str, target: str) -> Pair:
    """Convert coordinates between any two of WGS-84, GCJ-02 and BD-09.

    Points outside China (:func:`in_china`) and NaN are returned unchanged, as every map
    provider does. Inverse directions (to WGS-84 from GCJ-02, to GCJ-02 from BD-09) iterate
    until the forward image is within 1e-8 degrees (about a millimetre) of the input.

    Parameters
    ----------
    lon, lat : array_like
        Longitudes and latitudes in degrees in ``source``: scalars or arrays that broadcast
        to one shape. The inputs are never modified.
    source, target : str
        Coordinate systems, spelled as :func:`coordinate_system` accepts.

    Returns
    -------
    tuple of numpy.ndarray
        Longitudes and latitudes in ``target``, new float arrays of the broadcast shape
        (0-d for scalar input), also when source == target.
    """
    source, target = coordinate_system(source), coordinate_system(target)
    if source == target:
        return _as_arrays(lon, lat)
    return _STEPS[source, target](lon, lat)


def _transform(obj: Geo, source: str, target: str) -> Geo:
    """Apply :func:`convert` to every vertex of a GeoDataFrame, GeoSeries or shapely geometry."""
    source, target = coordinate_system(source), coordinate_system(target)

    def on_coords(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack(convert(xy[:, 0], xy[:, 1], source, target))

    if isinstance(obj, gpd.GeoDataFrame):
        # Every geometry column, not only the active one: a demand frame's `cell` polygons must
        # move with its points, or the two would silently sit in different systems.
        out = obj.copy()
        for name in obj.columns[obj.dtypes == "geometry"]:
            out[name] = _transform(obj[name], source, target)
        return out.set_crs("EPSG:4326", allow_override=True)
    if isinstance(obj, gpd.GeoSeries):
        if obj.crs is not None and not obj.crs.is_geographic:
            raise UnknownCoordinateSystemError(key="err_projected_crs", crs=obj.crs.name)
        # GCJ-02 and BD-09 have no EPSG code: their frames carry EPSG:4326 as a lon/lat label.
        moved = shapely.transform(np.asarray(obj.values), on_coords)
        return gpd.GeoSeries(moved, index=obj.index, name=obj.name, crs="EPSG:4326")
    return shapely.transform(obj, on_coords)


def to_wgs84(obj: Geo, source: str) -> Geo:
    """Convert a GeoDataFrame, GeoSeries or shapely geometry (array) from ``source`` to WGS-84.

    Parameters
    ----------
    obj : GeoDataFrame, GeoSeries, shapely geometry or array of geometries
        Lon/lat geometries in ``source``; a frame's CRS must be geographic (or unset).
    source : str
        "gcj02", "bd09" or "wgs84" (any spelling :func:`coordinate_system` accepts).

    Returns
    -------
    Same type as ``obj``
        A converted copy; frames get CRS EPSG:4326.
    """
    return _transform(obj, source, WGS84)


def from_wgs84(obj: Geo, target: str) -> Geo:
    """Convert a GeoDataFrame, GeoSeries or shapely geometry (array) from WGS-84 to ``target``.

    Used to hand results back to planners in the system of their map app (e.g. AMap markers).
    Parameters and return as :func:`to_wgs84`.
    """
    return _transform(obj, WGS84, target)
