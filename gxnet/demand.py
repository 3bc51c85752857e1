"""Demand: where the census people live, as units on a grid, with exact county totals.

The 2020 census gives people and households per county, split into urban and rural people.
:func:`build_demand` places them on a square grid (in the city's UTM zone) or an H3 grid, at
the grain of the township (乡, 镇, 街道; :mod:`gxnet.townships`):

1. Every cell belongs to the county holding its centre, and to the township of that county
   whose point is nearest (the township's Voronoi cell cut to the county). A township that owns
   no cell gets a unit in the county's cell nearest its point.
2. Each county's urban people are shared among its townships in proportion to their urban
   committees (residents' and village committees with an urban-rural code 1xx), its rural
   people in proportion to their rural committees (2xx); households follow people. Whole
   numbers per township by the largest-remainder method within the county.
3. With OSM data on disk, each cell gets two kinds of evidence: *dense* evidence (square metres
   of ``landuse=residential``, building footprints weighted by type, and city/town/suburb/
   neighbourhood place nodes) and *scattered* evidence (building footprints and
   village/hamlet/isolated-dwelling place nodes). A township's urban people go to its densest
   cells (ranked by dense evidence, taken until they hold the township's urban share of its
   dense evidence), following dense evidence; its rural people to its other cells, following
   scattered evidence.
4. Without OSM data (or in a township where OSM shows nothing), a township's urban people live
   at its town: the cells nearest its point, as many as the standard town density
   (``town_density_per_km2``) takes; its rural people are spread evenly over its other cells.
   A county without townships in the reference data (a study area outside Guangxi) spreads its
   people evenly over its cells.
5. Counts are made whole per township by the largest-remainder method, so each township's and
   each county's population and households equal their totals exactly.

A planner's own demand (points or polygons with households or population) is read by
:func:`read_demand`; :func:`load_demand` gives a study area its demand from whichever source it
has. The rule, its fallbacks and the recyclables rates are documented in
``docs/demand-and-sites.md``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from gxnet._errors import AmbiguousRegionError, GxnetWarning, InputFileError, UserInputError
from gxnet._messages import Phrase
from gxnet._tables import clean_text, match_columns, parse_numbers, read_table
from gxnet.config import DEMAND, Config, DemandStandards
from gxnet.crs import convert, to_wgs84, utm_crs
from gxnet.osm.features import RURAL_PLACES, OsmFeatures, city_features, read_features
from gxnet.regions import Region, boundaries, get_region
from gxnet.study_area import StudyArea, guangxi_counties
from gxnet.townships import (
    LOCATED_SOURCES,
    find_township,
    list_townships,
    locate_townships,
    nearest_township,
)

GRIDS: tuple[str, ...] = ("square", "h3")
#: Census columns a county table must have.
COUNTY_COLUMNS: tuple[str, ...] = (
    "adcode",
    "population",
    "urban_population",
    "rural_population",
    "households",
)
#: Output columns of :func:`build_demand` and :func:`read_demand`, in order.
DEMAND_COLUMNS: tuple[str, ...] = (
    "demand_id",
    "households",
    "population",
    "county_adcode",
    "township_code",
    "township_name",
    "setting",
    "recyclables_kg_day",
    "geometry",
    "cell",
)


@dataclass(frozen=True)
class _Grid:
    """Cells of one study area: keys, owning county, polygons in the metric CRS.

    Square keys are flat grid indices (int64; ``-(index + 1)`` for a county's extra cell, see
    :func:`_square_grid`); H3 keys are cell strings (``"+"``-prefixed for an extra cell).
    """

    kind: str
    crs: CRS
    keys: np.ndarray
    county: np.ndarray  # row index into the county table
    polygons: np.ndarray  # shapely polygons in ``crs``
    wgs84: np.ndarray | None  # the same polygons in WGS-84 (H3); None: project when needed
    size_m: float
    resolution: int | None = None
    origin: tuple[float, float] = (0.0, 0.0)
    shape: tuple[int, int] = (0, 0)

    def locate(self, x: np.ndarray, y: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Cell index of each point (-1 outside every cell); metric and WGS-84 coordinates."""
        if self.kind == "square":
            ix = np.floor((x - self.origin[0]) / self.size_m).astype(np.int64)
            iy = np.floor((y - self.origin[1]) / self.size_m).astype(np.int64)
            ok = (ix >= 0) & (ix < self.shape[0]) & (iy >= 0) & (iy < self.shape[1])
            lookup = np.full(self.shape[0] * self.shape[1], -1, dtype=np.int64)
            regular = np.flatnonzero(self.keys >= 0)
            lookup[self.keys[regular]] = regular
            out = np.full(len(x), -1, dtype=np.int64)
            out[ok] = lookup[ix[ok] * self.shape[1] + iy[ok]]
            return out
        cells = [h3.latlng_to_cell(b, a, self.resolution) for a, b in zip(lon, lat, strict=True)]
        index = pd.Index(self.keys)
        return index.get_indexer(pd.Index(cells, dtype=object)).astype(np.int64)


def h3_resolution(cell_size_m: float) -> int:
    """The H3 resolution whose average hexagon area is closest to a square of this size."""
    target = float(cell_size_m) ** 2
    return min(range(16), key=lambda r: abs(np.log(h3.average_hexagon_area(r, "m^2") / target)))


def build_demand(
    region_or_polygon: object,
    *,
    cell_size_m: float = 500,
    grid: str = "square",
    pbf: str | os.PathLike[str] | None = None,
    features: OsmFeatures | None = None,
    counties: gpd.GeoDataFrame | None = None,
    townships: gpd.GeoDataFrame | None = None,
    standards: DemandStandards = DEMAND,
) -> gpd.GeoDataFrame:
    """Demand units of a city (or any study area): the census placed township by township.

    Parameters
    ----------
    region_or_polygon
        A :class:`gxnet.regions.Region` (the region, a city or a county), its name or adcode,
        or a shapely polygon in WGS-84 (then ``counties`` is required).
    cell_size_m
        Cell side for the square grid; for H3, the resolution whose hexagons have about the
        same area (:func:`h3_resolution`).
    grid
        ``"square"`` (cells aligned to the city's UTM zone) or ``"h3"``.
    pbf
        An OSM PBF to read the evidence from (for a city, once: the features are cached by
        the file's hash); default: the city's cached features, or its clipped PBF from
        ``gxnet fetch``.
    features
        Evidence already read (:func:`gxnet.osm.features.read_features`); wins over ``pbf``.
    counties
        Census totals per county as a GeoDataFrame (WGS-84) with :data:`COUNTY_COLUMNS`;
        default: the region's counties from :func:`gxnet.regions.boundaries`. Given with a
        polygon, the counties are cut to it.
    townships
        Townships of those counties in the columns of :func:`gxnet.townships.list_townships`;
        default: the reference data's townships of the counties' adcodes. A county without any
        (an empty frame: all of them) is placed as a whole.
    standards
        Recyclables rates, evidence weights and the town density.

    Returns
    -------
    GeoDataFrame
        One row per populated cell and township, columns :data:`DEMAND_COLUMNS`: ``geometry``
        is the point people are placed at (the evidence-weighted centre of the cell, or its
        centre), ``cell`` the cell polygon, both WGS-84; ``township_code`` and
        ``township_name`` are "" in a county without townships. Population and households sum
        to the census per county exactly. ``attrs["townships"]`` counts the townships placed
        and those whose point is the reference data's fallback (see docs/demand-and-sites.md).

    Raises
    ------
    UserInputError
        For an unknown grid, a non-positive cell size, or a polygon without county totals.
    """
    if grid not in GRIDS:
        raise UserInputError(f"unknown grid {grid!r}; use square or h3")
    if not cell_size_m > 0:
        raise UserInputError(f"cell size must be positive, not {cell_size_m}")
    counties, slug, polygon = _study_area(region_or_polygon, counties)
    if features is None and slug is not None:
        # A city's features are cached per source file, also when the PBF is given.
        features = city_features(slug, polygon, pbf)
    elif features is None and pbf is not None:
        features = read_features(pbf, polygon)

    centre = shapely.centroid(polygon)
    crs = utm_crs(shapely.get_x(centre), shapely.get_y(centre))
    counties_m = counties.to_crs(crs)
    cells = (
        _square_grid(counties_m, crs, cell_size_m)
        if grid == "square"
        else _h3_grid(counties, crs, cell_size_m)
    )
    towns = _township_totals(counties, townships, crs)
    units = _units(cells, towns)
    if features is None:
        warnings.warn(GxnetWarning("warn_no_osm", area=slug or Phrase("this_area")), stacklevel=2)
        dense = scattered = np.zeros(len(cells.keys))
        wx = wy = np.full(len(cells.keys), np.nan)
    else:
        dense, scattered, wx, wy = _evidence(cells, features, standards)
    dense, scattered = dense[units.cell], scattered[units.cell]
    wx, wy = wx[units.cell], wy[units.cell]
    area = shapely.area(cells.polygons)[units.cell]

    urban_q, rural_q = _around_towns(units, towns, area, standards)
    if features is not None:
        urban_e, rural_e, without = _split(
            units.group, len(towns.county), dense, scattered, towns.urban, towns.rural
        )
        evidence = ~np.isin(units.group, without)
        urban_q = np.where(evidence, urban_e, urban_q)
        rural_q = np.where(evidence, rural_e, rural_q)
        county = towns.county[units.group]
        has_evidence = np.bincount(county, dense + scattered, minlength=len(counties)) > 0
        empty = np.flatnonzero(~has_evidence)
        if len(empty):
            names = ", ".join(str(a) for a in counties["adcode"].to_numpy()[empty])
            warnings.warn(GxnetWarning("warn_no_osm_counties", counties=names), stacklevel=2)
    quota = urban_q + rural_q
    population = _largest_remainder(quota, units.group, towns.population)
    households = _largest_remainder(quota, units.group, towns.households)
    urban_frac = np.divide(urban_q, quota, out=np.zeros_like(quota), where=quota > 0)
    keep = population > 0
    frame = _assemble(
        cells, counties, towns, units, keep, population, households, urban_frac, wx, wy, standards
    )
    frame.attrs["townships"] = _township_counts(towns, frame, slug)
    return frame


@dataclass(frozen=True)
class _Towns:
    """Townships of the study area (one row per township; a county without any is one row).

    ``county`` indexes the county table; ``x``, ``y`` are metric (NaN for a whole county);
    ``urban``, ``rural`` the people to place (fractional), ``population`` and ``households``
    the whole numbers they are rounded to within the county; ``fallback`` marks a point from
    the reference data's fallback rule.
    """

    county: np.ndarray
    code: np.ndarray
    name: np.ndarray
    x: np.ndarray
    y: np.ndarray
    urban: np.ndarray
    rural: np.ndarray
    population: np.ndarray
    households: np.ndarray
    fallback: np.ndarray


def _township_totals(
    counties: gpd.GeoDataFrame, townships: gpd.GeoDataFrame | None, crs: CRS
) -> _Towns:
    """Share each county's census among its townships (rule 2 of the module docstring).

    Townships not found in the 2016 list have no committees of their own: they count as many
    as the median township of their kind (街道 or not) in the county. A county without any
    urban committee shares its urban people among its 街道 and 镇 (else all townships) equally;
    without any rural committee, its rural people among its townships other than 街道.
    """
    adcodes = counties["adcode"].to_numpy(np.int64)
    if townships is None:
        townships = list_townships()
    towns = townships[townships["county_adcode"].isin(adcodes)].sort_values("township_code")
    towns = towns.reset_index(drop=True)
    county = pd.Index(adcodes).get_indexer(towns["county_adcode"])
    urban = towns["urban_committees"].to_numpy(float)
    rural = towns["rural_committees"].to_numpy(float)
    street = (towns["kind"] == "subdistrict").to_numpy()
    unknown = (towns["match"] == "none").to_numpy()
    if unknown.any():
        known = pd.DataFrame({"county": county, "street": street, "u": urban, "r": rural})[~unknown]
        median = known.groupby(["county", "street"])[["u", "r"]].median()
        fill = median.reindex(pd.MultiIndex.from_arrays([county[unknown], street[unknown]]))
        urban[unknown] = fill["u"].fillna(1.0).to_numpy()
        rural[unknown] = fill["r"].fillna(1.0).to_numpy()
    n = len(adcodes)
    urban_w = _with_fallback(
        county, n, urban, towns["kind"].isin(["subdistrict", "town"]).to_numpy()
    )
    rural_w = _with_fallback(county, n, rural, ~street)
    whole = np.setdiff1d(np.arange(n), county)  # counties placed as a whole
    county = np.concatenate([county, whole])
    urban_w = np.concatenate([urban_w, np.ones(len(whole))])
    rural_w = np.concatenate([rural_w, np.ones(len(whole))])
    urban_total = counties["urban_population"].to_numpy(float)
    rural_total = counties["rural_population"].to_numpy(float)
    urban_p = urban_w / np.bincount(county, urban_w, minlength=n)[county] * urban_total[county]
    rural_p = rural_w / np.bincount(county, rural_w, minlength=n)[county] * rural_total[county]
    people = urban_p + rural_p
    population = _largest_remainder(
        people, county, counties["population"].to_numpy(np.int64)
    ).astype(np.int64)
    households = _largest_remainder(
        people, county, counties["households"].to_numpy(np.int64)
    ).astype(np.int64)
    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_m.transform(towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy())
    pad = np.full(len(whole), np.nan)
    blank = np.full(len(whole), "", dtype=object)
    return _Towns(
        county=county,
        code=np.concatenate([towns["township_code"].to_numpy(dtype=object), blank]),
        name=np.concatenate([towns["name_zh"].to_numpy(dtype=object), blank]),
        x=np.concatenate([np.asarray(x, dtype=float), pad]),
        y=np.concatenate([np.asarray(y, dtype=float), pad]),
        urban=urban_p,
        rural=rural_p,
        population=population,
        households=households,
        fallback=np.concatenate(
            [~towns["point_source"].isin(LOCATED_SOURCES).to_numpy(), np.zeros(len(whole), bool)]
        ),
    )


def _with_fallback(
    county: np.ndarray, n: int, weight: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """``weight``; in a county where it sums to 0, 1 for the ``second`` choice, else 1 for all."""
    out = weight.astype(float).copy()
    for fallback in (second.astype(float), np.ones(len(weight))):
        empty = np.bincount(county, out, minlength=n)[county] == 0
        out[empty] = fallback[empty]
    return out


@dataclass(frozen=True)
class _Units:
    """Demand units: a cell and the township living in it (``group`` indexes :class:`_Towns`).

    ``x``, ``y`` are the cell's metric centre; ``extra`` marks the unit of a township that
    owns no cell (placed in its county's cell nearest its point).
    """

    cell: np.ndarray
    group: np.ndarray
    x: np.ndarray
    y: np.ndarray
    extra: np.ndarray


def _units(cells: _Grid, towns: _Towns) -> _Units:
    """Each cell to the nearest township of its county; a township without a cell gets one."""
    centre = shapely.centroid(cells.polygons)
    cx, cy = shapely.get_x(centre), shapely.get_y(centre)
    has_point = np.isfinite(towns.x)
    points = np.flatnonzero(has_point)
    owner = nearest_township(
        cells.county, cx, cy, towns.county[points], towns.x[points], towns.y[points]
    )
    group = points[owner] if len(points) else owner
    group[owner < 0] = -1
    whole = np.flatnonzero(~has_point)
    lookup = np.full(len(towns.county) + int(towns.county.max(initial=0)) + 1, -1, np.int64)
    lookup[towns.county[whole]] = whole
    group = np.where(group >= 0, group, lookup[cells.county])
    # A township owning no cell (small, or beside a bigger neighbour's point): the nearest cell.
    lonely = np.setdiff1d(np.arange(len(towns.county)), group)
    lonely = lonely[has_point[lonely]]
    near = nearest_township(
        towns.county[lonely], towns.x[lonely], towns.y[lonely], cells.county, cx, cy
    )
    lonely, near = lonely[near >= 0], near[near >= 0]
    cell = np.concatenate([np.arange(len(group)), near]).astype(np.int64)
    return _Units(
        cell=cell,
        group=np.concatenate([group, lonely]).astype(np.int64),
        x=cx[cell],
        y=cy[cell],
        extra=np.concatenate([np.zeros(len(group), bool), np.ones(len(lonely), bool)]),
    )


def _around_towns(
    units: _Units, towns: _Towns, area: np.ndarray, standards: DemandStandards
) -> tuple[np.ndarray, np.ndarray]:
    """Urban and rural people per unit without evidence (rule 4 of the module docstring).

    A township's units are ranked by distance from its point; the nearest ones whose area
    holds its urban people at the town density (at least one) get them, evenly; the others
    get its rural people, evenly (all of them when the town takes every unit). A county
    placed as a whole spreads both evenly.
    """
    n = len(towns.county)
    group = units.group
    located = np.isfinite(towns.x)
    distance = np.hypot(units.x - towns.x[group], units.y - towns.y[group])
    order = np.lexsort((np.nan_to_num(distance), group))
    in_order = group[order]
    area_sorted = area[order]
    start = np.concatenate([[0.0], np.cumsum(np.bincount(group, area, minlength=n))])[in_order]
    before = np.cumsum(area_sorted) - area_sorted - start
    town_m2 = towns.urban / standards.town_density_per_km2 * 1e6
    town = np.zeros(len(group), dtype=bool)
    town[order] = (before < town_m2[in_order]) & located[in_order]
    ones = np.ones(len(group))
    urban_w = _first_positive(group, n, town * 1.0, ones)
    rural_w = _first_positive(group, n, ~town * 1.0, ones)
    return urban_w * towns.urban[group], rural_w * towns.rural[group]


def _township_counts(towns: _Towns, frame: gpd.GeoDataFrame, slug: str | None) -> dict:
    """What a plan records about the townships: how many, how many placed by the fallback."""
    real = towns.code != ""
    with_people = real & (towns.population > 0)
    fallback = with_people & towns.fallback
    counts = {
        "townships": int(real.sum()),
        "with_households": int((real & (towns.households > 0)).sum()),
        "fallback_points": int(fallback.sum()),
        "fallback": [
            f"{c} {n}" for c, n in zip(towns.code[fallback], towns.name[fallback], strict=True)
        ],
        "counties_without_townships": int((~real).sum()),
    }
    if counts["fallback_points"]:
        shown = ", ".join(counts["fallback"][:5]) + (", ..." if fallback.sum() > 5 else "")
        warnings.warn(
            GxnetWarning(
                "warn_township_points",
                n=counts["fallback_points"],
                townships=counts["townships"],
                area=slug or Phrase("this_area"),
                shown=shown,
            ),
            stacklevel=3,
        )
    return counts


def _study_area(
    region_or_polygon: object, counties: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame, str | None, shapely.Geometry]:
    if isinstance(region_or_polygon, shapely.Geometry):
        if counties is None:
            raise UserInputError(
                "a study polygon needs county totals: pass counties= (a GeoDataFrame with "
                + ", ".join(COUNTY_COLUMNS)
                + ")"
            )
        polygon = region_or_polygon
        counties = counties.to_crs("EPSG:4326")
        counties = counties.set_geometry(
            shapely.intersection(counties.geometry.to_numpy(), polygon)
        )
        slug = None
    else:
        region = (
            region_or_polygon
            if isinstance(region_or_polygon, Region)
            else get_region(region_or_polygon)
        )
        if counties is None:
            if region.level == "county":
                counties = boundaries(region.city_adcode)
                counties = counties[counties["adcode"] == region.adcode]
            elif region.level == "city":
                counties = boundaries(region)
            else:
                counties = boundaries(level="county")
        polygon = region.boundary
        slug = region.slug
    missing = [c for c in COUNTY_COLUMNS if c not in counties.columns]
    if missing:
        raise UserInputError(f"the county table lacks columns {missing}")
    counties = counties[~counties.geometry.is_empty].reset_index(drop=True)
    if len(counties) == 0:
        raise UserInputError(key="err_no_county_overlap")
    return counties, slug, polygon


def _square_grid(counties_m: gpd.GeoDataFrame, crs: CRS, size: float) -> _Grid:
    x0, y0, x1, y1 = counties_m.total_bounds
    x0, y0 = np.floor(x0 / size) * size, np.floor(y0 / size) * size
    nx, ny = int(np.ceil((x1 - x0) / size)), int(np.ceil((y1 - y0) / size))
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    cx, cy = x0 + (ix + 0.5) * size, y0 + (iy + 0.5) * size
    county, cell = _owner(counties_m.geometry.to_numpy(), cx, cy)
    keys = ix[cell] * ny + iy[cell]
    lows = np.column_stack([x0 + ix[cell] * size, y0 + iy[cell] * size])
    # A county smaller than a cell (or missed by every centre) still gets one cell, at a point
    # inside it; its key is marked so that point lookup keeps to the regular cells.
    extra = np.setdiff1d(np.arange(len(counties_m)), county)
    if len(extra):
        inner = shapely.point_on_surface(counties_m.geometry.to_numpy()[extra])
        ex = np.floor((shapely.get_x(inner) - x0) / size).astype(int)
        ey = np.floor((shapely.get_y(inner) - y0) / size).astype(int)
        county = np.concatenate([county, extra])
        keys = np.concatenate([keys, -(ex * ny + ey) - 1])
        lows = np.vstack([lows, np.column_stack([x0 + ex * size, y0 + ey * size])])
    polygons = shapely.box(lows[:, 0], lows[:, 1], lows[:, 0] + size, lows[:, 1] + size)
    return _Grid("square", crs, keys, county, polygons, None, size, origin=(x0, y0), shape=(nx, ny))


def _owner(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(county index, centre index) of every centre inside a county; the first county wins.

    Each county tests only the centres in its bounding box, on coordinates (no Point objects).
    """
    owner = np.full(len(x), -1, dtype=np.int64)
    for i, geom in enumerate(geoms):
        bx0, by0, bx1, by1 = shapely.bounds(geom)
        near = np.flatnonzero((owner < 0) & (x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1))
        owner[near[shapely.contains_xy(geom, x[near], y[near])]] = i
    cell = np.flatnonzero(owner >= 0)
    return owner[cell], cell


def _h3_grid(counties: gpd.GeoDataFrame, crs: CRS, size: float) -> _Grid:
    res = h3_resolution(size)
    geoms = counties.geometry.to_numpy()
    # geo_to_cells takes the cells whose centre is inside, so neighbours rarely share one;
    # where simplified boundaries overlap, the first county keeps the cell.
    cells_of = [h3.geo_to_cells(g, res) if not g.is_empty else [] for g in geoms]
    hexes = np.asarray([c for cells in cells_of for c in cells], dtype=object)
    county = np.repeat(np.arange(len(geoms)), [len(c) for c in cells_of])
    _, first = np.unique(hexes, return_index=True) if len(hexes) else (None, np.array([], int))
    first = np.sort(first)
    hexes, county = hexes[first], county[first]
    keys = hexes.copy()
    # A county smaller than a cell still gets the cell holding a point inside it, under a
    # marked key, so that point lookup keeps to the regular cells.
    extra = np.setdiff1d(np.arange(len(geoms)), county)
    if len(extra):
        inner = shapely.point_on_surface(geoms[extra])
        added = np.asarray([h3.latlng_to_cell(p.y, p.x, res) for p in inner], dtype=object).reshape(
            -1
        )
        hexes = np.concatenate([hexes, added])
        keys = np.concatenate([keys, np.char.add("+", added.astype(str)).astype(object)])
        county = np.concatenate([county, extra])
    # Pentagons have five corners: repeat the last one so that every ring has six.
    rings = [(r := h3.cell_to_boundary(k)) + r[-1:] * (6 - len(r)) for k in hexes]
    lat = np.array([[p[0] for p in r] for r in rings])
    lon = np.array([[p[1] for p in r] for r in rings])
    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_m.transform(lon, lat)
    polygons = shapely.polygons(np.stack([x, y], axis=-1))
    wgs84 = shapely.polygons(np.stack([lon, lat], axis=-1))
    return _Grid("h3", crs, keys, county.astype(np.int64), polygons, wgs84, size, resolution=res)


def _evidence(
    cells: _Grid, features: OsmFeatures, standards: DemandStandards
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dense and scattered evidence per cell, and the evidence-weighted point of each cell."""
    n = len(cells.keys)
    to_m = Transformer.from_crs("EPSG:4326", cells.crs, always_xy=True)
    b = features.buildings
    p = features.places
    lon = np.concatenate([b.geometry.x.to_numpy(), p.geometry.x.to_numpy()])
    lat = np.concatenate([b.geometry.y.to_numpy(), p.geometry.y.to_numpy()])
    x, y = to_m.transform(lon, lat)
    at = cells.locate(np.asarray(x), np.asarray(y), lon, lat)
    building_w = b["footprint_m2"].to_numpy(float) * np.where(
        b["residential"].to_numpy(bool), standards.residential_building_weight, 1.0
    )
    rural_place = p["place"].isin(RURAL_PLACES).to_numpy()
    place_w = np.full(len(p), standards.place_weight)
    weight = np.concatenate([building_w, place_w])
    dense_w = np.concatenate([building_w, np.where(rural_place, 0.0, place_w)])
    scattered_w = np.concatenate([building_w, np.where(rural_place, place_w, 0.0)])
    ok = at >= 0

    def per_cell(values: np.ndarray) -> np.ndarray:
        # float even when there is nothing to add (bincount then returns integers)
        return np.bincount(at[ok], values[ok], minlength=n).astype(float)

    dense, scattered, total = per_cell(dense_w), per_cell(scattered_w), per_cell(weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        wx = per_cell(weight * np.asarray(x)) / total
        wy = per_cell(weight * np.asarray(y)) / total
    dense += _landuse_m2(cells, features.residential)
    return dense, scattered, wx, wy


def _landuse_m2(cells: _Grid, residential: gpd.GeoDataFrame) -> np.ndarray:
    """Square metres of residential land use in each cell."""
    out = np.zeros(len(cells.keys))
    if len(residential) == 0:
        return out
    shapes = residential.to_crs(cells.crs).geometry.to_numpy()
    tree = shapely.STRtree(cells.polygons)
    shape_i, cell_i = tree.query(shapes, predicate="intersects")
    areas = shapely.area(shapely.intersection(cells.polygons[cell_i], shapes[shape_i]))
    np.add.at(out, cell_i, areas)
    return out


def _split(
    group: np.ndarray,
    n_groups: int,
    dense: np.ndarray,
    scattered: np.ndarray,
    urban_total: np.ndarray,
    rural_total: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Urban and rural people per unit by OSM evidence (rule 3 of the module docstring), and
    the groups (townships) without any evidence."""
    n = len(group)
    urban_share = urban_total / np.maximum(urban_total + rural_total, 1e-12)
    urban_cells = np.zeros(n, dtype=bool)
    # Rank units by dense evidence within each township; take them until they hold the
    # township's urban share of its dense evidence (at least the densest unit).
    order = np.lexsort((-dense, group))
    d_sorted = dense[order]
    g_sorted = group[order]
    total_d = np.bincount(group, dense, minlength=n_groups)
    cum = np.cumsum(d_sorted)
    start = np.concatenate([[0.0], np.cumsum(total_d)])[g_sorted]
    before = (cum - d_sorted - start) / np.where(total_d[g_sorted] > 0, total_d[g_sorted], 1)
    urban_cells[order] = (d_sorted > 0) & (before < urban_share[g_sorted])
    ones = np.ones(n)
    urban_w = _first_positive(group, n_groups, dense * urban_cells, scattered, ones)
    rural_w = _first_positive(
        group, n_groups, scattered * ~urban_cells, dense * ~urban_cells, ~urban_cells * 1.0, ones
    )
    has_evidence = np.bincount(group, dense + scattered, minlength=n_groups) > 0
    return (
        urban_w * urban_total[group],
        rural_w * rural_total[group],
        np.flatnonzero(~has_evidence),
    )


def _first_positive(county: np.ndarray, n_counties: int, *weights: np.ndarray) -> np.ndarray:
    """Per county, the first weighting with a positive total, normalised to sum to 1."""
    out = np.zeros(len(county))
    done = np.zeros(n_counties, dtype=bool)
    for w in weights:
        total = np.bincount(county, w, minlength=n_counties)
        use = (total > 0) & ~done
        rows = use[county]
        out[rows] = w[rows] / total[county[rows]]
        done |= use
    return out


def _largest_remainder(quota: np.ndarray, county: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Whole numbers per cell summing exactly to each county's total (Hamilton's method).

    The quotas are first scaled so that each county's sum is its total; each cell gets the
    floor of its quota, and the units still missing go to the largest fractional parts.
    """
    n_counties = len(totals)
    totals = np.asarray(totals, dtype=np.int64)
    sums = np.bincount(county, quota, minlength=n_counties)[county]
    q = np.divide(quota, sums, out=np.zeros(len(quota)), where=sums > 0) * totals[county]
    base = np.floor(q).astype(np.int64)
    missing = totals - np.bincount(county, base, minlength=n_counties).astype(np.int64)
    order = np.lexsort((-(q - base), county))
    rank = np.arange(len(order)) - np.searchsorted(county[order], county[order], side="left")
    bonus = np.zeros(len(q), dtype=np.int64)
    bonus[order] = rank < missing[county[order]]
    return (base + bonus).astype(float)


def _assemble(
    cells: _Grid,
    counties: gpd.GeoDataFrame,
    towns: _Towns,
    units: _Units,
    keep: np.ndarray,
    population: np.ndarray,
    households: np.ndarray,
    urban_frac: np.ndarray,
    wx: np.ndarray,
    wy: np.ndarray,
    standards: DemandStandards,
) -> gpd.GeoDataFrame:
    cell = units.cell[keep]
    group = units.group[keep]
    polygons = cells.polygons[cell]
    density = population[keep] / np.maximum(shapely.area(polygons) / 1e6, 1e-9)
    urban = (urban_frac[keep] >= 0.5) & (density >= standards.urban_min_density_per_km2)
    x = np.where(np.isfinite(wx[keep]), wx[keep], units.x[keep])
    y = np.where(np.isfinite(wy[keep]), wy[keep], units.y[keep])
    to_wgs = Transformer.from_crs(cells.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(x, y)
    adcode = counties["adcode"].to_numpy(np.int64)[towns.county[group]]
    frac = urban_frac[keep]
    rate = (
        frac * standards.recyclables_kg_per_person_day_urban
        + (1 - frac) * standards.recyclables_kg_per_person_day_rural
    )
    prefix = "h3" if cells.kind == "h3" else f"sq{int(cells.size_m)}"
    keys = cells.keys[cell]
    if cells.kind == "square":
        keys = np.where(keys >= 0, keys.astype(str), np.char.add("+", (-keys - 1).astype(str)))
    code = towns.code[group]
    # A township's unit in a cell it shares with the cell's owner is named by the township.
    owner = np.where(units.extra[keep], code, adcode.astype(str))
    demand_id = [f"{a}-{prefix}-{k}" for a, k in zip(owner, keys, strict=True)]
    if cells.wgs84 is None:
        outline = gpd.GeoSeries(polygons, crs=cells.crs).to_crs("EPSG:4326").to_numpy()
    else:
        outline = cells.wgs84[cell]
    return (
        gpd.GeoDataFrame(
            {
                "demand_id": pd.Series(demand_id, dtype=object),
                "households": households[keep],
                "population": population[keep],
                "county_adcode": adcode,
                "township_code": code,
                "township_name": towns.name[group],
                "setting": np.where(urban, "urban", "rural").astype(object),
                "recyclables_kg_day": population[keep] * rate,
                "geometry": gpd.points_from_xy(lon, lat),
                "cell": outline,
            },
            geometry="geometry",
            crs="EPSG:4326",
        )
        .set_geometry("cell", crs="EPSG:4326")
        .set_geometry("geometry")
    )


#: Accepted column names of a planner's demand file.
DEMAND_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "demand_id": ("编号", "小区编号", "id", "demand_id"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "households": ("户数", "家庭户数", "households", "hh"),
    "population": ("人口", "人口数", "常住人口", "population", "pop"),
    "county_adcode": ("区划代码", "区县代码", "adcode", "county_adcode"),
    "township_code": ("乡镇代码", "乡镇街道代码", "街道代码", "township_code", "town_code"),
    "township_name": ("乡镇", "乡镇街道", "乡镇名称", "街道", "township", "township_name", "town"),
    "setting": ("城乡", "城乡类型", "setting", "urban_rural"),
}
_SETTINGS: dict[str, str] = {
    "城镇": "urban",
    "城市": "urban",
    "urban": "urban",
    "乡村": "rural",
    "农村": "rural",
    "rural": "rural",
}


def read_demand(
    path: str | os.PathLike[str],
    *,
    crs: str = "wgs84",
    standards: DemandStandards = DEMAND,
) -> gpd.GeoDataFrame:
    """Read a planner's own demand: points or polygons with households or population.

    Parameters
    ----------
    path
        CSV (with 经度/lon and 纬度/lat columns) or XLSX, GeoJSON or GeoPackage (points or
        polygons). Columns, matched in Chinese or English: 户数/households, 人口/population
        (at least one), 编号/id, 区划代码/adcode, 城乡/setting (城镇/urban, 乡村/rural).
    crs
        Coordinate system of the coordinates: ``wgs84``, ``gcj02`` or ``bd09``.
    standards
        Household size used when only one of households or population is given, and the
        recyclables rates.

    Returns
    -------
    GeoDataFrame
        Columns :data:`DEMAND_COLUMNS`; ``cell`` is the polygon for polygon input, empty for
        points; ``county_adcode`` is 0 when the file has none. When rows give only households
        or only population, ``attrs["household_size"]`` records the household size used (it is
        also said as a warning).

    Raises
    ------
    InputFileError
        Naming the file, the first bad row and the field: no coordinates, neither households
        nor population, a value that is not a non-negative number, an unknown setting.
    """
    path = Path(path)
    table, geometry, rows = read_table(path)
    cols = match_columns(list(table.columns), DEMAND_COLUMN_NAMES)
    n = len(table)

    def text(field: str) -> pd.Series:
        return clean_text(table[cols[field]]) if field in cols else pd.Series([""] * n)

    def numbers(field: str) -> np.ndarray:
        values, bad = parse_numbers(text(field))
        bad |= values < 0
        if bad.any():
            i = int(np.argmax(bad))
            raise InputFileError(
                key="err_not_a_count",
                value=str(text(field).iloc[i]),
                path=str(path),
                row=int(rows[i]),
                field=str(cols[field]),
            )
        return values

    if geometry is not None:
        shapes = geometry.to_numpy()
        points = shapely.point_on_surface(shapes)
        polygon = np.isin(shapely.get_type_id(shapes), [3, 6])
        cell = np.where(polygon, shapes, None)
    elif "lon" in cols and "lat" in cols:
        points = shapely.points(numbers("lon"), numbers("lat"))
        cell = np.full(n, None, dtype=object)
    else:
        raise InputFileError(
            key="err_no_coordinates",
            path=str(path),
            field="经度/lon",
        )
    missing = shapely.is_missing(points) | shapely.is_empty(points)
    missing |= ~np.isfinite(shapely.get_x(points)) | ~np.isfinite(shapely.get_y(points))
    if missing.any():
        raise InputFileError(
            key="err_missing_coordinates", path=str(path), row=int(rows[np.argmax(missing)])
        )
    if "households" not in cols and "population" not in cols:
        raise InputFileError(key="err_no_households_column", path=str(path), field="households")
    households = numbers("households") if "households" in cols else np.full(n, np.nan)
    population = numbers("population") if "population" in cols else np.full(n, np.nan)
    neither = np.isnan(households) & np.isnan(population)
    if neither.any():
        raise InputFileError(
            key="err_no_households_value",
            path=str(path),
            row=int(rows[np.argmax(neither)]),
            field="households",
        )
    said = _household_size_used(path, standards, np.isnan(population), np.isnan(households))
    households = np.where(np.isnan(households), population / standards.household_size, households)
    population = np.where(np.isnan(population), households * standards.household_size, population)

    setting_text = text("setting")
    setting = setting_text.map(lambda v: _SETTINGS.get(v.lower(), "?" if v else "urban"))
    if (setting == "?").any():
        i = int(np.argmax((setting == "?").to_numpy()))
        raise InputFileError(
            key="err_unknown_setting",
            value=str(setting_text.iloc[i]),
            path=str(path),
            row=int(rows[i]),
            field=str(cols["setting"]),
        )
    adcode = numbers("county_adcode") if "county_adcode" in cols else np.zeros(n)
    adcode = np.nan_to_num(adcode).astype(np.int64)
    lon, lat = convert(shapely.get_x(points), shapely.get_y(points), crs, "wgs84")
    # Rows without a township (or a file without the columns) are placed by their point.
    where = locate_townships(lon, lat)
    code = where["township_code"].to_numpy(dtype=object)
    name = where["township_name"].to_numpy(dtype=object)
    if "township_code" in cols or "township_name" in cols:
        # A county the file gives narrows a township's name; one inferred from the point not.
        named = _named_townships(
            path,
            rows,
            cols,
            text("township_code"),
            text("township_name"),
            adcode,
            where["county_adcode"].to_numpy(),
        )
        given = named["township_code"].to_numpy() != ""
        code[given] = named["township_code"].to_numpy()[given]
        name[given] = named["township_name"].to_numpy()[given]
        adcode[given] = named["county_adcode"].to_numpy()[given]
    adcode = np.where(adcode > 0, adcode, where["county_adcode"].to_numpy())
    urban = (setting == "urban").to_numpy()
    rate = np.where(
        urban,
        standards.recyclables_kg_per_person_day_urban,
        standards.recyclables_kg_per_person_day_rural,
    )
    ids = text("demand_id").to_numpy(dtype=object)
    ids = np.where(ids == "", np.char.add("D", rows.astype(str)), ids)
    shaped = np.flatnonzero(cell != None)  # noqa: E711 (element-wise on an object array)
    if len(shaped):
        cell[shaped] = to_wgs84(cell[shaped], crs)
    frame = (
        gpd.GeoDataFrame(
            {
                "demand_id": pd.Series(ids, dtype=object),
                "households": households,
                "population": population,
                "county_adcode": adcode,
                "township_code": code,
                "township_name": name,
                "setting": setting.to_numpy(dtype=object),
                "recyclables_kg_day": population * rate,
                "geometry": gpd.points_from_xy(lon, lat),
                "cell": gpd.GeoSeries(cell, crs="EPSG:4326").to_numpy(),
            },
            geometry="geometry",
            crs="EPSG:4326",
        )
        .set_geometry("cell", crs="EPSG:4326")
        .set_geometry("geometry")
    )
    if said is not None:
        frame.attrs["household_size"] = said
    return frame


def _household_size_used(
    path: Path, standards: DemandStandards, households_only: np.ndarray, population_only: np.ndarray
) -> dict[str, object] | None:
    """Say (a warning) and record (for the plan's provenance) the household size that turns the
    households of a demand file into people or back; None when every row gives both."""
    n_households, n_population = int(households_only.sum()), int(population_only.sum())
    if not n_households and not n_population:
        return None
    parts = []
    if n_households:
        parts.append(Phrase("demand_households_only", n=n_households))
    if n_population:
        parts.append(Phrase("demand_population_only", n=n_population))
    said = parts[0] if len(parts) == 1 else Phrase("src_and", first=parts[0], then=parts[1])
    warning = GxnetWarning(
        "warn_household_size", path=str(path), rows=said, size=standards.household_size_said()
    )
    warnings.warn(warning, stacklevel=3)
    return {
        "persons_per_household": standards.household_size,
        "rows_households_only": n_households,
        "rows_population_only": n_population,
        "note": str(warning),
        "note_zh": warning.localized("zh"),
    }


def _named_townships(
    path: Path,
    rows: np.ndarray,
    cols: dict[str, object],
    codes: pd.Series,
    names: pd.Series,
    adcode: np.ndarray,
    point_county: np.ndarray,
) -> pd.DataFrame:
    """The townships a demand file names by code or name (blank where a row names none).

    A name is looked up in the row's county (``adcode``, 0: anywhere); a name several counties
    share is taken in the county the row's point lies in (``point_county``) when that has it.

    Raises
    ------
    InputFileError
        For the first row whose township matches nothing today (or several townships, or one
        in another county than the row's), naming the file, row, field and nearest matches.
    """
    table = pd.DataFrame(
        {"code": codes.to_numpy(dtype=object), "name": names.to_numpy(dtype=object)}
    )
    table["county"] = adcode
    table["where"] = point_county
    out = pd.DataFrame(
        {"township_code": "", "township_name": "", "county_adcode": adcode}, index=table.index
    )
    asked = table[(table["code"] != "") | (table["name"] != "")]
    keys = ["code", "name", "county", "where"]
    for (code, name, county, where), group in asked.groupby(keys, sort=False):
        first = int(rows[group.index[0]])
        field = str(cols["township_code"] if code else cols["township_name"])
        try:
            try:
                found = find_township(code, name, county if not code else 0)
            except AmbiguousRegionError as several:
                if not where:
                    raise
                try:
                    found = find_township("", name, where)
                except UserInputError:
                    raise several from None
        except UserInputError as exc:
            raise InputFileError(
                key="err_township_row", problem=exc, path=str(path), row=first, field=field
            ) from None
        if county and int(found["county_adcode"]) != county:
            raise InputFileError(
                key="err_township_county",
                name=found["name_zh"],
                code=found["township_code"],
                found=found["county_adcode"],
                county=county,
                path=str(path),
                row=first,
                field=field,
            )
        out.loc[group.index, "township_code"] = found["township_code"]
        out.loc[group.index, "township_name"] = found["name_zh"]
        out.loc[group.index, "county_adcode"] = int(found["county_adcode"])
    return out


def load_demand(
    area: StudyArea,
    config: Config,
    *,
    demand: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    pbf: Path | None = None,
) -> gpd.GeoDataFrame:
    """Demand units of the area with households > 0.

    From ``demand`` (a planner's file or a GeoDataFrame) when given; else from the census
    (Guangxi regions only); else from a study-area file that carries households or population.

    Raises
    ------
    InputFileError
        For an area outside Guangxi without demand, or a demand file that cannot be used.
    """
    if isinstance(demand, gpd.GeoDataFrame):
        frame = demand
    elif demand is not None:
        frame = read_demand(demand, standards=config.demand)
    elif area.region is not None:
        frame = build_demand(
            area.region,
            cell_size_m=config.grid.cell_size_m,
            grid=config.grid.kind,
            pbf=pbf,
            standards=config.demand,
        )
    elif len(counties := guangxi_counties(area.boundary)):
        # The census is per county: place each county's people over the whole county, then
        # keep the units inside the study area.
        frame = build_demand(
            counties.geometry.union_all(),
            counties=counties,
            cell_size_m=config.grid.cell_size_m,
            grid=config.grid.kind,
            pbf=pbf,
            standards=config.demand,
        )
        frame = frame[shapely.contains_xy(area.boundary, frame.geometry.x, frame.geometry.y)]
    elif area.source.get("kind") == "file":
        try:
            frame = read_demand(area.source["path"], standards=config.demand)
        except InputFileError as exc:
            raise InputFileError(
                key="err_no_census_file", problem=exc, path=area.source["path"]
            ) from exc
    else:
        raise UserInputError(key="err_no_census")
    frame = frame[frame["households"] > 0].reset_index(drop=True)
    if frame.empty:
        raise InputFileError(key="err_no_households_inside")
    if "cell" not in frame.columns:
        frame["cell"] = gpd.GeoSeries([None] * len(frame), crs="EPSG:4326")
    return frame
