"""What a reader of a film article sees first: its lead paragraphs and the infobox's cast and facts, as plain text.

Only a film's lead (the text before its first heading, which holds the infobox) goes through mwparserfromhell:
every other page, and the links of the whole article, are read by the fast scanner of wikitext.py. Markup is
stripped as MediaWiki would show the text: links give their label (or title), templates that show text
(`{{lang}}`, `{{nowrap}}`, `{{film date}}`, lists like `{{Plainlist}}` and `{{ubl}}`) give it, and every other
template, citation, comment, file, category and table is dropped. Entities are decoded: the text is stored as
text and escaped where it is shown.
"""
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date

import mwparserfromhell
from mwparserfromhell.nodes import ExternalLink, HTMLEntity, Tag, Template, Text, Wikilink

from movies.importers.wikipedia.titles import NAMESPACES, template_name

HEADING = re.compile(r"^=.*=[ \t]*$", re.M)
MAGIC_WORD = re.compile(r"__[A-Z]+__")
EMPHASIS = re.compile(r"'{2,}")  # two apostrophes for italics, three for bold, five for both
BRACES = re.compile(r"\{\{|\}\}")
TEMPLATE_NAME = re.compile(r"[^{}|]*")
SPACES = re.compile(r"\s+")
RUNTIME = re.compile(r"(\d+(?:\.\d+)?)\s*(?:minutes?|mins?)\b", re.I)
MONTHS = {name: n for n, name in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                             "august", "september", "october", "november", "december"], start=1)}
TEXT_DATE = re.compile(r"\b(?:(\d{1,2})\s+([A-Za-z]+)|([A-Za-z]+)\s+(\d{1,2}),?)\s+(\d{4})\b")
MAX_RUNTIME = 100_000  # minutes: the longest films run about 86,000 (the column holds the rest, the page would not)
MAX_LEAD = 5000  # characters: a lead longer than this is cut at a paragraph's end

LIST_TEMPLATES = {"plainlist", "plain list", "ubl", "unbulleted list", "ubil", "flatlist", "hlist", "bulleted list",
                  "bulletedlist", "collapsible list"}
FIRST_PARAMETER = {"nowrap", "nobr", "nobreak", "small", "smaller", "big", "em", "strong", "abbr", "sic", "flag",
                   "flagcountry", "flagu", "flag country", "nihongo", "transliteration", "keypress", "tooltip"}
LAST_PARAMETER = {"lang", "transl", "langx"}
DATE_TEMPLATES = {"film date", "start date", "release date", "filmdate", "start date and age", "release date and age"}
SYMBOLS = {"'": "'", "snd": " – ", "spaced ndash": " – ", "ndash": "–", "mdash": "—", "spaced en dash": " – ",
           "'s": "'s", "nbsp": " ", "·": " · ", "dot": " · ", "middot": "·"}
INVISIBLE_TAGS = {"ref", "references", "gallery", "math", "score", "timeline", "table", "imagemap", "graph",
                  "templatedata", "syntaxhighlight", "chem", "ce", "mapframe", "indicator"}
SHOWN = LIST_TEMPLATES | FIRST_PARAMETER | LAST_PARAMETER | DATE_TEMPLATES | set(SYMBOLS) | {"convert"}
# The infobox's names of each fact, as wikitext.parameters gives them: lower case, underscores as spaces.
ALIASES = {"starring": ("starring",), "countries": ("country", "countries"), "languages": ("language", "languages"),
           "runtime": ("runtime", "running time"), "released": ("released", "release date")}


@dataclass
class Article:
    """A film article's lead (paragraphs apart by a blank line) and infobox facts, markup stripped."""

    lead: str = ""
    starring: list[str] = field(default_factory=list)
    runtime_minutes: int | None = None
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    release_date: str | None = None  # ISO 8601, the first full date of the infobox's release dates

    def as_dict(self) -> dict:
        return asdict(self)


def read_article(text: str, infobox: dict[str, str]) -> Article:
    """The lead of an article's wikitext (cleaned of comments, `<nowiki>` and citations) and its infobox, given as
    the raw values of its named parameters (wikitext.parameters): only the values used here and the lead's
    paragraphs go through mwparserfromhell, which is slow enough to be spent on nothing else."""
    found = {key: next((infobox[name] for name in names if infobox.get(name)), None) for key, names in ALIASES.items()}
    found = {key: _parse(value) if value else None for key, value in found.items()}
    heading = HEADING.search(text)
    return Article(lead=lead(_parse(_shown_part(text[:heading.start()] if heading else text))),
                   starring=items(found["starring"]), countries=items(found["countries"]),
                   languages=items(found["languages"]), runtime_minutes=runtime(found["runtime"]),
                   release_date=release_date(found["released"]))


def _parse(text: str):
    """Wikicode of the text; bold and italics are left as apostrophes (`plain` drops them): parsing them is
    mwparserfromhell's slowest part, ten times the rest."""
    return mwparserfromhell.parse(text, skip_style_tags=True)


def _shown_part(text: str) -> str:
    """The lead without what cannot be text, found by counting braces (cheap) before the real parse: magic words,
    templates that stand on lines of their own (the infobox, hatnotes, `{{Short description}}`), and every
    template that shows no text (notes, maintenance tags); cut to whole paragraphs past twice MAX_LEAD."""
    text = MAGIC_WORD.sub("", text)
    kept, depth, start, last = [], 0, 0, 0
    for brace in BRACES.finditer(text):
        if brace.group() == "{{":
            if depth == 0:
                start = brace.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0 and (not _shows_text(text, start) or _line_of_its_own(text, start, brace.end())):
                kept.append(text[last:start])
                last = brace.end()
    kept.append(text[last:])
    text = "".join(kept)
    if len(text) > 2 * MAX_LEAD:
        cut = text.rfind("\n\n", 0, 2 * MAX_LEAD)
        text = text[:cut if cut > 0 else 2 * MAX_LEAD]
    return text


def _shows_text(text: str, start: int) -> bool:
    name = (template_name(TEMPLATE_NAME.match(text, start + 2).group()) or "").lower()
    return name in SHOWN or name.startswith("lang-")


def _line_of_its_own(text: str, start: int, end: int) -> bool:
    before = text.rfind("\n", 0, start) + 1
    after = text.find("\n", end)
    return not text[before:start].strip() and not text[end:after if after >= 0 else len(text)].strip()


def lead(code) -> str:
    """The lead's paragraphs: its text without the templates around it (infobox, hatnotes), files and categories."""
    paragraphs, size = [], 0
    for paragraph in re.split(r"\n[ \t]*\n", plain(code, " ")):
        paragraph = SPACES.sub(" ", paragraph).strip()
        if not any(char.isalnum() for char in paragraph):
            continue
        if paragraphs and size + len(paragraph) > MAX_LEAD:
            break
        paragraphs.append(paragraph)
        size += len(paragraph)
    return "\n\n".join(paragraphs)


def items(value) -> list[str]:
    """An infobox value's entries (list templates, `<br>`, bullets and lines separate them), each as plain text."""
    if value is None:
        return []
    found = []
    for line in plain(value, "\n").split("\n"):
        entry = SPACES.sub(" ", line).strip().lstrip("*#:;").strip(" ,")
        if entry and entry not in found:
            found.append(entry)
    return found


def runtime(value) -> int | None:
    """Minutes from `117 minutes`, `117 min.` or `{{Duration|h=1|m=57}}`; None for none or a nonsensical one."""
    if value is None:
        return None
    minutes = None
    for template in value.filter_templates():
        if _name(template) == "duration":
            hours, rest = (_number(_param(template, key)) for key in ("h", "m"))
            if hours or rest:
                minutes = (hours or 0) * 60 + (rest or 0)
                break
    else:
        found = RUNTIME.search(plain(value, " "))
        minutes = float(found.group(1)) if found else None
    return round(minutes) if minutes is not None and 0 < minutes <= MAX_RUNTIME else None


def release_date(value) -> str | None:
    """The first full date of a release value: `{{Film date|1982|6|25|US}}` (`df=` or not), or `June 25, 1982`."""
    if value is None:
        return None
    for template in value.filter_templates():
        if _name(template) in DATE_TEMPLATES:
            numbers = [str(param.value).strip() for param in template.params if not param.showkey]
            if len(numbers) >= 3 and all(part.isdigit() for part in numbers[:3]):
                found = _date(*map(int, numbers[:3]))
                if found:
                    return found
    for day, month, month_first, day_second, year in TEXT_DATE.findall(plain(value, " ")):
        found = _date(int(year), MONTHS.get((month or month_first).lower(), 0), int(day or day_second))
        if found:
            return found
    return None


def plain(code, separator: str) -> str:
    """Wikicode as the text a reader sees; `separator` stands between the entries of a list template or a `<br>`."""
    out = []
    for node in code.nodes:
        if isinstance(node, Text):
            out.append(EMPHASIS.sub("", node.value))
        elif isinstance(node, Wikilink):
            out.append(_link_text(node, separator))
        elif isinstance(node, HTMLEntity):
            out.append(node.normalize())
        elif isinstance(node, Tag):
            name = str(node.tag).strip().lower()
            if name == "br":
                out.append("\n" if separator == "\n" else " ")
            elif name not in INVISIBLE_TAGS and node.contents is not None:
                out.append(plain(node.contents, separator))
        elif isinstance(node, ExternalLink):  # [http://… label] shows its label, a bare URL itself
            if not node.brackets:
                out.append(str(node.url))
            elif node.title is not None:
                out.append(plain(node.title, separator))
        elif isinstance(node, Template):
            out.append(_template_text(node, separator))
    return "".join(out)


def _link_text(link, separator: str) -> str:
    title = plain(link.title, separator).strip()
    visible = title.startswith(":")  # [[:Category:Films]] is a link to the category, shown
    prefix, colon, _ = title.lstrip(":").partition(":")
    if colon and not visible and (prefix.strip().lower() in NAMESPACES or re.fullmatch(r"[a-z]{2,3}(?:-[a-z]+)*",
                                                                                          prefix.strip())):
        return ""  # a file, a category, another wiki: not text of the article
    if link.text is not None:
        return plain(link.text, separator)
    return title.lstrip(":")


def _template_text(template, separator: str) -> str:
    name = _name(template)
    positional = [param.value for param in template.params if not param.showkey]
    if name in LIST_TEMPLATES:
        parts = [plain(value, separator) for value in positional]
        if name in ("plainlist", "plain list", "flatlist"):
            # One parameter holding a bulleted list: its lines are the entries.
            parts = [line.strip().lstrip("*#").strip() for part in parts for line in part.split("\n")]
        parts = [part.strip() for part in parts if part.strip()]
        return (separator if separator == "\n" else ", ").join(parts)
    if name in SYMBOLS:
        return SYMBOLS[name]
    if name in DATE_TEMPLATES:
        return _shown_date(template, positional)
    if name in FIRST_PARAMETER or name.startswith("lang-"):
        chosen = positional[-1] if name.startswith("lang-") else (positional[0] if positional else None)
        return plain(chosen, separator) if chosen is not None else ""
    if name in LAST_PARAMETER:
        return plain(positional[-1], separator) if positional else ""
    if name == "convert" and len(positional) >= 2:
        return f"{plain(positional[0], separator).strip()} {plain(positional[1], separator).strip()}"
    return ""  # hatnotes, citations, notes, maintenance tags, navigation: nothing a reader reads as the text


def _name(template) -> str:
    return (template_name(str(template.name)) or "").lower()


def _param(template, key: str) -> str:
    return str(template.get(key).value).strip() if template.has(key) else ""


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _shown_date(template, positional) -> str:
    """`{{film date|1982|6|25}}` → "June 25, 1982" (`df=yes`: "25 June 1982"); the year alone if that is all."""
    numbers = [str(value).strip() for value in positional[:3]]
    if not numbers or not numbers[0].isdigit():
        return ""
    if len(numbers) < 3 or not all(part.isdigit() for part in numbers) or not _date(*map(int, numbers)):
        return numbers[0]
    when = date(*map(int, numbers))
    if _param(template, "df").lower() in ("y", "yes"):
        return f"{when.day} {when:%B} {when.year}"
    return f"{when:%B} {when.day}, {when.year}"
