"""/api/auth/token/: a token for a username and password, used as `Authorization: Token …`."""
import pytest

pytestmark = pytest.mark.django_db


def test_a_username_and_password_get_a_token_that_signs_requests_in(anonymous, ada):
    response = anonymous.post("/api/auth/token/", {"username": "ada", "password": "analytical-engine"})

    assert response.status_code == 200
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert anonymous.get("/api/me/ratings/").status_code == 200


def test_asking_twice_gives_the_same_token(anonymous, ada):
    credentials = {"username": "ada", "password": "analytical-engine"}

    first = anonymous.post("/api/auth/token/", credentials).json()
    second = anonymous.post("/api/auth/token/", credentials).json()

    assert first == second


def test_a_wrong_password_is_refused_in_the_error_format(anonymous, ada):
    response = anonymous.post("/api/auth/token/", {"username": "ada", "password": "wrong"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["Unable to log in with provided credentials."]}
    assert response.json()["error"]["message"] == "Unable to log in with provided credentials."


def test_asking_for_tokens_is_throttled(anonymous, ada, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"writes": "100/minute", "login": "2/minute"}}

    codes = [anonymous.post("/api/auth/token/", {"username": "ada", "password": "guess"}).status_code
             for _ in range(3)]

    assert codes == [400, 400, 429]
