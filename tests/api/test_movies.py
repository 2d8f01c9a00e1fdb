"""/api/movies/: list with search, filters, ordering and pages; one movie; similar movies."""
import pytest

from tests.api.conftest import activate_ratings_model
from tests.factories import rate

pytestmark = pytest.mark.django_db


def titles(response):
    return [movie["title"] for movie in response.json()["results"]]


def test_anyone_can_list_movies_in_pages_with_their_genres_and_rating_statistics(anonymous, catalog, ada, bob):
    rate(ada, catalog["scifi"][:1], 4.0)
    rate(bob, catalog["scifi"][:1], 5.0)

    response = anonymous.get("/api/movies/", {"page_size": 5})

    body = response.json()
    assert response.status_code == 200 and body["count"] == 24 and len(body["results"]) == 5
    assert body["next"].endswith("page=2&page_size=5")
    first = anonymous.get(f"/api/movies/{catalog['scifi'][0].pk}/").json()
    assert first == {"id": catalog["scifi"][0].pk, "title": "Scifi 00", "year": 1980, "genres": ["Sci-Fi"],
                     "imdb_id": None, "tmdb_id": None, "wikipedia_title": None, "rating_count": 2,
                     "average_rating": 4.5, "directors": [], "article": None, "tags": []}


def test_one_movie_carries_its_wikipedia_lead_and_infobox_facts(anonymous, catalog):
    from datetime import date

    from movies.models import MovieArticle

    movie = catalog["scifi"][0]
    MovieArticle.objects.create(movie=movie, lead="A <b>film</b>.\n\nMore.", starring=["Harrison Ford"],
                                runtime_minutes=117, countries=["United States"], languages=["English", "Cantonese"],
                                release_date=date(1982, 6, 25))

    article = anonymous.get(f"/api/movies/{movie.pk}/").json()["article"]

    assert article == {"lead": "A <b>film</b>.\n\nMore.", "starring": ["Harrison Ford"], "runtime_minutes": 117,
                       "countries": ["United States"], "languages": ["English", "Cantonese"],
                       "release_date": "1982-06-25"}
    assert "article" not in anonymous.get("/api/movies/").json()["results"][0]  # lists stay light


def test_movies_are_searched_ranked_by_relevance_ignoring_case(anonymous, catalog):
    assert titles(anonymous.get("/api/movies/", {"search": "SCIFI 11"}))[0] == "Scifi 11"


def test_a_search_with_an_ordering_follows_the_ordering(anonymous, catalog):
    found = titles(anonymous.get("/api/movies/", {"search": "scifi 11", "ordering": "-title"}))
    assert found == sorted(found, reverse=True) and "Scifi 11" in found


@pytest.mark.parametrize("search", ["%00", "!!"])
def test_a_search_of_no_letter_finds_nothing(anonymous, catalog, search):
    response = anonymous.get("/api/movies/", {"search": search})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_an_empty_or_blank_search_lists_every_movie(anonymous, catalog):
    assert anonymous.get("/api/movies/", {"search": ""}).json()["count"] == 24
    assert anonymous.get("/api/movies/", {"search": "  "}).json()["count"] == 24


@pytest.mark.parametrize("query, expected", [
    ({"genre": "sci-fi"}, 12),
    ({"decade": 1990}, 12),
    ({"decade": 1995}, 12),
    ({"year_min": 1985, "year_max": 1991}, 5 + 2 + 2),  # sci-fi 1985..1989, romance 1990 and 1991 (twice each)
    ({"genre": "Romance", "decade": 1980}, 0),
])
def test_movies_are_filtered_by_genre_decade_and_years(anonymous, catalog, query, expected):
    assert anonymous.get("/api/movies/", query).json()["count"] == expected


def test_movies_are_ordered_by_a_chosen_field(anonymous, catalog, ada):
    rate(ada, [catalog["romance"][3]], 5.0)

    assert titles(anonymous.get("/api/movies/", {"ordering": "-rating_count", "page_size": 1})) == ["Romance 03"]
    assert titles(anonymous.get("/api/movies/", {"ordering": "year,-title", "page_size": 2})) == [
        "Scifi 10", "Scifi 00"]


def test_a_bad_filter_value_is_a_field_error(anonymous, catalog):
    response = anonymous.get("/api/movies/", {"year_min": "nineteen"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"year_min": ["Enter a whole number."]}


def test_a_page_past_the_end_is_not_found(anonymous, catalog):
    response = anonymous.get("/api/movies/", {"page": 99})

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_an_unknown_movie_is_not_found_in_the_error_format(anonymous, catalog):
    response = anonymous.get("/api/movies/999999/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No Movie matches the given query.",
                                         "fields": {}}}


def test_listing_movies_takes_a_fixed_number_of_queries(anonymous, catalog, ada, django_assert_max_num_queries):
    rate(ada, catalog["scifi"], 4.0)

    with django_assert_max_num_queries(3):  # count, page, genres
        response = anonymous.get("/api/movies/", {"page_size": 24})

    assert len(response.json()["results"]) == 24


def test_similar_movies_come_from_the_chosen_model_without_the_movie_itself(anonymous, catalog):
    activate_ratings_model(catalog)
    movie = catalog["romance"][0]

    response = anonymous.get(f"/api/movies/{movie.pk}/similar/", {"kind": "ratings", "k": 5})

    neighbours = response.json()
    assert response.status_code == 200 and len(neighbours) == 5
    assert {n["movie"]["id"] for n in neighbours} <= {m.pk for m in catalog["romance"][1:]}
    assert all(0.9 < n["similarity"] <= 1.0 for n in neighbours)
    assert neighbours == sorted(neighbours, key=lambda n: -n["similarity"])


def test_similar_movies_are_empty_while_no_model_of_that_kind_is_active(anonymous, catalog):
    activate_ratings_model(catalog)

    response = anonymous.get(f"/api/movies/{catalog['scifi'][0].pk}/similar/")  # kind=links by default

    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("query, field", [({"kind": "tags"}, "kind"), ({"k": 0}, "k"), ({"k": 101}, "k")])
def test_similar_movies_refuse_a_bad_kind_or_count(anonymous, catalog, query, field):
    response = anonymous.get(f"/api/movies/{catalog['scifi'][0].pk}/similar/", query)

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]


def test_similar_movies_of_an_unknown_movie_are_not_found(anonymous, catalog):
    assert anonymous.get("/api/movies/999999/similar/").status_code == 404


def test_similar_movies_take_a_fixed_number_of_queries(anonymous, catalog, django_assert_max_num_queries):
    activate_ratings_model(catalog)
    path = f"/api/movies/{catalog['scifi'][0].pk}/similar/"
    anonymous.get(path, {"kind": "ratings"})  # loads the model's index once per process

    with django_assert_max_num_queries(4):  # the movie, the active version, the neighbours
        response = anonymous.get(path, {"kind": "ratings", "k": 11})

    assert len(response.json()) == 11


def test_movies_are_filtered_by_tag_in_any_case_and_a_movie_lists_its_tags(anonymous, catalog, ada, bob):
    from movies.models import Tag
    from movies.tags import refresh_movie_tags
    from tests.factories import WHEN

    first, second = catalog["scifi"][:2]
    for movie, user, text in [(first, ada, "time travel"), (first, bob, "Time travel"), (second, ada, "robots"),
                              (first, ada, "robots")]:
        Tag.objects.create(movie=movie, user=user, text=text, tagged_at=WHEN)
    refresh_movie_tags()

    assert titles(anonymous.get("/api/movies/", {"tag": "TIME TRAVEL"})) == [first.title]
    assert titles(anonymous.get("/api/movies/", {"tag": "robots"})) == [first.title, second.title]
    assert anonymous.get("/api/movies/", {"tag": "nothing"}).json()["count"] == 0
    found = titles(anonymous.get("/api/movies/", {"tag": "robots", "search": second.title.lower()}))
    assert found[0] == second.title and set(found) <= {first.title, second.title}  # ranked within the tag
    assert anonymous.get(f"/api/movies/{first.pk}/").json()["tags"] == [
        {"name": "Time travel", "count": 2}, {"name": "robots", "count": 1}]
