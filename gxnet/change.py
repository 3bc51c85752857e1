"""The price of a change: how a re-solve prefers the sites of the plan it replaces.

A district's new site list should move a plan only where the list makes it worth it. The
sites the old plan chose and the new list still offers as candidates (not yet built, so not
forced) are worth a bonus in the re-solve: :data:`gxnet.config.ResolveSettings.change_penalty`
(default 0.1) times the households the site served in the old plan. A replacement is chosen
only when it serves more than that many households more than the site it replaces.

The bonus reaches the models through their usual inputs, chosen by the model that places
each tier:

- maximal covering (the points, for a number of points, the household standard's by
  default): each preferred point gets a unit of demand of its bonus that only it covers, so
  that keeping it is worth exactly the bonus in the households covered;
- set covering (the points for a coverage target, and the centres of a plan without
  capacities): a preferred site costs a little less than one site, so that the fewest sites
  still come first and old sites win among plans with as many sites;
- capacitated facility location (each tier above the points of a plan with capacities,
  markets or bases, :func:`gxnet.model_choice.uses_capacities`): a preferred site's fixed
  cost is lowered by its bonus priced in points (the point's fixed cost per
  ``households_per_point_urban`` households).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from gxnet._messages import Phrase
from gxnet.config import Config
from gxnet.model_choice import PREFERENCE_PREFIX, ModelInput, uses_capacities, with_standards
from gxnet.plan import Plan
from gxnet.tiers import SiteStatus

#: Share of one site's cost that all preferred sites of a tier together may save in set
#: covering: less than one site, so that a preference never costs a site.
_COVER_DISCOUNT = 0.5


def change_bonus(previous: Plan, sites: pd.DataFrame, penalty: float) -> pd.Series:
    """Households each site of ``sites`` is worth for having been chosen in ``previous``.

    Parameters
    ----------
    previous
        The plan being re-solved.
    sites
        The candidate sites of the re-solve (``site_id, status``).
    penalty
        Share of the households a site served in ``previous`` that a replacement must serve
        beyond them.

    Returns
    -------
    Series
        site_id -> households, for the candidate sites ``previous`` chose (others absent).
    """
    old = previous.sites[previous.sites["chosen"].astype(bool)]
    served = old.set_index("site_id")["households_served"].astype(float)
    candidates = sites.loc[sites["status"] == SiteStatus.CANDIDATE, "site_id"]
    bonus = penalty * served.reindex(candidates[candidates.isin(served.index)].to_numpy())
    return bonus[bonus > 0]


def with_change_price(data: ModelInput, bonus: pd.Series, config: Config) -> ModelInput:
    """The model input with the bonus of each preferred site in the terms of the model that
    places its tier (see the module docstring)."""
    if bonus.empty:
        return data
    data = with_standards(data, config)
    hubs = {"markets": data.markets, "centres": data.centres, "bases": data.bases}
    if uses_capacities(data):
        per_household = config.points.fixed_cost / config.points.households_per_point_urban
        priced = {
            name: frame.assign(
                fixed_cost=np.maximum(
                    frame["fixed_cost"] - frame["site_id"].map(bonus).fillna(0.0) * per_household,
                    0.0,
                )
            )
            for name, frame in hubs.items()
            if frame is not None
        }
    else:
        priced = {"centres": _cover_discount(data.centres, bonus)}
    demand, walk = data.demand, data.walk
    preferred = bonus[bonus.index.isin(data.points["site_id"])]
    if config.targets.points is not None and len(preferred):
        ids = PREFERENCE_PREFIX + preferred.index.astype(str)
        units = pd.DataFrame({"demand_id": ids, "households": preferred.to_numpy()})
        pairs = pd.DataFrame({"demand_id": ids, "site_id": preferred.index, "travel_s": 0.0})
        demand = pd.concat([demand, units], ignore_index=True)
        walk = pd.concat([walk, pairs], ignore_index=True)
    return dataclasses.replace(
        data,
        demand=demand,
        walk=walk,
        points=_cover_discount(data.points, bonus),
        cover_by_cost=True,
        **priced,
    )


def _cover_discount(frame: pd.DataFrame, bonus: pd.Series) -> pd.DataFrame:
    """Sites that cost one each in set covering, less a share of
    :data:`_COVER_DISCOUNT` for the preferred ones (in proportion to their bonus)."""
    share = frame["site_id"].map(bonus).fillna(0.0)
    total = float(share.sum())
    return frame.assign(fixed_cost=1.0 - (_COVER_DISCOUNT * share / total if total > 0 else 0.0))


def closing_reasons(previous: Plan, sites: pd.DataFrame, excluded: list[str]) -> dict[str, Phrase]:
    """Why sites of ``previous`` cannot stay open in a re-solve with candidates ``sites``:
    site id -> reason, for the chosen sites the new list marks excluded or does not name."""
    old = previous.sites[previous.sites["chosen"].astype(bool)]
    gone = old[~old["site_id"].isin(sites["site_id"])]
    listed = set(excluded)
    source = gone["source"] if "source" in gone.columns else pd.Series("file", index=gone.index)
    reasons = {}
    for site_id, origin in zip(gone["site_id"].astype(str), source.astype(str), strict=True):
        if site_id in listed:
            reasons[site_id] = Phrase("reason_excluded")
        elif origin == "file":
            reasons[site_id] = Phrase("reason_not_listed")
        else:
            reasons[site_id] = Phrase("reason_replaced", origin=origin)
    return reasons
