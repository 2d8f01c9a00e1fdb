"""Sign up, then onboarding: a new user rates a dozen well-known, varied movies and gets first picks."""
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.forms import SignUpForm
from web import selectors

ONBOARDING_GOAL = 12


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("onboarding")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def onboarding(request):
    """Movies to rate for a first set of picks, with the ones you rated already marked."""
    movies = selectors.onboarding_candidates(ONBOARDING_GOAL * 2)
    rated = selectors.ratings_of(request.user, [movie.pk for movie in movies])
    return render(request, "accounts/onboarding.html", {
        "movies": [(movie, rated.get(movie.pk)) for movie in movies],
        "goal": ONBOARDING_GOAL,
        "rated_count": request.user.ratings.count(),
    })
