"""Streaming pages out of a MediaWiki XML dump: plain `.xml`, single-stream `.xml.bz2`, or byte ranges
of whole bz2 streams of a `multistream.xml.bz2` file located through its index.

The reader scans bytes, not XML events: pages are found with `bytes.find`, and only the few fields
the importer asks for are cut out and unescaped. It still checks the dump's shape (root element,
nothing but whitespace between pages, every page closed, the footer at the end), so a truncated or
foreign file fails with a message naming it. Memory is bounded by one page plus one chunk.
"""
import bz2
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from movies.importers.errors import ImportFailed

CHUNK_BYTES = 1 << 20
MAX_PAGE_BYTES = 64 << 20  # a buffer this long without a whole page means this is no dump
HEADER = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?<mediawiki[\s>]")
HEADER_REST = re.compile(rb"\s*(?:<\?xml[^>]*\?>\s*)?<mediawiki[^>]*>\s*(?:<siteinfo>.*</siteinfo>\s*)?", re.S)
FOOTER = re.compile(rb"\s*</mediawiki>\s*")
ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@dataclass(frozen=True)
class Part:
    """What one task reads: a whole file, or a byte range [start, end) of whole bz2 streams."""

    path: str
    compression: str  # "bz2" or "none"
    start: int = 0
    end: int | None = None  # None: to the end of the file
    first_page_id: int | None = None  # the index's first page at `start`, to check that it fits
    label: str = ""  # how messages name the file

    @property
    def has_header(self) -> bool:
        return self.start == 0

    @property
    def has_footer(self) -> bool:
        return self.end is None


def unescape(text: str) -> str:
    """Undo XML escaping (`&lt;`, `&amp;`, `&#39;`): dump text is data, this is the only decoding."""
    if "&" not in text:
        return text

    def replace(match):
        name = match.group(1)
        if name[0] == "#":
            return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
        return NAMED[name]

    return ENTITY.sub(replace, text)


def file_parts(path: Path, *, label: str | None = None) -> list[Part]:
    """One part for a plain or bz2 file, told apart by its first bytes."""
    label = label or str(path)
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise ImportFailed(f"cannot read the file ({error.strerror})", file=label) from None
    if re.fullmatch(rb"BZh[1-9]", magic):
        return [Part(str(path), "bz2", label=label)]
    if magic[:1] in (b"<", b" ", b"\n", b"\r", b"\t", b"\xef"):
        return [Part(str(path), "none", label=label)]
    raise ImportFailed("not a MediaWiki XML dump (neither XML nor bz2)", file=label)


def _chunks(part: Part, on_progress=None) -> Iterator[bytes]:
    """The decompressed bytes of a part, chunk by chunk; `on_progress(fraction of the part read)`."""
    with open(part.path, "rb") as handle:
        end = part.end if part.end is not None else os.fstat(handle.fileno()).st_size
        handle.seek(part.start)

        def read(size: int) -> bytes:
            if on_progress:
                on_progress((handle.tell() - part.start) / max(end - part.start, 1))
            return handle.read(min(size, end - handle.tell()))

        if part.compression == "none":
            while chunk := read(CHUNK_BYTES):
                yield chunk
            return
        decompressor = bz2.BZ2Decompressor()
        while data := read(CHUNK_BYTES // 4):
            while data:
                if decompressor.eof:  # the next stream of a multistream file starts here
                    decompressor = bz2.BZ2Decompressor()
                try:
                    out = decompressor.decompress(data)
                except OSError as error:
                    raise ImportFailed(f"damaged bz2 data ({error}) near byte {handle.tell()}",
                                       file=part.label) from None
                data = decompressor.unused_data if decompressor.eof else b""
                if out:
                    yield out
        if not decompressor.eof:
            raise ImportFailed("the bz2 data ends in the middle of a stream: the file is truncated"
                               + (" or the index does not fit it" if part.end is not None else ""),
                               file=part.label)


def scan_pages(part: Part, on_progress=None) -> Iterator[bytes]:
    """Yield each `<page>…</page>` of the part as raw (still XML-escaped) bytes, checking the shape."""
    buffer, position, first = b"", 0, True
    for chunk in _chunks(part, on_progress):
        buffer = buffer[position:] + chunk if position < len(buffer) else chunk
        position = 0
        if first:
            if part.has_header and len(buffer) >= 512 or not part.has_header:
                _check_header(buffer, part)
                first = False
        while True:
            start = buffer.find(b"<page>", position)
            end = buffer.find(b"</page>", start) if start >= 0 else -1
            if end < 0:
                break
            _check_gap(buffer, position, start, part)
            if buffer.find(b"<page>", start + 6, end) >= 0:
                raise ImportFailed("malformed XML: a <page> opens before the previous one closes", file=part.label)
            position = end + 7
            yield buffer[start:position]
        if len(buffer) - position > MAX_PAGE_BYTES:
            raise ImportFailed(f"malformed dump: over {MAX_PAGE_BYTES >> 20} MB without a whole <page>",
                               file=part.label)
    if first:
        _check_header(buffer, part)
    rest = buffer[position:]
    if b"<page>" in rest or b"</page>" in rest:
        raise ImportFailed("the dump ends inside a <page>: the file is truncated or malformed", file=part.label)
    if part.has_footer and not FOOTER.fullmatch(rest) and not (position == 0 and _header_only(rest)):
        raise ImportFailed("the dump does not end with </mediawiki>: the file is truncated or malformed",
                           file=part.label)
    if not part.has_footer and rest.strip():
        raise ImportFailed("malformed dump: unexpected text after the last page of the range", file=part.label)


def _header_only(rest: bytes) -> bool:
    match = HEADER_REST.match(rest)
    return bool(match) and FOOTER.fullmatch(rest, match.end()) is not None


def _check_header(buffer: bytes, part: Part) -> None:
    if part.has_header and not HEADER.match(buffer):
        raise ImportFailed("not a MediaWiki XML dump (no <mediawiki> root element)", file=part.label)


def _check_gap(buffer: bytes, position: int, start: int, part: Part) -> None:
    """Between pages there is only whitespace, or before the first one the root and <siteinfo>."""
    if start == position or not buffer[position:start].strip():
        return
    match = HEADER_REST.match(buffer, position, start) if part.has_header else None
    if match and match.end() == start:
        return
    raise ImportFailed(f"malformed dump: unexpected text before a page: {buffer[position:start][:80]!r}",
                       file=part.label)


def field(raw: bytes, tag: bytes) -> bytes | None:
    """The bytes between `<tag>` and `</tag>` (first occurrence), or None."""
    start = raw.find(b"<" + tag + b">")
    if start < 0:
        return None
    start += len(tag) + 2
    end = raw.find(b"</" + tag + b">", start)
    return raw[start:end] if end >= 0 else None


def page_id(raw: bytes) -> int:
    """The page's own id: the first <id>, which comes before the revision's."""
    return int(field(raw, b"id"))


def namespace(raw: bytes) -> int:
    return int(field(raw, b"ns"))


def title(raw: bytes) -> str:
    return unescape(field(raw, b"title").decode("utf-8"))


def redirect_target(raw: bytes) -> str | None:
    """The title a redirect page points to (`<redirect title="…" />`), or None."""
    start = raw.find(b"<redirect title=\"")
    if start < 0:
        return None
    start += 17
    return unescape(raw[start:raw.find(b'"', start)].decode("utf-8"))


def text(raw: bytes) -> str:
    """The wikitext of the page's (last) revision, unescaped; "" when the text is absent."""
    start = raw.rfind(b"<text")
    if start < 0:
        return ""
    close = raw.find(b">", start)
    if raw[close - 1:close] == b"/":
        return ""
    end = raw.find(b"</text>", close)
    return unescape(raw[close + 1:end].decode("utf-8"))
