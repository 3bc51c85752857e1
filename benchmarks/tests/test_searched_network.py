"""SearchedNetwork: the two-stage CFLP best known value, and the search's thread pool."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from benchmarks.research import network_search
from benchmarks.research.instances import read_tscflp
from benchmarks.research.searched_network import SearchedNetwork
from gxnet.config import SolverOptions
from gxnet.optimize.solve import quiet_highs, size_thread_pool
from tests.optimize.highs_pool import runs_with
from tests.optimize.test_network import _feasible_tiny, _tiny_network

pytestmark = pytest.mark.bench


def test_two_stage_cflp_reaches_the_best_known_value(bench_dir):
    # PSC1-C1-50: BKS 722,178, lower bound 721,209.6 (reference.csv). A 1e-4 gap lets HiGHS
    # stop once the plan is proven; the 60 s limit caps the kicks of the warm start at 15 s
    # (their share); the value found is the BKS.
    reference = pd.read_csv(bench_dir / "tscflp" / "reference.csv").set_index("instance")
    instance = read_tscflp(bench_dir / "tscflp" / "PSC1-C1-50.txt")
    model = SearchedNetwork.from_problem(instance.problem(), single_centre=False)
    solution = model.solve(SolverOptions(gap=1e-4, time_limit_s=60))
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(reference.loc["PSC1-C1-50", "bks"], rel=1e-6)
    assert solution.bound >= reference.loc["PSC1-C1-50", "lower_bound"]
    links = solution.assignments["sorting_centre"]
    points = solution.assignments["recycling_point"]
    # Everything the satellites collect goes on to the plants, within the plants' capacities.
    assert links["flow"].sum() == pytest.approx(instance.demand.sum(), rel=1e-9)
    assert points["flow"].sum() == pytest.approx(instance.demand.sum(), rel=1e-9)
    at_plant = links.groupby("site_id")["flow"].sum()
    assert (at_plant.to_numpy() <= instance.plant_capacity[at_plant.index] + 1e-6).all()
    assert set(links["site_id"]) <= set(solution.open_sites["sorting_centre"])


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to tell the sizes apart")
def test_the_search_keeps_to_the_solves_thread_count(monkeypatch):
    # The search's LPs and MIPs run before the solver: with threads=1 they too run on a pool
    # of one thread, where a run asking for one thread is accepted (on HiGHS's default pool
    # of two it fails).
    size_thread_pool(None)
    run_highs, pools = network_search.run_highs, []
    default = quiet_highs()
    default.addVar(0.0, 1.0)
    run_highs(default)  # HiGHS's pool at its default size, as an earlier solve leaves it

    def probe(h) -> None:
        pools.append(1 if runs_with(1) else "not 1")
        run_highs(h)

    monkeypatch.setattr(network_search, "run_highs", probe)
    model = _tiny_network(_feasible_tiny(0), single_centre=False, model=SearchedNetwork)
    model.solve(SolverOptions(threads=1, time_limit_s=20))
    assert pools and set(pools) == {1}
