"""A Wikipedia import from start to end: sources → parts → parsed parts → the final step.

`plan` turns SOURCEs (paths or URLs of `.xml`, `.xml.bz2` partitions, or a multistream file with its
index) into parts; `parse_part` (in `parse.py`) reads one part, in any process; `store.finish` writes
the result in one transaction. `import_wikipedia` runs them all here, one part after the other;
Celery runs each part as a task of its own (see `movies/importing.py`).
"""
import shutil
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings

from movies.importers.errors import ImportFailed
from movies.importers.progress import Progress
from movies.importers.wikipedia.dump import Part, file_parts
from movies.importers.wikipedia.multistream import index_name, is_index_name, multistream_parts
from movies.importers.wikipedia.parse import parse_part
from movies.importers.wikipedia.store import finish

MAX_DOWNLOAD_BYTES = 64 * 1024**3


def _is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def _name(source: str) -> str:
    return PurePosixPath(unquote(urlsplit(source).path)).name if _is_url(source) else Path(source).name


def _local(source: str, on_download) -> Path:
    if _is_url(source):
        from movies.importers.download import download

        return download(source, settings.DOWNLOAD_DIR, progress=on_download, max_bytes=MAX_DOWNLOAD_BYTES,
                        max_seconds=settings.IMPORT_DOWNLOAD_SECONDS)
    path = Path(source).expanduser()
    if not path.is_file():
        raise ImportFailed("no such file", file=source)
    return path


def plan(sources: list[str], *, part_bytes: int | None = None, on_download=None) -> list[Part]:
    """The parts to parse: one per file, or byte ranges of a multistream file that has its index.

    A multistream file's index is the SOURCE named like it (`…-multistream-index.txt.bz2`), else the
    file of that name beside it (downloaded too for a URL).
    """
    part_bytes = part_bytes or settings.WIKIPEDIA_PART_BYTES
    indexes = {_name(source): source for source in sources if is_index_name(_name(source))}
    parts = []
    for source in sources:
        name = _name(source)
        if is_index_name(name):
            continue
        index = indexes.pop(index_name(name), None) if "multistream" in name else None
        if index is None and "multistream" in name:
            beside = f"{source.rsplit('/', 1)[0]}/{index_name(name)}" if _is_url(source) else \
                str(Path(source).with_name(index_name(name)))
            index = beside if _is_url(beside) or Path(beside).is_file() else None
        path = _local(source, on_download)
        if index is None:
            parts += file_parts(path, label=source)
        else:
            parts += multistream_parts(path, _local(index, on_download), part_bytes=part_bytes,
                                       data_label=source, index_label=index)
    if indexes:
        raise ImportFailed("an index without its multistream file among the sources", file=next(iter(indexes)))
    if not parts:
        raise ImportFailed("no dump files among the sources")
    return parts


def import_wikipedia(sources: list[str], *, work_dir: Path, common_link_share: float | None = None,
                     common_link_min_films: int | None = None, part_bytes: int | None = None,
                     progress: Progress | None = None) -> dict:
    """Import the dump at SOURCEs in this process; returns counts. `work_dir` holds the parts' results."""
    progress = progress or Progress()
    share = settings.WIKIPEDIA_COMMON_LINK_SHARE if common_link_share is None else common_link_share
    progress.stage("downloading" if any(map(_is_url, sources)) else "opening", 0.05)
    parts = plan(sources, part_bytes=part_bytes,
                 on_download=lambda done, total: progress.advance(done / total if total else 0))
    counts = {"parts": len(parts), "pages": 0, "articles": 0}
    try:
        progress.stage("reading pages", 0.75)
        total = sum(_size(part) for part in parts)
        done = 0
        for number, part in enumerate(parts):
            part_counts = parse_part(part, work_dir, number, on_progress=lambda fraction, part=part, done=done:
                                     progress.advance((done + fraction * _size(part)) / total))
            counts["pages"] += part_counts["pages"]
            counts["articles"] += part_counts["articles"]
            done += _size(part)
            progress.advance(done / total)
        progress.stage("saving", 0.2)
        counts |= finish(work_dir, parts=len(parts), common_link_share=share,
                         common_link_min_films=common_link_min_films, progress=Progress())
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    progress.stage("done", 0.0)
    progress.advance(1.0)
    return counts


def _size(part: Part) -> int:
    end = part.end if part.end is not None else Path(part.path).stat().st_size
    return max(end - part.start, 1)
