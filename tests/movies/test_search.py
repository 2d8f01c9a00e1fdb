"""Ranked title search (movies/search.py) on a catalog of real-looking titles built here: a table of what people
type, each with the movie that must come first, and the bar on typo tolerance (never a flood of weak matches)."""
import pytest
from django.db import connection

from movies.models import Movie
from movies.search import FUZZY_LIMIT, SIMILARITY, WORD_SIMILARITY, clean_query, search

pytestmark = pytest.mark.django_db

# (display title as the importer stores it, year, number of ratings): the wanted movies and their look-alikes.
CATALOG = [
    ("The Godfather", 1972, 192), ("The Godfather: Part II", 1974, 129), ("The Godfather: Part III", 1990, 50),
    ("Tokyo Godfathers", 2003, 8), ("Hogfather", 2006, 3), ("The Stepfather", 1987, 6),
    ("Like Father, Like Son", 1987, 4), ("Father of the Bride", 1991, 60),
    ("The Matrix", 1999, 278), ("The Matrix Reloaded", 2003, 87), ("The Animatrix", 2003, 9),
    ("Matilda", 1996, 40), ("Match Point", 2005, 34), ("Mask", 1985, 12),
    ("Amelie (Le Fabuleux destin d'Amélie Poulain)", 2001, 120), ("Amadeus", 1984, 90),
    ("Alien", 1979, 146), ("Aliens", 1986, 126), ("Alien³ (a.k.a. Alien 3)", 1992, 50),
    ("Alien: Resurrection", 1997, 40), ("Alien Nation", 1988, 8), ("Cowboys & Aliens", 2011, 20),
    ("The Shawshank Redemption", 1994, 317), ("The Silence of the Lambs", 1991, 279),
    ("The Silence of the Hams", 1994, 2), ("Pulp Fiction", 1994, 307), ("Forrest Gump", 1994, 329),
    ("The Emerald Forest", 1985, 5), ("Schindler's List", 1993, 220),
    ("Star Wars: Episode IV - A New Hope", 1977, 251), ("Star Wars: Episode V - The Empire Strikes Back", 1980, 211),
    ("Star Wars: Episode I - The Phantom Menace", 1999, 140), ("The Empire of the Sun", 1987, 30),
    ("The Lord of the Rings: The Fellowship of the Ring", 2001, 198),
    ("The Lord of the Rings: The Two Towers", 2002, 188), ("The Lord of the Rings", 1978, 15),
    ("Lord of the Flies", 1990, 20), ("Jurassic Park", 1993, 238), ("Jurassic Park III", 2001, 45),
    ("The Lost World: Jurassic Park", 1997, 67), ("Terminator 2: Judgment Day", 1991, 224),
    ("The Terminator", 1984, 131), ("The Terminal", 2004, 48), ("Back to the Future", 1985, 171),
    ("Back to the Future Part II", 1989, 87), ("Back to the Future Part III", 1990, 72),
    ("Toy Story", 1995, 215), ("Toy Story 2", 1999, 97), ("Toy Story 3", 2010, 55), ("L.A. Story", 1991, 20),
    ("The Dark Knight", 2008, 149), ("The Dark Knight Rises", 2012, 76), ("Date Night", 2010, 12),
    ("E.T. the Extra-Terrestrial", 1982, 122), ("Eternal Sunshine of the Spotless Mind", 2004, 131),
    ("Fast & Furious (The Fast and the Furious 4)", 2009, 15), ("The Fast and the Furious", 2001, 40),
    ("Léon: The Professional (a.k.a. The Professional) (Léon)", 1994, 133), ("Leonard Part 6", 1987, 3),
    ("Seven (a.k.a. Se7en)", 1995, 203), ("City of God (Cidade de Deus)", 2002, 95), ("City of Angels", 1998, 40),
    ("Harry Potter and the Sorcerer's Stone (a.k.a. Harry Potter and the Philosopher's Stone)", 2001, 107),
    ("Harry Potter and the Chamber of Secrets", 2002, 102), ("Hamlet", 1996, 25), ("Hamlet", 1990, 20),
    ("Hamlet", 1948, 10), ("Hamlet 2", 2008, 9), ("The Thing", 1982, 65), ("The Thing", 2011, 20),
    ("Swamp Thing", 1982, 5), ("2001: A Space Odyssey", 1968, 109), ("The Odyssey", 1997, 4),
    ("Pirates of the Caribbean: The Curse of the Black Pearl", 2003, 149),
    ("Pirates of the Caribbean: At World's End", 2007, 55), ("Monty Python and the Holy Grail", 1975, 136),
    ("Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb", 1964, 97),
    ("The Strange Love of Martha Ivers", 1946, 3), ("WALL·E", 2008, 104), ("Wall Street", 1987, 50),
    ("Die Hard", 1988, 145), ("Hard Target", 1993, 200), ("La La Land", 2016, 70), ("Crouching Tiger, Hidden Dragon "
    "(Wo hu cang long)", 2000, 110), ("The Good, the Bad and the Ugly (Il buono, il brutto, il cattivo)", 1966, 119),
    ("Les Misérables", 2012, 33), ("L'Avventura", 1960, 6), ("(500) Days of Summer", 2009, 70),
    ("The Lion King", 1994, 172), ("Lion", 2016, 20), ("Léon Morin, Priest", 1961, 1), ("Ocean's Eleven", 2001, 119),
    ("Oceans", 2009, 5), ("Spider-Man", 2002, 122), ("Spider-Man 2", 2004, 100), ("Se questo è amore", 1999, 1),
]

# What people type → the movie that must come first: misspellings, missing articles, accents, years, partial titles,
# punctuation left out, numbers as words or digits.
QUERIES = [
    ("godfather", "The Godfather", 1972), ("the godfather", "The Godfather", 1972),
    ("GODFATHER", "The Godfather", 1972), ("godfater", "The Godfather", 1972),
    ("godfather 2", "The Godfather: Part II", 1974), ("godfather part ii", "The Godfather: Part II", 1974),
    ("matrx", "The Matrix", 1999), ("the matrix", "The Matrix", 1999), ("matrix reloded", "The Matrix Reloaded", 2003),
    ("amelie", "Amelie (Le Fabuleux destin d'Amélie Poulain)", 2001),
    ("Amélie", "Amelie (Le Fabuleux destin d'Amélie Poulain)", 2001),
    ("le fabuleux destin d'amelie poulain", "Amelie (Le Fabuleux destin d'Amélie Poulain)", 2001),
    ("alien 1979", "Alien", 1979), ("alien", "Alien", 1979), ("aliens", "Aliens", 1986), ("alien 3", "Alien³ (a.k.a. "
    "Alien 3)", 1992), ("the thing 1982", "The Thing", 1982), ("the thing 2011", "The Thing", 2011),
    ("hamlet 1990", "Hamlet", 1990), ("shawshank", "The Shawshank Redemption", 1994),
    ("shawshenk redemption", "The Shawshank Redemption", 1994), ("silence of the lambs", "The Silence of the Lambs",
    1991), ("silense of the lambs", "The Silence of the Lambs", 1991), ("pulp fict", "Pulp Fiction", 1994),
    ("pulp ficton", "Pulp Fiction", 1994), ("forest gump", "Forrest Gump", 1994),
    ("schindlers list", "Schindler's List", 1993), ("schindler list", "Schindler's List", 1993),
    ("star wars", "Star Wars: Episode IV - A New Hope", 1977), ("star wars episode 4", "Star Wars: Episode IV - A "
    "New Hope", 1977), ("star wars 5", "Star Wars: Episode V - The Empire Strikes Back", 1980),
    ("star wars episode i", "Star Wars: Episode I - The Phantom Menace", 1999),
    ("empire strikes back", "Star Wars: Episode V - The Empire Strikes Back", 1980),
    ("star wars empire strikes back", "Star Wars: Episode V - The Empire Strikes Back", 1980),
    ("lord of the rings fellowship", "The Lord of the Rings: The Fellowship of the Ring", 2001),
    ("lord of the rigns fellowship", "The Lord of the Rings: The Fellowship of the Ring", 2001),
    ("jurrasic park", "Jurassic Park", 1993), ("jurassic park 3", "Jurassic Park III", 2001),
    ("termintor 2", "Terminator 2: Judgment Day", 1991), ("the terminator", "The Terminator", 1984),
    ("back to the future 2", "Back to the Future Part II", 1989), ("back to teh future", "Back to the Future", 1985),
    ("toy story 3", "Toy Story 3", 2010), ("toy story", "Toy Story", 1995), ("dark knight", "The Dark Knight", 2008),
    ("the dark night", "The Dark Knight", 2008), ("e.t.", "E.T. the Extra-Terrestrial", 1982),
    ("et the extra terrestrial", "E.T. the Extra-Terrestrial", 1982),
    ("fast and furious", "Fast & Furious (The Fast and the Furious 4)", 2009),
    ("leon the professional", "Léon: The Professional (a.k.a. The Professional) (Léon)", 1994),
    ("leon", "Léon: The Professional (a.k.a. The Professional) (Léon)", 1994),
    ("se7en", "Seven (a.k.a. Se7en)", 1995), ("city of god", "City of God (Cidade de Deus)", 2002),
    ("cidade de deus", "City of God (Cidade de Deus)", 2002),
    ("harry potter", "Harry Potter and the Sorcerer's Stone (a.k.a. Harry Potter and the Philosopher's Stone)", 2001),
    ("harry poter chamber", "Harry Potter and the Chamber of Secrets", 2002),
    ("2001 a space odyssey", "2001: A Space Odyssey", 1968), ("2001 space odyssey", "2001: A Space Odyssey", 1968),
    ("pirates of the carribean", "Pirates of the Caribbean: The Curse of the Black Pearl", 2003),
    ("monty python holy grail", "Monty Python and the Holy Grail", 1975),
    ("dr strangelove", "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb", 1964),
    ("wall-e", "WALL·E", 2008), ("walle", "WALL·E", 2008), ("die hard", "Die Hard", 1988),
    ("la la land", "La La Land", 2016), ("crouching tiger", "Crouching Tiger, Hidden Dragon (Wo hu cang long)", 2000),
    ("the good the bad and the ugly", "The Good, the Bad and the Ugly (Il buono, il brutto, il cattivo)", 1966),
    ("les miserables", "Les Misérables", 2012), ("avventura", "L'Avventura", 1960),
    ("500 days of summer", "(500) Days of Summer", 2009), ("lion king", "The Lion King", 1994),
    ("oceans eleven", "Ocean's Eleven", 2001), ("spiderman", "Spider-Man", 2002),
    ("spider man 2", "Spider-Man 2", 2004),
]


@pytest.fixture
def catalog(db):
    return Movie.objects.bulk_create(Movie(title=title, year=year, num_ratings=n) for title, year, n in CATALOG)


def found(query):
    return list(search(Movie.objects.all(), query))


def weak(query, movies) -> list[Movie]:
    """The movies whose key is neither similar to the query's (trigram similarity) nor holds a word extent similar
    to it (strict word similarity), measured by pg_trgm here, apart from the search's own numbers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT m.id FROM movies_movie m, recsite_search_key(%s) q WHERE m.id = ANY(%s) AND "
                       "similarity(m.search_key, q) < %s AND strict_word_similarity(q, m.search_key) < %s",
                       [query, [m.pk for m in movies], SIMILARITY, WORD_SIMILARITY])
        return [row[0] for row in cursor.fetchall()]


def test_the_table_has_at_least_thirty_queries_each_with_a_wanted_movie_of_the_catalog():
    assert len(QUERIES) >= 30 and {(t, y) for _, t, y in QUERIES} <= {(t, y) for t, y, _ in CATALOG}


@pytest.mark.parametrize("query, title, year", QUERIES)
def test_search_puts_the_wanted_movie_first(catalog, query, title, year):
    first = found(query)[0]
    assert (first.title, first.year) == (title, year)


@pytest.mark.parametrize("query", [q for q, _, _ in QUERIES] + ["xyzzy", "love", "the", "a", "godfathr 1972"])
def test_search_returns_at_most_ten_movies_below_the_similarity_threshold(catalog, query):
    assert len(weak(query, found(query))) <= 10


@pytest.mark.parametrize("query, unwanted", [("matrx", {"Matilda", "Match Point", "Mask"}),
                                             ("godfather", {"Hogfather", "The Stepfather", "Like Father, Like Son"})])
def test_search_tolerates_typos_without_returning_look_alikes(catalog, query, unwanted):
    assert not {movie.title for movie in found(query)} & unwanted


def test_search_returns_at_most_ten_movies_that_are_only_similar(db):
    Movie.objects.bulk_create(Movie(title=f"Matrix Story {n}", year=2000) for n in range(30))
    movies = found("matrx story")
    assert len(movies) == FUZZY_LIMIT and all(movie.search_tier == 6 for movie in movies)


def test_search_ranks_exact_then_prefix_then_similar_titles(catalog):
    titles = [movie.title for movie in found("godfather")]
    assert titles[:4] == ["The Godfather", "The Godfather: Part II", "The Godfather: Part III", "Tokyo Godfathers"]


@pytest.mark.parametrize("query", ["%00", "\x00", "\x00godfather\x00", "!!!", "%", "_", "'", "|"])
def test_search_of_symbols_or_control_characters_finds_nothing_and_never_everything(catalog, query):
    movies = found(query)
    assert len(movies) < len(CATALOG) and all("godfather" in m.title.lower() for m in movies)


def test_search_keeps_like_wildcards_literal(catalog):
    Movie.objects.create(title="100% Wolf", year=2020)
    assert [m.title for m in found("100%")] == ["100% Wolf"]


def test_clean_query_marks_control_characters_and_trims():
    assert clean_query("  star\x00wars\n") == "star\ufffdwars"
