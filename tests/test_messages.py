"""The words of maps and reports: one table, and how good a plan is said in one place."""

from __future__ import annotations

import re

import pytest

from gxnet._messages import messages, model_words, status_words


def test_both_languages_have_every_message():
    assert messages("zh").keys() == messages("en").keys()


def test_only_a_proven_optimum_is_called_optimal():
    proven = {"status": "optimal", "gap": 0.0, "bound": 10.0, "sense": "min"}
    assert status_words(proven, "en") == "proven optimal"
    assert status_words(proven, "zh") == "已证明为最优方案"


def test_a_gap_is_said_with_its_bound_on_the_right_side():
    covering = {
        "status": "feasible",
        "gap": 0.0098,
        "bound": 635537.2,
        "sense": "max",
        "objective_name": "households covered",
    }
    said = status_words(covering, "en")
    assert said == "within 0.98 % of the best possible (at most: 635,537 households covered)"
    assert "0.98%" in status_words(covering, "zh") and "最多可达" in status_words(covering, "zh")
    fewest = {"status": "feasible", "gap": 0.034, "bound": 995.0, "sense": "min"}
    fewest["objective_name"] = "sites"
    assert status_words(fewest, "en") == "within 3.40 % of the best possible (at least: 995 sites)"


def test_tiers_solved_in_turn_are_said_each_and_a_cut_search_is_said():
    metrics = {
        "status": "feasible",
        "time_limited": True,
        "tiers": {
            "recycling_point": {"status": "optimal"},
            "sorting_centre": {"status": "feasible", "gap": 0.5, "bound": 13.0, "sense": "min"},
        },
    }
    said = status_words(metrics, "en")
    assert said.startswith("recycling point: proven optimal; sorting centre: within 50.00 %")
    assert said.endswith("a longer --time-limit may find a better plan")
    every = {"status": "optimal", "tiers": {"a": {"status": "optimal"}, "b": {"status": "optimal"}}}
    assert status_words(every, "en") == "proven optimal"


@pytest.mark.parametrize(
    ("metrics", "said"),
    [
        (
            {"status": "feasible", "gap": None, "bound": None},
            "a feasible plan (not proven optimal)",
        ),
        ({"status": "no solution"}, "no plan found"),
    ],
)
def test_a_plan_without_a_bound_or_without_a_plan(metrics, said):
    assert status_words(metrics, "en") == said


def test_every_model_name_a_plan_carries_is_said_in_chinese():
    from gxnet.optimize.capacitated import CapacitatedFacilityLocation
    from gxnet.optimize.coverage import LocationSetCovering, MaximalCovering
    from gxnet.optimize.median import PMedian
    from gxnet.optimize.network import TwoTierNetwork
    from gxnet.tiers import Tier

    names = [
        m.name
        for m in (
            LocationSetCovering,
            MaximalCovering,
            PMedian,
            CapacitatedFacilityLocation,
            TwoTierNetwork,
        )
    ]
    names += ["three-tier network"]
    # As the decomposition by tier composes them (gxnet.model_choice).
    hubs = [f"{t.plural} (capacitated, single source)" for t in Tier if t != Tier.RECYCLING_POINT]
    names += [", ".join(["maximal covering within the points' capacities (points)", *hubs])]
    names += ["maximal covering (points), set covering (centres)"]
    for name in names:
        said = model_words(name, "zh")
        assert not re.search("[A-Za-z]", said.replace("P 中位", "")), said
        assert model_words(name, "en") == name
    assert model_words(names[-1], "zh") == "最大覆盖（回收点）；集合覆盖（分拣中心）"
