"""Faults on the OSM and start-up side, through the real command (``python -m gxnet``) in a
subprocess: bad environment values, Ctrl-C at start-up, a full disk. Each ends in one line and an
exit code, never a traceback, and leaves what was written before intact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
AREA = DATA / "helsinki_area.geojson"
PBF = DATA / "helsinki.osm.pbf"
FETCH_AREA = ["fetch", "--area", str(AREA), "--name", "hel"]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GXNET_")}
    env.update(GXNET_OSM_DIR=str(tmp_path / "osm"), GXNET_SITES_DIR=str(tmp_path / "sites"))
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
        ("GXNET_EXTRACT_URL", "ftp://mirror/guangxi.osm.pbf", "is not an http:// or https://"),
        ("GXNET_REFERENCE_DIR", "{missing}", "does not exist"),
        ("GXNET_PLANS_DIR", "{file}", "is a file, not a folder"),
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
        ".", "..", "city.json", "drive.npz", "hel.osm.pbf", "tricycle.npz",
        "walk.npz",
    ]  # fmt: skip
