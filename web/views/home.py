from django.shortcuts import render

from web import selectors

HOME_PICKS, ROW = 12, 12


def home(request):
    """Your picks when signed in (else the most rated), the top rated, recently added, and the genres."""
    user = request.user
    picks = selectors.picks(user=user, k=HOME_PICKS) if user.is_authenticated else []
    return render(request, "web/home.html", {
        "picks": picks,
        **selectors.home_rows(ROW, with_popular=not picks),
        "genres": selectors.genres_with_counts(),
    })
