"""Only staff can retrain, activate or roll back versions, or see imports: every admin URL that does
so sends anonymous people and signed-in non-staff to the login page and changes nothing. (The API's
staff endpoints are tested the same way in tests/api/test_staff.py.)"""
import numpy as np
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from ml import versions
from ml.models import ModelKind, ModelVersion, TrainingRun
from movies.models import ImportJob, Movie

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects():
    movies = np.array([Movie.objects.create(title=f"M{n}").pk for n in range(2)])
    old, new = (versions.save_version(kind=ModelKind.LINKS, movie_ids=movies, movie_vectors=np.eye(2))
                for _ in range(2))
    versions.activate(old)
    versions.activate(new)
    return {"run": TrainingRun.objects.create(kind=ModelKind.LINKS, status="failed").pk,
            "version": old.pk, "job": ImportJob.objects.create(kind="movielens", source="/data/ml").pk}


ADMIN_REQUESTS = [
    ("post", "admin:ml_trainingrun_retrain", None, {"kind": "ratings"}),
    ("post", "admin:ml_modelversion_roll_back", None, {"kind": "links"}),
    ("post", "admin:ml_modelversion_changelist", None,
     {"action": "activate_selected", "_selected_action": "{version}"}),
    ("get", "admin:ml_trainingrun_changelist", None, None),
    ("get", "admin:ml_trainingrun_change", "run", None),
    ("get", "admin:ml_modelversion_changelist", None, None),
    ("get", "admin:movies_importjob_changelist", None, None),
    ("get", "admin:movies_importjob_change", "job", None),
]


def state():
    return (TrainingRun.objects.count(), list(ModelVersion.objects.filter(is_active=True).values_list("pk", flat=True)))


@pytest.mark.parametrize("who", ["anonymous", "a signed-in user who is not staff"])
@pytest.mark.parametrize("method, name, arg, data", ADMIN_REQUESTS)
def test_admin_urls_that_retrain_activate_or_import_refuse_everyone_but_staff(client, objects, who, method, name,
                                                                               arg, data):
    if who != "anonymous":
        client.force_login(User.objects.create_user("fan", password="pw"))
    url = reverse(name, args=[objects[arg]] if arg else [])
    before = state()

    response = getattr(client, method)(url, {k: v.format(**objects) for k, v in (data or {}).items()})

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert state() == before
