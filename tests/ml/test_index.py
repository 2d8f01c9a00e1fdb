"""The serving index: cosine neighbours, picks and predicted ratings, on small generated catalogs."""
import numpy as np
import pytest

from ml.constants import rating_from_score
from ml.serving.index import EmbeddingIndex


def random_index(n=500, d=16, seed=0, biases=True):
    """Ids 1000, 1003, 1006, ... in shuffled order, so that row and id differ."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.arange(n) * 3 + 1000)
    vectors = rng.normal(0, 0.3, (n, d)).astype(np.float32)
    bias = rng.normal(0, 0.3, n).astype(np.float32) if biases else None
    return EmbeddingIndex(ids, vectors, bias, global_bias=0.2 if biases else 0.0)


def genre_index(n_per_genre=100, d=16, seed=0):
    """Two genres whose movies cluster around two orthogonal directions: sci-fi (ids < 1000) and romance.

    Returns the index, the sci-fi ids, the romance ids and the two directions.
    """
    rng = np.random.default_rng(seed)
    scifi, romance = np.zeros(d), np.zeros(d)
    scifi[0], romance[1] = 1.0, 1.0
    vectors = np.vstack([scifi + rng.normal(0, 0.1, (n_per_genre, d)), romance + rng.normal(0, 0.1, (n_per_genre, d))])
    ids = np.concatenate([np.arange(n_per_genre), np.arange(n_per_genre) + 1000])
    return EmbeddingIndex(ids, vectors.astype(np.float32)), ids[:n_per_genre], ids[n_per_genre:], scifi, romance


def test_similar_never_includes_the_movie_itself():
    index = random_index()
    for movie_id in index.movie_ids[:20]:
        assert movie_id not in [m for m, _ in index.similar(int(movie_id), k=50)]


def test_similar_ranks_a_planted_near_duplicate_first():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors[123] = 2.5 * vectors[7] + rng.normal(0, 0.01, 16)  # same direction, other length
    index = EmbeddingIndex(np.arange(300) + 1, vectors)
    (best, similarity), *_ = index.similar(8)
    assert best == 124 and similarity > 0.99


def test_similar_of_an_unknown_movie_is_empty():
    index = random_index()
    assert index.similar(999_999) == [] and index.similar(1001) == []


def test_similar_equals_the_top_of_a_full_sort():
    index = random_index()
    movie_id = int(index.movie_ids[42])
    unit = index.vectors / np.linalg.norm(index.vectors, axis=1, keepdims=True)
    sims = unit @ unit[42]
    expected = [int(index.movie_ids[i]) for i in np.argsort(-sims) if i != 42][:10]
    assert [m for m, _ in index.similar(movie_id, k=10)] == expected


def test_picks_equal_the_top_of_a_full_sort():
    index = random_index()
    user = np.random.default_rng(2).normal(size=16).astype(np.float32)
    scores = index.vectors @ user + index.movie_bias + index.global_bias + 0.3
    expected = [int(index.movie_ids[i]) for i in np.argsort(-scores)[:10]]
    picks = index.picks(user, user_bias=0.3, k=10)
    assert [m for m, _ in picks] == expected
    assert np.allclose([s for _, s in picks], np.sort(scores)[::-1][:10], atol=1e-5)


def test_picks_never_include_a_rated_movie():
    index = random_index()
    user = np.random.default_rng(3).normal(size=16)
    best = [m for m, _ in index.picks(user, k=30)]
    rated = set(best[::2]) | {5, 77}  # half of the would-be picks, and ids not in the index
    picks = [m for m, _ in index.picks(user, exclude_ids=rated, k=30)]
    assert len(picks) == 30 and not rated & set(picks)
    assert picks[:15] == best[1::2]  # the others move up, in order


def test_picks_respect_the_allowed_mask():
    index = random_index()
    user = np.random.default_rng(4).normal(size=16)
    allowed_ids = index.movie_ids[::7]
    picks = [m for m, _ in index.picks(user, k=10, allowed_mask=index.mask(allowed_ids))]
    assert len(picks) == 10 and set(picks) <= set(allowed_ids.tolist())


def test_picks_are_fewer_than_k_when_few_movies_qualify():
    index = random_index()
    allowed = index.movie_ids[:5]
    picks = index.picks(np.ones(16), k=10, allowed_mask=index.mask(allowed), exclude_ids=allowed[:2])
    assert sorted(m for m, _ in picks) == sorted(allowed[2:].tolist())


def test_predict_rating_stays_within_half_a_star_and_five():
    index = random_index()
    movie_id = int(index.movie_ids[0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert index.predict_rating(np.full(16, 1e4) * np.sign(index.vectors[0]), 0.0, movie_id) == 5.0
        assert index.predict_rating(np.full(16, -1e4) * np.sign(index.vectors[0]), 0.0, movie_id) == 0.5
        users = np.random.default_rng(5).normal(0, 3, (50, 16))
        ratings = [index.predict_rating(u, 1.0, int(m)) for u in users for m in index.movie_ids[:20]]
    assert 0.5 <= min(ratings) and max(ratings) <= 5.0


def test_predict_rating_matches_the_scores_and_knows_no_unknown_movie():
    index = random_index()
    user = np.random.default_rng(6).normal(size=16)
    scores = index.scores_for_user(user, 0.4)
    assert index.predict_rating(user, 0.4, int(index.movie_ids[9])) == pytest.approx(rating_from_score(scores[9]))
    assert index.predict_rating(user, 0.4, 5) is None


def test_closest_names_the_most_similar_of_the_given_movies():
    index, scifi_ids, romance_ids, _, _ = genre_index()
    liked = [int(scifi_ids[0]), int(romance_ids[0])]
    assert index.closest([scifi_ids[5], romance_ids[7], 999_999], liked) == [liked[0], liked[1], None]
    assert index.closest([scifi_ids[5]], []) == [None]


def test_an_index_refuses_duplicate_ids_and_mismatched_shapes():
    with pytest.raises(ValueError, match="unique"):
        EmbeddingIndex(np.array([1, 2, 1]), np.zeros((3, 4)))
    with pytest.raises(ValueError):
        EmbeddingIndex(np.array([1, 2]), np.zeros((3, 4)))
