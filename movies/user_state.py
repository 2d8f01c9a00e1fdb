"""What a user's cached pages and picks depend on: a token that changes with every change of his ratings, his marks
(watchlist, not interested) or his account, and the list of his cached pages, which such a change drops.

Picks and folded-in vectors (ml/serving/recommendations.py) are cached under the token; whole pages (web/page_cache.py)
are listed under the user and dropped. So a rating shows in every web process on the very next request.

With a shared cache (``CACHE_URL``) the token is a random value kept in that cache. After every committed change
of the user's ratings or marks (movies/ratings.py, movies/marks.py call ``changed``) or of his account, and when he
logs out (signals, connected in movies/apps.py), the token is deleted and then his pages.
A reader takes the token before it reads the database and checks it again after storing what
it made from it, so anything made from data older than a change is either dropped by the change or by its maker.
Without a shared cache each process caches for itself and could not see another's deletion, so the token is read
from the database instead (the number of the user's ratings and marks and the time of the latest of each), and no
page is cached.
"""
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from movies.models import Mark, Rating

TOKEN_SECONDS = 24 * 3600  # an evicted or expired token is replaced by a new one: everything cached is then missed


def key(user_id: int) -> str:
    return f"user-state:{user_id}"


def pages_key(user_id: int) -> str:
    return f"user-pages:{user_id}"


def token(user_id: int) -> str:
    """The user's current token (see the module docstring)."""
    if not settings.CACHE_IS_SHARED:
        return _from_database(user_id)
    found = cache.get(key(user_id))
    return found if found is not None else create(user_id)


def create(user_id: int) -> str:
    """A new token for a user who has none in the cache (or the one another process stored first)."""
    new = uuid.uuid4().hex
    if cache.add(key(user_id), new, TOKEN_SECONDS):
        return new
    return cache.get(key(user_id)) or new


def list_page(user_id: int, page_key: str) -> None:
    """Note a cached page of the user's, for ``changed`` to drop."""
    cache.add_to_set(pages_key(user_id), page_key, TOKEN_SECONDS)


def changed(user_id: int) -> None:
    """Drop the user's token, then his cached pages, once the current transaction commits (at once outside one)."""
    if settings.CACHE_IS_SHARED:
        transaction.on_commit(lambda: _drop(user_id))


def _drop(user_id: int) -> None:
    cache.delete(key(user_id))
    cache.delete_many(cache.pop_set(pages_key(user_id)))


def _from_database(user_id: int) -> str:
    ratings, marks = Rating._meta.db_table, Mark._meta.db_table
    with connection.cursor() as cursor:  # one statement: a page may ask several times
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {ratings} WHERE user_id = %s),"
                       f" (SELECT MAX(rated_at) FROM {ratings} WHERE user_id = %s),"
                       f" (SELECT COUNT(*) FROM {marks} WHERE user_id = %s),"
                       f" (SELECT MAX(marked_at) FROM {marks} WHERE user_id = %s)", [user_id] * 4)
        state = cursor.fetchone()
    return "-".join(str(value.timestamp() if hasattr(value, "timestamp") else value or 0) for value in state)


def user_saved_or_deleted(sender, instance, **kwargs) -> None:
    """A new password, name, staff flag or deactivation: pages cached for the old account must not be served."""
    changed(instance.pk)


def user_logged_out(sender, request, user, **kwargs) -> None:
    """Pages cached for the ended session must not be served to whoever still holds its cookie."""
    if user is not None:
        changed(user.pk)
