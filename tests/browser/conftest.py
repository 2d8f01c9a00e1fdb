"""Browser tests: Playwright driving Debian's chromium against the site on pytest-django's live server.

Screenshots go to DATA_DIR/screenshots (var/test/screenshots under bin/test). Without chromium the tests are
skipped, except in CI (.ci/run installs it), where they fail.
"""
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
DESKTOP, MOBILE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def browser(live_server):
    """Chromium for one test, started after the live server and its database (and stopped before them): while
    Playwright's event loop runs, Django refuses database calls from this thread unless told they are safe."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the tests' own database calls are synchronous
    # all the same, so Django's guard against calls from async code does not apply here (only during the test:
    # a child process started later must not inherit it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
            # While the loop runs, Django keeps this thread's connections apart from the ones it uses once the
            # loop has stopped (asgiref's Local follows the async context): close those of the test here, or the
            # test database cannot be dropped at the end ("being accessed by other users").
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def screenshots():
    folder = Path(settings.DATA_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def new_page(browser, live_server):
    """Pages in fresh browser contexts (own cookies), at desktop size unless told otherwise."""
    contexts = []

    def open_page(viewport=DESKTOP, color_scheme="light"):
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme, base_url=live_server.url)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


from tests.web.conftest import catalog, staff, viewer  # noqa: E402, F401  (shared fixtures)
