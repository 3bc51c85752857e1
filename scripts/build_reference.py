"""Rebuild the reference data in data/guangxi from the raw files in ../shared and one package.

Run from the repository root (needs the ``build`` extra: pypinyin and scgraph-data)::

    python scripts/build_reference.py [--source ../shared/data/guangxi] [--out data/guangxi]

``regions.parquet`` (the region, cities and counties with the 2020 census), in order:

1. reads the 2020 census table (126 rows: the region, 14 cities, 111 counties) and checks that
   the counties sum to their cities and the cities to the region;
2. renames the one unit changed since 2020 (450127 横县 -> 450181 横州市, see
   :data:`gxnet.regions.FORMER_UNITS`);
3. romanises every name with pypinyin, corrected by :data:`PINYIN` for place-name readings
   (长洲 Changzhou, not Zhangzhou) and conventional forms (藤县 Tengxian);
4. converts the county boundaries from GCJ-02 to WGS-84 with :mod:`gxnet.crs`;
5. simplifies them together as a coverage (shared edges stay shared, no slivers) with a 15 m
   tolerance in UTM zone 49N, which moves no vertex more than ~22 m (95 % of units: <= 13 m);
6. dissolves the counties into cities and the cities into the region, so that the three levels
   nest exactly (the raw city boundaries equal the union of their counties, checked here);
7. writes one GeoParquet file (zstd) sorted by adcode.

``townships.parquet`` (today's townships, :func:`build_townships`): matches today's list to the
2016 division list (:func:`match_townships`), takes each township's point from 2016 (its own,
else its committees' mean; GCJ-02 converted to WGS-84), counts its urban (1xx) and rural (2xx)
committees, and places the townships without a point by the rule of :func:`fallback_points`.

``highways.parquet`` (:func:`build_highways`): the part of scgraph-data's world highway graph in
and around Guangxi.

Every step is deterministic: the same inputs and library versions give the same files.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pypinyin import Style, lazy_pinyin
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[1]
# This checkout's gxnet, not whichever one the virtual environment has installed.
sys.path.insert(0, str(REPO))

from gxnet import crs  # noqa: E402
from gxnet._io import atomic_path  # noqa: E402
from gxnet.osm.build import haversine_m  # noqa: E402
from gxnet.regions import FORMER_UNITS, PROVINCE_ADCODE, short_name_zh  # noqa: E402
from gxnet.townships import (  # noqa: E402
    TOWNSHIP_COLUMNS,
    nearest_township,
    township_key,
    township_kind,
)

#: Simplification tolerance in metres (GEOS coverage simplification, Visvalingam-Whyatt).
SIMPLIFY_M = 15.0
#: Projected CRS of the simplification: UTM 49N holds Guangxi's centre (108.8E).
METRIC_CRS = "EPSG:32649"

#: Romanisations that pypinyin's general-purpose dictionary gets wrong for these places, and
#: the conventional forms of the places named in the brief (kept even where pypinyin agrees, so
#: that a dictionary update cannot change a folder name). Keys are the short Chinese names.
PINYIN = {
    "长洲": "Changzhou",  # 长 cháng (long), not zhǎng
    "龙圩": "Longxu",  # 圩 xū, the southern word for a market town, not wéi (dyke)
    "都安": "Du'an",  # 都 dū in place names, not dōu
    "覃塘": "Qintang",  # 覃 Qín as a place/surname, not tán
    "乐业": "Leye",  # 乐 lè, not yuè
    "蒙山": "Mengshan",
    "岑溪": "Cenxi",
    "大化": "Dahua",
    "巴马": "Bama",
    "藤县": "Tengxian",  # one-syllable names keep 县 in the romanisation
    "容县": "Rongxian",
    "横州": "Hengzhou",
    "广西": "Guangxi",
}

# Columns of the census table, by their Chinese headers.
CENSUS_COLUMNS = {
    "区划代码": "adcode",
    "区县": "name_zh",
    "人口数_合计": "population",
    "城镇人口": "urban_population",
    "乡村人口": "rural_population",
    "家庭户数": "households",
    "户规模": "household_size",
}


def romanise(name_zh: str) -> str:
    """Return the pinyin name of a unit without its administrative suffix ("梧州市" -> "Wuzhou").

    Syllables are joined, with an apostrophe before a syllable that starts with a, o or e
    (Xing'an, Tian'e), as the Chinese romanisation rules for place names prescribe.
    """
    short = short_name_zh(name_zh)
    if short in PINYIN:
        return PINYIN[short]
    syllables = lazy_pinyin(short, style=Style.NORMAL)
    word = syllables[0]
    for syllable in syllables[1:]:
        word += ("'" if syllable[0] in "aoe" else "") + syllable
    return word.capitalize()


def slugify(pinyin: pd.Series, city_slug: pd.Series) -> pd.Series:
    """Return lowercase ASCII slugs; a slug used twice gets its city's slug appended."""
    slug = pinyin.str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
    clash = slug.duplicated(keep=False)
    return slug.where(~clash, slug + "-" + city_slug)


def read_census(source: Path) -> pd.DataFrame:
    """Read the census table with English column names, today's codes and the level of each unit."""
    table = pd.read_csv(source / "census2020_county.csv", dtype={"区划代码": int})
    table = table.rename(columns=CENSUS_COLUMNS)[list(CENSUS_COLUMNS.values())]
    renamed = {old: new for old, (new, _) in FORMER_UNITS.items()}
    names = {new: name for _, (new, name) in FORMER_UNITS.items()}
    table["adcode"] = table["adcode"].replace(renamed)
    table["name_zh"] = table["adcode"].map(names).fillna(table["name_zh"])
    code = table["adcode"]
    table["level"] = np.select(
        [code == 450000, code % 100 == 0], ["province", "city"], default="county"
    )
    table["city_adcode"] = (code // 100 * 100).where(table["level"] != "province").astype("Int64")
    return table


def check_census(census: pd.DataFrame) -> None:
    """Raise ValueError unless counties sum to their city and cities to the region."""
    counts = ["population", "urban_population", "rural_population", "households"]
    by_level = census.set_index("adcode")
    counties = census[census["level"] == "county"].groupby("city_adcode")[counts].sum()
    cities = by_level.loc[counties.index, counts]
    region = by_level.loc[[450000], counts].to_numpy()
    if not (counties.to_numpy() == cities.to_numpy()).all():
        raise ValueError("census: the counties do not sum to their cities")
    if not (cities.sum().to_numpy() == region).all():
        raise ValueError("census: the cities do not sum to the region")


def read_county_boundaries(source: Path, census: pd.DataFrame) -> gpd.GeoSeries:
    """Read the county boundaries (GCJ-02) and convert them to WGS-84, indexed by today's adcode."""
    former = {new: old for old, (new, _) in FORMER_UNITS.items()}
    counties = census.loc[census["level"] == "county", "adcode"]
    folder = source / "boundaries_gcj02"
    # The files carry the 2020 codes: today's code, else the one it replaced (横县 450127).
    paths = [
        folder / f"{code}.geojson"
        if (folder / f"{code}.geojson").exists()
        else folder / f"{former.get(code, code)}.geojson"
        for code in counties
    ]
    geoms = [shapely.from_geojson(path.read_text()) for path in paths]
    return crs.to_wgs84(gpd.GeoSeries(geoms, index=counties.values, crs="EPSG:4326"), "gcj02")


def simplify_nested(counties: gpd.GeoSeries) -> gpd.GeoSeries:
    """Simplify the counties as one coverage and dissolve them into cities and the region."""
    metric = counties.to_crs(METRIC_CRS)
    simple = gpd.GeoSeries(
        shapely.coverage_simplify(metric.values, SIMPLIFY_M), index=metric.index, crs=METRIC_CRS
    )
    city_of = simple.index // 100 * 100
    cities = gpd.GeoSeries(
        [shapely.coverage_union_all(simple[city_of == c].values) for c in sorted(set(city_of))],
        index=sorted(set(city_of)),
        crs=METRIC_CRS,
    )
    region = gpd.GeoSeries(
        [shapely.coverage_union_all(cities.values)], index=[450000], crs=METRIC_CRS
    )
    return pd.concat([region, cities, simple]).to_crs("EPSG:4326")


def build(source: Path) -> gpd.GeoDataFrame:
    """Build the reference table (126 rows, WGS-84 boundaries) from the raw files in ``source``."""
    census = read_census(source)
    check_census(census)
    geometry = simplify_nested(read_county_boundaries(source, census))
    census["name_pinyin"] = census["name_zh"].map(romanise)
    city_slug = (
        census["city_adcode"].map(census.set_index("adcode")["name_pinyin"].str.lower()).fillna("")
    )
    census["slug"] = slugify(census["name_pinyin"], city_slug)
    columns = [
        "adcode", "name_zh", "name_pinyin", "slug", "level", "city_adcode", "population",
        "urban_population", "rural_population", "households", "household_size",
    ]  # fmt: skip
    table = census[columns].sort_values("adcode").reset_index(drop=True)
    return gpd.GeoDataFrame(
        table, geometry=geometry.reindex(table["adcode"]).values, crs="EPSG:4326"
    )


#: Columns of the 2016 division list's files (``adcode_vonng/adcode.ddl``; no header row).
DIVISIONS_2016_COLUMNS = (
    "code", "parent", "name", "level", "rank", "adcode", "post_code", "area_code", "ur_code",
    "municipality", "virtual", "dummy", "longitude", "latitude", "center", "province", "city",
    "county", "town", "village",
)  # fmt: skip
#: A township without a point is placed on a lattice of this spacing inside its county.
LATTICE_M = 500.0
#: A 街道 without a point (and the seat town of a county whose townships have none) is placed
#: this far at least from every other township point, as near the county seat as that allows:
#: about the width of a county town's subdistrict.
SEAT_SPACING_M = 2000.0
#: A township point outside its county moves this far inside the border.
INSIDE_M = 50.0
#: Two names of the same code are one township spelt two ways when difflib rates them at least
#: this alike (花箦/花篢, 蒙江/濛江, 百合农场/百合华侨农场).
VARIANT_RATIO = 0.5


def read_divisions_2016(source: Path) -> pd.DataFrame:
    """The 2016 list (every file, sorted), with today's county code and WGS-84 points.

    Adds ``code_today`` (the 12-digit code under today's county code, :data:`FORMER_UNITS`),
    ``county_today`` (int) and ``lon``/``lat`` converted from GCJ-02 (NaN where absent).
    """
    files = sorted((source / "adcode_vonng" / "adcode").glob("*.csv"))
    table = pd.concat(
        [pd.read_csv(f, header=None, names=DIVISIONS_2016_COLUMNS, dtype=str) for f in files],
        ignore_index=True,
    )
    county = table["code"].str[:6].astype(int)
    today = county.map(lambda c: FORMER_UNITS.get(c, (c, ""))[0])
    table["county_today"] = today
    table["code_today"] = today.astype(str) + table["code"].str[6:]
    lon, lat = crs.convert(
        table["longitude"].astype(float), table["latitude"].astype(float), "gcj02", "wgs84"
    )
    table["lon"], table["lat"] = lon, lat
    return table


def read_townships_today(source: Path) -> pd.DataFrame:
    """Today's townships (2023 codes and names), sorted by code."""
    table = pd.read_csv(
        source / "areacity_2023" / "ok_data_level4_guangxi.csv", dtype=str, encoding="utf-8-sig"
    )
    table = table[table["deep"] == "3"]
    out = pd.DataFrame(
        {
            "township_code": table["ext_id"].to_numpy(),
            "name_zh": table["ext_name"].to_numpy(),
            "county_adcode": table["ext_id"].str[:6].astype(int).to_numpy(),
        }
    )
    return out.sort_values("township_code").reset_index(drop=True)


def match_townships(today: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    """Find each of today's townships in the 2016 list.

    ``old`` is the whole 2016 list (its county rows give the county names that some township
    names repeat, 防城区滩营乡). In this order, each 2016 township used once: (1) the same
    code (under today's county code) and the same name; (2) the same name in the same county
    (renumbered); (3) the same name in another county of the same city (moved between
    districts); (4) the same code and a name spelt with a variant character. Names are
    compared by :func:`gxnet.townships.township_key`.

    Returns
    -------
    DataFrame
        Indexed like ``today``: ``old`` (row of ``old``, -1 when unmatched), ``match`` ("code",
        "name" or "none") and ``step`` (1-4, 0 when unmatched).
    """
    county_names = old.loc[old["level"] == "county"].set_index("code_today")["name"]
    old_keys = [
        township_key(name, county_names.get(code[:6] + "000000", ""))
        for name, code in zip(old["name"], old["code_today"], strict=True)
    ]
    old_keys = pd.Series(old_keys, index=old.index)
    today_keys = today["name_zh"].map(township_key)
    by_code = dict(zip(old["code_today"], old.index, strict=True))
    found = np.full(len(today), -1, dtype=np.int64)
    step = np.zeros(len(today), dtype=np.int64)
    used: set[int] = set()

    def by_name(i: int, same: pd.Series) -> int | None:
        hits = [j for j in old.index[same & (old_keys == today_keys[i])] if j not in used]
        return hits[0] if len(hits) == 1 else None

    old_county = old["county_today"]
    for number in (1, 2, 3, 4):
        for i in np.flatnonzero(found < 0):
            code, county = today["township_code"][i], today["county_adcode"][i]
            j = by_code.get(code)
            if number == 1:
                hit = j if j is not None and old_keys[j] == today_keys[i] else None
            elif number == 2:
                hit = by_name(i, old_county == county)
            elif number == 3:
                hit = by_name(i, old_county // 100 == county // 100)
            else:
                alike = (
                    j is not None
                    and difflib.SequenceMatcher(None, old_keys[j], today_keys[i]).ratio()
                    >= VARIANT_RATIO
                )
                hit = j if alike else None
            if hit is not None and hit not in used:
                found[i], step[i] = hit, number
                used.add(hit)
    match = np.select([np.isin(step, (1, 4)), np.isin(step, (2, 3))], ["code", "name"], "none")
    return pd.DataFrame({"old": found, "match": match, "step": step}, index=today.index)


def _metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = to_m.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def _committee_points(old: pd.DataFrame) -> pd.DataFrame:
    """Mean WGS-84 point of each 2016 township's committees that have one (index: its row)."""
    committees = old[old["level"] == "village"]
    rows = pd.Series(old.index, index=old["code"])
    parent = committees["parent"].map(rows)
    return committees.groupby(parent)[["lon", "lat"]].mean().dropna()


def fallback_points(
    towns: pd.DataFrame, county: int, boundary: shapely.Geometry, seat: tuple[float, float]
) -> list[tuple[float, float, str]]:
    """Metric points (x, y, source) for the county's townships without one, in code order.

    ``towns`` holds the county's townships with metric ``x``, ``y`` (NaN where unknown) and
    ``kind``; ``boundary`` is the county in :data:`METRIC_CRS`; ``seat`` the county seat there.
    A 街道, or the county's first township when no township point lies within
    :data:`SEAT_SPACING_M` of the seat, goes to the lattice point nearest the seat that is at
    least that far from every township point placed so far ("county_seat"); any other goes to
    the lattice point farthest from every placed point and from the county's border, the
    middle of the largest gap ("county_gap").
    """
    x0, y0, x1, y1 = boundary.bounds
    gx, gy = np.meshgrid(
        np.arange(x0 + LATTICE_M / 2, x1, LATTICE_M), np.arange(y0 + LATTICE_M / 2, y1, LATTICE_M)
    )
    inside = shapely.contains_xy(boundary, gx.ravel(), gy.ravel())
    lx, ly = gx.ravel()[inside], gy.ravel()[inside]
    if len(lx) == 0:  # a county narrower than the lattice
        inner = shapely.point_on_surface(boundary)
        lx, ly = np.array([inner.x]), np.array([inner.y])
    to_border = shapely.distance(boundary.boundary, shapely.points(lx, ly))
    placed = towns[["x", "y"]].dropna().to_numpy()
    seat_taken = len(placed) and np.hypot(*(placed - seat).T).min() < SEAT_SPACING_M
    out = []
    for rank, (_, town) in enumerate(towns.iterrows()):
        if np.isfinite(town["x"]):
            continue
        if len(placed):
            nearest = cKDTree(placed).query(np.column_stack([lx, ly]))[0]
        else:
            nearest = np.full(len(lx), np.inf)
        free = nearest >= SEAT_SPACING_M
        if (town["kind"] == "subdistrict" or (rank == 0 and not seat_taken)) and free.any():
            to_seat = np.where(free, np.hypot(lx - seat[0], ly - seat[1]), np.inf)
            best, source = int(np.argmin(to_seat)), "county_seat"
        else:
            best, source = int(np.argmax(np.minimum(nearest, to_border))), "county_gap"
        out.append((float(lx[best]), float(ly[best]), source))
        placed = np.vstack([placed.reshape(-1, 2), [lx[best], ly[best]]])
    return out


def build_townships(source: Path, regions: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """Build today's township table (see :data:`gxnet.townships.TOWNSHIP_COLUMNS`).

    Returns the table (WGS-84 points, sorted by code) and the figures the data README quotes:
    matches by step, points by source, committees counted and left out.
    """
    old = read_divisions_2016(source)
    today = read_townships_today(source)
    matched = match_townships(today, old)
    today = today.join(matched)
    today["kind"] = today["name_zh"].map(township_kind)
    today["city_adcode"] = today["county_adcode"] // 100 * 100
    has_old = today["old"] >= 0
    today["code_2016"] = ""
    today.loc[has_old, "code_2016"] = old.loc[today.loc[has_old, "old"], "code"].to_numpy()

    # Points: the township's own centre, else its committees' mean centre.
    means = _committee_points(old)
    own = old[["lon", "lat"]].reindex(today["old"].where(has_old)).to_numpy()
    mean = means.reindex(today["old"].where(has_old)).to_numpy()
    use_mean = ~np.isfinite(own[:, 0]) & np.isfinite(mean[:, 0])
    lonlat = np.where(use_mean[:, None], mean, own)
    today["point_source"] = np.select(
        [np.isfinite(own[:, 0]), use_mean], ["township", "committees"], ""
    )
    today["x"], today["y"] = _metric(lonlat[:, 0], lonlat[:, 1])

    # Committees of 2016 townships not found today go to the nearest located township of their
    # county (they merged into a neighbour); without any point they are left out.
    towns_2016 = old[old["level"] == "town"]
    owner = pd.Series(-1, index=towns_2016.index, dtype=np.int64)
    owner[today.loc[has_old, "old"].to_numpy()] = today.index[has_old]
    orphans = owner.index[owner < 0]
    where = pd.DataFrame({"lon": old.loc[orphans, "lon"], "lat": old.loc[orphans, "lat"]})
    where = where.fillna(means.reindex(orphans))
    ox, oy = _metric(where["lon"], where["lat"])
    located = today["point_source"] != ""
    nearest = nearest_township(
        old.loc[orphans, "county_today"].to_numpy(), ox, oy,
        today.loc[located, "county_adcode"].to_numpy(), today.loc[located, "x"].to_numpy(),
        today.loc[located, "y"].to_numpy(),
    )  # fmt: skip
    ok = np.isfinite(ox) & (nearest >= 0)
    owner[orphans[ok]] = today.index[located][nearest[ok]]
    committees = old[old["level"] == "village"]
    town_row = pd.Series(old.index, index=old["code"])
    committee_owner = committees["parent"].map(town_row).map(owner)
    urban = committees["ur_code"].str.startswith("1")
    counted = committee_owner >= 0
    today["urban_committees"] = np.bincount(
        committee_owner[counted & urban], minlength=len(today)
    ).astype(np.int64)
    today["rural_committees"] = np.bincount(
        committee_owner[counted & ~urban], minlength=len(today)
    ).astype(np.int64)

    # The fallback for townships without a point, county by county.
    county_rows = old[old["level"] == "county"].drop_duplicates("county_today", keep="last")
    seats = county_rows.set_index("county_today")[["lon", "lat"]]
    geometry = regions.set_index("adcode").geometry.to_crs(METRIC_CRS)
    for county, towns in today.groupby("county_adcode", sort=True):
        if (towns["point_source"] != "").all():
            continue
        boundary = geometry.loc[county]
        seat = seats.reindex([county]).to_numpy()[0]
        if np.isfinite(seat).all():
            sx, sy = _metric(seat[:1], seat[1:])
            seat_xy = (float(sx[0]), float(sy[0]))
        else:
            inner = shapely.point_on_surface(boundary)
            seat_xy = (inner.x, inner.y)
        placed = fallback_points(towns, county, boundary, seat_xy)
        missing = towns.index[towns["point_source"] == ""]
        today.loc[missing, ["x", "y"]] = [(x, y) for x, y, _ in placed]
        today.loc[missing, "point_source"] = [s for _, _, s in placed]

    # A point outside its county (a committees' mean beyond a bend of the border) moves to the
    # nearest place inside it.
    shapes = geometry.reindex(today["county_adcode"]).to_numpy()
    points = shapely.points(today["x"].to_numpy(), today["y"].to_numpy())
    outside = np.flatnonzero(~shapely.contains(shapes, points))
    for i in outside:
        inner = shapely.buffer(shapes[i], -INSIDE_M)
        today.loc[today.index[i], ["x", "y"]] = shapely.get_coordinates(
            shapely.shortest_line(inner, points[i])
        )[0]
    to_wgs = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(today["x"].to_numpy(), today["y"].to_numpy())
    columns = [c for c in TOWNSHIP_COLUMNS if c != "geometry"]
    table = gpd.GeoDataFrame(
        today[columns].reset_index(drop=True),
        geometry=gpd.points_from_xy(np.round(lon, 6), np.round(lat, 6)),
        crs="EPSG:4326",
    )
    summary = {
        "townships": len(table),
        "steps": today["step"].value_counts().sort_index().to_dict(),
        "match": table["match"].value_counts().to_dict(),
        "point_source": table["point_source"].value_counts().to_dict(),
        "committees": len(committees),
        "committees_counted": int(counted.sum()),
        "towns_2016": len(towns_2016),
        "towns_2016_merged": len(orphans),
        "moved_inside": today["name_zh"].iloc[outside].tolist(),
        "variants": today.loc[today["step"] == 4, ["code_2016", "name_zh"]].values.tolist(),
    }
    return table, summary


#: The PyPI package the highway graph is taken from, and the one version whose data are known.
HIGHWAYS_PACKAGE = ("scgraph-data", "2.0.0")
#: Highway nodes within this distance of Guangxi are kept, so that a route between two
#: Guangxi towns may cross a bend of the border as the road does.
HIGHWAYS_BUFFER_M = 10_000.0


def read_world_highways() -> tuple[np.ndarray, list[str]]:
    """The world highway graph of ``scgraph_data/world_highways.py``, read as text.

    The module is not imported (that would need the ``scgraph`` package and build a 560,000-node
    graph object): its ``nodes=[[lat, lon], ...]`` line is JSON, and its ``graph=[{j: km, ...},
    ...]`` line is split into one text of neighbours per node, parsed only for the nodes kept.

    Returns
    -------
    nodes : ndarray
        (n, 2) latitude and longitude in WGS-84, as the package stores them (0.001 degree).
    neighbours : list of str
        Per node, "j: km, j: km" (kilometres to each neighbour j), "" for none.
    """
    import importlib.metadata
    import importlib.util
    import json

    name, version = HIGHWAYS_PACKAGE
    try:
        found = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError as missing:
        raise SystemExit(
            f"the highway graph needs {name}=={version}: pip install -e '.[build]'"
        ) from missing
    if found != version:
        raise SystemExit(f"{name} {found} is installed; the build reads {version}")
    path = Path(importlib.util.find_spec("scgraph_data.world_highways").origin)
    lines = {line[:6]: line[6:] for line in path.read_text().splitlines() if "=" in line[:7]}
    nodes = np.asarray(json.loads(lines["nodes="]), dtype=float)
    graph = lines["graph="].strip()
    neighbours = graph[2:-2].split("}, {")
    if not (graph.startswith("[{") and graph.endswith("}]") and len(neighbours) == len(nodes)):
        raise ValueError(f"{path}: graph and nodes do not have the expected shape")
    return nodes, neighbours


def build_highways(region: shapely.Geometry) -> gpd.GeoDataFrame:
    """The highway graph's part in and around Guangxi (WGS-84 region boundary), one row per road.

    Keeps the nodes within :data:`HIGHWAYS_BUFFER_M` of the region and the edges between them,
    then the largest connected part (a few fragments of a handful of nodes drop out). Columns:
    ``u``, ``v`` (the package's node numbers, u < v), ``length_m`` (the package's length, or the
    straight line between the stored vertices where that is longer: the stored vertices are
    rounded to 0.001 degree, and a length must not be shorter than the line it draws) and
    ``geometry`` (a two-point LineString), sorted by (u, v).
    """
    nodes, neighbours = read_world_highways()
    metric = gpd.GeoSeries([region], crs="EPSG:4326").to_crs(METRIC_CRS)
    area = metric.buffer(HIGHWAYS_BUFFER_M).to_crs("EPSG:4326").iloc[0]
    lat, lon = nodes[:, 0], nodes[:, 1]
    keep = shapely.contains_xy(area, lon, lat)
    u, v, km = [], [], []
    for i in np.flatnonzero(keep):
        for item in filter(None, neighbours[i].split(", ")):
            j, dist = item.split(": ")
            j = int(j)
            if keep[j] and i < j:
                u.append(i)
                v.append(j)
                km.append(float(dist))
    u, v, km = np.asarray(u), np.asarray(v), np.asarray(km)
    # Largest connected part.
    used, index = np.unique(np.concatenate([u, v]), return_inverse=True)
    iu, iv = index[: len(u)], index[len(u) :]
    graph = coo_matrix((np.ones(len(u)), (iu, iv)), shape=(len(used), len(used)))
    _, label = connected_components(graph, directed=False)
    largest = np.bincount(label).argmax()
    part = label[iu] == largest
    u, v, km = u[part], v[part], km[part]
    straight = haversine_m(lon[u], lat[u], lon[v], lat[v])
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    coords = np.stack([np.column_stack([lon[u], lat[u]]), np.column_stack([lon[v], lat[v]])], 1)
    return gpd.GeoDataFrame(
        {
            "u": u.astype(np.int64),
            "v": v.astype(np.int64),
            "length_m": np.round(np.maximum(km * 1000.0, straight)[order], 1),
        },
        geometry=shapely.linestrings(coords),
        crs="EPSG:4326",
    )


def check_nesting(source: Path, built: gpd.GeoDataFrame) -> float:
    """Return the largest area share (%) by which a raw city differs from its built boundary."""
    worst = 0.0
    for code in built.loc[built["level"] == "city", "adcode"]:
        raw = shapely.from_geojson((source / "boundaries_gcj02" / f"{code}.geojson").read_text())
        raw = crs.to_wgs84(raw, "gcj02")
        ours = built.loc[built["adcode"] == code, "geometry"].iloc[0]
        worst = max(worst, raw.symmetric_difference(ours).area / raw.area * 100)
    return worst


def _write_parquet(frame: gpd.GeoDataFrame, target: Path) -> None:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, compression="zstd", index=False, schema_version="1.0.0")


def build_all(source: Path) -> tuple[dict[str, gpd.GeoDataFrame], dict]:
    """Build the three files' tables (by file name) and the township figures to print."""
    regions = build(source)
    townships, summary = build_townships(source, regions[regions["level"] == "county"])
    region = regions.loc[regions["adcode"] == PROVINCE_ADCODE, "geometry"].iloc[0]
    tables = {
        "regions.parquet": regions,
        "townships.parquet": townships,
        "highways.parquet": build_highways(region),
    }
    return tables, summary


def main(argv: list[str] | None = None) -> int:
    """Command line: build and write the three files, print a summary of each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared/data/guangxi")
    parser.add_argument("--out", type=Path, default=REPO / "data/guangxi")
    args = parser.parse_args(argv)
    tables, summary = build_all(args.source)
    for name, table in tables.items():
        with atomic_path(args.out / name) as tmp:
            table.to_parquet(tmp, compression="zstd", index=False, schema_version="1.0.0")
    regions, highways = tables["regions.parquet"], tables["highways.parquet"]
    print(
        f"regions.parquet: {len(regions)} units,"
        f" {shapely.get_num_coordinates(regions.geometry.values).sum()} vertices; raw cities"
        f" differ from the built ones by at most {check_nesting(args.source, regions):.3f} % of"
        " their area"
    )
    steps = summary["steps"]
    print(
        f"townships.parquet: {summary['townships']} townships; matched to 2016 by code"
        f" {steps.get(1, 0)} (+{steps.get(4, 0)} spelt with a variant character), by name"
        f" {steps.get(2, 0)} (+{steps.get(3, 0)} moved to another county of the city), not at"
        f" all {steps.get(0, 0)}; points: {summary['point_source']}; committees counted"
        f" {summary['committees_counted']} of {summary['committees']}"
    )
    print(f"highways.parquet: {len(highways)} edges, {highways['length_m'].sum() / 1e3:,.0f} km")
    return 0


if __name__ == "__main__":
    sys.exit(main())
