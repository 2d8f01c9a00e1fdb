"""The collaborative-filtering model in Keras: a rating tower (predicted ratings) and a softmax ranking tower
(the alternative picks model), trained one after the other; :func:`train` returns numpy arrays, so nothing that
serves needs TensorFlow, which is imported only when a model is built. Design: ml/README.md; what was tried and
dropped, with its numbers: ml/EXPERIMENTS.md.
"""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ml import spectral
from ml.constants import MAX_RATING, MIN_RATING, SERVING_DEFAULTS
from ml.constants import sigmoid as _sigmoid
from ml.training.evaluation import Catalog, Ratings, ranking_metrics, rating_metrics
from ml.training.lazy_adam import lazy_adam_class

DEFAULT_PARAMS = dict(
    dimensions=64,        # rating tower
    init_std=0.01,
    l2=SERVING_DEFAULTS["l2"],            # per-example L2 on the rating tower's embeddings (ml/constants.py)
    bias_l2=SERVING_DEFAULTS["bias_l2"],  # per-example L2 on the user and movie biases
    aux_weight=0.02,      # weight of the softmax loss on the rating tower (0: ratings only)
    aux_negatives=512,    # movies of each batch its softmax is estimated on (sampled softmax)
    rank_model="spectral",  # picks: "spectral" (EASE in the eigenbasis, ml/spectral.py) or "softmax" (below)
    # EASE's λ, chosen on the held-out ratings: it grows with the data (200 for ml-latest-small, thousands for
    # ml-25m), so the grid is wide, then refined around its best; cheap: one decomposition serves every λ.
    spectral_lambdas=(50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600),
    spectral_lambda=None,  # without held-out ratings: the λ (None: 400)
    rank_dimensions=128,  # the softmax ranking tower (0: none; the picks then come from the rating tower)
    rank_init_std=0.05,
    rank_l2=SERVING_DEFAULTS["rank_l2"],
    rank_negatives=4096,  # a larger catalog gets a sampled softmax over this many movies drawn by popularity
    rank_batch_users=None,  # users per batch of the ranking tower (None: 64, more for many users; see below)
    rank_user_scale=SERVING_DEFAULTS["rank_user_scale"],  # picks rank by b + scale · u·v (ml/README.md)
    learning_rate=1e-2,
    lr_decay=1.0,         # the rating tower's learning rate is multiplied by this after each epoch
    batch_size=None,      # rows per batch of the rating tower (None: 4096, more for many rows; see below)
    max_epochs=60,        # the most epochs of each tower
    patience=6,           # epochs without improvement before the rating tower stops (with validation data)
    rating_epochs=None,   # the rating tower's epochs: the most with validation data, all without (None: see below)
    rank_epochs=None,     # the ranking tower's epochs, with or without validation data (None: see below)
)

# How the sizes that default to None follow the data. An epoch of the rating tower takes at most about
# STEPS_PER_EPOCH batches, one of the ranking tower RANK_STEPS_PER_EPOCH: with more rows or users the batches
# grow, not the steps (each step has costs of its own). Each tower trains at most max_epochs epochs, fewer
# (at least MIN_EPOCHS) when that would pass more than RATING_ROWS_BUDGET rows through the rating tower or
# compute more than RANK_LOGITS_BUDGET user-movie logits in the ranking tower: ml-latest-small and ml-1m keep
# 60 epochs, ml-25m gets at most 5 of the rating tower (early stopping may end it sooner) and 10 of the ranking.
STEPS_PER_EPOCH = 400
RANK_STEPS_PER_EPOCH = 100
RATING_ROWS_BUDGET = 1e8
RANK_LOGITS_BUDGET = 6e9
MIN_EPOCHS = {"rating": 5, "ranking": 10}
AUX_ROWS = 4096  # rows of each rating-tower batch its auxiliary softmax is computed on (all of a 4,096 batch)
# The spectral model keeps every direction (it is then EASE exactly) while movies × directions stays within
# SPECTRAL_EXACT_CELLS (ml-100k, ml-latest-small, ml-1m: a picks request scores them all, a few ms on one
# core); past that, at most SPECTRAL_SERVING_CELLS of them (about 1 ms): 135 directions for ml-25m.
SPECTRAL_EXACT_CELLS = 16_000_000
SPECTRAL_SERVING_CELLS = 8_000_000
SPECTRAL_MAX_RANK = 1024
VALIDATION_USERS = 2000  # per-epoch ranking metrics are computed on at most this many validation users

EpochCallback = Callable[[int, dict], None]


@dataclass
class TrainedCF:
    """A trained model as numpy arrays, in catalog indices: everything needed to serve it without TensorFlow.

    Ratings come from the rating tower (``user_vectors``, ``movie_vectors``, the biases); picks from the ranking
    tower (``rank_user_vectors``, ``rank_movie_vectors``, ``rank_movie_bias``), or from the rating tower when the
    model has none. ``epochs`` holds the epochs each tower was trained for, ``history`` the per-epoch metrics.
    """

    user_vectors: np.ndarray
    movie_vectors: np.ndarray
    user_bias: np.ndarray
    movie_bias: np.ndarray
    global_bias: float
    rank_user_vectors: np.ndarray | None = None
    rank_movie_vectors: np.ndarray | None = None
    rank_movie_bias: np.ndarray | None = None
    rank_user_scale: float = 1.0
    rank_model: str = "softmax"  # "spectral": rank vectors are ml/spectral.py's input vectors, users their sums
    rank_lambda: float | None = None
    epochs: dict = field(default_factory=dict)
    history: list = field(default_factory=list)
    seconds: float = 0.0

    def predict(self, users: np.ndarray, movies: np.ndarray) -> np.ndarray:
        """Predicted ratings (0.5–5) of the pairs ``(users[i], movies[i])``."""
        users, movies = np.asarray(users), np.asarray(movies)
        z = (np.einsum("ij,ij->i", self.user_vectors[users], self.movie_vectors[movies]) + self.user_bias[users]
             + self.movie_bias[movies] + self.global_bias)
        return MIN_RATING + (MAX_RATING - MIN_RATING) * _sigmoid(z)

    def scores(self, users: np.ndarray) -> np.ndarray:
        """Ranking scores ``(len(users), n_movies)`` for the picks: higher is better (logit scale)."""
        users = np.asarray(users)
        if self.rank_user_vectors is None:
            return self.user_vectors[users] @ self.movie_vectors.T + self.movie_bias
        if self.rank_model == "spectral":
            return self.rank_user_vectors[users] @ spectral.output_vectors(self.rank_movie_vectors).T
        return self.rank_user_scale * (self.rank_user_vectors[users] @ self.rank_movie_vectors.T) + self.rank_movie_bias


def rating_arrays(ratings: Ratings, catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(users, movies, ratings)`` in catalog indices, for the rows whose user and movie are in the catalog."""
    users, movies = catalog.index(ratings)
    keep = (users >= 0) & (movies >= 0)
    return users[keep], movies[keep], ratings.values[keep]


@functools.cache
def _tensorflow():
    """Import TensorFlow and Keras on first use, quietly."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    return tf, keras


@functools.cache
def _model_classes():
    """The two Keras model classes (defined on first use, so that importing this module does not import
    TensorFlow): the rating tower and the ranking tower."""
    tf, keras = _tensorflow()

    def rows_of(layer, ids):
        """``layer``'s embeddings at ``ids``, read from its variable as a sparse gather: a dense read of the table
        (what gathering from the Keras variable does) is still alive when the optimizer updates the table, and
        TensorFlow then copies the whole table first, on every step."""
        return tf.gather(layer.embeddings.value, ids)

    def embedding(n, d, name, std=0.0):
        init = keras.initializers.RandomNormal(stddev=std) if std else "zeros"
        return keras.layers.Embedding(n, d, embeddings_initializer=init, name=name)

    def softmax_loss(user_table, movie_table, movie_bias, users, movies):
        """Mean cross-entropy of a full softmax over all movies for the pairs, one logits row per distinct user."""
        distinct, row = tf.unique(users)
        logits = tf.matmul(tf.gather(user_table, distinct), movie_table, transpose_b=True) + movie_bias
        positive = tf.gather_nd(logits, tf.stack([row, movies], axis=1))
        return tf.reduce_mean(tf.gather(tf.reduce_logsumexp(logits, axis=1), row) - positive)

    def sampled_softmax_loss(user_table, movie_table, movie_bias, users, movies, positive, log_popularity,
                             negatives):
        """The full softmax loss of :func:`softmax_loss` estimated from the first ``negatives`` movies of the batch.

        The batch is in random order, so its movies are a sample drawn by popularity (the share ``q`` of the training
        rows each movie has): the logits of the sample, corrected by ``-log(negatives · q)``, estimate each user's
        log-partition over all movies. ``positive`` holds the logits of the pairs themselves."""
        distinct, row = tf.unique(users)
        sample = movies[:negatives]
        correction = tf.gather(log_popularity, sample) + tf.math.log(tf.cast(tf.size(sample), tf.float32))
        logits = (tf.matmul(tf.gather(user_table, distinct), tf.gather(movie_table, sample), transpose_b=True)
                  + tf.gather(movie_bias, sample) - correction)
        return tf.reduce_mean(tf.gather(tf.reduce_logsumexp(logits, axis=1), row) - positive)

    class Tower(keras.Model):
        """A model whose ``train_step`` minimises ``losses_of(users, movies, targets)``: {name: value}, "loss" the
        total. The step is traced without autograph: ``losses_of`` branches on tensors only through TensorFlow
        (``tf.cond``, ``tf.where``)."""

        def build(self, input_shape):
            for layer in self.layers:
                layer.build((None,))
            self.built = True

        @property
        def metrics(self):
            return self.trackers

        def train_step(self, data):
            (users, movies), targets = data
            with tf.GradientTape() as tape:
                losses = self.losses_of(users, movies, targets)
            gradients = tape.gradient(losses["loss"], self.trainable_variables)
            self.optimizer.apply(gradients, self.trainable_variables)
            for tracker in self.trackers:
                tracker.update_state(losses[tracker.name])

    class RatingTower(Tower):
        """The Keras example's model; ``call((users, movies))`` returns the predicted rating scaled to [0, 1]."""

        def __init__(self, n_users, n_movies, *, dimensions, init_std, l2, bias_l2, aux_weight, aux_negatives,
                     movie_shares=None, global_bias=0.0, **kwargs):
            super().__init__(**kwargs)
            self.l2, self.bias_l2, self.aux_weight, self.aux_negatives = l2, bias_l2, aux_weight, aux_negatives
            self.user_embedding = embedding(n_users, dimensions, "user_embedding", init_std)
            self.movie_embedding = embedding(n_movies, dimensions, "movie_embedding", init_std)
            self.user_bias = embedding(n_users, 1, "user_bias")
            self.movie_bias = embedding(n_movies, 1, "movie_bias")
            self.global_bias = self.add_weight(shape=(), initializer=keras.initializers.Constant(global_bias),
                                               name="global_bias")
            if aux_weight:  # the auxiliary softmax has a movie bias of its own
                self.aux_movie_bias = embedding(n_movies, 1, "aux_movie_bias")
                shares = np.full(n_movies, 1 / n_movies) if movie_shares is None else np.maximum(movie_shares, 1e-12)
                self.log_popularity = tf.constant(np.log(shares), tf.float32)
            self.trackers = [keras.metrics.Mean(name=name) for name in ("loss", "rating_loss", "aux_loss")]
            self.build(None)

        def rows(self, users, movies):
            """The pairs' user and movie vectors and biases, gathered straight from the tables (sparse gradients)."""
            return (rows_of(self.user_embedding, users), rows_of(self.movie_embedding, movies),
                    rows_of(self.user_bias, users)[:, 0], rows_of(self.movie_bias, movies)[:, 0])

        def call(self, inputs):
            user, movie, user_bias, movie_bias = self.rows(*inputs)
            return tf.sigmoid(tf.reduce_sum(user * movie, axis=-1) + user_bias + movie_bias + self.global_bias)

        def losses_of(self, users, movies, targets):
            user, movie, user_bias, movie_bias = self.rows(users, movies)
            dot = tf.reduce_sum(user * movie, axis=-1)
            predicted = tf.sigmoid(dot + user_bias + movie_bias + self.global_bias)
            rating_loss = tf.reduce_mean(tf.square(predicted - targets))
            penalty = (self.l2 * (tf.reduce_sum(tf.square(user)) + tf.reduce_sum(tf.square(movie)))
                       + self.bias_l2 * (tf.reduce_sum(tf.square(user_bias)) + tf.reduce_sum(tf.square(movie_bias))))
            aux_loss = tf.constant(0.0)
            if self.aux_weight:
                aux_bias = self.aux_movie_bias.embeddings[:, 0]
                # On the first AUX_ROWS rows of the batch: its cost grows with the distinct users it holds.
                first = slice(None, AUX_ROWS)
                aux_loss = sampled_softmax_loss(self.user_embedding.embeddings.value,
                                                self.movie_embedding.embeddings.value,
                                                aux_bias, users[first], movies[first],
                                                (dot + tf.gather(aux_bias, movies))[first],
                                                self.log_popularity, self.aux_negatives)
            loss = rating_loss + self.aux_weight * aux_loss + penalty / tf.cast(tf.size(users), tf.float32)
            return {"loss": loss, "rating_loss": rating_loss, "aux_loss": aux_loss}

    class RankingTower(Tower):
        """User and movie embeddings and a movie bias, trained with a full softmax over the movies a batch of users
        at a time: ``train_step`` takes catalog user indices and gathers their training rows itself."""

        def __init__(self, n_users, n_movies, users, movies, *, rank_dimensions, rank_init_std, rank_l2,
                     rank_negatives=0, **kwargs):
            super().__init__(**kwargs)
            self.rank_l2 = rank_l2
            # A catalog larger than rank_negatives gets a sampled softmax over rank_negatives movies drawn half by
            # popularity, half uniformly: the uniform half bounds the logQ correction of rarely rated movies,
            # whose corrected logits would otherwise swing the estimate whenever one is drawn.
            self.negatives = rank_negatives if 0 < rank_negatives < n_movies else 0
            shares = np.bincount(movies, minlength=n_movies) / max(1, len(movies))
            self.log_sampling = tf.constant(np.log(0.5 * shares + 0.5 / n_movies), tf.float32)
            self.rank_user_embedding = embedding(n_users, rank_dimensions, "rank_user_embedding", rank_init_std)
            self.rank_movie_embedding = embedding(n_movies, rank_dimensions, "rank_movie_embedding", rank_init_std)
            self.rank_movie_bias = embedding(n_movies, 1, "rank_movie_bias")
            # The training rows by user: the movies of user u are movies_by_user[starts[u]:starts[u + 1]].
            counts = np.bincount(users, minlength=n_users)
            self.starts = tf.constant(np.concatenate([[0], np.cumsum(counts)]), tf.int64)
            self.movies_by_user = tf.constant(np.asarray(movies)[np.argsort(users, kind="stable")], tf.int32)
            self.rows_per_user = float(len(users) / max(1, np.count_nonzero(counts)))
            self.trackers = [keras.metrics.Mean(name="loss")]
            self.build(None)

        def call(self, inputs):
            users, movies = inputs
            return (tf.reduce_sum(self.rank_user_embedding(users) * self.rank_movie_embedding(movies), axis=-1)
                    + self.rank_movie_bias(movies)[:, 0])

        def losses_of(self, users):
            """The softmax cross-entropy of every training row of ``users`` plus their per-example L2, divided by
            the rows such a batch has on average (a constant: every row weighs the same)."""
            rows = tf.ragged.range(tf.gather(self.starts, users), tf.gather(self.starts, users + 1))
            movies, row_user = tf.gather(self.movies_by_user, rows.flat_values), rows.value_rowids()
            counts = tf.cast(rows.row_lengths(), tf.float32)
            user_vectors = rows_of(self.rank_user_embedding, users)
            if self.negatives:
                log_partition, chosen = self.sampled_partition(user_vectors, movies, row_user)
            else:
                logits = (tf.matmul(user_vectors, self.rank_movie_embedding.embeddings, transpose_b=True)
                          + self.rank_movie_bias.embeddings[:, 0])
                chosen = tf.gather_nd(logits, tf.stack([row_user, tf.cast(movies, tf.int64)], axis=1))
                log_partition = tf.reduce_logsumexp(logits, axis=1)
            cross_entropy = tf.reduce_sum(counts * log_partition) - tf.reduce_sum(chosen)
            penalty = self.rank_l2 * (tf.reduce_sum(counts * tf.reduce_sum(tf.square(user_vectors), axis=1))
                                      + tf.reduce_sum(tf.square(rows_of(self.rank_movie_embedding, movies))))
            size = tf.cast(tf.size(users), tf.float32) * self.rows_per_user
            return {"loss": (cross_entropy + penalty) / size}

        def sampled_partition(self, user_vectors, movies, row_user):
            """Each user's log-partition over all movies, estimated from ``negatives`` movies drawn with
            probabilities ``q`` (their logits corrected by ``-log(negatives · q)``, the logQ correction), and the
            logits of the rows themselves: the cost grows with the users and the sample, not the catalog."""
            sample = tf.random.categorical(self.log_sampling[None, :], self.negatives, dtype=tf.int32)[0]
            correction = tf.gather(self.log_sampling, sample) + np.log(self.negatives).astype(np.float32)
            logits = (tf.matmul(user_vectors, rows_of(self.rank_movie_embedding, sample), transpose_b=True)
                      + rows_of(self.rank_movie_bias, sample)[:, 0] - correction)
            chosen = (tf.reduce_sum(tf.gather(user_vectors, row_user) * rows_of(self.rank_movie_embedding, movies),
                                    axis=1)
                      + rows_of(self.rank_movie_bias, movies)[:, 0])
            return tf.reduce_logsumexp(logits, axis=1), chosen

        def train_step(self, users):
            with tf.GradientTape() as tape:
                losses = self.losses_of(users)
            gradients = tape.gradient(losses["loss"], self.trainable_variables)
            self.optimizer.apply(gradients, self.trainable_variables)
            self.trackers[0].update_state(losses["loss"])

    return RatingTower, RankingTower


def build_model(n_users: int, n_movies: int, *, dimensions: int = 64, init_std: float = 0.01, l2: float = 7e-3,
                bias_l2: float = 1e-3, aux_weight: float = 0.02, aux_negatives: int = 512,
                movie_shares: np.ndarray | None = None, global_bias: float = 0.0):
    """The rating tower (see the module docstring): embedding layers ``user_embedding``, ``movie_embedding``,
    ``user_bias``, ``movie_bias`` and a ``global_bias`` weight; called on ``(users, movies)`` it gives the scaled
    rating. Its ``train_step`` minimises the rating, auxiliary softmax and L2 losses: compile it with an optimizer.
    ``movie_shares`` is each movie's share of the training rows (default: all alike), the auxiliary softmax's
    sampling distribution, as its batches are in random order.
    """
    return _model_classes()[0](n_users, n_movies, dimensions=dimensions, init_std=init_std, l2=l2, bias_l2=bias_l2,
                               aux_weight=aux_weight, aux_negatives=aux_negatives, movie_shares=movie_shares,
                               global_bias=global_bias)


def build_ranking_model(n_users: int, n_movies: int, users: np.ndarray, movies: np.ndarray, *,
                        rank_dimensions: int = 128, rank_init_std: float = 0.05, rank_l2: float = 0.1,
                        rank_negatives: int = 0):
    """The ranking tower: ``rank_user_embedding``, ``rank_movie_embedding``, ``rank_movie_bias``, trained on the
    rows ``(users[i], movies[i])``; its ``train_step`` takes a batch of user indices and minimises the
    full-softmax cross-entropy of their rows plus L2."""
    return _model_classes()[1](n_users, n_movies, users, movies, rank_dimensions=rank_dimensions,
                               rank_init_std=rank_init_std, rank_l2=rank_l2, rank_negatives=rank_negatives)


RANKING_FIELDS = ("rank_user_vectors", "rank_movie_vectors", "rank_movie_bias")


def _array(layer) -> np.ndarray:
    return np.array(layer.embeddings.numpy())


def _rating_weights(model) -> TrainedCF:
    return TrainedCF(_array(model.user_embedding), _array(model.movie_embedding), _array(model.user_bias)[:, 0],
                     _array(model.movie_bias)[:, 0], float(model.global_bias.numpy()))


def _ranking_weights(model) -> dict:
    return dict(zip(RANKING_FIELDS, (_array(model.rank_user_embedding), _array(model.rank_movie_embedding),
                                     _array(model.rank_movie_bias)[:, 0])))


class _Progress:
    """One tower's epochs: validation metrics, its best epoch, early stopping, ``on_epoch``. Without ``patience``
    the tower trains its ``epochs`` and keeps the last, validation metrics only reported."""

    def __init__(self, tower: str, weights, validate, metric: str, *, patience: int, epochs: int, start: float,
                 on_epoch, history: list):
        self.tower, self.weights, self.validate, self.metric = tower, weights, validate, metric
        self.patience, self.epochs, self.start, self.on_epoch, self.history = patience, epochs, start, on_epoch, history
        self.best = (None, 0, -np.inf)  # (weights, epoch, score: higher is better)

    def epoch_end(self, model, epoch: int, logs: dict) -> bool:
        """Record the epoch (counted from 1) and add its validation metrics to ``logs``; True when training is done."""
        metrics = {"tower": self.tower, **logs}
        weights = self.weights(model)
        if self.validate is not None:
            metrics |= {f"val_{name}": value for name, value in self.validate(weights).items()}
        if self.validate is not None and self.patience is not None:
            score = -metrics["val_rmse"] if self.metric == "rmse" else metrics[f"val_{self.metric}"]
            if score > self.best[2]:
                self.best = (weights, epoch, score)
            done = epoch - self.best[1] >= self.patience
        else:
            if epoch == self.epochs:
                self.best = (weights, epoch, 0.0)
            done = epoch >= self.epochs
        metrics["seconds"] = time.perf_counter() - self.start
        logs.update({name: value for name, value in metrics.items() if name.startswith("val_")})  # for TensorBoard
        self.history.append({"epoch": epoch, **metrics})
        if self.on_epoch is not None:
            self.on_epoch(epoch, metrics)
        return done


def _batches(users, movies, targets, batch_size: int, seed: int):
    """The training rows as an endless tf.data stream of batches, epoch after epoch, each epoch in a new order.

    Batch ``b`` of epoch ``e`` gathers the rows at positions ``b·batch_size…`` of a permutation drawn from ``(seed,
    e)`` (``index_shuffle`` computes those positions alone). A shuffle buffer of single rows cost about 0.4 s an epoch
    on ml-latest-small, this a few milliseconds. Returns the stream and the number of batches an epoch.
    """
    tf, _ = _tensorflow()
    columns = tuple(tf.constant(column) for column in (users, movies, targets))
    n, steps = len(users), -(-len(users) // batch_size)

    @tf.autograph.experimental.do_not_convert  # traced as it is: converting the source would cost more than it does
    def batch(index):
        epoch, first = index // steps, index % steps * batch_size
        positions = tf.range(first, tf.minimum(first + batch_size, n))
        rows = tf.random.experimental.index_shuffle(positions, tf.stack([tf.constant(seed, tf.int64), epoch]), n - 1)
        users, movies, targets = (tf.gather(column, rows) for column in columns)
        return (users, movies), targets

    return tf.data.Dataset.counter().map(batch).prefetch(2), steps


def _user_batches(n_users: int, batch_size: int, seed: int):
    """The catalog users (the ranking tower's batches) as an endless tf.data stream of batches, each epoch in a new
    order. Returns the stream and the number of batches an epoch."""
    tf, _ = _tensorflow()
    users = tf.data.Dataset.from_tensor_slices(np.arange(n_users, dtype=np.int32))
    return users.shuffle(n_users, seed=seed, reshuffle_each_iteration=True).batch(batch_size).repeat(), \
        -(-n_users // batch_size)


def _fit(model, batches, steps: int, progress: _Progress, max_epochs: int, callbacks: list) -> None:
    """Train ``model`` an epoch of ``steps`` batches at a time until ``progress`` says it is done (or
    ``max_epochs``), calling ``callbacks`` (Keras callbacks) at each epoch's start and end.

    A train step is one traced function (without autograph: converting the source costs more than tracing it).
    Tracing it and its first run take about half a second, four epochs' worth of the rating tower on ml-latest-small.
    """
    tf, keras = _tensorflow()
    model.optimizer.build(model.trainable_variables)
    iterator = iter(batches)

    @tf.function(autograph=False)
    def step():
        model.train_step(next(iterator))

    more = keras.callbacks.CallbackList(callbacks, model=model)
    more.on_train_begin()
    for index in range(max_epochs):
        more.on_epoch_begin(index)
        for tracker in model.trackers:
            tracker.reset_state()
        for _ in range(steps):
            step()
        logs = {tracker.name: float(tracker.result()) for tracker in model.trackers}
        done = progress.epoch_end(model, index + 1, logs)
        more.on_epoch_end(index, logs)
        if done:
            break
    more.on_train_end()


def schedule(params: dict, *, n_rows: int, n_users: int, n_movies: int) -> dict:
    """The batch sizes and the ranking tower's epochs for data of this size: ``params``' own where given, else
    the rules above :data:`STEPS_PER_EPOCH`."""
    sampled = min(n_movies, params["rank_negatives"] or n_movies)
    affordable = {"rating": RATING_ROWS_BUDGET / max(1, n_rows),
                  "ranking": RANK_LOGITS_BUDGET / max(1, n_users * sampled)}
    epochs = {tower: min(params["max_epochs"], max(MIN_EPOCHS[tower], int(count)))
              for tower, count in affordable.items()}
    return {
        "batch_size": params["batch_size"] or max(4096, -(-n_rows // STEPS_PER_EPOCH)),
        "rank_batch_users": params["rank_batch_users"] or max(64, -(-n_users // RANK_STEPS_PER_EPOCH)),
        "rating_epochs": params["rating_epochs"] or epochs["rating"],
        "rank_epochs": params["rank_epochs"] or epochs["ranking"],
    }


def _sample_users(fit: Ratings, valid: Ratings, k: int, seed: int) -> tuple[Ratings, Ratings]:
    """The rows of at most ``k`` validation users, drawn at random: ranking every movie for every user of a
    large release after each epoch would cost more than the epoch."""
    users = np.unique(valid.users)
    if len(users) <= k:
        return fit, valid
    chosen = np.random.default_rng(seed).choice(users, k, replace=False)
    return fit.subset(np.isin(fit.users, chosen)), valid.subset(np.isin(valid.users, chosen))


def spectral_rank(n_users: int, n_movies: int) -> int:
    """How many directions the spectral model keeps for a catalog of this size (every one: exact EASE)."""
    every = min(n_users, n_movies)
    if every * n_movies <= SPECTRAL_EXACT_CELLS:
        return every
    return max(16, min(SPECTRAL_MAX_RANK, every, SPECTRAL_SERVING_CELLS // max(1, n_movies)))


def spectral_lambda_scores(train_arrays, valid_arrays, lambdas, *, n_users: int, n_movies: int,
                           seed: int = 0) -> dict[float, float]:
    """Held-out nDCG@10 of the spectral picks trained on ``train_arrays`` at each λ of ``lambdas``, scored on
    ``valid_arrays`` (both as :func:`train` takes them) as ``train`` scores its own λ grid: one decomposition."""
    users, movies = (np.asarray(a) for a in train_arrays[:2])
    found = spectral.spectrum(users, movies, n_users, n_movies, rank=spectral_rank(n_users, n_movies), seed=seed)
    sums = spectral.user_vectors(users, movies, n_users, found.v)
    fit, valid = _sample_users(Ratings.from_lists(*train_arrays), Ratings.from_lists(*valid_arrays),
                               VALIDATION_USERS, seed)
    catalog = Catalog(np.arange(n_users), np.arange(n_movies))

    def ndcg(lam) -> float:
        shrink = found.shrink(lam)
        outputs, vectors = spectral.output_vectors(found.v * shrink), sums * shrink
        return ranking_metrics(lambda batch: vectors[batch] @ outputs.T, fit, valid, catalog=catalog)["ndcg"]
    return {float(lam): ndcg(lam) for lam in lambdas}


def _train_spectral(trained: TrainedCF, users, movies, n_users: int, n_movies: int, p: dict, report: _Progress,
                    seed: int) -> None:
    """The spectral picks model (ml/spectral.py) into ``trained``: with held-out ratings (``report`` validates),
    the λ of ``spectral_lambdas`` that ranks them best, each λ reported as an epoch of the "ranking" tower;
    without, ``spectral_lambda``."""
    found = spectral.spectrum(users, movies, n_users, n_movies, rank=spectral_rank(n_users, n_movies), seed=seed)
    sums = spectral.user_vectors(users, movies, n_users, found.v)  # λ only scales each direction: summed once

    def fitted(lam) -> TrainedCF:
        shrink = found.shrink(lam)
        return TrainedCF(**{**vars(trained), "rank_movie_vectors": (found.v * shrink).astype(np.float32),
                            "rank_movie_bias": np.zeros(n_movies, np.float32),
                            "rank_user_vectors": (sums * shrink).astype(np.float32),
                            "rank_model": "spectral", "rank_lambda": float(lam), "rank_user_scale": 1.0})

    scored = []

    def score(lam):
        candidate = fitted(lam)
        report.epoch_end(candidate, len(scored) + 1, {"loss": 0.0, "lambda": float(lam)})
        scored.append((report.history[-1].get("val_ndcg", 0.0), -len(scored) - 1, candidate))

    if report.validate is None:
        score(p["spectral_lambda"] or 400)
    else:
        for lam in p["spectral_lambdas"]:
            score(lam)
        # Then halfway (geometrically) to the neighbours of the best: the grid doubles, the optimum is flat.
        best = max(scored, key=lambda row: row[:2])[2].rank_lambda
        for lam in (best / np.sqrt(2), best * np.sqrt(2)):
            score(round(float(lam)))
    _, epoch, best = max(scored, key=lambda row: row[:2])
    trained.epochs["ranking"] = -epoch
    for name in (*RANKING_FIELDS, "rank_user_scale", "rank_model", "rank_lambda"):
        setattr(trained, name, getattr(best, name))


def train(train_arrays, valid_arrays=None, *, params: dict | None = None, seed: int = 0,
          on_epoch: EpochCallback | None = None, n_users: int | None = None, n_movies: int | None = None,
          callbacks: Callable[[str], list] | None = None) -> TrainedCF:
    """Train the rating tower, then the ranking tower, on ``train_arrays = (users, movies, ratings)`` (catalog
    indices, ratings 0.5–5).

    With ``valid_arrays`` (same form), the rating tower stops ``patience`` epochs after its best validation RMSE (or
    after its most epochs, :func:`schedule`) and is returned at its best epoch (``TrainedCF.epochs``); without, it
    trains for its epochs: pass the epoch chosen on validation as ``rating_epochs`` to retrain on all the data.
    The ranking tower always trains its epochs (:func:`schedule`) and keeps the last; validation only measures
    each of its epochs. ``params`` override
    :data:`DEFAULT_PARAMS`. ``on_epoch(epoch, metrics)`` is called after each epoch of each tower (epochs from 1
    in each) with ``tower`` ("rating" or "ranking"), the tower's mean training losses (``loss``; ``rating_loss`` and
    ``aux_loss`` for the rating tower), its validation metrics (``val_rmse``, ``val_mae``; ``val_ndcg``,
    ``val_precision``, ``val_recall``, ``val_map`` for the tower that gives the picks) and the ``seconds`` since
    the start. The sizes default to the largest indices in the training rows + 1. ``callbacks(tower)`` gives
    more Keras callbacks for a tower (e.g. TensorBoard); their epoch logs include the validation metrics.
    """
    p = {**DEFAULT_PARAMS, **(params or {})}
    unknown = set(p) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"unknown parameters: {sorted(unknown)}")
    start = time.perf_counter()
    _, keras = _tensorflow()
    keras.utils.set_random_seed(seed)
    users, movies, ratings = (np.asarray(a) for a in train_arrays)
    n_users = int(users.max()) + 1 if n_users is None else n_users
    n_movies = int(movies.max()) + 1 if n_movies is None else n_movies
    targets = ((ratings - MIN_RATING) / (MAX_RATING - MIN_RATING)).astype(np.float32)
    sizes = schedule(p, n_rows=len(users), n_users=n_users, n_movies=n_movies)
    batches, steps = _batches(users.astype(np.int32), movies.astype(np.int32), targets, sizes["batch_size"], seed)
    lazy_adam = lazy_adam_class()

    def optimizer():
        schedule = keras.optimizers.schedules.ExponentialDecay(p["learning_rate"], steps, p["lr_decay"],
                                                               staircase=True)
        return lazy_adam(schedule)

    catalog = Catalog(np.arange(n_users), np.arange(n_movies))  # catalog indices are their own ids
    fit = Ratings.from_lists(users, movies, ratings)
    valid = None if valid_arrays is None else Ratings.from_lists(*valid_arrays)
    ranking = bool(p["rank_dimensions"])
    history = []

    def validation(rates: bool, ranks: bool):
        if valid is None:
            return None
        ranked_fit, ranked_valid = _sample_users(fit, valid, VALIDATION_USERS, seed)

        def validate(weights: TrainedCF) -> dict:
            metrics = rating_metrics(weights.predict, fit, valid, catalog=catalog) if rates else {}
            return metrics | (ranking_metrics(weights.scores, ranked_fit, ranked_valid, catalog=catalog)
                              if ranks else {})
        return validate

    def progress(tower, weights, validate, metric, epochs, patience=p["patience"]):
        return _Progress(tower, weights, validate, metric, patience=patience, epochs=epochs, start=start,
                         on_epoch=on_epoch, history=history)

    mean = float(np.clip(targets.mean(), 0.01, 0.99))
    model = build_model(n_users, n_movies, global_bias=float(np.log(mean / (1 - mean))),
                        movie_shares=np.bincount(movies, minlength=n_movies) / len(movies),
                        **{name: p[name] for name in ("dimensions", "init_std", "l2", "bias_l2", "aux_weight",
                                                      "aux_negatives")})
    model.compile(optimizer=optimizer(), jit_compile=False)
    rating_epochs = sizes["rating_epochs"]
    # Without a ranking tower the rating tower gives the picks too, and its validation ranks as well.
    rating = progress("rating", _rating_weights, validation(True, not ranking), "rmse", rating_epochs)
    _fit(model, batches, steps, rating, rating_epochs,
         callbacks("rating") if callbacks else [])
    trained, rating_epoch, _ = rating.best
    trained.epochs = {"rating": rating_epoch}

    if ranking and p["rank_model"] == "spectral":
        lambdas = len(p["spectral_lambdas"]) + 2 if valid is not None else 1
        _train_spectral(trained, users, movies, n_users, n_movies, p,
                        progress("ranking", lambda model: model, validation(False, True), "ndcg", lambdas,
                                 patience=None), seed)
    elif ranking:
        model = build_ranking_model(n_users, n_movies, users, movies,
                                    **{name: p[name] for name in ("rank_dimensions", "rank_init_std", "rank_l2",
                                                                  "rank_negatives")})
        rank_epochs = sizes["rank_epochs"]
        user_batches, user_steps = _user_batches(n_users, sizes["rank_batch_users"], seed)
        # Keras' Adam, not the lazy one: a user's row is in one batch an epoch, and the momentum that Adam goes on
        # applying to it in the other steps is most of its training (lazy Adam: test nDCG@10 −2.5 %).
        model.compile(optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(p["learning_rate"], rank_epochs * user_steps)), jit_compile=False)

        def with_ranking(model) -> TrainedCF:
            return TrainedCF(**{**vars(trained), **_ranking_weights(model), "rank_user_scale": p["rank_user_scale"]})

        # No early stopping: the learning rate decays to zero over rank_epochs, and the last epoch is kept.
        ranks = progress("ranking", with_ranking, validation(False, True), "ndcg", rank_epochs, patience=None)
        _fit(model, user_batches, user_steps, ranks, rank_epochs, callbacks("ranking") if callbacks else [])
        best, trained.epochs["ranking"], _ = ranks.best
        for name in (*RANKING_FIELDS, "rank_user_scale"):
            setattr(trained, name, getattr(best, name))
    trained.history, trained.seconds = history, time.perf_counter() - start
    return trained
