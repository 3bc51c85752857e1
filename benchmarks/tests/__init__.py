"""Tests of the research code in :mod:`benchmarks.research` (run by ``make bench``)."""
