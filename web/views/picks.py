from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ml.serving.recommendations import picks_for, predicted_ratings
from web.forms import FilterForm
from web.page_cache import cached_page

PICKS, MAX_PAGES = 24, 10


@cached_page
@login_required
def picks(request):
    """Your picks, folded in from your ratings as they are now, each with its reason and predicted rating, 24 a
    page up to 240; filter by genre/decade."""
    form = FilterForm(request.GET)
    filters = form.filters()
    number = _page_number(request.GET.get("page"))
    # One more than the page needs tells whether there is a next page.
    found = picks_for(user=request.user, k=PICKS * number + 1, genre=filters["genre"] or None,
                      decade=filters["decade"])
    shown = found[PICKS * (number - 1):PICKS * number]
    query = request.GET.copy()
    query.pop("page", None)
    has_next = len(found) > PICKS * number and number < MAX_PAGES
    return render(request, "web/picks.html", {
        "form": form,
        "picks": shown,
        "predicted": predicted_ratings(user=request.user, movie_ids=[pick.movie.pk for pick in shown]),
        "rated_count": request.user.ratings.count(),
        "marks": {},  # buttons on every card: a pick is never marked
        "number": number, "has_next": has_next,
        "query_string": query.urlencode(),
    })


def _page_number(raw) -> int:
    try:
        return min(max(int(raw), 1), MAX_PAGES)
    except (TypeError, ValueError):
        return 1
