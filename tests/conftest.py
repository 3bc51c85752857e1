"""Fixtures of the package's tests: the committed test data, a local OSM server."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import osmium
import pytest

from gxnet import settings
from gxnet._messages import LANG_VARIABLE, set_language

TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True, scope="session")
def english_console():
    """Tests read the command line's English words unless they ask for Chinese (the default a
    planner gets, checked by the tests of the message catalogue and of the CLI's languages):
    ``GXNET_LANG=en``, also for the commands they start."""
    before = os.environ.get(LANG_VARIABLE)
    os.environ[LANG_VARIABLE] = "en"
    yield
    if before is None:
        os.environ.pop(LANG_VARIABLE, None)
    else:
        os.environ[LANG_VARIABLE] = before


@pytest.fixture(autouse=True)
def no_language_left_set():
    """No console language set by an earlier test's ``--lang`` (it lives in the process)."""
    set_language(None)
    yield
    set_language(None)


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """The committed real OSM extract of central Helsinki (ODbL, see tests/data/README.md)."""
    return TEST_DATA / "helsinki.osm.pbf"


class OsmServer:
    """A local HTTP server (127.0.0.1) standing in for the extract service and Overpass.

    ``files`` maps URL paths to bytes, served with HTTP Range support. ``script`` maps a path to
    the behaviours of its next requests, consumed in order: an int answers with that status
    (``retry_after`` adds the header to a 429), ``"cut"`` promises the whole body but closes the
    connection half-way, ``"trickle"`` sends it one byte every ``trickle_s`` seconds (until the
    client hangs up or the server stops). ``overpass`` is the JSON answered to
    ``POST /api/interpreter``. ``requests`` records (method, path, Range header) of every request.
    """

    def __init__(self) -> None:
        self.trickle_s = 2.0
        self.stopped = threading.Event()
        self.files: dict[str, bytes] = {}
        self.script: dict[str, list] = {}
        self.retry_after: str | None = None
        self.overpass: dict | None = None
        self.queries: list[str] = []
        self.requests: list[tuple[str, str, str | None]] = []
        self.url = ""

    def handle_get(self, handler) -> None:
        path = handler.path
        self.requests.append(("GET", path, handler.headers.get("Range")))
        action = self.script[path].pop(0) if self.script.get(path) else "ok"
        body = self.files.get(path)
        if isinstance(action, int) or body is None:
            status = action if isinstance(action, int) else 404
            handler.send_response(status)
            if status == 429 and self.retry_after is not None:
                handler.send_header("Retry-After", self.retry_after)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        start = 0
        ranged = handler.headers.get("Range")
        if ranged:
            start = int(ranged.removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                handler.send_response(416)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            handler.send_response(206)
            handler.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            handler.send_response(200)
        handler.send_header("Content-Length", str(len(body) - start))
        handler.end_headers()
        payload = body[start:]
        if action == "trickle":
            for i in range(len(payload)):
                if self.stopped.wait(0 if i == 0 else self.trickle_s):
                    return
                try:
                    handler.wfile.write(payload[i : i + 1])
                    handler.wfile.flush()
                except OSError:  # the client hung up
                    return
            return
        if action == "cut":
            payload = payload[: len(payload) // 2]
            handler.close_connection = True
        handler.wfile.write(payload)
        handler.wfile.flush()

    def handle_post(self, handler) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        form = parse_qs(handler.rfile.read(length).decode())
        self.requests.append(("POST", handler.path, None))
        self.queries.extend(form.get("data", []))
        action = self.script[handler.path].pop(0) if self.script.get(handler.path) else "ok"
        if isinstance(action, int) or self.overpass is None:
            handler.send_response(action if isinstance(action, int) else 404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        payload = json.dumps(self.overpass).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The back-off waits the downloader asked for, instead of sleeping them."""
    from gxnet.osm import download

    asked: list[float] = []
    monkeypatch.setattr(download, "_sleep", asked.append)
    return asked


@pytest.fixture
def osm_server():
    """An :class:`OsmServer` running in a thread for the test, at ``server.url``."""
    server = OsmServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.handle_get(self)

        def do_POST(self) -> None:
            server.handle_post(self)

        def log_message(self, *args) -> None:
            """Keep test output quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.stopped.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


#: Offset of the ids given to the pieces of a way split around nodes missing from the extract.
PIECE_ID = 10**12


@pytest.fixture(scope="session")
def overpass_answer(helsinki_pbf: Path) -> dict:
    """The highway ways of the Helsinki extract and their nodes as Overpass JSON (``out;``).

    Overpass always has every node of a way; the extract lacks the nodes of ways that run out
    of it, so such a way is sent as its pieces of located nodes (ids offset by PIECE_ID).
    """
    nodes: dict[int, dict] = {}
    ways: list[dict] = []
    processor = osmium.FileProcessor(str(helsinki_pbf)).with_locations()
    for obj in processor.with_filter(osmium.filter.KeyFilter("highway")):
        if not obj.is_way():
            continue
        tags = dict(obj.tags)
        pieces: list[list[int]] = [[]]
        for n in obj.nodes:
            if n.location.valid():
                nodes[n.ref] = {"type": "node", "id": n.ref, "lat": n.lat, "lon": n.lon}
                pieces[-1].append(n.ref)
            elif pieces[-1]:
                pieces.append([])
        for k, refs in enumerate(p for p in pieces if len(p) > 1):
            ways.append({"type": "way", "id": obj.id + k * PIECE_ID, "nodes": refs, "tags": tags})
    return {"version": 0.6, "elements": [*nodes.values(), *ways]}


@pytest.fixture
def overpass(osm_server, overpass_answer, monkeypatch: pytest.MonkeyPatch) -> OsmServer:
    """The local server as Overpass answering from the Helsinki extract; osmnx's cache and
    rate-limit pauses off."""
    import osmnx as ox  # seconds to import: only the tests that use Overpass pay for it

    osm_server.overpass = overpass_answer
    monkeypatch.setattr(settings, "overpass_url", f"{osm_server.url}/api")
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setattr(ox.settings, "overpass_rate_limit", False)
    return osm_server


@pytest.fixture(scope="module")
def no_data_on_disk(tmp_path_factory):
    """Empty site-list and OSM folders (the embedded default), kept for the whole module so
    that road networks built from a PBF in one test are cached for the next."""
    folder = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "osm_dir", folder / "osm")
        mp.setattr(settings, "sites_dir", folder / "sites")
        yield folder
