"""The approximate search of large catalogues (ml/serving/ann.py behind EmbeddingIndex): close to the exact answer,
and never a movie the user rated or a movie outside the allowed mask."""
import numpy as np
import pytest

from ml.serving import index as index_module
from ml.serving.ann import InvertedFileIndex, lists_for
from ml.serving.index import EmbeddingIndex

N_MOVIES, DIM = 6000, 24


def clustered_catalogue(seed=0):
    """Movies around 60 taste clusters with a decaying spectrum and lengths that span orders of magnitude (a
    popular movie's vector is long), as trained vectors are; ids unlike rows."""
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(1 + np.arange(DIM))
    centers = rng.normal(0, 1, (60, DIM)) * scale
    vectors = centers[rng.integers(0, 60, N_MOVIES)] + rng.normal(0, 0.5, (N_MOVIES, DIM)) * scale
    vectors = (vectors * np.exp(rng.normal(0, 1.5, (N_MOVIES, 1)))).astype(np.float32)
    ids = rng.permutation(np.arange(N_MOVIES) * 7 + 11)
    bias = rng.normal(0, 0.2, N_MOVIES).astype(np.float32)
    return ids, vectors, bias


@pytest.fixture(scope="module")
def indexes():
    ids, vectors, bias = clustered_catalogue()
    return (EmbeddingIndex(ids, vectors, bias, global_bias=0.1, approximate=True),
            EmbeddingIndex(ids, vectors, bias, global_bias=0.1, approximate=False))


def users(approximate: EmbeddingIndex, count=40, seed=1):
    """Users as the picks model folds them in: the sum of the vectors of 20–200 movies; with those movies."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        rows = rng.choice(len(approximate), rng.integers(20, 200), replace=False)
        yield approximate.vectors[rows].sum(axis=0), approximate.movie_ids[rows].tolist()


def recall(got, expected) -> float:
    return len({m for m, _ in got} & {m for m, _ in expected}) / len(expected)


def test_a_catalogue_is_searched_exactly_below_the_size_where_scoring_all_movies_gets_slow():
    ids, vectors, bias = clustered_catalogue()
    assert not EmbeddingIndex(ids, vectors, bias).approximate
    assert EmbeddingIndex(ids, vectors, bias, approximate=True).approximate
    assert index_module.ANN_MIN_MOVIES > N_MOVIES


def test_approximate_picks_find_nearly_all_of_the_exact_top_ten(indexes):
    approximate, exact = indexes
    recalls = [recall(approximate.picks(user, exclude_ids=rated), exact.picks(user, exclude_ids=rated))
               for user, rated in users(approximate)]
    assert np.mean(recalls) >= 0.9


def test_approximate_picks_score_like_the_exact_index(indexes):
    approximate, exact = indexes
    user, rated = next(users(approximate))
    scores = dict(exact.picks(user, user_bias=0.3, exclude_ids=rated, k=len(exact)))
    for movie_id, score in approximate.picks(user, user_bias=0.3, exclude_ids=rated):
        assert score == pytest.approx(scores[movie_id], rel=1e-5)


def test_approximate_picks_never_include_a_rated_or_masked_out_movie(indexes):
    approximate, _ = indexes
    allowed_ids = approximate.movie_ids[::2]
    mask = approximate.mask(allowed_ids)
    for user, rated in users(approximate, count=10):
        # Excluded as well: the movies that would otherwise come first.
        rated = rated + [m for m, _ in approximate.picks(user, exclude_ids=rated, allowed_mask=mask, k=5)]
        got = [m for m, _ in approximate.picks(user, exclude_ids=rated, allowed_mask=mask, k=20)]
        assert len(got) == 20
        assert not set(got) & set(rated)
        assert set(got) <= set(allowed_ids.tolist())


def test_picks_among_few_allowed_movies_are_exact(indexes):
    approximate, exact = indexes
    mask = approximate.mask(approximate.movie_ids[:300])  # a rare genre: 5 % of the catalogue
    for user, rated in users(approximate, count=5):
        assert (approximate.picks(user, exclude_ids=rated, allowed_mask=mask, k=10)
                == exact.picks(user, exclude_ids=rated, allowed_mask=mask, k=10))


def test_approximate_picks_are_fewer_than_k_only_when_fewer_movies_qualify(indexes):
    approximate, _ = indexes
    mask = approximate.mask(approximate.movie_ids[:3])
    user, _ = next(users(approximate))
    assert {m for m, _ in approximate.picks(user, allowed_mask=mask, k=10)} == set(approximate.movie_ids[:3].tolist())


def test_approximate_similar_movies_find_nearly_all_of_the_exact_ones_and_never_the_movie_itself(indexes):
    approximate, exact = indexes
    recalls = []
    for movie_id in approximate.movie_ids[:50].tolist():
        got = approximate.similar(movie_id, k=10)
        assert len(got) == 10 and movie_id not in [m for m, _ in got]
        recalls.append(recall(got, exact.similar(movie_id, k=10)))
    assert np.mean(recalls) >= 0.9


def test_an_ivf_search_returns_only_allowed_rows_best_first():
    _, vectors, _ = clustered_catalogue()
    ivf = InvertedFileIndex(vectors)
    allowed = np.zeros(len(vectors), bool)
    allowed[1::3] = True
    rows, scores = ivf.search(vectors[0], 25, allowed)
    assert len(rows) == 25 and allowed[rows].all()
    assert np.all(np.diff(scores) <= 0)
    np.testing.assert_allclose(scores, vectors[rows] @ vectors[0], rtol=1e-5)


def test_the_number_of_lists_grows_as_the_square_root_of_the_catalogue():
    assert lists_for(84_432) == 512
    assert lists_for(4 * 84_432) == 1024
    assert lists_for(10) == 8
