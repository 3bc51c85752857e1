"""A region's plan: every city's plan together, with the region's figures per city, county
and phase, as ``plans/<region>/`` holds it.

:func:`build_region_plan` reads the city plans a region run left in ``<folder>/cities/<slug>/``
and puts their layers together (each row with its ``city``); :meth:`RegionPlan.save` writes

- ``region.json``: the region's figures, per phase, the allocation of its target (curves'
  concavity, the majorant gap, the bound), the townships the target could not give a point,
  each city's share and status, and what produced them;
- ``<layer>.parquet`` (GeoParquet) for ``sites, demand, links, counties, townships`` and one
  ``region.gpkg`` with the same layers (demand as points: the cells stay in the city folders);
- ``cities.csv``, ``counties.csv``, ``townships.csv``: the tables a planner opens in Excel.

:meth:`RegionPlan.load` reads it back for ``gxnet map``, ``gxnet report`` and ``gxnet resolve``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gxnet import __version__
from gxnet._errors import InputFileError, brief
from gxnet._io import atomic_path, write_text_atomic
from gxnet._messages import Phrase, messages, text
from gxnet._safe import printable_lines, spreadsheet_table
from gxnet.plan import Plan, _plain, phase_line
from gxnet.report import county_table
from gxnet.tiers import Tier

#: Written as ``region.json``'s "format"; a folder without it is not a region's plan.
REGION_FORMAT = "gxnet-region"
REGION_VERSION = 1
REGION_FILE = "region.json"
CITIES_FOLDER = "cities"


@dataclass(eq=False)
class RegionPlan:
    """The plans of a region's cities together (see the module docstring).

    Attributes
    ----------
    name, slug
        The region's title and folder name.
    cities
        One row per city: ``city`` (slug), ``name_zh``, ``status`` (planned, reused, failed),
        ``message``, ``share``, ``households``, ``households_covered``, ``coverage``,
        ``point_sites``, ``points`` (the standard points they host), ``centres``,
        ``townships``, ``townships_mobile``, ``mobile_households``, ``counties_without_point``,
        ``seconds``, ``peak_mb``, and per phase ``points_<phase>`` and ``coverage_<phase>``.
    counties
        One row per county of the planned cities with :func:`gxnet.report.county_table`'s
        figures, its ``city``, point sites, townships on mobile collection and per phase
        ``points_<phase>``; county boundaries as geometry.
    layers
        ``sites, demand, links, townships``: the cities' layers together, each with ``city``.
    metrics
        The region's totals and ``phases`` (per phase: point sites, new, centres, coverage).
    provenance
        The run: allocations, phases, target, standards, workers, times, gxnet version.
    """

    name: str
    slug: str
    cities: pd.DataFrame
    counties: gpd.GeoDataFrame
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def phases(self) -> list[str]:
        """The names of the phases, in order (empty without phases)."""
        return [p["phase"] for p in self.metrics.get("phases", [])]

    def city_plan(self, folder: str | os.PathLike[str], city: str) -> Plan:
        """The plan of one city of the region (``<folder>/cities/<city>/``)."""
        return Plan.load(Path(folder) / CITIES_FOLDER / city)

    def summary(self, lang: str = "en") -> str:
        """The lines a planner reads after a region run, in ``lang``."""
        m = self.metrics
        failed = self.cities[self.cities["status"] == "failed"]
        lines = [
            text(
                "summary_region",
                lang,
                area=self.name,
                planned=len(self.cities) - len(failed),
                cities=len(self.cities),
            ),
            text(
                "summary_region_points",
                lang,
                sites=m.get("point_sites", 0),
                points=m.get("points", 0),
            ),
            text("summary_centres", lang, centres=m.get("centres", 0)),
            text(
                "summary_coverage",
                lang,
                covered=m.get("households_covered", 0),
                households=m.get("households", 0),
                share=100 * m.get("coverage", 0.0),
            ),
            text(
                "summary_townships",
                lang,
                with_point=m.get("townships", 0) - m.get("townships_mobile", 0),
                townships=m.get("townships", 0),
                mobile=m.get("townships_mobile", 0),
                households=m.get("mobile_households", 0),
                counties=m.get("counties_without_point", 0),
            ),
        ]
        lines += [phase_line(phase, lang) for phase in m.get("phases", [])]
        lines += [
            allocation_sentence(a, messages(lang)) for a in self.provenance.get("allocations", [])
        ]
        lines += [
            text("summary_failed", lang, city=row.city, message=row.message)
            for row in failed.itertuples()
        ]
        return printable_lines(f"  {line}" if i else line for i, line in enumerate(lines))

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the region's files into ``folder`` (each atomically; ``cities/`` untouched)."""
        folder = Path(folder)
        document = {
            "format": REGION_FORMAT,
            "version": REGION_VERSION,
            "name": self.name,
            "slug": self.slug,
            "metrics": self.metrics,
            "provenance": self.provenance,
            "cities": json.loads(self.cities.to_json(orient="records", force_ascii=False)),
        }
        write_text_atomic(
            folder / REGION_FILE, json.dumps(_plain(document), ensure_ascii=False, indent=2)
        )
        frames = dict(self.layers) | {"counties": self.counties}
        with atomic_path(folder / "region.gpkg") as gpkg:
            for layer, frame in frames.items():
                with atomic_path(folder / f"{layer}.parquet") as path:
                    frame.to_parquet(path)
                flat = frame.replace([np.inf, -np.inf], np.nan)
                if len(flat):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        flat.to_file(gpkg, layer=layer, driver="GPKG", use_arrow=True)
        for name, table in (
            ("cities", self.cities),
            ("counties", pd.DataFrame(self.counties.drop(columns="geometry"))),
            ("townships", pd.DataFrame(self.layers["townships"].drop(columns="geometry"))),
        ):
            with atomic_path(folder / f"{name}.csv") as path:
                spreadsheet_table(table).to_csv(path, index=False, encoding="utf-8-sig")
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> RegionPlan:
        """Read a region's plan written by :meth:`save`.

        Raises
        ------
        InputFileError
            When ``folder`` holds no region plan, or a damaged one.
        """
        folder = Path(folder)
        path = folder / REGION_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputFileError(key="err_not_a_region_plan", path=str(folder)) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            again = Phrase("region_again", slug="guangxi")
            raise InputFileError(
                key="err_plan_not_json", detail=str(exc), again=again, path=str(path)
            ) from exc
        if not isinstance(document, dict) or document.get("format") != REGION_FORMAT:
            again = Phrase("region_again", slug="guangxi")
            raise InputFileError(key="err_plan_not_gxnet", again=again, path=str(path))
        layers = {}
        for layer in ("sites", "demand", "links", "townships", "counties"):
            try:
                layers[layer] = gpd.read_parquet(folder / f"{layer}.parquet")
            except (OSError, ValueError) as exc:
                raise InputFileError(
                    key="err_layer_damaged",
                    detail=brief(exc),
                    again=Phrase("region_again", slug=document.get("slug", "guangxi")),
                    path=str(folder / f"{layer}.parquet"),
                ) from exc
        counties = layers.pop("counties")
        return cls(
            document["name"],
            document["slug"],
            pd.DataFrame(document["cities"]),
            counties,
            layers,
            document.get("metrics", {}),
            document.get("provenance", {}),
        )


def is_region_folder(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` holds a region's plan (``region.json``)."""
    return (Path(folder) / REGION_FILE).is_file()


def allocation_sentence(allocation: dict[str, Any], text: dict[str, str] | None = None) -> str:
    """One line on how a phase's count was shared among the cities (English by default)."""
    text = text or messages("en")
    name = allocation.get("phase")
    label = text["allocation_phase"].format(name=name) if name else text["allocation_target"]
    parts = [text["allocation_head"].format(label=label, n=allocation["points"])]
    dropped = allocation.get("dropped_townships") or []
    if dropped:
        parts.append(text["allocation_floors"].format(n=len(dropped)))
    elif allocation.get("exact"):
        parts.append(text["allocation_exact"])
    else:
        parts.append(
            text["allocation_majorant"].format(
                names=", ".join(allocation.get("not_concave", [])),
                gap=float(allocation.get("majorant_gap") or 0),
            )
        )
    if allocation.get("bound"):
        parts.append(text["allocation_bound"].format(bound=float(allocation["bound"])))
    if allocation.get("quota_dropped"):
        parts.append(text["allocation_quota"])
    return text["list_separator"].join(parts)


def summary_rows(region: RegionPlan, text: dict[str, str]) -> list[tuple[str, str]]:
    """(label, value) pairs of the region's totals, in the reader's language."""
    m = region.metrics
    return [
        (text["point_sites"], f"{m.get('point_sites', 0):,}"),
        (text["standard_points"], f"{m.get('points', 0):,}"),
        (text["layer_centres"], f"{m.get('centres', 0):,}"),
        (text["households"], f"{m.get('households', 0):,.0f}"),
        (text["covered_households"], f"{m.get('households_covered', 0):,.0f}"),
        (text["coverage"], f"{100 * m.get('coverage', 0):.1f}%"),
        (
            text["mobile_townships"],
            text["mobile_count"].format(
                n=int(m.get("townships_mobile", 0)), hh=float(m.get("mobile_households", 0))
            ),
        ),
    ]


#: The layers of a city's part of its region (:func:`save_city_part`).
PART_LAYERS: tuple[str, ...] = ("sites", "demand", "links", "townships", "counties")
PART_FILE = "region_part.json"


def save_city_part(city: str | os.PathLike[str], plan: Plan) -> None:
    """Write, beside a city's plan in its folder of a region, what the region's plan takes
    from it: its chosen sites, its demand as points, links, townships, its counties with their
    figures (``part-<layer>.parquet``) and its figures (``region_part.json``). Made where the
    city is planned (on its Dask worker), so that the region's plan only puts them together."""
    city = Path(city)
    phases = [f["phase"] for f in plan.metrics.get("phases", [])]
    sites = plan.sites[plan.sites["chosen"].astype(bool)]
    frames = {
        "sites": sites,
        "demand": plan.demand.drop(columns=["cell"], errors="ignore"),
        "links": plan.links,
        "townships": plan.townships,
        "counties": _county_figures(plan, phases),
    }
    for layer, frame in frames.items():
        with atomic_path(city / f"part-{layer}.parquet") as path:
            frame.to_parquet(path)
    from gxnet.report import leg_cost_modes

    document = {
        "figures": _city_figures(plan),
        "phases": plan.metrics.get("phases", []),
        "walk_mode": leg_cost_modes(plan)["walk"],
        "provenance": {k: plan.provenance[k] for k in ("cost_mode", "network_meta") if k in
                       plan.provenance},
    }  # fmt: skip
    write_text_atomic(city / PART_FILE, json.dumps(_plain(document), ensure_ascii=False))


def _load_part(city: Path) -> tuple[dict[str, Any], dict[str, gpd.GeoDataFrame]]:
    try:
        document = json.loads((city / PART_FILE).read_text(encoding="utf-8"))
        frames = {layer: gpd.read_parquet(city / f"part-{layer}.parquet") for layer in PART_LAYERS}
    except (OSError, ValueError) as exc:
        raise InputFileError(
            key="err_region_part_damaged", detail=brief(exc), path=str(city)
        ) from exc
    return document, frames


def build_region_plan(
    folder: str | os.PathLike[str],
    records: list[dict[str, Any]],
    *,
    name: str,
    slug: str,
    provenance: dict[str, Any],
) -> RegionPlan:
    """The region's plan from its cities' parts in ``<folder>/cities/`` (:func:`save_city_part`).

    Parameters
    ----------
    folder
        The region's plan folder.
    records
        One dict per city: ``city`` (slug), ``status``, ``message``, ``share``, ``seconds``,
        ``peak_mb``; a failed city has no plan and counts in no total.
    name, slug
        The region's title and folder name.
    provenance
        What the run records (allocations, phases, target, standards, workers).
    """
    folder = Path(folder)
    rows, parts, layers = [], {}, {k: [] for k in PART_LAYERS}
    for record in records:
        if record["status"] == "failed":
            rows.append(record)
            continue
        city = record["city"]
        document, frames = _load_part(folder / CITIES_FOLDER / city)
        parts[city] = document
        rows.append(record | document["figures"])
        for layer, frame in frames.items():
            layers[layer].append(frame.assign(city=city))
    merged = {
        layer: gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
        if frames
        else gpd.GeoDataFrame({"city": []}, geometry=[], crs="EPSG:4326")
        for layer, frames in layers.items()
    }
    counties = merged.pop("counties")
    cities = pd.DataFrame(rows)
    metrics = _region_figures(cities, parts)
    # How travel was measured: a city on straight lines sets the warning the region shows.
    straight = [p for p in parts.values() if p["walk_mode"] == "straight_line"]
    for part in (straight or list(parts.values()))[:1]:
        provenance = provenance | part["provenance"]
    provenance = provenance | {
        "gxnet_version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return RegionPlan(name, slug, cities, counties, merged, metrics, provenance)


def _city_figures(plan: Plan) -> dict[str, Any]:
    m = plan.metrics
    figures = {
        "name_zh": plan.provenance.get("area_name", ""),
        "households": m.get("households", 0.0),
        "households_covered": m.get("households_covered", 0.0),
        "coverage": m.get("coverage", 0.0),
        "point_sites": m.get("point_sites", 0),
        "points": m.get("points", 0),
        "centres": m.get("centres", 0),
        "townships": m.get("townships", 0),
        "townships_mobile": m.get("townships_mobile", 0),
        "mobile_households": m.get("mobile_households", 0.0),
        "counties_without_point": m.get("counties_without_point", 0),
        "solver_status": m.get("status", ""),
        "gap": m.get("gap"),
    }
    for phase in m.get("phases", []):
        figures[f"points_{phase['phase']}"] = phase["points"]
        figures[f"coverage_{phase['phase']}"] = phase["coverage"]
    return figures


def _county_figures(plan: Plan, phases: list[str]) -> gpd.GeoDataFrame:
    """:func:`gxnet.report.county_table` with point sites, mobile townships, phases and the
    county boundary."""
    table = county_table(plan)
    sites = plan.sites[plan.sites["chosen"] & (plan.sites["tier"] == Tier.RECYCLING_POINT)]
    county = sites["county_adcode"].fillna(0).astype(int)
    table["point_sites"] = table["county_adcode"].map(county.value_counts()).fillna(0).astype(int)
    towns = plan.townships
    if towns is not None and len(towns):
        mobile = towns[towns["mobile"].astype(bool)]
        table["townships"] = table["county_adcode"].map(towns["county_adcode"].value_counts())
        table["townships_mobile"] = table["county_adcode"].map(
            mobile["county_adcode"].value_counts()
        )
        table["mobile_households"] = table["county_adcode"].map(
            mobile.groupby("county_adcode")["households"].sum()
        )
    for column in ("townships", "townships_mobile", "mobile_households"):
        table[column] = table.get(column, pd.Series(0, index=table.index)).fillna(0)
    for name in phases:
        opened = county[
            sites["phase"]
            .map({p: i for i, p in enumerate(phases)})
            .le(phases.index(name))
            .to_numpy()
        ]
        table[f"points_{name}"] = table["county_adcode"].map(opened.value_counts()).fillna(0)
    shapes = plan.counties.set_index(plan.counties["adcode"].astype(int)).geometry
    return gpd.GeoDataFrame(
        table, geometry=shapes.reindex(table["county_adcode"]).to_numpy(), crs="EPSG:4326"
    )


def _region_figures(cities: pd.DataFrame, parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    planned = cities[cities["status"] != "failed"]

    def total(column: str) -> float:
        return float(planned[column].sum()) if column in planned and len(planned) else 0.0

    households, covered = total("households"), total("households_covered")
    metrics: dict[str, Any] = {
        "cities": len(cities),
        "cities_planned": len(planned),
        "cities_failed": int((cities["status"] == "failed").sum()),
        "households": households,
        "households_covered": covered,
        "coverage": covered / households if households > 0 else 0.0,
        "point_sites": int(total("point_sites")),
        "points": int(total("points")),
        "centres": int(total("centres")),
        "townships": int(total("townships")),
        "townships_mobile": int(total("townships_mobile")),
        "mobile_households": total("mobile_households"),
        "counties_without_point": int(total("counties_without_point")),
    }
    per_city = [part["phases"] for part in parts.values() if part["phases"]]
    figures = []
    for i, rows in enumerate(zip(*per_city, strict=True)):
        hh = sum(f["households_covered"] for f in rows)
        figures.append(
            {
                "phase": rows[0]["phase"],
                "points": sum(f["points"] for f in rows),
                "new_points": sum(f["new_points"] for f in rows),
                "centres": sum(f["centres"] for f in rows),
                "households_covered": hh,
                "coverage": hh / households if households > 0 else 0.0,
                "order": i,
            }
        )
    if figures:
        metrics["phases"] = figures
    return metrics
