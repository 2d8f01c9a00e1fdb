"""The regression guard: a retrained CF version goes live only when its picks are not worse than the active
version's by more than one standard error, both served as the site serves them, on the same held-out ratings.

The held-out ratings are the pipeline's own (ml/training/cf_training.py: a hash picks the same ones at every
retrain), each user folded in from the rest of his ratings. The new version's verdict is kept in its evaluation;
a version held back stays inactive, and the admin can still activate it.

Below ``RETRAIN_MAX_ROWS`` the version served was trained again on all ratings, the held-out ones included; above,
it was not. When the data first grows past that size, the active version has seen the held-out ratings and the new
one has not: no comparison on them would be fair, so the guard lets the new version pass and says why.
"""
import numpy as np

from ml.models import ModelVersion
from ml.serving import active
from ml.serving.fold_in import picks_vector
from ml.training.cf_training import TRAINED_ON_HELD_OUT, VALIDATION_SEED, VALIDATION_SHARE
from ml.training.evaluation import Catalog, Ratings, per_user_ranking_metrics, stable_split_ratings

GUARD_USERS = 1000  # held-out users both versions are scored on (a sample: the softmax fold-in costs up to ~40 ms each)


def verdict(new: ModelVersion, active: ModelVersion | None, ratings: Ratings, *, users: int = GUARD_USERS,
            seed: int = 0) -> dict:
    """The guard's comparison of ``new`` with ``active`` on ``ratings`` (database ids): each version's mean
    nDCG@10, their paired difference and its standard error, and whether ``new`` passes. Empty without an
    active version."""
    if active is None or active.pk == new.pk:
        return {}
    if active.evaluation.get(TRAINED_ON_HELD_OUT) and new.evaluation.get(TRAINED_ON_HELD_OUT) is False:
        return {"guard_active_version": active.pk, "guard_passed": True,
                "guard_skipped": f"v{active.pk} was trained on the held-out ratings and this version was not"}
    fit, held = stable_split_ratings(ratings, VALIDATION_SEED, VALIDATION_SHARE)
    held_users = np.unique(held.users)
    if len(held_users) > users:
        chosen = np.random.default_rng(seed).choice(held_users, users, replace=False)
        fit, held = fit.subset(np.isin(fit.users, chosen)), held.subset(np.isin(held.users, chosen))
    catalog = Catalog.from_ratings(fit)
    new_ndcg, active_ndcg = (per_user_ranking_metrics(_served_scores(version, fit, catalog), fit, held,
                                                      catalog=catalog)["ndcg"] for version in (new, active))
    difference = new_ndcg - active_ndcg
    standard_error = float(difference.std(ddof=1) / np.sqrt(len(difference))) if len(difference) > 1 else 0.0
    return {"guard_users": len(difference), "guard_ndcg": float(new_ndcg.mean()),
            "guard_active_version": active.pk, "guard_active_ndcg": float(active_ndcg.mean()),
            "guard_standard_error": standard_error,
            "guard_passed": bool(difference.mean() >= -standard_error)}


def explain(found: dict) -> str:
    """The verdict in a sentence, for the run's stage and the command line."""
    if "guard_skipped" in found:
        return f"passed without a comparison: {found['guard_skipped']}"
    outcome = "passed" if found["guard_passed"] else "held back"
    return (f"{outcome}: picks nDCG@10 {found['guard_ndcg']:.4f} against the active v{found['guard_active_version']}'s "
            f"{found['guard_active_ndcg']:.4f} (standard error of the difference "
            f"{found['guard_standard_error']:.4f}, {found['guard_users']} held-out users)")


def _served_scores(version: ModelVersion, fit: Ratings, catalog: Catalog):
    """``scores(user indices)`` over ``catalog``'s movies of ``version``'s picks, each user folded in from his
    ``fit`` movies as ml/serving/recommendations.py does; movies the version does not know score lowest."""
    index = active.load_index(version, active.RANKING)
    scale = version.parameters.get("rank_user_scale", 1.0)
    l2 = version.parameters.get("rank_l2", 0.1)
    rows = index.rows(catalog.movie_ids)
    seen = catalog.user_items(fit)

    def scores(batch: np.ndarray) -> np.ndarray:
        out = np.full((len(batch), catalog.n_movies), -np.inf, np.float32)
        for position, user in enumerate(batch):
            movie_ids = catalog.movie_ids[seen.items[seen.indptr[user]:seen.indptr[user + 1]]]
            every = index.scores_for_user(scale * picks_vector(index, movie_ids, l2=l2))
            out[position, rows >= 0] = every[rows[rows >= 0]]
        return out
    return scores
