"""The demo the run command sets up: a catalog to browse, two accounts to log in with, trained models."""
import time

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from movies.models import Movie
from movies.ratings import set_rating

DEMO_USERNAME, ADMIN_USERNAME = "demo", "admin"


def ensure_accounts(password: str) -> None:
    """A regular `demo` user and a staff `admin` user, both with this password."""
    User = get_user_model()
    demo, _ = User.objects.get_or_create(username=DEMO_USERNAME)
    admin, _ = User.objects.get_or_create(username=ADMIN_USERNAME,
                                          defaults={"is_staff": True, "is_superuser": True})
    for user in (demo, admin):
        user.set_password(password)
        user.is_active = True
        user.save()


def rate_for_demo(count: int = 15) -> int:
    """Give the demo user a recognisable taste: loves popular sci-fi and action, dislikes romance."""
    demo = get_user_model().objects.get(username=DEMO_USERNAME)
    popular = Movie.objects.annotate(n=Count("ratings", distinct=True)).filter(n__gt=0).order_by("-n", "pk")
    liked = list(popular.filter(Q(genres__name="Sci-Fi") | Q(genres__name="Action")).distinct()[: count - 5])
    disliked = list(popular.filter(genres__name="Romance").exclude(pk__in=[m.pk for m in liked])[:5])
    for movie in liked:
        set_rating(user=demo, movie=movie, value=4.5)
    for movie in disliked:
        set_rating(user=demo, movie=movie, value=1.5)
    return len(liked) + len(disliked)


def train_missing_models(kinds, *, report=print, timeout: float = 1800, poll: float = 2.0) -> list:
    """Queue a training run for each kind without an active model version, for the Celery worker, and wait until
    every run has ended, reporting its stage and progress as it changes; returns the runs (none when all kinds
    already have an active version)."""
    from ml import runs
    from ml.models import ModelVersion, TrainingRun

    queued = []
    for kind in kinds:
        if ModelVersion.objects.filter(kind=kind, is_active=True).exists():
            report(f"{kind}: a model version is already active.")
            continue
        run, created = runs.start_run(kind)
        report(f"{kind}: {'queued' if created else 'already queued or running:'} training run {run.pk} for the worker.")
        queued.append(run.pk)
    deadline, last = time.monotonic() + timeout, {}
    while queued and time.monotonic() < deadline:
        current = list(TrainingRun.objects.filter(pk__in=queued))
        for run in current:
            line = f"{run.kind}: {run.status}, {run.stage or 'waiting for the worker'} ({run.progress:.0%})"
            if last.get(run.pk) != line:
                report(line)
                last[run.pk] = line
        if all(run.status in (TrainingRun.Status.SUCCEEDED, TrainingRun.Status.FAILED) for run in current):
            return current
        time.sleep(poll)
    return list(TrainingRun.objects.filter(pk__in=queued))
