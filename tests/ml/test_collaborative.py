"""The collaborative-filtering model, on small synthetic data with planted groups: users of group g like the movies
of group g. Run with ``-p no:django``; each test takes a few seconds."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ml.training.baselines import MostPopular
from ml.training.collaborative import (
    DEFAULT_PARAMS,
    TrainedCF,
    _batches,
    _tensorflow,
    build_model,
    build_ranking_model,
    rating_arrays,
    schedule,
    train,
)
from ml.training.evaluation import Catalog, Ratings, ranking_metrics, rating_metrics, split_ratings
from ml.training.lazy_adam import lazy_adam_class

ROOT = Path(__file__).resolve().parents[2]
N_GROUPS, USERS_PER_GROUP, MOVIES_PER_GROUP = 3, 30, 20
# The towers' own tests train the softmax ranking tower; the spectral picks model has tests of its own.
PARAMS = dict(rank_model="softmax", dimensions=8, rank_dimensions=8, l2=1e-3, rank_l2=1e-2, learning_rate=0.03,
              batch_size=256, max_epochs=25, patience=5)


@pytest.fixture(autouse=True)
def progress_uses_the_test_connection():
    """No database here: replaces the shared autouse fixture, so these tests also run with ``-p no:django``."""
    yield


@pytest.fixture(autouse=True)
def fresh_state():
    """No cache nor served index here either (replaces the shared autouse fixture)."""
    yield


def planted_ratings(seed=0) -> Ratings:
    """Each user rates 12 movies of his group (4–5 stars) and 4 others (1–2.5 stars). Popularity cuts across the
    groups: within each group the first movies are rated more often, so the most popular list mixes all groups."""
    rng = np.random.RandomState(seed)
    popularity = 1 / np.arange(1, MOVIES_PER_GROUP + 1) ** 0.7
    users, movies, values = [], [], []
    for user in range(N_GROUPS * USERS_PER_GROUP):
        group = user // USERS_PER_GROUP
        own = rng.choice(MOVIES_PER_GROUP, 12, replace=False, p=popularity / popularity.sum())
        others = rng.choice([m for m in range(N_GROUPS * MOVIES_PER_GROUP) if m // MOVIES_PER_GROUP != group], 4,
                            replace=False)
        for movie in own + group * MOVIES_PER_GROUP:
            users.append(user), movies.append(movie), values.append(rng.choice([4.0, 4.5, 5.0]))
        for movie in others:
            users.append(user), movies.append(movie), values.append(rng.choice([1.0, 1.5, 2.0, 2.5]))
    order = rng.permutation(len(users))
    return Ratings.from_lists(np.array(users)[order] + 1, np.array(movies)[order] + 100, np.array(values)[order])


@pytest.fixture(scope="module")
def planted():
    """The planted ratings split by the protocol, and a model trained with early stopping on the validation part."""
    train_rows, test_rows = split_ratings(planted_ratings())
    catalog = Catalog.from_ratings(train_rows)
    epochs = []
    model = train(rating_arrays(train_rows, catalog), rating_arrays(test_rows, catalog), params=PARAMS, seed=1,
                  on_epoch=lambda epoch, metrics: epochs.append((epoch, metrics)),
                  n_users=catalog.n_users, n_movies=catalog.n_movies)
    return dict(train=train_rows, test=test_rows, catalog=catalog, model=model, epochs=epochs)


def test_the_dot_product_is_per_example():
    model = build_model(4, 3, dimensions=2, aux_weight=0.0)
    model.user_embedding.embeddings.assign(np.array([[1, 0], [0, 1], [1, 1], [0, 0]], np.float32))
    model.movie_embedding.embeddings.assign(np.array([[2, 0], [0, 3], [1, 1]], np.float32))
    users, movies = np.array([0, 1, 2, 3]), np.array([0, 0, 1, 2])
    predicted = np.asarray(model((users, movies)))
    expected = 1 / (1 + np.exp(-np.array([2.0, 0.0, 3.0, 0.0])))  # biases are zero: sigmoid(u · m) per row
    np.testing.assert_allclose(predicted, expected, rtol=1e-6)


def test_the_ranking_loss_is_the_softmax_cross_entropy_of_every_row_of_the_batch_users_plus_per_example_l2():
    users, movies = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 2, 1, 0, 1, 2])  # 3 users, 3 movies
    model = build_ranking_model(3, 3, users, movies, rank_dimensions=2, rank_l2=0.1)
    user_vectors = np.array([[1, 0], [0, 1], [1, -1]], np.float32)
    movie_vectors, bias = np.array([[2, 0], [0, 3], [1, 1]], np.float32), np.array([0.5, 0, -0.5], np.float32)
    model.rank_user_embedding.embeddings.assign(user_vectors)
    model.rank_movie_embedding.embeddings.assign(movie_vectors)
    model.rank_movie_bias.embeddings.assign(bias[:, None])
    batch = np.array([2, 0], np.int32)  # users 2 and 0: their five rows
    logits = user_vectors @ movie_vectors.T + bias
    rows = [(user, movie) for user, movie in zip(users, movies) if user in batch]
    cross_entropy = sum(np.log(np.exp(logits[user]).sum()) - logits[user, movie] for user, movie in rows)
    penalty = 0.1 * sum(user_vectors[user] @ user_vectors[user] + movie_vectors[movie] @ movie_vectors[movie]
                        for user, movie in rows)
    rows_per_user = len(users) / 3  # the loss is per row, for a batch of average users
    expected = (cross_entropy + penalty) / (len(batch) * rows_per_user)
    np.testing.assert_allclose(float(model.losses_of(batch)["loss"]), expected, rtol=1e-5)


def test_a_large_catalog_gets_a_sampled_softmax_that_estimates_the_full_one():
    """Past rank_negatives movies the ranking tower's log-partition comes from movies drawn by popularity, their
    logits corrected by their share of the rows (logQ): close to the full softmax's, at the sample's cost."""
    rng = np.random.default_rng(0)
    n_users, n_movies = 30, 400
    shares = 1 / np.arange(1, n_movies + 1) ** 0.8
    shares /= shares.sum()
    users = np.repeat(np.arange(n_users), 40)
    movies = rng.choice(n_movies, len(users), p=shares)
    full = build_ranking_model(n_users, n_movies, users, movies, rank_dimensions=4, rank_l2=0.0)
    sampled = build_ranking_model(n_users, n_movies, users, movies, rank_dimensions=4, rank_l2=0.0,
                                  rank_negatives=200)
    assert (full.negatives, sampled.negatives) == (0, 200)
    user_vectors, movie_vectors = rng.normal(0, 0.5, (n_users, 4)), rng.normal(0, 0.5, (n_movies, 4))
    bias = np.log(np.bincount(movies, minlength=n_movies) + 1.0)  # popular movies have the larger logits
    for model in (full, sampled):
        model.rank_user_embedding.embeddings.assign(user_vectors.astype(np.float32))
        model.rank_movie_embedding.embeddings.assign(movie_vectors.astype(np.float32))
        model.rank_movie_bias.embeddings.assign(bias[:, None].astype(np.float32))
    batch = np.arange(n_users, dtype=np.int32)
    exact = float(full.losses_of(batch)["loss"])
    estimates = [float(sampled.losses_of(batch)["loss"]) for _ in range(20)]
    np.testing.assert_allclose(np.mean(estimates), exact, rtol=0.02)


def test_lazy_adam_moves_only_the_rows_a_batch_uses():
    tf, keras = _tensorflow()
    table = keras.Variable(np.ones((5, 2), np.float32))
    optimizer = lazy_adam_class()(learning_rate=0.1)
    optimizer.build([table])
    for rows in ([0, 3], [3]):
        gradient = tf.IndexedSlices(tf.ones((len(rows), 2)), tf.constant(rows), tf.constant([5, 2]))
        optimizer.apply([gradient], [table])
    values = table.numpy()
    np.testing.assert_array_equal(values[[1, 2, 4]], 1.0)  # never in a batch: untouched
    np.testing.assert_allclose(values[3], 1 - 2 * 0.1, rtol=1e-4)  # Adam's first steps move by the learning rate
    np.testing.assert_allclose(values[0], 1 - 0.1, rtol=1e-4)  # one step: not decayed in the step it missed


def test_batches_grow_with_the_data_while_small_data_keeps_the_tuned_sizes():
    small = schedule(DEFAULT_PARAMS, n_rows=68_000, n_users=610, n_movies=8_700)
    assert small == {"batch_size": 4096, "rank_batch_users": 64, "rating_epochs": DEFAULT_PARAMS["max_epochs"],
                     "rank_epochs": DEFAULT_PARAMS["max_epochs"]}
    large = schedule(DEFAULT_PARAMS, n_rows=22_500_000, n_users=162_000, n_movies=59_000)
    assert large["batch_size"] * 400 >= 22_500_000 and large["rank_batch_users"] * 100 >= 162_000
    assert (large["rating_epochs"], large["rank_epochs"]) == (5, 10)  # fewer epochs past the budgets
    chosen = schedule({**DEFAULT_PARAMS, "batch_size": 512, "rank_epochs": 3}, n_rows=10**7, n_users=10**5,
                      n_movies=10**4)
    assert (chosen["batch_size"], chosen["rank_epochs"]) == (512, 3)


def test_picks_score_movies_by_bias_plus_the_scaled_dot_product():
    model = TrainedCF(np.zeros((1, 1)), np.zeros((2, 1)), np.zeros(1), np.zeros(2), 0.0,
                      rank_user_vectors=np.array([[2.0, 0.0]]), rank_movie_vectors=np.array([[1.0, 0.0], [0.0, 1.0]]),
                      rank_movie_bias=np.array([0.0, 1.5]), rank_user_scale=0.5)
    np.testing.assert_allclose(model.scores(np.array([0])), [[1.0, 1.5]])  # the unscaled vector would pick movie 0


def test_the_auxiliary_loss_estimates_the_full_softmax_over_all_movies():
    """The rating tower's softmax over the movies is computed on the first movies of each batch: as the batches are
    in random order those are drawn by popularity, and the movies' shares of the training rows correct for that."""
    rng = np.random.default_rng(0)
    n_users, n_movies, dimensions, batch = 20, 50, 4, 400
    shares = 1 / np.arange(1, n_movies + 1) ** 0.8
    shares /= shares.sum()
    users_table, movies_table = rng.normal(0, 0.7, (n_users, dimensions)), rng.normal(0, 0.7, (n_movies, dimensions))
    bias = np.log(shares) + rng.normal(0, 0.5, n_movies)  # popular movies have the larger logits, as in training
    batches = [(rng.integers(0, n_users, batch), rng.choice(n_movies, batch, p=shares)) for _ in range(100)]
    logits = users_table @ movies_table.T + bias
    exact = np.mean([np.mean(np.log(np.exp(logits[users]).sum(axis=1)) - logits[users, movies])
                     for users, movies in batches])

    def estimate(movie_shares):
        model = build_model(n_users, n_movies, dimensions=dimensions, aux_negatives=64, movie_shares=movie_shares)
        for table, values in ((model.user_embedding, users_table), (model.movie_embedding, movies_table),
                              (model.aux_movie_bias, bias[:, None])):
            table.embeddings.assign(values.astype(np.float32))
        return np.mean([float(model.losses_of(users, movies, np.zeros(batch, np.float32))["aux_loss"])
                        for users, movies in batches])

    np.testing.assert_allclose(estimate(shares), exact, rtol=0.02)
    assert estimate(None) > exact * 1.1  # the same sample taken for a uniform one overrates the popular movies


def test_each_epoch_feeds_every_training_row_once_in_an_order_of_its_own():
    rows = np.arange(10, dtype=np.int32)
    stream, steps = _batches(rows, rows + 100, rows.astype(np.float32) / 10, 4, seed=3)
    assert steps == 3
    batches = iter(stream)
    orders = []
    for _ in range(3):
        epoch = [next(batches) for _ in range(steps)]
        assert [len(targets) for _, targets in epoch] == [4, 4, 2]
        users, movies, targets = (np.concatenate(column) for column in
                                  zip(*[(users, movies, targets) for (users, movies), targets in epoch]))
        assert sorted(users) == list(range(10))
        np.testing.assert_array_equal(movies, users + 100)  # each row keeps its movie and rating
        np.testing.assert_allclose(targets, users / 10)
        orders.append(list(users))
    assert orders[0] != orders[1] != orders[2]
    again = iter(_batches(rows, rows + 100, rows.astype(np.float32) / 10, 4, seed=3)[0])
    assert list(np.concatenate([next(again)[0][0] for _ in range(steps)])) == orders[0]


def test_users_of_different_groups_get_different_predictions_beyond_their_biases(planted):
    model = planted["model"]
    movie = np.array([0])  # a movie of group 0
    fan, stranger = 0, N_GROUPS * USERS_PER_GROUP - 1  # a user of group 0, a user of the last group
    fan_rating, stranger_rating = model.predict([fan], movie)[0], model.predict([stranger], movie)[0]
    assert fan_rating - stranger_rating > 1.0
    dots = np.einsum("ij,j->i", model.user_vectors[[fan, stranger]], model.movie_vectors[0])
    assert dots[0] - dots[1] > 0.5  # the embeddings, not only the user biases, tell the groups apart


def test_predictions_are_ratings_and_fit_the_held_out_ones(planted):
    model, catalog = planted["model"], planted["catalog"]
    users, movies = np.divmod(np.arange(catalog.n_users * catalog.n_movies), catalog.n_movies)
    predicted = model.predict(users, movies)
    assert predicted.min() >= 0.5 and predicted.max() <= 5.0
    assert rating_metrics(model.predict, planted["train"], planted["test"], catalog=catalog)["rmse"] < 0.8


def test_picks_rank_better_than_most_popular(planted):
    train_rows, test_rows, catalog = planted["train"], planted["test"], planted["catalog"]
    ours = ranking_metrics(planted["model"].scores, train_rows, test_rows, catalog=catalog)
    popular = ranking_metrics(MostPopular().fit(train_rows, catalog).scores, train_rows, test_rows, catalog=catalog)
    assert ours["ndcg"] > popular["ndcg"] + 0.1, (ours, popular)


def test_on_epoch_reports_every_epoch_of_each_tower_with_losses_and_validation_metrics(planted):
    epochs, model = planted["epochs"], planted["model"]
    assert len(epochs) == len(model.history)
    keys = {"rating": ("loss", "rating_loss", "aux_loss", "val_rmse", "val_mae", "seconds"),
            "ranking": ("loss", "val_ndcg", "val_precision", "val_recall", "val_map", "seconds")}
    for tower, tower_keys in keys.items():
        reported = [(epoch, metrics) for epoch, metrics in epochs if metrics["tower"] == tower]
        assert [epoch for epoch, _ in reported] == list(range(1, len(reported) + 1))
        for _, metrics in reported:
            for key in tower_keys:
                assert np.isfinite(metrics[key]), (tower, key)
        assert reported[-1][1]["loss"] < reported[0][1]["loss"]
        assert 1 <= model.epochs[tower] <= len(reported)
    towers = [metrics["tower"] for _, metrics in epochs]
    assert towers == sorted(towers, key=["rating", "ranking"].index)  # one tower after the other


def test_the_ranking_tower_trains_all_its_epochs_and_keeps_the_last(planted):
    """Its learning rate decays to zero over the epochs: no early stopping, whatever the validation says."""
    ranking = [metrics for _, metrics in planted["epochs"] if metrics["tower"] == "ranking"]
    assert len(ranking) == planted["model"].epochs["ranking"] == PARAMS["max_epochs"]
    kept = ranking_metrics(planted["model"].scores, planted["train"], planted["test"], catalog=planted["catalog"])
    assert kept["ndcg"] == pytest.approx(ranking[-1]["val_ndcg"])


def test_training_is_reproducible_with_a_seed(planted):
    catalog = planted["catalog"]
    arrays = rating_arrays(planted["train"], catalog)
    params = {**PARAMS, "rating_epochs": 3, "rank_epochs": 4}
    first, second = (train(arrays, params=params, seed=7) for _ in range(2))
    users = np.arange(catalog.n_users)
    np.testing.assert_array_equal(first.predict(users, users % catalog.n_movies),
                                  second.predict(users, users % catalog.n_movies))
    np.testing.assert_array_equal(first.scores(users), second.scores(users))
    assert first.epochs == {"rating": 3, "ranking": 4}
    other = train(arrays, params=params, seed=8)
    assert not np.array_equal(first.scores(users), other.scores(users))


def test_serving_a_trained_model_does_not_import_tensorflow():
    script = (
        "import sys, numpy as np\n"
        "from ml.training.collaborative import TrainedCF\n"
        "m = TrainedCF(np.ones((2, 3)), np.ones((4, 3)), np.zeros(2), np.zeros(4), 0.0)\n"
        "assert m.scores(np.array([0, 1])).shape == (2, 4) and m.predict([0], [1]).shape == (1,)\n"
        "sys.exit(1 if any(n.split('.')[0] in ('tensorflow', 'keras') for n in sys.modules) else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_model_without_ranking_tower_ranks_by_its_rating_tower():
    model = TrainedCF(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0], [2.0, 0.0], [1.0, 0.0]]), np.zeros(1),
                      np.array([0.5, 0.0, 0.0]), 0.0)
    np.testing.assert_allclose(model.scores(np.array([0])), [[0.5, 2.0, 1.0]])
    np.testing.assert_allclose(model.predict([0], [1]), 0.5 + 4.5 / (1 + np.exp(-2.0)))
