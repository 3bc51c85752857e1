"""Reading planners' tables: CSV in any encoding Excel writes, XLSX, GeoJSON and GeoPackage.

Shared by :mod:`gxnet.sites` and :mod:`gxnet.demand`: both read a file whose columns are named
in Chinese or English by a person, not a program. Everything is read as text first, so that a
typo in one cell becomes a report line for that row instead of a failed read of the file.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gxnet._errors import InputFileError, brief

#: Encodings tried in turn for CSV: UTF-8 (with or without BOM), then GB18030, the superset of
#: GBK that Excel on a Chinese Windows writes ("CSV (逗号分隔)").
CSV_ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
GEO_SUFFIXES = (".geojson", ".json", ".gpkg")

_BRACKETS = re.compile(r"[(\[（【].*?[)\]）】]")
_SEPARATORS = re.compile(r"[\s_\-./:：]+")


def normalise_header(name: object) -> str:
    """A column name reduced to what a person means: no case, spaces, units or separators.

    ``"Fixed Cost (元)"``, ``"fixed_cost"`` and ``" FIXED-COST "`` all become ``"fixedcost"``;
    full-width characters become half-width.
    """
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    text = _BRACKETS.sub("", text)
    return _SEPARATORS.sub("", text)


def match_columns(
    columns: Sequence[object], aliases: Mapping[str, Sequence[str]]
) -> dict[str, object]:
    """Map each canonical field to the file's column that names it.

    Parameters
    ----------
    columns
        The file's column names, as read.
    aliases
        Canonical field -> accepted names (any case, spacing or units).

    Returns
    -------
    dict
        Canonical field -> original column name, for the fields the file has. When two columns
        name the same field, the first one wins.
    """
    lookup = {normalise_header(a): field for field, names in aliases.items() for a in names}
    found: dict[str, object] = {}
    for col in columns:
        field = lookup.get(normalise_header(col))
        if field is not None and field not in found:
            found[field] = col
    return found


#: A decimal number as a person types it (after commas and degree signs are removed).
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def clean_text(values: pd.Series) -> pd.Series:
    """Cell texts stripped and NFKC-normalised (full-width digits and commas become ASCII).

    The result is an Arrow string Series: later string work runs in Arrow's compute kernels,
    not in a Python loop per cell.
    """
    raw = pa.array(values.astype(object).where(values.notna(), "").astype(str), pa.string())
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(raw, "NFKC"))
    return pd.Series(text, index=values.index, dtype=pd.ArrowDtype(pa.string()))


def parse_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse cleaned cell texts as numbers.

    Returns
    -------
    (values, bad)
        Float values (NaN where empty or unparseable) and a mask of the cells that are not
        empty but are not numbers either (``"n/a"``, ``"约100"``, ``"inf"``): those are the
        planner's typos, to be reported.
    """
    arr = pa.array(text, pa.string())
    stripped = pc.replace_substring(pc.replace_substring(arr, ",", ""), "°", "")
    ok = pc.match_substring_regex(stripped, _NUMBER).to_numpy(zero_copy_only=False)
    values = np.full(len(arr), np.nan)
    values[ok] = pc.cast(stripped.filter(pa.array(ok)), pa.float64()).to_numpy()
    values[~np.isfinite(values)] = np.nan
    bad = np.isnan(values) & (pc.utf8_length(arr).to_numpy(zero_copy_only=False) > 0)
    return values, bad


def read_table(path: Path) -> tuple[pd.DataFrame, pd.Series | None, np.ndarray]:
    """Read a planner's file as text cells.

    Parameters
    ----------
    path
        CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX (first sheet), GeoJSON or GeoPackage.

    Returns
    -------
    (table, geometry, rows)
        The attribute table with every cell as text; the geometry column for geographic
        files (``None`` for tables); and each record's row number as the planner sees it
        (in a table the header is row 1, so the first record is row 2; in a feature list the
        first feature is 1). Wholly empty lines of a table are left out, and the numbers of
        the rows after them still match the file.

    Raises
    ------
    InputFileError
        When the file is missing, empty, of an unknown kind or not readable as its kind.
    """
    if not path.is_file():
        raise InputFileError(key="err_no_file", path=str(path))
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        table = _read_csv(path) if suffix in (".csv", ".txt") else _read_xlsx(path)
        table.columns = [str(c) for c in table.columns]
        text = table.astype(object).where(table.notna(), "").astype(str)
        blank = (text.apply(lambda col: col.str.strip()) == "").all(axis=1).to_numpy()
        rows = 2 + np.arange(len(table))
        return table.loc[~blank].reset_index(drop=True).astype(object), None, rows[~blank]
    if suffix in GEO_SUFFIXES:
        import geopandas as gpd

        try:
            gdf = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several types for a broken file
            raise InputFileError(
                key="err_unreadable", kind=suffix, kind_en=suffix, detail=brief(exc), path=str(path)
            ) from exc
        if gdf.crs is not None and not gdf.crs.equals("EPSG:4326") and gdf.crs.is_projected:
            gdf = gdf.to_crs("EPSG:4326")
        table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
        return table, gdf.geometry, 1 + np.arange(len(table))
    raise InputFileError(key="err_unknown_file_type", suffix=suffix, path=str(path))


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
            )
        except pd.errors.EmptyDataError as exc:
            raise InputFileError(key="err_empty_file", path=str(path)) from exc
        except pd.errors.ParserError as exc:
            raise InputFileError(
                key="err_unreadable", kind=" CSV ", kind_en="CSV", detail=str(exc), path=str(path)
            ) from exc
    raise InputFileError(key="err_decode", path=str(path))


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_excel(path, sheet_name=0, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError for broken files
        raise InputFileError(
            key="err_unreadable", kind=" Excel ", kind_en="Excel", detail=brief(exc), path=str(path)
        ) from exc
    return table.where(table.notna(), "")
