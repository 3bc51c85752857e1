"""Candidate sites: a site list, OSM candidates, or grid candidates for the tier a list lacks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod

from gxnet._errors import InputFileError
from gxnet.candidates import candidate_sites, grid_hubs, grid_points
from gxnet.config import Config
from gxnet.demand import load_demand, read_demand
from gxnet.pipeline import optimize_city
from gxnet.sites import read_site_list
from gxnet.study_area import study_area
from gxnet.tiers import SiteStatus, Tier
from gxnet.townships import list_townships
from tests.helsinki import AREA, DEMAND, PBF
from tests.helsinki import CONFIG as HELSINKI
from tests.helsinki import DATA as TEST_DATA


@pytest.fixture(autouse=True, scope="module")
def _embedded_default(no_data_on_disk):
    """Every test here starts without site lists or OSM caches on disk."""


@pytest.fixture(scope="module")
def helsinki_demand() -> gpd.GeoDataFrame:
    return read_demand(DEMAND)


def test_grid_points_sit_at_every_demand_unit(helsinki_demand):
    points = grid_points(helsinki_demand, Config())
    assert len(points) == len(helsinki_demand)
    assert (points["tier"] == Tier.RECYCLING_POINT).all()
    assert (points["status"] == SiteStatus.CANDIDATE).all()
    assert list(points["site_id"]) == ["g-" + i for i in helsinki_demand["demand_id"]]
    assert points.geometry.geom_equals(helsinki_demand.geometry.reset_index(drop=True)).all()


def test_grid_centres_leave_every_unit_a_centre_within_the_truck_standard():
    # Demand spread evenly over a 60 km square: whichever unit is most populous in its block,
    # every unit has a centre candidate within the truck standard's straight-line reach.
    lon, lat = np.meshgrid(np.linspace(111.0, 111.6, 25), np.linspace(23.2, 23.75, 25))
    units = gpd.GeoDataFrame(
        {
            "demand_id": [f"d{k}" for k in range(lon.size)],
            "households": np.random.default_rng(1).integers(1, 100, lon.size),
        },
        geometry=gpd.points_from_xy(lon.ravel(), lat.ravel()),
        crs="EPSG:4326",
    )
    config = Config()
    centres = grid_hubs(units, config, Tier.SORTING_CENTRE)
    c = config.centres
    reach_m = c.truck_minutes * 60 * c.truck_speed_kmh / 3.6 / config.costs.detour_factor
    assert 1 < len(centres) < len(units)
    assert (centres["tier"] == Tier.SORTING_CENTRE).all()
    geod = Geod(ellps="WGS84")
    for point in units.geometry:
        _, _, metres = geod.inv(
            np.full(len(centres), point.x),
            np.full(len(centres), point.y),
            centres.geometry.x.to_numpy(),
            centres.geometry.y.to_numpy(),
        )
        assert metres.min() <= reach_m


def test_a_list_without_centres_gets_grid_centres(helsinki_demand, tmp_path):
    listed = tmp_path / "points_only.csv"
    rows = (TEST_DATA / "helsinki_sites.csv").read_text(encoding="utf-8").splitlines()
    listed.write_text("\n".join(r for r in rows if "sorting_centre" not in r), encoding="utf-8")
    usable = read_site_list(listed, boundary=study_area(AREA).boundary, slug="helsinki").sites
    sites, said = candidate_sites(
        study_area(AREA), helsinki_demand, HELSINKI, sites=usable, source=f"the list {listed}"
    )
    assert f"the list {listed}" in str(said) and "sorting-centre candidates" in str(said)
    assert (sites.loc[sites["tier"] == Tier.SORTING_CENTRE, "source"] == "grid").all()
    assert set(sites.loc[sites["tier"] == Tier.RECYCLING_POINT, "site_id"]) == {
        r.split(",")[0] for r in rows[1:] if "sorting_centre" not in r
    }


def test_rejected_site_rows_stop_the_run_unless_skipped():
    bad = TEST_DATA / "helsinki_sites_bad.csv"
    with pytest.raises(InputFileError) as err:
        optimize_city(AREA, sites=bad, demand=DEMAND, pbf=PBF, config=HELSINKI)
    text = str(err.value)
    assert "2 rows cannot be planned" in text and "row 12" in text and "row 13" in text
    assert "--skip-bad-rows" in text
    plan = optimize_city(
        AREA, sites=bad, demand=DEMAND, pbf=PBF, config=HELSINKI, skip_bad_rows=True
    )
    assert not {"P-nocoord", "P-far"} & set(plan.sites["site_id"])


def test_without_a_site_list_osm_proposes_the_candidates():
    plan = optimize_city(AREA, demand=DEMAND, pbf=PBF, config=HELSINKI)
    assert "OpenStreetMap" in plan.provenance["sites_source"]
    assert plan.chosen_points["source"].str.startswith("osm:").all()
    assert plan.metrics["coverage"] >= 0.8


def test_default_candidates_stand_at_township_seats_town_cells_and_highways():
    area = study_area("万秀区")
    demand = load_demand(area, Config())
    sites, said = candidate_sites(area, demand, Config())
    assert "township seats" in str(said) and "highway" in str(said)
    points = sites[sites["tier"] == Tier.RECYCLING_POINT]
    # A candidate at the seat of each of the county's ten townships, standing in it.
    seats = points[points["source"] == "township"].set_index("site_id")
    towns = list_townships("万秀区").set_index("township_code")
    assert set(seats.index) == {"t-" + code for code in towns.index}
    assert (seats["township_code"] == seats.index.str[2:]).all()
    assert (seats["township_name"] == towns.loc[seats.index.str[2:], "name_zh"].to_numpy()).all()
    assert seats.geometry.geom_equals(towns.geometry.loc[seats.index.str[2:]], align=False).all()
    # Town cells are the urban demand units; every other unit is a grid candidate.
    urban = demand.loc[demand["setting"] == "urban", "demand_id"]
    assert set(points.loc[points["source"] == "town", "site_id"]) == set("g-" + urban)
    assert (points["source"] != "grid").sum() == len(urban) + 10
    centres = sites[sites["tier"] == Tier.SORTING_CENTRE]
    assert set(centres["source"]) == {"county_seat", "highway", "grid"}
    seat = centres[centres["source"] == "county_seat"]
    assert list(seat["site_id"]) == ["c-seat-450403"] and seat["township_code"].iloc[0] != ""
    # Every site carries the county and township it stands in.
    assert (sites["county_adcode"] == 450403).all() and (sites["township_code"] != "").all()
