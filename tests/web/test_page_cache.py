"""Whole pages cached per visitor (web/page_cache.py): served again without a query, but never stale for the user
who changed something, never to another visitor, and never to a session that has ended."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ml.serving import active
from movies.ratings import set_rating
from tests.factories import activate_models

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(redis_cache, viewer):
    """The viewer's browser: signed in, holding the CSRF cookie of a first page, as a browser does."""
    client = Client()
    client.force_login(viewer)
    client.get(reverse("home"))
    return client


def picked_titles(response) -> list[str]:
    return re.findall(r'<a class="title" href="[^"]+">([^<]+)</a>', response.content.decode())


def test_a_page_seen_again_is_read_from_the_cache_without_a_query(signed_in, models, django_assert_num_queries,
                                                                  monkeypatch):
    monkeypatch.setattr(active, "RECHECK_SECONDS", 60)  # as in production: the active versions are known
    url = reverse("movie", args=[models["scifi"][0].pk])
    first = signed_in.get(url)
    with django_assert_num_queries(0):
        again = signed_in.get(url)
    assert again.status_code == 200 and again.context is None and again.content == first.content


def test_a_cached_page_goes_gzipped_to_a_browser_that_accepts_it_and_plain_to_one_that_does_not(signed_in, models,
                                                                                                monkeypatch):
    import gzip

    monkeypatch.setattr(active, "RECHECK_SECONDS", 60)
    url = reverse("picks")
    rendered = signed_in.get(url).content
    browser = signed_in.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br, zstd")
    plain = signed_in.get(url)

    assert browser.context is None and browser["Content-Encoding"] == "gzip"
    assert gzip.decompress(browser.content) == rendered and len(browser.content) < len(rendered) / 3
    assert plain.context is None and not plain.has_header("Content-Encoding") and plain.content == rendered
    for response in (browser, plain):
        assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_page_cached_in_an_older_form_is_rendered_again(signed_in, models, monkeypatch):
    """Entries stored by the version before pages were gzipped (a plain "body") are misses, not errors."""
    from web import page_cache

    monkeypatch.setattr(active, "RECHECK_SECONDS", 60)
    url = reverse("movie", args=[models["scifi"][0].pk])
    request = signed_in.get(url).wsgi_request
    cache.set(page_cache._key(request), {"versions": active.active_versions(), "content_type": "text/html",
                                         "body": b"old"})
    again = signed_in.get(url)
    assert again.status_code == 200 and again.context is not None and b"old" != again.content


def test_a_rendered_page_is_gzipped_for_a_browser_that_accepts_it(as_viewer, models):
    import gzip

    url = reverse("movie", args=[models["scifi"][0].pk])
    response = as_viewer.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.context is not None and response["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(response.content)


def test_a_rating_shows_on_the_very_next_page(signed_in, models):
    before = picked_titles(signed_in.get(reverse("picks")))
    rated = next(movie for movie in models["scifi"] + models["romance"] if movie.title == before[0])

    response = signed_in.put(f"/api/me/ratings/{rated.pk}/", {"value": 4.5}, content_type="application/json",
                             HTTP_X_CSRFTOKEN=signed_in.cookies["csrftoken"].value)

    assert response.status_code in (200, 201)
    after = signed_in.get(reverse("picks"))
    assert rated.title not in picked_titles(after) and ">1 rating</span>, as they are now" in after.content.decode()


def test_a_rating_form_on_a_cached_page_carries_a_valid_csrf_token(redis_cache, viewer, models):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    client.get(reverse("home"))
    movie = models["romance"][0]
    client.get(reverse("movie", args=[movie.pk]))
    cached = client.get(reverse("movie", args=[movie.pk])).content.decode()

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached).group(1)
    response = client.post(reverse("rate", args=[movie.pk]), {"value": "4.0", "csrfmiddlewaretoken": token})

    assert response.status_code == 302 and viewer.ratings.get().value == 4.0


def test_another_user_is_never_served_someone_elses_page(signed_in, redis_cache, models):
    signed_in.get(reverse("picks"))
    other = Client()
    other.force_login(get_user_model().objects.create_user("other", password="another-long-password"))
    page = other.get(reverse("picks")).content.decode()
    assert "Signed in as other" in page and "Signed in as viewer" not in page


def test_a_logged_out_session_is_not_served_the_cached_page(signed_in, models):
    assert signed_in.get(reverse("picks")).status_code == 200
    stolen = Client()
    stolen.cookies = signed_in.cookies  # the same cookies, kept after the logout

    signed_in.post(reverse("logout"))

    response = stolen.get(reverse("picks"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_new_password_ends_the_cached_pages_of_the_other_sessions(signed_in, viewer, models):
    assert signed_in.get(reverse("picks")).status_code == 200

    viewer.set_password("a-new-long-password")
    viewer.save()

    response = signed_in.get(reverse("picks"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_anonymous_visitors_share_pages(redis_cache, models, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(active, "RECHECK_SECONDS", 60)
    url = reverse("movie", args=[models["scifi"][1].pk])
    first = Client().get(url)
    with django_assert_num_queries(0):
        again = Client().get(url)
    assert again.content == first.content and "Log in</a> or" in again.content.decode()


def test_a_new_active_model_version_is_served_at_once(signed_in, models):
    url = reverse("movie", args=[models["scifi"][0].pk])
    signed_in.get(url)
    assert signed_in.get(url).context is None  # read from the cache: nothing rendered

    activate_models(models)  # new versions of both models

    assert signed_in.get(url).context is not None


def test_a_message_after_a_form_is_shown_instead_of_the_cached_page(signed_in, models):
    movie = models["scifi"][2]
    signed_in.get(reverse("movie", args=[movie.pk]))
    page = signed_in.post(reverse("rate", args=[movie.pk]), {"value": "3.5"}, follow=True).content.decode()
    assert f"Rated {movie.title}: 3.5 stars." in page


def test_a_page_made_from_data_older_than_a_change_is_not_kept(signed_in, viewer, models):
    """The race the token closes: a page rendered from the ratings as they were before a change that committed
    (and dropped the user's pages) while it was being rendered."""
    from movies import user_state
    from web import page_cache

    request = signed_in.get(reverse("home")).wsgi_request
    token = user_state.token(viewer.pk)  # read before the page's data...
    set_rating(user=viewer, movie=models["scifi"][0], value=4)  # ...then a change commits...

    page_cache.store("web:page:test", {"versions": (), "content_type": "text/html", "gzipped": b"old"},
                     request=request, user_id=viewer.pk, token=token)  # ...then the page is stored

    assert cache.get("web:page:test") is None


def test_without_a_shared_cache_every_page_is_rendered(as_viewer, models):
    url = reverse("movie", args=[models["scifi"][0].pk])
    as_viewer.get(url)
    assert as_viewer.get(url).context is not None


def test_a_mark_shows_on_the_very_next_page(signed_in, models):
    """Marks end the user's cached pages and picks, as ratings do."""
    before = picked_titles(signed_in.get(reverse("picks")))
    dismissed = next(movie for movie in models["scifi"] + models["romance"] if movie.title == before[0])

    response = signed_in.put(f"/api/me/not-interested/{dismissed.pk}/", content_type="application/json",
                             HTTP_X_CSRFTOKEN=signed_in.cookies["csrftoken"].value)

    assert response.status_code == 201
    assert dismissed.title not in picked_titles(signed_in.get(reverse("picks")))
    assert "Undo “not interested”" in signed_in.get(reverse("movie", args=[dismissed.pk])).content.decode()
    signed_in.delete(f"/api/me/not-interested/{dismissed.pk}/", HTTP_X_CSRFTOKEN=signed_in.cookies["csrftoken"].value)
    assert dismissed.title in picked_titles(signed_in.get(reverse("picks")))
