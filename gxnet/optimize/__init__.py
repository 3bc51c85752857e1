"""Facility-location models for recycling networks, on sparse cost pairs.

Build a :class:`Problem` from tables (demand, sites per tier, cost pairs within the cutoffs),
pick a model, and solve it with :class:`SolverOptions` (and, for a stage of several solves, one
:class:`TimeBudget` they all draw on); every model returns a :class:`Solution` whose status is
"optimal" only when the solver proved it.
"""

from gxnet.config import SOLVERS, SolverOptions, Targets
from gxnet.optimize.budget import TimeBudget
from gxnet.optimize.models import (
    CapacitatedFacilityLocation,
    LocationSetCovering,
    MaximalCovering,
    PMedian,
    TwoTierNetwork,
)
from gxnet.optimize.problem import Demand, Pairs, Problem, TierSites
from gxnet.optimize.solve import LocationModel, Solution, SolverRun, solve_pulp

__all__ = [
    "CapacitatedFacilityLocation",
    "TwoTierNetwork",
    "SOLVERS",
    "Demand",
    "LocationModel",
    "LocationSetCovering",
    "MaximalCovering",
    "PMedian",
    "Pairs",
    "Problem",
    "TierSites",
    "Solution",
    "SolverOptions",
    "SolverRun",
    "Targets",
    "TimeBudget",
    "solve_pulp",
]
