"""Fixtures of every test tree (``tests`` and ``benchmarks/tests``): the shared reference
material beside the checkout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
#: ../shared beside the checkout: benchmark instances with published optima, raw reference data.
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: CI clones the repo with ../shared beside it")
    return SHARED


@pytest.fixture(scope="session")
def bench_dir(shared_dir: Path) -> Path:
    return shared_dir / "bench"


@pytest.fixture(scope="session")
def cflp_optima(bench_dir: Path) -> dict[str, float]:
    """Published optima of the OR-Library capacitated warehouse instances, by instance name."""
    with (bench_dir / "cflp" / "optima.csv").open() as handle:
        return {row["instance"]: float(row["optimum"]) for row in csv.DictReader(handle)}
