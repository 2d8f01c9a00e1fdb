"""Django admin for the catalog, ratings and import jobs."""
from django.contrib import admin

from movies.models import Genre, ImportJob, Movie, MovieLensAccount, Rating, Tag, WikiLink


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "movielens_id", "imdb_id", "tmdb_id", "wikipedia_title"]
    list_filter = ["genres"]
    search_fields = ["title", "movielens_title", "imdb_id", "wikipedia_title"]
    filter_horizontal = ["genres"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "value", "rated_at"]
    list_select_related = ["user", "movie"]
    raw_id_fields = ["user", "movie"]
    show_full_result_count = False  # counting millions of ratings on every page is slow


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["text", "user", "movie", "tagged_at"]
    list_select_related = ["user", "movie"]
    raw_id_fields = ["user", "movie"]
    search_fields = ["text"]
    show_full_result_count = False


@admin.register(WikiLink)
class WikiLinkAdmin(admin.ModelAdmin):
    list_display = ["movie", "target"]
    raw_id_fields = ["movie"]
    search_fields = ["target"]
    show_full_result_count = False


@admin.register(MovieLensAccount)
class MovieLensAccountAdmin(admin.ModelAdmin):
    list_display = ["dataset", "movielens_id", "user"]
    list_filter = ["dataset"]
    raw_id_fields = ["user"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "source", "status", "stage", "percent_done", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    @admin.display(description="progress")
    def percent_done(self, job):
        return f"{job.progress:.0%}"

    def has_add_permission(self, request):
        return False  # jobs are started by the import command or (later) the import form
