"""Site lists: the places where recycling points and sorting centres may (or must) go.

A planner's list comes as an Excel sheet or CSV with Chinese or English headers and coordinates
copied from AMap (GCJ-02), Baidu (BD-09) or a GPS (WGS-84). :func:`read_sites` reads it, finds
the columns by name, settles the coordinate system (declared, or detected against the roads),
and checks every row. Each problem becomes a line of :attr:`SiteList.report` with the row number
as the planner sees it in Excel (header = row 1), and the row is either fixed (with the fix
said) or rejected (with the reason): no row is ever dropped silently.

The schema (columns, values in both languages) is in ``docs/demand-and-sites.md``;
``gxnet sites template`` writes an empty list to fill in.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from gxnet import settings
from gxnet._errors import (
    GxnetWarning,
    InputFileError,
    UnknownCoordinateSystemError,
    UserInputError,
)
from gxnet._io import atomic_path
from gxnet._messages import LANGUAGES, MESSAGES, Phrase, messages, reason_column, text
from gxnet._tables import clean_text, match_columns, normalise_header, parse_numbers, read_table
from gxnet.config import SITES, SiteStandards
from gxnet.crs import convert, coordinate_system, utm_crs
from gxnet.osm.features import OsmFeatures, features_dir, read_features
from gxnet.osm.fetch import load_network, network_path
from gxnet.osm.network import RoadNetwork
from gxnet.tiers import STATUSES, TIERS, SiteStatus, Tier

#: Coordinate systems a list may be in.
SITE_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")

#: Output columns of :attr:`SiteList.sites`, in order.
SITE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "address",
    "tier",
    "capacity",
    "status",
    "fixed_cost",
    "source",
    "geometry",
)

#: Accepted column names per field (matched without case, spaces, separators or units).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "site_id": ("编号", "序号", "站点编号", "id", "site_id", "code"),
    "name": ("名称", "站点名称", "网点名称", "name", "site_name"),
    "lon": ("经度", "lon", "lng", "long", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "address": ("地址", "详细地址", "address", "addr"),
    "tier": ("类型", "站点类型", "层级", "type", "tier", "kind"),
    "capacity": ("容量", "服务户数", "处理能力", "capacity"),
    "status": ("状态", "建设状态", "status"),
    "fixed_cost": ("固定成本", "建设成本", "投资", "fixed_cost", "cost"),
    "crs": ("坐标系", "坐标系统", "crs", "coordinate_system", "srs"),
}

#: Accepted cell values of 类型/type (besides each tier's own name).
TIER_NAMES: dict[str, Tier] = {
    **{tier.value: tier for tier in TIERS},
    "回收点": Tier.RECYCLING_POINT,
    "回收站": Tier.RECYCLING_POINT,
    "回收网点": Tier.RECYCLING_POINT,
    "回收站点": Tier.RECYCLING_POINT,
    "point": Tier.RECYCLING_POINT,
    "集散市场": Tier.COLLECTION_MARKET,
    "集散中心": Tier.COLLECTION_MARKET,
    "市场": Tier.COLLECTION_MARKET,
    "交易市场": Tier.COLLECTION_MARKET,
    "回收市场": Tier.COLLECTION_MARKET,
    "market": Tier.COLLECTION_MARKET,
    "collection market": Tier.COLLECTION_MARKET,
    "distribution market": Tier.COLLECTION_MARKET,
    "分拣中心": Tier.SORTING_CENTRE,
    "分拣加工中心": Tier.SORTING_CENTRE,
    "分拣站": Tier.SORTING_CENTRE,
    "中转站": Tier.SORTING_CENTRE,
    "sorting_center": Tier.SORTING_CENTRE,
    "centre": Tier.SORTING_CENTRE,
    "处理基地": Tier.PROCESSING_BASE,
    "加工基地": Tier.PROCESSING_BASE,
    "城市矿产基地": Tier.PROCESSING_BASE,
    "base": Tier.PROCESSING_BASE,
    "processing base": Tier.PROCESSING_BASE,
}

#: Accepted cell values of 状态/status (besides each status's own name).
STATUS_NAMES: dict[str, SiteStatus] = {
    **{status.value: status for status in STATUSES},
    "候选": SiteStatus.CANDIDATE,
    "拟建": SiteStatus.CANDIDATE,
    "现有": SiteStatus.EXISTING,
    "已建": SiteStatus.EXISTING,
    "必选": SiteStatus.REQUIRED,
    "必建": SiteStatus.REQUIRED,
    "排除": SiteStatus.EXCLUDED,
    "不选": SiteStatus.EXCLUDED,
}

#: Chinese names of coordinate systems a 坐标系 cell may hold, beside the English spellings
#: :func:`gxnet.crs.coordinate_system` accepts.
CRS_NAMES_ZH: dict[str, str] = {
    "火星坐标": "gcj02",
    "火星坐标系": "gcj02",
    "高德": "gcj02",
    "腾讯": "gcj02",
    "百度": "bd09",
    "gps坐标": "wgs84",
}

#: Longitude/latitude box of China: where a list without a boundary is expected to be.
CHINA_BOUNDS: tuple[float, float, float, float] = (73.4, 18.1, 135.1, 53.6)
#: Degrees added around a boundary's box before the swap test, since raw GCJ-02 or BD-09
#: coordinates sit up to about a kilometre off the WGS-84 boundary.
_SWAP_TEST_MARGIN_DEG = 0.05

_TEMPLATE_HEADERS: dict[str, dict[str, str]] = {
    "zh": {
        "site_id": "编号",
        "name": "名称",
        "lon": "经度",
        "lat": "纬度",
        "address": "地址",
        "tier": "类型",
        "capacity": "容量",
        "status": "状态",
        "fixed_cost": "固定成本",
        "crs": "坐标系",
    },
    "en": {
        "site_id": "id",
        "name": "name",
        "lon": "lon",
        "lat": "lat",
        "address": "address",
        "tier": "type",
        "capacity": "capacity",
        "status": "status",
        "fixed_cost": "fixed_cost",
        "crs": "crs",
    },
}
_TEMPLATE_ROWS: dict[str, list[list[object]]] = {
    "zh": [
        ["WZ001", "万秀区示范回收点", 111.3121, 23.4778, "万秀区西江一路", "回收点", 2000, "候选",
         50000, "gcj02"],
        ["WZ002", "长洲分拣中心", 111.2452, 23.4893, "长洲区", "分拣中心", 30, "现有", 0, "gcj02"],
    ],
    "en": [
        ["WZ001", "Wanxiu demo point", 111.3121, 23.4778, "Xijiang 1st Rd", Tier.RECYCLING_POINT,
         2000, SiteStatus.CANDIDATE, 50000, "gcj02"],
        ["WZ002", "Changzhou sorting centre", 111.2452, 23.4893, "Changzhou", Tier.SORTING_CENTRE,
         30, SiteStatus.EXISTING, 0, "gcj02"],
    ],
}  # fmt: skip


@dataclass
class SiteList:
    """A checked site list.

    Attributes
    ----------
    sites
        The usable sites (columns :data:`SITE_COLUMNS`, geometry Point in WGS-84).
    report
        One line per problem and one ``kept`` line per clean row: ``row`` (as in Excel),
        ``site_id``, ``action`` (``kept``, ``fixed`` or ``rejected``), ``field``, ``reason``
        (in English) and ``reason_zh`` (in Chinese; see :func:`gxnet._messages.reason_column`).
    path
        The file read, if any.
    crs
        The coordinate system assumed for rows without their own 坐标系 value.
    crs_reason
        Why: declared, detected (with the distances), or the default (and why not detected);
        ``str()`` gives it in English, ``.word(lang)`` in a language of the catalogue.
    """

    sites: gpd.GeoDataFrame
    report: pd.DataFrame
    path: Path | None = None
    crs: str = SITES.default_crs
    crs_reason: Phrase | str = ""
    rows_read: int = field(default=0)

    def counts(self) -> dict[str, int]:
        """Rows read, kept (clean), fixed and rejected; each row is one of the last three."""
        severity = self.report["action"].map(_SEVERITY).groupby(self.report["row"]).max()
        outcome = np.asarray(ACTIONS)[severity.to_numpy(dtype=int)]
        return {
            "read": self.rows_read,
            "kept": int((outcome == "kept").sum()),
            "fixed": int((outcome == "fixed").sum()),
            "rejected": int((outcome == "rejected").sum()),
        }

    def format_report(self, lang: str = "en") -> str:
        """The report as a planner reads it, in ``lang``: counts, the coordinate system, then
        each problem."""
        c = self.counts()
        path = self.path if self.path is not None else Phrase("site_list")
        lines = [
            text("sites_report_head", lang, path=path, **c),
            text("sites_report_crs", lang, crs=self.crs, reason=self.crs_reason),
        ]
        problems = self.report[self.report["action"] != "kept"]
        reason = reason_column(lang)
        lines += [
            text(
                "sites_report_row", lang, row=row, site_id=site_id, field=field_,
                action=Phrase(f"site_{action}"), reason=why,
            )
            for row, site_id, action, field_, why in zip(
                problems["row"], problems["site_id"], problems["action"], problems["field"],
                problems[reason], strict=True,
            )
        ]  # fmt: skip
        if "far_from_road" in self.sites.columns:
            far = self.sites.loc[self.sites["far_from_road"], "site_id"].tolist()
            more = Phrase("sites_more", n=len(far) - 20) if len(far) > 20 else ""
            shown = Phrase("sites_far_list", ids=", ".join(far[:20]), more=more) if far else ""
            lines.append(text("sites_far", lang, n=len(far), shown=shown))
        return "\n".join(lines)

    def snap(self, networks: Mapping[str, object], *, standards: SiteStandards = SITES) -> SiteList:
        """This list with its sites snapped to the road networks (see :func:`snap_sites`)."""
        return replace(self, sites=snap_sites(self.sites, networks, standards=standards))

    def rows_of(self, site_ids: pd.Series) -> pd.Series:
        """The row (as in Excel) of each usable site id."""
        kept = self.report[self.report["action"] != "rejected"]
        return site_ids.map(kept.drop_duplicates("site_id").set_index("site_id")["row"])

    def unplannable(self) -> pd.DataFrame:
        """Usable rows of a tier the planner cannot plan yet (see
        :func:`gxnet.model_choice.plannable_tiers`): ``row, site_id, field, reason``."""
        from gxnet.model_choice import plannable_tiers

        sites = self.sites[~self.sites["tier"].isin(plannable_tiers())]
        tiers = sites["tier"].astype(str).to_numpy()
        return pd.DataFrame(
            {
                "row": self.rows_of(sites["site_id"]).to_numpy(),
                "site_id": sites["site_id"].to_numpy(),
                "field": "类型/type",
                **{
                    reason_column(lang): _fill("site_tier_unplannable", lang, {"tier": tiers})
                    for lang in LANGUAGES
                },
            }
        )

    def accept(self, *, skip_bad_rows: bool = False) -> pd.DataFrame:
        """Check that a plan may be made from this list; return the rows it leaves out.

        A plan from part of a list must never be a surprise: rejected rows and rows of a tier
        that cannot be planned yet stop the plan unless ``skip_bad_rows`` (they are then
        returned, each with its reason, to be said and recorded); a list with no usable row
        stops it always.

        Returns
        -------
        DataFrame
            The rows left out: ``row, site_id, field, reason, reason_zh``.

        Raises
        ------
        InputFileError
            Naming the list and the first ten rows with their field and reason.
        """
        reasons = [reason_column(lang) for lang in LANGUAGES]
        rejected = self.report.loc[
            self.report["action"] == "rejected", ["row", "site_id", "field", *reasons]
        ]
        skipped = pd.concat([rejected, self.unplannable()], ignore_index=True).sort_values(
            "row", kind="stable"
        )
        listing = {}
        for lang, suffix in (("zh", ""), ("en", "_en")):
            words = messages(lang)
            head = skipped.head(10)
            lines = [
                words["err_row_line"].format(row=row, field=field_, reason=why)
                for row, field_, why in zip(
                    head["row"], head["field"], head[reason_column(lang)], strict=True
                )
            ]
            more = [words["err_rows_more"].format(n=len(skipped) - 10)] if len(skipped) > 10 else []
            listing[f"lines{suffix}"] = "\n".join(lines + more)
        if len(skipped) == self.rows_read:
            raise InputFileError(
                key="err_no_usable_row", path=str(self.path), n=self.rows_read, **listing
            )
        if len(skipped) and not skip_bad_rows:
            raise InputFileError(
                key="err_rows_rejected", path=str(self.path), n=len(skipped), **listing
            )
        return skipped.reset_index(drop=True)

    def write_geojson(self, path: str | os.PathLike[str]) -> Path:
        """Write the usable sites as GeoJSON (WGS-84), atomically, and return the path."""
        with atomic_path(path) as tmp:
            self.sites.to_file(tmp, driver="GeoJSON", layer=Path(path).stem)
        return Path(path)


#: Report actions from best to worst; a row's outcome is its worst line.
ACTIONS: tuple[str, ...] = ("kept", "fixed", "rejected")
_SEVERITY = {a: i for i, a in enumerate(ACTIONS)}


def _fill(key: str, lang: str, params: dict[str, np.ndarray]) -> np.ndarray:
    """The catalogue's message ``key`` in ``lang``, once per row of the parameter arrays
    (rows with a problem only, so a short loop)."""
    template = MESSAGES[key][LANGUAGES.index(lang)]
    if not params:
        return np.array([template], dtype=object)
    names = list(params)
    rows = zip(*(params[name] for name in names), strict=True)
    return np.array(
        [template.format(**dict(zip(names, row, strict=True))) for row in rows], dtype=object
    )


class _Findings:
    """Problems found so far, as (row mask, action, field, reason key, parameters) blocks;
    vectorised. Each reason is worded in every language of the catalogue."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.blocks: list[tuple[np.ndarray, str, str, str, dict[str, np.ndarray]]] = []
        self.rejected = np.zeros(n, dtype=bool)

    def add(self, mask: np.ndarray, action: str, field: str, key: str, **params: object) -> None:
        """Record the reason ``key`` (its fields from ``params``: one value, or one per row)
        for the rows of ``mask`` not rejected already."""
        mask = np.asarray(mask, dtype=bool) & ~self.rejected
        if not mask.any():
            return
        chosen = {
            name: np.broadcast_to(np.asarray(value, dtype=object), (self.n,))[mask]
            for name, value in params.items()
        }
        self.blocks.append((np.flatnonzero(mask), action, field, key, chosen))
        if action == "rejected":
            self.rejected |= mask

    def _reasons(self, lang: str, clean: int) -> np.ndarray:
        worded = [
            np.broadcast_to(_fill(key, lang, params), (len(rows),))
            for rows, _, _, key, params in self.blocks
        ]
        return np.concatenate([*worded, np.full(clean, "", dtype=object)])

    def frame(self, rows: np.ndarray, site_id: np.ndarray) -> pd.DataFrame:
        idx = [b[0] for b in self.blocks]
        mentioned = np.concatenate(idx) if idx else np.array([], dtype=int)
        clean = np.setdiff1d(np.arange(self.n), mentioned)
        positions = np.concatenate([*idx, clean]).astype(int)
        report = pd.DataFrame(
            {
                "row": rows[positions],
                "site_id": site_id[positions],
                "action": np.concatenate(
                    [np.full(len(b[0]), b[1], dtype=object) for b in self.blocks]
                    + [np.full(len(clean), "kept", dtype=object)]
                ),
                "field": np.concatenate(
                    [np.full(len(b[0]), b[2], dtype=object) for b in self.blocks]
                    + [np.full(len(clean), "", dtype=object)]
                ),
                **{reason_column(lang): self._reasons(lang, len(clean)) for lang in LANGUAGES},
            }
        )
        return report.sort_values("row", kind="stable").reset_index(drop=True)


def parse_crs_name(name: object) -> str | None:
    """``"GCJ-02"``, ``"高德"``, ``"bd09"``... -> ``"wgs84" | "gcj02" | "bd09"``; None for blank.

    Raises
    ------
    UnknownCoordinateSystemError
        For a name that is not a known coordinate system.
    """
    if name is None or str(name).strip() == "":
        return None
    key = normalise_header(name)
    return CRS_NAMES_ZH.get(key) or coordinate_system(key)


def read_sites(
    path: str | os.PathLike[str],
    *,
    crs: str | None = None,
    boundary: shapely.Geometry | None = None,
    reference: object | None = None,
    standards: SiteStandards = SITES,
) -> SiteList:
    """Read and check a planner's site list.

    Parameters
    ----------
    path
        A CSV (UTF-8, UTF-8 with BOM or GBK/GB18030), XLSX, GeoJSON or GeoPackage file; a bare
        file name is looked up in :data:`gxnet.settings.sites_dir` when it is not found as is.
    crs
        The coordinate system of the coordinates (``wgs84``, ``gcj02``, ``bd09`` or a synonym
        such as ``高德``/``百度``), for rows without their own 坐标系 value. ``None``: detect it
        against ``reference`` (see :func:`detect_crs`), else assume
        :attr:`SiteStandards.default_crs` with a warning.
    boundary
        The study area in WGS-84; sites outside are rejected, and it decides swapped
        coordinates. ``None``: only coordinates outside China count as swapped.
    reference
        Road nodes or OSM features to detect the coordinate system against: a
        :class:`~gxnet.osm.network.RoadNetwork`, a GeoDataFrame of points or an (N, 2) array
        of WGS-84 lon/lat.
    standards
        Duplicate distance and detection margins.

    Returns
    -------
    SiteList
        The usable sites and the per-row report.

    Raises
    ------
    InputFileError
        When the file cannot be read or has no coordinates at all.
    """
    path = _locate(Path(path))
    table, geometry, rows = read_table(path)
    n = len(table)
    cols = match_columns(list(table.columns), COLUMN_NAMES)
    text = {
        f: clean_text(table[cols[f]]) if f in cols else pd.Series([""] * n, dtype=object)
        for f in COLUMN_NAMES
    }
    findings = _Findings(n)
    site_id = text["site_id"].to_numpy(dtype=object)
    site_id = np.where(site_id == "", np.char.add("R", rows.astype(str)).astype(object), site_id)

    lon, lat = _coordinates(path, text, cols, geometry, findings)
    lon, lat = _unswap(lon, lat, boundary, findings)
    row_crs = _row_crs(text["crs"], findings)
    crs, crs_reason = _decide_crs(lon, lat, row_crs, crs, reference, standards, findings)
    lon, lat = _to_wgs84(lon, lat, np.where(row_crs == "", crs, row_crs))
    if boundary is not None:
        outside = ~shapely.contains_xy(boundary, lon, lat) & np.isfinite(lon)
        findings.add(outside, "rejected", "经度/纬度", "site_outside")

    # An empty type matters (capacity means households or tonnes); an empty status is the
    # documented default, candidate.
    tier = _categories(
        text["tier"], TIER_NAMES, TIERS, "类型/type", findings, blank_is_fix="tier" in cols
    )
    status = _categories(
        text["status"], STATUS_NAMES, STATUSES, "状态/status", findings, blank_is_fix=False
    )
    capacity = _non_negative(text["capacity"], "容量/capacity", findings)
    fixed_cost = _non_negative(text["fixed_cost"], "固定成本/fixed_cost", findings)
    _reject_duplicates(site_id, rows, lon, lat, tier, standards, findings)

    keep = ~findings.rejected
    sites = gpd.GeoDataFrame(
        {
            "site_id": pd.Series(site_id[keep], dtype=object),
            "name": text["name"].to_numpy(dtype=object)[keep],
            "address": text["address"].to_numpy(dtype=object)[keep],
            "tier": tier[keep],
            "capacity": capacity[keep],
            "status": status[keep],
            "fixed_cost": fixed_cost[keep],
            "source": np.full(int(keep.sum()), "file", dtype=object),
        },
        geometry=gpd.points_from_xy(lon[keep], lat[keep]),
        crs="EPSG:4326",
    )
    result = SiteList(
        sites=sites,
        report=findings.frame(rows, site_id),
        path=path,
        crs=crs,
        crs_reason=crs_reason,
        rows_read=n,
    )
    c = result.counts()
    if c["fixed"] or c["rejected"]:
        warnings.warn(
            GxnetWarning(
                "warn_sites_fixed", path=str(path), fixed=c["fixed"], rejected=c["rejected"], n=n
            ),
            stacklevel=2,
        )
    return result


def read_site_list(
    path: str | os.PathLike[str],
    *,
    boundary: shapely.Geometry,
    slug: str,
    crs: str | None = None,
    standards: SiteStandards = SITES,
    networks: Mapping[str, RoadNetwork] | None = None,
) -> SiteList:
    """Read a site list as every verb does (``optimize``, ``resolve``, ``sites check``).

    The list is read and checked by :func:`read_sites` within ``boundary``; its coordinate
    system is ``crs`` when declared, else detected against the roads of the area (its walk
    network, else its cached OSM features: :func:`road_reference`); its sites are snapped to
    the road networks when there are any (``networks``, else the area's cached ones), which
    flags sites far from every road.

    Parameters
    ----------
    path
        The list (see :func:`read_sites`).
    boundary
        The study area in WGS-84.
    slug
        The study area's name in the caches (``wuzhou``).
    crs
        The list's coordinate system, as ``--crs`` gives it (None: detect).
    standards
        The site standards of the run.
    networks
        Road networks already at hand (mode -> RoadNetwork).
    """
    networks = dict(networks) if networks else cached_networks(slug)
    reference = networks.get("walk") or road_reference(slug)
    site_list = read_sites(
        path, crs=crs, boundary=boundary, reference=reference, standards=standards
    )
    return site_list.snap(networks, standards=standards) if networks else site_list


def _locate(path: Path) -> Path:
    if not path.exists() and not path.is_absolute():
        candidate = Path(settings.sites_dir) / path
        if candidate.exists():
            return candidate
    return path


def _coordinates(
    path: Path,
    text: dict[str, pd.Series],
    cols: dict[str, object],
    geometry: gpd.GeoSeries | None,
    findings: _Findings,
) -> tuple[np.ndarray, np.ndarray]:
    n = findings.n
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if geometry is not None:
        present = ~(geometry.isna() | geometry.is_empty).to_numpy()
        not_point = present & (geometry.geom_type != "Point").to_numpy()
        points = shapely.point_on_surface(geometry.to_numpy()[present])
        lon[present] = shapely.get_x(points)
        lat[present] = shapely.get_y(points)
        findings.add(not_point, "fixed", "geometry", "site_not_point")
    if "lon" not in cols or "lat" not in cols:
        if geometry is None:
            missing = "经度/lon" if "lon" not in cols else "纬度/lat"
            raise InputFileError(key="site_no_coordinates", path=str(path), field=missing)
    else:
        col_lon, bad_lon = parse_numbers(text["lon"])
        col_lat, bad_lat = parse_numbers(text["lat"])
        fill = np.isnan(lon)
        lon[fill], lat[fill] = col_lon[fill], col_lat[fill]
        for bad, name, values in (
            (bad_lon, "经度/lon", text["lon"]),
            (bad_lat, "纬度/lat", text["lat"]),
        ):
            findings.add(bad & fill, "rejected", name, "site_not_number", value=values.to_numpy())
    findings.add(np.isnan(lon) | np.isnan(lat), "rejected", "经度/纬度", "err_missing_coordinates")
    return lon, lat


def _unswap(
    lon: np.ndarray, lat: np.ndarray, boundary: shapely.Geometry | None, findings: _Findings
) -> tuple[np.ndarray, np.ndarray]:
    """Swap back rows whose latitude and longitude were entered the wrong way round.

    A row is swapped when it lies outside the study area (the boundary's box widened by
    about 5 km, or China) and swapping puts it inside.
    """
    if boundary is not None:
        x0, y0, x1, y1 = shapely.bounds(boundary)
        box = (x0 - _SWAP_TEST_MARGIN_DEG, y0 - _SWAP_TEST_MARGIN_DEG)
        box += (x1 + _SWAP_TEST_MARGIN_DEG, y1 + _SWAP_TEST_MARGIN_DEG)
    else:
        box = CHINA_BOUNDS

    def inside(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])

    swapped = ~findings.rejected & ~inside(lon, lat) & inside(lat, lon)
    findings.add(swapped, "fixed", "经度/纬度", "site_swapped")
    lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
    out_of_range = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    findings.add(out_of_range, "rejected", "经度/纬度", "site_out_of_range")
    return lon, lat


def _row_crs(values: pd.Series, findings: _Findings) -> np.ndarray:
    names = {}
    for value in values.unique():
        try:
            names[value] = parse_crs_name(value) or ""
        except UnknownCoordinateSystemError:
            names[value] = "?"
    parsed = values.map(names).to_numpy(dtype=object)
    findings.add(
        parsed == "?", "rejected", "坐标系/crs", "site_unknown_crs", value=values.to_numpy()
    )
    return np.where(parsed == "?", "", parsed)


def _decide_crs(
    lon: np.ndarray,
    lat: np.ndarray,
    row_crs: np.ndarray,
    declared: str | None,
    reference: object | None,
    standards: SiteStandards,
    findings: _Findings,
) -> tuple[str, Phrase]:
    declared = parse_crs_name(declared)
    if declared is not None:
        return declared, Phrase("crs_declared")
    open_rows = (row_crs == "") & ~findings.rejected
    if not open_rows.any():
        return standards.default_crs, Phrase("crs_rows_declare")
    if reference is None:
        detected, reason = None, Phrase("crs_no_reference")
    else:
        detected, reason = detect_crs(lon[open_rows], lat[open_rows], reference, standards)
    if detected is not None:
        return detected, reason
    warnings.warn(
        GxnetWarning("warn_crs_assumed", crs=standards.default_crs, reason=reason), stacklevel=3
    )
    return standards.default_crs, Phrase("crs_assumed", reason=reason)


def detect_crs(
    lon: np.ndarray,
    lat: np.ndarray,
    reference: object,
    standards: SiteStandards = SITES,
) -> tuple[str | None, Phrase]:
    """Tell which coordinate system points are in by how close they fall to the roads.

    A site is named after, and placed at, something on a road. Taken as WGS-84, GCJ-02
    coordinates sit a few hundred metres off the OSM roads (BD-09 farther still), so the
    system under which the points fall closest to the road nodes is the one they are in.

    Parameters
    ----------
    lon, lat
        The points as given.
    reference
        Road nodes or features in WGS-84: a RoadNetwork, a GeoDataFrame of points or an
        (N, 2) lon/lat array.
    standards
        ``crs_min_points`` and ``crs_margin``: the best system's median distance must be at
        most ``crs_margin`` times the runner-up's.

    Returns
    -------
    (crs or None, reason)
        The system detected, or None when the evidence is not clear, and why (with the
        median distances): a phrase of the catalogue, ``str()`` in English.
    """
    ref = _reference_points(reference)
    if len(lon) < standards.crs_min_points or len(ref) == 0:
        return None, Phrase("crs_too_few", n=len(lon))
    to_utm = Transformer.from_crs("EPSG:4326", utm_crs(ref[:, 0], ref[:, 1]), always_xy=True)
    tree = cKDTree(np.column_stack(to_utm.transform(ref[:, 0], ref[:, 1])))
    medians = {}
    for source in SITE_CRS:
        x, y = _to_wgs84(lon, lat, np.full(len(lon), source, dtype=object))
        dist, _ = tree.query(np.column_stack(to_utm.transform(x, y)))
        medians[source] = float(np.median(dist))
    ranked = sorted(medians, key=medians.__getitem__)
    best, second = ranked[0], ranked[1]
    figures = ", ".join(f"{s} {medians[s]:,.0f} m" for s in ranked)
    if medians[best] <= standards.crs_margin * medians[second]:
        return best, Phrase("crs_detected", figures=figures)
    return None, Phrase("crs_unclear", figures=figures)


def cached_networks(
    slug: str, modes: tuple[str, ...] = ("walk", "drive")
) -> dict[str, RoadNetwork]:
    """The city's road networks of these modes that ``gxnet fetch`` has cached (maybe none)."""
    return {m: load_network(slug, m) for m in modes if network_path(slug, m).is_file()}


def road_reference(slug: str) -> RoadNetwork | gpd.GeoSeries | None:
    """What a city's site list is checked against: its cached walk network, else its cached
    OSM features (building and POI points), else None when nothing is on disk."""
    walk = cached_networks(slug, ("walk",))
    if walk:
        return walk["walk"]
    folder = features_dir(slug)
    if (folder / "meta.json").is_file():
        features = OsmFeatures.load(folder)
        return pd.concat([features.buildings.geometry, features.pois.geometry], ignore_index=True)
    return None


def _reference_points(reference: object) -> np.ndarray:
    if isinstance(reference, RoadNetwork):
        return np.column_stack([reference.x, reference.y])
    if isinstance(reference, gpd.GeoDataFrame | gpd.GeoSeries):
        geoms = reference.geometry.to_crs("EPSG:4326") if reference.crs else reference.geometry
        pts = shapely.point_on_surface(np.asarray(geoms))
        return np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
    return np.asarray(reference, dtype=float).reshape(-1, 2)


def _to_wgs84(
    lon: np.ndarray, lat: np.ndarray, source: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon.astype(float).copy(), lat.astype(float).copy()
    for name in ("gcj02", "bd09"):
        rows = (source == name) & np.isfinite(x) & np.isfinite(y)
        if rows.any():
            x[rows], y[rows] = convert(x[rows], y[rows], name, "wgs84")
    return x, y


def _categories(
    values: pd.Series,
    names: Mapping[str, str],
    allowed: tuple[str, ...],
    field: str,
    findings: _Findings,
    *,
    blank_is_fix: bool,
) -> np.ndarray:
    """Cell values mapped to ``allowed`` (the first is the default for an empty cell)."""
    default = allowed[0]
    lookup = {normalise_header(k): v for k, v in names.items()}
    keys = values.map({v: normalise_header(v) for v in values.unique()}).to_numpy(dtype=object)
    parsed = pd.Series(keys).map(lookup).fillna("").to_numpy(dtype=object)
    unknown = (parsed == "") & (keys != "")
    findings.add(
        unknown, "rejected", field, "site_unknown_value", value=values.to_numpy(),
        allowed=", ".join(allowed),
    )  # fmt: skip
    blank = keys == ""
    if blank_is_fix:
        findings.add(blank, "fixed", field, "site_empty_default", default=default)
    parsed[blank] = default
    return parsed


def _non_negative(values: pd.Series, field: str, findings: _Findings) -> np.ndarray:
    numbers, bad = parse_numbers(values)
    findings.add(bad, "rejected", field, "site_not_number", value=values.to_numpy())
    findings.add(numbers < 0, "rejected", field, "site_negative")
    return numbers


def _reject_duplicates(
    site_id: np.ndarray,
    rows: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    tier: np.ndarray,
    standards: SiteStandards,
    findings: _Findings,
) -> None:
    """Reject the later of two rows with the same id, or of the same tier a few metres apart."""
    alive = np.flatnonzero(~findings.rejected)
    first = pd.Series(np.arange(len(alive))).groupby(site_id[alive]).transform("min").to_numpy()
    dup = np.zeros(findings.n, dtype=bool)
    dup[alive] = first != np.arange(len(alive))
    same = np.zeros(findings.n, dtype=rows.dtype)
    same[alive] = rows[alive[first]]
    findings.add(dup, "rejected", "编号/id", "site_same_id", row=same)

    alive = np.flatnonzero(~findings.rejected)
    if len(alive) < 2:
        return
    to_utm = Transformer.from_crs("EPSG:4326", utm_crs(lon[alive], lat[alive]), always_xy=True)
    xy = np.column_stack(to_utm.transform(lon[alive], lat[alive]))
    pairs = cKDTree(xy).query_pairs(standards.duplicate_distance_m, output_type="ndarray")
    pairs = pairs[tier[alive[pairs[:, 0]]] == tier[alive[pairs[:, 1]]]]
    if len(pairs) == 0:
        return
    pairs = np.sort(pairs, axis=1)
    # The earliest row of each cluster survives; every later row names it.
    order = np.lexsort((pairs[:, 0], pairs[:, 1]))
    later, earlier = pairs[order, 1], pairs[order, 0]
    later, at = np.unique(later, return_index=True)
    earlier = earlier[at]
    gap = np.hypot(*(xy[later] - xy[earlier]).T)
    near = np.zeros(findings.n, dtype=bool)
    near[alive[later]] = True
    metres = np.zeros(findings.n)
    metres[alive[later]] = gap
    first_row = np.zeros(findings.n, dtype=rows.dtype)
    first_row[alive[later]] = rows[alive[earlier]]
    findings.add(near, "rejected", "经度/纬度", "site_near", metres=metres, row=first_row)


def snap_sites(
    sites: gpd.GeoDataFrame,
    networks: Mapping[str, object],
    *,
    standards: SiteStandards = SITES,
) -> gpd.GeoDataFrame:
    """Attach each site to its nearest node of each road network.

    Parameters
    ----------
    sites
        Sites in WGS-84 (as :attr:`SiteList.sites`).
    networks
        Mode -> :class:`~gxnet.osm.network.RoadNetwork`, typically ``walk`` and ``drive``.
    standards
        ``max_snap_distance_m``: farther than this from every network, a site is flagged.

    Returns
    -------
    GeoDataFrame
        A copy with ``<mode>_node`` (node index), ``<mode>_snap_m`` per network, and
        ``far_from_road`` (True when no network has a node within the threshold).
    """
    out = sites.copy()
    lon, lat = shapely.get_x(out.geometry.to_numpy()), shapely.get_y(out.geometry.to_numpy())
    nearest = np.full(len(out), np.inf)
    for mode, network in networks.items():
        idx, dist = network.nearest_nodes(lon, lat)
        out[f"{mode}_node"] = idx
        out[f"{mode}_snap_m"] = dist
        nearest = np.minimum(nearest, dist)
    out["far_from_road"] = nearest > standards.max_snap_distance_m
    return out


#: OSM POI kind -> the tier it is a candidate for.
_POI_TIERS: dict[str, Tier] = {
    "marketplace": Tier.RECYCLING_POINT,
    "supermarket": Tier.RECYCLING_POINT,
    "convenience": Tier.RECYCLING_POINT,
    "community_centre": Tier.RECYCLING_POINT,
    "recycling": Tier.RECYCLING_POINT,
    "parking": Tier.RECYCLING_POINT,
    "waste_transfer_station": Tier.SORTING_CENTRE,
}


def osm_candidates(pbf_or_features: object, polygon: shapely.Geometry) -> gpd.GeoDataFrame:
    """Candidate sites from the OSM POIs that municipal plans use.

    Parameters
    ----------
    pbf_or_features
        A PBF path, or :class:`~gxnet.osm.features.OsmFeatures` already read.
    polygon
        The study area in WGS-84.

    Returns
    -------
    GeoDataFrame
        Columns :data:`SITE_COLUMNS`; ``source`` is ``osm:<kind>`` (``osm:marketplace``,
        ``osm:supermarket``, ...); existing recycling amenities and waste-transfer stations
        are ``existing``, the rest ``candidate``; ``site_id`` is ``osm-<type><id>``.
    """
    features = (
        pbf_or_features
        if isinstance(pbf_or_features, OsmFeatures)
        else read_features(pbf_or_features, polygon)
    )
    pois = features.pois
    pois = pois[shapely.contains_xy(polygon, pois.geometry.x, pois.geometry.y)]
    kind = pois["kind"].to_numpy(dtype=object)
    existing = np.isin(kind, ["recycling", "waste_transfer_station"])
    return gpd.GeoDataFrame(
        {
            "site_id": np.char.add("osm-", pois["osm_id"].to_numpy(dtype=str)).astype(object),
            "name": pois["name"].to_numpy(dtype=object),
            "address": np.full(len(pois), "", dtype=object),
            "tier": pd.Series(kind).map(_POI_TIERS).to_numpy(dtype=object),
            "capacity": np.full(len(pois), np.nan),
            "status": np.where(existing, SiteStatus.EXISTING, SiteStatus.CANDIDATE).astype(object),
            "fixed_cost": np.full(len(pois), np.nan),
            "source": np.char.add("osm:", kind.astype(str)).astype(object),
        },
        geometry=pois.geometry.to_numpy(),
        crs="EPSG:4326",
    )


def write_template(path: str | os.PathLike[str], *, lang: str = "zh") -> Path:
    """Write an example site list to fill in: CSV (UTF-8 with BOM, opens in Excel) or XLSX.

    Parameters
    ----------
    path
        Where to write; the suffix (``.csv`` or ``.xlsx``) chooses the format.
    lang
        ``"zh"`` for Chinese headers and values, ``"en"`` for English.

    Returns
    -------
    Path
        The path written.
    """
    if lang not in _TEMPLATE_HEADERS:
        raise UserInputError(key="err_template_lang", value=lang)
    path = Path(path)
    headers = list(_TEMPLATE_HEADERS[lang].values())
    table = pd.DataFrame(_TEMPLATE_ROWS[lang], columns=headers)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserInputError(key="err_template_format", suffix=suffix)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            table.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            table.to_excel(tmp, index=False, engine="openpyxl")
    return path
