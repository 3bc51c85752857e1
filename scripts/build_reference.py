"""Rebuild data/guangxi/regions.parquet from the raw census and boundary files in ../shared.

Run from the repository root (needs the ``build`` extra, i.e. pypinyin)::

    python scripts/build_reference.py [--source ../shared/data/guangxi] [--out data/guangxi]

What it does, in order:

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
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pypinyin import Style, lazy_pinyin

REPO = Path(__file__).resolve().parents[1]
# This checkout's gxnet, not whichever one the virtual environment has installed.
sys.path.insert(0, str(REPO))

from gxnet import crs  # noqa: E402
from gxnet._io import atomic_path  # noqa: E402
from gxnet.regions import FORMER_UNITS, short_name_zh  # noqa: E402

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
    geoms = [
        shapely.from_geojson(
            (source / "boundaries_gcj02" / f"{former.get(code, code)}.geojson").read_text()
        )
        for code in counties
    ]
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


def check_nesting(source: Path, built: gpd.GeoDataFrame) -> float:
    """Return the largest area share (%) by which a raw city differs from its built boundary."""
    worst = 0.0
    for code in built.loc[built["level"] == "city", "adcode"]:
        raw = shapely.from_geojson((source / "boundaries_gcj02" / f"{code}.geojson").read_text())
        raw = crs.to_wgs84(raw, "gcj02")
        ours = built.loc[built["adcode"] == code, "geometry"].iloc[0]
        worst = max(worst, raw.symmetric_difference(ours).area / raw.area * 100)
    return worst


def main(argv: list[str] | None = None) -> int:
    """Command line: build and write ``regions.parquet``, print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared/data/guangxi")
    parser.add_argument("--out", type=Path, default=REPO / "data/guangxi")
    args = parser.parse_args(argv)
    table = build(args.source)
    target = args.out / "regions.parquet"
    with atomic_path(target) as tmp:
        table.to_parquet(tmp, compression="zstd", index=False, schema_version="1.0.0")
    print(
        f"{target}: {len(table)} units, {shapely.get_num_coordinates(table.geometry.values).sum()}"
        f" vertices, {target.stat().st_size / 1e6:.2f} MB; raw cities differ from the built ones"
        f" by at most {check_nesting(args.source, table):.3f} % of their area"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
