"""The HTTP answer for a photo, the same for every route that serves one and for either photo store.

The ETag is the photo's stored name: it is made of the photo's UUID and the hash of its upload, and
the bytes under a name never change, so a client that already has it gets a 304 without the bytes
being read at all (from a file or from the database). Each route then says who may cache it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request


def photo_response(stored_name: str, content_type: str, read: Callable[[], bytes]) -> Response:
    """The photo's bytes (``read()`` raises NotFound when they are gone), conditional on its ETag."""
    if request.if_none_match.contains(stored_name):
        response = Response(status=304)
        response.set_etag(stored_name)
        return response
    response = Response(read(), mimetype=content_type or "image/jpeg")
    response.set_etag(stored_name)
    response.make_conditional(request)  # a Range request gets its part (206)
    return response


__all__ = ["photo_response"]
