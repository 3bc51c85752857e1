"""Planning standards: the numbers a plan rests on, with their sources.

Paths and URLs are in :mod:`gxnet.settings`; this module holds the standards a planner may
argue about (rates, thresholds). Each default is cited in ``docs/demand-and-sites.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemandStandards:
    """How census people become demand on the map.

    Attributes
    ----------
    recyclables_kg_per_person_day_urban, recyclables_kg_per_person_day_rural
        Recyclables (paper, plastic, metal, glass, textiles, e-waste) a resident puts out per
        day. Urban: China's cities cleared 235.12 Mt of household waste in 2020 (MOHURD, 2020
        Urban-Rural Construction Statistical Yearbook); over the census urban population
        (901.99 M) that is 0.71 kg/person/day, and a 30 % recyclable share (below the 35 %
        recovery target of the 2017 national sorting plan) gives 0.21 kg. Rural: an assumed
        0.55 kg/person/day at about 22 % recyclables, 0.12 kg. Replace both with local survey
        figures where a city has them (see docs/demand-and-sites.md).
    residential_building_weight
        Weight of a residential building's footprint against any other building's: a shop or
        office footprint is evidence of people nearby, a flat block more so.
    household_size
        Persons per family household when a demand file gives only one of the two: Guangxi's
        2020 census figure (2.87 persons per family household).
    place_weight
        Evidence weight of one place node (village, hamlet, ...) in square metres of
        residential footprint, so that place nodes and footprints add up.
    """

    recyclables_kg_per_person_day_urban: float = 0.21
    recyclables_kg_per_person_day_rural: float = 0.12
    residential_building_weight: float = 3.0
    place_weight: float = 2000.0
    household_size: float = 2.87


@dataclass(frozen=True)
class SiteStandards:
    """Checks applied to a planner's site list.

    Attributes
    ----------
    duplicate_distance_m
        Two sites closer than this are the same site entered twice.
    max_snap_distance_m
        A site farther than this from every road node cannot be reached and is flagged.
    crs_margin
        The coordinate system is detected only when the best candidate's median distance to
        the nearest road is at most this fraction of the runner-up's.
    crs_min_points
        Fewer points than this never count as strong evidence of a coordinate system.
    default_crs
        The coordinate system assumed when a list declares none and detection is not sure:
        GCJ-02, because planners copy coordinates from AMap (高德) most of the time.
    """

    duplicate_distance_m: float = 5.0
    max_snap_distance_m: float = 300.0
    crs_margin: float = 0.6
    crs_min_points: int = 5
    default_crs: str = "gcj02"


DEMAND = DemandStandards()
SITES = SiteStandards()
