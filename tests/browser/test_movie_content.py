"""In a real browser: a movie's Wikipedia lead and facts and its tags, the tag browse, and the watchlist and "not
interested" buttons (in place with JavaScript, as forms without it), with screenshots of each page changed."""
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model

from movies.models import Mark, Movie, MovieArticle, Tag
from movies.ratings import set_rating
from movies.tags import refresh_movie_tags
from tests.browser.conftest import MOBILE
from tests.factories import activate_models

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
LEAD = ("Scifi 0 is a 1980 <science fiction> film directed by Ridley Scott & starring Harrison Ford.\n\n"
        "It was released on June 25, 1980, and became a cult film.")


@pytest.fixture
def content(catalog):
    """The catalog with models, a Wikipedia article for its first movie and tags on a few movies."""
    activate_models(catalog)
    movie = catalog["scifi"][0]
    Movie.objects.filter(pk=movie.pk).update(wikipedia_title="Scifi 0 (1980 film)", directors=["Ridley Scott"])
    MovieArticle.objects.create(movie=movie, lead=LEAD, starring=["Harrison Ford", "Rutger Hauer", "Sean Young"],
                                runtime_minutes=117, countries=["United States", "Hong Kong"],
                                languages=["English"], release_date=date(1980, 6, 25))
    taggers = [get_user_model().objects.create_user(f"tagger{n}", is_active=False) for n in range(3)]
    when = datetime(2024, 5, 1, tzinfo=UTC)
    for tagger in taggers:
        for tagged in catalog["scifi"][:3]:
            Tag.objects.create(user=tagger, movie=tagged, text="cyberpunk", tagged_at=when)
    Tag.objects.create(user=taggers[0], movie=movie, text="Dystopia", tagged_at=when)
    refresh_movie_tags()
    return catalog


def log_in(page, username="viewer", password="a-long-password-1"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def local_only(page, live_server) -> list[str]:
    """The page's requests that leave the live server, recorded from now on (asserted empty at the end)."""
    outside = []
    page.on("request", lambda request: None if request.url.startswith((live_server.url, "data:"))
            else outside.append(request.url))
    return outside


def card_ids(page) -> list[int]:
    return [int(href.rstrip("/").split("/")[-1]) for href in page.locator(".cards .card a.title").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]


def test_a_movie_shows_its_wikipedia_lead_facts_and_tags_and_a_tag_lists_its_movies(new_page, screenshots, content,
                                                                                     live_server):
    movie = content["scifi"][0]
    page = new_page()
    outside = local_only(page, live_server)
    page.goto(f"/movies/{movie.pk}/")

    paragraphs = page.locator(".lead p").all_inner_texts()
    assert paragraphs[:2] == LEAD.split("\n\n")  # escaped as text: "<science fiction>" reads as written
    assert page.locator(".starring").inner_text() == "Starring Harrison Ford, Rutger Hauer, Sean Young"
    facts = page.locator(".infobox").inner_text()
    assert "June 25, 1980" in facts and "117 min" in facts and "United States, Hong Kong" in facts
    assert page.locator(".chips.tags a").all_inner_texts() == ["cyberpunk", "Dystopia"]
    page.screenshot(path=screenshots / "movie-content-desktop.png", full_page=True)

    page.get_by_role("link", name="cyberpunk").click()
    page.wait_for_url("**/movies/?tag=cyberpunk")
    assert page.locator("h1").inner_text() == "Movies tagged “cyberpunk”"
    assert sorted(card_ids(page)) == sorted(m.pk for m in content["scifi"][:3])
    page.screenshot(path=screenshots / "browse-tag-desktop.png", full_page=True)

    page.fill("#site-search", "CYBERPUNK")
    page.keyboard.press("Enter")
    page.wait_for_url("**/movies/?q=CYBERPUNK")
    assert page.get_by_role("heading", name="Tagged “CYBERPUNK”").is_visible()
    assert page.locator(".tagged .card").count() == 3
    page.screenshot(path=screenshots / "search-tag-desktop.png", full_page=True)
    assert outside == []

    for viewport, scheme, name in ((MOBILE, "light", "mobile"), (MOBILE, "dark", "mobile-dark"),
                                   ({"width": 1280, "height": 900}, "dark", "desktop-dark")):
        other = new_page(viewport=viewport, color_scheme=scheme)
        for path, shot in ((f"/movies/{movie.pk}/", "movie-content"), ("/movies/?tag=cyberpunk", "browse-tag")):
            other.goto(path)
            width = other.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{path} scrolls sideways ({width}px)"
            other.screenshot(path=screenshots / f"{shot}-{name}.png", full_page=True)


def test_watchlist_and_not_interested_in_place_keep_movies_out_of_picks(new_page, screenshots, content, viewer,
                                                                        redis_cache, live_server):
    """With the site's production caching, so that the marks must end the cached picks page."""
    for movie in content["romance"][:3]:
        set_rating(user=viewer, movie=movie, value=5)
    page = new_page()
    outside = local_only(page, live_server)
    log_in(page)
    page.goto("/picks/")
    assert page.locator(".card .guess").count() == page.locator(".card").count() == 24  # predicted on every card
    assert page.locator("nav.pages .current").inner_text() == "1"
    first, second = card_ids(page)[:2]

    page.evaluate("window.notReloaded = true")
    watch = page.locator(f'form.mark[data-movie="{first}"] .mark-watchlist')
    watch.click()
    page.locator(f'form.mark[data-movie="{first}"][data-kind="watchlist"]').wait_for()
    assert watch.inner_text() == "✓ On your watchlist" and watch.get_attribute("aria-pressed") == "true"
    page.locator(f'form.mark[data-movie="{second}"] .mark-not-interested').click()
    page.locator(f'.card.marked-not-interested form.mark[data-movie="{second}"]').wait_for()
    assert page.evaluate("window.notReloaded") is True  # both in place
    assert dict(viewer.marks.values_list("movie_id", "kind")) == {first: "watchlist", second: "not_interested"}
    page.screenshot(path=screenshots / "picks-marked-desktop.png", full_page=True)

    page.reload()
    assert first not in card_ids(page) and second not in card_ids(page)
    page.get_by_role("link", name="Watchlist", exact=True).first.click()
    page.wait_for_url("**/watchlist/")
    assert card_ids(page) == [first]
    page.screenshot(path=screenshots / "watchlist-desktop.png", full_page=True)
    page.get_by_role("link", name="Not interested").first.click()
    page.wait_for_url("**/watchlist/not-interested/")
    assert card_ids(page) == [second]
    page.locator(f'form.mark[data-movie="{second}"] .mark-not-interested').click()  # undo, in place
    page.locator(f'form.mark[data-movie="{second}"][data-kind=""]').wait_for()
    assert not viewer.marks.filter(kind=Mark.Kind.NOT_INTERESTED).exists()
    page.goto("/picks/")
    assert second in card_ids(page)

    from ml.models import ModelKind
    from ml.serving.recommendations import similar_to

    shown = content["romance"][5]
    neighbour = similar_to(movie=shown, kind=ModelKind.RATINGS)[0].movie
    set_rating(user=viewer, movie=neighbour, value=3.5)
    page.goto(f"/movies/{shown.pk}/")
    also_liked = page.locator(".neighbours section").nth(1)
    assert also_liked.locator(".rated-mark").first.inner_text() == "rated 3.5 ★"
    assert page.locator(".predicted").is_visible()
    page.screenshot(path=screenshots / "movie-signed-in-desktop.png", full_page=True)
    page.goto("/movies/?sort=title")
    assert page.locator("nav.pages .current").inner_text() == "1"
    page.screenshot(path=screenshots / "browse-pages-desktop.png", full_page=True)
    assert outside == []

    dark = new_page(viewport=MOBILE, color_scheme="dark")
    log_in(dark)
    for path, shot in (("/picks/", "picks"), ("/watchlist/", "watchlist")):
        dark.goto(path)
        assert dark.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
        dark.screenshot(path=screenshots / f"{shot}-mobile-dark.png", full_page=True)


def test_the_buttons_work_without_javascript(browser, live_server, screenshots, content, viewer):
    movie = content["romance"][5]
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        log_in(page)
        page.goto(f"/movies/{movie.pk}/")
        page.get_by_role("button", name="+ Watchlist").click()
        page.wait_for_url(f"**/movies/{movie.pk}/")
        assert page.locator(".message").inner_text() == f"Added {movie.title} to your watchlist."
        assert page.get_by_role("button", name="✓ On your watchlist").get_attribute("aria-pressed") == "true"
        page.get_by_role("button", name="Not interested").click()
        assert page.get_by_role("button", name="Undo “not interested”").is_visible()
        assert viewer.marks.get().kind == "not_interested"
        page.screenshot(path=screenshots / "movie-marked-nojs-desktop.png", full_page=True)
    finally:
        context.close()
