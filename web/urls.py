from django.urls import path

from web.views import browse, home, movie, picks, ratings

urlpatterns = [
    path("", home.home, name="home"),
    path("movies/", browse.browse, name="browse"),
    path("movies/<int:pk>/", movie.movie_detail, name="movie"),
    path("movies/<int:pk>/rate/", ratings.rate, name="rate"),
    path("picks/", picks.picks, name="picks"),
    path("ratings/", ratings.my_ratings, name="my_ratings"),
]
