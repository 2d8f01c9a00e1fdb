"""Your picks: personal, never a rated movie, with reasons and filters, changed right after a rating."""
import pytest
from django.urls import reverse

from movies.ratings import set_rating

pytestmark = pytest.mark.django_db


def picked(response):
    return [pick.movie for pick in response.context["picks"]]


def test_picks_need_a_login(client, db):
    response = client.get(reverse("picks"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_picks_follow_your_taste_with_reasons_and_never_a_rated_movie(as_viewer, viewer, models,
                                                                     django_assert_max_num_queries):
    for movie in models["romance"][:4]:
        set_rating(user=viewer, movie=movie, value=5)
    as_viewer.get(reverse("picks"))
    with django_assert_max_num_queries(10):
        page = as_viewer.get(reverse("picks"))
    movies = picked(page)
    assert movies and all(m.title.startswith("Romance") for m in movies[:10])
    assert not set(movies) & set(models["romance"][:4])
    assert "Because you rated <a" in page.content.decode()


def test_picks_change_right_after_a_rating(as_viewer, viewer, models):
    set_rating(user=viewer, movie=models["romance"][0], value=5)
    before = picked(as_viewer.get(reverse("picks")))
    for movie in models["scifi"][:6]:
        as_viewer.post(reverse("rate", args=[movie.pk]), {"value": "5.0"})
    after = picked(as_viewer.get(reverse("picks")))
    assert after[:5] != before[:5]
    assert not set(after) & set(models["scifi"][:6])


def test_picks_filter_by_genre_and_decade(as_viewer, viewer, models):
    set_rating(user=viewer, movie=models["scifi"][0], value=5)
    romances = picked(as_viewer.get(reverse("picks"), {"genre": "Romance"}))
    assert romances and all(m.title.startswith("Romance") for m in romances)
    eighties = picked(as_viewer.get(reverse("picks"), {"decade": "1980"}))
    assert eighties and all(1980 <= m.year < 1990 for m in eighties)


def test_picks_without_ratings_are_popular_and_say_so(as_viewer, catalog):
    page = as_viewer.get(reverse("picks"))
    assert picked(page)[0] == catalog["scifi"][0]
    assert "You have not rated anything yet" in page.content.decode()


def test_remembered_picks_are_dropped_as_soon_as_ratings_change(as_viewer, viewer, models):
    """Picks are cached per user, under a key read from the database, so any rating write changes them."""
    from movies.ratings import remove_rating

    for movie in models["romance"][:3]:
        set_rating(user=viewer, movie=movie, value=5)
    first = picked(as_viewer.get(reverse("picks")))
    assert picked(as_viewer.get(reverse("picks"))) == first  # remembered
    set_rating(user=viewer, movie=first[0], value=1)  # as the API would
    assert first[0] not in picked(as_viewer.get(reverse("picks")))
    remove_rating(user=viewer, movie=first[0])
    assert first[0] in picked(as_viewer.get(reverse("picks")))


def test_picks_come_in_pages_of_24_with_page_numbers(as_viewer, viewer, models):
    set_rating(user=viewer, movie=models["romance"][0], value=5)
    first = as_viewer.get(reverse("picks"))
    second = as_viewer.get(reverse("picks"), {"page": 2, "genre": ""})

    assert len(picked(first)) == 24 and len(picked(second)) == 39 - 24
    assert not set(picked(first)) & set(picked(second))
    html = first.content.decode()
    assert '<span class="current" aria-current="page">1</span><a href="?page=2">2</a>' in html
    assert 'rel="next"' in html and 'rel="next"' not in second.content.decode()
    assert 'href="?genre=&amp;page=1" rel="prev"' in second.content.decode()
    assert picked(as_viewer.get(reverse("picks"), {"page": "x"})) == picked(first)


def test_pick_cards_show_the_predicted_rating(as_viewer, viewer, models):
    from ml.serving.recommendations import predicted_rating

    set_rating(user=viewer, movie=models["scifi"][0], value=5)
    page = as_viewer.get(reverse("picks"))
    html = page.content.decode()

    first = picked(page)[0]
    expected = predicted_rating(user=viewer, movie=first)
    assert page.context["predicted"][first.pk] == expected
    assert f'title="your predicted rating">We predict <strong>{expected:.1f}</strong> ★' in html
    assert html.count('class="guess"') == len(picked(page))
    home = as_viewer.get(reverse("home")).content.decode()
    assert home.count('class="guess"') == 12
