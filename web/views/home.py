from django.shortcuts import render

from ml.recommendations import picks_for
from web import selectors

HOME_PICKS, ROW = 12, 12


def home(request):
    """Your picks when signed in (else the most rated), the top rated, recently added, and the genres."""
    user = request.user
    picks = picks_for(user=user, k=HOME_PICKS) if user.is_authenticated else []
    return render(request, "web/home.html", {
        "picks": picks,
        "popular": [] if picks else selectors.popular(ROW),
        "top_rated": selectors.top_rated(ROW),
        "recent": selectors.recently_added(ROW),
        "genres": selectors.genres_with_counts(),
    })
