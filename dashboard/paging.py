"""Newer/older paging for long lists, without counting the whole filtered set.

A COUNT(*) over a search that matches little scans everything; asking for one
row more than a page shows is enough to know whether a next page exists.
"""

MAX_PAGE = 100_000


def page_number(value):
    """The page asked for in a query string, 1 when missing or not a number."""
    try:
        return max(1, min(int(value), MAX_PAGE))
    except (TypeError, ValueError):
        return 1


def page_of(queryset, *, page, per_page):
    """(rows of that page, whether a next page exists) from an ordered queryset."""
    offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def paging_context(request, *, page, has_next):
    """What templates/partials/pagination.html needs: links keep the page's other filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return {"page": page, "has_next": has_next, "query_string": params.urlencode()}
