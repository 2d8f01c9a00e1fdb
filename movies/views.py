"""Pages of the site. The full browsing experience comes with the website issue; for now, home."""
from django.db.models import Avg, Count
from django.shortcuts import render

from movies.models import Movie, Rating


def home(request):
    """The most rated movies with their average rating, and the size of the catalog."""
    popular = (Movie.objects.annotate(rating_count=Count("ratings"), average=Avg("ratings__value"))
               .filter(rating_count__gt=0).order_by("-rating_count", "title")[:24])
    return render(request, "movies/home.html", {
        "popular": popular,
        "movie_count": Movie.objects.count(),
        "rating_count": Rating.objects.count(),
    })
