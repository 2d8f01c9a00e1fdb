"""The Embedding Projector export: two TSV files, a movie per line in the same order, that the projector loads."""
import numpy as np
import pytest

from ml import versions
from ml.models import ModelKind
from ml.training.projector import export_projector
from movies.models import Genre, Movie

pytestmark = pytest.mark.django_db


@pytest.fixture
def movies():
    drama, comedy = Genre.objects.create(name="Drama"), Genre.objects.create(name="Comedy")
    made = [Movie.objects.create(title="Tab\tin the title", year=1999), Movie.objects.create(title="No year"),
            Movie.objects.create(title="Two genres", year=2004), Movie.objects.create(title="Not in the version")]
    made[0].genres.add(drama)
    made[2].genres.add(drama, comedy)
    return made


def read(directory):
    vectors = [line.split("\t") for line in (directory / "vectors.tsv").read_text().splitlines()]
    metadata = (directory / "metadata.tsv").read_text().splitlines()
    return np.array(vectors, dtype=np.float32), metadata


def test_export_writes_each_movie_of_the_version_with_its_ranking_vector_title_year_and_genres(movies, tmp_path):
    in_version = movies[:3]
    ids = np.array([movie.pk for movie in reversed(in_version)], np.int64)  # stored in any order
    rng = np.random.default_rng(3)
    rating, ranking = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(3, 5)).astype(np.float32)
    version = versions.save_version(kind=ModelKind.RATINGS, movie_ids=ids, movie_vectors=rating,
                                    rank_movie_vectors=ranking)

    vectors, metadata = read(export_projector(version, tmp_path))

    by_id = {int(movie): row for movie, row in zip(ids, ranking)}
    expected = np.array([by_id[movie.pk] for movie in in_version])  # in id order, as the metadata
    np.testing.assert_allclose(vectors, expected, rtol=1e-5)
    assert metadata == ["Title\tYear\tGenres", "Tab in the title\t1999\tDrama", "No year\t\t",
                        "Two genres\t2004\tComedy|Drama"]


def test_export_of_a_link_version_writes_its_only_vectors(movies, tmp_path):
    ids = np.array([movies[1].pk], np.int64)
    vector = np.array([[0.5, -1.25, 1e-05]], np.float32)
    version = versions.save_version(kind=ModelKind.LINKS, movie_ids=ids, movie_vectors=vector)

    vectors, metadata = read(export_projector(version, tmp_path))

    np.testing.assert_allclose(vectors, vector, rtol=1e-5)
    assert metadata == ["Title\tYear\tGenres", "No year\t\t"]
