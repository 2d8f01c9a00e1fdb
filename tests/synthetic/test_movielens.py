"""The synthetic MovieLens generator: real file layouts, and the taste structure it plants.

Files are parsed back here with the csv module and str.split, independently of the generator.
"""
import csv
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest

from synthetic.movielens import generate_dataset

GENRES_100K = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
               "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
               "War", "Western"]
YEAR_AT_END = re.compile(r".+ \((\d{4})\)$")


def unix(year, month=1, day=1):
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


def read_csv(path):
    raw = path.read_bytes()
    assert b"\r" not in raw
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def read_separated(path, sep, encoding="latin-1"):
    raw = path.read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    return [line.split(sep) for line in raw.decode(encoding).split("\n") if line]


def ratings_of(dataset):
    """(user, movie, rating text, timestamp) tuples, whatever the format."""
    if dataset.format == "csv":
        return [(int(u), int(m), r, int(t)) for u, m, r, t in read_csv(dataset.path / "ratings.csv")[1]]
    if dataset.format == "dat":
        return [(int(u), int(m), r, int(t)) for u, m, r, t in read_separated(dataset.path / "ratings.dat", "::")]
    return [(int(u), int(m), r, int(t)) for u, m, r, t in read_separated(dataset.path / "u.data", "\t")]


@pytest.fixture(scope="module")
def csv_set(tmp_path_factory):
    return generate_dataset(tmp_path_factory.mktemp("csv"), format="csv", n_users=80, n_movies=200,
                            ratings_per_user=30, tags_per_user=2, seed=7, name="ml-test-small")


@pytest.fixture(scope="module")
def dat_set(tmp_path_factory):
    return generate_dataset(tmp_path_factory.mktemp("dat"), format="dat", n_users=80, n_movies=200,
                            ratings_per_user=30, seed=7)


@pytest.fixture(scope="module")
def set_100k(tmp_path_factory):
    return generate_dataset(tmp_path_factory.mktemp("100k"), format="100k", n_users=80, n_movies=200,
                            ratings_per_user=30, seed=7)


@pytest.fixture(params=["csv", "dat", "100k"])
def any_set(request):
    return request.getfixturevalue({"csv": "csv_set", "dat": "dat_set", "100k": "set_100k"}[request.param])


# --- arguments ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"format": "json"}, {"ratings_per_user": 0}, {"ratings_per_user": 500},
                                    {"n_movies": 3, "n_groups": 4}, {"n_users": 0}])
def test_generate_dataset_rejects_impossible_arguments(tmp_path, kwargs):
    with pytest.raises(ValueError):
        generate_dataset(tmp_path, **kwargs)


def test_generate_dataset_creates_a_missing_out_dir(tmp_path):
    dataset = generate_dataset(tmp_path / "a" / "b", n_users=5, n_movies=10, ratings_per_user=3)
    assert (tmp_path / "a" / "b" / "ratings.csv").is_file()
    assert dataset.path == tmp_path / "a" / "b"


# --- every format ------------------------------------------------------------------------------

def test_generated_ratings_are_unique_per_user_and_movie_and_counted(any_set):
    ratings = ratings_of(any_set)
    assert len(ratings) == any_set.n_ratings == 80 * 30
    assert len({(u, m) for u, m, _, _ in ratings}) == len(ratings)
    assert Counter(u for u, _, _, _ in ratings) == Counter({u: 30 for u in range(1, 81)})


def test_generated_ratings_refer_to_described_users_and_movies(any_set):
    ratings = ratings_of(any_set)
    assert {u for u, _, _, _ in ratings} == set(any_set.user_group) == set(range(1, any_set.n_users + 1))
    assert {m for _, m, _, _ in ratings} <= set(any_set.movie_group)
    assert len(any_set.movie_group) == any_set.n_movies == 200
    assert set(any_set.user_group.values()) == set(any_set.movie_group.values()) == {0, 1, 2, 3}


def test_own_group_ratings_are_higher_on_average_than_other_group(any_set):
    own, other = [], []
    for u, m, r, _ in ratings_of(any_set):
        (own if any_set.user_group[u] == any_set.movie_group[m] else other).append(float(r))
    assert min(own) >= 3.5 and max(other) <= 3.0
    assert sum(own) / len(own) > sum(other) / len(other) + 2


def test_about_80_percent_of_ratings_are_from_the_users_own_group(any_set):
    ratings = ratings_of(any_set)
    own = sum(any_set.user_group[u] == any_set.movie_group[m] for u, m, _, _ in ratings)
    assert own / len(ratings) == pytest.approx(0.8, abs=0.03)


def test_some_movies_are_much_more_popular_than_others(any_set):
    counts = Counter(m for _, m, _, _ in ratings_of(any_set))
    ordered = sorted(counts.values(), reverse=True)
    assert ordered[0] >= 4 * ordered[len(ordered) // 2]


def test_generated_timestamps_are_plausible_and_distinct_per_user(any_set):
    by_user = defaultdict(list)
    for u, _, _, t in ratings_of(any_set):
        by_user[u].append(t)
    first, last = (unix(1997), unix(1998, 5)) if any_set.format == "100k" else (unix(2000), unix(2019))
    for stamps in by_user.values():
        assert len(set(stamps)) == len(stamps)
        assert first <= min(stamps) and max(stamps) < last


def test_generation_is_deterministic_for_a_seed(tmp_path):
    for fmt in ("csv", "dat", "100k"):
        one = generate_dataset(tmp_path / f"{fmt}-1", format=fmt, seed=3)
        two = generate_dataset(tmp_path / f"{fmt}-2", format=fmt, seed=3)
        other = generate_dataset(tmp_path / f"{fmt}-3", format=fmt, seed=4)
        names = sorted(p.name for p in one.path.iterdir())
        assert names == sorted(p.name for p in two.path.iterdir())
        assert all((one.path / n).read_bytes() == (two.path / n).read_bytes() for n in names)
        assert (one.user_group, one.movie_group) == (two.user_group, two.movie_group)
        ratings = "ratings.csv" if fmt == "csv" else "ratings.dat" if fmt == "dat" else "u.data"
        assert (one.path / ratings).read_bytes() != (other.path / ratings).read_bytes()


def test_genres_identify_the_taste_group(tmp_path):
    dataset = generate_dataset(tmp_path, format="csv", n_groups=6, n_movies=300, seed=1)
    groups_of_genre = defaultdict(set)
    for movie_id, _, genres in read_csv(tmp_path / "movies.csv")[1]:
        if genres != "(no genres listed)":
            for genre in genres.split("|"):
                groups_of_genre[genre].add(dataset.movie_group[int(movie_id)])
    assert all(len(groups) == 1 for groups in groups_of_genre.values())
    assert len({next(iter(g)) for g in groups_of_genre.values()}) == 6


def test_a_single_group_means_every_rating_is_own_group(tmp_path):
    dataset = generate_dataset(tmp_path, n_groups=1, n_users=10, n_movies=20, ratings_per_user=20)
    assert all(float(r) >= 3.5 for _, _, r, _ in ratings_of(dataset))


# --- csv: ml-latest-small / ml-25m -------------------------------------------------------------

def test_generated_csv_writes_the_ml_latest_files_with_their_headers(csv_set):
    assert sorted(p.name for p in csv_set.path.iterdir()) == [
        "README.txt", "links.csv", "movies.csv", "ratings.csv", "tags.csv"]
    assert read_csv(csv_set.path / "movies.csv")[0] == ["movieId", "title", "genres"]
    assert read_csv(csv_set.path / "ratings.csv")[0] == ["userId", "movieId", "rating", "timestamp"]
    assert read_csv(csv_set.path / "links.csv")[0] == ["movieId", "imdbId", "tmdbId"]
    assert read_csv(csv_set.path / "tags.csv")[0] == ["userId", "movieId", "tag", "timestamp"]


def test_generated_csv_ratings_are_half_stars_in_range(csv_set):
    texts = {r for _, _, r, _ in ratings_of(csv_set)}
    assert all(re.fullmatch(r"[0-5]\.[05]", text) for text in texts)
    assert {float(t) for t in texts} <= {step / 2 for step in range(1, 11)}
    assert {"4.0", "3.5", "5.0"} <= texts


def test_generated_csv_ratings_are_sorted_by_user_then_movie(csv_set):
    keys = [(u, m) for u, m, _, _ in ratings_of(csv_set)]
    assert keys == sorted(keys)


def test_generated_csv_movie_ids_are_not_contiguous(csv_set):
    ids = [int(row[0]) for row in read_csv(csv_set.path / "movies.csv")[1]]
    assert ids == sorted(ids) and len(set(ids)) == 200
    assert ids[0] == 1 and ids[-1] > 200
    assert set(ids) == set(csv_set.movie_group)


def test_generated_csv_titles_have_years_and_movielens_quirks(csv_set):
    rows = read_csv(csv_set.path / "movies.csv")[1]
    titles = [title for _, title, _ in rows]
    assert all(YEAR_AT_END.fullmatch(title) for title in titles)
    assert len(set(titles)) == len(titles)
    article_last = [t for t in titles if re.search(r", (The|A|An|La|Le|Les|El|Das|Die) \(\d{4}\)$", t)]
    assert 0.07 <= len(article_last) / len(titles) <= 0.2
    assert not any(re.match(r"(The|A|An) ", t) for t in titles)
    assert any(set(t) & set("éñöäÉ") for t in titles)
    assert any("," in t[:-7] and t not in article_last for t in titles)
    raw = (csv_set.path / "movies.csv").read_text(encoding="utf-8")
    assert all(f'"{t}"' in raw for t in titles if "," in t and '"' not in t)  # quoted per RFC 4180
    assert all(t.encode("latin-1") for t in titles)


def test_generated_csv_genres_are_pipe_separated_known_genres(csv_set):
    known = {"Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
             "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"}
    listed = [genres for _, _, genres in read_csv(csv_set.path / "movies.csv")[1]]
    assert "(no genres listed)" in listed
    for genres in listed:
        if genres != "(no genres listed)":
            assert set(genres.split("|")) <= known and genres.split("|") == sorted(genres.split("|"))


def test_generated_csv_links_have_padded_imdb_ids_and_some_empty_tmdb_ids(csv_set):
    rows = read_csv(csv_set.path / "links.csv")[1]
    assert [int(r[0]) for r in rows] == sorted(csv_set.movie_group)
    assert all(re.fullmatch(r"\d{7}", imdb) for _, imdb, _ in rows)
    assert len({imdb for _, imdb, _ in rows}) == len(rows)
    tmdb = [t for _, _, t in rows]
    assert "" in tmdb and all(t == "" or t.isdigit() for t in tmdb)
    filled = [t for t in tmdb if t]
    assert len(set(filled)) == len(filled)


def test_generated_csv_tags_are_free_text_on_rated_movies(csv_set):
    rated = {(u, m) for u, m, _, _ in ratings_of(csv_set)}
    rows = read_csv(csv_set.path / "tags.csv")[1]
    assert len(rows) == 80 * 2
    assert all((int(u), int(m)) in rated and tag and int(t) > unix(2000) for u, m, tag, t in rows)
    assert any("," in tag for _, _, tag, _ in rows) and any(" " in tag for _, _, tag, _ in rows)
    keys = [(int(u), int(m)) for u, m, _, _ in rows]
    assert keys == sorted(keys)


def test_generated_csv_readme_names_the_dataset(csv_set):
    text = (csv_set.path / "README.txt").read_text(encoding="utf-8")
    assert "This dataset (ml-test-small) describes 5-star rating" in text
    assert "It contains 2400 ratings" in text


# --- dat: ml-10m -------------------------------------------------------------------------------

def test_generated_dat_writes_double_colon_latin1_files_without_headers(dat_set):
    assert sorted(p.name for p in dat_set.path.iterdir()) == ["movies.dat", "ratings.dat", "tags.dat"]
    movies = read_separated(dat_set.path / "movies.dat", "::")
    assert len(movies) == 200 and all(len(row) == 3 and row[0].isdigit() for row in movies)
    assert all(YEAR_AT_END.fullmatch(title) for _, title, _ in movies)
    assert all(len(row) == 4 and row[0].isdigit() for row in read_separated(dat_set.path / "ratings.dat", "::"))
    assert all(len(row) == 4 and row[3].isdigit() for row in read_separated(dat_set.path / "tags.dat", "::"))
    raw = (dat_set.path / "movies.dat").read_bytes()
    assert re.search(rb"[\xe9\xf1\xf6\xe4\xc9]", raw)  # accents as single Latin-1 bytes
    assert b"\xc3" not in raw  # not UTF-8


def test_generated_dat_ratings_are_half_stars_written_like_ml10m(dat_set):
    texts = {r for _, _, r, _ in ratings_of(dat_set)}
    assert all(re.fullmatch(r"[1-5]|[0-4]\.5", text) for text in texts)
    assert {"4", "4.5", "5"} <= texts


def test_generated_dat_ratings_are_sorted_and_ids_sparse(dat_set):
    keys = [(u, m) for u, m, _, _ in ratings_of(dat_set)]
    assert keys == sorted(keys)
    ids = [int(row[0]) for row in read_separated(dat_set.path / "movies.dat", "::")]
    assert ids[0] == 1 and ids[-1] > len(ids)


# --- 100k --------------------------------------------------------------------------------------

def test_generated_100k_u_data_is_tab_separated_whole_stars_in_arbitrary_order(set_100k):
    assert sorted(p.name for p in set_100k.path.iterdir()) == ["u.data", "u.genre", "u.item"]
    ratings = ratings_of(set_100k)
    assert {r for _, _, r, _ in ratings} <= {"1", "2", "3", "4", "5"}
    keys = [(u, m) for u, m, _, _ in ratings]
    assert keys != sorted(keys)
    assert ratings[0][0] != ratings[1][0] or ratings[1][0] != ratings[2][0]


def test_generated_100k_u_item_has_ml100k_fields_and_contiguous_ids(set_100k):
    items = read_separated(set_100k.path / "u.item", "|")
    assert [int(row[0]) for row in items] == list(range(1, 201))
    assert set(set_100k.movie_group) == set(range(1, 201))
    for _item_id, title, release, video, url, *flags in items:
        assert len(flags) == 19 and set(flags) <= {"0", "1"} and "1" in flags
        year = YEAR_AT_END.fullmatch(title).group(1)
        assert re.fullmatch(rf"\d\d-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-{year}", release)
        assert int(year) <= 1998
        assert video == ""
        assert url == "http://us.imdb.com/M/title-exact?" + title.replace(" ", "%20")
    assert any(set(title) & set("éñöäÉ") for _, title, *_ in items)


def test_generated_100k_u_genre_lists_the_19_genres_in_order(set_100k):
    rows = read_separated(set_100k.path / "u.genre", "|")
    assert rows == [[name, str(index)] for index, name in enumerate(GENRES_100K)]
