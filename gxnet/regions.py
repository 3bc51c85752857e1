"""Guangxi's 14 cities and 111 counties: names, codes, 2020 census and boundaries.

The data live in one GeoParquet file (``<settings.reference_dir>/regions.parquet``, built by
``scripts/build_reference.py``), read once per process. A unit can be named the way a planner
would type it:

- pinyin, any case, with or without the administrative word: ``wuzhou``, ``Wuzhou``,
  ``wuzhou-shi``, ``Wuzhou Shi``, ``cangwu xian``;
- Chinese, with or without the suffix: ``梧州``, ``梧州市``, ``融水``, ``融水苗族自治县``;
- the adcode (GB/T 2260), as int or str: ``450400``, ``"450400"``.

Counties are looked up within their city when a city is given (``get_county("cangwu",
city="wuzhou")``). Units renamed since 2016 keep their old code and name as aliases
(:data:`FORMER_UNITS`). A name that matches nothing raises :class:`UnknownRegionError` with the
closest names; a name that matches several units raises :class:`AmbiguousRegionError` listing them.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import pandas as pd
import shapely

from gxnet import settings
from gxnet._errors import AmbiguousRegionError, UnknownRegionError
from gxnet._messages import Phrase, messages

Level = Literal["province", "city", "county"]

#: Units whose code and name changed since the 2016 division list (横县 also since the 2020
#: census): old code -> (today's code, name).
FORMER_UNITS = {
    450127: (450181, "横州市"),  # 横县, a county-level city since 2021
    450331: (450381, "荔浦市"),  # 荔浦县, since 2018
    451021: (451003, "田阳区"),  # 田阳县, since 2019
    451023: (451082, "平果市"),  # 平果县, since 2019
    451281: (451203, "宜州区"),  # 宜州市, since 2016
}
#: Old names of those units, and further spellings, as (alias, today's adcode).
_ALIASES = [
    ("横县", 450181),
    ("横州", 450181),
    ("hengxian", 450181),
    ("荔浦县", 450381),
    ("田阳县", 451003),
    ("平果县", 451082),
    ("宜州市", 451203),
]

PROVINCE_ADCODE = 450000
# Administrative words, longest first so that "自治县" wins over "县".
_SUFFIXES_ZH = (
    "壮族自治区",
    "各族自治县",
    "仫佬族自治县",
    "毛南族自治县",
    "苗族自治县",
    "侗族自治县",
    "瑶族自治县",
    "自治县",
    "县",
    "区",
    "市",
)
_SUFFIXES_PINYIN = ("zizhixian", "zizhiqu", "district", "county", "city", "shi", "xian", "qu")
_COLUMNS = [
    "adcode",
    "name_zh",
    "name_pinyin",
    "population",
    "urban_population",
    "rural_population",
    "households",
    "household_size",
]


@dataclass(frozen=True)
class Region:
    """One administrative unit of Guangxi with its 2020 census figures.

    ``city_adcode`` is the city a county belongs to, a city's own code for a city, and None for
    the region. ``households`` counts family households (家庭户), ``household_size`` is persons
    per family household.
    """

    adcode: int
    name_zh: str
    name_pinyin: str
    slug: str
    level: Level
    city_adcode: int | None
    population: int
    urban_population: int
    rural_population: int
    households: int
    household_size: float

    @property
    def boundary(self) -> shapely.Geometry:
        """The unit's (Multi)Polygon in WGS-84, simplified by at most ~20 m."""
        return _table().geometry.loc[self.adcode]

    def __str__(self) -> str:
        return f"{self.name_zh} {self.name_pinyin} ({self.adcode})"


def short_name_zh(name: str) -> str:
    """Drop the administrative word from a Chinese name ("融水苗族自治县" -> "融水").

    One-character stems keep their suffix ("藤县" stays "藤县"), as planners say them.
    """
    for suffix in _SUFFIXES_ZH:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _normalise(text: str) -> str:
    """Fold case, spaces, hyphens and apostrophes away ("Wuzhou Shi" -> "wuzhoushi")."""
    return re.sub(r"[\s\-_'’.]", "", str(text)).lower()


def _stems(text: str) -> list[str]:
    """The normalised query, then the query without one administrative word."""
    key = _normalise(text)
    stems = [key]
    for suffix in _SUFFIXES_PINYIN:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            stems.append(key[: -len(suffix)])
    short = short_name_zh(key)
    if short != key:
        stems.append(short)
    return stems


@functools.cache
def _table() -> gpd.GeoDataFrame:
    """The reference table indexed by adcode (read once)."""
    table = gpd.read_parquet(settings.reference_dir / "regions.parquet")
    return table.set_index("adcode", drop=False)


@functools.cache
def _name_index() -> dict[str, frozenset[int]]:
    """Map every accepted spelling (normalised) to the adcodes it names."""
    index: dict[str, set[int]] = {}
    table = _table()
    for code, zh, py, slug in zip(
        table["adcode"], table["name_zh"], table["name_pinyin"], table["slug"], strict=True
    ):
        for key in {zh, short_name_zh(zh), py, slug}:
            index.setdefault(_normalise(key), set()).add(int(code))
    for alias, code in _ALIASES:
        index.setdefault(_normalise(alias), set()).add(code)
    return {key: frozenset(codes) for key, codes in index.items()}


def _to_region(code: int) -> Region:
    row = _table().loc[code]
    city = row["city_adcode"]
    return Region(
        adcode=int(row["adcode"]),
        name_zh=str(row["name_zh"]),
        name_pinyin=str(row["name_pinyin"]),
        slug=str(row["slug"]),
        level=row["level"],
        city_adcode=None if pd.isna(city) else int(city),
        population=int(row["population"]),
        urban_population=int(row["urban_population"]),
        rural_population=int(row["rural_population"]),
        households=int(row["households"]),
        household_size=float(row["household_size"]),
    )


def _describe(code: int) -> Phrase:
    row = _table().loc[code]
    unit = {"zh": row["name_zh"], "py": row["name_pinyin"], "code": code}
    if row["level"] == "county":
        city = _table().loc[int(row["city_adcode"])]
        return Phrase(
            "region_unit_county", **unit, city=city["name_zh"], city_en=city["name_pinyin"]
        )
    return Phrase("region_unit", **unit, level=Phrase(f"kind_{row['level']}"))


def _units(codes: list[int]) -> dict[str, str]:
    """Units described, in both languages (the fields ``units`` and ``units_en``)."""
    described = [_describe(c) for c in codes]
    return {
        "units": "；".join(d.word("zh") for d in described),
        "units_en": "; ".join(d.word("en") for d in described),
    }


def _adcode(query: object) -> int | None:
    """The adcode a query spells, today's code for a former one; None when it is not a number."""
    if isinstance(query, bool):
        return None
    text = str(query).strip()
    if not text.isdigit():
        return None
    code = int(text)
    code = FORMER_UNITS.get(code, (code, ""))[0]
    if code not in _table().index:
        where = "err_adcode_not_guangxi" if text[:2] != "45" else "err_adcode_unknown"
        raise UnknownRegionError(
            key="err_adcode_outside",
            code=text,
            where=messages("zh")[where],
            where_en=messages("en")[where],
        )
    return code


def _find(query: object, levels: tuple[str, ...], city: Region | None = None) -> Region:
    """Resolve a name or adcode to one unit of the given levels (within ``city`` if given)."""
    table = _table()
    allowed = table["level"].isin(levels)
    if city is not None:
        allowed &= (table["city_adcode"] == city.adcode).fillna(False).astype(bool)
    kind = levels[0] if len(levels) == 1 else "city or county"
    where = f" in {city.name_pinyin}" if city is not None else " in Guangxi"
    places = {
        "kind": messages("zh")[f"kind_{kind.replace(' ', '_')}"],
        "kind_en": kind,
        "where": city.name_zh if city else "广西",
        "where_en": where,
    }
    code = _adcode(query.adcode if isinstance(query, Region) else query)
    if code is not None:
        if not allowed.loc[code]:
            raise UnknownRegionError(
                key="err_adcode_kind", code=code, unit=_describe(code), **places
            )
        return _to_region(code)
    index = _name_index()
    for stem in _stems(str(query)):
        codes = sorted(c for c in index.get(stem, ()) if allowed.loc[c])
        if len(codes) == 1:
            return _to_region(codes[0])
        if len(codes) > 1:
            raise AmbiguousRegionError(
                key="err_region_ambiguous", query=str(query), **_units(codes)
            )
    elsewhere = sorted({c for stem in _stems(str(query)) for c in index.get(stem, ())})
    if elsewhere:
        raise UnknownRegionError(
            key="err_region_elsewhere", query=str(query), **places, **_units(elsewhere)
        )
    # Suggest the nearest names, compared in the same folded form the lookup uses.
    shown = {}
    for zh, py in zip(
        table.loc[allowed, "name_zh"], table.loc[allowed, "name_pinyin"], strict=True
    ):
        label = f"{py} ({zh})"
        shown[_normalise(py)] = shown[_normalise(zh)] = shown[_normalise(short_name_zh(zh))] = label
    # 0.5 lets a two-character Chinese name with one wrong character (梧洲) find 梧州.
    close = difflib.get_close_matches(_normalise(query), list(shown), n=8, cutoff=0.5)
    names = list(dict.fromkeys(shown[key] for key in close))[:5]
    zh, en = messages("zh"), messages("en")
    hint = {"names": ", ".join(names), "slug": city.slug if city else ""}
    hint_key = (
        "err_region_hint" if names else ("err_region_list_city" if city else "err_region_list")
    )
    raise UnknownRegionError(
        key="err_unknown_region",
        query=str(query),
        kind=zh[f"kind_{kind.replace(' ', '_')}"],
        kind_en=kind,
        where=city.name_zh if city else "广西",
        where_en=where,
        hint=zh[hint_key].format(**hint),
        hint_en=en[hint_key].format(**hint),
    )


def get_city(name_or_adcode: str | int | Region) -> Region:
    """Return one of the 14 cities by pinyin, Chinese name or adcode.

    Parameters
    ----------
    name_or_adcode : str or int
        E.g. "wuzhou", "Wuzhou Shi", "梧州", "梧州市", 450400 or "450400" (a Region is
        checked and returned as found).

    Raises
    ------
    UnknownRegionError
        No city has that name or code; the message lists the closest names.
    """
    return _find(name_or_adcode, ("city",))


def get_county(
    name_or_adcode: str | int | Region, city: str | int | Region | None = None
) -> Region:
    """Return one of the 111 counties (districts, county-level cities), optionally within a city.

    Parameters
    ----------
    name_or_adcode : str or int
        E.g. "cangwu", "苍梧县", "长洲区", 450421; the 2020 code 450127 and the names 横县,
        hengxian give today's 横州市 (450181).
    city : str, int or Region, optional
        The city to search in; needed only where a name is used in two cities.

    Raises
    ------
    UnknownRegionError
        No county (in that city) has that name or code.
    AmbiguousRegionError
        The name fits counties in several cities; the message lists them with their city.
    """
    parent = city if isinstance(city, Region) or city is None else get_city(city)
    return _find(name_or_adcode, ("county",), parent)


def get_region(name_or_adcode: str | int | Region) -> Region:
    """Return a city or a county (or the region itself: "guangxi", 450000) by name or adcode."""
    return _find(name_or_adcode, ("province", "city", "county"))


def _summary(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(table[_COLUMNS]).reset_index(drop=True)


def list_cities() -> pd.DataFrame:
    """Return the 14 cities: adcode, names, census figures and ``counties`` (how many)."""
    table = _table()
    cities = _summary(table[table["level"] == "city"])
    counts = table.loc[table["level"] == "county", "city_adcode"].value_counts()
    cities["counties"] = cities["adcode"].map(counts).astype(int)
    return cities


def list_counties(city: str | int | Region) -> pd.DataFrame:
    """Return the counties of one city: adcode, names and census figures."""
    parent = city if isinstance(city, Region) else get_city(city)
    table = _table()
    return _summary(table[(table["level"] == "county") & (table["city_adcode"] == parent.adcode)])


def boundaries(city: str | int | Region | None = None, level: Level = "county") -> gpd.GeoDataFrame:
    """Return boundaries with census columns (WGS-84), of one city or of all Guangxi.

    Parameters
    ----------
    city : str, int or Region, optional
        Restrict to this city's units.
    level : {"county", "city", "province"}
        Which units: counties (default), cities, or the region as a whole.
    """
    if level not in ("county", "city", "province"):
        raise ValueError(f"level must be 'county', 'city' or 'province', not {level!r}")
    table = _table()
    rows = table["level"] == level
    if city is not None:
        parent = city if isinstance(city, Region) else get_city(city)
        rows &= (table["city_adcode"] == parent.adcode).fillna(False).astype(bool)
    return gpd.GeoDataFrame(
        table.loc[rows, [*_COLUMNS, "slug", "level", "city_adcode", "geometry"]],
        geometry="geometry",
        crs=table.crs,
    ).reset_index(drop=True)
