"""The site's hand-built HTML pieces escape what they show (titles come from the dumps)."""
import pytest
from django.test import RequestFactory

from movies.models import Movie
from web.forms import BrowseForm
from web.templatetags import web

EVIL = '<script>alert("x")</script>'


def test_a_movie_card_escapes_titles_and_reasons():
    context = {"request": RequestFactory().get("/picks/?a=<b>")}
    html = web.movie_card(context, Movie(pk=7, title=EVIL, year=1999, num_ratings=3, mean_rating=4.25),
                          because=Movie(pk=8, title=EVIL), rate=True, value=4.5)
    assert "<script>" not in html and html.count("&lt;script&gt;") == 3  # title, reason, widget legend
    assert 'href="/movies/7/"' in html and 'href="/movies/8/"' in html and "★ 4.2" in html
    assert 'value="4.5" checked' in html and "<b>" not in html


@pytest.mark.django_db
def test_a_select_escapes_its_choices_and_marks_the_chosen_one():
    form = BrowseForm({"sort": "rating"})
    form.fields["genre"].choices = [("", "All"), (EVIL, EVIL)]
    assert "<script>" not in web.select(form["genre"])
    assert '<option value="rating" selected>' in web.select(form["sort"])


def test_initials_skip_a_leading_article():
    assert web.initials("The Godfather: Part II") == "GP"
    assert web.initials("Amélie") == "A"


def test_star_labels_use_the_singular_for_one_star(rf):
    from types import SimpleNamespace

    from web.templatetags.web import rating_widget

    request = rf.get("/")
    html = rating_widget({"request": request}, SimpleNamespace(pk=1, title="X"))
    assert 'title="1 star"' in html and 'title="0.5 stars"' in html and 'title="4.5 stars"' in html
    assert "1 stars" not in html
