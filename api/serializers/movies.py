"""Movies as the API shows them."""
from rest_framework import serializers

from api.query import QueryIntegerField
from movies.models import Movie


class MovieSummarySerializer(serializers.ModelSerializer):
    """A movie in a list of something else (ratings, picks, neighbours)."""

    class Meta:
        model = Movie
        fields = ["id", "title", "year"]


class MovieSerializer(serializers.ModelSerializer):
    """A movie with its genres, ids elsewhere and rating statistics (the stored ones, named by the view)."""

    genres = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    rating_count = serializers.IntegerField(read_only=True, help_text="How many people rated it.")
    average_rating = serializers.FloatField(read_only=True, allow_null=True, help_text="Mean stars; null if unrated.")

    class Meta:
        model = Movie
        fields = ["id", "title", "year", "genres", "imdb_id", "tmdb_id", "wikipedia_title", "rating_count",
                  "average_rating"]


class NeighbourSerializer(serializers.Serializer):
    movie = MovieSummarySerializer()
    similarity = serializers.FloatField(help_text="Cosine similarity, -1 to 1.")


class SimilarQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["links", "ratings"], default="links",
                                   help_text="links: Wikipedia link embeddings; ratings: collaborative filtering.")
    k = QueryIntegerField(min_value=1, max_value=100, default=10, help_text="How many movies.")
