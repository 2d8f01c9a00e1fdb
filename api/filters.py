"""Filters of the movie list: genre, decade, a range of years and a tag (django-filter), ranked title search
(movies/search.py) and an ordering that defers to the search's ranking.

All read their parameters strictly (api/query.py): each at most once, a year in plain digits, an ordering of
known fields only. A bad value is a 400 naming the parameter, where DRF's own backends ignore it or fall back.
"""
import re

import django_filters
from django import forms
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import filters, serializers
from rest_framework.exceptions import ValidationError

from api.query import QueryCharField, parse_integer, read_query, single_values
from api.schema import NO_NUL
from movies.models import Movie
from movies.search import MAX_QUERY_LENGTH, search
from movies.tags import tag_key

MAX_YEAR = 32767  # the year column is a small integer
YEAR_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_YEAR}
GENRE_MAX_LENGTH = 50
TAG_MAX_LENGTH = 255  # a tag's key (movies/tags.py) is at most this long
SEARCH_MAX_LENGTH = MAX_QUERY_LENGTH  # the search reads no more of a query


def text_schema(max_length: int) -> dict:
    return {"type": "string", "maxLength": max_length, "pattern": NO_NUL}


class YearField(forms.IntegerField):
    """A year in plain digits: `?year_min=` (empty) or `5.0` is an error, not "no filter" or 5."""

    def to_python(self, value):
        if value is None:  # not given
            return None
        number = parse_integer(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


@extend_schema_field(YEAR_SCHEMA)
class YearFilter(django_filters.NumberFilter):
    field_class = YearField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_value=MAX_YEAR, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet whose parameters are each given once (a 400 otherwise)."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(None if data is None else single_values(data, self.base_filters), *args, **kwargs)


class MovieFilter(StrictFilterSet):
    # Not trimmed, so that the length is the schema's; empty is every genre.
    genre = django_filters.CharFilter(field_name="genres__name", lookup_expr="iexact", max_length=GENRE_MAX_LENGTH,
                                      strip=False, help_text="A genre name, e.g. Comedy (any case); empty for all.")
    decade = YearFilter(method="filter_decade", help_text="The first year of a decade, e.g. 1990.")
    year_min = YearFilter(field_name="year", lookup_expr="gte", help_text="Released in or after this year.")
    year_max = YearFilter(field_name="year", lookup_expr="lte", help_text="Released in or before this year.")
    tag = django_filters.CharFilter(method="filter_tag", max_length=TAG_MAX_LENGTH, strip=False,
                                    help_text="Movies users tagged with these words, e.g. time travel (any case); "
                                              "empty for all.")

    class Meta:
        model = Movie
        fields = ["genre", "decade", "year_min", "year_max", "tag"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tag_counts__key=tag_key(value))

    def filter_decade(self, queryset, name, value):
        start = value - value % 10
        return queryset.filter(year__gte=start, year__lt=start + 10)


# drf-spectacular's django-filter support drops the help text of an annotated filter and the length of a
# CharFilter: the view documents them again.
FILTER_PARAMETERS = [
    OpenApiParameter(name, YEAR_SCHEMA if isinstance(field, YearFilter) else text_schema(field.extra["max_length"]),
                     description=field.extra["help_text"])
    for name, field in MovieFilter.base_filters.items()]


class SearchQuerySerializer(serializers.Serializer):
    search = QueryCharField(required=False, allow_blank=True, max_length=SEARCH_MAX_LENGTH)


class RankedSearchFilter(filters.BaseFilterBackend):
    """`?search=`: titles as the site's search finds them (movies/search.py), best match first. Given at most
    once, with no NUL and at most SEARCH_MAX_LENGTH characters (a 400 naming it otherwise); empty for all."""

    param = "search"
    description = ("Title search, ranked: exact and prefix matches first, then similar titles (case, accents, "
                   "leading articles and small typos ignored; a year such as 'alien 1979' is matched too); "
                   "empty for all.")

    def filter_queryset(self, request, queryset, view):
        query = read_query(SearchQuerySerializer, request.query_params).get(self.param, "")
        return search(queryset, query) if query.strip() else queryset

    def get_schema_operation_parameters(self, view):
        return [{"name": self.param, "required": False, "in": "query", "description": self.description,
                 "schema": text_schema(SEARCH_MAX_LENGTH)}]


class OrderingFilter(filters.OrderingFilter):
    """`?ordering=` of the view's `ordering_fields`, each with an optional leading -, several with commas;
    without one, a search keeps its ranking instead of the view's default order.

    DRF's own ignores a field it does not know; here that is a 400 naming the parameter.
    """

    def get_default_ordering(self, view):
        if view.request.query_params.get(RankedSearchFilter.param, "").strip():
            return None
        return super().get_default_ordering(view)

    def get_ordering(self, request, queryset, view):
        given = single_values(request.query_params, [self.ordering_param]).get(self.ordering_param)
        if given is None:
            return self.get_default_ordering(view)
        terms = given.split(",")
        known = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        unknown = [term for term in terms if term.removeprefix("-") not in known]
        if unknown:
            raise ValidationError({self.ordering_param: [
                f"Cannot order by {unknown[0]!r}: use {', '.join(known)}, each with an optional leading -, "
                "several with commas."]})
        return terms

    def get_schema_operation_parameters(self, view):
        field = "-?(" + "|".join(re.escape(name) for name in view.ordering_fields) + ")"
        return [{"name": self.ordering_param, "required": False, "in": "query",
                 "description": f"{', '.join(view.ordering_fields)}; a leading - for descending; several with "
                                "commas: -rating_count,title. Default: by relevance with a search, else by title.",
                 "schema": {"type": "string", "pattern": f"^{field}(,{field})*$"}}]
