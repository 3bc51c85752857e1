"""Planning standards and targets: the numbers a plan rests on, with their sources.

Paths and URLs are in :mod:`gxnet.settings`; this module holds what a planner may argue about
(households per point, service radius, truck minutes, targets, solver limits). Each concern is
one frozen dataclass; :class:`Config` holds one of each. The defaults are cited in
``docs/pipeline.md`` (points, centres, costs, targets, solver) and ``docs/demand-and-sites.md``
(demand, sites), from ``../shared/STANDARDS.md`` and the sources named there.

A project overrides them in ``gxnet.toml`` (one TOML table per dataclass, e.g. ``[points]``),
read from the working directory or from ``--config FILE``, and per run with command-line flags::

    [points]
    households_per_point_urban = 1500   # Beijing's denser standard
    service_radius_m_urban = 800

    [targets]
    coverage = 0.95
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gxnet._catalogue import Phrase
from gxnet._errors import InputFileError, UserInputError
from gxnet.tiers import Tier

#: The file read from the working directory when no ``--config`` is given.
CONFIG_FILE = "gxnet.toml"


def _spec(
    default: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices=None,
    library_only: bool = False,
):
    """A dataclass field whose allowed range travels with it, for validation of loaded files.

    ``library_only`` fields are set by code calling the models, never by ``gxnet.toml`` (nor
    written to it or to a plan's provenance).
    """
    metadata = {"lo": lo, "hi": hi, "choices": choices, "library_only": library_only}
    return field(default=default, metadata=metadata)


def _file_fields(section: Any) -> list[dataclasses.Field]:
    """The fields of a section that ``gxnet.toml`` may set."""
    return [f for f in dataclasses.fields(section) if not f.metadata.get("library_only")]


@dataclass(frozen=True)
class PointStandards:
    """Recycling points (回收站点): how many households one serves and how far they walk.

    Attributes
    ----------
    households_per_point_urban, households_per_point_rural
        Households one point serves: about 2,000 in urban districts and 2,500 in townships
        (national guidance); 1,000-1,500 where a city uses the denser standard (Beijing's
        industry standard, Qingyuan).
    service_radius_m_urban
        Walking distance along the roads from a home to its point in urban areas: the standard
        names about 0.5-1 km; the default takes the upper end.
    service_radius_m_rural
        Distance to a point in rural areas, where residents ride (e-bike, tricycle) or drive:
        ``ride_minutes_rural`` at ``ride_speed_kmh`` by default (10 min at 15 km/h = 2.5 km).
    walk_speed_kmh, ride_speed_kmh
        Speeds that turn distances into the minutes a planner reads: 4.5 km/h is a common
        planning walking speed (older residents carrying recyclables); 15 km/h an e-bike or
        motor tricycle on village roads.
    min_floor_area_m2
        A fixed point has at least 10 m² of floor space (national guidance); recorded in the
        plan's standards, used by site checks.
    fixed_cost
        Relative cost of opening one point (the unit against which centres are priced).
    mobile_below_households
        Where a fixed point does not pay: a township whose best candidate site has fewer of the
        township's households than this within the service standard (or none) is served by
        mobile collection (流动回收, the national guidance's answer where a fixed point does not
        pay) instead of a point. 500 is a fifth of the rural standard's 2,500 households: a
        point that busy still sees a household's recyclables every few days; an assumption
        to replace with a city's own figure.
    capacity_households
        Households one point may serve at most, for site-list rows without a capacity: ``inf``
        (the default) sets no hard limit (the household standard then only says how many
        points a plan opens).
    """

    households_per_point_urban: int = _spec(2000, lo=1)
    households_per_point_rural: int = _spec(2500, lo=1)
    service_radius_m_urban: float = _spec(1000.0, lo=1.0, hi=50_000.0)
    service_radius_m_rural: float = _spec(2500.0, lo=1.0, hi=50_000.0)
    walk_speed_kmh: float = _spec(4.5, lo=0.5, hi=10.0)
    ride_speed_kmh: float = _spec(15.0, lo=1.0, hi=80.0)
    min_floor_area_m2: float = _spec(10.0, lo=0.0)
    fixed_cost: float = _spec(1.0, lo=0.0)
    mobile_below_households: float = _spec(500.0, lo=0.0)
    capacity_households: float = _spec(math.inf, lo=1.0)

    def service_radius_m(self, setting: str) -> float:
        """The service radius for ``"urban"`` or ``"rural"`` demand."""
        return self.service_radius_m_urban if setting == "urban" else self.service_radius_m_rural

    def speed_mps(self, setting: str) -> float:
        """The speed, in metres per second, at which residents of a setting reach their point."""
        kmh = self.walk_speed_kmh if setting == "urban" else self.ride_speed_kmh
        return kmh / 3.6

    def households_per_point(self, setting: str) -> int:
        """Households one point serves in ``"urban"`` or ``"rural"`` areas."""
        return (
            self.households_per_point_urban
            if setting == "urban"
            else self.households_per_point_rural
        )


@dataclass(frozen=True)
class HubStandards:
    """A tier above the points: collection markets (集散市场), sorting centres (分拣中心 /
    中转站) or processing bases (处理基地); ``[markets]``, ``[centres]`` and ``[bases]`` in
    ``gxnet.toml``, each with its own defaults (:data:`MARKETS`, :data:`CENTRES`,
    :data:`BASES`).

    Attributes
    ----------
    truck_minutes
        Longest drive from a site of the tier below to its site of this tier. Centres: 45
        minutes lets one centre serve a county seat and its townships (centres sit at the edge
        of the built-up area, one per city or county in most municipal plans). Markets: 30
        minutes, a market per few townships. Bases: 180 minutes, a base serves a prefecture
        or more (Wuzhou's and Yulin's urban-mining bases serve the region).
    truck_speed_kmh
        Average speed of a truck, used only when there is no road network (straight-line
        distance times the detour factor at this speed).
    capacity_t_day
        Recyclables one site can take per day, in tonnes, for site-list rows without a
        capacity; ``inf`` (the default) leaves the number of sites to their fixed cost and
        the truck standard.
    min_floor_area_m2
        Floor space of one site: a transfer or sorting station has at least 500 m² (national
        guidance); recorded in the plan's standards.
    fixed_cost
        Relative cost of opening one site, in units of a point's fixed cost.
    grid_candidates
        Whether the tier gets candidate sites on a grid where the site list has none of it:
        on for centres (every plan has centres); off for markets and bases, which a plan has
        only when its site list lists some (or this is switched on).
    """

    truck_minutes: float = _spec(45.0, lo=1.0, hi=600.0)
    truck_speed_kmh: float = _spec(30.0, lo=1.0, hi=120.0)
    capacity_t_day: float = _spec(math.inf, lo=0.0)
    min_floor_area_m2: float = _spec(500.0, lo=0.0)
    fixed_cost: float = _spec(100.0, lo=0.0)
    grid_candidates: bool = _spec(True)


#: The defaults of each tier above the points (see :class:`HubStandards`).
MARKETS = HubStandards(
    truck_minutes=30.0, fixed_cost=30.0, min_floor_area_m2=0.0, grid_candidates=False
)
CENTRES = HubStandards()
BASES = HubStandards(
    truck_minutes=180.0,
    truck_speed_kmh=50.0,
    fixed_cost=300.0,
    min_floor_area_m2=0.0,
    grid_candidates=False,
)


@dataclass(frozen=True)
class CostStandards:
    """How travel is measured when there is no road network on disk.

    Attributes
    ----------
    detour_factor
        Road distance over straight-line distance (circuity). Measured factors lie mostly
        between 1.2 and 1.4 (Ballou, Rahardja & Sakai 2002; Boscoe, Henry & Zdeb 2012); 1.3
        is the middle of that range.
    """

    detour_factor: float = _spec(1.3, lo=1.0, hi=3.0)


@dataclass(frozen=True)
class GridSettings:
    """Demand cells when demand comes from the census.

    Attributes
    ----------
    cell_size_m
        Edge of a square cell. 1 km keeps a whole city (Wuzhou: 12,600 km²) to about 13,000
        cells; use 500 m for one district.
    kind
        ``"square"`` or ``"h3"``.
    """

    cell_size_m: float = _spec(1000.0, lo=50.0, hi=20_000.0)
    kind: str = _spec("square", choices=("square", "h3"))


@dataclass(frozen=True)
class Targets:
    """What the plan must achieve: the one targets type of gxnet, read from ``gxnet.toml`` and
    the command line and given to every model (through its :class:`gxnet.optimize.Problem`).

    Unset targets are ``None`` (absent from ``gxnet.toml``): the model then follows its own
    default.

    Attributes
    ----------
    points
        Exactly this many recycling points, existing and required ones included (the region's
        target is at least 1,000 across Guangxi); the model then covers as many households as
        it can.
    coverage
        Share of households (of the demand weight) in (0, 1] that must live within the service
        standard of a point; the model then opens as few points as it can. Used when
        ``points`` is not set.

        When neither is set (the default), the number of points is what the household standard
        asks for (:func:`gxnet.model_choice.standard_points`: per county, urban households over
        ``households_per_point_urban`` plus rural households over
        ``households_per_point_rural``, rounded up), and the model covers as many households as
        it can with them: the plan shows how far the standard's points reach.
    township_minimum
        Every township with households gets at least one recycling point standing in it,
        unless no candidate site there reaches ``points.mobile_below_households`` of its
        households within the standard: such a township is listed for mobile collection
        (流动回收). The number of points is raised when the minimum needs more than the
        household standard gives. On by default.
    county_quota
        Every county gets at least the points the household standard asks for in it (its
        share of :func:`gxnet.model_choice.standard_points`), instead of the points going
        wherever they cover most across the study area. Off by default.
    markets, centres
        Exactly this many collection markets or sorting centres; otherwise their number follows
        from fixed costs, capacities and the truck standard.
    bases
        Exactly this many processing bases (not read from ``gxnet.toml``).
    cost_budget
        Upper bound on the total fixed cost of the opened sites (models that price sites only;
        not read from ``gxnet.toml``).
    """

    points: int | None = _spec(None, lo=1)
    coverage: float | None = _spec(None, lo=0.001, hi=1.0)
    township_minimum: bool = _spec(True)
    county_quota: bool = _spec(False)
    markets: int | None = _spec(None, lo=1)
    centres: int | None = _spec(None, lo=1)
    bases: int | None = _spec(None, library_only=True)
    cost_budget: float | None = _spec(None, library_only=True)

    def count_for(self, tier: Tier) -> int | None:
        """The number of sites to open in ``tier`` (``None`` when not set)."""
        return getattr(self, Tier(tier).plural)


#: The solvers gxnet drives.
SOLVERS: tuple[str, ...] = ("highs", "cbc")


@dataclass(frozen=True)
class SolverOptions:
    """The solver and its limits: the one solver-options type of gxnet, read from
    ``gxnet.toml`` and the command line (table ``[solver]``) and given to every model's solve.

    The class defaults suit a library caller who wants proven optima (no time limit, a gap of
    1e-6); a planner's run starts from :data:`PLANNING_SOLVER` instead.

    Attributes
    ----------
    name
        ``"highs"`` (default, through highspy) or ``"cbc"`` (PuLP's CBC command).
    time_limit_s
        Wall-clock seconds for a whole model stage: every tier, heuristic, bound and solver run
        draws on one :class:`gxnet.optimize.TimeBudget` of this length. ``None``: no limit. A
        time-limited answer is reported as feasible with its gap.
    gap
        Relative gap at which the solver may stop and call the solution optimal (0.01 = within
        1 % of optimal).
    threads
        Threads of the solver and of gxnet's own LPs and MIPs before it; unset leaves HiGHS
        its default (both cores of a 2-core machine). HiGHS keeps one thread pool per process,
        so a process must not ask for different counts in turn.
    seed
        Random seed, so that a re-run gives the same plan.
    max_nodes
        Branch-and-bound nodes at most per solver run, the solver's deterministic limit of
        work (the time limit is only the safety net behind it, so that a re-run gives the same
        plan). Unset: :data:`NODES_PER_SECOND` per second of ``time_limit_s``, or no limit
        without a time limit.
    msg
        Show the solver's log (not read from ``gxnet.toml``).
    warm_start
        Pass the model's heuristic incumbent to the solver when it has one (not read from
        ``gxnet.toml``).
    """

    name: str = _spec("highs", choices=SOLVERS)
    time_limit_s: float | None = _spec(None, lo=0.1)
    gap: float = _spec(1e-6, lo=0.0, hi=1.0)
    threads: int | None = _spec(None, lo=1)
    seed: int = _spec(0, lo=0)
    max_nodes: int | None = _spec(None, lo=1)
    msg: bool = _spec(False, library_only=True)
    warm_start: bool = _spec(True, library_only=True)

    def __post_init__(self) -> None:
        if self.name not in SOLVERS:
            raise UserInputError(key="err_solver_name", value=self.name, choices=", ".join(SOLVERS))
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise UserInputError(key="err_solver_time_limit", value=self.time_limit_s)
        if not 0 <= self.gap < 1:
            raise UserInputError(key="err_solver_gap", value=self.gap)
        if self.threads is not None and self.threads < 1:
            raise UserInputError(key="err_solver_threads", value=self.threads)
        if self.max_nodes is not None and self.max_nodes < 1:
            raise UserInputError(key="err_solver_max_nodes", value=self.max_nodes)

    def node_limit(self) -> int | None:
        """Branch-and-bound nodes a solver run may take (see ``max_nodes``)."""
        if self.max_nodes is not None:
            return int(self.max_nodes)
        if self.time_limit_s is None:
            return None
        return max(int(NODES_PER_SECOND * self.time_limit_s), 1)


#: Solver nodes per second of the time limit, when ``solver.max_nodes`` is not set: a rate a
#: city's covering MIP keeps on a quiet two-core machine, so that the node limit, not the clock,
#: ends a run.
NODES_PER_SECOND = 50


#: A planner's solver settings: 10 s keeps a whole city in the embedded default under a
#: minute (raise it for a final plan), and a plan within 1 % of optimal is proven enough.
PLANNING_SOLVER = SolverOptions(time_limit_s=10.0, gap=0.01)


#: Persons per family household in Guangxi, 2020 census: the default household size.
GUANGXI_HOUSEHOLD_SIZE = 2.87


@dataclass(frozen=True)
class DemandStandards:
    """How census people become demand on the map.

    Attributes
    ----------
    recyclables_kg_per_person_day_urban, recyclables_kg_per_person_day_rural
        Recyclables (paper, plastic, metal, glass, textiles, e-waste) a resident puts out per
        day. Urban: China's cities cleared 235.12 Mt of household waste in 2020 (MOHURD, 2020
        Urban-Rural Construction Statistical Yearbook); over the census urban population
        (901.99 M) that is 0.71 kg/person/day, and a 30 % recyclable share (below the 35 %
        recovery target of the 2017 national sorting plan) gives 0.21 kg. Rural: an assumed
        0.55 kg/person/day at about 22 % recyclables, 0.12 kg. Replace both with local survey
        figures where a city has them (see docs/demand-and-sites.md).
    residential_building_weight
        Weight of a residential building's footprint against any other building's: a shop or
        office footprint is evidence of people nearby, a flat block more so.
    household_size
        Persons per household when a demand file gives only one of households and population:
        by default Guangxi's 2020 census figure (:data:`GUANGXI_HOUSEHOLD_SIZE`, 2.87 persons
        per family household); set it (``--household-size``, ``[demand] household_size``) for
        a study area elsewhere. The plan says which figure was used.
    place_weight
        Evidence weight of one place node (village, hamlet, ...) in square metres of
        residential footprint, so that place nodes and footprints add up.
    urban_min_density_per_km2
        A cell takes the urban (walking) standard only when most of its people are urban AND it
        is as dense as a town: 1,500 residents per km², the threshold of an "urban centre" in
        the UN/Eurostat Degree of Urbanisation (DEGURBA, 2020). Without it a county whose
        people are mostly urban but spread evenly (the no-OSM fallback) would ask for a point
        within a kilometre's walk of every hillside cell.
    town_density_per_km2
        Without OSM evidence, a township's urban people are placed at its town at this density,
        in as many cells around the township's point as that takes: 10,000 residents per km²,
        i.e. about 100 m² of urban construction land per resident, inside the 65-115 m² that
        the national standard for urban land use (GB 50137-2011) allows.
    """

    recyclables_kg_per_person_day_urban: float = 0.21
    recyclables_kg_per_person_day_rural: float = 0.12
    residential_building_weight: float = 3.0
    place_weight: float = 2000.0
    household_size: float = _spec(GUANGXI_HOUSEHOLD_SIZE, lo=1.0, hi=20.0)
    urban_min_density_per_km2: float = 1500.0
    town_density_per_km2: float = 10_000.0

    def household_size_said(self) -> Phrase:
        """The household size in a planner's words, with where it comes from (``str()`` in
        English, ``.word(lang)`` in a language of the catalogue)."""
        if self.household_size == GUANGXI_HOUSEHOLD_SIZE:
            return Phrase("household_size_census", size=self.household_size)
        return Phrase("household_size_set", size=self.household_size)


@dataclass(frozen=True)
class SiteStandards:
    """Checks applied to a planner's site list.

    Attributes
    ----------
    duplicate_distance_m
        Two sites closer than this are the same site entered twice.
    max_snap_distance_m
        A site farther than this from every road node cannot be reached and is flagged.
    crs_margin
        The coordinate system is detected only when the best candidate's median distance to
        the nearest road is at most this fraction of the runner-up's.
    crs_min_points
        Fewer points than this never count as strong evidence of a coordinate system.
    default_crs
        The coordinate system assumed when a list declares none and detection is not sure:
        GCJ-02, because planners copy coordinates from AMap (高德) most of the time.
    """

    duplicate_distance_m: float = 5.0
    max_snap_distance_m: float = 300.0
    crs_margin: float = 0.6
    crs_min_points: int = 5
    default_crs: str = "gcj02"


@dataclass(frozen=True)
class ResolveSettings:
    """How ``gxnet resolve`` weighs a change against the plan it re-solves.

    Attributes
    ----------
    change_penalty
        The price of a change: a site the old plan chose, still a candidate in the new list,
        is replaced only by one that serves more than this share of its households beyond
        them (0.1: a replacement must serve 10 % more households than the site it replaces;
        0: no preference; see :mod:`gxnet.change`).
    moved_within_m
        A closed site with an opened site of the same tier within this distance has moved
        there (in the diff).
    """

    change_penalty: float = _spec(0.1, lo=0.0, hi=100.0)
    moved_within_m: float = _spec(2500.0, lo=0.0, hi=100_000.0)


@dataclass(frozen=True)
class Config:
    """All standards of a run, one section per concern (the tables of ``gxnet.toml``)."""

    points: PointStandards = field(default_factory=PointStandards)
    markets: HubStandards = field(default_factory=lambda: MARKETS)
    centres: HubStandards = field(default_factory=lambda: CENTRES)
    bases: HubStandards = field(default_factory=lambda: BASES)
    costs: CostStandards = field(default_factory=CostStandards)
    grid: GridSettings = field(default_factory=GridSettings)
    targets: Targets = field(default_factory=Targets)
    solver: SolverOptions = field(default_factory=lambda: PLANNING_SOLVER)
    demand: DemandStandards = field(default_factory=DemandStandards)
    sites: SiteStandards = field(default_factory=SiteStandards)
    resolve: ResolveSettings = field(default_factory=ResolveSettings)
    #: Phases of building as ``NAME:COUNT`` or ``NAME:standard`` (``[[phases]]`` tables of
    #: ``gxnet.toml``, read by :func:`gxnet.phases.parse_phase`); empty: one plan.
    phases: tuple[str, ...] = ()

    def hub(self, tier: Tier) -> HubStandards:
        """The standards of a tier above the points (markets, centres or bases)."""
        return getattr(self, Tier(tier).plural)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The configuration as nested plain values, as ``gxnet.toml`` has them (for the plan's
        provenance); the phases are the plan's own record."""
        return {
            f.name: {g.name: getattr(section, g.name) for g in _file_fields(section)}
            for f in dataclasses.fields(self)
            if f.name != "phases"
            for section in [getattr(self, f.name)]
        }

    def to_toml(self) -> str:
        """The configuration as the text of a ``gxnet.toml`` (unset targets commented out)."""
        lines: list[str] = []
        for section, values in self.to_dict().items():
            lines.append(f"[{section}]")
            for key, value in values.items():
                if value is None:
                    lines.append(f"# {key} =  (not set)")
                else:
                    lines.append(f"{key} = {_toml_value(value)}")
            lines.append("")
        for phase in self.phases:
            name, _, points = phase.partition(":")
            count = points if points.isdigit() else _toml_value(points)
            lines += ["[[phases]]", f"name = {_toml_value(name)}", f"points = {count}", ""]
        return "\n".join(lines)

    def override(self, values: dict[str, Any], *, source: str | Phrase | None = None) -> Config:
        """A copy with ``{"section.key": value}`` replaced; ``None`` values are skipped.

        Raises
        ------
        InputFileError
            When a key is unknown or a value out of range, naming ``source`` and the key.
        """
        sections: dict[str, dict[str, Any]] = {}
        for dotted, value in values.items():
            if value is None:
                continue
            section, _, key = dotted.partition(".")
            sections.setdefault(section, {})[key] = value
        return _apply(self, sections, source or Phrase("where_command_line"))

    def with_options(
        self,
        *,
        points: int | None = None,
        coverage: float | None = None,
        centres: int | None = None,
        walk_minutes: float | None = None,
        service_radius_m: float | None = None,
        rural_minutes: float | None = None,
        rural_service_radius_m: float | None = None,
        truck_minutes: float | None = None,
        solver: str | None = None,
        time_limit_s: float | None = None,
        gap: float | None = None,
        change_penalty: float | None = None,
        township_minimum: bool | None = None,
        county_quota: bool | None = None,
        household_size: float | None = None,
    ) -> Config:
        """A copy with the command line's options applied (``None`` keeps the configured value).

        Minutes become service radii at the configured walking (urban) or riding (rural)
        speed. A number of points replaces a coverage target and the other way round.

        Raises
        ------
        UserInputError
            When both a number of points and a coverage are given, or a radius twice.
        InputFileError
            When a value is out of range (naming the option's setting).
        """
        for a, b, names in (
            (points, coverage, ("--points", "--coverage")),
            (walk_minutes, service_radius_m, ("--walk-minutes", "--service-radius-m")),
            (
                rural_minutes,
                rural_service_radius_m,
                ("--rural-minutes", "--rural-service-radius-m"),
            ),
        ):
            if a is not None and b is not None:
                raise UserInputError(key="err_not_both", first=names[0], second=names[1])
        p = self.points
        if walk_minutes is not None:
            service_radius_m = walk_minutes * 60 * p.speed_mps("urban")
        if rural_minutes is not None:
            rural_service_radius_m = rural_minutes * 60 * p.speed_mps("rural")
        config = self
        if coverage is not None:
            config = dataclasses.replace(
                config, targets=dataclasses.replace(config.targets, points=None)
            )
        return config.override(
            {
                "targets.points": points,
                "targets.coverage": coverage,
                "targets.centres": centres,
                "targets.township_minimum": township_minimum,
                "targets.county_quota": county_quota,
                "points.service_radius_m_urban": service_radius_m,
                "points.service_radius_m_rural": rural_service_radius_m,
                "centres.truck_minutes": truck_minutes,
                "solver.name": solver,
                "solver.time_limit_s": time_limit_s,
                "solver.gap": gap,
                "resolve.change_penalty": change_penalty,
                "demand.household_size": household_size,
            }
        )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _check(section: str, f: dataclasses.Field, value: Any, source: str | Phrase) -> Any:
    """Return ``value`` converted to the field's type, or raise naming the file and key."""
    key = f"{section}.{f.name}"
    default = f.default
    want_int = isinstance(default, int) and not isinstance(default, bool) or "int" in str(f.type)
    want_float = isinstance(default, float) or "float" in str(f.type)
    if value is None:
        if default is None:
            return None
        raise InputFileError(key="cfg_required", path=source, field=key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InputFileError(key="cfg_expected_bool", value=value, path=source, field=key)
        return value
    if isinstance(value, bool):
        raise InputFileError(key="cfg_expected_value", value=value, path=source, field=key)
    if want_int and isinstance(value, int):
        pass
    elif want_float and isinstance(value, (int, float)):
        value = float(value)
    elif want_int and isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(default, str) and isinstance(value, str):
        pass
    else:
        kind = Phrase("cfg_integer" if want_int else "cfg_number" if want_float else "cfg_text")
        raise InputFileError(key="cfg_expected", kind=kind, value=value, path=source, field=key)
    meta = f.metadata
    if isinstance(value, float) and math.isnan(value):
        raise InputFileError(key="cfg_nan", path=source, field=key)
    if meta.get("choices") and value not in meta["choices"]:
        allowed = ", ".join(meta["choices"])
        raise InputFileError(
            key="cfg_not_choice", value=value, choices=allowed, path=source, field=key
        )
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is not None and value < lo or hi is not None and value > hi:
        bounds = (
            Phrase("cfg_between", lo=lo, hi=hi) if hi is not None else Phrase("cfg_at_least", lo=lo)
        )
        raise InputFileError(
            key="cfg_out_of_range", value=value, bounds=bounds, path=source, field=key
        )
    return value


def _phases(value: Any, source: str | Phrase) -> tuple[str, ...]:
    """``[[phases]]`` tables (``name``, ``points``: a count or "standard") as phase texts."""
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise InputFileError(key="cfg_phases", path=source, field="phases")
    texts = []
    for i, table in enumerate(value, start=1):
        extra = sorted(set(table) - {"name", "points"})
        if extra or "name" not in table or "points" not in table:
            raise InputFileError(key="cfg_phase_table", path=source, field=f"phases[{i}]")
        texts.append(f"{table['name']}:{table['points']}")
    return tuple(texts)


def _apply(config: Config, sections: dict[str, Any], source: str | Phrase) -> Config:
    known = {f.name: f for f in dataclasses.fields(Config) if f.name != "phases"}
    replaced: dict[str, Any] = {}
    if "phases" in sections:
        sections = dict(sections)
        replaced["phases"] = _phases(sections.pop("phases"), source)
    for section, values in sections.items():
        if section not in known:
            raise InputFileError(
                key="cfg_unknown_section", known=", ".join(known), path=source, field=section
            )
        if not isinstance(values, dict):
            raise InputFileError(key="cfg_not_table", path=source, field=section)
        current = getattr(config, section)
        fields = {f.name: f for f in _file_fields(current)}
        changes = {}
        for key, value in values.items():
            if key not in fields:
                raise InputFileError(
                    key="cfg_unknown_setting",
                    section=section,
                    known=", ".join(fields),
                    path=source,
                    field=f"{section}.{key}",
                )
            changes[key] = _check(section, fields[key], value, source)
        if section == "targets" and changes.get("points") is not None:
            # A number of points is the target; a coverage from the defaults no longer applies.
            if changes.get("coverage") is not None:
                raise InputFileError(
                    key="err_not_both", first="points", second="coverage", path=source,
                    field="targets",
                )  # fmt: skip
            changes["coverage"] = None
        elif section == "targets" and changes.get("coverage") is not None:
            changes["points"] = None  # and a coverage replaces a number of points
        replaced[section] = dataclasses.replace(current, **changes)
    return dataclasses.replace(config, **replaced)


def load_config(path: str | Path | None = None, *, base: Config | None = None) -> Config:
    """Read the standards of a run.

    Parameters
    ----------
    path
        A TOML file. Without it, ``gxnet.toml`` in the working directory is read when it
        exists, else the defaults are used.
    base
        The configuration the file's settings override (default: the defaults); a re-solve
        starts from the standards of the plan it re-solves.

    Returns
    -------
    Config

    Raises
    ------
    InputFileError
        When the file is missing (an explicit ``path``), is not valid TOML, or has an unknown
        section or key or a value of the wrong type or range; the message names file and key.
    """
    if path is None:
        path = Path(CONFIG_FILE)
        if not path.is_file():
            return base or Config()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputFileError(key="cfg_no_file", path=str(path)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(key="cfg_not_toml", detail=str(exc), path=str(path)) from exc
    return _apply(base or Config(), data, str(path))


#: Defaults for callers that take no Config (the site reader, the demand builder).
DEMAND = DemandStandards()
SITES = SiteStandards()
