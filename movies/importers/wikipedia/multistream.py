"""The multistream dump and its index: split the file into byte ranges of whole bz2 streams.

`…-multistream.xml.bz2` is a concatenation of bz2 streams: the first holds the XML header and
`<siteinfo>`, then each holds 100 pages, the last the closing tag. Its `…-multistream-index.txt.bz2`
lists `offset:page_id:title` for every page (titles XML-escaped, and not needed here). A range starts
at a stream the index names, so each task decompresses on its own, and checks that the first page it
finds is the one the index promised there.
"""
import bz2
import re
from pathlib import Path

from movies.importers.errors import ImportFailed
from movies.importers.wikipedia.dump import Part

INDEX_LINE = re.compile(rb"(\d+):(\d+):")
BZ2_MAGIC = re.compile(rb"BZh[1-9]1AY&SY")


def index_name(data_name: str) -> str:
    """`x-multistream.xml.bz2` → `x-multistream-index.txt.bz2` (also for `multistream1.xml-p1p41242.bz2`)."""
    return data_name.replace("multistream", "multistream-index", 1).replace(".xml", ".txt", 1)


def is_index_name(name: str) -> bool:
    return "multistream-index" in name and ".txt" in name


def stream_starts(index: Path, *, label: str) -> list[tuple[int, int]]:
    """(offset, first page id) of every stream the index names, checked to be increasing."""
    starts: list[tuple[int, int]] = []
    try:
        with bz2.open(index, "rb") as lines:
            for number, line in enumerate(lines, 1):
                match = INDEX_LINE.match(line)
                if not match:
                    raise ImportFailed("not a multistream index line (expected offset:page_id:title)",
                                       file=label, line=number)
                offset = int(match.group(1))
                if starts and offset == starts[-1][0]:
                    continue
                if starts and offset < starts[-1][0]:
                    raise ImportFailed("offsets go backwards", file=label, line=number)
                starts.append((offset, int(match.group(2))))
    except (OSError, EOFError) as error:
        raise ImportFailed(f"unreadable bz2 index ({error})", file=label) from None
    if not starts:
        raise ImportFailed("the index is empty", file=label)
    return starts


def multistream_parts(data: Path, index: Path, *, part_bytes: int, data_label: str | None = None,
                      index_label: str | None = None) -> list[Part]:
    """Byte ranges of about `part_bytes` each, on stream boundaries the index gives."""
    data_label, index_label = data_label or str(data), index_label or str(index)
    starts = stream_starts(index, label=index_label)
    size = data.stat().st_size
    if starts[-1][0] >= size:
        raise ImportFailed(f"the index does not fit {data_label}: it names byte {starts[-1][0]}, "
                           f"the file has {size}", file=index_label)
    bounds = [(0, starts[0][1])]
    for offset, first_page in starts:
        if offset - bounds[-1][0] >= part_bytes:
            bounds.append((offset, first_page))
    with open(data, "rb") as handle:
        for offset, _ in bounds + [(starts[0][0], 0)]:
            handle.seek(offset)
            if not BZ2_MAGIC.match(handle.read(10)):
                raise ImportFailed(f"the index does not fit {data_label}: no bz2 stream starts at byte {offset}",
                                   file=index_label)
    ends = [offset for offset, _ in bounds[1:]] + [None]
    return [Part(str(data), "bz2", start, end, first_page, data_label)
            for (start, first_page), end in zip(bounds, ends)]
