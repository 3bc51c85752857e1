"""Read road networks from an OSM PBF file with pyosmium, and clip a region PBF to a city.

pyosmium streams the file in C++ and attaches node locations to ways itself, so reading a city
costs one pass over the file and memory for the highway ways only. osmnx can only read OSM XML,
which is several times larger than PBF and parsed in Python (docs/osm.md).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pandas as pd
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from gxnet._errors import OsmFileError
from gxnet._io import atomic_path
from gxnet._messages import Phrase
from gxnet.osm.build import TAG_KEYS, WayTable, buffer_polygon, build_networks
from gxnet.osm.network import MODES, RoadNetwork

#: Default buffer (metres) around the city: trips that leave the city and come back, and points
#: near the boundary served from across it, need the roads just outside.
DEFAULT_BUFFER_M = 2_000.0

#: pyosmium's marker of a node whose location the file lacks.
_UNDEFINED = osmium.osm.Location().x
#: Tolerance (degrees, about 10 m) when checking that a file's bounding box covers an area.
_COVER_TOLERANCE_DEG = 1e-4


# The child process of _pbf_writer: copies its stdin into the file argv[1]. After a write error
# it reads on to the end (the writer upstream never sees a failure) and reports errno and reason.
_COPY = """
import sys
source = sys.stdin.buffer
try:
    with open(sys.argv[1], "wb") as out:
        while block := source.read1(1 << 20):
            out.write(block)
except OSError as exc:
    sys.stderr.write(f"{exc.errno}\\t{exc.strerror}")
    while source.read1(1 << 20):
        pass
    sys.exit(3)
"""


@contextlib.contextmanager
def _pbf_writer(path: Path, header: osmium.io.Header) -> Iterator[osmium.SimpleWriter]:
    """An osmium writer of the PBF file ``path`` that a full disk cannot crash.

    When a write fails, pyosmium's writer raises once and then, destroyed, ends the whole process
    (``std::terminate``: its destructor writes again). So osmium writes into a pipe and a child
    process copies the pipe into the file: a full disk stops the copy, never osmium, and is
    raised here as an ``OSError`` naming ``path``. Where pipes have no path (no ``/dev/fd``),
    osmium writes the file itself.

    Raises
    ------
    OSError
        When the file could not be written (disk full, I/O error).
    """
    if not Path("/dev/fd").is_dir():
        with osmium.SimpleWriter(str(path), header=header) as writer:
            yield writer
        return
    # A session of its own: Ctrl-C in the terminal reaches gxnet, which closes the pipe.
    copy = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _COPY, str(path)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        pipe = osmium.io.File(f"/dev/fd/{copy.stdin.fileno()}", "pbf")
        with osmium.SimpleWriter(pipe, header=header, overwrite=True) as writer:
            yield writer
    finally:
        copy.stdin.close()
        failure = copy.stderr.read().decode(errors="replace")
        copy.wait()
    if copy.returncode:
        code, _, reason = failure.partition("\t")
        raise OSError(int(code) if code.isdigit() else errno.EIO, reason or failure, str(path))


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _osmium_error(pbf: Path, exc: RuntimeError) -> OsmFileError:
    return OsmFileError(
        f"cannot read this OSM file ({exc}); it is corrupt or truncated: delete it, or "
        "download the extract again (gxnet fetch --source extract --refresh), or give another "
        "file with --pbf",
        path=str(pbf),
    )


def _existing(pbf: str | Path) -> Path:
    pbf = Path(pbf)
    if not pbf.is_file():
        raise OsmFileError(key="err_no_pbf", path=str(pbf))
    return pbf


def pbf_bounds(pbf: str | Path) -> tuple[float, float, float, float] | None:
    """The bounding box (min lon, min lat, max lon, max lat) in the file header, if any.

    Raises
    ------
    OsmFileError
        When the file is missing or is not an OSM file.
    """
    pbf = _existing(pbf)
    try:
        reader = osmium.io.Reader(str(pbf), osmium.osm.NOTHING)
        bbox = reader.header().box()
        reader.close()
    except RuntimeError as exc:
        raise _osmium_error(pbf, exc) from exc
    if not bbox.valid():
        return None
    return (bbox.bottom_left.lon, bbox.bottom_left.lat, bbox.top_right.lon, bbox.top_right.lat)


def pbf_extent(pbf: str | Path) -> tuple[float, float, float, float] | None:
    """The area a PBF file covers: its header's bounding box, else that of its nodes (a full
    read, only for files written without one); None for a file without nodes.

    Raises
    ------
    OsmFileError
        When the file is missing, corrupt or truncated.
    """
    pbf = Path(pbf)
    bounds = pbf_bounds(pbf)
    if bounds is not None:
        return bounds
    west = south = np.inf
    east = north = -np.inf
    try:
        for node in osmium.FileProcessor(str(pbf), osmium.osm.NODE):
            lon, lat = node.location.lon, node.location.lat
            west, east = min(west, lon), max(east, lon)
            south, north = min(south, lat), max(north, lat)
    except RuntimeError as exc:
        raise _osmium_error(pbf, exc) from exc
    return None if west > east else (west, south, east, north)


def covers(bounds: tuple[float, float, float, float], polygon: BaseGeometry) -> bool:
    """Whether a bounding box covers ``polygon`` (within about 10 m)."""
    grown = box(*bounds).buffer(_COVER_TOLERANCE_DEG, join_style="mitre")
    return bool(grown.covers(polygon))


def check_covers(
    pbf: Path, bounds: tuple[float, float, float, float] | None, polygon: BaseGeometry
) -> None:
    """Raise :class:`OsmFileError` naming ``pbf`` unless ``bounds`` (its extent) covers
    ``polygon``."""
    if bounds is not None and covers(bounds, polygon):
        return
    west, south, east, north = polygon.bounds
    extent = Phrase("nothing") if bounds is None else ", ".join(f"{b:.4f}" for b in bounds)
    raise OsmFileError(
        key="err_pbf_not_covering",
        west=west,
        east=east,
        south=south,
        north=north,
        extent=extent,
        path=str(pbf),
    )


def read_ways(pbf: str | Path) -> WayTable:
    """Read every ``highway`` way of a PBF file, with its nodes' locations.

    Raises
    ------
    OsmFileError
        When the file is missing, corrupt or truncated.
    """
    pbf = _existing(pbf)
    processor = (
        osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    rows: list[list[Any]] = []
    refs: list[tuple[int, int, int]] = []
    counts: list[int] = []
    try:
        for way in processor:
            tags = way.tags
            rows.append([tags.get(key) for key in TAG_KEYS])
            nodes = [(n.ref, n.location.x, n.location.y) for n in way.nodes]
            refs.extend(nodes)
            counts.append(len(nodes))
    except RuntimeError as exc:
        raise _osmium_error(pbf, exc) from exc
    return _way_table(rows, np.array(refs, dtype=np.int64).reshape(-1, 3), np.array(counts))


def _way_table(rows: list[list[Any]], refs: np.ndarray, counts: np.ndarray) -> WayTable:
    """Assemble a WayTable from per-way tags, the flat (ref, x, y) list and nodes per way."""
    tags = pd.DataFrame(rows, columns=list(TAG_KEYS), dtype=object)
    node_id, first = np.unique(refs[:, 0], return_index=True)
    x, y = refs[first, 1], refs[first, 2]
    missing = x == _UNDEFINED
    lon = np.where(missing, np.nan, x / 1e7)
    lat = np.where(missing, np.nan, y / 1e7)
    way_of_ref = np.repeat(np.arange(len(counts)), counts)
    # A segment joins two consecutive refs of the same way.
    same_way = way_of_ref[1:] == way_of_ref[:-1]
    return WayTable(
        tags=tags,
        node_id=node_id,
        lon=lon,
        lat=lat,
        seg_a=refs[:-1, 0][same_way],
        seg_b=refs[1:, 0][same_way],
        seg_way=way_of_ref[:-1][same_way],
    )


def read_networks(
    pbf: str | Path,
    polygon: BaseGeometry,
    modes: tuple[str, ...] = MODES,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    meta: dict[str, Any] | None = None,
) -> dict[str, RoadNetwork]:
    """Read the road networks of several travel modes from one pass over a PBF file.

    Parameters
    ----------
    pbf
        An ``.osm.pbf`` file covering ``polygon``.
    polygon
        The city (or any area) in WGS-84.
    modes
        Travel modes to build.
    buffer_m
        Metres of road kept around the polygon.
    meta
        Extra provenance to record in each network's ``meta``.

    Returns
    -------
    dict
        Mode -> RoadNetwork (largest strongly connected component; ``meta`` records the source
        file, its SHA-256, the buffer, and the nodes and edges dropped).

    Raises
    ------
    OsmFileError
        When the file is missing, corrupt, truncated or does not cover the polygon.
    EmptyNetworkError
        When a mode has no road inside the area.
    """
    pbf = Path(pbf)
    check_covers(pbf, pbf_extent(pbf), polygon)
    ways = read_ways(pbf)
    record = {"source": str(pbf), "source_sha256": file_sha256(pbf), "buffer_m": buffer_m}
    return build_networks(
        ways, buffer_polygon(polygon, buffer_m), modes, meta=record | (meta or {})
    )


def read_network(
    pbf: str | Path,
    polygon: BaseGeometry,
    mode: str,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> RoadNetwork:
    """Read the road network of one travel mode from a PBF file (see :func:`read_networks`)."""
    return read_networks(pbf, polygon, (mode,), buffer_m=buffer_m)[mode]


def clip_pbf(
    source: str | Path,
    polygon: BaseGeometry,
    target: str | Path,
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> Path:
    """Write the part of a PBF file around a city to a new PBF file, atomically.

    Keeps every tagged node inside the bounding box of the buffered polygon, every way with a
    node inside it (whole, with all its nodes, so roads leaving the box stay intact) and every
    relation with such a member, plus the relation's member nodes and ways (nested relations
    are not followed). The header records the box, so that later readers can check coverage
    without reading the data.

    Parameters
    ----------
    source
        The region PBF.
    polygon
        The city in WGS-84.
    target
        The city PBF to write.
    buffer_m
        Metres around the polygon.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    OsmFileError
        When the source is missing, corrupt, or does not cover the polygon.
    """
    source, target = Path(source), Path(target)
    bounds = pbf_extent(source)
    check_covers(source, bounds, polygon)
    west, south, east, north = buffer_polygon(polygon, buffer_m).bounds
    # The header must not claim more than the source holds.
    west, south = max(west, bounds[0]), max(south, bounds[1])
    east, north = min(east, bounds[2]), min(north, bounds[3])

    def in_box(location: osmium.osm.Location) -> bool:
        return location.valid() and west <= location.lon <= east and south <= location.lat <= north

    nodes: set[int] = set()  # tagged nodes in the box, then every node written
    ways: set[int] = set()
    relations: set[int] = set()
    member_ways: set[int] = set()
    refs: list[int] = []
    # Untagged nodes (way geometry) never reach Python: the tag filter drops them in C++, after
    # the location cache has stored their coordinates. Untagged ways do reach it: they are the
    # rings of land-use multipolygons.
    untagged_nodes = osmium.filter.EmptyTagFilter()
    untagged_nodes.enable_for(osmium.osm.NODE)
    processor = osmium.FileProcessor(str(source)).with_locations().with_filter(untagged_nodes)
    try:
        for obj in processor:
            if obj.is_node():
                if in_box(obj.location):
                    nodes.add(obj.id)
            elif obj.is_way():
                if any(in_box(n.location) for n in obj.nodes):
                    ways.add(obj.id)
                    refs.extend(n.ref for n in obj.nodes)
            elif obj.is_relation():
                members = [(m.type, m.ref) for m in obj.members]
                if any((t == "n" and r in nodes) or (t == "w" and r in ways) for t, r in members):
                    relations.add(obj.id)
                    nodes.update(r for t, r in members if t == "n")
                    member_ways.update(r for t, r in members if t == "w")
        # Member ways of kept relations (a land-use multipolygon reaching out of the box) need
        # their nodes too: one more pass over the ways alone.
        member_ways -= ways
        if member_ways:
            for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
                if way.id in member_ways:
                    refs.extend(n.ref for n in way.nodes)
        nodes.update(refs)
        ways |= member_ways
        wanted = {"n": nodes, "w": ways, "r": relations}
        header = osmium.io.Header()
        header.add_box(
            osmium.osm.Box(osmium.osm.Location(west, south), osmium.osm.Location(east, north))
        )
        # Membership is tested in Python sets: pyosmium's IdFilter and IdTracker keep dense bit
        # sets that reserve 512 kB per 4 million ids touched, a gigabyte for a city's scattered
        # node ids.
        with atomic_path(target) as tmp, _pbf_writer(tmp, header) as writer:
            for obj in osmium.FileProcessor(str(source)):
                if obj.id in wanted[obj.type_str()]:
                    writer.add(obj)
    except RuntimeError as exc:
        raise _osmium_error(source, exc) from exc
    return target
