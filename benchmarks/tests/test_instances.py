"""Benchmark readers: Beasley's last-value rule, shortest paths, token streams, SF pivot."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.research.instances import read_pmed, read_scp, read_spopt_sf
from gxnet._errors import InputFileError

pytestmark = pytest.mark.bench


def test_pmed_last_value_wins_and_paths_are_shortest(tmp_path):
    # Edge 1-2 appears twice, the second time reversed: its last value 9 counts (the minimum,
    # 2, would make d(1, 2) = 2), so the shortest path 1-4-3-2 of 6 wins.
    path = tmp_path / "tiny.txt"
    path.write_text(" 4 5 2\n 1 2 2\n 2 3 1\n 3 4 1\n 2 1 9\n 1 4\n 4\n")
    instance = read_pmed(path)
    assert (instance.name, instance.n, instance.p) == ("tiny", 4, 2)
    assert instance.cost.tolist() == [
        [0, 6, 5, 4],
        [6, 0, 1, 2],
        [5, 1, 0, 1],
        [4, 2, 1, 0],
    ]
    problem = instance.problem()
    assert problem.targets.points == 2
    assert problem.pairs["recycling_point"].n == 16


def test_pmed1_matches_beasley(bench_dir):
    instance = read_pmed(bench_dir / "pmed" / "pmed1.txt")
    assert (instance.n, instance.p) == (100, 5)
    assert np.array_equal(instance.cost, instance.cost.T)
    assert (np.diag(instance.cost) == 0).all()
    # pmed1's first edges (1-2: 30, 2-3: 46) bound the path 1-2-3.
    assert instance.cost[0, 1] <= 30
    assert instance.cost[0, 2] <= instance.cost[0, 1] + instance.cost[1, 2]


def test_pmed_errors(tmp_path):
    truncated = tmp_path / "cut.txt"
    truncated.write_text("4 3 2\n1 2 5\n2 3\n")
    with pytest.raises(InputFileError, match=r"cut.txt: truncated: 5 numbers after the header"):
        read_pmed(truncated)
    outside = tmp_path / "outside.txt"
    outside.write_text("2 1 1\n1 3 5\n")
    with pytest.raises(InputFileError, match=r"edge endpoints outside 1..2"):
        read_pmed(outside)
    apart = tmp_path / "apart.txt"
    apart.write_text("3 1 1\n1 2 5\n")
    with pytest.raises(InputFileError, match="not connected"):
        read_pmed(apart)
    words = tmp_path / "words.txt"
    words.write_text("n edges p\n")
    with pytest.raises(InputFileError, match="words.txt: not a numeric instance file"):
        read_pmed(words)


def test_scp_token_stream(tmp_path):
    path = tmp_path / "scp.txt"
    # Records wrap across lines freely: parse tokens, not lines.
    path.write_text("3 4\n 5 1 1\n 2\n 2 1\n 2 3 3 4\n 1\n 1 4\n")
    instance = read_scp(path)
    assert instance.column_cost.tolist() == [5, 1, 1, 2]
    assert instance.row.tolist() == [0, 0, 1, 1, 1, 2]
    assert instance.column.tolist() == [0, 1, 2, 3, 0, 3]
    problem = instance.problem()
    assert problem.sites["recycling_point"].fixed_cost.tolist() == [5, 1, 1, 2]
    bad = tmp_path / "bad.txt"
    bad.write_text("2 2\n 1 1\n 1 3\n 1 1\n")
    with pytest.raises(InputFileError, match=r"row 1: column ids outside 1..2"):
        read_scp(bad)
    short = tmp_path / "short.txt"
    short.write_text("2 2\n 1 1\n 1 1\n")
    with pytest.raises(InputFileError, match="truncated at row 2 of 2"):
        read_scp(short)


def test_scp41_shape(bench_dir):
    instance = read_scp(bench_dir / "scp" / "scp41.txt")
    assert (instance.n_rows, len(instance.column_cost)) == (200, 1000)
    assert np.bincount(instance.row).min() >= 1


def test_spopt_san_francisco(bench_dir):
    sf = read_spopt_sf(bench_dir / "spopt_sf")
    assert sf.cost.shape == (205, 16)
    assert sf.weights.sum() == 955_113
    # Stores in name order as spopt pivots them (there is no Store_8, 9 or 10).
    assert list(sf.store_ids[:3]) == ["Store_1", "Store_11", "Store_12"]
    assert list(sf.tract_ids) == sorted(sf.tract_ids)
    problem = sf.problem(5000)
    pairs = problem.pairs["recycling_point"]
    assert pairs.n == int((sf.cost <= 5000).sum())
    assert problem.demand.ids[0] == sf.tract_ids[0]
