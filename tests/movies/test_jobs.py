"""Import jobs end succeeded or failed, never running, and report progress and counts."""
import pytest
from django.core.management import CommandError, call_command

from movies import importing, jobs
from movies.models import ImportJob, Rating
from tests.conftest import wait_for
from tests.movies.importers.helpers import replace_line

pytestmark = pytest.mark.django_db


def test_run_import_marks_the_job_succeeded_with_counts(release):
    job = ImportJob.objects.create(kind=ImportJob.Kind.MOVIELENS, source=str(release.path))
    seen = []

    importing.run_import(job.pk, listeners=[lambda stage, fraction: seen.append((stage, fraction))])

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.progress == 1.0 and job.started_at <= job.finished_at
    assert job.counts["ratings_created"] == release.n_ratings
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {"loading ratings", "loading tags"} <= {stage for stage, _ in seen}


def test_run_import_marks_the_job_failed_with_the_message(release):
    replace_line(release.path / "ratings.csv", 3, "1,2,six,964982703")
    job = ImportJob.objects.create(kind=ImportJob.Kind.MOVIELENS, source=str(release.path))

    importing.run_import(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "ratings.csv, line 3, field rating: 'six' is not a number" in job.error
    assert job.finished_at is not None
    assert not Rating.objects.exists()


def test_import_command_prints_a_summary(release, capsys):
    call_command("import_movielens", str(release.path), verbosity=0)
    assert f"ratings created: {release.n_ratings}" in capsys.readouterr().out
    assert ImportJob.objects.get().status == ImportJob.Status.SUCCEEDED


def test_import_command_prints_a_line_per_stage_when_its_output_is_not_a_terminal(release, capsys):
    call_command("import_movielens", str(release.path))  # pytest's captured stderr is no terminal
    out = capsys.readouterr()
    stages = [line for line in out.out.splitlines() if line.strip().endswith(("reading movies", "loading ratings"))]
    assert len(stages) == 2 and "\r" not in out.out + out.err
    assert f"ratings created: {release.n_ratings}" in out.out


def test_import_command_fails_with_the_message(tmp_path):
    with pytest.raises(CommandError, match="no such file or directory"):
        call_command("import_movielens", str(tmp_path / "missing"), verbosity=0)
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_a_queued_import(celery_worker_process, release):
    job = jobs.queue_import(source=str(release.path))

    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Rating.objects.count() == release.n_ratings


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_reports_a_failed_import(celery_worker_process, release):
    replace_line(release.path / "ratings.csv", 2, "1,2,3.0")
    job = jobs.queue_import(source=str(release.path))

    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "line 2" in job.error
    assert not Rating.objects.exists()
