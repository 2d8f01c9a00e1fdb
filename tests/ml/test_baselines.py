"""The non-neural baselines: most popular, EASE and the global mean."""
import numpy as np
import pytest

from ml.training.baselines import EASE, GlobalMean, MostPopular
from ml.training.evaluation import Catalog, Ratings, rating_metrics


def random_ratings(n_users=12, n_movies=7, density=0.5, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(n_users, n_movies) < density
    x[:, 0] = x[0, :] = True  # every user and movie present
    users, movies = np.nonzero(x)
    order = rng.permutation(len(users))
    return Ratings.from_lists(users[order] + 100, movies[order] * 10, rng.randint(1, 6, len(users))), x


def test_most_popular_orders_by_train_counts():
    train = Ratings.from_lists([1, 2, 3, 1, 2, 1, 4], [30, 30, 30, 20, 10, 40, 10])
    catalog = Catalog.from_ratings(train)
    model = MostPopular().fit(train, catalog)
    assert model.counts.tolist() == [2, 1, 3, 1]
    scores = model.scores(np.array([0, 3]))
    assert scores.shape == (2, 4) and (scores == [2, 1, 3, 1]).all()


@pytest.mark.parametrize("n_users, n_movies", [(12, 7), (5, 9)])  # direct inverse; Woodbury (fewer users)
def test_ease_matches_the_per_column_regression(n_users, n_movies):
    # EASE column j solves the ridge regression of X[:, j] on the other columns (weight j fixed to 0).
    train, x = random_ratings(n_users, n_movies)
    catalog = Catalog.from_ratings(train)
    lam = 3.0
    model = EASE(lam).fit(train, catalog)
    x = x.astype(float)
    expected = np.zeros((x.shape[1], x.shape[1]))
    for j in range(x.shape[1]):
        others = np.delete(np.arange(x.shape[1]), j)
        a = x[:, others]
        expected[others, j] = np.linalg.solve(a.T @ a + lam * np.eye(len(others)), a.T @ x[:, j])
    assert model.weights.dtype == np.float32
    np.testing.assert_allclose(model.weights, expected, atol=1e-5)
    np.testing.assert_allclose(model.scores(np.array([2, 4])), x[[2, 4]] @ expected, atol=1e-5)


def test_ease_float64_and_batched_gram(monkeypatch):
    train, _ = random_ratings(n_users=30, n_movies=9, seed=1)
    catalog = Catalog.from_ratings(train)
    reference = EASE(10.0, dtype=np.float64).fit(train, catalog).weights
    monkeypatch.setattr("ml.training.baselines.BATCH_CELLS", 20)  # two users per batch
    np.testing.assert_allclose(EASE(10.0).fit(train, catalog).weights, reference, atol=1e-5)
    assert np.diag(reference).tolist() == [0] * 9


def test_global_mean():
    train = Ratings.from_lists([1, 2, 2], [10, 10, 20], [2.0, 4.0, 3.0])
    model = GlobalMean().fit(train)
    assert model.predict(np.array([0, 1]), np.array([0, 1])).tolist() == [3.0, 3.0]
    test = Ratings.from_lists([1, 2], [20, 10], [5.0, 3.0])
    assert rating_metrics(model.predict, train, test) == pytest.approx(dict(rmse=np.sqrt(2), mae=1.0))
