"""The data of a facility-location problem: demand, candidate sites per tier, sparse cost pairs.

A :class:`Problem` is what every model in :mod:`gxnet.optimize` reads. It holds

- the demand units (``ids``, ``weight`` such as households or tonnes per day),
- the candidate sites of each tier (``recycling_point``, ``sorting_centre``,
  ``processing_base``) with capacity, fixed cost and status,
- the sparse cost pairs that link each tier to the level below it: demand -> recycling point
  within the service cutoff, recycling point -> sorting centre within the truck cutoff,
  sorting centre -> processing base,
- the planner's :class:`Targets`.

Ids are the planner's (strings or integers) at the edges; inside, everything is integer-coded
NumPy arrays, and the pairs are sorted by origin so that a CSR row pointer groups them. Pairs
exist only within the cutoffs: no dense demand x site grid is ever built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet._messages import Phrase
from gxnet.config import Targets
from gxnet.tiers import KEPT, LINK_COLUMNS, STATUSES, TIERS, SiteStatus, Tier

#: How many ids an error message lists before it says "and N more".
_SHOWN_IDS = 5


def describe_ids(ids: Sequence | np.ndarray, *, shown: int = _SHOWN_IDS) -> str:
    """Name the first few ids and count the rest, for error messages.

    Parameters
    ----------
    ids : sequence
        The offending ids.
    shown : int
        How many to name.

    Returns
    -------
    str
        e.g. ``"3 ids: 'a', 'b', 'c'"`` or ``"120 ids: 'a', 'b', ... (and 115 more)"``.
    """
    ids = list(ids)
    named = ", ".join(repr(_plain(i)) for i in ids[:shown])
    more = f" (and {len(ids) - shown} more)" if len(ids) > shown else ""
    return f"{len(ids)} id{'s' if len(ids) != 1 else ''}: {named}{more}"


def _plain(value: object) -> object:
    """NumPy scalars as Python values, so that messages read ``'a'`` and ``3``, not np.str_."""
    return value.item() if isinstance(value, np.generic) else value


@dataclass(frozen=True)
class Demand:
    """Demand units: ids (in input order) and their weights (households, tonnes...)."""

    ids: np.ndarray
    weight: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class TierSites:
    """The sites of one tier as the models read them: integer-coded arrays.

    (A planner's checked site list, with its report of fixed and rejected rows, is
    :class:`gxnet.sites.SiteList`.)

    Attributes
    ----------
    tier : str
        One of :data:`TIERS`.
    ids : numpy.ndarray
        Site ids in input order; the integer code of a site is its position here.
    capacity : numpy.ndarray
        float64; ``inf`` where the site has no capacity limit.
    fixed_cost : numpy.ndarray
        float64; 0 where not given.
    status : numpy.ndarray
        str objects, one of :data:`STATUSES`.
    """

    tier: Tier
    ids: np.ndarray
    capacity: np.ndarray
    fixed_cost: np.ndarray
    status: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def kept(self) -> np.ndarray:
        """Boolean mask of sites that must be open (existing or required)."""
        return np.isin(self.status, KEPT)

    @property
    def excluded(self) -> np.ndarray:
        """Boolean mask of sites that must stay closed."""
        return self.status == SiteStatus.EXCLUDED

    @property
    def usable(self) -> np.ndarray:
        """Boolean mask of sites that may open (everything not excluded)."""
        return ~self.excluded


def csr_positions(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions ``indptr[r]:indptr[r + 1]`` of every row ``r`` in ``rows``, end to end (the
    entries of those rows of a CSR structure)."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(int(lengths.sum()))


@dataclass(frozen=True)
class Pairs:
    """Sparse cost pairs from the origins of one level to the sites of the next tier.

    The pairs are sorted by origin, then cost, then destination, so that ``indptr`` (CSR) gives
    each origin's pairs nearest first: ``slice(indptr[i], indptr[i + 1])``.

    Attributes
    ----------
    origin, destination : numpy.ndarray
        int32 integer codes (positions in the origin and destination id arrays).
    cost : numpy.ndarray
        float64 travel cost (seconds, metres, or any unit of the caller's), >= 0.
    n_origins, n_destinations : int
        Sizes of the two sides (origins without any pair still count).
    """

    origin: np.ndarray
    destination: np.ndarray
    cost: np.ndarray
    n_origins: int
    n_destinations: int
    indptr: np.ndarray = field(repr=False)

    @classmethod
    def from_arrays(
        cls,
        origin: np.ndarray,
        destination: np.ndarray,
        cost: np.ndarray,
        n_origins: int,
        n_destinations: int,
    ) -> Pairs:
        """Sort integer-coded pairs by origin and cost and index them (no validation).

        Parameters
        ----------
        origin, destination : array-like of int
            Integer codes of the two ends.
        cost : array-like of float
            Cost of each pair.
        n_origins, n_destinations : int
            Sizes of the two sides.
        """
        origin = np.asarray(origin, dtype=np.int32)
        destination = np.asarray(destination, dtype=np.int32)
        cost = np.asarray(cost, dtype=np.float64)
        order = np.lexsort((destination, cost, origin))
        origin, destination, cost = origin[order], destination[order], cost[order]
        indptr = np.zeros(n_origins + 1, dtype=np.int64)
        np.cumsum(np.bincount(origin, minlength=n_origins), out=indptr[1:])
        return cls(origin, destination, cost, n_origins, n_destinations, indptr)

    @classmethod
    def from_dense(cls, cost: np.ndarray, cutoff: float = np.inf) -> Pairs:
        """Keep the entries of a dense origin x destination matrix that are within ``cutoff``.

        Entries that are ``inf`` or NaN are treated as missing pairs.
        """
        cost = np.asarray(cost, dtype=np.float64)
        if cost.ndim != 2:
            raise ProblemDataError(f"cost: expected a 2-D matrix, got shape {cost.shape}")
        keep = np.isfinite(cost) & (cost <= cutoff)
        origin, destination = np.nonzero(keep)
        return cls.from_arrays(origin, destination, cost[keep], *cost.shape)

    @property
    def n(self) -> int:
        return len(self.origin)

    def select(self, mask: np.ndarray) -> Pairs:
        """The pairs where ``mask`` is true (order kept)."""
        return Pairs.from_arrays(
            self.origin[mask],
            self.destination[mask],
            self.cost[mask],
            self.n_origins,
            self.n_destinations,
        )

    def within(self, cutoff: float) -> Pairs:
        """The pairs with cost at most ``cutoff``."""
        return self.select(self.cost <= cutoff)

    def matrix(self, values: np.ndarray | None = None) -> sp.csr_matrix:
        """Origins x destinations CSR matrix of ``values`` (default: ones, i.e. incidence).

        Costs of 0 would vanish from a sparse matrix, so pass explicit values rather than the
        cost when zeros matter.
        """
        data = np.ones(self.n) if values is None else np.asarray(values, dtype=np.float64)
        return sp.csr_matrix(
            (data, self.destination, self.indptr), shape=(self.n_origins, self.n_destinations)
        )

    def nearest(self, open_sites: np.ndarray) -> np.ndarray:
        """Position (into these pairs) of each origin's nearest open site; -1 when none.

        Parameters
        ----------
        open_sites : numpy.ndarray
            Boolean mask over the destinations.
        """
        rows = np.flatnonzero(np.asarray(open_sites, dtype=bool)[self.destination])
        nearest = np.full(self.n_origins, -1, dtype=np.int64)
        # Pairs are sorted by origin then cost, so an origin's first open pair is its nearest.
        origins, first = np.unique(self.origin[rows], return_index=True)
        nearest[origins] = rows[first]
        return nearest

    def rank(self, usable: np.ndarray, key: np.ndarray | None = None) -> np.ndarray:
        """Per pair, how many ``usable`` pairs of its origin are nearer (0: its nearest).

        Parameters
        ----------
        usable : numpy.ndarray
            Boolean mask over the pairs.
        key : numpy.ndarray, optional
            Per pair, what "nearer" means (e.g. a reduced cost); ties go by cost. Default: cost.
        """
        order = np.arange(self.n) if key is None else np.lexsort((key, self.origin))
        # In that order, pairs run by origin: the usable pairs before one, less those before
        # its origin's first pair, are its origin's nearer usable pairs.
        before = np.concatenate([[0], np.cumsum(usable[order])])
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = before[:-1] - before[self.indptr[self.origin[order]]]
        return rank

    def degree(self) -> np.ndarray:
        """Number of pairs of each origin."""
        return np.diff(self.indptr)


class Problem:
    """Demand, candidate sites per tier, sparse cost pairs and targets.

    Build one with :meth:`from_tables` (planner tables with ids) or :meth:`from_arrays`
    (integer-coded arrays, e.g. from instance readers). Construction validates the data and
    raises :class:`~gxnet._errors.ProblemDataError` naming the field and the ids at fault.

    Attributes
    ----------
    demand : Demand
    sites : dict[str, TierSites]
        Keyed by tier, in :data:`TIERS` order; only tiers that have sites.
    pairs : dict[str, Pairs]
        Keyed by the tier the pairs lead to: ``pairs[Tier.RECYCLING_POINT]`` links demand to
        points, ``pairs[Tier.SORTING_CENTRE]`` points to centres, ``pairs[Tier.PROCESSING_BASE]``
        centres to bases.
    targets : Targets
    """

    def __init__(
        self,
        demand: Demand,
        sites: Mapping[str, TierSites],
        pairs: Mapping[str, Pairs],
        targets: Targets | None = None,
    ) -> None:
        self.demand = demand
        self.sites = {tier: sites[tier] for tier in TIERS if tier in sites}
        self.pairs = {tier: pairs[tier] for tier in TIERS if tier in pairs}
        self.targets = targets or Targets()
        _validate(self)

    def __repr__(self) -> str:
        tiers = ", ".join(
            f"{tier}={s.n} sites/{self.pairs[tier].n if tier in self.pairs else 0} pairs"
            for tier, s in self.sites.items()
        )
        return f"Problem(demand={self.demand.n}, {tiers}, targets={self.targets})"

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def from_tables(
        cls,
        demand: pd.DataFrame,
        sites: pd.DataFrame,
        costs: pd.DataFrame,
        *,
        links: pd.DataFrame | None = None,
        base_links: pd.DataFrame | None = None,
        market_links: pd.DataFrame | None = None,
        targets: Targets | None = None,
        weight: str = "households",
        cost: str = "cost",
    ) -> Problem:
        """Build a problem from planner tables with ids.

        Parameters
        ----------
        demand : pandas.DataFrame
            Columns ``demand_id`` and the ``weight`` column (default ``households``).
        sites : pandas.DataFrame
            Column ``site_id``; optional ``tier`` (default ``recycling_point``), ``capacity``
            (missing = unlimited), ``fixed_cost`` (missing = 0), ``status`` (missing =
            ``candidate``). Site ids must be unique across all tiers.
        costs : pandas.DataFrame
            Demand -> recycling point pairs: ``demand_id``, ``site_id`` and the ``cost`` column,
            only pairs within the service cutoff.
        links : pandas.DataFrame, optional
            Pairs into the sorting centres: ``point_id``, ``centre_id``, ``cost``; the origins
            are the recycling points, or the collection markets when the sites have some.
        base_links : pandas.DataFrame, optional
            Sorting centre -> processing base pairs: ``centre_id``, ``base_id``, ``cost``.
        market_links : pandas.DataFrame, optional
            Recycling point -> collection market pairs: ``point_id``, ``market_id``, ``cost``.
        targets : Targets, optional
        weight, cost : str
            Names of the weight and cost columns.

        Returns
        -------
        Problem
        """
        _require_columns("demand", demand, ["demand_id", weight])
        _require_columns("sites", sites, ["site_id"])
        demand_ids = _unique_ids("demand.demand_id", demand["demand_id"])
        site_ids = _unique_ids("sites.site_id", sites["site_id"])
        tiers = _column(sites, "tier", Tier.RECYCLING_POINT).astype(object).to_numpy()
        _check_choice("sites.tier", tiers, TIERS, site_ids)
        status = _column(sites, "status", SiteStatus.CANDIDATE).astype(object).to_numpy()
        _check_choice("sites.status", status, STATUSES, site_ids)
        capacity = _numbers("sites.capacity", _column(sites, "capacity", np.inf), site_ids, True)
        fixed = _numbers("sites.fixed_cost", _column(sites, "fixed_cost", 0.0), site_ids, False)
        by_tier = {
            tier: TierSites(
                tier,
                site_ids[tiers == tier],
                capacity[tiers == tier],
                fixed[tiers == tier],
                status[tiers == tier],
            )
            for tier in TIERS
            if (tiers == tier).any()
        }
        weights = _numbers(f"demand.{weight}", demand[weight], demand_ids, False)
        origin_ids = {Tier.RECYCLING_POINT: demand_ids}
        for tier in TIERS[1:]:
            below = tier.below(by_tier)
            if tier in by_tier and below is not None:
                origin_ids[tier] = by_tier[below].ids
        tables = {
            Tier.RECYCLING_POINT: ("costs", costs, "demand_id", "site_id"),
            Tier.COLLECTION_MARKET: (
                "market_links",
                market_links,
                *LINK_COLUMNS[Tier.COLLECTION_MARKET],
            ),
            Tier.SORTING_CENTRE: ("links", links, *LINK_COLUMNS[Tier.SORTING_CENTRE]),
            Tier.PROCESSING_BASE: ("base_links", base_links, *LINK_COLUMNS[Tier.PROCESSING_BASE]),
        }
        pairs = {}
        for tier, (name, table, from_col, to_col) in tables.items():
            if table is None:
                continue
            if tier not in by_tier or tier not in origin_ids:
                raise ProblemDataError(
                    f"{name}: pairs given but the sites table has no '{tier}' tier "
                    "(or none of the tier below it)"
                )
            pairs[tier] = _code_pairs(
                name, table, from_col, to_col, cost, origin_ids[tier], by_tier[tier].ids
            )
        return cls(Demand(demand_ids, weights), by_tier, pairs, targets)

    @classmethod
    def from_frames(
        cls,
        demand: pd.DataFrame,
        sites: pd.DataFrame,
        walk: pd.DataFrame,
        truck: pd.DataFrame | None = None,
        *,
        targets: Targets | None = None,
    ) -> Problem:
        """A problem from the pipeline's frames as they are (no column renamed by the caller).

        Parameters
        ----------
        demand : pandas.DataFrame
            Demand units: ``demand_id`` and ``households`` (the weight); other columns are left
            out.
        sites : pandas.DataFrame
            Sites of every tier: ``site_id``, ``tier``, and ``status``, ``capacity`` and
            ``fixed_cost`` where known (defaults as in :meth:`from_tables`).
        walk : pandas.DataFrame
            Demand -> recycling point pairs within the service standard: ``demand_id``,
            ``site_id``, ``travel_s`` (:func:`gxnet.service_pairs.walk_costs`).
        truck : pandas.DataFrame, optional
            Recycling point -> sorting centre pairs within the truck standard: ``point_id``,
            ``centre_id``, ``travel_s`` (:func:`gxnet.service_pairs.truck_costs`).
        targets : Targets, optional

        Returns
        -------
        Problem
            Costs in seconds of travel.
        """
        known = [c for c in ("site_id", "tier", "status", "capacity", "fixed_cost") if c in sites]
        return cls.from_tables(
            demand[["demand_id", "households"]],
            sites[known],
            walk,
            links=truck,
            targets=targets,
            cost="travel_s",
        )

    @classmethod
    def from_arrays(
        cls,
        weight: np.ndarray,
        pairs: Pairs,
        *,
        demand_ids: np.ndarray | None = None,
        site_ids: np.ndarray | None = None,
        status: np.ndarray | None = None,
        capacity: np.ndarray | None = None,
        fixed_cost: np.ndarray | None = None,
        targets: Targets | None = None,
    ) -> Problem:
        """A one-tier problem (demand -> recycling point) from integer-coded arrays.

        Ids default to ``0..n-1``; status to ``candidate``; capacity to unlimited; fixed cost to
        0. Benchmark readers and :meth:`from_cost_matrix` constructors use this.
        """
        n_sites = pairs.n_destinations
        weight = np.asarray(weight, dtype=np.float64)
        ids = np.arange(len(weight)) if demand_ids is None else np.asarray(demand_ids)
        sids = np.arange(n_sites) if site_ids is None else np.asarray(site_ids)
        sites = TierSites(
            Tier.RECYCLING_POINT,
            sids,
            np.full(n_sites, np.inf) if capacity is None else np.asarray(capacity, float),
            np.zeros(n_sites) if fixed_cost is None else np.asarray(fixed_cost, float),
            np.full(n_sites, SiteStatus.CANDIDATE, dtype=object)
            if status is None
            else np.asarray(status, dtype=object),
        )
        return cls(
            Demand(ids, weight),
            {Tier.RECYCLING_POINT: sites},
            {Tier.RECYCLING_POINT: pairs},
            targets,
        )

    # ---- questions the models ask -------------------------------------------------------

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray,
        cutoff: float = np.inf,
        *,
        weights: np.ndarray | None = None,
        status: np.ndarray | None = None,
        fixed_cost: np.ndarray | None = None,
        capacity: np.ndarray | None = None,
        targets: Targets | None = None,
    ) -> Problem:
        """A one-tier problem from a dense demand x site matrix, sparsified on the way in.

        Only entries within ``cutoff`` (and finite) become pairs; weights default to 1. This is
        the entry point of the spopt-style ``from_cost_matrix`` constructors.
        """
        pairs = Pairs.from_dense(cost, cutoff)
        weight = np.ones(pairs.n_origins) if weights is None else np.asarray(weights, float)
        if len(weight) != pairs.n_origins:
            raise ProblemDataError(
                f"weights: {len(weight)} values for {pairs.n_origins} rows of the cost matrix"
            )
        return cls.from_arrays(
            weight,
            pairs,
            status=status,
            capacity=capacity,
            fixed_cost=fixed_cost,
            targets=targets,
        )

    def tier_problem(
        self, tier: Tier, weight: np.ndarray, origins: np.ndarray | None = None
    ) -> Problem:
        """The one-tier problem of placing ``tier``'s sites for the sites below it.

        The models place the first tier's sites for the demand units; here the demand units are
        the sites of the tier below (those in ``origins``), each weighted by what it sends up,
        and the sites are ``tier``'s, with the pairs that link the two and ``tier``'s count
        target. A plan chooses its sorting centres this way for the recycling points a covering
        model chose.

        Parameters
        ----------
        tier : Tier
            The tier to place (``sorting_centre`` or ``processing_base``).
        weight : numpy.ndarray
            One value per site of the tier below: what it sends up (e.g. households served).
        origins : numpy.ndarray, optional
            Boolean mask of the sites below that take part (e.g. the open ones); default all.

        Returns
        -------
        Problem
        """
        tier = Tier(tier)
        lower = self.sites[self.below(tier)]
        origins = np.ones(lower.n, dtype=bool) if origins is None else np.asarray(origins, bool)
        pairs = self.pairs[tier]
        keep = origins[pairs.origin]
        code = np.cumsum(origins) - 1
        linked = Pairs.from_arrays(
            code[pairs.origin[keep]],
            pairs.destination[keep],
            pairs.cost[keep],
            int(origins.sum()),
            pairs.n_destinations,
        )
        first = Tier.RECYCLING_POINT
        return Problem(
            Demand(lower.ids[origins], np.asarray(weight, dtype=np.float64)[origins]),
            {first: replace(self.sites[tier], tier=first)},
            {first: linked},
            Targets(points=self.targets.count_for(tier)),
        )

    def below(self, tier: Tier) -> Tier | None:
        """The tier of this problem whose sites send their load to ``tier`` (None for the
        points): the nearest tier below it that has sites here."""
        return Tier(tier).below(self.sites)

    def usable_pairs(self, tier: Tier = Tier.RECYCLING_POINT) -> Pairs:
        """The pairs of ``tier`` that lead to sites which may open (excluded sites dropped)."""
        pairs = self.pairs[tier]
        return pairs.select(self.sites[tier].usable[pairs.destination])

    def unreachable(
        self, tier: Tier = Tier.RECYCLING_POINT, pairs: Pairs | None = None
    ) -> np.ndarray:
        """Integer codes of the origins that no usable site of ``tier`` can serve.

        ``pairs`` replaces the problem's pairs, e.g. pairs cut to a tighter radius.
        """
        pairs = self.usable_pairs(tier) if pairs is None else pairs
        usable = self.sites[tier].usable[pairs.destination]
        return np.flatnonzero(np.bincount(pairs.origin[usable], minlength=pairs.n_origins) == 0)

    def sites_to_open(self, tier: Tier = Tier.RECYCLING_POINT, count: int | None = None) -> int:
        """How many sites of ``tier`` a model must open: ``count``, else the tier's target.

        Raises
        ------
        ProblemDataError
            When neither is set, or the count is below the kept (existing + required) sites or
            above the usable ones.
        """
        count = count if count is not None else self.targets.count_for(tier)
        name = f"targets.{Tier(tier).plural}"
        if count is None:
            raise ProblemDataError(f"{name}: the number of {tier}s to open is not set")
        sites = self.sites[tier]
        kept, usable = int(sites.kept.sum()), int(sites.usable.sum())
        if not kept <= count <= usable:
            raise ProblemDataError(
                key="err_count_outside",
                name=name,
                count=count,
                tier=Phrase(f"tier_{tier}"),
                tier_en=str(tier),
                kept=kept,
                usable=usable,
            )
        return int(count)

    def origin_ids(self, tier: Tier = Tier.RECYCLING_POINT) -> np.ndarray:
        """The ids of the origins of ``tier``'s pairs (demand ids for the first tier)."""
        below = self.below(tier)
        return self.demand.ids if below is None else self.sites[below].ids

    def require_reachable(
        self, tier: Tier = Tier.RECYCLING_POINT, pairs: Pairs | None = None
    ) -> None:
        """Raise :class:`InfeasibleProblemError` naming the origins no usable site can serve.

        Raises
        ------
        InfeasibleProblemError
            With the ids of the stranded origins and what would fix it.
        """
        stranded = self.unreachable(tier, pairs)
        if len(stranded) == 0:
            return
        ids = self.origin_ids(tier)[stranded]
        below = self.below(tier)
        raise InfeasibleProblemError(
            key="err_unreachable",
            what=Phrase("demand_units" if below is None else f"tier_{below}"),
            what_en="demand units" if below is None else f"{below}s",
            tier=Phrase(f"tier_{tier}"),
            tier_en=str(tier),
            ids=describe_ids(ids),
        )


# ---- validation helpers -----------------------------------------------------------------


def _require_columns(name: str, table: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ProblemDataError(f"{name}: missing column(s) {missing}; it has {list(table.columns)}")


def _column(table: pd.DataFrame, name: str, default: object) -> pd.Series:
    """A column, or the default where the column or a value is missing."""
    if name not in table.columns:
        return pd.Series([default] * len(table), index=table.index)
    return table[name].where(table[name].notna(), default)


def _check_choice(name: str, values: np.ndarray, allowed: tuple[str, ...], ids) -> None:
    """Every value must be one of ``allowed``; the error names the bad values and their ids."""
    bad = ~np.isin(values, allowed)
    if bad.any():
        raise ProblemDataError(
            f"{name}: unknown value(s) {sorted(map(str, set(values[bad])))} for "
            f"{describe_ids(ids[bad])}; use one of {list(allowed)}"
        )


def _unique_ids(name: str, ids: pd.Series) -> np.ndarray:
    values = ids.to_numpy()
    if ids.isna().any():
        raise ProblemDataError(
            f"{name}: {int(ids.isna().sum())} missing id(s) at rows "
            f"{list(np.flatnonzero(ids.isna().to_numpy())[:_SHOWN_IDS])}"
        )
    duplicated = ids.duplicated(keep="first").to_numpy()
    if duplicated.any():
        raise ProblemDataError(
            f"{name}: duplicate ids, {describe_ids(pd.unique(values[duplicated]))}"
        )
    return values


def _numbers(name: str, values: pd.Series, ids: np.ndarray, allow_inf: bool) -> np.ndarray:
    """Float values that must be >= 0 and not NaN (and finite unless ``allow_inf``)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(numbers) | (numbers < 0)
    if not allow_inf:
        bad |= np.isinf(numbers)
    if bad.any():
        raise ProblemDataError(
            f"{name}: negative, missing or non-numeric values for {describe_ids(ids[bad])} "
            f"(e.g. {_plain(values.to_numpy()[bad][0])!r}); give numbers >= 0"
        )
    return numbers


def _code_pairs(
    name: str,
    table: pd.DataFrame,
    from_col: str,
    to_col: str,
    cost: str,
    origin_ids: np.ndarray,
    destination_ids: np.ndarray,
) -> Pairs:
    """Integer-code a pair table against the id arrays, refusing unknown ids and bad costs."""
    _require_columns(name, table, [from_col, to_col, cost])
    origin = pd.Index(origin_ids).get_indexer(table[from_col])
    destination = pd.Index(destination_ids).get_indexer(table[to_col])
    for col, codes in ((from_col, origin), (to_col, destination)):
        if (codes < 0).any():
            unknown = pd.unique(table[col].to_numpy()[codes < 0])
            raise ProblemDataError(f"{name}.{col}: unknown {describe_ids(unknown)}")
    labels = (table[from_col].astype(str) + "->" + table[to_col].astype(str)).to_numpy()
    values = _numbers(f"{name}.{cost}", table[cost], labels, False)
    key = origin.astype(np.int64) * len(destination_ids) + destination
    duplicated = pd.Series(key).duplicated().to_numpy()
    if duplicated.any():
        raise ProblemDataError(
            f"{name}: duplicate pairs (give each pair once), {describe_ids(labels[duplicated])}"
        )
    return Pairs.from_arrays(origin, destination, values, len(origin_ids), len(destination_ids))


def _validate(problem: Problem) -> None:
    """Check sizes, weights, costs, capacities and targets; raise ProblemDataError."""
    demand = problem.demand
    if len(demand.weight) != demand.n:
        raise ProblemDataError(f"demand.weight: {len(demand.weight)} weights for {demand.n} ids")
    bad = np.isnan(demand.weight) | (demand.weight < 0) | np.isinf(demand.weight)
    if bad.any():
        raise ProblemDataError(
            f"demand.weight: negative, infinite or NaN weights for {describe_ids(demand.ids[bad])}"
        )
    _unique_ids("demand.ids", pd.Series(demand.ids))
    for tier, sites in problem.sites.items():
        _unique_ids(f"{tier}.ids", pd.Series(sites.ids))
        for name in ("capacity", "fixed_cost", "status"):
            if len(getattr(sites, name)) != sites.n:
                raise ProblemDataError(
                    f"{tier}.{name}: {len(getattr(sites, name))} values for {sites.n} sites"
                )
        _check_choice(f"{tier}.status", sites.status, STATUSES, sites.ids)
        for name in ("capacity", "fixed_cost"):
            values = getattr(sites, name)
            bad = np.isnan(values) | (values < 0)
            if bad.any():
                raise ProblemDataError(
                    f"{tier}.{name}: negative or NaN values for {describe_ids(sites.ids[bad])}"
                )
        if problem.targets.count_for(tier) is not None:
            problem.sites_to_open(tier)
    for tier, pairs in problem.pairs.items():
        if tier not in problem.sites:
            raise ProblemDataError(f"pairs.{tier}: pairs given for a tier without sites")
        n_origins = len(problem.origin_ids(tier))
        if pairs.n_origins != n_origins or pairs.n_destinations != problem.sites[tier].n:
            raise ProblemDataError(
                f"pairs.{tier}: shaped {pairs.n_origins} x {pairs.n_destinations}, expected "
                f"{n_origins} x {problem.sites[tier].n}"
            )
        bad = np.isnan(pairs.cost) | (pairs.cost < 0)
        if bad.any():
            labels = [
                f"{_plain(a)}->{_plain(b)}"
                for a, b in zip(
                    problem.origin_ids(tier)[pairs.origin[bad]],
                    problem.sites[tier].ids[pairs.destination[bad]],
                    strict=True,
                )
            ]
            raise ProblemDataError(
                f"pairs.{tier}.cost: negative or NaN costs for {describe_ids(labels)}"
            )
        out = (
            (pairs.origin < 0)
            | (pairs.origin >= n_origins)
            | (pairs.destination < 0)
            | (pairs.destination >= problem.sites[tier].n)
        )
        if out.any():
            raise ProblemDataError(f"pairs.{tier}: {int(out.sum())} pairs name unknown codes")
    targets = problem.targets
    if targets.coverage is not None and not 0 < targets.coverage <= 1:
        raise ProblemDataError(f"targets.coverage: {targets.coverage} is not a share in (0, 1]")
    if targets.cost_budget is not None and not targets.cost_budget >= 0:
        raise ProblemDataError(f"targets.cost_budget: {targets.cost_budget} must be >= 0")
