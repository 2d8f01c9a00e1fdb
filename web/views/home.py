from django.shortcuts import render

from ml.recommendations import picks_for
from movies.models import Rating
from web import selectors
from web.page_cache import cached_page

HOME_PICKS, ROW = 12, 12


@cached_page
def home(request):
    """Your picks once you have rated something (else the most rated, under that name), the top rated, recently
    added, and the genres."""
    user = request.user
    rated = user.is_authenticated and Rating.objects.filter(user=user).exists()
    picks = picks_for(user=user, k=HOME_PICKS) if rated else []
    return render(request, "web/home.html", {
        "picks": picks,
        **selectors.home_rows(ROW, with_popular=not picks),
        "genres": selectors.genres_with_counts(),
    })
