"""What training and serving must agree on: the rating scale, the sigmoid between a model's score and a rating,
and the parameters serving reads from a version (training's defaults, for a version that does not record them).
numpy only: web processes import it."""
import numpy as np

MIN_RATING, MAX_RATING = 0.5, 5.0
RATING_SPAN = MAX_RATING - MIN_RATING

SERVING_DEFAULTS = {
    "l2": 7e-3,              # per-example L2 on the rating tower's embeddings: a fold-in's too
    "bias_l2": 1e-3,         # per-example L2 on the user and movie biases
    "rank_l2": 0.1,          # the softmax ranking tower's L2
    "rank_user_scale": 1.0,  # picks rank by b + scale · u·v
}


def sigmoid(z):
    """The logistic function, without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def rating_from_score(score):
    """A CF score (logit scale) as a rating on the 0.5–5 scale; works on floats and arrays."""
    return MIN_RATING + RATING_SPAN * sigmoid(score)
