"""The message catalogue: every word gxnet shows a person, in Chinese (the default) and English.

One table (:data:`gxnet._catalogue.MESSAGES`) for the command line (help, progress, errors),
the map, the report and the workbook, so that a translation is checked in one place and a new
language is one more column. Keys name what the text is for; values with ``{}`` fields are
filled with ``str.format`` from the parameters a caller (or an exception, see
:class:`gxnet._errors.GxnetError`) carries. This module is the table's interface: languages
checked, one message (:func:`text`), every message of a language (:func:`messages`), the
console's language, and the words of a solver's status.

The language of the console is :func:`language`: set by the command line's ``--lang`` through
:func:`set_language`, else the environment variable ``GXNET_LANG``, else Chinese. Library
functions that write a document (map, report, workbook) take their language as an argument.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from typing import Any

from gxnet import _catalogue
from gxnet._catalogue import LANG_VARIABLE, LANGUAGES, MESSAGES, Phrase, language
from gxnet._errors import UserInputError

__all__ = [
    "LANGUAGES",
    "LANG_VARIABLE",
    "Phrase",
    "display_width",
    "has",
    "language",
    "messages",
    "reason_column",
    "reasons",
    "set_language",
    "status_phrase",
    "status_words",
    "text",
    "unknown_choice",
    "worded",
]


def _check(lang: str) -> int:
    if lang not in LANGUAGES:
        raise unknown_choice("language", lang, LANGUAGES)
    return LANGUAGES.index(lang)


def unknown_choice(what: str, value: object, choices: tuple[str, ...]) -> UserInputError:
    """The error of a ``value`` that is none of ``choices``; ``what`` names the setting
    (``language``, ``basemap``, ``report_format``: a ``what_<what>`` message)."""
    return UserInputError(
        key="err_unknown_choice",
        what=MESSAGES[f"what_{what}"][0],
        what_en=MESSAGES[f"what_{what}"][1],
        value=value,
        choices=", ".join(choices),
    )


def messages(lang: str) -> dict[str, str]:
    """Return every message in ``lang`` ("zh" or "en"), keyed as in the catalogue.

    Raises
    ------
    UserInputError
        For a language the catalogue does not have.
    """
    column = _check(lang)
    return {key: texts[column] for key, texts in MESSAGES.items()}


def has(key: str) -> bool:
    """Whether the catalogue holds ``key``."""
    return key in MESSAGES


def text(key: str, lang: str | None = None, /, **params: Any) -> str:
    """One message in ``lang`` (default: :func:`language`), its fields filled from ``params``.

    Raises
    ------
    KeyError
        For a key not in the catalogue (a programming error, caught by the tests).
    UserInputError
        For a language the catalogue does not have.
    """
    lang = lang or language()
    _check(lang)
    return _catalogue.word(key, lang, params)


def set_language(lang: str | None) -> None:
    """Set the console's language ("zh" or "en"; None goes back to ``GXNET_LANG``)."""
    if lang is not None:
        _check(lang)
    _catalogue.chosen_language = lang


def display_width(value: str) -> int:
    """Columns a text takes on a terminal or in a spreadsheet: a Chinese (wide or full-width)
    character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)


def status_words(metrics: Mapping[str, Any], lang: str | None = None) -> str:
    """How good a plan is, in words a leader reads: "proven optimal", or "within 0.98 % of the
    best possible" with the bound, each tier's when the tiers were solved in turn; and whether
    the time limit cut the search short. The console, the map, the report and the workbook all
    say it this way.

    Parameters
    ----------
    metrics
        A plan's metrics (or :meth:`gxnet.optimize.Solution.quality`): ``status``, ``gap``,
        ``bound``, ``sense``, ``objective_name``, ``time_limited`` and, for a plan solved tier
        by tier, ``tiers`` (tier -> the same keys).
    lang
        "zh" or "en"; default: the console's language (:func:`language`).
    """
    lang = lang or language()
    tiers = metrics.get("tiers") or {}
    if tiers and all(values.get("status") == "optimal" for values in tiers.values()):
        tiers = {}  # every tier proven: one "proven optimal" says it
    said = [
        f"{text(f'tier_{tier}', lang)}{text('colon', lang)}{_one_status(values, lang)}"
        for tier, values in tiers.items()
    ] or [_one_status(metrics, lang)]
    if metrics.get("time_limited"):
        said.append(text("status_time", lang))
    return text("list_separator", lang).join(said)


def _one_status(values: Mapping[str, Any], lang: str) -> str:
    status, gap, bound = values.get("status"), values.get("gap"), values.get("bound")
    if status is None:
        return text("status_unknown", lang)
    if status == "optimal":
        return text("status_optimal", lang)
    if status != "feasible":
        key = f"status_{status}"
        return text(key if has(key) else "status_none", lang)
    if gap is None or not math.isfinite(gap):
        return text("status_feasible", lang)
    if bound is None or not math.isfinite(bound):
        return text("status_within", lang, gap=100 * gap)
    name = f"objective_{values.get('objective_name', 'cost')}"
    return text(
        "status_within_bound",
        lang,
        gap=100 * gap,
        bound_kind=text("bound_upper" if values.get("sense") == "max" else "bound_lower", lang),
        bound=f"{bound:,.0f} {text(name, lang) if has(name) else ''}".strip(),
    )


def reason_column(lang: str) -> str:
    """The column of a table of rows with reasons (a site list's report, the rows a plan left
    out, a re-solve's changes) that gives them in ``lang``: ``reason`` in English,
    ``reason_zh`` in Chinese."""
    return "reason" if lang == "en" else f"reason_{lang}"


def reasons(table: Any, lang: str) -> Any:
    """The reasons of ``table`` in ``lang`` (see :func:`reason_column`); in English for a
    table written before they were kept in every language."""
    column = reason_column(lang)
    return table[column] if column in table.columns else table["reason"]


def worded(values: Any, lang: str) -> Any:
    """A column of phrases (or texts) worded in ``lang``; empty where there is none."""
    return values.map(lambda v: v.word(lang) if isinstance(v, Phrase) else v).fillna("")


def status_phrase(status: str) -> Phrase | str:
    """A solver's status (``optimal``, ``feasible``, ``infeasible``, ``no solution``...) as a
    phrase of the catalogue, to be worded in the language of the message it goes in; the status
    as it is when the catalogue has no words for it."""
    key = f"status_{status.replace(' ', '_')}"
    return Phrase(key) if key in MESSAGES else status


#: The terms of a model's name, longest first, so that a term inside a longer one is replaced
#: with the longer one.
_MODEL_TERMS = tuple(
    sorted(
        (key for key in MESSAGES if key.startswith("model_") and key != "model_join"),
        key=lambda key: -len(MESSAGES[key][LANGUAGES.index("en")]),
    )
)


def model_words(model: str | None, lang: str | None = None) -> str:
    """A solution's model name (e.g. ``maximal covering (points), centres (capacitated, single
    source)``, the library's English) in ``lang``; unknown terms stay as they are."""
    if not model:
        return ""
    lang = lang or language()
    if lang == "en":
        return model
    words, english = messages(lang), messages("en")
    for key in _MODEL_TERMS:
        model = model.replace(english[key], words[key])
    return model.replace(english["model_join"], words["model_join"])
