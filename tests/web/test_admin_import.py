"""The admin's import form (staff only): it queues an import job, whose page follows it live."""
import pytest
from django.urls import reverse

from movies.models import ImportJob

pytestmark = pytest.mark.django_db


def test_staff_start_an_import_and_follow_it(as_staff, staff, monkeypatch, django_capture_on_commit_callbacks,
                                            settings, tmp_path):
    settings.IMPORT_ROOTS = [tmp_path]
    (tmp_path / "ml-latest-small").mkdir()
    queued = []
    monkeypatch.setattr("movies.tasks.run_import_job.delay", queued.append)
    assert as_staff.get(reverse("admin:movies_importjob_start")).status_code == 200
    assert "Start an import" in as_staff.get(reverse("admin:movies_importjob_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(reverse("admin:movies_importjob_start"),
                                 {"kind": "movielens", "source": f" {tmp_path}/ml-latest-small "})
    job = ImportJob.objects.get()
    assert (job.kind, job.source, job.created_by, queued) == ("movielens", f"{tmp_path}/ml-latest-small", staff,
                                                              [job.pk])
    assert response.url == reverse("admin:movies_importjob_change", args=[job.pk])
    page = as_staff.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page and "Queued" in page


def test_a_finished_import_page_stops_refreshing(as_staff):
    job = ImportJob.objects.create(kind="movielens", source="x", status="failed", error="ratings.csv, line 3: bad")
    page = as_staff.get(reverse("admin:movies_importjob_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "ratings.csv, line 3: bad" in page


def test_the_import_form_needs_a_source(as_staff):
    response = as_staff.post(reverse("admin:movies_importjob_start"), {"kind": "movielens", "source": ""})
    assert response.status_code == 200 and not ImportJob.objects.exists()


@pytest.mark.parametrize("url", ["admin:movies_importjob_start", "admin:ml_trainingrun_retrain",
                                 "admin:movies_importjob_changelist", "admin:ml_modelversion_roll_back"])
def test_people_who_are_not_staff_are_sent_to_log_in(as_viewer, url):
    response = as_viewer.post(reverse(url), {"kind": "ratings", "source": "/x"})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not ImportJob.objects.exists()


def test_staff_without_the_permission_get_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("clerk", is_staff=True))
    response = client.post(reverse("admin:movies_importjob_start"), {"kind": "movielens", "source": "/x"})
    assert response.status_code == 403


@pytest.mark.parametrize("source, message", [("ftp://example.org/ml.zip", "only http:// and https:// URLs"),
                                             ("/etc/passwd", "(IMPORT_ROOTS)")])
def test_the_import_form_accepts_only_what_the_importer_accepts(as_staff, source, message):
    response = as_staff.post(reverse("admin:movies_importjob_start"), {"kind": "movielens", "source": source})
    assert response.status_code == 200 and message in response.content.decode() and not ImportJob.objects.exists()


def test_a_finished_import_is_read_only_with_its_counts_as_a_table(as_staff):
    job = ImportJob.objects.create(kind="movielens", source="https://example.org/" + "x" * 300 + "/ml.zip",
                                   status="succeeded", counts={"movies created": 9742, "ratings created": 100836})
    page = as_staff.get(reverse("admin:movies_importjob_change", args=[job.pk])).content.decode()
    assert 'name="_save"' not in page and "<th>ratings created</th><td>100,836</td>" in page
    listing = as_staff.get(reverse("admin:movies_importjob_changelist")).content.decode()
    assert "x" * 100 not in listing and "…" in listing
