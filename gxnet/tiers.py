"""The vocabulary of a recycling network: its tiers, and what a plan may do with a site.

Every module names a tier or a site status through these enums, never by its text. The values
are the planner's words as they appear in site lists, plan files and maps
(``recycling_point``, ``existing``); an enum member compares equal to its text, so tables read
from files match them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Tier(StrEnum):
    """A tier of Guangxi's "three-in-one" recycling system, from the residents upwards.

    Each tier's sites are reached from the level below it: recycling points from the demand
    (on foot, or by e-bike in villages), collection markets from the points, sorting centres
    from the markets (or from the points when a plan has no markets), processing bases from
    the centres, each by truck. Markets and bases are optional: a plan has them when its site
    list (or, for markets, its configuration) does.
    """

    #: Community recycling point (回收站点); capacity in households.
    RECYCLING_POINT = "recycling_point"
    #: Collection (distribution) market (集散市场) between points and centres; capacity in
    #: tonnes per day.
    COLLECTION_MARKET = "collection_market"
    #: Sorting centre (分拣中心, 中转站); capacity in tonnes per day.
    SORTING_CENTRE = "sorting_centre"
    #: Processing base (处理基地, such as an urban-mining base); capacity in tonnes per day.
    PROCESSING_BASE = "processing_base"

    @property
    def plural(self) -> str:
        """The tier's short plural (``points``, ``markets``, ``centres``, ``bases``): the name
        of its count target in :class:`gxnet.config.Targets` and of its count in a solution's
        metrics."""
        return _PLURALS[self]

    def below(self, present: Iterable[str] = ()) -> Tier | None:
        """The tier whose sites send their load to this one: the nearest tier below among
        ``present`` (default: every tier); None for the points, which the demand reaches."""
        present = set(present) or set(TIERS)
        position = TIERS.index(self)
        return (
            next((t for t in TIERS[position - 1 :: -1] if t in present), None) if position else None
        )

    @property
    def capacity_unit(self) -> str:
        """What a site's capacity counts: ``households`` for points, ``t/day`` above."""
        return "households" if self == Tier.RECYCLING_POINT else "t/day"


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
    Tier.COLLECTION_MARKET: "markets",
    Tier.SORTING_CENTRE: "centres",
    Tier.PROCESSING_BASE: "bases",
}

#: The columns of a table of travel pairs into each tier above the points: the site below and
#: the site of the tier (``point_id`` is a collection market's id in the pairs into the
#: sorting centres of a plan with markets).
LINK_COLUMNS: dict[Tier, tuple[str, str]] = {
    Tier.COLLECTION_MARKET: ("point_id", "market_id"),
    Tier.SORTING_CENTRE: ("point_id", "centre_id"),
    Tier.PROCESSING_BASE: ("centre_id", "base_id"),
}
