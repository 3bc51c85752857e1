"""Text that is safe to share: in a spreadsheet, in a web page, on a terminal.

A plan carries text a planner did not write: site names and addresses from a district's list,
county names from a demand file, the name of an ``--area`` file. Every output passes such
text through one of these helpers:

- :func:`spreadsheet_cell` and :func:`spreadsheet_table`: a cell that Excel, WPS or LibreOffice
  would run as a formula (text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return) gets a leading apostrophe, which spreadsheets show as text; numbers stay numbers.
  The CSV tables of a plan and its workbook use them.
- :func:`html_text`: text for an HTML page, escaped (``<``, ``>``, ``&``, quotes).
- :func:`printable`: text for the terminal, without control characters (escape sequences
  could rewrite what a planner sees).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is made safe: the error line needs none
    import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (or a DDE command).
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: C0 and C1 control characters and DEL, except none: a printed cell is one line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def spreadsheet_cell(value: object) -> object:
    """``value`` as a spreadsheet shows it without running it: text that starts like a formula
    gets a leading apostrophe; anything that is not text (a number, a date, None) is returned
    unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are safe in a spreadsheet
    (see :func:`spreadsheet_cell`); numeric and boolean columns are left as they are."""
    import pandas as pd

    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out[name] = column.map(spreadsheet_cell)
    out.columns = [spreadsheet_cell(str(c)) for c in out.columns]
    return out


def html_text(value: object) -> str:
    """``value`` as text inside an HTML element or attribute: escaped, quotes included."""
    return html.escape(str(value), quote=True)


def printable(value: object) -> str:
    """``value`` as one line for the terminal: control characters (escape sequences, line
    breaks, bells) are replaced by a space."""
    return _CONTROL.sub(" ", str(value))


def printable_lines(lines: Iterable[object]) -> str:
    """Lines for the terminal, each made :func:`printable`, joined by line breaks."""
    return "\n".join(printable(line) for line in lines)
