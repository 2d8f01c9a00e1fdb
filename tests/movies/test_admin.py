"""The catalog's admin: ratings edited there keep the movies' stored numbers right; queued imports can be
cancelled."""
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from movies.models import ImportJob, Movie, Rating
from movies.ratings import set_rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = User.objects.create_superuser("boss", password="pw")
    client.force_login(user)
    return user


@pytest.fixture
def rated(staff):
    alien, heat = Movie.objects.create(title="Alien"), Movie.objects.create(title="Heat")
    viewer = User.objects.create_user("viewer")
    set_rating(user=viewer, movie=alien, value=4)
    set_rating(user=staff, movie=alien, value=2)
    return alien, heat, viewer.ratings.get()


def stats(movie):
    movie.refresh_from_db()
    return movie.num_ratings, movie.mean_rating


def test_a_rating_changed_in_the_admin_changes_its_movies_numbers(client, rated):
    alien, heat, rating = rated
    client.post(reverse("admin:movies_rating_change", args=[rating.pk]),
                {"user": rating.user_id, "movie": heat.pk, "value": "5.0", "rated_at_0": "2024-05-01",
                 "rated_at_1": "12:00:00"})
    assert stats(alien) == (1, 2.0) and stats(heat) == (1, 5.0)


def test_ratings_deleted_in_the_admin_leave_their_movies_numbers_right(client, rated):
    alien, _, rating = rated
    client.post(reverse("admin:movies_rating_changelist"),
                {"action": "delete_selected", "_selected_action": [rating.pk], "post": "yes"})
    assert not Rating.objects.filter(pk=rating.pk).exists() and stats(alien) == (1, 2.0)


def test_a_queued_import_whose_task_was_lost_can_be_cancelled(client, staff):
    job = ImportJob.objects.create(kind="movielens", source="/data/ml-latest-small")
    client.post(reverse("admin:movies_importjob_changelist"),
                {"action": "cancel_queued", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "cancelled by boss before a worker took it")
