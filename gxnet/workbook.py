"""The plan's workbook (``plan.xlsx``): the tables a bureau opens in Excel, in Chinese or English.

Sheets, in order: the summary (what was planned, when, with which standards and inputs and
their SHA-256, the solver's status in words), the chosen sites, the figures per county and per
township, the changes of a re-solve (when the plan is one) and the candidates not chosen. Each
table sheet has its header row frozen, an autofilter, number formats by column (thousands
separators, minutes to a tenth, coordinates to six decimals, coverage as a percentage) and
column widths that count a Chinese character as two. Text cells that a spreadsheet would run as
a formula are kept as text (:func:`gxnet._safe.spreadsheet_table`), and control characters
leave every cell (:func:`gxnet._safe.printable`).

The sheets are written in openpyxl's write-only mode, which streams rows to the file: a region's
tens of thousands of candidates take memory for one row at a time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from gxnet._io import atomic_path
from gxnet._messages import display_width, messages
from gxnet._safe import printable, spreadsheet_table
from gxnet.plan import Plan
from gxnet.plan_tables import (
    KINDS,
    county_rows,
    diff_rows,
    localized,
    site_table,
    standards_rows,
    summary_rows,
    township_rows,
)

#: Excel number formats of the column kinds of :data:`gxnet.plan_tables.KINDS`.
NUMBER_FORMATS: dict[str, str] = {
    "int": "#,##0",
    "number": "#,##0.0",
    "minutes": "0.0",
    "coord": "0.000000",
    "share": "0.0%",
    "code": "@",
}
#: Column widths stay within these bounds (in Excel's character units).
MIN_WIDTH, MAX_WIDTH = 6, 60
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def cell_width(value: Any) -> int:
    """Columns a cell's value takes: a Chinese (wide or full-width) character counts two."""
    return display_width(value if isinstance(value, str) else _shown(value))


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.6f}".rstrip("0").rstrip(".") if np.isfinite(value) else ""
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return "" if value is None else str(value)


def sheets(plan: Plan, lang: str = "zh") -> dict[str, Any]:
    """The workbook's sheets by name, in order: the summary as (label, value) rows, every
    other sheet as a table whose headers are catalogue keys (see :mod:`gxnet.plan_tables`)."""
    words = messages(lang)
    summary: list[tuple[str, Any]] = summary_rows(plan, lang)
    summary.append(("", ""))
    summary.append((words["report_standards"], ""))
    summary += [(f"{name}: {value}", source) for name, value, source in standards_rows(plan, lang)]
    out: dict[str, Any] = {
        words["sheet_summary"]: summary,
        words["sheet_sites"]: site_table(plan, lang),
        words["sheet_counties"]: county_rows(plan, lang),
    }
    towns = township_rows(plan, lang)
    if not towns.empty:
        out[words["sheet_townships"]] = towns
    changes = diff_rows(plan, lang)
    if changes is not None:
        out[words["sheet_diff"]] = changes
    out[words["sheet_candidates"]] = site_table(plan, lang, chosen=False)
    return out


def write_workbook(
    plan: Plan,
    path: str | os.PathLike[str],
    *,
    lang: str = "zh",
) -> Path:
    """Write the plan's workbook to ``path`` atomically and return the path.

    Parameters
    ----------
    plan
        The plan.
    path
        The ``.xlsx`` file to write.
    lang
        "zh" (default) or "en": sheet names, headers and words in the cells.

    Raises
    ------
    OutputError, DiskFullError, WriteError
        When the file cannot be written (the previous one is kept).
    """
    return save_sheets(sheets(plan, lang), path, lang)


def save_sheets(tables: dict[str, Any], path: str | os.PathLike[str], lang: str) -> Path:
    """Write sheets such as :func:`sheets` gives (a summary as (label, value) rows, tables
    with catalogue-key headers) as a workbook at ``path``, atomically."""
    book = Workbook(write_only=True)
    words = messages(lang)
    for name, content in tables.items():
        sheet = book.create_sheet(name[:31])
        if isinstance(content, list):
            _write_summary(sheet, content, (words["item"], words["value"]))
        else:
            _write_table(sheet, content, lang)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return Path(path)


def _header(sheet: Any, names: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cells.append(cell)
    return cells


def _write_summary(sheet: Any, rows: list[tuple[str, Any]], headers: tuple[str, str]) -> None:
    frame = spreadsheet_table(pd.DataFrame(rows, columns=list(headers), dtype=object))
    widths = [max(cell_width(v) for v in [h, *frame[h]]) for h in headers]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, MIN_WIDTH), 80)
    sheet.freeze_panes = "A2"
    sheet.append(_header(sheet, list(headers)))
    for label, value in frame.itertuples(index=False):
        cell = WriteOnlyCell(sheet, value=printable(value) if isinstance(value, str) else value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.number_format = NUMBER_FORMATS["int"]
        cell.alignment = _WRAP
        sheet.append([printable(label), cell])


def _write_table(sheet: Any, table: pd.DataFrame, lang: str) -> None:
    keys = list(table.columns)
    kinds = [KINDS.get(key, "text") for key in keys]
    shown = localized(table, lang)
    values = spreadsheet_table(shown.astype(object).where(shown.notna(), None))
    headers = list(shown.columns)
    for i, (header, column) in enumerate(zip(headers, values.columns, strict=True), start=1):
        longest = max([cell_width(header), *(cell_width(v) for v in values[column][:2000])])
        sheet.column_dimensions[get_column_letter(i)].width = min(
            max(longest + 2, MIN_WIDTH), MAX_WIDTH
        )
    sheet.freeze_panes = "A2"
    if len(values):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(values) + 1}"
    sheet.append(_header(sheet, headers))
    formats = [NUMBER_FORMATS.get(kind) for kind in kinds]
    for row in values.itertuples(index=False):
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            if isinstance(value, np.generic):
                value = value.item()
            elif isinstance(value, str):
                # A cell is one line, and the file format refuses control characters.
                value = printable(value)
            if number_format is None or value is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)


#: The CSV file of each table sheet (the summary is in the workbook only).
CSV_FILES: dict[str, str] = {
    "sheet_sites": "sites.csv",
    "sheet_counties": "counties.csv",
    "sheet_townships": "townships.csv",
    "sheet_diff": "diff.csv",
    "sheet_candidates": "candidates.csv",
}


def write_tables(
    plan: Plan,
    folder: str | os.PathLike[str],
    *,
    lang: str = "zh",
) -> list[Path]:
    """Write ``plan.xlsx`` and one CSV per table sheet (UTF-8 with a byte-order mark, so that
    Excel shows Chinese; the same columns and words as the workbook) into ``folder``.

    Returns
    -------
    list of Path
        The files written, the workbook first.
    """
    folder = Path(folder)
    tables = sheets(plan, lang)
    written = [save_sheets(tables, folder / "plan.xlsx", lang)]
    words = messages(lang)
    names = {words[key]: file for key, file in CSV_FILES.items()}
    for name, content in tables.items():
        if name not in names:
            continue
        table = spreadsheet_table(localized(content, lang).astype(object))
        path = folder / names[name]
        with atomic_path(path) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
        written.append(path)
    return written
