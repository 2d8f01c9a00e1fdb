"""The admin's import form (staff only): it queues an import job, whose page follows it live."""
import pytest
from django.urls import reverse

from movies.models import ImportJob

pytestmark = pytest.mark.django_db


def test_staff_start_an_import_and_follow_it(as_staff, staff, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("movies.tasks.run_import_job.delay", queued.append)
    assert as_staff.get(reverse("admin:movies_importjob_start")).status_code == 200
    assert "Start an import" in as_staff.get(reverse("admin:movies_importjob_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_staff.post(reverse("admin:movies_importjob_start"),
                                 {"kind": "movielens", "source": " /data/ml-latest-small "})
    job = ImportJob.objects.get()
    assert (job.kind, job.source, job.created_by, queued) == ("movielens", "/data/ml-latest-small", staff, [job.pk])
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
