"""All facility-location models in one place, one class each (the modules are by task).

Every model has ``from_problem(problem, ...)``, a spopt-style ``from_cost_matrix(...)`` for
dense NumPy input (sparsified on the way in), and ``.solve(options) -> Solution``.
"""

from gxnet.optimize.capacitated import CapacitatedFacilityLocation
from gxnet.optimize.coverage import LocationSetCovering, MaximalCovering
from gxnet.optimize.median import PMedian
from gxnet.optimize.network import TwoTierNetwork

__all__ = [
    "CapacitatedFacilityLocation",
    "LocationSetCovering",
    "MaximalCovering",
    "PMedian",
    "TwoTierNetwork",
]
