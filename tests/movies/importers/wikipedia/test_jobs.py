"""Wikipedia import jobs: the command in the foreground, and the fan-out over real Celery workers."""
import pytest
from django.core.management import CommandError, call_command

from movies import importing, jobs
from movies.models import ImportJob, ImportPart
from tests.conftest import wait_for
from tests.movies.importers.wikipedia.conftest import expected, imported

pytestmark = pytest.mark.django_db


def test_import_command_prints_the_join_counts(multistream, capsys):
    call_command("import_wikipedia", *map(str, multistream.files), "--common-link-share", "0.2", verbosity=0)

    out = capsys.readouterr().out
    assert f"films: {len(multistream.films)}" in out and "films matched imdb: 0" in out
    assert imported() == expected(multistream, 0.2)


def test_import_command_fails_with_the_message(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_wikipedia", str(tmp_path / "missing.xml.bz2"), verbosity=0)
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_the_parts_files_are_removed_after_the_import(multistream, settings):
    call_command("import_wikipedia", *map(str, multistream.files), verbosity=0)

    assert not list((settings.DATA_DIR / "imports").glob(f"job-{ImportJob.objects.get().pk}*"))


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_celery_workers_import_a_multistream_dump_one_task_per_part(celery_worker_process, multistream):
    job = jobs.queue_import(source="\n".join(map(str, multistream.files)), kind=ImportJob.Kind.WIKIPEDIA,
                            options={"common_link_share": 0.2, "part_bytes": 4000})

    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert ImportPart.objects.filter(job=job, status=ImportPart.Status.DONE).count() == job.counts["parts"] > 3
    assert job.counts["pages"] == multistream.pages
    assert imported() == expected(multistream, 0.2)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_celery_workers_report_a_truncated_part_and_keep_earlier_films(celery_worker_process, multistream, tmp_path):
    importing.run_import(ImportJob.objects.create(kind=ImportJob.Kind.WIKIPEDIA, source=str(multistream.files[0]),
                                             options={"common_link_share": 0.2}).pk)
    data = multistream.files[0]
    data.write_bytes(data.read_bytes()[:-200])
    job = jobs.queue_import(source=str(data), kind=ImportJob.Kind.WIKIPEDIA, options={"part_bytes": 4000})

    wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=120)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert str(data) in job.error
    assert imported() == expected(multistream, 0.2)


def test_progress_rises_while_one_big_file_is_read(tmp_path, monkeypatch):
    from movies.importers.wikipedia import dump
    from synthetic.wikipedia import generate_dump

    monkeypatch.setattr(dump, "CHUNK_BYTES", 16 * 1024)  # a small file read in many chunks
    made = generate_dump(tmp_path, articles=400, layout="bz2")
    job = ImportJob.objects.create(kind=ImportJob.Kind.WIKIPEDIA, source=str(made.files[0]))
    seen = []

    importing.run_import(job.pk, listeners=[lambda stage, fraction: seen.append((stage, fraction))])

    reading = [fraction for stage, fraction in seen if stage == "reading pages"]
    assert len(set(reading)) > 3
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
