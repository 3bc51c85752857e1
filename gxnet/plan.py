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
tools: ``plan.gpkg``, one ``<layer>.geojson`` each, and ``<layer>.csv`` in UTF-8 with a byte-order
mark so that Excel shows Chinese. The folder is replaced as a whole: a failed save leaves the
previous plan intact.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import stat
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet._errors import InputFileError, OutputError
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

    def summary(self) -> str:
        """A few lines a planner reads after a run: what was chosen, coverage, times, solver."""
        m = self.metrics
        lines = [
            f"Plan for {self.provenance.get('area_name', self.slug)}",
            f"  recycling points: {m.get('points', 0):,} at {m.get('point_sites', 0):,} sites "
            f"({m.get('points_existing', 0):,} existing sites kept)",
            f"  sorting centres:  {m.get('centres', 0):,}",
            f"  households covered within the standard: {m.get('households_covered', 0):,.0f} "
            f"of {m.get('households', 0):,.0f} ({100 * m.get('coverage', 0.0):.1f} %)",
            f"  walk/ride to point: mean {_minutes(m.get('walk_mean_s'))}, "
            f"95th percentile {_minutes(m.get('walk_p95_s'))}",
            f"  truck to centre:    mean {_minutes(m.get('truck_mean_s'))}, "
            f"95th percentile {_minutes(m.get('truck_p95_s'))}",
        ]
        if "townships" in m:
            lines.append(
                f"  townships: {m['townships_with_point']:,} of {m['townships']:,} with a point, "
                f"{m['townships_mobile']:,} on mobile collection "
                f"({m['mobile_households']:,.0f} households); counties without a point: "
                f"{m['counties_without_point']:,}"
            )
        for phase in m.get("phases", []):
            lines.append(
                f"  phase {phase['phase']}: {phase['points']:,} point sites "
                f"(+{phase['new_points']:,}), {phase['centres']:,} centres, "
                f"{100 * phase['coverage']:.1f} % of households covered"
            )
        status = m.get("status")
        if status is not None:
            gap = m.get("gap")
            gap_text = "" if gap is None or not math.isfinite(gap) else f", gap {100 * gap:.2f} %"
            lines.append(f"  solver: {m.get('solver', '?')} {status}{gap_text}")
        stages = m.get("stage_seconds") or {}
        if stages:
            times = ", ".join(f"{k} {v:.1f} s" for k, v in stages.items())
            lines.append(f"  time per stage: {times}")
        note = self.provenance.get("note")
        if note:
            lines.append(f"  NOTE: {note}")
        return "\n".join(lines)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the plan into ``folder`` (created or replaced as a whole) and return it.

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
            raise InputFileError(
                "not a saved plan (no plan.json); give a folder written by `gxnet optimize`, "
                "such as plans/wuzhou",
                path=str(folder),
            ) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(f"damaged plan file: {exc}", path=str(doc_path)) from exc
        if document.get("format") != PLAN_FORMAT or document.get("version", 0) > PLAN_VERSION:
            raise InputFileError(
                f"not a gxnet plan of version {PLAN_VERSION} or older", path=str(doc_path)
            )
        layers = {}
        for layer in LAYERS:
            path = folder / f"{layer}.parquet"
            if not path.is_file():
                if layer in OPTIONAL_LAYERS:
                    continue
                raise InputFileError("layer file missing from the plan", path=str(path))
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
        b, a = self.metrics_before, self.metrics_after

        def ids(values: list[str]) -> str:
            shown = ", ".join(values[:10])
            return shown + (f", ... ({len(values)} in all)" if len(values) > 10 else "")

        return "\n".join(
            [
                f"sites opened: {len(self.opened)}"
                + (f" ({ids(self.opened)})" * bool(self.opened)),
                f"sites closed: {len(self.closed)}"
                + (f" ({ids(self.closed)})" * bool(self.closed)),
                f"sites kept:   {len(self.kept)}",
                f"recycling points: {b.get('points', 0)} -> {a.get('points', 0)}",
                f"sorting centres:  {b.get('centres', 0)} -> {a.get('centres', 0)}",
                f"coverage: {100 * b.get('coverage', 0):.1f} % -> "
                f"{100 * a.get('coverage', 0):.1f} %"
                f" ({self.change('households_covered'):+,.0f} households)",
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


def _minutes(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    return f"{seconds / 60:.1f} min"


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
    """The layer as a spreadsheet table: point geometry as lon/lat columns, other shapes dropped."""
    flat = pd.DataFrame(_single_geometry(frame).drop(columns=frame.geometry.name))
    geom = frame.geometry
    if len(frame) and (geom.geom_type == "Point").all():
        flat["lon"] = geom.x.round(6).to_numpy()
        flat["lat"] = geom.y.round(6).to_numpy()
    return flat


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
        raise OutputError(f"cannot write the plan: {probe} is a file, not a folder")
    targets = [probe] + ([folder.parent] if folder.exists() else [])
    for path in targets:
        mode = path.stat().st_mode
        if not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            raise OutputError(
                f"cannot write the plan: {path} is read-only; make it writable or choose "
                "another folder with --out"
            )


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
