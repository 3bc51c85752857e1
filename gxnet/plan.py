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
``changes``, ``county_changes``
    A re-solve's diff against the plan it replaced (None otherwise): one row per site chosen
    in either plan with its change (``opened``, ``closed``, ``moved``, ``kept``) and reason,
    and the households covered per county before and after (see :class:`PlanDiff`). Saved as
    ``changes.parquet``/``diff.csv`` and ``county_changes.parquet``/``diff_counties.csv``.

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet._errors import InputFileError, OutputError, not_writable
from gxnet._messages import (
    LANGUAGES,
    Phrase,
    reason_column,
    reasons,
    status_words,
    text,
    worded,
)
from gxnet._safe import printable_lines, spreadsheet_table
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

#: Layers only a re-solve has: its changes per site and per county (see :class:`Plan`).
CHANGE_LAYERS: tuple[str, ...] = ("changes", "county_changes")

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
    changes: gpd.GeoDataFrame | None = None
    county_changes: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if self.townships is None:
            self.townships = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
        for layer in LAYERS:
            frame = getattr(self, layer)
            missing = [c for c in REQUIRED_COLUMNS[layer] if c not in frame.columns]
            if missing:
                raise ValueError(Phrase("plan_columns", layer=layer, columns=", ".join(missing)))

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
        times, townships, and the solver's status in words."""
        m = self.metrics

        def minutes(key: str) -> str:
            seconds = m.get(key)
            if seconds is None or not math.isfinite(seconds):
                return text("not_available", lang)
            return text("minutes_value", lang, value=seconds / 60)

        lines = [
            text("summary_title", lang, area=self.provenance.get("area_name", self.slug)),
            text(
                "summary_points",
                lang,
                points=m.get("points", 0),
                sites=m.get("point_sites", 0),
                existing=m.get("points_existing", 0),
            ),
            text("summary_centres", lang, centres=m.get("centres", 0))
            + "".join(
                text("summary_tier", lang, n=m[key], tier=text(f"tier_{tier}", lang))
                for key, tier in (
                    ("markets", Tier.COLLECTION_MARKET),
                    ("bases", Tier.PROCESSING_BASE),
                )
                if m.get(key)
            ),
            text(
                "summary_coverage",
                lang,
                covered=m.get("households_covered", 0),
                households=m.get("households", 0) or 0,
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
        lines += [phase_line(phase, lang) for phase in m.get("phases", [])]
        if m.get("status") is not None:
            status = status_words(m, lang)
            lines.append(text("summary_solver", lang, solver=m.get("solver", "?"), status=status))
        stages = m.get("stage_seconds") or {}
        if stages:
            times = text("list_comma", lang).join(
                f"{text(f'stage_{k}', lang)} {text('seconds_value', lang, value=v)}"
                for k, v in stages.items()
            )
            lines.append(text("summary_stages", lang, times=times))
        note = self.provenance.get("note")
        if self.provenance.get("note_key"):
            note = text(self.provenance["note_key"], lang, **self.provenance["note_params"])
        if note:
            lines.append(text("summary_note", lang, note=note))
        return printable_lines(f"  {line}" if i else line for i, line in enumerate(lines))

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
                key="err_not_writable",
                path=str(folder.parent),
                reason=exc.strerror,
                reason_en=exc.strerror,
            ) from exc
        try:
            self.write_files(tmp)
            _swap_folder(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder

    def write_files(self, folder: Path, *, map_path: str | None = None) -> None:
        """Write the plan's files into ``folder``, an empty folder (no swap: :meth:`save` and
        :class:`gxnet.outputs.OutputUnit` put it in place).

        ``map_path`` is recorded in ``plan.json`` as where the plan's map is (relative to the
        folder), for ``gxnet map`` to redraw it there.
        """
        document = {
            "format": PLAN_FORMAT,
            "version": PLAN_VERSION,
            "metrics": self.metrics,
            "provenance": self.provenance,
        }
        if map_path is not None:
            document["map"] = map_path
        (folder / "plan.json").write_text(
            json.dumps(_plain(document), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        gpkg = folder / "plan.gpkg"
        for layer in LAYERS:
            frame = getattr(self, layer)
            frame.to_parquet(folder / f"{layer}.parquet")
            # GeoJSON and GeoPackage have no infinity (unlimited capacity): they get null.
            flat = _single_geometry(frame).replace([np.inf, -np.inf], np.nan)
            if len(flat):
                # An empty layer (no centres) has no geometry type GeoPackage could declare.
                flat.to_file(gpkg, layer=layer, driver="GPKG")
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "NaN of Infinity", RuntimeWarning)
                flat.to_file(folder / f"{layer}.geojson", driver="GeoJSON")
            if layer in ("demand", "links"):
                # The sites, counties and townships go as the workbook's tables
                # (gxnet.workbook.write_tables, in the plan's language).
                _write_csv(_table(frame), folder / f"{layer}.csv")
        if "cell" in self.demand.columns and self.demand["cell"].notna().any():
            cells = gpd.GeoDataFrame(
                self.demand[["demand_id"]], geometry=self.demand["cell"].values, crs="EPSG:4326"
            )
            cells[cells.geometry.notna()].to_file(gpkg, layer="cells", driver="GPKG")
        if self.changes is not None:
            self.changes.to_parquet(folder / "changes.parquet")
        if self.county_changes is not None:
            self.county_changes.to_parquet(folder / "county_changes.parquet")
            _write_csv(self.county_changes, folder / "diff_counties.csv")

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Plan:
        """Read a plan written by :meth:`save`.

        Raises
        ------
        InputFileError
            When ``folder`` holds no plan, a damaged one (``plan.json`` not JSON or not a plan's,
            a layer file missing or unreadable) or one of a newer format; the message names the
            file and says what to do.
        """
        folder = Path(folder)
        doc_path = folder / "plan.json"
        again = Phrase("plan_again")
        try:
            document = json.loads(doc_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputFileError(key="err_not_a_plan", path=str(folder)) from exc
        except IsADirectoryError as exc:
            raise InputFileError(key="err_plan_not_file", again=again, path=str(doc_path)) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(
                key="err_plan_not_json",
                detail=str(exc).splitlines()[0],
                again=again,
                path=str(doc_path),
            ) from exc
        if not isinstance(document, dict) or document.get("format") != PLAN_FORMAT:
            raise InputFileError(key="err_plan_not_gxnet", again=again, path=str(doc_path))
        version = document.get("version")
        if not isinstance(version, int) or version > PLAN_VERSION:
            raise InputFileError(
                key="err_plan_newer",
                version=version,
                supported=PLAN_VERSION,
                again=again,
                path=str(doc_path),
            )
        if not isinstance(document.get("metrics"), dict) or not isinstance(
            document.get("provenance"), dict
        ):
            raise InputFileError(key="err_plan_incomplete", again=again, path=str(doc_path))
        layers = {
            name: _read_layer(folder / f"{name}.parquet", again)
            for name in LAYERS
            if name not in OPTIONAL_LAYERS or (folder / f"{name}.parquet").exists()
        }
        changes = {
            name: _read_layer(folder / f"{name}.parquet", again, geo=name != "county_changes")
            for name in CHANGE_LAYERS
            if (folder / f"{name}.parquet").exists()
        }
        try:
            return cls(
                **layers, **changes, metrics=document["metrics"], provenance=document["provenance"]
            )
        except ValueError as exc:
            detail = exc.args[0] if exc.args and isinstance(exc.args[0], Phrase) else str(exc)
            raise InputFileError(
                key="err_plan_damaged", detail=detail, again=again, path=str(folder)
            ) from exc

    def diff(
        self,
        other: Plan,
        *,
        reasons: Mapping[str, str] | None = None,
        moved_within_m: float = 2500.0,
    ) -> PlanDiff:
        """What changed from this plan to ``other`` (a re-solve), site by site and per county.

        Sites are matched by ``site_id``. A site chosen here and not in ``other`` is closed; a
        closed site with an opened site of the same tier within ``moved_within_m`` metres
        (the nearest such pair first, each site in one pair at most) has moved there.

        Parameters
        ----------
        other
            The plan after the change.
        reasons
            Why a site closed (site id -> words, e.g. "withdrawn: not in the new list"); a
            closed site without one closed because ``other`` did better without it.
        moved_within_m
            How far a replacement may stand from the site it replaces.

        Returns
        -------
        PlanDiff
        """
        return PlanDiff.between(self, other, reasons or {}, moved_within_m)


#: Kinds of change of a site between two plans, in the order a diff lists them.
CHANGES: tuple[str, ...] = ("opened", "closed", "moved", "kept")

#: Columns of :attr:`PlanDiff.sites` (and of a plan's ``changes`` layer and ``diff.csv``).
CHANGE_COLUMNS: tuple[str, ...] = (
    "change",
    "site_id",
    "name",
    "tier",
    "status",
    "reason",
    "reason_zh",
    "moved_from",
    "moved_m",
    "households_before",
    "households_after",
    "from_lon",
    "from_lat",
)


@dataclass(frozen=True)
class PlanDiff:
    """Sites opened, closed, moved and kept between two plans, and households per county.

    Attributes
    ----------
    sites
        One row per site chosen in either plan (columns :data:`CHANGE_COLUMNS`, geometry the
        site's Point: for a move, the new site, with the old one at ``from_lon, from_lat``
        and its id in ``moved_from``).
    counties
        Per county: ``county_adcode, name_zh, name_pinyin, households,
        covered_before, covered_after, covered_change`` (households within the standard).
    metrics_before, metrics_after
        The two plans' figures.
    """

    sites: gpd.GeoDataFrame
    counties: pd.DataFrame
    metrics_before: dict[str, Any]
    metrics_after: dict[str, Any]

    @classmethod
    def between(
        cls, before: Plan, after: Plan, reasons: Mapping[str, str], moved_within_m: float
    ) -> PlanDiff:
        """The diff of two plans (see :meth:`Plan.diff`)."""
        old = before.sites[before.sites["chosen"].astype(bool)].set_index("site_id")
        new = after.sites[after.sites["chosen"].astype(bool)].set_index("site_id")
        kept = new.index.intersection(old.index)
        opened = new.index.difference(old.index)
        closed = old.index.difference(new.index)
        pairs = _moves(old.loc[closed], new.loc[opened], moved_within_m)
        moved_to = dict(zip(pairs["from"], pairs["to"], strict=True))
        moved_from = dict(zip(pairs["to"], pairs["from"], strict=True))
        metres = dict(zip(pairs["to"], pairs["metres"], strict=True))

        def rows(frame: pd.DataFrame, ids: pd.Index, change: str) -> pd.DataFrame:
            ids = ids.sort_values()
            part = frame.loc[ids]
            return pd.DataFrame(
                {
                    "change": change,
                    "site_id": ids.astype(str),
                    "name": part["name"].astype(str).to_numpy(),
                    "tier": part["tier"].astype(str).to_numpy(),
                    "status": part["status"].astype(str).to_numpy(),
                    "geometry": part.geometry.to_numpy(),
                }
            )

        table = pd.concat(
            [
                rows(new, opened[~opened.isin(list(moved_from))], "opened"),
                rows(old, closed[~closed.isin(list(moved_to))], "closed"),
                rows(new, pd.Index(list(moved_from), dtype=object), "moved"),
                rows(new, kept, "kept"),
            ],
            ignore_index=True,
        )
        ids = table["site_id"]
        table["moved_from"] = ids.map(moved_from).astype(object).fillna("")
        table["moved_m"] = ids.map(metres).round(0)
        source = table["moved_from"].where(table["change"] == "moved", ids)
        said = source.map(dict(reasons)).astype(object)
        closing = table["change"].isin(["closed", "moved"]) & said.isna()
        said[closing] = Phrase("reason_better_without")
        for lang in LANGUAGES:
            table[reason_column(lang)] = worded(said, lang)
        table["households_before"] = source.map(old["households_served"]).round(0)
        table["households_after"] = (
            ids.where(table["change"] != "closed").map(new["households_served"]).round(0)
        )
        where = old.geometry.reindex(table["moved_from"].where(table["change"] == "moved"))
        table["from_lon"] = np.round(where.x.to_numpy(), 6)
        table["from_lat"] = np.round(where.y.to_numpy(), 6)
        sites = gpd.GeoDataFrame(
            table[list(CHANGE_COLUMNS) + ["geometry"]], geometry="geometry", crs="EPSG:4326"
        )
        return cls(sites, _county_changes(before, after), dict(before.metrics), dict(after.metrics))

    @classmethod
    def of(cls, plan: Plan) -> PlanDiff:
        """The diff a re-solved plan keeps (its ``changes`` and ``county_changes``, and the
        figures of the plan it replaced, recorded in ``provenance["resolved_from"]``)."""
        if plan.changes is None or plan.county_changes is None:
            raise ValueError("the plan is not a re-solve: it has no changes")
        before = (plan.provenance.get("resolved_from") or {}).get("metrics") or {}
        return cls(plan.changes, plan.county_changes, dict(before), dict(plan.metrics))

    def ids(self, change: str) -> list[str]:
        """The site ids of one kind of change (``opened``, ``closed``, ``moved``, ``kept``)."""
        return self.sites.loc[self.sites["change"] == change, "site_id"].tolist()

    @property
    def opened(self) -> list[str]:
        """Sites chosen after and not before (moves not included)."""
        return self.ids("opened")

    @property
    def closed(self) -> list[str]:
        """Sites chosen before and not after (moves not included)."""
        return self.ids("closed")

    @property
    def kept(self) -> list[str]:
        """Sites chosen in both plans."""
        return self.ids("kept")

    def change(self, metric: str) -> float:
        """``after - before`` of one metric (0 where a plan lacks it)."""
        return float(self.metrics_after.get(metric) or 0) - float(
            self.metrics_before.get(metric) or 0
        )

    def __str__(self) -> str:
        return self.describe("en")

    def describe(self, lang: str) -> str:
        """What changed, in ``lang``: sites opened, closed (with the reason) and moved, the
        counts, coverage, and households covered per county that changed."""
        b, a = self.metrics_before, self.metrics_after
        s = self.sites

        def each(rows: pd.DataFrame, describe) -> list[str]:
            """One line per site (the first twenty), so that every reason can be read."""
            items = [f"  {describe(r)}" for r in rows.head(20).itertuples()]
            more = [f"  {text('diff_more', lang, n=len(rows))}"] if len(rows) > 20 else []
            return items + more

        opened = s[s["change"] == "opened"]
        closed = s[s["change"] == "closed"]
        moved = s[s["change"] == "moved"]
        shown = ", ".join(opened["site_id"].head(20)) + (", ..." if len(opened) > 20 else "")
        lines = [text("diff_opened", lang, n=len(opened)) + (f" ({shown})" if len(opened) else "")]
        lines += [text("diff_closed", lang, n=len(closed))]
        why = reasons(s, lang)
        lines += each(closed, lambda r: f"{r.site_id}: {why[r.Index]}")
        lines += [text("diff_moved", lang, n=len(moved))]
        lines += each(
            moved, lambda r: f"{r.moved_from} -> {r.site_id} ({r.moved_m:,.0f} m): {why[r.Index]}"
        )
        lines += [
            text("diff_kept", lang, n=int((s["change"] == "kept").sum())),
            text("diff_points", lang, before=b.get("points", 0), after=a.get("points", 0)),
            text("diff_centres", lang, before=b.get("centres", 0), after=a.get("centres", 0)),
            text(
                "diff_coverage",
                lang,
                before=100 * (b.get("coverage") or 0),
                after=100 * (a.get("coverage") or 0),
                change=self.change("households_covered"),
            ),
        ]
        moving = self.counties[self.counties["covered_change"].round(0) != 0]
        lines += [
            "  "
            + text(
                "diff_county",
                lang,
                county=(r.name_zh if lang == "zh" else r.name_pinyin) or r.county_adcode,
                change=r.covered_change,
            )
            for r in moving.itertuples(index=False)
        ]
        return printable_lines(lines)


def _moves(closed: gpd.GeoDataFrame, opened: gpd.GeoDataFrame, within_m: float) -> pd.DataFrame:
    """Pairs (closed site, opened site of the same tier) within ``within_m`` metres, nearest
    first, each site in one pair at most."""
    found = []
    if len(closed) and len(opened):
        points = pd.concat([closed.geometry, opened.geometry])
        metric = points.to_crs(points.estimate_utm_crs())
        a, b = metric.iloc[: len(closed)], metric.iloc[len(closed) :]
        gap = np.hypot(
            a.x.to_numpy()[:, None] - b.x.to_numpy()[None, :],
            a.y.to_numpy()[:, None] - b.y.to_numpy()[None, :],
        )
        same = closed["tier"].to_numpy()[:, None] == opened["tier"].to_numpy()[None, :]
        gap = np.where(same & (gap <= within_m), gap, np.inf)
        order = np.argsort(gap, axis=None, kind="stable")
        used_a, used_b = set(), set()
        for flat in order[np.isfinite(gap.ravel()[order])]:
            i, j = divmod(int(flat), gap.shape[1])
            if i not in used_a and j not in used_b:
                used_a.add(i)
                used_b.add(j)
                found.append((closed.index[i], opened.index[j], float(gap[i, j])))
    return pd.DataFrame(found, columns=["from", "to", "metres"])


def _county_changes(before: Plan, after: Plan) -> pd.DataFrame:
    """Households covered within the standard per county, before and after."""

    def covered(plan: Plan) -> pd.Series:
        d = plan.demand
        return (
            d["households"]
            .where(d["covered"].astype(bool), 0.0)
            .groupby(d["county_adcode"].fillna(0).astype(int))
            .sum()
        )

    households = after.demand.groupby(after.demand["county_adcode"].fillna(0).astype(int))[
        "households"
    ].sum()
    table = pd.DataFrame(
        {
            "households": households,
            "covered_before": covered(before),
            "covered_after": covered(after),
        }
    ).fillna(0.0)
    table["covered_change"] = table["covered_after"] - table["covered_before"]
    table.index = table.index.rename("county_adcode")
    counties = after.counties
    names = (
        counties.set_index(counties["adcode"].astype(int))[["name_zh", "name_pinyin"]]
        if counties is not None and len(counties) and "name_zh" in counties
        else pd.DataFrame(columns=["name_zh", "name_pinyin"], dtype=str)
    )
    table = table.join(names).reset_index()
    table[["name_zh", "name_pinyin"]] = table[["name_zh", "name_pinyin"]].fillna("")
    return table[
        ["county_adcode", "name_zh", "name_pinyin", "households", "covered_before",
         "covered_after", "covered_change"]
    ].round(0)  # fmt: skip


def phase_line(phase: dict[str, Any], lang: str = "en") -> str:
    """One summary line on a phase's figures (:func:`gxnet.phases.phase_figures`)."""
    return text(
        "summary_phase",
        lang,
        name=phase["phase"],
        points=phase["points"],
        new=phase["new_points"],
        centres=phase["centres"],
        share=100 * phase["coverage"],
    )


def measure(
    sites: pd.DataFrame, demand: pd.DataFrame, links: pd.DataFrame
) -> dict[str, float | int]:
    """The figures of a plan: points and centres chosen, coverage, travel times.

    Walk (or ride) times are weighted by households over covered demand; truck times are over
    the links of chosen points (to their market or centre). Missing figures (no centres) are
    NaN.
    """
    chosen = sites[sites["chosen"].astype(bool)]
    first_leg = links[
        links["point_id"].isin(chosen.loc[chosen["tier"] == Tier.RECYCLING_POINT, "site_id"])
    ]
    points = chosen[chosen["tier"] == Tier.RECYCLING_POINT]
    households = float(demand["households"].sum())
    covered = demand[demand["covered"].astype(bool)]
    hh_covered = float(covered["households"].sum())
    n_points = int(points["points"].sum()) if "points" in points.columns else len(points)
    return {
        "points": n_points,
        "point_sites": len(points),
        "points_existing": int((points["status"] == SiteStatus.EXISTING).sum()),
        "markets": int((chosen["tier"] == Tier.COLLECTION_MARKET).sum()),
        "centres": int((chosen["tier"] == Tier.SORTING_CENTRE).sum()),
        "bases": int((chosen["tier"] == Tier.PROCESSING_BASE).sum()),
        "households": households,
        "households_covered": hh_covered,
        "coverage": hh_covered / households if households > 0 else 0.0,
        "walk_mean_s": _weighted_mean(covered["travel_s"], covered["households"]),
        "walk_p95_s": weighted_quantile(covered["travel_s"], covered["households"], 0.95),
        "truck_mean_s": _weighted_mean(first_leg["travel_s"], np.ones(len(first_leg))),
        "truck_p95_s": weighted_quantile(first_leg["travel_s"], np.ones(len(first_leg)), 0.95),
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
    dropped, seconds as minutes."""
    flat = pd.DataFrame(_single_geometry(frame).drop(columns=frame.geometry.name))
    # A spreadsheet has no infinity: an unlimited capacity is an empty cell.
    flat = flat.replace([np.inf, -np.inf], np.nan)
    # Minutes to a tenth and whole metres, as a planner reads them (no float noise).
    if "travel_s" in flat.columns:
        minutes = (flat.pop("travel_s").astype(float) / 60.0).round(1)
        flat.insert(len(flat.columns), "travel_min", minutes)
    if "metres" in flat.columns:
        flat["metres"] = flat["metres"].astype(float).round(0)
    geom = frame.geometry
    if len(frame) and (geom.geom_type == "Point").all():
        flat["lon"] = geom.x.round(6).to_numpy()
        flat["lat"] = geom.y.round(6).to_numpy()
    return flat


def _read_layer(path: Path, again: Phrase, *, geo: bool = True) -> pd.DataFrame:
    """One (Geo)Parquet layer of a plan folder, or an error naming it."""
    if not path.is_file():
        raise InputFileError(key="err_layer_missing", again=again, path=str(path))
    try:
        return gpd.read_parquet(path) if geo else pd.read_parquet(path)
    except Exception as exc:  # pyarrow and geopandas raise many types for a damaged file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFileError(
            key="err_layer_damaged", detail=reason, again=again, path=str(path)
        ) from exc


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    """A table as CSV for Excel: UTF-8 with a byte-order mark, formula-like text defused."""
    spreadsheet_table(table).to_csv(path, index=False, encoding="utf-8-sig")


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
