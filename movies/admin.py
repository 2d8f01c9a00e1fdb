"""Django admin for the catalog, ratings and import jobs, with a form that starts an import."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from movies import jobs
from movies.models import Genre, ImportJob, Movie, MovieLensAccount, Rating, Tag, WikiLink
from movies.stats import refresh_stats
from recsite.work_admin import cancel_queued, percent_done


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

    # Edited here too, a movie's stored count and average follow its ratings (movies/stats.py).
    def save_model(self, request, obj, form, change):
        before = form.initial.get("movie")  # the movie the rating was of, when it is moved to another
        super().save_model(request, obj, form, change)
        refresh_stats({obj.movie_id, before} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_stats([obj.movie_id])

    def delete_queryset(self, request, queryset):
        movies = set(queryset.values_list("movie_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_stats(movies)


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
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, initial=ImportJob.Kind.MOVIELENS)
    source = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
                             help_text="A path on the worker's machine (directory, .zip, dump file) or an http(s) URL; "
                                       "for Wikipedia, all the parts of a dump, one a line.")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "source", "status", "stage", percent_done, "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    actions = [cancel_queued]
    readonly_fields = [field.name for field in ImportJob._meta.fields]
    change_list_template = "admin/movies/importjob/change_list.html"
    change_form_template = "admin/movies/importjob/change_form.html"

    def has_add_permission(self, request):
        return False  # jobs are started by the import form below (or the import command), never typed in

    def get_urls(self):
        return [path("start/", self.admin_site.admin_view(self.start_view), name="movies_importjob_start"),
                *super().get_urls()]

    def start_view(self, request):
        """A form that queues an import for a worker, then opens the job's page, which follows it live."""
        if not request.user.has_perm("movies.add_importjob"):
            raise PermissionDenied
        form = ImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            source = "\n".join(line.strip() for line in form.cleaned_data["source"].splitlines() if line.strip())
            job = jobs.queue_import(source=source, kind=form.cleaned_data["kind"], user=request.user)
            messages.success(request, f"Queued {job}: a worker will start it.")
            return redirect("admin:movies_importjob_change", job.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Start an import"}
        return TemplateResponse(request, "admin/movies/importjob/start.html", context)
