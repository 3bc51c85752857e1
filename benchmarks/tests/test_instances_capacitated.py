"""Readers of the capacitated (OR-Library cap) and two-stage (tscflp) benchmark files."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.research.instances import read_cap, read_tscflp
from gxnet._errors import InputFileError

pytestmark = pytest.mark.bench

# Two warehouses, three customers, records wrapped across lines as OR-Library does.
TINY_CAP = """2 3
 10 100.
 capacity 200.
 4
 8.0 12.0 5 10.
 20. 6 3.0 9.0
"""


def test_read_cap_tiny_file_in_file_order(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text(TINY_CAP.replace("capacity", "15"))
    instance = read_cap(path)
    assert instance.capacity.tolist() == [10.0, 15.0]
    assert instance.fixed_cost.tolist() == [100.0, 200.0]
    assert instance.demand.tolist() == [4.0, 5.0, 6.0]
    assert instance.cost.tolist() == [[8.0, 12.0], [10.0, 20.0], [3.0, 9.0]]
    problem = instance.problem()
    # Pair costs are per unit of demand: weight x cost gives back the file's cost.
    pairs = problem.pairs["recycling_point"]
    total = problem.demand.weight[pairs.origin] * pairs.cost
    assert sorted(total.round(9)) == sorted(instance.cost.ravel())
    assert problem.sites["recycling_point"].capacity.tolist() == [10.0, 15.0]


def test_read_cap_substitutes_the_capacity_word(tmp_path):
    path = tmp_path / "capx.txt"
    path.write_text(TINY_CAP.replace(" 10 100.", " capacity 100."))
    with pytest.raises(InputFileError, match=r"capx.txt.*field 'capacity'.*capacity="):
        read_cap(path)
    assert read_cap(path, capacity=7000).capacity.tolist() == [7000.0, 7000.0]


def test_read_cap_refuses_short_and_wordy_files(tmp_path):
    short = tmp_path / "short.txt"
    short.write_text(TINY_CAP.replace("capacity", "15").rsplit("\n", 2)[0])
    with pytest.raises(InputFileError, match=r"short.txt.*11 tokens where m=2, n=3 need 15"):
        read_cap(short)
    wordy = tmp_path / "wordy.txt"
    wordy.write_text(TINY_CAP.replace("capacity", "15").replace("8.0", "eight"))
    with pytest.raises(InputFileError, match=r"wordy.txt.*not a numeric"):
        read_cap(wordy)


def test_read_cap_published_files(bench_dir):
    cap41 = read_cap(bench_dir / "cflp" / "cap41.txt")
    assert cap41.cost.shape == (50, 16)
    assert (cap41.capacity == 5000).all() and cap41.demand.sum() == 58268
    # cap71's capacities equal the total demand: the uncapacitated optimum needs nothing more.
    cap71 = read_cap(bench_dir / "cflp" / "cap71.txt")
    assert (cap71.capacity == cap71.demand.sum()).all()
    capa = read_cap(bench_dir / "cflp" / "capa.txt", capacity=8000)
    assert capa.cost.shape == (1000, 100) and (capa.capacity == 8000).all()


def test_read_tscflp_layout(tmp_path):
    # I=2 plants, J=3 satellites, K=2 customers.
    path = tmp_path / "ts.txt"
    path.write_text(
        "2 3 2\n5 6\n"  # header, demands
        "20 100\n30 200\n"  # plants: capacity fixed
        "1 2 3\n4 5 6\n"  # plant -> satellite unit costs (I x J)
        "7 70\n8 80\n9 90\n"  # satellites
        "11 12\n13 14\n15 16\n"  # satellite -> customer unit costs (J x K)
    )
    instance = read_tscflp(path)
    assert instance.demand.tolist() == [5.0, 6.0]
    assert instance.plant_capacity.tolist() == [20.0, 30.0]
    assert instance.plant_cost.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert instance.satellite_fixed_cost.tolist() == [70.0, 80.0, 90.0]
    assert instance.satellite_cost.tolist() == [[11, 12], [13, 14], [15, 16]]
    problem = instance.problem()
    assert problem.sites["recycling_point"].n == 3 and problem.sites["sorting_centre"].n == 2
    first = problem.pairs["recycling_point"].matrix(problem.pairs["recycling_point"].cost)
    assert first.toarray().tolist() == [[11, 13, 15], [12, 14, 16]]  # customer x satellite
    second = problem.pairs["sorting_centre"].matrix(problem.pairs["sorting_centre"].cost)
    assert second.toarray().tolist() == [[1, 4], [2, 5], [3, 6]]  # satellite x plant
    path.write_text(path.read_text().rsplit("\n", 2)[0])
    with pytest.raises(InputFileError, match=r"numbers where I=2, J=3, K=2 need 27"):
        read_tscflp(path)


def test_read_tscflp_published_file(bench_dir):
    instance = read_tscflp(bench_dir / "tscflp" / "PSC1-C1-50.txt")
    assert instance.plant_cost.shape == (50, 100)
    assert instance.satellite_cost.shape == (100, 200)
    assert instance.demand.sum() == 3008
    assert (instance.plant_capacity[0], instance.plant_fixed_cost[0]) == (298.0, 27022.0)
    assert np.isfinite(instance.problem().pairs["sorting_centre"].cost).all()
