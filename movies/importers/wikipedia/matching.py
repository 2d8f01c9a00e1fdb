"""The join of Wikipedia films to MovieLens movies: by IMDb id first, then by title and year.

`Godfather, The (1972)` and `The Godfather` with year 1972 meet on a key without diacritics,
punctuation or case, with `&` read as "and", and the article's disambiguator dropped
(`Heat (1995 film)` → "Heat"). A key that two MovieLens movies share matches neither.
"""
import re
import unicodedata

from django.db.models import Q

from movies.importers.titles import display_title
from movies.models import Movie

DISAMBIGUATOR = re.compile(r"\s*\([^()]*\b(?:film|movie)\b[^()]*\)\s*$", re.I)
BY_IMDB, BY_TITLE = "imdb", "title_year"


def film_name(title: str) -> str:
    """The film's name without Wikipedia's disambiguator: "Heat (1995 film)" → "Heat"."""
    return DISAMBIGUATOR.sub("", title).strip() or title


def match_key(name: str) -> str:
    """A title for comparison: no diacritics or punctuation, `&` read as "and", lower case."""
    name = unicodedata.normalize("NFKD", name.replace("&", " and "))
    name = "".join(char for char in name if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", name).split())


def match_films(films: list[dict]) -> dict[int, tuple[int, str]]:
    """page_id → (MovieLens movie id, how) for the films that match one; each movie matches one film."""
    movielens = Movie.objects.filter(Q(movielens_id__isnull=False) | Q(movielens_100k_id__isnull=False))
    by_imdb, by_key = {}, {}
    for movie_id, imdb_id, title, movielens_title, year in movielens.values_list(
            "id", "imdb_id", "title", "movielens_title", "year"):
        if imdb_id:
            by_imdb[imdb_id] = movie_id
        names = {title}
        if movielens_title:
            names.add(display_title(movielens_title)[0])
        names |= {name.split(" (", 1)[0] for name in names}  # without the alternative titles
        for key in {(match_key(name), year) for name in names}:
            by_key[key] = movie_id if by_key.get(key, movie_id) == movie_id else None
    matched, taken = {}, set()
    for how in (BY_IMDB, BY_TITLE):
        for film in films:
            if film["page_id"] in matched:
                continue
            if how == BY_IMDB:
                movie_id = by_imdb.get(film["imdb_id"])
            else:
                movie_id = by_key.get((match_key(film_name(film["title"])), film["year"]))
            if movie_id and movie_id not in taken:
                matched[film["page_id"]] = (movie_id, how)
                taken.add(movie_id)
    return matched
