"""Page titles and link targets read as MediaWiki reads them, so that `[[Smith&nbsp;&amp; Jones]]`, `[[Smith_&
Jones]]` and the page "Smith & Jones" are one title.

MediaWiki decodes a title's character references first (Sanitizer::decodeCharReferencesAndNormalize): named
ones with their semicolon (HTML5's names: `&nbsp;`, `&amp;`, `&eacute;`), decimal (`&#38;`) and hexadecimal
(`&#x26;`), a code point it does not allow becoming U+FFFD, then Unicode NFC if anything was decoded. The
parser percent-decodes a link target before that (`[[Smith%20Jones]]`). Then (MediaWikiTitleCodec::
splitTitleString) bidi marks are removed, each run of spaces, underscores and Unicode spaces becomes one space,
the ends are trimmed and the first letter is made upper case. A title with characters no title has
(`<>[]{}|`, control characters, U+FFFD), a reference or percent-escape left over, `~~~`, a relative path
(`../x`) or over 255 bytes is no title: a link to it is not a link.
"""
import html.entities
import re
import unicodedata
from urllib.parse import unquote

CHAR_REFERENCE = re.compile(r"&(?:([A-Za-z0-9\u0080-\U0010ffff]+;)|#([0-9]+);|#[xX]([0-9A-Fa-f]+);)")
ENTITY_ALIASES = {"רלמ;": "rlm;", "رلم;": "rlm;"}  # MediaWiki's own names, besides HTML's
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")
SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
NOT_IN_TITLES = re.compile(r"[\x00-\x1f\x7f#<>\[\]{}|\ufffd]|%[0-9A-Fa-f]{2}|&[A-Za-z0-9\u0080-\U0010ffff]+;"
                           r"|&#[0-9]+;|&#[xX][0-9A-Fa-f]+;|~~~")
RELATIVE = re.compile(r"^\.\.?(?:/|$)|/\.\.?(?:/|$)")
# $wgUrlProtocols: `[[http://example.org]]` is no internal link.
URL_PROTOCOL = re.compile(r"(?:bitcoin:|ftps?://|geo:|git://|gopher://|https?://|ircs?://|magnet:|mailto:|matrix:"
                          r"|mms://|news:|nntp://|redis://|sftp://|sips?:|sms:|ssh://|svn://|tel:|telnet://|urn:"
                          r"|worldwind://|xmpp:|//)", re.I)
MAX_TITLE_BYTES = 255
NAME_SPACES = re.compile(r"[\s_\u00a0]+")  # in a template's name, line breaks count as spaces too
# Namespaces and their aliases on the English Wikipedia, and interwiki prefixes: not article links.
NAMESPACES = {
    "media", "special", "talk", "user", "user talk", "wikipedia", "wikipedia talk", "wp", "project", "file",
    "file talk", "image", "image talk", "mediawiki", "template", "template talk", "help", "help talk",
    "category", "category talk", "portal", "portal talk", "draft", "draft talk", "timedtext", "module",
    "module talk", "book", "education program", "gadget", "gadget definition", "topic", "wt", "wikt",
    "wiktionary", "commons", "meta", "m", "s", "q", "n", "b", "v", "d", "mw", "species", "wikidata",
    "wikisource", "wikiquote", "wikinews", "wikibooks", "wikiversity", "wikivoyage", "voy", "c", "w",
}


def decode_references(text: str) -> str:
    """`text` with its character references decoded as MediaWiki decodes them in titles."""
    if "&" not in text:
        return text
    decoded, count = CHAR_REFERENCE.subn(_decode, text)
    return unicodedata.normalize("NFC", decoded) if count else text


def _decode(match: re.Match) -> str:
    name, decimal, hexadecimal = match.groups()
    if name is not None:  # an unknown name stays as it is (and so the title is invalid)
        return html.entities.html5.get(ENTITY_ALIASES.get(name, name), match.group())
    digits = (decimal or hexadecimal).lstrip("0") or "0"
    code = int(digits, 10 if decimal is not None else 16) if len(digits) <= 8 else -1
    allowed = code in (0x09, 0x0A, 0x0D) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD \
        or 0x10000 <= code <= 0x10FFFF
    return chr(code) if allowed else "\ufffd"


def ucfirst(text: str) -> str:
    """The first letter upper case, as MediaWiki's first-letter case rule (one character, or left as it is)."""
    upper = text[:1].upper()
    return (upper if len(upper) == 1 else text[:1]) + text[1:]


def normalize_title(text: str) -> str:
    """A page or redirect title as MediaWiki stores it (its text form, with spaces)."""
    return ucfirst(_spaces(decode_references(text)))


def link_title(raw: str) -> str | None:
    """A wikilink's target as a title without its `#section`, namespace prefix included, first letter as
    written; None if it is no valid title, a URL, or a section of the same page (`[[#Plot]]`)."""
    if "%" in raw:
        raw = unquote(raw, errors="replace")
    if (":" in raw or "//" in raw) and URL_PROTOCOL.match(raw.lstrip(" ")):
        return None
    text = _spaces(decode_references(raw))
    if text.startswith(":"):  # [[:Category:Films]]: a link to the page, not a category of this one
        text = text[1:].lstrip(" ")
    text = text.split("#", 1)[0].rstrip(" ")
    return text if valid_title(text) else None


def _spaces(text: str) -> str:
    return SPACES.sub(" ", BIDI_MARKS.sub("", text)).strip(" ")


def valid_title(text: str) -> bool:
    """Whether MediaWiki would take `text` (spaces normalised, no section) as a title."""
    return (bool(text) and not NOT_IN_TITLES.search(text) and not ("." in text and RELATIVE.search(text))
            and (len(text) * 4 <= MAX_TITLE_BYTES or len(text.encode()) <= MAX_TITLE_BYTES))


def normalize_name(raw: str) -> str:
    """A page or template name as MediaWiki stores it (normalize_title): references decoded, spaces for underscores,
    collapsed, first letter upper; line breaks around a template's name count as spaces."""
    return normalize_title(NAME_SPACES.sub(" ", raw))


def template_name(raw: str) -> str | None:
    """`{{ infobox_film` → "Infobox film"; None for parser functions and magic words (`{{#if:`)."""
    name = normalize_name(raw)
    if name.lower().startswith("template:"):
        name = normalize_name(name[9:])
    return None if not name or "#" in name or ":" in name else name
