"""Fetch a data set over HTTP(S) into a cache directory, resuming partial downloads and verifying the result.

The file is streamed to ``<cache_dir>/<name>.part`` and renamed to ``<name>`` only once its size and checksum are
right, so a file under its final name is always complete. GroupLens publishes an MD5 checksum next to each zip at
``URL + ".md5"``; when the caller gives no digest, that file is used if it can be fetched.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import requests

from movies.importers.errors import ImportFailed

log = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024

# "MD5 (ml-latest-small.zip) = <hex>" (BSD md5) or "<hex>  ml-latest-small.zip" (md5sum) or a bare "<hex>".
_MD5_BSD = re.compile(r"=\s*([0-9a-fA-F]{32})\s*$")
_MD5_PLAIN = re.compile(r"\s*([0-9a-fA-F]{32})(?:\s|$)")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class DownloadFailed(ImportFailed):
    """A download could not be completed or verified. The message starts with the URL."""

    def __init__(self, url: str, problem: str):
        super().__init__(problem, file=url)
        self.url = url


def download(url: str, cache_dir: Path, *, progress: Callable[[int, int | None], None] | None = None,
             md5: str | None = None, sha256: str | None = None, timeout: float = 60,
             max_bytes: int = 2 * 1024**3, max_seconds: float | None = None) -> Path:
    """Download ``url`` into ``cache_dir`` and return the path of the complete, verified file.

    A file already in the cache is returned without any request, after checking it against ``md5``/``sha256``
    when given (it is downloaded again if it does not match). Without a given digest the ``URL.md5`` file is
    fetched and checked against when a download happens; if it is missing or unreachable, only the size is
    checked. A ``.part`` file left by an interrupted download is resumed with a Range request.

    ``progress(bytes_done, total_or_None)`` is called as data arrives. ``timeout`` is in seconds, for connecting
    and for each read; ``max_seconds``, if given, bounds the whole transfer (what arrived is kept in the
    ``.part`` for a later resume). Raises DownloadFailed for any failure.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise DownloadFailed(url, f"unsupported URL scheme {parts.scheme!r}: only http and https can be downloaded")
    name = PurePosixPath(unquote(parts.path)).name
    if not name:
        raise DownloadFailed(url, "the URL path names no file")

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadFailed(url, f"cannot create the cache directory {cache_dir}: {exc}") from exc
    final = cache_dir / name
    part = cache_dir / f"{name}.part"
    expected = {algorithm: digest.strip().lower() for algorithm, digest in (("md5", md5), ("sha256", sha256))
                if digest}

    if final.exists():
        if not expected or _digests(final, expected) == expected:
            return final
        log.warning("%s in the cache does not match its checksum; downloading it again", final)
        final.unlink()

    with requests.Session() as session:
        # Ask for the body as stored, so that Content-Length counts the bytes we write.
        session.headers["Accept-Encoding"] = "identity"
        if not expected:
            expected = _sidecar_md5(session, url, timeout)
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        _fetch(session, url, part, progress=progress, timeout=timeout, max_bytes=max_bytes, deadline=deadline)

    actual = _digests(part, expected)
    if actual != expected:
        part.unlink()
        mismatch = "; ".join(f"{algorithm} expected {expected[algorithm]}, got {actual[algorithm]}"
                             for algorithm in expected if actual[algorithm] != expected[algorithm])
        raise DownloadFailed(url, f"checksum mismatch: {mismatch}")
    part.replace(final)
    return final


def _fetch(session: requests.Session, url: str, part: Path, *,
           progress: Callable[[int, int | None], None] | None, timeout: float, max_bytes: int,
           deadline: float | None = None) -> None:
    """Stream ``url`` into ``part``, appending to what is already there when the server honours a Range."""
    done = part.stat().st_size if part.exists() else 0
    response = _get(session, url, {"Range": f"bytes={done}-"} if done else {}, timeout)
    if response.status_code == 416:
        # The server cannot serve from where the .part ends (the file changed, or the .part is overlong).
        response.close()
        part.unlink()
        done = 0
        response = _get(session, url, {}, timeout)

    with response:
        if response.status_code == 206 and done:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if not match or int(match[1]) != done:
                raise DownloadFailed(url, f"asked to resume at byte {done} but the server sent "
                                          f"Content-Range {response.headers.get('Content-Range')!r}")
            total = None if match[3] == "*" else int(match[3])
            mode = "ab"
        elif response.status_code == 200:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done, mode = 0, "wb"
        else:
            raise DownloadFailed(url, f"HTTP {response.status_code} {response.reason}")

        if total is not None and total > max_bytes:
            raise DownloadFailed(url, f"the file is {total} bytes, more than the limit of {max_bytes}")
        if progress:
            progress(done, total)
        # On a short body urllib3 would raise and drop the bytes it has buffered; we check the size ourselves
        # below, and keep every byte received in the .part for the next attempt.
        response.raw.enforce_content_length = False
        try:
            with part.open(mode) as out:
                for chunk in response.iter_content(CHUNK_SIZE):
                    out.write(chunk)
                    done += len(chunk)
                    if done > max_bytes:
                        break
                    if deadline is not None and time.monotonic() > deadline:
                        raise DownloadFailed(url, f"took longer than the limit (IMPORT_DOWNLOAD_SECONDS): "
                                                  f"stopped after {done} bytes")
                    if progress:
                        progress(done, total)
        except requests.RequestException as exc:
            raise DownloadFailed(url, f"truncated: got {done} of {total or 'unknown'} bytes ({exc})") from exc
        except OSError as exc:
            raise DownloadFailed(url, f"cannot write {part}: {exc}") from exc

    if done > max_bytes:
        part.unlink()
        raise DownloadFailed(url, f"the body exceeds the limit of {max_bytes} bytes")
    if total is not None and done != total:
        raise DownloadFailed(url, f"truncated: got {done} of {total} bytes")


def _get(session: requests.Session, url: str, headers: dict[str, str], timeout: float) -> requests.Response:
    """Start a streaming GET, turning connection errors and timeouts into DownloadFailed."""
    try:
        return session.get(url, headers=headers, stream=True, timeout=timeout)
    except requests.RequestException as exc:
        raise DownloadFailed(url, f"request failed: {exc}") from exc


def _sidecar_md5(session: requests.Session, url: str, timeout: float) -> dict[str, str]:
    """Return ``{"md5": digest}`` from ``url + ".md5"``, or ``{}`` if there is no usable checksum file."""
    try:
        with session.get(url + ".md5", stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                return {}
            text = next(response.iter_content(4096), b"").decode("ascii", "replace")
    except requests.RequestException:
        return {}
    match = _MD5_BSD.search(text) or _MD5_PLAIN.match(text)
    if not match:
        log.warning("%s.md5 holds no MD5 digest; checking only the size", url)
        return {}
    return {"md5": match[1].lower()}


def _digests(path: Path, algorithms: dict[str, str]) -> dict[str, str]:
    """Hex digests of the file at ``path`` for each algorithm named in ``algorithms``, in one read."""
    hashes = {algorithm: hashlib.new(algorithm) for algorithm in algorithms}
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            for hash_ in hashes.values():
                hash_.update(chunk)
    return {algorithm: hash_.hexdigest() for algorithm, hash_ in hashes.items()}
