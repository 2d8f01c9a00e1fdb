"""Tests for movies.importers.download against a real HTTP server on 127.0.0.1 (no mocking)."""

import hashlib
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from movies.importers.download import DownloadFailed, download

BODY = bytes(range(256)) * 1000  # 256 000 bytes: several chunks
BODY_MD5 = hashlib.md5(BODY).hexdigest()


@dataclass
class FakeServer:
    """What the test server serves, and a log of the requests it got."""

    base_url: str
    files: dict[str, bytes] = field(default_factory=dict)
    # path -> number of body bytes to send before dropping the connection (Content-Length stays the full size)
    cut_after: dict[str, int] = field(default_factory=dict)
    # path -> HTTP status to answer with instead of the file
    status: dict[str, int] = field(default_factory=dict)
    # path -> seconds to wait before answering
    delay: dict[str, float] = field(default_factory=dict)
    honour_ranges: bool = True
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)

    def url(self, path: str) -> str:
        return self.base_url + path

    def requested(self, path: str) -> list[str | None]:
        """The Range headers of the requests made for ``path``."""
        return [range_ for requested, range_ in self.requests if requested == path]


class Handler(BaseHTTPRequestHandler):
    """Serves FakeServer.files, with single "bytes=N-" ranges, since http.server's handlers do not do ranges."""

    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        fake: FakeServer = self.server.fake  # type: ignore[attr-defined]
        range_header = self.headers.get("Range")
        fake.requests.append((self.path, range_header))
        time.sleep(fake.delay.get(self.path, 0))
        if self.path in fake.status:
            self.send_error(fake.status[self.path])
            return
        if self.path not in fake.files:
            self.send_error(404)
            return
        body = fake.files[self.path]
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
        if match and fake.honour_ranges:
            start = int(match[1])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        self.wfile.write(body[start:start + fake.cut_after.get(self.path, len(body))])
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a size limit, a timeout) is what several tests do: not worth a traceback."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def server():
    """A FakeServer serving /data.zip (BODY) and its /data.zip.md5, on a free port of 127.0.0.1."""
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    fake = FakeServer(base_url=f"http://127.0.0.1:{httpd.server_address[1]}")
    fake.files["/data.zip"] = BODY
    fake.files["/data.zip.md5"] = f"MD5 (data.zip) = {BODY_MD5}\n".encode()
    httpd.fake = fake  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_download_fetches_file_into_cache_and_reuses_it_without_a_request(server, tmp_path):
    path = download(server.url("/data.zip"), tmp_path)

    assert path == tmp_path / "data.zip"
    assert path.read_bytes() == BODY
    assert not (tmp_path / "data.zip.part").exists()
    requests_made = len(server.requests)

    assert download(server.url("/data.zip"), tmp_path) == path
    assert len(server.requests) == requests_made


@pytest.mark.parametrize("sidecar", [
    f"MD5 (data.zip) = {BODY_MD5}\n",
    f"{BODY_MD5}  data.zip\n",
    BODY_MD5.upper(),
])
def test_download_verifies_md5_sidecar(server, tmp_path, sidecar):
    server.files["/data.zip.md5"] = sidecar.encode()

    assert download(server.url("/data.zip"), tmp_path).read_bytes() == BODY
    assert server.requested("/data.zip.md5") == [None]


def test_download_rejects_checksum_mismatch_and_removes_file(server, tmp_path):
    wrong = "0" * 32
    server.files["/data.zip.md5"] = f"MD5 (data.zip) = {wrong}\n".encode()

    with pytest.raises(DownloadFailed) as failure:
        download(server.url("/data.zip"), tmp_path)

    message = str(failure.value)
    assert server.url("/data.zip") in message
    assert wrong in message and BODY_MD5 in message
    assert list(tmp_path.iterdir()) == []


def test_download_verifies_explicit_sha256_without_fetching_sidecar(server, tmp_path):
    path = download(server.url("/data.zip"), tmp_path, sha256=hashlib.sha256(BODY).hexdigest())

    assert path.read_bytes() == BODY
    assert server.requested("/data.zip.md5") == []


def test_download_rejects_wrong_explicit_sha256(server, tmp_path):
    with pytest.raises(DownloadFailed, match="sha256 expected f{64}, got"):
        download(server.url("/data.zip"), tmp_path, sha256="f" * 64)
    assert list(tmp_path.iterdir()) == []


def test_download_replaces_cached_file_that_fails_checksum(server, tmp_path):
    (tmp_path / "data.zip").write_bytes(b"stale")

    path = download(server.url("/data.zip"), tmp_path, md5=BODY_MD5)

    assert path.read_bytes() == BODY
    assert server.requested("/data.zip") == [None]


def test_download_without_md5_sidecar_checks_only_size(server, tmp_path):
    del server.files["/data.zip.md5"]

    assert download(server.url("/data.zip"), tmp_path).read_bytes() == BODY
    assert server.requested("/data.zip.md5") == [None]


def test_download_rejects_truncated_body_and_keeps_part_for_resume(server, tmp_path):
    server.cut_after["/data.zip"] = 1000

    with pytest.raises(DownloadFailed, match=f"truncated: got 1000 of {len(BODY)} bytes"):
        download(server.url("/data.zip"), tmp_path)

    assert (tmp_path / "data.zip.part").read_bytes() == BODY[:1000]
    assert not (tmp_path / "data.zip").exists()

    del server.cut_after["/data.zip"]
    assert download(server.url("/data.zip"), tmp_path).read_bytes() == BODY
    assert server.requested("/data.zip") == [None, "bytes=1000-"]


def test_download_resumes_part_file_with_range_request(server, tmp_path):
    (tmp_path / "data.zip.part").write_bytes(BODY[:100_000])
    progress = []

    path = download(server.url("/data.zip"), tmp_path, progress=lambda done, total: progress.append(done))

    assert path.read_bytes() == BODY
    assert server.requested("/data.zip") == ["bytes=100000-"]
    assert progress[0] == 100_000 and progress[-1] == len(BODY)


def test_download_starts_over_when_server_ignores_range(server, tmp_path):
    server.honour_ranges = False
    (tmp_path / "data.zip.part").write_bytes(b"garbage that must not stay in front")

    assert download(server.url("/data.zip"), tmp_path).read_bytes() == BODY


def test_download_starts_over_when_part_is_longer_than_file(server, tmp_path):
    (tmp_path / "data.zip.part").write_bytes(BODY + b"extra")

    assert download(server.url("/data.zip"), tmp_path).read_bytes() == BODY
    assert server.requested("/data.zip") == [f"bytes={len(BODY) + 5}-", None]


def test_download_refuses_body_larger_than_max_bytes(server, tmp_path):
    with pytest.raises(DownloadFailed, match="more than the limit of 1000"):
        download(server.url("/data.zip"), tmp_path, max_bytes=1000)
    assert not (tmp_path / "data.zip").exists()


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
def test_download_reports_http_error_with_url_and_status(server, tmp_path, status, reason):
    server.status["/data.zip"] = status

    with pytest.raises(DownloadFailed) as failure:
        download(server.url("/data.zip"), tmp_path)

    assert str(failure.value) == f"{server.url('/data.zip')}: HTTP {status} {reason}"


def test_download_reports_connection_refused(tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago, with nothing listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/data.zip"

    with pytest.raises(DownloadFailed, match=re.escape(url) + ": request failed"):
        download(url, tmp_path)


def test_download_reports_timeout(server, tmp_path):
    server.delay["/data.zip"] = 1

    with pytest.raises(DownloadFailed, match="request failed: .*timed out"):
        download(server.url("/data.zip"), tmp_path, md5=BODY_MD5, timeout=0.2)


@pytest.mark.parametrize("url", ["ftp://example.org/data.zip", "file:///etc/passwd", "data.zip"])
def test_download_refuses_non_http_scheme(tmp_path, url):
    scheme = url.partition(":")[0] if ":" in url else ""

    with pytest.raises(DownloadFailed, match=f"unsupported URL scheme '{scheme}'"):
        download(url, tmp_path)


def test_download_reports_increasing_progress_ending_at_total(server, tmp_path):
    calls = []

    download(server.url("/data.zip"), tmp_path, progress=lambda done, total: calls.append((done, total)))

    done = [d for d, _ in calls]
    assert len(calls) > 2
    assert done == sorted(set(done))
    assert calls[-1] == (len(BODY), len(BODY))
    assert {total for _, total in calls} == {len(BODY)}


def test_download_stops_at_its_time_limit_and_keeps_what_arrived(server, tmp_path):
    with pytest.raises(DownloadFailed, match="took longer than the limit"):
        download(server.url("/data.zip"), tmp_path, max_seconds=0)

    assert not (tmp_path / "data.zip").exists()
