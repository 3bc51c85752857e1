"""Shared fixtures: where the shared reference material and the committed test data live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: ../shared beside the checkout: benchmark instances with published optima, raw reference data.
SHARED = REPO.parent / "shared"
TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: CI clones the repo with ../shared beside it")
    return SHARED


@pytest.fixture(scope="session")
def bench_dir(shared_dir: Path) -> Path:
    return shared_dir / "bench"


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """The committed real OSM extract of central Helsinki (ODbL, see tests/data/README.md)."""
    return TEST_DATA / "helsinki.osm.pbf"
