"""MovieLens titles: the year comes out, and leading articles go back to the front."""
import pytest

from movies.importers.titles import display_title


@pytest.mark.parametrize("movielens_title, expected", [
    ("Toy Story (1995)", ("Toy Story", 1995)),
    ("Godfather, The (1972)", ("The Godfather", 1972)),
    ("Room for Romeo Brass, A (1999)", ("A Room for Romeo Brass", 1999)),
    ("Misérables, Les (1995)", ("Les Misérables", 1995)),
    ("Avventura, L' (Adventure, The) (1960)", ("L'Avventura (The Adventure)", 1960)),
    ("City of Lost Children, The (Cité des enfants perdus, La) (1995)",
     ("The City of Lost Children (La Cité des enfants perdus)", 1995)),
    ("Love, Death & Robots (2001)", ("Love, Death & Robots", 2001)),
    ("(500) Days of Summer (2009)", ("(500) Days of Summer", 2009)),
    ("Death Note: Desu nôto (2006–2007)", ("Death Note: Desu nôto", 2006)),
    ("Babylon 5", ("Babylon 5", None)),
    ("Anne Frank Remembered (1995) ", ("Anne Frank Remembered", 1995)),
])
def test_display_title_moves_articles_first_and_parses_the_year(movielens_title, expected):
    assert display_title(movielens_title) == expected
