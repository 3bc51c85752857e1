"""The vocabulary of a recycling network: its tiers, and what a plan may do with a site.

Every module names a tier or a site status through these enums, never by its text. The values
are the planner's words as they appear in site lists, plan files and maps
(``recycling_point``, ``existing``); an enum member compares equal to its text, so tables read
from files match them as they are.
"""

from __future__ import annotations

from enum import StrEnum


class Tier(StrEnum):
    """A tier of Guangxi's "three-in-one" recycling system, from the residents upwards.

    Each tier's sites are reached from the level below it: recycling points from the demand
    (on foot, or by e-bike in villages), sorting centres from the points (by truck),
    processing bases from the centres.
    """

    #: Community recycling point (回收站点); capacity in households.
    RECYCLING_POINT = "recycling_point"
    #: Sorting centre (分拣中心, 中转站); capacity in tonnes per day.
    SORTING_CENTRE = "sorting_centre"
    #: Processing base (处理基地, such as an urban-mining base); capacity in tonnes per day.
    PROCESSING_BASE = "processing_base"

    @property
    def plural(self) -> str:
        """The tier's short plural (``points``, ``centres``, ``bases``): the name of its count
        target in :class:`gxnet.config.Targets` and of its count in a solution's metrics."""
        return _PLURALS[self]

    @property
    def below(self) -> Tier | None:
        """The tier whose sites send their load to this one (None for the points, which the
        demand reaches)."""
        position = TIERS.index(self)
        return TIERS[position - 1] if position else None


class SiteStatus(StrEnum):
    """What a plan may do with a site."""

    #: The plan may open it or not.
    CANDIDATE = "candidate"
    #: Already built: always open.
    EXISTING = "existing"
    #: Not built yet, but the plan must open it.
    REQUIRED = "required"
    #: The plan must never open it.
    EXCLUDED = "excluded"


#: The tiers, from the residents upwards.
TIERS: tuple[Tier, ...] = tuple(Tier)
#: The site statuses.
STATUSES: tuple[SiteStatus, ...] = tuple(SiteStatus)
#: Statuses of the sites that are open in every plan.
KEPT: tuple[SiteStatus, ...] = (SiteStatus.EXISTING, SiteStatus.REQUIRED)

_PLURALS = {
    Tier.RECYCLING_POINT: "points",
    Tier.SORTING_CENTRE: "centres",
    Tier.PROCESSING_BASE: "bases",
}
