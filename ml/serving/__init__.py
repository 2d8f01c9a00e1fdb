"""What web processes import: the active versions' vectors in memory (active.py), the numpy index over them
(index.py), a user's vectors folded in per request (fold_in.py), and what pages and the API ask for
(recommendations.py). numpy only: nothing here imports ml.training, so a web process never loads TensorFlow. The
spectral picks model (ml/spectral.py, numpy and scipy) and ml/constants.py are shared with training."""
