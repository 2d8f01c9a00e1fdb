"""The link-embedding model: films that link to the same pages end up as each other's nearest neighbours."""
import numpy as np

from ml.training import links
from tests.ml.planted import planted_links, precision_at


def test_films_of_a_planted_cluster_are_each_others_nearest_neighbours():
    data = planted_links(seed=1)
    trained = links.train(data.movies, data.links, n_movies=data.n_movies, n_links=data.n_links, seed=0)

    assert precision_at(5, trained.movie_vectors, data.clusters) >= 0.8
    assert trained.movie_vectors.shape == (data.n_movies, 50)


def test_untrained_vectors_do_not_find_the_clusters():
    # The control for the test above: the bar is not met by chance.
    data = planted_links(seed=1)
    random_vectors = np.random.default_rng(0).normal(size=(data.n_movies, 50))
    assert precision_at(5, random_vectors, data.clusters) < 0.3


def test_training_stops_early_and_reports_each_epoch():
    data = planted_links(n_clusters=4, films_per_cluster=10, seed=2)
    seen = []
    trained = links.train(data.movies, data.links, n_movies=data.n_movies, n_links=data.n_links, seed=0,
                          params={"max_epochs": 60, "patience": 2, "learning_rate": 0.05},
                          on_epoch=lambda epoch, metrics: seen.append((epoch, metrics)))
    assert [epoch for epoch, _ in seen] == list(range(1, len(seen) + 1))
    assert len(seen) < 60 and trained.epochs == len(seen) - 2
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"} <= set(seen[0][1])


def test_training_is_reproducible_with_a_seed():
    data = planted_links(n_clusters=3, films_per_cluster=8, seed=3)
    first, second = (links.train(data.movies, data.links, n_movies=data.n_movies, n_links=data.n_links, seed=5,
                                 validate=False, params={"epochs": 2}).movie_vectors for _ in range(2))
    np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)


def test_false_pairs_are_never_real_pairs():
    data = planted_links(seed=4)
    sampler = links.NegativeSampler(data.movies, data.links, data.n_movies, data.n_links)
    movies, targets = sampler.sample(20_000, np.random.default_rng(0))
    real = set(zip(data.movies.tolist(), data.links.tolist()))
    assert len(movies) == 20_000 and not real & set(zip(movies.tolist(), targets.tolist()))


def test_real_pairs_are_labelled_one_and_false_pairs_zero():
    data = planted_links(n_clusters=2, films_per_cluster=5, seed=5)
    sampler = links.NegativeSampler(data.movies, data.links, data.n_movies, data.n_links)
    (movies, targets), labels = links._pairs(data.movies, data.links, sampler, 2, np.random.default_rng(0))
    real = set(zip(data.movies.tolist(), data.links.tolist()))
    assert set(labels.tolist()) == {0.0, 1.0} and labels.sum() == len(data.movies) and len(labels) == 3 * len(real)
    assert all(((m, t) in real) == (label == 1.0) for m, t, label in zip(movies, targets, labels))


def test_hold_out_takes_a_tenth_of_the_links_of_well_linked_movies_only():
    movies = np.array([0] * 20 + [1] * 4 + [2] * 10)
    held = links.hold_out(movies, np.arange(len(movies)), seed=0)
    assert held[movies == 0].sum() == 2 and held[movies == 1].sum() == 0 and held[movies == 2].sum() == 1


def test_batches_grow_and_epochs_are_budgeted_as_the_links_grow():
    assert links.schedule(links.DEFAULT_PARAMS, 10_000) == {"batch_size": 2048, "max_epochs": 40}
    large = links.schedule(links.DEFAULT_PARAMS, 15_000_000)
    assert large["batch_size"] == 30_000_000 // links.STEPS_PER_EPOCH
    assert links.MIN_EPOCHS <= large["max_epochs"] < 40
    assert links.schedule({**links.DEFAULT_PARAMS, "batch_size": 512, "max_epochs": 2}, 15_000_000) == \
        {"batch_size": 512, "max_epochs": 2}
