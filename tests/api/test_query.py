"""Query parameters are read strictly on every endpoint: a value the schema does not allow, or a parameter given
twice, is a 400 in the error format naming the parameter (never the default, never a silent fallback)."""
import pytest

pytestmark = pytest.mark.django_db

LISTS = ["/api/movies/", "/api/me/ratings/", "/api/staff/training-runs/", "/api/staff/model-versions/",
         "/api/staff/import-jobs/"]


def get(request, path, query):
    client = request.getfixturevalue("as_staff")  # staff may call every endpoint
    return client.get(path.format(movie=request.getfixturevalue("catalog")["scifi"][0].pk), query)


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("query, field", [
    ({"page_size": "null"}, "page_size"), ({"page_size": ""}, "page_size"), ({"page_size": "0"}, "page_size"),
    ({"page_size": "101"}, "page_size"), ({"page_size": "5.0"}, "page_size"), ({"page_size": " 5"}, "page_size"),
    ({"page": "0"}, "page"), ({"page": "abc"}, "page"), ({"page": ""}, "page"), ({"page": "last"}, "page"),
])
def test_a_bad_page_or_page_size_is_a_400_naming_it_on_every_list(request, path, query, field):
    response = get(request, path, query)

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]
    assert response.json()["error"]["message"].startswith(f"{field}: ")


@pytest.mark.parametrize("path, query, field", [
    ("/api/movies/", {"year_min": ""}, "year_min"),
    ("/api/movies/", {"year_max": "1990.0"}, "year_max"),
    ("/api/movies/", {"decade": "١٩٩٠"}, "decade"),  # digits, but not ASCII ones
    ("/api/movies/", {"decade": "9" * 5000}, "decade"),
    ("/api/movies/", {"ordering": "budget"}, "ordering"),
    ("/api/movies/", {"ordering": ""}, "ordering"),
    ("/api/movies/", {"ordering": "title,"}, "ordering"),
    ("/api/movies/", {"ordering": "--year"}, "ordering"),
    ("/api/movies/", {"genre": "x" * 51}, "genre"),
    ("/api/movies/", {"genre": "Comedy\x00"}, "genre"),
    ("/api/movies/", {"search": "scifi\x00"}, "search"),
    ("/api/movies/", {"search": "\x00"}, "search"),
    ("/api/movies/", {"search": "x" * 201}, "search"),
    ("/api/movies/", {"tag": "robots\x00"}, "tag"),
    ("/api/movies/", {"tag": "x" * 256}, "tag"),
    ("/api/movies/{movie}/similar/", {"kind": ""}, "kind"),
    ("/api/movies/{movie}/similar/", {"k": ""}, "k"),
    ("/api/movies/{movie}/similar/", {"k": "2.5"}, "k"),
    ("/api/me/picks/", {"k": ""}, "k"),
    ("/api/me/picks/", {"decade": "null"}, "decade"),
    ("/api/me/picks/", {"genre": " " * 51}, "genre"),
])
def test_a_value_off_the_schema_is_a_400_naming_the_parameter(request, path, query, field):
    response = get(request, path, query)

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]


@pytest.mark.parametrize("path, query", [
    ("/api/movies/", "page_size=5&page_size=6"), ("/api/movies/", "genre=Romance&genre=Sci-Fi"),
    ("/api/movies/", "year_min=1980&year_min=1990"), ("/api/movies/", "ordering=title&ordering=year"),
    ("/api/movies/", "search=a&search=b"), ("/api/movies/", "tag=a&tag=b"), ("/api/movies/{movie}/similar/", "k=1&k=2"),
    ("/api/me/picks/", "genre=Romance&genre=Romance"), ("/api/staff/import-jobs/", "page=1&page=1"),
])
def test_a_parameter_given_twice_is_a_400_naming_it(request, path, query):
    response = get(request, f"{path}?{query}", None)

    field = query.split("=")[0]
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: ["Give this parameter once."]}


def test_an_empty_genre_means_every_genre_as_documented(anonymous, catalog):
    assert anonymous.get("/api/movies/", {"genre": ""}).json()["count"] == 24


def test_unknown_parameters_are_ignored(anonymous, catalog):
    assert anonymous.get("/api/movies/", {"colour": "blue", "page_size": 3}).json()["count"] == 24


def test_a_page_past_the_last_is_not_found_naming_the_page(anonymous, catalog):
    response = anonymous.get("/api/movies/", {"page": 3, "page_size": 12})

    assert response.status_code == 404 and response.json()["error"] == {
        "code": "not_found", "message": "page: There is no page 3: 2 pages in all.",
        "fields": {"page": ["There is no page 3: 2 pages in all."]}}


def test_an_empty_list_has_its_first_page(as_ada):
    response = as_ada.get("/api/me/ratings/", {"page": 1})

    assert response.status_code == 200 and response.json()["count"] == 0
