"""Plan: the chosen recycling points and sorting centres, who they serve, and what produced them.

A :class:`Plan` is what ``gxnet optimize`` returns and what ``gxnet map``, ``gxnet report`` and
``gxnet resolve`` read back. It holds five GeoDataFrames in WGS-84 and two dicts:

``sites``
    Every candidate and existing site: ``site_id, name, tier ("recycling_point" |
    "sorting_centre"), status ("candidate" | "existing" | "required" | "excluded"), chosen,
    households_served, load, capacity, geometry`` (Point), plus ``source``, ``centre_id`` (the
    centre a point delivers to), ``points`` (recycling points at the site: a grid site may host
    several), ``mean_travel_s`` and ``max_travel_s`` (of the demand or points it serves), and
    the ``county_adcode``, ``township_code`` and ``township_name`` the site stands in.
    ``load`` and ``capacity`` are households for points and tonnes per day for centres.
``demand``
    ``demand_id, households, population, county_adcode, setting ("urban" | "rural"), point_id
    (assigned point or ""), travel_s, covered, geometry`` (Point) and ``cell`` (the cell's
    Polygon, or None for point demand), plus ``township_code``, ``township_name``, ``metres``
    and ``recyclables_kg_day``.
``links``
    ``point_id, centre_id, travel_s, geometry`` (LineString point -> centre).
``counties``
    County boundaries with their census columns (``adcode, name_zh, name_pinyin, ...``); for a
    study area outside Guangxi one row for the area.
``townships``
    One row per township with households, at its seat (Point): ``county_adcode,
    township_code, township_name, households, covered_households, coverage, points,
    point_sites, reach, mobile, reason`` (see :func:`gxnet.assemble.township_layer`); empty
    for demand without townships, and in plans saved before it existed.
``metrics``
    Figures of the plan (see :func:`measure`) plus solver status, gap and seconds per stage.
``provenance``
    Inputs and their SHA-256, standards, solver, status, gap, times, ``cost_mode``
    (``"road"`` or ``"straight_line"``) and a plain note when the embedded default was used.

A saved plan is a folder: ``plan.json`` (metrics, provenance) and one GeoParquet file per layer,
which :meth:`Plan.load` reads back exactly; beside them the same layers for people and other
tools: ``plan.gpkg``, one ``<layer>.geojson`` each, and ``demand.csv`` and ``links.csv`` in
UTF-8 with a byte-order mark so that Excel shows Chinese (the sites and counties go as the
workbook's tables, which :meth:`Plan.save` writes through its ``extras``). The folder is
replaced as a whole: a failed save leaves the previous plan intact.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet._errors import InputFileError, OutputError, not_writable
from gxnet._io import spreadsheet_safe
from gxnet._messages import status_words, text
from gxnet.tiers import SiteStatus, Tier

#: Layers of a plan, in the order they are written.
LAYERS: tuple[str, ...] = ("sites", "demand", "links", "counties", "townships")
#: Layers a plan saved by an older gxnet may lack (read back empty).
OPTIONAL_LAYERS: frozenset[str] = frozenset({"townships"})

#: Columns each layer must have (extra columns are kept).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "sites": (
        "site_id",
        "name",
        "tier",
        "status",
        "chosen",
        "households_served",
        "load",
        "capacity",
    ),
    "demand": (
        "demand_id",
        "households",
        "population",
        "county_adcode",
        "setting",
        "point_id",
        "travel_s",
        "covered",
    ),
    "links": ("point_id", "centre_id", "travel_s"),
    "counties": (),
    "townships": (),
}

#: Written as ``plan.json``'s "format"; a folder without it is not a plan.
PLAN_FORMAT = "gxnet-plan"
PLAN_VERSION = 1


@dataclass(eq=False)
class Plan:
    """A recycling-network plan (see the module docstring for the columns of each layer)."""

    sites: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    counties: gpd.GeoDataFrame
    metrics: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    townships: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        if self.townships is None:
            self.townships = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
        for layer in LAYERS:
            frame = getattr(self, layer)
            missing = [c for c in REQUIRED_COLUMNS[layer] if c not in frame.columns]
            if missing:
                raise ValueError(f"plan layer {layer!r} lacks columns {', '.join(missing)}")

    @property
    def slug(self) -> str:
        """Folder and file name of the plan (``"wuzhou"``, or the study area's file stem)."""
        return str(self.provenance.get("slug", "plan"))

    @property
    def chosen_points(self) -> gpd.GeoDataFrame:
        """The recycling points of the plan (existing ones kept and new ones)."""
        s = self.sites
        return s[s["chosen"] & (s["tier"] == Tier.RECYCLING_POINT)]

    @property
    def chosen_centres(self) -> gpd.GeoDataFrame:
        """The sorting centres of the plan."""
        s = self.sites
        return s[s["chosen"] & (s["tier"] == Tier.SORTING_CENTRE)]

    def summary(self, lang: str = "en") -> str:
        """A few lines a planner reads after a run, in ``lang``: what was chosen, coverage,
        times, and the solver's status in words."""
        m = self.metrics

        def minutes(key: str) -> str:
            seconds = m.get(key)
            if seconds is None or not math.isfinite(seconds):
                return text("not_available", lang)
            return text("minutes_value", lang, value=seconds / 60)

        households = m.get("households", 0) or 0
        lines = [
            text("summary_title", lang, area=self.provenance.get("area_name", self.slug)),
            text(
                "summary_points",
                lang,
                points=m.get("points", 0),
                sites=m.get("point_sites", 0),
                existing=m.get("points_existing", 0),
            ),
            text("summary_centres", lang, centres=m.get("centres", 0)),
            text(
                "summary_coverage",
                lang,
                covered=m.get("households_covered", 0),
                households=households,
                share=100 * m.get("coverage", 0.0),
            ),
            text("summary_access", lang, mean=minutes("walk_mean_s"), p95=minutes("walk_p95_s")),
            text("summary_truck", lang, mean=minutes("truck_mean_s"), p95=minutes("truck_p95_s")),
        ]
        if "townships" in m:
            lines.append(
                text(
                    "summary_townships",
                    lang,
                    with_point=m["townships_with_point"],
                    townships=m["townships"],
                    mobile=m["townships_mobile"],
                    households=m["mobile_households"],
                    counties=m["counties_without_point"],
                )
            )
        if m.get("status") is not None:
            status = status_words(m.get("status"), m.get("gap"), lang)
            lines.append(text("summary_solver", lang, solver=m.get("solver", "?"), status=status))
        stages = m.get("stage_seconds") or {}
        if stages:
            times = ", ".join(
                f"{text(f'stage_{k}', lang)} {text('seconds_value', lang, value=v)}"
                for k, v in stages.items()
            )
            lines.append(text("summary_stages", lang, times=times))
        note = self.provenance.get("note")
        if self.provenance.get("note_key"):
            note = text(self.provenance["note_key"], lang, **self.provenance["note_params"])
        if note:
            lines.append(text("summary_note", lang, note=note))
        return "\n".join(f"  {line}" if i else line for i, line in enumerate(lines))

    def save(
        self,
        folder: str | os.PathLike[str],
        *,
        extras: Callable[[Plan, Path], object] | None = None,
    ) -> Path:
        """Write the plan into ``folder`` (created or replaced as a whole) and return it.

        ``extras(plan, folder)`` writes more files into the folder before it takes the place of
        the old one, so that they are replaced with the plan as one unit (the pipeline writes
        the workbook and its CSV tables so: :func:`gxnet.workbook.write_tables`).

        Raises
        ------
        OutputError
            When the folder or its parent is read-only or not a folder; nothing is changed then.
        """
        folder = Path(folder)
        check_writable(folder)
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.tmp-"))
            # mkdtemp makes the folder private; a plan is shared like any folder the user makes.
            umask = os.umask(0)
            os.umask(umask)
            tmp.chmod(0o777 & ~umask)
        except OSError as exc:
            raise OutputError(
                f"cannot write to {folder.parent}: {exc.strerror}; choose a writable folder "
                "with --out"
            ) from exc
        try:
            self._write(tmp)
            if extras is not None:
                extras(self, tmp)
            _swap_folder(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder

    def _write(self, tmp: Path) -> None:
        document = {
            "format": PLAN_FORMAT,
            "version": PLAN_VERSION,
            "metrics": self.metrics,
            "provenance": self.provenance,
        }
        (tmp / "plan.json").write_text(
            json.dumps(_plain(document), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        gpkg = tmp / "plan.gpkg"
        for layer in LAYERS:
            frame = getattr(self, layer)
            frame.to_parquet(tmp / f"{layer}.parquet")
            # GeoJSON and GeoPackage have no infinity (unlimited capacity): they get null.
            flat = _single_geometry(frame).replace([np.inf, -np.inf], np.nan)
            if len(flat):
                # An empty layer (no centres) has no geometry type GeoPackage could declare.
                flat.to_file(gpkg, layer=layer, driver="GPKG")
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "NaN of Infinity", RuntimeWarning)
                flat.to_file(tmp / f"{layer}.geojson", driver="GeoJSON")
            if layer in ("demand", "links"):
                # Sites and counties go as the workbook's tables (gxnet.workbook.write_tables).
                _table(frame).to_csv(tmp / f"{layer}.csv", index=False, encoding="utf-8-sig")
        if "cell" in self.demand.columns and self.demand["cell"].notna().any():
            cells = gpd.GeoDataFrame(
                self.demand[["demand_id"]], geometry=self.demand["cell"].values, crs="EPSG:4326"
            )
            cells[cells.geometry.notna()].to_file(gpkg, layer="cells", driver="GPKG")

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Plan:
        """Read a plan written by :meth:`save`.

        Raises
        ------
        InputFileError
            When ``folder`` holds no plan (or one of a newer format).
        """
        folder = Path(folder)
        doc_path = folder / "plan.json"
        try:
            document = json.loads(doc_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputFileError(key="err_not_a_plan", path=str(folder)) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(
                key="err_damaged_plan", detail=str(exc), path=str(doc_path)
            ) from exc
        if document.get("format") != PLAN_FORMAT or document.get("version", 0) > PLAN_VERSION:
            raise InputFileError(key="err_plan_version", version=PLAN_VERSION, path=str(doc_path))
        layers = {}
        for layer in LAYERS:
            path = folder / f"{layer}.parquet"
            if not path.is_file():
                if layer in OPTIONAL_LAYERS:
                    continue
                raise InputFileError(key="err_plan_layer", path=str(path))
            layers[layer] = gpd.read_parquet(path)
        return cls(**layers, metrics=document["metrics"], provenance=document["provenance"])

    def diff(self, other: Plan) -> PlanDiff:
        """What changed from this plan to ``other`` (a re-solve): sites opened and closed, coverage.

        Sites are matched by ``site_id``; ``opened`` are chosen in ``other`` but not here.
        """
        before = set(self.sites.loc[self.sites["chosen"], "site_id"])
        after = set(other.sites.loc[other.sites["chosen"], "site_id"])
        return PlanDiff(
            opened=sorted(after - before),
            closed=sorted(before - after),
            kept=sorted(before & after),
            metrics_before=dict(self.metrics),
            metrics_after=dict(other.metrics),
        )


@dataclass(frozen=True)
class PlanDiff:
    """Sites opened, closed and kept between two plans, and how their figures moved."""

    opened: list[str]
    closed: list[str]
    kept: list[str]
    metrics_before: dict[str, Any]
    metrics_after: dict[str, Any]

    def change(self, metric: str) -> float:
        """``after - before`` of one metric (0 where a plan lacks it)."""
        return float(self.metrics_after.get(metric) or 0) - float(
            self.metrics_before.get(metric) or 0
        )

    def __str__(self) -> str:
        return self.describe("en")

    def describe(self, lang: str) -> str:
        """What changed, in ``lang``: sites opened, closed and kept, the counts and coverage."""
        b, a = self.metrics_before, self.metrics_after

        def ids(values: list[str]) -> str:
            shown = ", ".join(values[:10])
            more = f", {text('diff_more', lang, n=len(values))}" if len(values) > 10 else ""
            return f" ({shown}{more})" if values else ""

        return "\n".join(
            [
                text("diff_opened", lang, n=len(self.opened)) + ids(self.opened),
                text("diff_closed", lang, n=len(self.closed)) + ids(self.closed),
                text("diff_kept", lang, n=len(self.kept)),
                text("diff_points", lang, before=b.get("points", 0), after=a.get("points", 0)),
                text("diff_centres", lang, before=b.get("centres", 0), after=a.get("centres", 0)),
                text(
                    "diff_coverage",
                    lang,
                    before=100 * b.get("coverage", 0),
                    after=100 * a.get("coverage", 0),
                    change=self.change("households_covered"),
                ),
            ]
        )


def measure(
    sites: pd.DataFrame, demand: pd.DataFrame, links: pd.DataFrame
) -> dict[str, float | int]:
    """The figures of a plan: points and centres chosen, coverage, travel times.

    Walk (or ride) times are weighted by households over covered demand; truck times are over
    the links of chosen points. Missing figures (no centres) are NaN.
    """
    chosen = sites[sites["chosen"].astype(bool)]
    points = chosen[chosen["tier"] == Tier.RECYCLING_POINT]
    households = float(demand["households"].sum())
    covered = demand[demand["covered"].astype(bool)]
    hh_covered = float(covered["households"].sum())
    n_points = int(points["points"].sum()) if "points" in points.columns else len(points)
    return {
        "points": n_points,
        "point_sites": len(points),
        "points_existing": int((points["status"] == SiteStatus.EXISTING).sum()),
        "centres": int((chosen["tier"] == Tier.SORTING_CENTRE).sum()),
        "households": households,
        "households_covered": hh_covered,
        "coverage": hh_covered / households if households > 0 else 0.0,
        "walk_mean_s": _weighted_mean(covered["travel_s"], covered["households"]),
        "walk_p95_s": weighted_quantile(covered["travel_s"], covered["households"], 0.95),
        "truck_mean_s": _weighted_mean(links["travel_s"], np.ones(len(links))),
        "truck_p95_s": weighted_quantile(links["travel_s"], np.ones(len(links)), 0.95),
    }


def weighted_quantile(values: Any, weights: Any, q: float) -> float:
    """The smallest value at or below which a share ``q`` of the total weight lies (NaN if none)."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = np.isfinite(v) & (w > 0)
    if not keep.any():
        return math.nan
    order = np.argsort(v[keep], kind="stable")
    cum = np.cumsum(w[keep][order])
    return float(v[keep][order][np.searchsorted(cum, q * cum[-1] - 1e-9 * cum[-1])])


def _weighted_mean(values: Any, weights: Any) -> float:
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = np.isfinite(v) & (w > 0)
    return float(np.average(v[keep], weights=w[keep])) if keep.any() else math.nan


def _plain(value: Any) -> Any:
    """JSON-ready values: NumPy scalars to Python, NaN and infinity to None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def _single_geometry(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer with only its active geometry column (GeoJSON and GeoPackage hold one)."""
    extra = [
        c
        for c in frame.columns
        if c != frame.geometry.name and isinstance(frame[c].dtype, gpd.array.GeometryDtype)
    ]
    return frame.drop(columns=extra)


def _table(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The layer as a spreadsheet table: point geometry as lon/lat columns, other shapes
    dropped, seconds as minutes to a tenth, and text safe from formula injection."""
    flat = pd.DataFrame(_single_geometry(frame).drop(columns=frame.geometry.name))
    if "travel_s" in flat.columns:
        minutes = (flat.pop("travel_s").astype(float) / 60.0).round(1)
        flat.insert(len(flat.columns), "travel_min", minutes)
    if "metres" in flat.columns:
        flat["metres"] = flat["metres"].astype(float).round(0)
    geom = frame.geometry
    if len(frame) and (geom.geom_type == "Point").all():
        flat["lon"] = geom.x.round(6).to_numpy()
        flat["lat"] = geom.y.round(6).to_numpy()
    return spreadsheet_safe(flat)


def check_writable(folder: Path) -> None:
    """Refuse a folder (or nearest existing parent) that is read-only or not a folder.

    The mode bits are checked as well as ``os.access``: root may write anywhere, but a folder
    a planner marked read-only is a plan they want kept.
    """
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise not_writable(folder, "err_is_file", probe)
    targets = [probe] + ([folder.parent] if folder.exists() else [])
    for path in targets:
        mode = path.stat().st_mode
        if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise not_writable(folder, "err_read_only", path)


def _swap_folder(new: Path, folder: Path) -> None:
    """Put ``new`` in the place of ``folder``; the old one is removed only after the swap."""
    if not folder.exists():
        os.replace(new, folder)
        return
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    os.replace(folder, old)
    try:
        os.replace(new, folder)
    except OSError:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
