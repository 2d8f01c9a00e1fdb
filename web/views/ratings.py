from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from movies.models import Movie, Rating
from movies.ratings import remove_rating, set_rating
from web.forms import RatingForm
from web.page_cache import cached_page

PAGE_SIZE = 50


@cached_page
@login_required
def my_ratings(request):
    """Your ratings, newest first, each with the star widget to change it and a button to remove it."""
    ratings = Rating.objects.filter(user=request.user).select_related("movie").only(
        "value", "rated_at", "movie__id", "movie__title", "movie__year", "movie__num_ratings",
        "movie__mean_rating").order_by("-rated_at", "-id")
    page = Paginator(ratings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/ratings.html", {"page": page})


@login_required
@require_POST
def rate(request, pk):
    """The star widget's form without JavaScript: set (or, with "clear", remove) your rating, then go back.
    With JavaScript the widget calls the REST API instead (/api/me/ratings/{movie}/), and the page stays."""
    movie = get_object_or_404(Movie, pk=pk)
    form = RatingForm(request.POST)
    if request.POST.get("clear"):
        if remove_rating(user=request.user, movie=movie):
            messages.success(request, f"Removed your rating of {movie.title}.")
    elif not form.is_valid() or form.cleaned_data["value"] is None:
        messages.error(request, "Choose 0.5 to 5 stars.")
    else:
        try:
            set_rating(user=request.user, movie=movie, value=form.cleaned_data["value"])
        except ValidationError:
            messages.error(request, "Choose 0.5 to 5 stars.")
        else:
            messages.success(request, f"Rated {movie.title}: {form.cleaned_data['value']:g} stars.")
    return redirect(_next(request) or movie.get_absolute_url())


def _next(request) -> str | None:
    target = request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None
