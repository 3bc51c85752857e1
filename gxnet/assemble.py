"""Plan assembly: a solved model's sites turned into the layers and figures of a Plan.

:func:`assemble_plan` assigns each demand unit its point (the model's, else the nearest open
one within the standard), counts the households, loads and travel times of every site, draws
each point's link to its sorting centre, adds the counties with their census and the
townships with their points or their mobile collection (:func:`township_layer`), and records
the figures and provenance the map, the report and ``gxnet resolve`` read back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gxnet import __version__
from gxnet._errors import InfeasibleProblemError, SolverError
from gxnet._messages import status_phrase
from gxnet.config import Config
from gxnet.plan import Plan, measure
from gxnet.study_area import StudyArea, guangxi_counties
from gxnet.tiers import LINK_COLUMNS, TIERS, Tier
from gxnet.townships import list_townships


def assemble_plan(
    area: StudyArea,
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    walk: pd.DataFrame,
    truck: pd.DataFrame | Mapping[Tier, pd.DataFrame],
    solution: Any,
    config: Config,
    *,
    townships: pd.DataFrame | None = None,
) -> Plan:
    """The Plan of a solved model: who is served by which point, loads, links, figures.

    ``truck`` is the pairs into each tier above the points (tier -> the columns of
    :data:`gxnet.tiers.LINK_COLUMNS` and ``travel_s``), or the pairs into the centres alone.
    ``townships`` is the table of :func:`gxnet.model_choice.township_needs` (the townships
    with households and whether a fixed point pays there); without it the plan has no
    township layer.

    Raises
    ------
    SolverError
        When a chosen site is loaded over its capacity (a model's answer never is: every one
        is checked; this is the last guard before a planner reads the plan).
    """
    if not solution.has_solution:
        raise InfeasibleProblemError(key="err_no_solution", status=status_phrase(solution.status))
    open_ids = {i for ids in solution.open_sites.values() for i in ids}
    demand_out = _assign_demand(demand, walk, open_ids, solution)
    p = config.points
    served = demand_out[demand_out["point_id"] != ""]
    by_point = served.groupby("point_id")
    urban = served["households"].where(served["setting"] == "urban", 0.0)
    hh_urban = urban.groupby(served["point_id"]).sum()
    hh_rural = (served["households"] - urban).groupby(served["point_id"]).sum()
    kg = (
        served["recyclables_kg_day"]
        if "recyclables_kg_day" in served
        else pd.Series(0.0, index=served.index)
    )
    kg_by_point = kg.groupby(served["point_id"]).sum()

    out = sites.copy()
    ids = out["site_id"]
    out["chosen"] = ids.isin(open_ids).to_numpy()
    out["households_served"] = ids.map(by_point["households"].sum()).fillna(0.0).to_numpy()
    split = solution.assignments.get(Tier.RECYCLING_POINT)
    if split is not None and len(split) and (split["share"] < 1).any():
        # A capacitated model may split a unit between points: count each point's share.
        weight = split["origin_id"].map(demand.set_index("demand_id")["households"])
        shares = (split["share"] * weight).groupby(split["site_id"]).sum()
        out["households_served"] = ids.map(shares).fillna(0.0).to_numpy()
    needed = np.ceil(
        ids.map(hh_urban).fillna(0.0) / p.households_per_point_urban
        + ids.map(hh_rural).fillna(0.0) / p.households_per_point_rural
    )
    capacity_given = np.isfinite(out["capacity"].astype(float))
    out["points"] = np.where(
        out["chosen"] & (out["tier"] == Tier.RECYCLING_POINT),
        np.where(capacity_given, 1, np.maximum(needed, 1)),
        0,
    ).astype(np.int64)
    weighted = (served["travel_s"] * served["households"]).groupby(served["point_id"]).sum()
    out["mean_travel_s"] = (ids.map(weighted) / ids.map(by_point["households"].sum())).to_numpy(
        dtype=float
    )
    out["max_travel_s"] = ids.map(by_point["travel_s"].max()).to_numpy(dtype=float)

    tier_pairs = truck if isinstance(truck, Mapping) else {Tier.SORTING_CENTRE: truck}
    links = _links(out, tier_pairs, solution)
    up = links.set_index("point_id")
    out["centre_id"] = ids.map(up["centre_id"]).fillna("").to_numpy()
    # Loads go up the tiers: a point's households and tonnes, then each site above the sum of
    # the sites that deliver to it.
    out["load_t_day"] = ids.map(kg_by_point).fillna(0.0).to_numpy() / 1000.0
    for tier in TIERS[1:]:
        into = links[links["tier"] == tier]
        if into.empty:
            continue
        lower = out.set_index("site_id")
        rows = (out["tier"] == tier).to_numpy()
        for column in ("households_served", "load_t_day"):
            sums = (
                lower[column].reindex(into["point_id"]).groupby(into["centre_id"].to_numpy()).sum()
            )
            out.loc[rows, column] = ids[rows].map(sums).fillna(0.0).to_numpy()
        travel = into.groupby("centre_id")["travel_s"]
        out.loc[rows, "mean_travel_s"] = ids[rows].map(travel.mean()).to_numpy()
        out.loc[rows, "max_travel_s"] = ids[rows].map(travel.max()).to_numpy()
    is_point = out["tier"] == Tier.RECYCLING_POINT
    out["load"] = np.where(is_point, out["households_served"], out["load_t_day"])
    _check_loads(out)
    for column, default in (("name", ""), ("source", "file"), ("address", "")):
        if column not in out.columns:
            out[column] = default
        out[column] = out[column].fillna(default).astype(str)

    if "township_code" not in out.columns:
        from gxnet.candidates import with_townships

        out = with_townships(gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326"))
    counties = _counties(area, demand_out)
    towns = township_layer(townships, out, demand_out) if townships is not None else None
    metrics = (
        measure(out, demand_out, links)
        | township_figures(towns, counties, out)
        | solution.quality()
        | {
            "solver": solution.solver,
            "model": solution.model,
            "build_s": solution.build_time_s,
            "solve_s": solution.solve_time_s,
        }
    )
    provenance = {
        "slug": area.slug,
        "area_name": area.name,
        "area": area.source,
        "region": area.name,
        "standards": config.to_dict(),
        "detour_factor": config.costs.detour_factor,
        "solver": solution.solver,
        "solver_settings": dataclasses.asdict(config.solver),
        "status": solution.status,
        "gap": solution.gap,
        "gxnet_version": __version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if "townships" in getattr(demand, "attrs", {}):
        provenance["demand_townships"] = demand.attrs["townships"]
    return Plan(
        gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326"),
        demand_out,
        links,
        counties,
        metrics,
        provenance,
        towns,
    )


def township_layer(
    needs: pd.DataFrame, sites: pd.DataFrame, demand: pd.DataFrame
) -> gpd.GeoDataFrame:
    """One row per township with households: its points, coverage, and mobile collection.

    Parameters
    ----------
    needs
        :attr:`gxnet.model_choice.TownshipNeeds.table`.
    sites
        The plan's sites (``chosen``, ``tier``, ``points``, ``township_code``).
    demand
        The plan's demand (``township_code``, ``households``, ``covered``).

    Returns
    -------
    GeoDataFrame
        At each township's seat: ``county_adcode, township_code, township_name, households,
        covered_households, coverage, points`` (recycling points at the chosen sites standing
        in it), ``point_sites``, ``reach`` (its households within the standard of its best
        candidate site), ``mobile`` (no chosen point stands in it: served by mobile collection,
        流动回收) and ``reason`` (for a mobile township, one of
        :data:`gxnet.model_choice.MOBILE_REASONS`).
    """
    chosen = sites[sites["chosen"].astype(bool) & (sites["tier"] == Tier.RECYCLING_POINT)]
    per_site = chosen["points"] if "points" in chosen.columns else pd.Series(1, chosen.index)
    points = per_site.groupby(chosen["township_code"]).sum()
    point_sites = chosen.groupby("township_code").size()
    covered = demand["households"].where(demand["covered"].astype(bool), 0.0)
    covered_by_town = covered.groupby(demand["township_code"]).sum()
    table = needs[["county_adcode", "township_code", "township_name", "households"]].copy()
    code = table["township_code"]
    table["covered_households"] = code.map(covered_by_town).fillna(0.0).to_numpy()
    table["coverage"] = table["covered_households"] / table["households"]
    table["points"] = code.map(points).fillna(0).astype(np.int64).to_numpy()
    table["point_sites"] = code.map(point_sites).fillna(0).astype(np.int64).to_numpy()
    table["reach"] = needs["reach"].to_numpy()
    table["mobile"] = (table["point_sites"] == 0).to_numpy()
    table["reason"] = np.where(
        table["mobile"], np.where(needs["reason"] != "", needs["reason"], "not_chosen"), ""
    ).astype(object)
    seats = list_townships().set_index("township_code").geometry
    return gpd.GeoDataFrame(
        table.reset_index(drop=True),
        geometry=seats.reindex(code).to_numpy(),
        crs="EPSG:4326",
    )


def township_figures(
    towns: gpd.GeoDataFrame | None, counties: gpd.GeoDataFrame, sites: pd.DataFrame
) -> dict[str, float | int]:
    """Township figures of a plan: townships with households, with a point, on mobile
    collection (and their households), and counties with households but no point."""
    chosen = sites[sites["chosen"].astype(bool) & (sites["tier"] == Tier.RECYCLING_POINT)]
    served_counties = set(chosen["county_adcode"].astype(int))
    counties_with_households = set(counties.loc[counties["households"] > 0, "adcode"].astype(int))
    figures: dict[str, float | int] = {
        "counties_without_point": len(counties_with_households - served_counties),
    }
    if towns is None or towns.empty:
        return figures
    mobile = towns[towns["mobile"]]
    return figures | {
        "townships": len(towns),
        "townships_with_point": int((~towns["mobile"]).sum()),
        "townships_mobile": len(mobile),
        "mobile_households": float(mobile["households"].sum()),
    }


def _assign_demand(
    demand: gpd.GeoDataFrame, walk: pd.DataFrame, open_ids: set, solution: Any
) -> gpd.GeoDataFrame:
    """Each demand unit's point: the model's (largest share) where it assigned, else the nearest
    open point within the standard; none when no open point is within it (not covered)."""
    pairs = walk[walk["site_id"].isin(open_ids)]
    assigned = solution.assignments.get(Tier.RECYCLING_POINT)
    if assigned is not None and len(assigned):
        share = assigned.rename(columns={"origin_id": "demand_id"})[
            ["demand_id", "site_id", "share"]
        ]
        pairs = pairs.merge(share, on=["demand_id", "site_id"], how="inner")
        pairs = pairs.sort_values(["demand_id", "share"], ascending=[True, False])
    else:
        pairs = pairs.sort_values(["demand_id", "travel_s"])
    best = pairs.drop_duplicates("demand_id").set_index("demand_id")
    out = demand.copy()
    ids = out["demand_id"]
    out["point_id"] = ids.map(best["site_id"]).fillna("").astype(str).to_numpy()
    out["travel_s"] = ids.map(best["travel_s"]).to_numpy(dtype=float)
    out["metres"] = ids.map(best["metres"]).to_numpy(dtype=float)
    out["covered"] = (out["point_id"] != "").to_numpy()
    return out


def _links(
    sites: gpd.GeoDataFrame, tier_pairs: Mapping[Tier, pd.DataFrame], solution: Any
) -> gpd.GeoDataFrame:
    """Each chosen site's link to its site in the tier above (the model's, else the nearest
    open one), as a line: ``point_id`` (the site below: a point, market or centre),
    ``centre_id`` (the site above), ``travel_s`` and ``tier`` (the tier above)."""
    chosen = sites[sites["chosen"]]
    present = set(chosen["tier"])
    frames = []
    for tier, table in tier_pairs.items():
        below = Tier(tier).below(present)
        if tier not in present or below is None or table is None or table.empty:
            continue
        lower_col, upper_col = LINK_COLUMNS[Tier(tier)]
        pairs = table.rename(columns={lower_col: "point_id", upper_col: "centre_id"})
        pairs = pairs[
            pairs["point_id"].isin(chosen.loc[chosen["tier"] == below, "site_id"])
            & pairs["centre_id"].isin(chosen.loc[chosen["tier"] == tier, "site_id"])
        ]
        assigned = solution.assignments.get(tier)
        if assigned is not None and len(assigned):
            by_model = assigned.rename(columns={"origin_id": "point_id", "site_id": "centre_id"})
            pairs = pairs.merge(
                by_model[["point_id", "centre_id", "share"]], on=["point_id", "centre_id"]
            )
            pairs = pairs.sort_values(["point_id", "share"], ascending=[True, False])
        else:
            pairs = pairs.sort_values(["point_id", "travel_s"])
        best = pairs.drop_duplicates("point_id")[["point_id", "centre_id", "travel_s"]]
        frames.append(best.assign(tier=str(tier)))
    columns = ["point_id", "centre_id", "travel_s", "tier"]
    best = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    where = sites.set_index("site_id").geometry
    a, b = where.reindex(best["point_id"]), where.reindex(best["centre_id"])
    coords = np.stack([np.column_stack([a.x, a.y]), np.column_stack([b.x, b.y])], axis=1).reshape(
        -1, 2, 2
    )  # (n, 2 vertices, 2)
    lines = shapely.linestrings(coords) if len(best) else []
    return gpd.GeoDataFrame(best.reset_index(drop=True), geometry=lines, crs="EPSG:4326")


def _check_loads(sites: pd.DataFrame) -> None:
    """The last guard: no chosen site loaded over its capacity."""
    load = sites["load"].to_numpy(dtype=float)
    capacity = sites["capacity"].to_numpy(dtype=float)
    over = sites["chosen"].to_numpy(dtype=bool) & (load > capacity * (1 + 1e-6) + 1e-9)
    if over.any():
        named = ", ".join(
            f"{i} ({a:,.2f} > {c:,.2f})"
            for i, a, c in zip(sites["site_id"][over], load[over], capacity[over], strict=True)
        )
        raise SolverError(f"sites loaded over their capacity: {named}; the plan is not written")


def _counties(area: StudyArea, demand: pd.DataFrame) -> gpd.GeoDataFrame:
    """County boundaries with census figures; one row for a study area outside Guangxi."""
    from gxnet.regions import boundaries

    region = area.region
    if region is not None:
        city = region.adcode if region.level == "city" else region.city_adcode
        frame = boundaries(city=city, level="county")
        if region.level == "county":
            frame = frame[frame["adcode"] == region.adcode]
        return frame.reset_index(drop=True)
    inside = guangxi_counties(area.boundary)
    if len(inside):
        return inside
    codes = demand["county_adcode"].unique()
    return gpd.GeoDataFrame(
        {
            "adcode": [int(codes[0]) if len(codes) == 1 else 0],
            "name_zh": [area.name],
            "name_pinyin": [area.name],
            "population": [float(demand["population"].sum())],
            "households": [float(demand["households"].sum())],
        },
        geometry=[area.boundary],
        crs="EPSG:4326",
    )
