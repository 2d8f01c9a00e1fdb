"""A movie's tags as shown: the users' tags grouped by their words, counted per user, in the most common spelling."""
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from movies.models import Movie, MovieTag, Tag
from movies.tags import refresh_movie_tags, tag_key, top_tags

pytestmark = pytest.mark.django_db
WHEN = datetime(2024, 5, 1, tzinfo=UTC)


def tag(movie, user, text):
    Tag.objects.create(movie=movie, user=user, text=text, tagged_at=WHEN)


@pytest.mark.parametrize("text,key", [("Time Travel", "time travel"), ("  time   travel ", "time travel"),
                                      ("Tíme travel", "time travel"), ("SCI-FI", "sci-fi"), ("", "")])
def test_tag_key_ignores_case_accents_and_spacing(text, key):
    assert tag_key(text) == key


def test_tags_are_grouped_by_their_words_and_counted_per_user():
    movie, other = Movie.objects.create(title="Primer"), Movie.objects.create(title="Alien")
    ada, bob, cy = (get_user_model().objects.create_user(name) for name in ("ada", "bob", "cy"))
    for user, text in [(ada, "time travel"), (bob, "Time Travel"), (cy, "time travel"), (ada, "Time  travel"),
                       (ada, "low budget"), (bob, "low budget"), (cy, "Mind-bending")]:
        tag(movie, user, text)
    tag(other, ada, "aliens")

    assert refresh_movie_tags() == 4
    assert [(t.name, t.count) for t in top_tags(movie)] == [("time travel", 3), ("low budget", 2),
                                                             ("Mind-bending", 1)]
    assert [t.name for t in top_tags(movie, k=1)] == ["time travel"]
    assert refresh_movie_tags() == 4 and MovieTag.objects.count() == 4  # rebuilt, not added to


def test_tags_of_a_release_are_counted_by_its_import(release):
    from movies.importers.movielens import import_movielens

    counts = import_movielens(str(release.path))

    assert counts["movie_tags"] == MovieTag.objects.count() > 0
    assert sum(MovieTag.objects.values_list("count", flat=True)) == len(
        {(user, movie, tag_key(text)) for user, movie, text in Tag.objects.values_list("user", "movie", "text")})
