"""Template helpers of the site: a movie's poster colour, percentages, star rows, cards, the star widget and the
watchlist buttons."""
import functools

from django import template
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

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


@register.simple_tag
def select(field):
    """A form's choice field as a <select>, without the template-per-option rendering of Django's widgets (two
    filter menus cost more than the rest of the picks page)."""
    value = field.value()
    value = "" if value is None else str(value)
    options = "".join(
        f'<option value="{escape(key)}"{" selected" if str(key) == value else ""}>{escape(label)}</option>'
        for key, label in field.field.choices)
    return mark_safe(f'<select name="{escape(field.html_name)}" id="{escape(field.auto_id)}">{options}</select>')


@register.simple_tag(takes_context=True)
def movie_card(context, movie, because=None, rate=False, value=None, predicted=None):
    """A movie as a card (placeholder poster, title, year, average and count; a pick's reason and predicted
    rating; a star widget; the watchlist and "not interested" buttons when the page gives the user's `marks`),
    built here: pages show one to two dozen, and as an included template each cost as much as a query."""
    url = path_for("movie", movie.pk)
    title = escape(movie.title)
    meta = str(movie.year) if movie.year else ""
    if movie.num_ratings and movie.mean_rating is not None:
        meta += (f' · <span class="avg" title="average of {movie.num_ratings} ratings">★ {movie.mean_rating:.1f}'
                 f'</span> <span class="count">({movie.num_ratings})</span>')
    reason = (f'<div class="because">Because you rated <a href="{path_for("movie", because.pk)}">'
              f'{escape(because.title)}</a> highly</div>' if because else "")
    guess = (f'<div class="guess" title="your predicted rating">We predict <strong>{predicted:.1f}</strong> ★</div>'
             if predicted is not None else "")
    widget = rating_widget(context, movie, value, compact=True) if rate else ""
    marks = context.get("marks")
    buttons = mark_buttons(context, movie, marks.get(movie.pk, ""), compact=True) if marks is not None else ""
    return mark_safe(
        f'<li class="card{_marked_class(marks, movie)}"><a class="poster" href="{url}" style="--h: {hue(movie.pk)}" '
        f'tabindex="-1" aria-hidden="true"><span>{escape(initials(movie.title))}</span></a><div class="card-body">'
        f'<a class="title" href="{url}">{title}</a><div class="meta">{meta}</div>{reason}{guess}{widget}{buttons}'
        '</div></li>')


def _marked_class(marks, movie) -> str:
    kind = marks.get(movie.pk) if marks else None
    return f" marked-{kind.replace('_', '-')}" if kind else ""


MARK_LABELS = {("watchlist", False): "+ Watchlist", ("watchlist", True): "✓ On your watchlist",
               ("not_interested", False): "Not interested", ("not_interested", True): "Undo “not interested”"}


@register.simple_tag(takes_context=True)
def mark_buttons(context, movie, kind="", compact=False):
    """The watchlist and "not interested" buttons: a form that posts to the site without JavaScript (each button
    says what it sets: a kind, or "none" to take the mark back) and that site.js sends to the REST API in place."""
    request = context["request"]
    pk = int(movie.pk)
    buttons = "".join(
        f'<button type="submit" name="set" value="{"none" if kind == wanted else wanted}" '
        f'class="small {"ghost" if wanted == "watchlist" else "link"} mark-{wanted.replace("_", "-")}" '
        f'aria-pressed="{"true" if kind == wanted else "false"}">{MARK_LABELS[wanted, kind == wanted]}</button>'
        for wanted in ("watchlist", "not_interested"))
    return mark_safe(
        f'<form class="mark{" compact" if compact else ""}" method="post" action="{path_for("mark", pk)}" '
        f'data-movie="{pk}" data-kind="{escape(kind)}" data-watchlist="{path_for("api:my-watchlist-detail", pk)}" '
        f'data-not-interested="{path_for("api:my-not-interested-detail", pk)}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        f'<input type="hidden" name="next" value="{escape(request.get_full_path())}">{buttons}'
        '<span class="mark-status" aria-live="polite"></span></form>')


@register.simple_tag
def page_links(number, last, query_string="", has_next=None):
    """Page numbers (the first, the last and two around this one; … between), with Previous and Next, as a nav;
    nothing for a single page. `has_next` says whether a page follows `last` (picks, whose count is not known)."""
    from django.core.paginator import Paginator

    number, last = int(number), int(last)
    has_next = number < last if has_next is None else bool(has_next)
    if last <= 1 and not has_next:
        return ""
    prefix = f"?{escape(query_string)}&amp;page=" if query_string else "?page="
    numbers = Paginator(range(last), 1).get_elided_page_range(number, on_each_side=2, on_ends=1)
    links = [f'<a href="{prefix}{number - 1}" rel="prev">← Previous</a>'] if number > 1 else []
    for n in numbers:
        if n == Paginator.ELLIPSIS:
            links.append('<span aria-hidden="true">…</span>')
        elif n == number:
            links.append(f'<span class="current" aria-current="page">{n}</span>')
        else:
            links.append(f'<a href="{prefix}{n}">{n}</a>')
    if has_next:
        if last == number:
            links.append(f'<a href="{prefix}{number + 1}">{number + 1}</a>')
        links.append(f'<a href="{prefix}{number + 1}" rel="next">Next →</a>')
    return mark_safe(f'<nav class="pages" aria-label="Pages">{"".join(links)}</nav>')


@register.filter
def get_item(mapping, key):
    """{{ ratings|get_item:movie.pk }}: a dict's value, None when missing."""
    return mapping.get(key) if mapping else None


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


@functools.cache
def _path_around_id(name: str, prefix: str) -> tuple[str, str]:
    """The path of URL `name` for an object id, as (before the id, after it): reversed once per script prefix,
    since pages link to dozens of movies and each reverse() walks the URL patterns."""
    marker = 987654321
    before, after = reverse(name, args=[marker]).split(str(marker))
    return before, after


def path_for(name: str, pk) -> str:
    before, after = _path_around_id(name, get_script_prefix())
    return f"{before}{int(pk)}{after}"


@register.filter
def movie_url(movie_or_id) -> str:
    """The movie page's path: {{ movie|movie_url }} (a fast {% url 'movie' movie.pk %})."""
    return path_for("movie", getattr(movie_or_id, "pk", movie_or_id))


def _radios() -> list[tuple[str, str, str]]:
    """Per radio: (value, label, CSS class) for 5, 4.5, … 0.5 (CSS shows them left to right)."""
    return [(f"{stars:.1f}", f"{stars:g} star{'' if stars == 1 else 's'}", "half-r" if n % 2 else "half-l")
            for n, stars in enumerate(reversed(RATING_VALUES), start=1)]


RADIOS = _radios()


@register.simple_tag(takes_context=True)
def rating_widget(context, movie, value=None, compact=False):
    """The star widget: ten half-star radios, a form that posts to the site without JavaScript and that site.js
    saves through the REST API in place.

    Built here with plain strings (numbers, and the title and path escaped) rather than in a template: a picks
    page shows two dozen widgets, and 240 radios rendered by the template engine cost more than the rest of it.
    """
    request = context["request"]
    pk = int(movie.pk)
    checked = f"{value:.1f}" if value else None
    radios = "".join(
        f'<input type="radio" id="r{pk}-{n}" name="value" value="{stars}"{" checked" if stars == checked else ""}>'
        f'<label for="r{pk}-{n}" class="{side}" title="{label}">'
        f'<span class="sr-only">{label}</span></label>'
        for n, (stars, label, side) in enumerate(RADIOS, start=1))
    return mark_safe(
        f'<form class="rate{" compact" if compact else ""}" data-rated="{"1" if value else "0"}" method="post" '
        f'action="{path_for("rate", pk)}" data-movie="{pk}" data-api="{path_for("api:my-rating-detail", pk)}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        f'<input type="hidden" name="next" value="{escape(request.get_full_path())}">'
        f'<fieldset class="stars"><legend class="sr-only">Your rating of {escape(movie.title)}</legend>{radios}'
        f'</fieldset><span class="rate-status" aria-live="polite">{f"{value:g} ★" if value else ""}</span>'
        '<button type="submit" class="small nojs">Rate</button>'
        f'<button type="submit" name="clear" value="1" class="small link clear"{"" if value else " hidden"}>Clear'
        '</button></form>')
