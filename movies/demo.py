"""The demo's accounts: a regular user with a recognisable taste, and a staff user (ml/demo.py trains its models)."""
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from movies.models import Movie
from movies.ratings import set_rating

DEMO_USERNAME, ADMIN_USERNAME = "demo", "admin"


def ensure_accounts(password: str) -> None:
    """A regular `demo` user and a staff `admin` user, both with this password."""
    User = get_user_model()
    demo, _ = User.objects.get_or_create(username=DEMO_USERNAME)
    admin, _ = User.objects.get_or_create(username=ADMIN_USERNAME,
                                          defaults={"is_staff": True, "is_superuser": True})
    for user in (demo, admin):
        user.set_password(password)
        user.is_active = True
        user.save()


def rate_for_demo(count: int = 15) -> int:
    """Give the demo user a recognisable taste: loves popular sci-fi and action, dislikes romance."""
    demo = get_user_model().objects.get(username=DEMO_USERNAME)
    popular = Movie.objects.annotate(n=Count("ratings", distinct=True)).filter(n__gt=0).order_by("-n", "pk")
    liked = list(popular.filter(Q(genres__name="Sci-Fi") | Q(genres__name="Action")).distinct()[: count - 5])
    disliked = list(popular.filter(genres__name="Romance").exclude(pk__in=[m.pk for m in liked])[:5])
    for movie in liked:
        set_rating(user=demo, movie=movie, value=4.5)
    for movie in disliked:
        set_rating(user=demo, movie=movie, value=1.5)
    return len(liked) + len(disliked)
