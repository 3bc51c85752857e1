"""Phases of building, nested: what is built first is never stranded.

A phase is a stage of the plan with its own number of point sites (``--phase 2023:100 --phase
2025:standard``, or ``[[phases]]`` in ``gxnet.toml``). :func:`solve_phases` solves them in
order, each with every point site of the phase before it as a required site, so that the sites
of an earlier phase are a subset of a later phase's. Each site of the plan carries the phase in
which it opens (:func:`site_phases`): a recycling point its solve's, a sorting centre the
earliest phase of the points it serves (it opens with the first of them). The township minimum
applies in every phase; where a phase's count cannot meet it, it is lowered by the rule of
:func:`gxnet.model_choice.fit_minimums`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gxnet._errors import InfeasibleProblemError, UserInputError
from gxnet._messages import status_phrase, status_words, text
from gxnet.config import Config
from gxnet.model_choice import (
    ModelInput,
    TownshipNeeds,
    fit_minimums,
    solve_network,
    township_needs,
    with_point_target,
)
from gxnet.optimize import Solution
from gxnet.tiers import SiteStatus, Tier

#: The phase target that means "as many points as the household standard asks for".
STANDARD = "standard"


@dataclass(frozen=True)
class Phase:
    """One stage of building: its name (a year, say) and its number of point sites.

    Attributes
    ----------
    name
        How the plan labels the phase's sites (``"2023"``).
    points
        Point sites open by the end of the phase (existing ones included), or None for the
        household standard's count (``standard``).
    """

    name: str
    points: int | None

    def __str__(self) -> str:
        return f"{self.name}:{STANDARD if self.points is None else self.points}"


def parse_phase(spec: str | Mapping[str, Any]) -> Phase:
    """A phase from ``NAME:COUNT`` or ``NAME:standard`` (``2023:1000``, ``2025:standard``), or
    from a ``[[phases]]`` table of ``gxnet.toml`` (``name = "2023"``, ``points = 1000`` or
    ``points = "standard"``).

    Raises
    ------
    UserInputError
        When the text is not of that form or the count is not a positive whole number.
    """
    if isinstance(spec, Mapping):
        spec = f"{spec.get('name', '')}:{spec.get('points', '')}"
    name, sep, target = str(spec).partition(":")
    name, target = name.strip(), target.strip()
    if not sep or not name or not target:
        raise UserInputError(key="err_phase", text=str(spec))
    if target.lower() == STANDARD:
        return Phase(name, None)
    if not re.fullmatch(r"\d+", target) or int(target) < 1:
        raise UserInputError(key="err_phase_count", text=str(spec))
    return Phase(name, int(target))


def check_phases(phases: Sequence[Phase]) -> tuple[Phase, ...]:
    """The phases in order, checked: distinct names, counts that never fall, and ``standard``
    only as the last phase (no count can be compared with it before the demand is known).

    Raises
    ------
    UserInputError
        Naming the phases at fault.
    """
    phases = tuple(phases)
    names = [p.name for p in phases]
    if len(set(names)) != len(names):
        raise UserInputError(key="err_phase_twice", names=", ".join(names))
    for earlier, later in zip(phases, phases[1:], strict=False):
        if earlier.points is None:
            raise UserInputError(key="err_phase_standard_last", phase=str(earlier))
        if later.points is not None and later.points < earlier.points:
            raise UserInputError(key="err_phase_fewer", later=str(later), earlier=str(earlier))
    return phases


@dataclass(frozen=True)
class PhasedSolution:
    """The solves of the phases: the last one's solution, needs and config, and the phase in
    which each chosen point opened."""

    solution: Solution
    needs: TownshipNeeds
    config: Config
    opened: dict[Any, str]
    counts: tuple[int, ...]


def solve_phases(
    data: ModelInput,
    config: Config,
    phases: Sequence[Phase],
    say: Callable[[str], None],
    adjust: Callable[[ModelInput, Config, Phase], ModelInput] | None = None,
    lang: str = "en",
) -> PhasedSolution:
    """Solve the phases in order, each keeping every point of the one before.

    Each phase is the model stage of :func:`gxnet.model_choice.solve_network` with the number
    of point sites of the phase (the household standard's for ``standard``, never fewer than
    the sites already open), the earlier phases' points as required sites, the township
    minimum (and county quota) fitted to the count, and an equal share of the time limit.
    ``adjust`` changes each phase's model input before its solve, given the phase (a
    re-solve's price of change, :func:`gxnet.change.with_change_price`).

    Raises
    ------
    InfeasibleProblemError
        When a phase has no plan (the message names the phase).
    """
    phases = check_phases(phases)
    opened: dict[Any, str] = {}
    counts: list[int] = []
    limit = config.solver.time_limit_s
    points = data.points
    result = None
    for phase in phases:
        points = points.assign(
            status=points["status"].where(
                ~(
                    points["site_id"].isin(list(opened))
                    & (points["status"] == SiteStatus.CANDIDATE)
                ),
                SiteStatus.REQUIRED,
            )
        )
        free = dataclasses.replace(config.targets, points=None, coverage=None)
        base = dataclasses.replace(config, targets=free)
        if phase.points is None:
            needs = township_needs(data.demand, points, data.walk, base)
            count = with_point_target(
                base, data.demand, points, say, needed=needs.needed, lang=lang
            ).targets.points
        else:
            count = phase.points
        needs, fitted = fit_minimums(data.demand, points, data.walk, base, count, say, lang)
        solver = dataclasses.replace(
            config.solver, time_limit_s=None if limit is None else limit / len(phases)
        )
        phase_config = dataclasses.replace(
            fitted,
            targets=dataclasses.replace(fitted.targets, points=count, coverage=None),
            solver=solver,
        )
        phase_data = dataclasses.replace(data, points=points, minimums=needs.groups)
        if adjust is not None:
            phase_data = adjust(phase_data, phase_config, phase)
        solution = solve_network(phase_data, phase_config)
        if not solution.has_solution:
            raise InfeasibleProblemError(
                key="err_phase_no_solution", phase=phase, status=status_phrase(solution.status)
            )
        for site in solution.open_sites[Tier.RECYCLING_POINT]:
            opened.setdefault(site, phase.name)
        counts.append(count)
        status = status_words(solution.quality(), lang)
        say(text("progress_phase", lang, name=phase.name, points=count, status=status))
        result = (solution, needs, phase_config)
    solution, needs, final = result
    final = dataclasses.replace(final, solver=config.solver)
    return PhasedSolution(solution, needs, final, opened, tuple(counts))


def site_phases(
    sites: pd.DataFrame, links: pd.DataFrame, opened: Mapping[Any, str], phases: Sequence[Phase]
) -> pd.Series:
    """The phase in which each site opens ("" for a site the plan does not open).

    A chosen point opens in the phase of the solve that first chose it (a kept site that no
    solve had to choose, in the first phase); a sorting centre in the earliest phase of the
    points it serves (the last phase when it serves none).
    """
    order = {p.name: i for i, p in enumerate(phases)}
    names = [p.name for p in phases]
    chosen = sites["chosen"].astype(bool)
    is_point = sites["tier"] == Tier.RECYCLING_POINT
    phase = sites["site_id"].map(dict(opened)).where(chosen & is_point)
    phase = phase.where(phase.notna() | ~(chosen & is_point), names[0])
    point_rank = pd.Series(phase.map(order).to_numpy(), index=sites["site_id"].to_numpy())
    first = links.assign(rank=links["point_id"].map(point_rank)).groupby("centre_id")["rank"].min()
    centre = chosen & ~is_point
    rank = sites["site_id"].map(first).fillna(len(names) - 1).astype(int)
    phase = phase.where(~centre, rank.map(dict(enumerate(names))))
    return phase.fillna("").astype(str)


def phase_figures(
    sites: pd.DataFrame, demand: pd.DataFrame, walk: pd.DataFrame, phases: Sequence[Phase]
) -> list[dict[str, Any]]:
    """Per phase, what is open by its end: point sites (and how many are new in it), sorting
    centres, households within the standard of an open point and their share.

    ``sites`` carries the ``phase`` column of :func:`site_phases`; ``walk`` the demand ->
    point pairs within the standard.
    """
    households = demand.set_index("demand_id")["households"].astype(float)
    total = float(households.sum())
    figures = []
    open_ids: set = set()
    for i, phase in enumerate(phases):
        now = sites[sites["phase"] == phase.name]
        is_point = now["tier"] == Tier.RECYCLING_POINT
        open_ids |= set(now.loc[is_point, "site_id"])
        units = walk.loc[walk["site_id"].isin(open_ids), "demand_id"].unique()
        covered = float(households.reindex(units).sum())
        previous = figures[-1] if figures else {"points": 0, "centres": 0}
        figures.append(
            {
                "phase": phase.name,
                "target": str(phase),
                "points": len(open_ids),
                "new_points": int(is_point.sum()),
                "centres": previous["centres"] + int((~is_point).sum()),
                "households_covered": covered,
                "coverage": covered / total if total > 0 else 0.0,
                "order": i,
            }
        )
    return figures
