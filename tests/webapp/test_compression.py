"""Text answers gzip-compressed by the app for browsers that ask (webapp/compression.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.webapp.factories_debrief import build_world
from tests.webapp.support import login, login_url, url
from webapp import compression

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
LEAFLET = "/static/vendor/leaflet/dist/leaflet.js"


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    w = build_world()
    login(client)
    return w


def _header_name_length(body: bytes) -> int:
    """Length of the file name in a gzip header (RFC 1952), -1 without one."""
    assert body[:3] == b"\x1f\x8b\x08"
    if not body[3] & 0x08:
        return -1
    return body.index(b"\x00", 10) - 10


def test_a_page_is_sent_compressed_only_to_a_browser_that_asks(app, client):
    page = login_url(client)
    plain = client.get(page)
    packed = client.get(page, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain.headers["Vary"] and "Accept-Encoding" in packed.headers["Vary"]
    text = gzip.decompress(packed.data).decode()
    assert 'name="csrf_token"' in text and 'name="password"' in text
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) * 0.6
    # its length moves from one answer to the next (random padding in the gzip header)
    names = {_header_name_length(client.get(page, headers=GZIP).data) for _ in range(12)}
    assert len(names) > 1 and all(0 <= n <= compression.PAD_MAX for n in names)


def _fetched(client, path: str, **headers: str):  # type: ignore[no-untyped-def]
    """The answer to a GET, read whole and closed (a file sent as it is stays open until then)."""
    response = client.get(path, headers=headers)
    response.get_data()
    response.close()
    return response


def test_static_files_are_compressed_once_and_still_answer_304(app, client):
    source = (Path(app.static_folder) / "vendor/leaflet/dist/leaflet.js").read_bytes()
    first = client.get(LEAFLET, headers=GZIP)
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data) == source
    assert len(first.data) < len(source) / 3
    assert _header_name_length(first.data) == -1  # public bytes: no padding, the same every time
    assert client.get(LEAFLET, headers=GZIP).data == first.data
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # the compressed bytes are not the file's: a weak validator
    again = _fetched(client, LEAFLET, **GZIP, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # a browser that keeps the uncompressed copy revalidates it too
    plain_etag = _fetched(client, LEAFLET).headers["ETag"]
    assert _fetched(client, LEAFLET, **GZIP, **{"If-None-Match": plain_etag}).status_code == 304


def test_an_export_is_compressed_as_it_streams(world, client):
    export = url("facilitators.export", slug=world.project.slug, what="observations", fmt="geojson")
    plain = client.get(export)
    packed = client.get(export, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.is_streamed and "Content-Length" not in packed.headers
    assert gzip.decompress(packed.data) == plain.data
    assert _header_name_length(packed.data) == -1  # not a page: no padding
    csv = url("facilitators.export", slug=world.project.slug, what="observations", fmt="csv")
    assert gzip.decompress(client.get(csv, headers=GZIP).data) == client.get(csv).data


def test_posts_small_answers_and_pictures_are_sent_as_they_are(world, client):
    from tests.webapp.support import csrf_token

    page = login_url(client)
    refused = client.post(
        page,
        data={"email": "anim@example.org", "password": "wrong", "csrf_token": csrf_token(client, page)},
        headers=GZIP,
    )
    assert refused.status_code in (200, 400, 401) and len(refused.data) > compression.MIN_BYTES
    assert "Content-Encoding" not in refused.headers
    small = client.get("/healthz", headers=GZIP)
    assert small.status_code == 200 and len(small.data) < compression.MIN_BYTES
    assert "Content-Encoding" not in small.headers
    favicon = client.get("/static/img/favicon.svg", headers=GZIP)
    assert "Content-Encoding" not in favicon.headers  # an SVG, but under MIN_BYTES
    missing = _fetched(client, "/static/nothing-here.js", **GZIP)
    assert missing.status_code == 404 and "Content-Encoding" not in missing.headers


def test_gzip_helpers_round_trip():
    data = b"marche exploratoire " * 500
    assert gzip.decompress(compression.gzip_bytes(data)) == data
    assert gzip.decompress(compression.gzip_bytes(data, padding=False)) == data
    streamed = b"".join(compression.gzip_stream([data[:77], "", data[77:].decode()]))
    assert gzip.decompress(streamed) == data
