"""The admin pages of training runs and model versions: retrain, follow a run, activate, roll back."""
import numpy as np
import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from ml import versions
from ml.models import ModelKind, ModelVersion, TrainingRun
from movies.models import Movie, Rating, WikiLink

pytestmark = pytest.mark.django_db
RETRAIN, ROLL_BACK = reverse("admin:ml_trainingrun_retrain"), reverse("admin:ml_modelversion_roll_back")


@pytest.fixture
def staff(client):
    user = User.objects.create_superuser("boss", password="pw")
    client.force_login(user)
    return user


@pytest.fixture
def a_rating(db):
    """Something for the ratings model to train on: without it, its Retrain button is disabled."""
    movie = Movie.objects.create(title="Rated")
    Rating.objects.create(user=User.objects.create_user("rater", is_active=False), movie=movie, value=4.0,
                          rated_at=timezone.now())


def saved_versions(count=2):
    movies = np.array([Movie.objects.create(title=f"M{n}").pk for n in range(3)])
    return [versions.save_version(kind=ModelKind.LINKS, movie_ids=movies, movie_vectors=np.eye(3, dtype=np.float32),
                                  evaluation={"val_loss": 0.5 - n / 10}) for n in range(count)]


def test_retrain_queues_one_run_and_a_second_click_opens_it_instead_of_a_duplicate(client, staff, a_rating):
    first = client.post(RETRAIN, {"kind": "ratings"}, follow=True)
    run = TrainingRun.objects.get()
    assert first.redirect_chain[-1][0] == reverse("admin:ml_trainingrun_change", args=[run.pk])
    assert run.status == "queued" and run.created_by == staff

    second = client.post(RETRAIN, {"kind": "ratings"}, follow=True)
    assert TrainingRun.objects.count() == 1
    assert "already queued: it was not queued twice" in second.content.decode()


def test_the_runs_list_offers_a_retrain_button_per_kind(client, staff):
    page = client.get(reverse("admin:ml_trainingrun_changelist")).content.decode()
    assert page.count(f'action="{RETRAIN}"') == len(ModelKind.choices)


def test_retraining_needs_a_staff_member_with_the_permission(client, a_rating):
    assert client.post(RETRAIN, {"kind": "ratings"}).status_code == 302  # anonymous: to the login page
    user = User.objects.create_user("fan", password="pw")
    client.force_login(user)
    assert client.post(RETRAIN, {"kind": "ratings"}).url.startswith(reverse("admin:login"))
    user.is_staff = True
    user.save()
    assert client.post(RETRAIN, {"kind": "ratings"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_trainingrun"))
    assert client.post(RETRAIN, {"kind": "ratings"}).status_code == 302
    assert TrainingRun.objects.count() == 1


def test_a_running_run_shows_its_progress_charts_and_reloads_itself(client, staff):
    epochs = [{"phase": "validating", "tower": "rating", "epoch": n, "loss": 1.0 / n, "val_rmse": 0.9 - n / 100}
              for n in range(1, 4)]
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="running", stage="validating: rating epoch 3",
                                     progress=0.3, epochs=epochs)
    url = reverse("admin:ml_trainingrun_change", args=[run.pk])
    page = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in page and "validating: rating epoch 3" in page
    assert page.count("<polyline") == 2 and "validating · rating tower" in page and "val_rmse" in page
    assert "<details" in page and ">0.87<" in page  # the third epoch's validation RMSE in the (collapsed) table

    TrainingRun.objects.filter(pk=run.pk).update(status="succeeded")
    assert 'http-equiv="refresh"' not in client.get(url).content.decode()


def test_a_failed_run_shows_its_error_escaped(client, staff):
    run = TrainingRun.objects.create(kind=ModelKind.LINKS, status="failed", error="no links <script>x</script>")
    page = client.get(reverse("admin:ml_trainingrun_change", args=[run.pk])).content.decode()
    assert "no links &lt;script&gt;" in page and "<script>x</script>" not in page


def test_activate_action_switches_the_active_version(client, staff):
    first, second = saved_versions()
    versions.activate(first)
    client.post(reverse("admin:ml_modelversion_changelist"),
                {"action": "activate_selected", "_selected_action": [second.pk]})
    assert ModelVersion.objects.get(is_active=True) == second


def test_roll_back_returns_to_the_version_active_before(client, staff):
    first, second = saved_versions()
    versions.activate(first)
    versions.activate(second)
    response = client.post(ROLL_BACK, {"kind": "links"}, follow=True)
    assert ModelVersion.objects.get(is_active=True) == first
    assert "Rolled back" in response.content.decode()


def test_roll_back_without_an_earlier_version_says_so(client, staff):
    response = client.post(ROLL_BACK, {"kind": "ratings"}, follow=True)
    assert "no earlier ratings version" in response.content.decode()


def test_roll_back_refuses_a_user_without_the_change_permission(client):
    first, second = saved_versions()
    versions.activate(first)
    versions.activate(second)
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=True))
    assert client.post(ROLL_BACK, {"kind": "links"}).status_code == 403
    assert ModelVersion.objects.get(is_active=True) == second


def test_a_queued_run_whose_task_was_lost_can_be_cancelled_then_retrained(client, staff, a_rating):
    lost = TrainingRun.objects.create(kind="ratings")
    running = TrainingRun.objects.create(kind="links", status="running")

    client.post(reverse("admin:ml_trainingrun_changelist"),
                {"action": "cancel_queued", "_selected_action": [lost.pk, running.pk]})

    lost.refresh_from_db(), running.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", "cancelled by boss before a worker took it")
    assert running.status == "running"
    client.post(RETRAIN, {"kind": "ratings"})
    assert TrainingRun.objects.filter(kind="ratings", status="queued").exists()


def test_a_run_page_has_one_chart_panel_per_phase_and_tower_with_axes_and_tables(client, staff):
    epochs = [{"phase": phase, "tower": tower, "epoch": n, "loss": 1.0 / n, "val_ndcg": 0.1 + n / 100, "seconds": 1.5}
              for phase in ("validating", "all ratings") for tower in ("rating", "ranking", "genre") for n in (1, 2)]
    run = TrainingRun.objects.create(kind=ModelKind.RATINGS, status="succeeded", epochs=epochs,
                                     parameters={"dimensions": 32}, evaluation={"rmse": 0.871234567, "ndcg": 0.2})
    page = client.get(reverse("admin:ml_trainingrun_change", args=[run.pk])).content.decode()
    assert page.count('class="chart-panel"') == 6 and "all ratings · genre tower" in page
    assert page.count('class="axis x-axis"') == page.count('class="axis y-axis"') == 12
    assert ">epoch</text>" in page and ">share (0–1)</text>" in page and ">loss</text>" in page
    assert "<th>rmse</th><td>0.8712</td>" in page and "<th>dimensions</th><td>32</td>" in page
    assert page.count("<details") == 1 and '"epoch":' not in page  # the epochs once, not also as JSON
    assert 'name="_save"' not in page  # read only


def test_retrain_without_data_is_disabled_with_the_reason_and_refused(client, staff):
    page = client.get(reverse("admin:ml_trainingrun_changelist")).content.decode()
    assert page.count("disabled") >= 2 and "no Wikipedia links yet" in page and "no ratings yet" in page
    response = client.post(RETRAIN, {"kind": "links"}, follow=True)
    assert not TrainingRun.objects.exists() and "no Wikipedia links yet" in response.content.decode()
    WikiLink.objects.create(movie=Movie.objects.create(title="Linked"), target="Film noir")
    assert "no Wikipedia links yet" not in client.get(reverse("admin:ml_trainingrun_changelist")).content.decode()


def test_roll_back_is_disabled_without_an_earlier_version(client, staff):
    versions.activate(saved_versions(1)[0])
    page = client.get(reverse("admin:ml_modelversion_changelist")).content.decode()
    assert page.count("no earlier version to roll back to") >= 2


def test_a_version_page_shows_its_metrics_and_parameters_as_tables_read_only(client, staff):
    version = saved_versions(1)[0]
    version.parameters = {"dimensions": 3, "l2": 0.000123456}
    version.save()
    page = client.get(reverse("admin:ml_modelversion_change", args=[version.pk])).content.decode()
    assert "<th>val_loss</th><td>0.5</td>" in page and "<th>l2</th><td>0.0001235</td>" in page
    assert 'name="_save"' not in page


def test_a_version_held_back_by_the_guard_shows_both_scores_and_can_be_activated_anyway(client, staff):
    active, held_back = saved_versions()
    versions.activate(active)
    held_back.evaluation |= {"guard_users": 40, "guard_ndcg": 0.21, "guard_active_version": active.pk,
                             "guard_active_ndcg": 0.3, "guard_standard_error": 0.01, "guard_passed": False}
    held_back.save()
    page = client.get(reverse("admin:ml_modelversion_change", args=[held_back.pk])).content.decode()
    assert "Regression guard" in page and "0.2100" in page and "0.3000" in page and "held back" in page
    assert "Activate anyway" in page
    response = client.post(reverse("admin:ml_modelversion_activate", args=[held_back.pk]), follow=True)
    assert ModelVersion.objects.get(is_active=True) == held_back and "is now active" in response.content.decode()


def test_a_version_the_guard_could_not_compare_says_why_instead_of_scores(client, staff):
    active, newer = saved_versions()
    versions.activate(active)
    newer.evaluation |= {"guard_active_version": active.pk, "guard_passed": True,
                         "guard_skipped": f"v{active.pk} was trained on the held-out ratings and this version was not"}
    newer.save()
    page = client.get(reverse("admin:ml_modelversion_change", args=[newer.pk])).content.decode()
    assert f"passed without a comparison: v{active.pk} was trained on the held-out ratings" in page
    assert "standard error of the difference" not in page and "Activate this version" in page


def test_activating_from_a_version_page_needs_the_change_permission(client):
    first, second = saved_versions()
    versions.activate(first)
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=True))
    assert client.post(reverse("admin:ml_modelversion_activate", args=[second.pk])).status_code == 403
    assert ModelVersion.objects.get(is_active=True) == first


def test_activating_a_version_that_does_not_exist_is_a_404_and_changes_nothing(client, staff):
    first = saved_versions(1)[0]
    versions.activate(first)
    assert client.post(reverse("admin:ml_modelversion_activate", args=[first.pk + 1000])).status_code == 404
    assert ModelVersion.objects.get(is_active=True) == first
