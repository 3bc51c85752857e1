"""Benchmarks of gxnet against its peers, the research code they run, and its tests."""
