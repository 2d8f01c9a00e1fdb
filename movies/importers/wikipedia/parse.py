"""One task's work: read a part of the dump and write what the final step needs to files.

Per part, `part-N.films.jsonl` holds the candidate films (one JSON object a line, links included)
and `part-N.redirects.csv` the redirects of articles and of infobox templates. Files are written
under a temporary name and renamed, so a part run twice (a redelivered task) leaves one result.
"""
import csv
import json
import os
from dataclasses import asdict
from pathlib import Path

from movies.importers.errors import ImportFailed
from movies.importers.wikipedia import dump
from movies.importers.wikipedia.wikitext import candidate_infobox, read_film

TEMPLATE_NS = 10


def result_paths(out_dir: Path, number: int) -> tuple[Path, Path]:
    return out_dir / f"part-{number:05d}.films.jsonl", out_dir / f"part-{number:05d}.redirects.csv"


def parse_part(part: dump.Part, out_dir: Path, number: int, *, on_progress=None) -> dict:
    """Read every page of the part; write its films and redirects; return counts.

    `on_progress(fraction)` hears how much of the part's (compressed) bytes have been read."""
    films_path, redirects_path = result_paths(out_dir, number)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {"pages": 0, "articles": 0, "redirects": 0, "candidates": 0}
    with open(f"{films_path}.tmp", "w", encoding="utf-8") as films, \
            open(f"{redirects_path}.tmp", "w", encoding="utf-8", newline="") as redirect_file:
        redirects = csv.writer(redirect_file, lineterminator="\n")
        for raw in dump.scan_pages(part, on_progress):
            counts["pages"] += 1
            try:
                _read_page(raw, part, counts, films, redirects)
            except (TypeError, ValueError, UnicodeDecodeError, KeyError) as error:
                raise ImportFailed(f"malformed page #{counts['pages']} of the range ({type(error).__name__}: "
                                   f"{error})", file=part.label) from None
    os.replace(f"{films_path}.tmp", films_path)
    os.replace(f"{redirects_path}.tmp", redirects_path)
    return counts


def _read_page(raw: bytes, part: dump.Part, counts: dict, films, redirects) -> None:
    if counts["pages"] == 1 and part.first_page_id is not None and dump.page_id(raw) != part.first_page_id:
        raise ImportFailed(f"the index does not fit the file: at byte {part.start} it names page "
                           f"{part.first_page_id}, the file has page {dump.page_id(raw)}", file=part.label)
    ns = dump.namespace(raw)
    if ns == 0:
        target = dump.redirect_target(raw)
        if target is not None:
            counts["redirects"] += 1
            redirects.writerow([0, dump.title(raw), target])
            return
        counts["articles"] += 1
        # Case-sensitive on purpose: MediaWiki folds only a name's first letter, so "nfobox" always is.
        if b"nfobox" not in raw or not candidate_infobox(raw):
            return
        film = read_film(dump.page_id(raw), dump.title(raw), dump.text(raw))
        if film:
            counts["candidates"] += 1
            films.write(json.dumps(asdict(film), ensure_ascii=False) + "\n")
    elif ns == TEMPLATE_NS and b"nfobox" in raw:
        target = dump.redirect_target(raw)
        if target is not None:
            redirects.writerow([ns, dump.title(raw), target])


def read_films(paths: list[Path]):
    """The films the parts wrote, one dict at a time."""
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)


def read_redirects(paths: list[Path]):
    """(namespace, source title, target title) rows the parts wrote."""
    for path in paths:
        with open(path, encoding="utf-8", newline="") as rows:
            for ns, source, target in csv.reader(rows):
                yield int(ns), source, target
