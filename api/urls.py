"""Routes of the API: a DefaultRouter for the resources, the token view, the schema and its docs, and a JSON 404."""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api.errors import not_found
from api.views import me, movies, staff
from api.views.auth import TokenView

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False  # JSON only: /api/movies/1.json would just be a second name for /api/movies/1/
router.register("movies", movies.MovieViewSet, basename="movie")
router.register("me/ratings", me.MyRatingViewSet, basename="my-rating")
router.register("me/watchlist", me.MyWatchlistViewSet, basename="my-watchlist")
router.register("me/not-interested", me.MyNotInterestedViewSet, basename="my-not-interested")
router.register("me/picks", me.MyPicksViewSet, basename="my-picks")
router.register("me/predicted", me.MyPredictedRatingViewSet, basename="my-predicted")
router.register("staff/training-runs", staff.TrainingRunViewSet, basename="training-run")
router.register("staff/model-versions", staff.ModelVersionViewSet, basename="model-version")
router.register("staff/import-jobs", staff.ImportJobViewSet, basename="import-job")

app_name = "api"
urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
    re_path(r"", not_found),  # last: whatever else is under /api/
]
