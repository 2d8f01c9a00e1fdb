"""Django admin for the catalog, ratings and import jobs, with a form that starts an import."""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from movies import jobs
from movies.importers.errors import ImportFailed
from movies.importers.sources import check_web_source
from movies.models import Genre, ImportJob, Movie, MovieLensAccount, Rating, Tag, WikiLink
from movies.ratings import ratings_changed
from work.admin import JobAdminMixin


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

    # Edited here too, a rating has its consequences (movies/ratings.py): the movie's stats, the user's caches.
    def save_model(self, request, obj, form, change):
        before = {name: form.initial.get(name) for name in ("movie", "user")}  # when it is moved to another
        super().save_model(request, obj, form, change)
        ratings_changed(movie_ids={obj.movie_id, before["movie"]} - {None},
                        user_ids={obj.user_id, before["user"]} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        ratings_changed(movie_ids=[obj.movie_id], user_ids=[obj.user_id])

    def delete_queryset(self, request, queryset):
        rows = list(queryset.values_list("movie_id", "user_id"))
        super().delete_queryset(request, queryset)
        ratings_changed(movie_ids={movie for movie, _ in rows}, user_ids={user for _, user in rows})


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


class ImportForm(forms.Form):
    """What the importer accepts from the web (as the API): http(s) URLs, and paths inside IMPORT_ROOTS."""

    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, initial=ImportJob.Kind.MOVIELENS)
    source = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = " or ".join(str(root) for root in settings.IMPORT_ROOTS)
        self.fields["source"].help_text = (f"An http(s) URL, or a path under {roots} (IMPORT_ROOTS) on the worker's "
                                           "machine: a directory, .zip or dump file; for Wikipedia, all the parts "
                                           "of a dump, one a line.")

    def clean_source(self):
        sources = [line.strip() for line in self.cleaned_data["source"].splitlines() if line.strip()]
        if not sources:
            raise forms.ValidationError("Give a URL or a path.")
        errors = []
        for source in sources:
            try:
                check_web_source(source)
            except ImportFailed as error:
                errors.append(str(error))
        if errors:
            raise forms.ValidationError(errors)
        return "\n".join(sources)


@admin.register(ImportJob)
class ImportJobAdmin(JobAdminMixin, admin.ModelAdmin):
    """Import jobs: a list that fits a laptop's width, a read-only page per job (no Save: the worker writes it)
    with its counts as a table, and the form that starts one."""

    list_display = ["id", "kind", "short_source", "state", "created"]
    list_display_links = ["id", "short_source"]
    list_filter = ["kind", "status"]
    fields = [("kind", "status"), "source", "stage", "progress", "error", "counts_table", "options",
              ("created_by", "created_at"), ("started_at", "finished_at")]
    readonly_fields = [*(field.name for field in ImportJob._meta.fields), "counts_table"]
    change_list_template = "admin/movies/importjob/change_list.html"
    change_form_template = "admin/movies/importjob/change_form.html"

    def has_add_permission(self, request):
        return False  # jobs are started by the import form below (or the import command), never typed in

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # the list's Cancel action, no Save

    @admin.display(description="source")
    def short_source(self, job):
        return _shortened(job.source.splitlines()[0] if job.source else "", 44) + (
            f" (+{len(job.source.splitlines()) - 1})" if len(job.source.splitlines()) > 1 else "")

    @admin.display(description="counts")
    def counts_table(self, job):
        if not job.counts:
            return "–"
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>",
                                ((name, f"{value:,}" if isinstance(value, int) else value)
                                 for name, value in job.counts.items()))
        return format_html('<table class="key-values"><tbody>{}</tbody></table>', rows)

    def get_urls(self):
        return [path("start/", self.admin_site.admin_view(self.start_view), name="movies_importjob_start"),
                *super().get_urls()]

    def start_view(self, request):
        """A form that queues an import for a worker, then opens the job's page, which follows it live."""
        if not request.user.has_perm("movies.add_importjob"):
            raise PermissionDenied
        form = ImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            job = jobs.queue_import(source=form.cleaned_data["source"], kind=form.cleaned_data["kind"],
                                    user=request.user)
            messages.success(request, f"Queued {job}: a worker will start it.")
            return redirect("admin:movies_importjob_change", job.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Start an import"}
        return TemplateResponse(request, "admin/movies/importjob/start.html", context)


def _shortened(text: str, length: int) -> str:
    """At most `length` characters, the middle of a long one cut out (a URL keeps its host and file name)."""
    if len(text) <= length:
        return text
    half = (length - 1) // 2
    return f"{text[:half]}…{text[-half:]}"
