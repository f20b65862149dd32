"""The HTTP answer for a photo, the same for every route that serves one and for either photo store.

The ETag is the photo's stored name: it is made of the photo's UUID and the hash of its upload, and
the bytes under a name never change, so a client that already has it gets a 304 without the bytes
being read at all (from a file or from the database). Each route then says who may cache it.

Pages that show a photo small (a map popup, the moderation list, the debrief cards, a partner's
recommendation, before/after) ask for ``?taille=vignette``: the same photo at most
:data:`THUMBNAIL_SIDE` pixels on its longest side, made from the stored photo when asked (JPEG's
own reduced decoding, a few milliseconds) and kept by browsers like the photo itself — about a tenth of
the bytes of the stored photo (up to 1,600 pixels). Nothing of it is kept on the server, so a photo
hidden, erased or purged is gone in every size at once.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request

from webapp.errors import NotFound
from webapp.services import photos

#: ``?taille=vignette``: the query argument and the one size it names.
SIZE_ARG = "taille"
THUMBNAIL = "vignette"
#: Longest side of a thumbnail, in pixels: pages show them 120–320 CSS pixels wide, on screens of up
#: to twice that density.
THUMBNAIL_SIDE = 640
THUMBNAIL_QUALITY = 75


def asked_size() -> str | None:
    """``"vignette"`` when the request asks for the thumbnail, ``None`` for the photo; NotFound for any
    other size (no URL of ours names one)."""
    size = request.args.get(SIZE_ARG)
    if size is None or size == THUMBNAIL:
        return size
    raise NotFound("Taille de photo inconnue.", details={SIZE_ARG: size, "known": [THUMBNAIL]})


def thumbnail(data: bytes) -> bytes:
    """``data`` (a stored photo, JPEG) at most :data:`THUMBNAIL_SIDE` pixels on its longest side; the
    bytes as they are when they are already that small or cannot be read as an image."""
    return photos.resized(data, THUMBNAIL_SIDE, THUMBNAIL_QUALITY)


def photo_response(
    stored_name: str, content_type: str, read: Callable[[], bytes], *, size: str | None = None
) -> Response:
    """The photo's bytes (``read()`` raises NotFound when they are gone), conditional on its ETag;
    ``size="vignette"`` for its thumbnail (an ETag of its own)."""
    small = size == THUMBNAIL
    etag = f"{stored_name}~{THUMBNAIL}" if small else stored_name
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        return response
    if small:
        response = Response(thumbnail(read()), mimetype="image/jpeg")
    else:
        response = Response(read(), mimetype=content_type or "image/jpeg")
    response.set_etag(etag)
    response.make_conditional(request)  # a Range request gets its part (206)
    return response


__all__ = ["SIZE_ARG", "THUMBNAIL", "THUMBNAIL_SIDE", "asked_size", "photo_response", "thumbnail"]
