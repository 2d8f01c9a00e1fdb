"""/api/me/: your ratings (only yours), your picks and your predicted ratings."""
import pytest

from movies.models import Rating
from tests.api.conftest import activate_ratings_model
from tests.factories import rate

pytestmark = pytest.mark.django_db


def fields(response):
    return response.json()["error"]["fields"]


def test_rating_a_movie_creates_your_rating(as_ada, ada, catalog):
    movie = catalog["scifi"][0]

    response = as_ada.post("/api/me/ratings/", {"movie": movie.pk, "value": 4.5})

    assert response.status_code == 201
    assert response.json()["movie"] == {"id": movie.pk, "title": "Scifi 00", "year": 1980}
    assert response.json()["value"] == 4.5
    assert Rating.objects.get(user=ada, movie=movie).value == 4.5


def test_posting_a_movie_you_rated_changes_the_rating_instead_of_adding_one(as_ada, ada, catalog):
    movie = catalog["scifi"][0]
    as_ada.post("/api/me/ratings/", {"movie": movie.pk, "value": 2})

    response = as_ada.post("/api/me/ratings/", {"movie": movie.pk, "value": 3.5})

    assert response.status_code == 200 and response.json()["value"] == 3.5
    assert list(Rating.objects.filter(user=ada).values_list("value", flat=True)) == [3.5]


def test_put_of_the_same_movie_updates_never_duplicates(as_ada, ada, catalog):
    movie = catalog["romance"][1]

    created = as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 1})
    changed = as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 5.0})

    assert (created.status_code, changed.status_code) == (201, 200)
    assert Rating.objects.get(user=ada, movie=movie).value == 5.0
    assert Rating.objects.filter(user=ada).count() == 1


@pytest.mark.parametrize("value", [7, 0.3, 0, -0.5, 5.5, 2.25, "good", None])
def test_rating_of_seven_or_other_non_half_stars_is_rejected_with_a_field_error(as_ada, catalog, value):
    movie = catalog["scifi"][0]

    posted = as_ada.post("/api/me/ratings/", {"movie": movie.pk, "value": value}, format="json")
    put = as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": value}, format="json")

    for response in (posted, put):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid" and list(fields(response)) == ["value"]
    assert not Rating.objects.exists()


def test_rating_of_zero_point_three_says_the_range(as_ada, catalog):
    response = as_ada.post("/api/me/ratings/", {"movie": catalog["scifi"][0].pk, "value": 0.3})

    assert fields(response)["value"] == ["A rating is 0.5 to 5 stars."]


def test_rating_of_two_and_a_quarter_says_half_stars(as_ada, catalog):
    response = as_ada.post("/api/me/ratings/", {"movie": catalog["scifi"][0].pk, "value": 2.25})

    assert fields(response)["value"] == ["A rating is a whole or half number of stars."]
    assert response.json()["error"]["message"] == "value: A rating is a whole or half number of stars."


def test_rating_an_unknown_movie_is_not_found_naming_the_field_on_post(as_ada, catalog):
    posted = as_ada.post("/api/me/ratings/", {"movie": 999999, "value": 4})
    put = as_ada.put("/api/me/ratings/999999/", {"value": 4})

    assert posted.status_code == 404 and posted.json()["error"] == {
        "code": "not_found", "message": "movie: No movie has the id 999999.",
        "fields": {"movie": ["No movie has the id 999999."]}}
    assert put.status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize("body, field", [({"movie": "7", "value": 4}, "movie"), ({"movie": 7.0, "value": 4}, "movie"),
                                         ({"movie": True, "value": 4}, "movie"), ({"value": "4.5"}, "value"),
                                         ({"value": True}, "value")])
def test_a_rating_is_json_numbers_not_strings_or_booleans(as_ada, catalog, body, field):
    response = as_ada.post("/api/me/ratings/", {"movie": catalog["scifi"][0].pk, **body}, format="json")

    assert response.status_code == 400 and list(fields(response)) == [field]
    assert not Rating.objects.exists()


def test_a_missing_body_lists_every_missing_field(as_ada, catalog):
    response = as_ada.post("/api/me/ratings/", {})

    assert fields(response) == {"movie": ["This field is required."], "value": ["This field is required."]}


def test_you_list_only_your_own_ratings_newest_first(as_ada, ada, bob, catalog):
    rate(bob, catalog["romance"][:3], 1.0)
    as_ada.put(f"/api/me/ratings/{catalog['scifi'][0].pk}/", {"value": 4})
    as_ada.put(f"/api/me/ratings/{catalog['scifi'][1].pk}/", {"value": 5})

    body = as_ada.get("/api/me/ratings/").json()

    assert body["count"] == 2
    assert [r["movie"]["title"] for r in body["results"]] == ["Scifi 01", "Scifi 00"]


def test_you_read_your_rating_of_a_movie(as_ada, ada, catalog):
    rate(ada, catalog["scifi"][:1], 3.0)

    response = as_ada.get(f"/api/me/ratings/{catalog['scifi'][0].pk}/")

    assert response.status_code == 200 and response.json()["value"] == 3.0


def test_someone_elses_rating_is_not_found_and_left_alone(as_ada, bob, catalog):
    movie = catalog["romance"][0]
    rate(bob, [movie], 1.0)

    assert as_ada.get(f"/api/me/ratings/{movie.pk}/").status_code == 404
    assert as_ada.delete(f"/api/me/ratings/{movie.pk}/").status_code == 404
    as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 5})

    assert Rating.objects.get(user=bob, movie=movie).value == 1.0
    assert Rating.objects.filter(movie=movie).count() == 2


def test_removing_your_rating_deletes_it(as_ada, ada, catalog):
    movie = catalog["scifi"][2]
    rate(ada, [movie], 2.0)

    response = as_ada.delete(f"/api/me/ratings/{movie.pk}/")

    assert response.status_code == 204
    assert not Rating.objects.filter(user=ada).exists()


def test_removing_a_rating_you_never_gave_is_not_found(as_ada, catalog):
    response = as_ada.delete(f"/api/me/ratings/{catalog['scifi'][0].pk}/")

    assert response.status_code == 404 and response.json()["error"]["message"] == "You have not rated this movie."


@pytest.mark.parametrize("method, path", [
    ("get", "/api/me/ratings/"), ("post", "/api/me/ratings/"), ("get", "/api/me/ratings/{movie}/"),
    ("put", "/api/me/ratings/{movie}/"), ("delete", "/api/me/ratings/{movie}/"), ("get", "/api/me/picks/"),
    ("get", "/api/me/predicted/{movie}/"),
])
def test_anonymous_requests_to_me_are_refused_with_401(anonymous, catalog, method, path):
    movie = catalog["scifi"][0]

    response = getattr(anonymous, method)(path.format(movie=movie.pk), {"movie": movie.pk, "value": 4})

    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == "Token"
    assert not Rating.objects.exists()


def test_a_bad_token_is_refused_with_401(anonymous, catalog):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = anonymous.get("/api/movies/")

    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"


def test_session_writes_need_the_csrf_token(ada, catalog):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(ada)

    response = browser.post("/api/me/ratings/", {"movie": catalog["scifi"][0].pk, "value": 4})

    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]
    assert browser.get("/api/me/ratings/").status_code == 200


def test_a_session_write_with_the_csrf_token_is_accepted(ada, catalog):
    from django.utils.crypto import get_random_string
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(ada)
    token = get_random_string(32)  # what the csrftoken cookie holds
    browser.cookies["csrftoken"] = token

    response = browser.put(f"/api/me/ratings/{catalog['scifi'][0].pk}/", {"value": 4}, HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 201


def test_listing_your_ratings_takes_a_fixed_number_of_queries(as_ada, ada, catalog, django_assert_max_num_queries):
    rate(ada, catalog["scifi"] + catalog["romance"], 4.0)

    with django_assert_max_num_queries(3):  # token and user, count, page with movies
        response = as_ada.get("/api/me/ratings/", {"page_size": 24})

    assert len(response.json()["results"]) == 24


def test_picks_never_include_a_movie_you_rated_and_say_why(as_ada, ada, catalog):
    activate_ratings_model(catalog)
    rate(ada, catalog["romance"][:4], 5.0)

    picks = as_ada.get("/api/me/picks/", {"k": 5}).json()

    assert len(picks) == 5
    assert {p["movie"]["id"] for p in picks} <= {m.pk for m in catalog["romance"][4:]}
    assert all(p["because"]["id"] in {m.pk for m in catalog["romance"][:4]} for p in picks)


def test_picks_follow_a_rating_given_through_the_api_at_once(as_ada, catalog):
    activate_ratings_model(catalog)
    for movie in catalog["scifi"][:4]:
        as_ada.put(f"/api/me/ratings/{movie.pk}/", {"value": 5})

    picks = as_ada.get("/api/me/picks/", {"k": 3}).json()

    assert {p["movie"]["id"] for p in picks} <= {m.pk for m in catalog["scifi"][4:]}


def test_picks_respect_genre_and_decade(as_ada, ada, catalog):
    activate_ratings_model(catalog)
    rate(ada, catalog["scifi"][:4], 5.0)

    romances = as_ada.get("/api/me/picks/", {"k": 50, "genre": "romance"}).json()
    eighties = as_ada.get("/api/me/picks/", {"k": 50, "decade": 1984}).json()

    assert {p["movie"]["id"] for p in romances} == {m.pk for m in catalog["romance"]}
    assert {p["movie"]["id"] for p in eighties} == {m.pk for m in catalog["scifi"][4:]}


def test_an_empty_genre_means_every_genre(as_ada, ada, catalog):
    activate_ratings_model(catalog)

    picks = as_ada.get("/api/me/picks/", {"k": 30, "genre": ""}).json()

    assert len(picks) == 24


def test_a_new_user_gets_the_most_rated_movies_as_picks(as_ada, bob, catalog):
    rate(bob, catalog["romance"][:2], 3.0)

    picks = as_ada.get("/api/me/picks/").json()

    assert {p["movie"]["id"] for p in picks} == {m.pk for m in catalog["romance"][:2]}
    assert all(p["because"] is None for p in picks)


@pytest.mark.parametrize("query, field", [({"k": 0}, "k"), ({"k": 500}, "k"), ({"decade": "nineties"}, "decade")])
def test_picks_refuse_a_bad_parameter_with_a_field_error(as_ada, catalog, query, field):
    response = as_ada.get("/api/me/picks/", query)

    assert response.status_code == 400 and list(fields(response)) == [field]


def test_predicted_rating_comes_from_the_model_and_your_ratings(as_ada, ada, catalog):
    activate_ratings_model(catalog)
    rate(ada, catalog["scifi"][:4], 5.0)

    liked = as_ada.get(f"/api/me/predicted/{catalog['scifi'][6].pk}/").json()
    other = as_ada.get(f"/api/me/predicted/{catalog['romance'][6].pk}/").json()

    assert liked["movie"] == catalog["scifi"][6].pk
    assert 0.5 <= other["predicted_rating"] < liked["predicted_rating"] <= 5.0


def test_predicted_rating_is_null_without_a_model(as_ada, catalog):
    response = as_ada.get(f"/api/me/predicted/{catalog['scifi'][0].pk}/")

    assert response.json() == {"movie": catalog["scifi"][0].pk, "predicted_rating": None}


def test_predicted_rating_of_an_unknown_movie_is_not_found(as_ada, catalog):
    assert as_ada.get("/api/me/predicted/999999/").status_code == 404


def test_picks_take_a_fixed_number_of_queries(as_ada, ada, catalog, django_assert_max_num_queries):
    activate_ratings_model(catalog)
    rate(ada, catalog["scifi"][:6], 5.0)
    as_ada.get("/api/me/picks/")  # loads the model's index once per process

    # token+user, active version, the user's cache token, ratings, marks, genre, movies of it, picks
    with django_assert_max_num_queries(8):
        response = as_ada.get("/api/me/picks/", {"k": 20, "genre": "Romance"})

    assert len(response.json()) == 12


@pytest.mark.parametrize("path,kind", [("watchlist", "watchlist"), ("not-interested", "not_interested")])
def test_a_movie_is_marked_read_listed_and_taken_back(as_ada, ada, catalog, path, kind):
    first, second = catalog["scifi"][:2]

    created = as_ada.post(f"/api/me/{path}/", {"movie": first.pk}, format="json")
    again = as_ada.put(f"/api/me/{path}/{first.pk}/")
    as_ada.put(f"/api/me/{path}/{second.pk}/")

    assert created.status_code == 201 and again.status_code == 200
    assert created.json()["movie"] == {"id": first.pk, "title": first.title, "year": first.year}
    assert list(ada.marks.values_list("movie", "kind").order_by("movie")) == [(first.pk, kind), (second.pk, kind)]
    listed = as_ada.get(f"/api/me/{path}/").json()
    assert [mark["movie"]["id"] for mark in listed["results"]] == [second.pk, first.pk]  # newest first
    assert as_ada.get(f"/api/me/{path}/{first.pk}/").status_code == 200
    assert as_ada.delete(f"/api/me/{path}/{first.pk}/").status_code == 204
    gone = as_ada.delete(f"/api/me/{path}/{first.pk}/")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert as_ada.get(f"/api/me/{path}/{first.pk}/").status_code == 404


def test_marking_a_movie_one_way_takes_back_the_other(as_ada, ada, catalog):
    movie = catalog["romance"][0]
    as_ada.put(f"/api/me/watchlist/{movie.pk}/")
    assert as_ada.put(f"/api/me/not-interested/{movie.pk}/").status_code == 201
    assert as_ada.get(f"/api/me/watchlist/{movie.pk}/").status_code == 404
    assert as_ada.delete(f"/api/me/watchlist/{movie.pk}/").status_code == 404  # not this list's: left alone
    assert ada.marks.get().kind == "not_interested"


def test_marks_are_each_users_own_and_need_a_known_movie(as_ada, as_bob, anonymous, catalog):
    movie = catalog["scifi"][0]
    as_ada.put(f"/api/me/watchlist/{movie.pk}/")
    assert as_bob.get("/api/me/watchlist/").json()["count"] == 0
    assert as_bob.get(f"/api/me/watchlist/{movie.pk}/").status_code == 404
    assert anonymous.get("/api/me/watchlist/").status_code == 401
    assert as_ada.put("/api/me/watchlist/999999/").status_code == 404
    missing = as_ada.post("/api/me/watchlist/", {"movie": 999999}, format="json")  # well-formed: 404, naming it
    assert missing.status_code == 404 and missing.json()["error"]["fields"] == {
        "movie": ["No movie has the id 999999."]}
    as_text = as_ada.post("/api/me/watchlist/", {"movie": str(movie.pk)}, format="json")  # a JSON integer only
    assert as_text.status_code == 400 and "movie" in as_text.json()["error"]["fields"]


def test_picks_leave_out_marked_movies(as_ada, ada, catalog):
    activate_ratings_model(catalog)
    rate(ada, catalog["scifi"][:4], 5.0)
    best = [pick["movie"]["id"] for pick in as_ada.get("/api/me/picks/", {"k": 3}).json()]

    as_ada.put(f"/api/me/watchlist/{best[0]}/")
    as_ada.put(f"/api/me/not-interested/{best[1]}/")

    after = [pick["movie"]["id"] for pick in as_ada.get("/api/me/picks/", {"k": 3}).json()]
    assert after[0] == best[2] and not {best[0], best[1]} & set(after)
