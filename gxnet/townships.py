"""Guangxi's townships (乡, 镇, 街道) as they are today: code, name, county, a point, and how
urban or rural their village and residents' committees are.

The data live in one GeoParquet file (``<settings.reference_dir>/townships.parquet``, built by
``scripts/build_reference.py`` from the statistics bureau's 2016 division list and today's
township list; docs/reference-data.md says how the two were matched and where the points come
from), read once per process.

A township's part of its county is the set of places nearer to its point than to any other
township point of the same county (its Voronoi cell cut to the county): the lists have no
township boundaries, and this is the rule :mod:`gxnet.demand` shares a county's grid cells by.
:func:`locate_townships` applies the same rule to any point.
"""

from __future__ import annotations

import difflib
import functools
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from gxnet import settings
from gxnet._errors import AmbiguousRegionError, UnknownRegionError
from gxnet._messages import Phrase
from gxnet.regions import Region, boundaries, get_region

#: Kinds of township, by the administrative word of the name: 街道 (urban subdistrict), 镇
#: (town), 乡 (township, also 民族乡), and special areas (国营农场, 林场, 开发区, 保税区 ...).
KINDS: dict[str, str] = {
    "subdistrict": "街道",
    "town": "镇",
    "township": "乡",
    "special": "农场/开发区等",
}

#: Where a township's point comes from, best first: its own centre in the 2016 list, the mean
#: of its committees' centres, or the fallback for townships with neither: the county seat
#: (the seat town, and 街道 near it) or the middle of the county's largest gap between
#: township points. See docs/reference-data.md.
POINT_SOURCES: tuple[str, ...] = ("township", "committees", "county_seat", "county_gap")
#: Point sources that are evidence of where the township is, not the fallback.
LOCATED_SOURCES: frozenset[str] = frozenset(POINT_SOURCES[:2])

#: Columns of the township table, in order.
TOWNSHIP_COLUMNS: tuple[str, ...] = (
    "township_code",
    "name_zh",
    "county_adcode",
    "city_adcode",
    "kind",
    "urban_committees",
    "rural_committees",
    "match",
    "code_2016",
    "point_source",
    "geometry",
)

# Administrative words at the end of a township's name, longest first; the 2016 list has
# typos such as 城中办街道事处 for 城中街道办事处.
_SUFFIX = re.compile(
    r"(街道办事处|办街道事处|街道办|办事处|街道|管理委员会|管委会"
    r"|(?:瑶族|苗族|侗族|壮族|回族|彝族|水族|京族|仫佬族|毛南族|仡佬族|民族)乡|乡|镇)$"
)
# Metres per degree of latitude, and of longitude at Guangxi's mean latitude (23.8 N): close
# enough to compare distances between nearby points.
_M_PER_DEG_LAT = 110_800.0
_M_PER_DEG_LON = 101_900.0


def township_kind(name: str) -> str:
    """The kind of a township from its name ("城东街道" -> "subdistrict"; see :data:`KINDS`)."""
    name = str(name).strip()
    if name.endswith(("街道", "办事处", "街道事处")):
        return "subdistrict"
    if name.endswith("镇"):
        return "town"
    if name.endswith("乡"):
        return "township"
    return "special"


def township_key(name: str, county_name: str = "") -> str:
    """The name a township is matched by: no spaces, no county prefix, no administrative word.

    "万秀区城东街道办事处" (with county "万秀区"), "城东街道" and "城东" all give "城东";
    "古砦仫佬族乡" gives "古砦". A name that is nothing but an administrative word is kept.
    """
    key = re.sub(r"\s+", "", str(name))
    if county_name and key.startswith(county_name):
        # Not when the county's name is all there is (七星区街道办事处 is 七星街道).
        rest = _SUFFIX.sub("", key[len(county_name) :])
        if rest:
            return rest
    stripped = _SUFFIX.sub("", key)
    return stripped if stripped else key


def township_code(value: object) -> str:
    """A township code as its 12 digits ("450403001" and "450403001000.0" -> "450403001000");
    "" when the value is not a 9- or 12-digit code."""
    text = re.sub(r"\.0+$", "", str(value).strip())
    if text.isdigit() and len(text) in (9, 12):
        return text.ljust(12, "0")
    return ""


@functools.cache
def _table() -> gpd.GeoDataFrame:
    """The township table, sorted by code (read once)."""
    return gpd.read_parquet(settings.reference_dir / "townships.parquet")


def list_townships(region: str | int | Region | None = None) -> gpd.GeoDataFrame:
    """Return today's townships with their point (WGS-84) and committee counts.

    Parameters
    ----------
    region : str, int or Region, optional
        A city or county (name or adcode, as :func:`gxnet.regions.get_region` reads it), or the
        region ("guangxi"); default all of Guangxi.

    Returns
    -------
    GeoDataFrame
        Columns :data:`TOWNSHIP_COLUMNS`, one row per township, sorted by code: ``township_code``
        (12 digits, today's), ``name_zh``, ``county_adcode``, ``city_adcode``, ``kind`` (see
        :data:`KINDS`), ``urban_committees`` and ``rural_committees`` (residents' and village
        committees with an urban (1xx) or rural (2xx) urban-rural code, 2016), ``match`` (how
        the township was found in the 2016 list: "code", "name" or "none"), ``code_2016``,
        ``point_source`` (see :data:`POINT_SOURCES`) and ``geometry`` (Point).
    """
    table = _table()
    if region is not None:
        unit = region if isinstance(region, Region) else get_region(region)
        if unit.level == "county":
            table = table[table["county_adcode"] == unit.adcode]
        elif unit.level == "city":
            table = table[table["city_adcode"] == unit.adcode]
    return table.reset_index(drop=True).copy()


def nearest_township(
    point_county: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    township_county: np.ndarray,
    tx: np.ndarray,
    ty: np.ndarray,
) -> np.ndarray:
    """For each point, the index of the nearest township point of the same county.

    Coordinates are metric (any projected CRS, the same for both); counties are any integer
    labels. A point whose county has no township gets -1.
    """
    out = np.full(len(x), -1, dtype=np.int64)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(tx) == 0 or len(x) == 0:
        return out
    # Counties lie on separate planes, so a nearest neighbour is never in another county.
    labels, township_label = np.unique(township_county, return_inverse=True)
    xs, ys = np.concatenate([x, tx]), np.concatenate([y, ty])
    finite = np.isfinite(xs) & np.isfinite(ys)
    lift = 1e4 * (np.ptp(xs[finite]) + np.ptp(ys[finite]) + 1.0)
    point_label = np.searchsorted(labels, point_county)
    known = (point_label < len(labels)) & np.isfinite(x) & np.isfinite(y)
    known &= labels[np.minimum(point_label, len(labels) - 1)] == point_county
    tree = cKDTree(np.column_stack([tx, ty, township_label * lift]))
    _, nearest = tree.query(np.column_stack([x[known], y[known], point_label[known] * lift]))
    out[known] = nearest
    return out


def locate_townships(lon: np.ndarray, lat: np.ndarray) -> pd.DataFrame:
    """The county and township of WGS-84 points, by the rule of the module docstring.

    Returns
    -------
    DataFrame
        ``county_adcode`` (0 outside Guangxi's counties), ``township_code`` and
        ``township_name`` ("" outside), one row per point.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    counties = boundaries(level="county")
    tree = shapely.STRtree(counties.geometry.to_numpy())
    point_i, county_i = tree.query(shapely.points(lon, lat), predicate="within")
    county = np.zeros(len(lon), dtype=np.int64)
    # A point on a shared border is in two counties; the lower code keeps it.
    order = np.lexsort((county_i, point_i))[::-1]
    county[point_i[order]] = counties["adcode"].to_numpy(np.int64)[county_i[order]]
    towns = _table()
    tx, ty = _metres(towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy())
    x, y = _metres(lon, lat)
    town_county = towns["county_adcode"].to_numpy(np.int64)
    nearest = nearest_township(county, x, y, town_county, tx, ty)
    found = nearest >= 0
    code = np.full(len(lon), "", dtype=object)
    name = np.full(len(lon), "", dtype=object)
    code[found] = towns["township_code"].to_numpy()[nearest[found]]
    name[found] = towns["name_zh"].to_numpy()[nearest[found]]
    return pd.DataFrame({"county_adcode": county, "township_code": code, "township_name": name})


def _metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon) * _M_PER_DEG_LON, np.asarray(lat) * _M_PER_DEG_LAT


@functools.cache
def _county_names() -> dict[int, str]:
    counties = boundaries(level="county")
    return dict(zip(counties["adcode"].astype(int), counties["name_zh"], strict=True))


def _label(row: pd.Series | dict) -> str:
    county = _county_names().get(int(row["county_adcode"]), str(row["county_adcode"]))
    return f"{row['name_zh']} ({row['township_code']}, {county})"


def find_township(code: object = "", name: object = "", county_adcode: int = 0) -> pd.Series:
    """Return today's township a planner means by a code or a name (or both).

    Parameters
    ----------
    code
        Today's code, 12 or 9 digits ("450403001000", "450403001").
    name
        Its name, with or without the administrative word or the county ("城东街道", "城东",
        "万秀区城东街道"); names repeat across counties (five counties have a 太平镇).
    county_adcode
        Restricts a name to one county (0: anywhere in Guangxi).

    Returns
    -------
    Series
        The township's row of :func:`list_townships`.

    Raises
    ------
    UnknownRegionError
        No township has the code or name (in that county), or the code and the name name
        different townships; the message lists the closest codes or names.
    AmbiguousRegionError
        The name fits townships in several counties; the message lists them.
    """
    table = _table()
    code_text = str(code).strip() if code is not None and not pd.isna(code) else ""
    name_text = str(name).strip() if name is not None and not pd.isna(name) else ""
    if code_text:
        digits = township_code(code_text)
        rows = table[table["township_code"] == digits] if digits else table.iloc[:0]
        if rows.empty:
            digits = re.sub(r"\D", "", code_text).ljust(12, "0")
            # Codes of the same county first: difflib alone rates every Guangxi code alike.
            same = table["township_code"].str[:6] == digits[:6]
            pool = table.loc[same if same.any() else slice(None), "township_code"].tolist()
            close = difflib.get_close_matches(digits, pool, n=3, cutoff=0.6)
            hint = "; ".join(
                _label(r) for r in table[table["township_code"].isin(close)].to_dict("records")
            )
            raise UnknownRegionError(
                key="err_township_code",
                code=code_text,
                hint=Phrase("township_nearest_codes", hint=hint)
                if hint
                else Phrase("township_code_digits"),
            )
        found = rows.iloc[0]
        if name_text and township_key(name_text) != township_key(found["name_zh"]):
            raise UnknownRegionError(
                key="err_township_code_name", code=code_text, found=_label(found), name=name_text
            )
        return found
    for code_, county_name in _county_names().items():
        # "万秀区城东街道": the county in the name narrows the search to it.
        if name_text.startswith(county_name) and len(name_text) > len(county_name):
            name_text, county_adcode = name_text[len(county_name) :], county_adcode or code_
            break
    scope = table if not county_adcode else table[table["county_adcode"] == int(county_adcode)]
    key = township_key(name_text)
    rows = scope[scope["name_zh"].map(township_key) == key]
    if len(rows) > 1 and key != name_text:
        # The administrative word tells 城东街道 from 城东镇 where both exist.
        rows = (
            rows[rows["kind"] == township_kind(name_text)]
            if township_kind(name_text) != "special"
            else rows
        )
    if len(rows) == 1:
        return rows.iloc[0]
    if len(rows) > 1:
        listing = "; ".join(map(_label, rows.to_dict("records")))
        raise AmbiguousRegionError(key="err_township_ambiguous", name=name_text, listing=listing)
    where = (
        Phrase("in_place", place=_county_names().get(int(county_adcode), county_adcode))
        if county_adcode
        else Phrase("in_guangxi")
    )
    keys = scope["name_zh"].map(township_key)
    close = difflib.get_close_matches(key, keys.unique().tolist(), n=5, cutoff=0.5)
    hint = "; ".join(_label(r) for r in scope[keys.isin(close)].to_dict("records")[:5])
    raise UnknownRegionError(
        key="err_township_name",
        name=name_text,
        where=where,
        hint=Phrase("township_nearest_names", hint=hint) if hint else Phrase("err_region_list"),
    )
