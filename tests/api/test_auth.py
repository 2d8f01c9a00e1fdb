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


@pytest.mark.parametrize("credentials", [{"username": "ada", "password": "wrong"},
                                         {"username": "nobody", "password": "analytical-engine"}])
def test_wrong_credentials_are_a_401_in_the_error_format(anonymous, ada, credentials):
    response = anonymous.post("/api/auth/token/", credentials)

    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json()["error"] == {"code": "authentication_failed", "fields": {},
                                        "message": "Unable to log in with the username and password given."}


def test_an_inactive_account_gets_no_token(anonymous, ada):
    ada.is_active = False
    ada.save()

    assert anonymous.post("/api/auth/token/", {"username": "ada", "password": "analytical-engine"}).status_code == 401


@pytest.mark.parametrize("credentials, field", [({"username": "ada"}, "password"),
                                                ({"username": "  ", "password": "x"}, "username"),
                                                ({"username": "ada\x00", "password": "x"}, "username")])
def test_missing_or_malformed_credentials_are_a_400_naming_the_field(anonymous, ada, credentials, field):
    response = anonymous.post("/api/auth/token/", credentials)

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [field]


def test_the_username_is_read_without_surrounding_spaces(anonymous, ada):
    response = anonymous.post("/api/auth/token/", {"username": " ada ", "password": "analytical-engine"})

    assert response.status_code == 200 and response.json()["token"]


def test_asking_for_tokens_is_throttled(anonymous, ada, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"writes": "100/minute", "login": "2/minute"}}

    codes = [anonymous.post("/api/auth/token/", {"username": "ada", "password": "guess"}).status_code
             for _ in range(3)]

    assert codes == [401, 401, 429]
