"""One rating followed through the public services, each of its effects asserted: the row, the movie's numbers and
the user's picks, which are cached in a shared cache and still change at once. No signal does any of it."""
import pytest
from django.contrib.auth.models import User
from django.db.models.signals import post_delete, post_save
from django.urls import reverse

from ml.serving.recommendations import picks_for
from movies import user_state
from movies.models import Mark, Rating
from movies.ratings import remove_rating, set_rating
from tests.factories import activate_ratings_model, make_catalog

pytestmark = pytest.mark.django_db(transaction=True)


def picked(user, k: int = 5) -> list[int]:
    return [pick.movie.pk for pick in picks_for(user=user, k=k)]


def test_no_signal_hears_of_ratings_or_marks():
    assert not any(signal.has_listeners(model) for signal in (post_save, post_delete) for model in (Rating, Mark))


def test_a_rating_through_the_service_writes_the_row_the_stats_and_changes_the_users_picks(redis_cache):
    catalog = make_catalog(per_genre=20)
    activate_ratings_model(catalog)
    ada = User.objects.create_user("ada")
    set_rating(user=ada, movie=catalog["romance"][0], value=4.5)
    before = picked(ada)
    assert picked(ada) == before and before[0] in {m.pk for m in catalog["romance"]}  # cached, romances
    top = catalog["romance"][[m.pk for m in catalog["romance"]].index(before[0])]

    rating, created = set_rating(user=ada, movie=top, value=2.0)

    assert created and Rating.objects.get(user=ada, movie=top) == rating and rating.value == 2.0
    top.refresh_from_db()
    assert (top.num_ratings, top.mean_rating) == (1, 2.0)
    after = picked(ada)
    assert top.pk not in after and after != before

    assert remove_rating(user=ada, movie=top)
    top.refresh_from_db()
    assert not Rating.objects.filter(user=ada, movie=top).exists()
    assert (top.num_ratings, top.mean_rating) == (0, None)
    assert top.pk in picked(ada)


def test_a_rating_deleted_in_the_admin_changes_the_users_picks_too(redis_cache, client):
    catalog = make_catalog(per_genre=20)
    activate_ratings_model(catalog)
    ada = User.objects.create_user("ada")
    set_rating(user=ada, movie=catalog["romance"][0], value=4.5)
    rating = set_rating(user=ada, movie=catalog["romance"][1], value=5.0)[0]
    token = user_state.token(ada.pk)
    assert catalog["romance"][1].pk not in picked(ada, k=40)  # cached
    client.force_login(User.objects.create_superuser("boss", password="pw"))

    client.post(reverse("admin:movies_rating_delete", args=[rating.pk]), {"post": "yes"})

    assert user_state.token(ada.pk) != token and catalog["romance"][1].pk in picked(ada, k=40)
    movie = catalog["romance"][1]
    movie.refresh_from_db()
    assert movie.num_ratings == 0
