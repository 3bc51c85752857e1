"""The whole region in one run: every city one task on Dask, a region target shared among them.

:func:`plan_region` plans a list of study areas (the 14 cities of Guangxi by default, any
cities or counties in general) as one region:

1. **Without a target** each city is planned as ``gxnet optimize --city X`` would (the
   household standard's points, or the coverage asked), one Dask task per city.
2. **With a region target** (``--points 1000``, or phases with counts) a first round of tasks
   gives each city's coverage curve and floors (:func:`gxnet.allocation.coverage_curve`), the
   client shares each phase's count among the cities (:func:`gxnet.allocation.trim_floors`,
   :func:`gxnet.allocation.allocate`), and a second round plans each city at its share, all
   phases nested (:mod:`gxnet.phases`): the region's total is the target exactly.

Tasks run on a ``dask.distributed`` LocalCluster of this machine (``workers`` processes of one
thread each, every solver held to one thread) or on a cluster started elsewhere
(``scheduler``). A city that fails is reported with its message and the others go on. Each
city's result is kept in ``<region>/cities/<slug>/`` with the key of its inputs (standards,
share, input files' SHA-256, gxnet version): a re-run reuses every city whose key is unchanged.
The region's outputs (:mod:`gxnet.region_plan`) are built from those folders.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import resource
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gxnet import __version__, settings
from gxnet._errors import GxnetError, UnknownRegionError, UserInputError, as_error, brief
from gxnet._messages import Phrase, language, text
from gxnet.allocation import (
    OWED_COLUMNS,
    CoverageCurve,
    allocate,
    coverage_curve,
    refine_counts,
    trim_floors,
)
from gxnet.config import Config
from gxnet.phases import Phase, check_phases
from gxnet.plan import Plan
from gxnet.region_plan import (
    CITIES_FOLDER,
    PART_FILE,
    RegionPlan,
    build_region_plan,
    save_city_part,
)

#: The file, inside a city's folder, with the key and the curve of its last curve task.
CURVE_FILE = "curve.json"
#: Environment of every worker process: one thread for each numeric library, so that two
#: workers on two cores never ask for more threads than there are cores.
WORKER_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}

#: The folder name of Guangxi's plan (``plans/guangxi/``, ``maps/guangxi.html``).
REGION_SLUG = "guangxi"
#: Seconds to wait for a scheduler given by address before the run fails.
SCHEDULER_TIMEOUT_S = 20.0

Progress = Callable[[str], None]


def is_region(name: object) -> bool:
    """Whether ``name`` names the region itself (``guangxi``, ``广西``, ``450000``)."""
    from gxnet.regions import get_region

    if isinstance(name, os.PathLike) or not str(name).strip():
        return False
    try:
        return get_region(str(name)).level == "province"
    except UnknownRegionError:
        return False
    except UserInputError:
        return False


def region_cities() -> list[str]:
    """The slugs of Guangxi's 14 cities, the default study areas of the region."""
    from gxnet.regions import get_city, list_cities

    return [get_city(int(code)).slug for code in list_cities()["adcode"]]


# ---- tasks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityTask:
    """What one Dask task does for one city (a plain, picklable record).

    Attributes
    ----------
    area
        The study area as the planner named it (a city or county slug, name or adcode).
    slug
        The city's folder name in the region.
    kind
        ``"curve"`` (its coverage curve and floors) or ``"plan"`` (its plan at its share).
    config
        The standards and targets (one solver thread).
    phases
        For a plan: the city's phases, with its own counts; None for one solve.
    sites
        The city's site list (an absolute path), or None for the default candidates.
    stop, guess
        For a curve: the most point sites to reach, and the count it is likely to get.
    settings
        :mod:`gxnet.settings` values of the client (absolute folders) for the worker.
    key
        The key of the task's inputs (:func:`task_key`).
    save_to
        For a plan: the city's folder of the region, where the worker saves it (on several
        machines, a folder they share).
    lang
        The language of a failure's message (the console's).
    """

    area: str
    slug: str
    kind: str
    config: Config
    phases: tuple[Phase, ...] | None = None
    sites: str | None = None
    stop: int = 0
    guess: float = 0.0
    settings: dict[str, str] = field(default_factory=dict)
    key: str = ""
    save_to: str = ""
    lang: str = "en"


@dataclass
class TaskResult:
    """What a task sends back: its plan or curve, or the message that stopped it.

    Attributes
    ----------
    ok
        Whether the task finished.
    message, exit_code
        For a failed task, gxnet's one-line message and its exit code (2: the planner's input,
        1: the machine).
    seconds, peak_mb
        Wall time of the task and the peak memory of the worker process so far.
    point_sites
        A plan task's point sites (its plan is saved where the task was told).
    curve, floors, owed
        A curve task's curve, its floors (``floor``, ``town_floor``, ``kept``), and the
        townships its minimum owes a point (:data:`gxnet.allocation.OWED_COLUMNS`).
    """

    slug: str
    kind: str
    key: str
    ok: bool = True
    message: str = ""
    exit_code: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    point_sites: int = 0
    curve: CoverageCurve | None = None
    floors: dict[str, int] | None = None
    owed: pd.DataFrame | None = None
    warnings: list[Warning] = field(default_factory=list)


def run_task(task: CityTask) -> TaskResult:
    """Run one city's task (on a worker). Never raises: a failure comes back as a result."""
    tic = time.perf_counter()
    result = TaskResult(task.slug, task.kind, task.key)
    try:
        for name, value in task.settings.items():
            setattr(settings, name, Path(value))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            if task.kind == "curve":
                _curve_task(task, result)
            else:
                _plan_task(task, result)
        said = (w.message for w in caught if issubclass(w.category, UserWarning))
        # One of each text; a GxnetWarning is kept whole, to be worded in the console's language.
        result.warnings = list({str(m): m for m in said}.values())
    except (GxnetError, OSError, MemoryError, KeyboardInterrupt) as exc:
        error = as_error(exc)
        message = error.localized(task.lang)
        result.ok, result.message, result.exit_code = False, message, error.exit_code
    except Exception as exc:  # a defect: the city's message names it, the others go on
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
        result.ok, result.message, result.exit_code = False, brief(exc) + where, 1
    result.seconds = time.perf_counter() - tic
    result.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _prepare(task: CityTask):
    from gxnet.pipeline import prepare_city

    return prepare_city(task.area, sites=task.sites, config=task.config)


def _curve_task(task: CityTask, result: TaskResult) -> None:
    from gxnet.model_choice import township_needs
    from gxnet.optimize import Problem, TimeBudget

    inputs = _prepare(task)
    config = task.config
    needs = township_needs(inputs.demand, inputs.points, inputs.walk, config)
    town = needs
    if config.targets.county_quota:
        no_quota = dataclasses.replace(
            config, targets=dataclasses.replace(config.targets, county_quota=False)
        )
        town = township_needs(inputs.demand, inputs.points, inputs.walk, no_quota)
    problem = Problem.from_frames(
        inputs.demand, pd.concat([inputs.points, inputs.centres]), inputs.walk, inputs.truck
    )
    start = needs.needed
    curve = coverage_curve(
        problem,
        task.stop,
        minimums=needs.groups,
        refine=refine_counts(start, task.stop, task.guess),
        options=config.solver,
        budget=TimeBudget(config.solver.time_limit_s),
    )
    kept = int(inputs.points["status"].isin(("existing", "required")).sum())
    result.curve = curve
    result.floors = {"floor": curve.start, "town_floor": town.needed, "kept": kept}
    result.owed = town.owed(inputs.points).assign(city=task.slug)[list(OWED_COLUMNS)]


def _plan_task(task: CityTask, result: TaskResult) -> None:
    """Plan the city at its share and save it (with its part of the region) in its folder
    of the region, there on the worker: only its figures travel back."""
    from gxnet.pipeline import plan_city

    inputs = _prepare(task)
    plan = plan_city(inputs, task.config, phases=task.phases, fit=True)
    plan.provenance["region_task"] = {"key": task.key, "slug": task.slug}
    save_city(Path(task.save_to), plan)
    result.point_sites = int(plan.metrics.get("point_sites", 0))


def task_key(task: CityTask) -> str:
    """The SHA-256 of everything a task's result depends on: its kind, area, standards and
    targets (the city's share), phases, input files (site list, OSM cache of the city) and
    the gxnet version."""
    from gxnet.osm.fetch import city_dir
    from gxnet.osm.pbf import file_sha256

    files = {}
    paths = [Path(task.sites)] if task.sites else []
    cache = city_dir(task.slug)
    if cache.is_dir():
        paths += sorted(p for p in cache.rglob("*") if p.is_file())
    for path in paths:
        files[str(path)] = file_sha256(path)
    document = {
        "kind": task.kind,
        "area": task.area,
        "config": task.config.to_dict(),
        "phases": [str(p) for p in task.phases] if task.phases else None,
        "stop": task.stop,
        "guess": round(task.guess, 6),
        "files": files,
        "gxnet": __version__,
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


# ---- the cluster -------------------------------------------------------------------------------


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``dask.distributed`` client: of the cluster at ``scheduler`` (``tcp://host:8786``),
    else of a LocalCluster of ``workers`` processes (default: one per core) with one thread
    each and the single-thread environment :data:`WORKER_ENV`.

    Raises
    ------
    UserInputError
        When ``workers`` is below 1, or both are given.
    GxnetError
        When the scheduler cannot be reached (exit code 1).
    """
    from distributed import Client, LocalCluster

    if workers is not None and scheduler is not None:
        raise UserInputError(key="err_workers_and_scheduler")
    if workers is not None and workers < 1:
        raise UserInputError(key="err_workers", n=workers)
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
        except OSError as exc:
            raise GxnetError(key="err_scheduler", address=scheduler, detail=str(exc)) from exc
        with client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
            env=WORKER_ENV,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_tasks(
    client: Any, tasks: Sequence[CityTask], *, priority: Mapping[str, float], what: str
) -> Iterator[TaskResult]:
    """Submit ``tasks`` (the largest first) and yield their results as they finish, with a
    progress bar on stderr counting the cities. A worker lost with its task (killed, out of
    memory) is that city's failure, not the run's."""
    from distributed import as_completed
    from tqdm import tqdm

    if not tasks:
        return
    futures = {
        client.submit(
            run_task,
            task,
            key=f"gxnet-{task.kind}-{task.slug}-{task.key[:16]}",
            priority=int(priority.get(task.slug, 0)),
            pure=False,
        ): task
        for task in tasks
    }
    desc, unit = text(f"bar_{what}"), text("bar_city")
    with tqdm(total=len(tasks), desc=desc, unit=unit, leave=False, dynamic_ncols=True) as bar:
        for future in as_completed(futures):
            task = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker died: the task's error comes from Dask
                result = TaskResult(task.slug, task.kind, task.key, False, brief(exc), exit_code=1)
            finally:
                future.release()
            bar.update(1)
            yield result


# ---- the region --------------------------------------------------------------------------------


@dataclass
class CityRecord:
    """One city's part in a region run: its share, its status and where its plan is."""

    slug: str
    area: str
    status: str = "pending"  # planned | reused | failed
    message: str = ""
    exit_code: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    share: list[str] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    curve: CoverageCurve | None = None
    floors: dict[str, int] | None = None
    owed: pd.DataFrame | None = None


@dataclass
class RegionRun:
    """What :func:`plan_region` did: per city its record, per counted phase its allocation."""

    name: str
    slug: str
    folder: Path
    cities: dict[str, CityRecord]
    phases: tuple[Phase, ...] | None
    target: int | None
    allocations: list[dict[str, Any]]
    config: Config
    tasks_run: int = 0
    seconds: float = 0.0
    workers: str = ""

    @property
    def failed(self) -> list[CityRecord]:
        return [c for c in self.cities.values() if c.status == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every city was planned; else 1 if a failure was the machine's, 2 if all were
        the planner's input."""
        codes = {c.exit_code for c in self.failed}
        return 0 if not codes else (1 if 1 in codes else 2)


def plan_region(
    areas: Sequence[str] | None = None,
    *,
    name: str = "广西",
    slug: str = REGION_SLUG,
    config: Config | None = None,
    phases: Sequence[Phase] | None = None,
    sites: Mapping[str, str | os.PathLike[str]] | None = None,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    progress: Progress | None = None,
) -> RegionRun:
    """Plan every city of a region, each one task on Dask (see the module docstring).

    Parameters
    ----------
    areas
        The study areas, as ``gxnet optimize --city`` takes them (default: the 14 cities).
    name, slug
        The region's title and folder name.
    config
        Standards and targets: ``targets.points`` is the region's total; without it each city
        follows the household standard (or ``targets.coverage``).
    phases
        Phases with region-wide counts (``2023:1000``), shared among the cities phase by
        phase; ``standard`` is each city's household standard.
    sites
        Site lists by city slug (default: each city's ``data/sites/<slug>.*``, else the
        default candidates).
    out
        Folder of the region's plan folder (default :data:`gxnet.settings.plans_dir`).
    workers, scheduler, client
        Where the tasks run: a LocalCluster of ``workers`` processes (default one per core),
        the cluster at ``scheduler``, or an existing ``client``.
    progress
        Called with the run's progress lines (the bars go to stderr).

    Returns
    -------
    RegionRun
        The cities' records and allocations; the city plans are in ``<folder>/cities/``.
    """
    from gxnet.config import load_config
    from gxnet.study_area import study_area

    say = progress or (lambda line: None)
    tic = time.perf_counter()
    config = config or load_config()
    if config.solver.threads is None:
        config = dataclasses.replace(config, solver=dataclasses.replace(config.solver, threads=1))
    phases = check_phases(phases) if phases else None
    target = config.targets.points
    if phases and target is not None:
        raise UserInputError(key="err_points_and_phases")
    areas = list(areas) if areas else region_cities()
    folder = Path(out if out is not None else settings.plans_dir) / slug
    records: dict[str, CityRecord] = {}
    households: dict[str, float] = {}
    for area in areas:
        place = study_area(area)
        if place.slug in records:
            raise UserInputError(key="err_region_twice", name=place.name, slug=place.slug)
        records[place.slug] = CityRecord(place.slug, str(area))
        households[place.slug] = float(place.region.households if place.region else 0)
    chosen_sites = _site_lists(records, sites)
    shared = {k: str(Path(getattr(settings, k)).resolve()) for k in ("osm_dir", "sites_dir")}
    run = RegionRun(name, slug, folder, records, phases, target, [], config)
    counted = [p for p in phases or () if p.points is not None]
    if target is not None:
        counted = [Phase("", target)]

    def make(kind: str, slug_: str, task_config: Config, **extra) -> CityTask:
        task = CityTask(
            records[slug_].area,
            slug_,
            kind,
            task_config,
            sites=chosen_sites.get(slug_),
            settings=shared,
            lang=language(),
            **extra,
        )
        return dataclasses.replace(task, key=task_key(task))

    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(workers, scheduler))
        workers_said = _describe_workers(client)
        run.workers = str(workers_said)
        say(text("progress_region", name=name, n=len(records), workers=workers_said))
        shares: dict[str, list[Phase]] = {s: [] for s in records}
        if counted:
            curve_config = config
            top = max(p.points for p in counted)
            total_hh = sum(households.values()) or 1.0
            for attempt in range(2):
                tasks = [
                    make(
                        "curve",
                        s,
                        curve_config,
                        stop=top,
                        guess=counted[0].points * households[s] / total_hh,
                    )
                    for s in records
                    if records[s].status != "failed"
                ]
                _run_curves(client, tasks, records, folder, households, run)
                live = {s: r for s, r in records.items() if r.status != "failed"}
                allocations = _allocate_phases(live, counted, say)
                if allocations is not None or attempt:
                    break
                # The county quotas went: the curves are taken again without them.
                curve_config = dataclasses.replace(
                    config, targets=dataclasses.replace(config.targets, county_quota=False)
                )
                config = curve_config
                say(text("progress_quota_curves"))
            run.allocations = allocations or []
            for allocation in run.allocations:
                for s, n in allocation["counts"].items():
                    shares[s].append(Phase(allocation["phase"], int(n)))
        plan_tasks = []
        for s, record in records.items():
            if record.status == "failed":
                continue
            city_config, city_phases = config, None
            if target is not None:
                city_config = dataclasses.replace(
                    config,
                    targets=dataclasses.replace(config.targets, points=shares[s][0].points),
                )
            elif phases:
                counts = iter(shares[s])
                city_phases = tuple(
                    next(counts) if p.points is not None else Phase(p.name, None) for p in phases
                )
            record.share = (
                [str(p) for p in city_phases]
                if city_phases
                else [str(city_config.targets.points)] * (target is not None)
            )
            save_to = str((folder / CITIES_FOLDER / s).resolve())
            plan_tasks.append(make("plan", s, city_config, phases=city_phases, save_to=save_to))
        _run_plans(client, plan_tasks, records, folder, households, run)
    run.seconds = time.perf_counter() - tic
    return run


def _describe_workers(client: Any) -> Phrase:
    info = client.scheduler_info()
    workers = info.get("workers", {})
    threads = sum(int(w.get("nthreads", 1)) for w in workers.values())
    return Phrase("dask_workers", n=len(workers), threads=threads, address=info.get("address", "?"))


def _site_lists(
    records: Mapping[str, CityRecord], sites: Mapping[str, str | os.PathLike[str]] | None
) -> dict[str, str]:
    """Per city, the absolute path of its site list: given, else ``<sites_dir>/<slug>.*``."""
    chosen: dict[str, str] = {}
    sites = dict(sites or {})
    unknown = sorted(set(sites) - set(records))
    if unknown:
        raise UserInputError(
            key="err_region_site_lists", names=", ".join(unknown), cities=", ".join(records)
        )
    for slug in records:
        if slug in sites:
            chosen[slug] = str(Path(sites[slug]).resolve())
        else:
            found = sorted(Path(settings.sites_dir).glob(f"{slug}.*"))
            if found:
                chosen[slug] = str(found[0].resolve())
    return chosen


def _run_curves(
    client: Any,
    tasks: Sequence[CityTask],
    records: dict[str, CityRecord],
    folder: Path,
    households: Mapping[str, float],
    run: RegionRun,
) -> None:
    """The curve round: cached curves whose key matches are reused, the rest computed."""
    todo = []
    for task in tasks:
        cached = _cached_curve(folder / CITIES_FOLDER / task.slug, task.key)
        if cached is None:
            todo.append(task)
        else:
            record = records[task.slug]
            record.curve, record.floors, record.owed = cached
    run.tasks_run += len(todo)
    for result in run_tasks(client, todo, priority=households, what="curves"):
        record = records[result.slug]
        if not result.ok:
            _fail(record, result)
            continue
        record.curve, record.floors, record.owed = result.curve, result.floors, result.owed
        _save_curve(folder / CITIES_FOLDER / result.slug, result)


def _run_plans(
    client: Any,
    tasks: Sequence[CityTask],
    records: dict[str, CityRecord],
    folder: Path,
    households: Mapping[str, float],
    run: RegionRun,
) -> None:
    """The plan round: a city whose saved plan has the task's key is reused; every other
    city's plan is saved in ``cities/<slug>/`` as it arrives."""
    todo = []
    for task in tasks:
        city = folder / CITIES_FOLDER / task.slug
        if _plan_key(city) == task.key and (city / PART_FILE).is_file():
            records[task.slug].status = "reused"
        else:
            todo.append(task)
    run.tasks_run += len(todo)
    for result in run_tasks(client, todo, priority=households, what="cities"):
        record = records[result.slug]
        record.seconds, record.peak_mb = result.seconds, result.peak_mb
        record.warnings = result.warnings
        if not result.ok:
            _fail(record, result)
            continue
        record.status = "planned"


def save_city(city: Path, plan: Plan) -> None:
    """Save a city's plan in its folder of the region (replaced as a whole, keeping the curve
    cached there) with its part of the region (:func:`gxnet.region_plan.save_city_part`)."""
    from gxnet._io import write_bytes_atomic

    curve = city / CURVE_FILE
    kept = curve.read_bytes() if curve.is_file() else None
    plan.save(city)
    if kept is not None:
        write_bytes_atomic(city / CURVE_FILE, kept)
    save_city_part(city, plan)


def _fail(record: CityRecord, result: TaskResult) -> None:
    record.status, record.message, record.exit_code = "failed", result.message, result.exit_code
    record.seconds, record.peak_mb = result.seconds, result.peak_mb


def _plan_key(city: Path) -> str | None:
    """The task key a saved city plan was made with (None: no plan, or a damaged one)."""
    try:
        document = json.loads((city / "plan.json").read_text(encoding="utf-8"))
        return document["provenance"]["region_task"]["key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _cached_curve(city: Path, key: str):
    try:
        document = json.loads((city / CURVE_FILE).read_text(encoding="utf-8"))
        if document.get("key") != key:
            return None
        owed = pd.DataFrame(document["owed"], columns=list(OWED_COLUMNS))
        return CoverageCurve.from_dict(document["curve"]), document["floors"], owed
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_curve(city: Path, result: TaskResult) -> None:
    from gxnet._io import write_text_atomic

    document = {
        "key": result.key,
        "curve": result.curve.to_dict(),
        "floors": result.floors,
        "owed": json.loads(result.owed.to_json(orient="records", force_ascii=False)),
    }
    write_text_atomic(city / CURVE_FILE, json.dumps(document, ensure_ascii=False))


def _allocate_phases(
    records: Mapping[str, CityRecord], counted: Sequence[Phase], say: Progress
) -> list[dict[str, Any]] | None:
    """Share each counted phase's points among the cities (floors trimmed where they do not
    fit); None when the county quotas had to go (the curves must be taken again)."""
    allocations = []
    previous: dict[str, int] = {}
    curves = {s: r.curve for s, r in records.items()}
    owed = pd.concat(
        [r.owed for r in records.values()] or [pd.DataFrame(columns=list(OWED_COLUMNS))],
        ignore_index=True,
    )
    for phase in counted:
        floors = trim_floors(
            {s: r.floors["floor"] for s, r in records.items()},
            {s: r.floors["town_floor"] for s, r in records.items()},
            {s: r.floors["kept"] for s, r in records.items()},
            owed,
            phase.points,
            at_least=previous,
        )
        if floors.quota_dropped and any(
            r.floors["floor"] != r.floors["town_floor"] for r in records.values()
        ):
            return None  # the curves were taken with the quotas
        if floors.dropped.empty and sum(floors.floors.values()) <= phase.points:
            lifted = {s: max(floors.floors[s], curves[s].start) for s in curves}
            allocation = allocate(curves, phase.points, lifted)
            counts = allocation.counts
            figures = {
                "exact": allocation.exact,
                "majorant_gap": allocation.majorant_gap,
                "covered": allocation.covered,
                "bound": allocation.bound,
                "not_concave": list(allocation.not_concave),
            }
        else:
            counts = floors.floors
            figures = {"exact": None, "covered": None, "bound": None, "not_concave": []}
        dropped = (
            Phrase("progress_floors_dropped", n=len(floors.dropped)) if len(floors.dropped) else ""
        )
        shared = {"points": phase.points, "n": len(counts), "dropped": dropped}
        if phase.name:
            say(text("progress_shared", label=phase.name, **shared))
        else:
            say(text("progress_target_shared", **shared))
        allocations.append(
            {
                "phase": phase.name,
                "points": phase.points,
                "counts": counts,
                "floors": floors.floors,
                "quota_dropped": floors.quota_dropped,
                "dropped_townships": json.loads(
                    floors.dropped.to_json(orient="records", force_ascii=False)
                ),
            }
            | figures
        )
        previous = counts
    return allocations


def save_region(
    run: RegionRun,
    *,
    maps_dir: str | os.PathLike[str] | None = None,
    basemap: str = "osm",
    lang: str = "zh",
) -> tuple[RegionPlan, Path]:
    """The region's outputs from its cities' folders: the region plan in ``run.folder``
    (:class:`gxnet.region_plan.RegionPlan`), its report (``report.md``, ``report.html``) and
    its map ``<maps_dir>/<slug>.html``; returns the plan and the map's path."""
    from gxnet.region_outputs import save_region_map

    records = [
        {
            "city": r.slug,
            "area": r.area,
            "status": r.status,
            "message": r.message,
            "share": " ".join(r.share),
            "seconds": round(r.seconds, 2),
            "peak_mb": round(r.peak_mb, 1),
        }
        for r in run.cities.values()
    ]
    provenance = {
        "allocations": run.allocations,
        "phases": [str(p) for p in run.phases] if run.phases else [],
        "target": run.target,
        "standards": run.config.to_dict(),
        "workers": run.workers,
        "seconds": round(run.seconds, 1),
        "tasks_run": run.tasks_run,
    }
    html = Path(maps_dir if maps_dir is not None else settings.maps_dir) / f"{run.slug}.html"
    # Where the map is, for `gxnet map` and `gxnet resolve` of the region to redraw it there.
    provenance["map"] = os.path.relpath(html.resolve(), run.folder.resolve())
    region = build_region_plan(
        run.folder, records, name=run.name, slug=run.slug, provenance=provenance
    )
    region.save(run.folder)
    _write_documents(region, run.folder, lang)
    return region, save_region_map(region, html, basemap=basemap, lang=lang)


def _write_documents(region: RegionPlan, folder: Path, lang: str) -> None:
    """The region's workbook (``region.xlsx``) and report (``report.md``, ``report.html``)."""
    from gxnet.region_outputs import write_region_report, write_region_workbook

    write_region_workbook(region, folder / "region.xlsx", lang=lang)
    for suffix in ("md", "html"):
        write_region_report(region, folder / f"report.{suffix}", lang=lang)


def region_map_path(folder: str | os.PathLike[str], region: RegionPlan) -> Path:
    """The region's map as its run recorded it (else ``<maps_dir>/<slug>.html``)."""
    recorded = region.provenance.get("map")
    if recorded:
        return (Path(folder) / recorded).resolve()
    return Path(settings.maps_dir) / f"{region.slug}.html"


def resolve_city(
    folder: str | os.PathLike[str],
    city: str,
    sites: str | os.PathLike[str],
    *,
    crs: str | None = None,
    pbf: str | os.PathLike[str] | None = None,
    skip_bad_rows: bool = False,
    config_file: str | os.PathLike[str] | None = None,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    maps_dir: str | os.PathLike[str] | None = None,
    basemap: str = "osm",
    lang: str = "zh",
) -> tuple[Plan, Plan, RegionPlan, RegionPlan, Path]:
    """Re-plan one city of a saved region with a new site list, against its share (its
    points, phases and floors as the region gave them), and update the region's totals, map
    and report from the cities' folders without re-running the others.

    The re-solve is :func:`gxnet.pipeline.resolve_plan` (``config_file`` and ``options`` as
    for ``gxnet resolve``). The city's plan then no longer matches its configured inputs: a
    later region run plans it again from them (put the new list in ``data/sites/<slug>.*``
    to keep it).

    Returns
    -------
    tuple
        The city's old and new plans, the region before and after, and the map's path.

    Raises
    ------
    UserInputError
        When ``city`` is not a city of the region, or its plan failed in the region's run.
    """
    from gxnet.pipeline import resolve_config, resolve_plan
    from gxnet.region_outputs import save_region_map
    from gxnet.study_area import study_area

    folder = Path(folder)
    before = RegionPlan.load(folder)
    slugs = before.cities["city"].tolist()
    slug = city if city in slugs else study_area(city).slug
    if slug not in slugs:
        raise UserInputError(
            key="err_not_region_city", city=city, path=str(folder), cities=", ".join(slugs)
        )
    row = before.cities.set_index("city").loc[slug]
    if row["status"] == "failed":
        raise UserInputError(
            key="err_region_city_failed", city=slug, message=row["message"], region=before.slug
        )
    old = Plan.load(folder / CITIES_FOLDER / slug)
    config = resolve_config(old, config_file, **dict(options or {}))
    new = resolve_plan(
        old, sites, config=config, crs=crs, pbf=pbf, skip_bad_rows=skip_bad_rows,
        progress=progress,
    )  # fmt: skip
    new.provenance["region_task"] = {"key": None, "slug": slug, "resolved_with": str(sites)}
    save_city(folder / CITIES_FOLDER / slug, new)
    records = before.cities[
        ["city", "area", "status", "message", "share", "seconds", "peak_mb"]
    ].to_dict(orient="records")
    for record in records:
        if record["city"] == slug:
            record["status"] = "resolved"
    after = build_region_plan(
        folder, records, name=before.name, slug=before.slug, provenance=before.provenance
    )
    after.save(folder)
    _write_documents(after, folder, lang)
    html = (
        Path(maps_dir) / f"{after.slug}.html"
        if maps_dir is not None
        else region_map_path(folder, before)
    )
    return old, new, before, after, save_region_map(after, html, basemap=basemap, lang=lang)
