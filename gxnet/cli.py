"""The ``gxnet`` command: thin click verbs over the library's documented functions.

Each verb parses its options, calls one or two library functions and prints. A
:class:`gxnet._errors.GxnetError` becomes one line on stderr and its exit code (2 for the user's
input, 1 for failures), never a traceback; so do Ctrl-C (exit code 130), and an ``OSError`` or
``MemoryError`` no module named (exit code 1). An unusable environment variable stops the run
before any verb starts (exit code 2).
"""

from __future__ import annotations

import contextlib
import json
import sys
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

import click
import pandas as pd

from gxnet import __version__, pipeline, regions, settings
from gxnet._errors import GxnetError, UnknownRegionError, UserInputError, exit_on
from gxnet._safe import printable, printable_lines
from gxnet.config import load_config
from gxnet.osm import fetch as osm_fetch
from gxnet.osm.network import MODES
from gxnet.osm.pbf import DEFAULT_BUFFER_M
from gxnet.outputs import OutputUnit, load_plan
from gxnet.plan import Plan, PlanDiff
from gxnet.sites import SITE_CRS, read_site_list, write_template
from gxnet.study_area import study_area


class _Group(click.Group):
    """A click group that turns gxnet's own errors, Ctrl-C and failures of the machine into one
    clear line and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (GxnetError, KeyboardInterrupt, OSError, MemoryError) as exc:
            exit_on(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gxnet")
def cli() -> None:
    """Plan recycling points and sorting centres on real road networks (Guangxi)."""
    settings.check_environment()


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
    """Build and cache the walk, drive and tricycle road networks of a city from OpenStreetMap.

    A study area (--area FILE --name N) is cached under N and found again by its outline:
    `gxnet optimize --area FILE` then plans on these networks without --pbf.
    """
    if sum(x is not None and x is not False for x in (city, all_cities or None, area)) != 1:
        raise click.UsageError("give exactly one of --city NAME, --all or --area FILE")
    if area is not None and not name:
        raise click.UsageError("--area needs --name (the cache folder of the area)")
    if all_cities:
        targets = [regions.get_city(code) for code in regions.list_cities()["adcode"]]
    elif area is not None:
        targets = [area]
    else:
        try:
            targets = [regions.get_region(city)]
        except UnknownRegionError as exc:
            stop = "" if str(exc).endswith((".", "?")) else "."
            raise UnknownRegionError(
                f"{exc}{stop} For a place outside Guangxi give its outline and an OSM extract "
                f"covering it: `{osm_fetch.fetch_command(area='AREA.geojson', name='my-area')}`"
            ) from exc
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


# Options more than one verb takes.

_CRS = click.option(
    "--crs", type=click.Choice(SITE_CRS),
    help="Coordinate system of the site list (default: detected against the roads, else gcj02).",
)  # fmt: skip
_CONFIG = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Standards file (default: ./gxnet.toml when present).",
)  # fmt: skip


# Site lists: check and template.


@cli.group()
def sites() -> None:
    """Check planners' site lists and write a template to fill in."""


@sites.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--city", help="City (or county) whose boundary the sites must be in.")
@click.option(
    "--area", type=click.Path(dir_okay=False, path_type=Path),
    help="A study-area polygon file in place of --city.",
)  # fmt: skip
@_CRS
@click.option("--out", type=click.Path(path_type=Path), help="Write the usable sites as GeoJSON.")
@click.option("--strict", is_flag=True, help="Exit with code 2 when any row is rejected.")
def sites_check(
    file: Path, city: str | None, area: Path | None, crs: str | None, out: Path | None, strict: bool
) -> None:
    """Read and check the site list FILE as optimize and resolve read it: report every row
    kept, fixed or rejected (exit code 2 when no row is usable)."""
    place = study_area(_one_place(city, area))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        site_list = read_site_list(file, boundary=place.boundary, slug=place.cache_name, crs=crs)
    for w in caught:
        if "see SiteList.report" not in str(w.message):
            click.echo(f"gxnet: warning: {printable(w.message)}", err=True)
    click.echo(printable_lines(site_list.format_report().splitlines()))
    unplannable = site_list.unplannable()
    for r in unplannable.itertuples(index=False):
        click.echo(printable(f"  row {r.row} [{r.site_id}] not plannable {r.field}: {r.reason}"))
    if out is not None:
        click.echo(f"wrote {len(site_list.sites)} sites to {site_list.write_geojson(out)}")
    site_list.accept(skip_bad_rows=True)  # no usable row: exit code 2
    if strict and site_list.counts()["rejected"]:
        sys.exit(2)


def _one_place(city: str | None, area: Path | None) -> str | Path:
    if (city is None) == (area is None):
        raise UserInputError("give --city NAME or --area FILE (one of them)")
    return city if city is not None else area


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


def _progress(line: str) -> None:
    click.echo(line, err=True)


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show the library's warnings (fallbacks, fixed rows) as one line each on stderr, in
    order with the progress lines."""

    def show(message, category, *args, **kwargs) -> None:
        if issubclass(category, UserWarning):
            click.echo(f"gxnet: warning: {_lines(str(message))}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("default", UserWarning)
        warnings.showwarning = show
        yield


_BASEMAP = click.option(
    "--basemap",
    type=click.Choice(["osm", "amap", "tianditu", "none"]),
    default="osm",
    show_default=True,
    help="Map tiles; AMap is GCJ-02 (overlays shifted to match); none for fully offline use.",
)
_LANG = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
    help="Language of the map and report.",
)  # fmt: skip
_PBF = click.option(
    "--pbf", type=click.Path(dir_okay=False, path_type=Path),
    help="OpenStreetMap extract for real road networks (default: the cached networks).",
)  # fmt: skip
_SKIP = click.option(
    "--skip-bad-rows", is_flag=True,
    help="Plan with the valid rows of a site list that has rejected rows.",
)  # fmt: skip
#: The targets, standards and solver options that optimize and resolve share: the option's
#: declarations and settings. ``--time-limit`` fills ``time_limit_s`` of
#: :meth:`gxnet.config.Config.with_options`.
_PLANNING: tuple[tuple[tuple[str, ...], dict], ...] = (
    (("--points",), {"type": int, "help": "Number of recycling points (most households covered)."}),
    (("--coverage",), {"type": float, "help": "Share of households to cover (fewest points)."}),
    (("--walk-minutes",), {"type": float, "help": "Urban walking standard in minutes."}),
    (("--service-radius-m",), {"type": float, "help": "Urban service radius along roads, metres."}),
    (("--rural-minutes",), {"type": float, "help": "Rural riding standard in minutes."}),
    (("--rural-service-radius-m",), {"type": float, "help": "Rural service radius, metres."}),
    (("--truck-minutes",), {"type": float, "help": "Longest drive from a point to its centre."}),
    (("--centres",), {"type": int, "help": "Number of sorting centres."}),
    (
        ("--township-minimum/--no-township-minimum",),
        {
            "default": None,
            "help": "At least one point in every township where one pays, the rest listed for "
            "mobile collection (default: on, or [targets] township_minimum).",
        },
    ),
    (
        ("--county-quota/--no-county-quota",),
        {
            "default": None,
            "help": "Every county at least the points its households' standard asks (default: "
            "off, or [targets] county_quota).",
        },
    ),
    (("--solver",), {"type": click.Choice(["highs", "cbc"]), "help": "MIP solver."}),
    (("--time-limit", "time_limit_s"), {"type": float, "help": "Seconds for the model stage."}),
    (("--gap",), {"type": float, "help": "Relative gap at which the solver may stop."}),
)


def _planning_options(command):
    """Add the shared planning options (:data:`_PLANNING`) to a verb."""
    for declarations, settings_ in reversed(_PLANNING):
        command = click.option(*declarations, **settings_)(command)
    return command


_OUT = click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path),
    help="Output folder: the plan goes to OUT/plans/<city>/, the map to OUT/maps/<city>.html "
    "(default: plans/ and maps/).",
)  # fmt: skip


@cli.command()
@click.option("--city", help="City or county: pinyin, 中文 or adcode (e.g. wuzhou).")
@click.option(
    "--area", type=click.Path(dir_okay=False, path_type=Path),
    help="A study-area polygon file (GeoJSON, GeoPackage) in place of --city, "
    "also outside Guangxi.",
)  # fmt: skip
@click.option(
    "--sites",
    type=click.Path(path_type=Path),
    help="Site list (candidates and existing); default data/sites/<city>.* (for the region: "
    "a folder of lists named by city).",
)
@_CRS
@click.option(
    "--name", "osm_name",
    help="Road networks fetched under this name (gxnet fetch --area FILE --name N); "
    "default: found by the area's outline.",
)  # fmt: skip
@click.option(
    "--demand",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Demand points or polygons with households or population (default: census).",
)
@_PBF
@_planning_options
@click.option(
    "--household-size", type=float,
    help="Persons per household, for a demand file with only households or only population "
    "(default 2.87, Guangxi's 2020 census).",
)  # fmt: skip
@click.option(
    "--phase", "phase_texts", multiple=True, metavar="NAME:COUNT",
    help="A phase of building, e.g. --phase 2023:1000 --phase 2025:standard: each keeps the "
    "sites of the one before (default: [[phases]] in gxnet.toml; none: one plan).",
)  # fmt: skip
@click.option(
    "--workers", type=int,
    help="Region only: Dask worker processes on this machine (default: one per core).",
)  # fmt: skip
@click.option(
    "--scheduler", metavar="ADDRESS",
    help="Region only: a running Dask scheduler (tcp://host:8786) whose workers plan the cities.",
)  # fmt: skip
@_OUT
@_BASEMAP
@_LANG
@_SKIP
@_CONFIG
def optimize(
    city, area, sites, crs, demand, pbf, out, basemap, lang, skip_bad_rows, config_file, **options
) -> None:
    """Plan recycling points and sorting centres for a city or a study area, or the whole
    region (--city guangxi: every city one task on Dask)."""
    from gxnet.phases import parse_phase
    from gxnet.region import is_region

    region = {k: options.pop(k) for k in ("workers", "scheduler")}
    phase_texts = options.pop("phase_texts")
    osm_name = options.pop("osm_name")
    config = load_config(config_file).with_options(**options)
    phases = [parse_phase(text) for text in phase_texts or config.phases] or None
    if city is not None and area is None and is_region(city):
        given = {"--demand": demand, "--pbf": pbf, "--name": osm_name, "--crs": crs}
        if any(value is not None for value in given.values()):
            names = ", ".join(k for k, v in given.items() if v is not None)
            raise UserInputError(
                f"{names}: not for the region; each city reads its own census, site list and "
                "road networks (`gxnet fetch --all`)"
            )
        _optimize_region(config, phases, sites, out, basemap, lang, **region)
        return
    if any(v is not None for v in region.values()):
        raise UserInputError("--workers and --scheduler plan a region: give --city guangxi")
    if sites is not None and sites.is_dir():
        raise UserInputError(f"--sites {sites} is a folder: give one site list for one city")
    place = study_area(_one_place(city, area))
    unit = OutputUnit.of(place.slug, out)
    reading = {"sites": sites, "crs": crs, "pbf": pbf, "skip_bad_rows": skip_bad_rows}
    with unit.hold(_progress), _warnings_as_lines():
        plan = pipeline.optimize_city(
            place, demand=demand, config=config, progress=_progress, osm_name=osm_name,
            phases=phases, **reading,
        )  # fmt: skip
        unit.replace(plan, basemap=basemap, lang=lang)
    click.echo(_lines(plan.summary()))
    click.echo(f"plan: {unit.folder}\nmap:  {unit.html}")


def _optimize_region(config, phases, sites, out, basemap, lang, workers, scheduler) -> None:
    """``gxnet optimize --city guangxi``: every city on Dask, then the region's outputs; exit
    code 1 or 2 when a city failed (the others are planned and saved)."""
    from gxnet.region import REGION_SLUG, plan_region, region_cities, save_region

    site_lists = None
    if sites is not None:
        if not sites.is_dir():
            raise UserInputError(
                f"--sites {sites}: for the region give a folder of site lists named by city "
                f"({', '.join(region_cities()[:3])}, ...: e.g. wuzhou.xlsx)"
            )
        site_lists = {p.stem: p for p in sorted(sites.iterdir()) if p.stem in region_cities()}
    plans = None if out is None else Path(out) / "plans"
    maps = None if out is None else Path(out) / "maps"
    with OutputUnit.of(REGION_SLUG, out).hold(_progress):
        run = plan_region(
            config=config,
            phases=phases,
            sites=site_lists,
            out=plans,
            workers=workers,
            scheduler=scheduler,
            progress=_progress,
        )
        for record in run.cities.values():
            for warning in record.warnings:
                click.echo(f"gxnet: warning: {record.slug}: {printable(warning)}", err=True)
        region, html = save_region(run, maps_dir=maps, basemap=basemap, lang=lang)
    click.echo(_lines(region.summary()))
    click.echo(
        f"plan: {run.folder}\nmap:  {html}\nreport: {run.folder / 'report.html'}\n"
        f"cities planned {sum(r.status == 'planned' for r in run.cities.values())}, reused "
        f"{sum(r.status == 'reused' for r in run.cities.values())}, failed {len(run.failed)}"
    )
    if run.failed:
        for record in run.failed:
            click.echo(f"gxnet: error: {record.slug}: {printable(record.message)}", err=True)
        click.echo(
            f"gxnet: error: {len(run.failed)} of {len(run.cities)} cities failed (above); the "
            "others are planned; fix them and run again (unchanged cities are reused)",
            err=True,
        )
        sys.exit(run.exit_code)


def _lines(text: str) -> str:
    """Text for the terminal: each line without control characters."""
    return printable_lines(text.splitlines())


@cli.command()
@click.argument("plan_dir", metavar="PLAN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--sites",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The district's new site list: what it names existing or required stays open, what it "
    "leaves out or marks excluded closes.",
)
@_CRS
@_PBF
@_planning_options
@click.option(
    "--change-penalty", type=float,
    help="Share of its households a replacement must serve beyond a site of the old plan "
    "(default 0.1; 0: no preference).",
)  # fmt: skip
@_OUT
@_BASEMAP
@_LANG
@_SKIP
@_CONFIG
@click.option(
    "--city", help="For a region's plan (plans/guangxi): the city to re-plan against its share."
)
def resolve(
    plan_dir, sites, crs, pbf, out, basemap, lang, skip_bad_rows, config_file, city, **options
) -> None:
    """Re-solve PLAN with a new site list and print what changed (the plan is replaced).

    For a region's plan, --city re-plans that one city against its share and updates the
    region's totals, map and report without re-running the others."""
    from gxnet.region_plan import is_region_folder

    reading = {"sites": sites, "crs": crs, "pbf": pbf, "skip_bad_rows": skip_bad_rows}
    if is_region_folder(plan_dir):
        _resolve_region_city(plan_dir, city, out, basemap, lang, config_file, reading, options)
        return
    if city is not None:
        raise UserInputError(f"--city is for a region's plan; {plan_dir} is one city's plan")
    old = load_plan(plan_dir)
    unit = OutputUnit.of(old.slug, out) if out else OutputUnit.of_folder(plan_dir)
    with unit.hold(_progress), _warnings_as_lines():
        config = pipeline.resolve_config(old, config_file, **options)
        new = pipeline.resolve_plan(old, config=config, progress=_progress, **reading)
        unit.replace(new, basemap=basemap, lang=lang)
    click.echo(_lines(str(PlanDiff.of(new))))
    click.echo(f"plan: {unit.folder}\nmap:  {unit.html}\ndiff: {unit.folder / 'diff.csv'}")


def _resolve_region_city(plan_dir, city, out, basemap, lang, config_file, reading, options):
    """``gxnet resolve plans/guangxi --city X``: one city against its share, the region's
    totals, map and report updated."""
    from gxnet.region import resolve_city
    from gxnet.region_plan import RegionPlan

    if city is None:
        raise UserInputError(f"{plan_dir} is a region's plan: name the city with --city")
    maps = None if out is None else Path(out) / "maps"
    slug = RegionPlan.load(plan_dir).slug
    with OutputUnit.of_folder(Path(plan_dir).parent / slug).hold(_progress), _warnings_as_lines():
        old, new, before, after, html = resolve_city(
            plan_dir, city, progress=_progress, maps_dir=maps, basemap=basemap, lang=lang,
            config_file=config_file, options=options, **reading,
        )  # fmt: skip
    click.echo(_lines(str(PlanDiff.of(new))))
    b, a = before.metrics, after.metrics
    click.echo(
        f"region: {b.get('point_sites', 0):,} -> {a.get('point_sites', 0):,} point sites, "
        f"coverage {100 * b.get('coverage', 0):.1f} % -> {100 * a.get('coverage', 0):.1f} %"
    )
    click.echo(f"plan: {plan_dir}\nmap:  {html}")


@cli.command("map")
@click.argument("plan_dir", metavar="PLAN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file (default maps/<city>.html).",
)
@_BASEMAP
@_LANG
def map_(plan_dir, out, basemap, lang) -> None:
    """Draw a saved PLAN as an interactive HTML map (by default its own map, replaced)."""
    from gxnet.maps import save_map
    from gxnet.region_plan import RegionPlan, is_region_folder

    if is_region_folder(plan_dir):
        from gxnet.region import region_map_path
        from gxnet.region_outputs import save_region_map

        region = RegionPlan.load(plan_dir)
        html = out or region_map_path(plan_dir, region)
        click.echo(save_region_map(region, html, basemap=basemap, lang=lang))
        return
    if out is not None:
        click.echo(save_map(load_plan(plan_dir), out, basemap=basemap, lang=lang))
        return
    unit = OutputUnit.of_folder(plan_dir)
    with unit.hold(_progress):
        unit.replace_map(Plan.load(plan_dir), basemap=basemap, lang=lang)
    click.echo(unit.html)


@cli.command()
@click.argument("plan_dir", metavar="PLAN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: print).",
)
@_LANG
def report(plan_dir, fmt, out, lang) -> None:
    """Per-county table of a saved PLAN: households, points, coverage, times."""
    from gxnet.region_plan import RegionPlan, is_region_folder
    from gxnet.report import render_report, write_report

    if is_region_folder(plan_dir):
        from gxnet.region_outputs import render_region_report, write_region_report

        region = RegionPlan.load(plan_dir)
        if out is None:
            text = render_region_report(region, fmt=fmt, lang=lang)
            click.echo(_lines(text) if fmt == "markdown" else text)
        else:
            click.echo(write_region_report(region, out, fmt=fmt, lang=lang))
        return
    plan = load_plan(plan_dir)
    if out is None:
        text = render_report(plan, fmt=fmt, lang=lang)
        click.echo(_lines(text) if fmt == "markdown" else text)
    else:
        click.echo(write_report(plan, out, fmt=fmt, lang=lang))


@cli.group()
def config() -> None:
    """Planning standards and targets (gxnet.toml)."""


@config.command("show")
@_CONFIG
def config_show(config_file) -> None:
    """Print the effective standards as a gxnet.toml."""
    click.echo(load_config(config_file).to_toml())
