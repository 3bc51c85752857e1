"""Maps of a plan: layers, legend, popups, offline assets, basemaps and the GCJ-02 shift.

The HTML checks read the tables and texts the map embeds; the browser checks open the file in
Debian's headless Chromium (``-m browser``) and look at what a reader would see.
"""

from __future__ import annotations

import functools
import http.server
import json
import math
import os
import re
import shutil
import threading
from pathlib import Path

import folium
import pandas as pd
import pytest

from benchmarks import chromium as chromium_module
from benchmarks.chromium import chromium, chromium_missing, visit
from benchmarks.synthetic_plan import synthetic_plan
from gxnet import crs, settings
from gxnet._errors import MapAssetsError, OutputError, UserInputError
from gxnet.maps import leaflet_assets, plan_map, save_map
from tests.test_report import small_plan, township_plan

ZH_LAYERS = [
    "县区边界与人口",
    "服务范围",
    "步行/骑行至回收点时间",
    "未覆盖需求",
    "回收点至分拣中心",
    "流动回收乡镇",
    "候选点（未选中）",
    "回收点（已有）",
    "回收点（新建）",
    "分拣中心",
    "县区与乡镇名称",
]
EN_LAYERS = [
    "Counties and census",
    "Service areas",
    "Walk/ride time to recycling point",
    "Uncovered demand",
    "Points to sorting centres",
    "Townships on mobile collection",
    "Candidate sites (not chosen)",
    "Recycling points (existing)",
    "Recycling points (new)",
    "Sorting centres",
    "County and township names",
]
#: The only URLs inside Leaflet itself: the SVG namespace name and the credit link in its
#: attribution; neither is ever requested.
LEAFLET_OWN_URLS = {"http://www.w3.org/2000/svg", "https://leafletjs.com"}


def render(plan, **options) -> str:
    return plan_map(plan, **options).get_root().render()


def tables(page: str) -> dict:
    """The plan's tables the map embeds as JSON."""
    match = re.search(r'<script type="application/json" id="gx-data">(.*?)</script>', page)
    assert match, "no data element in the map"
    return json.loads(match.group(1))


def config(page: str) -> dict:
    """The settings and texts the map hands its runtime."""
    match = re.search(r'gx\.setup\((\{.*\}), "gx-data", map_\w+\);\n', page)
    assert match, "no gx.setup call in the map"
    return json.loads(match.group(1))


def rows(table: dict) -> list[dict]:
    return [dict(zip(table["c"], row, strict=True)) for row in table["p"]]


def overlay_names(page: str) -> list[str]:
    block = re.search(r"overlays :  \{(.*?)\},", page, re.DOTALL).group(1)
    # folium writes the names as JSON strings (\\uXXXX escapes).
    return [json.loads(f'"{name}"') for name in re.findall(r'"((?:[^"\\]|\\.)+)" :', block)]


def test_layers_legend_and_popup_texts_in_chinese():
    page = render(small_plan(), basemap="none")
    assert overlay_names(page) == ZH_LAYERS
    setup = config(page)
    assert setup["text"]["households_served"] == "服务户数"
    assert setup["text"]["load_capacity"] == "负荷 / 容量"
    assert "至回收点时间（分钟；城镇步行，乡村骑行）" in page and "无可达回收点" in page
    assert "<title>梧州市 回收网络规划</title>" in page
    assert 'class="gx-title">梧州市 回收网络规划<' in page


def test_popup_figures_of_points_and_centres():
    page = render(small_plan(), basemap="none")
    sites = {row["i"]: row for row in rows(tables(page)["sites"])}
    p1 = sites["P1"]
    assert (p1["n"], p1["g"], p1["h"], p1["l"], p1["k"]) == (
        "河东回收点",
        "existing",
        400,
        400,
        2000,
    )
    assert (p1["w"], p1["q"], p1["d"]) == (8.8, 10.0, 15.0)  # covered walks; 900 s to C1
    assert sites["P2"]["g"] == "new" and sites["P3"]["g"] == "candidate"
    c1 = sites["C1"]
    assert (c1["g"], c1["m"], c1["e"], c1["l"], c1["k"]) == ("centre", 2, 10.0, 1.05, 50)
    demand = rows(tables(page)["demand"])
    assert [(d["h"], d["t"], d["c"]) for d in demand] == [
        (100, 5.0, 1), (300, 10.0, 1), (100, 20.0, 0), (200, 2.0, 1), (50, None, 0),
    ]  # fmt: skip
    order = list(sites)
    assert [order[d["k"]] if d["k"] is not None else None for d in demand] == [
        "P1", "P1", "P2", "P2", None,
    ]  # fmt: skip
    counties = rows(tables(page)["counties"])
    assert counties[0] | {"cov": round(counties[0]["cov"], 2)} == {
        "n": "万秀区", "a": 450403, "pop": 1450, "hh": 500, "pts": 1, "ctr": 0, "cov": 0.8,
        "wm": 8.8, "wp": 10.0,
    }  # fmt: skip
    links = rows(tables(page)["links"])
    assert links[0] == {"a": "河东回收点", "b": "梧州分拣中心", "t": 15.0}


def test_demand_refers_to_its_point_past_sites_not_drawn():
    plan = small_plan()
    excluded = plan.sites.iloc[[2]].assign(site_id="X1", status="excluded", chosen=False)
    plan.sites = pd.concat([excluded, plan.sites], ignore_index=True)
    data = tables(render(plan, basemap="none"))
    ids = [row["i"] for row in rows(data["sites"])]
    assert "X1" not in ids
    assert [ids[d["k"]] for d in rows(data["demand"])[:4]] == ["P1", "P1", "P2", "P2"]


def test_unlimited_capacity_travels_as_null():
    plan = small_plan()
    plan.sites.loc[0, "capacity"] = float("inf")
    sites = {row["i"]: row for row in rows(tables(render(plan, basemap="none"))["sites"])}
    assert sites["P1"]["k"] is None and sites["P2"]["k"] == 2000


def test_english_map_names_layers_and_counties_in_english():
    page = render(small_plan(), basemap="none", lang="en")
    assert overlay_names(page) == EN_LAYERS
    assert config(page)["text"]["households_served"] == "Households served"
    assert rows(tables(page)["counties"])[1]["n"] == "Changzhou"
    assert "Time to recycling point (min; walk in towns, ride in villages)" in page
    assert "回收网络规划" not in page


def test_no_url_outside_leaflet_when_offline():
    page = render(small_plan(), basemap="none")
    leaflet_js, leaflet_css = leaflet_assets()
    assert leaflet_js in page and leaflet_css in page
    assert set(re.findall(r"https?://[^\s\"'<>)]+", leaflet_js)) == LEAFLET_OWN_URLS
    rest = page.replace(leaflet_js, "")
    assert re.findall(r"https?://", rest) == []
    # Only the blank favicon (which spares the browser asking the server for one) is linked.
    assert re.findall(r"\b(?:src|href)\s*=\s*\"?([^\s\">]+)", rest) == ["data:,"]
    assert "url(images/" not in page and "//cdn" not in page


def test_straight_line_plan_says_so_on_the_map():
    page = render(small_plan(cost_mode="straight_line"), basemap="none")
    assert 'class="gx-banner">注意：本规划没有使用道路网络' in page
    assert "绕行系数 1.3" in page
    assert 'class="gx-banner"' not in render(small_plan(), basemap="none")


def test_amap_shifts_every_overlay_to_gcj02():
    plan = small_plan()
    wgs = tables(render(plan, basemap="none"))["sites"]["g"][0]["coordinates"]
    amap_page = render(plan, basemap="amap")
    gcj = tables(amap_page)["sites"]["g"][0]["coordinates"]
    lon, lat = crs.wgs84_to_gcj02([111.05], [23.45])
    assert gcj == pytest.approx([float(lon[0]), float(lat[0])], abs=1e-5)
    east = (gcj[0] - wgs[0]) * 111_320 * math.cos(math.radians(23.45))
    north = (gcj[1] - wgs[1]) * 110_574
    assert 200 < math.hypot(east, north) < 1000  # a few hundred metres in Guangxi
    # Demand cells, links and counties move with them.
    offline = tables(render(plan, basemap="none"))
    for name in ("demand", "links", "counties"):
        assert tables(amap_page)[name]["g"][0] != offline[name]["g"][0], name
    assert "webrd0{s}.is.autonavi.com" in amap_page


def test_osm_and_tianditu_tiles_are_not_shifted(monkeypatch):
    plan = small_plan()
    offline = tables(render(plan, basemap="none"))["sites"]["g"]
    osm_page = render(plan, basemap="osm")
    assert tables(osm_page)["sites"]["g"] == offline
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in osm_page
    with pytest.raises(UserInputError, match="GXNET_TIANDITU_TOKEN"):
        render(plan, basemap="tianditu")
    monkeypatch.setattr(settings, "tianditu_token", "abc123")
    zh_page = render(plan, basemap="tianditu")
    assert tables(zh_page)["sites"]["g"] == offline
    assert "vec_w/wmts" in zh_page and "cva_w/wmts" in zh_page and "tk=abc123" in zh_page
    assert "eva_w/wmts" in render(plan, basemap="tianditu", lang="en")


def test_unknown_basemap_and_language_are_refused():
    with pytest.raises(UserInputError, match="unknown basemap 'google'"):
        plan_map(small_plan(), basemap="google")
    with pytest.raises(UserInputError, match="unknown language 'fr'"):
        plan_map(small_plan(), lang="fr")


def test_a_site_name_cannot_break_out_of_the_script():
    plan = small_plan()
    plan.sites.loc[0, "name"] = "</script><script>alert(1)</script>"
    page = render(plan, basemap="none")
    assert "<script>alert(1)" not in page
    assert r"\u003c/script>\u003cscript>alert(1)\u003c/script>" in page


def test_missing_leaflet_names_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "leaflet_dir", tmp_path)
    with pytest.raises(MapAssetsError, match="pip install django-js-lib-leaflet"):
        plan_map(small_plan())


def test_leaflet_from_another_folder(monkeypatch, tmp_path):
    js, _ = leaflet_assets()
    source = Path(re.sub(r"leaflet\.js$", "", str(_packaged_leaflet())))
    shutil.copytree(source, tmp_path / "dist")
    (tmp_path / "dist" / "leaflet.js").write_text(js + "\n/* local copy */\n", encoding="utf-8")
    monkeypatch.setattr(settings, "leaflet_dir", tmp_path / "dist")
    assert "/* local copy */" in render(small_plan(), basemap="none")


def _packaged_leaflet() -> Path:
    import js_lib_leaflet

    return Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet" / "leaflet.js"


def test_save_map_writes_one_file_atomically(tmp_path):
    out = save_map(small_plan(), tmp_path / "maps" / "wuzhou.html", basemap="none", lang="en")
    assert out == tmp_path / "maps" / "wuzhou.html"
    assert "Counties and census" in out.read_text(encoding="utf-8")
    fmap = plan_map(small_plan(), basemap="none")
    assert isinstance(fmap, folium.Map)
    again = save_map(fmap, out)
    assert "县区边界与人口" in again.read_text(encoding="utf-8")
    assert [p.name for p in out.parent.iterdir()] == ["wuzhou.html"]


def test_save_map_into_a_file_says_where(tmp_path):
    (tmp_path / "maps").write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="choose a writable folder"):
        save_map(small_plan(), tmp_path / "maps" / "wuzhou.html", basemap="none")
    assert (tmp_path / "maps").read_text(encoding="utf-8") == "not a folder"


def test_point_demand_is_drawn_as_points():
    plan = small_plan()
    plan.demand["cell"] = None
    plan.demand.loc[0, "cell"] = plan.counties.geometry[0]
    geoms = tables(render(plan, basemap="none"))["demand"]["g"]
    assert [g["type"] for g in geoms] == ["Polygon", "Point", "Point", "Point", "Point"]


# The real browser.


def test_missing_chromium_names_make_browser(monkeypatch):
    monkeypatch.setattr(chromium_module, "CHROMIUM", "/nonexistent/chromium")
    message = chromium_missing()
    assert message.startswith("/nonexistent/chromium not found.")
    assert "make browser" in message and "GXNET_SKIP_BROWSER=1" in message


@pytest.fixture(scope="module")
def browser():
    if os.environ.get("GXNET_SKIP_BROWSER") == "1":
        pytest.skip("GXNET_SKIP_BROWSER=1")
    missing = chromium_missing()
    if missing:
        pytest.fail(missing)
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    """An HTTP server on 127.0.0.1 serving a temporary folder, as a planner's intranet would."""
    root = tmp_path_factory.mktemp("served")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=os.fspath(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_map_in_chromium_offline(browser, local_server):
    root, base = local_server
    plan = synthetic_plan(2_000, 300, 6, cost_mode="straight_line")
    save_map(plan, root / "plan.html", basemap="none")
    page = visit(browser, f"{base}/plan.html", screenshot=root / "plan.png")
    assert page.console_errors == []
    assert page.layer_names == ZH_LAYERS
    assert "城镇步行，乡村骑行" in page.legend_text and "分拣中心" in page.legend_text
    assert page.ready_ms < 10_000
    outside = [u for u in page.requests if not u.startswith((base + "/", "data:"))]
    assert outside == []
    assert page.requests[0] == f"{base}/plan.html"
    banner = browser.execute_script("return document.querySelector('.gx-banner').innerText")
    assert "直线距离" in banner
    # Clicking a recycling point opens its popup with its figures.
    popup = click_feature(browser, "g", "existing")
    assert "服务户数" in popup and "负荷 / 容量" in popup and "平均步行时间" in popup


@pytest.mark.browser
def test_hidden_layers_build_when_switched_on(browser, tmp_path):
    save_map(small_plan(), tmp_path / "small.html", basemap="none", lang="en")
    page = visit(browser, (tmp_path / "small.html").as_uri())
    assert page.console_errors == []
    assert page.layer_names == EN_LAYERS
    drawn_before = count_drawn(browser)
    for name in ("Service areas", "Points to sorting centres", "Candidate sites (not chosen)"):
        browser.execute_script(
            "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
            ".find(l => l.innerText.trim() === arguments[0]).querySelector('input').click()",
            name,
        )
    # 3 covered cells, 2 links and 1 unchosen candidate join the canvas.
    assert count_drawn(browser) == drawn_before + 3 + 2 + 1
    # ... under the sites: the canvas still draws a sorting centre last (on top).
    topmost = browser.execute_script(
        "var map = window[document.querySelector('.folium-map').id], renderer;"
        "map.eachLayer(function (l) { if (l._renderer) renderer = l._renderer; });"
        "return renderer._drawLast.layer.feature.properties.g;"
    )
    assert topmost == "centre"
    # A demand point's popup names its recycling point.
    popup = click_feature(browser, "h", 200)  # no site serves 200 households
    assert "Households 200" in popup and "长洲回收点 (P2)" in popup and "2.0 min" in popup
    # Markers shrink when the reader zooms out to a whole city: radius 5 at 14, 40 % at 10.
    radii = browser.execute_script(
        "var map = window[document.querySelector('.folium-map').id], radii = [];"
        "[14, 10].forEach(function (zoom) {"
        "  map.setZoom(zoom, {animate: false}); var marker;"
        "  map.eachLayer(function (l) {"
        "    if (!marker && l.feature && l.feature.properties.g === 'existing') marker = l; });"
        "  radii.push(marker.getRadius()); });"
        "return radii;"
    )
    assert radii == [5, 2]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def count_drawn(driver) -> int:
    return driver.execute_script(
        "var map = window[document.querySelector('.folium-map').id], n = 0;"
        "map.eachLayer(function (l) { if (l instanceof L.Path) n++; }); return n;"
    )


def click_feature(driver, prop: str, value: object) -> str:
    """Click the first drawn feature whose property ``prop`` is ``value``; return the popup text."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    x, y = driver.execute_script(
        "var map = window[document.querySelector('.folium-map').id], found;"
        "var prop = arguments[0], value = arguments[1];"
        "map.eachLayer(function (l) {"
        "  if (!found && l.feature && l.feature.properties[prop] === value) found = l; });"
        "var at = found.getLatLng ? found.getLatLng() : found.getBounds().getCenter();"
        "map.setView(at, 16, {animate: false});"
        "var p = map.latLngToContainerPoint(at); return [p.x, p.y];",
        prop,
        value,
    )
    element = driver.find_element(By.CSS_SELECTOR, ".folium-map")
    width, height = element.size["width"], element.size["height"]
    ActionChains(driver).move_to_element_with_offset(
        element, int(x - width / 2), int(y - height / 2)
    ).click().perform()
    return driver.execute_script(
        "var p = document.querySelector('.leaflet-popup-content'); return p ? p.innerText : ''"
    )


@pytest.mark.browser
def test_a_resolve_draws_its_changes_with_a_legend(browser, tmp_path):
    before = small_plan()
    after = small_plan()
    chosen = after.sites["chosen"].copy()
    after.sites["chosen"] = ~chosen & (after.sites["tier"] == "recycling_point") | (
        chosen & (after.sites["tier"] != "recycling_point")
    )
    # P1 and P2 close, P3 opens: the nearer of the two has moved there.
    diff = before.diff(after, reasons={"P1": "withdrawn: not in the new list"}, moved_within_m=1e6)
    assert (len(diff.ids("moved")), len(diff.closed), len(diff.opened)) == (1, 1, 0)
    after.changes, after.county_changes = diff.sites, diff.counties
    save_map(after, tmp_path / "changes.html", basemap="none")
    page = visit(browser, (tmp_path / "changes.html").as_uri())
    assert page.console_errors == []
    assert page.layer_names == [*ZH_LAYERS[:-1], "与上一版规划相比的变化", ZH_LAYERS[-1]]
    assert all(word in page.legend_text for word in ("新增", "撤销", "迁移"))
    marks = browser.execute_script(
        "return Array.from(document.querySelectorAll('.gx-change .gx-change-mark'))"
        ".map(m => m.textContent)"
    )
    assert sorted(marks) == ["×", "→"]
    dashed = browser.execute_script(
        "var map = window[document.querySelector('.folium-map').id], n = 0;"
        "map.eachLayer(function (l) { if (l instanceof L.Polyline && l.options.dashArray) n++; });"
        "return n;"
    )
    assert dashed == 1, "the move, from the old site to the new one"


def test_every_text_of_the_page_is_escaped():
    plan = small_plan(cost_mode="straight_line")
    plan.provenance["area_name"] = "<img src=x onerror=alert(1)>"
    plan.sites["name"] = "<script>alert(2)</script>"
    plan.counties["name_zh"] = "</script><script>alert(3)</script>"
    html = plan_map(plan, basemap="none").get_root().render()
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # title and header


def test_mobile_townships_popups_and_credits_on_the_map():
    page = render(township_plan(), basemap="none")
    data = tables(page)
    towns = {row["n"]: row for row in rows(data["townships"])}
    assert set(towns) == {"城东街道", "城南街道", "大塘街道", "兴龙街道"}
    assert (towns["城南街道"]["m"], towns["城南街道"]["r"]) == (1, "服务标准内无候选站点")
    assert (towns["城东街道"]["m"], towns["城东街道"]["p"], towns["城东街道"]["y"]) == (
        0,
        2,
        "万秀区",
    )
    sites = {row["i"]: row for row in rows(data["sites"])}
    assert (sites["P1"]["z"], sites["P1"]["y"]) == ("城东街道", "万秀区")
    assert [row["z"] for row in rows(data["demand"])][:3] == ["城东街道", "城东街道", "城南街道"]
    assert 'class="gx-info">乡镇保底: 每个乡镇至少一个回收点（2 个乡镇有回收点）' in page
    assert "流动回收乡镇: 2 个，共 150 户" in page
    assert (
        "2016 divisions: Vonng/adcode (CC BY 4.0), National Bureau of Statistics"
        in config(page)["credits"]
    )


@pytest.fixture(scope="module")
def wanxiu_from_a_site_list(tmp_path_factory):
    """A plan of 万秀区 from a site list of three sites in its north-east: its census demand
    covers the whole county, its sites a corner."""
    from gxnet.pipeline import optimize_city

    folder = tmp_path_factory.mktemp("wanxiu")
    sites = folder / "sites.csv"
    sites.write_text(
        "编号,名称,经度,纬度,类型,坐标系\n"
        "A1,西江回收点,111.330,23.495,回收点,wgs84\n"
        "A2,东兴回收点,111.345,23.490,回收点,wgs84\n"
        "C1,万秀分拣中心,111.340,23.500,分拣中心,wgs84\n",
        encoding="utf-8",
    )
    return optimize_city("wanxiu", sites=sites)


def test_a_plan_from_a_site_list_opens_on_its_sites_and_their_demand(wanxiu_from_a_site_list):
    plan = wanxiu_from_a_site_list
    page = render(plan, basemap="none")
    bounds = re.findall(r"fitBounds\(\s*(\[\[[-\d.]+, [-\d.]+\], \[[-\d.]+, [-\d.]+\]\])", page)
    (south, west), (north, east) = json.loads(bounds[-1])
    chosen = plan.sites[plan.sites["chosen"]]
    assert (
        chosen.geometry.x.between(west, east).all()
        and chosen.geometry.y.between(south, north).all()
    )
    d_west, d_south, d_east, d_north = plan.demand.total_bounds
    # The whole county is far larger than what the two points serve.
    assert (east - west) * (north - south) < 0.5 * (d_east - d_west) * (d_north - d_south)


def test_amap_is_the_chinese_default_and_osm_the_english():
    plan = small_plan()
    assert "autonavi.com" in render(plan) and "tile.openstreetmap.org" not in render(plan)
    english = render(plan, lang="en")
    assert "tile.openstreetmap.org" in english and "autonavi" not in english


@pytest.mark.browser
def test_the_map_reads_right_in_chromium(browser, wanxiu_from_a_site_list, tmp_path):
    plan = wanxiu_from_a_site_list
    save_map(plan, tmp_path / "wanxiu.html", lang="zh")  # AMap, the Chinese default
    # This machine has no internet: AMap's tiles are refused at once (not left to time out),
    # and nothing else may fail.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*autonavi.com*"]})
    try:
        _reads_right(browser, (tmp_path / "wanxiu.html").as_uri())
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def _reads_right(browser, url: str) -> None:
    page = visit(browser, url)
    assert [e for e in page.console_errors if "autonavi.com" not in e] == []
    tiles = browser.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-tile')).map(t => t.src)"
    )
    assert tiles and all("autonavi.com" in src for src in tiles)
    assert "县区与乡镇名称" in page.layer_names
    # Labels are counted once Leaflet's fade of those it took away has ended (0.2 s).
    script = (
        "var done = arguments[arguments.length - 1];"
        "var map = window[document.querySelector('.folium-map').id];"
        "map.setZoom(arguments[0], {animate: false});"
        "setTimeout(function () { done("
        "  [document.querySelectorAll('.gx-label-county').length,"
        "   document.querySelectorAll('.gx-label-township').length]); }, 400);"
    )
    assert browser.execute_async_script(script, 6) == [0, 0]  # a county is a few pixels wide
    county, township = browser.execute_async_script(script, 10)
    assert county == 1 and township < 10
    county, township = browser.execute_async_script(script, 13)
    assert township >= 5  # the townships of 万秀区, each label where it fits
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('.gx-label')).map(l => l.innerText)"
    )
    assert "万秀区" in names and "城东镇" in names
    # Sites inside the view the map opened on.
    browser.get(url)
    inside = browser.execute_script(
        "var map = window[document.querySelector('.folium-map').id], n = 0, all = 0;"
        "map.eachLayer(function (l) { if (l.feature && l.feature.properties.g === 'new') {"
        "  all++; if (map.getBounds().contains(l.getLatLng())) n++; } }); return [n, all];"
    )
    assert inside[0] == inside[1] > 0
    # Scale bar, north arrow and print button; on paper the controls go, the legend stays.
    for selector in (".leaflet-control-scale", ".gx-north", ".gx-print", ".gx-legend"):
        assert browser.find_elements("css selector", selector), selector
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    shown = browser.execute_script(
        "return ['.leaflet-control-layers', '.gx-print', '.gx-legend', '.gx-north',"
        " '.leaflet-control-scale'].map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert shown[:2] == ["none", "none"] and "none" not in shown[2:]
    # Rural households ride to their point, urban ones walk.
    assert "骑行时间" in click_feature(browser, "u", 0)
