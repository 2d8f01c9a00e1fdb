"""What workers import to train: the data out of the database (data.py), the Keras models (collaborative.py,
links.py, lazy_adam.py), the CF pipeline (cf_training.py), one trainer per kind (trainers.py), the evaluation
protocol and its baselines (evaluation.py, baselines.py), and the Embedding Projector export (projector.py)."""
