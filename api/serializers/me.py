"""Your ratings, marks (watchlist, not interested), picks and predicted ratings."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.query import QueryCharField, QueryIntegerField
from api.serializers.movies import MovieSummarySerializer
from movies.models import Mark, Rating
from movies.ratings import MAX_STARS, MIN_STARS, validate_stars


@extend_schema_field({"type": "number", "format": "double", "minimum": MIN_STARS, "maximum": MAX_STARS,
                      "multipleOf": 0.5, "example": 4.5})
class StarsField(serializers.FloatField):
    """0.5 to 5 stars in half steps (the rules live in movies.ratings), as a JSON number: not "4.5" or true."""

    def __init__(self, **kwargs):
        super().__init__(validators=[validate_stars], **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class MovieIdField(serializers.IntegerField):
    """A movie's id as a JSON integer (not "7", 7.0 or true); whether that movie exists is the view's 404."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


class RatingSerializer(serializers.ModelSerializer):
    movie = MovieSummarySerializer(read_only=True)

    class Meta:
        model = Rating
        fields = ["movie", "value", "rated_at"]


class MarkSerializer(serializers.ModelSerializer):
    movie = MovieSummarySerializer(read_only=True)
    marked_at = serializers.DateTimeField(read_only=True, help_text="When you marked it.")

    class Meta:
        model = Mark
        fields = ["movie", "marked_at"]


class MarkCreateSerializer(serializers.Serializer):
    movie = MovieIdField(help_text="The movie's id.")


class RatingCreateSerializer(serializers.Serializer):
    movie = MovieIdField(help_text="The movie's id.")
    value = StarsField(help_text="Stars: 0.5 to 5 in half steps.")


class RatingUpdateSerializer(serializers.Serializer):
    value = StarsField(help_text="Stars: 0.5 to 5 in half steps.")


class PicksQuerySerializer(serializers.Serializer):
    k = QueryIntegerField(min_value=1, max_value=100, default=10, help_text="How many picks.")
    genre = QueryCharField(required=False, allow_blank=True, max_length=50,
                           help_text="Only movies of this genre (any case); empty for all.")
    decade = QueryIntegerField(required=False, min_value=0, max_value=32760,
                               help_text="Only movies of the decade starting this year, e.g. 1990.")


class PickSerializer(serializers.Serializer):
    movie = MovieSummarySerializer()
    score = serializers.FloatField(help_text="Higher is a better match; comparable within one answer only.")
    because = MovieSummarySerializer(allow_null=True, help_text="A movie you rated highly that explains this pick.")


class PredictedRatingSerializer(serializers.Serializer):
    movie = serializers.IntegerField(help_text="The movie's id.")
    predicted_rating = serializers.FloatField(allow_null=True,
                                              help_text="Stars we expect you to give; null without a model for you.")
