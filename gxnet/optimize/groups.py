"""Grouped minimums: at least k open sites among each group's candidate sites.

A plan that gives every township a recycling point, or every county its quota, asks
``sum_{j in G} y_j >= k_G`` for groups G of candidate sites. The groups of one :class:`SiteGroups`
form a laminar family, given level by level from the outermost (counties) inwards (townships):
the groups of one level are disjoint, and each group lies inside one group of the level above
(or in none). That structure keeps every heuristic exact about the minimums:

- a set of sites that meets them is built bottom-up, the innermost deficits first
  (:meth:`SiteGroups.forced`): each pick inside a township also counts for its county;
- the sets of ``p`` sites that meet them are the bases of a matroid (their complements are the
  bases of a laminar matroid), so the best set by any site value is the bottom-up forced sites
  plus the best of the rest (:meth:`SiteGroups.best_set`), and a swap that keeps the minimums
  only has to respect the innermost tight group of the site it closes
  (:meth:`SiteGroups.innermost_tight`).

Sites are integer-coded as in :class:`gxnet.optimize.Problem` (positions in the tier's ids).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from gxnet._errors import InfeasibleProblemError, ProblemDataError
from gxnet.optimize.problem import describe_ids


@dataclass(frozen=True)
class SiteGroups:
    """Groups of sites, each with the least number of its sites that must be open.

    Attributes
    ----------
    labels : numpy.ndarray
        int64, shape (levels, sites): the group of each site at each level, -1 for none;
        the outermost level first.
    minimum : numpy.ndarray
        int64, per group: the least number of its sites open (>= 1).
    level : numpy.ndarray
        int64, per group: its level (row of ``labels``).
    names : numpy.ndarray
        Per group, the label it was given by (a township code, a county adcode).
    """

    labels: np.ndarray
    minimum: np.ndarray
    level: np.ndarray
    names: np.ndarray

    @classmethod
    def from_labels(
        cls, levels: Sequence[tuple[Sequence[Hashable], Mapping[Hashable, int]]]
    ) -> SiteGroups:
        """Groups from each site's label per level and the minimum of each label.

        Parameters
        ----------
        levels
            Outermost first: ``(site_labels, minimums)``, one label per site (the same number
            of sites at every level) and the minimum of each label; sites whose label has no
            minimum, or a minimum below 1, belong to no group at that level.

        Raises
        ------
        ProblemDataError
            When the levels have different numbers of sites, or a group of an inner level
            spans several groups of the level above (the family would not be laminar).
        """
        if not levels:
            raise ProblemDataError("groups: give at least one level of site labels")
        n_sites = len(levels[0][0])
        rows, minimum, level, names = [], [], [], []
        for depth, (site_labels, minimums) in enumerate(levels):
            if len(site_labels) != n_sites:
                raise ProblemDataError(
                    f"groups: level {depth} labels {len(site_labels)} sites, level 0 {n_sites}"
                )
            wanted = {k: int(v) for k, v in minimums.items() if int(v) >= 1}
            keys = list(wanted)
            codes = _codes(site_labels, keys, len(names))
            rows.append(codes)
            minimum += [wanted[k] for k in keys]
            level += [depth] * len(keys)
            names += keys
        labels = np.vstack(rows) if rows else np.zeros((0, n_sites), dtype=np.int64)
        groups = cls(
            labels,
            np.asarray(minimum, dtype=np.int64),
            np.asarray(level, dtype=np.int64),
            np.asarray(names, dtype=object),
        )
        groups._check_laminar()
        return groups

    @property
    def n_sites(self) -> int:
        return self.labels.shape[1]

    @property
    def n_groups(self) -> int:
        return len(self.minimum)

    def _check_laminar(self) -> None:
        for depth in range(1, self.labels.shape[0]):
            inner, outer = self.labels[depth], self.labels[depth - 1]
            member = inner >= 0
            pairs = np.unique(np.column_stack([inner[member], outer[member]]), axis=0)
            spans = np.flatnonzero(np.bincount(pairs[:, 0], minlength=self.n_groups) > 1)
            if len(spans):
                raise ProblemDataError(
                    f"groups: the sites of {describe_ids(self.names[spans])} lie in several "
                    "groups of the level above; each group must lie inside one"
                )

    def padded(self, n_sites: int) -> SiteGroups:
        """The same groups over ``n_sites`` sites (the extra ones, at the end, in no group)."""
        extra = n_sites - self.n_sites
        if extra <= 0:
            return self
        pad = np.full((self.labels.shape[0], extra), -1, dtype=np.int64)
        return SiteGroups(np.hstack([self.labels, pad]), self.minimum, self.level, self.names)

    def within(self, usable: np.ndarray) -> SiteGroups:
        """These groups with each minimum capped at the group's usable sites (a group whose
        sites were all left out asks for none)."""
        return SiteGroups(
            self.labels, np.minimum(self.minimum, self.counts(usable)), self.level, self.names
        )

    def counts(self, open_sites: np.ndarray) -> np.ndarray:
        """Open sites per group."""
        labels = self.labels[:, np.asarray(open_sites, dtype=bool)]
        return np.bincount(labels[labels >= 0], minlength=self.n_groups)

    def deficit(self, open_sites: np.ndarray) -> np.ndarray:
        """Per group, how many more of its sites must open (0 when its minimum is met)."""
        return np.maximum(self.minimum - self.counts(open_sites), 0)

    def satisfied(self, open_sites: np.ndarray) -> bool:
        """Whether the open sites meet every minimum."""
        return not self.deficit(open_sites).any()

    def needing(self, open_sites: np.ndarray) -> np.ndarray | None:
        """Sites of the innermost level that still has a group short of its minimum, in such a
        group (what a greedy opens next); None when every minimum is met."""
        short = np.append(self.deficit(open_sites) > 0, False)  # label -1: the False
        for depth in range(self.labels.shape[0] - 1, -1, -1):
            row = self.labels[depth]
            inside = short[row]
            if inside.any():
                return inside
        return None

    def forced(self, value: np.ndarray, kept: np.ndarray, usable: np.ndarray) -> np.ndarray:
        """The kept sites and, bottom-up, the sites of highest ``value`` that each group still
        needs: the fewest sites that meet the minimums, best by value (see the module
        docstring).

        Raises
        ------
        InfeasibleProblemError
            When a group has fewer usable sites than its minimum.
        """
        chosen = np.asarray(kept, dtype=bool).copy()
        usable = np.asarray(usable, dtype=bool)
        for depth in range(self.labels.shape[0] - 1, -1, -1):
            row = self.labels[depth]
            need = np.maximum(self.minimum - self.counts(chosen), 0)
            free = np.flatnonzero(usable & ~chosen & (row >= 0))
            free = free[need[row[free]] > 0]
            if len(free) == 0:
                continue
            order = free[np.lexsort((-value[free], row[free]))]
            group = row[order]
            first = np.searchsorted(group, group, side="left")
            take = np.arange(len(order)) - first < need[group]
            chosen[order[take]] = True
        short = self.deficit(chosen) > 0
        if short.any():
            raise InfeasibleProblemError(
                key="err_minimums_unmet", ids=describe_ids(self.names[short])
            )
        return chosen

    def sites_needed(self, kept: np.ndarray, usable: np.ndarray) -> int:
        """The fewest open sites (kept ones included) that meet every minimum."""
        return int(self.forced(np.zeros(self.n_sites), kept, usable).sum())

    def best_set(
        self, value: np.ndarray, p: int, kept: np.ndarray, usable: np.ndarray
    ) -> np.ndarray:
        """The ``p`` usable sites, kept ones included, of highest total ``value`` that meet the
        minimums: the forced sites, then the best of the rest (exact: the module docstring)."""
        chosen = self.forced(value, kept, usable)
        slots = p - int(chosen.sum())
        rest = np.flatnonzero(usable & ~chosen)
        if slots > 0 and len(rest):
            slots = min(slots, len(rest))
            chosen[rest[np.argpartition(-value[rest], slots - 1)[:slots]]] = True
        return chosen

    def innermost_tight(self, open_sites: np.ndarray) -> np.ndarray:
        """Per site, the innermost group holding it that has no open site to spare (-1: none).

        Closing an open site keeps the minimums exactly when the site opened in its place
        lies in that group (all groups holding a site are nested).
        """
        tight = np.append(self.counts(open_sites) <= self.minimum, False)
        out = np.full(self.n_sites, -1, dtype=np.int64)
        for depth in range(self.labels.shape[0]):
            row = self.labels[depth]
            inside = tight[row]
            out[inside] = row[inside]
        return out

    def contains(self, group: np.ndarray, site: np.ndarray) -> np.ndarray:
        """Element-wise: whether ``site`` lies in ``group`` (False for group -1)."""
        group = np.asarray(group, dtype=np.int64)
        level = np.append(self.level, 0)[group]
        return (group >= 0) & (self.labels[level, np.asarray(site, dtype=np.int64)] == group)

    def smallest_over_groups(self, per_group: np.ndarray) -> np.ndarray:
        """Per site, the smallest of ``per_group`` over the groups holding it (inf: none)."""
        out = np.full(self.n_sites, np.inf)
        for row in self.labels:
            inside = row >= 0
            out[inside] = np.minimum(out[inside], per_group[row[inside]])
        return out

    def members(self, group: int) -> np.ndarray:
        """The sites of one group."""
        return np.flatnonzero(self.labels[self.level[group]] == group)


def _codes(site_labels: Sequence[Hashable], keys: list[Hashable], offset: int) -> np.ndarray:
    """Group index of each site label (-1 for labels without a minimum), by hashing."""
    lookup = {k: offset + i for i, k in enumerate(keys)}
    return np.fromiter((lookup.get(x, -1) for x in site_labels), dtype=np.int64)
