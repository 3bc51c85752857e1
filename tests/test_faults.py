"""Faults as a planner meets them, through the real ``gxnet`` command in subprocesses.

Signals while the map is drawn, a run killed between the two renames of a commit, two runs
into one folder, damaged plan folders, and hostile text in every input a plan shows (checked
in headless Chromium: no script runs). Each asserts the exit code, a one-line message without
a traceback, and that the previous plan and map are intact.

Where a fault needs a moment to land in (the map stage), the subprocess widens it: the map
writer waits after saying "MAP-STAGE" on stderr. Everything else is the command as shipped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from gxnet.plan import Plan
from gxnet.study_area import study_area
from tests.helsinki import AREA, DEMAND, PBF, SITES

#: Markup that runs script wherever a page takes it as HTML.
HOSTILE = "<img src=x onerror=window.gxPwned=1>"

#: Code run before the command: ``slow-map`` holds the map stage open; ``kill-mid-commit``
#: dies (SIGKILL) after the plan folder is swapped and before the map is.
INJECT = {
    "slow-map": """
        import sys, time, gxnet.maps
        real = gxnet.maps.save_map
        def save_map(*args, **kwargs):
            print("MAP-STAGE", file=sys.stderr, flush=True)
            time.sleep(60)
            return real(*args, **kwargs)
        gxnet.maps.save_map = save_map
    """,
    "kill-mid-commit": """
        import os, signal
        from pathlib import Path
        from gxnet.outputs import OutputUnit
        def apply(self, journal):
            staged, final = (Path(p) for p in journal["plan"])
            os.replace(final, final.with_name(f".{final.name}.old-{journal['token']}"))
            os.replace(staged, final)
            os.kill(os.getpid(), signal.SIGKILL)
        OutputUnit._apply = apply
    """,
}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """No site lists or OSM caches of the machine; one OSM cache for the module's runs."""
    data = tmp_path_factory.mktemp("data")
    return {
        **os.environ,
        "GXNET_OSM_DIR": str(data / "osm"),
        "GXNET_SITES_DIR": str(data / "sites"),
        "PYTHONIOENCODING": "utf-8",
    }


def start(*args: object, env: dict, inject: str | None = None) -> subprocess.Popen:
    code = textwrap.dedent(INJECT[inject]) if inject else ""
    code += "\nfrom gxnet.__main__ import main\nmain()\n"
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def gxnet(*args: object, env: dict, inject: str | None = None) -> tuple[int, str, str]:
    process = start(*args, env=env, inject=inject)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def wait_for_map_stage(process: subprocess.Popen) -> list[str]:
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("MAP-STAGE"):
            return lines
    raise AssertionError("the run ended before its map stage:\n" + "".join(lines))


def one_line_error(err: str) -> str:
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("gxnet: error: "), err
    return last


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the outputs (hidden ones included), by path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[list[str], str]:
    """The Helsinki inputs with hostile text in every field a plan shows: an --area file named
    with markup, site names with markup and a formula, a site id with an escape sequence.
    Returns the arguments of `optimize` and the plan's folder name."""
    folder = tmp_path_factory.mktemp("hostile")
    area = folder / f"{HOSTILE}.geojson"
    shutil.copy(AREA, area)
    sites = pd.read_csv(SITES)
    sites["name"] = [f"{HOSTILE}{k}" for k in range(len(sites))]
    sites.loc[0, "name"] = '=HYPERLINK("http://x","y")'
    sites.loc[1, "id"] = "P-\x1b[2Jclear"
    sites.to_csv(folder / "sites.csv", index=False)
    args = ["--area", area, "--pbf", PBF, "--sites", folder / "sites.csv", "--demand", DEMAND]
    args += ["--service-radius-m", "500", "--coverage", "0.8", "--basemap", "none"]
    return [str(a) for a in args], study_area(area).slug


@pytest.fixture(scope="module")
def first(env, hostile, tmp_path_factory) -> tuple[Path, dict[str, bytes], str]:
    """The outputs of a first run (and what it printed), for the tests to copy and break."""
    out = tmp_path_factory.mktemp("first")
    code, printed, err = gxnet("optimize", *hostile[0], "--out", out, env=env)
    assert code == 0, err
    return out, snapshot(out), printed + err


@pytest.fixture
def outputs(first, tmp_path) -> Path:
    """A copy of the first run's outputs, for a test to break."""
    shutil.copytree(first[0], tmp_path / "out")
    return tmp_path / "out"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_map_is_drawn_keeps_plan_and_map(env, hostile, outputs, signum):
    args, slug = hostile
    before = snapshot(outputs)
    args = ["optimize", *args, "--coverage", "0.9", "--out", outputs]
    run = start(*args, env=env, inject="slow-map")
    wait_for_map_stage(run)
    staged = list((outputs / "plans").glob(f".{slug}.new-*"))
    assert staged, "the new plan waits beside the old one"
    if signum == signal.SIGTERM:
        # Meanwhile, a second run into the same folder is refused, naming the first.
        code, _, err = gxnet("map", outputs / "plans" / slug, "--basemap", "none", env=env)
        assert code == 2
        line = one_line_error(err)
        assert "is being written by another gxnet run" in line and f"pid {run.pid}" in line
    run.send_signal(signum)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 128 + signum
    line = one_line_error(err)
    assert f"stopped by {signal.Signals(signum).name}" in line and "unchanged" in line
    assert snapshot(outputs) == before, "the previous plan and map, and nothing else"


def test_a_run_killed_between_the_renames_is_completed_by_the_next(env, hostile, outputs):
    args, slug = hostile
    args = ["optimize", *args, "--coverage", "0.9", "--out", outputs]
    code, _, _ = gxnet(*args, env=env, inject="kill-mid-commit")
    assert code == -signal.SIGKILL
    plans, maps = outputs / "plans", outputs / "maps"
    assert (plans / f".{slug}.journal").is_file() and (plans / f".{slug}.lock").is_file()
    code, out, err = gxnet("map", plans / slug, "--basemap", "none", env=env)
    assert code == 0, err
    assert "took over the lock of an earlier run that stopped (pid" in err
    assert "completed the switch" in err
    plan = Plan.load(plans / slug)
    assert plan.provenance["standards"]["targets"]["coverage"] == 0.9, "the new plan"
    assert out.strip() == str(maps / f"{slug}.html")
    leftovers = [p.name for d in (plans, maps) for p in d.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


#: Damage to a plan folder, the verb that meets it, and what its message says (more kinds of
#: damage are read in one process in tests/test_plan.py).
DAMAGE = {
    "plan.json truncated": ("report", "plan.json", "damaged plan file (not JSON"),
    "a layer truncated": ("resolve", "sites.parquet", "damaged layer file"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_plan_folder_is_one_line_naming_the_file(env, hostile, outputs, damage):
    verb, name, said = DAMAGE[damage]
    folder = outputs / "plans" / hostile[1]
    _truncate(folder / name)
    before = snapshot(outputs)
    extra = ["--sites", SITES] if verb == "resolve" else []
    code, _, err = gxnet(verb, folder, *extra, env=env)
    assert code == 2
    line = one_line_error(err)
    assert str(folder / name) in line and said in line and "gxnet optimize" in line
    assert snapshot(outputs) == before


#: Clicks every feature of a map, which writes its popup (nothing on a page without a map).
OPEN_POPUPS = """
var element = document.querySelector('.folium-map'), map = element && window[element.id];
if (map) map.eachLayer(function (l) {
  if (l.getPopup && l.getPopup()) { l.openPopup(); return; }
  if (l.feature) l.fire('click', {latlng: l.getLatLng ? l.getLatLng() : l.getCenter()}, true);
});
"""


def test_hostile_text_stays_text_in_the_map_report_and_tables(env, hostile, first, tmp_path):
    from benchmarks.chromium import chromium, chromium_missing, visit

    out, _, printed = first
    slug = hostile[1]
    assert "\x1b" not in printed
    assert "<" not in slug and "/" not in slug and slug.startswith("img-src-x-onerror-window")
    folder = out / "plans" / slug
    # The workbook's tables as CSV, in the run's language (English here): chosen sites and
    # the candidates not chosen.
    table = pd.concat(
        pd.read_csv(folder / name, encoding="utf-8-sig", dtype=str)
        for name in ("sites.csv", "candidates.csv")
    )
    assert '\'=HYPERLINK("http://x","y")' in set(table["Name"])
    assert not table["Name"].str.match(r"^[=+\-@]").any()
    report = tmp_path / "report.html"
    code, _, err = gxnet("report", folder, "--format", "html", "--out", report, env=env)
    assert code == 0, err
    if os.environ.get("GXNET_SKIP_BROWSER") == "1":
        pytest.skip("GXNET_SKIP_BROWSER=1")
    assert chromium_missing() is None, chromium_missing()
    with chromium() as driver:
        for page in (out / "maps" / f"{slug}.html", report):
            seen = visit(driver, page.as_uri())
            # Open every site's popup: names and addresses are shown there.
            driver.execute_script(OPEN_POPUPS)
            time.sleep(0.2)
            assert driver.execute_script("return window.gxPwned === undefined")
            assert HOSTILE in driver.execute_script("return document.body.innerText"), page
            assert seen.console_errors == [], page
