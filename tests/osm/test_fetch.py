"""fetch_city and `gxnet fetch`: source choice, the city PBF, the cache and its invalidation."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pytest
from click.testing import CliRunner
from shapely.geometry import Point, box

from gxnet import settings
from gxnet._errors import InputFileError, NetworkNotFetchedError, OsmFileError, UserInputError
from gxnet.cli import cli
from gxnet.osm import speeds
from gxnet.osm.fetch import (
    city_pbf,
    fetch_city,
    fetch_command,
    fetched_slug,
    load_network,
    network_path,
    read_area,
    refetch_command,
)
from gxnet.study_area import study_area

CITY = box(24.938, 60.166, 24.950, 60.177)
BUFFER_M = 150.0
EXTRACT = "guangxi-latest.osm.pbf"
DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def osm_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "osm"
    monkeypatch.setattr(settings, "osm_dir", folder)
    return folder


def _fetch(**kwargs) -> dict:
    return fetch_city(CITY, slug="hel", buffer_m=BUFFER_M, **kwargs)


def test_fetch_from_a_given_pbf_caches_every_mode_and_the_city_pbf(osm_dir, helsinki_pbf):
    networks = _fetch(pbf=helsinki_pbf)
    assert set(networks) == {"walk", "drive", "tricycle"}
    assert networks["walk"].n_nodes == 4666 and networks["drive"].n_nodes == 1385
    for mode, net in networks.items():
        cached = load_network("hel", mode)
        np.testing.assert_array_equal(cached.node_id, net.node_id)
        np.testing.assert_array_equal(cached.time_s, net.time_s)
        assert (
            cached.meta["cache_key"]["source_sha256"]
            == hashlib.sha256(helsinki_pbf.read_bytes()).hexdigest()
        )
    cut = city_pbf("hel")
    assert (
        cut == osm_dir / "hel" / "hel.osm.pbf" and cut.stat().st_size < helsinki_pbf.stat().st_size
    )
    assert json.loads((osm_dir / "hel" / "city.json").read_text())["buffer_m"] == BUFFER_M
    assert city_pbf("elsewhere") is None


def test_a_matching_cache_is_reused_and_any_other_input_rebuilds_it(
    osm_dir, helsinki_pbf, tmp_path, monkeypatch
) -> None:
    _fetch(pbf=helsinki_pbf)
    walk = network_path("hel", "walk")
    stamp = walk.stat().st_mtime_ns
    _fetch(pbf=helsinki_pbf)
    assert walk.stat().st_mtime_ns == stamp

    # Another buffer.
    wider = fetch_city(CITY, slug="hel", pbf=helsinki_pbf, buffer_m=300.0, modes=("walk",))
    assert wider["walk"].n_nodes > 4666 and load_network("hel", "walk").meta["buffer_m"] == 300.0

    # Other speeds: the table's version is part of the key.
    before = load_network("hel", "drive").meta["speed_table"]
    with monkeypatch.context() as patch:
        patch.setitem(speeds.DRIVE_KMH, "residential", 20.0)
        fetch_city(CITY, slug="hel", pbf=helsinki_pbf, buffer_m=BUFFER_M, modes=("drive",))
        changed = load_network("hel", "drive").meta["speed_table"]
        assert changed == speeds.speed_table_version() != before

    # Another PBF with the same roads (rewritten without a header): another hash, rebuilt.
    other = tmp_path / "other.osm.pbf"
    with osmium.SimpleWriter(str(other)) as writer:
        for obj in osmium.FileProcessor(str(helsinki_pbf)):
            writer.add(obj)
    stamp = walk.stat().st_mtime_ns
    rebuilt = fetch_city(CITY, slug="hel", pbf=other, buffer_m=BUFFER_M, modes=("walk",))
    assert walk.stat().st_mtime_ns != stamp
    assert (
        rebuilt["walk"].meta["cache_key"]["source_sha256"]
        == hashlib.sha256(other.read_bytes()).hexdigest()
    )
    assert rebuilt["walk"].n_nodes == 4666


def test_the_city_cut_is_kept_when_only_the_speeds_change(osm_dir, helsinki_pbf, monkeypatch):
    _fetch(pbf=helsinki_pbf, modes=("drive",))
    cut_stamp = city_pbf("hel").stat().st_mtime_ns
    net_stamp = network_path("hel", "drive").stat().st_mtime_ns
    monkeypatch.setitem(speeds.DRIVE_KMH, "residential", 20.0)
    _fetch(pbf=helsinki_pbf, modes=("drive",))
    assert network_path("hel", "drive").stat().st_mtime_ns != net_stamp
    assert city_pbf("hel").stat().st_mtime_ns == cut_stamp


def test_auto_uses_a_covering_pbf_in_the_osm_folder(osm_dir, helsinki_pbf, tmp_path) -> None:
    osm_dir.mkdir()
    shutil.copy(helsinki_pbf, osm_dir / "finland.osm.pbf")
    # A PBF elsewhere in the world is passed over.
    with osmium.SimpleWriter(str(osm_dir / "elsewhere.osm.pbf")) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(111.3, 23.5)))
    # A .part file is never read as a PBF.
    (osm_dir / f"{EXTRACT}.part").write_bytes(b"half a download")
    networks = _fetch(modes=("walk",))
    assert networks["walk"].meta["region_pbf"] == str(osm_dir / "finland.osm.pbf")


def test_auto_downloads_the_extract_when_nothing_local_covers_the_city(
    osm_dir, helsinki_pbf, osm_server, monkeypatch
) -> None:
    data = helsinki_pbf.read_bytes()
    osm_server.files[f"/{EXTRACT}"] = data
    osm_server.files[f"/{EXTRACT}.md5"] = f"{hashlib.md5(data).hexdigest()}  {EXTRACT}".encode()
    monkeypatch.setattr(settings, "extract_url", f"{osm_server.url}/{EXTRACT}")
    networks = _fetch(modes=("drive",))
    assert (osm_dir / EXTRACT).read_bytes() == data
    assert networks["drive"].n_nodes == 1385
    # The second city (or run) reuses the download.
    requests_before = len(osm_server.requests)
    fetch_city(CITY, slug="hel2", buffer_m=BUFFER_M, modes=("drive",), source="extract")
    assert len(osm_server.requests) == requests_before


def test_the_guangxi_extract_is_not_downloaded_for_an_area_outside_guangxi(osm_dir, waits):
    assert settings.extract_url == settings.GUANGXI_EXTRACT_URL
    with pytest.raises(UserInputError, match=r"lies outside Guangxi.*--pbf FILE.*EXTRACT_URL"):
        _fetch(modes=("walk",))
    assert not osm_dir.exists() and waits == []


def test_overpass_source_is_cached_by_server_and_area(osm_dir, overpass) -> None:
    first = _fetch(source="overpass", modes=("walk",))
    posts = [r for r in overpass.requests if r[0] == "POST"]
    assert first["walk"].n_nodes == 4666 and len(posts) == 1
    again = _fetch(source="overpass", modes=("walk",))
    assert len([r for r in overpass.requests if r[0] == "POST"]) == 1
    np.testing.assert_array_equal(again["walk"].node_id, first["walk"].node_id)
    assert load_network("hel", "walk").meta["cache_key"]["source"] == settings.overpass_url
    assert city_pbf("hel") is None  # Overpass gives no city PBF
    _fetch(source="overpass", modes=("walk",), refresh=True)
    assert len([r for r in overpass.requests if r[0] == "POST"]) == 2


def test_source_pbf_without_a_local_file_says_what_to_do(osm_dir) -> None:
    with pytest.raises(UserInputError, match=r"no \*\.osm\.pbf in .* covers the area.*--pbf"):
        _fetch(source="pbf")


def test_a_pbf_that_does_not_cover_the_city_is_refused_before_any_cut(osm_dir, helsinki_pbf):
    with pytest.raises(OsmFileError, match="does not cover"):
        fetch_city(box(111.2, 23.4, 111.4, 23.6), slug="wuzhou", pbf=helsinki_pbf)
    assert not (osm_dir / "wuzhou").exists()


def test_bad_arguments(helsinki_pbf, osm_dir) -> None:
    with pytest.raises(UserInputError, match="unknown source 'ftp'"):
        _fetch(source="ftp")
    with pytest.raises(UserInputError, match=r"unknown travel modes bike; choose from walk"):
        _fetch(pbf=helsinki_pbf, modes=("walk", "bike"))
    with pytest.raises(UserInputError, match="--pbf cannot be combined with --source overpass"):
        _fetch(pbf=helsinki_pbf, source="overpass")
    with pytest.raises(UserInputError, match="latin letters"):
        fetch_city(CITY, slug="梧州")


def test_load_network_names_the_command_when_nothing_was_fetched(osm_dir) -> None:
    with pytest.raises(NetworkNotFetchedError, match=r"run `gxnet fetch --city wuzhou`"):
        load_network("wuzhou", "walk")
    path = network_path("wuzhou", "walk")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a cache")
    with pytest.raises(InputFileError, match=r"walk\.npz.*damaged.*--refresh"):
        load_network("wuzhou", "walk")


def test_read_area(tmp_path) -> None:
    frame = gpd.GeoDataFrame(geometry=[CITY], crs="EPSG:4326").to_crs("EPSG:3067")
    frame.to_file(tmp_path / "area.gpkg")
    assert read_area(tmp_path / "area.gpkg").symmetric_difference(CITY).area < 1e-9
    gpd.GeoDataFrame(geometry=[Point(24.94, 60.17)], crs="EPSG:4326").to_file(tmp_path / "p.gpkg")
    with pytest.raises(InputFileError, match=r"p\.gpkg: the file holds no polygon"):
        read_area(tmp_path / "p.gpkg")
    (tmp_path / "junk.geojson").write_text("{")
    with pytest.raises(InputFileError, match="junk.geojson: cannot read"):
        read_area(tmp_path / "junk.geojson")


def test_cli_fetch_prints_each_mode_and_exits_by_error_kind(osm_dir, helsinki_pbf, tmp_path):
    area = tmp_path / "area.geojson"
    gpd.GeoDataFrame(geometry=[CITY], crs="EPSG:4326").to_file(area)
    runner = CliRunner()
    args = ["fetch", "--area", str(area), "--name", "hel", "--pbf", str(helsinki_pbf)]
    result = runner.invoke(cli, [*args, "--buffer", "150", "--modes", "walk,drive"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert "walk" in lines[0] and "4,666 nodes" in lines[0] and "dropped 173 nodes" in lines[0]
    assert str(osm_dir / "hel" / "drive.npz") in lines[1]

    result = runner.invoke(cli, ["fetch", "--city", "wuzhou", "--pbf", str(helsinki_pbf)])
    assert result.exit_code == 2 and "does not cover" in result.output

    result = runner.invoke(cli, ["fetch", "--city", "wuzhou", "--all"])
    assert result.exit_code == 2 and "exactly one of" in result.output


def test_cli_fetch_all_fetches_the_fourteen_cities(osm_dir, helsinki_pbf, monkeypatch) -> None:
    fetched = []
    sample = fetch_city(CITY, slug="hel", pbf=helsinki_pbf, buffer_m=BUFFER_M, modes=("walk",))

    def record(region, **kwargs):
        fetched.append((region.slug, kwargs["slug"], kwargs["modes"]))
        return sample

    monkeypatch.setattr("gxnet.osm.fetch.fetch_city", record)
    result = CliRunner().invoke(cli, ["fetch", "--all", "--modes", "walk"])
    assert result.exit_code == 0, result.output
    assert [f[0] for f in fetched][:4] == ["nanning", "liuzhou", "guilin", "wuzhou"]
    assert len(fetched) == 14 and all(f[0] == f[1] and f[2] == ("walk",) for f in fetched)
    assert len(result.output.splitlines()) == 14


def test_cli_fetch_without_internet_says_where_to_put_a_pbf(osm_dir, monkeypatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(settings, "extract_url", f"http://127.0.0.1:{port}/{EXTRACT}")
    monkeypatch.setattr(settings, "http_retries", 1)
    result = CliRunner().invoke(cli, ["fetch", "--city", "wuzhou"])
    assert result.exit_code == 1
    assert "no connection" in result.output and str(osm_dir) in result.output
    assert "--pbf FILE" in result.output
    assert not any(osm_dir.glob("*.osm.pbf"))


def test_a_fetched_area_is_found_by_its_polygon_whatever_its_name(osm_dir, helsinki_pbf):
    area_file = osm_dir.parent / "district.geojson"
    gpd.GeoDataFrame(geometry=[CITY], crs="EPSG:4326").to_file(area_file)
    fetch_city(area_file, slug="east", pbf=helsinki_pbf, buffer_m=BUFFER_M, modes=("walk",))
    record = json.loads((osm_dir / "east" / "area.json").read_text())
    assert record["area_file"] == str(area_file) and record["pbf"] == str(helsinki_pbf)
    # The same outline, read again (or drawn in a notebook), finds the cache; another does not.
    assert fetched_slug(read_area(area_file)) == "east" and fetched_slug(CITY) == "east"
    assert fetched_slug(box(24.94, 60.17, 24.95, 60.175)) is None
    # Fetched again as a polygon (a run with --pbf), the record keeps the file.
    fetch_city(CITY, slug="east", pbf=helsinki_pbf, buffer_m=BUFFER_M, modes=("walk",))
    assert refetch_command("east") == (
        f"gxnet fetch --area {area_file} --name east --pbf {helsinki_pbf} --refresh"
    )
    assert refetch_command("wuzhou") == "gxnet fetch --city wuzhou --refresh"
    (osm_dir / "east" / "walk.npz").unlink()
    with pytest.raises(NetworkNotFetchedError, match=rf"run `gxnet fetch --area {area_file} "):
        load_network("east", "walk")


def test_fetch_commands_quote_file_names_and_leave_the_extract_to_fill_in() -> None:
    assert fetch_command("wuzhou") == "gxnet fetch --city wuzhou"
    assert fetch_command(area="my areas/城东.geojson", name="east", refresh=True) == (
        "gxnet fetch --area 'my areas/城东.geojson' --name east --pbf EXTRACT.osm.pbf --refresh"
    )


def test_a_damaged_network_cache_is_rebuilt_by_fetch(osm_dir, helsinki_pbf) -> None:
    _fetch(pbf=helsinki_pbf, modes=("drive",))
    drive = network_path("hel", "drive")
    good = drive.read_bytes()
    drive.write_bytes(good[: len(good) // 2])  # a zip without its directory: BadZipFile
    with pytest.raises(InputFileError, match=r"drive\.npz: the cached road network is damaged"):
        load_network("hel", "drive")
    _fetch(pbf=helsinki_pbf, modes=("drive",))
    assert load_network("hel", "drive").n_nodes == 1385


def test_refresh_cuts_the_city_again_and_drops_the_features_cache(osm_dir, helsinki_pbf):
    from gxnet.osm.features import city_features, features_dir

    _fetch(pbf=helsinki_pbf, modes=("walk",))
    city_features("hel", CITY)
    (features_dir("hel") / "pois.parquet").write_bytes(b"PAR1")
    with pytest.raises(InputFileError, match=r"pois\.parquet: the cached OSM features are dam"):
        city_features("hel", CITY)
    cut = city_pbf("hel")
    cut.write_bytes(cut.read_bytes()[:1000])  # a truncated city cut

    _fetch(pbf=helsinki_pbf, modes=("walk",), refresh=True)
    assert not features_dir("hel").exists()
    features = city_features("hel", CITY)
    assert len(features.pois) > 0 and (features_dir("hel") / "pois.parquet").is_file()


def test_cli_fetch_of_a_place_outside_guangxi_says_to_use_an_area(osm_dir) -> None:
    result = CliRunner().invoke(cli, ["fetch", "--city", "helsinki"])
    assert result.exit_code == 2
    assert "no city or county named 'helsinki' in Guangxi" in result.output
    assert (
        "For a place outside Guangxi give its outline and an OSM extract covering it: "
        "`gxnet fetch --area AREA.geojson --name my-area --pbf EXTRACT.osm.pbf`"
    ) in result.output


def _optimize(area: Path) -> list[str]:
    """`gxnet optimize` of the Helsinki study area (demand and sites of tests/data), with
    --out last, for the caller to add the folder."""
    return [
        "optimize", "--area", str(area), "--demand", str(DATA / "helsinki_demand.csv"),
        "--sites", str(DATA / "helsinki_sites.csv"), "--service-radius-m", "500",
        "--coverage", "0.8", "--basemap", "none", "--out",
    ]  # fmt: skip


def test_optimize_area_finds_the_networks_fetched_for_it(osm_dir, helsinki_pbf, tmp_path):
    """The study-area loop: fetch once with --pbf, then plan without it."""
    area = DATA / "helsinki_area.geojson"
    slug = study_area(area).slug
    optimize = _optimize(area)
    runner = CliRunner()
    before = runner.invoke(cli, [*optimize, str(tmp_path / "before")])
    assert before.exit_code == 0, before.output
    assert (
        f"NOTE: no road network on disk: travel is estimated as straight-line distance x 1.3 "
        f"(detour factor); run `gxnet fetch --area {area} --name {slug} --pbf "
        "EXTRACT.osm.pbf` (or give --pbf FILE) for real road times"
    ) in before.stdout

    fetched = runner.invoke(
        cli, ["fetch", "--area", str(area), "--name", "hki", "--pbf", str(helsinki_pbf)]
    )
    assert fetched.exit_code == 0, fetched.output
    after = runner.invoke(cli, [*optimize, str(tmp_path / "after")])
    assert after.exit_code == 0, after.output
    assert "NOTE" not in after.stdout and "walk: 5,253 nodes, drive: 1,644 nodes" in after.stderr
    plan = json.loads((tmp_path / "after" / "plans" / slug / "plan.json").read_text())
    assert plan["provenance"]["cost_mode"] == {"walk": "road", "truck": "road"}
    assert plan["provenance"]["network_meta"]["walk"]["region_pbf"] == str(helsinki_pbf)


def test_optimize_name_picks_networks_fetched_for_another_outline(osm_dir, helsinki_pbf, tmp_path):
    area = read_area(DATA / "helsinki_area.geojson")
    fetch_city(area, slug="hki", pbf=helsinki_pbf, modes=("walk", "drive"))
    # The district redrew its outline a little: the hash differs, the name still finds the roads.
    redrawn = tmp_path / "redrawn.geojson"
    gpd.GeoDataFrame(geometry=[area.buffer(0.0003)], crs="EPSG:4326").to_file(redrawn)
    optimize = _optimize(redrawn)
    runner = CliRunner()
    named = runner.invoke(cli, [*optimize, str(tmp_path / "named"), "--name", "hki"])
    assert named.exit_code == 0, named.output
    assert (
        "gxnet: warning: the road networks 'hki' were fetched for another outline (a polygon): "
        "roads beyond it and its buffer are missing; fetch them for this outline: `gxnet fetch "
        f"--area FILE --name hki --pbf {helsinki_pbf} --refresh`"
    ) in named.stderr
    assert "walk: 5,253 nodes" in named.stderr and "NOTE" not in named.stdout
    unnamed = runner.invoke(cli, [*optimize, str(tmp_path / "unnamed")])
    assert unnamed.exit_code == 0 and "NOTE: no road network on disk" in unnamed.stdout
    missing = runner.invoke(cli, [*optimize, str(tmp_path / "missing"), "--name", "nowhere"])
    assert missing.exit_code == 2
    assert "no road networks named 'nowhere'" in missing.stderr
    assert "`gxnet fetch --area FILE --name nowhere --pbf EXTRACT.osm.pbf` first" in missing.stderr
