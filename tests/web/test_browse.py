"""Browse and search: titles regardless of case, accents and leading articles; genre, decade, tag, sort, pages."""
import re

import pytest
from django.urls import reverse

from movies.models import Genre, Movie

pytestmark = pytest.mark.django_db


def titles(response):
    return [movie.title for movie in response.context["page"].object_list]


@pytest.fixture
def classics(db):
    drama = Genre.objects.create(name="Drama")
    movies = [Movie.objects.create(title=title, year=year, num_ratings=n, mean_rating=avg)
              for title, year, n, avg in [("The Godfather", 1972, 200, 4.3), ("The Godfather: Part II", 1974, 150, 4.2),
                                          ("Amélie", 2001, 120, 4.1), ("Tokyo Godfathers", 2003, 10, 3.9),
                                          ("Alien", 1979, 180, 4.0)]]
    for movie in movies[:3]:
        movie.genres.add(drama)
    return movies


@pytest.mark.parametrize("query", ["godfather", "GODFATHER", "the godfather", "The Godfather"])
def test_search_ignores_case_and_leading_articles(client, classics, query):
    assert titles(client.get(reverse("browse"), {"q": query}))[0] == "The Godfather"


def test_search_ignores_accents(client, classics):
    assert titles(client.get(reverse("browse"), {"q": "amelie"})) == ["Amélie"]


def test_search_filters_by_genre_and_decade(client, classics):
    assert titles(client.get(reverse("browse"), {"q": "godfather", "genre": "Drama", "decade": "1970"})) == [
        "The Godfather", "The Godfather: Part II"]


@pytest.mark.parametrize("sort, first", [("popular", "The Godfather"), ("rating", "The Godfather"),
                                         ("newest", "Tokyo Godfathers"), ("oldest", "The Godfather"),
                                         ("title", "Alien")])
def test_browse_sorts(client, classics, sort, first):
    assert titles(client.get(reverse("browse"), {"sort": sort}))[0] == first


def test_browse_ignores_unknown_filters(client, classics):
    page = client.get(reverse("browse"), {"genre": "Nope", "decade": "abc", "sort": "nope", "page": "x"})
    assert page.status_code == 200 and len(titles(page)) == 5


def test_browse_pages_through_the_catalog(client, db, django_assert_max_num_queries):
    Movie.objects.bulk_create(Movie(title=f"Film {n:02d}", year=2000) for n in range(30))
    with django_assert_max_num_queries(6):
        first = client.get(reverse("browse"), {"sort": "title"})
    second = client.get(reverse("browse"), {"sort": "title", "page": 2})
    assert len(titles(first)) == 24 and len(titles(second)) == 6
    assert 'href="?sort=title&amp;page=2"' in first.content.decode()


def test_browse_escapes_titles_and_the_query(client, db):
    Movie.objects.create(title="<script>alert(1)</script>")
    html = client.get(reverse("browse"), {"q": "<script>"}).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_keeps_a_first_word_that_only_looks_like_an_article(client, db):
    Movie.objects.create(title="Die Hard", year=1988, num_ratings=100)
    Movie.objects.create(title="Hard Target", year=1993, num_ratings=200)
    assert titles(client.get(reverse("browse"), {"q": "die hard"}))[0] == "Die Hard"  # though less rated


@pytest.fixture
def tagged(classics):
    from datetime import UTC, datetime

    from django.contrib.auth import get_user_model

    from movies.models import Tag
    from movies.tags import refresh_movie_tags

    when = datetime(2024, 5, 1, tzinfo=UTC)
    ada, bob = (get_user_model().objects.create_user(name) for name in ("ada", "bob"))
    godfather, part_two, amelie, tokyo, alien = classics
    for movie, user, text in [(godfather, ada, "mafia"), (godfather, bob, "Mafia"), (part_two, ada, "mafia"),
                              (tokyo, ada, "anime"), (alien, bob, "space horror"), (amelie, ada, "Paris")]:
        Tag.objects.create(movie=movie, user=user, text=text, tagged_at=when)
    refresh_movie_tags()
    return classics


def test_tag_browse_lists_the_movies_of_a_tag_in_any_case(client, tagged, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        page = client.get(reverse("browse"), {"tag": "MAFIA"})
    assert titles(page) == ["The Godfather", "The Godfather: Part II"]
    html = page.content.decode()
    assert "Movies tagged “MAFIA”" in html and 'name="tag" value="MAFIA"' in html  # kept by the filters


def test_tag_browse_combines_with_search_and_filters(client, tagged):
    assert titles(client.get(reverse("browse"), {"tag": "mafia", "q": "part"})) == ["The Godfather: Part II"]
    assert titles(client.get(reverse("browse"), {"tag": "mafia", "decade": "2000"})) == []
    assert titles(client.get(reverse("browse"), {"tag": "no such tag"})) == []


def test_search_shows_the_movies_of_a_tag_its_words_name(client, tagged):
    page = client.get(reverse("browse"), {"q": "Space  Horror"})
    html = page.content.decode()
    assert [movie.title for movie in page.context["tag_movies"]] == ["Alien"] and page.context["tag_count"] == 1
    assert "Tagged “Space  Horror”" in html and 'href="/movies/?tag=Space%20%20Horror">All 1 →' in html
    assert titles(page) == []  # the titles found stay the title search's
    assert client.get(reverse("browse"), {"q": "godfather"}).context["tag_movies"] == []


def test_browse_numbers_its_pages_around_the_current_one(client, db):
    Movie.objects.bulk_create(Movie(title=f"Film {n:03d}", year=2000) for n in range(24 * 11 + 1))
    html = client.get(reverse("browse"), {"sort": "title", "page": 6}).content.decode()
    nav = html.split('<nav class="pages" aria-label="Pages">')[1].split("</nav>")[0]
    shown = re.findall(r'>(\d+|…)<', nav)
    assert shown == ["1", "…", "4", "5", "6", "7", "8", "…", "12"]
    assert '<span class="current" aria-current="page">6</span>' in nav
    assert 'href="?sort=title&amp;page=5" rel="prev"' in nav and 'href="?sort=title&amp;page=7" rel="next"' in nav


def sort_menu(response):
    """The sort menu's options and the one selected, as the page shows them."""
    html = response.content.decode()
    menu = re.search(r'<select name="sort".*?</select>', html, re.S).group()
    options = re.findall(r'<option value="(\w+)"( selected)?>([^<]+)</option>', menu)
    selected = [label for _, chosen, label in options if chosen] or [options[0][2]]  # a browser shows the first
    return [label for _, _, label in options], selected[0]


def test_search_is_sorted_by_relevance_and_the_menu_says_so(client, classics):
    Movie.objects.create(title="Godfather Blues", year=2010, num_ratings=1000)  # the most rated, a weaker match
    response = client.get(reverse("browse"), {"q": "godfather"})
    labels, shown = sort_menu(response)
    assert titles(response)[0] == "The Godfather" and shown == "Relevance" and labels[0] == "Relevance"


def test_search_sorted_by_most_rated_follows_the_number_of_ratings(client, classics):
    Movie.objects.create(title="Godfather Blues", year=2010, num_ratings=1000)
    response = client.get(reverse("browse"), {"q": "godfather", "sort": "popular"})
    assert titles(response)[0] == "Godfather Blues" and sort_menu(response)[1] == "Most rated"


def test_browse_without_a_query_offers_no_relevance_and_shows_most_rated(client, classics):
    for params in ({}, {"sort": "relevance"}):
        response = client.get(reverse("browse"), params)
        labels, shown = sort_menu(response)
        assert "Relevance" not in labels and shown == "Most rated" and titles(response)[0] == "The Godfather"


@pytest.mark.parametrize("query", ["\x00", "%00", "\x00\x00godfather"])
def test_search_with_a_nul_or_a_percent_escape_neither_fails_nor_shows_the_catalog(client, classics, query):
    response = client.get(reverse("browse"), {"q": query})
    assert response.status_code == 200 and len(titles(response)) < 5
    assert all("Godfather" in title for title in titles(response))


def test_search_forgives_a_typo_but_not_a_look_alike(client, db):
    for title in ("The Matrix", "Matilda", "Match Point"):
        Movie.objects.create(title=title, year=2000, num_ratings=10)
    assert titles(client.get(reverse("browse"), {"q": "matrx"})) == ["The Matrix"]
