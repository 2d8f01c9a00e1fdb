"""An import started over the API reads only http(s) URLs, or local paths inside IMPORT_ROOTS: no
crafted path (`..`, a symbolic link, another scheme) reaches other files of the server."""
import pytest

from movies.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(settings, tmp_path):
    data = tmp_path / "data"
    (data / "ml-latest-small").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (data / "escape").symlink_to(tmp_path / "secret")
    settings.IMPORT_ROOTS = [data]
    return data


@pytest.mark.parametrize("source", ["/etc", "{root}/../secret", "{root}/escape", "{root}/escape/ratings.csv",
                                    "file:///etc/passwd", "FILE:///etc/passwd", "ftp://example.org/ml.zip",
                                    "javascript:alert(1)", "{root}/ml-latest-small\n/etc/passwd", "~root",
                                    "~no-such-user»"])
def test_an_import_from_outside_the_import_roots_or_not_http_is_forbidden(as_staff, root, source,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_staff.post("/api/staff/import-jobs/", {"source": source.format(root=root),
                                                            "kind": "wikipedia" if "\n" in source else "movielens"})

    assert response.status_code == 403, response.json()
    assert response.json()["error"]["code"] == "permission_denied"
    assert list(response.json()["error"]["fields"]) == ["source"]
    assert not ImportJob.objects.exists() and not callbacks


def test_a_source_with_a_nul_character_is_malformed(as_staff, root):
    response = as_staff.post("/api/staff/import-jobs/", {"source": f"{root}/ml\x00"})

    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["source"]
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("source", ["{root}/ml-latest-small", "{root}/ml-latest-small/../ml-latest-small",
                                    "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
                                    "HTTP://example.org/ml.zip"])
def test_an_import_from_inside_the_import_roots_or_over_http_is_queued(as_staff, root, source,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = as_staff.post("/api/staff/import-jobs/", {"source": source.format(root=root)})

    assert response.status_code == 201, response.json()
    assert len(callbacks) == 1
