"""The movie page: facts, links out, numbers, your rating and predicted rating, two neighbour lists as bars."""
import re

import pytest
from django.urls import reverse

from movies.models import Movie
from movies.ratings import set_rating
from tests.factories import activate_models

pytestmark = pytest.mark.django_db


def test_movie_page_shows_facts_links_and_numbers(client, catalog):
    movie = catalog["scifi"][0]
    html = client.get(reverse("movie", args=[movie.pk])).content.decode()
    assert "Scifi 0" in html and "(1980)" in html and "Sci-Fi" in html
    assert f"https://www.imdb.com/title/{movie.imdb_id}/" in html
    assert f"https://www.themoviedb.org/movie/{movie.tmdb_id}" in html
    assert "<strong>4.2</strong> / 5 from 5 ratings" in html
    assert "Log in</a> or" in html


def test_movie_page_lists_neighbours_with_bars_never_the_movie_itself(as_viewer, viewer, models,
                                                                       django_assert_max_num_queries):
    movie = models["scifi"][0]
    set_rating(user=viewer, movie=models["scifi"][1], value=4.5)
    as_viewer.get(reverse("movie", args=[movie.pk]))  # loads the models' vectors once per process
    with django_assert_max_num_queries(14):
        page = as_viewer.get(reverse("movie", args=[movie.pk]))
    html = page.content.decode()
    similar, also_liked = (section.split("</ol>")[0] for section in html.split('<ol class="bars">')[1:])
    for listed in (similar, also_liked):
        assert listed.count('class="bar"') == 10 and listed.count("Scifi") == 10 and "Romance" not in listed
        assert f'href="/movies/{movie.pk}/"' not in listed  # never its own neighbour
    assert 'aria-label="similarity 0.9' in similar or 'aria-label="similarity 1.00"' in similar
    assert page.context["predicted"] is not None and "We think you'd give it" in html


def test_movie_page_without_a_link_model_tells_staff_how_to_import_wikipedia(as_staff, catalog):
    activate_models(catalog, links=False)
    page = as_staff.get(reverse("movie", args=[catalog["scifi"][0].pk]))
    html = page.content.decode()
    assert "no link model yet" in html and "import_wikipedia" in html
    assert html.count('class="bar"') == 10


@pytest.mark.parametrize("who", ["anonymous", "viewer"])
def test_movie_page_without_a_link_model_shows_visitors_no_instructions(client, viewer, catalog, who):
    activate_models(catalog, links=False)
    if who == "viewer":
        client.force_login(viewer)
    html = client.get(reverse("movie", args=[catalog["scifi"][0].pk])).content.decode()
    assert "link model" not in html and "manage.py" not in html and "Similar movies" not in html
    assert "Viewers also liked" in html and html.count('class="bar"') == 10


def test_movie_page_lets_the_script_refresh_the_predicted_rating(as_viewer, viewer, models):
    html = as_viewer.get(reverse("movie", args=[models["scifi"][0].pk])).content.decode()
    assert f'class="predicted" data-api="/api/me/predicted/{models["scifi"][0].pk}/"' in html


def test_movie_page_shows_your_rating_checked(as_viewer, viewer, catalog):
    movie = catalog["romance"][0]
    set_rating(user=viewer, movie=movie, value=3.5)
    html = as_viewer.get(reverse("movie", args=[movie.pk])).content.decode()
    assert 'value="3.5" checked' in html


def test_movie_page_escapes_the_title(client, db):
    movie = Movie.objects.create(title="<script>alert(1)</script>", wikipedia_title="<b>x</b>")
    html = client.get(reverse("movie", args=[movie.pk])).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html


def test_unknown_movie_is_404(client, db):
    assert client.get(reverse("movie", args=[999999])).status_code == 404


def test_unknown_movie_without_debug_is_the_sites_own_404_page(client, db, settings):
    settings.DEBUG = False
    page = client.get(reverse("movie", args=[999999]))
    html = page.content.decode()
    assert page.status_code == 404 and "Not found" in html and "recsite" in html and 'href="/movies/"' in html
    assert "Django" not in html and "URLconf" not in html


def test_neighbour_lists_follow_a_newly_activated_model(client, catalog):
    """The lists are rendered once per movie and model versions: activating another version shows its lists."""
    activate_models(catalog, links=False)
    url = reverse("movie", args=[catalog["scifi"][0].pk])
    assert "Similar movies" not in client.get(url).content.decode()
    activate_models(catalog)
    assert "Similar movies" in client.get(url).content.decode()


def test_movie_page_shows_the_wikipedia_lead_and_infobox_escaped(client, catalog, django_assert_max_num_queries):
    from datetime import date

    from movies.models import MovieArticle

    movie = catalog["scifi"][0]
    Movie.objects.filter(pk=movie.pk).update(wikipedia_title="Scifi 0 (1980 film)", directors=["Ridley Scott"])
    MovieArticle.objects.create(movie=movie, lead="A <script>x</script> film.\n\nIts second paragraph.",
                                starring=["Harrison Ford", "Sean <b>Young</b>"], runtime_minutes=117,
                                countries=["United States", "Hong Kong"], languages=["English"],
                                release_date=date(1982, 6, 25))
    with django_assert_max_num_queries(8):
        html = client.get(reverse("movie", args=[movie.pk])).content.decode()
    assert "<p>A &lt;script&gt;x&lt;/script&gt; film.</p><p>Its second paragraph.</p>" in html
    assert "Starring Harrison Ford, Sean &lt;b&gt;Young&lt;/b&gt;" in html and "<b>Young" not in html
    assert "Directed by Ridley Scott" in html
    assert "<dt>Runtime</dt><dd>117 min</dd>" in html
    assert "<dt>Countries</dt><dd>United States, Hong Kong</dd>" in html and "<dt>Language</dt><dd>English" in html
    assert '<time datetime="1982-06-25">June 25, 1982</time>' in html
    assert "From the Wikipedia article" in html and "CC BY-SA 4.0" in html


def test_movie_page_without_an_article_shows_no_lead(client, catalog):
    html = client.get(reverse("movie", args=[catalog["scifi"][0].pk])).content.decode()
    assert 'class="lead"' not in html and "From the Wikipedia article" not in html


def test_movie_page_shows_its_top_tags_as_links_to_the_tag_browse(client, catalog):
    from django.contrib.auth import get_user_model

    from movies.models import Tag
    from movies.tags import refresh_movie_tags
    from tests.factories import WHEN

    movie = catalog["scifi"][0]
    users = [get_user_model().objects.create_user(f"tagger{n}") for n in range(3)]
    for user, text in [(users[0], "time travel"), (users[1], "Time Travel"), (users[2], "time travel"),
                       (users[2], "cult & classic")]:
        Tag.objects.create(movie=movie, user=user, text=text, tagged_at=WHEN)
    refresh_movie_tags()

    html = client.get(reverse("movie", args=[movie.pk])).content.decode()

    assert '<a href="/movies/?tag=time%20travel" title="given by 3 users">time travel</a>' in html
    assert html.index("travel</a>") < html.index("cult &amp; classic</a>")  # most given first
    assert 'href="/movies/?tag=cult%20%26%20classic"' in html


def test_neighbour_lists_mark_the_movies_you_rated(as_viewer, viewer, models, django_assert_max_num_queries):
    from movies.models import Movie

    url = reverse("movie", args=[models["scifi"][0].pk])
    listed = re.findall(r'href="/movies/(\d+)/"', as_viewer.get(url).content.decode().split("Viewers also liked")[1])
    first, second = Movie.objects.get(pk=listed[0]), Movie.objects.get(pk=listed[3])
    set_rating(user=viewer, movie=first, value=4.5)
    set_rating(user=viewer, movie=second, value=2)

    html = as_viewer.get(url).content.decode()

    also_liked = html.split("Viewers also liked")[1]
    for rated, value in ((first, "4.5"), (second, "2")):
        assert re.search(rf'href="/movies/{rated.pk}/">[^<]*<span class="year">\(\d+\)</span></a>'
                         rf'<span class="rated-mark" title="your rating">rated {value} ★</span>', also_liked)
    assert also_liked.count("rated-mark") == 2 and "<!--rated:" not in html
    from django.test import Client
    assert "rated-mark" not in Client().get(url).content.decode()  # the same cached lists, no marks for visitors


def test_movie_page_shows_no_template_comment(client, models):
    html = client.get(reverse("movie", args=[models["scifi"][0].pk])).content.decode()
    assert "{#" not in html and "{% comment" not in html and "neighbours_html" not in html
