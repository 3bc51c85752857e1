"""Readers of published facility-location benchmark instances (see ../shared/bench/README.md).

Each reader returns a small dataclass that keeps the instance as published and builds a
:class:`~gxnet.optimize.problem.Problem` from it, so that tests and benchmarks read
the files the same way. Files are parsed as whitespace token streams, never line by line: the
OR-Library files wrap their records freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from gxnet._errors import InputFileError
from gxnet.config import Targets
from gxnet.optimize.problem import Demand, Pairs, Problem, TierSites
from gxnet.tiers import SiteStatus, Tier


def _tokens(path: Path, expected: int | None = None) -> np.ndarray:
    """All numbers of a text file as float64; checks the count when ``expected`` is given."""
    try:
        values = np.array(Path(path).read_text().split(), dtype=np.float64)
    except ValueError as error:
        raise InputFileError(f"not a numeric instance file ({error})", path=str(path)) from error
    if expected is not None and len(values) < expected:
        raise InputFileError(
            f"truncated: {len(values)} numbers, the header announces {expected}", path=str(path)
        )
    return values


# ---- p-median (OR-Library pmed1..pmed40) ----------------------------------------------------


@dataclass(frozen=True)
class PMedianInstance:
    """An OR-Library p-median instance: all-pairs shortest path costs, every node a customer
    (weight 1) and a candidate.

    Attributes
    ----------
    name : str
    cost : numpy.ndarray
        n x n shortest-path distances.
    p : int
    """

    name: str
    cost: np.ndarray
    p: int

    @property
    def n(self) -> int:
        return self.cost.shape[0]

    def problem(self) -> Problem:
        """The instance as a one-tier Problem (all pairs, weights 1, ``n_points = p``)."""
        return Problem.from_cost_matrix(self.cost, targets=Targets(points=self.p))


def read_pmed(path: str | Path) -> PMedianInstance:
    """Read an OR-Library ``pmedN.txt`` file.

    The header is ``n edges p``, then ``edges`` triples ``i j cost`` (1-based, undirected).
    A repeated edge takes its LAST value (Beasley's rule: the matrix is filled in file order),
    the diagonal is 0, and Floyd-Warshall gives all-pairs shortest paths.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    PMedianInstance
    """
    path = Path(path)
    head = _tokens(path)
    n, edges, p = (int(v) for v in head[:3])
    if len(head) < 3 + 3 * edges:
        raise InputFileError(
            f"truncated: {len(head) - 3} numbers after the header, {3 * edges} expected",
            path=str(path),
        )
    triples = head[3 : 3 + 3 * edges].reshape(edges, 3)
    i = triples[:, 0].astype(np.int64) - 1
    j = triples[:, 1].astype(np.int64) - 1
    if i.min() < 0 or j.min() < 0 or max(i.max(), j.max()) >= n:
        raise InputFileError(f"edge endpoints outside 1..{n}", path=str(path))
    # Last value wins for a repeated undirected edge: key both directions, keep the last.
    key = np.minimum(i, j) * n + np.maximum(i, j)
    last = len(key) - 1 - np.unique(key[::-1], return_index=True)[1]
    a, b, w = np.minimum(i, j)[last], np.maximum(i, j)[last], triples[last, 2]
    loops = a == b
    a, b, w = a[~loops], b[~loops], w[~loops]
    graph = sp.csr_matrix((w, (a, b)), shape=(n, n))
    cost = shortest_path(graph, method="FW", directed=False)
    if not np.isfinite(cost).all():
        raise InputFileError("the graph is not connected", path=str(path))
    return PMedianInstance(path.stem, cost, p)


# ---- weighted set covering (OR-Library scp4x..scpa) -----------------------------------------


@dataclass(frozen=True)
class SetCoverInstance:
    """An OR-Library set-covering instance: rows to cover, columns with costs.

    Attributes
    ----------
    name : str
    column_cost : numpy.ndarray
        Cost of each of the n columns.
    row, column : numpy.ndarray
        int32 incidence pairs (0-based): column ``column[k]`` covers row ``row[k]``.
    n_rows : int
    """

    name: str
    column_cost: np.ndarray
    row: np.ndarray
    column: np.ndarray
    n_rows: int

    def problem(self) -> Problem:
        """Rows as demand units (weight 1), columns as candidate sites with their cost as fixed
        cost, incidences as pairs of cost 0: solve with ``LocationSetCovering(...,
        objective="fixed_cost")``."""
        pairs = Pairs.from_arrays(
            self.row, self.column, np.zeros(len(self.row)), self.n_rows, len(self.column_cost)
        )
        return Problem.from_arrays(np.ones(self.n_rows), pairs, fixed_cost=self.column_cost)


def read_scp(path: str | Path) -> SetCoverInstance:
    """Read an OR-Library ``scpNN.txt`` file: ``m n``, n column costs, then per row ``k`` and
    its k column ids (1-based).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    SetCoverInstance
    """
    path = Path(path)
    tokens = _tokens(path)
    m, n = int(tokens[0]), int(tokens[1])
    cost = tokens[2 : 2 + n]
    position = 2 + n
    rows, columns = [], []
    for r in range(m):
        if position >= len(tokens):
            raise InputFileError(f"truncated at row {r + 1} of {m}", path=str(path))
        k = int(tokens[position])
        members = tokens[position + 1 : position + 1 + k].astype(np.int32) - 1
        if len(members) < k or members.min(initial=0) < 0 or members.max(initial=0) >= n:
            raise InputFileError(f"row {r + 1}: column ids outside 1..{n}", path=str(path))
        rows.append(np.full(k, r, dtype=np.int32))
        columns.append(members)
        position += 1 + k
    return SetCoverInstance(path.stem, cost, np.concatenate(rows), np.concatenate(columns), m)


# ---- spopt's San Francisco data ---------------------------------------------------------------


@dataclass(frozen=True)
class SanFranciscoInstance:
    """spopt's San Francisco test data: 205 census tracts x 16 candidate stores.

    Attributes
    ----------
    cost : numpy.ndarray
        205 x 16 network distances in metres (tracts and stores in name order, as spopt).
    weights : numpy.ndarray
        POP2000 of each tract.
    tract_ids, store_ids : numpy.ndarray
        Tract NAME and store name of each row and column.
    """

    cost: np.ndarray
    weights: np.ndarray
    tract_ids: np.ndarray
    store_ids: np.ndarray

    def problem(self, cutoff: float = np.inf, targets: Targets | None = None) -> Problem:
        """The data as a Problem with tract and store ids, pairs within ``cutoff`` metres."""
        costs = pd.DataFrame(self.cost, index=self.tract_ids, columns=self.store_ids)
        pairs = costs.stack().rename("cost").rename_axis(["demand_id", "site_id"]).reset_index()
        return Problem.from_tables(
            pd.DataFrame({"demand_id": self.tract_ids, "population": self.weights}),
            pd.DataFrame({"site_id": self.store_ids}),
            pairs[pairs["cost"] <= cutoff],
            targets=targets,
            weight="population",
        )


def read_spopt_sf(folder: str | Path) -> SanFranciscoInstance:
    """Read spopt's San Francisco files from ``folder`` (``../shared/bench/spopt_sf``).

    The distance table is pivoted to tracts x stores; each tract's weight is its POP2000 from
    the demand file, matched by tract NAME.
    """
    folder = Path(folder)
    distance_file = folder / "SF_network_distance_candidateStore_16_censusTract_205_new.csv"
    demand_file = folder / "SF_demand_205_centroid_uniform_weight.csv"
    distances = pd.read_csv(distance_file, dtype={"DestinationName": str})
    matrix = distances.pivot_table(values="distance", index="DestinationName", columns="name")
    demand = pd.read_csv(demand_file, dtype={"NAME": str}).set_index("NAME")
    missing = matrix.index.difference(demand.index)
    if len(missing):
        raise InputFileError(
            f"tracts without a POP2000 row: {list(missing[:5])}", path=str(demand_file)
        )
    if matrix.isna().any().any():
        raise InputFileError("the distance table is not complete", path=str(distance_file))
    return SanFranciscoInstance(
        matrix.to_numpy(dtype=np.float64),
        demand.loc[matrix.index, "POP2000"].to_numpy(dtype=np.float64),
        matrix.index.to_numpy(),
        matrix.columns.to_numpy(),
    )


# ---- capacitated warehouse location (OR-Library cap41..cap134, capa/capb/capc) --------------


@dataclass(frozen=True)
class CapInstance:
    """An OR-Library capacitated warehouse location instance, as published.

    Attributes
    ----------
    name : str
    capacity, fixed_cost : numpy.ndarray
        Per warehouse.
    demand : numpy.ndarray
        Per customer.
    cost : numpy.ndarray
        customers x warehouses: cost of serving ALL of the customer's demand from the warehouse.
    """

    name: str
    capacity: np.ndarray
    fixed_cost: np.ndarray
    demand: np.ndarray
    cost: np.ndarray

    def problem(self, targets: Targets | None = None) -> Problem:
        """Customers as demand (weight = demand), warehouses as recycling points, all pairs.

        The pair cost is the file's cost divided by the demand (cost per unit of weight), so that
        a model's ``weight x cost x share`` is the file's cost times the share served.
        """
        return Problem.from_cost_matrix(
            self.cost / self.demand[:, None],
            weights=self.demand,
            capacity=self.capacity,
            fixed_cost=self.fixed_cost,
            targets=targets,
        )


def read_cap(path: str | Path, capacity: float | None = None) -> CapInstance:
    """Read an OR-Library capacitated warehouse location file (cap41..cap134, capa/b/c).

    The file is ``m n``; ``m`` records ``capacity fixed_cost``; then per customer its demand and
    ``m`` costs of serving all of it from each warehouse. Demand may be split.

    Parameters
    ----------
    path : str or Path
    capacity : float, optional
        Warehouse capacity for capa/capb/capc, whose files carry the word ``capacity`` instead
        of a number (optima.csv names the value: capa 8000..14000, capb 5000..8000, capc
        5000..7250). Given for a file with numbers, it replaces them. The uncapacitated optima
        (cap71..74, 101..104, 131..134) need nothing: their capacities equal the total demand.

    Returns
    -------
    CapInstance

    Raises
    ------
    InputFileError
        When capacities are words and ``capacity`` is not given, or the file is short or has
        words where numbers belong.
    """
    path = Path(path)
    tokens = path.read_text().split()
    try:
        m, n = int(tokens[0]), int(tokens[1])
    except (IndexError, ValueError):
        raise InputFileError("no 'm n' header", path=str(path)) from None
    expected = 2 + 2 * m + n * (1 + m)
    if len(tokens) != expected:
        raise InputFileError(
            f"{len(tokens)} tokens where m={m}, n={n} need {expected}", path=str(path)
        )
    capacities = tokens[2 : 2 + 2 * m : 2]
    if capacity is not None:
        capacities = [str(capacity)] * m
    elif "capacity" in capacities:
        raise InputFileError(
            "capacities are the word 'capacity': pass capacity= (capa 8000..14000, "
            "capb 5000..8000, capc 5000..7250; optima.csv names the value)",
            path=str(path),
            field="capacity",
        )
    tokens[2 : 2 + 2 * m : 2] = capacities
    values = _tokens_as_numbers(path, tokens)
    warehouses = values[2 : 2 + 2 * m].reshape(m, 2)
    customers = values[2 + 2 * m :].reshape(n, 1 + m)
    empty = np.flatnonzero(customers[:, 0] <= 0)
    if len(empty):
        raise InputFileError(
            f"customers {list(empty[:5] + 1)} have no demand", path=str(path), field="demand"
        )
    return CapInstance(
        path.stem, warehouses[:, 0], warehouses[:, 1], customers[:, 0], customers[:, 1:]
    )


# ---- two-stage capacitated facility location (Fernandes et al. 2014) ------------------------


@dataclass(frozen=True)
class TwoStageInstance:
    """A two-stage capacitated facility location instance: plants -> satellites -> customers.

    Attributes
    ----------
    name : str
    demand : numpy.ndarray
        Per customer.
    plant_capacity, plant_fixed_cost, satellite_capacity, satellite_fixed_cost : numpy.ndarray
    plant_cost : numpy.ndarray
        plants x satellites, per unit shipped.
    satellite_cost : numpy.ndarray
        satellites x customers, per unit shipped.
    """

    name: str
    demand: np.ndarray
    plant_capacity: np.ndarray
    plant_fixed_cost: np.ndarray
    plant_cost: np.ndarray
    satellite_capacity: np.ndarray
    satellite_fixed_cost: np.ndarray
    satellite_cost: np.ndarray

    def problem(self, targets: Targets | None = None) -> Problem:
        """Customers as demand, satellites as recycling points, plants as sorting centres.

        The flow runs upwards (customer -> satellite -> plant) with the same unit costs, which is
        the same network read the other way.
        """
        sites = {
            Tier.RECYCLING_POINT: _numbered_sites(
                Tier.RECYCLING_POINT, self.satellite_capacity, self.satellite_fixed_cost
            ),
            Tier.SORTING_CENTRE: _numbered_sites(
                Tier.SORTING_CENTRE, self.plant_capacity, self.plant_fixed_cost
            ),
        }
        pairs = {
            Tier.RECYCLING_POINT: Pairs.from_dense(self.satellite_cost.T),
            Tier.SORTING_CENTRE: Pairs.from_dense(self.plant_cost.T),
        }
        demand = Demand(np.arange(len(self.demand)), self.demand)
        return Problem(demand, sites, pairs, targets)


def read_tscflp(path: str | Path) -> TwoStageInstance:
    """Read a two-stage CFLP file: ``I J K``; ``K`` demands; ``I`` records ``capacity
    fixed_cost`` (plants); ``I x J`` unit costs plant -> satellite; ``J`` records (satellites);
    ``J x K`` unit costs satellite -> customer.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    TwoStageInstance
    """
    path = Path(path)
    values = _tokens(path)
    plants, satellites, customers = (int(v) for v in values[:3])
    sizes = [customers, 2 * plants, plants * satellites, 2 * satellites, satellites * customers]
    if len(values) != 3 + sum(sizes):
        raise InputFileError(
            f"{len(values)} numbers where I={plants}, J={satellites}, K={customers} need "
            f"{3 + sum(sizes)}",
            path=str(path),
        )
    demand, plant, plant_cost, satellite, satellite_cost = np.split(
        values[3:], np.cumsum(sizes)[:-1]
    )
    plant, satellite = plant.reshape(plants, 2), satellite.reshape(satellites, 2)
    return TwoStageInstance(
        path.stem,
        demand,
        plant[:, 0],
        plant[:, 1],
        plant_cost.reshape(plants, satellites),
        satellite[:, 0],
        satellite[:, 1],
        satellite_cost.reshape(satellites, customers),
    )


def _numbered_sites(tier: str, capacity: np.ndarray, fixed_cost: np.ndarray) -> TierSites:
    """Candidate sites with ids ``0..n-1``."""
    n = len(capacity)
    status = np.full(n, SiteStatus.CANDIDATE, dtype=object)
    return TierSites(tier, np.arange(n), capacity, fixed_cost, status)


def _tokens_as_numbers(path: Path, tokens: list[str]) -> np.ndarray:
    """Text tokens as float64; an InputFileError naming the file when one is not a number."""
    try:
        return np.asarray(tokens, dtype=np.float64)
    except ValueError as error:
        raise InputFileError(f"not a numeric instance file ({error})", path=str(path)) from None


# ---- synthetic planning grid ------------------------------------------------------------------


def planning_grid(size: int, radius: float, p: int, *, seed: int = 0) -> Problem:
    """A synthetic covering instance shaped like a city's planning grid.

    The cells of a ``size`` x ``size`` square grid are both the demand units and the
    candidate sites; a pair links two cells within ``radius`` cell widths (13 per inner cell at
    radius 2), its cost the distance in cell widths; households are lognormal (median 20, a
    long tail like dense urban cells). Used by the maximal covering tests and benchmark.

    Parameters
    ----------
    size : int
        Cells per side.
    radius : float
        Service standard in cell widths.
    p : int
        ``targets.points``.
    seed : int
        Seed of the households.
    """
    rng = np.random.default_rng(seed)
    xy = np.stack(np.meshgrid(np.arange(size), np.arange(size)), -1).reshape(-1, 2)
    reach = int(radius)
    dx, dy = np.meshgrid(np.arange(-reach, reach + 1), np.arange(-reach, reach + 1))
    near = dx**2 + dy**2 <= radius**2
    offsets = np.stack([dx[near], dy[near]], 1)
    target = xy[:, None, :] + offsets[None]
    inside = ((target >= 0) & (target < size)).all(-1)
    origin = np.repeat(np.arange(len(xy)), len(offsets))[inside.ravel()]
    destination = (target[..., 1] * size + target[..., 0])[inside]
    cost = np.broadcast_to(np.hypot(*offsets.T), inside.shape)[inside]
    weight = np.round(rng.lognormal(3, 1.2, len(xy)))
    pairs = Pairs.from_arrays(origin, destination, cost, len(xy), len(xy))
    return Problem.from_arrays(weight, pairs, targets=Targets(points=p))
