"""The region runner on Dask for real: a LocalCluster of two workers plans three small counties
as a region; the target shared exactly, phases nested, a failing city reported while the
others finish, a re-run reusing every city, one city re-planned against its share."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.chromium import visit
from gxnet.cli import cli
from gxnet.config import Config
from gxnet.crs import from_wgs84
from gxnet.phases import Phase
from gxnet.plan import Plan
from gxnet.region import (
    dask_client,
    is_region,
    plan_region,
    region_cities,
    resolve_city,
    save_region,
)
from gxnet.region_plan import RegionPlan
from gxnet.tiers import Tier
from tests.test_maps import browser  # noqa: F401  (the Chromium fixture)

AREAS = ["万秀区", "长洲区", "蒙山县"]
#: The console in English (the tests' default, said where a test reads its words) and Chinese.
EN, ZH = {"GXNET_LANG": "en"}, {"GXNET_LANG": "zh"}
SLUGS = ["wanxiu", "changzhou", "mengshan"]


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as client:
        yield client


def region(tmp, client, **options):
    options.setdefault("config", Config())
    run = plan_region(AREAS, name="三县", slug="three", out=tmp, client=client, **options)
    plan, html = save_region(run, maps_dir=tmp / "maps", basemap="none")
    return run, plan, html


def chosen_points(plan: Plan) -> pd.DataFrame:
    sites = plan.sites
    return sites[sites["chosen"] & (sites["tier"] == Tier.RECYCLING_POINT)]


def test_the_region_is_named_as_a_planner_types_it():
    assert all(is_region(name) for name in ("guangxi", "广西", "450000", "Guangxi"))
    assert not any(is_region(name) for name in ("wuzhou", "梧州", "nowhere", ""))
    assert len(region_cities()) == 14 and "wuzhou" in region_cities()


def test_two_workers_share_a_target_exactly_and_a_rerun_computes_nothing(tmp_path, client):
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2 and all(w["nthreads"] == 1 for w in workers.values())
    config = Config().with_options(points=60)
    run, plan, html = region(tmp_path, client, config=config)
    assert run.exit_code == 0 and run.tasks_run == 6  # three curves, three plans
    assert {r.status for r in run.cities.values()} == {"planned"}
    counts = run.allocations[0]["counts"]
    assert sum(counts.values()) == 60
    for slug in SLUGS:
        city = Plan.load(tmp_path / "three" / "cities" / slug)
        assert city.metrics["point_sites"] == counts[slug]
        assert city.provenance["standards"]["solver"]["threads"] == 1
        # Each city gets at least its floor (the township minimum) and follows its curve.
        assert counts[slug] >= run.cities[slug].floors["floor"]
    assert plan.metrics["point_sites"] == 60
    assert run.allocations[0]["covered"] <= run.allocations[0]["bound"]
    # The region's outputs: layers together, tables, report, map.
    folder = tmp_path / "three"
    loaded = RegionPlan.load(folder)
    assert set(loaded.layers["sites"]["city"]) == set(SLUGS)
    assert loaded.metrics["point_sites"] == 60
    for name in ("region.json", "region.gpkg", "sites.parquet", "cities.csv", "counties.csv",
                 "townships.csv", "report.md", "report.html", "region.xlsx"):  # fmt: skip
        assert (folder / name).is_file(), name
    book = openpyxl.load_workbook(folder / "region.xlsx", read_only=True)
    assert book.sheetnames[:3] == ["概要", "分城市", "分县区"]
    rows = list(book["分城市"].iter_rows(values_only=True))
    assert rows[0][:2] == ("城市", "状态") and [r[0] for r in rows[1:]] == [
        "万秀区",
        "长洲区",
        "蒙山县",
    ]
    assert sum(r[rows[0].index("回收点（网点）")] for r in rows[1:]) == 60
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "分城市统计" in report and "万秀区" in report and "按边际覆盖增量最大分配" in report
    assert html.is_file() and 'gx.sites("mengshan|"' in html.read_text(encoding="utf-8")
    again, _, _ = region(tmp_path, client, config=config)
    assert again.tasks_run == 0
    assert {r.status for r in again.cities.values()} == {"reused"}
    assert again.allocations[0]["counts"] == counts


def test_phases_are_shared_phase_by_phase_and_nested_in_every_city(tmp_path, client):
    phases = [Phase("2023", 25), Phase("2025", None)]
    run, plan, _ = region(tmp_path, client, phases=phases)
    assert run.exit_code == 0
    assert sum(run.allocations[0]["counts"].values()) == 25
    figures = plan.metrics["phases"]
    assert figures[0]["points"] == 25 and figures[1]["points"] == plan.metrics["point_sites"]
    for slug in SLUGS:
        city = Plan.load(tmp_path / "three" / "cities" / slug)
        points = chosen_points(city)
        first = int((points["phase"] == "2023").sum())
        assert first == run.allocations[0]["counts"][slug]
        assert city.metrics["phases"][1]["points"] == len(points) >= first
    counties = RegionPlan.load(tmp_path / "three").counties
    assert counties["points_2023"].sum() == 25


def test_a_failing_city_is_reported_and_the_others_finish(tmp_path, client):
    bad = tmp_path / "changzhou.csv"
    bad.write_text("名称,经度,纬度\n甲,not a number,23.4\n", encoding="utf-8")
    run, plan, _ = region(tmp_path, client, sites={"changzhou": bad})
    failed = run.failed
    assert [r.slug for r in failed] == ["changzhou"] and run.exit_code == 2
    assert "changzhou.csv" in failed[0].message
    assert {run.cities[s].status for s in ("wanxiu", "mengshan")} == {"planned"}
    assert plan.metrics["cities_failed"] == 1 and "FAILED changzhou" in plan.summary()
    assert set(plan.layers["sites"]["city"]) == {"wanxiu", "mengshan"}
    # A city fixed and run again is planned; the others are reused.
    fixed = plan_region(AREAS, name="三县", slug="three", out=tmp_path, client=client)
    assert fixed.tasks_run == 1 and fixed.cities["changzhou"].status == "planned"


def test_one_city_is_replanned_against_its_share(tmp_path, client):
    config = Config().with_options(points=60)
    run, before, _ = region(tmp_path, client, config=config)
    folder = tmp_path / "three"
    share = run.allocations[0]["counts"]["changzhou"]
    old = Plan.load(folder / "cities" / "changzhou")
    points = chosen_points(old)
    # Planners copy coordinates from AMap: GCJ-02, the lists' default.
    gcj = from_wgs84(points.geometry, "gcj02")
    listed = pd.DataFrame(
        {
            "编号": points["site_id"],
            "名称": points["name"],
            "经度": gcj.x.round(6),
            "纬度": gcj.y.round(6),
            "状态": "candidate",
        }
    )
    new_list = tmp_path / "changzhou_new.csv"
    listed.to_csv(new_list, index=False)
    others = {
        s: (folder / "cities" / s / "plan.json").stat().st_mtime_ns for s in ("wanxiu", "mengshan")
    }
    _, new, _, after, html = resolve_city(folder, "长洲区", new_list, maps_dir=tmp_path / "maps")
    assert new.metrics["point_sites"] == share
    assert after.metrics["point_sites"] == 60
    assert after.cities.set_index("city").loc["changzhou", "status"] == "resolved"
    for slug, stamp in others.items():
        assert (folder / "cities" / slug / "plan.json").stat().st_mtime_ns == stamp
    document = json.loads((folder / "region.json").read_text(encoding="utf-8"))
    assert document["metrics"]["point_sites"] == 60
    result = CliRunner().invoke(cli, ["resolve", str(folder), "--sites", str(new_list)], env=EN)
    assert result.exit_code == 2 and "--city" in result.output


def test_the_cli_refuses_what_the_region_cannot_take(tmp_path):
    for extra, said in ((["--demand", "x.csv"], "--demand"), (["--sites", "a.csv"], "folder")):
        result = CliRunner().invoke(cli, ["optimize", "--city", "guangxi", *extra], env=EN)
        assert result.exit_code == 2 and said in result.output
    result = CliRunner().invoke(cli, ["optimize", "--city", "guangxi", "--workers", "0"], env=EN)
    assert result.exit_code == 2 and "at least 1 worker" in result.output
    # In Chinese, the console's default.
    result = CliRunner().invoke(cli, ["optimize", "--city", "广西", "--workers", "0"], env=ZH)
    assert result.exit_code == 2 and "至少 1 个工作进程" in result.output


def test_an_unreachable_scheduler_is_one_line(monkeypatch):
    monkeypatch.setattr("gxnet.region.SCHEDULER_TIMEOUT_S", 2.0)
    result = CliRunner().invoke(
        cli, ["optimize", "--city", "广西", "--scheduler", "tcp://127.0.0.1:9"], env=EN
    )
    assert result.exit_code == 1 and "dask scheduler" in result.output


def test_the_cli_plans_the_region_and_says_which_city_failed(tmp_path, monkeypatch, client):
    # The region's command on three counties: the same verb, flags and outputs as for the 14,
    # on the running cluster through its scheduler's address.
    monkeypatch.setattr("gxnet.region.region_cities", lambda: SLUGS)
    address = client.scheduler.address
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "changzhou.csv").write_text("名称,经度,纬度\n甲,not a number,23.4\n", "utf-8")
    out = tmp_path / "out"
    args = ["optimize", "--city", "广西", "--scheduler", address, "--basemap", "none", "--out", out]
    result = CliRunner().invoke(cli, [*map(str, args), "--sites", str(lists)], env=EN)
    assert result.exit_code == 2, result.output
    assert "Plan for 广西: 2 of 3 cities" in result.stdout
    assert "region 广西: 3 cities on" in result.output and "Dask workers" in result.output
    assert "gxnet: error: changzhou:" in result.stderr and "1 of 3 cities failed" in result.stderr
    assert (out / "plans" / "guangxi" / "region.json").is_file()
    assert (out / "maps" / "guangxi.html").is_file()
    (lists / "changzhou.csv").unlink()
    again = CliRunner().invoke(
        cli, [*map(str, args), "--phase", "2023:30", "--phase", "2025:standard"], env=ZH
    )
    assert again.exit_code == 0, again.output
    assert "广西：3 个城市" in again.output and "Dask 工作进程" in again.output
    assert "2023 阶段：30 个回收点在 3 个城市间分配" in again.output
    assert "新规划 3 个" in again.stdout
    report = CliRunner().invoke(cli, ["report", str(out / "plans" / "guangxi")], env=ZH)
    assert report.exit_code == 0 and "分城市统计" in report.stdout
    assert "回收点（网点） 2023" in report.stdout


@pytest.mark.browser
def test_the_region_map_opens_with_its_cities_as_layers(tmp_path, client, browser):  # noqa: F811
    run, _, html = region(tmp_path, client, phases=[Phase("2023", 25), Phase("2025", None)])
    page = visit(browser, html.as_uri())
    assert page.console_errors == []
    assert [n for n in page.layer_names if "回收点与分拣中心" in n] == [
        "万秀区：回收点与分拣中心", "长洲区：回收点与分拣中心", "蒙山县：回收点与分拣中心"
    ]  # fmt: skip
    panel = browser.execute_script("return document.querySelector('.gx-panel').innerText")
    assert "全区概况" in panel and "2023" in panel and "长洲区" in panel
    legend = browser.execute_script(
        "return document.querySelector('.leaflet-bottom .gx-legend').innerText"
    )
    assert "建设阶段" in legend
    assert [u for u in page.requests if not u.startswith(("file:", "data:"))] == []
