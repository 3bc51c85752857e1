"""Research code that only the academic benchmarks run, kept beside them as evidence.

- :mod:`benchmarks.research.instances`: readers of the published instances in
  ``../shared/bench`` (OR-Library p-median, set covering and capacitated warehouse files,
  spopt's San Francisco case, the two-stage CFLP set) and a synthetic planning grid.
- :mod:`benchmarks.research.searched_network`: the split-flow network with a searched warm
  start (:mod:`~benchmarks.research.network_search`, whose candidate plans are priced as
  min-cost flows by :mod:`~benchmarks.research.min_cost_flow`).

``gxnet`` never imports this package; the benchmarks (``benchmarks/bench_optimize.py``) and
their tests (``benchmarks/tests``, run by ``make bench``) do.
"""
