"""What the importer reads out of a film article's wikitext: its infobox, year, directors, IMDb id
and internal links, with MediaWiki's rules for template names and link targets (and, through
article.py, its lead and infobox facts as text).

Only the wikitext of candidate pages comes here (the dump reader filters on bytes first), so this
favours being exact over being fast. Comments and `<nowiki>` are removed first: a template or link
inside them is not one. Links inside `<ref>` citations are counted apart and not kept: they point to
newspapers and archives that cite the film, not to pages related to it.
"""
import re
from dataclasses import dataclass, field

from movies.importers.wikipedia.article import read_article
from movies.importers.wikipedia.titles import NAMESPACES, link_title, normalize_title, template_name, ucfirst

INFOBOX_FILM = "Infobox film"
COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
NOWIKI = re.compile(r"<nowiki\s*/>|<nowiki\s*>.*?(?:</nowiki\s*>|\Z)|<pre\b[^>]*>.*?(?:</pre\s*>|\Z)", re.S | re.I)
REF = re.compile(r"<ref\b[^>]*?/>|<ref\b[^>]*>.*?(?:</ref\s*>|\Z)", re.S | re.I)
TOKEN = re.compile(r"\{\{|\}\}|\[\[|\]\]|\|")
LINK = re.compile(r"\[\[([^\[\]|\n]*)(?:\|[^\[\]]*)?\]\]")
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
TITLE_YEAR = re.compile(r"\((\d{4})\b[^()]*\bfilm\)\s*$")
CATEGORY_YEAR = re.compile(r"\[\[\s*[Cc]ategory\s*:\s*(\d{4})[ _]+films\s*(?:\||\]\])")
CANDIDATE = re.compile(rb"\{\{\s*([^{}|\n]*nfobox[^{}|\n]*)")
FILM_WORDS = re.compile(r"film|movie", re.I)
SPACES = re.compile(r"[\s_\u00a0]+")
LIST_SEPARATORS = re.compile(r"<br\s*/?>|\n|\*|;|\{\{[^{}|]*\||\}\}|\|", re.I)

INTERLANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z]+)*$")


@dataclass
class Film:
    """What a film article says about the film. `infobox` is the (normalized) template name used."""

    page_id: int
    title: str
    infobox: str
    year: int | None = None
    directors: list[str] = field(default_factory=list)
    imdb_id: str | None = None
    links: list[str] = field(default_factory=list)
    links_in_refs: int = 0
    article: dict = field(default_factory=dict)  # lead and infobox facts as text (article.Article)


def link_target(raw: str) -> str | None:
    """A wikilink's target as a page title (titles.py): no `#section`, no namespaces or other wikis; None if not
    a link to an article."""
    target = link_title(raw)
    if target is None:
        return None
    prefix, colon, _ = target.partition(":")
    if colon and (prefix := prefix.rstrip(" ").lower()) and (prefix in NAMESPACES or INTERLANGUAGE.match(prefix)):
        return None
    return ucfirst(target)


def candidate_infobox(raw_page: bytes) -> bool:
    """Cheap test on the raw page: does a template whose name says infobox and film (or movie) appear?"""
    return any(FILM_WORDS.search(name.decode("utf-8", "replace")) for name in CANDIDATE.findall(raw_page))


def clean(text: str) -> str:
    """Wikitext without comments, `<nowiki>` and `<pre>` sections."""
    return NOWIKI.sub("", COMMENT.sub("", text))


def templates(text: str) -> list[tuple[str, list[str]]]:
    """Every template (nested ones too) as (normalized name, raw parameter texts), in order of opening."""
    found, stack = [], []  # stack entries: [kind, start, splits, slot in found]
    for token in TOKEN.finditer(text):
        kind = token.group()
        if kind in ("{{", "[["):
            slot = len(found)
            if kind == "{{":
                found.append(None)
            stack.append([kind, token.end(), [], slot])
        elif kind == "|":
            if stack:
                stack[-1][2].append(token.start())
        elif stack and stack[-1][0] == ("{{" if kind == "}}" else "[["):
            opened, start, splits, slot = stack.pop()
            if opened == "{{":
                cuts = [start - 1, *splits, token.start()]
                pieces = [text[cuts[i] + 1:cuts[i + 1]] for i in range(len(cuts) - 1)]
                name = template_name(pieces[0])
                found[slot] = (name, pieces[1:]) if name else None
    return [entry for entry in found if entry]


def parameters(raw: list[str]) -> tuple[list[str], dict[str, str]]:
    """Positional and named parameters; a name is what stands before the first `=` outside nested markup."""
    positional, named = [], {}
    for piece in raw:
        head = re.split(r"\{\{|\[\[", piece, maxsplit=1)[0]
        if "=" in head:
            key, value = piece.split("=", 1)
            named[SPACES.sub(" ", key).strip().lower()] = value.strip()
        else:
            positional.append(piece.strip())
    return positional, named


def year_from(value: str) -> int | None:
    """The year of a release date: `{{Film date|1982|6|25}}` (any case, `df=` first or not), or plain text."""
    for name, raw in templates(value):
        if "date" in name.lower():
            positional, _ = parameters(raw)
            for item in positional:
                if re.fullmatch(r"\d{4}", item):
                    return int(item)
    found = YEAR.search(REF.sub("", value))
    return int(found.group(1)) if found else None


def names_from(value: str) -> list[str]:
    """People in an infobox value: link targets if linked, else the text of each list item."""
    names = []
    plain = LINK.sub(lambda match: "\n" + (link_target(match.group(1)) or "") + "\n", REF.sub("", value))
    for item in LIST_SEPARATORS.split(plain):
        item = SPACES.sub(" ", re.sub(r"'{2,}|<[^>]*>", "", item)).strip(" ,")
        if item and "=" not in item and item not in names:
            names.append(item)
    return names


def imdb_from(found: list[tuple[str, list[str]]]) -> str | None:
    """`{{IMDb title|0083658}}`, `{{IMDb title|id=tt0083658}}` → "tt0083658"."""
    for name, raw in found:
        if name.lower() == "imdb title":  # "Imdb title" is one of its redirects
            positional, named = parameters(raw)
            value = named.get("id") or (positional[0] if positional else "")
            digits = re.fullmatch(r"(?:tt)?(\d{1,10})", value.strip())
            if digits:
                return f"tt{int(digits.group(1)):07d}"
    return None


def read_film(page_id: int, title: str, text: str) -> Film | None:
    """The film an article describes if it uses an infobox named like a film one, else None.

    The infobox is the first template named `Infobox film`, else the first whose name has "film" or
    "movie" and "nfobox" (a redirect to `Infobox film`, or `Infobox film awards`): the final step
    decides, knowing the dump's template redirects.
    """
    text = clean(text)
    found = templates(REF.sub("", text))
    names = [name for name, _ in found if "nfobox" in name and FILM_WORDS.search(name)]
    if not names:
        return None
    infobox = INFOBOX_FILM if INFOBOX_FILM in names else names[0]
    _, params = parameters(next(raw for name, raw in found if name == infobox))
    film = Film(page_id, normalize_title(title), infobox, imdb_id=imdb_from(found))
    film.year = year_from(params.get("released", "")) or _title_or_category_year(title, text)
    film.directors = names_from(params.get("director", "") or params.get("directors", ""))
    film.article = _article(text, params)
    kept = LINK.findall(REF.sub("", text))
    film.links_in_refs = len(LINK.findall(text)) - len(kept)
    film.links = list(dict.fromkeys(target for target in map(link_target, kept) if target))
    return film


def _article(text: str, params: dict[str, str]) -> dict:
    return read_article(REF.sub("", text), params).as_dict()


def _title_or_category_year(title: str, text: str) -> int | None:
    found = TITLE_YEAR.search(title) or CATEGORY_YEAR.search(text)
    return int(found.group(1)) if found else None
