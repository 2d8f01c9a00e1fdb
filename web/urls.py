from django.urls import path

from movies.models import Mark
from web.views import browse, home, marks, movie, picks, ratings

urlpatterns = [
    path("", home.home, name="home"),
    path("movies/", browse.browse, name="browse"),
    path("movies/<int:pk>/", movie.movie_detail, name="movie"),
    path("movies/<int:pk>/rate/", ratings.rate, name="rate"),
    path("movies/<int:pk>/mark/", marks.mark_movie, name="mark"),
    path("watchlist/", marks.marked, name="watchlist"),
    path("watchlist/not-interested/", marks.marked, {"kind": Mark.Kind.NOT_INTERESTED}, name="not_interested"),
    path("picks/", picks.picks, name="picks"),
    path("ratings/", ratings.my_ratings, name="my_ratings"),
]
