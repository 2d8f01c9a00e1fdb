"""Query parameters read strictly, so that the API answers exactly what its schema documents.

A parameter the endpoint knows is given at most once, and its value must be valid as it stands: an empty
`?k=` or `?page_size=null` is a 400 naming the parameter, not the default (DRF reads query strings the way it
reads HTML forms, where an empty field means "not given"). Unknown parameters are ignored, as HTTP caches and
the OpenAPI schema allow.
"""
import re

from django.http import QueryDict
from rest_framework import serializers

INTEGER = re.compile(r"-?[0-9]+")  # what an OpenAPI integer looks like in a query string: no 5.0, +5, ٥ or " 5"


def single_values(params: QueryDict, names) -> dict[str, str]:
    """{name: value} of the parameters among `names` that are given; a 400 naming each one given twice."""
    repeated = {name: ["Give this parameter once."] for name in names if len(params.getlist(name)) > 1}
    if repeated:
        raise serializers.ValidationError(repeated)
    return {name: params[name] for name in names if name in params}


def read_query(serializer_class: type[serializers.Serializer], params: QueryDict) -> dict:
    """The validated query parameters of `serializer_class`'s fields, or a ValidationError naming the bad ones."""
    query = serializer_class(data=single_values(params, serializer_class().fields))
    query.is_valid(raise_exception=True)
    return query.validated_data


def parse_integer(text: str) -> int | None:
    """The integer `text` spells in plain ASCII digits, else None."""
    if not INTEGER.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() reads (sys.int_info.default_max_str_digits)
        return None


class QueryIntegerField(serializers.IntegerField):
    """An integer query parameter: digits only (DRF's own also takes 5.0 and " 5")."""

    def to_internal_value(self, data):
        number = parse_integer(data) if isinstance(data, str) else None
        if number is None:
            self.fail("invalid")
        return number


class QueryCharField(serializers.CharField):
    """A text query parameter taken as given: not trimmed, so that maxLength means what the schema says."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
