"""A film article's lead and infobox facts as a reader sees them: markup stripped, nothing but the text kept."""
import pytest

from movies.importers.wikipedia.wikitext import read_film


def article(text, title="Blade Runner"):
    return read_film(1, title, text).article


def lead_of(body):
    return article("{{Infobox film\n| name = X\n}}\n" + body)["lead"]


def infobox(**values):
    lines = "".join(f"| {name} = {value}\n" for name, value in values.items())
    return article("{{Infobox film\n" + lines + "}}\nText.")


def test_lead_is_the_text_before_the_first_heading_without_the_templates_around_it():
    text = ("{{Short description|1982 film}}\n{{About|the film|the novel|Do Androids Dream}}\n{{Use mdy dates}}\n"
            "{{Infobox film\n| name = Blade Runner\n| director = [[Ridley Scott]]\n}}\n"
            "'''''Blade Runner''''' is a 1982 [[science fiction]] film.\n\nIt stars [[Harrison Ford]].\n"
            "__NOTOC__\n== Plot ==\nDeckard hunts replicants.")

    assert article(text)["lead"] == "Blade Runner is a 1982 science fiction film.\n\nIt stars Harrison Ford."


@pytest.mark.parametrize("body,text", [
    ("[[Ridley Scott]] and [[Harrison Ford|Ford]] in [[Los Angeles]]'s [[replicant]]s.",
     "Ridley Scott and Ford in Los Angeles's replicants."),
    ("A film.<ref>{{cite web|title=Source|url=http://x.example}}</ref> Then.<ref name=\"a\" />",
     "A film. Then."),
    ("Made<!-- hidden [[Link]] --> in 1982.{{citation needed|date=May 2024}}{{efn|A note.}}{{sfn|Smith|2001}}",
     "Made in 1982."),
    ("[[File:Poster.jpg|thumb|A poster with [[Harrison Ford]]]]Shot in [[Category:Films]][[fr:Blade Runner]]town.",
     "Shot in town."),
    ("See [[:Category:Films]] and {{lang|fr|''Le Film''}}, {{nowrap|1,000 miles}}, {{convert|100|km}}.",
     "See Category:Films and Le Film, 1,000 miles, 100 km."),
    ("AT&amp;T&nbsp;Inc. &lt;b&gt;not bold&lt;/b&gt; &#8212; done.", "AT&T Inc. <b>not bold</b> — done."),
    ("'''Bold''', ''italic'' and '''''both''''' with <small>small</small> and <b>tags</b>.",
     "Bold, italic and both with small and tags."),
    ("Released {{film date|1982|6|25}} and {{Start date|df=yes|1983|1|2}} in {{Film date|1984}}.",
     "Released June 25, 1982 and 2 January 1983 in 1984."),
    ("Starring {{ubl|Harrison Ford|Rutger Hauer}} and [http://example.org a site] http://example.org.",
     "Starring Harrison Ford, Rutger Hauer and a site http://example.org."),
    ("{| class=\"wikitable\"\n| a table cell\n|}\nAfter the table.", "After the table."),
])
def test_lead_markup_is_stripped_to_its_text(body, text):
    assert lead_of(body) == text


def test_lead_drops_paragraphs_without_words_and_keeps_a_long_lead_to_whole_paragraphs():
    assert lead_of("{{Main|Other}}\n\n[[File:X.jpg]]\n\nFirst.\n\n\n\nSecond.") == "First.\n\nSecond."
    long = "\n\n".join(f"Paragraph {n} " + "word " * 200 for n in range(10))
    paragraphs = lead_of(long).split("\n\n")
    assert 1 < len(paragraphs) < 10 and all(p.startswith("Paragraph") and p.endswith("word") for p in paragraphs)


@pytest.mark.parametrize("value,names", [
    ("[[Harrison Ford]]", ["Harrison Ford"]),
    ("[[Sean Young (actress)|Sean Young]]", ["Sean Young"]),
    ("{{Plainlist|\n* [[Harrison Ford]]\n* Rutger Hauer<ref>{{cite web|title=Cast}}</ref>\n}}",
     ["Harrison Ford", "Rutger Hauer"]),
    ("{{ubl|[[Harrison Ford]]|Rutger Hauer}}", ["Harrison Ford", "Rutger Hauer"]),
    ("{{Unbulleted list|Harrison Ford|[[Rutger Hauer|Rutger&nbsp;Hauer]]}}", ["Harrison Ford", "Rutger Hauer"]),
    ("Harrison Ford<br />Rutger Hauer<br>Sean Young", ["Harrison Ford", "Rutger Hauer", "Sean Young"]),
    ("* Harrison Ford\n* Harrison Ford\n* Rutger Hauer", ["Harrison Ford", "Rutger Hauer"]),
    ("''[[Harrison Ford]]''<!-- lead -->", ["Harrison Ford"]),
])
def test_starring_lists_the_names_as_shown(value, names):
    assert infobox(starring=value)["starring"] == names


@pytest.mark.parametrize("values,countries,languages", [
    ({"country": "United States", "language": "English"}, ["United States"], ["English"]),
    ({"country": "{{flag|[[United States]]}}", "language": "[[English language|English]]"},
     ["United States"], ["English"]),
    ({"country": "{{Plainlist|\n* [[United Kingdom]]\n* [[United States]]\n}}", "language": "English<br />French"},
     ["United Kingdom", "United States"], ["English", "French"]),
    ({"countries": "{{ubl|France|[[Côte d'Ivoire]]}}", "languages": "{{hlist|French|Dioula}}"},
     ["France", "Côte d'Ivoire"], ["French", "Dioula"]),
    ({}, [], []),
])
def test_countries_and_languages_are_lists_of_text(values, countries, languages):
    found = infobox(**values)
    assert (found["countries"], found["languages"]) == (countries, languages)


@pytest.mark.parametrize("value,minutes", [("117 minutes", 117), ("117 minutes<ref>BBFC 2001</ref>", 117),
                                           ("117 min.", 117), ("{{Duration|m=117}}", 117),
                                           ("{{Duration|h=1|m=57}}", 117), ("116.5 minutes", 116),
                                           ("Two hours", None), ("", None), ("0 minutes", None),
                                           ("99999999999 minutes", None), ("{{Duration|h=inf}}", None),
                                           ("{{Duration|m=nan}} 90 min", 90)])
def test_runtime_is_read_in_minutes(value, minutes):
    assert infobox(runtime=value)["runtime_minutes"] == minutes


@pytest.mark.parametrize("value,day", [
    ("{{Film date|1982|6|25}}", "1982-06-25"),
    ("{{film date|df=yes|1982|6|25|[[United States|US]]|1982|9|9|UK}}", "1982-06-25"),
    ("{{Plainlist|\n* {{Film date|1982|6|25|United States}}\n}}", "1982-06-25"),
    ("June 25, 1982<ref>Published June 1, 2001</ref>", "1982-06-25"),
    ("25 June 1982 (United States)", "1982-06-25"),
    ("{{Film date|1982}}", None), ("1982", None), ("February 30, 1982", None), ("", None),
])
def test_release_date_is_the_first_full_date(value, day):
    assert infobox(released=value)["release_date"] == day


def test_a_film_without_facts_or_lead_has_empty_ones():
    assert article("{{Infobox film}}") == {"lead": "", "starring": [], "runtime_minutes": None, "countries": [],
                                           "languages": [], "release_date": None}
