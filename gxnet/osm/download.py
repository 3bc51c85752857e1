"""Download the Guangxi OpenStreetMap extract: resumable, verified, written atomically.

The bytes arrive in ``<name>.part`` beside the final file. A broken connection leaves the
``.part`` file, and the next attempt (or the next run) asks the server only for the missing
bytes (HTTP ``Range``). The finished file is checked against the MD5 checksum the extract
service publishes at ``<url>.md5`` and only then renamed onto ``<name>`` (atomic on POSIX), so
whoever reads ``*.osm.pbf`` in the cache folder never sees a partial or corrupt file.

A download has an overall deadline (``settings.download_deadline_s``, every attempt and wait
included) and a slowest rate it accepts (``settings.download_min_rate_bps`` over
``settings.download_rate_window_s``): a server that keeps the connection open but trickles bytes
is given up on, with the ``.part`` file kept for the next run to resume. Bytes are read as they
arrive, so that both rules are checked at every byte the server sends.
"""

from __future__ import annotations

import email.utils
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
import urllib3
from tqdm import tqdm

from gxnet import __version__, settings
from gxnet._errors import DownloadError, write_error
from gxnet._messages import Phrase

_CHUNK = 1 << 16
_HEADERS = {"User-Agent": f"gxnet/{__version__} (recycling network planning)"}
#: Longest wait honoured from a server's Retry-After, in seconds.
_MAX_RETRY_AFTER_S = 300.0

# Indirection so that tests can record the waits instead of sleeping.
_sleep = time.sleep


class _Retry(Exception):
    """A failure worth another attempt (429, 5xx, broken connection); ``wait_s`` if the server
    said how long to wait."""

    def __init__(self, reason: Phrase, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


class _TooSlow(Exception):
    """The download broke its deadline or sent too little for too long: not worth a retry."""

    def __init__(self, reason: Phrase) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class _Pace:
    """The deadline of one download (``time.monotonic`` seconds) and its slowest rate."""

    deadline: float
    deadline_s: float
    min_rate_bps: float
    window_s: float

    def left_s(self) -> float:
        return self.deadline - time.monotonic()

    def timeout(self, timeout_s: float) -> tuple[float, float]:
        """(connect, read) timeouts of a request: a silent server is given up on at the
        deadline at the latest."""
        return timeout_s, max(min(timeout_s, self.left_s()), 0.1)

    def check_deadline(self) -> None:
        if self.left_s() < 0:
            raise _TooSlow(Phrase("dl_deadline", deadline=self.deadline_s))


def _resumes(part: Path) -> Phrase | str:
    if not part.exists():
        return ""
    return Phrase("dl_resumes", part=str(part), size=part.stat().st_size)


def _by_hand(target: Path) -> Phrase:
    return Phrase("dl_by_hand", target=str(target), folder=str(target.parent))


def _broken(exc: requests.RequestException | urllib3.exceptions.HTTPError, url: str) -> _Retry:
    """A retryable failure with a short reason (requests' own messages run to several lines)."""
    host = urlsplit(url).netloc
    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError):
        return _Retry(Phrase("dl_no_answer", host=host))
    if isinstance(exc, requests.ConnectionError):
        return _Retry(Phrase("dl_no_connection", host=host))
    return _Retry(Phrase("dl_broke", host=host, kind=type(exc).__name__))


def _retry_after_s(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), None if absent."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _check_status(response: requests.Response, url: str, target: Path) -> None:
    status = response.status_code
    if status == 429:
        raise _Retry(
            Phrase("dl_status", status=status, reason="Too Many Requests"),
            _retry_after_s(response.headers.get("Retry-After")),
        )
    if status >= 500:
        raise _Retry(
            Phrase("dl_status", status=status, reason=response.reason),
            _retry_after_s(response.headers.get("Retry-After")),
        )
    if status == 404:
        raise DownloadError(key="err_download_404", url=url, by_hand=_by_hand(target))
    if status >= 400:
        raise DownloadError(
            key="err_download_status",
            url=url,
            status=status,
            reason=response.reason,
            by_hand=_by_hand(target),
        )


def _published_md5(url: str, target: Path, timeout: tuple[float, float]) -> str:
    """The MD5 checksum published at ``<url>.md5`` (as ``md5sum`` prints it).

    Raises _Retry on 429, 5xx or a broken connection, DownloadError when there is no checksum.
    """
    try:
        response = requests.get(url + ".md5", headers=_HEADERS, timeout=timeout)
    except requests.RequestException as exc:
        raise _broken(exc, url) from exc
    _check_status(response, url + ".md5", target)
    digest = response.text.split()[0].lower() if response.text.split() else ""
    if len(digest) != 32 or any(c not in "0123456789abcdef" for c in digest):
        raise DownloadError(key="err_download_no_md5", url=url, got=response.text[:60])
    return digest


def _fetch_part(
    url: str, part: Path, target: Path, *, progress: bool, timeout_s: float, pace: _Pace
) -> None:
    """Bring ``part`` to the full file, asking only for the bytes it lacks."""
    offset = part.stat().st_size if part.exists() else 0
    headers = dict(_HEADERS)
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        with requests.get(
            url, headers=headers, stream=True, timeout=pace.timeout(timeout_s)
        ) as response:
            if response.status_code == 416 and offset:
                return  # the .part file already holds every byte; the checksum decides
            _check_status(response, url, target)
            if response.status_code != 206:
                offset = 0  # the server ignored the Range: start over
            size = response.headers.get("Content-Length")
            total = offset + int(size) if size is not None else None
            with (
                open(part, "ab" if offset else "wb") as fh,
                tqdm(
                    total=total,
                    initial=offset,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=target.name,
                    disable=not progress,
                ) as bar,
            ):
                _copy(response, fh, bar, pace)
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise _broken(exc, url) from exc
    except OSError as exc:
        raise write_error(part, exc) from exc
    if total is not None and part.stat().st_size < total:
        raise _Retry(Phrase("dl_closed_early", got=part.stat().st_size, total=total))


def _copy(response: requests.Response, fh, bar: tqdm, pace: _Pace) -> None:
    """Append the body to ``fh`` as it arrives, holding the server to the deadline and rate."""
    window_start, window_bytes = time.monotonic(), 0
    while chunk := response.raw.read1(_CHUNK, decode_content=True):
        fh.write(chunk)
        fh.flush()  # on disk at once: a killed run leaves every byte it had for the next
        bar.update(len(chunk))
        pace.check_deadline()
        window_bytes += len(chunk)
        elapsed = time.monotonic() - window_start
        if elapsed >= pace.window_s:
            if window_bytes < pace.min_rate_bps * elapsed:
                raise _TooSlow(
                    Phrase(
                        "dl_too_slow", sent=window_bytes, seconds=elapsed, rate=pace.min_rate_bps
                    )
                )
            window_start, window_bytes = time.monotonic(), 0


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_extract(
    url: str | None = None,
    *,
    dest_dir: str | Path | None = None,
    progress: bool | None = None,
    retries: int | None = None,
    backoff_s: float | None = None,
    timeout_s: float | None = None,
) -> Path:
    """Download an OSM extract, resuming a broken download, and verify its published checksum.

    Parameters
    ----------
    url
        The extract; default ``settings.extract_url`` (Guangxi). Its checksum must be at
        ``<url>.md5``.
    dest_dir
        Folder of the final file; default ``settings.osm_dir``.
    progress
        Show a progress bar; default: when stderr is a terminal.
    retries
        Attempts before giving up; default ``settings.http_retries``.
    backoff_s
        Wait before the second attempt, doubled after each further one (a server's Retry-After
        wins when it sends one); default ``settings.http_backoff_s``.
    timeout_s
        Seconds without an answer before an attempt fails; default ``settings.http_timeout_s``.

    Returns
    -------
    Path
        The verified file, ``<dest_dir>/<name in url>``.

    Raises
    ------
    DownloadError
        On 404 or another client error at once; after the retries on 429, 5xx and broken or
        absent connections; when the download passes ``settings.download_deadline_s`` or
        arrives slower than ``settings.download_min_rate_bps``; on a checksum mismatch. The
        message says where to place a file by hand. No partial file is ever left at the
        returned path; the ``.part`` file keeps the bytes so far (except after a checksum
        mismatch), for the next run to resume.
    DiskFullError
        When the disk fills up (the ``.part`` file keeps what was written).
    SettingsError
        When an environment variable of the download settings cannot be used.
    """
    settings.check_environment()
    url = url or settings.extract_url
    target = Path(dest_dir or settings.osm_dir) / Path(urlsplit(url).path).name
    part = target.with_name(target.name + ".part")
    progress = sys.stderr.isatty() if progress is None else progress
    retries = max(1, settings.http_retries if retries is None else retries)
    backoff_s = settings.http_backoff_s if backoff_s is None else backoff_s
    timeout_s = timeout_s or settings.http_timeout_s
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(target.parent, exc) from exc

    pace = _Pace(
        deadline=time.monotonic() + settings.download_deadline_s,
        deadline_s=settings.download_deadline_s,
        min_rate_bps=settings.download_min_rate_bps,
        window_s=settings.download_rate_window_s,
    )
    expected = None
    for attempt in range(retries):
        try:
            expected = expected or _published_md5(url, target, pace.timeout(timeout_s))
            _fetch_part(url, part, target, progress=progress, timeout_s=timeout_s, pace=pace)
            break
        except _TooSlow as failure:
            raise DownloadError(
                key="err_download_gave_up",
                url=url,
                failure=failure.reason,
                resumes=_resumes(part),
                by_hand=_by_hand(target),
            ) from failure
        except _Retry as failure:
            wait = failure.wait_s if failure.wait_s is not None else backoff_s * 2**attempt
            wait = min(wait, _MAX_RETRY_AFTER_S)
            if attempt == retries - 1 or wait > pace.left_s():
                no_time = attempt < retries - 1
                raise DownloadError(
                    key="err_download_failed",
                    url=url,
                    tried=Phrase(
                        "dl_attempts" if attempt else "dl_attempt",
                        n=attempt + 1,
                        more=Phrase("dl_no_time", deadline=pace.deadline_s) if no_time else "",
                    ),
                    failure=failure.reason,
                    resumes=_resumes(part),
                    by_hand=_by_hand(target),
                ) from failure
            _sleep(wait)

    actual = _file_md5(part)
    if actual != expected:
        # Resuming cannot repair wrong bytes: start afresh next time.
        part.unlink()
        raise DownloadError(
            key="err_download_md5",
            url=url,
            actual=actual,
            expected=expected,
            by_hand=_by_hand(target),
        )
    part.replace(target)
    return target
