"""A new visitor signs up, rates a dozen movies without reloads, gets picks and follows similar movies; staff
retrain a model on a real worker and watch the run finish."""
import pytest
from django.contrib.auth import get_user_model

from movies.models import Rating
from tests.browser.conftest import MOBILE
from tests.factories import activate_models

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def rate_in_place(page, movie_id: int, stars: float):
    """Click the half star for `stars` in the movie's widget and wait for the API's answer."""
    nth = int((5 - stars) * 2) + 1  # the widget lists 5, 4.5, ... 0.5
    form = page.locator(f'form.rate[data-movie="{movie_id}"]')
    form.locator(f'label[for="r{movie_id}-{nth}"]').click()
    form.locator(".rate-status.saved").wait_for()


def test_sign_up_onboard_rate_a_dozen_without_reloads_and_follow_picks(new_page, screenshots, catalog, redis_cache):
    """With the site's production caching: pages kept per visitor in Redis, dropped by each rating."""
    activate_models(catalog)
    page = new_page()
    page.goto("/")
    page.screenshot(path=screenshots / "home-visitor-desktop.png", full_page=True)
    page.get_by_role("link", name="Sign up").first.click()
    page.fill("#id_username", "newbie")
    page.fill("#id_password1", "a-long-password-9")
    page.fill("#id_password2", "a-long-password-9")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/accounts/welcome/")

    page.evaluate("window.notReloaded = true")
    forms = page.locator("form.rate")
    movie_ids = [int(forms.nth(n).get_attribute("data-movie")) for n in range(12)]
    for n, movie_id in enumerate(movie_ids):
        rate_in_place(page, movie_id, [4.5, 5, 1.5, 3][n % 4])
    assert page.evaluate("window.notReloaded") is True  # twelve ratings, no page load
    assert page.locator("#rated-count").inner_text() == "12"
    page.screenshot(path=screenshots / "onboarding-desktop.png", full_page=True)
    user = get_user_model().objects.get(username="newbie")
    assert set(Rating.objects.filter(user=user).values_list("movie_id", flat=True)) == set(movie_ids)

    page.get_by_role("link", name="See your picks →").click()
    page.wait_for_url("**/picks/")
    picked = [int(href.rstrip("/").split("/")[-1]) for href in
              page.locator(".cards .card a.title").evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    assert picked and not set(picked) & set(movie_ids)
    assert page.locator(".because").count() > 0
    page.screenshot(path=screenshots / "picks-desktop.png", full_page=True)

    page.locator(".cards .card a.title").first.click()
    page.wait_for_url("**/movies/*/")
    assert page.get_by_role("heading", name="Similar movies").is_visible()
    assert page.locator(".bars").first.locator("li").count() == 10
    page.screenshot(path=screenshots / "movie-desktop.png", full_page=True)
    first_similar = page.locator(".bars a").first
    title = first_similar.inner_text()
    first_similar.click()
    assert page.locator("h1").inner_text().startswith(title.split(" (")[0])

    # Rated in place on a page that was cached, the movie shows the rating when it is opened again.
    movie_id = int(page.url.rstrip("/").split("/")[-1])
    rate_in_place(page, movie_id, 2.5)
    page.goto("/picks/")
    assert movie_id not in [int(href.rstrip("/").split("/")[-1]) for href in page.locator(
        ".cards .card a.title").evaluate_all("links => links.map(a => a.getAttribute('href'))")]
    page.goto(f"/movies/{movie_id}/")
    assert page.locator(f'form.rate[data-movie="{movie_id}"] input[value="2.5"]').is_checked()


def test_pages_at_mobile_width_and_in_dark_mode(new_page, screenshots, catalog, viewer):
    activate_models(catalog)
    page = new_page(viewport=MOBILE, color_scheme="dark")
    page.goto("/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", "a-long-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    page.goto("/accounts/welcome/")
    rate_in_place(page, int(page.locator("form.rate").first.get_attribute("data-movie")), 4.5)
    for name, path in [("home", "/"), ("browse", "/movies/?q=scifi&sort=rating"),
                       ("movie", f"/movies/{catalog['scifi'][0].pk}/"), ("picks", "/picks/"), ("ratings", "/ratings/")]:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= MOBILE["width"], f"{name} scrolls sideways at mobile width ({width}px)"
        page.screenshot(path=screenshots / f"{name}-mobile-dark.png", full_page=True)


def test_staff_retrain_on_a_worker_and_watch_it_finish(new_page, screenshots, release, staff, celery_worker_process,
                                                       monkeypatch):
    from ml import runs
    from movies.importers.movielens import import_movielens

    import_movielens(str(release.path))
    start_run = runs.start_run
    tiny = {"dimensions": 8, "rank_dimensions": 8, "max_epochs": 3, "patience": 1, "batch_size": 256}
    monkeypatch.setattr(runs, "start_run", lambda kind, **kwargs: start_run(kind, **{**kwargs, "parameters": tiny}))

    page = new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "a-long-password-2")
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/ml/trainingrun/")
    page.get_by_role("button", name="Retrain Collaborative filtering (ratings)").click()
    page.wait_for_url("**/admin/ml/trainingrun/*/change/")
    page.get_by_text("Succeeded", exact=False).first.wait_for(timeout=240_000)  # the page reloads itself
    page.screenshot(path=screenshots / "admin-run-finished-desktop.png", full_page=True)
    assert page.locator("svg").count() >= 1
    page.goto("/admin/ml/modelversion/")
    assert page.locator("#result_list").get_by_text("ratings").count() >= 1
