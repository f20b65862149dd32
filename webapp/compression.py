"""Text answers sent gzip-compressed to the browsers that ask for it, by the app itself.

Without it, ``arpenteur serve`` — and ``make run`` on a laptop serving phones over a venue's Wi-Fi —
sent every page, script, style sheet, SVG and JSON answer as it is: a resident's first capture page
weighed 93 KiB, a staff page four to twenty times its compressed size, the GeoJSON export of 4,400
observations 3.5 MB instead of 0.25 MB. A reverse proxy that compresses in front of the app still may
(it leaves an answer already compressed alone).

What is compressed: answers to ``GET`` and ``HEAD`` with a text type (HTML, CSS, JavaScript, JSON,
GeoJSON, SVG, CSV, XML, the web manifest) of at least :data:`MIN_BYTES`, when the request says
``Accept-Encoding: gzip`` and the answer is a whole one (200) without ``no-transform``. Never the
answers to ``POST``, ``PUT`` or ``DELETE`` (the phones' submissions get a few hundred bytes back),
photos (JPEG, already compressed), partial answers or 304s.

- Static files (the same bytes for every request) are compressed once per file and version and kept
  in memory (:data:`_KEPT_BYTES` at most); their ETag becomes weak (``W/"…"``), so a browser's
  ``If-None-Match`` still gets its 304 (weak comparison, RFC 9110 §13.1.2) as nginx does.
- Answers made as a stream (CSV and GeoJSON exports) are compressed as they are sent, chunk by
  chunk, never held whole.
- Every other text answer is compressed once, at level :data:`LEVEL`. A page (HTML) gets random
  padding of 0 to :data:`PAD_MAX` bytes in its gzip header (as Django does since 4.2, after "Heal the
  BREACH"): its length no longer tells, request after request, whether a guess matched a secret in
  it (a form's token, tied to the session cookie a browser sends by itself). The API's answers need
  none: their requests carry a bearer token, which no other site can make a browser send.

``Vary: Accept-Encoding`` is added to every answer that could have been compressed, so a shared cache
never gives a compressed one to a client that did not ask for it.
"""

from __future__ import annotations

import secrets
import string
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator

from flask import Flask, Response, request

#: Smaller answers are sent as they are: compressing them saves less than one network packet.
MIN_BYTES = 1024
#: zlib level: 6 is gzip's and nginx's usual choice (most of the gain of 9 at a third of its cost).
LEVEL = 6
#: Random padding added to a page's gzip header, in bytes (0 to this, uniform).
PAD_MAX = 100
#: Static files' compressed bytes kept per process, at most (the whole static folder is about 3 MB).
_KEPT_BYTES = 8_000_000

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/manifest+json",
    "application/xml",
    "image/svg+xml",
)

_NAME_LETTERS = (string.ascii_letters + string.digits).encode()


def _header(padding: bool) -> bytes:
    """A gzip member header (RFC 1952): no time, unknown system; with ``padding``, a file name of
    random length (0 to PAD_MAX letters) that no reader shows."""
    if not padding:
        return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    name = bytes(secrets.choice(_NAME_LETTERS) for _ in range(secrets.randbelow(PAD_MAX + 1)))
    return b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + name + b"\x00"


def _trailer(crc: int, size: int) -> bytes:
    return struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def gzip_bytes(data: bytes, *, padding: bool = True) -> bytes:
    """``data`` as one gzip member (what ``gzip.decompress`` reads back)."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return _header(padding) + packer.compress(data) + packer.flush() + _trailer(zlib.crc32(data), len(data))


def gzip_stream(chunks: Iterable[bytes | str], *, padding: bool = True) -> Iterator[bytes]:
    """``chunks`` compressed as they come: zlib hands out what it has packed whenever its buffer
    fills, so a long export is never held whole, here or in the browser's wait."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc, size = 0, 0
    yield _header(padding)
    try:
        for chunk in chunks:
            data = chunk.encode() if isinstance(chunk, str) else chunk
            if not data:
                continue
            crc, size = zlib.crc32(data, crc), size + len(data)
            out = packer.compress(data)
            if out:
                yield out
        yield packer.flush() + _trailer(crc, size)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


#: Static files already compressed: (file's weak ETag, compressed bytes), least recently used first.
_kept: OrderedDict[str, bytes] = OrderedDict()
_kept_lock = threading.Lock()


def _static_gzip(etag: str, data: bytes) -> bytes:
    with _kept_lock:
        kept = _kept.get(etag)
        if kept is not None:
            _kept.move_to_end(etag)
            return kept
    packed = gzip_bytes(data, padding=False)  # the same public bytes for everybody: nothing to hide
    with _kept_lock:
        _kept[etag] = packed
        while len(_kept) > 1 and sum(len(v) for v in _kept.values()) > _KEPT_BYTES:
            _kept.popitem(last=False)
    return packed


def _wanted(response: Response) -> bool:
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return False
    if "Content-Encoding" in response.headers or response.mimetype is None:
        return False
    if not response.mimetype.startswith(COMPRESSIBLE):
        return False
    if response.cache_control.no_transform:
        return False
    response.vary.add("Accept-Encoding")
    return request.accept_encodings["gzip"] > 0


def compress(response: Response) -> Response:
    """``response`` gzip-compressed when it should be (see the module's docstring)."""
    if not _wanted(response):
        return response
    if response.is_streamed and not response.direct_passthrough:
        response.response = gzip_stream(response.response, padding=response.mimetype == "text/html")
        response.headers.pop("Content-Length", None)
    else:
        source = response.response
        response.direct_passthrough = False
        try:
            data = response.get_data()  # a file sent by send_file is read here
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
        if len(data) < MIN_BYTES:
            return response
        etag, weak = response.get_etag()
        if request.endpoint == "static" and etag:
            packed = _static_gzip(etag, data)
        else:
            packed = gzip_bytes(data, padding=response.mimetype == "text/html")
        response.set_data(packed)
        if etag and not weak:
            response.set_etag(etag, weak=True)
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Compress after every other ``after_request`` function (registered first, so run last)."""
    app.after_request(compress)
