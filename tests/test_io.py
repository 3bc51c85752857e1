"""Atomic writing: a failure of the disk, an error or Ctrl-C leaves the previous file intact."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from gxnet._errors import DiskFullError, OutputError, WriteError
from gxnet._io import atomic_path, write_text_atomic
from gxnet.osm.network import RoadNetwork


def _full_disk(tmp: Path) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_names_the_file_and_keeps_its_old_content(tmp_path, code) -> None:
    target = write_text_atomic(tmp_path / "plan.json", "old")
    with pytest.raises(DiskFullError) as caught, atomic_path(target) as tmp:
        tmp.write_text("half of the new")
        raise OSError(code, os.strerror(code), str(tmp))
    message = str(caught.value)
    assert message.startswith(f"cannot write {target}: the disk is full")
    assert "free some space" in message and caught.value.exit_code == 1
    assert target.read_text() == "old" and _leftovers(tmp_path) == []


def test_a_writer_that_fails_on_a_full_disk_is_one_error(tmp_path, monkeypatch) -> None:
    """numpy's savez writing a network cache, the disk full half-way."""
    path = tmp_path / "walk.npz"
    network = RoadNetwork(
        "walk", np.array([1, 2]), np.zeros(2), np.zeros(2), np.array([0], np.int32),
        np.array([1], np.int32), np.ones(1, np.float32), np.ones(1, np.float32),
    )  # fmt: skip
    network.save(path)
    before = path.read_bytes()

    def savez(file, **arrays) -> None:
        file.write(b"PK\x03\x04 a beginning")
        raise _full_disk(Path(file.name))

    monkeypatch.setattr(np, "savez", savez)
    with pytest.raises(DiskFullError, match=r"walk\.npz: the disk is full"):
        network.save(path)
    assert path.read_bytes() == before and _leftovers(tmp_path) == []


def test_an_error_of_another_file_is_not_taken_for_ours(tmp_path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "out.csv"):
        (tmp_path / "missing-input.csv").read_text()


def test_other_disk_failures_and_unwritable_places(tmp_path) -> None:
    out = tmp_path / "out.csv"
    with (
        pytest.raises(WriteError, match="out.csv: Input/output error") as caught,
        atomic_path(out) as tmp,
    ):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(tmp))
    assert not isinstance(caught.value, DiskFullError) and caught.value.exit_code == 1
    (tmp_path / "maps").write_text("a file")
    with pytest.raises(OutputError, match=r"maps is a file, not a folder; choose a writable"):
        write_text_atomic(tmp_path / "maps" / "city.html", "<html>")


def test_ctrl_c_while_writing_leaves_the_old_file(tmp_path) -> None:
    target = write_text_atomic(tmp_path / "sites.csv", "old")
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("new")
        raise KeyboardInterrupt
    assert target.read_text() == "old" and _leftovers(tmp_path) == []
