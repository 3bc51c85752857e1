"""Road networks from the Overpass API through osmnx, with the same filters and speeds as PBF.

osmnx downloads every ``highway`` way around the area once and builds an unsimplified graph
with ``all_oneway`` set, so that each OSM segment appears exactly once, in the way's drawing
order, with its raw tags. That graph is turned back into a :class:`gxnet.osm.build.WayTable`
and goes through :func:`gxnet.osm.build.build_network`: one-way rules, mode filters, speeds,
clipping and connectivity pruning are those of the PBF path, not osmnx's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import osmnx as ox
import pandas as pd
import requests
from osmnx._errors import InsufficientResponseError, ResponseStatusCodeError
from shapely.geometry.base import BaseGeometry

from gxnet import settings
from gxnet._errors import DownloadError, EmptyNetworkError
from gxnet.osm.build import TAG_KEYS, WayTable, buffer_polygon, build_networks
from gxnet.osm.network import MODES, RoadNetwork
from gxnet.osm.pbf import DEFAULT_BUFFER_M

#: osmnx reverses the nodes of a way whose ``oneway`` is one of these before storing it; the
#: conversion undoes that, so that the one-way rules see the drawing order.
_OSMNX_REVERSED = {"-1", "reverse", "T"}


@contextlib.contextmanager
def _osmnx_settings(**overrides: Any) -> Iterator[None]:
    """Set osmnx settings for one download and restore them afterwards."""
    before = {key: getattr(ox.settings, key) for key in overrides}
    for key, value in overrides.items():
        setattr(ox.settings, key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            setattr(ox.settings, key, value)


def graph_to_ways(graph: Any) -> WayTable:
    """Turn an unsimplified osmnx graph built with ``all_oneway`` into a WayTable."""
    node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=len(graph))
    lon = np.array([graph.nodes[n]["x"] for n in node_ids.tolist()], dtype=float)
    lat = np.array([graph.nodes[n]["y"] for n in node_ids.tolist()], dtype=float)
    order = np.argsort(node_ids)
    if graph.number_of_edges() == 0:
        tags = pd.DataFrame(columns=list(TAG_KEYS), dtype=object)
        empty = np.array([], dtype=np.int64)
        return WayTable(tags, node_ids[order], lon[order], lat[order], empty, empty, empty)
    u, v, data = zip(*graph.edges(data=True), strict=True)
    osmid = np.fromiter((d["osmid"] for d in data), dtype=np.int64, count=len(data))
    _, first, seg_way = np.unique(osmid, return_index=True, return_inverse=True)
    tags = pd.DataFrame(
        [[data[i].get(key) for key in TAG_KEYS] for i in first.tolist()],
        columns=list(TAG_KEYS),
        dtype=object,
    )
    seg_a = np.array(u, dtype=np.int64)
    seg_b = np.array(v, dtype=np.int64)
    flipped = tags["oneway"].isin(_OSMNX_REVERSED).to_numpy()[seg_way]
    seg_a, seg_b = np.where(flipped, seg_b, seg_a), np.where(flipped, seg_a, seg_b)
    return WayTable(tags, node_ids[order], lon[order], lat[order], seg_a, seg_b, seg_way)


def download_ways(area: BaseGeometry) -> WayTable:
    """Every ``highway`` way inside ``area`` (WGS-84) from Overpass, as a WayTable.

    Raises
    ------
    DownloadError
        When the Overpass server cannot be reached or answers with an error.
    EmptyNetworkError
        When the area holds no road at all.
    """
    with _osmnx_settings(
        overpass_url=settings.overpass_url,
        all_oneway=True,
        useful_tags_way=list(TAG_KEYS),
        requests_timeout=settings.http_timeout_s,
        cache_folder=Path(settings.osm_dir) / "overpass-cache",
    ):
        try:
            graph = ox.graph_from_polygon(
                area,
                custom_filter='["highway"]',
                simplify=False,
                retain_all=True,
                truncate_by_edge=False,
            )
        except (requests.RequestException, ResponseStatusCodeError) as exc:
            raise DownloadError(
                key="err_overpass", url=settings.overpass_url, detail=str(exc)
            ) from exc
        except (InsufficientResponseError, ValueError) as exc:
            # osmnx says "no data elements" or "found no graph nodes within the polygon".
            raise EmptyNetworkError(key="err_overpass_empty", detail=str(exc)) from exc
    return graph_to_ways(graph)


def overpass_networks(
    polygon: BaseGeometry,
    modes: tuple[str, ...] = MODES,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    meta: dict[str, Any] | None = None,
) -> dict[str, RoadNetwork]:
    """Road networks of several travel modes from one Overpass download.

    Arguments, result and ``meta`` as :func:`gxnet.osm.pbf.read_networks`, with the Overpass URL
    as the source; the networks are built exactly as from a PBF file.
    """
    area = buffer_polygon(polygon, buffer_m)
    record = {"source": settings.overpass_url, "buffer_m": buffer_m}
    return build_networks(download_ways(area), area, modes, meta=record | (meta or {}))
