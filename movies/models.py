"""Database tables of the catalog: movies, genres, ratings, marks (watchlist, not interested), tags, Wikipedia
articles and links, import jobs."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from movies.search import SearchKey, TrigramIndex
from work.models import Job

RATING_VALUES = [step / 2 for step in range(1, 11)]  # 0.5, 1.0, ... 5.0


class Genre(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Movie(models.Model):
    """A film. It may come from MovieLens, from Wikipedia, or from both joined together."""

    title = models.CharField(max_length=500, help_text="Display title, articles first: “The Godfather”.")
    movielens_title = models.CharField(
        max_length=500, blank=True, help_text="Title as MovieLens writes it: “Godfather, The (1972)”."
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    genres = models.ManyToManyField(Genre, related_name="movies", blank=True)

    movielens_id = models.PositiveIntegerField(unique=True, null=True, blank=True)
    # MovieLens 100K numbers its items on its own, unrelated to the movieId of the other releases.
    movielens_100k_id = models.PositiveIntegerField(unique=True, null=True, blank=True)
    imdb_id = models.CharField(max_length=12, unique=True, null=True, blank=True, help_text="e.g. tt0068646")
    tmdb_id = models.PositiveIntegerField(unique=True, null=True, blank=True)
    wikipedia_title = models.CharField(max_length=255, unique=True, null=True, blank=True)
    wikipedia_page_id = models.PositiveBigIntegerField(unique=True, null=True, blank=True)
    directors = models.JSONField(default=list, blank=True, help_text="From the Wikipedia infobox.")
    # What title search compares (movies/search.py): kept by the database itself, whatever writes the title.
    search_key = models.GeneratedField(expression=SearchKey("title"), output_field=models.TextField(),
                                       db_persist=True)

    # Denormalized from the ratings (movies/stats.py), so that pages sort and show them without aggregating the
    # ratings table: kept current by the rating service and refreshed for every movie after each import.
    num_ratings = models.PositiveIntegerField(default=0, editable=False)
    mean_rating = models.FloatField(null=True, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "year"]
        indexes = [models.Index(fields=["title"]),
                   models.Index(fields=["-num_ratings", "id"], name="movie_popularity_idx"),
                   TrigramIndex(fields=["search_key"], name="movie_search_key_trgm")]

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title

    def get_absolute_url(self):
        return reverse("movie", args=[self.pk])

    @property
    def article_or_none(self):
        """The movie's Wikipedia article (MovieArticle), or None when none was imported."""
        return getattr(self, "article", None)


class MovieLensAccount(models.Model):
    """Ties a site user to a MovieLens user id, so that re-importing a dataset finds its users.

    MovieLens ids are only unique within one dataset (user 1 of ml-100k is not user 1 of
    ml-25m), so the key is (dataset, movielens_id). Imported users are inactive and cannot log in.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="movielens_account")
    dataset = models.CharField(max_length=40)
    movielens_id = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "movielens_id"], name="movielens_account_unique_id"),
        ]

    def __str__(self):
        return f"{self.dataset} user {self.movielens_id}"


class Rating(models.Model):
    """One user's rating of one movie: 0.5 to 5 stars in half steps."""

    # The unique (user, movie) index serves "ratings of a user", rating_movie_idx "ratings of a movie":
    # no separate foreign-key indexes, each would be one more index to maintain on every import.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings",
                             db_index=False)
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="ratings", db_index=False)
    value = models.FloatField()
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="rating_one_per_user_and_movie"),
            models.CheckConstraint(condition=Q(value__in=RATING_VALUES), name="rating_value_half_stars"),
        ]
        indexes = [models.Index(fields=["movie"], name="rating_movie_idx")]

    def __str__(self):
        return f"{self.user} rated {self.movie}: {self.value}"


class Mark(models.Model):
    """A user's word on a movie besides a rating: on his watchlist, or not interested. At most one per movie
    (marking it one way replaces the other); either keeps the movie out of his picks, as a rating does."""

    class Kind(models.TextChoices):
        WATCHLIST = "watchlist", "Watchlist"
        NOT_INTERESTED = "not_interested", "Not interested"

    # The unique (user, movie) index serves "a user's marks"; mark_list_idx his watchlist page, newest first.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marks",
                             db_index=False)
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="marks", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "movie"], name="mark_one_per_user_and_movie")]
        indexes = [models.Index(fields=["user", "kind", "-marked_at"], name="mark_list_idx"),
                   models.Index(fields=["movie"], name="mark_movie_idx")]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} {self.movie}"


class Tag(models.Model):
    """A free-text tag a user put on a movie (MovieLens tags.csv)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags",
                             db_index=False)
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="tags", db_index=False)
    text = models.CharField(max_length=255)
    tagged_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "movie", "text"], name="tag_unique_per_user")]
        indexes = [models.Index(fields=["movie"], name="tag_movie_idx")]

    def __str__(self):
        return self.text


class MovieTag(models.Model):
    """One of a movie's tags as the site shows it: the users' tags of the movie with the same words (case and
    accents aside), how many users gave it, in its most common spelling. Rebuilt from Tag after each import
    (movies/tags.py), so pages read a movie's top tags and the movies of a tag without aggregating."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="tag_counts", db_index=False)
    key = models.CharField(max_length=255, help_text="The words compared: lower case, no accents.")
    name = models.CharField(max_length=255, help_text="The most common spelling.")
    count = models.PositiveIntegerField(help_text="How many users gave the movie this tag.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["movie", "key"], name="movietag_one_per_key")]
        indexes = [models.Index(fields=["key"], name="movietag_key_idx")]

    def __str__(self):
        return f"{self.name} ({self.count})"


class MovieArticle(models.Model):
    """What the movie's Wikipedia article says first: its lead and the infobox's facts, markup stripped (stored as
    text, escaped where shown). Apart from Movie so that lists of movies do not carry the paragraphs."""

    movie = models.OneToOneField(Movie, on_delete=models.CASCADE, primary_key=True, related_name="article")
    lead = models.TextField(blank=True, help_text="The article's lead: paragraphs apart by a blank line.")
    starring = models.JSONField(default=list, blank=True)
    runtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    countries = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    release_date = models.DateField(null=True, blank=True, help_text="The infobox's first full release date.")

    def __str__(self):
        return f"Wikipedia article of {self.movie_id}"

    def paragraphs(self) -> list[str]:
        return [paragraph for paragraph in self.lead.split("\n\n") if paragraph]


class WikiLink(models.Model):
    """An internal link of a movie's Wikipedia article: the title of the page it points to."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="wiki_links", db_index=False)
    target = models.CharField(max_length=255)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["movie", "target"], name="wikilink_unique_per_movie")]
        indexes = [models.Index(fields=["target"], name="wikilink_target_idx")]

    def __str__(self):
        return f"{self.movie} → {self.target}"


class ImportJob(Job):
    """One run of a data import, with the progress and outcome the admin shows."""

    class Kind(models.TextChoices):
        MOVIELENS = "movielens", "MovieLens"
        WIKIPEDIA = "wikipedia", "Wikipedia"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    source = models.CharField(max_length=2000, help_text="Directory, .zip file or URL.")
    counts = models.JSONField(default=dict, blank=True, help_text="Rows created, updated and skipped per table.")
    options = models.JSONField(default=dict, blank=True, help_text="Settings of this import, e.g. a threshold.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="import_jobs")

    def __str__(self):
        return f"{self.get_kind_display()} import #{self.pk} ({self.status})"


class ImportPart(models.Model):
    """One task's share of a fanned-out import: a file, or a byte range of one (Wikipedia dumps).

    The last part to finish, seen under a lock on its job row, starts the job's final step.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        DONE = "done"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField()
    path = models.CharField(max_length=2000)
    label = models.CharField(max_length=2000, help_text="How messages name the file.")
    compression = models.CharField(max_length=10)
    start = models.PositiveBigIntegerField(default=0)
    end = models.PositiveBigIntegerField(null=True, blank=True)
    first_page_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="importpart_unique_number")]
        ordering = ["job", "number"]

    def __str__(self):
        return f"part {self.number} of {self.job}"
