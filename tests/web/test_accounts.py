"""Sign up, log in, log out, and onboarding (a dozen well-known, varied movies to rate)."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from movies.ratings import set_rating

pytestmark = pytest.mark.django_db


def test_sign_up_logs_you_in_and_starts_onboarding(client, catalog):
    response = client.post(reverse("signup"), {"username": "newbie", "password1": "a-long-password-9",
                                               "password2": "a-long-password-9"})
    assert response.status_code == 302 and response.url == reverse("onboarding")
    page = client.get(response.url)
    assert page.context["user"].username == "newbie"
    movies = [movie for movie, _ in page.context["movies"]]
    assert len(movies) == len(set(movies)) == 17  # every rated movie once (14 sci-fi, 3 romances)
    assert {"Scifi 0", "Romance 0"} <= {m.title for m in movies[:4]}  # the most rated of each genre first


def test_sign_up_refuses_mismatched_passwords(client, db):
    response = client.post(reverse("signup"), {"username": "x", "password1": "a-long-password-9",
                                               "password2": "another-password-9"})
    assert response.status_code == 200 and not get_user_model().objects.filter(username="x").exists()


def test_onboarding_marks_what_you_rated(as_viewer, viewer, catalog):
    set_rating(user=viewer, movie=catalog["scifi"][0], value=4.5)
    page = as_viewer.get(reverse("onboarding"))
    assert dict(page.context["movies"])[catalog["scifi"][0]] == 4.5
    assert page.context["rated_count"] == 1


def test_log_in_and_out(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert 'Log out<span class="who"> viewer</span>' in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert "Log in" in client.get(reverse("home")).content.decode()
