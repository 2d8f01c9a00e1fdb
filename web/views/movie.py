from django.shortcuts import get_object_or_404, render

from ml.recommendations import predicted_rating
from movies.models import Movie
from web import selectors
from web.page_cache import cached_page
from web.templatetags.web import path_for


@cached_page
def movie_detail(request, pk):
    """A movie: its facts and links out, its numbers, your rating and predicted rating, and two lists of
    neighbours with their similarity as bars (Wikipedia links; ratings)."""
    movie = get_object_or_404(Movie.objects.prefetch_related("genres"), pk=pk)
    user = request.user
    your_rating = selectors.ratings_of(user, [movie.pk]).get(movie.pk)
    return render(request, "web/movie.html", {
        "movie": movie,
        "links": selectors.links_out(movie),
        "your_rating": your_rating,
        "predicted": predicted_rating(user=user, movie=movie),
        "predicted_api": path_for("api:my-predicted-detail", movie.pk) if user.is_authenticated else "",
        "neighbours": selectors.neighbours_html(movie, staff=user.is_staff),
    })
