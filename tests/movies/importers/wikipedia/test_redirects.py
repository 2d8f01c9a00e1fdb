"""Template redirects decide which infobox names mean `Infobox film`."""
from movies.importers.wikipedia.redirects import film_infoboxes


def test_template_redirects_to_infobox_film_count_double_ones_too():
    names = film_infoboxes([("Template:Infobox movie", "Template:Infobox film"),
                            ("Template:Film infobox", "Template:Infobox movie"),
                            ("Template:Infobox Film", "Template:Infobox_film"),
                            ("Template:Infobox film awards/old", "Template:Infobox film awards")])

    assert names == {"Infobox film", "Infobox movie", "Film infobox", "Infobox Film"}


def test_a_redirect_loop_ends():
    assert film_infoboxes([("Template:A", "Template:B"), ("Template:B", "Template:A")]) == {"Infobox film"}
