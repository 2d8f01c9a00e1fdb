"""Every API error has one shape: {"error": {"code", "message", "fields"}}."""
import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from api.errors import exception_handler


def body(exc):
    return exception_handler(exc, {}).data


def test_nested_field_errors_are_flattened_to_dotted_names():
    error = ValidationError({"movie": {"year": ["Too early."]}, "tags": [{"name": ["Blank."]}]})

    assert body(error)["error"]["fields"] == {"movie.year": ["Too early."], "tags.0.name": ["Blank."]}


def test_an_error_about_the_whole_input_goes_under_non_field_errors():
    assert body(ValidationError("Nope."))["error"] == {
        "code": "invalid", "message": "Nope.", "fields": {"non_field_errors": ["Nope."]}}


@pytest.mark.parametrize("error, fields", [
    (DjangoValidationError({"value": ["Bad stars."]}), {"value": ["Bad stars."]}),
    (DjangoValidationError({"__all__": ["Bad pair."]}), {"non_field_errors": ["Bad pair."]}),
    (DjangoValidationError("Bad."), {"non_field_errors": ["Bad."]}),
])
def test_a_services_validation_error_becomes_a_400_with_field_errors(error, fields):
    response = exception_handler(error, {})

    assert response.status_code == 400 and response.data["error"]["fields"] == fields


def test_an_unexpected_exception_is_left_to_django():
    assert exception_handler(RuntimeError("bug"), {}) is None


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nothing/", "/api/movies/1.5/", "/api/me/ratings/-0.5/similar/"])
def test_an_unknown_api_url_is_a_404_in_the_error_format(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No such API endpoint.", "fields": {}}}


@pytest.mark.django_db
def test_a_post_to_an_unknown_api_url_with_a_session_cookie_is_a_404_not_a_csrf_page(ada):
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(ada)

    response = browser.post("/api/me/ratings/0.5/")

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_a_server_error_under_api_is_a_500_in_the_error_format(client, monkeypatch, settings):
    from api.views.movies import MovieViewSet

    def crash(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(MovieViewSet, "list", crash)
    client.raise_request_exception = False
    settings.DEBUG = False

    response = client.get("/api/movies/")

    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", [
    ("get", "/api/movies/{id}/"), ("get", "/api/movies/{id}/similar/"), ("get", "/api/me/ratings/{id}/"),
    ("put", "/api/me/ratings/{id}/"), ("delete", "/api/me/ratings/{id}/"), ("get", "/api/me/predicted/{id}/"),
    ("get", "/api/staff/training-runs/{id}/"), ("get", "/api/staff/model-versions/{id}/"),
    ("post", "/api/staff/model-versions/{id}/activate/"), ("get", "/api/staff/import-jobs/{id}/"),
])
@pytest.mark.parametrize("number", [2**31, 2**63, 10**40])
def test_an_id_past_any_database_column_is_not_found(as_staff, method, path, number):
    response = getattr(as_staff, method)(path.format(id=number), {"value": 4.0})

    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
