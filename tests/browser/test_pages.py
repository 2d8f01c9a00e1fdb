"""Every page in real chromium: search that ranks what people type, the site's own 404 with DEBUG off (as
bin/run-site runs it), the admin's run page (a few screens tall, charts with axes), no request leaving the
site, and screenshots of each page at desktop and mobile width and in dark mode."""
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from ml.models import ModelKind, TrainingRun
from movies.models import ImportJob, Movie
from movies.ratings import set_rating
from tests.browser.conftest import DESKTOP, MOBILE
from tests.factories import activate_models

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MODES = [("desktop", DESKTOP, "light"), ("mobile", MOBILE, "light"), ("dark", DESKTOP, "dark")]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def log_in(page, username, password, path="/accounts/login/"):
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("[type=submit]").last.click()
    page.wait_for_load_state()


def a_long_run() -> TrainingRun:
    """A finished ratings run of three towers and two phases, 40 epochs each, as the trainer records them."""
    epochs = [{"phase": phase, "tower": tower, "epoch": n, "loss": 1.2 / n + 0.3, "val_rmse": 0.95 - n / 400,
               "val_ndcg": 0.1 + n / 800, "seconds": 1.5}
              for phase in ("validating", "all ratings") for tower in ("rating", "ranking", "genre")
              for n in range(1, 41)]
    return TrainingRun.objects.create(kind=ModelKind.RATINGS, status="succeeded", progress=1.0, stage="done",
                                      epochs=epochs, parameters={"dimensions": 32, "l2": 0.0001},
                                      evaluation={"rmse": 0.8712345, "ndcg": 0.2345678},
                                      finished_at=timezone.now())


@pytest.fixture
def site(catalog, viewer, staff):
    """The catalog with active models, a viewer with ratings, a finished run and import job."""
    activate_models(catalog)
    for movie, value in zip(catalog["scifi"][:6], [5, 4.5, 4, 5, 3.5, 4]):
        set_rating(user=viewer, movie=movie, value=value)
    for title, year, n in [("The Godfather", 1972, 300), ("The Godfather: Part II", 1974, 200),
                           ("Hogfather", 2006, 2), ("The Stepfather", 1987, 5), ("Matilda", 1996, 40)]:
        Movie.objects.create(title=title, year=year, num_ratings=n, mean_rating=4.0)
    job = ImportJob.objects.create(kind="movielens", source="https://files.grouplens.org/datasets/movielens/"
                                   "ml-latest-small.zip", status="succeeded", progress=1.0, stage="done",
                                   counts={"movies created": 9742, "ratings created": 100836})
    return {"movie": catalog["scifi"][0], "run": a_long_run(), "job": job}


def test_search_in_the_header_ranks_the_title_people_meant_first(new_page, screenshots, site):
    page = new_page()
    page.goto("/")
    page.fill("#site-search", "godfater")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/movies/?q=godfater")
    titles = page.locator(".cards .card a.title").all_inner_texts()
    assert titles[0] == "The Godfather" and "Matilda" not in titles and "The Stepfather" not in titles
    assert page.locator("select[name=sort] option:checked").inner_text() == "Relevance"
    page.screenshot(path=screenshots / "search-desktop.png", full_page=True)


def test_an_unknown_page_with_debug_off_is_the_sites_own_404(new_page, screenshots, settings, db):
    settings.DEBUG = False  # as bin/run-site runs the site
    page = new_page()
    response = page.goto("/movies/999999/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Not found" and page.locator(".brand").is_visible()
    text = page.locator("body").inner_text()
    assert "Django" not in text and "DEBUG" not in text and "URLconf" not in text
    page.screenshot(path=screenshots / "404-desktop.png", full_page=True)


def test_admin_run_page_is_a_few_screens_tall_with_charts_that_have_axes(new_page, screenshots, site):
    page = new_page()
    log_in(page, "staff", "a-long-password-2", "/admin/login/")
    page.goto(f"/admin/ml/trainingrun/{site['run'].pk}/change/")
    page.screenshot(path=screenshots / "admin-run-desktop.png", full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 4 * DESKTOP["height"], f"the run page is {height}px tall"
    charts = page.locator("figure.training-chart svg")
    assert charts.count() == 18  # 2 phases × 3 towers × (loss, rating error, ranking)
    for n in range(charts.count()):
        chart = charts.nth(n)
        assert chart.locator(".x-axis").count() == 1 and chart.locator(".y-axis").count() == 1
        assert chart.locator("text.tick").count() >= 4 and "epoch" in chart.locator(".axis-title").all_text_contents()
    assert not page.locator("details.epochs").evaluate("d => d.open")  # the epoch table collapsed
    assert page.locator("input[name=_save]").count() == 0
    page.locator("details.epochs summary").click()
    assert page.locator("details.epochs tbody tr").count() == 240


def test_every_page_loads_nothing_from_elsewhere_at_every_size_and_in_dark_mode(new_page, screenshots, site,
                                                                                settings):
    settings.DEBUG = False
    movie, run, job = site["movie"], site["run"], site["job"]
    public = [("home", "/"), ("browse", "/movies/"), ("search", "/movies/?q=godfather"),
              ("movie", f"/movies/{movie.pk}/"), ("login", "/accounts/login/"), ("signup", "/accounts/signup/"),
              ("404", "/movies/999999/"), ("api-docs", "/api/docs/"), ("api-redoc", "/api/redoc/")]
    signed_in = [("home-signed-in", "/"), ("picks", "/picks/"), ("ratings", "/ratings/"),
                 ("onboarding", "/accounts/welcome/"), ("movie-signed-in", f"/movies/{movie.pk}/")]
    admin = [("admin", "/admin/"), ("admin-runs", "/admin/ml/trainingrun/"),
             ("admin-run", f"/admin/ml/trainingrun/{run.pk}/change/"), ("admin-versions", "/admin/ml/modelversion/"),
             ("admin-imports", "/admin/movies/importjob/"),
             ("admin-import", f"/admin/movies/importjob/{job.pk}/change/"),
             ("admin-start-import", "/admin/movies/importjob/start/")]
    elsewhere = []
    for mode, viewport, scheme in MODES:
        pages = {}
        for who, paths in (("visitor", public), ("viewer", signed_in), ("staff", admin)):
            page = new_page(viewport=viewport, color_scheme=scheme)
            page.on("request", lambda request: urlparse(request.url).scheme in ("http", "https")
                    and urlparse(request.url).hostname not in LOCAL_HOSTS and elsewhere.append(request.url))
            if who == "viewer":
                log_in(page, "viewer", "a-long-password-1")
            elif who == "staff":
                log_in(page, "staff", "a-long-password-2", "/admin/login/")
            pages[who] = page
            for name, path in paths:
                response = page.goto(path)
                page.wait_for_load_state("networkidle")
                assert response.status == (404 if name == "404" else 200), f"{name}: {response.status}"
                if mode == "mobile" and not name.startswith(("admin", "api")):
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= MOBILE["width"], f"{name} scrolls sideways at mobile width ({width}px)"
                if mode == "desktop" and name.startswith("admin"):
                    width = page.evaluate("document.documentElement.scrollWidth")
                    hidden = page.evaluate("[...document.querySelectorAll('.results')]"
                                           ".map(r => r.scrollWidth - r.clientWidth).concat([0])[0]")
                    assert width <= DESKTOP["width"] and hidden <= 0, f"{name} is wider than 1280 px"
                page.screenshot(path=screenshots / f"page-{name}-{mode}.png", full_page=True)
    assert not elsewhere, f"requests that left the site: {sorted(set(elsewhere))}"
    assert get_user_model().objects.filter(username="viewer").exists()


def test_counts_and_the_predicted_rating_follow_ratings_made_in_place(new_page, site, viewer):
    page = new_page()
    log_in(page, "viewer", "a-long-password-1")
    page.goto("/picks/")
    assert page.locator("[data-rated-count]").inner_text() == "6 ratings"
    card = page.locator("form.rate").first
    movie_id = int(card.get_attribute("data-movie"))
    card.locator(f'label[for="r{movie_id}-2"]').click()  # 4.5 stars
    card.locator(".rate-status.saved").wait_for()
    assert page.locator("[data-rated-count]").inner_text() == "7 ratings"

    page.goto("/ratings/")
    assert page.locator("[data-rated-count]").inner_text() == "7 movies"
    page.locator("form.rate .clear").first.click()
    page.locator(".rate-status.saved").first.wait_for()
    assert page.locator("[data-rated-count]").inner_text() == "6 movies"

    page.goto(f"/movies/{movie_id}/")
    shown = page.locator(".predicted strong").inner_text()
    with page.expect_response(lambda response: "/api/me/predicted/" in response.url) as answer:
        page.locator(f'form.rate[data-movie="{movie_id}"] label[for="r{movie_id}-10"]').click()  # half a star
    expected = f"{answer.value.json()['predicted_rating']:.1f}"
    page.wait_for_function(f"document.querySelector('.predicted strong').textContent === '{expected}'")
    assert expected != shown or page.locator(".predicted strong").inner_text() == expected
