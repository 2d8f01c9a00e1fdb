"""Generated Wikipedia dumps for tests and the benchmark, with the result a correct import must give.

`generate_dump` writes a pages-articles dump (export schema 0.10 or 0.11; plain `.xml`, single-stream
`.xml.bz2`, or multistream `.xml.bz2` with its index) full of what real dumps hold and importers get
wrong: redirects (double ones, and template redirects to `Infobox film`), talk, user, draft and
template pages carrying film infoboxes, nested templates, `<ref>` citations, piped links, anchors,
lower-case and underscored links, File/Category/interlanguage links, `Infobox film awards`, infoboxes
inside comments and `<nowiki>`, character references (`&nbsp;`, `&#38;`) and percent-escapes in links,
and titles like `<script>` (pages, but no link targets: MediaWiki reads no such link). The expected films are
decided first and rendered in varied forms afterwards, so the expectation never comes from parsing.
"""
import bz2
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "sal", "mer", "dun", "el", "is", "or", "bar", "cle", "fin", "go"]
SPECIAL_TOPICS = ["AT&T", "Tom & Jerry", "Rock 'n' roll", '"Weird Al" Yankovic', "Café Society", "Zoë Ångström",
                  "C++", "Semi-colon; story", "Under_score test"]
COMMON = ["Film director", "United States", "English language"]  # linked by most films: dropped by frequency
HOSTILE_TITLES = ['<script>alert("x")</script>', "Tom & Jerry: The <b>Movie</b>", "Amélie & the \"Quotes\""]
NAMESPACES = {0: "", 1: "Talk", 2: "User", 4: "Wikipedia", 10: "Template", 14: "Category", 118: "Draft"}
# Words of made-up prose: random enough that bzip2 compresses it about as much as real articles (4-5×).
_LETTERS = random.Random(12345)
VOCABULARY = ["".join(_LETTERS.choices("etaoinshrdlcumwfgypbvkjxqz", weights=range(26, 0, -1),
                                       k=_LETTERS.randint(2, 10))) for _ in range(30000)]
FILLER = ("The {0} was noted for its {1} and its {2}. Critics compared it with {3}, while others "
          "preferred the earlier {4}. ")


@dataclass
class SyntheticDump:
    """Paths written and the expected import: films by page id, counts."""

    files: list[Path]
    films: dict[int, dict] = field(default_factory=dict)
    pages: int = 0
    articles: int = 0
    redirects: int = 0
    not_films: int = 0

    def expected_links(self, share: float, min_films: int) -> dict[int, set[str]]:
        """Each film's links after dropping targets more than `share` of the films, and `min_films` at least,
        link to."""
        frequency: dict[str, int] = {}
        for film in self.films.values():
            for target in film["links"]:
                frequency[target] = frequency.get(target, 0) + 1
        common = {target for target, count in frequency.items()
                  if count > share * len(self.films) and count >= min_films}
        return {page: set(film["links"]) - common for page, film in self.films.items()}


class _Writer:
    """Pages rendered to XML; stream boundaries every `per_stream` pages for the multistream layout."""

    def __init__(self, schema: str):
        self.schema = schema
        self.pages: list[tuple[int, str, bytes]] = []

    def page(self, page_id: int, ns: int, title: str, text: str, redirect: str | None = None) -> None:
        full = f"{NAMESPACES[ns]}:{title}" if ns else title
        body = escape(text, {'"': "&quot;"})
        size = len(text.encode("utf-8"))
        text_tag = (f'<text bytes="{size}" sha1="{page_id:031x}" xml:space="preserve">' if self.schema == "0.11"
                    else '<text xml:space="preserve">')
        extra = "<restrictions>edit=sysop</restrictions>\n    " if page_id % 17 == 0 else ""
        who = (f"<ip>10.0.{page_id % 250}.1</ip>" if page_id % 5 == 0 else
               f"<username>Editor{page_id % 97}</username>\n        <id>{page_id % 97}</id>")
        xml = (f"  <page>\n    <title>{escape(full)}</title>\n    <ns>{ns}</ns>\n    <id>{page_id}</id>\n    "
               + (f'<redirect title="{escape(redirect, {chr(34): "&quot;"})}" />\n    ' if redirect else "")
               + extra + f"<revision>\n      <id>{page_id + 10_000_000}</id>\n"
               f"      <parentid>{page_id + 9_000_000}</parentid>\n"
               "      <timestamp>2024-05-01T12:00:00Z</timestamp>\n"
               f"      <contributor>\n        {who}\n      </contributor>\n"
               + ("      <minor />\n" if page_id % 3 == 0 else "")
               + "      <model>wikitext</model>\n      <format>text/x-wiki</format>\n"
               f"      {text_tag}{body}</text>\n"
               + (f"      <sha1>{page_id:031x}</sha1>\n" if self.schema == "0.11" else "")
               + "    </revision>\n  </page>\n")
        self.pages.append((page_id, full, xml.encode("utf-8")))

    def header(self) -> bytes:
        ns_lines = "".join(f'      <namespace key="{key}" case="first-letter">{name}</namespace>\n'
                           for key, name in NAMESPACES.items())
        return (f'<mediawiki xmlns="http://www.mediawiki.org/xml/export-{self.schema}/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="http://www.mediawiki.org/xml/export-{self.schema}/ '
                f'http://www.mediawiki.org/xml/export-{self.schema}.xsd" version="{self.schema}" xml:lang="en">\n'
                "  <siteinfo>\n    <sitename>Wikipedia</sitename>\n    <dbname>enwiki</dbname>\n"
                "    <case>first-letter</case>\n    <namespaces>\n" + ns_lines + "    </namespaces>\n"
                "  </siteinfo>\n").encode("utf-8")

    def write(self, out_dir: Path, name: str, layout: str, per_stream: int = 100) -> list[Path]:
        footer = b"</mediawiki>\n"
        if layout == "xml":
            path = out_dir / f"{name}.xml"
            with open(path, "wb") as out:
                out.write(self.header())
                out.writelines(xml for _, _, xml in self.pages)
                out.write(footer)
            return [path]
        if layout == "bz2":
            path = out_dir / f"{name}.xml.bz2"
            compressor = bz2.BZ2Compressor(9)
            with open(path, "wb") as out:
                out.write(compressor.compress(self.header()))
                for _, _, xml in self.pages:
                    out.write(compressor.compress(xml))
                out.write(compressor.compress(footer) + compressor.flush())
            return [path]
        path, index = out_dir / f"{name}-multistream.xml.bz2", out_dir / f"{name}-multistream-index.txt.bz2"
        with open(path, "wb") as out, bz2.open(index, "wt", encoding="utf-8") as lines:
            out.write(bz2.compress(self.header(), 9))
            for start in range(0, len(self.pages), per_stream):
                offset = out.tell()
                group = self.pages[start:start + per_stream]
                lines.writelines(f"{offset}:{page_id}:{escape(title, {chr(34): '&quot;'})}\n"
                                 for page_id, title, _ in group)
                out.write(bz2.compress(b"".join(xml for _, _, xml in group), 9))
            out.write(bz2.compress(footer, 9))
        return [path, index]


def generate_dump(out_dir: Path, *, articles: int = 400, film_share: float = 0.03, schema: str = "0.11",
                  layout: str | tuple[str, ...] = "multistream", seed: int = 0, filler: int = 2, per_stream: int = 100,
                  name: str = "enwiki-test-pages-articles", first_page_id: int = 1,
                  hostile: bool = True) -> SyntheticDump:
    """Write a dump of about `articles` articles (plus redirects and other namespaces) and its expectation.

    `filler` paragraphs pad each article (the benchmark uses more to reach realistic page sizes).
    `layout` may be a tuple of layouts, to write the same pages in each (files listed in that order).
    `hostile` adds the films with markup and entities in their titles (once per dump: titles are unique).
    """
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer, dump = _Writer(schema), SyntheticDump(files=[])
    ids = iter(range(first_page_id, first_page_id + 50 * articles + 1000))
    n_topics = max(30, articles // 3)
    topics = list(dict.fromkeys(SPECIAL_TOPICS + [_name(rng) for _ in range(n_topics)]))
    topics = [t.replace("_", " ") for t in topics]
    aliases = {}  # redirect title → article title, resolved
    pages: list[tuple] = []

    for topic in topics:
        pages.append(("article", topic))
    for topic in rng.sample(topics, len(topics) // 4):
        alias = f"{topic} (alias)"
        aliases[alias] = topic
        pages.append(("redirect", alias, topic))
    double = f"{topics[0]} (double alias)"
    aliases[double] = topics[0]
    pages.append(("redirect", double, f"{topics[0]} (alias)" if f"{topics[0]} (alias)" in aliases else topics[0]))
    if f"{topics[0]} (alias)" not in aliases:
        aliases[f"{topics[0]} (alias)"] = topics[0]
        pages.append(("redirect", f"{topics[0]} (alias)", topics[0]))

    n_films = max(len(HOSTILE_TITLES) + 6, round(articles * film_share))
    film_titles = list(HOSTILE_TITLES) if hostile else []
    while len(film_titles) < n_films:
        base = _name(rng).title()
        candidate = rng.choice([base, f"{base} ({rng.randint(1930, 2023)} film)", f"The {base}"])
        if candidate not in film_titles and candidate not in topics:
            film_titles.append(candidate)
    for title in film_titles:
        pages.append(("film", title))
    for kind in ["awards", "festival", "comment", "nowiki", "tl", "filmmaker", "redirect-with-infobox"]:
        pages.append(("trap", f"{_name(rng).title()} {kind}", kind))
    for number in range(articles - sum(1 for page in pages if page[0] in ("article", "film", "trap"))):
        pages.append(("article", _name(rng).title() + f" {number}"))
    rng.shuffle(pages)
    pages += [("template", "Infobox film", None), ("template", "Infobox movie", "Template:Infobox film"),
              ("template", "Film infobox", "Template:Infobox movie"),
              ("template", "Infobox person/old", "Template:Infobox person")]
    pages += [("other", title) for title in rng.sample(film_titles, min(4, len(film_titles)))]

    redirects_to = {}
    for alias, real in aliases.items():
        redirects_to.setdefault(real, []).append(alias)
    link_pool = topics + film_titles
    people = topics[len(SPECIAL_TOPICS):]
    for page in pages:
        page_id = next(ids)
        kind = page[0]
        if kind == "article":
            writer.page(page_id, 0, page[1], _article_text(rng, page[1], link_pool, filler))
            dump.articles += 1
        elif kind == "redirect":
            writer.page(page_id, 0, page[1], f"#REDIRECT [[{page[2]}]]\n\n{{{{R from alternative name}}}}",
                        redirect=page[2])
            dump.redirects += 1
        elif kind == "film":
            text, expected = _film(rng, page[1], link_pool, people, redirects_to, filler)
            writer.page(page_id, 0, page[1], text)
            dump.films[page_id] = expected
            dump.articles += 1
        elif kind == "trap":
            writer.page(page_id, 0, page[1], _trap_text(rng, page[2], link_pool),
                        redirect=topics[1] if page[2] == "redirect-with-infobox" else None)
            if page[2] == "redirect-with-infobox":
                dump.redirects += 1
                aliases[page[1]] = topics[1]
            else:
                dump.articles += 1
                dump.not_films += page[2] in ("awards", "festival", "filmmaker")
        elif kind == "template":
            text = f"#REDIRECT [[Template:{page[2][9:]}]]" if page[2] else "{{Infobox\n| above = {{{name}}}\n}}"
            writer.page(page_id, 10, page[1], text, redirect=page[2])
        else:  # the same film infobox on pages outside the articles: talk, user sandbox, draft
            ns = rng.choice([1, 2, 118])
            title = f"Example/{page[1]}" if ns == 2 else page[1]
            text = _film(rng, page[1], link_pool, people, redirects_to, 0)[0]
            writer.page(page_id, ns, title, "{{tl|Infobox film}}\n" + text)
    dump.pages = len(writer.pages)
    for each in (layout,) if isinstance(layout, str) else layout:
        dump.files += writer.write(out_dir, name, each, per_stream)
    (out_dir / f"{name}.expected.json").write_text(json.dumps(
        {str(page): film for page, film in dump.films.items()}, ensure_ascii=False, indent=1))
    return dump


def _name(rng: random.Random) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                    for _ in range(rng.randint(1, 2)))


def _article_text(rng, title, pool, filler) -> str:
    infobox = rng.random() < 0.3
    born = f"{{{{birth date|19{rng.randint(10, 99)}|1|1}}}}"
    head = f"{{{{Infobox person\n| name = {title}\n| birth_date = {born}\n}}}}\n" if infobox else ""
    links = " ".join(f"[[{rng.choice(pool)}]]" for _ in range(5))
    body = "".join(FILLER.format(*(f"[[{rng.choice(pool)}]]" for _ in range(5))) + _prose(rng, pool)
                   for _ in range(filler))
    return f"{head}'''{title}''' is a subject. See {links}.\n\n{body}\n[[Category:Topics]]"


def _prose(rng, pool=None) -> str:
    """A sentence of made-up words with the markup real articles carry: emphasis, citations, and
    (given a pool of titles) links."""
    words = rng.choices(VOCABULARY, k=rng.randint(20, 50))
    for at in range(2, len(words), 5):
        form = rng.randrange(4 if pool else 3)
        if form == 0:
            words[at] = f"''{words[at]}''"
        elif form == 1:
            words[at] = f"{{{{lang|fr|{words[at]}}}}}"
        elif form == 3:
            words[at] = f"[[{rng.choice(pool)}|{words[at]}]]"
    cite = ""
    if rng.random() < 0.7:
        w = rng.choices(VOCABULARY, k=5)
        cite = (f'<ref name="{w[0]}">{{{{cite web |url=https://www.{w[1]}.com/{w[2]} |title={w[3].title()} {w[4]}'
                f' |work={w[0].title()} |date=May {rng.randint(1, 28)}, 20{rng.randint(10, 23)}'
                " |access-date=June 2, 2024}}</ref>")
    return " ".join(words).capitalize() + "." + cite + " "


def _render_link(rng, target, aliases) -> tuple[str, str]:
    """A wikilink to `target` in one of the forms editors write (`aliases`: its redirects), and what it resolves to."""
    redirect = aliases.get(target, [])
    forms = [f"[[{target}]]", f"[[{target}|some label]]", f"[[{target}#Career|career]]",
             f"[[{target.replace(' ', '_')}]]", f"[[  {target}  ]]", f"[[{target}]]s",
             f"[[{target.replace('&', '&amp;')}]]", f"[[{target.replace(' ', '&nbsp;')}]]",
             f"[[{target.replace('&', '&#38;').replace(' ', '&#x20;', 1)}]]", f"[[{target.replace(' ', '%20')}]]"]
    if target[:1].isalpha() and target[:1].upper() != target[:1].lower():
        forms.append(f"[[{target[:1].lower()}{target[1:]}]]")
    if redirect and rng.random() < 0.5:
        return f"[[{rng.choice(redirect)}|alias]]", target
    return rng.choice(forms), target


def _film(rng, title, pool, people, aliases, filler) -> tuple[str, dict]:
    year = rng.randint(1920, 2023)
    if "film)" in title:
        year = int(title.rsplit("(", 1)[1][:4])
    directors = [rng.choice(people) for _ in range(rng.randint(1, 2))]
    directors = list(dict.fromkeys(directors))
    imdb = f"tt{rng.randint(1, 9_999_999):07d}" if rng.random() < 0.7 else None
    targets = list(dict.fromkeys(rng.sample(pool, 6) + directors + [target for target in COMMON
                                                                     if rng.random() < 0.9]))
    year_form = rng.choice(["film date", "film date df", "plain", "none"])
    released = {"film date": f"{{{{Film date|{year}|6|25}}}}",
                "film date df": f"{{{{film date|df=yes|{year}|6|25|[[United States|US]]}}}}",
                "plain": f"June 25, {year}<ref>{{{{cite web|url=http://x.example/{year}|title=Release}}}}</ref>",
                "none": ""}[year_form]
    category = f"\n[[Category:{year} films]]"
    if year_form == "none" and "film)" not in title and rng.random() < 0.3:
        category, year = "", None
    if len(directors) == 1:
        director = rng.choice([f"[[{directors[0]}]]", f"[[{directors[0]}|{directors[0].split()[-1]}]]"])
    else:
        director = "{{Plainlist|\n* " + "\n* ".join(f"[[{d}]]" for d in directors) + "\n}}"
    infobox = rng.choice(["Infobox film", "infobox film", "Infobox_film", " Infobox  film", "Infobox movie",
                          "Film infobox", "Template:Infobox film"])
    links = [_render_link(rng, target, aliases) for target in targets if target not in directors]
    body = " ".join(text for text, _ in links)
    imdb_text = ""
    if imdb:
        imdb_text = rng.choice([f"* {{{{IMDb title|{imdb[2:]}}}}}\n", f"* {{{{IMDb title|id={imdb}|title={title}}}}}\n",
                                f"* {{{{IMDb title | id = {imdb[2:]} }}}}\n"])
    filled = [rng.choice(COMMON) for _ in range(5 * filler)]
    fill = "".join(FILLER.format(*(f"[[{target}]]" for target in filled[5 * i:5 * i + 5])) + _prose(rng)
                   for i in range(filler))
    facts, fact_links = _infobox_facts(rng, people, year if year_form != "none" else None)
    lead, lead_text, lead_links = _lead(rng, title, year, directors, facts["starring"], pool, aliases)
    text = (f"{{{{Short description|{year or 'A'} film}}}}\n{{{{Use mdy dates|date=May 2024}}}}\n"
            f"{{{{{infobox}\n| name = {title}\n| image = Poster.jpg\n| caption = Poster with [[{COMMON[0]}]]\n"
            f"| director = {director}\n{facts.pop('wikitext')}| released = {released}\n"
            f"| budget = $1 million<ref name=\"b\" />\n}}}}\n{lead}\n"
            f"== Plot ==\n'''''{title}''''' is a film by {director if len(directors) == 1 else 'several people'}. "
            f"{body}.\n"
            "<!-- Do not add [[Hidden link]] here {{Infobox film festival}} -->\n"
            "Markup: <nowiki>[[Not a link]] {{Infobox film awards}}</nowiki> &nbsp;and&amp; more.\n"
            f"It was covered<ref>{{{{cite news|work=[[The New York Times]]|title=Review of {title}}}}}</ref> "
            f"and reviewed<ref name=\"b\">[[Variety (magazine)|Variety]]</ref>.\n"
            f"See [[#Plot|the plot]], [[File:Still.jpg|thumb|A still showing [[{COMMON[1]}]]]], "
            f"[[:Category:Films]], [[Wikipedia:Manual of Style]], [[wikt:film|film]].\n{fill}\n"
            f"== External links ==\n{imdb_text}{category}\n[[fr:{title}]]\n[[de:{title}]]")
    expected_links = sorted({resolved for _, resolved in links if _linkable(resolved)} | set(directors)
                            | {COMMON[0], COMMON[1]}
                            | set(filled) | {"United States"} | fact_links | lead_links)
    return text, {"title": title, "year": year, "directors": directors, "imdb_id": imdb, "links": expected_links,
                  "article": {"lead": lead_text, **facts}}


COUNTRIES = ["France", "Italy", "Japan", "United Kingdom", "Côte d'Ivoire", "Hong Kong"]
LANGUAGES = ["French", "Italian", "Japanese", "Cantonese", "Spanish"]
GENRES = [("Drama (film and television)", "drama"), ("Science fiction film", "science fiction"),
          ("Comedy film", "comedy"), ("Thriller (genre)", "thriller"), ("Western (genre)", "Western")]


def _listed(rng, entries: list[str]) -> str:
    """An infobox value listing `entries` (wikitext each) the ways editors write lists."""
    if len(entries) == 1:
        return entries[0]
    return rng.choice(["{{Plainlist|\n* " + "\n* ".join(entries) + "\n}}", "{{ubl|" + "|".join(entries) + "}}",
                       "{{Unbulleted list|" + "|".join(entries) + "}}", "<br />".join(entries),
                       "\n* ".join(["{{plainlist|", *entries]) + "\n}}"])


def _infobox_facts(rng, people, year) -> tuple[dict, set[str]]:
    """The infobox's starring, runtime, country and language lines, what a reader sees of each, and their links."""
    stars = list(dict.fromkeys(rng.choice(people) for _ in range(rng.randint(1, 4))))
    links, cast = set(), []
    for star in stars:
        form = rng.randrange(4)
        if form == 3:
            links.add(f"{star} (actor)")
        elif form < 2:
            links.add(star)
        cast.append([f"[[{star}]]", f"[[{star}|{star}]]", star, f"[[{star} (actor)|{star}]]"][form])
    minutes = rng.randint(70, 200) if rng.random() < 0.9 else None
    runtime = "" if minutes is None else rng.choice([
        f"{minutes} minutes", f"{minutes} minutes<ref>{{{{cite web|title=BBFC|url=http://x.example/bbfc}}}}</ref>",
        f"{minutes} min.", f"{{{{Duration|m={minutes}}}}}", f"{{{{Duration|h={minutes // 60}|m={minutes % 60}}}}}"])
    countries = ["United States"] + rng.sample(COUNTRIES, rng.randint(0, 2))
    country = _listed(rng, [rng.choice(["[[United States]]", "{{flag|[[United States]]}}"])] + countries[1:])
    languages = ["English"] + rng.sample(LANGUAGES, rng.randint(0, 1))
    english = rng.choice(["English", "[[English language|English]]"])
    if "[[" in english:
        links.add("English language")
    wikitext = (f"| starring = {_listed(rng, cast)}\n" + (f"| runtime = {runtime}\n" if runtime else "")
                + f"| country = {country}\n| language = {_listed(rng, [english] + languages[1:])}\n")
    return {"wikitext": wikitext, "starring": stars, "runtime_minutes": minutes, "countries": countries,
            "languages": languages, "release_date": f"{year}-06-25" if year else None}, links


def _lead(rng, title, year, directors, stars, pool, aliases) -> tuple[str, str, set[str]]:
    """A lead of one to three paragraphs: its wikitext, the text a reader sees, and the targets it links to.

    Built of pieces whose text is known (links by label, {{lang}}, {{nowrap}}, {{Start date}}, emphasis, entities),
    with what a reader never sees between them: citations, notes, maintenance templates, comments."""
    links = set(directors) | set(stars[:2])
    pool = [target for target in pool if not set(target) & set("<>[]{}|")]  # titles a link cannot have
    genre_target, genre = rng.choice(GENRES)
    links.add(genre_target)
    name = title.rsplit(" (", 1)[0] if title.endswith(" film)") else title  # without the disambiguator
    title = name
    shown_title = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    by = [(f"[[{d}]]", d) if rng.random() < 0.5 else (f"[[{d}|{d}]]", d) for d in directors]
    starring = [(f"[[{star}]]", star) for star in stars[:2]]
    pieces = [(f"'''''{shown_title}'''''", title), ("is a", "is a"), (str(year) if year else "", str(year or "")),
              (f"[[{genre_target}|{genre}]] film", f"{genre} film"),
              ("directed by " + " and ".join(w for w, _ in by), "directed by " + " and ".join(t for _, t in by))]
    if starring:
        pieces.append(("and starring " + " and ".join(w for w, _ in starring),
                       "and starring " + " and ".join(t for _, t in starring)))
    pieces.append((".<ref name=\"lead\">{{cite web|url=http://x.example/lead|title=About}}</ref>", "."))
    paragraphs = [pieces]
    for _ in range(rng.randint(0, 2)):
        paragraph = []
        for _ in range(rng.randint(2, 4)):
            paragraph += _lead_sentence(rng, pool, aliases, links)
        paragraphs.append(paragraph)
    if year and rng.random() < 0.5:
        paragraphs[-1] += [(f"It was released on {{{{Start date|{year}|6|25}}}}{{{{efn|In New York.}}}}.",
                            f"It was released on June 25, {year}.")]
    wikitext = "\n\n".join(_joined(w for w, _ in paragraph) for paragraph in paragraphs)
    shown = "\n\n".join(" ".join(_joined(t for _, t in paragraph).split()) for paragraph in paragraphs)
    return wikitext + "\n", shown, links


def _joined(pieces) -> str:
    """Pieces apart by a space, except a full stop (with what follows it), which ends the word before it."""
    out = ""
    for piece in pieces:
        if piece:
            out += piece if piece.startswith(".") or not out else " " + piece
    return out


def _lead_sentence(rng, pool, aliases, links) -> list[tuple[str, str]]:
    words = rng.choices(VOCABULARY, k=rng.randint(8, 20))
    pieces = [(words[0].capitalize(), words[0].capitalize())]
    for word in words[1:]:
        form = rng.randrange(50)  # as often as in real leads: a link every dozen words, a template every twenty
        if form == 0:
            pieces.append((f"''{word}''", word))
        elif form == 1:
            pieces.append((f"{{{{lang|fr|''{word}''}}}}", word))
        elif form in (2, 9, 10, 11):
            target = rng.choice(pool)
            links.add(target)
            if aliases.get(target) and rng.random() < 0.5:
                pieces.append((f"[[{rng.choice(aliases[target])}|{word}]]", word))
            else:
                pieces.append((f"[[{target}|{word}]]", word))
        elif form == 3:
            pieces.append((f"{{{{nowrap|{word} {word}}}}}", f"{word} {word}"))
        elif form == 4:
            pieces.append((f"'''{word}'''&nbsp;{word}", f"{word} {word}"))
        elif form == 5:
            pieces.append((f"{word}<!-- a note -->{{{{citation needed|date=May 2024}}}}", word))
        elif form == 6:
            pieces.append((f"{word}{{{{efn|A note on {word}.}}}}", word))
        else:
            pieces.append((word, word))
    end = rng.choice([".", ".<ref>{{cite news|title=Review|date=May 2024}}</ref>", ".<ref name=\"lead\" />",
                      ".{{sfn|Smith|2001|p=12}}"])
    return pieces + [(end, ".")]


def _linkable(title: str) -> bool:
    """Whether MediaWiki takes a link to `title` as one: `[[<script>…]]` is text (such pages are still made)."""
    return not any(char in title for char in "<>[]{}|")


def _trap_text(rng, kind, pool) -> str:
    link = f"[[{rng.choice(pool)}]]"
    return {
        "awards": "{{Infobox film awards\n| name = The Awards\n| date = {{Film date|2001|3|2}}\n}}\n" + link,
        "festival": "{{Infobox film festival\n| name = A Festival\n}}\n" + link,
        "comment": "<!-- {{Infobox film\n| name = Not really\n}} -->\n{{Infobox person}}\n" + link,
        "nowiki": "Use it like this: <nowiki>{{Infobox film | name = X}}</nowiki>. {{Infobox person}} " + link,
        "tl": "The template {{tl|Infobox film}} is documented elsewhere. " + link,
        "filmmaker": "{{Infobox filmmaker\n| name = Somebody\n}}\n" + link,
        "redirect-with-infobox": "#REDIRECT [[Target]]\n{{Infobox film\n| name = Redirected\n}}",
    }[kind]
