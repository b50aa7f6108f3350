"""A database outage answers 503 with Retry-After rather than a 500 error page.

Load balancers and crawlers treat 503 as "come back soon"; a 500 reads as a broken site and
pages someone. The app needs no restart afterwards: Django drops the failed connection at the
end of the request and opens a new one on the next.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        # Only the database being unreachable or refusing work; a bad query is still a 500.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable on %s: %s", request.path, exception)
        response = HttpResponse(
            "The database is unavailable for a moment; please try again shortly.\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
