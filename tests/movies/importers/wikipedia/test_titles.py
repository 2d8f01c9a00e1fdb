"""Titles and link targets read as MediaWiki reads them (Sanitizer::decodeCharReferences, the parser's link
handling, MediaWikiTitleCodec::splitTitleString): the cases are MediaWiki's rules written out by hand."""
import pytest

from movies.importers.wikipedia.titles import decode_references, link_title, normalize_title
from movies.importers.wikipedia.wikitext import link_target, read_film
from movies.models import Movie, WikiLink
from tests.movies.importers.wikipedia.conftest import run_job, write_export


@pytest.mark.parametrize("text, decoded", [
    ("Smith&nbsp;Jones", "Smith\u00a0Jones"), ("AT&amp;T", "AT&T"), ("&eacute;clair", "éclair"),
    ("&#38;", "&"), ("&#x26;", "&"), ("&#X26;", "&"), ("&#0038;", "&"), ("&#x1F600;", "\U0001f600"),
    ("&rlm;", "\u200f"), ("&רלמ;", "\u200f"),                   # MediaWiki's own aliases of &rlm;
    ("&amp", "&amp"), ("&nbsp", "&nbsp"),                        # wikitext wants the semicolon, unlike HTML5
    ("&bogus;", "&bogus;"),                                      # an unknown name stays
    ("&#0;", "\ufffd"), ("&#xD800;", "\ufffd"), ("&#x110000;", "\ufffd"), ("&#999999999999;", "\ufffd"),
    ("&#128;", "\u0080"),                                        # not HTML5's windows-1252 mapping (€)
    ("e&#x301;", "é"),                                           # NFC after decoding: one character
    ("&amp;nbsp;", "&nbsp;"),                                    # decoded once, not twice
])
def test_character_references_are_decoded_as_mediawiki_does(text, decoded):
    assert decode_references(text) == decoded


@pytest.mark.parametrize("text, title", [
    ("Smith&nbsp;&amp; Jones Pictures", "Smith & Jones Pictures"),
    ("smith__&_ jones", "Smith & jones"),                        # only the first letter is raised
    ("Foo\u3000bar\u2009baz\u202fqux", "Foo bar baz qux"),       # Unicode spaces are spaces
    ("\u200eFoo\u200f bar\u202a", "Foo bar"),                    # bidi marks go
    ("Foo&#x5F;bar&#95;", "Foo bar"),                            # an underscore written as a reference too
    (" _Heat_ ", "Heat"),
])
def test_titles_are_normalized_as_mediawiki_stores_them(text, title):
    assert normalize_title(text) == title


@pytest.mark.parametrize("raw, target", [
    ("Smith&nbsp;& Jones Pictures", "Smith & Jones Pictures"),
    ("Smith%20%26%20Jones", "Smith & Jones"),                    # the parser percent-decodes link targets
    ("100%25 Love", "100% Love"), ("50% off", "50% off"),         # a lone % is a character of titles
    ("Caf%C3%A9 Society", "Café Society"),
    ("New&#x20;York&#32;City#History", "New York City"),
    ("&#58;Blade Runner", "Blade Runner"),                       # a leading colon, written as a reference
    ("Category&#58;1982 films", None), ("FR:Blade Runner", None),  # namespaces and interwikis, any case
    ("Foo&bogus;bar", None), ("Foo%2541", None),                 # a reference or escape left over
    ("&#91;Foo&#93;", None), ("Foo&#124;bar", None), ("Foo&lt;b&gt;", None), ("Foo%3Cb%3E", None),
    ("Foo\tbar", None), ("Foo&#x7F;", None), ("Caf%E9", None),    # control characters; not UTF-8
    ("Foo~~~", None), ("../Foo", None), ("Foo/./bar", None), ("Foo/..", None), ("..", None),
    ("x" * 255, "X" + "x" * 254), ("x" * 256, None), ("é" * 127, "É" + "é" * 126), ("é" * 128, None),  # bytes
    ("http://example.org/", None), ("//example.org", None), ("mailto:a@example.org", None),
    ("&#35;Plot", None), (" : ", None),
])
def test_link_targets_follow_mediawikis_title_rules(raw, target):
    assert link_target(raw) == target


def test_a_link_title_keeps_its_namespace_for_the_caller_to_judge():
    assert link_title("Category : 1982 films#top") == "Category : 1982 films"


def test_a_films_title_is_normalized_too():
    film = read_film(1, "Smith &amp; Jones", "{{Infobox film}}")  # <title>Smith &amp;amp; Jones</title>

    assert film.title == "Smith & Jones"


EXPORT_PAGES = [
    (1, 0, "Smith & Jones (1999 film)",
     "{{Infobox film\n| name = Smith &amp; Jones\n| director = [[Jane_Doe]]\n| released = 1999\n}}\n"
     "'''Smith &amp; Jones''' is a film made by [[Smith&nbsp;& Jones Pictures]] in [[New&#x20;York%20City|NYC]], "
     "then in [[Lon&#100;on]]; see [[NYC#Boroughs]] and [[&eacute;clair]], not [[Smith &bogus; Jones]] "
     "nor [[File:Poster.jpg]].", None),
    (2, 0, "Smith & Jones Pictures", "A studio.", None),
    (3, 0, "NYC", "#REDIRECT [[New York City]]", "New York City"),
    (4, 0, "New York City", "A city.", None),
]


@pytest.mark.django_db
def test_an_export_of_hand_written_pages_is_read_as_mediawiki_reads_it(tmp_path):
    dump = write_export(tmp_path / "enwiki-hand-pages-articles.xml", EXPORT_PAGES)

    job = run_job(dump)

    movie = Movie.objects.get(wikipedia_page_id=1)
    assert (movie.wikipedia_title, movie.year, movie.directors) == ("Smith & Jones (1999 film)", 1999, ["Jane Doe"])
    assert set(WikiLink.objects.filter(movie=movie).values_list("target", flat=True)) == {
        "Jane Doe", "Smith & Jones Pictures", "New York City", "London", "Éclair"}
    assert job.counts["links_redirected"] == 1  # [[NYC#Boroughs]]
