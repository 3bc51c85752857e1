"""The plan folder and its map as one unit: lock, staging, journal, recovery, clean-up."""

from __future__ import annotations

import json
import os

import pytest

from gxnet._errors import PlanBusyError
from gxnet.outputs import OutputUnit, load_plan
from gxnet.plan import Plan
from tests.test_report import small_plan


@pytest.fixture
def unit(tmp_path) -> OutputUnit:
    return OutputUnit.of("wanxiu", tmp_path)


def test_replace_writes_plan_and_map_and_records_the_map(unit):
    plan = small_plan()
    with unit.hold():
        unit.replace(plan, basemap="none")
    assert Plan.load(unit.folder).metrics == plan.metrics
    assert "<html" in unit.html.read_text(encoding="utf-8").lower()
    document = json.loads((unit.folder / "plan.json").read_text(encoding="utf-8"))
    assert document["map"] == os.path.join("..", "..", "maps", "wanxiu.html")
    assert OutputUnit.of_folder(unit.folder) == unit
    hidden = [p.name for p in unit.folder.parent.iterdir() if p.name.startswith(".")]
    assert hidden == [], "no lock, journal or staged copy is left"


def test_a_held_unit_refuses_a_second_holder_naming_the_first(unit):
    with unit.hold(), pytest.raises(PlanBusyError) as err, unit.hold():
        pass
    message = str(err.value)
    assert f"pid {os.getpid()}" in message and "--out" in message
    assert str(unit.folder) in message
    with unit.hold():  # released: held again
        pass


def test_a_lock_file_of_a_run_that_stopped_is_taken_over(unit):
    unit.lock_path.parent.mkdir(parents=True)
    record = {"pid": 999999, "host": "h", "started_utc": "t", "command": "gxnet optimize"}
    unit.lock_path.write_text(json.dumps(record), encoding="utf-8")
    said: list[str] = []
    with unit.hold(said.append):
        pass
    assert any("took over the lock" in line and "pid 999999" in line for line in said)


def test_a_journal_on_disk_is_completed_and_leftovers_removed(unit, tmp_path):
    plan = small_plan()
    with unit.hold():
        unit.replace(plan, basemap="none")
    # A run killed after its journal: the new plan staged, the old map still in place.
    staged = unit.folder.with_name(f".{unit.folder.name}.new-abc")
    staged.mkdir()
    plan.write_files(staged)
    staged_map = unit.html.with_name(f".{unit.html.stem}.new-abc.html")
    staged_map.write_text("the new map", encoding="utf-8")
    journal = {"token": "abc", "plan": [str(staged), str(unit.folder)], "map": None}
    journal["map"] = [str(staged_map), str(unit.html)]
    unit.journal_path.write_text(json.dumps(journal), encoding="utf-8")
    leftover = unit.folder.with_name(f".{unit.folder.name}.new-dead")
    leftover.mkdir()
    loaded = load_plan(unit.folder)  # a reader completes the switch
    assert loaded.metrics == plan.metrics
    assert unit.html.read_text(encoding="utf-8") == "the new map"
    assert not unit.journal_path.exists() and not staged.exists()
    with unit.hold():  # the next holder removes what a stopped run left
        pass
    assert not leftover.exists()
