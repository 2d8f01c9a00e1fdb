"""Ranked title search, shared by the browse page and the API.

Each movie stores a search key (`Movie.search_key`, a generated column): its title in lower case without
accents, leading articles, apostrophes and punctuation, with roman numerals I–IX as digits and each
parenthesized alternative title ("Amélie (Le Fabuleux destin d'Amélie Poulain)") as a part after a `|`. A query
is reduced the same way (by the same SQL function, so both sides agree) and movies are ranked in tiers:

0. the key, or one of its parts, is the query ("the godfather" → "The Godfather");
1. a part starts with the query's words ("e.t." → "E.T. the Extra-Terrestrial", before "Eternal Sunshine…");
2. a part starts with the query ("godfa" → "The Godfather");
3. the query's words are in the key ("empire strikes back" → "Star Wars: Episode V - The Empire Strikes Back");
4. the query starts a word of the key ("godfather" → "Tokyo Godfathers");
5. every word of the query starts a word of the key, in any order ("godfather 2" → "The Godfather: Part II");
6. the key is similar (pg_trgm): trigram similarity ≥ SIMILARITY or strict word similarity ≥ WORD_SIMILARITY
   ("matrx" → "The Matrix", not "Matilda" or "Match Point"); at most FUZZY_LIMIT such movies.

Tiers 0–5 are ordered by number of ratings, tier 6 by similarity, then ratings. A year in the query ("alien
1979") also matches the rest of the query against the movies of that year. A query of fewer than
FUZZY_MIN_CHARACTERS letters or digits ("e.t.", "%00") matches whole words only. On SQLite the key is only the
lower-case title and tier 6 is left out (no pg_trgm there).
"""
import re

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.lookups import TrigramSimilar, TrigramStrictWordSimilar
from django.contrib.postgres.search import TrigramSimilarity, TrigramStrictWordSimilarity
from django.db import connection
from django.db.models import Case, CharField, F, FloatField, Func, Index, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThanOrEqual

SIMILARITY = 0.4  # pg_trgm similarity of key and query: "matrx"/"matrix" 0.44, "matrx"/"matilda" 0.27
WORD_SIMILARITY = 0.5  # strict word similarity: "shawshenk"/"shawshank redemption" 0.58, "matrx"/"match point" 0.33
# Below this, typo tolerance and partial words match nearly anything ("%00" would find "00 Schneider", "a" every
# title starting with an a): such a query matches whole words only.
FUZZY_MIN_CHARACTERS = 3
FUZZY_LIMIT = 10  # typos are forgiven, but they do not flood the list: the 10 most similar
MAX_QUERY_WORDS, MAX_QUERY_LENGTH = 12, 200
FUZZY_TIER = 6
YEAR = re.compile(r"(?<!\d)(18[89]\d|19\d\d|20[0-4]\d)(?!\d)")
# Control characters (a NUL from "?q=%00" among them) cannot be in a title, and PostgreSQL refuses a NUL.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


SQLITE_ARTICLES = ("the", "an", "a")


class SearchKey(Func):
    """What search compares, of a title or of a query: `recsite_search_key()` on PostgreSQL (an immutable SQL
    function created by migration movies 0006); on SQLite the lower-case title without a leading English article
    (a column's key only: a query's is made by search_keys)."""

    function = "recsite_search_key"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        cases = " ".join(f"WHEN LOWER(%(expressions)s) LIKE '{article} %%%%' THEN SUBSTR(%(expressions)s, "
                         f"{len(article) + 2})" for article in SQLITE_ARTICLES)
        template = f"LOWER(CASE {cases} ELSE %(expressions)s END)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def clean_query(text: str) -> str:
    """The query with each control character (a NUL among them) as U+FFFD, the replacement character, and outer
    spaces off: a query of nothing else then still is a query (which finds nothing)."""
    return CONTROL.sub("\ufffd", text.strip())


def search(movies: QuerySet, query: str) -> QuerySet:
    """The movies whose title matches the query, annotated with `search_tier` (0 best, see above),
    `search_similarity` and `search_score` (the larger of similarity and strict word similarity), best first;
    at most FUZZY_LIMIT of them only similar. A query with no letter or digit matches nothing."""
    query = clean_query(query)[:MAX_QUERY_LENGTH]
    if not any(c.isalnum() for c in query):
        return movies.none()
    partial = sum(c.isalnum() for c in query) >= FUZZY_MIN_CHARACTERS
    fuzzy = partial and connection.vendor == "postgresql"
    year, rest = YEAR.search(query), YEAR.sub(" ", query, count=1)
    texts = [query, rest] if year and any(c.isalnum() for c in rest) else [query]
    readings = [_Reading(key, partial, fuzzy, None if n == 0 else int(year.group()))
                for n, key in enumerate(search_keys(texts))]
    tiers = [_any(condition(reading) for reading in readings) for condition in TIERS]
    tier = Case(*(When(tier, then=Value(n)) for n, tier in enumerate(tiers)), default=Value(FUZZY_TIER),
                output_field=IntegerField())
    if not fuzzy:
        return movies.filter(tiers[-1]).annotate(search_tier=tier, search_similarity=Value(0.0),
                                                 search_score=Value(0.0)).order_by("search_tier", "-num_ratings", "id")
    score = readings[0].score()
    if len(readings) > 1:  # the rest of "alien 1979" counts for the movies of 1979
        score = Greatest(score, Case(When(year=readings[1].year, then=readings[1].score()), default=Value(0.0)))
    # tiers[-1] holds every text match; of the movies only similar, the FUZZY_LIMIT most similar, found once here
    # (as a subquery, the page's count and its rows would each compute the similarities again).
    similar = list(movies.filter(_any(reading.similar() for reading in readings)).exclude(tiers[-1])
                   .annotate(search_score=score).order_by("-search_score", "-num_ratings", "id")
                   .values_list("pk", flat=True)[:FUZZY_LIMIT])
    movies = movies.filter(tiers[-1] | Q(pk__in=similar)).annotate(
        search_tier=tier, search_similarity=TrigramSimilarity("search_key", readings[0].key), search_score=score)
    return movies.order_by("search_tier", Case(When(search_tier=FUZZY_TIER, then="search_score"),
                                               default=Value(0.0), output_field=FloatField()).desc(),
                           "-num_ratings", "id")


def search_keys(texts: list[str]) -> list[str]:
    """The search keys of these texts, as the database makes them for titles (one query on PostgreSQL)."""
    if connection.vendor != "postgresql":
        keys = [" ".join(text.lower().split()) for text in texts]
        return [next((key[len(a) + 1:] for a in SQLITE_ARTICLES if key.startswith(f"{a} ") and len(key) > len(a) + 1),
                     key) for key in keys]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["recsite_search_key(%s)"] * len(texts)), texts)
        return list(cursor.fetchone())


class _Reading:
    """One reading of a query (all of it, or all but a year: then only for that year's movies) and the
    conditions it puts on a movie's search key."""

    def __init__(self, key: str, partial: bool, fuzzy: bool, year: int | None):
        self.key, self.partial, self.fuzzy, self.year = key, partial, fuzzy, year
        self.terms = [word for word in key.split(" ") if word and word != "|"][:MAX_QUERY_WORDS]

    def exact(self) -> Q:
        k = self.key
        return self._of_year(Q(search_key=k) | Q(search_key__startswith=f"{k} |") | Q(search_key__endswith=f"| {k}")
                             | Q(search_key__contains=f"| {k} |"))

    def starts_with_words(self) -> Q:
        return self._of_year(Q(search_key__startswith=f"{self.key} ") | Q(search_key__contains=f"| {self.key} "))

    def prefix(self) -> Q:
        if not self.partial:
            return Q(pk__in=[])
        return self._of_year(Q(search_key__startswith=self.key) | Q(search_key__contains=f"| {self.key}"))

    def words(self) -> Q:
        return self._of_year(Q(search_key__contains=f" {self.key} ") | Q(search_key__endswith=f" {self.key}"))

    def phrase(self) -> Q:
        return self._of_year(_word_start(self.key)) if self.partial else self.words()

    def all_words(self) -> Q:
        condition = Q()
        for word in self.terms:
            condition &= _word_start(word) if self.partial else _whole_word(word)
        return self._of_year(condition) if self.terms else Q(pk__in=[])

    def similar(self) -> Q:
        if not self.fuzzy:
            return Q(pk__in=[])
        # The operators find candidates in the GIN index (at pg_trgm's default thresholds, 0.3 and 0.5); the
        # functions apply ours.
        key = F("search_key")
        return self._of_year(
            Q(TrigramSimilar(key, Value(self.key)), GreaterThanOrEqual(TrigramSimilarity(key, self.key), SIMILARITY))
            | Q(TrigramStrictWordSimilar(key, Value(self.key)),
                GreaterThanOrEqual(TrigramStrictWordSimilarity(self.key, key), WORD_SIMILARITY)))

    def score(self):
        return Greatest(TrigramSimilarity("search_key", self.key), TrigramStrictWordSimilarity(self.key, "search_key"))

    def _of_year(self, condition: Q) -> Q:
        return condition if self.year is None else condition & Q(year=self.year)


# The text tiers, best first (FUZZY_TIER follows them).
TIERS = [_Reading.exact, _Reading.starts_with_words, _Reading.prefix, _Reading.words, _Reading.phrase,
         _Reading.all_words]


def _word_start(text: str) -> Q:
    return Q(search_key__startswith=text) | Q(search_key__contains=f" {text}")


def _whole_word(text: str) -> Q:
    return (Q(search_key=text) | Q(search_key__startswith=f"{text} ") | Q(search_key__contains=f" {text} ")
            | Q(search_key__endswith=f" {text}"))


def _any(conditions) -> Q:
    result = Q(pk__in=[])
    for condition in conditions:
        result |= condition
    return result


class TrigramIndex(GinIndex):
    """A GIN index of trigrams (pg_trgm's gin_trgm_ops) on PostgreSQL, which the similarity operators and LIKE
    '%…%' use; a plain index on other databases, which have neither."""

    def __init__(self, *, fields, name):
        # Without the pending list, an import's new titles are searchable through the index at once (a long
        # pending list made each search scan it: 6 ms instead of 0.2).
        super().__init__(fields=fields, name=name, opclasses=["gin_trgm_ops"] * len(fields), fastupdate=False)

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Index(fields=self.fields, name=self.name).create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.pop("opclasses", None)
        kwargs.pop("fastupdate", None)
        return path, args, kwargs
