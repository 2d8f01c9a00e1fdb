"""MovieLens titles: the year in “Toy Story (1995)” and the display order of “Godfather, The”.

MovieLens moves leading articles to the end (“Godfather, The (1972)”), also inside the
alternative titles in parentheses (“City of Lost Children, The (Cité des enfants perdus, La)”).
We keep MovieLens' form and derive the display form people expect.
"""
import re

# Articles MovieLens moves behind a comma, in the languages that occur in its titles.
ARTICLES = {
    "the", "a", "an",  # English
    "les", "la", "le", "l'", "un", "une",  # French
    "il", "lo", "gli", "i", "uno",  # Italian
    "das", "der", "die", "den", "dem", "ein", "eine",  # German
    "el", "los", "las", "una",  # Spanish
    "det", "en", "ett", "de", "het", "een",  # Scandinavian, Dutch
    "o", "os",  # Portuguese
}

YEAR_SUFFIX = re.compile(r"\s*\((?P<year>\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")
TRAILING_ALTERNATIVES = re.compile(r"^(?P<main>.*?)(?P<alternatives>(?:\s*\([^()]*\))*)$")
TRAILING_ARTICLE = re.compile(r"^(?P<body>.+?),\s*(?P<article>[^\s,()]+)$")


def split_year(title: str) -> tuple[str, int | None]:
    """Split “Toy Story (1995)” into ("Toy Story", 1995); titles without a year keep year None."""
    match = YEAR_SUFFIX.search(title)
    if not match:
        return title.strip(), None
    return title[: match.start()].strip(), int(match.group("year"))


def article_first(name: str) -> str:
    """“Godfather, The” → “The Godfather”; “Avventura, L'” → “L'Avventura”; others unchanged."""
    match = TRAILING_ARTICLE.match(name.strip())
    if not match or match.group("article").lower() not in ARTICLES:
        return name.strip()
    article = match.group("article")
    separator = "" if article.endswith("'") else " "
    return f"{article}{separator}{match.group('body')}"


def display_title(movielens_title: str) -> tuple[str, int | None]:
    """The title as people write it, and the year: “City of Lost Children, The (Cité des enfants
    perdus, La) (1995)” → (“The City of Lost Children (La Cité des enfants perdus)”, 1995)."""
    name, year = split_year(movielens_title)
    # Alternative titles follow the main one in parentheses: reorder each part on its own.
    match = TRAILING_ALTERNATIVES.match(name)
    main, alternatives = match.group("main"), re.findall(r"\(([^()]*)\)", match.group("alternatives"))
    if not main:
        main, alternatives = name, []
    title = " ".join([article_first(main), *(f"({article_first(alt)})" for alt in alternatives)])
    return title or movielens_title.strip(), year
