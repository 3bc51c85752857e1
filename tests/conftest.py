"""Shared fixtures: the shared reference material, the committed test data, a local OSM server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

REPO = Path(__file__).resolve().parents[1]
#: ../shared beside the checkout: benchmark instances with published optima, raw reference data.
SHARED = REPO.parent / "shared"
TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: CI clones the repo with ../shared beside it")
    return SHARED


@pytest.fixture(scope="session")
def bench_dir(shared_dir: Path) -> Path:
    return shared_dir / "bench"


@pytest.fixture(scope="session")
def helsinki_pbf() -> Path:
    """The committed real OSM extract of central Helsinki (ODbL, see tests/data/README.md)."""
    return TEST_DATA / "helsinki.osm.pbf"


class OsmServer:
    """A local HTTP server (127.0.0.1) standing in for the extract service and Overpass.

    ``files`` maps URL paths to bytes, served with HTTP Range support. ``script`` maps a path to
    the behaviours of its next requests, consumed in order: an int answers with that status
    (``retry_after`` adds the header to a 429), ``"cut"`` promises the whole body but closes the
    connection half-way. ``overpass`` is the JSON answered to ``POST /api/interpreter``.
    ``requests`` records (method, path, Range header) of every request.
    """

    def __init__(self) -> None:
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
    httpd.shutdown()
    httpd.server_close()
    thread.join()
