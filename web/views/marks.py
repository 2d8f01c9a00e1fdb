"""Your watchlist and your "not interested" list, and the buttons' form without JavaScript (with it, site.js calls
the REST API: /api/me/watchlist/{movie}/ and /api/me/not-interested/{movie}/)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from movies.marks import KINDS, mark, unmark
from movies.models import Mark, Movie
from web import selectors
from web.page_cache import cached_page
from web.views.ratings import _next

PAGE_SIZE = 24
DONE = {Mark.Kind.WATCHLIST: "Added {} to your watchlist.", Mark.Kind.NOT_INTERESTED: "Marked {} as not interested: "
        "it stays out of your picks.", "none": "Took back your mark of {}."}


@login_required
@require_POST
def mark_movie(request, pk):
    """Put the movie on your watchlist, mark it "not interested" (`set` = the kind), or take either back
    (`set=none`), then go back to the page."""
    movie = get_object_or_404(Movie, pk=pk)
    wanted = request.POST.get("set")
    if wanted == "none":
        unmark(user=request.user, movie=movie)
    elif wanted in KINDS:
        mark(user=request.user, movie=movie, kind=wanted)
    else:
        return HttpResponseBadRequest("set: one of watchlist, not_interested, none")
    messages.success(request, DONE[wanted].format(movie.title))
    return redirect(_next(request) or movie.get_absolute_url())


@cached_page
@login_required
def marked(request, kind=Mark.Kind.WATCHLIST):
    """The movies you put on your watchlist (or marked "not interested"), newest first, to rate or take back."""
    marks = (Mark.objects.filter(user=request.user, kind=kind).select_related("movie")
             .only("marked_at", *(f"movie__{name}" for name in selectors.CARD_FIELDS)).order_by("-marked_at", "-id"))
    page = Paginator(marks, PAGE_SIZE).get_page(request.GET.get("page"))
    movies = [m.movie for m in page.object_list]
    return render(request, "web/marked.html", {
        "kind": kind, "page": page, "movies": movies, "marks": {movie.pk: kind for movie in movies},
        "ratings": selectors.ratings_of(request.user, [movie.pk for movie in movies]),
        "other_count": Mark.objects.filter(user=request.user).exclude(kind=kind).count(),
    })
