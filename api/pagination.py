from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page=N (from 1) and ?page_size= up to 100."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "There is no page {page_number}: {message}"
