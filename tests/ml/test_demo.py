"""The run command's demo: real data when it can get it, generated data (said out loud) when offline."""
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from movies.models import ImportJob, Movie, Rating

pytestmark = pytest.mark.django_db


def test_setup_demo_imports_the_given_release_and_creates_both_accounts(release, capsys):
    call_command("setup_demo", str(release.path), password="pw-for-tests", verbosity=0)

    demo = authenticate(username="demo", password="pw-for-tests")
    admin = authenticate(username="admin", password="pw-for-tests")
    assert demo and not demo.is_staff
    assert admin and admin.is_staff
    assert Rating.objects.filter(user=demo).count() > 0
    assert Rating.objects.exclude(user=demo).count() == release.n_ratings


def test_setup_demo_offline_generates_data_and_says_so(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    settings.MOVIELENS_DEMO_URL = "http://127.0.0.1:9/ml-latest-small.zip"  # nothing listens on port 9

    call_command("setup_demo", verbosity=0)

    assert "GENERATED demo data" in capsys.readouterr().out
    assert Movie.objects.count() == 600
    assert ImportJob.objects.filter(status=ImportJob.Status.FAILED).count() == 1  # the download, recorded


def test_setup_demo_does_not_import_twice(release):
    call_command("setup_demo", str(release.path), verbosity=0)
    call_command("setup_demo", str(release.path), verbosity=0)
    assert ImportJob.objects.count() == 1


def test_setup_demo_imports_a_wikipedia_dump_once(release, tmp_path):
    from movies.models import WikiLink
    from synthetic.wikipedia import generate_dump

    dump = generate_dump(tmp_path / "wiki", articles=200, layout="multistream", seed=1)
    call_command("setup_demo", str(release.path), wikipedia=str(dump.files[0]), verbosity=0)
    links = WikiLink.objects.count()
    assert links > 0 and ImportJob.objects.filter(kind="wikipedia", status="succeeded").count() == 1
    call_command("setup_demo", str(release.path), wikipedia=str(dump.files[0]), verbosity=0)
    assert WikiLink.objects.count() == links and ImportJob.objects.filter(kind="wikipedia").count() == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_setup_demo_trains_the_missing_models_on_a_worker(release, celery_worker_process, capsys, monkeypatch):
    """The run command's end state: the worker trained a ratings model, so the demo's picks come from it."""
    from django.contrib.auth import get_user_model

    from ml import runs
    from ml.models import ModelVersion
    from ml.serving import active
    from ml.serving.recommendations import picks_for

    start_run = runs.start_run
    small = {"dimensions": 8, "rank_dimensions": 8, "max_epochs": 3, "patience": 1, "batch_size": 256}
    monkeypatch.setattr(runs, "start_run", lambda kind, **kwargs: start_run(kind, parameters=small))
    call_command("setup_demo", str(release.path), train=True, verbosity=0)

    assert ModelVersion.objects.filter(kind="ratings", is_active=True).exists()
    out = capsys.readouterr().out
    assert "ratings: succeeded" in out and "--wikipedia DUMP" in out
    active.forget()
    demo = get_user_model().objects.get(username="demo")
    rated = set(Rating.objects.filter(user=demo).values_list("movie_id", flat=True))
    picks = picks_for(user=demo, k=10)
    assert len(picks) == 10 and not {pick.movie.pk for pick in picks} & rated
