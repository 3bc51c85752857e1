"""Downloading the extract from a local server: progress, resume, checksum, errors, retries."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from gxnet import settings
from gxnet._errors import DiskFullError, DownloadError
from gxnet.osm.download import download_extract

NAME = "guangxi-latest.osm.pbf"


@pytest.fixture
def extract(osm_server, helsinki_pbf: Path) -> bytes:
    """The real Helsinki PBF served as the Guangxi extract, with its published MD5."""
    data = helsinki_pbf.read_bytes()
    osm_server.files[f"/{NAME}"] = data
    osm_server.files[f"/{NAME}.md5"] = f"{hashlib.md5(data).hexdigest()}  {NAME}\n".encode()
    return data


def _get(url: str, dest: Path, *, progress: bool = False) -> Path:
    return download_extract(
        f"{url}/{NAME}", dest_dir=dest, retries=3, backoff_s=0.5, progress=progress
    )


def _nothing_readable(dest: Path) -> bool:
    return list(dest.glob("*.osm.pbf")) == []


def test_download_shows_progress_and_writes_the_verified_file(
    osm_server, extract, tmp_path, capsys
):
    path = _get(osm_server.url, tmp_path, progress=True)
    assert path == tmp_path / NAME and path.read_bytes() == extract
    assert not (tmp_path / f"{NAME}.part").exists()
    err = capsys.readouterr().err
    assert NAME in err and "100%" in err


def test_no_progress_bar_unless_asked(osm_server, extract, tmp_path, capsys) -> None:
    _get(osm_server.url, tmp_path)
    assert capsys.readouterr().err == ""


def test_a_cut_connection_is_resumed_with_a_range_request(osm_server, extract, tmp_path, waits):
    osm_server.script[f"/{NAME}"] = ["cut"]
    path = _get(osm_server.url, tmp_path)
    assert path.read_bytes() == extract
    first, second = [r for _, p, r in osm_server.requests if p == f"/{NAME}"]
    # Only the bytes the cut connection did not deliver (up to half the file) are asked again.
    assert first is None
    assert 0 < int(second.removeprefix("bytes=").rstrip("-")) <= len(extract) // 2
    assert waits == [0.5]


def test_a_part_file_left_by_an_earlier_run_is_resumed(osm_server, extract, tmp_path) -> None:
    (tmp_path / f"{NAME}.part").write_bytes(extract[:100_000])
    assert _get(osm_server.url, tmp_path).read_bytes() == extract
    assert [r for _, p, r in osm_server.requests if p == f"/{NAME}"] == ["bytes=100000-"]


def test_checksum_mismatch_discards_the_download(osm_server, extract, tmp_path) -> None:
    osm_server.files[f"/{NAME}.md5"] = f"{'0' * 32}  {NAME}\n".encode()
    with pytest.raises(DownloadError, match=r"MD5 .* publishes 0{32}.*discarded"):
        _get(osm_server.url, tmp_path)
    assert _nothing_readable(tmp_path) and not (tmp_path / f"{NAME}.part").exists()


def test_a_checksum_file_without_a_checksum_is_refused(osm_server, extract, tmp_path) -> None:
    osm_server.files[f"/{NAME}.md5"] = b"<html>maintenance</html>"
    with pytest.raises(DownloadError, match=r"\.md5 holds no MD5 checksum"):
        _get(osm_server.url, tmp_path)
    assert _nothing_readable(tmp_path)


def test_not_found_fails_at_once(osm_server, tmp_path, waits) -> None:
    with pytest.raises(DownloadError, match=r"404.*GXNET_EXTRACT_URL.*--pbf"):
        _get(osm_server.url, tmp_path)
    assert len(osm_server.requests) == 1 and waits == []
    assert _nothing_readable(tmp_path)


def test_too_many_requests_honours_retry_after(osm_server, extract, tmp_path, waits) -> None:
    osm_server.script[f"/{NAME}"] = [429]
    osm_server.retry_after = "7"
    assert _get(osm_server.url, tmp_path).read_bytes() == extract
    assert waits == [7.0]


def test_server_errors_back_off_exponentially(osm_server, extract, tmp_path, waits) -> None:
    osm_server.script[f"/{NAME}.md5"] = [503]
    osm_server.script[f"/{NAME}"] = [502, 429]
    download_extract(
        f"{osm_server.url}/{NAME}", dest_dir=tmp_path, retries=4, backoff_s=0.5, progress=False
    )
    assert waits == [0.5, 1.0, 2.0]


def test_persistent_server_errors_give_up_without_a_corrupt_file(
    osm_server, extract, tmp_path, waits
) -> None:
    osm_server.script[f"/{NAME}"] = ["cut", 500, 500]
    with pytest.raises(DownloadError, match=r"3 attempts, the last: 500.*resumes.*--pbf"):
        _get(osm_server.url, tmp_path)
    assert waits == [0.5, 1.0]
    assert _nothing_readable(tmp_path)
    assert 0 < (tmp_path / f"{NAME}.part").stat().st_size <= len(extract) // 2


def test_no_connection_says_where_to_put_a_file_by_hand(tmp_path, waits) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(
        DownloadError, match=rf"no connection to 127.0.0.1:{port}.*{tmp_path / NAME}.*--pbf FILE"
    ):
        _get(f"http://127.0.0.1:{port}", tmp_path)
    assert len(waits) == 2 and _nothing_readable(tmp_path)


def test_a_trickling_server_is_given_up_on_at_the_deadline_and_the_next_run_resumes(
    osm_server, extract, tmp_path, monkeypatch
) -> None:
    osm_server.script[f"/{NAME}"] = ["trickle"]
    osm_server.trickle_s = 0.05
    monkeypatch.setattr(settings, "download_deadline_s", 0.5)
    monkeypatch.setattr(settings, "download_min_rate_bps", 0.0)  # the deadline alone
    part = tmp_path / f"{NAME}.part"
    with pytest.raises(
        DownloadError,
        match=rf"gave up .*deadline of 0.5 s .*GXNET_DOWNLOAD_DEADLINE_S.*{part} keeps the "
        r"\d+ bytes so far and the next run resumes",
    ):
        _get(osm_server.url, tmp_path)
    kept = part.stat().st_size
    assert 0 < kept < len(extract) and _nothing_readable(tmp_path)
    assert extract.startswith(part.read_bytes())

    monkeypatch.setattr(settings, "download_deadline_s", 3600.0)
    assert _get(osm_server.url, tmp_path).read_bytes() == extract
    assert [r for _, p, r in osm_server.requests if p == f"/{NAME}"][-1] == f"bytes={kept}-"


def test_a_trickle_below_the_slowest_rate_fails_before_the_deadline(
    osm_server, extract, tmp_path, monkeypatch
) -> None:
    osm_server.script[f"/{NAME}"] = ["trickle"]
    osm_server.trickle_s = 0.05  # about 20 bytes a second
    monkeypatch.setattr(settings, "download_min_rate_bps", 1000.0)
    monkeypatch.setattr(settings, "download_rate_window_s", 0.3)
    with pytest.raises(
        DownloadError,
        match=r"sent \d+ bytes in \d+ s, slower than the slowest rate accepted, 1000 bytes/s "
        r"\(settings.download_min_rate_bps, GXNET_DOWNLOAD_MIN_RATE_BPS\).*resumes",
    ):
        _get(osm_server.url, tmp_path)
    assert (tmp_path / f"{NAME}.part").stat().st_size > 0 and _nothing_readable(tmp_path)


def test_no_retry_waits_past_the_deadline(osm_server, extract, tmp_path, monkeypatch, waits):
    osm_server.script[f"/{NAME}.md5"] = [503]
    monkeypatch.setattr(settings, "download_deadline_s", 5.0)
    with pytest.raises(DownloadError, match=r"1 attempt, no time for another before the 5 s"):
        download_extract(f"{osm_server.url}/{NAME}", dest_dir=tmp_path, backoff_s=60, retries=3)
    assert waits == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_full_disk_names_the_part_file(osm_server, extract, tmp_path) -> None:
    # /dev/full accepts no byte: every write fails with ENOSPC, as on a full disk.
    (tmp_path / f"{NAME}.part").symlink_to("/dev/full")
    with pytest.raises(DiskFullError, match=rf"cannot write {tmp_path / NAME}.part: the disk is"):
        _get(osm_server.url, tmp_path)
    assert _nothing_readable(tmp_path)
