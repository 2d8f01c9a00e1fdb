from django.shortcuts import get_object_or_404, render

from ml.serving.recommendations import predicted_rating
from movies.marks import marks_of
from movies.models import Movie
from movies.tags import top_tags
from web import selectors
from web.page_cache import cached_page
from web.templatetags.web import path_for


@cached_page
def movie_detail(request, pk):
    """A movie: its facts (with its Wikipedia article's lead and infobox) and links out, its numbers, your rating
    and predicted rating, and two lists of neighbours with their similarity as bars (Wikipedia links; ratings)."""
    movie = get_object_or_404(Movie.objects.select_related("article").prefetch_related("genres"), pk=pk)
    user = request.user
    your_rating = selectors.ratings_of(user, [movie.pk]).get(movie.pk)
    your_mark = marks_of(user, [movie.pk]).get(movie.pk, "")
    return render(request, "web/movie.html", {
        "movie": movie,
        "article": movie.article_or_none,
        "tags": top_tags(movie),
        "links": selectors.links_out(movie),
        "your_rating": your_rating,
        "mark": your_mark,
        "predicted": predicted_rating(user=user, movie=movie),
        "predicted_api": path_for("api:my-predicted-detail", movie.pk) if user.is_authenticated else "",
        "neighbours": selectors.with_rated_marks(selectors.neighbours_html(movie, staff=user.is_staff), user),
    })
