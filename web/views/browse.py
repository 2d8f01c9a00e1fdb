from django.core.paginator import Paginator
from django.shortcuts import render

from movies.marks import marks_of
from web import selectors
from web.forms import BrowseForm
from web.page_cache import cached_page

PAGE_SIZE = 24


@cached_page
def browse(request):
    """Search titles (and show the movies of a tag that the words name), filter by genre, decade and tag, sort,
    page through."""
    form = BrowseForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.browse(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tag_count, tag_movies = (selectors.tagged(filters["query"]) if filters["query"] and not filters["tag"]
                             and page.number == 1 else (0, []))
    return render(request, "web/browse.html", {"form": form, "filters": filters, "page": page,
                                               "query_string": query.urlencode(), "tag_count": tag_count,
                                               "tag_movies": tag_movies, "marks": _marks(request.user, page,
                                                                                         tag_movies)})


def _marks(user, page, more) -> dict | None:
    """The user's marks of the movies shown (their cards' buttons); None for visitors, who get no buttons."""
    if not user.is_authenticated:
        return None
    return marks_of(user, [movie.pk for movie in [*page.object_list, *more]])
