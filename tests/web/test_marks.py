"""The watchlist and "not interested": buttons on the movie page and on cards (forms that work without JavaScript),
your lists, and picks that leave both out."""
import re

import pytest
from django.urls import reverse

from movies.marks import mark
from movies.models import Mark
from movies.ratings import set_rating

pytestmark = pytest.mark.django_db


def picked(response):
    return [pick.movie for pick in response.context["picks"]]


def buttons(html, movie):
    form = re.search(rf'<form class="mark[^"]*" method="post" action="/movies/{movie.pk}/mark/".*?</form>', html, re.S)
    return re.findall(r'value="([a-z_]+)" class="[^"]*" aria-pressed="(true|false)">([^<]+)</button>', form.group())


def test_the_movie_page_offers_both_marks_and_says_which_one_is_set(as_viewer, viewer, catalog):
    movie = catalog["scifi"][0]
    url = reverse("movie", args=[movie.pk])
    assert buttons(as_viewer.get(url).content.decode(), movie) == [
        ("watchlist", "false", "+ Watchlist"), ("not_interested", "false", "Not interested")]

    mark(user=viewer, movie=movie, kind=Mark.Kind.WATCHLIST)
    html = as_viewer.get(url).content.decode()
    assert buttons(html, movie) == [("none", "true", "✓ On your watchlist"), ("not_interested", "false",
                                                                            "Not interested")]
    assert f'data-watchlist="/api/me/watchlist/{movie.pk}/"' in html


def test_visitors_get_no_mark_buttons(client, catalog):
    html = client.get(reverse("movie", args=[catalog["scifi"][0].pk])).content.decode()
    assert 'class="mark' not in html
    assert 'class="mark' not in client.get(reverse("browse")).content.decode()


def test_the_form_without_javascript_marks_takes_back_and_returns_to_the_page(as_viewer, viewer, catalog):
    movie = catalog["romance"][0]
    url = reverse("mark", args=[movie.pk])

    response = as_viewer.post(url, {"set": "watchlist", "next": "/picks/"})
    assert response.status_code == 302 and response.url == "/picks/"
    assert viewer.marks.get().kind == "watchlist"
    as_viewer.post(url, {"set": "not_interested"})
    assert viewer.marks.get().kind == "not_interested"
    response = as_viewer.post(url, {"set": "none", "next": "https://evil.example/"})
    assert response.url == reverse("movie", args=[movie.pk]) and not viewer.marks.exists()
    assert as_viewer.post(url, {"set": "favourite"}).status_code == 400


def test_marking_needs_a_login_and_a_post(as_viewer, catalog):
    from django.test import Client

    url = reverse("mark", args=[catalog["scifi"][0].pk])
    assert reverse("login") in Client().post(url, {"set": "watchlist"}).url
    assert reverse("login") in Client().get(reverse("watchlist")).url
    assert as_viewer.get(url).status_code == 405


def test_picks_leave_out_the_watchlist_and_not_interested(as_viewer, viewer, models):
    for movie in models["romance"][:4]:
        set_rating(user=viewer, movie=movie, value=5)
    first, second = picked(as_viewer.get(reverse("picks")))[:2]

    as_viewer.post(reverse("mark", args=[first.pk]), {"set": "watchlist"})
    as_viewer.post(reverse("mark", args=[second.pk]), {"set": "not_interested"})

    after = picked(as_viewer.get(reverse("picks")))
    assert first not in after and second not in after and after
    home = as_viewer.get(reverse("home"))
    assert first not in [pick.movie for pick in home.context["picks"]]


def test_picks_cards_carry_the_buttons(as_viewer, viewer, models):
    set_rating(user=viewer, movie=models["romance"][0], value=5)
    page = as_viewer.get(reverse("picks"))
    html = page.content.decode()
    assert html.count('<form class="mark compact"') == len(picked(page)) > 0


def test_the_watchlist_lists_its_movies_newest_first_with_their_stars(as_viewer, viewer, catalog,
                                                                      django_assert_max_num_queries):
    older, newer, other = catalog["scifi"][0], catalog["romance"][1], catalog["romance"][2]
    mark(user=viewer, movie=older, kind=Mark.Kind.WATCHLIST)
    mark(user=viewer, movie=newer, kind=Mark.Kind.WATCHLIST)
    mark(user=viewer, movie=other, kind=Mark.Kind.NOT_INTERESTED)
    set_rating(user=viewer, movie=older, value=3.5)

    with django_assert_max_num_queries(8):
        page = as_viewer.get(reverse("watchlist"))
    assert page.context["movies"] == [newer, older]
    html = page.content.decode()
    assert "2 movies, newest first" in html and 'value="3.5" checked' in html
    assert buttons(html, newer)[0] == ("none", "true", "✓ On your watchlist")
    assert as_viewer.get(reverse("not_interested")).context["movies"] == [other]


def test_empty_lists_say_how_to_fill_them(as_viewer, catalog):
    assert "Your watchlist is empty" in as_viewer.get(reverse("watchlist")).content.decode()
    assert "not marked any movie" in as_viewer.get(reverse("not_interested")).content.decode()


def test_browse_and_home_cards_show_your_marks(as_viewer, viewer, catalog):
    # On the first page; among the recently added (the newest with at least RECENT_MIN_RATINGS ratings).
    rated, recent = catalog["scifi"][0], catalog["romance"][2]
    for movie in (rated, recent):
        mark(user=viewer, movie=movie, kind=Mark.Kind.NOT_INTERESTED)
    for html, movie in ((as_viewer.get(reverse("browse")).content.decode(), rated),
                        (as_viewer.get(reverse("home")).content.decode(), recent)):
        assert ("none", "true", "Undo “not interested”") in buttons(html, movie)
        assert "card marked-not-interested" in html
