"""The catalog: movies with search, filters, ordering and pages; one movie; its similar movies."""
from django.db.models import F
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.caching import shared_response
from api.filters import FILTER_PARAMETERS, MovieFilter, OrderingFilter, RankedSearchFilter
from api.query import read_query
from api.serializers.movies import (
    MovieDetailSerializer,
    MovieSerializer,
    NeighbourSerializer,
    SimilarQuerySerializer,
)
from ml.serving.recommendations import similar_to
from movies.models import Movie


@extend_schema_view(
    list=extend_schema(summary="Movies", description="Search by title, filter by genre, decade, years or tag, order.",
                       parameters=FILTER_PARAMETERS),
    retrieve=extend_schema(summary="One movie"),
    similar=extend_schema(summary="Similar movies", parameters=[SimilarQuerySerializer],
                          responses=NeighbourSerializer(many=True),
                          description="Nearest movies in the active model of a kind, most similar first; never the "
                                      "movie itself. Empty while no version of that kind is active."),
)
class MovieViewSet(viewsets.ReadOnlyModelViewSet):
    """Anyone may read the catalog; the answers are the same for everyone, so they are cached (api/caching.py)."""

    permission_classes = [AllowAny]
    serializer_class = MovieSerializer
    # The statistics the rating service keeps on each movie (movies/stats.py): no request aggregates the ratings.
    queryset = (Movie.objects.annotate(rating_count=F("num_ratings"), average_rating=F("mean_rating"))
                .prefetch_related("genres"))
    filter_backends = [DjangoFilterBackend, RankedSearchFilter, OrderingFilter]
    filterset_class = MovieFilter
    ordering_fields = ["title", "year", "rating_count", "average_rating"]
    ordering = ["title", "id"]

    def get_serializer_class(self):
        return MovieDetailSerializer if self.action == "retrieve" else MovieSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.select_related("article") if self.action == "retrieve" else queryset

    @shared_response
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @shared_response
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @action(detail=True, filter_backends=[], pagination_class=None)
    @shared_response
    def similar(self, request, pk=None):
        query = read_query(SimilarQuerySerializer, request.query_params)
        movie = get_object_or_404(Movie, pk=pk)  # without the rating statistics of the list
        return Response(NeighbourSerializer(similar_to(movie=movie, **query), many=True).data)
