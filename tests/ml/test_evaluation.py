"""The evaluation protocol of EVALUATION.md on small hand-made cases."""
import math

import numpy as np
import pytest

from ml.training.evaluation import (
    Catalog,
    Ratings,
    per_user_ranking_metrics,
    ranking_metrics,
    rating_metrics,
    split_mask,
    split_ratings,
    top_k,
)


def test_split_follows_the_protocol():
    users = np.array([1, 2, 1, 1, 3, 1, 2, 1, 1, 4, 4, 4, 4, 4])
    train, test = split_mask(users)
    assert (train ^ test).all()
    draws = np.random.RandomState(42).rand(len(users))
    for user, n_train in {1: 4, 2: 2, 3: 1, 4: 4}.items():  # n = 6, 2, 1, 5: round(4.5) = 4, round(1.5) = 2
        rows = sorted(np.flatnonzero(users == user), key=lambda row: draws[row])
        assert set(np.flatnonzero(train & (users == user))) == set(rows[:n_train])


def test_split_rounds_half_to_even_per_user():
    users = np.repeat([7, 3, 5], [10, 6, 2])
    train, _ = split_mask(users)
    assert [train[users == u].sum() for u in (7, 3, 5)] == [8, 4, 2]
    train, _ = split_mask(users, seed=43, ratio=0.8)
    assert [train[users == u].sum() for u in (7, 3, 5)] == [8, 5, 2]


def test_split_ratings_keeps_file_order():
    ratings = Ratings.from_lists([1, 1, 2, 1, 2, 2, 1], [10, 11, 12, 13, 14, 15, 16], [1, 2, 3, 4, 5, 1, 2])
    train, test = split_ratings(ratings)
    mask = split_mask(ratings.users)[0]
    assert train.movies.tolist() == ratings.movies[mask].tolist()
    assert test.values.tolist() == ratings.values[~mask].tolist()
    assert sorted(train.movies.tolist() + test.movies.tolist()) == ratings.movies.tolist()


def test_from_csv(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text("userId,movieId,rating,timestamp\n2,5,4.5,1\n1,7,3.0,2\n")
    ratings = Ratings.from_csv(path)
    assert ratings.users.tolist() == [2, 1] and ratings.movies.tolist() == [5, 7]
    assert ratings.values.tolist() == [4.5, 3.0]


def test_catalog_indices():
    catalog = Catalog.from_ratings(Ratings.from_lists([5, 3, 5], [30, 10, 20]))
    assert catalog.user_ids.tolist() == [3, 5] and catalog.movie_ids.tolist() == [10, 20, 30]
    users, movies = catalog.index(Ratings.from_lists([5, 4, 3], [10, 30, 99]))
    assert users.tolist() == [1, -1, 0] and movies.tolist() == [0, 2, -1]


def test_top_k_breaks_ties_by_lower_index():
    scores = np.array([[1.0, 3, 3, 2, 3], [0, 0, 0, 0, 0]])
    assert top_k(scores, 2).tolist() == [[1, 2], [0, 1]]
    assert top_k(scores, 4).tolist() == [[1, 2, 4, 3], [0, 1, 2, 3]]
    assert top_k(scores, 9).shape == (2, 5)


# Catalog movies 10..60 (indices 0..5), users 1, 2, 3 (indices 0, 1, 2).
TRAIN = Ratings.from_lists([1, 2, 2, 2, 3, 3], [10, 20, 40, 60, 30, 50])


def test_ranking_metrics_by_hand():
    # User 1 (train: 10) ranks 20, 30, 50 after removing 10; relevant: 30, 50 and 70 (outside the catalog).
    # User 2 (train: 20, 40, 60) ranks 10 first, its only relevant movie. User 9 is not in train: ignored.
    test = Ratings.from_lists([1, 1, 1, 2, 9], [30, 50, 70, 10, 10])
    scores = np.array([[9.0, 8, 7, 1, 6, 5], [5, 9, 4, 9, 3, 9], [0, 0, 0, 0, 0, 0]])
    metrics = ranking_metrics(scores, TRAIN, test, k=3)
    ndcg1 = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
    assert metrics["ndcg"] == pytest.approx((ndcg1 + 1) / 2)
    assert metrics["precision"] == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert metrics["recall"] == pytest.approx((2 / 3 + 1) / 2)
    assert metrics["map"] == pytest.approx(((1 / 2 + 2 / 3) / 3 + 1) / 2)


def test_per_user_metrics_are_those_the_means_average():
    test = Ratings.from_lists([1, 1, 1, 2, 9], [30, 50, 70, 10, 10])
    scores = np.array([[9.0, 8, 7, 1, 6, 5], [5, 9, 4, 9, 3, 9], [0, 0, 0, 0, 0, 0]])
    per_user = per_user_ranking_metrics(scores, TRAIN, test, k=3, batch_size=1)
    assert per_user["users"].tolist() == [0, 1]  # user 3 has no test rows, user 9 is not in train
    ndcg1 = (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3) + 1 / math.log2(4))
    assert per_user["ndcg"] == pytest.approx([ndcg1, 1.0])
    assert per_user["recall"] == pytest.approx([2 / 3, 1.0])
    means = ranking_metrics(scores, TRAIN, test, k=3)
    assert {name: per_user[name].mean() for name in means} == pytest.approx(means)


def test_perfect_ranking_and_callable_batches():
    test = Ratings.from_lists([1, 1, 3], [30, 20, 10])
    scores = np.array([[0.0, 5, 6, 0, 0, 0], [0, 0, 0, 0, 0, 0], [7, 0, 0, 0, 0, 0]])
    metrics = ranking_metrics(scores, TRAIN, test)
    assert metrics == pytest.approx(dict(ndcg=1.0, precision=(2 / 10 + 1 / 10) / 2, recall=1.0, map=1.0))
    calls = []

    def score_fn(users):
        calls.append(users.tolist())
        return scores[users]

    assert ranking_metrics(score_fn, TRAIN, test, batch_size=1) == pytest.approx(metrics)
    assert calls == [[0], [2]]


def test_train_movies_excluded_and_ties_go_to_lower_index():
    # User 1's best-scored movie is in its train rows; among equal scores, 20 (index 1) beats 30 and 50.
    test = Ratings.from_lists([1, 1], [20, 50])
    scores = np.array([[9.0, 1, 1, 0, 1, 0], [0] * 6, [0] * 6])
    metrics = ranking_metrics(scores, TRAIN, test, k=1)
    assert metrics == pytest.approx(dict(ndcg=1.0, precision=1.0, recall=0.5, map=1.0))


def test_ndcg_normalises_by_k_when_more_relevant_than_k():
    test = Ratings.from_lists([2, 2, 2], [10, 30, 50])
    scores = np.array([[0.0] * 6, [0, 0, 2, 0, 1, 0], [0] * 6])  # top 2 of user 2: 30, 50 -> both relevant
    metrics = ranking_metrics(scores, TRAIN, test, k=2)
    assert metrics == pytest.approx(dict(ndcg=1.0, precision=1.0, recall=2 / 3, map=1.0))


def test_rating_metrics_skip_unknown_users_and_movies():
    test = Ratings.from_lists([1, 2, 9, 1], [20, 10, 10, 99], [4.0, 2.0, 5.0, 1.0])

    def predict(users, movies):
        assert users.tolist() == [0, 1] and movies.tolist() == [1, 0]
        return np.array([3.0, 4.0])

    metrics = rating_metrics(predict, TRAIN, test)
    assert metrics == pytest.approx(dict(rmse=math.sqrt((1 + 4) / 2), mae=1.5))
