"""Filters of the movie list: genre, decade, a range of years and a tag (django-filter), ranked title search and
an ordering that defers to the search's ranking."""
import django_filters
from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import filters

from movies.models import Movie
from movies.search import search
from movies.tags import tag_key

MAX_YEAR = 32767  # the year column is a small integer
YEAR_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_YEAR}


@extend_schema_field(YEAR_SCHEMA)
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=MAX_YEAR, **kwargs)


class MovieFilter(django_filters.FilterSet):
    genre = django_filters.CharFilter(field_name="genres__name", lookup_expr="iexact", max_length=50,
                                      help_text="A genre name, e.g. Comedy (any case).")
    decade = YearFilter(method="filter_decade", help_text="The first year of a decade, e.g. 1990.")
    year_min = YearFilter(field_name="year", lookup_expr="gte", help_text="Released in or after this year.")
    year_max = YearFilter(field_name="year", lookup_expr="lte", help_text="Released in or before this year.")
    tag = django_filters.CharFilter(method="filter_tag", max_length=255,
                                    help_text="Movies users tagged with these words, e.g. time travel (any case).")

    class Meta:
        model = Movie
        fields = ["genre", "decade", "year_min", "year_max", "tag"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tag_counts__key=tag_key(value))

    def filter_decade(self, queryset, name, value):
        start = value - value % 10
        return queryset.filter(year__gte=start, year__lt=start + 10)


# The schema of a filter annotated with extend_schema_field drops its help text: the view documents them again.
YEAR_PARAMETERS = [OpenApiParameter(name, YEAR_SCHEMA, description=field.extra["help_text"])
                   for name, field in MovieFilter.base_filters.items() if isinstance(field, YearFilter)]


class RankedSearchFilter(filters.BaseFilterBackend):
    """`?search=`: titles as the site's search finds them (movies/search.py), best match first."""

    param = "search"

    def filter_queryset(self, request, queryset, view):
        query = request.query_params.get(self.param, "")
        return search(queryset, query) if query.strip() else queryset


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=`; without one, a search keeps its ranking instead of the view's default order."""

    def get_default_ordering(self, view):
        if view.request.query_params.get(RankedSearchFilter.param, "").strip():
            return None
        return super().get_default_ordering(view)
