"""Which sites to open in a split-flow network, searched with the flows solved exactly.

Once the open recycling points, sorting centres (and bases) are chosen, the split-flow network
(``single_centre=False``, ``single_source=False``, every unit served) is a min-cost flow: an
LP over the open sites' columns only, which HiGHS solves in tens of milliseconds, and when
the load is one multiple of the weight a pure network, which OR-Tools solves in about one
(:mod:`benchmarks.research.min_cost_flow`). :class:`NetworkFlows` holds it;
:func:`relax_network` solves the LP relaxation with its linking rows added as they are
violated; :func:`search_open_sites` starts from its rounding and improves the open sets by
closing, opening and swapping sites (the classic add/drop/swap neighbourhoods of facility
location), each move judged by the exact flow cost; :func:`search_kernels` leaves its local
optimum through small MIPs (:func:`solve_restricted`) over the sites the plan or the
relaxation uses plus buckets of the most promising others (a kernel search),
:func:`search_tiers` changes a few sites of one tier at once through MIPs with a
local-branching row, and :func:`search_kicks` leaves a local optimum by random kicks and the
local search again. The result is the warm start that
:class:`~benchmarks.research.searched_network.SearchedNetwork` hands to the MIP solver, and the
relaxation's reduced costs fix the sites no cheaper plan can use.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from benchmarks.research.min_cost_flow import FlowTier, MinCostFlow
from gxnet.optimize.solve import highs_lp, quiet_highs, run_highs

#: Improvements smaller than this share of the cost are rounding noise, not moves.
_IMPROVEMENT = 1e-9


class NetworkFlows:
    """The min-cost flows of a split-flow network for chosen open sites.

    Columns are the demand -> point shares ``x`` (one per pair), then the loads on each link
    layer; rows are demand (every unit served), capacity per site with a finite capacity, and a
    balance per site below the top tier (what arrives goes up).

    Parameters
    ----------
    tiers : sequence of FlowTier
        Points first, then centres, then bases.
    weight, load : numpy.ndarray
        Per demand unit: weight (against point capacities) and load (carried upwards).

    Attributes
    ----------
    network : MinCostFlow or None
        The same flows as a pure network (None when the load is no multiple of the weight).
    evaluations : int
        Open choices priced so far.
    """

    def __init__(self, tiers: Sequence[FlowTier], weight: np.ndarray, load: np.ndarray) -> None:
        self.tiers = list(tiers)
        sizes = [t.pairs.n for t in self.tiers]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])
        n_demand = self.tiers[0].pairs.n_origins
        rows, cols, vals = [], [], []
        lower, upper = [], []
        n_rows = 0
        #: Per tier, the capacity row of each site (-1: uncapacitated).
        self.capacity_row: list[np.ndarray] = []

        def add(row: np.ndarray, col: np.ndarray, val: np.ndarray) -> None:
            rows.append(row)
            cols.append(col)
            vals.append(val)

        first = self.tiers[0].pairs
        # Demand rows: every unit's shares sum to one.
        add(first.origin.astype(np.int64), np.arange(first.n), np.ones(first.n))
        served = first.degree() > 0
        lower.append(np.where(served, 1.0, 0.0))
        upper.append(np.where(served, 1.0, 0.0))
        n_rows += n_demand
        for t, tier in enumerate(self.tiers):
            pairs, columns = tier.pairs, self.offsets[t] + np.arange(tier.pairs.n)
            n_sites = len(tier.capacity)
            carried = weight[pairs.origin] if t == 0 else np.ones(pairs.n)
            finite = np.isfinite(tier.capacity)
            # Capacity rows: what a site receives stays within its capacity.
            row_of = np.cumsum(finite) - 1 + n_rows
            self.capacity_row.append(np.where(finite, row_of, -1))
            keep = finite[pairs.destination]
            add(row_of[pairs.destination[keep]], columns[keep], carried[keep])
            lower.append(np.full(int(finite.sum()), -np.inf))
            upper.append(tier.capacity[finite])
            n_rows += int(finite.sum())
            if t + 1 < len(self.tiers):
                # Balance rows: a site sends up exactly what it receives.
                received = load[pairs.origin] if t == 0 else np.ones(pairs.n)
                add(n_rows + pairs.destination.astype(np.int64), columns, -received)
                above = self.tiers[t + 1].pairs
                add(
                    n_rows + above.origin.astype(np.int64),
                    self.offsets[t + 1] + np.arange(above.n),
                    np.ones(above.n),
                )
                lower.append(np.zeros(n_sites))
                upper.append(np.zeros(n_sites))
                n_rows += n_sites
        self.matrix = sp.csc_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_rows, int(self.offsets[-1])),
        )
        self.cost = np.concatenate([t.unit_cost for t in self.tiers])
        self.row_lower = np.concatenate(lower)
        self.row_upper = np.concatenate(upper)
        self.upper = np.concatenate([np.ones(sizes[0]), np.full(sum(sizes[1:]), np.inf)])
        self.weight = weight
        self.load = load
        self.evaluations = 0
        self._highs = quiet_highs()
        self._highs.setOptionValue("presolve", "off")
        self.network = MinCostFlow.from_tiers(self.tiers, weight, load)

    def fixed_cost(self, open_sites: Sequence[np.ndarray]) -> float:
        """Fixed cost of the open sites of every tier."""
        return float(
            sum(t.fixed_cost[m].sum() for t, m in zip(self.tiers, open_sites, strict=True))
        )

    def usable(self, open_sites: Sequence[np.ndarray]) -> np.ndarray:
        """Columns whose sites are all open."""
        usable = np.ones(self.matrix.shape[1], dtype=bool)
        for t, tier in enumerate(self.tiers):
            closed = ~open_sites[t]
            usable[self.offsets[t] : self.offsets[t + 1]] &= ~closed[tier.pairs.destination]
            if t + 1 < len(self.tiers):
                above = self.tiers[t + 1].pairs
                usable[self.offsets[t + 1] : self.offsets[t + 2]] &= ~closed[above.origin]
        return usable

    def evaluate(
        self, open_sites: Sequence[np.ndarray], *, exact: bool = False
    ) -> tuple[float, np.ndarray | None]:
        """Total cost (fixed + flows) of an open choice and the flows; inf and None when the
        open sites cannot carry the demand.

        A pure network (:attr:`network`) is solved as a min-cost flow (PSC3-C4-100: 1.4 ms
        where the LP takes 22-26 ms): exactly when its data are integral, otherwise to within
        rounding, with flows that fit the capacities (:mod:`benchmarks.research.min_cost_flow`).
        ``exact`` asks for the LP, whose flows meet every row to the solver's tolerance (a MIP
        start needs them).

        Only the columns of open sites enter the LP, solved from scratch without presolve:
        measured 6x faster than re-solving the whole LP from its last basis with closed
        columns at zero when few sites are open (PSC1-C3-100), as fast when many are.
        """
        import highspy

        self.evaluations += 1
        if self.network is not None and not exact:
            values = self.network.solve(open_sites)
            if values is not None:
                return float(self.cost @ values) + self.fixed_cost(open_sites), values
            if self.network.exact:
                return np.inf, None
        keep = np.flatnonzero(self.usable(open_sites))
        lp = highs_lp(
            self.matrix[:, keep], self.cost[keep], self.upper[keep], self.row_lower, self.row_upper
        )
        self._highs.passModel(lp)
        run_highs(self._highs)
        if self._highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return np.inf, None
        flows = np.zeros(self.matrix.shape[1])
        flows[keep] = self._highs.getSolution().col_value
        objective = float(self._highs.getInfo().objective_function_value)
        return objective + self.fixed_cost(open_sites), flows

    def spare(self, open_sites: Sequence[np.ndarray], flows: np.ndarray) -> np.ndarray:
        """Per tier, the capacity of its open sites left over, as a share of what the tier
        receives in ``flows`` (inf for a tier without capacities or load)."""
        shares = np.full(len(self.tiers), np.inf)
        for t, (tier, is_open) in enumerate(zip(self.tiers, open_sites, strict=True)):
            received = float(self.received(t, flows).sum())
            capacity = tier.capacity[is_open]
            if received > 0 and np.isfinite(capacity).all():
                shares[t] = capacity.sum() / received - 1.0
        return shares

    def received(self, t: int, flows: np.ndarray) -> sp.csr_matrix:
        """Sites of tier ``t`` x origins below: the weight or load each site receives."""
        tier = self.tiers[t]
        values = flows[self.offsets[t] : self.offsets[t + 1]]
        if t == 0:
            values = values * self.weight[tier.pairs.origin]
        return sp.csr_matrix(
            (values, (tier.pairs.destination, tier.pairs.origin)),
            shape=(len(tier.capacity), tier.pairs.n_origins),
        )


@dataclass(frozen=True)
class SiteModel:
    """The network with its sites as columns: the relaxation's LP, or with integer sites the
    MIP itself (see :func:`site_model`).

    Attributes
    ----------
    matrix : scipy.sparse.csc_matrix
        Flow columns (as in :class:`NetworkFlows`), then one column per site and tier.
    cost, lower, upper : numpy.ndarray
        Per column.
    row_lower, row_upper : numpy.ndarray
        Per row.
    site_at : numpy.ndarray
        First site column of each tier (and the end).
    link_column, link_site, link_limit : numpy.ndarray
        The linking rows ``column <= limit * site`` the model may need.
    """

    matrix: sp.csc_matrix
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    site_at: np.ndarray
    link_column: np.ndarray
    link_site: np.ndarray
    link_limit: np.ndarray


@dataclass(frozen=True)
class NetworkBound:
    """The LP relaxation of the split-flow network with every linking row it needs.

    Attributes
    ----------
    objective : float
        Its optimum: a lower bound on the network's cost.
    open_values, reduced_costs : list of numpy.ndarray
        Per tier, each site's open value and reduced cost in that LP.
    pair_reduced_costs : numpy.ndarray
        Reduced cost of each demand -> point pair's column in that LP.
    model : SiteModel
    linked : numpy.ndarray
        Which of the model's linking rows the LP holds.
    """

    objective: float
    open_values: list[np.ndarray]
    reduced_costs: list[np.ndarray]
    pair_reduced_costs: np.ndarray
    model: SiteModel
    linked: np.ndarray

    def may_pay(self, free: Sequence[np.ndarray], cost: float) -> list[np.ndarray]:
        """Per tier, the free sites whose reduced cost keeps the relaxation below ``cost``:
        only they may be in a plan cheaper than ``cost``."""
        return [
            f & (self.objective + r < cost) for f, r in zip(free, self.reduced_costs, strict=True)
        ]


def site_model(
    flows: NetworkFlows, kept: Sequence[np.ndarray], may_open: Sequence[np.ndarray]
) -> SiteModel:
    """The network with sites as columns ``y`` in [kept, may_open] at their fixed cost.

    Capacity rows read ``load <= Q y`` and each tier's open capacity must hold the total load;
    the linking rows ``x_ij <= y_j`` (``f_jc <= m_jc z_c`` on the links, ``m`` the most the
    link can carry) are listed, not added.
    """
    n_flow = flows.matrix.shape[1]
    sizes = [len(t.capacity) for t in flows.tiers]
    site_at = n_flow + np.concatenate([[0], np.cumsum(sizes)])
    rows, cols, vals = [], [], []
    row_upper = flows.row_upper.copy()
    cover_lower = []
    totals = [float(flows.weight.sum())] + [float(flows.load.sum())] * (len(sizes) - 1)
    for t, tier in enumerate(flows.tiers):
        finite = flows.capacity_row[t] >= 0
        rows.append(flows.capacity_row[t][finite])
        cols.append(site_at[t] + np.flatnonzero(finite))
        vals.append(-tier.capacity[finite])
        row_upper[flows.capacity_row[t][finite]] = 0.0
        if finite.all():
            # The open capacity holds the whole load (not implied by the relaxation).
            rows.append(np.full(sizes[t], flows.matrix.shape[0] + len(cover_lower)))
            cols.append(site_at[t] + np.arange(sizes[t]))
            vals.append(tier.capacity.astype(np.float64))
            cover_lower.append(totals[t])
    n_rows = flows.matrix.shape[0] + len(cover_lower)
    sites = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols) - n_flow)),
        shape=(n_rows, sum(sizes)),
    )
    matrix = sp.hstack(
        [sp.vstack([flows.matrix, sp.csc_matrix((len(cover_lower), n_flow))]), sites],
        format="csc",
    )
    return SiteModel(
        matrix,
        np.concatenate([flows.cost, *(t.fixed_cost for t in flows.tiers)]),
        np.concatenate([np.zeros(n_flow), *(k.astype(np.float64) for k in kept)]),
        np.concatenate([flows.upper, *(m.astype(np.float64) for m in may_open)]),
        np.concatenate([flows.row_lower, cover_lower]),
        np.concatenate([row_upper, np.full(len(cover_lower), np.inf)]),
        site_at,
        *_linking(flows, site_at, totals),
    )


def relax_network(
    flows: NetworkFlows,
    kept: Sequence[np.ndarray],
    may_open: Sequence[np.ndarray],
    deadline: float,
) -> NetworkBound | None:
    """Solve the network's LP relaxation, adding the linking rows it violates as it goes.

    The LP is :func:`site_model`'s; its linking rows enter only once violated: the few
    hundred that bind are found in a few rounds, where the full set (one row per pair) makes
    the LP several times slower. Stopped at ``deadline``, the last LP solved still gives a
    valid bound.

    Returns
    -------
    NetworkBound or None
        None when an LP is not solved to optimality.
    """
    import highspy

    model = site_model(flows, kept, may_open)
    h = quiet_highs()
    h.passModel(_model_lp(model))
    added = np.zeros(len(model.link_column), dtype=bool)
    new = np.zeros(0, dtype=np.int64)
    while True:
        if len(new):
            added[new] = True
            _add_linking(h, model, new)
        run_highs(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.asarray(h.getSolution().col_value)
        excess = values[model.link_column] - model.link_limit * values[model.link_site]
        new = np.flatnonzero(~added & (excess > 1e-6 * np.maximum(model.link_limit, 1.0)))
        if not len(new) or time.perf_counter() >= deadline:
            break
    solution = h.getSolution()
    value, dual = np.asarray(solution.col_value), np.asarray(solution.col_dual)
    at = model.site_at
    return NetworkBound(
        float(h.getInfo().objective_function_value),
        [value[at[t] : at[t + 1]] for t in range(len(at) - 1)],
        [dual[at[t] : at[t + 1]] for t in range(len(at) - 1)],
        dual[flows.offsets[0] : flows.offsets[1]],
        model,
        added,
    )


def solve_restricted(
    flows: NetworkFlows,
    bound: NetworkBound,
    candidates: Sequence[np.ndarray],
    deadline: float,
    cutoff: float = np.inf,
    *,
    nearest: int | None = None,
    incumbent: SearchResult | None = None,
    gap_rel: float = 1e-6,
    max_changes: int | None = None,
) -> list[np.ndarray] | None:
    """The sites a MIP over ``candidates`` only opens (its best plan by ``deadline``).

    The MIP is :func:`site_model`'s with integer sites, the flow columns of other sites left
    out, and the linking rows the relaxation found (plus those of uncapacitated sites, which
    the capacity rows do not link). A few dozen candidate sites make it small enough for HiGHS
    to improve a local optimum that single moves cannot leave. Plans costing ``cutoff`` or
    more are pruned (HiGHS's ``objective_bound``), and HiGHS stops at ``gap_rel``. None when
    it finds no plan. An ``incumbent`` whose open sites are all candidates is HiGHS's start.

    With ``nearest``, each demand unit may send to ``nearest`` candidate points only, first
    those whose pair has the least reduced cost in the relaxation (ties by cost), and to
    those its ``incumbent``'s flows use, so that the incumbent stays a plan of the MIP. Every
    plan it finds is still a plan of the whole network, priced by its own flows afterwards.
    Ranked by cost, PSC4-C4-100's optimum is out of reach: it sends a unit to its 46th
    cheapest point, as its points' capacities leave 7 units to spare; ranked by reduced
    cost, all its pairs are among each unit's 20 first (docs/optimize-network.md).

    With ``max_changes`` (local branching, Fischetti and Lodi 2003) the MIP may open or close
    at most that many candidate sites against the ``incumbent``, which it then needs.
    """
    import highspy

    if max_changes is not None and incumbent is None:
        raise ValueError("max_changes counts changes against an incumbent: pass incumbent=")

    model = bound.model
    n_flow = flows.matrix.shape[1]
    site_open = np.concatenate([c.astype(bool) for c in candidates])
    keep = np.concatenate([flows.usable(candidates), site_open])
    if nearest is not None:
        served = slice(flows.offsets[0], flows.offsets[1])
        near = flows.tiers[0].pairs.rank(keep[served], bound.pair_reduced_costs) < nearest
        if incumbent is not None:
            near |= incumbent.flows[served] > 0
        keep[served] &= near
    index = np.cumsum(keep) - 1
    lp = _model_lp(model, keep)
    lp.integrality_ = [highspy.HighsVarType.kContinuous] * int(keep[:n_flow].sum()) + [
        highspy.HighsVarType.kInteger
    ] * int(site_open.sum())
    h = quiet_highs()
    h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1.0))
    # HiGHS's own default (1e-4) prunes every plan less than 0.01 % cheaper than its
    # incumbent, and it takes the plan at the cutoff as one: the MIPs then could not find
    # the plans 0.002-0.009 % cheaper that the two-stage instances above their best known
    # values needed.
    h.setOptionValue("mip_rel_gap", float(gap_rel))
    if np.isfinite(cutoff):
        h.setOptionValue("objective_bound", float(cutoff))
    h.passModel(lp)
    capacity = np.concatenate([t.capacity for t in flows.tiers])
    uncapacitated = np.isinf(capacity[model.link_site - n_flow])
    rows = np.flatnonzero(
        (bound.linked | uncapacitated) & keep[model.link_column] & keep[model.link_site]
    )
    if len(rows):
        _add_linking(h, model, rows, index)
    if max_changes is not None:
        # Changes = candidates opened that the incumbent has closed + those it opens closed.
        opened = np.concatenate(incumbent.open_sites)[site_open]
        h.addRow(
            -np.inf,
            float(max_changes - opened.sum()),
            len(opened),
            int(keep[:n_flow].sum()) + np.arange(len(opened), dtype=np.int32),
            np.where(opened, -1.0, 1.0),
        )
    if incumbent is not None and all(
        not (o & ~c).any() for o, c in zip(incumbent.open_sites, candidates, strict=True)
    ):
        start = highspy.HighsSolution()
        start.col_value = np.concatenate(
            [incumbent.flows, *(o.astype(np.float64) for o in incumbent.open_sites)]
        )[keep]
        start.value_valid = True
        h.setSolution(start)
    run_highs(h)
    if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    values = np.asarray(h.getSolution().col_value)[int(keep[:n_flow].sum()) :]
    chosen = np.zeros(len(site_open), dtype=bool)
    chosen[site_open] = values > 0.5
    at = model.site_at - n_flow
    return [chosen[at[t] : at[t + 1]] for t in range(len(at) - 1)]


def _model_lp(model: SiteModel, keep: np.ndarray | None = None):  # -> highspy.HighsLp
    """The site model's LP, with only the ``keep`` columns when given."""
    if keep is None:
        keep = np.ones(model.matrix.shape[1], dtype=bool)
    return highs_lp(
        model.matrix[:, np.flatnonzero(keep)],
        model.cost[keep],
        model.upper[keep],
        model.row_lower,
        model.row_upper,
        lower=model.lower[keep],
    )


def _add_linking(h, model: SiteModel, rows: np.ndarray, index: np.ndarray | None = None) -> None:
    """Add the model's linking rows ``rows`` to the HiGHS model ``h`` (columns renumbered by
    ``index`` when the model's columns were thinned)."""
    column, site = model.link_column[rows], model.link_site[rows]
    if index is not None:
        column, site = index[column], index[site]
    columns = np.stack([column, site], axis=1).ravel()
    coefficient = np.stack([np.ones(len(rows)), -model.link_limit[rows]], axis=1).ravel()
    h.addRows(
        len(rows),
        np.full(len(rows), -np.inf),
        np.zeros(len(rows)),
        len(columns),
        np.arange(0, len(columns), 2, dtype=np.int32),
        columns.astype(np.int32),
        coefficient,
    )


def _linking(
    flows: NetworkFlows, site_at: np.ndarray, totals: list[float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate linking rows ``column <= limit * site``: every pair's share against its
    point, every link's load against its site above (limit: what the link can carry)."""
    columns, sites, limits = [], [], []
    for t, tier in enumerate(flows.tiers):
        pairs = tier.pairs
        columns.append(flows.offsets[t] + np.arange(pairs.n))
        sites.append(site_at[t] + pairs.destination)
        if t == 0:
            limits.append(np.ones(pairs.n))
        else:
            # Point capacities count weight, not load: only sites above points bound a link.
            below = flows.tiers[t - 1].capacity[pairs.origin] if t > 1 else np.inf
            limit = np.minimum(np.minimum(below, tier.capacity[pairs.destination]), totals[t])
            limits.append(limit)
    return np.concatenate(columns), np.concatenate(sites), np.concatenate(limits)


@dataclass
class SearchResult:
    """The best open choice found.

    Attributes
    ----------
    open_sites : list of numpy.ndarray
        Boolean masks per tier.
    cost : float
        Fixed plus flow cost (inf when no feasible choice was found).
    flows : numpy.ndarray or None
        Column values of :class:`NetworkFlows` for that choice.
    evaluations : int
        Flow LPs solved.
    local_optimum : bool
        Whether the search that found it stopped because no move it tried was cheaper, not
        at its deadline.
    """

    open_sites: list[np.ndarray]
    cost: float
    flows: np.ndarray | None
    evaluations: int
    local_optimum: bool = False


def search_open_sites(
    flows: NetworkFlows,
    rank: Sequence[np.ndarray],
    free: Sequence[np.ndarray],
    kept: Sequence[np.ndarray],
    deadline: float,
    *,
    moves: int | None = None,
) -> SearchResult:
    """Round ``rank`` (e.g. the LP relaxation's open values) and improve it by local search.

    Each round estimates every drop, add and swap of one tier's sites as if capacities did
    not bind (:func:`estimate_moves`) and solves the flows of the moves in that order until
    one lowers the cost; the search stops when none does, or at ``deadline``.

    Parameters
    ----------
    flows : NetworkFlows
    rank : sequence of numpy.ndarray
        Per tier, a value in [0, 1] per site: those at 0.5 or more start open, and closed sites
        are opened in decreasing order of it while the start cannot carry the demand.
    free : sequence of numpy.ndarray
        Per tier, the sites the search may open or close.
    kept : sequence of numpy.ndarray
        Per tier, the sites that stay open (existing, required).
    deadline : float
        ``time.perf_counter()`` value at which the search stops with what it has.
    moves : int, optional
        Try only this many of the best-estimated moves in a round (all when None): a search
        that ends sooner, at a plan no *likely* move improves.

    Returns
    -------
    SearchResult
        ``local_optimum`` is set when a round found nothing cheaper.
    """
    start = [k | (f & (r >= 0.5)) for r, f, k in zip(rank, free, kept, strict=True)]
    best = _repair(flows, start, rank, free)
    improved = best.flows is not None
    while improved and time.perf_counter() < deadline:
        improved = False
        for trial in itertools.islice(_moves(flows, best, free), moves):
            if time.perf_counter() >= deadline:
                break
            cost, values = flows.evaluate(trial)
            if cost < best.cost - _IMPROVEMENT * abs(best.cost):
                best = SearchResult(trial, cost, values, flows.evaluations)
                improved = True
                break
        else:
            best.local_optimum = True
    best.evaluations = flows.evaluations
    return best


def search_kicks(
    flows: NetworkFlows,
    best: SearchResult,
    free: Sequence[np.ndarray],
    kept: Sequence[np.ndarray],
    deadline: float,
    *,
    seed: int = 0,
    tolerance: float = 1e-3,
    patience: int = 200,
    moves: int | None = 100,
) -> SearchResult:
    """Leave a local optimum by kicks: a few random moves, then the local search again.

    An iterated local search. Each kick applies two to four random moves (a swap, or less
    often an opening or a closing) to the current plan, touching every free site with the same
    chance, and :func:`search_open_sites` improves the result, trying the ``moves``
    best-estimated moves a round. A plan within ``tolerance`` of the best becomes the current
    one, so the search walks between near-equal local optima instead of returning to the same
    one; the best is kept. On PSC2-C3-50, where no one- or two-site swap of the best plan is
    cheaper, kicks reach a plan below the best known value (docs/optimize-network.md).

    Kicks start only from a local optimum (``best.local_optimum``): from a plan whose local
    search ran out of time, each kick would spend its time finishing that search (PSC2-C4-100:
    8 s a kick, 19 kicks, nothing cheaper), which the kernel search uses better.

    Parameters
    ----------
    flows : NetworkFlows
    best : SearchResult
        A feasible plan (its flows set), e.g. the local search's.
    free, kept : sequence of numpy.ndarray
        As in :func:`search_open_sites`.
    deadline : float
        ``time.perf_counter()`` value at which the search stops with what it has.
    seed : int
        Seed of the random moves.
    tolerance : float
        Share above the best cost within which a plan becomes the current one.
    patience : int
        Stop after this many kicks in a row that find nothing cheaper than the best (small
        networks end long before ``deadline``). 50 stopped PSC3-C3-50 after 51 kicks; its
        cheaper plans came at kicks 67 and 123 (2,678,748, below the best known value, 39 s).
    moves : int, optional
        Moves each round of a kick's local search tries (all when None). The last round of a
        full search tries every move: 100 make a kick on PSC2-C3-50 0.4 s instead of 3 s, and
        it reaches the same plan below the best known value in 13 s instead of 79 s.

    Returns
    -------
    SearchResult
        ``best`` or a cheaper plan.
    """
    if not best.local_optimum:
        return best
    rng = np.random.default_rng(seed)
    current, idle = best, 0
    tiers = np.concatenate([np.full(int(f.sum()), t) for t, f in enumerate(free)])
    while len(tiers) and time.perf_counter() < deadline and idle < patience:
        idle += 1
        trial = [m.copy() for m in current.open_sites]
        for t in rng.choice(tiers, size=rng.integers(2, 5)):
            is_open, is_closed = trial[t] & free[t], ~trial[t] & free[t]
            move = rng.random()
            if is_open.any() and (move < 0.85 or not is_closed.any()):
                trial[t][rng.choice(np.flatnonzero(is_open))] = False
            if is_closed.any() and (move < 0.7 or move >= 0.85):
                trial[t][rng.choice(np.flatnonzero(is_closed))] = True
        rank = [m.astype(np.float64) for m in trial]
        found = search_open_sites(flows, rank, free, kept, deadline, moves=moves)
        if found.flows is None:
            continue
        if found.cost < best.cost - _IMPROVEMENT * abs(best.cost):
            best, idle = found, 0
        if found.cost <= best.cost * (1.0 + tolerance):
            current = found
    best.evaluations = flows.evaluations
    return best


def _repair(
    flows: NetworkFlows,
    start: list[np.ndarray],
    rank: Sequence[np.ndarray],
    free: Sequence[np.ndarray],
) -> SearchResult:
    """The rounded start, with the best-ranked closed sites opened until the flows fit."""
    open_sites = [m.copy() for m in start]
    cost, values = flows.evaluate(open_sites)
    while values is None:
        closed = [np.flatnonzero(f & ~m) for f, m in zip(free, open_sites, strict=True)]
        if not any(len(c) for c in closed):
            break
        # Open the best-ranked closed site of each tier that still has one.
        for t, sites in enumerate(closed):
            if len(sites):
                open_sites[t][sites[np.argmax(rank[t][sites])]] = True
        cost, values = flows.evaluate(open_sites)
    return SearchResult(open_sites, cost, values, flows.evaluations)


def _moves(flows: NetworkFlows, best: SearchResult, free: Sequence[np.ndarray]):
    """Trial open choices one move away from ``best``, the best estimated first."""
    found = []
    for t in range(len(flows.tiers)):
        delta, close, open_ = estimate_moves(
            service_cost(flows, t, best),
            flows.tiers[t].fixed_cost,
            best.open_sites[t],
            free[t],
        )
        found.append((delta, np.full(len(delta), t), close, open_))
    delta, tier, close, open_ = (np.concatenate(part) for part in zip(*found, strict=True))
    for k in np.argsort(delta, kind="stable"):
        if not np.isfinite(delta[k]):
            break
        trial = [m.copy() for m in best.open_sites]
        if close[k] >= 0:
            trial[tier[k]][close[k]] = False
        if open_[k] >= 0:
            trial[tier[k]][open_[k]] = True
        yield trial


def estimate_moves(
    cost: np.ndarray, fixed_cost: np.ndarray, is_open: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Change in cost of every drop, add and swap, as if each origin used its cheapest site.

    Parameters
    ----------
    cost : numpy.ndarray
        Origins x sites: cost of serving all of an origin from a site (inf: no pair).
    fixed_cost : numpy.ndarray
    is_open, free : numpy.ndarray
        Boolean masks: open sites, sites that may change.

    Returns
    -------
    delta, close, open : numpy.ndarray
        Per move: estimated change, the site closed and the site opened (-1: none).
    """
    opened = np.flatnonzero(is_open)
    closable = np.flatnonzero(is_open & free)
    closed = np.flatnonzero(~is_open & free)
    sub = cost[:, opened]
    order = np.argsort(sub, axis=1)[:, :2]
    rows = np.arange(cost.shape[0])
    best = sub[rows, order[:, 0]]
    second = sub[rows, order[:, 1]] if len(opened) > 1 else np.full(len(rows), np.inf)
    nearest = opened[order[:, 0]]
    with np.errstate(invalid="ignore"):
        lost = np.where(np.isinf(second) & np.isinf(best), 0.0, second - best)
        drop = np.array([lost[nearest == a].sum() for a in closable]) - fixed_cost[closable]
        add = fixed_cost[closed] + np.minimum(cost[:, closed] - best[:, None], 0.0).sum(axis=0)
        swaps = [
            fixed_cost[closed]
            - fixed_cost[a]
            + (np.minimum(cost[:, closed], np.where(nearest == a, second, best)[:, None])).sum(0)
            - best.sum()
            for a in closable
        ]
    swap = np.concatenate(swaps) if swaps else np.zeros(0)
    delta = np.concatenate([drop, add, swap])
    close = np.concatenate([closable, np.full(len(closed), -1), np.repeat(closable, len(closed))])
    open_ = np.concatenate([np.full(len(closable), -1), closed, np.tile(closed, len(closable))])
    return np.nan_to_num(delta, nan=np.inf, posinf=np.inf), close, open_


def service_cost(flows: NetworkFlows, t: int, best: SearchResult) -> np.ndarray:
    """Origins x sites of tier ``t``: the cost of sending all an origin sends now through a
    site, on to the cheapest open site above (inf where there is no pair)."""
    tier = flows.tiers[t]
    pairs = tier.pairs
    span = best.flows[flows.offsets[t] : flows.offsets[t + 1]]
    onward = np.zeros(len(tier.capacity))
    if t + 1 < len(flows.tiers):
        above = flows.tiers[t + 1]
        usable = best.open_sites[t + 1][above.pairs.destination]
        onward = np.full(len(tier.capacity), np.inf)
        np.minimum.at(onward, above.pairs.origin[usable], above.unit_cost[usable])
    if t == 0:
        # Shares: the unit cost already holds the weight; the load goes on up.
        amount = np.ones(pairs.n_origins)
        carried = flows.load
    else:
        amount = np.bincount(pairs.origin, weights=span, minlength=pairs.n_origins)
        carried = amount
    cost = np.full((pairs.n_origins, len(tier.capacity)), np.inf)
    cost[pairs.origin, pairs.destination] = (
        amount[pairs.origin] * tier.unit_cost + carried[pairs.origin] * onward[pairs.destination]
    )
    # Origins that send nothing cost nothing anywhere.
    cost[amount <= 0] = 0.0
    return cost


def search_kernels(
    flows: NetworkFlows,
    bound: NetworkBound,
    best: SearchResult,
    free: Sequence[np.ndarray],
    kept: Sequence[np.ndarray],
    deadline: float,
    *,
    bucket_share: float = 0.10,
    mip_limit_s: float = 30.0,
    nearest: int | None = 10,
    gap_rel: float = 1e-6,
    every_site_deadline: float | None = None,
) -> SearchResult:
    """Leave a local optimum through small MIPs over the sites that look most promising.

    A kernel search: each round's MIP (:func:`solve_restricted`, cut off at the best cost)
    may use the sites the best plan opens or the relaxation uses, plus a bucket of the other
    free sites, the next ``bucket_share`` of each tier in order of promise (relaxation reduced
    cost plus the estimated change of opening it, :func:`estimate_moves`). Sites whose
    reduced cost lifts the relaxation above the best cost never enter: no cheaper plan uses
    them. A better plan (priced by its exact flows) becomes the kernel and the buckets start
    again around it. When every bucket is tried, or at ``deadline``, MIPs over all those
    sites follow, each unit given twice the pairs of the last (20, 40, ... of ``nearest``
    10), each started from the best plan, until ``every_site_deadline``: from PSC4-C4-100's
    plan of 1,052,367, which every bucket MIP left unchanged, the MIP with 20 pairs found its
    optimum 1,052,324 (four points and three centres swapped) in 133 s and proved it in 206 s.
    The search stops when such a MIP had every pair, or at ``every_site_deadline``. (A local
    search after each better plan was measured and dropped: it used the time in which the
    next MIP improved more.)

    Parameters
    ----------
    flows : NetworkFlows
    bound : NetworkBound
        The relaxation over the same sites.
    best : SearchResult
        A feasible plan (its flows set).
    free, kept : sequence of numpy.ndarray
        As in :func:`search_open_sites`.
    deadline : float
        ``time.perf_counter()`` value at which the buckets end (and the search, without
        ``every_site_deadline``).
    bucket_share : float
        Share of each tier's sites a bucket adds (at least two). With ``nearest`` the MIPs are
        cheap enough for 10 %: PSC5-C4-100 tried every bucket in 245 s instead of 355 s (5 %),
        reaching the same plans as soon, which leaves time for the MIPs over every site.
    mip_limit_s : float
        Seconds each MIP may take.
    nearest : int or None
        Candidate points each demand unit may use in a MIP, besides those of the best plan's
        flows (None: all). The MIPs then have a quarter of the columns: PSC4-C4-100's
        first (40 points, 20 centres) ended at the same plan in 24 s with 10 where all 40 took
        33 s (at HiGHS's default gap then), and the search reached the same plans in 204 s
        where it took 245-450 s.
        The pairs are ranked by the relaxation's reduced cost (:func:`solve_restricted`).
    gap_rel : float
        Relative gap at which each MIP stops.
    every_site_deadline : float, optional
        ``time.perf_counter()`` value until which the MIPs over every site may run.

    Returns
    -------
    SearchResult
        ``best`` or a cheaper plan.
    """
    support = [f & (v > 1e-6) for f, v in zip(free, bound.open_values, strict=True)]
    size = [max(2, round(bucket_share * len(f))) for f in free]
    # A new best plan is a new kernel: every bucket is open again, and its MIP runs even when
    # no bucket is left to add.
    fresh = True
    most_pairs = int(flows.tiers[0].pairs.degree().max(initial=0))
    end = deadline if every_site_deadline is None else max(deadline, every_site_deadline)
    while time.perf_counter() < end:
        if fresh:
            tried = [np.zeros(len(f), dtype=bool) for f in free]
            width = nearest
            may_pay = bound.may_pay(free, best.cost)
            # Many reduced costs are 0 (a degenerate LP): the estimates, which depend on the
            # best plan only, break the ties.
            estimates = [_opening_estimate(flows, t, best, f) for t, f in enumerate(free)]
        candidates = [o | s for o, s in zip(best.open_sites, support, strict=True)]
        grown = False
        buckets = time.perf_counter() < deadline
        for t, reduced in enumerate(bound.reduced_costs if buckets else ()):
            left = np.flatnonzero(may_pay[t] & ~candidates[t] & ~tried[t])
            if not len(left):
                continue
            chosen = left[np.lexsort((estimates[t][left], reduced[left]))[: size[t]]]
            candidates[t][chosen] = tried[t][chosen] = grown = True
        pairs_per_unit, limit = nearest, min(deadline, time.perf_counter() + mip_limit_s)
        if not (grown or fresh and buckets):
            # Every bucket is tried, or their time is over: a MIP over every site that may
            # still pay, with twice the pairs per unit of the last, and the time left.
            if width is None or width >= most_pairs:
                break
            width = pairs_per_unit = 2 * width
            limit = end
            candidates = [c | m for c, m in zip(candidates, may_pay, strict=True)]
        fresh = False
        found = _cheaper_plan(
            flows, bound, candidates, limit, best, nearest=pairs_per_unit, gap_rel=gap_rel
        )
        if found is not None:
            best, fresh = found, True
    best.evaluations = flows.evaluations
    return best


def search_tiers(
    flows: NetworkFlows,
    bound: NetworkBound,
    best: SearchResult,
    free: Sequence[np.ndarray],
    kept: Sequence[np.ndarray],
    deadline: float,
    *,
    max_changes: int = 4,
    nearest: int | None = 40,
    mip_limit_s: float = 30.0,
    gap_rel: float = 1e-6,
) -> SearchResult:
    """Choose one tier's sites again, the other tiers held at the best plan, a few at a time.

    For each tier in turn, the one with the fewest sites that may pay first, a MIP
    (:func:`solve_restricted`, started from and cut off at the best plan) may open any of
    the tier's free sites that may still pay (their reduced cost keeps the relaxation below
    the best cost) and close its open ones, while the other tiers may only keep or close
    their open sites; at most ``max_changes`` sites change (local branching), and each
    demand unit may send to its ``nearest`` points. A cheaper plan is taken to its local
    optimum (:func:`search_open_sites`) and the rounds go on while one finds a cheaper plan.

    Where capacities are tight, the cheaper plans next to a local optimum swap two sites of
    one tier at once (a swap alone leaves units unserved), which single moves and random
    kicks rarely hit, and they send units beyond the 10 pairs the kernel's bucket MIPs give
    each unit: PSC3-C5-100's and PSC5-C5-100's two points swapped use a unit's 24th and 29th
    pair, PSC4-C5-100's two centres its 19th. A MIP over both tiers with 20 pairs per unit
    proved that no cheaper plan of PSC5-C5-100 was within six changes; this one finds them
    in 7-75 s (docs/optimize-network.md).

    Parameters
    ----------
    flows, bound, best, free, kept
        As in :func:`search_kernels`.
    deadline : float
        ``time.perf_counter()`` value at which the search stops with what it has.
    max_changes : int
        Sites each MIP may open or close against the best plan.
    nearest : int or None
        Points each demand unit may send to in a MIP, ranked by reduced cost as in
        :func:`solve_restricted` (None: all). With 40 the points MIP of PSC5-C5-100 has
        18,400 columns instead of 71,000 and finds its cheaper plan in 7 s instead of 17 s.
    mip_limit_s : float
        Seconds each MIP may take.
    gap_rel : float
        Relative gap at which each MIP stops.

    Returns
    -------
    SearchResult
        ``best`` or a cheaper plan.
    """
    improved = True
    while improved:
        improved = False
        # The tier with the fewest sites that may pay first: its MIP is the quickest, and a
        # cheaper plan it finds is where the slower ones start. Points first, PSC4-C5-100's
        # points MIP took 61 s to a plan from which its two centres swapped no longer paid;
        # the centres MIP from the plan before finds them in 10 s.
        may_pay = bound.may_pay(free, best.cost)
        for t in np.argsort([int(m.sum()) for m in may_pay], kind="stable"):
            now = time.perf_counter()
            if now >= deadline:
                return best
            candidates = [o.copy() for o in best.open_sites]
            candidates[t] |= may_pay[t]
            found = _cheaper_plan(
                flows,
                bound,
                candidates,
                min(deadline, now + mip_limit_s),
                best,
                nearest=nearest,
                gap_rel=gap_rel,
                max_changes=max_changes,
            )
            if found is not None:
                rank = [m.astype(np.float64) for m in found.open_sites]
                best = search_open_sites(flows, rank, free, kept, deadline)
                improved = True
    return best


def _cheaper_plan(
    flows: NetworkFlows,
    bound: NetworkBound,
    candidates: Sequence[np.ndarray],
    deadline: float,
    best: SearchResult,
    **options,
) -> SearchResult | None:
    """The plan of a MIP over ``candidates`` (:func:`solve_restricted` with ``options``),
    started from and cut off at ``best``, priced by its own flows; None unless cheaper."""
    plan = solve_restricted(
        flows, bound, candidates, deadline, best.cost, incumbent=best, **options
    )
    if plan is None:
        return None
    cost, values = flows.evaluate(plan)
    if cost < best.cost - _IMPROVEMENT * abs(best.cost):
        return SearchResult(plan, cost, values, flows.evaluations)
    return None


def _opening_estimate(
    flows: NetworkFlows, t: int, best: SearchResult, free: np.ndarray
) -> np.ndarray:
    """Per site of tier ``t``: the estimated change of opening it alone (0 where open or not
    free), from :func:`estimate_moves`."""
    delta, close, open_ = estimate_moves(
        service_cost(flows, t, best), flows.tiers[t].fixed_cost, best.open_sites[t], free
    )
    adds = (close < 0) & (open_ >= 0)
    estimate = np.zeros(len(free))
    estimate[open_[adds]] = np.where(np.isfinite(delta[adds]), delta[adds], 0.0)
    return estimate
