"""The signed-in user's own ratings, marks (watchlist, not interested), picks and predicted ratings (every query
starts from request.user)."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from api.errors import ErrorSerializer
from api.query import read_query
from api.serializers.me import (
    MarkCreateSerializer,
    MarkSerializer,
    PickSerializer,
    PicksQuerySerializer,
    PredictedRatingSerializer,
    RatingCreateSerializer,
    RatingSerializer,
    RatingUpdateSerializer,
)
from ml.serving.recommendations import picks_for, predicted_rating
from movies.marks import mark, unmark
from movies.models import Genre, Mark, Movie, Rating
from movies.ratings import remove_rating, set_rating

MOVIE = OpenApiParameter("movie", OpenApiTypes.INT, OpenApiParameter.PATH, description="The movie's id.")
SAVED = {201: OpenApiResponse(RatingSerializer, description="Created."),
         200: OpenApiResponse(RatingSerializer, description="Changed: you had rated this movie.")}
NO_SUCH_MOVIE = OpenApiResponse(ErrorSerializer, description="No such movie.")


def movie_named(movie_id: int) -> Movie:
    """The movie a request body names; a well-formed request about a movie that is not there is a 404 naming
    the field."""
    movie = Movie.objects.filter(pk=movie_id).first()
    if movie is None:
        raise NotFound({"movie": [f"No movie has the id {movie_id}."]})
    return movie


@extend_schema_view(
    list=extend_schema(summary="Your ratings", description="Newest first."),
    retrieve=extend_schema(summary="Your rating of a movie", parameters=[MOVIE]),
    create=extend_schema(summary="Rate a movie", request=RatingCreateSerializer,
                         responses={**SAVED, 404: NO_SUCH_MOVIE},
                         description="Rating a movie you rated before changes that rating."),
    update=extend_schema(summary="Rate a movie (by its id)", parameters=[MOVIE], request=RatingUpdateSerializer,
                         responses=SAVED, description="Creates your rating of the movie or changes it."),
    destroy=extend_schema(summary="Remove your rating of a movie", parameters=[MOVIE]),
)
class MyRatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your ratings, addressed by movie id; writes go through movies.ratings."""

    serializer_class = RatingSerializer
    # Through the movie's id, whose lookups find nothing for an id past the column's range; the foreign key's
    # own lookup sends any number to PostgreSQL, which fails on one past bigint.
    lookup_field, lookup_url_kwarg = "movie__pk", "movie"
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return (Rating.objects.filter(user=self.request.user).select_related("movie")
                .order_by("-rated_at", "-id"))

    def create(self, request):
        data = RatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._rate(movie_named(data.validated_data["movie"]), data.validated_data["value"])

    def update(self, request, movie=None):
        movie = get_object_or_404(Movie, pk=movie)
        data = RatingUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._rate(movie, data.validated_data["value"])

    def destroy(self, request, movie=None):
        if not remove_rating(user=request.user, movie=get_object_or_404(Movie, pk=movie)):
            raise NotFound("You have not rated this movie.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _rate(self, movie: Movie, value: float) -> Response:
        rating, created = set_rating(user=self.request.user, movie=movie, value=value)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(RatingSerializer(rating).data, status=code)


MARKED = {201: OpenApiResponse(MarkSerializer, description="Marked."),
          200: OpenApiResponse(MarkSerializer, description="It was marked so already.")}


class MarkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your movies of one mark, addressed by movie id; writes go through movies.marks. A movie has one mark at
    most: marking it one way takes back the other."""

    kind: str
    serializer_class = MarkSerializer
    lookup_field, lookup_url_kwarg = "movie__pk", "movie"  # as MyRatingViewSet's: no lookup past bigint
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return (Mark.objects.filter(user=self.request.user, kind=self.kind).select_related("movie")
                .order_by("-marked_at", "-id"))

    def create(self, request):
        data = MarkCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._mark(movie_named(data.validated_data["movie"]))

    def update(self, request, movie=None):
        return self._mark(get_object_or_404(Movie, pk=movie))

    def destroy(self, request, movie=None):
        if not unmark(user=request.user, movie=get_object_or_404(Movie, pk=movie), kind=self.kind):
            raise NotFound(f"This movie is not {self.absent}.")
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _mark(self, movie: Movie) -> Response:
        found, changed = mark(user=self.request.user, movie=movie, kind=self.kind)
        return Response(MarkSerializer(found).data, status=status.HTTP_201_CREATED if changed else status.HTTP_200_OK)


def mark_schema(name: str, what: str):
    return extend_schema_view(
        list=extend_schema(summary=f"Your {name}", description="Newest first."),
        retrieve=extend_schema(summary=f"A movie on your {name}", parameters=[MOVIE],
                               description=f"404 when the movie is not {what}."),
        create=extend_schema(summary=f"Add a movie to your {name}", request=MarkCreateSerializer,
                             responses={**MARKED, 404: NO_SUCH_MOVIE},
                             description="Takes back the movie's other mark, if it has one. It stays out of your "
                                         "picks."),
        update=extend_schema(summary=f"Add a movie to your {name} (by its id)", parameters=[MOVIE], request=None,
                             responses=MARKED, description="Takes back the movie's other mark, if it has one."),
        destroy=extend_schema(summary=f"Take a movie off your {name}", parameters=[MOVIE]),
    )


@mark_schema("watchlist", "on your watchlist")
class MyWatchlistViewSet(MarkViewSet):
    """The movies you mean to watch."""

    kind, absent = Mark.Kind.WATCHLIST, "on your watchlist"


@mark_schema("not-interested list", "marked not interested")
class MyNotInterestedViewSet(MarkViewSet):
    """The movies you do not want to be offered."""

    kind, absent = Mark.Kind.NOT_INTERESTED, "marked not interested"


class MyPicksViewSet(viewsets.ViewSet):
    """Your picks from ml.serving.recommendations."""

    @extend_schema(summary="Your picks", parameters=[PicksQuerySerializer], responses=PickSerializer(many=True),
                   description="Best first, never a movie you rated, put on your watchlist or marked not "
                               "interested; the most rated movies until you rate some. "
                               "They follow your ratings at once, without waiting for a retrain.")
    def list(self, request):
        query = read_query(PicksQuerySerializer, request.query_params)
        options = {name: value for name, value in query.items() if value != ""}
        if "decade" in options:
            options["decade"] -= options["decade"] % 10
        if "genre" in options:  # any case, as in the movie list
            options["genre"] = Genre.objects.filter(name__iexact=options["genre"]).values_list(
                "name", flat=True).first() or options["genre"]
        return Response(PickSerializer(picks_for(user=request.user, **options), many=True).data)


class MyPredictedRatingViewSet(viewsets.ViewSet):
    """The rating the collaborative model expects from you."""

    lookup_field = "movie"

    @extend_schema(summary="Your predicted rating of a movie", parameters=[MOVIE],
                   responses=PredictedRatingSerializer)
    def retrieve(self, request, movie=None):
        movie = get_object_or_404(Movie, pk=movie)
        return Response({"movie": movie.pk, "predicted_rating": predicted_rating(user=request.user, movie=movie)})
