"""Tests of gxnet.attributions: every source declared once, with the credit its licence asks."""

from __future__ import annotations

import pytest

from gxnet.attributions import ATTRIBUTIONS, REFERENCE_SOURCES, attribution_lines


def test_every_reference_source_is_credited_with_its_licence():
    lines = attribution_lines()
    assert len(lines) == len(REFERENCE_SOURCES) == 5
    for key, line in zip(REFERENCE_SOURCES, lines, strict=True):
        licence = ATTRIBUTIONS[key].licence.split()[0]  # "ODbL 1.0" is credited as ODbL
        assert licence in line, key
    assert any("© OpenStreetMap contributors" in line for line in lines)
    assert any("Vonng/adcode (CC BY 4.0)" in line for line in lines)


def test_unknown_source_is_a_key_error():
    with pytest.raises(KeyError):
        attribution_lines(["census", "worldpop"])
