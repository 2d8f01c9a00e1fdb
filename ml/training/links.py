"""The link-embedding model (Keras): movies whose Wikipedia articles link to similar pages get similar vectors.
:func:`train` returns numpy arrays; similar movies are then cosine neighbours in ml/serving/index.py.
Design: ml/README.md.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ml.training.collaborative import _tensorflow

DEFAULT_PARAMS = dict(
    dimensions=50,
    negative_ratio=1,     # false pairs per real pair
    learning_rate=1e-2,
    batch_size=2048,
    max_epochs=40,
    patience=3,           # epochs without a better validation loss before stopping
    epochs=None,          # without validation: train this many epochs (None: max_epochs)
)
HOLD_OUT_SHARE, HOLD_OUT_MIN_LINKS = 0.1, 5


@dataclass
class TrainedLinks:
    movie_vectors: np.ndarray
    link_vectors: np.ndarray
    epochs: int = 0
    history: list = field(default_factory=list)
    seconds: float = 0.0


def hold_out(movies: np.ndarray, links: np.ndarray, seed: int = 0) -> np.ndarray:
    """A boolean mask over the pairs: True for the held-out tenth of the links of movies with ≥ 5 links."""
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(movies)), movies))  # by movie, at random within a movie
    counts = np.bincount(movies)
    sorted_movies = movies[order]
    starts = np.concatenate([[0], np.cumsum(counts)])[sorted_movies]
    position = np.arange(len(movies)) - starts
    held = np.round(counts * HOLD_OUT_SHARE).astype(np.int64)
    held[counts < HOLD_OUT_MIN_LINKS] = 0
    mask = np.zeros(len(movies), bool)
    mask[order] = position < held[sorted_movies]
    return mask


class NegativeSampler:
    """Random (movie, link) pairs that are not real pairs."""

    def __init__(self, movies: np.ndarray, links: np.ndarray, n_movies: int, n_links: int):
        self.n_movies, self.n_links = n_movies, n_links
        self.real = np.unique(movies.astype(np.int64) * n_links + links)

    def sample(self, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        movies, links = np.empty(0, np.int64), np.empty(0, np.int64)
        while len(movies) < count:
            m = rng.integers(0, self.n_movies, count)
            n = rng.integers(0, self.n_links, count)
            keys = m * self.n_links + n
            pos = np.minimum(np.searchsorted(self.real, keys), len(self.real) - 1)
            fake = self.real[pos] != keys
            movies, links = np.concatenate([movies, m[fake]]), np.concatenate([links, n[fake]])
        return movies[:count], links[:count]


def build_model(n_movies: int, n_links: int, dimensions: int = 50):
    """The Keras model: ``movie_embedding`` and ``link_embedding`` layers, their cosine, ``Dense(1)``, sigmoid."""
    tf, keras = _tensorflow()
    movie, link = keras.Input((), dtype="int32", name="movie"), keras.Input((), dtype="int32", name="link")
    movie_vector = keras.layers.Embedding(n_movies, dimensions, name="movie_embedding")(movie)
    link_vector = keras.layers.Embedding(n_links, dimensions, name="link_embedding")(link)
    cosine = keras.layers.Dot(axes=1, normalize=True, name="cosine")([movie_vector, link_vector])
    probability = keras.layers.Dense(1, activation="sigmoid", name="real")(cosine)
    return keras.Model([movie, link], probability, name="link_embeddings")


def _pairs(movies, links, sampler, ratio, rng):
    """Real pairs (label 1) and ``ratio`` times as many false ones (label 0), shuffled."""
    fake_movies, fake_links = sampler.sample(len(movies) * ratio, rng)
    all_movies = np.concatenate([movies, fake_movies]).astype(np.int32)
    all_links = np.concatenate([links, fake_links]).astype(np.int32)
    labels = np.concatenate([np.ones(len(movies)), np.zeros(len(fake_movies))]).astype(np.float32)
    order = rng.permutation(len(labels))
    return (all_movies[order], all_links[order]), labels[order]


def train(movies: np.ndarray, links: np.ndarray, *, n_movies: int, n_links: int, validate: bool = True,
          params: dict | None = None, seed: int = 0, on_epoch: Callable[[int, dict], None] | None = None,
          callbacks=()) -> TrainedLinks:
    """Train on the real pairs ``(movies[i], links[i])`` (indices from 0).

    With ``validate``, a tenth of the links of well-linked movies is held out and training stops ``patience``
    epochs after the best validation loss, returning that epoch's vectors; without, it runs ``params["epochs"]``.
    ``on_epoch(epoch, metrics)`` gets ``loss``, ``accuracy`` (and ``val_loss``, ``val_accuracy``) and ``seconds``.
    ``callbacks`` are Keras callbacks (e.g. TensorBoard).
    """
    p = {**DEFAULT_PARAMS, **(params or {})}
    unknown = set(p) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"unknown parameters: {sorted(unknown)}")
    tf, keras = _tensorflow()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    movies, links = np.asarray(movies, np.int64), np.asarray(links, np.int64)
    sampler = NegativeSampler(movies, links, n_movies, n_links)
    held = hold_out(movies, links, seed) if validate else np.zeros(len(movies), bool)
    fit_movies, fit_links = movies[~held], links[~held]
    valid = _pairs(movies[held], links[held], sampler, 1, np.random.default_rng(seed + 1)) if held.any() else None

    model = build_model(n_movies, n_links, p["dimensions"])
    model.compile(optimizer=keras.optimizers.Adam(p["learning_rate"]), loss="binary_crossentropy",
                  metrics=["accuracy"])
    start, history = time.perf_counter(), []
    best = (np.inf, 0, None)
    epochs = p["max_epochs"] if valid is not None else (p["epochs"] or p["max_epochs"])
    callback_list = keras.callbacks.CallbackList(list(callbacks), model=model)
    callback_list.on_train_begin()
    for epoch in range(1, epochs + 1):
        inputs, labels = _pairs(fit_movies, fit_links, sampler, p["negative_ratio"], rng)
        data = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(p["batch_size"]).prefetch(2)
        logs = model.fit(data, epochs=1, verbose=0, shuffle=False).history
        metrics = {name: float(values[-1]) for name, values in logs.items()}
        if valid is not None:
            val_loss, val_accuracy = model.evaluate(*valid, batch_size=8192, verbose=0)
            metrics |= {"val_loss": float(val_loss), "val_accuracy": float(val_accuracy)}
            if val_loss < best[0]:
                best = (val_loss, epoch, _vectors(model))
        metrics["seconds"] = time.perf_counter() - start
        history.append({"epoch": epoch, **metrics})
        callback_list.on_epoch_end(epoch - 1, dict(metrics))
        if on_epoch is not None:
            on_epoch(epoch, metrics)
        if valid is not None and epoch - best[1] >= p["patience"]:
            break
    callback_list.on_train_end()
    if valid is None:
        best = (None, epochs, _vectors(model))
    movie_vectors, link_vectors = best[2]
    return TrainedLinks(movie_vectors, link_vectors, epochs=best[1], history=history,
                        seconds=time.perf_counter() - start)


def _vectors(model) -> tuple[np.ndarray, np.ndarray]:
    return (np.array(model.get_layer("movie_embedding").embeddings.numpy()),
            np.array(model.get_layer("link_embedding").embeddings.numpy()))
