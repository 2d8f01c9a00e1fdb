from django.shortcuts import render

from ml.serving.recommendations import picks_for, predicted_ratings
from movies.marks import marks_of
from movies.models import Rating
from web import selectors
from web.page_cache import cached_page

HOME_PICKS, ROW = 12, 12


@cached_page
def home(request):
    """Your picks once you have rated something (else the most rated, under that name) with their predicted
    ratings, the top rated, recently added, and the genres."""
    user = request.user
    rated = user.is_authenticated and Rating.objects.filter(user=user).exists()
    picks = picks_for(user=user, k=HOME_PICKS) if rated else []
    rows = selectors.home_rows(ROW, with_popular=not picks)
    shown = {movie.pk for row in rows.values() for movie in row}  # picks are never marked
    return render(request, "web/home.html", {
        "picks": picks,
        **rows,
        "genres": selectors.genres_with_counts(),
        "marks": marks_of(user, shown) if user.is_authenticated else None,
        "predicted": predicted_ratings(user=user, movie_ids=[pick.movie.pk for pick in picks]) if picks else {},
    })
