"""Text safe to share: spreadsheet cells that never run, HTML that stays text, clean lines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gxnet._safe import html_text, printable, printable_lines, spreadsheet_cell, spreadsheet_table


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(start):
    assert spreadsheet_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["万秀区", "a=b", "", None, 3, -2.5, np.int64(-7), True])
def test_other_cells_are_unchanged(value):
    assert spreadsheet_cell(value) is value


def test_a_table_keeps_its_numbers_and_defuses_its_text():
    table = pd.DataFrame(
        {"name": ['=HYPERLINK("http://x")', "@SUM(A1)", "ok"], "load": [-1.5, 2.0, np.nan]}
    )
    safe = spreadsheet_table(table)
    assert list(safe["name"]) == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "ok"]
    assert safe["load"].dtype == np.float64 and safe["load"].iloc[0] == -1.5
    assert table["name"].iloc[0].startswith("="), "the input is left as it was"
    assert list(spreadsheet_table(pd.DataFrame({"=x": [1]})).columns) == ["'=x"]


def test_html_text_escapes_markup_and_quotes():
    assert html_text('<img src=x onerror="a()">&') == (
        "&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;"
    )


def test_printed_cells_lose_control_characters():
    assert printable("a\x1b[2Jb\x07c\nd\x9b") == "a [2Jb c d "
    assert printable_lines(["x\ry", "z"]) == "x y\nz"
