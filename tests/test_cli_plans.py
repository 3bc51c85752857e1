"""The Plans verbs: optimize, resolve, map, report, config show; bad input and exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gxnet.cli import cli
from gxnet.config import Config
from gxnet.model_choice import standard_points
from gxnet.plan import Plan
from gxnet.study_area import study_area

DATA = Path(__file__).parent / "data"
HELSINKI = [
    "--area", str(DATA / "helsinki_area.geojson"),
    "--pbf", str(DATA / "helsinki.osm.pbf"),
    "--sites", str(DATA / "helsinki_sites.csv"),
    "--demand", str(DATA / "helsinki_demand.csv"),
    "--service-radius-m", "500",
    "--coverage", "0.8",
    "--basemap", "none",
]  # fmt: skip


SLUG = study_area(DATA / "helsinki_area.geojson").slug


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


@pytest.fixture(scope="module")
def helsinki_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run("optimize", *HELSINKI, "--out", out)
    assert result.exit_code == 0, result.output
    return out, result


def test_optimize_prints_summary_and_writes_plan_and_map(helsinki_out):
    out, result = helsinki_out
    assert "Plan for helsinki_area" in result.stdout
    assert "solver: highs, proven optimal" in result.stdout
    assert "households covered within the standard" in result.stdout
    assert "[3] road networks ..." in result.stderr  # the progress lines
    assert "[6] model solve ... (limit" in result.stderr
    folder = out / "plans" / SLUG
    assert (folder / "sites.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for name in ("plan.json", "plan.gpkg", "sites.geojson", "demand.csv", "links.parquet"):
        assert (folder / name).is_file(), name
    html = (out / "maps" / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and "unpkg.com" not in html
    plan = Plan.load(folder)
    assert plan.provenance["cost_mode"]["truck"] == "road" and plan.metrics["coverage"] >= 0.8
    # The summary in Chinese is punctuated in Chinese.
    stages = [line for line in plan.summary("zh").splitlines() if "各阶段用时：" in line]
    assert len(stages) == 1 and "，需求（户数）" in stages[0] and ", " not in stages[0]


def test_the_household_size_of_a_households_only_demand_file_is_said_and_recorded(
    helsinki_out, tmp_path
):
    out, result = helsinki_out
    default = Plan.load(out / "plans" / SLUG).provenance["household_size"]
    assert default["persons_per_household"] == 2.87 and default["rows_households_only"] == 25
    assert "Guangxi's 2020 census figure, the default" in default["note"]
    assert f"gxnet: warning: {default['note']}" in result.stderr
    flagged = run("optimize", *HELSINKI, "--household-size", "2.1", "--out", tmp_path)
    assert flagged.exit_code == 0, flagged.output
    assert "household size 2.1 persons per household (as set for this plan)" in flagged.stderr
    plan = Plan.load(tmp_path / "plans" / SLUG)
    assert plan.provenance["household_size"]["persons_per_household"] == 2.1
    assert plan.demand["population"].sum() == pytest.approx(2.1 * 9720)


def test_map_and_report_read_a_saved_plan(helsinki_out, tmp_path):
    out, _ = helsinki_out
    folder = out / "plans" / SLUG
    result = run("map", folder, "--out", tmp_path / "again.html", "--basemap", "none")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").stat().st_size > 10_000
    result = run("report", folder, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "helsinki_area" in result.stdout and "|" in result.stdout
    result = run("report", folder, "--format", "html", "--out", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    assert "<table" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_resolve_prints_the_diff_and_replaces_the_plan(helsinki_out, tmp_path):
    out, _ = helsinki_out
    folder = tmp_path / "plan"
    Plan.load(out / "plans" / SLUG).save(folder)
    before = set(Plan.load(folder).chosen_points["site_id"])
    result = run(
        "resolve", folder, "--sites", DATA / "helsinki_sites_new.csv",
        "--pbf", DATA / "helsinki.osm.pbf", "--out", tmp_path / "new", "--basemap", "none",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "sites closed: 0" in result.stdout and "coverage:" in result.stdout
    new = Plan.load(tmp_path / "new" / "plans" / SLUG)
    assert before <= set(new.chosen_points["site_id"])


def test_unknown_city_exits_2_with_one_line():
    result = run("optimize", "--city", "atlantis")
    assert result.exit_code == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("gxnet: error:") and "'atlantis'" in last
    assert "Traceback" not in result.stderr


def test_city_or_area_not_both():
    result = run("optimize", "--city", "wuzhou", "--area", DATA / "helsinki_area.geojson")
    assert result.exit_code == 2 and "--city NAME or --area FILE" in result.stderr


def test_rejected_rows_exit_2_and_write_nothing(tmp_path):
    args = [a if a != str(DATA / "helsinki_sites.csv") else DATA / "helsinki_sites_bad.csv"
            for a in HELSINKI]  # fmt: skip
    result = run("optimize", *args, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "2 rows cannot be planned" in result.stderr and "row 13" in result.stderr
    assert not (tmp_path / "out").exists()
    result = run("optimize", *args, "--out", tmp_path / "out", "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    assert "2 rejected" in result.stderr  # the reader's warning, as one line


def test_infeasible_target_exits_2_and_keeps_the_previous_plan(helsinki_out, tmp_path):
    out, _ = helsinki_out
    Plan.load(out / "plans" / SLUG).save(tmp_path / "plans" / SLUG)
    strict = [a if a != "0.8" else "1.0" for a in HELSINKI]
    result = run("optimize", *strict, "--out", tmp_path)
    assert result.exit_code == 2
    assert "cannot be met" in result.stderr and "lower --coverage to" in result.stderr
    assert Plan.load(tmp_path / "plans" / SLUG).metrics["coverage"] >= 0.8


def test_a_second_run_into_the_same_folder_replaces_plan_and_map(helsinki_out, tmp_path):
    out, _ = helsinki_out
    first = run("optimize", *HELSINKI, "--out", tmp_path)
    html = tmp_path / "maps" / f"{SLUG}.html"
    assert first.exit_code == 0, first.output
    html.write_text("an old map", encoding="utf-8")
    second = run("optimize", *HELSINKI, "--out", tmp_path)
    assert second.exit_code == 0, second.output
    assert "<html" in html.read_text(encoding="utf-8").lower()
    assert Plan.load(tmp_path / "plans" / SLUG).metrics["status"] == "optimal"


def test_read_only_output_exits_2_and_keeps_the_previous_plan(helsinki_out, tmp_path):
    out, _ = helsinki_out
    folder = tmp_path / "plans" / SLUG
    Plan.load(out / "plans" / SLUG).save(folder)
    stamp = (folder / "plan.json").read_text(encoding="utf-8")
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run("optimize", *HELSINKI, "--out", tmp_path)
    finally:
        os.chmod(folder, stat.S_IRWXU)
    assert result.exit_code == 2 and "read-only" in result.stderr
    assert (folder / "plan.json").read_text(encoding="utf-8") == stamp
    assert not (tmp_path / "maps").exists()


def test_bad_config_file_exits_2(tmp_path):
    bad = tmp_path / "gxnet.toml"
    bad.write_text("[points]\nwalk_km = 3\n", encoding="utf-8")
    result = run("optimize", "--city", "wuzhou", "--config", bad)
    assert result.exit_code == 2 and "points.walk_km" in result.stderr


def test_config_show_prints_effective_standards(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text("[points]\nhouseholds_per_point_urban = 1200\n", encoding="utf-8")
    result = run("config", "show", "--config", path)
    assert result.exit_code == 0
    assert "households_per_point_urban = 1200" in result.stdout
    assert "[centres]" in result.stdout and "truck_minutes = 45.0" in result.stdout


def test_wuzhou_embedded_default_says_so(tmp_path):
    """The README's main command, on a coarser grid so the test stays fast."""
    small = tmp_path / "gxnet.toml"
    small.write_text("[grid]\ncell_size_m = 4000\n[solver]\ntime_limit_s = 10\n", "utf-8")
    result = run("optimize", "--city", "wuzhou", "--config", small, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "NOTE: no road network on disk" in result.stdout
    assert "straight-line distance x 1.3" in result.stderr
    plan = Plan.load(tmp_path / "plans" / "wuzhou")
    assert plan.metrics["households"] == 889839
    # No target given: as many points as the household standard asks, most coverage.
    assert len(plan.chosen_points) == standard_points(plan.demand, Config().points)
    assert "as the household standard asks" in result.stderr
    assert 0 < plan.metrics["coverage"] < 1
    assert plan.provenance["cost_mode"] == {"walk": "straight_line", "truck": "highway"}
    assert len(plan.counties) == 7
    table = pd.read_csv(tmp_path / "plans" / "wuzhou" / "counties.csv", encoding="utf-8-sig")
    assert list(table.columns[:3]) == ["Adcode", "County", "Households"]
    assert "Wanxiu" in set(table["County"]) and table["Households"].sum() == 889839
    doc = json.loads((tmp_path / "plans" / "wuzhou" / "plan.json").read_text(encoding="utf-8"))
    assert doc["provenance"]["standards"]["grid"]["cell_size_m"] == 4000
    assert (tmp_path / "maps" / "wuzhou.html").is_file()


def test_unknown_township_in_a_demand_file_exits_2_naming_row_and_nearest(tmp_path):
    demand = tmp_path / "communities.csv"
    demand.write_text("经度,纬度,户数,乡镇\n111.30,23.48,800,城东接到\n", encoding="utf-8")
    result = run("optimize", "--city", "wuzhou", "--demand", demand, "--out", tmp_path / "out")
    assert result.exit_code == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "communities.csv, row 2, field '乡镇': no township named '城东接到'" in last
    assert "nearest names: 城东街道 (450403001000, 万秀区)" in last
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


EXAMPLES = Path(__file__).parents[1] / "examples" / "wanxiu"


def test_the_readme_resolve_example_end_to_end(tmp_path, monkeypatch):
    """The README's worked example, as written there."""
    monkeypatch.chdir(tmp_path)
    first = run("optimize", "--city", "万秀区", "--sites", EXAMPLES / "sites.csv")
    assert first.exit_code == 0, first.output
    old = Plan.load(tmp_path / "plans" / "wanxiu")
    assert {"WX046", "WX021"} <= set(old.chosen_points["site_id"])
    result = run("resolve", "plans/wanxiu", "--sites", EXAMPLES / "sites_new.csv")
    assert result.exit_code == 0, result.output
    assert "WX046 -> WX081" in result.stdout and "withdrawn: not in the new list" in result.stdout
    assert "withdrawn: marked excluded (排除) in the new list" in result.stdout
    new = Plan.load(tmp_path / "plans" / "wanxiu")
    chosen = set(new.chosen_points["site_id"])
    assert "WX030" in chosen and not {"WX046", "WX021"} & chosen
    # Preferred: of the old plan's candidates the new list still offers, nearly all stay.
    offered = set(old.chosen_points["site_id"]) - {"WX046", "WX021"}
    assert len(offered - chosen) <= 3
    # The workbook's changes sheet as CSV, in the run's language (English here).
    diff = pd.read_csv(tmp_path / "plans" / "wanxiu" / "diff.csv", encoding="utf-8-sig")
    assert set(diff["Change"]) <= {"opened", "closed", "moved", "kept"}
    both = set(old.sites.loc[old.sites["chosen"], "site_id"])
    both &= set(new.sites.loc[new.sites["chosen"], "site_id"])
    assert set(diff.loc[diff["Change"] == "kept", "ID"]) == both
    assert new.provenance["targets"]["points"]["source"] == "derived"
    html = (tmp_path / "maps" / "wanxiu.html").read_text(encoding="utf-8")
    assert '"changes":{' in html and "gx.changes()" in html


def test_points_below_the_township_minimum_exit_2_with_the_fix(tmp_path):
    result = run("optimize", "--city", "蒙山县", "--points", "3", "--out", tmp_path)
    assert result.exit_code == 2
    assert "--points 3 is below the 6 point sites that the township minimum" in result.stderr
    assert "--no-township-minimum" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "plans").exists()
    freed = run(
        "optimize", "--city", "蒙山县", "--points", "3", "--no-township-minimum", "--out", tmp_path
    )
    assert freed.exit_code == 0, freed.output
    assert Plan.load(tmp_path / "plans" / "mengshan").metrics["point_sites"] == 3
