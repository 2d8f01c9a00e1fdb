"""The spectral picks model (ml/spectral.py): EASE as embeddings. Run with ``-p no:django`` too."""
import numpy as np

from ml import spectral
from ml.serving.fold_in import fold_in_sum
from ml.serving.index import EmbeddingIndex
from ml.training.baselines import EASE
from ml.training.evaluation import Catalog, Ratings
from tests.ml.test_collaborative import fresh_state, progress_uses_the_test_connection  # noqa: F401 (no database)


def choices(n_users=40, n_movies=60, per_user=12, seed=0):
    """Users who each rate movies of one of three groups, mostly: distinct (user, movie) rows."""
    rng = np.random.default_rng(seed)
    users, movies = [], []
    for user in range(n_users):
        group = user % 3
        weights = np.where(np.arange(n_movies) % 3 == group, 5.0, 1.0)
        chosen = rng.choice(n_movies, per_user, replace=False, p=weights / weights.sum())
        users += [user] * per_user
        movies += list(chosen)
    return np.array(users), np.array(movies)


def unseen_scores(scores, users, movies):
    """The scores with each user's own movies removed (where EASE's and ours may differ)."""
    scores = np.array(scores, dtype=np.float64)
    scores[users, movies] = np.nan
    return scores


def test_with_every_direction_kept_the_scores_are_ease_scores_of_the_movies_a_user_has_not_rated():
    users, movies = choices()
    found = spectral.spectrum(users, movies, 40, 60, rank=64)  # 40 users: every direction
    w = found.input_vectors(lam=30.0)
    ours = spectral.user_vectors(users, movies, 40, w) @ spectral.output_vectors(w).T
    ratings = Ratings.from_lists(users, movies)
    ease = EASE(lam=30.0, dtype=np.float64).fit(ratings, Catalog(np.arange(40), np.arange(60))).scores(np.arange(40))
    np.testing.assert_allclose(unseen_scores(ours, users, movies), unseen_scores(ease, users, movies), rtol=1e-3,
                               atol=1e-5)


def test_a_large_matrix_keeps_its_strongest_directions_found_by_a_randomized_svd():
    users, movies = choices(n_users=300, n_movies=200, per_user=20)
    exact = spectral.spectrum(users, movies, 300, 200, rank=200)
    approximate = spectral.spectrum(users, movies, 300, 200, rank=30, seed=1)
    assert approximate.v.shape == (200, 30)
    np.testing.assert_allclose(approximate.s[:3], exact.s[:3], rtol=1e-4)  # the strong directions: exactly
    assert (approximate.s**2).sum() > 0.98 * (exact.s[:30] ** 2).sum()  # the flat tail: nearly all its energy
    # Each strong approximate direction lies in the span of the exact top directions.
    projection = exact.v[:, :40].T @ approximate.v[:, :10]
    np.testing.assert_allclose(np.linalg.norm(projection, axis=0), 1.0, atol=0.01)


def test_a_users_vector_is_the_sum_of_the_input_vectors_of_his_movies_once_each():
    users, movies = choices()
    w = spectral.spectrum(users, movies, 40, 60, rank=64).input_vectors(lam=10.0)
    index = EmbeddingIndex(np.arange(60) + 100, spectral.output_vectors(w), input_vectors=w)
    rated = movies[users == 3]
    expected = spectral.user_vectors(users, movies, 40, w)[3]
    np.testing.assert_allclose(fold_in_sum(index, np.concatenate([rated, rated[:2], [999]]) + 100), expected,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fold_in_sum(index, []), np.zeros(w.shape[1]))


def test_output_vectors_divide_by_lambda_times_the_diagonal_of_the_inverse():
    w = np.array([[0.6, 0.0], [0.0, 0.5]], np.float32)
    np.testing.assert_allclose(spectral.output_vectors(w), [[0.6 / 0.64, 0.0], [0.0, 0.5 / 0.75]], rtol=1e-6)


def test_small_catalogs_keep_every_direction_and_large_ones_what_a_picks_request_can_score():
    from ml.training.collaborative import SPECTRAL_SERVING_CELLS, spectral_rank

    assert spectral_rank(610, 9_724) == 610  # ml-latest-small: every direction, so EASE exactly
    assert spectral_rank(3_000, 3_700) == 3_000  # ml-1m-sized
    assert spectral_rank(162_541, 59_047) * 59_047 <= SPECTRAL_SERVING_CELLS  # ml-25m: about a millisecond
