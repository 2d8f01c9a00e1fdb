"""Page-number pagination: `?page=` (from 1) and `?page_size=` (1 to 100), read strictly (api/query.py).

DRF's own falls back to the default size for a bad `page_size` and answers 404 for `page=abc`; here a value
that is not what the schema says is a 400 naming the parameter, and only a page past the last is a 404.
"""
from django.core.paginator import InvalidPage
from rest_framework import pagination, serializers
from rest_framework.exceptions import NotFound

from api.query import QueryIntegerField, read_query

MAX_PAGE_SIZE = 100


class PageQuerySerializer(serializers.Serializer):
    page = QueryIntegerField(min_value=1, required=False, help_text="A page number, from 1.")
    page_size = QueryIntegerField(min_value=1, max_value=MAX_PAGE_SIZE, required=False,
                                  help_text=f"Results per page, at most {MAX_PAGE_SIZE}.")


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        query = read_query(PageQuerySerializer, request.query_params)
        paginator = self.django_paginator_class(queryset, query.get("page_size", self.page_size))
        number = query.get("page", 1)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            pages = paginator.num_pages
            message = f"There is no page {number}: {pages} page{'s' * (pages != 1)} in all."
            raise NotFound({"page": [message]}) from None
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        return [{"name": name, "required": False, "in": "query", "description": str(field.help_text),
                 "schema": {"type": "integer", "minimum": field.min_value,
                            **({"maximum": field.max_value} if field.max_value else {})}}
                for name, field in PageQuerySerializer().fields.items()]
