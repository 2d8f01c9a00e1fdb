"""Template helpers of the site: a movie's poster colour, percentages, star rows."""
from django import template

from movies.models import RATING_VALUES

register = template.Library()


@register.filter
def hue(movie_id) -> int:
    """A stable colour per movie for its placeholder poster (no poster images are shipped)."""
    return (int(movie_id or 0) * 47) % 360


@register.filter
def initials(title) -> str:
    """"The Godfather: Part II" → "GP": the placeholder poster's letters (a leading article skipped)."""
    words = [word for word in str(title).replace(":", " ").split() if word[:1].isalnum()]
    if len(words) > 1 and words[0].lower() in {"the", "a", "an"}:
        words = words[1:]
    return "".join(word[0] for word in words[:2]).upper()


@register.filter
def percent(value) -> int:
    """0.42 → 42, clamped to 0..100 (bar widths)."""
    try:
        return max(0, min(100, round(float(value) * 100)))
    except (TypeError, ValueError):
        return 0


@register.filter
def stars_percent(value) -> int:
    """An average rating as a share of five stars, for the filled part of a static star row."""
    try:
        return max(0, min(100, round(float(value) / 5 * 100)))
    except (TypeError, ValueError):
        return 0


@register.inclusion_tag("web/_rate.html", takes_context=True)
def rating_widget(context, movie, value=None, compact=False):
    """The star widget: half stars 0.5–5, a form that posts without JavaScript and saves in place with it."""
    return {"movie": movie, "value": value, "compact": compact, "request": context["request"],
            "csrf_token": context.get("csrf_token"),
            "choices": [(v, v == value) for v in reversed(RATING_VALUES)]}
