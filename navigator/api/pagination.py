"""DRF's page-number pagination, taking only what the schema documents: `page` is an integer.

DRF reads `?page=` (empty) as page 1 and `?page=last` as the last page; the schema promises an
integer, so anything else is DRF's own "Invalid page." 404, as a page past the end is.
"""

from typing import Any

from rest_framework import exceptions, pagination


class PageNumberPagination(pagination.PageNumberPagination):
    def get_page_number(self, request: Any, paginator: Any) -> Any:
        given = request.query_params.get(self.page_query_param)
        if given is not None and not given.isdecimal():
            raise exceptions.NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)
