"""The link-embedding model (Keras): movies whose Wikipedia articles link to similar pages get similar vectors.
:func:`train` returns numpy arrays; similar movies are then cosine neighbours in ml/serving/index.py. Sizes
follow the data (:func:`schedule`), and a step updates only its rows (ml/training/lazy_adam.py).
Design: ml/README.md.
"""
from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ml.training.collaborative import _tensorflow
from ml.training.lazy_adam import lazy_adam_class

DEFAULT_PARAMS = dict(
    dimensions=50,
    negative_ratio=1,     # false pairs per real pair
    learning_rate=1e-2,
    batch_size=None,      # pairs per batch (None: 2048, more for many links; see schedule)
    max_epochs=40,
    patience=3,           # epochs without a better validation loss before stopping
    epochs=None,          # without validation: train this many epochs (None: max_epochs)
)
HOLD_OUT_SHARE, HOLD_OUT_MIN_LINKS = 0.1, 5
MIN_BATCH, STEPS_PER_EPOCH = 2048, 400
PAIRS_BUDGET, MIN_EPOCHS = 6e7, 2  # real and false pairs over all epochs: 40 epochs up to 750k real pairs
VALIDATION_PAIRS = 200_000


@dataclass
class TrainedLinks:
    movie_vectors: np.ndarray
    link_vectors: np.ndarray
    epochs: int = 0
    history: list = field(default_factory=list)
    seconds: float = 0.0


def schedule(params: dict, n_pairs: int) -> dict:
    """The batch size and the most epochs for ``n_pairs`` real pairs: ``params``' own where given."""
    per_epoch = n_pairs * (1 + params["negative_ratio"])
    affordable = max(MIN_EPOCHS, int(PAIRS_BUDGET / max(1, per_epoch)))
    return {"batch_size": params["batch_size"] or max(MIN_BATCH, -(-per_epoch // STEPS_PER_EPOCH)),
            "max_epochs": min(params["max_epochs"], affordable)}


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


@functools.cache
def _model_class():
    """The Keras model class (defined on first use, so importing this module does not import TensorFlow)."""
    tf, keras = _tensorflow()

    class LinkModel(keras.Model):
        """``movie_embedding`` and ``link_embedding`` layers, their cosine, ``Dense(1)`` named ``real``;
        ``call((movies, links))`` gives the probability that each pair is real."""

        def __init__(self, n_movies, n_links, dimensions, **kwargs):
            super().__init__(**kwargs)
            self.movie_embedding = keras.layers.Embedding(n_movies, dimensions, name="movie_embedding")
            self.link_embedding = keras.layers.Embedding(n_links, dimensions, name="link_embedding")
            self.real = keras.layers.Dense(1, activation="sigmoid", name="real")
            self.movie_embedding.build((None,))
            self.link_embedding.build((None,))
            self.real.build((None, 1))
            self.built = True

        def logits(self, movies, links):
            """Gathered from the tables' variables (sparse gradients; see collaborative.rows_of)."""
            movie = tf.math.l2_normalize(tf.gather(self.movie_embedding.embeddings.value, movies), axis=1)
            link = tf.math.l2_normalize(tf.gather(self.link_embedding.embeddings.value, links), axis=1)
            cosine = tf.reduce_sum(movie * link, axis=1)
            return cosine * self.real.kernel.value[0, 0] + self.real.bias.value[0]

        def call(self, inputs):
            return tf.sigmoid(self.logits(*inputs))

        def losses_of(self, movies, links, labels):
            logits = self.logits(movies, links)
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
            accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), labels), tf.float32))
            return loss, accuracy

    return LinkModel


def build_model(n_movies: int, n_links: int, dimensions: int = 50):
    """The Keras model: ``movie_embedding`` and ``link_embedding`` layers, their cosine, ``Dense(1)``, sigmoid."""
    return _model_class()(n_movies, n_links, dimensions, name="link_embeddings")


def _pairs(movies, links, sampler, ratio, rng):
    """Real pairs (label 1) and ``ratio`` times as many false ones (label 0), shuffled."""
    fake_movies, fake_links = sampler.sample(len(movies) * ratio, rng)
    all_movies = np.concatenate([movies, fake_movies]).astype(np.int32)
    all_links = np.concatenate([links, fake_links]).astype(np.int32)
    labels = np.concatenate([np.ones(len(movies)), np.zeros(len(fake_movies))]).astype(np.float32)
    order = rng.permutation(len(labels))
    return (all_movies[order], all_links[order]), labels[order]


def _steps(model):
    """The traced train step and evaluation: (movies, links, labels) → (loss, accuracy)."""
    tf, _ = _tensorflow()
    spec = [tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.float32)]
    model.optimizer.build(model.trainable_variables)

    @tf.function(input_signature=spec, autograph=False)
    def step(movies, links, labels):
        with tf.GradientTape() as tape:
            loss, accuracy = model.losses_of(movies, links, labels)
        model.optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss, accuracy

    return step, tf.function(model.losses_of, input_signature=spec, autograph=False)


def train(movies: np.ndarray, links: np.ndarray, *, n_movies: int, n_links: int, validate: bool = True,
          params: dict | None = None, seed: int = 0, on_epoch: Callable[[int, dict], None] | None = None,
          callbacks=()) -> TrainedLinks:
    """Train on the real pairs ``(movies[i], links[i])`` (indices from 0).

    With ``validate``, a tenth of the links of well-linked movies is held out and training stops ``patience``
    epochs after the best validation loss (or after the most epochs of :func:`schedule`), returning that epoch's
    vectors; without, it runs ``params["epochs"]``. ``on_epoch(epoch, metrics)`` gets ``loss``, ``accuracy`` (and
    ``val_loss``, ``val_accuracy``) and ``seconds``. ``callbacks`` are Keras callbacks (e.g. TensorBoard).
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
    valid = None
    if held.any():
        valid_rng = np.random.default_rng(seed + 1)
        chosen = np.flatnonzero(held)
        if len(chosen) > VALIDATION_PAIRS:
            chosen = np.sort(valid_rng.choice(chosen, VALIDATION_PAIRS, replace=False))
        valid = _pairs(movies[chosen], links[chosen], sampler, 1, valid_rng)
    sizes = schedule(p, len(fit_movies))

    model = build_model(n_movies, n_links, p["dimensions"])
    model.compile(optimizer=lazy_adam_class()(p["learning_rate"]))
    step, evaluate = _steps(model)
    start, history = time.perf_counter(), []
    best = (np.inf, 0, None)
    epochs = sizes["max_epochs"] if valid is not None else (p["epochs"] or sizes["max_epochs"])
    callback_list = keras.callbacks.CallbackList(list(callbacks), model=model)
    callback_list.on_train_begin()
    for epoch in range(1, epochs + 1):
        callback_list.on_epoch_begin(epoch - 1)
        (epoch_movies, epoch_links), labels = _pairs(fit_movies, fit_links, sampler, p["negative_ratio"], rng)
        batch, totals = sizes["batch_size"], []
        for first in range(0, len(labels), batch):
            part = slice(first, first + batch)
            totals.append((first, *step(epoch_movies[part], epoch_links[part], labels[part])))
        sums = np.sum([np.array([min(batch, len(labels) - first) * float(value) for value in values])
                       for first, *values in totals], axis=0) / len(labels)
        metrics = {"loss": float(sums[0]), "accuracy": float(sums[1])}
        if valid is not None:
            val_loss, val_accuracy = (float(value) for value in evaluate(*valid[0], valid[1]))
            metrics |= {"val_loss": val_loss, "val_accuracy": val_accuracy}
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
    return np.array(model.movie_embedding.embeddings.numpy()), np.array(model.link_embedding.embeddings.numpy())
