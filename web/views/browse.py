from django.core.paginator import Paginator
from django.shortcuts import render

from web import selectors
from web.forms import BrowseForm
from web.page_cache import cached_page

PAGE_SIZE = 24


@cached_page
def browse(request):
    """Search titles, filter by genre and decade, sort, page through."""
    form = BrowseForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.browse(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/browse.html", {"form": form, "filters": filters, "page": page,
                                               "query_string": query.urlencode()})
