"""The ``gxnet`` command: thin click verbs over the library's documented functions.

Each verb parses its options, calls one or two library functions and prints. A
:class:`gxnet._errors.GxnetError` becomes one line on stderr and its exit code (2 for the user's
input, 1 for failures), never a traceback.
"""

from __future__ import annotations

import json
import sys
import unicodedata
import warnings
from pathlib import Path

import click
import pandas as pd

from gxnet import __version__, regions
from gxnet._errors import GxnetError
from gxnet.osm import fetch as osm_fetch
from gxnet.osm.network import MODES
from gxnet.osm.pbf import DEFAULT_BUFFER_M
from gxnet.sites import SITE_CRS, cached_networks, read_sites, road_reference, write_template


class _Group(click.Group):
    """A click group that turns gxnet's own errors into one clear line and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GxnetError as exc:
            click.echo(f"gxnet: error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gxnet")
def cli() -> None:
    """Plan recycling points and sorting centres on real road networks (Guangxi)."""


# Reference data: cities and counties.

_HEADERS = {
    "adcode": "adcode",
    "name_zh": "中文",
    "name_pinyin": "pinyin",
    "population": "population 2020",
    "households": "households",
    "counties": "counties",
}


def _width(text: str) -> int:
    """Terminal columns of a string: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _format_table(frame: pd.DataFrame) -> str:
    """Align a frame for the terminal: text left, numbers right with thousands separators."""
    columns = [
        [_HEADERS.get(str(name), str(name))]
        + [f"{v:,}" if pd.api.types.is_integer_dtype(col) and name != "adcode" else str(v)
           for v in col]
        for name, col in frame.items()
    ]  # fmt: skip
    numeric = [pd.api.types.is_numeric_dtype(col) for _, col in frame.items()]
    widths = [max(_width(cell) for cell in column) for column in columns]
    lines = []
    for row in zip(*columns, strict=True):
        cells = [
            " " * (w - _width(c)) + c if right else c + " " * (w - _width(c))
            for c, w, right in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


@cli.command()
@click.argument("city", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output: an aligned table, CSV or JSON records.",
)
def cities(city: str | None, fmt: str) -> None:
    """List the 14 cities of Guangxi, or the counties of CITY (pinyin, 中文 or adcode)."""
    frame = regions.list_cities() if city is None else regions.list_counties(city)
    frame = frame[[c for c in _HEADERS if c in frame.columns]]
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(frame.to_dict(orient="records"), ensure_ascii=False, indent=2))
    else:
        click.echo(_format_table(frame))


# Road networks: fetch and cache OpenStreetMap.


@cli.command()
@click.option("--city", help="A city or county (pinyin, 中文 or adcode).")
@click.option("--all", "all_cities", is_flag=True, help="Every city of Guangxi.")
@click.option("--area", type=click.Path(path_type=Path), help="A polygon file (GeoJSON, GPKG).")
@click.option("--name", help="Cache folder name of --area (latin letters, digits, - or _).")
@click.option("--pbf", type=click.Path(path_type=Path), help="A local .osm.pbf covering the area.")
@click.option(
    "--source",
    type=click.Choice(osm_fetch.SOURCES),
    default="auto",
    show_default=True,
    help="auto: --pbf, else a PBF in data/osm/ covering the area, else the Guangxi extract.",
)
@click.option(
    "--modes",
    default=",".join(MODES),
    show_default=True,
    help="Travel modes, comma-separated.",
)
@click.option(
    "--buffer", "buffer_m", type=float, default=DEFAULT_BUFFER_M, show_default=True,
    help="Metres of road kept around the area.",
)  # fmt: skip
@click.option("--refresh", is_flag=True, help="Rebuild even when the cache is current.")
def fetch(
    city: str | None,
    all_cities: bool,
    area: Path | None,
    name: str | None,
    pbf: Path | None,
    source: str,
    modes: str,
    buffer_m: float,
    refresh: bool,
) -> None:
    """Build and cache the walk, drive and tricycle road networks of a city from OpenStreetMap."""
    if sum(x is not None and x is not False for x in (city, all_cities or None, area)) != 1:
        raise click.UsageError("give exactly one of --city NAME, --all or --area FILE")
    if area is not None and not name:
        raise click.UsageError("--area needs --name (the cache folder of the area)")
    if all_cities:
        targets = [regions.get_city(code) for code in regions.list_cities()["adcode"]]
    else:
        targets = [osm_fetch.read_area(area) if area is not None else regions.get_region(city)]
    for target in targets:
        slug = name if area is not None else target.slug
        networks = osm_fetch.fetch_city(
            target,
            slug=slug,
            source=source,
            pbf=pbf,
            modes=tuple(m.strip() for m in modes.split(",") if m.strip()),
            buffer_m=buffer_m,
            refresh=refresh,
        )
        for mode, net in networks.items():
            click.echo(
                f"{slug:<14} {mode:<8} {net.n_nodes:>9,} nodes {net.n_edges:>10,} edges   "
                f"dropped {net.meta['dropped_nodes']:,} nodes, {net.meta['dropped_edges']:,} "
                f"edges   {osm_fetch.network_path(slug, mode)}"
            )


# Site lists: check and template.


@cli.group()
def sites() -> None:
    """Check planners' site lists and write a template to fill in."""


@sites.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--city", required=True, help="City (or county) whose boundary the sites must be in.")
@click.option(
    "--crs",
    type=click.Choice(SITE_CRS),
    help="Coordinate system of the list (default: detected against the roads, else gcj02).",
)
@click.option("--out", type=click.Path(path_type=Path), help="Write the usable sites as GeoJSON.")
@click.option("--strict", is_flag=True, help="Exit with code 2 when any row is rejected.")
def sites_check(file: Path, city: str, crs: str | None, out: Path | None, strict: bool) -> None:
    """Read and check the site list FILE: report every row kept, fixed or rejected."""
    region = regions.get_region(city)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        site_list = read_sites(
            file, crs=crs, boundary=region.boundary, reference=road_reference(region.slug)
        )
    for w in caught:
        if "see SiteList.report" not in str(w.message):
            click.echo(f"gxnet: warning: {w.message}", err=True)
    networks = cached_networks(region.slug)
    if networks:
        site_list = site_list.snap(networks)
    click.echo(site_list.format_report())
    if out is not None:
        click.echo(f"wrote {len(site_list.sites)} sites to {site_list.write_geojson(out)}")
    if strict and site_list.counts()["rejected"]:
        sys.exit(2)


@sites.command("template")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True
)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Default: site-list-template.<format>."
)
def sites_template(lang: str, fmt: str, out: Path | None) -> None:
    """Write an example site list with the columns gxnet reads, to fill in."""
    path = write_template((out or Path("site-list-template")).with_suffix(f".{fmt}"), lang=lang)
    click.echo(f"wrote {path}")


# Plans: optimize, resolve, map, report.


def main() -> None:
    """Entry point of the ``gxnet`` console script."""
    cli(prog_name="gxnet")
