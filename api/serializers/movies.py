"""Movies as the API shows them."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.query import QueryIntegerField
from movies.models import Movie, MovieArticle, MovieTag
from movies.tags import top_tags


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


class ArticleSerializer(serializers.ModelSerializer):
    """What the movie's Wikipedia article says first, as plain text (markup stripped)."""

    lead = serializers.CharField(help_text="The article's lead: paragraphs apart by a blank line.")
    starring = serializers.ListField(child=serializers.CharField(), help_text="The infobox's cast, as shown.")
    countries = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = MovieArticle
        fields = ["lead", "starring", "runtime_minutes", "countries", "languages", "release_date"]


class TagSerializer(serializers.ModelSerializer):
    name = serializers.CharField(help_text="The tag in its most common spelling; /api/movies/?tag= lists its movies.")
    count = serializers.IntegerField(help_text="How many users gave the movie this tag.")

    class Meta:
        model = MovieTag
        fields = ["name", "count"]


class MovieDetailSerializer(MovieSerializer):
    """One movie: the list's fields, its directors, its Wikipedia article's lead and facts, and its top tags."""

    directors = serializers.ListField(child=serializers.CharField(), read_only=True,
                                      help_text="From the Wikipedia infobox.")
    article = ArticleSerializer(read_only=True, allow_null=True, source="article_or_none",
                                help_text="Null when no Wikipedia article was imported for the movie.")
    tags = serializers.SerializerMethodField(help_text="Its most given tags, most users first.")

    class Meta(MovieSerializer.Meta):
        fields = [*MovieSerializer.Meta.fields, "directors", "article", "tags"]

    @extend_schema_field(TagSerializer(many=True))
    def get_tags(self, movie) -> list[dict]:
        return TagSerializer(top_tags(movie), many=True).data


class NeighbourSerializer(serializers.Serializer):
    movie = MovieSummarySerializer()
    similarity = serializers.FloatField(help_text="Cosine similarity, -1 to 1.")


class SimilarQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["links", "ratings"], default="links",
                                   help_text="links: Wikipedia link embeddings; ratings: collaborative filtering.")
    k = QueryIntegerField(min_value=1, max_value=100, default=10, help_text="How many movies.")
