"""The printed report: its HTML sections, and the PDF rendered to pages and read back."""

from __future__ import annotations

import re
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from gxnet.assemble import township_figures, township_layer
from gxnet.document import caveats, render_html, write_report
from gxnet.static_map import render_png
from tests.test_report import WEST, small_plan


def many_townships(n: int = 70):
    """The small plan with its west county's demand split over ``n`` townships, so that the
    township table runs over more than one page."""
    plan = small_plan(cost_mode="straight_line")
    rows = []
    for i in range(n):
        rows.append(
            {
                "demand_id": f"t{i}",
                "households": 100.0 + i,
                "population": 290.0,
                "county_adcode": WEST,
                "setting": "rural" if i % 2 else "urban",
                "point_id": "P1",
                "travel_s": 300.0,
                "covered": True,
                "township_code": f"4504030{i:02d}000",
                "township_name": f"第{i}镇",
                "geometry": shapely.Point(111.01 + i * 0.001, 23.41 + i * 0.001),
            }
        )
    extra = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    plan.demand = pd.concat([plan.demand.assign(township_code="", township_name=""), extra])
    plan.demand = gpd.GeoDataFrame(plan.demand.reset_index(drop=True), crs="EPSG:4326")
    plan.sites = plan.sites.assign(
        county_adcode=WEST, township_code=extra["township_code"][0], township_name="第0镇"
    )
    needs = pd.DataFrame(
        {
            "county_adcode": WEST,
            "township_code": extra["township_code"],
            "township_name": extra["township_name"],
            "households": extra["households"],
            "reach": extra["households"],
            "fixed": [i % 3 != 1 for i in range(n)],
            "reason": ["no_site" if i % 3 == 1 else "" for i in range(n)],
        }
    )
    plan.townships = township_layer(needs, plan.sites, plan.demand)
    plan.metrics |= township_figures(plan.townships, plan.counties, plan.sites)
    plan.metrics.update(households=float(plan.demand["households"].sum()), households_covered=0)
    return plan


def test_html_has_every_section_and_escapes_the_plans_texts():
    plan = small_plan()
    plan.provenance["area_name"] = "<script>alert(1)</script>"
    page = render_html(plan, lang="zh")
    for heading in ("概要", "规划图", "规划标准及依据", "分县区统计", "说明与局限", "数据来源"):
        assert f"<h2>{heading}</h2>" in page, heading
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "已证明为最优方案" in page
    assert "Census 2020: leiii/census" in page  # a Guangxi plan credits the reference data


def test_caveats_name_the_approximation_and_mobile_collection():
    plan = small_plan(cost_mode="straight_line")
    plan.metrics.update(households=750.0, households_covered=600.0)
    notes = caveats(plan, "en")
    assert notes[0].startswith("Note: this plan did not use a road network")
    assert any("mobile collection" in note for note in notes)
    assert any("150 households lie outside" in note for note in notes)


def test_still_map_is_a_picture_of_the_plan():
    png = render_png(small_plan(), lang="zh", width_in=4, dpi=80)
    assert png.startswith(b"\x89PNG")
    from io import BytesIO

    image = np.asarray(Image.open(BytesIO(png)).convert("L"))
    assert image.shape[1] == 320 and (image < 128).mean() > 0.001  # lines and points drawn


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    return write_report(many_townships(), path, lang="zh")


def test_pdf_pages_text_and_page_numbers(pdf):
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))
    assert pages >= 3
    text = _run("pdftotext", "-layout", str(pdf), "-")
    assert "梧州市 回收网络规划" in text and "分乡镇统计" in text and "第69镇" in text
    assert f"第 1 页，共 {pages} 页" in text and f"第 {pages} 页，共 {pages} 页" in text
    # The township table runs over a page break: its header comes again on the next page.
    by_page = text.split("\f")
    spanned = [i for i, page in enumerate(by_page) if "乡镇代码" in page]
    first, last = (min(i for i, p in enumerate(by_page) if "第0镇" in p),
                   max(i for i, p in enumerate(by_page) if "第69镇" in p))  # fmt: skip
    assert last > first and all(i in spanned for i in range(first, last + 1))


def test_pdf_embeds_a_cjk_font_and_draws_its_glyphs(pdf, tmp_path):
    fonts = _run("pdffonts", str(pdf))
    assert re.search(r"Noto-?Sans-?CJK.*yes\s+yes", fonts), fonts
    _run("pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    page = np.asarray(Image.open(next(tmp_path.glob("page*.png"))).convert("L"))
    height, width = page.shape
    # The title (Chinese) stands at the top left: ink there, on white paper elsewhere.
    title = page[int(0.05 * height) : int(0.12 * height), : width // 2]
    assert (title < 128).mean() > 0.02
    assert np.median(page) > 240
