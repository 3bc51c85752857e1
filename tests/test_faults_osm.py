"""Faults on the OSM and start-up side, through the real command (``python -m gxnet``) in a
subprocess: bad environment values, Ctrl-C at start-up and during a download, a trickling
server, a full disk, damaged caches. Each ends in one line and an exit code, never a traceback,
and leaves what was written before intact."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
AREA = DATA / "helsinki_area.geojson"
PBF = DATA / "helsinki.osm.pbf"
EXTRACT = "guangxi-latest.osm.pbf"
FETCH_AREA = ["fetch", "--area", str(AREA), "--name", "hel"]
OPTIMIZE_AREA = [
    "optimize", "--area", str(AREA),
    "--demand", str(DATA / "helsinki_demand.csv"),
    "--sites", str(DATA / "helsinki_sites.csv"),
    "--service-radius-m", "500", "--coverage", "0.8", "--basemap", "none",
]  # fmt: skip


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GXNET_")}
    env.update(GXNET_OSM_DIR=str(tmp_path / "osm"), GXNET_SITES_DIR=str(tmp_path / "sites"))
    env.update(GXNET_LANG="en")  # these tests read the English lines
    return env | extra


def gxnet(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gxnet", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one error line the command ended on (progress lines may come before it)."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("gxnet: error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], result.stderr
    return errors[0]


def _check_environment(tmp_path: Path, name: str, value: str) -> subprocess.CompletedProcess:
    """The start-up check alone, in a fresh interpreter that imports only the settings."""
    code = "from gxnet import settings, _errors\ntry:\n    settings.check_environment()\n"
    code += "except _errors.SettingsError as exc:\n    _errors.exit_on(exc)\n"
    return subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp_path, **{name: value}), capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("GXNET_HTTP_TIMEOUT_S", "abc", "is not a number of seconds (above 0)"),
        ("GXNET_HTTP_RETRIES", "-1", "is not a number of attempts (a whole number, at least 1)"),
        ("GXNET_OSM_DIR", "{file}", "is a file, not a folder"),
    ],
)
def test_a_bad_environment_value_is_one_line_naming_the_variable(tmp_path, name, value, said):
    (tmp_path / "a-file").write_text("")
    value = value.format(file=tmp_path / "a-file")
    result = gxnet(tmp_path, *FETCH_AREA, "--pbf", str(PBF), **{name: value})
    assert result.returncode == 2
    line = error_line(result)
    assert line.startswith(f"gxnet: error: environment variable {name}={value!r} {said}")
    assert line.endswith("unset it")
    assert not (tmp_path / "osm").exists()


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("GXNET_HTTP_BACKOFF_S", "-2", "is not a number of seconds (at least 0)"),
        ("GXNET_HTTP_TIMEOUT_S", "inf", "is not a number of seconds (above 0)"),
        (
            "GXNET_EXTRACT_URL",
            "ftp://mirror/guangxi.osm.pbf",
            "is not an address starting with http",
        ),
        ("GXNET_REFERENCE_DIR", "{missing}", "does not exist"),
        ("GXNET_PLANS_DIR", "{file}", "is a file, not a folder"),
        ("GXNET_DOWNLOAD_MIN_RATE_BPS", "-1", "is not a number of bytes per second (at least 0)"),
        ("GXNET_TRUCK_HEIGHT_M", "tall", "is not a height in metres (above 0)"),
    ],
)
def test_every_kind_of_environment_value_is_checked(tmp_path, name, value, said):
    (tmp_path / "a-file").write_text("")
    value = value.format(file=tmp_path / "a-file", missing=tmp_path / "missing")
    result = _check_environment(tmp_path, name, value)
    assert result.returncode == 2
    assert error_line(result).startswith(
        f"gxnet: error: environment variable {name}={value!r} {said}"
    )


# Sends SIGINT to the process while it imports the command line's modules (pandas, geopandas,
# the pipeline): a Ctrl-C during start-up.
_CTRL_C_AT_START_UP = """
import os, signal, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "gxnet.pipeline":
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["gxnet", "cities"]
from gxnet.__main__ import main
main()
"""


def test_ctrl_c_at_start_up_is_one_line_and_exit_130(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CTRL_C_AT_START_UP],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 130
    assert error_line(result).startswith("gxnet: error: interrupted (Ctrl-C)")
    assert result.stdout == ""


@pytest.fixture
def extract_server(osm_server):
    """The Helsinki extract served as the region extract, with its MD5."""
    data = PBF.read_bytes()
    osm_server.files[f"/{EXTRACT}"] = data
    osm_server.files[f"/{EXTRACT}.md5"] = f"{hashlib.md5(data).hexdigest()}  {EXTRACT}".encode()
    osm_server.extract_url = f"{osm_server.url}/{EXTRACT}"
    return osm_server


def _wait_for_bytes(path: Path, proc: subprocess.Popen) -> int:
    """Wait (a guard, not a measure: generous) until a running download has written bytes."""
    for _ in range(1200):
        if path.exists() and path.stat().st_size > 0:
            return path.stat().st_size
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never received a byte")


def test_ctrl_c_during_a_download_keeps_the_part_file_and_the_next_run_resumes(
    tmp_path, extract_server
) -> None:
    extract_server.script[f"/{EXTRACT}"] = ["trickle"]
    extract_server.trickle_s = 0.05
    env = _env(tmp_path, GXNET_EXTRACT_URL=extract_server.extract_url)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gxnet", *FETCH_AREA, "--source", "extract"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    part = tmp_path / "osm" / f"{EXTRACT}.part"
    _wait_for_bytes(part, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert result.returncode == 130
    assert ".part file and resumes" in error_line(result)
    kept = part.stat().st_size
    assert kept > 0 and not (tmp_path / "osm" / EXTRACT).exists()

    again = gxnet(tmp_path, *FETCH_AREA, "--source", "extract", GXNET_EXTRACT_URL=env[
        "GXNET_EXTRACT_URL"])  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "osm" / EXTRACT).read_bytes() == PBF.read_bytes()
    ranges = [r for _, p, r in extract_server.requests if p == f"/{EXTRACT}"]
    assert ranges[-1] == f"bytes={kept}-"


def test_a_server_trickling_a_byte_every_2_s_meets_the_deadline(tmp_path, extract_server):
    extract_server.script[f"/{EXTRACT}"] = ["trickle"]
    extract_server.trickle_s = 2.0
    result = gxnet(
        tmp_path, *FETCH_AREA, "--source", "extract",
        GXNET_EXTRACT_URL=extract_server.extract_url, GXNET_DOWNLOAD_DEADLINE_S="3",
    )  # fmt: skip
    assert result.returncode == 1
    line = error_line(result)
    assert "took longer than the deadline of 3 s" in line and "GXNET_DOWNLOAD_DEADLINE_S" in line
    assert f"{EXTRACT}.part keeps the" in line and "next run resumes" in line
    assert (tmp_path / "osm" / f"{EXTRACT}.part").stat().st_size > 0


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


# Inside a private mount namespace: the OSM folder is a small tmpfs. A first fetch fits; then a
# filler takes the rest of the space and the second fetch (--refresh) finds the disk full.
_FULL_DISK = """
set -u
mount -t tmpfs -o size=6m tmpfs "$GXNET_OSM_DIR"
"$PYTHON" -m gxnet fetch --area "$AREA" --name hel --pbf "$PBF" >/dev/null || exit 90
(cd "$GXNET_OSM_DIR/hel" && sha256sum *.npz *.pbf *.json) > "$HOME_DIR/before"
head -c 100000000 /dev/zero > "$GXNET_OSM_DIR/filler" 2>/dev/null
"$PYTHON" -m gxnet fetch --area "$AREA" --name hel --pbf "$PBF" --refresh 2> "$HOME_DIR/err"
echo $? > "$HOME_DIR/rc"
(cd "$GXNET_OSM_DIR/hel" && sha256sum -c --quiet "$HOME_DIR/before") || exit 91
ls -a "$GXNET_OSM_DIR/hel" > "$HOME_DIR/files"
"""


@pytest.mark.skipif(not _unshare_works(), reason="no private mount namespace for a tmpfs here")
def test_a_full_disk_is_one_line_naming_the_file_and_keeps_the_cache(tmp_path) -> None:
    osm = tmp_path / "osm"
    osm.mkdir()
    env = _env(tmp_path, PYTHON=sys.executable, AREA=str(AREA), PBF=str(PBF))
    env["HOME_DIR"] = str(tmp_path)
    script = subprocess.run(
        ["unshare", "-rm", "sh", "-c", _FULL_DISK], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert script.returncode == 0, script.stdout + script.stderr
    result = subprocess.CompletedProcess(
        [], int((tmp_path / "rc").read_text()), "", (tmp_path / "err").read_text()
    )
    assert result.returncode == 1
    line = error_line(result)
    assert f"cannot write {osm}/hel/" in line and "the disk is full" in line
    assert "free some space" in line
    # No temporary file is left beside the cache.
    assert sorted((tmp_path / "files").read_text().split()) == [
        ".", "..", "area.json", "city.json", "drive.npz", "hel.osm.pbf", "tricycle.npz",
        "walk.npz",
    ]  # fmt: skip


def _run_quoted(tmp_path: Path, command: str) -> subprocess.CompletedProcess:
    """Run a `gxnet ...` command quoted in a message, as a planner would paste it."""
    words = shlex.split(command)
    assert words[0] == "gxnet"
    return gxnet(tmp_path, *words[1:])


def test_a_truncated_network_cache_names_the_file_and_fetch_refresh_repairs_it(
    tmp_path, monkeypatch
):
    from gxnet import settings
    from gxnet.osm.fetch import fetch_city

    monkeypatch.setattr(settings, "osm_dir", tmp_path / "osm")
    fetch_city(AREA, slug="hel", pbf=PBF)
    walk = tmp_path / "osm" / "hel" / "walk.npz"
    walk.write_bytes(walk.read_bytes()[: walk.stat().st_size // 3])

    result = gxnet(tmp_path, *OPTIMIZE_AREA, "--out", "out")
    assert result.returncode == 2
    line = error_line(result)
    assert line.startswith(f"gxnet: error: {walk}: the cached road network is damaged")
    command = line.split("`")[1]
    assert command == (f"gxnet fetch --area {AREA} --name hel --pbf {PBF} --refresh")

    assert _run_quoted(tmp_path, command).returncode == 0
    again = gxnet(tmp_path, *OPTIMIZE_AREA, "--out", "out")
    assert again.returncode == 0, again.stderr
    assert "walk: 5,253 nodes" in again.stderr


def test_a_damaged_features_cache_names_the_file_and_the_command(tmp_path) -> None:
    from gxnet.osm.features import read_features

    features = tmp_path / "osm" / "wuzhou" / "features"
    read_features(PBF).save(features)
    (features / "buildings.parquet").write_bytes(b"PAR1 and then nothing")
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lon,lat,tier\nA,111.30,23.48,point\n", encoding="utf-8")

    result = gxnet(tmp_path, "sites", "check", str(sites), "--city", "wuzhou")
    assert result.returncode == 2
    line = error_line(result)
    assert line.startswith(
        f"gxnet: error: {features / 'buildings.parquet'}: the cached OSM features are damaged ("
    )
    assert line.endswith("rebuild it: `gxnet fetch --city wuzhou --refresh`")
