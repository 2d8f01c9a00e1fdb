"""/api/staff/: training runs, model versions and import jobs, for staff only."""
import numpy as np
import pytest
from django.conf import settings

from ml import versions
from ml.models import ModelKind, ModelVersion, TrainingRun
from movies.models import ImportJob, Movie

pytestmark = pytest.mark.django_db

STAFF_REQUESTS = [
    ("get", "/api/staff/training-runs/"), ("post", "/api/staff/training-runs/"),
    ("get", "/api/staff/training-runs/{run}/"), ("get", "/api/staff/model-versions/"),
    ("get", "/api/staff/model-versions/{version}/"), ("post", "/api/staff/model-versions/{version}/activate/"),
    ("post", "/api/staff/model-versions/roll-back/"), ("get", "/api/staff/import-jobs/"),
    ("post", "/api/staff/import-jobs/"), ("get", "/api/staff/import-jobs/{job}/"),
]


def make_version(kind=ModelKind.RATINGS, active=False) -> ModelVersion:
    movie = Movie.objects.create(title="Alien", year=1979)
    version = versions.save_version(kind=kind, movie_ids=np.array([movie.pk]), movie_vectors=np.ones((1, 2)))
    return versions.activate(version) if active else version


@pytest.fixture
def objects(db):
    return {"run": TrainingRun.objects.create(kind=ModelKind.LINKS, status="failed").pk,
            "version": make_version().pk,
            "job": ImportJob.objects.create(kind=ImportJob.Kind.MOVIELENS, source="/data/ml").pk}


@pytest.mark.parametrize("method, path", STAFF_REQUESTS)
def test_staff_endpoints_refuse_anonymous_requests_with_401(anonymous, objects, method, path):
    response = getattr(anonymous, method)(path.format(**objects), {"kind": "ratings", "source": "/data/ml"})

    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("method, path", STAFF_REQUESTS)
def test_staff_endpoints_refuse_people_who_are_not_staff_with_403(as_ada, objects, method, path):
    response = getattr(as_ada, method)(path.format(**objects), {"kind": "ratings", "source": "/data/ml"})

    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert TrainingRun.objects.count() == 1 and ImportJob.objects.count() == 1
    assert not ModelVersion.objects.filter(is_active=True).exists()


def test_staff_start_a_training_run_which_a_worker_is_given_after_commit(
        as_staff, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_staff.post("/api/staff/training-runs/", {"kind": "ratings"})

    run = TrainingRun.objects.get()
    assert response.status_code == 201
    assert response.json()["id"] == run.pk and response.json()["status"] == "queued"
    assert run.kind == "ratings" and run.created_by == staff
    assert len(callbacks) == 1  # retrain.delay(run.pk), not run here


def test_starting_a_second_run_while_one_runs_is_a_conflict_that_says_so(as_staff):
    running = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="running")

    response = as_staff.post("/api/staff/training-runs/", {"kind": "ratings"})

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "conflict", "fields": {},
                                        "message": f"A ratings training run is already running: run {running.pk}."}
    assert TrainingRun.objects.count() == 1


def test_starting_a_run_of_an_unknown_kind_is_a_field_error(as_staff):
    response = as_staff.post("/api/staff/training-runs/", {"kind": "tags"})

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["kind"]


def test_a_training_runs_status_shows_its_per_epoch_metrics(as_staff):
    epochs = [{"phase": "search", "epoch": 1, "loss": 0.6, "ndcg": 0.1, "seconds": 2.0},
              {"phase": "search", "epoch": 2, "loss": 0.5, "ndcg": 0.2, "seconds": 2.1}]
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="running", stage="epoch 2", progress=0.4,
                                     epochs=epochs)

    body = as_staff.get(f"/api/staff/training-runs/{run.pk}/").json()

    assert body["status"] == "running" and body["stage"] == "epoch 2" and body["progress"] == 0.4
    assert body["epochs"] == epochs and body["model_version"] is None


def test_listing_training_runs_takes_a_fixed_number_of_queries(as_staff, django_assert_max_num_queries):
    for _ in range(10):
        run = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="succeeded")
        version = make_version()
        version.training_run = run
        version.save()

    with django_assert_max_num_queries(3):  # token and user, count, page with versions
        response = as_staff.get("/api/staff/training-runs/")

    assert len(response.json()["results"]) == 10
    assert all(run["model_version"] for run in response.json()["results"])


def test_staff_activate_a_model_version(as_staff):
    old, new = make_version(active=True), make_version()

    response = as_staff.post(f"/api/staff/model-versions/{new.pk}/activate/")

    assert response.status_code == 200 and response.json()["is_active"] is True
    assert list(ModelVersion.objects.filter(is_active=True)) == [new]
    old.refresh_from_db()
    assert old.is_active is False


def test_staff_roll_back_to_the_version_active_before(as_staff):
    old = make_version(active=True)
    make_version(active=True)

    response = as_staff.post("/api/staff/model-versions/roll-back/", {"kind": "ratings"})

    assert response.status_code == 200 and response.json()["id"] == old.pk
    assert ModelVersion.objects.get(is_active=True) == old


def test_rolling_back_without_an_earlier_version_is_a_conflict(as_staff):
    make_version(active=True)

    response = as_staff.post("/api/staff/model-versions/roll-back/", {"kind": "ratings"})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "No earlier ratings version to roll back to."


def test_activating_an_unknown_version_is_not_found(as_staff):
    assert as_staff.post("/api/staff/model-versions/999999/activate/").status_code == 404


def test_staff_list_and_read_model_versions(as_staff):
    version = make_version(active=True)

    listed = as_staff.get("/api/staff/model-versions/").json()
    read = as_staff.get(f"/api/staff/model-versions/{version.pk}/").json()

    assert [v["id"] for v in listed["results"]] == [version.pk]
    assert read["kind"] == "ratings" and read["is_active"] is True and read["dimensions"] == 2


@pytest.mark.parametrize("source", ["{data}/ml-latest-small", "https://example.org/ml-latest-small.zip"])
def test_staff_start_an_import_from_a_path_or_url(as_staff, staff, source, django_capture_on_commit_callbacks):
    source = source.format(data=settings.DATA_DIR)
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_staff.post("/api/staff/import-jobs/", {"source": source})

    job = ImportJob.objects.get()
    assert response.status_code == 201 and response.json()["status"] == "queued"
    assert (job.source, job.kind, job.created_by) == (source, "movielens", staff)
    assert len(callbacks) == 1


@pytest.mark.parametrize("body, field", [({}, "source"), ({"source": ""}, "source"), ({"source": "  "}, "source"),
                                         ({"source": "https://example.org/ml.zip", "kind": "imdb"}, "kind")])
def test_an_import_needs_a_source_and_a_known_kind(as_staff, body, field):
    response = as_staff.post("/api/staff/import-jobs/", body)

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]
    assert not ImportJob.objects.exists()


def test_an_import_jobs_status_shows_its_progress_counts_and_error(as_staff):
    job = ImportJob.objects.create(kind="movielens", source="/data/ml", status="failed", stage="ratings",
                                   progress=0.5, counts={"movies": {"created": 3}}, error="ratings.csv, line 3: bad")

    body = as_staff.get(f"/api/staff/import-jobs/{job.pk}/").json()

    assert (body["status"], body["stage"], body["progress"]) == ("failed", "ratings", 0.5)
    assert body["counts"] == {"movies": {"created": 3}} and body["error"] == "ratings.csv, line 3: bad"
    assert as_staff.get("/api/staff/import-jobs/").json()["count"] == 1
