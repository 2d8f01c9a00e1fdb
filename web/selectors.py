"""What the pages read: movie lists, a movie's numbers, search (selectors; no writes).

Counts and averages come from the columns the rating service keeps current on each movie (movies/stats.py), so
no page aggregates the ratings table. Lists that every visitor sees (genres, decades, onboarding candidates) are
cached for a few minutes, the home rows' choice of movies for one, and a movie's neighbour lists per model
versions. Picks and predicted ratings come from ml/serving/recommendations.py.
"""
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, ExpressionWrapper, F, FloatField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ml.models import ModelKind
from ml.serving import active
from ml.serving.recommendations import similar_to
from movies.models import Genre, Movie, Rating
from movies.search import search
from movies.tags import tag_key

LIST_CACHE_SECONDS = 300
TOP_RATED_MIN_VOTES = 20
# A rating sort that trusts a movie's own average more the more ratings it has (a Bayesian average: the
# average of PRIOR_VOTES imaginary ratings of PRIOR_MEAN stars mixed in).
PRIOR_VOTES, PRIOR_MEAN = 10, 3.5
# "Relevance" (movies/search.py) only with a query; "Most rated" is the order without one.
SORTS = {"relevance": "Relevance", "popular": "Most rated", "rating": "Highest rated", "newest": "Newest",
         "oldest": "Oldest", "title": "Title"}


CARD_FIELDS = ("id", "title", "year", "num_ratings", "mean_rating")


def movie_cards() -> QuerySet:
    """Movies with what a card shows (title, year, count, average): one query, no joins."""
    return Movie.objects.only(*CARD_FIELDS)


def popular(k: int = 12) -> list[Movie]:
    return list(movie_cards().filter(num_ratings__gt=0).order_by("-num_ratings", "id")[:k])


def top_rated(k: int = 12) -> list[Movie]:
    movies = movie_cards().filter(num_ratings__gte=TOP_RATED_MIN_VOTES).order_by("-mean_rating", "-num_ratings")
    return list(movies[:k])


# "Recently added" shows movies people have seen, not the one-rating obscurities of the latest import.
RECENT_MIN_RATINGS = 5


def recently_added(k: int = 12) -> list[Movie]:
    movies = movie_cards().filter(num_ratings__gte=RECENT_MIN_RATINGS)
    return list(movies.order_by("-created_at", "-year", "-id")[:k])


ROWS_CACHE_SECONDS = 60


def home_rows(k: int = 12, *, with_popular: bool = True) -> dict[str, list[Movie]]:
    """The home page's lists (popular, top rated, recently added): which movies is cached for a minute, their
    numbers are read fresh, all in one query."""
    def load():
        return {"popular": [m.pk for m in popular(k)], "top_rated": [m.pk for m in top_rated(k)],
                "recent": [m.pk for m in recently_added(k)]}
    ids = cache.get_or_set(f"web:home-rows:{k}", load, ROWS_CACHE_SECONDS)
    if not with_popular:
        ids = {**ids, "popular": []}
    movies = movie_cards().in_bulk({pk for row in ids.values() for pk in row})
    return {name: [movies[pk] for pk in row if pk in movies] for name, row in ids.items()}


def genres_with_counts() -> list[dict]:
    """Every genre with its number of movies (cached)."""
    def load():
        return list(Genre.objects.annotate(movie_count=Count("movies")).filter(movie_count__gt=0)
                    .order_by("name").values("name", "movie_count"))
    return cache.get_or_set("web:genres", load, LIST_CACHE_SECONDS)


def genre_names() -> list[str]:
    return [genre["name"] for genre in genres_with_counts()]


def decades() -> list[int]:
    """The decades of the catalog, newest first (cached)."""
    def load():
        years = Movie.objects.filter(year__isnull=False).values_list("year", flat=True).distinct()
        return sorted({year // 10 * 10 for year in years}, reverse=True)
    return cache.get_or_set("web:decades", load, LIST_CACHE_SECONDS)


def browse(*, query: str = "", genre: str = "", decade: int | None = None, sort: str = "",
           tag: str = "") -> QuerySet:
    """Movies matching a title search (movies/search.py: ranked, accents, articles and small typos forgiven), a
    genre, a decade and a tag, in the given order: with a query, by relevance unless another order is asked for."""
    movies = movie_cards()
    if genre:
        movies = movies.filter(genres__name=genre)
    if decade is not None:
        movies = movies.filter(year__gte=decade, year__lt=decade + 10)
    if tag:
        movies = with_tag(movies, tag)
    if query:
        movies = search(movies, query)
        if sort in ("", "relevance"):
            return movies
    return movies.order_by(*_ordering(sort))


def with_tag(movies: QuerySet, tag: str) -> QuerySet:
    """The movies that users tagged with these words (case and accents aside): a join on the stored tags."""
    return movies.filter(tag_counts__key=tag_key(tag))


def tagged(words: str, k: int = 6) -> tuple[int, list[Movie]]:
    """What a search finds among the tags: how many movies carry a tag of exactly these words, and the k most
    rated of them (none when the words are no tag)."""
    key = tag_key(words)
    if not key:
        return 0, []
    movies = with_tag(movie_cards(), key)
    count = movies.count()
    return count, list(movies.order_by("-num_ratings", "id")[:k]) if count else []


def _ordering(sort: str) -> list:
    if sort == "rating":
        weighted = ExpressionWrapper(
            (Coalesce(F("mean_rating"), Value(0.0)) * F("num_ratings") + Value(PRIOR_VOTES * PRIOR_MEAN))
            / (F("num_ratings") + Value(PRIOR_VOTES)), output_field=FloatField())
        return [weighted.desc(), "-num_ratings", "id"]
    return {"newest": [F("year").desc(nulls_last=True), "title"], "oldest": [F("year").asc(nulls_last=True), "title"],
            "title": ["title", "year"]}.get(sort, ["-num_ratings", "id"])


@dataclass(frozen=True)
class Links:
    imdb: str | None
    tmdb: str | None
    wikipedia: str | None


def links_out(movie: Movie) -> Links:
    from urllib.parse import quote

    return Links(
        imdb=f"https://www.imdb.com/title/{movie.imdb_id}/" if movie.imdb_id else None,
        tmdb=f"https://www.themoviedb.org/movie/{movie.tmdb_id}" if movie.tmdb_id else None,
        wikipedia=(f"https://en.wikipedia.org/wiki/{quote(movie.wikipedia_title.replace(' ', '_'))}"
                   if movie.wikipedia_title else None),
    )


def ratings_of(user, movie_ids) -> dict[int, float]:
    """The user's ratings of these movies, by movie id (one query; none for anonymous visitors)."""
    if not user.is_authenticated or not movie_ids:
        return {}
    return dict(Rating.objects.filter(user=user, movie_id__in=list(movie_ids)).values_list("movie_id", "value"))


def onboarding_candidates(k: int = 24) -> list[Movie]:
    """Well-known movies of varied genres for a new user to rate: the most rated movie of each genre in turn,
    then the next of each, and so on (cached)."""
    def load():
        pool = list(movie_cards().filter(num_ratings__gt=0).order_by("-num_ratings", "id")
                    .prefetch_related("genres")[:k * 8])
        chosen, seen_genres = [], set()
        for _ in range(k):
            remaining = [movie for movie in pool if movie not in chosen]
            if not remaining:
                break
            fresh = [movie for movie in remaining if not {g.name for g in movie.genres.all()} <= seen_genres]
            movie = (fresh or remaining)[0]
            chosen.append(movie)
            seen_genres |= {genre.name for genre in movie.genres.all()}
            if not fresh:
                seen_genres = set()
        return [movie.pk for movie in chosen]
    ids = cache.get_or_set("web:onboarding", load, LIST_CACHE_SECONDS)
    movies = movie_cards().in_bulk(ids)
    return [movies[pk] for pk in ids if pk in movies]



NEIGHBOURS_CACHE_SECONDS = 600
NEIGHBOURS = 10


RATED_MARKER = re.compile(r"<!--rated:(\d+)-->")


def with_rated_marks(html: str, user) -> str:
    """The neighbour lists with a mark on each movie the user rated ("rated 4.5"): the lists are the same for
    everyone and cached as HTML, so the marks go in per request, with one query."""
    ids = [int(found) for found in RATED_MARKER.findall(html)]
    ratings = ratings_of(user, ids) if user.is_authenticated else {}

    def mark(found) -> str:
        value = ratings.get(int(found.group(1)))
        return "" if value is None else f'<span class="rated-mark" title="your rating">rated {value:g} ★</span>'
    return mark_safe(RATED_MARKER.sub(mark, html))


def neighbours_html(movie: Movie, *, staff: bool = False) -> str:
    """The movie page's two neighbour lists with their bars (link model; CF), as HTML: the same for everyone
    (staff also see how to train a missing model), so rendered once per movie, pair of active model versions and
    staff or not, then reused."""
    links = active.served(ModelKind.LINKS, active.RATING)
    ratings = active.served(ModelKind.RATINGS, active.RANKING)
    key = (f"web:neighbours:{movie.pk}:{links.version_id if links else 0}:{ratings.version_id if ratings else 0}"
           f":{int(staff)}")
    html = cache.get(key)
    if html is None:
        html = render_to_string("web/_movie_neighbours.html", {
            "similar": similar_to(movie=movie, k=NEIGHBOURS, kind=ModelKind.LINKS),
            "also_liked": similar_to(movie=movie, k=NEIGHBOURS, kind=ModelKind.RATINGS),
            "staff": staff,
        })
        cache.set(key, html, NEIGHBOURS_CACHE_SECONDS)
    return mark_safe(html)
