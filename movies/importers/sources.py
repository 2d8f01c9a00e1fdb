"""Where a MovieLens release comes from: a directory, a .zip archive, or a URL to download.

Either way the importer sees a `DatasetFiles`: the release's files opened by their base name
(`ratings.csv`, `u.data`), whatever folder the archive nests them in.
"""
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from django.conf import settings

from movies.importers.errors import ImportFailed

DATASET_NAME_IN_README = re.compile(r"This dataset \(([\w.-]+)\)")


class DatasetFiles:
    """The files of one release, by base name. Subclasses read a directory or a zip archive."""

    origin: str  # the path shown in messages

    def names(self) -> set[str]:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def has(self, name: str) -> bool:
        return name in self.names()

    def label(self, name: str) -> str:
        """How error messages name a file: `ml-latest-small.zip:ratings.csv` or `/data/ratings.csv`."""
        return f"{self.origin}:{name}" if self.origin.endswith(".zip") else str(Path(self.origin) / name)

    def folder_name(self) -> str:
        raise NotImplementedError

    def dataset_name(self) -> str:
        """The release's name, e.g. `ml-latest-small`: from its README, else from its folder."""
        if self.has("README.txt"):
            with self.open("README.txt") as readme:
                head = readme.read(4096).decode("utf-8", errors="replace")
            found = DATASET_NAME_IN_README.search(head)
            if found:
                return found.group(1)
        return self.folder_name()


class DirectoryFiles(DatasetFiles):
    def __init__(self, path: Path):
        self.path = path
        self.origin = str(path)

    def names(self) -> set[str]:
        return {entry.name for entry in self.path.iterdir() if entry.is_file()}

    def open(self, name: str) -> BinaryIO:
        return open(self.path / name, "rb")

    def size(self, name: str) -> int:
        return (self.path / name).stat().st_size

    def folder_name(self) -> str:
        return self.path.name


class ZipFiles(DatasetFiles):
    def __init__(self, path: Path):
        self.origin = str(path)
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise ImportFailed(f"not a readable zip archive ({error}); is the download truncated?",
                               file=str(path)) from None
        # Releases nest their files in one folder (ml-latest-small/ratings.csv): index by base name.
        self.members = {}
        for info in self.archive.infolist():
            parts = [part for part in info.filename.split("/") if part]
            if not info.is_dir() and 1 <= len(parts) <= 2:
                self.members.setdefault(parts[-1], info)
        self.stem = path.name.removesuffix(".zip")

    def names(self) -> set[str]:
        return set(self.members)

    def open(self, name: str) -> BinaryIO:
        return _ZipMemberReader(self.archive.open(self.members[name]), self.label(name))

    def size(self, name: str) -> int:
        return self.members[name].file_size

    def folder_name(self) -> str:
        folders = {info.filename.split("/")[0] for info in self.members.values() if "/" in info.filename}
        return folders.pop() if len(folders) == 1 else self.stem


class _ZipMemberReader:
    """A zip member stream that turns a damaged archive into ImportFailed while reading."""

    def __init__(self, stream, label: str):
        self.stream, self.label = stream, label

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise ImportFailed(f"the archive is damaged ({error})", file=self.label) from None

    def readline(self, size: int = -1) -> bytes:
        try:
            return self.stream.readline(size)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise ImportFailed(f"the archive is damaged ({error})", file=self.label) from None

    def close(self):
        self.stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_web_source(source: str) -> None:
    """Refuse an import SOURCE given over the web (the API) that is not an http(s) URL or a local path
    inside IMPORT_ROOTS (DATA_DIR by default), so that no crafted path (`../../etc`, a symlink) reads
    other files of the server. Raises ImportFailed saying why. The management commands, run by an
    operator on the server, are not checked."""
    scheme = urlparse(source).scheme.lower()
    if scheme in ("http", "https"):
        return
    if "://" in source or (scheme and len(scheme) > 1):
        raise ImportFailed("only http:// and https:// URLs can be imported", file=source)
    try:  # no `~`: a web source names a path on the server as it is
        path = Path(source).resolve()  # resolves `..` and symbolic links
    except (OSError, RuntimeError, ValueError) as error:  # a NUL byte, a symlink loop
        raise ImportFailed(f"not a usable path ({error})", file=source) from None
    roots = [Path(root).resolve() for root in settings.IMPORT_ROOTS]
    if not any(path == root or path.is_relative_to(root) for root in roots):
        raise ImportFailed("a local source must be under " + " or ".join(str(root) for root in roots)
                           + " (IMPORT_ROOTS)", file=source)


def open_dataset(source: str, *, on_download: Callable[[int, int | None], None] | None = None) -> DatasetFiles:
    """Open SOURCE: a directory, a .zip file, or an http(s) URL (downloaded into DOWNLOAD_DIR, cached)."""
    if urlparse(source).scheme in ("http", "https"):
        from movies.importers.download import download

        return ZipFiles(download(source, settings.DOWNLOAD_DIR, progress=on_download,
                                 max_bytes=settings.IMPORT_MAX_BYTES, max_seconds=settings.IMPORT_DOWNLOAD_SECONDS))
    path = Path(source).expanduser()
    if not path.exists():
        raise ImportFailed("no such file or directory", file=source)
    if path.is_dir():
        return DirectoryFiles(path)
    if path.suffix.lower() == ".zip":
        return ZipFiles(path)
    raise ImportFailed("expected a MovieLens directory, a .zip archive or an http(s) URL", file=source)
