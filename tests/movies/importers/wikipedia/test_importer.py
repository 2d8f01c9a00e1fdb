"""A whole import of generated dumps, compared exactly to what the generator says they hold."""
from collections import Counter

import pytest
from django.conf import settings

from movies.importers.wikipedia.matching import film_name
from movies.importers.wikipedia.store import NAMED_COMMON
from movies.models import ImportJob, Movie, WikiLink
from synthetic.wikipedia import COMMON, generate_dump
from tests.movies.importers.wikipedia.conftest import (
    SHARE,
    expected,
    imported,
    links_snapshot,
    movies_snapshot,
    run_job,
    write_export,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("layout,schema", [("multistream", "0.11"), ("multistream", "0.10"), ("bz2", "0.10"),
                                           ("bz2", "0.11"), ("xml", "0.10"), ("xml", "0.11")])
def test_import_gives_exactly_the_generated_films_and_links(tmp_path, layout, schema):
    dump = generate_dump(tmp_path, articles=300, layout=layout, schema=schema, seed=7)
    job = run_job(*dump.files, part_bytes=4000)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert imported() == expected(dump)
    assert job.counts["films"] == len(dump.films)
    assert job.counts["not_films"] == dump.not_films
    assert job.counts["pages"] == dump.pages
    assert job.counts["articles"] == dump.articles


def test_multistream_is_read_in_several_parts(multistream):
    job = run_job(*multistream.files, part_bytes=4000)

    assert job.counts["parts"] > 3
    assert imported() == expected(multistream)


def test_multistream_index_is_found_beside_the_file(multistream):
    job = run_job(multistream.files[0], part_bytes=4000)

    assert job.counts["parts"] > 3
    assert imported() == expected(multistream)


def test_partition_files_import_together(tmp_path):
    first = generate_dump(tmp_path / "p1", articles=200, layout="bz2", seed=2, name="enwiki-p1")
    second = generate_dump(tmp_path / "p2", articles=200, layout="bz2", seed=3, name="enwiki-p2",
                           first_page_id=100_000, hostile=False)
    job = run_job(first.files[0], second.files[0])

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert set(imported()) == set(first.films) | set(second.films)


def test_reimporting_the_same_dump_changes_nothing(multistream):
    run_job(*multistream.files)
    movies, links = movies_snapshot(), links_snapshot()

    job = run_job(*multistream.files)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert movies_snapshot() == movies
    assert links_snapshot() == links
    assert job.counts["movies_created"] == 0


def test_newer_dump_replaces_the_links_of_its_films_only(tmp_path):
    old = generate_dump(tmp_path / "old", articles=300, seed=4, filler=2)
    other = generate_dump(tmp_path / "other", articles=200, seed=5, name="other", first_page_id=500_000,
                          hostile=False)
    run_job(*old.files)
    run_job(*other.files)
    # The same pages and titles, rendered again with other links: a later dump of the same wiki.
    newer = generate_dump(tmp_path / "new", articles=300, seed=4, filler=3)
    assert set(newer.films) == set(old.films) and expected(newer) != expected(old)

    job = run_job(*newer.files)

    assert job.counts["movies_created"] == 0
    assert imported() == expected(newer) | expected(other)


def test_hostile_titles_are_stored_as_text(multistream):
    run_job(*multistream.files)

    assert Movie.objects.filter(wikipedia_title='<script>alert("x")</script>').exists()
    assert Movie.objects.filter(title="Tom & Jerry: The <b>Movie</b>").exists()


def test_a_lower_threshold_drops_more_targets(multistream):
    strict = run_job(*multistream.files, common_link_share=0.05).counts
    WikiLink.objects.all().delete()
    loose = run_job(*multistream.files, common_link_share=1.0).counts

    assert loose["common_targets_dropped"] == 0
    assert strict["common_targets_dropped"] > 0
    assert strict["links"] < loose["links"]
    assert imported() == expected(multistream, 1.0)


def test_a_small_dump_keeps_the_links_of_its_one_film(tmp_path):
    dump = write_export(tmp_path / "enwiki-small-pages-articles.xml", [
        (7, 0, "Heat (1995 film)", "{{Infobox film\n| director = [[Michael Mann]]\n| released = 1995\n}}\n"
         "A film set in [[Los Angeles]], with [[Al Pacino]] and [[Robert De Niro]].", None)])

    job = run_job(dump)

    assert set(WikiLink.objects.values_list("target", flat=True)) == {
        "Michael Mann", "Los Angeles", "Al Pacino", "Robert De Niro"}
    assert (job.counts["common_targets_dropped"], job.counts["common_links_dropped"]) == (0, 0)
    assert job.counts["common_targets"] == ("none (dropped when linked by more than 20% of the 1 films and by "
                                            f"{settings.WIKIPEDIA_COMMON_LINK_MIN_FILMS} at least)")


def test_a_large_dump_drops_the_targets_most_films_link_to_and_names_them(tmp_path):
    dump = generate_dump(tmp_path / "large", articles=1500, layout="xml", seed=3)
    assert len(dump.films) > 3 * settings.WIKIPEDIA_COMMON_LINK_MIN_FILMS

    job = run_job(*dump.files)

    # COMMON, and what the leads and infoboxes link to as often (a genre, United States)
    frequency = Counter(target for film in dump.films.values() for target in film["links"])
    films_of = {target: films for target, films in frequency.items()
                if films > SHARE * len(dump.films) and films >= settings.WIKIPEDIA_COMMON_LINK_MIN_FILMS}
    assert set(COMMON) <= set(films_of)
    assert imported() == expected(dump)
    assert not WikiLink.objects.filter(target__in=films_of).exists()
    assert job.counts["common_targets_dropped"] == len(films_of)
    assert job.counts["common_links_dropped"] == sum(films_of.values())
    named = sorted(films_of.items(), key=lambda item: (-item[1], item[0]))
    assert job.counts["common_targets"] == ", ".join(
        f"{target} ({films} films)" for target, films in named[:NAMED_COMMON]) + (
        ", …" if len(named) > NAMED_COMMON else "")


def test_targets_fewer_films_link_to_than_the_minimum_stay(multistream):
    job = run_job(*multistream.files, common_link_min_films=len(multistream.films) + 1)

    assert job.counts["common_targets_dropped"] == 0
    assert imported() == expected(multistream, min_films=len(multistream.films) + 1)
    assert WikiLink.objects.filter(target=COMMON[0]).count() == len(multistream.films)


def test_links_inside_citations_are_counted_apart(multistream):
    job = run_job(*multistream.files)

    assert job.counts["links_in_refs_skipped"] == 2 * len(multistream.films)
    assert not WikiLink.objects.filter(target="The New York Times").exists()


def test_films_join_movielens_by_imdb_then_title_and_year_and_the_rest_stand_alone(multistream):
    films = sorted(multistream.films.items())
    with_imdb = [(page, film) for page, film in films if film["imdb_id"]][:2]
    with_year = [(page, film) for page, film in films if film["year"] and (page, film) not in with_imdb][:2]
    for number, (_, film) in enumerate(with_imdb):
        Movie.objects.create(movielens_id=number + 1, title=f"Other name {number}", imdb_id=film["imdb_id"])
    for number, (_, film) in enumerate(with_year):
        Movie.objects.create(movielens_id=number + 10, title=film_name(film["title"]), year=film["year"])

    job = run_job(*multistream.files)

    assert job.counts["films_matched_imdb"] == 2
    assert job.counts["films_matched_title_year"] == 2
    assert job.counts["films_unmatched"] == len(films) - 4
    assert job.counts["movies_created"] == len(films) - 4
    assert Movie.objects.filter(movielens_id__isnull=False, wikipedia_page_id__isnull=False).count() == 4
    assert Movie.objects.get(movielens_id=1).wikipedia_page_id == with_imdb[0][0]
    assert imported() == expected(multistream)


def test_a_film_joined_to_movielens_later_leaves_its_own_movie(multistream):
    run_job(*multistream.files)
    page, film = next((page, film) for page, film in sorted(multistream.films.items()) if film["imdb_id"])
    own = Movie.objects.get(wikipedia_page_id=page)
    Movie.objects.filter(pk=own.pk).update(imdb_id=None)
    joined = Movie.objects.create(movielens_id=1, title="Other name", imdb_id=film["imdb_id"])

    run_job(*multistream.files)

    assert Movie.objects.get(wikipedia_page_id=page) == joined
    own.refresh_from_db()
    assert own.wikipedia_page_id is None and not own.wiki_links.exists()
    assert imported() == expected(multistream)


def test_a_multistream_url_is_downloaded_with_its_index(multistream, file_server, settings, tmp_path):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    base = file_server(multistream.files[0].parent)

    job = run_job(f"{base}/{multistream.files[0].name}", part_bytes=4000)

    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.counts["parts"] > 3
    assert sorted(path.name for path in settings.DOWNLOAD_DIR.iterdir()) == sorted(f.name for f in multistream.files)
    assert imported() == expected(multistream)


def test_a_url_that_answers_404_fails_naming_it(file_server, tmp_path, settings):
    settings.DOWNLOAD_DIR = tmp_path / "downloads"
    url = f"{file_server(tmp_path)}/enwiki-missing-pages-articles.xml.bz2"

    job = run_job(url)

    assert job.status == ImportJob.Status.FAILED
    assert url in job.error
