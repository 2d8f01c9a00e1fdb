"""The OpenAPI schema is valid and complete, and its docs are served from local files (no CDN)."""
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_the_schema_generates_without_a_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.mark.django_db
def test_every_operation_has_a_summary_and_documents_its_errors(anonymous):
    schema = anonymous.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operations = [(path, method, operation) for path, item in schema["paths"].items()
                  for method, operation in item.items()]
    assert len(operations) == 31
    for mine in ("/api/me/watchlist/", "/api/me/not-interested/"):  # list, add; one: read, add, take off
        assert set(schema["paths"][mine]) == {"get", "post"}
        assert set(schema["paths"][mine + "{movie}/"]) == {"get", "put", "delete"}
    for path, method, operation in operations:
        assert operation.get("summary") or operation.get("description"), (method, path)
        errors = {code for code in operation["responses"] if code.startswith("4")}
        assert errors, (method, path)
        for code in errors:
            assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_their_scripts_from_this_site(client, page):
    html = client.get(page).content.decode()

    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/drf_spectacular_sidecar/") for src in scripts), scripts
    assert all(finders.find(src.removeprefix("/static/")) for src in scripts)  # collectstatic will serve them
    assert "cdn" not in html.lower()
