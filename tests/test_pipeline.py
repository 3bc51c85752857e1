"""The whole pipeline: a real road network (Helsinki extract) and the embedded default (Wuzhou)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod

from gxnet._errors import InfeasibleProblemError, InputFileError, UnknownRegionError
from gxnet.config import Config
from gxnet.pipeline import optimize_city, resolve_plan, standard_points
from gxnet.plan import measure

TEST_DATA = Path(__file__).parent / "data"

AREA = TEST_DATA / "helsinki_area.geojson"
PBF = TEST_DATA / "helsinki.osm.pbf"
SITES = TEST_DATA / "helsinki_sites.csv"
DEMAND = TEST_DATA / "helsinki_demand.csv"
HELSINKI = Config().with_options(service_radius_m=500, coverage=0.8)


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


@pytest.fixture(scope="module")
def helsinki():
    return optimize_city(AREA, sites=SITES, demand=DEMAND, pbf=PBF, config=HELSINKI)


def test_road_network_path_end_to_end(helsinki):
    plan = helsinki
    assert plan.provenance["cost_mode"] == "road"
    assert not plan.provenance["note"]
    assert set(plan.provenance["inputs"]) == {"sites", "demand", "pbf"}
    assert len(plan.provenance["inputs"]["pbf"]["sha256"]) == 64
    walk_key = plan.provenance["network_meta"]["walk"]["cache_key"]
    assert walk_key["source_sha256"] == plan.provenance["inputs"]["pbf"]["sha256"]
    m = plan.metrics
    assert m["status"] == "optimal" and m["gap"] == 0.0
    assert m["households"] == 9720.0
    assert m["coverage"] >= 0.8
    # The existing site is kept, and every chosen point delivers to the one sorting centre.
    chosen = plan.chosen_points
    assert "P-station" in set(chosen["site_id"])
    assert set(plan.links["point_id"]) == set(chosen["site_id"])
    assert set(plan.links["centre_id"]) == {"C-depot"} and m["centres"] == 1
    # Figures are those of the layers.
    again = measure(plan.sites, plan.demand, plan.links)
    assert again["coverage"] == pytest.approx(m["coverage"])


def test_walk_distances_follow_the_roads(helsinki):
    demand = helsinki.demand[helsinki.demand["covered"]]
    assert (demand["metres"] <= 500 + 1e-6).all()
    sites = helsinki.sites.set_index("site_id").geometry
    to = sites.reindex(demand["point_id"])
    _, _, straight = Geod(ellps="WGS84").inv(
        demand.geometry.x.to_numpy(), demand.geometry.y.to_numpy(), to.x.to_numpy(), to.y.to_numpy()
    )
    # A road route is never shorter than the straight line, and here mostly longer.
    assert (demand["metres"].to_numpy() >= straight - 1.0).all()
    assert np.median(demand["metres"].to_numpy() / np.maximum(straight, 1.0)) > 1.05
    # Urban residents walk: time is distance at 4.5 km/h.
    assert np.allclose(demand["travel_s"], demand["metres"] / (4.5 / 3.6))


def test_unreachable_coverage_says_what_would_fix_it():
    strict = Config().with_options(service_radius_m=400, coverage=1.0)
    with pytest.raises(InfeasibleProblemError) as err:
        optimize_city(AREA, sites=SITES, demand=DEMAND, pbf=PBF, config=strict)
    text = str(err.value)
    assert "coverage target 100.0% cannot be met" in text
    assert "h07 (525 households" in text
    assert "raise --service-radius-m from 400 to" in text
    assert "lower --coverage to 0.848" in text


def test_rejected_site_rows_stop_the_run_unless_skipped():
    bad = TEST_DATA / "helsinki_sites_bad.csv"
    with pytest.raises(InputFileError) as err:
        optimize_city(AREA, sites=bad, demand=DEMAND, pbf=PBF, config=HELSINKI)
    text = str(err.value)
    assert "2 rows rejected" in text and "row 12" in text and "row 13" in text
    assert "--skip-bad-rows" in text
    plan = optimize_city(
        AREA, sites=bad, demand=DEMAND, pbf=PBF, config=HELSINKI, skip_bad_rows=True
    )
    assert not {"P-nocoord", "P-far"} & set(plan.sites["site_id"])


def test_area_outside_guangxi_needs_demand():
    with pytest.raises(InputFileError, match="no census: give --demand FILE"):
        optimize_city(AREA, sites=SITES, pbf=PBF, config=HELSINKI)


def test_unknown_city():
    with pytest.raises(UnknownRegionError):
        optimize_city("atlantis", config=HELSINKI)


def test_resolve_keeps_chosen_sites_and_reports_the_change(helsinki):
    new = resolve_plan(helsinki, TEST_DATA / "helsinki_sites_new.csv")
    assert new.provenance["cost_mode"] == "road", "the recorded extract is used again"
    before = set(helsinki.chosen_points["site_id"])
    kept = new.sites[new.sites["site_id"].isin(before)]
    assert kept["chosen"].all() and (kept["status"] == "existing").all()
    diff = helsinki.diff(new)
    assert diff.closed == []
    assert set(diff.opened) <= {"P-hakaniemi", "P-senaatti", "P-market", "P-kamppi", "P-kluuvi"}
    assert new.metrics["coverage"] >= helsinki.metrics["coverage"]
    assert new.provenance["standards"]["points"]["service_radius_m_urban"] == 500


def test_wuzhou_county_in_the_embedded_default():
    """No OSM data, no site list: census cells, grid candidates, straight line x detour."""
    plan = optimize_city("万秀区", config=Config().with_options(coverage=1.0))
    assert plan.provenance["cost_mode"] == "straight_line"
    assert "straight-line distance x 1.3" in plan.provenance["note"]
    assert "demand-cell centres" in plan.provenance["sites_source"]
    assert plan.metrics["households"] == 94521  # 2020 census, 万秀区
    assert plan.metrics["coverage"] == 1.0
    assert (plan.chosen_points["source"] == "grid").all()
    assert plan.metrics["centres"] >= 1
    assert list(plan.counties["adcode"]) == [450403]
    # Wanxiu's townships: its towns are urban (a point within the urban 1 km), its villages
    # rural (within 2.5 km); every unit carries its township.
    assert set(plan.demand["setting"]) == {"urban", "rural"}
    urban = plan.demand["setting"] == "urban"
    assert (plan.demand.loc[urban, "metres"] <= 1000 + 1e-6).all()
    assert (plan.demand["metres"] <= 2500 + 1e-6).all()
    assert plan.demand["township_code"].str.startswith("450403").all()
    assert plan.demand["township_code"].nunique() == 10


def test_without_targets_the_household_standard_sets_the_points():
    """Wanxiu's 94,521 households, urban ones at 2,000 and rural ones at 2,500 per point:
    46 points, most coverage."""
    plan = optimize_city("万秀区", config=Config())
    assert standard_points(plan.demand, Config().points) == 46
    assert len(plan.chosen_points) == 46
    assert plan.provenance["standards"]["targets"]["points"] == 46
    # 46 points reach most of the district's households within the standard, not all.
    assert 0.5 < plan.metrics["coverage"] < 1.0


def test_capacities_choose_both_tiers_in_one_model():
    plan = optimize_city(
        AREA,
        sites=TEST_DATA / "helsinki_sites_capacity.csv",
        demand=DEMAND,
        pbf=PBF,
        config=HELSINKI,
    )
    assert plan.metrics["model"] == "two-tier network"
    assert plan.metrics["coverage"] >= 0.8
    points = plan.chosen_points
    assert (points["households_served"] <= points["capacity"] + 1e-6).all()
    assert (points["points"] == 1).all()
    centre = plan.chosen_centres.iloc[0]
    assert centre["households_served"] == pytest.approx(points["households_served"].sum())
    # The centre's load is the recyclables of the households it serves, in tonnes per day.
    assert 0 < centre["load"] < centre["households_served"] / 1000


def test_a_number_of_centres_serves_every_point():
    plan = optimize_city("万秀区", config=Config().with_options(centres=2))
    assert plan.metrics["centres"] == 2
    assert "p-median (centres)" in plan.metrics["model"]
    assert set(plan.links["point_id"]) == set(plan.chosen_points["site_id"])
    assert (plan.links["travel_s"] <= 45 * 60).all()


def test_area_inside_guangxi_takes_its_share_of_the_census(tmp_path):
    """A district drawn by hand: the census of the counties it overlaps, cut to the area."""
    from shapely.geometry import box

    from gxnet.regions import get_county

    county = get_county("万秀区").boundary
    x, y = county.centroid.x, county.centroid.y
    area = county.intersection(box(x - 0.03, y - 0.03, x + 0.03, y + 0.03))
    path = tmp_path / "riverside.geojson"
    gpd.GeoDataFrame({"name": ["riverside"]}, geometry=[area], crs="EPSG:4326").to_file(path)
    plan = optimize_city(path, config=Config())
    assert plan.provenance["area_name"] == "riverside" and plan.slug == "riverside"
    assert 0 < plan.metrics["households"] < 94521
    assert set(plan.demand["county_adcode"]) == {450403}
    assert list(plan.counties["adcode"]) == [450403]
    assert plan.demand.geometry.within(area).all()


def test_without_a_site_list_osm_proposes_the_candidates():
    plan = optimize_city(AREA, demand=DEMAND, pbf=PBF, config=HELSINKI)
    assert "OpenStreetMap" in plan.provenance["sites_source"]
    assert plan.chosen_points["source"].str.startswith("osm:").all()
    assert plan.metrics["coverage"] >= 0.8
