"""Whether a model kind has data to train on, and if not why: the admin disables its Retrain button with the
reason, `manage.py retrain all` skips it and says so (the trainer itself fails such a run the same way)."""
from ml.models import ModelKind
from movies.models import Rating, WikiLink

REASONS = {ModelKind.RATINGS: "no ratings yet: import MovieLens first",
           ModelKind.LINKS: "no Wikipedia links yet: import a Wikipedia dump first (manage.py import_wikipedia)"}


def why_not_trainable(kind: str) -> str | None:
    """None when `kind` has something to train on, else what is missing (two cheap EXISTS queries at most)."""
    if kind == ModelKind.RATINGS:
        return None if Rating.objects.exists() else REASONS[kind]
    if kind == ModelKind.LINKS:
        return None if WikiLink.objects.exists() else REASONS[kind]
    return None
