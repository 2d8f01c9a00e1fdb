"""A movie's tags as the site shows them: MovieLens users' free-text tags grouped by their words (case, accents and
spacing aside), counted per user, and stored as MovieTag rows after each import, so that a movie page reads its top
tags and the tag browse its movies without aggregating the tags table."""
import unicodedata
from collections import Counter, defaultdict

from django.db import transaction

from movies.models import Movie, MovieTag, Tag

TOP_TAGS = 10
BATCH = 10_000


def tag_key(text: str) -> str:
    """The words of a tag as compared: "Time  Travel", "time travel" and "tíme travel" → "time travel"."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().split())[:255]


@transaction.atomic
def refresh_movie_tags() -> int:
    """Rebuild every movie's MovieTag rows from the users' tags; returns how many there are."""
    users, spellings = defaultdict(set), defaultdict(Counter)
    rows = Tag.objects.order_by().values_list("movie_id", "text", "user_id").iterator(chunk_size=BATCH)
    for movie_id, text, user_id in rows:
        key = tag_key(text)
        if key:
            users[movie_id, key].add(user_id)
            spellings[movie_id, key][" ".join(text.split())] += 1
    MovieTag.objects.all().delete()
    tags = [MovieTag(movie_id=movie_id, key=key, count=len(who),
                     name=min(spellings[movie_id, key].items(), key=lambda item: (-item[1], item[0]))[0])
            for (movie_id, key), who in users.items()]
    MovieTag.objects.bulk_create(tags, batch_size=BATCH)
    return len(tags)


def top_tags(movie: Movie, k: int = TOP_TAGS) -> list[MovieTag]:
    """The movie's k most given tags, most users first (one query on the stored rows)."""
    return list(MovieTag.objects.filter(movie=movie).order_by("-count", "name").only("name", "count")[:k])
