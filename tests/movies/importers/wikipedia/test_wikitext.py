"""Reading a film article: MediaWiki's template-name and link rules, year, directors, IMDb id."""
import pytest

from movies.importers.wikipedia.wikitext import candidate_infobox, link_target, read_film, template_name


def film(text, title="Blade Runner"):
    return read_film(1, title, text)


@pytest.mark.parametrize("opening", ["{{Infobox film", "{{infobox film", "{{Infobox_film", "{{ Infobox  film ",
                                     "{{Template:Infobox film", "{{template:infobox_film"])
def test_infobox_film_name_follows_mediawiki_rules(opening):
    found = film(opening + "\n| name = X\n}}")

    assert found is not None and found.infobox == "Infobox film"


@pytest.mark.parametrize("text", ["{{Infobox film awards\n| name = X\n}}", "{{Infobox film festival}}",
                                  "{{Infobox filmmaker}}"])
def test_infobox_film_awards_is_not_a_film(text):
    found = film(text)

    assert found is None or found.infobox != "Infobox film"


@pytest.mark.parametrize("text", ["<!-- {{Infobox film\n| name = X\n}} -->", "<nowiki>{{Infobox film}}</nowiki>",
                                  "{{tl|Infobox film}}", "<pre>{{Infobox film}}</pre>"])
def test_infobox_film_in_comment_or_nowiki_is_not_a_film(text):
    assert film(text + "\n{{Infobox person}}") is None


def test_first_letter_of_infobox_is_case_insensitive_but_the_rest_is_not():
    assert film("{{Infobox Film}}").infobox == "Infobox Film"  # a template redirect decides, not the reader


def test_candidate_prefilter_sees_escaped_dump_bytes():
    assert candidate_infobox(b"{{Infobox_film\n| name = X}}")
    assert candidate_infobox(b"{{Film infobox}}")
    assert not candidate_infobox(b"{{Infobox person}} {{tl|Infobox film}}")


@pytest.mark.parametrize("released,year", [("{{Film date|1982|6|25}}", 1982),
                                           ("{{film date|df=yes|1982|6|25|[[United States|US]]}}", 1982),
                                           ("{{Film date|1982|6|25|US|{{Film date|1983}}}}", 1982),
                                           ("June 25, 1982<ref>Published 2001</ref>", 1982),
                                           ("{{Start date|1999}}", 1999)])
def test_year_comes_from_the_release_date(released, year):
    assert film("{{Infobox film\n| released = " + released + "\n}}").year == year


def test_year_falls_back_to_the_disambiguator_then_the_category():
    assert film("{{Infobox film}}", title="Heat (1995 film)").year == 1995
    assert film("{{Infobox film}}\n[[Category:1982 films|Blade]]").year == 1982
    assert film("{{Infobox film}}").year is None


@pytest.mark.parametrize("value,names", [
    ("[[Ridley Scott]]", ["Ridley Scott"]),
    ("[[Ridley_Scott|Scott]]", ["Ridley Scott"]),
    ("{{Plainlist|\n* [[Joel Coen]]\n* [[Ethan Coen]]\n}}", ["Joel Coen", "Ethan Coen"]),
    ("{{ubl|[[Joel Coen]]|Ethan Coen}}", ["Joel Coen", "Ethan Coen"]),
    ("John Doe<br />Jane Roe", ["John Doe", "Jane Roe"]),
])
def test_directors_are_read_from_links_or_list_items(value, names):
    assert film("{{Infobox film\n| director = " + value + "\n}}").directors == names


@pytest.mark.parametrize("template,imdb", [("{{IMDb title|0083658}}", "tt0083658"),
                                           ("{{IMDb title|id=0083658|title=Blade Runner}}", "tt0083658"),
                                           ("{{IMDb title | id = tt0083658 }}", "tt0083658"),
                                           ("{{imdb title|83658}}", "tt0083658"),
                                           ("{{IMDb name|0000631}}", None)])
def test_imdb_id_comes_from_the_imdb_title_template(template, imdb):
    assert film("{{Infobox film}}\n* " + template).imdb_id == imdb


@pytest.mark.parametrize("raw,target", [
    ("Ridley_Scott", "Ridley Scott"), ("film director", "Film director"), ("Heat#Plot", "Heat"),
    ("  Blade   Runner ", "Blade Runner"), ("AT&amp;T", "AT&T"), ("éclair", "Éclair"),
    ("File:Poster.jpg", None), ("Image:Poster.jpg", None), ("Category:1982 films", None),
    (":Category:Films", None), ("fr:Blade Runner", None), ("wikt:film", None), ("#Plot", None),
    ("Star Wars: Episode IV", "Star Wars: Episode IV"), ("<script>x</script>", None),
])
def test_link_targets_are_normalized_as_mediawiki_does(raw, target):
    assert link_target(raw) == target


def test_links_keep_order_once_each_without_refs_comments_or_nowiki():
    text = ("{{Infobox film\n| starring = [[Harrison Ford]]\n}}\n[[Rutger Hauer|Hauer]] and [[harrison Ford]]s."
            "<ref>{{cite news|work=[[The New York Times]]}}</ref><ref name=a/>"
            "<!-- [[Hidden]] --><nowiki>[[Shown]]</nowiki> [[File:X.jpg|thumb|With [[Sean Young]]]]")
    found = film(text)

    assert found.links == ["Harrison Ford", "Rutger Hauer", "Sean Young"]
    assert found.links_in_refs == 1


@pytest.mark.parametrize("raw,name", [("infobox_film", "Infobox film"), ("#if: x", None), ("Template: Foo", "Foo")])
def test_template_names_are_normalized(raw, name):
    assert template_name(raw) == name
