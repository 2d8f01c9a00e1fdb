"""What every visitor's browser asks for besides pages: the favicon, the API docs' assets, the error pages."""
import re

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_favicon_is_the_sites_star(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("web/star.svg")


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_api_docs_load_nothing_from_another_site(client, path):
    html = client.get(path).content.decode()
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', html), html
    assert "fonts.googleapis" not in html and "cdn" not in html.lower().replace("sidecar", "")


def test_redoc_page_keeps_the_redocly_logo_from_its_cdn_out():
    html = render_to_string("drf_spectacular/redoc.html", {"schema_url": "/api/schema/", "settings": "{}"})
    assert '"data:,"' in html and 'HTMLImageElement.prototype, "src"' in html and "fonts.googleapis" not in html


def test_server_error_page_renders_without_a_request_context():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "recsite" in html
