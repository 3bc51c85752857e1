"""The ``gxnet`` command: thin click verbs over the library's documented functions.

Each verb parses its options, calls one or two library functions and prints. A
:class:`gxnet._errors.GxnetError` becomes one line on stderr and its exit code (2 for the user's
input, 1 for failures), never a traceback; so do Ctrl-C (exit code 130), and an ``OSError`` or
``MemoryError`` no module named (exit code 1). An unusable environment variable stops the run
before any verb starts (exit code 2).

The command line speaks Chinese unless told otherwise (``--lang en`` before or after the verb,
or ``GXNET_LANG=en``): help, progress, summaries and errors come from the message catalogue
(:mod:`gxnet._messages`). Help texts are catalogue keys ``help:<verb>`` and
``help:<verb>:<option>`` (``help:*:<option>`` for an option many verbs share).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import click
import pandas as pd

from gxnet import __version__, pipeline, regions, settings
from gxnet._errors import (
    GxnetError,
    UnknownRegionError,
    UserInputError,
    error_line,
    exit_on,
    localized,
)
from gxnet._messages import (
    LANGUAGES,
    display_width,
    has,
    language,
    reason_column,
    set_language,
    text,
)
from gxnet._safe import printable, printable_lines
from gxnet.config import load_config
from gxnet.osm import fetch as osm_fetch
from gxnet.osm.network import MODES
from gxnet.osm.pbf import DEFAULT_BUFFER_M
from gxnet.outputs import OutputUnit, load_plan
from gxnet.plan import Plan, PlanDiff
from gxnet.progress import Progress
from gxnet.sites import SITE_CRS, read_site_list, write_template
from gxnet.study_area import study_area


def _help(command: click.Command, param: str | None = None) -> str | None:
    """The catalogue's help text of a verb (or of one of its options), in the console's
    language; None where the catalogue has none."""
    verb = command.callback.__name__ if command.callback else command.name
    keys = [f"help:{verb}"] if param is None else [f"help:{verb}:{param}", f"help:*:{param}"]
    return next((text(key) for key in keys if has(key)), None)


class _Command(click.Command):
    """A verb whose help (usage, text, options) is in the console's language."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=text("cli_usage") + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.help = _help(self) or self.help
        super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        self.help = _help(self) or self.help
        return super().get_short_help_str(limit=limit if language() == "en" else limit // 2)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                name = "help" if param is self.get_help_option(ctx) else param.name
                param.help = _help(self, name) or param.help
                record = param.get_help_record(ctx)
                if record is not None:
                    records.append((record[0], _localize_extras(record[1])))
        if records:
            with formatter.section(text("cli_options")):
                formatter.write_dl(records)


def _localize_extras(help_text: str) -> str:
    """The ``[default: x; required]`` click appends to an option's help, in the console's
    language."""
    # click writes them after two spaces: "help  [default: x]" (or alone: "[required]").
    if language() == "en" or not help_text.endswith("]"):
        return help_text
    head, sep, extras = help_text.rpartition("  [")
    if not sep:
        if not help_text.startswith("["):
            return help_text
        head, extras = "", help_text[1:]
    else:
        head += "  "
    parts = []
    for part in extras.rstrip("]").split("; "):
        if part.startswith("default: "):
            part = text("cli_default", value=part.removeprefix("default: "))
        elif part == "required":
            part = text("cli_required")
        parts.append(part)
    return f"{head}[{'；'.join(parts)}]"


class _Group(_Command, click.Group):
    """A click group whose help is in the console's language, and that turns gxnet's own
    errors, Ctrl-C and failures of the machine into one clear line (in that language too) and
    an exit code."""

    command_class = _Command
    group_class = type

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, command.get_short_help_str(formatter.width - 6 - len(name)))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section(text("cli_commands")):
                formatter.write_dl(rows)

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.show = functools.partial(_show_usage_error, exc)
            raise

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.show = functools.partial(_show_usage_error, exc)
            raise
        except (GxnetError, KeyboardInterrupt, OSError, MemoryError) as exc:
            exit_on(exc)


def _show_usage_error(exc: click.UsageError, file=None) -> None:
    """Show a mistake on the command line (an unknown option, a missing or bad value) in the
    console's language: the usage, where to find help, and what was wrong."""
    lang = language()
    if exc.ctx is not None:
        click.echo(exc.ctx.get_usage(), err=True)
        click.echo(text("cli_try_help", command=exc.ctx.command_path), err=True)
        click.echo(err=True)
    if isinstance(exc, click.NoSuchOption):
        message = text("cli_no_such_option", name=exc.option_name)
    elif isinstance(exc, click.MissingParameter) and exc.param is not None:
        message = text("cli_missing", name=" / ".join(exc.param.opts))
    elif isinstance(exc, click.BadParameter) and exc.param is not None:
        reason = exc.message if lang == "en" else _expected(exc.param.type)
        message = text("cli_bad_value", name=" / ".join(exc.param.opts), message=reason)
    else:
        message = exc.format_message()
    click.echo(error_line(message, lang), err=True)


def _expected(kind: click.ParamType) -> str:
    """What an option of type ``kind`` takes, in the console's language (click words its
    own complaint in English)."""
    if isinstance(kind, click.Choice):
        return text("cli_expected_choice", choices=", ".join(map(str, kind.choices)))
    if isinstance(kind, click.types.IntParamType):
        return text("cli_expected_int")
    if isinstance(kind, click.types.FloatParamType):
        return text("cli_expected_number")
    if isinstance(kind, click.Path):
        return text("cli_expected_path")
    return text("cli_expected_value")


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """The ``--lang`` option: sets the console's language, and gives the language of the
    documents a verb writes (default: the console's)."""
    if value is not None:
        set_language(value)
    return value or language()


def _lang_option(**extra: object):
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default=None,
        is_eager=True,
        callback=_set_language,
        **extra,
    )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gxnet")
@_lang_option(expose_value=False)
def cli() -> None:
    """Plan recycling points and sorting centres on real road networks (Guangxi)."""
    settings.check_environment()


# Reference data: cities and counties.

#: The columns of the cities table and their headers' keys in the catalogue.
_HEADERS = {
    "adcode": "cities_adcode",
    "name_zh": "cities_name_zh",
    "name_pinyin": "cities_pinyin",
    "population": "cities_population",
    "households": "cities_households",
    "counties": "cities_counties",
}


def _format_table(frame: pd.DataFrame) -> str:
    """Align a frame for the terminal: text left, numbers right with thousands separators."""
    columns = [
        [text(_HEADERS[name]) if name in _HEADERS else str(name)]
        + [f"{v:,}" if pd.api.types.is_integer_dtype(col) and name != "adcode" else str(v)
           for v in col]
        for name, col in frame.items()
    ]  # fmt: skip
    numeric = [pd.api.types.is_numeric_dtype(col) for _, col in frame.items()]
    widths = [max(display_width(cell) for cell in column) for column in columns]
    lines = []
    for row in zip(*columns, strict=True):
        cells = [
            " " * (w - display_width(c)) + c if right else c + " " * (w - display_width(c))
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
@click.option("--city")
@click.option("--all", "all_cities", is_flag=True)
@click.option("--area", type=click.Path(path_type=Path))
@click.option("--name")
@click.option("--pbf", type=click.Path(path_type=Path))
@click.option(
    "--source",
    type=click.Choice(osm_fetch.SOURCES),
    default="auto",
    show_default=True,
)
@click.option(
    "--modes",
    default=",".join(MODES),
    show_default=True,
)
@click.option(
    "--buffer", "buffer_m", type=float, default=DEFAULT_BUFFER_M, show_default=True,
)  # fmt: skip
@click.option("--refresh", is_flag=True)
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
        raise UserInputError(key="err_fetch_targets")
    if area is not None and not name:
        raise UserInputError(key="err_fetch_name")
    if all_cities:
        targets = [regions.get_city(code) for code in regions.list_cities()["adcode"]]
    elif area is not None:
        targets = [area]
    else:
        try:
            targets = [regions.get_region(city)]
        except UnknownRegionError as exc:
            command = osm_fetch.fetch_command(area="AREA.geojson", name="my-area")
            hint = {
                lang: text("err_outside_guangxi_hint", lang, command=command) for lang in LANGUAGES
            }
            stop = "" if str(exc).endswith((".", "?")) else "."
            raise UnknownRegionError(
                key="err_then",
                first=exc.localized("zh"),
                then=hint["zh"],
                first_en=f"{exc}{stop}",
                then_en=hint["en"],
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
            line = text(
                "fetch_line", slug=slug, mode=mode, nodes=net.n_nodes, edges=net.n_edges,
                dropped_nodes=net.meta["dropped_nodes"], dropped_edges=net.meta["dropped_edges"],
                path=osm_fetch.network_path(slug, mode),
            )  # fmt: skip
            click.echo(printable(line))


# Options more than one verb takes.

_CRS = click.option(
    "--crs", type=click.Choice(SITE_CRS),
)  # fmt: skip
_CONFIG = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
)  # fmt: skip


# Site lists: check and template.


@cli.group()
def sites() -> None:
    """Check planners' site lists and write a template to fill in."""


@sites.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--city")
@click.option(
    "--area", type=click.Path(dir_okay=False, path_type=Path),
)  # fmt: skip
@_CRS
@click.option("--out", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True)
def sites_check(
    file: Path, city: str | None, area: Path | None, crs: str | None, out: Path | None, strict: bool
) -> None:
    """Read and check the site list FILE as optimize and resolve read it: report every row
    kept, fixed or rejected (exit code 2 when no row is usable)."""
    place = study_area(_one_place(city, area))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        site_list = read_site_list(file, boundary=place.boundary, slug=place.cache_name, crs=crs)
    for w in caught:  # the report below says what the warning of fixed rows would
        if getattr(w.message, "key", None) != "warn_sites_fixed":
            _warn(w.message)
    lang = language()
    click.echo(printable_lines(site_list.format_report(lang).splitlines()))
    unplannable = site_list.unplannable()
    for row, site_id, field, reason in zip(
        unplannable["row"], unplannable["site_id"], unplannable["field"],
        unplannable[reason_column(lang)], strict=True,
    ):  # fmt: skip
        line = text(
            "sites_report_unplannable", row=row, site_id=site_id, field=field, reason=reason
        )
        click.echo(printable(line))
    if out is not None:
        click.echo(text("wrote", path=site_list.write_geojson(out)))
    site_list.accept(skip_bad_rows=True)  # no usable row: exit code 2
    if strict and site_list.counts()["rejected"]:
        sys.exit(2)


def _one_place(city: str | None, area: Path | None) -> str | Path:
    if (city is None) == (area is None):
        raise UserInputError(key="err_city_or_area")
    return city if city is not None else area


@sites.command("template")
@_lang_option()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True
)
@click.option("--out", type=click.Path(path_type=Path))
def sites_template(lang: str, fmt: str, out: Path | None) -> None:
    """Write an example site list with the columns gxnet reads, to fill in."""
    path = write_template((out or Path("site-list-template")).with_suffix(f".{fmt}"), lang=lang)
    click.echo(text("wrote", path=path))


# Plans: optimize, resolve, map, report.


def _warn(message: object, where: str = "") -> None:
    """A warning line on stderr, in the console's language (a :class:`gxnet._errors.
    GxnetWarning` is worded from the catalogue), without control characters; ``where`` (a
    city) comes first."""
    lang = language()
    label = text("warning", lang)
    head = f"gxnet：{label}：" if lang == "zh" else f"gxnet: {label}: "
    colon = "：" if lang == "zh" else ": "
    click.echo(
        head + _lines(f"{where}{colon if where else ''}{localized(message, lang)}"), err=True
    )


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show the library's warnings (fallbacks, fixed rows) as one line each on stderr, in
    order with the progress lines."""

    def show(message, category, *args, **kwargs) -> None:
        if issubclass(category, UserWarning):
            _warn(message)

    with warnings.catch_warnings():
        warnings.simplefilter("default", UserWarning)
        warnings.showwarning = show
        yield


_BASEMAP = click.option("--basemap", type=click.Choice(["amap", "osm", "tianditu", "none"]))
_LANG = _lang_option()
_PBF = click.option("--pbf", type=click.Path(dir_okay=False, path_type=Path))
_SKIP = click.option("--skip-bad-rows", is_flag=True)
#: The targets, standards and solver options that optimize and resolve share: the option's
#: declarations and settings. ``--time-limit`` fills ``time_limit_s`` of
#: :meth:`gxnet.config.Config.with_options`.
_PLANNING: tuple[tuple[tuple[str, ...], dict], ...] = (
    (("--points",), {"type": int}),
    (("--coverage",), {"type": float}),
    (("--walk-minutes",), {"type": float}),
    (("--service-radius-m",), {"type": float}),
    (("--rural-minutes",), {"type": float}),
    (("--rural-service-radius-m",), {"type": float}),
    (("--truck-minutes",), {"type": float}),
    (("--centres",), {"type": int}),
    (
        ("--township-minimum/--no-township-minimum",),
        {
            "default": None,
        },
    ),
    (
        ("--county-quota/--no-county-quota",),
        {
            "default": None,
        },
    ),
    (("--solver",), {"type": click.Choice(["highs", "cbc"])}),
    (("--time-limit", "time_limit_s"), {"type": float}),
    (("--gap",), {"type": float}),
)


def _planning_options(command):
    """Add the shared planning options (:data:`_PLANNING`) to a verb."""
    for declarations, settings_ in reversed(_PLANNING):
        command = click.option(*declarations, **settings_)(command)
    return command


_OUT = click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path),
)  # fmt: skip


@cli.command()
@click.option("--city")
@click.option(
    "--area", type=click.Path(dir_okay=False, path_type=Path),
)  # fmt: skip
@click.option(
    "--sites",
    type=click.Path(path_type=Path),
)
@_CRS
@click.option(
    "--name", "osm_name",
)  # fmt: skip
@click.option(
    "--demand",
    type=click.Path(dir_okay=False, path_type=Path),
)
@_PBF
@_planning_options
@click.option(
    "--household-size", type=float,
)  # fmt: skip
@click.option("--phase", "phase_texts", multiple=True, metavar="NAME:COUNT")
@click.option("--workers", type=int)
@click.option("--scheduler", metavar="ADDRESS")
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
    phases = [parse_phase(p) for p in phase_texts or config.phases] or None
    if city is not None and area is None and is_region(city):
        given = {"--demand": demand, "--pbf": pbf, "--name": osm_name, "--crs": crs}
        if any(value is not None for value in given.values()):
            names = ", ".join(k for k, v in given.items() if v is not None)
            raise UserInputError(key="err_region_option", options=names)
        _optimize_region(config, phases, sites, out, basemap, lang, **region)
        return
    if any(v is not None for v in region.values()):
        raise UserInputError(key="err_region_only")
    if sites is not None and sites.is_dir():
        raise UserInputError(key="err_sites_folder", path=str(sites))
    place = study_area(_one_place(city, area))
    unit = OutputUnit.of(place.slug, out)
    reading = {"sites": sites, "crs": crs, "pbf": pbf, "skip_bad_rows": skip_bad_rows}
    progress = Progress(language())
    with unit.hold(progress.write), _warnings_as_lines():
        plan = pipeline.optimize_city(
            place, demand=demand, config=config, progress=progress, osm_name=osm_name,
            phases=phases, **reading,
        )  # fmt: skip
        with progress.stage("outputs"):
            unit.replace(plan, basemap=basemap, lang=lang)
    _written(plan, unit)


def _optimize_region(config, phases, sites, out, basemap, lang, workers, scheduler) -> None:
    """``gxnet optimize --city guangxi``: every city on Dask, then the region's outputs; exit
    code 1 or 2 when a city failed (the others are planned and saved)."""
    from gxnet.region import REGION_SLUG, plan_region, region_cities, save_region

    site_lists = None
    if sites is not None:
        if not sites.is_dir():
            raise UserInputError(key="err_region_sites", path=str(sites))
        site_lists = {p.stem: p for p in sorted(sites.iterdir()) if p.stem in region_cities()}
    plans = None if out is None else Path(out) / "plans"
    maps = None if out is None else Path(out) / "maps"
    progress = Progress(language())
    with OutputUnit.of(REGION_SLUG, out).hold(progress.write), _warnings_as_lines():
        run = plan_region(
            config=config,
            phases=phases,
            sites=site_lists,
            out=plans,
            workers=workers,
            scheduler=scheduler,
            progress=progress.write,
        )
        for record in run.cities.values():
            for warning in record.warnings:
                _warn(warning, record.slug)
        with progress.stage("outputs"):
            region, html = save_region(run, maps_dir=maps, basemap=basemap, lang=lang)
    click.echo(region.summary(language()))
    click.echo(text("written_plan", path=run.folder))
    click.echo(text("written_map", path=html))
    click.echo(text("written_report", path=run.folder / "report.html"))
    statuses = [r.status for r in run.cities.values()]
    click.echo(
        text(
            "summary_region_cities",
            planned=statuses.count("planned"),
            reused=statuses.count("reused"),
            failed=len(run.failed),
        )
    )
    if run.failed:
        lang = language()
        for record in run.failed:
            click.echo(error_line(printable(f"{record.slug}: {record.message}"), lang), err=True)
        failed = text("err_region_failed", n=len(run.failed), cities=len(run.cities))
        click.echo(error_line(failed, lang), err=True)
        sys.exit(run.exit_code)


def _written(plan: Plan, unit: OutputUnit) -> None:
    """The plan's summary and where its files went, in the console's language."""
    click.echo(_lines(plan.summary(language())))
    click.echo(text("written_plan", path=unit.folder))
    click.echo(text("written_workbook", path=unit.folder / "plan.xlsx"))
    click.echo(text("written_map", path=unit.html))


def _lines(text: str) -> str:
    """Text for the terminal: each line without control characters."""
    return printable_lines(text.splitlines())


@cli.command()
@click.argument("plan_dir", metavar="PLAN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--sites",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
)
@_CRS
@_PBF
@_planning_options
@click.option(
    "--change-penalty", type=float,
)  # fmt: skip
@_OUT
@_BASEMAP
@_LANG
@_SKIP
@_CONFIG
@click.option("--city")
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
        raise UserInputError(key="err_city_not_region", path=str(plan_dir))
    old = load_plan(plan_dir)
    unit = OutputUnit.of(old.slug, out) if out else OutputUnit.of_folder(plan_dir)
    progress = Progress(language())
    with unit.hold(progress.write), _warnings_as_lines():
        config = pipeline.resolve_config(old, config_file, **options)
        new = pipeline.resolve_plan(old, config=config, progress=progress, **reading)
        with progress.stage("outputs"):
            unit.replace(new, basemap=basemap, lang=lang)
    click.echo(PlanDiff.of(new).describe(language()))
    _written(new, unit)
    click.echo(text("written_diff", path=unit.folder / "diff.csv"))


def _resolve_region_city(plan_dir, city, out, basemap, lang, config_file, reading, options):
    """``gxnet resolve plans/guangxi --city X``: one city against its share, the region's
    totals, map and report updated."""
    from gxnet.region import resolve_city

    if city is None:
        raise UserInputError(key="err_region_city", path=str(plan_dir))
    maps = None if out is None else Path(out) / "maps"
    progress = Progress(language())
    with OutputUnit.of_folder(plan_dir).hold(progress.write), _warnings_as_lines():
        old, new, before, after, html = resolve_city(
            plan_dir, city, progress=progress, maps_dir=maps, basemap=basemap, lang=lang,
            config_file=config_file, options=options, **reading,
        )  # fmt: skip
    click.echo(PlanDiff.of(new).describe(language()))
    b, a = before.metrics, after.metrics
    click.echo(
        text(
            "summary_region_change",
            before=b.get("point_sites", 0),
            after=a.get("point_sites", 0),
            share_before=100 * b.get("coverage", 0),
            share_after=100 * a.get("coverage", 0),
        )
    )
    click.echo(text("written_plan", path=plan_dir))
    click.echo(text("written_map", path=html))


@cli.command("map")
@click.argument("plan_dir", metavar="PLAN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
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
    with unit.hold(Progress(language()).write):
        unit.replace_map(Plan.load(plan_dir), basemap=basemap, lang=lang)
    click.echo(unit.html)


@cli.command()
@click.argument("plan_dir", metavar="PLAN", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html", "pdf"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
)
@_LANG
def report(plan_dir, fmt, out, lang) -> None:
    """Per-county table of a saved PLAN: households, points, coverage, times."""
    from gxnet.document import render_report, write_report
    from gxnet.region_plan import RegionPlan, is_region_folder

    if is_region_folder(plan_dir):
        from gxnet.region_outputs import render_region_report, write_region_report

        planned = RegionPlan.load(plan_dir)
        render, write = render_region_report, write_region_report
    else:
        planned, render, write = load_plan(plan_dir), render_report, write_report
    if fmt == "pdf" and out is None:
        out = Path(plan_dir) / "report.pdf"
    if out is None:
        text = render(planned, fmt=fmt, lang=lang)
        click.echo(_lines(text) if fmt == "markdown" else text)
    else:
        click.echo(write(planned, out, fmt=fmt, lang=lang))


@cli.group()
def config() -> None:
    """Planning standards and targets (gxnet.toml)."""


@config.command("show")
@_CONFIG
def config_show(config_file) -> None:
    """Print the effective standards as a gxnet.toml."""
    click.echo(load_config(config_file).to_toml())
