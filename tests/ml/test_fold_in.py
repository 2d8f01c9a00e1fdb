"""Fold-in: a user's vectors fitted to his ratings with the movies fixed, for both towers of the CF model."""
import numpy as np

from ml.constants import rating_from_score
from ml.serving.fold_in import fold_in_choices, fold_in_ratings
from ml.serving.index import EmbeddingIndex
from tests.ml.test_index import genre_index, random_index

L2, BIAS_L2 = 1e-3, 1e-3


def softmax_gradient(index, movie_ids, vector, l2):
    """The exact gradient of the ranking fold-in's loss over the whole catalog."""
    z = index.vectors.astype(np.float64) @ vector + index.movie_bias
    p = np.exp(z - z.max())
    p /= p.sum()
    return p @ index.vectors - index.vectors[index.rows(movie_ids)].mean(axis=0) + 2 * l2 * vector


def test_rating_fold_in_recovers_a_user_generated_from_the_model():
    index = random_index(n=2000)
    rng = np.random.default_rng(7)
    user, user_bias = rng.normal(0, 1, 16), 0.3
    true = rating_from_score(index.vectors @ user + index.movie_bias + index.global_bias + user_bias)
    rows = rng.permutation(len(index))
    rated, held_out = rows[:200], rows[200:]
    stars = np.clip(np.round(true[rated] * 2) / 2, 0.5, 5.0)  # as the site stores them: half stars
    vector, bias = fold_in_ratings(index, index.movie_ids[rated], stars, l2=L2, bias_l2=BIAS_L2)
    predicted = rating_from_score(index.scores_for_user(vector, bias))
    assert np.corrcoef(predicted[held_out], true[held_out])[0, 1] > 0.95
    assert np.sqrt(np.mean((predicted[held_out] - true[held_out]) ** 2)) < 0.3


def test_a_user_who_rates_sci_fi_high_and_romance_low_gets_a_sci_fi_like_vector():
    index, scifi_ids, romance_ids, scifi, romance = genre_index()
    vector, _ = fold_in_ratings(index, np.concatenate([scifi_ids[:8], romance_ids[:8]]), [5.0] * 8 + [1.0] * 8,
                                l2=L2, bias_l2=BIAS_L2)
    cosine = vector @ np.array([scifi, romance]).T / np.linalg.norm(vector)
    assert cosine[0] > 0.5 and cosine[1] < -0.3  # towards sci-fi and away from romance
    picks = [m for m, _ in index.picks(vector, k=20, exclude_ids=scifi_ids[:8])]
    assert set(picks) <= set(scifi_ids.tolist())


def test_rating_fold_in_of_no_known_ratings_is_the_average_user():
    index = random_index()
    vector, bias = fold_in_ratings(index, [], [], l2=L2, bias_l2=BIAS_L2)
    assert bias == 0.0 and vector.shape == (16,) and not vector.any()
    vector, bias = fold_in_ratings(index, [5, 6], [4.0, 2.0], l2=L2, bias_l2=BIAS_L2)  # unknown movies only
    assert bias == 0.0 and not vector.any()


def test_one_rating_moves_the_prediction_of_that_movie_towards_it():
    index = random_index()
    movie_id = int(index.movie_ids[3])
    before = index.predict_rating(np.zeros(16), 0.0, movie_id)
    for stars in (0.5, 5.0):
        vector, bias = fold_in_ratings(index, [movie_id], [stars], l2=L2, bias_l2=BIAS_L2)
        assert np.isfinite(vector).all() and np.isfinite(bias)
        after = index.predict_rating(vector, bias, movie_id)
        assert abs(after - stars) < abs(before - stars)


def sharp_catalog(rng) -> EmbeddingIndex:
    """A catalog larger than the Hessian's support, with sharp logits."""
    n, d = 6000, 24
    return EmbeddingIndex(np.arange(n) + 1, rng.normal(0, 0.6, (n, d)).astype(np.float32),
                          rng.normal(0, 1.0, n).astype(np.float32))


def test_choice_fold_in_reaches_the_minimum_of_the_exact_loss():
    # The approximate Newton steps must still land where the exact gradient vanishes.
    rng = np.random.default_rng(3)
    index = sharp_catalog(rng)
    chosen = rng.choice(index.movie_ids, 40, replace=False)
    vector = fold_in_choices(index, chosen, l2=0.1).astype(np.float64)
    assert np.linalg.norm(vector) > 0.1
    assert np.linalg.norm(softmax_gradient(index, chosen, vector, 0.1)) < 1e-3


def test_choice_fold_in_started_from_the_vector_before_the_latest_rating_reaches_the_same_minimum():
    rng = np.random.default_rng(4)
    index = sharp_catalog(rng)
    chosen = rng.choice(index.movie_ids, 41, replace=False)
    before = fold_in_choices(index, chosen[:-1], l2=0.1)
    vector = fold_in_choices(index, chosen, l2=0.1, start=before).astype(np.float64)
    assert np.linalg.norm(softmax_gradient(index, chosen, vector, 0.1)) < 1e-3
    assert np.abs(vector - fold_in_choices(index, chosen, l2=0.1)).max() < 1e-3


def test_a_user_who_chose_sci_fi_is_offered_sci_fi():
    index, scifi_ids, _, scifi, _ = genre_index()
    vector = fold_in_choices(index, scifi_ids[:5], l2=0.1)
    assert vector @ scifi / np.linalg.norm(vector) > 0.5
    assert set(m for m, _ in index.picks(vector, k=20, exclude_ids=scifi_ids[:5])) <= set(scifi_ids.tolist())


def test_choice_fold_in_of_nothing_known_offers_the_movies_of_highest_bias():
    index = random_index()
    vector = fold_in_choices(index, [5, 6], l2=0.1)
    assert not vector.any()
    expected = [int(index.movie_ids[i]) for i in np.argsort(-index.movie_bias)[:10]]
    assert [m for m, _ in index.picks(vector, k=10)] == expected
