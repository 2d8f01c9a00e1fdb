from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ml.recommendations import picks_for
from web.forms import FilterForm
from web.page_cache import cached_page

PICKS = 24


@cached_page
@login_required
def picks(request):
    """Your picks, folded in from your ratings as they are now, each with its reason; filter by genre/decade."""
    form = FilterForm(request.GET)
    filters = form.filters()
    return render(request, "web/picks.html", {
        "form": form,
        "picks": picks_for(user=request.user, k=PICKS, genre=filters["genre"] or None, decade=filters["decade"]),
        "rated_count": request.user.ratings.count(),
        "marks": {},  # buttons on every card: a pick is never marked
    })
