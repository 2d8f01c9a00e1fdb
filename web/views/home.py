from django.shortcuts import render

from ml.recommendations import picks_for
from web import selectors
from web.page_cache import cached_page

HOME_PICKS, ROW = 12, 12


@cached_page
def home(request):
    """Your picks when signed in (else the most rated), the top rated, recently added, and the genres."""
    user = request.user
    picks = picks_for(user=user, k=HOME_PICKS) if user.is_authenticated else []
    return render(request, "web/home.html", {
        "picks": picks,
        **selectors.home_rows(ROW, with_popular=not picks),
        "genres": selectors.genres_with_counts(),
    })
