"""Rating entry: the star form without JavaScript, the REST API path the widget takes with it, your ratings."""
import pytest
from django.test import Client
from django.urls import reverse

from movies.models import Rating
from movies.ratings import set_rating

pytestmark = pytest.mark.django_db


def test_rating_without_javascript_posts_the_form_and_comes_back(as_viewer, viewer, catalog):
    movie = catalog["romance"][5]
    page = reverse("movie", args=[movie.pk])
    response = as_viewer.post(reverse("rate", args=[movie.pk]), {"value": "4.5", "next": page})
    assert response.status_code == 302 and response.url == page
    assert Rating.objects.get(user=viewer, movie=movie).value == 4.5
    movie.refresh_from_db()
    assert (movie.num_ratings, movie.mean_rating) == (1, 4.5)


def test_rating_again_changes_the_one_rating(as_viewer, viewer, catalog):
    movie = catalog["scifi"][0]
    for value in ("2.0", "3.5"):
        as_viewer.post(reverse("rate", args=[movie.pk]), {"value": value})
    assert list(Rating.objects.filter(user=viewer, movie=movie).values_list("value", flat=True)) == [3.5]
    movie.refresh_from_db()
    assert movie.num_ratings == 6 and movie.mean_rating == pytest.approx((4 + 4.5 + 4 + 4.5 + 4 + 3.5) / 6)


@pytest.mark.parametrize("value", ["7", "0.3", "0", "", "abc"])
def test_a_bad_rating_is_refused(as_viewer, viewer, catalog, value):
    response = as_viewer.post(reverse("rate", args=[catalog["scifi"][0].pk]), {"value": value}, follow=True)
    assert not Rating.objects.filter(user=viewer).exists()
    assert "Choose 0.5 to 5 stars." in response.content.decode()


def test_clear_removes_your_rating(as_viewer, viewer, catalog):
    movie = catalog["scifi"][0]
    set_rating(user=viewer, movie=movie, value=1)
    as_viewer.post(reverse("rate", args=[movie.pk]), {"value": "1.0", "clear": "1"})
    assert not Rating.objects.filter(user=viewer, movie=movie).exists()
    movie.refresh_from_db()
    assert movie.num_ratings == 5


def test_rating_never_redirects_off_the_site(as_viewer, catalog):
    movie = catalog["scifi"][0]
    response = as_viewer.post(reverse("rate", args=[movie.pk]), {"value": "4.0", "next": "https://evil.example/"})
    assert response.url == reverse("movie", args=[movie.pk])


def test_rating_needs_a_login_and_csrf(viewer, catalog):
    movie = catalog["scifi"][0]
    assert Client().post(reverse("rate", args=[movie.pk]), {"value": "4.0"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(viewer)
    assert strict.post(reverse("rate", args=[movie.pk]), {"value": "4.0"}).status_code == 403
    assert not Rating.objects.filter(user=viewer).exists()


def test_with_javascript_the_widget_rates_through_the_api_with_session_and_csrf(viewer, catalog):
    """What site.js does: PUT /api/me/ratings/{movie}/ with the session cookie and the form's CSRF token."""
    movie = catalog["romance"][1]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(viewer)
    page = browser.get(reverse("movie", args=[movie.pk]))
    token = page.context["csrf_token"]
    api = page.content.decode().split('data-api="')[1].split('"')[0]
    assert api == f"/api/me/ratings/{movie.pk}/"
    assert browser.put(api, {"value": 4.0}, content_type="application/json").status_code == 403  # no token
    saved = browser.put(api, {"value": 4.0}, content_type="application/json", HTTP_X_CSRFTOKEN=str(token))
    assert saved.status_code == 201 and saved.json()["value"] == 4.0
    again = browser.put(api, {"value": 2.5}, content_type="application/json", HTTP_X_CSRFTOKEN=str(token))
    assert again.status_code == 200 and Rating.objects.get(user=viewer, movie=movie).value == 2.5
    assert browser.delete(api, HTTP_X_CSRFTOKEN=str(token)).status_code == 204
    movie.refresh_from_db()
    assert movie.num_ratings == 5  # the five imported viewers


def test_your_ratings_lists_them_newest_first_with_the_widget(as_viewer, viewer, catalog,
                                                              django_assert_max_num_queries):
    for n, movie in enumerate(catalog["scifi"][:12]):
        set_rating(user=viewer, movie=movie, value=1 + n % 4)
    with django_assert_max_num_queries(6):
        page = as_viewer.get(reverse("my_ratings"))
    ratings = list(page.context["page"].object_list)
    assert len(ratings) == 12 and ratings[0].movie == catalog["scifi"][11]
    assert page.content.decode().count('class="rate compact"') == 12


def test_your_ratings_shows_only_yours(as_viewer, catalog):
    assert "You have not rated any movie yet" in as_viewer.get(reverse("my_ratings")).content.decode()
