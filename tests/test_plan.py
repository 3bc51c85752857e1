"""Plan: save/load round trip, exports a planner opens, atomic replacement, diff, figures."""

from __future__ import annotations

import json
import math
import os
import stat

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from gxnet._errors import InputFileError, OutputError
from gxnet.plan import Plan, measure, weighted_quantile
from gxnet.workbook import write_tables


def make_plan(chosen=("p1", "p2", "c1"), name_p1="菜市场回收点") -> Plan:
    """A small plan by hand: three point sites, one centre, four demand cells."""
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["p1", "p2", "p3", "c1"],
            "name": [name_p1, "Supermarket", "Park", "分拣中心"],
            "tier": ["recycling_point"] * 3 + ["sorting_centre"],
            "status": ["existing", "candidate", "candidate", "candidate"],
            "chosen": [s in chosen for s in ("p1", "p2", "p3", "c1")],
            "households_served": [1800.0, 1200.0, 0.0, 3000.0],
            "load": [1800.0, 1200.0, 0.0, 2.5],
            "capacity": [2000.0, 2000.0, 2000.0, 50.0],
            "points": [1, 1, 1, 0],
        },
        geometry=[
            Point(111.30, 23.48),
            Point(111.31, 23.48),
            Point(111.32, 23.49),
            Point(111.4, 23.5),
        ],
        crs="EPSG:4326",
    )
    cells = [box(111.295 + i * 0.01, 23.475, 111.305 + i * 0.01, 23.485) for i in range(4)]
    demand = gpd.GeoDataFrame(
        {
            "demand_id": ["d0", "d1", "d2", "d3"],
            "households": [1000.0, 800.0, 1200.0, 500.0],
            "population": [2970.0, 2376.0, 3564.0, 1485.0],
            "county_adcode": [450403, 450403, 450405, 450405],
            "setting": ["urban", "urban", "urban", "rural"],
            "point_id": ["p1", "p1", "p2", ""],
            "travel_s": [120.0, 400.0, 300.0, math.nan],
            "covered": [True, True, True, False],
        },
        geometry=[c.centroid for c in cells],
        crs="EPSG:4326",
    )
    demand["cell"] = gpd.GeoSeries(cells, crs="EPSG:4326")
    links = gpd.GeoDataFrame(
        {"point_id": ["p1", "p2"], "centre_id": ["c1", "c1"], "travel_s": [900.0, 1500.0]},
        geometry=[
            LineString([(111.30, 23.48), (111.4, 23.5)]),
            LineString([(111.31, 23.48), (111.4, 23.5)]),
        ],
        crs="EPSG:4326",
    )
    counties = gpd.GeoDataFrame(
        {
            "adcode": [450403],
            "name_zh": ["万秀区"],
            "name_pinyin": ["Wanxiu"],
            "households": [94521],
        },
        geometry=[box(111.2, 23.4, 111.5, 23.6)],
        crs="EPSG:4326",
    )
    metrics = measure(sites, demand, links) | {"status": "optimal", "gap": 0.0, "solver": "highs"}
    provenance = {"slug": "wuzhou", "area_name": "梧州市", "cost_mode": "road", "inputs": {}}
    return Plan(sites, demand, links, counties, metrics, provenance)


def test_measure_counts_coverage_and_times():
    m = make_plan().metrics
    assert m["points"] == 2 and m["point_sites"] == 2 and m["points_existing"] == 1
    assert m["centres"] == 1
    assert m["households"] == 3500.0 and m["households_covered"] == 3000.0
    assert m["coverage"] == pytest.approx(3000 / 3500)
    assert m["walk_mean_s"] == pytest.approx((1000 * 120 + 800 * 400 + 1200 * 300) / 3000)
    # 95 % of covered households (2,850 of 3,000) are reached within 400 s.
    assert m["walk_p95_s"] == 400.0
    assert m["truck_mean_s"] == 1200.0 and m["truck_p95_s"] == 1500.0


def test_weighted_quantile_by_households():
    assert weighted_quantile([10, 20, 30], [1, 1, 98], 0.5) == 30
    assert weighted_quantile([10, 20, 30], [50, 49, 1], 0.5) == 10
    assert math.isnan(weighted_quantile([np.nan], [1], 0.95))


def test_save_load_round_trip_is_exact(tmp_path):
    plan = make_plan()
    plan.save(tmp_path / "wuzhou")
    back = Plan.load(tmp_path / "wuzhou")
    for layer in ("sites", "demand", "links", "counties"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(back, layer)), pd.DataFrame(getattr(plan, layer))
        )
    assert back.demand["cell"].geom_equals(plan.demand["cell"]).all()
    assert back.provenance == plan.provenance
    assert back.metrics["coverage"] == plan.metrics["coverage"]
    # NaN travel times cannot go to JSON: they come back as None, not as a crash.
    assert back.metrics["status"] == "optimal"


def test_exports_open_in_gis_and_excel(tmp_path):
    plan = make_plan()
    folder = plan.save(tmp_path / "wuzhou")
    write_tables(plan, folder)
    raw = (folder / "sites.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to show Chinese"
    table = pd.read_csv(folder / "sites.csv", encoding="utf-8-sig")
    chosen = table.set_index("编号")
    assert chosen.loc["p1", "名称"] == "菜市场回收点" and len(chosen) == 3  # chosen sites only
    assert (
        chosen.loc["p1", "经度（WGS-84）"] == 111.3 and chosen.loc["p1", "纬度（WGS-84）"] == 23.48
    )
    candidates = pd.read_csv(folder / "candidates.csv", encoding="utf-8-sig")
    assert set(candidates["编号"]) == {"p3"}
    demand_csv = pd.read_csv(folder / "demand.csv", encoding="utf-8-sig")
    assert "cell" not in demand_csv.columns and len(demand_csv) == 4
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(folder / "plan.gpkg")}
    assert layers == {"sites", "demand", "links", "counties", "cells"}
    sites = gpd.read_file(folder / "plan.gpkg", layer="sites")
    assert sites.crs.to_epsg() == 4326 and sites["chosen"].sum() == 3
    geo = json.loads((folder / "links.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 2
    assert geo["features"][0]["geometry"]["type"] == "LineString"


def test_save_replaces_previous_plan_as_a_whole(tmp_path):
    folder = tmp_path / "plans" / "wuzhou"
    make_plan().save(folder)
    (folder / "stale.txt").write_text("from an older run")
    make_plan(chosen=("p3", "c1")).save(folder)
    assert not (folder / "stale.txt").exists()
    assert set(Plan.load(folder).chosen_points["site_id"]) == {"p3"}
    assert [p.name for p in folder.parent.iterdir()] == ["wuzhou"], "no temporary folders left"


def test_failed_save_leaves_previous_plan_intact(tmp_path, monkeypatch):
    folder = tmp_path / "wuzhou"
    make_plan().save(folder)
    plan = make_plan(chosen=("p3",))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", broken)
    with pytest.raises(RuntimeError):
        plan.save(folder)
    monkeypatch.undo()
    assert set(Plan.load(folder).chosen_points["site_id"]) == {"p1", "p2"}
    assert [p.name for p in tmp_path.iterdir()] == ["wuzhou"]


def test_read_only_folder_is_refused_and_kept(tmp_path):
    folder = tmp_path / "wuzhou"
    make_plan().save(folder)
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(OutputError, match="read-only"):
            make_plan(chosen=("p3",)).save(folder)
    finally:
        os.chmod(folder, stat.S_IRWXU)
    assert set(Plan.load(folder).chosen_points["site_id"]) == {"p1", "p2"}


def test_save_into_a_file_path_is_refused(tmp_path):
    (tmp_path / "plans").write_text("not a folder")
    with pytest.raises(OutputError, match="is a file"):
        make_plan().save(tmp_path / "plans" / "wuzhou")


def test_load_names_what_is_missing(tmp_path):
    with pytest.raises(InputFileError, match="no plan.json"):
        Plan.load(tmp_path)
    folder = make_plan().save(tmp_path / "p")
    (folder / "links.parquet").unlink()
    with pytest.raises(InputFileError, match="links.parquet"):
        Plan.load(folder)
    (folder / "plan.json").write_text("{not json")
    with pytest.raises(InputFileError, match="damaged"):
        Plan.load(folder)


def _damage_json(change):
    def damage(folder):
        path = folder / "plan.json"
        path.write_text(json.dumps(change(json.loads(path.read_text()))), encoding="utf-8")

    return damage


@pytest.mark.parametrize(
    ("damage", "named", "said"),
    [
        (_damage_json(lambda d: {**d, "version": 99}), "plan.json", "newer than this gxnet reads"),
        (_damage_json(lambda d: [d]), "plan.json", "not a gxnet plan file"),
        (_damage_json(lambda d: {**d, "metrics": None}), "plan.json", "no metrics or provenance"),
        (
            lambda f: (f / "plan.json").unlink() or (f / "plan.json").mkdir(),
            "plan.json",
            "not a file",
        ),
        (lambda f: (f / "demand.parquet").unlink(), "demand.parquet", "layer file missing"),
        (lambda f: (f / "sites.parquet").write_bytes(b"PAR1"), "sites.parquet", "damaged layer"),
        (
            lambda f: make_plan().sites.drop(columns="chosen").to_parquet(f / "sites.parquet"),
            "p",
            "lacks columns chosen",
        ),
    ],
)
def test_a_damaged_plan_names_the_file_and_says_to_run_optimize(tmp_path, damage, named, said):
    folder = make_plan().save(tmp_path / "p")
    damage(folder)
    with pytest.raises(InputFileError) as err:
        Plan.load(folder)
    message = str(err.value)
    assert message.startswith(str(folder / named if named != "p" else folder))
    assert said in message and "run `gxnet optimize` again" in message
    assert "\n" not in message


def test_plan_requires_contract_columns():
    plan = make_plan()
    with pytest.raises(ValueError, match="chosen"):
        Plan(plan.sites.drop(columns="chosen"), plan.demand, plan.links, plan.counties)


def test_diff_lists_opened_closed_and_coverage_change():
    old = make_plan()
    new_demand = old.demand.copy()
    new_demand.loc[3, ["point_id", "travel_s", "covered"]] = ["p3", 200.0, True]
    new_sites = old.sites.copy()
    new_sites["chosen"] = [True, False, True, True]
    new = Plan(
        new_sites,
        new_demand,
        old.links,
        old.counties,
        measure(new_sites, new_demand, old.links),
        old.provenance,
    )
    d = old.diff(new, reasons={"p2": "withdrawn: not in the new list"}, moved_within_m=0)
    assert d.opened == ["p3"] and d.closed == ["p2"] and d.kept == ["c1", "p1"]
    assert d.change("households_covered") == 500.0
    text = str(d)
    assert "sites opened: 1 (p3)" in text
    assert "sites closed: 1\n  p2: withdrawn: not in the new list\n" in text
    assert "85.7 % -> 100.0 %" in text and "+500 households" in text
    # Within reach of each other, the closed point has moved to the opened one.
    moved = old.diff(new, moved_within_m=1e6)
    assert moved.opened == [] and moved.closed == [] and moved.ids("moved") == ["p3"]
    row = moved.sites.set_index("site_id").loc["p3"]
    assert row["moved_from"] == "p2" and row["moved_m"] > 0
    assert row["reason"] == "the new plan does better without it"
    assert "sites moved:  1\n  p2 -> p3 (" in str(moved)


def test_csv_cells_a_spreadsheet_would_run_are_defused_and_numbers_kept(tmp_path):
    plan = make_plan()
    plan.sites["name"] = ['=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)"][: len(plan.sites)]
    plan.sites["capacity"] = np.inf
    folder = plan.save(tmp_path / "p")
    write_tables(plan, folder, lang="en")
    table = pd.concat(
        pd.read_csv(folder / name, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for name in ("sites.csv", "candidates.csv")
    )
    assert sorted(table["Name"]) == sorted("'" + n for n in plan.sites["name"])
    assert (table["Capacity"] == "no limit").all(), "an unlimited capacity says so"
    numbers = pd.read_csv(folder / "demand.csv", encoding="utf-8-sig")
    assert numbers["households"].dtype.kind in "if"
